//! Where the heavy, row-scaling parts of the metrics run: in this process
//! (one pass over an in-memory table, or partial by partial) or on a Spark
//! cluster through Spark Connect (cargo feature `spark`).
//!
//! Everything that grows with rows is expressed as a partial that merges
//! exactly: [`ClassPartial`] holds, for every combination of
//! quasi-identifier and sensitive values, its row count, its first row and
//! (while the group is smaller than the target k) its row ids, keyed by the
//! values themselves, not by per-partition codes, so partials computed over
//! any split of the rows (chunks of a file, files, Spark partitions) merge
//! into the same value in any order. [`ClassPartial::evaluate`] turns a
//! merged partial into the same [`MetricsReport`](crate::privacy::MetricsReport)
//! as [`crate::privacy::evaluate`] over the whole table: k, l (distinct,
//! entropy, recursive), t (every EMD), alpha, beta-likeness,
//! delta-disclosure, the risk models and population uniqueness all read the
//! equivalence classes, which are rebuilt from the partial with the same
//! class numbering as a one-pass build (tests check equality of the whole
//! report).
//!
//! [`PatternPartial`] (defined with the linkage attack, re-exported here)
//! does the same for the comparison-vector counts EM trains the
//! Fellegi-Sunter model on: `attacks::linkage::link_partitioned` splits the
//! blocked pairs by block into partials (`reident link --engine
//! partials:ROWS`) and `spark_link` (feature `spark`) computes the same
//! counts, and the pairs above the threshold, as Spark SQL whose text
//! `link_sql` writes. Trace unicity partials per user partition live with
//! the attack (`attacks::unicity::unicity_curve_partitioned`).
//!
//! [`out_of_core`] computes the same groups from a file read in chunks
//! under a memory budget (`reident metrics --memory`), spilling hash
//! partitions to a temporary folder (the partitioning of a Grace hash join:
//! Kitsuregawa, Tanaka and Moto-Oka 1983), and [`traces`] does the same for
//! trace unicity with per-user partitions (`reident unicity --memory`).
//! [`link_out_of_core`] runs the Fellegi-Sunter linkage over two files the
//! same way (`reident link --memory`): rows in hash partitions per blocking
//! rule, pairs, comparison vectors and EM pattern counts per partition.
//! [`qi_join_out_of_core`] runs the QI-join attack over two files the same
//! way (`reident link --qi --memory`, the audit's `memory`): tuples of
//! values counted with hash spill, the truth key joined by hash partitions,
//! candidates counted by bitsets per block of tuples, as `spark_qi` splits it.
//! [`memory`] reads the process's resident memory to check the tracked
//! estimates against.
//!
//! On Spark too: the QI-join attack (`spark_qi`, counts per release
//! tuple through per-column accepted value pairs decided in Rust) and trace
//! unicity (`spark_traces`, anonymity-set counts from draws made in Rust).
//! Document-linkage partials (per LSH band group or original group) live
//! with the attack (`attacks::text::link_documents_partitioned`).
//!
//! The hidden quasi-identifier check and the direct-identifier scan run out
//! of core (`scan_out_of_core`) and on Spark (`spark_scans`: class and
//! cross counts as SQL aggregates; each column's distinct values streamed
//! to the in-process classifier).
//!
//! Not here (yet): partials for a subject (person) column and for a
//! population table (these need the rows); document linkage on Spark.

pub mod link_out_of_core;
mod link_sql;
pub mod memory;
pub mod out_of_core;
mod partial;
pub mod qi_join_out_of_core;
pub mod scan_out_of_core;
#[cfg(feature = "spark")]
pub mod spark;
#[cfg(feature = "spark")]
pub mod spark_link;
#[cfg(feature = "spark")]
pub mod spark_qi;
#[cfg(feature = "spark")]
pub mod spark_scans;
#[cfg(feature = "spark")]
pub mod spark_traces;
mod spill_counts;
pub mod traces;

pub use crate::attacks::linkage::PatternPartial;
pub use out_of_core::{MemoryBudget, OutOfCore};
pub use partial::{ClassPartial, Group};
pub use spill_counts::SpillStats;

use thiserror::Error;

