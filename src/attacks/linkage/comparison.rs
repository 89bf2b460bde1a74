//! Comparisons as data, in the style of Splink: a [`Comparison`] is a column
//! and an ordered list of [`Level`]s; a record pair falls into the first level
//! whose condition holds (null first, `else` last). The level index is the
//! pair's *comparison vector* entry (gamma) used by Fellegi-Sunter.
//!
//! This module defines levels, parses the compact CLI syntax
//! (`name:jw(0.92,0.8);age:num(1,5);zip:exact`) and evaluates comparisons on
//! dictionary-encoded columns. It does not estimate m/u (see
//! [`super::fellegi_sunter`]).
//!
//! Evaluation is built for tens of millions of blocked pairs: the two
//! tables' values share one dictionary (exact agreement is id equality and
//! every per-value parse happens once), each table's ids sit row-major, and
//! a Jaro-Winkler level is decided without running Jaro when a bound from
//! character counts already puts the pair below its threshold. The level of
//! every pair is exactly the one the textbook definitions give (property
//! tests below compare the two).
//!
//! Length (~820 lines, ~140 of them tests): the level types, their parser and
//! the prepared evaluator share private representations (shared dictionary
//! ids, parsed numeric/date values), so they stay in one file.
//!
//! Why this file is long: about 140 of its lines are tests (see the paragraph
//! above on why the comparators stay in one file).

use std::collections::HashMap;

use polars::prelude::PlHashMap;
use serde::{Deserialize, Serialize};

use super::strings::{damerau_levenshtein, iso_date_days, jaro_winkler, levenshtein};
use super::LinkageError;
use crate::data::{CategoricalColumn, EncodedTable, GeneralizedValue, Hierarchy};

/// The condition of one comparison level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LevelKind {
    /// Either side missing; carries no evidence (Bayes factor 1).
    Null,
    /// The two values are equal strings (after trimming).
    Exact,
    /// Jaro-Winkler similarity at least `threshold`.
    JaroWinklerAtLeast {
        /// Minimum similarity.
        threshold: f64,
    },
    /// Levenshtein distance at most `max`.
    LevenshteinAtMost {
        /// Maximum distance.
        max: usize,
    },
    /// Damerau-Levenshtein (OSA) distance at most `max`.
    DamerauLevenshteinAtMost {
        /// Maximum distance.
        max: usize,
    },
    /// Both numeric and `|a - b| <= max`.
    AbsoluteDifferenceAtMost {
        /// Maximum absolute difference.
        max: f64,
    },
    /// Both numeric and `|a - b| / max(|a|, |b|) <= max`.
    RelativeDifferenceAtMost {
        /// Maximum relative difference.
        max: f64,
    },
    /// Both ISO dates (`YYYY-MM-DD`) at most `max_days` apart.
    DateDifferenceAtMostDays {
        /// Maximum difference in days.
        max_days: f64,
    },
    /// The release value (right side), read as a generalized value
    /// (`[30-40)`, `123**`, `{a,b}`, `*`, hierarchy node), covers the original.
    GeneralizedCompatible,
    /// Anything else (disagreement).
    Else,
}

/// One level of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// Human-readable label, e.g. `jaro_winkler >= 0.92`.
    pub label: String,
    /// The condition.
    pub kind: LevelKind,
    /// Apply Splink's term-frequency adjustment on this level (exact levels only).
    pub term_frequency_adjusted: bool,
}

impl Level {
    /// A level with its default label.
    pub fn new(kind: LevelKind) -> Self {
        let label = match &kind {
            LevelKind::Null => "null".to_string(),
            LevelKind::Exact => "exact".to_string(),
            LevelKind::JaroWinklerAtLeast { threshold } => format!("jaro_winkler >= {threshold}"),
            LevelKind::LevenshteinAtMost { max } => format!("levenshtein <= {max}"),
            LevelKind::DamerauLevenshteinAtMost { max } => {
                format!("damerau_levenshtein <= {max}")
            }
            LevelKind::AbsoluteDifferenceAtMost { max } => format!("abs difference <= {max}"),
            LevelKind::RelativeDifferenceAtMost { max } => format!("rel difference <= {max}"),
            LevelKind::DateDifferenceAtMostDays { max_days } => {
                format!("date difference <= {max_days} days")
            }
            LevelKind::GeneralizedCompatible => "generalized compatible".to_string(),
            LevelKind::Else => "else".to_string(),
        };
        Level {
            label,
            kind,
            term_frequency_adjusted: false,
        }
    }
}

