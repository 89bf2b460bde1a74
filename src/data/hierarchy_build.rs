//! Generalization hierarchies built from the data, so an auditor does not
//! write ARX files by hand before the first audit.
//!
//! Four builders, each after one of ARX's hierarchy builders (Prasser &
//! Kohlmayer, "Putting statistical disclosure control into practice: the ARX
//! data anonymization tool", 2015; the builders are described in the ARX
//! manual, "Creating generalization hierarchies"):
//!
//! * [`numeric_intervals`] (ARX's interval-based builder): each number is put
//!   into the interval `[lo, hi[` of width `w` aligned at a multiple of `w`,
//!   for each width in turn; each width must be a multiple of the one before,
//!   so the intervals of one level nest in those of the next and the result
//!   is a hierarchy, not a list of unrelated binnings.
//! * [`digit_masks`] (ARX's redaction-based builder, right to left): `02139`
//!   -> `0213*` -> `021**` -> `02***` -> `0****` -> `*`. The masked values
//!   keep the length of the original, as [`GeneralizedValue`] reads masks.
//! * [`date_truncation`] (ARX's date builder, granularities day, month and
//!   year): `2024-03-17` (or `2024-03-17T09:30:00`) -> `2024-03-17` ->
//!   `2024-03` -> `2024` -> `*`.
//! * [`from_release`]: categories read off the release itself. Where a
//!   release shows labels no reader can interpret (`Married` for
//!   `Married-civ-spouse`), the truth key says which original values went
//!   into which label; the labels each original value was released as must
//!   nest (or the release used local recoding, which no single hierarchy
//!   describes, and the builder says so). Labels that read as intervals,
//!   masks or sets are left out: the value kinds of [`super::kinds`] compare
//!   them by what they say, not by which rows happened to carry them.
//!
//! What a builder cannot know it does not guess: a value that is not a
//! number, not a date, or a label the truth key never connects to an
//! original value is an error naming the value and the first data row that
//! holds it. Leaves a label never covered in the release are not placed
//! under it; an attack using the hierarchy then sees fewer candidates for
//! such a value, which errs toward a higher measured risk, the safe side for
//! an audit.
//!
//! Every hierarchy has the root `*` and one path per distinct non-missing
//! original value, all paths of the same length (ARX's requirement); a
//! shorter path repeats its last node before the root. [`Hierarchy::to_arx_csv`]
//! writes it in ARX's file format.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::encoded::CategoricalColumn;
use super::generalized::GeneralizedValue;
use super::hierarchy::Hierarchy;
use super::truth::TruthKey;
use super::DataError;

/// The root of every built hierarchy (ARX's suppressed value).
pub const ROOT: &str = "*";

/// Which builder makes a column's hierarchy.
#[derive(Debug, Clone, PartialEq)]
pub enum HierarchyRecipe {
    /// Numeric intervals of these widths, each a multiple of the one before.
    Intervals {
        /// Interval widths from the finest to the coarsest.
        widths: Vec<f64>,
    },
    /// Digit masks from the right, one more character per level.
    Masks,
    /// Day, month, year.
    Dates,
    /// Labels the release shows, placed by the truth key.
    FromRelease,
}

impl HierarchyRecipe {
    /// The recipe's name as the command line and the audit config spell it.
    pub fn name(&self) -> &'static str {
        match self {
            HierarchyRecipe::Intervals { .. } => "intervals",
            HierarchyRecipe::Masks => "masks",
            HierarchyRecipe::Dates => "dates",
            HierarchyRecipe::FromRelease => "release",
        }
    }
}

