//! Value kinds: how a column's release values are compared with its original values.
//!
//! A release value such as `01-01301` is a range to one reader (1 to 1301) and an
//! area code to another. Reading it the wrong way is not a small error: when a
//! code is read as a range, no original row is compatible with any release row,
//! every attack finds zero candidates, and a claim such as "at most 5% of rows
//! can be re-identified" passes on records released unchanged. So this module
//! decides, per column, **how** a release value is compared before any attack
//! compares it, and it compares **exactly first**:
//!
//! 1. a release value that is suppressed (`*`) or missing is compatible with
//!    every original value (the anonymizer removed it);
//! 2. a release value equal (as trimmed text) to the original value is
//!    compatible with it, whatever it looks like;
//! 3. a release value that is a node of the column's hierarchy is judged by the
//!    hierarchy alone (ancestor or self);
//! 4. otherwise the column's [`ValueKind`] says how to read it:
//!    * [`Code`](ValueKind::Code): text labels and codes (area codes with
//!      hyphens, ids, categories). A release value can mask a code (`01-013**`)
//!      or list several (`{01-01301,01-01302}`, elements compared as text), but
//!      is never read as a number range;
//!    * [`Number`](ValueKind::Number): numbers; a release value may be an
//!      interval (`[30-40)`, `30-39`, `>=40`), a mask of the digits or a set,
//!      compared numerically (`40` = `40.0`);
//!    * [`Generalized`](ValueKind::Generalized): the original (attacker's) values
//!      are themselves generalized, e.g. identified records with age bands
//!      `30-39` linked to a release with the same or other bands. Compatibility
//!      is then **overlap** of the two generalized values, not containment of an
//!      exact value.
//!
//! [`detect_kind`] reads the kind off a column's distinct original values: a
//! column whose originals look like ranges or masks is a code when those shapes
//! cannot be generalizations (a number part with a leading zero such as `01`,
//! or range-shaped values that overlap each other, which the bands of one
//! generalization never do) and generalized otherwise; a column of numbers is a
//! number; anything else is a code. A user can override the detection per
//! column (`kinds = { PUMA = "code" }` in an audit config, `--kind COL=code`
//! on the command line).
//!
//! This module decides compatibility of single values and of whole columns'
//! dictionaries ([`compatible_codes`]); it does not run attacks.

use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::encoded::{is_suppressed_token, CategoricalColumn};
use super::generalized::{Bound, GeneralizedValue};
use super::hierarchy::Hierarchy;
use super::DataError;

/// How a column's release values are compared with its original values
/// (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// Text labels and codes: exact text, masks, sets and hierarchy nodes; never ranges.
    Code,
    /// Numbers: exact (numerically), intervals, masks, sets and hierarchy nodes.
    Number,
    /// The originals are generalized themselves: values are compatible when they overlap.
    Generalized,
}

impl ValueKind {
    /// The name used in configs, flags and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Code => "code",
            ValueKind::Number => "number",
            ValueKind::Generalized => "generalized",
        }
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ValueKind {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "code" => Ok(ValueKind::Code),
            "number" => Ok(ValueKind::Number),
            "generalized" => Ok(ValueKind::Generalized),
            other => Err(DataError::Parse {
                source_name: "column kind".into(),
                message: format!(
                    "unknown column kind `{other}`; use `code`, `number` or `generalized`"
                ),
            }),
        }
    }
}

/// The kind a column was compared as, and why (shown in reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnKind {
    /// The column (release name).
    pub column: String,
    /// The kind used.
    pub kind: ValueKind,
    /// True when the user set the kind; false when [`detect_kind`] chose it.
    pub overridden: bool,
    /// Why this kind (the detection's reason, or "set by the user").
    pub reason: String,
}

/// Share of distinct non-missing original values that must be numbers for a
/// column to be read as [`ValueKind::Number`]. A few labels such as `90+` or
/// `unknown` among numbers keep the column numeric (they are then compared as
/// text); more than that and the column is a code.
pub const NUMBER_SHARE: f64 = 0.9;

/// Parses a finite number (no NaN, no infinity).
fn finite_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// True when `text` has a run of digits that starts with `0` and is followed by
/// another digit (`01`, `007`), not part of a decimal fraction (`0.5`, `3.05`):
/// numbers are not written that way, codes are.
fn has_leading_zero_part(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        let starts_run = i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.');
        starts_run && b[i] == b'0' && b.get(i + 1).is_some_and(|c| c.is_ascii_digit())
    })
}