/// Errors of the engines.
#[derive(Debug, Error)]
pub enum EngineError {
    /// A metric failed on the classes rebuilt from the partial.
    #[error(transparent)]
    Privacy(#[from] crate::privacy::PrivacyError),
    /// Partials over different columns or settings cannot be merged.
    #[error("cannot merge partials: {0}")]
    Mismatch(String),
    /// The linkage attack failed.
    #[error(transparent)]
    Linkage(#[from] crate::attacks::linkage::LinkageError),
    /// An option the partials do not support.
    #[error("{0}")]
    Unsupported(String),
    /// A memory budget that is not understood.
    #[error("memory budget `{0}`: expected a size such as 4G, 512M, 64K or a number of bytes (K, M, G, T are powers of 1024), at least 1 byte")]
    BadBudget(String),
    /// Reading or writing the spill folder failed.
    #[error("out-of-core spill: {0}")]
    Spill(String),
    /// Trace unicity failed.
    #[error(transparent)]
    Unicity(crate::attacks::unicity::UnicityError),
    /// The input could not be read.
    #[error(transparent)]
    Data(crate::data::DataError),
    /// The hidden quasi-identifier check was given more candidate columns
    /// than [`crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS`].
    #[error("the hidden quasi-identifier check takes at most {max} candidate columns; the table has {0} besides the declared quasi-identifiers", max = crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS)]
    TooManyCandidates(usize),
    /// An `--engine` value that is not understood.
    #[error("engine `{0}`: expected `in-process`, `partials:ROWS` (in-process, ROWS rows per partial) or `spark://HOST:PORT`")]
    BadEngine(String),
    /// The Spark Connect server failed or returned something unexpected.
    #[error("Spark Connect {url}: {message}")]
    Spark {
        /// The server address.
        url: String,
        /// What went wrong.
        message: String,
    },
}

/// Where `reident metrics` computes the equivalence classes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Engine {
    /// One pass over the table in memory (the default).
    #[default]
    InProcess,
    /// In memory, as mergeable partials over chunks of this many rows
    /// (the same result; exercises the partial path).
    Partials(usize),
    /// A Spark Connect server, `sc://HOST:PORT` form of the address.
    Spark(String),
}

impl Engine {
    /// Parses `in-process`, `partials:ROWS` or `spark://HOST:PORT`
    /// (`sc://HOST:PORT` is accepted too).
    pub fn parse(text: &str) -> Result<Self, EngineError> {
        let t = text.trim();
        if t == "in-process" || t.is_empty() {
            return Ok(Engine::InProcess);
        }
        if let Some(rows) = t.strip_prefix("partials:") {
            return match rows.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Engine::Partials(n)),
                _ => Err(EngineError::BadEngine(text.to_string())),
            };
        }
        for prefix in ["spark://", "sc://"] {
            if let Some(rest) = t.strip_prefix(prefix) {
                let host_port = rest.split('/').next().unwrap_or("");
                let ok = host_port
                    .rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
                if !ok {
                    return Err(EngineError::BadEngine(text.to_string()));
                }
                return Ok(Engine::Spark(format!("sc://{rest}")));
            }
        }
        Err(EngineError::BadEngine(text.to_string()))
    }
}

/// The equivalence-class partial of `table` (a table name or a Parquet
/// path on the cluster) computed by the Spark Connect server at `url`
/// ([`spark::class_partial`]); without the `spark` feature, an error that
/// says how to build it. What the audit's Spark tables call.
pub fn spark_class_partial(
    url: &str,
    table: &str,
    quasi_identifiers: &[&str],
    sensitive: &[&str],
    target_k: u64,
    missing: &crate::data::MissingPolicy,
) -> Result<ClassPartial, EngineError> {
    #[cfg(feature = "spark")]
    {
        spark::class_partial(
            url,
            &spark::SparkTable::parse(table),
            quasi_identifiers,
            sensitive,
            target_k,
            missing,
        )
    }
    #[cfg(not(feature = "spark"))]
    {
        let _ = (table, quasi_identifiers, sensitive, target_k, missing);
        Err(EngineError::Unsupported(format!(
            "the Spark engine ({url}): this reident was built without Spark Connect; rebuild with `cargo build --features spark`"
        )))
    }
}

