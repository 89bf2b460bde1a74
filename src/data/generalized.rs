//! Generalized release values: what an anonymizer writes instead of an original value.
//!
//! Anonymizers and hand-made releases spell generalized values in several ways.
//! [`GeneralizedValue::parse`] reads them all into one model, and
//! [`GeneralizedValue::contains`] answers the question a linkage attack asks:
//! *could this release value have been produced from that original value?*
//!
//! | text | meaning | kind |
//! |---|---|---|
//! | `37`, `Female` | the value itself | [`Exact`](GeneralizedValue::Exact) |
//! | `[30-40)`, `[30,40)`, `(30-40]`, `[20-30]`, `[-5.5,0)` | numeric interval, bracket = inclusive, parenthesis = exclusive | [`Interval`](GeneralizedValue::Interval) |
//! | `[30,40[`, `]30,40]` | ARX / ISO 31-11 notation: an outward bracket is exclusive | `Interval` |
//! | `30-39`, `30..39` | inclusive range (both ends included, as ARX and sdcMicro print integer bands) | `Interval` |
//! | `>=40`, `>40`, `<=20`, `<20` (also `≥`, `≤`) | half-open interval | `Interval` |
//! | `123**`, `47***` | masked: the original has the same length and starts with the prefix | [`Masked`](GeneralizedValue::Masked) |
//! | `25-00*` in a code column where no original has 6 characters | open mask: the prefix and one or more characters ([`ColumnComparator::open_prefix`](super::ColumnComparator::open_prefix)) | `Masked` |
//! | `{a,b}`, `{a, b}`, `{[0-5),[10-15)}` | any of the elements | [`Set`](GeneralizedValue::Set) |
//! | `*`, `*****` | suppressed: could be anything | [`Suppressed`](GeneralizedValue::Suppressed) |
//! | empty, `?`, `null`, `NULL`, `NaN` | missing ([`DEFAULT_MISSING_TOKENS`]) | [`Missing`](GeneralizedValue::Missing) |
//!
//! The bracket conventions follow ARX (Prasser & Kohlmayer, "Putting statistical
//! disclosure control into practice: the ARX data anonymization tool", 2015),
//! whose interval hierarchies print `[20, 30[`, and the usual mathematical
//! `[20, 30)`. Text that merely resembles a pattern but whose parts are not
//! numbers (`<=50K`, `[unknown]`, `2020-01-05`) stays an exact value, so
//! categorical labels are never misread as intervals.
//!
//! This module parses and matches single values. It does not decide which
//! column is generalized (see [`roles`](super::roles)) and does not build
//! generalizations (see `anonymize`).
//!
//! Why this file is long: a third of it (about 250 lines) is the parser's
//! tests, one per syntax and per error message; the code itself is about 450
//! lines.

use std::fmt;

use super::hierarchy::Hierarchy;
use super::tokens::{is_suppressed_token, DEFAULT_MISSING_TOKENS};
use super::DataError;

/// One finite end of a numeric interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The end point.
    pub value: f64,
    /// True when the end point itself belongs to the interval.
    pub inclusive: bool,
}

impl Bound {
    /// An inclusive end point.
    pub fn inclusive(value: f64) -> Self {
        Bound {
            value,
            inclusive: true,
        }
    }

    /// An exclusive end point.
    pub fn exclusive(value: f64) -> Self {
        Bound {
            value,
            inclusive: false,
        }
    }
}

/// A release value, parsed. See the module documentation for the accepted spellings.
#[derive(Debug, Clone, PartialEq)]
pub enum GeneralizedValue {
    /// A plain value (trimmed), matched by equality (numerically when both sides are numbers).
    Exact(String),
    /// A numeric interval; `None` means unbounded on that side.
    Interval {
        /// Lower end, `None` for `<x` / `<=x`.
        low: Option<Bound>,
        /// Upper end, `None` for `>x` / `>=x`.
        high: Option<Bound>,
    },
    /// A masked value such as `123**`: the original starts with `prefix` and is
    /// `len` characters long.
    Masked {
        /// The characters kept.
        prefix: String,
        /// Total length in characters, masked ones included.
        len: usize,
    },
    /// A set of alternatives such as `{a,b}`; each element is itself parsed.
    Set(Vec<GeneralizedValue>),
    /// A suppressed value (`*`, `*****`): it could stand for any original.
    Suppressed,
    /// A missing value (empty, `?`, `null`, `NULL`, `NaN`).
    Missing,
}