/// A comparison of one column across the two tables: ordered levels, the
/// first being [`LevelKind::Null`] and the last [`LevelKind::Else`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Column in the original (left) table.
    pub left_column: String,
    /// Column in the release (right) table.
    pub right_column: String,
    /// Levels in evaluation order.
    pub levels: Vec<Level>,
}

impl Comparison {
    /// A comparison of the same-named column in both tables with levels
    /// `null`, `middle...`, `else`.
    pub fn new(column: &str, middle: Vec<Level>) -> Self {
        let mut levels = vec![Level::new(LevelKind::Null)];
        levels.extend(middle);
        levels.push(Level::new(LevelKind::Else));
        Comparison {
            left_column: column.to_string(),
            right_column: column.to_string(),
            levels,
        }
    }

    /// Checks the level layout: null first, else last, neither in between,
    /// at least one agreement level, at most 255 levels.
    pub fn validate(&self) -> Result<(), LinkageError> {
        let bad = |message: &str| LinkageError::BadComparison {
            column: self.left_column.clone(),
            message: message.to_string(),
        };
        let n = self.levels.len();
        if n < 3 {
            return Err(bad(
                "needs a null level, at least one agreement level and an else level",
            ));
        }
        if n > 255 {
            return Err(bad("at most 255 levels"));
        }
        if self.levels[0].kind != LevelKind::Null || self.levels[n - 1].kind != LevelKind::Else {
            return Err(bad("the first level must be null and the last else"));
        }
        if self.levels[1..n - 1]
            .iter()
            .any(|l| matches!(l.kind, LevelKind::Null | LevelKind::Else))
        {
            return Err(bad("null and else may appear only first and last"));
        }
        Ok(())
    }

    /// Index of the exact level with term-frequency adjustment, if any.
    pub fn tf_level(&self) -> Option<usize> {
        self.levels
            .iter()
            .position(|l| l.term_frequency_adjusted && l.kind == LevelKind::Exact)
    }
}

/// Parses the CLI syntax: comparisons separated by `;`, each
/// `column[=release_column]:kind[(args)][+tf]` with kinds
///
/// * `exact` — null, exact, else;
/// * `jw(t1,t2,..)` — null, exact, Jaro-Winkler >= t1, >= t2, .., else;
/// * `lev(d1,..)` / `dl(d1,..)` — Levenshtein / Damerau-Levenshtein <= d;
/// * `num(a1,..)` — absolute difference <= a; `rel(r1,..)` relative;
/// * `date(d1,..)` — date difference <= d days;
/// * `gen` — null, exact, generalized-compatible, else.
///
/// `+tf` adds the term-frequency adjustment to the exact level.
pub fn parse_comparisons(spec: &str) -> Result<Vec<Comparison>, LinkageError> {
    spec.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_one)
        .collect()
}