/// Every release-only metric of `table` (a table name or a Parquet path on
/// the cluster) from the groups the Spark Connect server at `url` computes,
/// finished out of core under `settings`' budget as they arrive
/// ([`spark::class_metrics_out_of_core`]); without the `spark` feature, an
/// error that says how to build it. What `reident metrics --engine spark://
/// --memory` and the audit's Spark tables with `memory` call.
pub fn spark_class_metrics_out_of_core(
    url: &str,
    table: &str,
    params: &crate::privacy::MetricsParams,
    missing: &crate::data::MissingPolicy,
    settings: &OutOfCore,
) -> Result<crate::privacy::MetricsReport, EngineError> {
    #[cfg(feature = "spark")]
    {
        spark::class_metrics_out_of_core(
            url,
            &spark::SparkTable::parse(table),
            table,
            params,
            missing,
            settings,
        )
    }
    #[cfg(not(feature = "spark"))]
    {
        let _ = (table, params, missing, settings);
        Err(EngineError::Unsupported(format!(
            "the Spark engine ({url}): this reident was built without Spark Connect; rebuild with `cargo build --features spark`"
        )))
    }
}

/// The column names of `table` (a table name or a Parquet path on the
/// cluster) on the Spark Connect server at `url`, from its schema (no rows
/// read); without the `spark` feature, an error that says how to build it.
pub fn spark_columns(url: &str, table: &str) -> Result<Vec<String>, EngineError> {
    #[cfg(feature = "spark")]
    {
        spark::columns(url, &spark::SparkTable::parse(table))
    }
    #[cfg(not(feature = "spark"))]
    {
        let _ = table;
        Err(EngineError::Unsupported(format!(
            "the Spark engine ({url}): this reident was built without Spark Connect; rebuild with `cargo build --features spark`"
        )))
    }
}

/// The direct-identifier scan of `table` (a table name or a Parquet path on
/// the cluster) on the Spark Connect server at `url`
/// ([`spark_scans::scan_identifiers`]); without the `spark` feature, an
/// error that says how to build it. What `reident identifiers --engine
/// spark://` and the audit's Spark tables call.
pub fn spark_scan_identifiers(
    url: &str,
    table: &str,
    config: &crate::privacy::direct_identifiers::DirectIdentifierConfig,
) -> Result<crate::privacy::direct_identifiers::DirectIdentifierScan, EngineError> {
    #[cfg(feature = "spark")]
    {
        spark_scans::scan_identifiers(url, &spark::SparkTable::parse(table), table, config)
    }
    #[cfg(not(feature = "spark"))]
    {
        let _ = (table, config);
        Err(EngineError::Unsupported(format!(
            "the Spark engine ({url}): this reident was built without Spark Connect; rebuild with `cargo build --features spark`"
        )))
    }
}

/// The hidden quasi-identifier check of `table` (a table name or a
/// Parquet path on the cluster) on the Spark Connect server at `url`
/// ([`spark_scans::hidden_quasi_identifiers`]), with `k`,
/// `records_below_target_k` and `records_in_classes` from the metrics of the
/// same table and `params`; without the `spark` feature, an error that says
/// how to build it. What `reident metrics --engine spark://` and the
/// audit's Spark tables call.
pub fn spark_hidden_qi(
    url: &str,
    table: &str,
    params: &crate::privacy::MetricsParams,
    missing: &crate::data::MissingPolicy,
    options: &crate::privacy::HiddenQiOptions,
    metrics: &crate::privacy::MetricsReport,
) -> Result<crate::privacy::HiddenQiReport, EngineError> {
    #[cfg(feature = "spark")]
    {
        spark_scans::hidden_quasi_identifiers(
            url,
            &spark::SparkTable::parse(table),
            params,
            missing,
            options,
            spark_scans::DeclaredClasses {
                k: metrics.k,
                records_below_target_k: metrics.below_target_k.n_records,
                records_in_classes: metrics.n_rows_in_classes,
            },
        )
    }
    #[cfg(not(feature = "spark"))]
    {
        let _ = (table, params, missing, options, metrics);
        Err(EngineError::Unsupported(format!(
            "the Spark engine ({url}): this reident was built without Spark Connect; rebuild with `cargo build --features spark`"
        )))
    }
}