/// The interval a value stands for, if it is numeric (`None` ends are unbounded): an exact number is a
/// point, an interval itself, a mask of digits the numbers with that prefix
/// and length (`123**` = `[12300, 12400)`).
pub fn as_interval(value: &GeneralizedValue) -> Option<(Option<Bound>, Option<Bound>)> {
    match value {
        GeneralizedValue::Exact(v) => {
            finite_number(v).map(|x| (Some(Bound::inclusive(x)), Some(Bound::inclusive(x))))
        }
        GeneralizedValue::Interval { low, high } => Some((*low, *high)),
        GeneralizedValue::Masked { prefix, len } => {
            let masked = len.checked_sub(prefix.chars().count())?;
            if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) || masked > 15 {
                return None;
            }
            let p: f64 = prefix.parse().ok()?;
            let scale = 10f64.powi(masked as i32);
            Some((
                Some(Bound::inclusive(p * scale)),
                Some(Bound::exclusive((p + 1.0) * scale)),
            ))
        }
        _ => None,
    }
}

/// True when two intervals share at least one number.
fn intervals_overlap(a: (Option<Bound>, Option<Bound>), b: (Option<Bound>, Option<Bound>)) -> bool {
    // The later of the two lower ends must lie below the earlier upper end.
    let low = match (a.0, b.0) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) => Some(
            if x.value > y.value || (x.value == y.value && !x.inclusive) {
                x
            } else {
                y
            },
        ),
    };
    let high = match (a.1, b.1) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) => Some(
            if x.value < y.value || (x.value == y.value && !x.inclusive) {
                x
            } else {
                y
            },
        ),
    };
    match (low, high) {
        (Some(l), Some(h)) => {
            l.value < h.value || (l.value == h.value && l.inclusive && h.inclusive)
        }
        _ => true,
    }
}

/// Reads a release value of a column of `kind`: a code is never a range.
pub fn read_release_value(text: &str, kind: ValueKind) -> Result<GeneralizedValue, DataError> {
    match kind {
        ValueKind::Code => Ok(GeneralizedValue::parse_code(text)),
        ValueKind::Number | ValueKind::Generalized => GeneralizedValue::parse(text),
    }
}

/// Reads the kind off a column's distinct original values (missing and
/// suppressed values left out); returns the kind and the reason, for the report.
pub fn detect_kind<'a, I>(distinct_originals: I) -> (ValueKind, String)
where
    I: IntoIterator<Item = &'a str>,
{
    let mut n = 0usize;
    let mut numbers = 0usize;
    let mut shaped: Vec<&str> = Vec::new();
    let mut ranges: Vec<(Option<Bound>, Option<Bound>)> = Vec::new();
    let mut code_like: Option<&str> = None;
    for v in distinct_originals {
        let t = v.trim();
        if t.is_empty() || is_suppressed_token(t) {
            continue;
        }
        n += 1;
        if finite_number(t).is_some() {
            numbers += 1;
            continue;
        }
        match GeneralizedValue::parse(t) {
            Ok(GeneralizedValue::Exact(_)) | Ok(GeneralizedValue::Missing) => {}
            Ok(g) => {
                if has_leading_zero_part(t) && code_like.is_none() {
                    code_like = Some(t);
                }
                if let GeneralizedValue::Interval { low, high } = g {
                    ranges.push((low, high));
                }
                shaped.push(t);
            }
            // Malformed as a generalization (e.g. `50-40`): plain text.
            Err(_) => {}
        }
    }
    if n == 0 {
        return (
            ValueKind::Code,
            "no original value to read the kind from; compared as text".into(),
        );
    }
    if !shaped.is_empty() {
        if let Some(example) = code_like {
            return (
                ValueKind::Code,
                format!(
                    "{} of {n} distinct original values look like ranges or masks but have a leading zero (shaped like `{}`): codes, compared as text",
                    shaped.len(),
                    shape_of(example)
                ),
            );
        }
        ranges.sort_by(|a, b| {
            let lo =
                |r: &(Option<Bound>, Option<Bound>)| r.0.map_or(f64::NEG_INFINITY, |b| b.value);
            lo(a).total_cmp(&lo(b))
        });
        if let Some(w) = ranges.windows(2).find(|w| intervals_overlap(w[0], w[1])) {
            let _ = w;
            return (
                ValueKind::Code,
                format!(
                    "{} of {n} distinct original values look like ranges, but the ranges overlap (the bands of a generalization do not): codes, compared as text",
                    shaped.len()
                ),
            );
        }
        return (
            ValueKind::Generalized,
            format!(
                "{} of {n} distinct original values are generalized (disjoint ranges, masks or sets, e.g. shaped like `{}`): compatible when the values overlap",
                shaped.len(),
                shape_of(shaped[0])
            ),
        );
    }
    if numbers as f64 >= NUMBER_SHARE * n as f64 {
        (
            ValueKind::Number,
            format!("{numbers} of {n} distinct original values are numbers"),
        )
    } else {
        (
            ValueKind::Code,
            format!("{} of {n} distinct original values are text", n - numbers),
        )
    }
}

