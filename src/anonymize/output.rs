//! The release model shared by all anonymizers and its atomic CSV writer.
//!
//! A [`Release`] is a list of dictionary-encoded text columns (like
//! [`crate::data::CategoricalColumn`] but without the missing/suppressed flags,
//! which belong to reading, not writing). Generalization writes one dictionary
//! per column and one code per row, so no string is allocated per row.
//!
//! [`write_csv_atomic`] refuses to write over an input file and writes through
//! a temporary file in the output directory that is renamed into place, so a
//! reader never sees a half-written release. This module does not decide what
//! goes into a release.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use super::AnonymizeError;
use crate::data::{CategoricalColumn, EncodedTable};

/// One output column: distinct values once, one code per row.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseColumn {
    /// Column header.
    pub name: String,
    /// Distinct values; `values[codes[row]]` is the row's value.
    pub values: Vec<String>,
    /// One code per row.
    pub codes: Vec<u32>,
}

impl ReleaseColumn {
    /// Copies an input column unchanged.
    pub fn from_categorical(column: &CategoricalColumn) -> Self {
        ReleaseColumn {
            name: column.name.clone(),
            values: column.values.clone(),
            codes: column.codes.clone(),
        }
    }

    /// Builds a column from one string per row, deduplicating equal strings.
    pub fn from_row_strings(name: &str, rows: Vec<String>) -> Self {
        let mut index: HashMap<String, u32> = HashMap::new();
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
        ReleaseColumn {
            name: name.to_string(),
            values,
            codes,
        }
    }

