//! The integration tests, as one test binary: each `tests/<name>.rs` is a module
//! here (run one with `cargo test --test integration <name>::`).
//!
//! One binary rather than one per file: every test binary links polars and the
//! rest of the dependency tree statically, and 83 of them took tens of GB of disk
//! and minutes of linking per build (CI ran out of disk). Cargo does the same in its
//! own `tests/testsuite`. `autotests = false` in Cargo.toml keeps cargo from
//! building each file again as a binary of its own.

mod adult_support;
#[cfg(feature = "semantic")]
mod embedding_support;
mod hostile_support;
mod report_support;

mod anonymize_cli;
mod anonymize_dp;
mod anonymize_metrics;
mod anonymize_tables;
mod audit_built_hierarchies;
mod audit_cli;
mod audit_dp_attacks;
mod audit_engine;
mod audit_log_traces;
mod audit_memory;
mod claims_cli_vs_audit;
mod cli_bad_params;
mod cli_metrics;
mod data_bad_input;
mod data_formats;
mod dbrl_linkage;
mod document_linkage_partials;
mod dp_anonymizers;
mod dp_audit;
mod dp_cli;
mod dp_estimate;
mod embedding_reference;
mod engine_partials;
mod eval_epsilon;
mod eval_pan;
mod eval_planner;
mod eval_rate;
mod git_source;
mod hierarchy_build;
mod hostile_cli;
mod identifiers_table;
mod inference_anonymeter;
mod inference_cli;
mod inference_generalized;
mod inference_risks;
mod jira_sources;
mod layering;
mod link_out_of_core;
mod linkage_fs;
mod linkage_partials;
mod linkage_props;
mod linkage_qi_join;
mod linkage_rates;
mod linkage_splink;
mod out_of_core;
mod paraphrase_cli;
mod privacy_adult;
mod privacy_hidden_qi;
mod privacy_li2007;
mod privacy_metrics;
mod privacy_props;
mod privacy_risk;
mod privacy_subject;
mod pseudonym_linkage;
mod pycanon_fixtures;
mod qi_join_memory;
mod redact_planted;
mod redteam_failsafe;
mod report_browser;
mod report_charts;
mod report_views;
mod scan_out_of_core;
mod semantic_linkage;
mod spark_engine;
mod spark_scans;
mod stylometry_brontes;
mod stylometry_cli;
mod stylometry_federalist;
mod stylometry_jira;
mod stylometry_linear;
mod stylometry_pooling;
mod stylometry_properties;
mod stylometry_pseudonym;
mod stylometry_verification;
mod stylometry_verify;
mod synth_cli;
mod synth_corpus;
mod synth_exports;
mod text_demo;
mod text_identifiers;
mod text_leak;
mod text_minhash;
mod text_peer;
mod unicity_cli;
mod unicity_fixture;
mod unicity_traces;
