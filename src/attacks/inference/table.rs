//! The three inputs of an Anonymeter-style evaluation (originals, release,
//! control) as typed columns over one shared schema: numeric columns as `f64`
//! (NaN = missing), categorical columns as codes into one dictionary shared
//! by the three tables, so equal strings have equal codes everywhere.
//!
//! A column whose release values are generalized (`[41-70]`, `123**`,
//! `{a,b}`, `*`, hierarchy nodes) while the originals hold plain values is a
//! [`ColumnKind::Generalized`] column: its codes share one dictionary too,
//! and a release value "equals" an original value when it covers it, by the
//! same compatibility rules as the QI join ([`crate::data::kinds`]). Without
//! this the attacks compare `[41-70]` with `45` as labels, never match, and
//! understate every risk on a generalized release.
//!
//! Does not read files: build from polars frames of text
//! ([`crate::data::read_frame`]) or directly from columns.

use std::collections::HashMap;
use std::sync::Arc;

use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

use super::InferenceError;
use crate::data::kinds::as_interval;
use crate::data::{
    column_kind, CategoricalColumn, ColumnComparator, Hierarchy, MissingPolicy, ValueKind,
};

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
    /// Release values generalize the originals': compatible or not (plus the
    /// gap to a numeric interval, scaled by the range, in distances).
    Generalized,
}

/// The compatibility of a generalized column's dictionary entries: which
/// release values cover which original values, decided once per pair.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneralizedColumn {
    /// Per dictionary code that occurs in the release, the codes it covers (bitset).
    covers: HashMap<u32, Vec<u64>>,
    /// Per dictionary code, the numeric interval a release value stands for.
    intervals: Vec<Option<(f64, f64)>>,
    /// Per dictionary code, the number an original value is.
    numbers: Vec<Option<f64>>,
    /// Range of the originals' numbers (1 when none or constant).
    range: f64,
}

impl GeneralizedColumn {
    /// True when release code `release` covers original code `original`
    /// (a missing original is covered only by a missing release value).
    pub fn covers(&self, release: u32, original: u32) -> bool {
        if release == MISSING_CODE || original == MISSING_CODE {
            return release == original;
        }
        self.covers
            .get(&release)
            .is_some_and(|bits| bits[original as usize / 64] >> (original % 64) & 1 == 1)
    }

    /// Distance in [0, 1]: 0 when covered; for a number outside a numeric
    /// interval the gap scaled by the range (as a numeric column's distance);
    /// 1 otherwise.
    pub fn distance(&self, release: u32, original: u32) -> f64 {
        if self.covers(release, original) {
            return 0.0;
        }
        if release == MISSING_CODE || original == MISSING_CODE {
            return 1.0;
        }
        match (
            self.intervals.get(release as usize).copied().flatten(),
            self.numbers.get(original as usize).copied().flatten(),
        ) {
            (Some((lo, hi)), Some(x)) => {
                let gap = if x < lo { lo - x } else { (x - hi).max(0.0) };
                (gap / self.range).min(1.0)
            }
            _ => 1.0,
        }
    }
}

/// One column of one table.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numbers, NaN for missing.
    Numeric(Vec<f64>),
    /// Codes into [`RiskTables::dictionaries`], [`MISSING_CODE`] for missing.
    Categorical(Vec<u32>),
    /// Codes as for categorical columns, compared through the column's compatibility.
    Generalized(Vec<u32>, Arc<GeneralizedColumn>),
}