/// The shape of a value without the value: digits become `9`, letters `a`,
/// everything else is kept (`01-01301` -> `99-99999`). Reports show shapes
/// where showing a value could disclose it.
pub fn shape_of(value: &str) -> String {
    value
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_digit() {
                '9'
            } else if c.is_alphabetic() {
                'a'
            } else {
                c
            }
        })
        .collect()
}

/// One value prepared for comparison: trimmed text, its reading and whether it
/// is a node of the column's hierarchy (worked out once per distinct value).
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedValue {
    /// The trimmed text.
    pub text: String,
    /// Missing (for an original) or missing/suppressed reading (for a release value).
    pub missing: bool,
    /// The value read as the column's kind reads it.
    pub reading: GeneralizedValue,
    /// True when the text is a node (any level) of the column's hierarchy.
    pub node: bool,
}

/// Compares the values of one column: its [`ValueKind`] and optional hierarchy.
/// The same comparator serves the QI join, the inference attacks and
/// distance-based linkage, so all of them read a value the same way.
#[derive(Debug, Clone, Copy)]
pub struct ColumnComparator<'a> {
    /// How release values are read.
    pub kind: ValueKind,
    /// The column's generalization hierarchy, if any.
    pub hierarchy: Option<&'a Hierarchy>,
}

impl<'a> ColumnComparator<'a> {
    /// A comparator for a column of `kind` with an optional hierarchy.
    pub fn new(kind: ValueKind, hierarchy: Option<&'a Hierarchy>) -> Self {
        ColumnComparator { kind, hierarchy }
    }

    fn is_node(&self, text: &str) -> bool {
        self.hierarchy.is_some_and(|h| h.level_of(text).is_some())
    }

    /// Prepares a release value (errors on a malformed generalization such as `[40-30]`).
    pub fn prepare_release(&self, raw: &str, missing: bool) -> Result<PreparedValue, DataError> {
        let text = raw.trim().to_string();
        let reading = if missing {
            GeneralizedValue::Missing
        } else {
            read_release_value(&text, self.kind)?
        };
        Ok(PreparedValue {
            missing: matches!(
                reading,
                GeneralizedValue::Missing | GeneralizedValue::Suppressed
            ),
            node: self.is_node(&text),
            reading,
            text,
        })
    }

    /// Prepares an original (attacker's) value. Only a generalized column reads
    /// originals as generalizations; elsewhere an original is its text.
    pub fn prepare_original(&self, raw: &str, missing: bool) -> PreparedValue {
        let text = raw.trim().to_string();
        let reading = if missing {
            GeneralizedValue::Missing
        } else if is_suppressed_token(&text) {
            GeneralizedValue::Suppressed
        } else if self.kind == ValueKind::Generalized {
            GeneralizedValue::parse(&text).unwrap_or_else(|_| GeneralizedValue::Exact(text.clone()))
        } else {
            GeneralizedValue::Exact(text.clone())
        };
        PreparedValue {
            missing,
            node: self.kind == ValueKind::Generalized && self.is_node(&text),
            reading,
            text,
        }
    }

