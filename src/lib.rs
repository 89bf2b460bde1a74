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
//! data; [`dp`] estimates epsilon from paired data and runs mechanisms for
//! black-box audits; [`eval`] scores what they return (intervals, ROC/EER,
//! epsilon lower bounds, verdicts).
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
//!   hierarchies, the one table value ([`data::EncodedTable`]) that the
//!   readers and the anonymizers produce and the metrics and attacks take,
//!   the one text corpus (`data::Corpus`, read by the text and stylometry
//!   attacks), and the exports teams have (`data::sources`: Jira, Confluence,
//!   audit logs); also what several layers must do the same way: identifier
//!   detection in text and the word lists (`data::text`), SHA-256/HMAC
//!   digests (`data::digest`) and the output rule for files (`data::output`).
//! * [`privacy`]: equivalence classes and every metric of a release alone.
//! * [`attacks`]: record linkage, inference, unicity, stylometry, text leakage, and
//!   the joint pseudonym attack that fuses them (`attacks::pseudonym_linkage`).
//! * [`dp`]: epsilon estimation from paired data; mechanisms and their audit trials.
//! * [`eval`]: scoring: rates with Wilson/Clopper-Pearson intervals, ROC/PR/EER/AUC,
//!   epsilon lower bounds from trials, the claim decision rules. A new
//!   statistic of an attack outcome goes here, not in the attack.
//! * [`report`]: the report model, Markdown/HTML views and charts.
//! * [`anonymize`]: reference anonymizers that produce releases for experiments
//!   (redaction included), and their wrappers as dp mechanisms.
//! * [`synth`]: a seeded Atlassian-style corpus generator.
//! * [`engine`]: where the row-scaling parts run: in process, as exactly
//!   mergeable partials, or as Spark SQL through Spark Connect (feature `spark`).
//! * [`audit`]: the config-driven audit: datasets, claims, verdicts.
//! * [`cli`]: the `reident` command-line interface (thin wrappers; the only
//!   module that uses clap).
//! * [`prelude`]: the names most programs need.
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
//! | `engine` | `data`, `privacy`, `attacks` |
//! | `audit` | everything but `cli` |
//! | `cli` | everything |
//!
//! Code two layers need goes down into the lower one (usually `data`), never
//! sideways.
//!
//! ## Extending reident
//!
//! * **A metric** of a release alone goes in [`privacy`], one file per metric
//!   family, computed from the shared [`privacy::EquivalenceClasses`] and added
//!   to [`privacy::MetricsReport`] by [`privacy::evaluate_classes`]; the CLI's
//!   `metrics` and the audit both read that report.
//! * **An attack** goes in [`attacks`] (its own file or folder), takes loaded
//!   data and returns counts and scores, never verdicts; turning counts into
//!   rates, intervals and curves is [`eval`]'s job.
//! * **A claim kind** is one file in `src/audit/claims/` implementing the
//!   `Claim` trait (its statement, its config check and its decision through
//!   [`eval`]'s rules) plus one line in the registry of
//!   [`audit::claims`]; a CLI threshold flag calls the same claim's
//!   `verdict` method, so both front doors give the same answer.
//!
//! ## Example
//!
//! ```
//! use reident::prelude::*;
//!
//! // Four release rows over two quasi-identifiers: two classes of two.
//! let release = EncodedTable::new(
//!     "release",
//!     vec![
//!         CategoricalColumn::from_strs("age", &["30-39", "30-39", "40-49", "40-49"]),
//!         CategoricalColumn::from_strs("zip", &["021**", "021**", "021**", "021**"]),
//!     ],
//! );
//! let report = evaluate(&release, &MetricsParams::new(["age", "zip"]))?;
//! assert_eq!((report.k, report.n_classes), (2, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod anonymize;
pub mod attacks;
pub mod audit;
pub mod cli;
pub mod data;
pub mod dp;
pub mod engine;
pub mod eval;
pub mod prelude;
pub mod privacy;
pub mod report;
pub mod synth;
