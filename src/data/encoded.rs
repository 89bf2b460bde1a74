//! Dictionary-encoded columns: the in-memory form every metric and attack works on.
//!
//! A [`CategoricalColumn`] stores one `u32` code per row and the distinct values
//! once, so that a group-by over quasi-identifiers is a group-by over small
//! integers (no per-row string hashing or allocation in the hot loops). Codes
//! are assigned in order of first appearance, which makes encoding deterministic
//! for a given input.
//!
//! Two kinds of value get a flag because the privacy module treats them
//! specially: *missing* values (mapped by the [`MissingPolicy`](super::MissingPolicy)
//! to one code per column) and *suppressed* values (a value made only of `*`,
//! e.g. `*` or `*****`, see [`is_suppressed_token`]).

use polars::prelude::PlHashMap;

use super::generalized::GeneralizedValue;
pub use super::tokens::is_suppressed_token;
use super::DataError;

/// Incremental dictionary encoder: push one value per row, then
/// [`finish`](CategoricalColumnBuilder::finish). Used by the streaming readers,
/// which never hold more than one record in memory.
///
/// Each distinct value is allocated once (dictionary entry); a row costs one
/// hash lookup and one `u32`. Missingness is decided once per distinct value.
#[derive(Debug, Clone)]
pub struct CategoricalColumnBuilder {
    name: String,
    missing_label: String,
    /// Distinct raw value -> code (missing tokens map to the missing code).
    index: PlHashMap<Box<str>, u32>,
    values: Vec<String>,
    codes: Vec<u32>,
    missing: Option<u32>,
}

impl CategoricalColumnBuilder {
    /// A builder for column `name` whose missing value is labelled `missing_label`.
    pub fn new(name: &str, missing_label: &str) -> Self {
        Self::with_capacity(name, missing_label, 0)
    }

    /// Like [`new`](Self::new), reserving room for `rows` rows.
    pub fn with_capacity(name: &str, missing_label: &str, rows: usize) -> Self {
        CategoricalColumnBuilder {
            name: name.to_string(),
            missing_label: missing_label.to_string(),
            index: PlHashMap::default(),
            values: Vec::new(),
            codes: Vec::with_capacity(rows),
            missing: None,
        }
    }

    /// Number of rows pushed so far.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when no row was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Appends one row; `None` or a value for which `is_missing` is true is missing.
    pub fn push<F: Fn(&str) -> bool>(&mut self, value: Option<&str>, is_missing: F) {
        let code = match value {
            Some(v) => match self.index.get(v) {
                Some(&code) => code,
                None => {
                    let code = if is_missing(v) {
                        self.missing_code()
                    } else {
                        self.values.push(v.to_string());
                        (self.values.len() - 1) as u32
                    };
                    self.index.insert(Box::from(v), code);
                    code
                }
            },
            None => self.missing_code(),
        };
        self.codes.push(code);
    }

    /// Appends `n` missing rows (used when a key first appears late in NDJSON).
    pub fn push_missing(&mut self, n: usize) {
        if n > 0 {
            let code = self.missing_code();
            self.codes.extend(std::iter::repeat_n(code, n));
        }
    }

    fn missing_code(&mut self) -> u32 {
        *self.missing.get_or_insert_with(|| {
            self.values.push(self.missing_label.clone());
            (self.values.len() - 1) as u32
        })
    }

    /// The encoded column.
    pub fn finish(self) -> CategoricalColumn {
        let missing = self.missing;
        let suppressed = self
            .values
            .iter()
            .enumerate()
            .map(|(c, v)| Some(c as u32) != missing && is_suppressed_token(v))
            .collect();
        CategoricalColumn {
            name: self.name,
            codes: self.codes,
            values: self.values,
            missing,
            suppressed,
        }
    }
}

/// One column of a table, dictionary-encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoricalColumn {
    /// Column name as in the input header.
    pub name: String,
    /// One code per row; `values[codes[i]]` is row `i`'s value.
    pub codes: Vec<u32>,
    /// Distinct values in order of first appearance.
    pub values: Vec<String>,
    /// Code of the missing value, if any row was missing (see `MissingPolicy`).
    pub missing: Option<u32>,
    /// `suppressed[c]` is true when `values[c]` is a suppression token (`*`, `***`).
    pub suppressed: Vec<bool>,
}