    /// The prefix of an *open mask*: in a code column, a release value that
    /// ends in exactly one `*` after a non-empty prefix (`25-00*`). ARX and
    /// sdcMicro print one `*` per masked character (`25-00***`), and that
    /// fixed-length reading is tried first; but a single `*` is also the
    /// everyday wildcard for "and the rest" (SQL `LIKE '25-00%'`, a shell
    /// glob). When the fixed-length reading is compatible with no original
    /// value at all, the anonymizer cannot have meant it, and the value is
    /// read as its prefix followed by one or more characters
    /// ([`compatible_open`](Self::compatible_open)). Only code columns: a
    /// single `*` after digits in a numeric column (`5*`) names no range.
    pub fn open_prefix<'v>(&self, release: &'v PreparedValue) -> Option<&'v str> {
        match (&release.reading, self.kind) {
            (GeneralizedValue::Masked { prefix, len }, ValueKind::Code)
                if !prefix.is_empty() && *len == prefix.chars().count() + 1 =>
            {
                Some(prefix.as_str())
            }
            _ => None,
        }
    }

    /// The open-mask reading of [`open_prefix`](Self::open_prefix): the
    /// original starts with `prefix` and has at least one more character.
    pub fn compatible_open(&self, prefix: &str, original: &PreparedValue) -> bool {
        !original.missing
            && !original.reading.is_suppressed()
            && original.text.len() > prefix.len()
            && original.text.starts_with(prefix)
    }

    /// Whether a release value is compatible with an original value; the rules
    /// are the module documentation's, in that order.
    pub fn compatible(&self, release: &PreparedValue, original: &PreparedValue) -> bool {
        if release.missing {
            return true;
        }
        if original.missing {
            return false;
        }
        if original.reading.is_suppressed() {
            // A suppressed value in the attacker's own data could be anything.
            return self.kind == ValueKind::Generalized;
        }
        if release.text == original.text {
            return true;
        }
        let (r, o, h) = (&release.text, &original.text, self.hierarchy);
        if let (true, Some(h)) = (release.node, h) {
            return h.is_ancestor_or_self(r, o) || (original.node && share_a_leaf(h, r, o));
        }
        match self.kind {
            ValueKind::Code => code_contains(&release.reading, o, h),
            ValueKind::Number => release.reading.contains_with(o, h),
            ValueKind::Generalized => overlaps(&release.reading, &original.reading, h),
        }
    }
}

/// True when two hierarchy nodes cover a common leaf (one is an ancestor of the other).
fn share_a_leaf(h: &Hierarchy, a: &str, b: &str) -> bool {
    h.is_ancestor_or_self(a, b)
        || h.is_ancestor_or_self(b, a)
        || h.leaves_under(a)
            .iter()
            .any(|leaf| h.is_ancestor_or_self(b, leaf))
}

/// Containment for codes: text equality (no numeric equality: `01` is not `1`),
/// masks, sets and hierarchy ancestors.
fn code_contains(
    release: &GeneralizedValue,
    original: &str,
    hierarchy: Option<&Hierarchy>,
) -> bool {
    match release {
        GeneralizedValue::Exact(v) => {
            v == original || hierarchy.is_some_and(|h| h.is_ancestor_or_self(v, original))
        }
        GeneralizedValue::Set(items) => items.iter().any(|g| code_contains(g, original, hierarchy)),
        GeneralizedValue::Masked { .. }
        | GeneralizedValue::Suppressed
        | GeneralizedValue::Missing => release.contains(original),
        // `parse_code` never yields an interval; one built by hand is read as text.
        GeneralizedValue::Interval { .. } => false,
    }
}

/// True when two generalized values can stand for a common original value.
pub fn overlaps(a: &GeneralizedValue, b: &GeneralizedValue, hierarchy: Option<&Hierarchy>) -> bool {
    use GeneralizedValue as G;
    match (a, b) {
        (G::Suppressed, _) | (_, G::Suppressed) => true,
        (G::Missing, G::Missing) => true,
        (G::Missing, _) | (_, G::Missing) => false,
        (G::Set(items), other) | (other, G::Set(items)) => {
            items.iter().any(|g| overlaps(g, other, hierarchy))
        }
        (G::Exact(x), G::Exact(y)) => {
            x == y
                || matches!((finite_number(x), finite_number(y)), (Some(p), Some(q)) if p == q)
                || hierarchy.is_some_and(|h| {
                    h.level_of(x).is_some() && h.level_of(y).is_some() && share_a_leaf(h, x, y)
                })
        }
        (G::Masked { prefix: p, len: m }, G::Masked { prefix: q, len: n }) => {
            m == n && (p.starts_with(q.as_str()) || q.starts_with(p.as_str()))
        }
        (G::Masked { .. }, G::Exact(v)) => a.contains(v),
        (G::Exact(v), G::Masked { .. }) => b.contains(v),
        _ => match (as_interval(a), as_interval(b)) {
            (Some(x), Some(y)) => intervals_overlap(x, y),
            _ => false,
        },
    }
}