    /// The truth-key column: row `i` holds `i` (the 0-based original row id).
    pub fn row_ids(name: &str, n_rows: usize) -> Self {
        ReleaseColumn {
            name: name.to_string(),
            values: (0..n_rows).map(|i| i.to_string()).collect(),
            codes: (0..n_rows as u32).collect(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The value of row `row`.
    pub fn value(&self, row: usize) -> &str {
        &self.values[self.codes[row] as usize]
    }
}

/// An anonymized table ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    /// Number of rows.
    pub n_rows: usize,
    /// Columns in output order.
    pub columns: Vec<ReleaseColumn>,
}

impl Release {
    /// A release equal to `table` (every column copied unchanged).
    pub fn from_table(table: &EncodedTable) -> Self {
        Release {
            n_rows: table.n_rows,
            columns: table
                .columns
                .iter()
                .map(ReleaseColumn::from_categorical)
                .collect(),
        }
    }

    /// A release from columns that all have `n_rows` rows.
    pub fn from_columns(n_rows: usize, columns: Vec<ReleaseColumn>) -> Self {
        debug_assert!(columns.iter().all(|c| c.len() == n_rows));
        Release { n_rows, columns }
    }

    /// The column called `name`, if any.
    pub fn column(&self, name: &str) -> Option<&ReleaseColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Replaces the column with the same name as `column` (keeping its position).
    pub(crate) fn replace(&mut self, column: ReleaseColumn) {
        if let Some(slot) = self.columns.iter_mut().find(|c| c.name == column.name) {
            *slot = column;
        } else {
            self.columns.push(column);
        }
    }

    /// Appends the hidden truth key: a column `name` holding each row's
    /// original 0-based row id, so attacks on the release can be scored.
    /// Fails if a column of that name already exists.
    pub fn add_truth_key(&mut self, name: &str) -> Result<(), AnonymizeError> {
        if self.column(name).is_some() {
            return Err(AnonymizeError::Invalid(format!(
                "cannot add the truth key column `{name}`: the table already has a column of that name; choose another name"
            )));
        }
        self.columns.push(ReleaseColumn::row_ids(name, self.n_rows));
        Ok(())
    }

    /// Reorders the rows by a seeded uniform random permutation (Fisher-Yates
    /// with `ChaCha8Rng::seed_from_u64(seed)`), so that row position no longer
    /// links a release row to its original; the truth key, if added before,
    /// moves with its row.
    pub fn shuffle_rows(&mut self, seed: u64) {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let mut order: Vec<usize> = (0..self.n_rows).collect();
        order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        for column in &mut self.columns {
            column.codes = order.iter().map(|&r| column.codes[r]).collect();
        }
    }

    /// Removes the named columns (e.g. direct identifiers). Unknown names are an error.
    pub fn drop_columns(&mut self, names: &[String]) -> Result<(), AnonymizeError> {
        for name in names {
            let Some(pos) = self.columns.iter().position(|c| &c.name == name) else {
                return Err(AnonymizeError::Invalid(format!(
                    "cannot drop column `{name}`: the release has no such column; its columns are: {}",
                    self.columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            self.columns.remove(pos);
        }
        Ok(())
    }

    /// Writes the release as CSV (header row, then one line per row) with
    /// `delimiter`; fields are quoted only when needed.
    pub fn write_csv<W: Write>(&self, writer: W, delimiter: u8) -> Result<(), csv::Error> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(writer);
        w.write_record(self.columns.iter().map(|c| c.name.as_str()))?;
        for row in 0..self.n_rows {
            w.write_record(self.columns.iter().map(|c| c.value(row)))?;
        }
        w.flush()?;
        Ok(())
    }
}

/// Writes `release` to `output` as CSV under the output rule of
/// [`crate::data::output`]: refused when `output` is one of `inputs` (after
/// following links, or a hard link to one), written to a temporary file in the
/// output directory that is then renamed over `output`. Whether an existing
/// non-input file may be replaced is the caller's decision
/// ([`crate::data::output::check_output_file`] before the work).
pub fn write_csv_atomic(
    release: &Release,
    output: &Path,
    delimiter: u8,
    inputs: &[&Path],
) -> Result<(), AnonymizeError> {
    let err = |e: crate::data::DataError| AnonymizeError::Output {
        path: output.display().to_string(),
        message: e.to_string(),
    };
    crate::data::output::check_output_file(output, inputs, true).map_err(err)?;
    crate::data::output::write_file_atomic(output, |w| {
        release
            .write_csv(w, delimiter)
            .map_err(|e| std::io::Error::other(e.to_string()))
    })
    .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_quoted_csv_with_truth_key() {
        let mut release = Release::from_columns(
            2,
            vec![ReleaseColumn::from_row_strings(
                "x",
                vec!["a;b".to_string(), "c".to_string()],
            )],
        );
        release.add_truth_key("_row").unwrap();
        let mut bytes = Vec::new();
        release.write_csv(&mut bytes, b';').unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "x;_row\n\"a;b\";0\nc;1\n"
        );
        assert!(release.add_truth_key("x").is_err());
    }

    #[test]
    fn shuffling_moves_whole_rows_and_is_seeded() {
        let mut release = Release::from_columns(
            50,
            vec![ReleaseColumn::from_row_strings(
                "x",
                (0..50).map(|i| format!("v{i}")).collect(),
            )],
        );
        release.add_truth_key("_row").unwrap();
        let mut other = release.clone();
        release.shuffle_rows(5);
        other.shuffle_rows(5);
        assert_eq!(release, other);
        let x = release.column("x").unwrap();
        let id = release.column("_row").unwrap();
        // Each row still pairs value v{i} with truth key i.
        assert!((0..50).all(|r| x.value(r) == format!("v{}", id.value(r))));
        // 50 rows: the identity permutation has probability 1/50!.
        assert!((0..50).any(|r| id.value(r) != r.to_string()));
        let mut ids: Vec<usize> = (0..50).map(|r| id.value(r).parse().unwrap()).collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn refuses_to_overwrite_an_input_and_writes_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "x\n1\n").unwrap();
        let release = Release::from_columns(
            1,
            vec![ReleaseColumn::from_row_strings("x", vec!["2".to_string()])],
        );
        // Same file through a different spelling.
        let spelled = dir.path().join(".").join("in.csv");
        let err = write_csv_atomic(&release, &spelled, b',', &[&input]).unwrap_err();
        assert!(err.to_string().contains("it is the input"), "{err}");
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "x\n1\n");
        let out = dir.path().join("out.csv");
        write_csv_atomic(&release, &out, b',', &[&input]).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "x\n2\n");
        // Only the input and the output remain: the temporary file was renamed.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