impl CategoricalColumn {
    /// Encodes an iterator of optional strings; `None` and any string for which
    /// `is_missing` returns true become the column's single missing code, whose
    /// dictionary value is `missing_label`.
    ///
    /// `is_missing` is called once per distinct value, not once per row, so it
    /// must be a pure function of the value.
    pub fn encode<'a, I, F>(name: &str, rows: I, is_missing: F, missing_label: &str) -> Self
    where
        I: IntoIterator<Item = Option<&'a str>>,
        F: Fn(&str) -> bool,
    {
        let rows = rows.into_iter();
        let mut builder =
            CategoricalColumnBuilder::with_capacity(name, missing_label, rows.size_hint().0);
        for row in rows {
            builder.push(row, &is_missing);
        }
        builder.finish()
    }

    /// Convenience for tests and small inputs: encodes plain strings with no
    /// missing values.
    pub fn from_strs<S: AsRef<str>>(name: &str, rows: &[S]) -> Self {
        Self::encode(name, rows.iter().map(|s| Some(s.as_ref())), |_| false, "")
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Number of distinct values (including the missing value, if present).
    pub fn n_values(&self) -> usize {
        self.values.len()
    }

    /// The value of row `row`.
    pub fn value(&self, row: usize) -> &str {
        &self.values[self.codes[row] as usize]
    }

    /// True when code `code` is the missing value.
    pub fn is_missing_code(&self, code: u32) -> bool {
        self.missing == Some(code)
    }

    /// The first row holding code `code`, used to name a row in error messages.
    pub fn first_row_with(&self, code: u32) -> Option<usize> {
        self.codes.iter().position(|&c| c == code)
    }

    /// The numeric value of every dictionary entry, for ordered attributes
    /// (ordered EMD, numeric comparators, noise fits).
    ///
    /// Entry `c` is `None` when code `c` is the missing value or a suppression
    /// token (`*`), and `Some(x)` otherwise. A value that is not a finite
    /// number (after trimming white space; `NaN` and `inf` are rejected) is an
    /// error naming `source`, the column, the first row holding it and the value.
    pub fn numeric_values(&self, source: &str) -> Result<Vec<Option<f64>>, DataError> {
        self.values
            .iter()
            .enumerate()
            .map(|(c, v)| {
                let code = c as u32;
                if self.is_missing_code(code) || self.suppressed[c] {
                    return Ok(None);
                }
                match v.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Some(x)),
                    _ => Err(DataError::NotNumeric {
                        source_name: source.to_string(),
                        column: self.name.clone(),
                        row: self.first_row_with(code).map_or(0, |r| r + 1),
                        value: v.clone(),
                    }),
                }
            })
            .collect()
    }

    /// Every dictionary entry parsed as a [`GeneralizedValue`] (interval,
    /// masked value, set, suppressed, missing or exact value). The missing
    /// code always parses as [`GeneralizedValue::Missing`]. Errors name
    /// `source`, the column, the first row holding the value and the value.
    pub fn generalized_values(&self, source: &str) -> Result<Vec<GeneralizedValue>, DataError> {
        self.values
            .iter()
            .enumerate()
            .map(|(c, v)| {
                let code = c as u32;
                if self.is_missing_code(code) {
                    return Ok(GeneralizedValue::Missing);
                }
                GeneralizedValue::parse(v).map_err(|e| match e {
                    DataError::BadGeneralizedValue { value, message, .. } => {
                        DataError::BadGeneralizedValue {
                            location: Some(format!(
                                "{source}, column `{}`, data row {}",
                                self.name,
                                self.first_row_with(code).map_or(0, |r| r + 1)
                            )),
                            value,
                            message,
                        }
                    }
                    other => other,
                })
            })
            .collect()
    }
}

/// A set of encoded columns read from one source, all of the same length.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedTable {
    /// Where the table came from (a path or a label), used in error messages.
    pub source: String,
    /// Number of rows.
    pub n_rows: usize,
    /// The encoded columns, in the order they were requested.
    pub columns: Vec<CategoricalColumn>,
}

