//! The hidden quasi-identifier check ([`crate::privacy::hidden_qi`]) and the
//! direct-identifier scan ([`crate::privacy::direct_identifiers`]) of a
//! table a Spark Connect server holds, with the in-process results: the
//! Spark counterparts of [`super::scan_out_of_core`].
//!
//! **Hidden quasi-identifiers** ([`hidden_quasi_identifiers`]), as Spark SQL
//! aggregates: only a few numbers per candidate column, and one row per
//! value of each declared quasi-identifier (QI), come back, never the rows.
//! The check reads, for each candidate column `C` (every column outside the
//! declared QIs, or the ones listed), the figures
//! [`CandidateFigures`] holds
//! and, unless the column has one value or is near-unique, the counts
//! [`CrossCounts`] Goodman and Kruskal's lambda of each declared QI given
//! `C` is computed from (*Measures of association for cross
//! classifications*, JASA 49, 1954). Both are sums and extrema over
//! group-bys, so Spark computes them:
//!
//! * **figures** (one query, one pass over the classes): over the rows in
//!   classes, the record counts of the classes over the QIs plus `C`
//!   (`GROUP BY q1, ..., qm, C`), of which the smallest (k with the column)
//!   and the classes and records below the target k; the distinct values of
//!   `C`; the records in classes, checked against the metrics' own count (a
//!   mismatch is an error, never a result);
//! * **cross counts** (one query, every QI): `n(c, q)`, the classes' counts
//!   summed by `(C, Q)`; per value `c` its largest `n(c, q)`, its total and its number of QI
//!   values, summed (`sum_c max_q n(c, q)`, the records, and whether every
//!   `c` meets a single `q`); per value `q` its records and its number of
//!   candidate values (one row per QI value comes back).
//!
//! The rows and values are those of the in-process check: values are read
//! as the Spark class partial reads them (`spark::value_expr`: text,
//! nulls and missing tokens as the missing label); a column's suppression
//! tokens (`*`, `*****`: only stars after trimming) are one value, as
//! [`crate::privacy::EquivalenceClasses`] makes them; under
//! [`SuppressedRows::Exclude`] the rows whose declared QIs are all suppressed
//! are left out. The same
//! [`CandidateFigures::finding`](crate::privacy::hidden_qi::CandidateFigures::finding)
//! as in process decides each column.
//!
//! **Direct identifiers** ([`scan_identifiers`]). The classifier tests every
//! distinct value's shape ([`ColumnCounts`]), which SQL cannot do with the
//! same rules, so Spark sends each column's distinct (trimmed, non-missing)
//! values with their counts, in the order of their first row (the examples
//! are the first values of each shape in row order, as in process), and they
//! are counted here batch by batch as they arrive, never held: the client's
//! memory does not grow with the table, but what crosses the network is one
//! row per distinct value (for an identifier column, about one per row).
//! The distinct count is exact (the answer's rows).
//!
//! Both: the Spark engine's known differences from the Rust readers hold
//! (Spark's `trim` removes spaces only; non-string Parquet columns as Spark
//! casts them, e.g. doubles as `1.0`). Tests compare the whole reports with
//! the in-process ones on real and hand-made tables. Not here: a subject
//! (person) column, as for the Spark class partial.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int64Type};

use super::link_sql::quote_ident;
use super::spark::{
    columns, connect, missing_condition, run_sql, run_sql_each, spark_error, value_expr, SparkTable,
};
use super::EngineError;
use crate::data::MissingPolicy;
use crate::privacy::direct_identifiers::{
    columns_to_scan, scan_of_findings, ColumnCounts, DirectIdentifierConfig, DirectIdentifierScan,
    ValueShapes,
};
use crate::privacy::hidden_qi::{
    candidate_columns, check_options, hidden_qi_report, CandidateFigures, CrossCounts,
    HiddenQiOptions, HiddenQiReport,
};
use crate::privacy::{MetricsParams, SuppressedRows};

