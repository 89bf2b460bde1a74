//! The three inputs of an Anonymeter-style evaluation (originals, release,
//! control) as typed columns over one shared schema: numeric columns as `f64`
//! (NaN = missing), categorical columns as codes into one dictionary shared
//! by the three tables, so equal strings have equal codes everywhere.
//!
//! Does not read files: build from polars frames of text
//! ([`crate::data::read_frame`]) or directly from columns.

use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

use super::InferenceError;
use crate::data::MissingPolicy;

/// Code of a missing categorical value (equal only to itself).
pub const MISSING_CODE: u32 = u32::MAX;

/// How a column is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Numbers: range-scaled absolute difference, `<=`/`>=` predicates.
    Numeric,
    /// Labels: equal or not.
    Categorical,
}

/// One column of one table.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numbers, NaN for missing.
    Numeric(Vec<f64>),
    /// Codes into [`RiskTables::dictionaries`], [`MISSING_CODE`] for missing.
    Categorical(Vec<u32>),
}

impl ColumnData {
    fn len(&self) -> usize {
        match self {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Categorical(v) => v.len(),
        }
    }

    /// The value of `row` as comparable bits (NaN and [`MISSING_CODE`] map to
    /// one "missing" bit pattern each).
    pub fn key(&self, row: usize) -> u64 {
        match self {
            ColumnData::Numeric(v) => {
                let x = v[row];
                if x.is_nan() {
                    u64::MAX
                } else if x == 0.0 {
                    0 // -0.0 and 0.0 are the same value
                } else {
                    x.to_bits()
                }
            }
            ColumnData::Categorical(v) => v[row] as u64,
        }
    }
}

/// One table: columns in the shared schema order.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskTable {
    /// File or label, for messages.
    pub source: String,
    /// Number of rows.
    pub n_rows: usize,
    /// One entry per schema column.
    pub columns: Vec<ColumnData>,
}

impl RiskTable {
    /// The table without duplicate rows, keeping first occurrences in order
    /// (Anonymeter de-duplicates before singling out).
    pub fn distinct_rows(&self) -> RiskTable {
        use std::hash::{BuildHasher, Hasher};
        let state = std::collections::hash_map::RandomState::new();
        // Row hash -> kept rows with that hash (compared cell by cell).
        let mut buckets: std::collections::HashMap<u64, Vec<usize>> =
            std::collections::HashMap::with_capacity(self.n_rows);
        let mut keep = Vec::with_capacity(self.n_rows);
        for row in 0..self.n_rows {
            let mut hasher = state.build_hasher();
            for c in &self.columns {
                hasher.write_u64(c.key(row));
            }
            let kept = buckets.entry(hasher.finish()).or_default();
            let duplicate = kept
                .iter()
                .any(|&k| self.columns.iter().all(|c| c.key(k) == c.key(row)));
            if !duplicate {
                kept.push(row);
                keep.push(row);
            }
        }
        self.select_rows(&keep)
    }

    /// The rows `rows`, in that order.
    pub fn select_rows(&self, rows: &[usize]) -> RiskTable {
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                ColumnData::Numeric(v) => ColumnData::Numeric(rows.iter().map(|&r| v[r]).collect()),
                ColumnData::Categorical(v) => {
                    ColumnData::Categorical(rows.iter().map(|&r| v[r]).collect())
                }
            })
            .collect();
        RiskTable {
            source: self.source.clone(),
            n_rows: rows.len(),
            columns,
        }
    }
}

/// Originals, release and control over one schema.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskTables {
    /// Column names.
    pub names: Vec<String>,
    /// Column kinds.
    pub kinds: Vec<ColumnKind>,
    /// Per categorical column, the labels of its codes (empty for numeric).
    pub dictionaries: Vec<Vec<String>>,
    /// Numeric columns: `max - min` over the three tables (1 when 0 or no
    /// values), the scale of the distance; 1 for categorical columns.
    pub ranges: Vec<f64>,
    /// The originals (training set of the release).
    pub original: RiskTable,
    /// The release.
    pub release: RiskTable,
    /// Held-out originals never used for the release.
    pub control: RiskTable,
}

