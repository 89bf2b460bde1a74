//! The SQL text of Fellegi-Sunter linkage on Spark (`engine::spark_link`,
//! feature `spark`), kept apart from the client so it is built and tested
//! without a server or the feature: comparisons as `CASE` expressions over
//! their levels (as Splink renders its `ComparisonLevel`s), blocking rules
//! as equi-join conditions and their union as a `UNION ALL` in which each
//! rule drops the pairs an earlier rule produced. The expressions read the
//! views `l` (originals) and `r` (release), whose columns `v0, v1, ...` are
//! the values as the readers see them ([`value_expr`]).

// Without the `spark` feature only the tests read this SQL.
#![cfg_attr(not(feature = "spark"), allow(dead_code))]

use super::EngineError;
use crate::attacks::linkage::{BlockingRule, Comparison, KeyTransform, LevelKind};
use crate::data::MissingPolicy;

/// A Spark SQL identifier in backticks.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A Spark SQL string literal.
pub(crate) fn quote_str(value: &str) -> String {
    let mut out = String::from("'");
    for ch in value.chars() {
        match ch {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The columns each side reads, as `v0, v1, ...` of the `l` and `r` views.
pub(crate) struct Columns {
    /// Original columns read, in `v` order.
    pub(crate) left: Vec<String>,
    /// Release columns read, in `v` order.
    pub(crate) right: Vec<String>,
}

impl Columns {
    fn index(list: &mut Vec<String>, name: &str) -> usize {
        match list.iter().position(|c| c == name) {
            Some(i) => i,
            None => {
                list.push(name.to_string());
                list.len() - 1
            }
        }
    }
    /// The `l` view's expression of original column `name`.
    pub(crate) fn l(&mut self, name: &str) -> String {
        format!("l.v{}", Self::index(&mut self.left, name))
    }
    /// The `r` view's expression of release column `name`.
    pub(crate) fn r(&mut self, name: &str) -> String {
        format!("r.v{}", Self::index(&mut self.right, name))
    }
}

pub(crate) fn unsupported(what: &str) -> EngineError {
    EngineError::Unsupported(format!(
        "the Spark engine does not run {what}; use --engine in-process or partials:ROWS"
    ))
}

/// A double literal Spark reads back as the same f64.
pub(crate) fn double(x: f64) -> String {
    format!("CAST('{x:?}' AS DOUBLE)")
}

/// A column's value as the readers see it: text, trimmed; null for a
/// missing token or a suppression token.
pub(crate) fn value_expr(column: &str, missing: &MissingPolicy) -> String {
    let c = format!("trim(CAST({} AS STRING))", quote_ident(column));
    let mut tokens: Vec<String> = missing.tokens.iter().map(|t| quote_str(t.trim())).collect();
    tokens.push(quote_str(&missing.label));
    format!(
        "CASE WHEN {c} IS NULL OR {c} IN ({}) OR {c} RLIKE '^[*]+$' THEN NULL ELSE {c} END",
        tokens.join(", ")
    )
}

/// A rule's join condition (`l.k = r.k AND ...`); null keys never join.
pub(crate) fn rule_condition(
    rule: &BlockingRule,
    cols: &mut Columns,
) -> Result<String, EngineError> {
    Ok(rule_keys(rule, cols)?
        .iter()
        .map(|(l, r)| format!("{l} = {r}"))
        .collect::<Vec<_>>()
        .join(" AND "))
}

/// A rule's keys as (left, right) expressions.
pub(crate) fn rule_keys(
    rule: &BlockingRule,
    cols: &mut Columns,
) -> Result<Vec<(String, String)>, EngineError> {
    let mut parts = Vec::new();
    for key in &rule.keys {
        let (l, r) = (cols.l(&key.left_column), cols.r(&key.right_column));
        let (l, r) = match key.transform {
            KeyTransform::Exact => (l, r),
            KeyTransform::Prefix { n } => (
                format!("substring({l}, 1, {n})"),
                format!("substring({r}, 1, {n})"),
            ),
            KeyTransform::Soundex | KeyTransform::Year => {
                return Err(unsupported(&format!(
                    "the blocking key of `{}` (soundex and year keys)",
                    rule.describe()
                )))
            }
        };
        parts.push((l, r));
    }
    Ok(parts)
}

/// The `CASE` expression of one comparison's level (its gamma).
pub(crate) fn gamma_expr(c: &Comparison, cols: &mut Columns) -> Result<String, EngineError> {
    let (l, r) = (cols.l(&c.left_column), cols.r(&c.right_column));
    let x = format!("try_cast({l} AS DOUBLE)");
    let y = format!("try_cast({r} AS DOUBLE)");
    let finite = format!("abs({x}) < double('Infinity') AND abs({y}) < double('Infinity')");
    let mut sql = format!("CASE WHEN {l} IS NULL OR {r} IS NULL THEN 0");
    for (i, level) in c.levels.iter().enumerate().skip(1) {
        if level.term_frequency_adjusted {
            return Err(unsupported(&format!(
                "term-frequency adjustments (`{}`)",
                c.left_column
            )));
        }
        let cond = match &level.kind {
            LevelKind::Null => continue,
            LevelKind::Else => break,
            LevelKind::Exact => format!("{l} = {r}"),
            LevelKind::LevenshteinAtMost { max } => format!("levenshtein({l}, {r}) <= {max}"),
            LevelKind::AbsoluteDifferenceAtMost { max } => {
                format!("({finite} AND abs({x} - {y}) <= {})", double(*max))
            }
            LevelKind::RelativeDifferenceAtMost { max } => format!(
                "({finite} AND CASE WHEN greatest(abs({x}), abs({y})) = 0 THEN true \
                 ELSE abs({x} - {y}) / greatest(abs({x}), abs({y})) <= {} END)",
                double(*max)
            ),
            other => {
                return Err(unsupported(&format!(
                    "the level `{}` of `{}` ({other:?})",
                    level.label, c.left_column
                )))
            }
        };
        sql.push_str(&format!(" WHEN {cond} THEN {i}"));
    }
    sql.push_str(&format!(" ELSE {} END", c.levels.len() - 1));
    Ok(sql)
}

/// The union of `rules` as `SELECT <select> FROM l JOIN r ...` branches
/// (every pair once); no rule is the cross join.
pub(crate) fn union_sql(rules: &[String], select: &str) -> String {
    if rules.is_empty() {
        return format!("SELECT {select} FROM l CROSS JOIN r");
    }
    rules
        .iter()
        .enumerate()
        .map(|(i, cond)| {
            let earlier: Vec<String> = rules[..i]
                .iter()
                .map(|e| format!(" AND NOT coalesce({e}, false)"))
                .collect();
            format!(
                "SELECT {select} FROM l JOIN r ON {cond}{}",
                earlier.join("")
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attacks::linkage::{parse_blocking_rules, parse_comparisons};

    #[test]
    fn comparisons_become_case_expressions_and_rules_a_deduplicated_union() {
        let mut cols = Columns {
            left: Vec::new(),
            right: Vec::new(),
        };
        let c = parse_comparisons("age:num(1,3);name:lev(1)").unwrap();
        assert_eq!(
            gamma_expr(&c[1], &mut cols).unwrap(),
            "CASE WHEN l.v1 IS NULL OR r.v1 IS NULL THEN 0 WHEN l.v1 = r.v1 THEN 1 \
             WHEN levenshtein(l.v1, r.v1) <= 1 THEN 2 ELSE 3 END"
                .replace("v1", "v0")
        );
        let age = gamma_expr(&c[0], &mut cols).unwrap();
        assert!(age.contains("abs(try_cast(l.v1 AS DOUBLE) - try_cast(r.v1 AS DOUBLE)) <= CAST('1.0' AS DOUBLE)) THEN 2"), "{age}");
        assert!(age.ends_with("ELSE 4 END"), "{age}");
        let rules = parse_blocking_rules("zip; prefix(2):name").unwrap();
        let conds: Vec<String> = rules
            .iter()
            .map(|r| rule_condition(r, &mut cols).unwrap())
            .collect();
        assert_eq!(conds[1], "substring(l.v0, 1, 2) = substring(r.v0, 1, 2)");
        assert_eq!(
            union_sql(&conds, "l.mid"),
            "SELECT l.mid FROM l JOIN r ON l.v2 = r.v2 UNION ALL SELECT l.mid FROM l JOIN r ON \
             substring(l.v0, 1, 2) = substring(r.v0, 1, 2) AND NOT coalesce(l.v2 = r.v2, false)"
        );
        let jw = parse_comparisons("name:jw(0.9)").unwrap();
        let e = gamma_expr(&jw[0], &mut cols).unwrap_err().to_string();
        assert!(
            e.contains("jaro_winkler") && e.contains("partials:ROWS"),
            "{e}"
        );
        let tf = parse_comparisons("name:exact+tf").unwrap();
        assert!(gamma_expr(&tf[0], &mut cols).is_err());
        let sx = parse_blocking_rules("soundex:name").unwrap();
        assert!(rule_condition(&sx[0], &mut cols).is_err());
        assert_eq!(double(0.1), "CAST('0.1' AS DOUBLE)");
    }
}