fn parse_one(item: &str) -> Result<Comparison, LinkageError> {
    let bad = |message: String| LinkageError::BadSpec {
        spec: item.to_string(),
        message,
    };
    let (cols, rest) = item
        .split_once(':')
        .ok_or_else(|| bad("expected `column:kind`, e.g. `name:jw(0.92,0.8)`".into()))?;
    let (left, right) = match cols.split_once('=') {
        Some((l, r)) => (l.trim(), r.trim()),
        None => (cols.trim(), cols.trim()),
    };
    if left.is_empty() || right.is_empty() {
        return Err(bad("empty column name".into()));
    }
    let mut rest = rest.trim();
    let tf = rest.ends_with("+tf");
    if tf {
        rest = rest[..rest.len() - 3].trim();
    }
    let (kind, args) = match rest.split_once('(') {
        Some((k, a)) => {
            let a = a
                .strip_suffix(')')
                .ok_or_else(|| bad("missing `)`".into()))?;
            let nums = a
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite() && *x >= 0.0)
                        .ok_or_else(|| bad(format!("`{s}` is not a non-negative number")))
                })
                .collect::<Result<Vec<f64>, _>>()?;
            (k.trim(), nums)
        }
        None => (rest, Vec::new()),
    };
    let need_args = |args: &[f64]| {
        if args.is_empty() {
            Err(bad(format!(
                "`{kind}` needs thresholds, e.g. `{kind}(1,2)`"
            )))
        } else {
            Ok(())
        }
    };
    let mut middle = vec![Level::new(LevelKind::Exact)];
    match kind {
        "exact" => {}
        "gen" => middle.push(Level::new(LevelKind::GeneralizedCompatible)),
        "jw" => {
            need_args(&args)?;
            if args.iter().any(|&t| t > 1.0) {
                return Err(bad("Jaro-Winkler thresholds are in [0, 1]".into()));
            }
            middle.extend(
                args.iter()
                    .map(|&threshold| Level::new(LevelKind::JaroWinklerAtLeast { threshold })),
            );
        }
        "lev" | "dl" => {
            need_args(&args)?;
            for &a in &args {
                if a.fract() != 0.0 {
                    return Err(bad(format!("edit distance `{a}` must be an integer")));
                }
                let max = a as usize;
                middle.push(Level::new(if kind == "lev" {
                    LevelKind::LevenshteinAtMost { max }
                } else {
                    LevelKind::DamerauLevenshteinAtMost { max }
                }));
            }
        }
        "num" => {
            need_args(&args)?;
            middle.extend(
                args.iter()
                    .map(|&max| Level::new(LevelKind::AbsoluteDifferenceAtMost { max })),
            );
        }
        "rel" => {
            need_args(&args)?;
            middle.extend(
                args.iter()
                    .map(|&max| Level::new(LevelKind::RelativeDifferenceAtMost { max })),
            );
        }
        "date" => {
            need_args(&args)?;
            middle.extend(
                args.iter()
                    .map(|&max_days| Level::new(LevelKind::DateDifferenceAtMostDays { max_days })),
            );
        }
        other => {
            return Err(bad(format!(
                "unknown comparison `{other}`; use exact, jw(..), lev(..), dl(..), num(..), rel(..), date(..) or gen"
            )))
        }
    }
    if tf {
        middle[0].term_frequency_adjusted = true;
        middle[0].label = "exact (tf-adjusted)".to_string();
    }
    let mut c = Comparison::new(left, middle);
    c.right_column = right.to_string();
    c.validate()?;
    Ok(c)
}

/// Shared id of a null value (missing, or suppressed where that means null).
pub(crate) const NULL_ID: u32 = u32::MAX;

/// A character-count summary of one distinct value, from which an upper
/// bound on its Jaro-Winkler similarity with another value follows without
/// running Jaro: the matching characters `m` of Jaro are a sub-multiset of
/// both strings, so `m <= sum_c min(count_a(c), count_b(c))`, and folding
/// characters into 32 buckets (`char as u32 & 31`) can only raise that sum.
/// With `m` bounded, `jaro <= (m/|a| + m/|b| + 1) / 3` (the transposition
/// term is at most 1), and the Winkler boost `jw = j + p/10 (1 - j)` grows
/// with `j` and with the common prefix `p <= 4`.
#[derive(Debug, Clone, Copy)]
struct CharShape {
    /// Characters per bucket; meaningless when `len == u32::MAX`.
    counts: [u8; 32],
    /// Length in characters; `u32::MAX` when a bucket overflowed (no bound).
    len: u32,
    /// The first (up to) four bytes, when the value is ASCII.
    head: [u8; 4],
    /// How many bytes of `head` are set; 0 for non-ASCII values (prefix unknown).
    head_len: u8,
}

