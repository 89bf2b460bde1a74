//! [`ClassPartial`]: equivalence-class counts that merge exactly.
//!
//! A partial maps every combination of quasi-identifier (QI) and sensitive
//! values that occurs in its rows to a [`Group`]: how many rows hold it, the
//! first of them (0-based, in the whole input) and, while the group has fewer
//! rows than the target k, their row ids. Keys are the values as text (after
//! the missing-value policy of the reader), never per-partition codes, and
//! the map is ordered, so [`ClassPartial::merge`] is associative and
//! commutative and its result does not depend on how the rows were split.
//!
//! Everything the release-only metrics read follows from the merged groups:
//! a class is the set of groups sharing the QI values (suppression tokens of
//! a column are one value), its sensitive counts are the groups' counts, the
//! dictionaries are numbered in order of first appearance (the first row of
//! each value is the minimum over its groups), so the classes rebuilt by
//! [`EquivalenceClasses::from_groups`] are numbered as a one-pass build
//! numbers them and every metric, floating-point sums included, comes out
//! bit-for-bit the same. Only the rows of classes smaller than the target k
//! are listed (a class of size below k has every group below k, so their row
//! lists were all kept).
//!
//! This is the same group-by that `SELECT qi..., sa..., COUNT(*) ... GROUP BY
//! qi..., sa...` computes, which is how the Spark engine fills a partial.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::EngineError;
use crate::data::{is_suppressed_token, CategoricalColumn, EncodedTable};
use crate::privacy::{
    self, EquivalenceClasses, ListedRows, MetricsParams, MetricsReport, PrivacyError,
    SuppressedRows,
};

/// The rows of one combination of quasi-identifier and sensitive values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Rows holding the combination.
    pub count: u64,
    /// The first of them (0-based row id in the whole input).
    pub first_row: u64,
    /// Their row ids, ascending, while `count` is below the partial's target
    /// k; `None` once it is not (such a group's class is never listed).
    pub rows: Option<Vec<u64>>,
}

/// Mergeable equivalence-class partial (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassPartial {
    /// Quasi-identifier columns, in order.
    pub quasi_identifiers: Vec<String>,
    /// Sensitive columns, in order.
    pub sensitive: Vec<String>,
    /// Row ids are kept for groups smaller than this (the target k).
    pub target_k: u64,
    /// Rows covered by the partial.
    pub n_rows: u64,
    /// Key: the QI values then the sensitive values of the group.
    pub groups: BTreeMap<Vec<String>, Group>,
}

impl ClassPartial {
    /// An empty partial (the identity of [`merge`](Self::merge)).
    pub fn empty(quasi_identifiers: &[&str], sensitive: &[&str], target_k: u64) -> Self {
        ClassPartial {
            quasi_identifiers: quasi_identifiers.iter().map(|s| s.to_string()).collect(),
            sensitive: sensitive.iter().map(|s| s.to_string()).collect(),
            target_k,
            n_rows: 0,
            groups: BTreeMap::new(),
        }
    }

    /// The partial of rows `rows` of `table`; `table`'s row 0 is row
    /// `row_offset` of the whole input (0 when `table` is the whole input and
    /// `rows` a chunk of it; the chunk's start when `table` holds the chunk
    /// alone).
    ///
    /// Errors: a column not in the table, a range past its end.
    pub fn from_rows(
        table: &EncodedTable,
        quasi_identifiers: &[&str],
        sensitive: &[&str],
        target_k: u64,
        rows: Range<usize>,
        row_offset: u64,
    ) -> Result<Self, EngineError> {
        if rows.end > table.n_rows || rows.start > rows.end {
            return Err(EngineError::Unsupported(format!(
                "{}: rows {}..{} of a table of {} rows",
                table.source, rows.start, rows.end, table.n_rows
            )));
        }
        let columns = quasi_identifiers
            .iter()
            .map(|c| (c, "quasi-identifier"))
            .chain(sensitive.iter().map(|c| (c, "sensitive")))
            .map(|(name, role)| {
                table
                    .column(name)
                    .ok_or_else(|| PrivacyError::MissingColumn {
                        source_name: table.source.clone(),
                        role,
                        column: name.to_string(),
                        available: table.column_names().iter().map(|s| s.to_string()).collect(),
                    })
            })
            .collect::<Result<Vec<&CategoricalColumn>, _>>()?;
        let mut by_codes: HashMap<Vec<u32>, Group> = HashMap::new();
        let mut key: Vec<u32> = Vec::with_capacity(columns.len());
        for r in rows.clone() {
            key.clear();
            key.extend(columns.iter().map(|c| c.codes[r]));
            let id = row_offset + r as u64;
            match by_codes.get_mut(key.as_slice()) {
                Some(g) => {
                    g.count += 1;
                    add_row(g, id, target_k);
                }
                None => {
                    let mut g = Group {
                        count: 1,
                        first_row: id,
                        rows: Some(Vec::new()),
                    };
                    add_row(&mut g, id, target_k);
                    by_codes.insert(key.clone(), g);
                }
            }
        }
        let groups = by_codes
            .into_iter()
            .map(|(codes, g)| {
                let values = codes
                    .iter()
                    .zip(&columns)
                    .map(|(&c, col)| col.values[c as usize].clone())
                    .collect();
                (values, g)
            })
            .collect();
        Ok(ClassPartial {
            quasi_identifiers: quasi_identifiers.iter().map(|s| s.to_string()).collect(),
            sensitive: sensitive.iter().map(|s| s.to_string()).collect(),
            target_k,
            n_rows: rows.len() as u64,
            groups,
        })
    }

