//! Reading tables from files into polars `DataFrame`s and [`EncodedTable`]s.
//!
//! Every column is read as text: generalized release values (`[30-40)`,
//! `123**`, `*`) are not numbers, and dictionary encoding works on strings.
//! Numeric interpretation happens later, where a metric needs an order.

use std::path::Path;

use polars::prelude::*;

use super::{CategoricalColumn, DataError, EncodedTable};

/// File formats the reader understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON, one object per line.
    Ndjson,
}

/// How to read a file. The defaults detect everything from the file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// CSV field delimiter; `None` detects it from the header line.
    pub delimiter: Option<u8>,
    /// File format; `None` detects it from the extension.
    pub format: Option<Format>,
}

/// One policy for missing values across the crate: a value equal to one of
/// `tokens` (or a null in Parquet/NDJSON) is missing, and all missing values
/// of a column share one code whose label is `label`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MissingPolicy {
    /// Strings that mean "missing" (compared after trimming white space).
    pub tokens: Vec<String>,
    /// The dictionary label given to the missing value.
    pub label: String,
}

impl Default for MissingPolicy {
    /// `?` (UCI convention), the empty string, `null`, `NULL` and `NaN`.
    fn default() -> Self {
        MissingPolicy {
            tokens: ["?", "", "null", "NULL", "NaN"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            label: "?".to_string(),
        }
    }
}

impl MissingPolicy {
    /// True when `value` is missing under this policy.
    pub fn is_missing(&self, value: &str) -> bool {
        let v = value.trim();
        self.tokens.iter().any(|t| t == v)
    }
}

/// Reads a whole CSV file with every column as text.
pub fn read_frame(path: &Path, opts: &ReadOptions) -> Result<DataFrame, DataError> {
    let source = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let delimiter = opts.delimiter.unwrap_or_else(|| detect_delimiter(&bytes));
    let cursor = std::io::Cursor::new(bytes);
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_parse_options(CsvParseOptions::default().with_separator(delimiter))
        .into_reader_with_file_handle(cursor)
        .finish()
        .map_err(|e| DataError::Parse {
            source_name: source,
            message: e.to_string(),
        })
}

/// Picks the most frequent of `,` `;` tab `|` in the first line.
fn detect_delimiter(bytes: &[u8]) -> u8 {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| first_line.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

/// Dictionary-encodes `columns` of `frame` under `missing`.
pub fn encode_frame(
    frame: &DataFrame,
    columns: &[&str],
    source: &str,
    missing: &MissingPolicy,
) -> Result<EncodedTable, DataError> {
    let mut encoded = Vec::with_capacity(columns.len());
    for &name in columns {
        let column = frame.column(name).map_err(|_| DataError::MissingColumn {
            source_name: source.to_string(),
            column: name.to_string(),
            available: frame
                .get_column_names()
                .iter()
                .map(|c| c.to_string())
                .collect(),
        })?;
        let column = column
            .cast(&DataType::String)
            .map_err(|e| DataError::Parse {
                source_name: source.to_string(),
                message: format!("column `{name}`: {e}"),
            })?;
        let strings = column.str().map_err(|e| DataError::Parse {
            source_name: source.to_string(),
            message: format!("column `{name}`: {e}"),
        })?;
        encoded.push(CategoricalColumn::encode(
            name,
            strings.iter(),
            |v| missing.is_missing(v),
            &missing.label,
        ));
    }
    Ok(EncodedTable::new(source, encoded))
}

/// Reads `path` and encodes `columns`.
pub fn load_table(
    path: &Path,
    columns: &[&str],
    opts: &ReadOptions,
    missing: &MissingPolicy,
) -> Result<EncodedTable, DataError> {
    let frame = read_frame(path, opts)?;
    encode_frame(&frame, columns, &path.display().to_string(), missing)
}