impl CharShape {
    fn of(value: &str) -> Self {
        let mut counts = [0u8; 32];
        let mut len = 0u32;
        let mut overflow = false;
        for ch in value.chars() {
            let slot = &mut counts[(ch as u32 & 31) as usize];
            match slot.checked_add(1) {
                Some(n) => *slot = n,
                None => overflow = true,
            }
            len += 1;
        }
        let mut head = [0u8; 4];
        let mut head_len = 0u8;
        if value.is_ascii() {
            for (slot, &b) in head.iter_mut().zip(value.as_bytes()) {
                *slot = b;
                head_len += 1;
            }
        }
        CharShape {
            counts,
            len: if overflow { u32::MAX } else { len },
            head,
            head_len,
        }
    }

    /// An upper bound on `jaro_winkler(a, b)`; 1 when no bound is known.
    fn jaro_winkler_upper_bound(&self, other: &CharShape) -> f64 {
        if self.len == u32::MAX || other.len == u32::MAX || self.len == 0 || other.len == 0 {
            return 1.0;
        }
        let m: u32 = self
            .counts
            .iter()
            .zip(&other.counts)
            .map(|(x, y)| u32::from(*x.min(y)))
            .sum();
        let m = f64::from(m);
        let jaro = (m / f64::from(self.len) + m / f64::from(other.len) + 1.0) / 3.0;
        if jaro <= 0.7 {
            return jaro;
        }
        // The common prefix counts only up to 4 and only where both heads are
        // known (ASCII); otherwise assume the largest boost.
        let prefix = if self.head_len > 0 && other.head_len > 0 {
            let n = self.head_len.min(other.head_len) as usize;
            let same = self.head[..n]
                .iter()
                .zip(&other.head[..n])
                .take_while(|(x, y)| x == y)
                .count();
            // A head shorter than 4 that matched fully is the whole string:
            // the prefix cannot be longer.
            same as f64
        } else {
            4.0
        };
        jaro + prefix * 0.1 * (1.0 - jaro)
    }
}

/// Slack when comparing a bound with a threshold, so rounding in the bound
/// never rejects a pair whose exact similarity reaches the threshold.
const BOUND_SLACK: f64 = 1e-9;

/// One comparison made ready to evaluate on two encoded tables.
///
/// Both tables' distinct values (trimmed) are put in one shared dictionary,
/// so a value is an id valid on either side: `exact` is id equality, and
/// everything a level needs from a value (number, day count, generalized
/// form, character shape) is computed once per distinct value, not per pair.
pub(crate) struct PreparedComparison<'a> {
    pub comparison: &'a Comparison,
    pub left: &'a CategoricalColumn,
    pub right: &'a CategoricalColumn,
    /// Shared id per left code ([`NULL_ID`] for missing or suppressed).
    pub left_ids: Vec<u32>,
    /// Shared id per right code ([`NULL_ID`] for missing; suppressed too
    /// unless a generalized-compatible level can read `*`).
    pub right_ids: Vec<u32>,
    /// The shared dictionary: trimmed distinct values of both sides.
    values: Vec<&'a str>,
    num: Vec<Option<f64>>,
    days: Vec<Option<i64>>,
    /// Generalized form of the ids that occur on the right.
    gen: Vec<Option<GeneralizedValue>>,
    shapes: Vec<CharShape>,
    hierarchy: Option<&'a Hierarchy>,
}

fn column<'a>(table: &'a EncodedTable, name: &str) -> Result<&'a CategoricalColumn, LinkageError> {
    table
        .column(name)
        .ok_or_else(|| LinkageError::MissingColumn {
            source_name: table.source.clone(),
            column: name.to_string(),
            available: table.column_names().iter().map(|s| s.to_string()).collect(),
        })
}

