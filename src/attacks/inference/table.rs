//! The prepared form of an Anonymeter-style evaluation: the three inputs
//! (originals, release, control), each a [`crate::data::EncodedTable`], turned
//! into typed columns over one shared schema, numeric columns as `f64` (NaN =
//! missing), categorical columns as codes into one dictionary shared by the
//! three tables, so equal strings have equal codes everywhere. Like linkage's
//! prepared comparisons, [`RiskTables`] is the attack's index, built once by
//! [`RiskTables::prepare`] (which [`super::run_table_risk_attacks`] calls), not
//! a table type callers fill by hand.
//!
//! Preparation is columnar: each table's dictionary entries are trimmed,
//! mapped into the shared dictionary and parsed as numbers once per distinct
//! value; a row costs one code lookup. The shared dictionary lists values in
//! order of first appearance over the originals' rows, then the release's,
//! then the control's. A value is missing when its table's column says so
//! (the reader's [`MissingPolicy`]); other values are compared after trimming
//! white space.
//!
//! A column whose release values are generalized (`[41-70]`, `123**`,
//! `{a,b}`, `*`, hierarchy nodes) while the originals hold plain values is a
//! [`ColumnKind::Generalized`] column: its codes share one dictionary too,
//! and a release value "equals" an original value when it covers it, by the
//! same compatibility rules as the QI join ([`crate::data::kinds`]). Without
//! this the attacks compare `[41-70]` with `45` as labels, never match, and
//! understate every risk on a generalized release.
//!
//! Does not read files.

use std::collections::HashMap;
use std::sync::Arc;

use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

