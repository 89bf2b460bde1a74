//! Loading releases and originals, column roles, missing values, generalized values.
//!
//! This module turns files into the dictionary-encoded [`EncodedTable`] that the
//! `privacy`, `attacks` and `dp` modules work on. It reads; it does not judge
//! privacy and it never writes.

pub mod encoded;
pub mod hierarchy;
pub mod read;

pub use encoded::{is_suppressed_token, CategoricalColumn, EncodedTable};
pub use hierarchy::Hierarchy;
pub use read::{encode_frame, load_table, read_frame, Format, MissingPolicy, ReadOptions};

/// Errors from reading and interpreting input data. Every variant names the
/// file (or source label) and, where it applies, the row or column.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path that failed.
        path: String,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The input is not valid UTF-8.
    #[error("{source_name}: line {line} is not valid UTF-8; re-encode the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)")]
    InvalidUtf8 {
        /// File or label.
        source_name: String,
        /// 1-based line of the first invalid byte.
        line: usize,
    },
    /// A generalization hierarchy is malformed.
    #[error("hierarchy {source_name}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Hierarchy {
        /// File or label.
        source_name: String,
        /// 1-based line, when one line is at fault.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The file could not be parsed.
    #[error("{source_name}: {message}")]
    Parse {
        /// File or label.
        source_name: String,
        /// What went wrong, with row/column where known.
        message: String,
    },
    /// A requested column is not in the data.
    #[error("{source_name}: no column `{column}`; the columns are: {}", available.join(", "))]
    MissingColumn {
        /// File or label.
        source_name: String,
        /// The column asked for.
        column: String,
        /// The columns the file has.
        available: Vec<String>,
    },
}