fn malformed(value: &str, message: impl Into<String>) -> DataError {
    DataError::BadGeneralizedValue {
        location: None,
        value: value.to_string(),
        message: message.into(),
    }
}

/// Parses a finite-or-infinite number; NaN is not a number here.
fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|x| !x.is_nan())
}

/// Splits the inside of a range into two numbers: `30-40`, `30,40`, `30;40`,
/// `30..40`, `-5.5--1`, `-5.5, 0`.
fn split_range(inner: &str) -> Option<(f64, f64)> {
    for sep in [",", ";", "..", "\u{2013}"] {
        if let Some((a, b)) = inner.split_once(sep) {
            if let (Some(a), Some(b)) = (number(a), number(b)) {
                return Some((a, b));
            }
        }
    }
    // A hyphen separates the ends, but may also be a sign: try every hyphen
    // after the first character and keep the first split into two numbers.
    inner
        .char_indices()
        .filter(|&(i, c)| c == '-' && i > 0)
        .find_map(|(i, _)| Some((number(&inner[..i])?, number(&inner[i + 1..])?)))
}

fn to_bound(value: f64, inclusive: bool) -> Option<Bound> {
    value.is_finite().then_some(Bound { value, inclusive })
}

/// Builds an interval from two ends after checking low <= high.
fn interval(
    text: &str,
    low: f64,
    low_inclusive: bool,
    high: f64,
    high_inclusive: bool,
) -> Result<GeneralizedValue, DataError> {
    if low > high {
        return Err(malformed(
            text,
            format!(
                "the lower end {low} is above the upper end {high}; write the smaller number first"
            ),
        ));
    }
    if low == high && !(low_inclusive && high_inclusive) {
        return Err(malformed(
            text,
            "the interval is empty (equal ends, one excluded); write the single value instead",
        ));
    }
    Ok(GeneralizedValue::Interval {
        low: to_bound(low, low_inclusive),
        high: to_bound(high, high_inclusive),
    })
}

/// Splits the inside of `{...}` at top-level commas, keeping intervals such as
/// `[30,40[` or `(1,2]` whole: an opening bracket only counts at the start of
/// an element.
fn split_set_elements(inner: &str) -> Vec<&str> {
    let mut elements = Vec::new();
    let mut start = 0;
    let mut in_interval = false;
    let mut at_element_start = true;
    for (i, c) in inner.char_indices() {
        if at_element_start {
            if c.is_whitespace() {
                continue;
            }
            at_element_start = false;
            if matches!(c, '[' | '(' | ']') {
                in_interval = true;
                continue;
            }
        }
        if in_interval {
            if matches!(c, ']' | ')' | '[') {
                in_interval = false;
            }
        } else if c == ',' {
            elements.push(&inner[start..i]);
            start = i + 1;
            at_element_start = true;
        }
    }
    elements.push(&inner[start..]);
    elements
}

