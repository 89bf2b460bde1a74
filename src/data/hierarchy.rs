//! Generalization hierarchies in ARX's CSV format.
//!
//! ARX (Prasser & Kohlmayer 2015) stores a hierarchy as one row per original
//! value: column 0 is the value, columns 1..n its increasingly general
//! ancestors, usually ending in `*`. Files have no header and use `;`. Example
//! (age):
//!
//! ```text
//! 29;[20,30[;*
//! 43;>=40;*
//! ```
//!
//! Level 0 is the original value; level `levels() - 1` is the root. A
//! [`Hierarchy`] answers "what is value v at level i", "is g an ancestor of v",
//! and "which leaves sit under g", which is what full-domain generalization,
//! hierarchical EMD (t-closeness) and linkage over generalized values need.

use std::collections::HashMap;
use std::path::Path;

use super::DataError;

/// A value generalization hierarchy: one path from leaf to root per original value.
#[derive(Debug, Clone, PartialEq)]
pub struct Hierarchy {
    /// Attribute (column) this hierarchy generalizes.
    pub attribute: String,
    /// `paths[i][level]`: leaf `i` at `level` (level 0 = the leaf itself).
    paths: Vec<Vec<String>>,
    leaf_index: HashMap<String, usize>,
}

impl Hierarchy {
    /// Reads an ARX hierarchy CSV (`;`-separated, no header, CRLF or LF).
    ///
    /// Errors name the file and the 1-based line: an empty file, rows of
    /// different length, an empty cell, or a leaf listed twice; a file larger
    /// than the file size limit ([`super::Limits::max_file_bytes`]) is refused
    /// before it is read whole.
    pub fn from_arx_csv(path: &Path, attribute: &str) -> Result<Self, DataError> {
        let bytes = super::limits::read_file_bounded(path, &super::Limits::default())?;
        Self::from_arx_bytes(&path.display().to_string(), attribute, &bytes)
    }

    /// Parses the bytes of an ARX hierarchy CSV; `source` names them in
    /// errors, which are those of [`Hierarchy::from_arx_csv`].
    pub fn from_arx_bytes(source: &str, attribute: &str, bytes: &[u8]) -> Result<Self, DataError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            DataError::InvalidUtf8 {
                source_name: source.to_string(),
                line,
            }
        })?;
        let rows = text
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(';').map(|s| s.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>();
        Self::from_rows(source, attribute, rows)
    }

    /// Builds a hierarchy from rows `[leaf, level1, ..., root]`; `source` names
    /// the origin in error messages.
    pub fn from_rows(
        source: &str,
        attribute: &str,
        rows: Vec<Vec<String>>,
    ) -> Result<Self, DataError> {
        if rows.is_empty() {
            return Err(DataError::Hierarchy {
                source_name: source.to_string(),
                line: None,
                message: "the hierarchy has no rows".to_string(),
            });
        }
        let width = rows[0].len();
        let mut leaf_index = HashMap::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let bad = |message: String| DataError::Hierarchy {
                source_name: source.to_string(),
                line: Some(i + 1),
                message,
            };
            if row.len() != width {
                return Err(bad(format!(
                    "row has {} levels but the first row has {width}; every value needs the same number of levels",
                    row.len()
                )));
            }
            if row.iter().any(|c| c.is_empty()) {
                return Err(bad("row has an empty cell".to_string()));
            }
            if leaf_index.insert(row[0].clone(), i).is_some() {
                return Err(bad(format!("value `{}` is listed twice", row[0])));
            }
        }
        Ok(Hierarchy {
            attribute: attribute.to_string(),
            paths: rows,
            leaf_index,
        })
    }

    /// Number of levels, counting the leaf level (ARX's "height").
    pub fn levels(&self) -> usize {
        self.paths[0].len()
    }

    /// Number of leaves (original values).
    pub fn n_leaves(&self) -> usize {
        self.paths.len()
    }

    /// Leaves in file order.
    pub fn leaves(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(|p| p[0].as_str())
    }

    /// The path `[leaf, ..., root]` of an original value, if the value is in the hierarchy.
    pub fn path(&self, leaf: &str) -> Option<&[String]> {
        self.leaf_index.get(leaf).map(|&i| self.paths[i].as_slice())
    }

    /// True when `leaf` is an original value of this hierarchy.
    pub fn contains_leaf(&self, leaf: &str) -> bool {
        self.leaf_index.contains_key(leaf)
    }

    /// `leaf` generalized to `level` (0 = unchanged). `None` when the value is
    /// not in the hierarchy or the level is too high.
    pub fn generalize(&self, leaf: &str, level: usize) -> Option<&str> {
        self.path(leaf)?.get(level).map(|s| s.as_str())
    }

    /// The lowest level at which `node` appears, if anywhere.
    pub fn level_of(&self, node: &str) -> Option<usize> {
        (0..self.levels()).find(|&l| self.paths.iter().any(|p| p[l] == node))
    }

    /// True when `node` is `leaf` itself or one of its ancestors.
    pub fn is_ancestor_or_self(&self, node: &str, leaf: &str) -> bool {
        self.path(leaf).is_some_and(|p| p.iter().any(|n| n == node))
    }

    /// The hierarchy in ARX's file format: one line per leaf, `;` between
    /// levels, no header (what [`Hierarchy::from_arx_bytes`] reads back).
    pub fn to_arx_csv(&self) -> String {
        let mut out = String::new();
        for path in &self.paths {
            out.push_str(&path.join(";"));
            out.push('\n');
        }
        out
    }

    /// The leaves under `node` (all levels searched), in file order.
    pub fn leaves_under(&self, node: &str) -> Vec<&str> {
        self.paths
            .iter()
            .filter(|p| p.iter().any(|n| n == node))
            .map(|p| p[0].as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disease() -> Hierarchy {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        Hierarchy::from_arx_csv(
            &dir.join("datasets/li2007_tcloseness/hierarchy_Disease.csv"),
            "Disease",
        )
        .unwrap()
    }

    #[test]
    fn reads_the_li_2007_disease_tree() {
        let h = disease();
        assert_eq!(h.levels(), 4);
        assert_eq!(h.n_leaves(), 6);
        assert_eq!(h.generalize("flu", 1), Some("respiratory infection"));
        assert_eq!(
            h.generalize("flu", 3),
            Some("respiratory&digestive disease")
        );
        assert_eq!(h.level_of("digestive system disease"), Some(2));
        assert!(h.is_ancestor_or_self("stomach disease", "gastritis"));
        assert!(!h.is_ancestor_or_self("stomach disease", "flu"));
        assert_eq!(
            h.leaves_under("stomach disease"),
            vec!["gastric ulcer", "gastritis", "stomach cancer"]
        );
    }

    #[test]
    fn ragged_rows_and_duplicates_name_the_line() {
        let rows = vec![vec!["a".into(), "*".into()], vec!["b".into()]];
        let err = Hierarchy::from_rows("h.csv", "x", rows).unwrap_err();
        assert!(
            err.to_string().contains("h.csv") && err.to_string().contains("line 2"),
            "{err}"
        );
        let rows = vec![vec!["a".into(), "*".into()], vec!["a".into(), "*".into()]];
        let err = Hierarchy::from_rows("h.csv", "x", rows).unwrap_err();
        assert!(err.to_string().contains("listed twice"), "{err}");
    }
}