impl<'a> PreparedComparison<'a> {
    pub fn new(
        comparison: &'a Comparison,
        left_table: &'a EncodedTable,
        right_table: &'a EncodedTable,
        hierarchy: Option<&'a Hierarchy>,
    ) -> Result<Self, LinkageError> {
        comparison.validate()?;
        let left = column(left_table, &comparison.left_column)?;
        let right = column(right_table, &comparison.right_column)?;
        let kinds: Vec<&LevelKind> = comparison.levels.iter().map(|l| &l.kind).collect();
        let wants_num = kinds.iter().any(|k| {
            matches!(
                k,
                LevelKind::AbsoluteDifferenceAtMost { .. }
                    | LevelKind::RelativeDifferenceAtMost { .. }
            )
        });
        let wants_days = kinds
            .iter()
            .any(|k| matches!(k, LevelKind::DateDifferenceAtMostDays { .. }));
        let wants_gen = kinds.contains(&&LevelKind::GeneralizedCompatible);
        let wants_jw = kinds
            .iter()
            .any(|k| matches!(k, LevelKind::JaroWinklerAtLeast { .. }));

        let mut index: PlHashMap<&'a str, u32> = PlHashMap::default();
        let mut values: Vec<&'a str> = Vec::new();
        let mut intern = |v: &'a str| -> u32 {
            let v = v.trim();
            *index.entry(v).or_insert_with(|| {
                values.push(v);
                (values.len() - 1) as u32
            })
        };
        let left_ids: Vec<u32> = (0..left.values.len())
            .map(|c| {
                if left.is_missing_code(c as u32) || left.suppressed[c] {
                    NULL_ID
                } else {
                    intern(&left.values[c])
                }
            })
            .collect();
        let right_ids: Vec<u32> = (0..right.values.len())
            .map(|c| {
                if right.is_missing_code(c as u32) || (right.suppressed[c] && !wants_gen) {
                    NULL_ID
                } else {
                    intern(&right.values[c])
                }
            })
            .collect();
        let num = if wants_num {
            values
                .iter()
                .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
                .collect()
        } else {
            Vec::new()
        };
        let days = if wants_days {
            values.iter().map(|v| iso_date_days(v)).collect()
        } else {
            Vec::new()
        };
        let gen = if wants_gen {
            let mut gen = vec![None; values.len()];
            for &id in right_ids.iter().filter(|&&id| id != NULL_ID) {
                if gen[id as usize].is_none() {
                    gen[id as usize] = GeneralizedValue::parse(values[id as usize]).ok();
                }
            }
            gen
        } else {
            Vec::new()
        };
        let shapes = if wants_jw {
            values.iter().map(|v| CharShape::of(v)).collect()
        } else {
            Vec::new()
        };
        Ok(PreparedComparison {
            comparison,
            left,
            right,
            left_ids,
            right_ids,
            values,
            num,
            days,
            gen,
            shapes,
            hierarchy,
        })
    }

    /// Number of ids in the shared dictionary.
    pub fn n_values(&self) -> usize {
        self.values.len()
    }

    /// The level index (gamma) of the pair (left row `l`, right row `r`).
    #[cfg(test)]
    pub fn gamma(&self, l: usize, r: usize) -> u8 {
        self.gamma_of_ids(
            self.left_ids[self.left.codes[l] as usize],
            self.right_ids[self.right.codes[r] as usize],
        )
    }

    /// The level index of a left value with shared id `a` against a right
    /// value with shared id `b`: the first level whose condition holds.
    pub fn gamma_of_ids(&self, a: u32, b: u32) -> u8 {
        if a == NULL_ID || b == NULL_ID {
            return 0;
        }
        let (ai, bi) = (a as usize, b as usize);
        let levels = &self.comparison.levels;
        // A comparison with several thresholds on one measure computes it
        // (and the Jaro-Winkler bound) once.
        let (mut jw, mut jw_bound, mut lev, mut dl) = (None, None, None, None);
        for (i, level) in levels.iter().enumerate().skip(1) {
            let hit = match &level.kind {
                LevelKind::Null => false,
                LevelKind::Else => true,
                LevelKind::Exact => a == b,
                LevelKind::JaroWinklerAtLeast { threshold } => {
                    let bound = *jw_bound.get_or_insert_with(|| {
                        self.shapes[ai].jaro_winkler_upper_bound(&self.shapes[bi])
                    });
                    bound + BOUND_SLACK >= *threshold
                        && *jw.get_or_insert_with(|| jaro_winkler(self.values[ai], self.values[bi]))
                            >= *threshold
                }
                LevelKind::LevenshteinAtMost { max } => {
                    *lev.get_or_insert_with(|| levenshtein(self.values[ai], self.values[bi]))
                        <= *max
                }
                LevelKind::DamerauLevenshteinAtMost { max } => {
                    *dl.get_or_insert_with(|| damerau_levenshtein(self.values[ai], self.values[bi]))
                        <= *max
                }
                LevelKind::AbsoluteDifferenceAtMost { max } => match (self.num[ai], self.num[bi]) {
                    (Some(x), Some(y)) => (x - y).abs() <= *max,
                    _ => false,
                },
                LevelKind::RelativeDifferenceAtMost { max } => match (self.num[ai], self.num[bi]) {
                    (Some(x), Some(y)) => {
                        let d = x.abs().max(y.abs());
                        d == 0.0 || (x - y).abs() / d <= *max
                    }
                    _ => false,
                },
                LevelKind::DateDifferenceAtMostDays { max_days } => {
                    match (self.days[ai], self.days[bi]) {
                        (Some(x), Some(y)) => ((x - y).abs() as f64) <= *max_days,
                        _ => false,
                    }
                }
                LevelKind::GeneralizedCompatible => self.gen[bi]
                    .as_ref()
                    .is_some_and(|g| g.contains_with(self.values[ai], self.hierarchy)),
            };
            if hit {
                return i as u8;
            }
        }
        (levels.len() - 1) as u8
    }
}