/// What the metrics of the same table and parameters found over the
/// declared QIs, which the report repeats and the check is tied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclaredClasses {
    /// k over the declared QIs.
    pub k: u64,
    /// Records in classes below the target k.
    pub records_below_target_k: u64,
    /// Records in classes (the rows less the excluded fully suppressed ones).
    pub records_in_classes: u64,
}

/// The SQL text of one column's value as the class builder groups it:
/// [`value_expr`], with every suppression token as `*`.
fn canonical_expr(column: &str, missing: &MissingPolicy) -> String {
    format!(
        "CASE WHEN {} THEN {} ELSE {} END",
        suppressed_condition(column, missing),
        "'*'",
        value_expr(column, missing)
    )
}

/// The SQL condition that a column's value is a suppression token: not
/// missing, and only stars after trimming
/// ([`crate::data::is_suppressed_token`]).
fn suppressed_condition(column: &str, missing: &MissingPolicy) -> String {
    let c = format!("CAST({} AS STRING)", quote_ident(column));
    format!(
        "(NOT coalesce({}, false) AND trim({c}) RLIKE '^[*]+$')",
        missing_condition(column, missing)
    )
}

/// The queries of one candidate column of the hidden quasi-identifier
/// check (see the module docs; public so they can be read and tested
/// without a server).
#[derive(Debug, Clone, Copy)]
pub struct CandidateQuery<'a> {
    /// The table.
    pub table: &'a SparkTable,
    /// The declared quasi-identifiers.
    pub quasi_identifiers: &'a [&'a str],
    /// The candidate column.
    pub candidate: &'a str,
    /// How values are read.
    pub missing: &'a MissingPolicy,
    /// What happens to rows whose declared QIs are all suppressed.
    pub suppressed_rows: SuppressedRows,
}

impl CandidateQuery<'_> {
    /// The rows in classes with the QIs as `q0, q1, ...` and the candidate
    /// as `cv`, every value canonical (a subquery for `FROM`).
    fn base_sql(&self) -> String {
        let missing = self.missing;
        let mut projected: Vec<String> = self
            .quasi_identifiers
            .iter()
            .enumerate()
            .map(|(j, q)| format!("{} AS q{j}", canonical_expr(q, missing)))
            .collect();
        projected.push(format!("{} AS cv", canonical_expr(self.candidate, missing)));
        let filter = match self.suppressed_rows {
            SuppressedRows::Exclude => {
                let all: Vec<String> = self
                    .quasi_identifiers
                    .iter()
                    .map(|q| suppressed_condition(q, missing))
                    .collect();
                format!(" WHERE NOT ({})", all.join(" AND "))
            }
            SuppressedRows::OneClass => String::new(),
        };
        format!(
            "SELECT {} FROM {}{filter}",
            projected.join(", "),
            self.table.sql()
        )
    }

    /// The common table expressions `base` ([`Self::base_sql`]) and `cls`:
    /// the classes over the QIs plus the candidate, `q0, ..., cv, n` with
    /// `n` their records. Both queries read the cross counts from `cls`, not
    /// from the rows, so each QI's aggregation is over classes and Spark can
    /// reuse the one shuffle that forms them.
    fn classes_ctes(&self) -> String {
        let keys: Vec<String> = (0..self.quasi_identifiers.len())
            .map(|j| format!("q{j}"))
            .chain(std::iter::once("cv".to_string()))
            .collect();
        format!(
            "base AS ({base}), cls AS (SELECT {keys}, COUNT(*) AS n FROM base GROUP BY {keys})",
            base = self.base_sql(),
            keys = keys.join(", "),
        )
    }

    /// The figures query: one row of `k_with`, `classes_below`,
    /// `records_below`, `n_distinct`, `n_records`, from one pass over the
    /// classes.
    pub fn figures_sql(&self, target_k: u64) -> String {
        format!(
            "WITH {ctes} SELECT COALESCE(MIN(n), 0) AS k_with, \
             COALESCE(SUM(CASE WHEN n < {target_k} THEN 1 ELSE 0 END), 0) AS classes_below, \
             COALESCE(SUM(CASE WHEN n < {target_k} THEN n ELSE 0 END), 0) AS records_below, \
             COUNT(DISTINCT cv) AS n_distinct, COALESCE(SUM(n), 0) AS n_records FROM cls",
            ctes = self.classes_ctes(),
        )
    }

    /// The cross-counts query against every declared QI: rows
    /// `(j, kind, a, b, c)` with `j` the QI's position: `kind = 0` once per
    /// QI with `a = sum_c max_q n(c, q)`, `b` the records and `c` the most QI
    /// values one candidate value meets; `kind = 1` once per value `q` with
    /// `a` its records and `b` its candidate values.
    pub fn cross_counts_sql(&self) -> String {
        let mut ctes = vec![self.classes_ctes()];
        let mut parts = Vec::new();
        for j in 0..self.quasi_identifiers.len() {
            ctes.push(format!(
                "x{j} AS (SELECT cv, q{j} AS qv, SUM(n) AS n FROM cls GROUP BY cv, q{j})"
            ));
            parts.push(format!(
                "SELECT {j} AS j, 0 AS kind, SUM(mx) AS a, SUM(tot) AS b, MAX(cnt) AS c \
                 FROM (SELECT cv, MAX(n) AS mx, SUM(n) AS tot, COUNT(*) AS cnt FROM x{j} GROUP BY cv)"
            ));
            parts.push(format!(
                "SELECT {j} AS j, 1 AS kind, SUM(n) AS a, COUNT(*) AS b, CAST(0 AS BIGINT) AS c \
                 FROM x{j} GROUP BY qv"
            ));
        }
        format!("WITH {} {}", ctes.join(", "), parts.join(" UNION ALL "))
    }
}