impl GeneralizedValue {
    /// Parses one release value (white space around it is ignored).
    ///
    /// Only text that is clearly a malformed generalization is an error: an
    /// interval whose lower end is above its upper end, an empty interval, or
    /// an empty set `{}`. Anything that matches no pattern is an
    /// [`Exact`](GeneralizedValue::Exact) value.
    pub fn parse(text: &str) -> Result<Self, DataError> {
        let t = text.trim();
        if DEFAULT_MISSING_TOKENS.contains(&t) {
            return Ok(GeneralizedValue::Missing);
        }
        if is_suppressed_token(t) {
            return Ok(GeneralizedValue::Suppressed);
        }
        if let Some(inner) = t.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            if inner.trim().is_empty() {
                return Err(malformed(
                    t,
                    "an empty set covers no value; use `*` for a suppressed value",
                ));
            }
            return split_set_elements(inner)
                .into_iter()
                .map(Self::parse)
                .collect::<Result<Vec<_>, _>>()
                .map(GeneralizedValue::Set);
        }
        for (prefix, is_low, inclusive) in [
            (">=", true, true),
            ("\u{2265}", true, true),
            ("<=", false, true),
            ("\u{2264}", false, true),
            (">", true, false),
            ("<", false, false),
        ] {
            if let Some(rest) = t.strip_prefix(prefix) {
                if let Some(x) = number(rest) {
                    if x.is_infinite() {
                        return Err(malformed(t, "a comparison needs a finite number"));
                    }
                    let bound = Some(Bound {
                        value: x,
                        inclusive,
                    });
                    return Ok(if is_low {
                        GeneralizedValue::Interval {
                            low: bound,
                            high: None,
                        }
                    } else {
                        GeneralizedValue::Interval {
                            low: None,
                            high: bound,
                        }
                    });
                }
                return Ok(GeneralizedValue::Exact(t.to_string()));
            }
        }
        let mut chars = t.chars();
        if let (Some(first), Some(last)) = (chars.next(), chars.next_back()) {
            if matches!(first, '[' | '(' | ']') && matches!(last, ']' | ')' | '[') {
                let inner = &t[first.len_utf8()..t.len() - last.len_utf8()];
                if let Some((low, high)) = split_range(inner) {
                    return interval(t, low, first == '[', high, last == ']');
                }
                return Ok(GeneralizedValue::Exact(t.to_string()));
            }
        }
        for sep in ["..", "-", "\u{2013}"] {
            let split = if sep == "-" {
                split_range_hyphen_only(t)
            } else {
                t.split_once(sep)
                    .and_then(|(a, b)| Some((number(a)?, number(b)?)))
            };
            if let Some((low, high)) = split {
                // Without brackets the text is ambiguous (a score `50-40`, a
                // code): only an ordered pair is read as a range.
                if low <= high {
                    return interval(t, low, true, high, true);
                }
                return Ok(GeneralizedValue::Exact(t.to_string()));
            }
        }
        if t.ends_with('*') {
            let prefix = t.trim_end_matches('*');
            if !prefix.contains('*') {
                return Ok(GeneralizedValue::Masked {
                    prefix: prefix.to_string(),
                    len: t.chars().count(),
                });
            }
        }
        Ok(GeneralizedValue::Exact(t.to_string()))
    }

    /// Parses a release value of a code column (see [`crate::data::kinds`]):
    /// like [`parse`](Self::parse) but never a numeric range or comparison, so
    /// `01-01301` stays the code it is. Suppressed, missing, masked (`01-013**`)
    /// and set values (`{01-01301,01-01302}`, elements read the same way) keep
    /// their meaning; everything else is [`Exact`](GeneralizedValue::Exact).
    pub fn parse_code(text: &str) -> Self {
        let t = text.trim();
        if DEFAULT_MISSING_TOKENS.contains(&t) {
            return GeneralizedValue::Missing;
        }
        if is_suppressed_token(t) {
            return GeneralizedValue::Suppressed;
        }
        if let Some(inner) = t.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            if !inner.trim().is_empty() {
                return GeneralizedValue::Set(
                    inner.split(',').map(GeneralizedValue::parse_code).collect(),
                );
            }
        }
        if t.ends_with('*') {
            let prefix = t.trim_end_matches('*');
            if !prefix.contains('*') {
                return GeneralizedValue::Masked {
                    prefix: prefix.to_string(),
                    len: t.chars().count(),
                };
            }
        }
        GeneralizedValue::Exact(t.to_string())
    }

    /// True when this release value could have been produced from `original`:
    /// an interval contains it (as a number), a mask matches its prefix and
    /// length, a set has a matching element, a suppressed value matches
    /// everything, a missing value matches a missing original, and an exact
    /// value matches an equal original (numerically equal counts: `40` = `40.0`).
    pub fn contains(&self, original: &str) -> bool {
        let o = original.trim();
        match self {
            GeneralizedValue::Suppressed => true,
            GeneralizedValue::Missing => DEFAULT_MISSING_TOKENS.contains(&o),
            GeneralizedValue::Exact(v) => {
                v == o || matches!((number(v), number(o)), (Some(a), Some(b)) if a == b)
            }
            GeneralizedValue::Interval { low, high } => number(o).is_some_and(|x| {
                let above_low = low.is_none_or(|b| {
                    if b.inclusive {
                        x >= b.value
                    } else {
                        x > b.value
                    }
                });
                let below_high = high.is_none_or(|b| {
                    if b.inclusive {
                        x <= b.value
                    } else {
                        x < b.value
                    }
                });
                above_low && below_high
            }),
            GeneralizedValue::Masked { prefix, len } => {
                o.starts_with(prefix.as_str()) && o.chars().count() == *len
            }
            GeneralizedValue::Set(items) => items.iter().any(|g| g.contains(o)),
        }
    }

    /// Like [`contains`](Self::contains), and also true when the release value
    /// is a node of `hierarchy` that is `original` itself or one of its
    /// ancestors (e.g. `respiratory infection` covers `flu`). Without a
    /// hierarchy, or for an original the hierarchy does not list, this is
    /// `contains`.
    pub fn contains_with(&self, original: &str, hierarchy: Option<&Hierarchy>) -> bool {
        let o = original.trim();
        match (self, hierarchy) {
            (GeneralizedValue::Exact(label), Some(h)) if h.is_ancestor_or_self(label, o) => true,
            (GeneralizedValue::Set(items), Some(_)) => {
                items.iter().any(|g| g.contains_with(o, hierarchy))
            }
            _ => self.contains(o),
        }
    }

    /// True for [`Suppressed`](GeneralizedValue::Suppressed).
    pub fn is_suppressed(&self) -> bool {
        matches!(self, GeneralizedValue::Suppressed)
    }

    /// True for [`Missing`](GeneralizedValue::Missing).
    pub fn is_missing(&self) -> bool {
        matches!(self, GeneralizedValue::Missing)
    }

    /// True for every kind except an exact value or a missing one: the
    /// anonymizer coarsened or removed the original.
    pub fn is_generalized(&self) -> bool {
        !matches!(self, GeneralizedValue::Exact(_) | GeneralizedValue::Missing)
    }

    /// The half-open interval `[low, high)`.
    pub fn interval(low: f64, high: f64) -> Self {
        GeneralizedValue::Interval {
            low: Some(Bound::inclusive(low)),
            high: Some(Bound::exclusive(high)),
        }
    }
}

