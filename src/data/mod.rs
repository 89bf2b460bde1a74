//! Loading releases and originals, column roles, missing values, generalized values.
//!
//! This module turns files into the dictionary-encoded [`EncodedTable`] that the
//! `privacy`, `attacks` and `dp` modules work on. It is the crate's one table
//! value: the anonymizers return it too, and [`output::write_csv_atomic`]
//! writes it back as CSV. It does not judge privacy; the only files it
//! writes are the ones a caller hands to [`output`].
//!
//! * [`read`]: CSV (any delimiter), Parquet and NDJSON, each optionally gzipped,
//!   every column as text, with column projection ([`load_table`], [`read_frame`]).
//! * [`encoded`]: dictionary-encoded columns ([`CategoricalColumn`], [`EncodedTable`])
//!   and the release operations on them (truth key, row shuffle, CSV writing).
//! * [`roles`]: what each column is ([`ColumnRole`], [`ColumnRoles`]).
//! * [`generalized`]: release values such as `[30-40)`, `123**`, `{a,b}`, `*`
//!   ([`GeneralizedValue`]) and whether they cover an original value.
//! * [`hierarchy`]: ARX generalization hierarchies ([`Hierarchy`]);
//!   [`hierarchy_build`] builds them from the data (intervals, masks, dates,
//!   the release's own labels).
//! * [`sources`]: the exports teams have (Jira CSV and REST JSON, Confluence
//!   HTML and XML space exports, Atlassian audit logs) read into tables with
//!   column roles.
//! * [`corpus`]: the one text corpus ([`Corpus`]: ids, texts, optional author
//!   labels) that the text and stylometry attacks share, validated once.
//! * [`kinds`]: how a column's release values are compared with its originals
//!   ([`ValueKind`]: code, number, generalized; exact comparison first).
//! * [`inputs`]: the guard against an input given twice (same path or same bytes).
//! * [`cancel`]: cooperative cancellation of a long run ([`cancel::check`],
//!   the checkpoints of the long loops; set from an interrupted caller).
//! * [`limits`]: bounds on field, record and file size, column count and gzip
//!   expansion, so that hostile input fails fast with a clear error ([`Limits`]).
//!
//! ## Where errors point
//!
//! Every [`DataError`] names the file (or a label such as `column roles`).
//! **Lines** are 1-based physical lines of the (decompressed) file, and the
//! header of a CSV file is line 1, so the first data row is line 2; a quoted
//! field spanning several lines makes later records start further down, and
//! the line given is where the offending record starts. For NDJSON, line 1 is
//! the first object. **Rows** (used once a table is encoded and the file layout
//! is gone) are 1-based data rows: row 1 is the first record after the header.

pub mod bytedict;
pub mod calendar;
pub mod cancel;
pub mod corpus;
pub mod digest;
pub mod encoded;
pub mod generalized;
pub mod hierarchy;
pub mod hierarchy_build;
pub mod inputs;
pub mod kinds;
pub mod limits;
pub mod memory;
pub mod output;
pub mod pan;
mod parquet_footer;
pub mod read;
pub mod roles;
pub mod sources;
pub mod text;
pub mod tokens;
pub mod truth;

pub use corpus::Corpus;
pub use encoded::{CategoricalColumn, CategoricalColumnBuilder, EncodedTable};
pub use generalized::{Bound, GeneralizedValue};
pub use hierarchy::Hierarchy;
pub use inputs::ensure_distinct_inputs;
pub use kinds::{
    column_kind, compatible_codes, compatible_codes_read, detect_kind, ColumnComparator,
    ColumnKind, CompatibleCodes, PreparedValue, ValueKind,
};
pub use limits::{LimitKind, Limits};
pub use read::{
    check_file, detect_format, encode_frame, file_columns, group_keys, load_table, read_frame,
    read_frame_columns, stream_table, stream_table_reusing, text_chunked, text_column, CodeBuffers,
    Format, MissingPolicy, ReadOptions, StreamEvent,
};
pub use roles::{ColumnRole, ColumnRoles};
pub use tokens::{is_suppressed_token, DEFAULT_MISSING_TOKENS};
pub use truth::{read_key_map, TruthKey, TruthSpec, ROW_KEY};