/// The hidden quasi-identifier check of `table` on the Spark Connect server
/// at `url`: equal to [`crate::privacy::detect_hidden_quasi_identifiers`]
/// on the same rows (see the module docs). `declared` is what the metrics
/// of the same table and `params` found over the declared QIs; the records
/// in classes Spark counts for each candidate must equal
/// `declared.records_in_classes` (else an error).
///
/// Errors: a subject column in `params`, invalid options, more candidates
/// than [`crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS`]
/// ([`EngineError::TooManyCandidates`]), a listed
/// candidate that is a declared QI, the subject or not a column of the
/// table, no connection, a SQL error with Spark's message, and an answer of
/// an unexpected shape.
pub fn hidden_quasi_identifiers(
    url: &str,
    table: &SparkTable,
    params: &MetricsParams,
    missing: &MissingPolicy,
    options: &HiddenQiOptions,
    declared: DeclaredClasses,
) -> Result<HiddenQiReport, EngineError> {
    if params.subject.is_some() {
        return Err(EngineError::Unsupported(format!(
            "the hidden quasi-identifier check on Spark ({url}): persons per class (a subject column) need every record's subject; run it in process"
        )));
    }
    check_options(params, options)?;
    let table_columns = columns(url, table)?;
    let names: Vec<&str> = table_columns.iter().map(String::as_str).collect();
    let candidates = candidate_columns(&names, params, options)?;
    if let Some(absent) = candidates.iter().find(|c| !table_columns.contains(c)) {
        return Err(EngineError::Privacy(
            crate::privacy::PrivacyError::MissingColumn {
                source_name: table.sql(),
                role: "candidate",
                column: absent.clone(),
                available: table_columns.clone(),
            },
        ));
    }
    if candidates.len() > crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS {
        return Err(EngineError::TooManyCandidates(candidates.len()));
    }
    let qis: Vec<&str> = params
        .quasi_identifiers
        .iter()
        .map(String::as_str)
        .collect();
    let session = connect(url)?;
    let run = |sql: &str| run_sql(&session, url, sql);
    let bad = |what: String| spark_error(url, format!("unexpected answer: {what}"));
    let mut found = Vec::with_capacity(candidates.len());
    for candidate in &candidates {
        let query = CandidateQuery {
            table,
            quasi_identifiers: &qis,
            candidate,
            missing,
            suppressed_rows: params.suppressed_rows,
        };
        let sql = query.figures_sql(params.target_k);
        let row = single_row(&run(&sql)?, 5).map_err(|w| bad(format!("{candidate}: {w}")))?;
        let figures = CandidateFigures {
            column: candidate.clone(),
            n_distinct: row[3],
            n_units: declared.records_in_classes,
            k_with: row[0],
            classes_below_target_k: row[1],
            records_below_target_k: row[2],
        };
        if row[4] != declared.records_in_classes {
            return Err(bad(format!(
                "{candidate}: {} records in classes, but the metrics of the same table count {}",
                row[4], declared.records_in_classes
            )));
        }
        let mut determinations = Vec::new();
        if figures.needs_determinations(options) {
            let counts = cross_counts(&run(&query.cross_counts_sql())?, qis.len())
                .map_err(|w| bad(format!("{candidate}: {w}")))?;
            for (qi, c) in qis.iter().zip(&counts) {
                determinations.extend(c.determination(qi));
            }
        }
        found.push(figures.finding(params, options, determinations));
    }
    Ok(hidden_qi_report(
        params,
        options,
        declared.k,
        declared.records_below_target_k,
        found,
    ))
}