impl EncodedTable {
    /// Builds a table; all columns must have `n_rows` rows.
    pub fn new(source: &str, columns: Vec<CategoricalColumn>) -> Self {
        let n_rows = columns.first().map_or(0, |c| c.len());
        debug_assert!(columns.iter().all(|c| c.len() == n_rows));
        EncodedTable {
            source: source.to_string(),
            n_rows,
            columns,
        }
    }

    /// The column called `name`, if present.
    pub fn column(&self, name: &str) -> Option<&CategoricalColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Column names in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_in_first_appearance_order_with_missing_and_suppressed() {
        let rows = [
            Some("b"),
            Some("?"),
            Some("a"),
            None,
            Some("b"),
            Some("***"),
        ];
        let col = CategoricalColumn::encode("x", rows, |v| v == "?", "?");
        assert_eq!(col.values, vec!["b", "?", "a", "***"]);
        assert_eq!(col.codes, vec![0, 1, 2, 1, 0, 3]);
        assert_eq!(col.missing, Some(1));
        assert_eq!(col.suppressed, vec![false, false, false, true]);
        assert_eq!(col.first_row_with(2), Some(2));
    }

    #[test]
    fn builder_matches_encode_and_checks_missing_once_per_value() {
        let rows = ["x", "", "y", "x", "?", ""];
        let calls = std::cell::Cell::new(0);
        let is_missing = |v: &str| {
            calls.set(calls.get() + 1);
            v.is_empty() || v == "?"
        };
        let col = CategoricalColumn::encode("c", rows.iter().map(|s| Some(*s)), is_missing, "NA");
        // Distinct raw values: "x", "", "y", "?" -> 4 missingness checks.
        assert_eq!(calls.get(), 4);
        assert_eq!(col.values, vec!["x", "NA", "y"]);
        assert_eq!(col.codes, vec![0, 1, 2, 0, 1, 1]);
        let mut b = CategoricalColumnBuilder::new("c", "NA");
        b.push_missing(2);
        b.push(Some("x"), |_| false);
        let built = b.finish();
        assert_eq!(built.values, vec!["NA", "x"]);
        assert_eq!(built.codes, vec![0, 0, 1]);
        assert_eq!(built.missing, Some(0));
    }

    #[test]
    fn numeric_values_per_dictionary_entry() {
        let rows = [Some("39"), None, Some(" 50.5 "), Some("*"), Some("39")];
        let col = CategoricalColumn::encode("age", rows, |v| v == "?", "?");
        // values: "39", "?", " 50.5 ", "*"
        assert_eq!(
            col.numeric_values("t.csv").unwrap(),
            vec![Some(39.0), None, Some(50.5), None]
        );
        for bad in ["forty", "NaN", "inf", "-infinity"] {
            let rows = [Some("1"), Some("2"), Some(bad)];
            let col = CategoricalColumn::encode("age", rows, |_| false, "?");
            let msg = col.numeric_values("t.csv").unwrap_err().to_string();
            assert!(
                msg.contains("t.csv")
                    && msg.contains("column `age`")
                    && msg.contains("data row 3")
                    && msg.contains("line 4")
                    && msg.contains(&format!("`{bad}`")),
                "{msg}"
            );
        }
    }

    #[test]
    fn generalized_values_per_dictionary_entry() {
        let rows = [Some("[30-40)"), Some(""), Some("476**"), Some("[50-40)")];
        let col = CategoricalColumn::encode("age", rows, |v| v.is_empty(), "?");
        let err = col.generalized_values("r.csv").unwrap_err().to_string();
        assert!(
            err.contains("r.csv, column `age`, data row 4") && err.contains("[50-40)"),
            "{err}"
        );
        let col =
            CategoricalColumn::encode("age", rows[..3].iter().copied(), |v| v.is_empty(), "?");
        let parsed = col.generalized_values("r.csv").unwrap();
        assert!(parsed[0].contains("35"));
        assert_eq!(parsed[1], GeneralizedValue::Missing);
        assert!(parsed[2].contains("47677"));
    }
}