impl HierarchyRecipe {
    /// Parses a recipe as `reident hierarchy --build COLUMN=RECIPE` and the
    /// audit config's `hierarchy_recipes` spell it: `intervals:W1,W2,...`,
    /// `masks`, `dates` or `release`. The error says what is wrong.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (name, params) = spec.split_once(':').unwrap_or((spec, ""));
        Ok(match name.trim() {
            "intervals" => {
                let widths = params
                    .split(',')
                    .filter(|w| !w.trim().is_empty())
                    .map(|w| {
                        w.trim()
                            .parse::<f64>()
                            .map_err(|_| format!("width `{w}` is not a number"))
                    })
                    .collect::<Result<Vec<f64>, _>>()?;
                if widths.is_empty() {
                    return Err("intervals need widths".into());
                }
                HierarchyRecipe::Intervals { widths }
            }
            "masks" => HierarchyRecipe::Masks,
            "dates" => HierarchyRecipe::Dates,
            "release" => HierarchyRecipe::FromRelease,
            other => return Err(format!("unknown recipe `{other}`")),
        })
    }
}

/// The distinct release values of `release` that say something other than
/// an original value: not missing, not suppressed, not the text of a value
/// `original` holds. In order of first appearance.
pub fn generalized_release_values<'a>(
    original: &CategoricalColumn,
    release: &'a CategoricalColumn,
) -> Vec<&'a str> {
    let originals: BTreeSet<&str> = original.values.iter().map(|v| v.trim()).collect();
    distinct_with_rows(release)
        .into_iter()
        .map(|(v, _)| v)
        .filter(|v| {
            let t = v.trim();
            !originals.contains(t)
                && !matches!(
                    GeneralizedValue::parse(t),
                    Ok(GeneralizedValue::Suppressed | GeneralizedValue::Missing)
                )
        })
        .filter(|v| {
            let code = release.values.iter().position(|x| x == v);
            !code.is_some_and(|c| release.suppressed.get(c).copied().unwrap_or(false))
        })
        .collect()
}

/// Chooses the recipe for a quasi-identifier that has no hierarchy, from the
/// original column and what the release shows (the audit's default; a
/// config may name the recipe instead):
/// * nothing generalized in the release: `Ok(None)`, nothing to build;
/// * originals that are all ISO dates: [`HierarchyRecipe::Dates`];
/// * numbers (`is_number`) shown as intervals: [`HierarchyRecipe::Intervals`]
///   with the widths of the release's intervals, finest first (the
///   builder refuses widths that do not nest);
/// * values shown as masks (`021**`): [`HierarchyRecipe::Masks`];
/// * otherwise labels: [`HierarchyRecipe::FromRelease`], which needs the
///   truth key (`has_truth`); without one the error says so.
pub fn choose_recipe(
    original: &CategoricalColumn,
    release: &CategoricalColumn,
    is_number: bool,
    has_truth: bool,
) -> Result<Option<HierarchyRecipe>, String> {
    let shown = generalized_release_values(original, release);
    if shown.is_empty() {
        return Ok(None);
    }
    let all_dates = distinct_with_rows(original).iter().all(|(v, _)| {
        let b = v.trim().as_bytes();
        b.len() >= 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b[..4]
                .iter()
                .chain(&b[5..7])
                .chain(&b[8..10])
                .all(u8::is_ascii_digit)
    });
    if all_dates {
        return Ok(Some(HierarchyRecipe::Dates));
    }
    let parsed: Vec<GeneralizedValue> = shown
        .iter()
        .filter_map(|v| GeneralizedValue::parse(v).ok())
        .collect();
    if is_number {
        let mut widths: Vec<f64> = Vec::new();
        for g in &parsed {
            if let GeneralizedValue::Interval {
                low: Some(lo),
                high: Some(hi),
            } = g
            {
                let w = hi.value - lo.value;
                if w > 0.0 && !widths.iter().any(|x| (x - w).abs() < 1e-9) {
                    widths.push(w);
                }
            }
        }
        if !widths.is_empty() {
            widths.sort_by(f64::total_cmp);
            return Ok(Some(HierarchyRecipe::Intervals { widths }));
        }
    }
    if parsed
        .iter()
        .any(|g| matches!(g, GeneralizedValue::Masked { .. }))
    {
        return Ok(Some(HierarchyRecipe::Masks));
    }
    if has_truth {
        Ok(Some(HierarchyRecipe::FromRelease))
    } else {
        Err(format!(
            "the release shows labels such as `{}` that only the truth key can place (the `release` recipe); give the table a `truth` key, a `hierarchy_recipes` entry or a hierarchy file",
            shown[0].trim()
        ))
    }
}