/// The distinct-values query of one column for [`scan_identifiers`]
/// (public so it can be read and tested without a server): each trimmed,
/// non-missing value with its rows, in the order of its first row.
pub fn distinct_values_sql(table: &SparkTable, column: &str, missing: &MissingPolicy) -> String {
    let c = format!("CAST({} AS STRING)", quote_ident(column));
    format!(
        "SELECT v, COUNT(*) AS n, MIN(mid) AS first FROM \
         (SELECT trim({c}) AS v, monotonically_increasing_id() AS mid FROM {table} \
         WHERE NOT ({missing})) GROUP BY v ORDER BY first",
        table = table.sql(),
        missing = missing_condition(column, missing),
    )
}

/// The direct-identifier scan of `table` on the Spark Connect server at
/// `url` (see the module docs), named `source` in the result: equal to
/// [`crate::privacy::direct_identifiers::scan_file`] on the same rows.
/// Values are read under the default missing policy, as in process.
///
/// Errors: a column of `config.columns` not in the table, no connection, a
/// SQL error with Spark's message, and an answer of an unexpected shape.
pub fn scan_identifiers(
    url: &str,
    table: &SparkTable,
    source: &str,
    config: &DirectIdentifierConfig,
) -> Result<DirectIdentifierScan, EngineError> {
    let to_scan = columns_to_scan(columns(url, table)?, source, config)
        .map_err(|e| EngineError::Unsupported(e.to_string()))?;
    let missing = MissingPolicy::default();
    let shapes = ValueShapes::new();
    let session = connect(url)?;
    let bad = |what: String| spark_error(url, format!("unexpected answer: {what}"));
    let count_sql = format!("SELECT COUNT(*) FROM {}", table.sql());
    let rows = single_row(&run_sql(&session, url, &count_sql)?, 1)
        .map_err(|w| bad(format!("row count: {w}")))?[0];
    let rows = usize::try_from(rows).map_err(|_| bad(format!("{rows} rows")))?;
    let mut findings = Vec::with_capacity(to_scan.len());
    for column in &to_scan {
        let mut counts = ColumnCounts::new(column, config);
        counts.add_rows(rows);
        let mut distinct = 0usize;
        let sql = distinct_values_sql(table, column, &missing);
        run_sql_each(&session, url, &sql, &mut |batch| {
            if batch.num_columns() != 3 {
                return Err(bad(format!("{column}: {} columns", batch.num_columns())));
            }
            let values = arrow::compute::cast(batch.column(0), &DataType::Utf8)
                .map_err(|e| bad(format!("{column}: {e}")))?;
            let values = values.as_string::<i32>();
            let counts_column = integers(&batch, 1).map_err(|w| bad(format!("{column}: {w}")))?;
            for (row, &n) in counts_column.iter().enumerate() {
                if values.is_null(row) {
                    return Err(bad(format!("{column}: a null among the values")));
                }
                // Spark trims spaces only; the Rust reader trims all white
                // space (a known difference, module docs).
                let v = values.value(row).trim();
                if missing.is_missing(v) {
                    continue;
                }
                counts.observe(&shapes, v, n as usize);
                distinct += 1;
            }
            Ok(())
        })?;
        counts.set_distinct(distinct);
        findings.push(counts.finding());
    }
    Ok(scan_of_findings(source, rows, findings, config))
}