/// For each release code of `release`, the original codes of `original` it is
/// compatible with ([`ColumnComparator::compatible`]; an open mask such as
/// `25-00*` that no original fits at its length is read as a prefix, see
/// [`ColumnComparator::open_prefix`]). Work: one comparison per pair of
/// distinct values, in parallel over release values.
pub fn compatible_codes(
    original: &CategoricalColumn,
    release: &CategoricalColumn,
    comparator: ColumnComparator<'_>,
    source: &str,
) -> Result<Vec<Vec<u32>>, DataError> {
    compatible_codes_read(original, release, comparator, source).map(|m| m.compatible)
}

/// What [`compatible_codes_read`] found: the compatible original codes per
/// release code, and the release codes read as open masks (prefix and any
/// further characters) because no original fits their fixed-length reading
/// and some fit the open one.
#[derive(Debug, Clone, PartialEq)]
pub struct CompatibleCodes {
    /// Per release code, the compatible original codes, ascending.
    pub compatible: Vec<Vec<u32>>,
    /// Release codes read as open masks, ascending.
    pub open_masks: Vec<u32>,
}

/// [`compatible_codes`], also saying which release values were read as open
/// masks, so a report can tell the reader how a value like `25-00*` was taken.
pub fn compatible_codes_read(
    original: &CategoricalColumn,
    release: &CategoricalColumn,
    comparator: ColumnComparator<'_>,
    source: &str,
) -> Result<CompatibleCodes, DataError> {
    let releases: Vec<PreparedValue> = release
        .values
        .iter()
        .enumerate()
        .map(|(code, raw)| {
            comparator
                .prepare_release(raw, release.is_missing_code(code as u32))
                .map_err(|e| match e {
                    DataError::BadGeneralizedValue { value, message, .. } => {
                        DataError::BadGeneralizedValue {
                            location: Some(format!("{source}: column `{}`", release.name)),
                            value,
                            message,
                        }
                    }
                    other => other,
                })
        })
        .collect::<Result<_, _>>()?;
    let originals: Vec<PreparedValue> = original
        .values
        .iter()
        .enumerate()
        .map(|(code, raw)| comparator.prepare_original(raw, original.is_missing_code(code as u32)))
        .collect();
    let read: Vec<(Vec<u32>, bool)> = releases
        .par_iter()
        .map(|r| {
            let fixed: Vec<u32> = (0..originals.len() as u32)
                .filter(|&c| comparator.compatible(r, &originals[c as usize]))
                .collect();
            let open: Vec<u32> = match comparator.open_prefix(r) {
                Some(prefix) if fixed.is_empty() => (0..originals.len() as u32)
                    .filter(|&c| comparator.compatible_open(prefix, &originals[c as usize]))
                    .collect(),
                _ => Vec::new(),
            };
            if open.is_empty() {
                (fixed, false)
            } else {
                (open, true)
            }
        })
        .collect();
    let open_masks = (0..read.len() as u32)
        .filter(|&c| read[c as usize].1)
        .collect();
    Ok(CompatibleCodes {
        compatible: read.into_iter().map(|(c, _)| c).collect(),
        open_masks,
    })
}