/// The release values (from [`generalized_release_values`]) that no level of
/// `h` holds, with how many release rows show each: by text, or by meaning
/// for intervals, masks and sets (`[20-30)` is the node `[20, 30[`).
pub fn uncovered_release_values(
    h: &Hierarchy,
    original: &CategoricalColumn,
    release: &CategoricalColumn,
) -> Vec<(String, usize)> {
    let mut nodes: BTreeSet<&str> = BTreeSet::new();
    for leaf in h.leaves() {
        nodes.insert(leaf);
        for n in h.path(leaf).unwrap_or(&[]) {
            nodes.insert(n.as_str());
        }
    }
    let parsed: Vec<GeneralizedValue> = nodes
        .iter()
        .filter_map(|n| GeneralizedValue::parse(n).ok())
        .filter(GeneralizedValue::is_generalized)
        .collect();
    let mut rows: HashMap<&str, usize> = HashMap::new();
    for &c in &release.codes {
        *rows.entry(release.values[c as usize].as_str()).or_default() += 1;
    }
    generalized_release_values(original, release)
        .into_iter()
        .filter(|v| {
            let t = v.trim();
            !nodes.contains(t) && !GeneralizedValue::parse(t).is_ok_and(|g| parsed.contains(&g))
        })
        .map(|v| (v.trim().to_string(), rows.get(v).copied().unwrap_or(0)))
        .collect()
}

/// The distinct non-missing values of `column` with the 1-based data row
/// where each first occurs, in order of first appearance.
fn distinct_with_rows(column: &CategoricalColumn) -> Vec<(&str, usize)> {
    let mut first_row = vec![usize::MAX; column.values.len()];
    for (row, &code) in column.codes.iter().enumerate() {
        let slot = &mut first_row[code as usize];
        if *slot == usize::MAX {
            *slot = row + 1;
        }
    }
    let mut out: Vec<(&str, usize)> = column
        .values
        .iter()
        .enumerate()
        .filter(|&(code, _)| column.missing != Some(code as u32) && first_row[code] != usize::MAX)
        .map(|(code, v)| (v.as_str(), first_row[code]))
        .collect();
    out.sort_by_key(|&(_, row)| row);
    out
}

fn error(source: &str, attribute: &str, message: String) -> DataError {
    DataError::Hierarchy {
        source_name: format!("built for `{attribute}` from {source}"),
        line: None,
        message,
    }
}

/// Pads every path to the longest one by repeating its last node, then ends
/// each with [`ROOT`].
fn finish(
    source: &str,
    attribute: &str,
    mut paths: Vec<Vec<String>>,
) -> Result<Hierarchy, DataError> {
    if paths.is_empty() {
        return Err(error(
            source,
            attribute,
            "the column has no non-missing value to build a hierarchy from".into(),
        ));
    }
    if let Some(v) = paths
        .iter()
        .flatten()
        .find(|v| v.contains([';', '\n', '\r']))
    {
        return Err(error(
            source,
            attribute,
            format!(
                "value `{v}` holds `;` or a line break, which ARX's hierarchy format cannot store"
            ),
        ));
    }
    let depth = paths.iter().map(Vec::len).max().unwrap_or(1);
    for p in &mut paths {
        while p.len() < depth {
            let last = p[p.len() - 1].clone();
            p.push(last);
        }
        p.push(ROOT.to_string());
    }
    Hierarchy::from_rows(&format!("built from {source}"), attribute, paths)
}