/// The one row of `width` non-negative integers of a figures answer.
fn single_row(batches: &[RecordBatch], width: usize) -> Result<Vec<u64>, String> {
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if rows != 1 {
        return Err(format!("{rows} rows instead of 1"));
    }
    let batch = batches.iter().find(|b| b.num_rows() == 1).ok_or("no row")?;
    if batch.num_columns() != width {
        return Err(format!(
            "{} columns instead of {width}",
            batch.num_columns()
        ));
    }
    (0..width)
        .map(|j| Ok(integers(batch, j).map_err(|e| format!("column {j}: {e}"))?[0]))
        .collect()
}

/// A column of non-negative integers, whatever integer type Spark chose.
fn integers(batch: &RecordBatch, column: usize) -> Result<Vec<u64>, String> {
    let cast =
        arrow::compute::cast(batch.column(column), &DataType::Int64).map_err(|e| e.to_string())?;
    let values = cast
        .as_primitive_opt::<Int64Type>()
        .ok_or("not an integer")?;
    (0..values.len())
        .map(|row| {
            if values.is_null(row) {
                return Err("null".to_string());
            }
            u64::try_from(values.value(row)).map_err(|_| "negative".to_string())
        })
        .collect()
}

/// The [`CrossCounts`] of each declared QI from a cross-counts answer.
fn cross_counts(batches: &[RecordBatch], n_qis: usize) -> Result<Vec<CrossCounts>, String> {
    let mut counts: Vec<CrossCounts> = vec![CrossCounts::default(); n_qis];
    let mut seen = vec![false; n_qis];
    for batch in batches {
        if batch.num_columns() != 5 {
            return Err(format!("{} columns instead of 5", batch.num_columns()));
        }
        let [js, kinds, a, b, most] = [0, 1, 2, 3, 4].map(|j| integers(batch, j));
        let (js, kinds, a, b, most) = (js?, kinds?, a?, b?, most?);
        for (row, (&j, &kind)) in js.iter().zip(&kinds).enumerate() {
            let j = j as usize;
            let c = counts.get_mut(j).ok_or("a QI position out of range")?;
            match kind {
                0 => {
                    c.best_with = a[row];
                    c.total = b[row];
                    c.exact = most[row] == 1;
                    seen[j] = true;
                }
                1 => {
                    c.q_totals.push(a[row]);
                    c.q_partners.push(b[row]);
                }
                k => return Err(format!("row kind {k}")),
            }
        }
    }
    if let Some(j) = seen.iter().position(|s| !s) {
        return Err(format!("no totals for quasi-identifier {j}"));
    }
    for c in &counts {
        let records: u64 = c.q_totals.iter().sum();
        if records != c.total {
            return Err(format!(
                "{records} records over the QI values but {} over the candidate values",
                c.total
            ));
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_query_groups_by_the_qis_and_the_candidate_and_drops_suppressed_rows() {
        let table = SparkTable::parse("/data/r.parquet");
        let missing = MissingPolicy::new(&["?"], "?");
        let mut query = CandidateQuery {
            table: &table,
            quasi_identifiers: &["age", "zip"],
            candidate: "density",
            missing: &missing,
            suppressed_rows: SuppressedRows::Exclude,
        };
        let sql = query.figures_sql(5);
        assert!(sql.contains("GROUP BY q0, q1, cv"), "{sql}");
        assert!(
            sql.contains("SUM(CASE WHEN n < 5 THEN n ELSE 0 END)"),
            "{sql}"
        );
        assert!(sql.contains("COUNT(DISTINCT cv)"), "{sql}");
        // Every declared QI suppressed: the row is out; a star-only value is `*`.
        assert!(
            sql.contains("WHERE NOT ((NOT coalesce(CAST(`age` AS STRING) IS NULL OR trim(CAST(`age` AS STRING)) IN ('?'), false) AND trim(CAST(`age` AS STRING)) RLIKE '^[*]+$') AND (NOT coalesce(CAST(`zip` AS STRING)"),
            "{sql}"
        );
        query.suppressed_rows = SuppressedRows::OneClass;
        let one_class = query.figures_sql(5);
        assert!(!one_class.contains("WHERE NOT"), "{one_class}");
    }

    #[test]
    fn distinct_values_query_trims_skips_missing_values_and_keeps_row_order() {
        let sql = distinct_values_sql(
            &SparkTable::parse("db.users"),
            "e-mail",
            &MissingPolicy::new(&["?", ""], "?"),
        );
        assert_eq!(
            sql,
            "SELECT v, COUNT(*) AS n, MIN(mid) AS first FROM \
             (SELECT trim(CAST(`e-mail` AS STRING)) AS v, monotonically_increasing_id() AS mid \
             FROM `db`.`users` WHERE NOT (CAST(`e-mail` AS STRING) IS NULL OR \
             trim(CAST(`e-mail` AS STRING)) IN ('?', ''))) GROUP BY v ORDER BY first"
        );
    }

    #[test]
    fn cross_counts_are_read_per_quasi_identifier() {
        use arrow::array::Int64Array;
        use std::sync::Arc;
        // QI 0: candidate values a, b; QI values x, y; n(a,x)=3 n(a,y)=1 n(b,y)=4
        // (the lambda_by_hand case: lambda = (7 - 5) / (8 - 5) = 2/3).
        let col = |v: Vec<i64>| Arc::new(Int64Array::from(v)) as Arc<dyn Array>;
        let batch = RecordBatch::try_from_iter(vec![
            ("j", col(vec![0, 0, 0])),
            ("kind", col(vec![0, 1, 1])),
            ("a", col(vec![7, 3, 5])),
            ("b", col(vec![8, 1, 2])),
            ("c", col(vec![2, 0, 0])),
        ])
        .unwrap();
        let counts = cross_counts(std::slice::from_ref(&batch), 1).unwrap();
        let d = counts[0].determination("zip").unwrap();
        assert!((d.lambda - 2.0 / 3.0).abs() < 1e-12, "{d:?}");
        assert!(!d.exact);
        // A QI with no totals row, or totals that do not add up, is an error.
        assert!(cross_counts(&[batch], 2).is_err());
        let short = RecordBatch::try_from_iter(vec![
            ("j", col(vec![0, 0])),
            ("kind", col(vec![0, 1])),
            ("a", col(vec![7, 3])),
            ("b", col(vec![8, 1])),
            ("c", col(vec![2, 0])),
        ])
        .unwrap();
        let e = cross_counts(&[short], 1).unwrap_err();
        assert!(e.contains("3 records over the QI values but 8"), "{e}");
    }
}
