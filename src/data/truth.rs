//! The truth key: which original record(s) each release record came from,
//! known in experiments and audits (the anonymizer wrote it, or a mapping
//! file says it) and used only to score attacks, never by them.
//!
//! One type, [`TruthKey`], built one way for every front door: from a
//! [`TruthSpec`] naming a key column of the originals and one of the release
//! (the same key in both, such as a record id), optionally through a key map
//! (original key -> release key, such as login -> pseudonym), or with the
//! pseudo-column [`ROW_KEY`] (`#row`: the original's 0-based data row, what
//! `reident anonymize --truth-key` writes). The QI-join and Fellegi-Sunter
//! linkage attacks, the audit and `reident link` all take a [`TruthKey`], so
//! a key resolves the same way everywhere. Keys compare after trimming; a
//! missing key names no original.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::PlHashMap;

use super::{DataError, EncodedTable};

/// The pseudo-column of the originals holding each row's 0-based index (the
/// truth key `reident anonymize --truth-key` writes into a release).
pub const ROW_KEY: &str = "#row";

/// Where the truth key is: a column of the originals, a column of the
/// release, and optionally a map between their values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthSpec {
    /// Column of the originals ([`ROW_KEY`] for the row index).
    pub original: String,
    /// Column of the release.
    pub release: String,
    /// Original key -> release key; without it the two columns hold the same
    /// key.
    pub map: Option<HashMap<String, String>>,
}

impl TruthSpec {
    /// The same key in both files: `col`, or `original_col=release_col`.
    pub fn parse(spec: &str) -> Self {
        let (o, r) = spec.split_once('=').unwrap_or((spec, spec));
        TruthSpec {
            original: o.trim().to_string(),
            release: r.trim().to_string(),
            map: None,
        }
    }

    /// Resolves the key over loaded tables: for each release row, the
    /// original rows whose key (mapped, with a map) equals its own.
    pub fn resolve(
        &self,
        original: &EncodedTable,
        release: &EncodedTable,
    ) -> Result<TruthKey, DataError> {
        let rc = column(release, &self.release)?;
        // Each original row's key, as the release writes it.
        let original_keys: Vec<Option<String>> = if self.original == ROW_KEY {
            (0..original.n_rows).map(|r| Some(r.to_string())).collect()
        } else {
            let oc = column(original, &self.original)?;
            (0..oc.len())
                .map(|row| (!oc.is_missing_code(oc.codes[row])).then(|| oc.value(row).trim()))
                .map(|key| match (&self.map, key) {
                    (_, None) => None,
                    (None, Some(k)) => Some(k.to_string()),
                    (Some(map), Some(k)) => map.get(k).map(|v| v.trim().to_string()),
                })
                .collect()
        };
        // Original rows per distinct key; each release code is looked up once.
        let mut rows_of_key: PlHashMap<&str, Vec<u32>> = PlHashMap::default();
        for (row, key) in original_keys.iter().enumerate() {
            if let Some(k) = key {
                rows_of_key.entry(k.as_str()).or_default().push(row as u32);
            }
        }
        let rows_of_code: Vec<&[u32]> = (0..rc.values.len())
            .map(|c| {
                if rc.is_missing_code(c as u32) {
                    &[][..]
                } else {
                    rows_of_key
                        .get(rc.values[c].trim())
                        .map_or(&[][..], Vec::as_slice)
                }
            })
            .collect();
        let pairs = rc.codes.iter().enumerate().flat_map(|(r, &code)| {
            rows_of_code[code as usize]
                .iter()
                .map(move |&o| (o, r as u32))
        });
        Ok(TruthKey::new(rc.len(), pairs))
    }
}

fn column<'t>(t: &'t EncodedTable, name: &str) -> Result<&'t super::CategoricalColumn, DataError> {
    t.column(name).ok_or_else(|| DataError::MissingColumn {
        source_name: t.source.clone(),
        column: name.to_string(),
        available: t.column_names().iter().map(|s| s.to_string()).collect(),
    })
}

/// A key map file: two columns (original key, release key), read with
/// [`super::read_frame`]; rows with either value missing are skipped.
pub fn read_key_map(
    path: &Path,
    original_column: &str,
    release_column: &str,
) -> Result<HashMap<String, String>, DataError> {
    let source = path.display().to_string();
    let frame = super::read_frame(path, &super::ReadOptions::default())?;
    let o = super::text_column(&frame, original_column, &source)?;
    let r = super::text_column(&frame, release_column, &source)?;
    Ok(o.into_iter()
        .zip(r)
        .filter_map(|(o, r)| Some((o?.trim().to_string(), r?.trim().to_string())))
        .collect())
}