/// `30-39`-style ranges without brackets: a hyphen after the first character
/// splitting the text into two numbers.
fn split_range_hyphen_only(t: &str) -> Option<(f64, f64)> {
    t.char_indices()
        .filter(|&(i, c)| c == '-' && i > 0)
        .find_map(|(i, _)| Some((number(&t[..i])?, number(&t[i + 1..])?)))
}

impl fmt::Display for GeneralizedValue {
    /// A canonical spelling that [`GeneralizedValue::parse`] reads back to an
    /// equal value: `[30-40)`, `>=40`, `<20`, `123**`, `{a,b}`, `*`, `?`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeneralizedValue::Exact(v) => f.write_str(v),
            GeneralizedValue::Interval { low, high } => match (low, high) {
                (Some(l), Some(h)) => write!(
                    f,
                    "{}{}-{}{}",
                    if l.inclusive { '[' } else { '(' },
                    l.value,
                    h.value,
                    if h.inclusive { ']' } else { ')' }
                ),
                (Some(l), None) => {
                    write!(f, "{}{}", if l.inclusive { ">=" } else { ">" }, l.value)
                }
                (None, Some(h)) => {
                    write!(f, "{}{}", if h.inclusive { "<=" } else { "<" }, h.value)
                }
                (None, None) => f.write_str("*"),
            },
            GeneralizedValue::Masked { prefix, len } => {
                f.write_str(prefix)?;
                for _ in prefix.chars().count()..*len {
                    f.write_str("*")?;
                }
                Ok(())
            }
            GeneralizedValue::Set(items) => {
                f.write_str("{")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("}")
            }
            GeneralizedValue::Suppressed => f.write_str("*"),
            GeneralizedValue::Missing => f.write_str("?"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn g(text: &str) -> GeneralizedValue {
        GeneralizedValue::parse(text).unwrap()
    }

    fn iv(low: Option<(f64, bool)>, high: Option<(f64, bool)>) -> GeneralizedValue {
        let b = |(value, inclusive)| Bound { value, inclusive };
        GeneralizedValue::Interval {
            low: low.map(b),
            high: high.map(b),
        }
    }

    #[test]
    fn interval_spellings() {
        let half_open = iv(Some((30.0, true)), Some((40.0, false)));
        for text in [
            "[30-40)",
            "[30,40)",
            "[30, 40)",
            "[30,40[",
            " [30 - 40) ",
            "[30;40)",
            "[30..40)",
        ] {
            assert_eq!(g(text), half_open, "{text}");
        }
        assert_eq!(g("(30-40]"), iv(Some((30.0, false)), Some((40.0, true))));
        assert_eq!(g("]30,40]"), iv(Some((30.0, false)), Some((40.0, true))));
        assert_eq!(g("[20-30]"), iv(Some((20.0, true)), Some((30.0, true))));
        assert_eq!(g("(1,2)"), iv(Some((1.0, false)), Some((2.0, false))));
        // Inclusive plain ranges.
        assert_eq!(g("30-39"), iv(Some((30.0, true)), Some((39.0, true))));
        assert_eq!(g("30..39"), iv(Some((30.0, true)), Some((39.0, true))));
        // Comparisons.
        assert_eq!(g(">=40"), iv(Some((40.0, true)), None));
        assert_eq!(g(">40"), iv(Some((40.0, false)), None));
        assert_eq!(g("<20"), iv(None, Some((20.0, false))));
        assert_eq!(g("<= 20"), iv(None, Some((20.0, true))));
        assert_eq!(g("\u{2265}65"), iv(Some((65.0, true)), None));
        // Negative numbers and decimals.
        assert_eq!(g("[-5.5,0)"), iv(Some((-5.5, true)), Some((0.0, false))));
        assert_eq!(g("[-5.5-0)"), iv(Some((-5.5, true)), Some((0.0, false))));
        assert_eq!(g("[-10--2.5]"), iv(Some((-10.0, true)), Some((-2.5, true))));
        assert_eq!(g("-3--1"), iv(Some((-3.0, true)), Some((-1.0, true))));
        assert_eq!(g("<-1.5"), iv(None, Some((-1.5, false))));
        // An infinite end is an open end.
        assert_eq!(g("[40,inf)"), iv(Some((40.0, true)), None));
    }

    #[test]
    fn masks_sets_suppression_missing_and_exact() {
        assert_eq!(
            g("123**"),
            GeneralizedValue::Masked {
                prefix: "123".into(),
                len: 5
            }
        );
        assert_eq!(
            g("47***"),
            GeneralizedValue::Masked {
                prefix: "47".into(),
                len: 5
            }
        );
        let ab = GeneralizedValue::Set(vec![
            GeneralizedValue::Exact("a".into()),
            GeneralizedValue::Exact("b".into()),
        ]);
        assert_eq!(g("{a,b}"), ab);
        assert_eq!(g("{a, b}"), ab);
        assert_eq!(
            g("{[0,5[, [10-15)}"),
            GeneralizedValue::Set(vec![
                iv(Some((0.0, true)), Some((5.0, false))),
                iv(Some((10.0, true)), Some((15.0, false))),
            ])
        );
        assert_eq!(g("*"), GeneralizedValue::Suppressed);
        assert_eq!(g("*****"), GeneralizedValue::Suppressed);
        for missing in ["", "  ", "?", "null", "NULL", "NaN"] {
            assert_eq!(g(missing), GeneralizedValue::Missing, "{missing:?}");
        }
        // Look-alikes that are labels, not intervals or masks.
        for exact in [
            "<=50K",
            ">50K",
            "[unknown]",
            "2020-01-05",
            "-5",
            "37",
            "1e-5",
            "a*b",
            "Female",
            "50-40",
        ] {
            assert_eq!(g(exact), GeneralizedValue::Exact(exact.into()), "{exact}");
        }
        assert_eq!(g("  Female "), GeneralizedValue::Exact("Female".into()));
    }

    #[test]
    fn malformed_generalizations_are_errors() {
        for bad in ["[40-30)", "(5,5)", "[5,5)", "{}", "{ }"] {
            let err = GeneralizedValue::parse(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{bad}: {err}");
        }
        // A single point written as a closed interval is fine.
        assert_eq!(g("[5,5]"), iv(Some((5.0, true)), Some((5.0, true))));
    }

    #[test]
    fn contains_checks_bounds_masks_sets_and_suppression() {
        let v = g("[30-40)");
        assert!(v.contains("30") && v.contains("39.999") && v.contains(" 35 "));
        assert!(!v.contains("40") && !v.contains("29") && !v.contains("abc") && !v.contains(""));
        let v = g("(30-40]");
        assert!(!v.contains("30") && v.contains("40"));
        let v = g("30-39");
        assert!(v.contains("30") && v.contains("39") && !v.contains("39.5"));
        assert!(g(">=40").contains("40") && !g(">40").contains("40"));
        assert!(g("<20").contains("-100") && !g("<20").contains("20"));
        assert!(g("[-5.5,0)").contains("-5.5") && !g("[-5.5,0)").contains("0"));
        let m = g("476**");
        assert!(m.contains("47677") && m.contains("47602"));
        assert!(!m.contains("4767") && !m.contains("476777") && !m.contains("47767"));
        let s = g("{a, b}");
        assert!(s.contains("a") && s.contains("b") && !s.contains("c"));
        assert!(g("{[0,5[,[10-15)}").contains("12") && !g("{[0,5[,[10-15)}").contains("7"));
        let star = g("*");
        assert!(star.contains("anything") && star.contains("") && star.contains("?"));
        assert!(g("?").contains("") && g("?").contains("NULL") && !g("?").contains("x"));
        assert!(
            g("40").contains("40.0") && g("Male").contains("Male") && !g("Male").contains("male")
        );
    }

    #[test]
    fn contains_with_uses_hierarchy_ancestors() {
        let rows = vec![
            vec!["flu".into(), "respiratory infection".into(), "*".into()],
            vec!["gastritis".into(), "stomach disease".into(), "*".into()],
        ];
        let h = Hierarchy::from_rows("test", "disease", rows).unwrap();
        let node = g("respiratory infection");
        assert!(node.contains_with("flu", Some(&h)));
        assert!(!node.contains_with("gastritis", Some(&h)));
        assert!(!node.contains("flu"));
        assert!(g("flu").contains_with("flu", Some(&h)));
        assert!(g("{stomach disease, x}").contains_with("gastritis", Some(&h)));
        // Not a leaf of the hierarchy: plain matching.
        assert!(g("x").contains_with("x", Some(&h)));
        assert!(!g("respiratory infection").contains_with("cold", Some(&h)));
        assert!(g("[30-40)").contains_with("31", None));
    }

    #[test]
    fn display_is_canonical() {
        for (text, shown) in [
            ("[30,40[", "[30-40)"),
            ("(30-40]", "(30-40]"),
            ("30-39", "[30-39]"),
            (">=40", ">=40"),
            ("<20", "<20"),
            ("123**", "123**"),
            ("{a, b}", "{a,b}"),
            ("*****", "*"),
            ("", "?"),
            ("[-5.5,0)", "[-5.5-0)"),
        ] {
            assert_eq!(g(text).to_string(), shown, "{text}");
        }
        assert_eq!(
            GeneralizedValue::interval(20.0, 30.0).to_string(),
            "[20-30)"
        );
    }

    proptest! {
        #[test]
        fn a_number_generalized_to_its_interval_is_contained(
            x in -1.0e6f64..1.0e6, width in prop::sample::select(vec![0.5f64, 1.0, 5.0, 10.0, 100.0, 2.5e3])
        ) {
            // The ARX/Mondrian-style band of width `width` holding x.
            let low = (x / width).floor() * width;
            let high = low + width;
            prop_assume!(low <= x && x < high);
            for text in [format!("[{low}-{high})"), format!("[{low},{high}["), format!("[{low}, {high})")] {
                let v = GeneralizedValue::parse(&text).unwrap();
                prop_assert!(v.contains(&x.to_string()), "{} should contain {}", text, x);
                prop_assert!(!v.contains(&high.to_string()));
                prop_assert!(v.contains(&low.to_string()));
            }
            let at_least = format!(">={low}");
            let below = format!("<{high}");
            prop_assert!(GeneralizedValue::parse(&at_least).unwrap().contains(&x.to_string()));
            prop_assert!(GeneralizedValue::parse(&below).unwrap().contains(&x.to_string()));
        }

        #[test]
        fn an_integer_in_an_inclusive_range_is_contained(lo in -1000i64..1000, span in 0i64..100, k in 0i64..100) {
            let hi = lo + span;
            let x = lo + k.min(span);
            let v = GeneralizedValue::parse(&format!("{lo}-{hi}")).unwrap();
            prop_assert!(v.contains(&x.to_string()));
            prop_assert!(!v.contains(&(hi + 1).to_string()));
            prop_assert!(!v.contains(&(lo - 1).to_string()));
        }

        #[test]
        fn a_masked_code_contains_its_original(code in "[0-9A-Za-z]{2,12}", keep in 1usize..12) {
            let n = code.chars().count();
            let keep = keep.min(n - 1);
            let masked = format!("{}{}", &code[..keep], "*".repeat(n - keep));
            let v = GeneralizedValue::parse(&masked).unwrap();
            prop_assert!(v.contains(&code));
            let longer = format!("{code}0");
            prop_assert!(!v.contains(&longer));
            prop_assert_eq!(v.to_string(), masked);
        }

        #[test]
        fn set_membership(items in prop::collection::vec("[a-z]{1,6}", 1..6), other in "[A-Z]{1,6}") {
            let text = format!("{{{}}}", items.join(", "));
            let v = GeneralizedValue::parse(&text).unwrap();
            for item in &items {
                prop_assert!(v.contains(item));
            }
            prop_assert!(!v.contains(&other));
        }

        #[test]
        fn display_round_trips(lo in -1.0e4f64..1.0e4, w in 0.001f64..1.0e3, li: bool, hi: bool, kind in 0u8..3) {
            let value = match kind {
                0 => GeneralizedValue::Interval { low: Some(Bound { value: lo, inclusive: li }), high: Some(Bound { value: lo + w, inclusive: hi }) },
                1 => GeneralizedValue::Interval { low: Some(Bound { value: lo, inclusive: li }), high: None },
                _ => GeneralizedValue::Interval { low: None, high: Some(Bound { value: lo, inclusive: hi }) },
            };
            prop_assume!(lo + w > lo);
            prop_assert_eq!(GeneralizedValue::parse(&value.to_string()).unwrap(), value);
        }

        #[test]
        fn suppressed_contains_everything(s in ".{0,20}", stars in 1usize..8) {
            prop_assert!(GeneralizedValue::parse(&"*".repeat(stars)).unwrap().contains(&s));
        }
    }
}