/// Errors from reading and interpreting input data. Every variant names the
/// file (or source label) and, where it applies, the row or column.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The run was cancelled by its caller ([`cancel`]).
    #[error(transparent)]
    Cancelled(#[from] cancel::Cancelled),
    /// Two documents of one corpus share an id.
    #[error("{source_name}: document id `{id}` occurs in rows {first_row} and {second_row}; ids must be unique (pick another --id-column)")]
    DuplicateId {
        /// Which corpus.
        source_name: String,
        /// The repeated id.
        id: String,
        /// 1-based row of the first occurrence.
        first_row: usize,
        /// 1-based row of the repeat.
        second_row: usize,
    },
    /// A document id is missing.
    #[error(
        "{source_name}: row {row} has no document id in the id column; every document needs one"
    )]
    MissingId {
        /// Which corpus.
        source_name: String,
        /// 1-based row.
        row: usize,
    },
    /// A corpus does not fit together (lengths, author labels, an empty
    /// document where attribution needs text); the message says which
    /// document and what to do.
    #[error("{0}")]
    Corpus(String),
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
    #[error(
        "{source_name}: no column `{}`; the columns are: {}",
        show_name(column),
        list_names(available)
    )]
    MissingColumn {
        /// File or label.
        source_name: String,
        /// The column asked for.
        column: String,
        /// The columns the file has.
        available: Vec<String>,
    },
    /// The file is empty (no header line).
    #[error("{source_name}: the file is empty; expected a header line followed by data rows")]
    EmptyFile {
        /// File or label.
        source_name: String,
    },
    /// The file has a header (or a schema) but no data rows.
    #[error("{source_name}: the file has a header with {n_columns} column(s) but no data rows; check that the right file was given and that it was fully written")]
    NoDataRows {
        /// File or label.
        source_name: String,
        /// Number of columns in the header.
        n_columns: usize,
    },
    /// A CSV record has more or fewer fields than the header.
    #[error("{source_name}: line {line} has {found} field(s) but the header has {expected}; check the delimiter (`{}`) and quoting: a field containing the delimiter, a quote or a line break must be quoted with `\"`, and every row needs the same number of fields", delimiter.escape_default())]
    RaggedRow {
        /// File or label.
        source_name: String,
        /// 1-based line where the record starts (header = line 1).
        line: u64,
        /// Number of header columns.
        expected: usize,
        /// Number of fields in this record.
        found: usize,
        /// The delimiter used to split fields.
        delimiter: char,
    },
    /// Two columns share a name.
    #[error("{source_name}: column `{column}` appears twice in the header (columns {first} and {second}, counting from 1); rename one so every column has a unique name")]
    DuplicateColumn {
        /// File or label.
        source_name: String,
        /// The repeated name.
        column: String,
        /// 1-based position of the first occurrence.
        first: usize,
        /// 1-based position of the second occurrence.
        second: usize,
    },
    /// The file's format could not be determined from its name.
    #[error("{source_name}: cannot tell the format from the extension `{extension}`; use .csv, .tsv, .txt, .parquet, .ndjson, .jsonl or .json (optionally followed by .gz), or set ReadOptions.format")]
    UnsupportedFormat {
        /// File or label.
        source_name: String,
        /// The extension found (empty when there is none).
        extension: String,
    },
    /// A value of an ordered attribute is not a finite number.
    #[error("{source_name}: column `{column}`, data row {row} (line {} of a CSV file, counting the header as line 1): `{value}` is not a finite number; fix the value, declare it missing in the MissingPolicy, or treat the column as categorical", row + 1)]
    NotNumeric {
        /// File or label.
        source_name: String,
        /// Column name.
        column: String,
        /// 1-based data row of the first occurrence.
        row: usize,
        /// The offending value.
        value: String,
    },
    /// A release value looks like a generalized value but is malformed.
    #[error("{}`{value}` is not a valid generalized value: {message}", location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default())]
    BadGeneralizedValue {
        /// File, column and row, when known.
        location: Option<String>,
        /// The offending value.
        value: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A column named in the column roles is not in the data.
    #[error("column roles: {role} column `{column}` is not in the data; the columns are: {}; fix the name in the roles", list_names(available))]
    RoleColumnMissing {
        /// The role it was given.
        role: roles::ColumnRole,
        /// The name given.
        column: String,
        /// The columns the data has.
        available: Vec<String>,
    },
    /// Reading a file would cost more than the [`Limits`] allow: an overlong
    /// value, record or line, too many columns, a gzip bomb, a file too large
    /// to read whole.
    #[error("{source_name}: {location}: the file has {what}; it may be corrupt or not what it claims to be (e.g. a link to /dev/zero); if it is genuine, raise the limit with {flag}")]
    LimitExceeded {
        /// File or label.
        source_name: String,
        /// Where: `line 3`, `line 3, column 2 (`name`)`, `the header`.
        location: String,
        /// Which limit, with its value.
        what: String,
        /// The command-line flag that raises it.
        flag: &'static str,
    },
    /// A column was given two roles.
    #[error("column roles: column `{column}` is given two roles ({first} and {second}); give each column one role")]
    RoleConflict {
        /// The column.
        column: String,
        /// One role.
        first: roles::ColumnRole,
        /// The other role.
        second: roles::ColumnRole,
    },
    /// The same file (or two files with identical bytes) given for two inputs
    /// that must differ, e.g. a release and its originals.
    #[error("{first_label} `{first}` and {second_label} `{second}` {}; give each its own file (a release attacked with itself as its source proves nothing)", if *same_path { "are the same file" } else { "have identical contents" })]
    SameInput {
        /// What the first input is, e.g. "release".
        first_label: String,
        /// Its path.
        first: String,
        /// What the second input is, e.g. "original".
        second_label: String,
        /// Its path.
        second: String,
        /// True when both name one file; false when the bytes are equal.
        same_path: bool,
    },
    /// A value or parameter is not one the function accepts (an unknown
    /// identifier kind, a detector that cannot be built); the message says
    /// which and what is accepted.
    #[error("{0}")]
    Invalid(String),
    /// The output directory contains an input file (the output rule of
    /// [`output`]).
    #[error(
        "refusing to write the report into {out_dir}: it contains the input {input}; choose an output directory that holds no input data"
    )]
    OutputHoldsInput {
        /// The output directory.
        out_dir: std::path::PathBuf,
        /// The input file found inside it.
        input: std::path::PathBuf,
    },
    /// An output path is (after following links) one of the inputs.
    #[error(
        "refusing to write {output}: it is the input {input} (the same file once links are followed); write the output to another path"
    )]
    OutputIsInput {
        /// The output path as given.
        output: std::path::PathBuf,
        /// The input it resolves to.
        input: std::path::PathBuf,
    },
    /// An output file path names an existing directory.
    #[error("refusing to write {output}: it is a directory; give a file path")]
    OutputIsDirectory {
        /// The output path as given.
        output: std::path::PathBuf,
    },
    /// The output already exists and replacing it was not asked for.
    #[error(
        "refusing to replace {output}: it already exists (and is not empty, if a directory); pass --force to replace it, or choose another path"
    )]
    OutputExists {
        /// The output path as given.
        output: std::path::PathBuf,
    },
    /// A file-system operation on an output failed.
    #[error("{action} {path}: {source}")]
    OutputIo {
        /// What was being done, e.g. "writing".
        action: &'static str,
        /// The path involved.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Names shown in a list of columns before the rest are counted.
const LISTED_NAMES: usize = 40;

/// A column name for a message: control characters escaped, at most 200
/// characters.
fn show_name(name: &str) -> String {
    let escaped: String = if name.chars().any(char::is_control) {
        name.escape_debug().to_string()
    } else {
        name.to_string()
    };
    match escaped.char_indices().nth(200) {
        Some((cut, _)) => format!("{}… ({} bytes)", &escaped[..cut], name.len()),
        None => escaped,
    }
}

/// The first [`LISTED_NAMES`] names joined by `, `, then how many more there
/// are (a header of a million columns makes a short message).
fn list_names(names: &[String]) -> String {
    if names.is_empty() {
        return "(none)".to_string();
    }
    let mut text = names
        .iter()
        .take(LISTED_NAMES)
        .map(|n| show_name(n))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > LISTED_NAMES {
        text.push_str(&format!(" … and {} more", names.len() - LISTED_NAMES));
    }
    text
}