/// The true (original row, release row) pairs, indexed by release row: a
/// membership test is two array reads and a scan of that release row's
/// (usually one) original rows, with no hashing.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthKey {
    /// `originals[offsets[r]..offsets[r + 1]]` are release row `r`'s originals.
    offsets: Vec<usize>,
    /// Original rows, ascending within each release row.
    originals: Vec<u32>,
}

impl TruthKey {
    /// Builds the key from (original row, release row) pairs over
    /// `n_release` release rows; pairs naming a release row beyond that are
    /// ignored, duplicates are kept once.
    pub fn new(n_release: usize, pairs: impl IntoIterator<Item = (u32, u32)>) -> Self {
        let mut by_release: Vec<(u32, u32)> = pairs
            .into_iter()
            .filter(|&(_, r)| (r as usize) < n_release)
            .map(|(l, r)| (r, l))
            .collect();
        by_release.sort_unstable();
        by_release.dedup();
        let mut offsets = vec![0usize; n_release + 1];
        for &(r, _) in &by_release {
            offsets[r as usize + 1] += 1;
        }
        for r in 0..n_release {
            offsets[r + 1] += offsets[r];
        }
        TruthKey {
            offsets,
            originals: by_release.into_iter().map(|(_, l)| l).collect(),
        }
    }

    /// Number of true pairs.
    pub fn len(&self) -> usize {
        self.originals.len()
    }

    /// True when there is no true pair.
    pub fn is_empty(&self) -> bool {
        self.originals.is_empty()
    }

    /// The original rows of release row `r` (empty when it has none).
    pub fn originals_of(&self, r: u32) -> &[u32] {
        let r = r as usize;
        if r + 1 >= self.offsets.len() {
            return &[];
        }
        &self.originals[self.offsets[r]..self.offsets[r + 1]]
    }

    /// True when (original `l`, release `r`) is a true pair.
    pub fn contains(&self, (l, r): (u32, u32)) -> bool {
        self.originals_of(r).contains(&l)
    }

    /// Number of release rows the key is indexed by.
    pub fn n_release(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Release rows with at least one true original.
    pub fn release_rows_with_truth(&self) -> usize {
        self.offsets.windows(2).filter(|w| w[1] > w[0]).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::CategoricalColumn;

    fn table(source: &str, name: &str, values: &[&str]) -> EncodedTable {
        EncodedTable::new(source, vec![CategoricalColumn::from_strs(name, values)])
    }

    /// Keys by hand: release rows 0..4 hold `b`, `a `, missing and `zz`;
    /// originals hold `a`, `b`, `b`. Row 0 has two originals, row 1 one
    /// (after trimming), rows 2 and 3 none.
    #[test]
    fn shared_key_resolves_to_every_original_with_that_key() {
        let original = table("o", "id", &["a", "b", "b"]);
        let release = table("r", "id", &["b", "a ", "?", "zz"]);
        let key = TruthSpec::parse("id").resolve(&original, &release).unwrap();
        assert_eq!(key.originals_of(0), &[1, 2]);
        assert_eq!(key.originals_of(1), &[0]);
        assert!(key.originals_of(2).is_empty() && key.originals_of(3).is_empty());
        assert_eq!((key.len(), key.release_rows_with_truth()), (3, 2));
    }

    /// `#row` names the original's data row; a map turns logins into
    /// pseudonyms before matching.
    #[test]
    fn row_key_and_key_map() {
        let original = table("o", "login", &["ann", "bob", "cyd"]);
        let release = table("r", "row_id", &["2", "0", "7"]);
        let key = TruthSpec::parse("#row=row_id")
            .resolve(&original, &release)
            .unwrap();
        assert_eq!(
            (
                key.originals_of(0),
                key.originals_of(1),
                key.originals_of(2)
            ),
            (&[2][..], &[0][..], &[][..])
        );
        let release = table("r", "user", &["u2", "u1", "u9"]);
        let spec = TruthSpec {
            original: "login".into(),
            release: "user".into(),
            map: Some(HashMap::from([
                ("ann".to_string(), "u1".to_string()),
                ("bob".to_string(), "u2".to_string()),
            ])),
        };
        let key = spec.resolve(&original, &release).unwrap();
        assert_eq!(key.originals_of(0), &[1]);
        assert_eq!(key.originals_of(1), &[0]);
        assert!(key.originals_of(2).is_empty());
    }

    #[test]
    fn a_missing_column_is_named() {
        let original = table("o.csv", "id", &["a"]);
        let release = table("r.csv", "id", &["a"]);
        let err = TruthSpec::parse("id=rid")
            .resolve(&original, &release)
            .unwrap_err()
            .to_string();
        assert!(err.contains("r.csv") && err.contains("rid"), "{err}");
    }
}