/// All comparisons of a linkage made ready, with each table's shared ids laid
/// out row-major (`k` ids per row): a pair's comparison vector reads one
/// short run of memory per side instead of `k` scattered columns, which is
/// what bounds the speed of comparing tens of millions of blocked pairs.
pub(crate) struct PreparedComparisons<'a> {
    /// The comparisons, in order.
    pub comparisons: Vec<PreparedComparison<'a>>,
    left_rows: Vec<u32>,
    right_rows: Vec<u32>,
    n_left: usize,
    n_right: usize,
}

impl<'a> PreparedComparisons<'a> {
    pub fn new(
        comparisons: &'a [Comparison],
        left: &'a EncodedTable,
        right: &'a EncodedTable,
        hierarchies: &'a HashMap<String, Hierarchy>,
    ) -> Result<Self, LinkageError> {
        let comparisons: Vec<PreparedComparison> = comparisons
            .iter()
            .map(|c| PreparedComparison::new(c, left, right, hierarchies.get(&c.left_column)))
            .collect::<Result<_, _>>()?;
        let rows = |n: usize, side: fn(&PreparedComparison, usize) -> u32| -> Vec<u32> {
            let mut out = Vec::with_capacity(n * comparisons.len());
            for row in 0..n {
                out.extend(comparisons.iter().map(|p| side(p, row)));
            }
            out
        };
        let left_rows = rows(left.n_rows, |p, row| p.left_ids[p.left.codes[row] as usize]);
        let right_rows = rows(right.n_rows, |p, row| {
            p.right_ids[p.right.codes[row] as usize]
        });
        Ok(PreparedComparisons {
            comparisons,
            left_rows,
            right_rows,
            n_left: left.n_rows,
            n_right: right.n_rows,
        })
    }

    /// Number of comparisons (the length of a comparison vector).
    pub fn len(&self) -> usize {
        self.comparisons.len()
    }

    /// Rows of the left (original) table.
    pub fn n_left(&self) -> usize {
        self.n_left
    }

    /// Rows of the right (release) table.
    pub fn n_right(&self) -> usize {
        self.n_right
    }