use super::InferenceError;
use crate::data::kinds::as_interval;
use crate::data::{
    column_kind, encode_frame, CategoricalColumn, ColumnComparator, EncodedTable, Hierarchy,
    MissingPolicy, ValueKind,
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

/// The columns of an evaluation and how to read them.
#[derive(Debug, Clone, Copy, Default)]
pub struct RiskSchema<'a> {
    /// The schema: every column of the originals when empty; each column
    /// must exist in all three tables.
    pub columns: &'a [String],
    /// Columns compared as numbers; `None` detects them (every non-missing
    /// value in the three tables parses as a finite number, and one does).
    pub numeric: Option<&'a [String]>,
    /// Generalization hierarchies by column: release values that are nodes
    /// cover the leaves under them.
    pub hierarchies: Option<&'a HashMap<String, Hierarchy>>,
    /// How a column's values are read ([`crate::data::kinds`]), overriding
    /// detection.
    pub kinds: Option<&'a HashMap<String, ValueKind>>,
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

    /// Prepares `[originals, release, control]` over `schema`.
    ///
    /// A column is [`ColumnKind::Numeric`] when `schema.numeric` lists it (or,
    /// when that is `None`, when every value parses as a finite number),
    /// [`ColumnKind::Generalized`] when the release holds values that are not
    /// among the originals' and the control's and that read as
    /// generalizations (or as nodes of the column's hierarchy), and
    /// [`ColumnKind::Categorical`] otherwise.
    ///
    /// Errors: a table without rows, a schema column missing from a table
    /// (listing its columns), a value of a numeric column that is not a
    /// finite number (naming the table, the column, the first data row
    /// holding it and the value), a malformed generalized release value.
    pub fn prepare(
        tables: [&EncodedTable; 3],
        schema: &RiskSchema,
    ) -> Result<RiskTables, InferenceError> {
        let roles = ["original", "release", "control"];
        let names: Vec<String> = if schema.columns.is_empty() {
            tables[0]
                .column_names()
                .into_iter()
                .map(str::to_string)
                .collect()
        } else {
            schema.columns.to_vec()
        };
        for (table, role) in tables.iter().zip(roles) {
            if table.n_rows == 0 {
                return Err(InferenceError::Empty {
                    source_name: table.source.clone(),
                    role,
                });
            }
        }
        // Every schema column of every table, before any value is read.
        let mut inputs: Vec<[&CategoricalColumn; 3]> = Vec::with_capacity(names.len());
        for name in &names {
            let mut found = [None; 3];
            for (slot, table) in found.iter_mut().zip(tables) {
                *slot = Some(table.column(name).ok_or_else(|| {
                    InferenceError::MissingColumn {
                        source_name: table.source.clone(),
                        column: name.clone(),
                        available: table
                            .column_names()
                            .into_iter()
                            .map(str::to_string)
                            .collect(),
                    }
                })?);
            }
            inputs.push(found.map(|c| c.expect("every slot was filled above")));
        }
        let hierarchy = |name: &str| schema.hierarchies.and_then(|h| h.get(name));
        let kind_override = |name: &str| schema.kinds.and_then(|k| k.get(name)).copied();
        let mut kinds = Vec::with_capacity(names.len());
        let mut dictionaries = Vec::with_capacity(names.len());
        let mut out: [Vec<ColumnData>; 3] = Default::default();
        let mut ranges = vec![1.0; names.len()];
        for (c, name) in names.iter().enumerate() {
            let (codes, dict) = shared_codes(inputs[c]);
            let numbers: Vec<Option<f64>> = dict
                .iter()
                .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
                .collect();
            let is_numeric = match schema.numeric {
                Some(list) => list.iter().any(|n| n == name),
                None => !dict.is_empty() && numbers.iter().all(Option::is_some),
            };
            let originals = original_side(&codes, &dict);
            let kind = if is_numeric {
                ColumnKind::Numeric
            } else if releases_generalized(
                &codes,
                &dict,
                &originals,
                hierarchy(name),
                kind_override(name),
            ) {
                ColumnKind::Generalized
            } else {
                ColumnKind::Categorical
            };
            kinds.push(kind);
            match kind {
                ColumnKind::Numeric => {
                    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                    for (i, codes) in codes.iter().enumerate() {
                        let mut values = Vec::with_capacity(codes.len());
                        for (row, &code) in codes.iter().enumerate() {
                            let x = if code == MISSING_CODE {
                                f64::NAN
                            } else {
                                numbers[code as usize].ok_or_else(|| {
                                    InferenceError::NotNumeric {
                                        source_name: tables[i].source.clone(),
                                        column: name.clone(),
                                        row: row + 1,
                                        value: dict[code as usize].clone(),
                                    }
                                })?
                            };
                            if !x.is_nan() {
                                lo = lo.min(x);
                                hi = hi.max(x);
                            }
                            values.push(x);
                        }
                        out[i].push(ColumnData::Numeric(values));
                    }
                    if hi > lo {
                        ranges[c] = hi - lo;
                    }
                    dictionaries.push(Vec::new());
                }
                ColumnKind::Generalized => {
                    let compat = generalized_column(
                        name,
                        &codes,
                        &dict,
                        &originals,
                        hierarchy(name),
                        kind_override(name),
                        &tables[1].source,
                    )?;
                    let compat = Arc::new(compat);
                    for (i, codes) in codes.into_iter().enumerate() {
                        out[i].push(ColumnData::Generalized(codes, compat.clone()));
                    }
                    dictionaries.push(dict);
                }
                ColumnKind::Categorical => {
                    for (i, codes) in codes.into_iter().enumerate() {
                        out[i].push(ColumnData::Categorical(codes));
                    }
                    dictionaries.push(dict);
                }
            }
        }
        let [o, r, k] = out;
        let make = |cols: Vec<ColumnData>, i: usize| RiskTable {
            source: tables[i].source.clone(),
            n_rows: cols.first().map_or(tables[i].n_rows, ColumnData::len),
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

    /// Prepares three frames of text (every column a polars `String`, as
    /// [`crate::data::read_frame`] reads them): each is encoded with
    /// [`encode_frame`] under `missing` (a null is missing too) and the
    /// tables go through [`prepare`](Self::prepare) with `columns` and
    /// `numeric` and no hierarchies.
    pub fn from_frames(
        frames: [(&DataFrame, &str); 3],
        columns: &[String],
        numeric: Option<&[String]>,
        missing: &MissingPolicy,
    ) -> Result<RiskTables, InferenceError> {
        let [o, r, c] = frames;
        let encode =
            |(frame, source): (&DataFrame, &str)| encode_frame(frame, &[], source, missing);
        let tables = [encode(o)?, encode(r)?, encode(c)?];
        Self::prepare(
            [&tables[0], &tables[1], &tables[2]],
            &RiskSchema {
                columns,
                numeric,
                ..RiskSchema::default()
            },
        )
    }
}

/// The three tables' codes of one column mapped into one dictionary of
/// trimmed values, in order of first appearance over the originals' rows,
/// then the release's, then the control's; missing values get
/// [`MISSING_CODE`]. Each table's dictionary entry is trimmed and looked up
/// once; a row costs one lookup in a vector.
fn shared_codes(columns: [&CategoricalColumn; 3]) -> (Vec<Vec<u32>>, Vec<String>) {
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut dict: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(3);
    for column in columns {
        let mut shared: Vec<Option<u32>> = vec![None; column.values.len()];
        let mut out = Vec::with_capacity(column.len());
        for &code in &column.codes {
            let slot = &mut shared[code as usize];
            let g = match *slot {
                Some(g) => g,
                None => {
                    let g = if column.is_missing_code(code) {
                        MISSING_CODE
                    } else {
                        let value = column.values[code as usize].trim();
                        *index.entry(value).or_insert_with(|| {
                            dict.push(value.to_string());
                            (dict.len() - 1) as u32
                        })
                    };
                    *slot = Some(g);
                    g
                }
            };
            out.push(g);
        }
        codes.push(out);
    }
    (codes, dict)
}

/// The originals' and the control's values of one column as an encoded
/// column (for [`column_kind`]): their rows in order, missing values left
/// out, as [`CategoricalColumn::from_strs`] would encode them.
fn original_side(codes: &[Vec<u32>], dict: &[String]) -> CategoricalColumn {
    let rows: Vec<u32> = codes[0]
        .iter()
        .chain(&codes[2])
        .copied()
        .filter(|&c| c != MISSING_CODE)
        .collect();
    CategoricalColumn::from_dictionary("originals", dict.to_vec(), rows)
}

/// True when some release value of the column is not an original value and
/// reads as a generalization of one (interval, mask, set, suppression or a
/// node of the hierarchy), as [`crate::data::kinds`] reads the column.
fn releases_generalized(
    codes: &[Vec<u32>],
    dict: &[String],
    originals: &CategoricalColumn,
    hierarchy: Option<&Hierarchy>,
    kind: Option<ValueKind>,
) -> bool {
    let mut known = vec![false; dict.len()];
    for &c in codes[0].iter().chain(&codes[2]) {
        if c != MISSING_CODE {
            known[c as usize] = true;
        }
    }
    let mut novel = vec![false; dict.len()];
    for &c in &codes[1] {
        if c != MISSING_CODE && !known[c as usize] {
            novel[c as usize] = true;
        }
    }
    if !novel.contains(&true) {
        return false;
    }
    let kind = column_kind("column", originals, kind).kind;
    let comparator = ColumnComparator::new(kind, hierarchy);
    dict.iter().zip(&novel).filter(|(_, &n)| n).any(|(v, _)| {
        comparator
            .prepare_release(v, false)
            .is_ok_and(|p| p.node || p.missing || p.reading.is_generalized())
    })
}

/// Works out which release values of a generalized column cover which
/// original values (once per pair of dictionary entries).
fn generalized_column(
    name: &str,
    codes: &[Vec<u32>],
    dict: &[String],
    originals: &CategoricalColumn,
    hierarchy: Option<&Hierarchy>,
    kind: Option<ValueKind>,
    release_source: &str,
) -> Result<GeneralizedColumn, InferenceError> {
    let kind = column_kind(name, originals, kind).kind;
    let comparator = ColumnComparator::new(kind, hierarchy);
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
    // The dictionary is shared with the release: the open-mask test below
    // asks about the values the originals (and the control) hold.
    let mut is_original = vec![false; dict.len()];
    for &c in codes[0].iter().chain(&codes[2]) {
        if c != MISSING_CODE {
            is_original[c as usize] = true;
        }
    }
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
        // An open mask (`25-00*`) that fits no original at its length is read
        // as a prefix, as the QI join reads it (`data::compatible_codes`).
        if let Some(prefix) = comparator.open_prefix(&prepared) {
            let fits_an_original =
                (0..dict.len()).any(|o| is_original[o] && bits[o / 64] & (1 << (o % 64)) != 0);
            if !fits_an_original {
                for (o, po) in prepared_originals.iter().enumerate() {
                    if comparator.compatible_open(prefix, po) {
                        bits[o / 64] |= 1 << (o % 64);
                    }
                }
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
    Ok(GeneralizedColumn {
        covers,
        intervals,
        numbers,
        range,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(source: &str, columns: &[(&str, &[&str])]) -> EncodedTable {
        let columns = columns
            .iter()
            .map(|(name, rows)| {
                CategoricalColumn::encode(name, rows.iter().map(|s| Some(*s)), |v| v == "?", "?")
            })
            .collect();
        EncodedTable::new(source, columns)
    }

    #[test]
    fn prepares_one_trimmed_dictionary_over_the_three_tables() {
        let o = table("o", &[("c", &["b", " a", "?"]), ("n", &["1", " 2", "?"])]);
        let r = table("r", &[("c", &["a ", "c"]), ("n", &["2", "3.5"])]);
        let k = table("k", &[("c", &["d", "b"]), ("n", &["1", "1"])]);
        let t = RiskTables::prepare([&o, &r, &k], &RiskSchema::default()).unwrap();
        assert_eq!(t.names, vec!["c", "n"]);
        assert_eq!(t.kinds, vec![ColumnKind::Categorical, ColumnKind::Numeric]);
        // First appearance over the originals, then the release, then the control.
        assert_eq!(t.dictionaries[0], vec!["b", "a", "c", "d"]);
        assert_eq!(
            t.original.columns[0],
            ColumnData::Categorical(vec![0, 1, MISSING_CODE])
        );
        assert_eq!(t.release.columns[0], ColumnData::Categorical(vec![1, 2]));
        assert_eq!(t.control.columns[0], ColumnData::Categorical(vec![3, 0]));
        assert_eq!(t.release.columns[1], ColumnData::Numeric(vec![2.0, 3.5]));
        // Range of the numbers over the three tables: 3.5 - 1.
        assert_eq!(t.ranges, vec![1.0, 2.5]);
    }

    #[test]
    fn a_declared_numeric_column_names_the_first_bad_row() {
        let o = table("o.csv", &[("n", &["1", "x", "2", "x"])]);
        let r = table("r.csv", &[("n", &["1"])]);
        let numeric = ["n".to_string()];
        let schema = RiskSchema {
            numeric: Some(&numeric),
            ..RiskSchema::default()
        };
        let err = RiskTables::prepare([&o, &r, &r], &schema)
            .unwrap_err()
            .to_string();
        assert!(err.contains("o.csv: column `n`, data row 2: `x`"), "{err}");
        let missing = RiskTables::prepare(
            [&o, &table("r.csv", &[("m", &["1"])]), &r],
            &RiskSchema::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            missing.contains("r.csv: no column `n`; the columns are: m"),
            "{missing}"
        );
    }
}
