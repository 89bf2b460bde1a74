//! # reident — does this "anonymized" release still leak its sources?
//!
//! `reident` takes a release (tables and/or text) together with the originals
//! it was made from, measures the formal guarantees a vendor claims
//! (k-anonymity, l-diversity, t-closeness, epsilon) and runs the attacks a real
//! adversary would run.
//!
//! ## Threat model
//!
//! The adversary sees the release and some auxiliary knowledge about the people
//! or documents in it (at most the originals themselves). Metrics in
//! [`privacy`] use the release alone; attacks use the release plus auxiliary
//! data; [`dp`] estimates and bounds epsilon from paired data or attack outcomes.
//!
//! ## Glossary
//!
//! * **quasi-identifier (QI)**: an attribute that is not identifying alone but
//!   is in combination (age, ZIP code, sex).
//! * **equivalence class**: the release rows that share all QI values.
//! * **sensitive attribute**: what the adversary wants to learn (diagnosis, salary).
//! * **suppressed value**: `*`, the value was removed by the anonymizer.
//!
//! ## Module map
//!
//! Data flows one way: [`data`] → ([`privacy`] | [`attacks`] | [`dp`]) →
//! [`eval`] → [`report`]; [`audit`] and [`cli`] only compose.
//!
//! * [`data`]: loading, column roles, missing values, generalized values,
//!   hierarchies; also what several layers must do the same way: identifier
//!   detection in text and the word lists (`data::text`), SHA-256/HMAC digests
//!   (`data::digest`) and the output rule for files (`data::output`).
//! * [`privacy`]: equivalence classes and every metric of a release alone.
//! * [`attacks`]: record linkage, inference, unicity, stylometry, text leakage.
//! * [`dp`]: epsilon estimation and lower bounds.
//! * [`eval`]: shared scoring: rates with intervals and the claim decision rules.
//! * [`report`]: the report model, Markdown/HTML views and charts.
//! * [`anonymize`]: reference anonymizers that produce releases for experiments
//!   (redaction included), and their wrappers as dp mechanisms.
//! * [`synth`]: a seeded Atlassian-style corpus generator.
//! * [`audit`]: the config-driven audit: datasets, claims, verdicts.
//! * [`cli`]: the `reident` command-line interface (thin wrappers; the only
//!   module that uses clap).
//!
//! Which module may use which (`tests/layering.rs` enforces it, together with
//! "no clap outside `cli`" and "no cycle between the files of one module"):
//!
//! | module | may use |
//! |---|---|
//! | `data` | nothing |
//! | `privacy`, `attacks`, `dp` | `data` (not one another) |
//! | `anonymize` | `data`, `privacy`, `dp` |
//! | `eval` | `data`, `privacy`, `attacks`, `dp` |
//! | `report` | `data`, `privacy`, `attacks`, `dp`, `eval` |
//! | `synth` | `data`, `anonymize`, `privacy`, `dp` |
//! | `audit` | everything but `cli` |
//! | `cli` | everything |
//!
//! Code two layers need goes down into the lower one (usually `data`), never
//! sideways.

pub mod anonymize;
pub mod attacks;
pub mod audit;
pub mod cli;
pub mod data;
pub mod dp;
pub mod eval;
pub mod privacy;
pub mod report;
pub mod synth;
