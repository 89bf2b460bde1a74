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
//!
//! [`EncodedTable`] is the one table value of the crate: the readers produce
//! it, the anonymizers in `crate::anonymize` return it, and the metrics and
//! attacks take it. The operations a release needs (replace a column, add the
//! hidden truth key, shuffle rows, drop columns, write CSV) are methods here;
//! a column an anonymizer builds ([`CategoricalColumn::from_dictionary`],
//! [`CategoricalColumn::from_row_strings`]) flags suppression tokens the way
//! the readers do and has no missing code, so a release measured in memory
//! and the same release written and read back give the same metrics. This
//! file does not read or write files (see `data::read` and `data::output`).

use std::io::Write;

use polars::prelude::PlHashMap;

use super::bytedict::ByteDict;
use super::generalized::GeneralizedValue;
pub use super::tokens::is_suppressed_token;
use super::DataError;

/// Incremental dictionary encoder: push one value per row, then
/// [`finish`](CategoricalColumnBuilder::finish). Used by the streaming readers,
/// which never hold more than one record in memory.
///
/// Each distinct value is allocated once (dictionary entry; the index keeps
/// its bytes in one shared buffer, see [`ByteDict`]); a row costs one hash
/// lookup and one `u32`. Missingness is decided once per distinct value.
#[derive(Debug, Clone)]
pub struct CategoricalColumnBuilder {
    name: String,
    missing_label: String,
    /// Distinct raw value -> code (missing tokens map to the missing code).
    index: ByteDict,
    values: Vec<String>,
    codes: Vec<u32>,
    missing: Option<u32>,
    /// The previous value's key number in `index` and its code (a repeated
    /// value is found by one comparison instead of a hash).
    last: Option<(usize, u32)>,
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
            index: ByteDict::new(),
            values: Vec::new(),
            codes: Vec::with_capacity(rows),
            missing: None,
            last: None,
        }
    }

    /// [`with_capacity`](Self::with_capacity), writing the codes into
    /// `codes` (emptied first): a buffer of an earlier chunk, reused.
    pub fn with_buffer(name: &str, missing_label: &str, mut codes: Vec<u32>, rows: usize) -> Self {
        codes.clear();
        codes.reserve(rows);
        CategoricalColumnBuilder {
            codes,
            ..Self::with_capacity(name, missing_label, 0)
        }
    }

    /// Number of rows pushed so far.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when no row was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Appends one row; `None` or a value for which `is_missing` is true is missing.
    pub fn push<F: Fn(&str) -> bool>(&mut self, value: Option<&str>, is_missing: F) {
        let code = match value {
            Some(v) => {
                if let Some((key, code)) = self.last {
                    if self.index.key(key) == v.as_bytes() {
                        self.codes.push(code);
                        return;
                    }
                }
                let values = &mut self.values;
                let missing = &mut self.missing;
                let label = &self.missing_label;
                let (key, code) = self.index.entry_with(v.as_bytes(), || {
                    if is_missing(v) {
                        missing_code_of(missing, values, label)
                    } else {
                        values.push(v.to_string());
                        (values.len() - 1) as u32
                    }
                });
                self.last = Some((key, code));
                code
            }
            None => self.missing_code(),
        };
        self.codes.push(code);
    }

    /// Appends the rows of a chunk encoded on its own: `local` is the
    /// chunk's dictionary in its order of first appearance (`None` for its
    /// missing value, `Some(text)` for a value that is not missing) and
    /// `codes` indexes it, one per row. The codes given are exactly those
    /// that pushing the chunk's rows one by one would give, since the
    /// chunk's values new to this column are met in the order of `local`.
    pub(crate) fn append_encoded<'a>(
        &mut self,
        local: impl IntoIterator<Item = Option<&'a str>>,
        codes: &[u32],
    ) {
        let map: Vec<u32> = local
            .into_iter()
            .map(|value| match value {
                None => self.missing_code(),
                Some(v) => {
                    let values = &mut self.values;
                    self.index
                        .get_or_insert_with(v.as_bytes(), || {
                            values.push(v.to_string());
                            (values.len() - 1) as u32
                        })
                        .0
                }
            })
            .collect();
        self.codes.reserve(codes.len());
        self.codes.extend(codes.iter().map(|&c| map[c as usize]));
    }

    /// Appends `n` missing rows (used when a key first appears late in NDJSON).
    pub fn push_missing(&mut self, n: usize) {
        if n > 0 {
            let code = self.missing_code();
            self.codes.extend(std::iter::repeat_n(code, n));
        }
    }

    fn missing_code(&mut self) -> u32 {
        missing_code_of(&mut self.missing, &mut self.values, &self.missing_label)
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

/// The missing code of a column being built, adding the missing label to
/// `values` the first time.
fn missing_code_of(missing: &mut Option<u32>, values: &mut Vec<String>, label: &str) -> u32 {
    *missing.get_or_insert_with(|| {
        values.push(label.to_string());
        (values.len() - 1) as u32
    })
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

    /// A column from its dictionary and one code per row, as an anonymizer
    /// builds it: no value is missing, and `suppressed` flags the suppression
    /// tokens (`*`, `***`) exactly as [`CategoricalColumnBuilder::finish`]
    /// does for a column read from a file. The dictionary is then put in the
    /// readers' order ([`renumber`](Self::renumber)): entries no row holds
    /// are dropped and codes follow first appearance, so the column equals
    /// the one read back from its CSV file. Every code must index `values`
    /// (a debug assertion checks it); `values` should hold distinct strings
    /// ([`from_row_strings`](Self::from_row_strings) deduplicates).
    pub fn from_dictionary(name: &str, values: Vec<String>, codes: Vec<u32>) -> Self {
        debug_assert!(codes.iter().all(|&c| (c as usize) < values.len()));
        let suppressed = values.iter().map(|v| is_suppressed_token(v)).collect();
        let mut column = CategoricalColumn {
            name: name.to_string(),
            codes,
            values,
            missing: None,
            suppressed,
        };
        column.renumber();
        column
    }

    /// Renumbers the dictionary in order of first appearance in `codes` and
    /// drops entries no row holds (the missing code too, when no row is
    /// missing): the order the readers produce. Values per row do not change.
    pub fn renumber(&mut self) {
        const UNSEEN: u32 = u32::MAX;
        let mut new_code = vec![UNSEEN; self.values.len()];
        let mut order: Vec<u32> = Vec::new();
        for code in &mut self.codes {
            let slot = &mut new_code[*code as usize];
            if *slot == UNSEEN {
                *slot = order.len() as u32;
                order.push(*code);
            }
            *code = *slot;
        }
        let in_order = order.iter().enumerate().all(|(i, &c)| i as u32 == c);
        if in_order && order.len() == self.values.len() {
            return;
        }
        let mut values = std::mem::take(&mut self.values);
        self.values = order
            .iter()
            .map(|&c| std::mem::take(&mut values[c as usize]))
            .collect();
        self.suppressed = order.iter().map(|&c| self.suppressed[c as usize]).collect();
        self.missing = self
            .missing
            .map(|m| new_code[m as usize])
            .filter(|&m| m != UNSEEN);
    }

    /// A column from one string per row, equal strings sharing one code
    /// (codes in order of first appearance); no value is missing, suppression
    /// tokens are flagged as in [`from_dictionary`](Self::from_dictionary).
    pub fn from_row_strings(name: &str, rows: Vec<String>) -> Self {
        let mut index: PlHashMap<String, u32> = PlHashMap::default();
        let mut values = Vec::new();
        let mut codes = Vec::with_capacity(rows.len());
        for v in rows {
            let next = values.len() as u32;
            let code = *index.entry(v).or_insert_with_key(|v| {
                values.push(v.clone());
                next
            });
            codes.push(code);
        }
        Self::from_dictionary(name, values, codes)
    }

    /// The truth-key column of a release: row `i` holds `i` (the 0-based
    /// original row id).
    pub fn row_ids(name: &str, n_rows: usize) -> Self {
        Self::from_dictionary(
            name,
            (0..n_rows).map(|i| i.to_string()).collect(),
            (0..n_rows as u32).collect(),
        )
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

    /// A one-column table of plain values (no value missing), labelled by
    /// the column's name.
    pub fn single_column<S: AsRef<str>>(name: &str, values: &[S]) -> Self {
        EncodedTable::new(name, vec![CategoricalColumn::from_strs(name, values)])
    }

    /// A table from a header and rows of cells (no value missing); every row
    /// must have one cell per column, or the error names the first row that
    /// does not.
    pub fn from_rows(
        source: &str,
        header: &[String],
        rows: &[Vec<String>],
    ) -> Result<Self, DataError> {
        if let Some(i) = rows.iter().position(|r| r.len() != header.len()) {
            return Err(DataError::Invalid(format!(
                "{source}: row {} has {} cells but the header has {} columns",
                i + 1,
                rows[i].len(),
                header.len()
            )));
        }
        let columns = header
            .iter()
            .enumerate()
            .map(|(c, name)| {
                CategoricalColumn::encode(
                    name,
                    rows.iter().map(|r| Some(r[c].as_str())),
                    |_| false,
                    "",
                )
            })
            .collect::<Vec<_>>();
        let mut table = EncodedTable::new(source, columns);
        table.n_rows = rows.len();
        Ok(table)
    }

    /// The cells of row `row`, one per column, in column order.
    pub fn row(&self, row: usize) -> Vec<&str> {
        self.columns.iter().map(|c| c.value(row)).collect()
    }

    /// The column called `name`, if present.
    pub fn column(&self, name: &str) -> Option<&CategoricalColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Column names in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Replaces the column with the same name as `column`, keeping its
    /// position, or appends it when there is none. `column` must have
    /// [`n_rows`](Self::n_rows) rows (a debug assertion checks it).
    pub fn replace_column(&mut self, column: CategoricalColumn) {
        debug_assert_eq!(column.len(), self.n_rows);
        if let Some(slot) = self.columns.iter_mut().find(|c| c.name == column.name) {
            *slot = column;
        } else {
            self.columns.push(column);
        }
    }

    /// Appends the hidden truth key: a column `name` holding each row's
    /// original 0-based row id ([`CategoricalColumn::row_ids`]), so attacks
    /// on a release can be scored. Fails if a column of that name exists.
    pub fn add_truth_key(&mut self, name: &str) -> Result<(), DataError> {
        if self.column(name).is_some() {
            return Err(DataError::Invalid(format!(
                "cannot add the truth key column `{name}`: the table already has a column of that name; choose another name"
            )));
        }
        self.columns
            .push(CategoricalColumn::row_ids(name, self.n_rows));
        Ok(())
    }

    /// Reorders the rows by a seeded uniform random permutation (Fisher-Yates
    /// with `ChaCha8Rng::seed_from_u64(seed)`), so that row position no longer
    /// links a release row to its original; the truth key, if added before,
    /// moves with its row. Dictionaries are renumbered in the new order of
    /// first appearance, as a reader of the shuffled file would number them.
    pub fn shuffle_rows(&mut self, seed: u64) {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let mut order: Vec<usize> = (0..self.n_rows).collect();
        order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        for column in &mut self.columns {
            column.codes = order.iter().map(|&r| column.codes[r]).collect();
            column.renumber();
        }
    }

    /// Removes the named columns (e.g. direct identifiers before a release).
    /// An unknown name is an error listing the columns.
    pub fn drop_columns(&mut self, names: &[String]) -> Result<(), DataError> {
        for name in names {
            let Some(pos) = self.columns.iter().position(|c| &c.name == name) else {
                return Err(DataError::Invalid(format!(
                    "cannot drop column `{name}`: the release has no such column; its columns are: {}",
                    self.column_names().join(", ")
                )));
            };
            self.columns.remove(pos);
        }
        Ok(())
    }

    /// Writes the table as CSV (header row, then one line per row, each
    /// cell its dictionary value) with `delimiter`; fields are quoted only
    /// when needed. A missing value is written as its dictionary label.
    pub fn write_csv<W: Write>(&self, writer: W, delimiter: u8) -> std::io::Result<()> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(writer);
        w.write_record(self.columns.iter().map(|c| c.name.as_str()))?;
        for row in 0..self.n_rows {
            w.write_record(self.columns.iter().map(|c| c.value(row)))?;
        }
        w.flush()
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
    fn built_columns_flag_suppression_like_the_readers() {
        let rows = ["a", "*", "a", "***", "b"];
        let built =
            CategoricalColumn::from_row_strings("x", rows.iter().map(|s| s.to_string()).collect());
        let read = CategoricalColumn::encode("x", rows.iter().map(|s| Some(*s)), |_| false, "?");
        assert_eq!(built, read);
        assert_eq!(built.suppressed, vec![false, true, true, false]);
        assert_eq!(built.missing, None);
    }

    #[test]
    fn renumbering_follows_first_appearance_and_drops_unused_entries() {
        // Dictionary order b, a, *, c; rows hold c, *, c, a; `b` is unused.
        let built = CategoricalColumn::from_dictionary(
            "x",
            vec!["b".into(), "a".into(), "*".into(), "c".into()],
            vec![3, 2, 3, 1],
        );
        assert_eq!(built.values, vec!["c", "*", "a"]);
        assert_eq!(built.codes, vec![0, 1, 0, 2]);
        assert_eq!(built.suppressed, vec![false, true, false]);
        let read = CategoricalColumn::encode("x", ["c", "*", "c", "a"].map(Some), |_| false, "?");
        assert_eq!(built, read);
        // A missing code no row holds any more is dropped.
        let mut col = CategoricalColumn::encode("y", [Some("?"), Some("z")], |v| v == "?", "?");
        col.codes = vec![1, 1];
        col.renumber();
        assert_eq!((col.values, col.missing), (vec!["z".to_string()], None));
    }

    #[test]
    fn writes_quoted_csv_with_truth_key() {
        let mut table = EncodedTable::new(
            "t",
            vec![CategoricalColumn::from_row_strings(
                "x",
                vec!["a;b".to_string(), "c".to_string()],
            )],
        );
        table.add_truth_key("_row").unwrap();
        let mut bytes = Vec::new();
        table.write_csv(&mut bytes, b';').unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "x;_row\n\"a;b\";0\nc;1\n"
        );
        assert!(table.add_truth_key("x").is_err());
        let err = table.drop_columns(&["y".to_string()]).unwrap_err();
        assert!(
            err.to_string().contains("its columns are: x, _row"),
            "{err}"
        );
        table.drop_columns(&["x".to_string()]).unwrap();
        assert_eq!(table.column_names(), vec!["_row"]);
    }

    #[test]
    fn shuffling_moves_whole_rows_and_is_seeded() {
        let mut table = EncodedTable::new(
            "t",
            vec![CategoricalColumn::from_row_strings(
                "x",
                (0..50).map(|i| format!("v{i}")).collect(),
            )],
        );
        table.add_truth_key("_row").unwrap();
        let mut other = table.clone();
        table.shuffle_rows(5);
        other.shuffle_rows(5);
        assert_eq!(table, other);
        let x = table.column("x").unwrap();
        let id = table.column("_row").unwrap();
        // Each row still pairs value v{i} with truth key i.
        assert!((0..50).all(|r| x.value(r) == format!("v{}", id.value(r))));
        // 50 rows: the identity permutation has probability 1/50!.
        assert!((0..50).any(|r| id.value(r) != r.to_string()));
        let mut ids: Vec<usize> = (0..50).map(|r| id.value(r).parse().unwrap()).collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..50).collect::<Vec<_>>());
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