    /// Writes the comparison vector of (left row `l`, right row `r`) into `out`.
    #[inline]
    pub fn vector_into(&self, l: usize, r: usize, out: &mut [u8]) {
        let k = self.comparisons.len();
        let a = &self.left_rows[l * k..(l + 1) * k];
        let b = &self.right_rows[r * k..(r + 1) * k];
        for (((slot, p), &x), &y) in out.iter_mut().zip(&self.comparisons).zip(a).zip(b) {
            *slot = p.gamma_of_ids(x, y);
        }
    }

    /// The shared id of left row `l` in comparison `c`.
    pub fn left_id(&self, l: usize, c: usize) -> u32 {
        self.left_rows[l * self.comparisons.len() + c]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cli_syntax() {
        let c = parse_comparisons("name:jw(0.92,0.8)+tf; age:num(1,5); zip=zip3:gen").unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].levels.len(), 5);
        assert_eq!(c[0].tf_level(), Some(1));
        assert_eq!(
            c[1].levels[3].kind,
            LevelKind::AbsoluteDifferenceAtMost { max: 5.0 }
        );
        assert_eq!(c[2].right_column, "zip3");
        assert_eq!(c[2].levels[2].kind, LevelKind::GeneralizedCompatible);
        assert!(parse_comparisons("name").is_err());
        assert!(parse_comparisons("name:jw").is_err());
        assert!(parse_comparisons("name:foo(1)").is_err());
        assert!(parse_comparisons("name:lev(1.5)").is_err());
    }

    #[test]
    fn gamma_levels() {
        let left = EncodedTable::new(
            "o",
            vec![
                CategoricalColumn::from_strs("name", &["martha", "dixon", "zed"]),
                CategoricalColumn::from_strs("age", &["34", "50", "71"]),
            ],
        );
        let right = EncodedTable::new(
            "r",
            vec![
                CategoricalColumn::from_strs("name", &["marhta", "dickson", "*"]),
                CategoricalColumn::from_strs("age", &["[30-40)", "52", "*"]),
            ],
        );
        let cs = parse_comparisons("name:jw(0.95,0.8);age:gen").unwrap();
        let name = PreparedComparison::new(&cs[0], &left, &right, None).unwrap();
        // martha/marhta 0.961 >= 0.95 -> level 2; dixon/dickson jw = 0.8533 -> level 3.
        assert_eq!(name.gamma(0, 0), 2);
        assert_eq!(name.gamma(1, 1), 3);
        assert_eq!(name.gamma(2, 0), 4);
        // suppressed name -> null
        assert_eq!(name.gamma(0, 2), 0);
        let age = PreparedComparison::new(&cs[1], &left, &right, None).unwrap();
        assert_eq!(age.gamma(0, 0), 2); // 34 in [30-40)
        assert_eq!(age.gamma(1, 0), 3); // 50 not in [30-40)
        assert_eq!(age.gamma(2, 2), 2); // * covers anything
    }

    proptest::proptest! {
        /// The character-count bound never lies below the exact similarity,
        /// for ASCII, non-ASCII, mixed, empty and long (> 64 byte) strings.
        #[test]
        fn jaro_winkler_bound_is_an_upper_bound(
            a in "[a-dé ]{0,12}|[a-z]{60,80}",
            b in "[a-dé ]{0,12}|[a-z]{60,80}",
        ) {
            let bound = CharShape::of(&a).jaro_winkler_upper_bound(&CharShape::of(&b));
            proptest::prop_assert!(jaro_winkler(&a, &b) <= bound + BOUND_SLACK, "{a:?} {b:?}");
        }

        /// Levels from shared ids (with the bound skipping Jaro-Winkler)
        /// equal the levels from the strings compared directly.
        #[test]
        fn levels_from_ids_equal_levels_from_strings(
            left in proptest::collection::vec("[abcé]{0,6}|\\*", 1..8),
            right in proptest::collection::vec("[abcé]{0,6}|\\*", 1..8),
        ) {
            let lt = EncodedTable::new("o", vec![CategoricalColumn::from_strs("n", &left)]);
            let rt = EncodedTable::new("r", vec![CategoricalColumn::from_strs("n", &right)]);
            let cs = parse_comparisons("n:jw(0.95,0.9,0.8,0.6)").unwrap();
            let p = PreparedComparison::new(&cs[0], &lt, &rt, None).unwrap();
            let thresholds = [0.95, 0.9, 0.8, 0.6];
            for (l, a) in left.iter().enumerate() {
                for (r, b) in right.iter().enumerate() {
                    let expected = if a.trim() == "*" || b.trim() == "*" {
                        0
                    } else if a.trim() == b.trim() {
                        1
                    } else {
                        let jw = jaro_winkler(a.trim(), b.trim());
                        thresholds.iter().position(|&t| jw >= t).map_or(6, |i| i as u8 + 2)
                    };
                    proptest::prop_assert_eq!(p.gamma(l, r), expected, "{:?} {:?}", a, b);
                }
            }
        }
    }

    #[test]
    fn jaro_winkler_bound_by_hand() {
        // martha/marhta: 6 shared characters, so the Jaro bound is 1 and the
        // boosted bound is 1; dixon/smith share only `i`: m <= 1,
        // jaro <= (1/5 + 1/5 + 1)/3 = 0.4667 (no boost below 0.7).
        let bound = |a: &str, b: &str| CharShape::of(a).jaro_winkler_upper_bound(&CharShape::of(b));
        assert_eq!(bound("martha", "marhta"), 1.0);
        assert!((bound("dixon", "smith") - 1.4 / 3.0).abs() < 1e-12);
        // abcd/abce: m <= 3, jaro <= (3/4 + 3/4 + 1)/3 = 5/6, prefix 3:
        // 5/6 + 0.3 * (1/6) = 0.8833...; the exact value is 0.8833 too
        // (3 matches, no transposition).
        assert!((bound("abcd", "abce") - (5.0 / 6.0 + 0.3 / 6.0)).abs() < 1e-12);
        assert!((jaro_winkler("abcd", "abce") - bound("abcd", "abce")).abs() < 1e-12);
    }

    #[test]
    fn gamma_dates_relative_and_edit_distances() {
        let left = EncodedTable::new(
            "o",
            vec![
                CategoricalColumn::from_strs("dob", &["2000-01-01", "2000-01-01", "bad"]),
                CategoricalColumn::from_strs("pay", &["100", "100", "0"]),
                CategoricalColumn::from_strs("name", &["smith", "smith", "jones"]),
            ],
        );
        let right = EncodedTable::new(
            "r",
            vec![
                CategoricalColumn::from_strs("dob", &["2000-01-08", "2000-03-01", "2000-01-01"]),
                CategoricalColumn::from_strs("pay", &["95", "80", "0"]),
                CategoricalColumn::from_strs("name", &["smtih", "smyth", "james"]),
            ],
        );
        let cs = parse_comparisons("dob:date(7,31);pay:rel(0.1);name:dl(1)").unwrap();
        let d = PreparedComparison::new(&cs[0], &left, &right, None).unwrap();
        assert_eq!(d.gamma(0, 0), 2); // 7 days
        assert_eq!(d.gamma(1, 1), 4); // 60 days > 31
        assert_eq!(d.gamma(2, 2), 4); // unparseable date: else
        let p = PreparedComparison::new(&cs[1], &left, &right, None).unwrap();
        assert_eq!(p.gamma(0, 0), 2); // |100 - 95| / 100 = 0.05
        assert_eq!(p.gamma(1, 1), 3); // 0.2 > 0.1
        assert_eq!(p.gamma(2, 2), 1); // exact "0"
        let n = PreparedComparison::new(&cs[2], &left, &right, None).unwrap();
        assert_eq!(n.gamma(0, 0), 2); // adjacent transposition: OSA 1
        assert_eq!(n.gamma(1, 1), 2); // one substitution
        assert_eq!(n.gamma(2, 2), 3); // jones/james: two substitutions
    }
}