impl ColumnData {
    fn len(&self) -> usize {
        match self {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Categorical(v) | ColumnData::Generalized(v, _) => v.len(),
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
            ColumnData::Categorical(v) | ColumnData::Generalized(v, _) => v[row] as u64,
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
                ColumnData::Generalized(v, g) => {
                    ColumnData::Generalized(rows.iter().map(|&r| v[r]).collect(), g.clone())
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
        Self::from_frames_generalized(
            frames,
            columns,
            numeric,
            missing,
            &HashMap::new(),
            &HashMap::new(),
        )
    }

    /// Like [`from_frames`](Self::from_frames), reading generalized release
    /// values: a column whose release holds values that are not among the
    /// originals' and the control's and that read as generalizations (or as
    /// nodes of the column's hierarchy in `hierarchies`) is
    /// [`ColumnKind::Generalized`]; `kinds` overrides how a column's values
    /// are read ([`crate::data::kinds`]).
    pub fn from_frames_generalized(
        frames: [(&DataFrame, &str); 3],
        columns: &[String],
        numeric: Option<&[String]>,
        missing: &MissingPolicy,
        hierarchies: &HashMap<String, Hierarchy>,
        kinds_override: &HashMap<String, ValueKind>,
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
            } else if releases_generalized(
                &text[c],
                hierarchies.get(name),
                kinds_override.get(name),
            ) {
                ColumnKind::Generalized
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
                ColumnKind::Generalized => {
                    let (codes, dict, compat) = generalized_column(
                        name,
                        &text[c],
                        hierarchies.get(name),
                        kinds_override.get(name).copied(),
                        frames[1].1,
                    )?;
                    dictionaries[c] = dict;
                    let compat = Arc::new(compat);
                    for (i, codes) in codes.into_iter().enumerate() {
                        tables[i].push(ColumnData::Generalized(codes, compat.clone()));
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

/// The originals' and the control's values of one column as an encoded
/// column (for [`column_kind`]), and the distinct release values not among them.
fn original_side(values: &[Vec<Option<String>>; 3]) -> (CategoricalColumn, Vec<&str>) {
    let originals: Vec<&str> = values[0]
        .iter()
        .chain(values[2].iter())
        .flatten()
        .map(String::as_str)
        .collect();
    let column = CategoricalColumn::from_strs("originals", &originals);
    let known: std::collections::HashSet<&str> = originals.iter().copied().collect();
    let mut novel: Vec<&str> = values[1]
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|v| !known.contains(v))
        .collect();
    novel.sort_unstable();
    novel.dedup();
    (column, novel)
}

/// True when some release value of the column is not an original value and
/// reads as a generalization of one (interval, mask, set, suppression or a
/// node of the hierarchy), as [`crate::data::kinds`] reads the column.
fn releases_generalized(
    values: &[Vec<Option<String>>; 3],
    hierarchy: Option<&Hierarchy>,
    kind: Option<&ValueKind>,
) -> bool {
    let (originals, novel) = original_side(values);
    if novel.is_empty() {
        return false;
    }
    let kind = column_kind("column", &originals, kind.copied()).kind;
    let comparator = ColumnComparator::new(kind, hierarchy);
    novel.iter().any(|v| {
        comparator
            .prepare_release(v, false)
            .is_ok_and(|p| p.node || p.missing || p.reading.is_generalized())
    })
}

type GeneralizedParts = (Vec<Vec<u32>>, Vec<String>, GeneralizedColumn);

/// Encodes a generalized column of the three tables over one dictionary and
/// works out which release values cover which original values.
fn generalized_column(
    name: &str,
    values: &[Vec<Option<String>>; 3],
    hierarchy: Option<&Hierarchy>,
    kind: Option<ValueKind>,
    release_source: &str,
) -> Result<GeneralizedParts, InferenceError> {
    let (originals, _) = original_side(values);
    let kind = column_kind(name, &originals, kind).kind;
    let comparator = ColumnComparator::new(kind, hierarchy);
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut dict: Vec<String> = Vec::new();
    let codes: Vec<Vec<u32>> = values
        .iter()
        .map(|vals| {
            vals.iter()
                .map(|v| match v {
                    None => MISSING_CODE,
                    Some(s) => *index.entry(s.as_str()).or_insert_with(|| {
                        dict.push(s.clone());
                        (dict.len() - 1) as u32
                    }),
                })
                .collect()
        })
        .collect();
    let words = dict.len().div_ceil(64);
    let prepared_originals: Vec<_> = dict
        .iter()
        .map(|v| comparator.prepare_original(v, false))
        .collect();
    let mut release_codes: Vec<u32> = codes[1]
        .iter()
        .copied()
        .filter(|&c| c != MISSING_CODE)
        .collect();
    release_codes.sort_unstable();
    release_codes.dedup();
    let mut covers = HashMap::with_capacity(release_codes.len());
    let mut intervals = vec![None; dict.len()];
    for &r in &release_codes {
        let prepared = comparator
            .prepare_release(&dict[r as usize], false)
            .map_err(|e| InferenceError::Parameter {
                name: "release value",
                message: format!("{release_source}: column `{name}`: {e}"),
            })?;
        intervals[r as usize] =
            as_interval(&prepared.reading).and_then(|(lo, hi)| Some((lo?.value, hi?.value)));
        let mut bits = vec![0u64; words];
        for (o, po) in prepared_originals.iter().enumerate() {
            if comparator.compatible(&prepared, po) {
                bits[o / 64] |= 1 << (o % 64);
            }
        }
        covers.insert(r, bits);
    }
    let numbers: Vec<Option<f64>> = dict
        .iter()
        .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    let original_numbers = codes[0]
        .iter()
        .chain(&codes[2])
        .filter(|&&c| c != MISSING_CODE)
        .filter_map(|&c| numbers[c as usize]);
    let (lo, hi) = original_numbers.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
        (l.min(x), h.max(x))
    });
    let range = if hi > lo { hi - lo } else { 1.0 };
    Ok((
        codes,
        dict,
        GeneralizedColumn {
            covers,
            intervals,
            numbers,
            range,
        },
    ))
}
