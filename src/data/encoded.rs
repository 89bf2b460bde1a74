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

use std::collections::HashMap;

/// Returns true when a release value means "suppressed": one or more `*` and
/// nothing else (after trimming white space). `*****` for a 5-digit ZIP code is
/// suppressed; `123**` is a masked value, not a suppressed one.
pub fn is_suppressed_token(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && v.bytes().all(|b| b == b'*')
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
    pub fn encode<'a, I, F>(name: &str, rows: I, is_missing: F, missing_label: &str) -> Self
    where
        I: IntoIterator<Item = Option<&'a str>>,
        F: Fn(&str) -> bool,
    {
        let mut index: HashMap<&'a str, u32> = HashMap::new();
        let mut values: Vec<String> = Vec::new();
        let mut codes = Vec::new();
        let mut missing: Option<u32> = None;
        for row in rows {
            let code = match row {
                Some(v) if !is_missing(v) => *index.entry(v).or_insert_with(|| {
                    values.push(v.to_string());
                    (values.len() - 1) as u32
                }),
                _ => *missing.get_or_insert_with(|| {
                    values.push(missing_label.to_string());
                    (values.len() - 1) as u32
                }),
            };
            codes.push(code);
        }
        let suppressed = values
            .iter()
            .enumerate()
            .map(|(c, v)| Some(c as u32) != missing && is_suppressed_token(v))
            .collect();
        CategoricalColumn {
            name: name.to_string(),
            codes,
            values,
            missing,
            suppressed,
        }
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
    fn suppression_tokens() {
        assert!(is_suppressed_token("*"));
        assert!(is_suppressed_token(" ***** "));
        assert!(!is_suppressed_token("123**"));
        assert!(!is_suppressed_token(""));
    }
}
