//! Comparisons as data, in the style of Splink: a [`Comparison`] is a column
//! and an ordered list of [`Level`]s; a record pair falls into the first level
//! whose condition holds (null first, `else` last). The level index is the
//! pair's *comparison vector* entry (gamma) used by Fellegi-Sunter.
//!
//! This module defines levels, parses the compact CLI syntax
//! (`name:jw(0.92,0.8);age:num(1,5);zip:exact`) and evaluates comparisons on
//! dictionary-encoded columns. It does not estimate m/u (see
//! [`super::fellegi_sunter`]).

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

/// One comparison made ready to evaluate on two encoded tables: per-code
/// parsed values, computed once per distinct value.
pub(crate) struct PreparedComparison<'a> {
    pub comparison: &'a Comparison,
    pub left: &'a CategoricalColumn,
    pub right: &'a CategoricalColumn,
    left_num: Vec<Option<f64>>,
    right_num: Vec<Option<f64>>,
    left_days: Vec<Option<i64>>,
    right_days: Vec<Option<i64>>,
    right_gen: Vec<Option<GeneralizedValue>>,
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
        let num = |c: &CategoricalColumn| -> Vec<Option<f64>> {
            if !wants_num {
                return Vec::new();
            }
            c.values
                .iter()
                .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
                .collect()
        };
        let days = |c: &CategoricalColumn| -> Vec<Option<i64>> {
            if !wants_days {
                return Vec::new();
            }
            c.values.iter().map(|v| iso_date_days(v)).collect()
        };
        let right_gen = if wants_gen {
            right
                .values
                .iter()
                .map(|v| GeneralizedValue::parse(v).ok())
                .collect()
        } else {
            Vec::new()
        };
        Ok(PreparedComparison {
            comparison,
            left,
            right,
            left_num: num(left),
            right_num: num(right),
            left_days: days(left),
            right_days: days(right),
            right_gen,
            hierarchy,
        })
    }

    /// True when the code of either side is missing or suppressed.
    fn is_null(&self, lc: u32, rc: u32) -> bool {
        self.left.is_missing_code(lc)
            || self.right.is_missing_code(rc)
            || self.left.suppressed[lc as usize]
            || (self.right.suppressed[rc as usize]
                && !self
                    .comparison
                    .levels
                    .iter()
                    .any(|l| l.kind == LevelKind::GeneralizedCompatible))
    }

    /// The level index (gamma) of the pair (left row `l`, right row `r`).
    pub fn gamma(&self, l: usize, r: usize) -> u8 {
        let lc = self.left.codes[l];
        let rc = self.right.codes[r];
        if self.is_null(lc, rc) {
            return 0;
        }
        let a = self.left.values[lc as usize].trim();
        let b = self.right.values[rc as usize].trim();
        let levels = &self.comparison.levels;
        // A comparison with several thresholds on one measure computes it once.
        let (mut jw, mut lev, mut dl) = (None, None, None);
        for (i, level) in levels.iter().enumerate().skip(1) {
            let hit = match &level.kind {
                LevelKind::Null => false,
                LevelKind::Else => true,
                LevelKind::Exact => a == b,
                LevelKind::JaroWinklerAtLeast { threshold } => {
                    *jw.get_or_insert_with(|| jaro_winkler(a, b)) >= *threshold
                }
                LevelKind::LevenshteinAtMost { max } => {
                    *lev.get_or_insert_with(|| levenshtein(a, b)) <= *max
                }
                LevelKind::DamerauLevenshteinAtMost { max } => {
                    *dl.get_or_insert_with(|| damerau_levenshtein(a, b)) <= *max
                }
                LevelKind::AbsoluteDifferenceAtMost { max } => {
                    match (self.left_num[lc as usize], self.right_num[rc as usize]) {
                        (Some(x), Some(y)) => (x - y).abs() <= *max,
                        _ => false,
                    }
                }
                LevelKind::RelativeDifferenceAtMost { max } => {
                    match (self.left_num[lc as usize], self.right_num[rc as usize]) {
                        (Some(x), Some(y)) => {
                            let d = x.abs().max(y.abs());
                            d == 0.0 || (x - y).abs() / d <= *max
                        }
                        _ => false,
                    }
                }
                LevelKind::DateDifferenceAtMostDays { max_days } => {
                    match (self.left_days[lc as usize], self.right_days[rc as usize]) {
                        (Some(x), Some(y)) => ((x - y).abs() as f64) <= *max_days,
                        _ => false,
                    }
                }
                LevelKind::GeneralizedCompatible => self.right_gen[rc as usize]
                    .as_ref()
                    .is_some_and(|g| g.contains_with(a, self.hierarchy)),
            };
            if hit {
                return i as u8;
            }
        }
        (levels.len() - 1) as u8
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
