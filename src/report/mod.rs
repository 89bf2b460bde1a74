//! Reports: one serde model rendered as JSON (the contract), Markdown and a
//! self-contained HTML page, with charts as SVG and PNG.
//!
//! * [`model`]: the [`Report`] structure, its builder and the redaction guard
//!   that keeps strings from original records out unless asked for.
//! * [`views`]: JSON, Markdown and HTML renderings (HTML has inline CSS and
//!   inline SVG charts, no scripts and no network references).
//! * [`charts`]: chart functions over plain data (histograms, CDFs, ROC/PR,
//!   heatmaps, curves), each rendered headlessly to SVG and PNG with an
//!   embedded DejaVu Sans font.
//! * [`write`]: writes report.json/.md/.html and `charts/` atomically under
//!   the output rule every command that writes follows (never onto an input,
//!   atomic, replace only when asked), which lives in `data::output` and is
//!   re-exported here.
//!
//! This module computes no metric and runs no attack: it renders results that
//! other modules produced.

pub mod charts;
pub mod model;
mod png;
pub mod views;
pub mod write;

pub use charts::Chart;
pub use model::{
    ChartRef, ClaimVerdict, EmbeddedResult, GeneratedBy, InputRef, Report, ReportBuilder, Section,
    Table, Verdict, REDACTION_MARKER, REPORT_JSON_SCHEMA, SCHEMA_VERSION,
};
pub use views::{to_html, to_json, to_markdown};
pub use write::{
    check_fresh_output_dir, check_output_dir, check_output_file, write_file_atomic, write_report,
    Written,
};

use std::path::PathBuf;

/// Errors of the report module.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The report breaks an invariant the views rely on.
    #[error("invalid report: {message}")]
    InvalidReport {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A chart was given data it cannot plot.
    #[error("chart '{chart}': {message}")]
    ChartData {
        /// Chart name.
        chart: String,
        /// What is wrong with the data.
        message: String,
    },
    /// The plotting library failed while drawing a chart.
    #[error("chart '{chart}': drawing failed: {message}")]
    ChartDrawing {
        /// Chart name.
        chart: String,
        /// The plotting library's message.
        message: String,
    },
    /// A chart name is not a safe file stem.
    #[error("chart name '{name}' is not allowed: use 1-64 ASCII letters, digits, '-' or '_'")]
    ChartName {
        /// The rejected name.
        name: String,
    },
    /// A section references a chart that was not passed to `write_report`.
    #[error("the report references chart '{name}' but no chart of that name was given")]
    MissingChart {
        /// The missing chart name.
        name: String,
    },
    /// Two charts have the same name.
    #[error("two charts are named '{name}'; chart names must be unique")]
    DuplicateChart {
        /// The duplicated name.
        name: String,
    },
    /// The output rule refused an output, or writing it failed
    /// (`data::output`).
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// Serialization to JSON failed.
    #[error("could not serialize {what} to JSON: {source}")]
    Serialize {
        /// What was being serialized.
        what: String,
        /// The serde_json error.
        #[source]
        source: serde_json::Error,
    },
    /// A file-system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "writing".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Checks that a chart name is a safe file stem (1-64 of `[A-Za-z0-9_-]`).
pub(crate) fn check_chart_name(name: &str) -> Result<(), ReportError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ReportError::ChartName {
            name: name.to_string(),
        })
    }
}