/// A number as ARX prints interval ends: integers without a fraction.
fn format_bound(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The interval hierarchy of a numeric column: for each width `w`, the
/// value `x` falls into `[w*floor(x/w), w*floor(x/w) + w[` (ARX's
/// interval notation, read back by [`GeneralizedValue::parse`]).
///
/// Errors on a width that is not a positive finite number, on a width that
/// is not a whole multiple of the one before (the levels would not nest),
/// and on a value that is not a number (naming it and its first row).
pub fn numeric_intervals(
    source: &str,
    column: &CategoricalColumn,
    widths: &[f64],
) -> Result<Hierarchy, DataError> {
    let attribute = column.name.as_str();
    if widths.is_empty() {
        return Err(error(
            source,
            attribute,
            "give at least one interval width".into(),
        ));
    }
    for (i, &w) in widths.iter().enumerate() {
        if !(w.is_finite() && w > 0.0) {
            return Err(error(
                source,
                attribute,
                format!("interval width {w} is not a positive number"),
            ));
        }
        if i > 0 {
            let ratio = w / widths[i - 1];
            if ratio < 1.0 || (ratio - ratio.round()).abs() > 1e-9 {
                return Err(error(
                    source,
                    attribute,
                    format!(
                        "interval width {w} is not a whole multiple of the width before it ({}): the intervals of one level would not nest in the next; give widths such as 5,10,20",
                        widths[i - 1]
                    ),
                ));
            }
        }
    }
    let mut paths = Vec::new();
    for (value, row) in distinct_with_rows(column) {
        let x: f64 = value.trim().parse().ok().filter(|x: &f64| x.is_finite()).ok_or_else(|| {
            error(
                source,
                attribute,
                format!(
                    "value `{value}` (first at data row {row}) is not a number; interval hierarchies need a numeric column (use masks for codes)"
                ),
            )
        })?;
        let mut path = vec![value.to_string()];
        for &w in widths {
            let lo = (x / w).floor() * w;
            path.push(format!("[{}, {}[", format_bound(lo), format_bound(lo + w)));
        }
        paths.push(path);
    }
    finish(source, attribute, paths)
}

/// The right-to-left masking hierarchy of a code column (zip codes, area
/// codes, account numbers): level `i` replaces the last `i` characters by
/// `*`, up to all but the first; the root is `*`.
pub fn digit_masks(source: &str, column: &CategoricalColumn) -> Result<Hierarchy, DataError> {
    let attribute = column.name.as_str();
    let mut paths = Vec::new();
    for (value, _) in distinct_with_rows(column) {
        let chars: Vec<char> = value.chars().collect();
        let mut path = vec![value.to_string()];
        for masked in 1..chars.len() {
            let keep = chars.len() - masked;
            let mut s: String = chars[..keep].iter().collect();
            s.extend(std::iter::repeat_n('*', masked));
            path.push(s);
        }
        paths.push(path);
    }
    finish(source, attribute, paths)
}

/// Splits an ISO 8601 date or date-time into (day, month, year) labels.
fn iso_date(value: &str) -> Option<(String, String, String)> {
    let v = value.trim();
    let date = v.get(..10)?;
    let rest = &v[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    let b = date.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    let (y, m, d) = (&date[..4], &date[5..7], &date[8..10]);
    if !(digits(y) && digits(m) && digits(d)) {
        return None;
    }
    let (year, month, day): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > super::calendar::days_in_month(year as i64, month)
    {
        return None;
    }
    Some((date.to_string(), format!("{y}-{m}"), y.to_string()))
}

/// The date hierarchy of a column of ISO 8601 dates (`YYYY-MM-DD`, with an
/// optional time after `T` or a space): the day, the month, the year, `*`.
/// A date-time's first level is its day; a plain date repeats itself there.
pub fn date_truncation(source: &str, column: &CategoricalColumn) -> Result<Hierarchy, DataError> {
    let attribute = column.name.as_str();
    let mut paths = Vec::new();
    for (value, row) in distinct_with_rows(column) {
        let (day, month, year) = iso_date(value).ok_or_else(|| {
            error(
                source,
                attribute,
                format!(
                    "value `{value}` (first at data row {row}) is not an ISO 8601 date (YYYY-MM-DD, optionally followed by a time); convert the column or choose another recipe"
                ),
            )
        })?;
        paths.push(vec![value.to_string(), day, month, year]);
    }
    finish(source, attribute, paths)
}

/// The hierarchy of labels a release shows for a column, placed by the
/// truth key: original value `v` goes under label `L` when some release row
/// with value `L` came from an original row with value `v`.
///
/// Release values equal to the original, missing, suppressed (`*`) or
/// readable by themselves (intervals, masks, sets: see
/// [`GeneralizedValue::is_generalized`]) are not labels and are skipped.
/// The labels each original value went into must form a chain by inclusion
/// of the values they cover; otherwise the release recoded locally and the
/// builder names the value and the two labels. A label the truth key never
/// connects to an original value is an error too (the hierarchy would miss
/// it and every attack would find no candidate for its rows).
pub fn from_release(
    source: &str,
    original: &CategoricalColumn,
    release: &CategoricalColumn,
    truth: &TruthKey,
) -> Result<Hierarchy, DataError> {
    let attribute = original.name.as_str();
    if truth.n_release() != release.codes.len() {
        return Err(error(
            source,
            attribute,
            format!(
                "the truth key covers {} release rows but the release column has {}",
                truth.n_release(),
                release.codes.len()
            ),
        ));
    }
    let is_label: Vec<bool> = release
        .values
        .iter()
        .enumerate()
        .map(|(code, v)| {
            release.missing != Some(code as u32)
                && !release.suppressed.get(code).copied().unwrap_or(false)
                && !GeneralizedValue::parse(v).is_ok_and(|g| g.is_generalized())
                && !original.values.iter().any(|o| o.trim() == v.trim())
        })
        .collect();
    // label code -> original codes it covers.
    let mut covers: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    let mut first_label_row: HashMap<u32, usize> = HashMap::new();
    for (r, &label) in release.codes.iter().enumerate() {
        if !is_label[label as usize] {
            continue;
        }
        first_label_row.entry(label).or_insert(r + 1);
        let set = covers.entry(label).or_default();
        for &o in truth.originals_of(r as u32) {
            let code = original.codes[o as usize];
            if original.missing != Some(code) {
                set.insert(code);
            }
        }
    }
    if let Some((&label, _)) = covers.iter().find(|(_, s)| s.is_empty()) {
        return Err(error(
            source,
            attribute,
            format!(
                "release value `{}` (first at release data row {}) is a label the truth key connects to no original value, so the builder cannot place it; write this column's hierarchy by hand",
                release.values[label as usize],
                first_label_row[&label]
            ),
        ));
    }
    let mut paths = Vec::new();
    for (value, _) in distinct_with_rows(original) {
        let Some(code) = original.values.iter().position(|v| v == value) else {
            continue;
        };
        let code = code as u32;
        let mut chain: Vec<(usize, &str)> = covers
            .iter()
            .filter(|(_, s)| s.contains(&code))
            .map(|(&l, s)| (s.len(), release.values[l as usize].as_str()))
            .collect();
        chain.sort();
        for pair in chain.windows(2) {
            let (small, large) = (pair[0].1, pair[1].1);
            let label_code = |name: &str| {
                release
                    .values
                    .iter()
                    .position(|v| v == name)
                    .map(|c| &covers[&(c as u32)])
            };
            if let (Some(a), Some(b)) = (label_code(small), label_code(large)) {
                if !a.is_subset(b) {
                    return Err(error(
                        source,
                        attribute,
                        format!(
                            "value `{value}` was released both as `{small}` and as `{large}`, labels that cover overlapping but not nested sets of values: the release recoded locally and no single hierarchy describes it; write this column's hierarchy by hand or leave the column to the value kinds"
                        ),
                    ));
                }
            }
        }
        let mut path = vec![value.to_string()];
        path.extend(chain.into_iter().map(|(_, l)| l.to_string()));
        paths.push(path);
    }
    finish(source, attribute, paths)
}

/// Builds the hierarchy `recipe` names for `original` (with the release
/// column and truth key for [`HierarchyRecipe::FromRelease`]).
pub fn build(
    source: &str,
    recipe: &HierarchyRecipe,
    original: &CategoricalColumn,
    release: Option<(&CategoricalColumn, &TruthKey)>,
) -> Result<Hierarchy, DataError> {
    match recipe {
        HierarchyRecipe::Intervals { widths } => numeric_intervals(source, original, widths),
        HierarchyRecipe::Masks => digit_masks(source, original),
        HierarchyRecipe::Dates => date_truncation(source, original),
        HierarchyRecipe::FromRelease => {
            let (release, truth) = release.ok_or_else(|| {
                error(
                    source,
                    &original.name,
                    "the `release` recipe needs the release and a truth key (which release row came from which original row)".into(),
                )
            })?;
            from_release(source, original, release, truth)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnComparator;
    use crate::data::ValueKind;

    fn column(name: &str, values: &[&str]) -> CategoricalColumn {
        CategoricalColumn::encode(
            name,
            values.iter().map(|v| Some(*v)),
            |v| crate::data::DEFAULT_MISSING_TOKENS.contains(&v),
            "?",
        )
    }

    fn rows(h: &Hierarchy) -> String {
        h.to_arx_csv()
    }

    #[test]
    fn intervals_nest_and_read_back_as_intervals() {
        let c = column("age", &["23", "37", "?", "40", "23"]);
        let h = numeric_intervals("t.csv", &c, &[5.0, 10.0, 20.0]).unwrap();
        assert_eq!(
            rows(&h),
            "23;[20, 25[;[20, 30[;[20, 40[;*\n\
             37;[35, 40[;[30, 40[;[20, 40[;*\n\
             40;[40, 45[;[40, 50[;[40, 60[;*\n"
        );
        // Each node, read as a release value without the hierarchy, covers its leaf.
        let cmp = ColumnComparator::new(ValueKind::Number, None);
        for leaf in ["23", "37", "40"] {
            for node in h.path(leaf).unwrap() {
                let r = cmp.prepare_release(node, false).unwrap();
                assert!(
                    cmp.compatible(&r, &cmp.prepare_original(leaf, false)),
                    "{node} {leaf}"
                );
            }
        }
        // 40 is not in [35, 40[: the upper end is exclusive.
        let r = cmp.prepare_release("[35, 40[", false).unwrap();
        assert!(!cmp.compatible(&r, &cmp.prepare_original("40", false)));
    }

    #[test]
    fn intervals_refuse_widths_that_do_not_nest_and_non_numbers() {
        let c = column("age", &["23", "x"]);
        let err = numeric_intervals("t.csv", &c, &[5.0, 10.0])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`x`") && err.contains("data row 2"), "{err}");
        let c = column("age", &["23"]);
        let err = numeric_intervals("t.csv", &c, &[5.0, 12.0])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a whole multiple"), "{err}");
        let err = numeric_intervals("t.csv", &c, &[-1.0])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a positive number"), "{err}");
        // Negative values floor downwards.
        let c = column("t", &["-3", "2.5"]);
        let h = numeric_intervals("t.csv", &c, &[5.0]).unwrap();
        assert_eq!(rows(&h), "-3;[-5, 0[;*\n2.5;[0, 5[;*\n");
    }

    #[test]
    fn masks_keep_the_length_and_pad_short_codes() {
        let c = column("zip", &["02139", "021", "02139"]);
        let h = digit_masks("t.csv", &c).unwrap();
        assert_eq!(
            rows(&h),
            "02139;0213*;021**;02***;0****;*\n\
             021;02*;0**;0**;0**;*\n"
        );
        let cmp = ColumnComparator::new(ValueKind::Code, None);
        let r = cmp.prepare_release("021**", false).unwrap();
        assert!(cmp.compatible(&r, &cmp.prepare_original("02139", false)));
        assert!(!cmp.compatible(&r, &cmp.prepare_original("021", false)));
    }

    #[test]
    fn dates_truncate_to_month_and_year_and_reject_impossible_days() {
        let c = column(
            "opened",
            &["2024-02-29", "2023-12-01T09:30:00", "2024-02-29"],
        );
        let h = date_truncation("t.csv", &c).unwrap();
        assert_eq!(
            rows(&h),
            "2024-02-29;2024-02-29;2024-02;2024;*\n\
             2023-12-01T09:30:00;2023-12-01;2023-12;2023;*\n"
        );
        let c = column("opened", &["2024-01-01", "2023-02-29"]);
        let err = date_truncation("t.csv", &c).unwrap_err().to_string();
        assert!(
            err.contains("`2023-02-29`") && err.contains("data row 2"),
            "{err}"
        );
        let c = column("opened", &["12/Apr/26"]);
        assert!(date_truncation("t.csv", &c).is_err());
    }

    #[test]
    fn release_labels_are_placed_by_the_truth_key() {
        // Originals and a release generalized by hand; release row r came
        // from original row r.
        let original = column(
            "marital",
            &[
                "Married-civ-spouse",
                "Married-AF-spouse",
                "Divorced",
                "Never-married",
                "Divorced",
            ],
        );
        let release = column(
            "marital",
            &["Married", "Married", "Was-married", "Never-married", "*"],
        );
        let truth = TruthKey::new(5, (0..5).map(|i| (i, i)));
        let h = from_release("r.csv", &original, &release, &truth).unwrap();
        assert_eq!(
            rows(&h),
            "Married-civ-spouse;Married;*\n\
             Married-AF-spouse;Married;*\n\
             Divorced;Was-married;*\n\
             Never-married;Never-married;*\n"
        );
    }

    #[test]
    fn release_labels_that_nest_make_levels_and_crossing_labels_are_refused() {
        let original = column("job", &["nurse", "doctor", "nurse", "clerk"]);
        let release = column("job", &["care", "health", "health", "office"]);
        let truth = TruthKey::new(4, (0..4).map(|i| (i, i)));
        let h = from_release("r.csv", &original, &release, &truth).unwrap();
        assert_eq!(
            rows(&h),
            "nurse;care;health;*\ndoctor;health;health;*\nclerk;office;office;*\n"
        );
        // "care" covers {nurse, clerk} and "health" {nurse, doctor}: they cross.
        let release = column("job", &["care", "health", "health", "care"]);
        let err = from_release("r.csv", &original, &release, &truth)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("recoded locally") && err.contains("`nurse`"),
            "{err}"
        );
        // A label no truth pair explains is refused, naming its row.
        let truth = TruthKey::new(4, [(0, 0), (1, 1), (2, 2)]);
        let release = column("job", &["care", "health", "health", "office"]);
        let err = from_release("r.csv", &original, &release, &truth)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`office`") && err.contains("row 4"), "{err}");
    }

    #[test]
    fn interval_and_mask_release_values_are_not_labels() {
        let original = column("age", &["23", "37"]);
        let release = column("age", &["[20-30)", "3*"]);
        let truth = TruthKey::new(2, [(0, 0), (1, 1)]);
        let h = from_release("r.csv", &original, &release, &truth).unwrap();
        assert_eq!(rows(&h), "23;*\n37;*\n");
    }
}