/// What [`spark_qi_join`] reads, with tables given as text (a table name
/// or a Parquet path on the cluster).
#[derive(Debug, Clone)]
pub struct SparkQiJoin<'a> {
    /// The originals.
    pub original: &'a str,
    /// The release.
    pub release: &'a str,
    /// (release name, original name) of each quasi-identifier.
    pub columns: &'a [(String, String)],
    /// Hierarchies by release column name.
    pub hierarchies: &'a std::collections::HashMap<String, crate::data::Hierarchy>,
    /// Value kinds set by the user, by release column name.
    pub kinds: &'a std::collections::HashMap<String, crate::data::ValueKind>,
    /// The truth key as (original column, release column).
    pub truth: Option<(&'a str, &'a str)>,
}

/// The QI-join attack on the Spark Connect server at `url`
/// ([`spark_qi::qi_join`]) and the column names of both tables (for the
/// columns an adversary could join on beyond the quasi-identifiers);
/// without the `spark` feature, an error that says how to build it.
pub fn spark_qi_join(
    url: &str,
    inputs: &SparkQiJoin<'_>,
) -> Result<
    (
        crate::attacks::linkage::QiJoinResult,
        Vec<String>,
        Vec<String>,
    ),
    EngineError,
> {
    #[cfg(feature = "spark")]
    {
        let original = spark::SparkTable::parse(inputs.original);
        let release = spark::SparkTable::parse(inputs.release);
        let columns: Vec<spark_qi::QiColumn> = inputs
            .columns
            .iter()
            .map(|(r, o)| spark_qi::QiColumn {
                release: r.clone(),
                original: o.clone(),
            })
            .collect();
        let truth = inputs.truth.map(|(o, r)| spark_qi::TruthColumns {
            original: o.to_string(),
            release: r.to_string(),
        });
        let missing = crate::data::MissingPolicy::default();
        let result = spark_qi::qi_join(
            url,
            &spark_qi::QiJoinInputs {
                original: &original,
                release: &release,
                columns: &columns,
                hierarchies: inputs.hierarchies,
                kinds: inputs.kinds,
                truth: truth.as_ref(),
                missing: &missing,
            },
        )?;
        let release_columns = spark::columns(url, &release)?;
        let original_columns = spark::columns(url, &original)?;
        Ok((result, release_columns, original_columns))
    }
    #[cfg(not(feature = "spark"))]
    {
        let _ = inputs;
        Err(EngineError::Unsupported(format!(
            "the Spark engine ({url}): this reident was built without Spark Connect; rebuild with `cargo build --features spark`"
        )))
    }
}

/// The trace unicity curve of the events in `table` (a table name or a
/// Parquet path on the cluster) on the Spark Connect server at `url`
/// ([`spark_traces::unicity_curve`]); without the `spark` feature, an error
/// that says how to build it.
pub fn spark_unicity_curve(
    url: &str,
    table: &str,
    spec: &crate::attacks::unicity::TraceSpec,
    points: &[usize],
    seed: u64,
) -> Result<crate::attacks::unicity::UnicityResult, EngineError> {
    #[cfg(feature = "spark")]
    {
        spark_traces::unicity_curve(url, &spark::SparkTable::parse(table), spec, points, seed)
    }
    #[cfg(not(feature = "spark"))]
    {
        let _ = (table, spec, points, seed);
        Err(EngineError::Unsupported(format!(
            "the Spark engine ({url}): this reident was built without Spark Connect; rebuild with `cargo build --features spark`"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_engines() {
        assert_eq!(Engine::parse("in-process").unwrap(), Engine::InProcess);
        assert_eq!(Engine::parse("partials:7").unwrap(), Engine::Partials(7));
        assert_eq!(
            Engine::parse("spark://127.0.0.1:15002").unwrap(),
            Engine::Spark("sc://127.0.0.1:15002".into())
        );
        for bad in ["partials:0", "spark://host", "spark://:1", "duckdb"] {
            let e = Engine::parse(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }
}