    /// The partials of `table` in chunks of `chunk_rows` rows, merged.
    pub fn from_chunks(
        table: &EncodedTable,
        quasi_identifiers: &[&str],
        sensitive: &[&str],
        target_k: u64,
        chunk_rows: usize,
    ) -> Result<Self, EngineError> {
        let mut total = ClassPartial::empty(quasi_identifiers, sensitive, target_k);
        let step = chunk_rows.max(1);
        let mut start = 0;
        while start < table.n_rows {
            let end = (start + step).min(table.n_rows);
            let part = ClassPartial::from_rows(
                table,
                quasi_identifiers,
                sensitive,
                target_k,
                start..end,
                0,
            )?;
            total.merge(part)?;
            start = end;
        }
        Ok(total)
    }

    /// Adds `other`'s rows to this partial (exact; associative and
    /// commutative). Errors when the two were computed over other columns or
    /// another target k.
    pub fn merge(&mut self, other: ClassPartial) -> Result<(), EngineError> {
        if self.quasi_identifiers != other.quasi_identifiers
            || self.sensitive != other.sensitive
            || self.target_k != other.target_k
        {
            return Err(EngineError::Mismatch(format!(
                "one is over [{}] / [{}] with target k {}, the other over [{}] / [{}] with target k {}",
                self.quasi_identifiers.join(", "),
                self.sensitive.join(", "),
                self.target_k,
                other.quasi_identifiers.join(", "),
                other.sensitive.join(", "),
                other.target_k
            )));
        }
        self.n_rows += other.n_rows;
        for (key, g) in other.groups {
            match self.groups.get_mut(&key) {
                None => {
                    self.groups.insert(key, g);
                }
                Some(mine) => {
                    mine.count += g.count;
                    mine.first_row = mine.first_row.min(g.first_row);
                    mine.rows = match (mine.rows.take(), g.rows) {
                        (Some(mut a), Some(b)) if mine.count < self.target_k => {
                            a.extend(b);
                            a.sort_unstable();
                            Some(a)
                        }
                        _ => None,
                    };
                }
            }
        }
        Ok(())
    }

    /// The groups as a table of one row per group (QI and sensitive
    /// columns, values numbered in order of first appearance in the input),
    /// with the groups' row counts and first rows.
    fn group_table(&self, source: &str) -> (EncodedTable, Vec<u64>, Vec<u64>) {
        let names: Vec<&String> = self
            .quasi_identifiers
            .iter()
            .chain(&self.sensitive)
            .collect();
        let mut columns = Vec::with_capacity(names.len());
        for (j, name) in names.iter().enumerate() {
            let mut first: HashMap<&str, u64> = HashMap::new();
            for (key, g) in &self.groups {
                let slot = first.entry(key[j].as_str()).or_insert(u64::MAX);
                *slot = (*slot).min(g.first_row);
            }
            let mut order: Vec<(u64, &str)> = first.into_iter().map(|(v, f)| (f, v)).collect();
            order.sort_unstable();
            let code_of: HashMap<&str, u32> = order
                .iter()
                .enumerate()
                .map(|(c, &(_, v))| (v, c as u32))
                .collect();
            let values: Vec<String> = order.iter().map(|&(_, v)| v.to_string()).collect();
            let codes = self
                .groups
                .keys()
                .map(|key| code_of.get(key[j].as_str()).copied().unwrap_or(0))
                .collect();
            let suppressed = values.iter().map(|v| is_suppressed_token(v)).collect();
            columns.push(CategoricalColumn {
                name: name.to_string(),
                codes,
                values,
                missing: None,
                suppressed,
            });
        }
        let weights = self.groups.values().map(|g| g.count).collect();
        let firsts = self.groups.values().map(|g| g.first_row).collect();
        (EncodedTable::new(source, columns), weights, firsts)
    }