impl RiskTables {
    /// Index of column `name`.
    pub fn column_index(&self, name: &str) -> Result<usize, InferenceError> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| InferenceError::MissingColumn {
                source_name: self.release.source.clone(),
                column: name.to_string(),
                available: self.names.clone(),
            })
    }

    /// Builds the tables from text frames (every column a polars `String`).
    ///
    /// `columns`: the schema (every column of the originals when empty); each
    /// must exist in all three frames. `numeric`: columns compared as
    /// numbers; `None` detects them (every non-missing value in all three
    /// frames parses as a finite number, and at least one does). Values
    /// matching `missing` are missing.
    pub fn from_frames(
        frames: [(&DataFrame, &str); 3],
        columns: &[String],
        numeric: Option<&[String]>,
        missing: &MissingPolicy,
    ) -> Result<RiskTables, InferenceError> {
        let roles = ["original", "release", "control"];
        let names: Vec<String> = if columns.is_empty() {
            frames[0]
                .0
                .get_column_names()
                .iter()
                .map(|c| c.to_string())
                .collect()
        } else {
            columns.to_vec()
        };
        for (i, (frame, source)) in frames.iter().enumerate() {
            if frame.height() == 0 {
                return Err(InferenceError::Empty {
                    source_name: source.to_string(),
                    role: roles[i],
                });
            }
        }
        // Text of every column of every frame.
        let mut text: Vec<[Vec<Option<String>>; 3]> = Vec::with_capacity(names.len());
        for name in &names {
            let mut per: [Vec<Option<String>>; 3] = Default::default();
            for (i, (frame, source)) in frames.iter().enumerate() {
                let missing_column = || InferenceError::MissingColumn {
                    source_name: source.to_string(),
                    column: name.clone(),
                    available: frame
                        .get_column_names()
                        .iter()
                        .map(|c| c.to_string())
                        .collect(),
                };
                let col = frame.column(name).map_err(|_| missing_column())?;
                let col = col
                    .cast(&polars::prelude::DataType::String)
                    .map_err(|_| missing_column())?;
                let strings = col.str().map_err(|_| missing_column())?;
                per[i] = strings
                    .iter()
                    .map(|v| match v {
                        Some(s) if !missing.is_missing(s) => Some(s.trim().to_string()),
                        _ => None,
                    })
                    .collect();
            }
            text.push(per);
        }
        let mut kinds = Vec::with_capacity(names.len());
        for (c, name) in names.iter().enumerate() {
            let is_numeric = match numeric {
                Some(list) => list.iter().any(|n| n == name),
                None => {
                    let mut any = false;
                    let all = text[c].iter().all(|vals| {
                        vals.iter().flatten().all(|s| {
                            any = true;
                            s.parse::<f64>().is_ok_and(f64::is_finite)
                        })
                    });
                    all && any
                }
            };
            kinds.push(if is_numeric {
                ColumnKind::Numeric
            } else {
                ColumnKind::Categorical
            });
        }
        let mut dictionaries = vec![Vec::new(); names.len()];
        let mut tables: [Vec<ColumnData>; 3] = Default::default();
        let mut ranges = vec![1.0; names.len()];
        for (c, name) in names.iter().enumerate() {
            match kinds[c] {
                ColumnKind::Numeric => {
                    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                    for (i, vals) in text[c].iter().enumerate() {
                        let mut out = Vec::with_capacity(vals.len());
                        for (row, v) in vals.iter().enumerate() {
                            let x = match v {
                                None => f64::NAN,
                                Some(s) => match s.parse::<f64>() {
                                    Ok(x) if x.is_finite() => x,
                                    _ => {
                                        return Err(InferenceError::NotNumeric {
                                            source_name: frames[i].1.to_string(),
                                            column: name.clone(),
                                            row: row + 1,
                                            value: s.clone(),
                                        })
                                    }
                                },
                            };
                            if !x.is_nan() {
                                lo = lo.min(x);
                                hi = hi.max(x);
                            }
                            out.push(x);
                        }
                        tables[i].push(ColumnData::Numeric(out));
                    }
                    if hi > lo {
                        ranges[c] = hi - lo;
                    }
                }
                ColumnKind::Categorical => {
                    let mut index: std::collections::HashMap<String, u32> = Default::default();
                    let dict = &mut dictionaries[c];
                    for (i, vals) in text[c].iter().enumerate() {
                        let codes = vals
                            .iter()
                            .map(|v| match v {
                                None => MISSING_CODE,
                                Some(s) => *index.entry(s.clone()).or_insert_with(|| {
                                    dict.push(s.clone());
                                    (dict.len() - 1) as u32
                                }),
                            })
                            .collect();
                        tables[i].push(ColumnData::Categorical(codes));
                    }
                }
            }
        }
        let [o, r, k] = tables;
        let make = |cols: Vec<ColumnData>, i: usize| RiskTable {
            source: frames[i].1.to_string(),
            n_rows: cols.first().map_or(frames[i].0.height(), ColumnData::len),
            columns: cols,
        };
        Ok(RiskTables {
            names,
            kinds,
            dictionaries,
            ranges,
            original: make(o, 0),
            release: make(r, 1),
            control: make(k, 2),
        })
    }
}