/// The kind of a column: the user's choice when given, else [`detect_kind`]
/// over the original column's distinct values.
pub fn column_kind(
    column: &str,
    original: &CategoricalColumn,
    user_choice: Option<ValueKind>,
) -> ColumnKind {
    match user_choice {
        Some(kind) => ColumnKind {
            column: column.to_string(),
            kind,
            overridden: true,
            reason: "set by the user".into(),
        },
        None => {
            let values = original
                .values
                .iter()
                .enumerate()
                .filter(|(c, _)| !original.is_missing_code(*c as u32))
                .map(|(_, v)| v.as_str());
            let (kind, reason) = detect_kind(values);
            ColumnKind {
                column: column.to_string(),
                kind,
                overridden: false,
                reason,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(release: &str, original: &str, kind: ValueKind) -> bool {
        check(release, original, kind, None)
    }

    fn check(release: &str, original: &str, kind: ValueKind, h: Option<&Hierarchy>) -> bool {
        let c = ColumnComparator::new(kind, h);
        let missing = original == "?";
        c.compatible(
            &c.prepare_release(release, false).unwrap(),
            &c.prepare_original(original, missing),
        )
    }

    /// Compatible original values per release value, by text, and the
    /// release values read as open masks.
    fn read_codes(
        originals: &[&str],
        releases: &[&str],
        kind: ValueKind,
    ) -> (Vec<Vec<String>>, Vec<String>) {
        let o = CategoricalColumn::from_strs("puma", originals);
        let r = CategoricalColumn::from_strs("puma", releases);
        let read =
            compatible_codes_read(&o, &r, ColumnComparator::new(kind, None), "release").unwrap();
        let by_release = releases
            .iter()
            .map(|v| {
                let code = r.values.iter().position(|x| x == v).unwrap();
                let mut names: Vec<String> = read.compatible[code]
                    .iter()
                    .map(|&c| o.values[c as usize].clone())
                    .collect();
                names.sort();
                names
            })
            .collect();
        let open = read
            .open_masks
            .iter()
            .map(|&c| r.values[c as usize].clone())
            .collect();
        (by_release, open)
    }

    #[test]
    fn a_single_star_is_one_character_when_an_original_fits_else_the_rest() {
        // NIST ACS PUMA codes (state-PUMA): all eight characters long.
        let originals = ["25-00101", "25-00102", "25-01201", "06-00101"];
        let releases = ["25-00***", "25-00*", "25-0010*", "2*", "9*", "25-00101"];
        let (by, open) = read_codes(&originals, &releases, ValueKind::Code);
        // One `*` per character, as ARX prints it.
        assert_eq!(by[0], ["25-00101", "25-00102"]);
        // `25-00*` fits no 6-character original: the prefix and the rest.
        assert_eq!(by[1], ["25-00101", "25-00102"]);
        // `25-0010*` is 8 characters long: the fixed reading fits, and is kept.
        assert_eq!(by[2], ["25-00101", "25-00102"]);
        assert_eq!(by[3], ["25-00101", "25-00102", "25-01201"]);
        assert!(by[4].is_empty(), "no original starts with 9");
        assert_eq!(by[5], ["25-00101"]);
        assert_eq!(open, ["25-00*", "2*"]);

        // Variable lengths: the fixed reading wins wherever one original fits.
        let (by, open) = read_codes(
            &["1234", "12345", "123456"],
            &["1234*", "123*"],
            ValueKind::Code,
        );
        assert_eq!(by[0], ["12345"]);
        assert_eq!(by[1], ["1234"]);
        assert!(open.is_empty());
        // The prefix itself is not "one or more characters" after it.
        let (by, _) = read_codes(&["12", "123"], &["12*"], ValueKind::Code);
        assert_eq!(by[0], ["123"]);
        let (by, _) = read_codes(&["12", "1234"], &["12*"], ValueKind::Code);
        assert_eq!(by[0], ["1234"]);

        // Numbers: `5*` stays a fixed-length mask (50-59), never "5 and the rest".
        let (by, open) = read_codes(&["5", "500", "5000"], &["5*"], ValueKind::Number);
        assert!(by[0].is_empty());
        assert!(open.is_empty());
    }

    #[test]
    fn hyphenated_codes_are_codes() {
        let (kind, reason) = detect_kind(["01-01301", "01-01302", "02-00100"]);
        assert_eq!(kind, ValueKind::Code, "{reason}");
        // Exact first: the code matches itself and nothing else.
        assert!(ok("01-01301", "01-01301", ValueKind::Code));
        assert!(!ok("01-01301", "01-01302", ValueKind::Code));
        // Read as a number range it would have contained 5 (1..1301) and not itself.
        assert!(ok("01-01301", "5", ValueKind::Number));
        // Masks and sets of codes work; elements compared as text.
        assert!(ok("01-013**", "01-01301", ValueKind::Code));
        assert!(!ok("01-013**", "01-01401", ValueKind::Code));
        assert!(ok("{01-01301,02-00100}", "02-00100", ValueKind::Code));
        assert!(!ok("{01-01301,02-00100}", "01-01302", ValueKind::Code));
        // Codes never compare numerically.
        assert!(!ok("01", "1", ValueKind::Code));
        assert!(ok("01", "1", ValueKind::Number));
    }

    #[test]
    fn overlapping_ranges_without_leading_zero_are_codes() {
        let (kind, _) = detect_kind(["100-200", "150-300", "abc"]);
        assert_eq!(kind, ValueKind::Code);
    }

    #[test]
    fn disjoint_bands_are_generalized_and_match_by_overlap() {
        let (kind, reason) = detect_kind(["30-39", "40-49", "50-59", "?"]);
        assert_eq!(kind, ValueKind::Generalized, "{reason}");
        let g = ValueKind::Generalized;
        assert!(ok("30-39", "30-39", g));
        assert!(ok("[30-40)", "30-39", g));
        assert!(ok("[35-45)", "40-49", g));
        assert!(!ok("[20-30)", "30-39", g));
        assert!(ok("30-49", "40-49", g));
        assert!(ok("*", "40-49", g));
        assert!(ok("37", "30-39", g));
        assert!(!ok("40", "30-39", g));
        // Masks against masks and numbers.
        assert!(ok("123**", "12***", g));
        assert!(!ok("124**", "123**", g));
        assert!(ok("[12300-12400)", "123**", g));
    }

    #[test]
    fn numbers_and_text() {
        assert_eq!(detect_kind(["17", "42.5", "90"]).0, ValueKind::Number);
        // 1 label among 10 numbers: still numbers (90% share).
        let mut v: Vec<String> = (0..9).map(|i| i.to_string()).collect();
        v.push("90+".into());
        assert_eq!(
            detect_kind(v.iter().map(String::as_str)).0,
            ValueKind::Number
        );
        assert_eq!(detect_kind(["Female", "Male"]).0, ValueKind::Code);
        // Dates are text, not ranges.
        assert_eq!(detect_kind(["2020-01-05", "2021-11-30"]).0, ValueKind::Code);
        assert!(ok("[30-40)", "37", ValueKind::Number));
        assert!(!ok("[30-40)", "40", ValueKind::Number));
        assert!(ok("40.0", "40", ValueKind::Number));
    }

    #[test]
    fn hierarchy_nodes_decide_alone() {
        let h = Hierarchy::from_rows(
            "h",
            "tenure",
            vec![
                vec!["0".into(), "0-3".into(), "*".into()],
                vec!["1".into(), "0-3".into(), "*".into()],
                vec!["2".into(), "0-3".into(), "*".into()],
                vec!["3".into(), "3-5".into(), "*".into()],
            ],
        )
        .unwrap();
        assert!(check("0-3", "2", ValueKind::Number, Some(&h)));
        assert!(!check("0-3", "3", ValueKind::Number, Some(&h)));
        // Generalized attacker data: node against node overlaps through a leaf.
        assert!(check("*", "0-3", ValueKind::Generalized, Some(&h)));
        assert!(check("0-3", "0-3", ValueKind::Generalized, Some(&h)));
        assert!(check("*", "1", ValueKind::Generalized, Some(&h)));
    }

    #[test]
    fn missing_originals_match_only_suppressed_release_values() {
        assert!(!check("37", "?", ValueKind::Number, None));
        assert!(check("*", "?", ValueKind::Number, None));
    }

    #[test]
    fn leading_zero_detection() {
        assert!(has_leading_zero_part("01-01301"));
        assert!(has_leading_zero_part("A-007"));
        assert!(!has_leading_zero_part("0.5-1.5"));
        assert!(!has_leading_zero_part("30-39"));
        assert!(!has_leading_zero_part("0-9"));
        assert!(!has_leading_zero_part("3.05"));
    }

    #[test]
    fn shapes_hide_values() {
        assert_eq!(shape_of("01-01301"), "99-99999");
        assert_eq!(shape_of("Ab 3"), "aa 9");
    }
}