    /// The equivalence classes of the merged input (see
    /// [`EquivalenceClasses::from_groups`]), with the rows of the classes
    /// smaller than the target k attached. `source` names the input.
    pub fn classes(
        &self,
        source: &str,
        suppressed_rows: SuppressedRows,
    ) -> Result<(EncodedTable, EquivalenceClasses), EngineError> {
        let (table, weights, firsts) = self.group_table(source);
        let rows: Vec<Option<&[u64]>> = self.groups.values().map(|g| g.rows.as_deref()).collect();
        let (classes, _) = classes_of_groups(
            &table,
            &weights,
            &firsts,
            &self.sensitive,
            self.target_k,
            suppressed_rows,
            |g| rows[g],
        )?;
        Ok((table, classes))
    }

    /// Every release-only metric from the merged partial: the same report
    /// as [`crate::privacy::evaluate`] on the whole input.
    ///
    /// Errors: `params` over other columns or another target k than the
    /// partial; a subject column or a population table (they need the rows);
    /// and the errors of the metrics.
    pub fn evaluate(
        &self,
        source: &str,
        params: &MetricsParams,
    ) -> Result<MetricsReport, EngineError> {
        check_params(
            &self.quasi_identifiers,
            &self.sensitive,
            self.target_k,
            params,
        )?;
        let (table, classes) = self.classes(source, params.suppressed_rows)?;
        Ok(privacy::evaluate_classes(&table, &classes, params)?)
    }
}

/// Checks that `params` ask for what the groups were built over, and for
/// nothing that needs the rows (a subject column, a population table).
pub(super) fn check_params(
    quasi_identifiers: &[String],
    sensitive: &[String],
    target_k: u64,
    params: &MetricsParams,
) -> Result<(), EngineError> {
    if params.subject.is_some() {
        return Err(EngineError::Unsupported(
            "a subject column is not supported by the partials yet; run in process".into(),
        ));
    }
    if params.population.is_some() {
        return Err(EngineError::Unsupported(
            "a population table is not supported by the partials yet; run in process".into(),
        ));
    }
    if params.quasi_identifiers != quasi_identifiers
        || params.sensitive != sensitive
        || params.target_k != target_k
    {
        return Err(EngineError::Mismatch(format!(
            "the partial is over [{}] / [{}] with target k {}, the metrics ask for [{}] / [{}] with target k {}",
            quasi_identifiers.join(", "),
            sensitive.join(", "),
            target_k,
            params.quasi_identifiers.join(", "),
            params.sensitive.join(", "),
            params.target_k
        )));
    }
    params.validate()?;
    Ok(())
}

/// The equivalence classes of `table`, one row per group of input rows
/// (its first columns the quasi-identifiers, then `sensitive`; values
/// numbered in order of first appearance in the input), `weights` and
/// `firsts` the groups' row counts and first rows, with the rows of the
/// classes smaller than `target_k` attached; `rows_of(g)` lists group `g`'s
/// rows when it has fewer than `target_k`. Shared by [`ClassPartial`] and
/// the out-of-core engine. Also returns the class of every group.
pub(super) fn classes_of_groups<'r>(
    table: &EncodedTable,
    weights: &[u64],
    firsts: &[u64],
    sensitive: &[String],
    target_k: u64,
    suppressed_rows: SuppressedRows,
    rows_of: impl Fn(usize) -> Option<&'r [u64]>,
) -> Result<(EquivalenceClasses, Vec<u32>), EngineError> {
    let n_qis = table.columns.len().saturating_sub(sensitive.len());
    let qis: Vec<&str> = table.columns[..n_qis]
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let sas: Vec<&str> = sensitive.iter().map(String::as_str).collect();
    let (mut classes, group_class) =
        EquivalenceClasses::from_groups(table, &qis, &sas, suppressed_rows, weights, firsts)?;
    let sizes = classes.class_sizes();
    let mut rows = Vec::new();
    for (g, &class) in group_class.iter().enumerate() {
        if class == privacy::classes::NO_CLASS || sizes[class as usize] >= target_k {
            continue;
        }
        match rows_of(g) {
            Some(r) => rows.extend_from_slice(r),
            None => {
                return Err(EngineError::Mismatch(format!(
                    "{}: a group of a class smaller than {target_k} has no row list; the partials were merged inconsistently",
                    table.source
                )))
            }
        }
    }
    rows.sort_unstable();
    classes.set_listed_rows(ListedRows { target_k, rows });
    Ok((classes, group_class))
}

pub(super) fn add_row(g: &mut Group, id: u64, target_k: u64) {
    if g.count >= target_k {
        g.rows = None;
    } else if let Some(rows) = &mut g.rows {
        rows.push(id);
    }
}
