//! The quasi-identifier join attack ([`crate::attacks::linkage::qi_join`])
//! on Spark, through Spark Connect: the same candidate counts, rate,
//! intervals' inputs and coverage figures as in process, with only counts
//! coming back.
//!
//! How it is split:
//! 1. For each quasi-identifier, one `GROUP BY` per table fetches the
//!    distinct values (with their row counts, in order of first row). These
//!    are small (a column's dictionary).
//! 2. Rust decides, from those values alone, which original values each
//!    release value accepts, with the very code the in-process join uses
//!    (`qi_join::match_column`: the column's kind, intervals, masks, sets,
//!    `*`, hierarchy nodes, codes such as `01-01301` never read as ranges).
//!    Each column's accepted pairs go to the server as a small table (a
//!    local relation, registered as a temporary view).
//! 3. Spark groups the release rows by their tuple of values (`g`) and the
//!    originals likewise (`h`), joins `g` to `h` through the accepted pairs
//!    of every column and sums the originals' counts: each release tuple's
//!    number of candidates. With a truth key, each release row is joined to
//!    its true originals (the key compared as trimmed text, as
//!    [`crate::data::TruthSpec::resolve`] does) and the ones whose values
//!    are accepted are counted. What comes back is one row per
//!    (candidates, true candidates, key resolved): a handful of counts.
//! 4. Rust reads those cells with the in-process code
//!    (`qi_join::QiJoinSummary`), so rate, unique matches, histogram and
//!    the truth figures are the same numbers, summed in the same order.
//!
//! Not on Spark (an [`EngineError::Unsupported`] that says so, which the
//! audit turns into an INCONCLUSIVE re-identification claim): a truth key
//! through a key-map file or the original's row number (`#row`), and
//! columns whose accepted pairs exceed [`MAX_PAIRS`]. The per-row outcomes
//! ([`crate::attacks::linkage::QiJoinRow`]) are not returned (`rows` is
//! empty). Values are read as [`super::spark`] reads them (text, Spark's
//! `trim` removes spaces only).

use std::collections::{BTreeMap, HashMap};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int64Type};
use spark_connect::row::{Row, Value};
use spark_connect::SparkSession;

use super::link_sql::{quote_ident, quote_str};
use super::spark::{connect, run_sql, spark_error, RowNumbers, SparkTable};
use super::EngineError;
use crate::attacks::linkage::qi_join::{
    match_column, unmatched_column, DistinctRows, QiJoinSummary,
};
use crate::attacks::linkage::QiJoinResult;
use crate::data::{is_suppressed_token, CategoricalColumn, Hierarchy, MissingPolicy, ValueKind};

/// The most accepted (release value, original value) pairs sent for one
/// column (a local relation travels in the query plan).
pub const MAX_PAIRS: usize = 2_000_000;

/// One quasi-identifier: its name in the release and in the originals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QiColumn {
    /// The name the release (and the result) uses.
    pub release: String,
    /// The name in the originals.
    pub original: String,
}

/// A truth key given as a column of each table (values compared as trimmed
/// text; a missing value names no original).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthColumns {
    /// The originals' key column.
    pub original: String,
    /// The release's key column.
    pub release: String,
}

/// What [`qi_join`] reads.
#[derive(Debug, Clone)]
pub struct QiJoinInputs<'a> {
    /// The originals on the cluster.
    pub original: &'a SparkTable,
    /// The release on the cluster.
    pub release: &'a SparkTable,
    /// The quasi-identifiers.
    pub columns: &'a [QiColumn],
    /// Hierarchies by release column name.
    pub hierarchies: &'a HashMap<String, Hierarchy>,
    /// Value kinds set by the user, by release column name.
    pub kinds: &'a HashMap<String, ValueKind>,
    /// The truth key, if any.
    pub truth: Option<&'a TruthColumns>,
    /// The missing-value policy of the readers.
    pub missing: &'a MissingPolicy,
}

/// A column's value with missing values as `NULL` (compared with `<=>`).
fn value_or_null(column: &str, missing: &MissingPolicy) -> String {
    let c = format!("CAST({} AS STRING)", quote_ident(column));
    if missing.tokens.is_empty() {
        return c;
    }
    let tokens: Vec<String> = missing.tokens.iter().map(|t| quote_str(t.trim())).collect();
    format!(
        "CASE WHEN trim({c}) IN ({}) THEN NULL ELSE {c} END",
        tokens.join(", ")
    )
}

/// A key column's value, trimmed, `NULL` when missing.
fn key_or_null(column: &str, missing: &MissingPolicy) -> String {
    format!("trim({})", value_or_null(column, missing))
}

/// The distinct values of one column, in order of first row, with counts.
pub fn distinct_sql(table: &SparkTable, column: &str, missing: &MissingPolicy) -> String {
    format!(
        "SELECT v, COUNT(*) AS n, MIN(mid) AS first FROM \
         (SELECT {} AS v, monotonically_increasing_id() AS mid FROM {}) \
         GROUP BY v ORDER BY first",
        value_or_null(column, missing),
        table.sql()
    )
}

/// The name of column `i`'s view of accepted pairs (`r`, `o`).
pub fn pairs_view(i: usize) -> String {
    format!("reident_qi_pairs_{i}")
}

/// The common table expressions of the counting queries: `r` (release
/// rows: `k0..`, `t`), `o` (originals), `g` / `h` (their tuples with row
/// counts) and `cand` (each release tuple's candidates). `order` lists the
/// columns in join order (the most selective first).
pub fn ctes_sql(
    original: &SparkTable,
    release: &SparkTable,
    columns: &[QiColumn],
    truth: Option<&TruthColumns>,
    missing: &MissingPolicy,
    order: &[usize],
) -> String {
    let keys: Vec<String> = (0..columns.len()).map(|i| format!("k{i}")).collect();
    let keys = keys.join(", ");
    let project = |names: Vec<&str>, key: Option<&str>| {
        let mut items: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} AS k{i}", value_or_null(c, missing)))
            .collect();
        if let Some(k) = key {
            items.push(format!("{} AS t", key_or_null(k, missing)));
        }
        items.join(", ")
    };
    let r = project(
        columns.iter().map(|c| c.release.as_str()).collect(),
        truth.map(|t| t.release.as_str()),
    );
    let o = project(
        columns.iter().map(|c| c.original.as_str()).collect(),
        truth.map(|t| t.original.as_str()),
    );
    let first = order.first().copied().unwrap_or(0);
    let mut joins = format!(
        "JOIN {p} m{first} ON m{first}.r <=> g.k{first} JOIN h ON h.k{first} <=> m{first}.o",
        p = pairs_view(first)
    );
    for &j in order.iter().skip(1) {
        joins.push_str(&format!(
            " JOIN {p} m{j} ON m{j}.r <=> g.k{j} AND m{j}.o <=> h.k{j}",
            p = pairs_view(j)
        ));
    }
    let gkeys: Vec<String> = (0..columns.len()).map(|i| format!("g.k{i}")).collect();
    format!(
        "WITH r AS (SELECT {r}, monotonically_increasing_id() AS mid FROM {release}), \
         o AS (SELECT {o} FROM {original}), \
         g AS (SELECT {keys}, COUNT(*) AS rows FROM r GROUP BY {keys}), \
         h AS (SELECT {keys}, COUNT(*) AS n FROM o GROUP BY {keys}), \
         cand AS (SELECT {gkeys}, SUM(h.n) AS c FROM g {joins} GROUP BY {gkeys}) ",
        release = release.sql(),
        original = original.sql(),
        gkeys = gkeys.join(", "),
    )
}

/// The counting query: one row per (candidates `c`, true candidates `t`,
/// key resolved) with the number of release rows.
pub fn cells_sql(ctes: &str, n_columns: usize, truth: bool) -> String {
    let on = |a: &str, b: &str| {
        (0..n_columns)
            .map(|i| format!("{a}.k{i} <=> {b}.k{i}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    if !truth {
        return format!(
            "{ctes}SELECT COALESCE(cand.c, 0) AS c, CAST(0 AS BIGINT) AS t, true AS resolved, \
             CAST(SUM(g.rows) AS BIGINT) AS rows FROM g LEFT JOIN cand ON {} \
             GROUP BY COALESCE(cand.c, 0)",
            on("g", "cand")
        );
    }
    let rkeys: Vec<String> = (0..n_columns).map(|i| format!("r.k{i}")).collect();
    let rkeys = rkeys.join(", ");
    let mut pair_joins = String::new();
    let mut hits = Vec::new();
    for i in 0..n_columns {
        pair_joins.push_str(&format!(
            " LEFT JOIN (SELECT r, o, 1 AS hit FROM {p}) m{i} ON o.t IS NOT NULL AND m{i}.r <=> r.k{i} AND m{i}.o <=> o.k{i}",
            p = pairs_view(i)
        ));
        hits.push(format!("m{i}.hit IS NOT NULL"));
    }
    format!(
        "{ctes}, rt AS (SELECT r.mid, {rkeys}, \
         CAST(SUM(CASE WHEN o.t IS NOT NULL AND {hits} THEN 1 ELSE 0 END) AS BIGINT) AS t, \
         COUNT(o.t) AS nt \
         FROM r LEFT JOIN o ON r.t = o.t{pair_joins} GROUP BY r.mid, {rkeys}) \
         SELECT COALESCE(cand.c, 0) AS c, rt.t AS t, rt.nt > 0 AS resolved, COUNT(*) AS rows \
         FROM rt LEFT JOIN cand ON {on} \
         GROUP BY COALESCE(cand.c, 0), rt.t, rt.nt > 0",
        ctes = ctes.trim_end(),
        hits = hits.join(" AND "),
        on = on("rt", "cand"),
    )
}

/// One column's distinct values, read back.
struct Distinct {
    column: CategoricalColumn,
    counts: Vec<u64>,
    first_mids: Vec<i64>,
}

fn distinct(
    run: &dyn Fn(&str) -> Result<Vec<RecordBatch>, EngineError>,
    url: &str,
    table: &SparkTable,
    name: &str,
    missing: &MissingPolicy,
) -> Result<Distinct, EngineError> {
    let bad = |what: &str| spark_error(url, format!("unexpected answer: {what}"));
    let mut values = Vec::new();
    let mut counts = Vec::new();
    let mut first_mids = Vec::new();
    let mut missing_code = None;
    for batch in run(&distinct_sql(table, name, missing))? {
        let v = arrow::compute::cast(batch.column(0), &DataType::Utf8)
            .map_err(|e| bad(&format!("values: {e}")))?;
        let v = v.as_string::<i32>();
        let n = int64(&batch, 1).ok_or_else(|| bad("counts"))?;
        let f = int64(&batch, 2).ok_or_else(|| bad("first rows"))?;
        for i in 0..batch.num_rows() {
            if v.is_null(i) {
                missing_code = Some(values.len() as u32);
                values.push(missing.label.clone());
            } else {
                values.push(v.value(i).to_string());
            }
            counts.push(n.value(i) as u64);
            first_mids.push(f.value(i));
        }
    }
    let suppressed = values
        .iter()
        .enumerate()
        .map(|(c, v)| Some(c as u32) != missing_code && is_suppressed_token(v))
        .collect();
    let column = CategoricalColumn {
        name: name.to_string(),
        codes: (0..values.len() as u32).collect(),
        values,
        missing: missing_code,
        suppressed,
    };
    Ok(Distinct {
        column,
        counts,
        first_mids,
    })
}

fn int64(batch: &RecordBatch, j: usize) -> Option<&arrow::array::PrimitiveArray<Int64Type>> {
    batch.column(j).as_primitive_opt::<Int64Type>()
}

/// Registers column `i`'s accepted pairs as a temporary view.
fn register_pairs(
    session: &SparkSession,
    url: &str,
    i: usize,
    original: &CategoricalColumn,
    release: &CategoricalColumn,
    compatible: &[Vec<u32>],
) -> Result<(), EngineError> {
    let fail = |e: spark_connect::SparkError| spark_error(url, format!("{e}"));
    let text = |c: &CategoricalColumn, code: u32| {
        if c.is_missing_code(code) {
            Value::Null
        } else {
            Value::String(c.values[code as usize].clone())
        }
    };
    let fields = vec!["r".to_string(), "o".to_string()];
    let mut rows = Vec::new();
    for (rc, accepted) in compatible.iter().enumerate() {
        for &oc in accepted {
            rows.push(Row::new(
                fields.clone(),
                vec![text(release, rc as u32), text(original, oc)],
            ));
        }
    }
    let schema = spark_connect::types::DataType::from_ddl("r STRING, o STRING").map_err(fail)?;
    session
        .create_dataframe(rows, schema)
        .map_err(fail)?
        .create_or_replace_temp_view(&pairs_view(i))
        .map_err(fail)
}

/// Runs the QI join on the Spark Connect server at `url` (see the module
/// docs). The result equals [`crate::attacks::linkage::qi_join`]'s on the
/// same tables, but for `rows`, which stays empty.
pub fn qi_join(url: &str, inputs: &QiJoinInputs<'_>) -> Result<QiJoinResult, EngineError> {
    let QiJoinInputs {
        original,
        release,
        columns,
        hierarchies,
        kinds,
        truth,
        missing,
    } = inputs;
    if columns.is_empty() {
        return Err(EngineError::Unsupported(
            "the QI join: give at least one quasi-identifier".into(),
        ));
    }
    let session = connect(url)?;
    let run = |sql: &str| run_sql(&session, url, sql);
    let bad = |what: &str| spark_error(url, format!("unexpected answer: {what}"));
    let numbers = RowNumbers::of(&run, url, original)?;
    let mut kinds_out = Vec::new();
    let mut unmatched = Vec::new();
    // Per column: compatible (release value, original value) rows, for the
    // join order.
    let mut fan_out = Vec::new();
    let (mut n_original, mut n_release) = (0u64, 0u64);
    for (i, c) in columns.iter().enumerate() {
        let mut o = distinct(&run, url, original, &c.original, missing)?;
        o.column.name = c.release.clone();
        let r = distinct(&run, url, release, &c.release, missing)?;
        if i == 0 {
            n_original = o.counts.iter().sum();
            n_release = r.counts.iter().sum();
        }
        let first_rows = o
            .first_mids
            .iter()
            .map(|&m| numbers.row(url, m))
            .collect::<Result<Vec<u64>, _>>()?;
        let m = match_column(
            &c.release,
            &o.column,
            &r.column,
            hierarchies.get(&c.release),
            kinds.get(&c.release).copied(),
            (&original.sql(), &release.sql()),
            Some(&DistinctRows {
                first_rows: &first_rows,
                original_rows: &o.counts,
                release_rows: &r.counts,
            }),
        )?;
        let pairs: usize = m.compatible.iter().map(Vec::len).sum();
        if pairs > MAX_PAIRS {
            return Err(EngineError::Unsupported(format!(
                "the QI join on Spark: column `{}` has {pairs} accepted (release value, original value) pairs, more than the {MAX_PAIRS} sent to the server; run it in process",
                c.release
            )));
        }
        fan_out.push(
            m.compatible
                .iter()
                .zip(&r.counts)
                .map(|(acc, &n)| {
                    n as f64
                        * acc
                            .iter()
                            .map(|&oc| o.counts[oc as usize] as f64)
                            .sum::<f64>()
                })
                .sum::<f64>(),
        );
        register_pairs(&session, url, i, &o.column, &r.column, &m.compatible)?;
        unmatched.push(unmatched_column(
            &c.release,
            &r.column,
            &r.counts,
            &m.compatible,
            m.kind.kind,
            hierarchies.contains_key(&c.release),
        ));
        kinds_out.push(m.kind);
    }
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by(|&a, &b| fan_out[a].total_cmp(&fan_out[b]).then(a.cmp(&b)));
    let ctes = ctes_sql(original, release, columns, *truth, missing, &order);

    let mut cells: BTreeMap<(u64, u64), u64> = BTreeMap::new();
    let mut unresolved = 0u64;
    let mut counted = 0u64;
    for batch in run(&cells_sql(&ctes, columns.len(), truth.is_some()))? {
        let c = int64(&batch, 0).ok_or_else(|| bad("candidates"))?;
        let t = int64(&batch, 1).ok_or_else(|| bad("true candidates"))?;
        let resolved = batch
            .column(2)
            .as_boolean_opt()
            .ok_or_else(|| bad("resolved"))?;
        let n = int64(&batch, 3).ok_or_else(|| bad("rows"))?;
        for i in 0..batch.num_rows() {
            let rows = n.value(i) as u64;
            counted += rows;
            if !resolved.value(i) {
                unresolved += rows;
            }
            *cells
                .entry((c.value(i) as u64, t.value(i) as u64))
                .or_insert(0) += rows;
        }
    }
    if counted != n_release {
        return Err(bad(&format!(
            "{counted} release rows counted but {n_release} in the table"
        )));
    }
    let mut groups = 0u64;
    for batch in run(&format!("{ctes}SELECT COUNT(*) FROM g"))? {
        let n = int64(&batch, 0).ok_or_else(|| bad("release groups"))?;
        groups += (0..batch.num_rows())
            .map(|i| n.value(i) as u64)
            .sum::<u64>();
    }
    let summary = QiJoinSummary::of(&cells, truth.map(|_| unresolved));
    Ok(QiJoinResult {
        quasi_identifiers: columns.iter().map(|c| c.release.clone()).collect(),
        release_groups: groups as usize,
        column_kinds: kinds_out,
        unmatched_by_column: unmatched,
        ..summary.result(n_original as usize, n_release as usize)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_join_through_the_pairs_null_safely() {
        let columns = vec![
            QiColumn {
                release: "age".into(),
                original: "age".into(),
            },
            QiColumn {
                release: "zip".into(),
                original: "zipcode".into(),
            },
        ];
        let truth = TruthColumns {
            original: "id".into(),
            release: "rid".into(),
        };
        let ctes = ctes_sql(
            &SparkTable::parse("/d/orig.parquet"),
            &SparkTable::parse("/d/rel.parquet"),
            &columns,
            Some(&truth),
            &MissingPolicy::new(&["?"], "?"),
            &[1, 0],
        );
        assert!(ctes.contains("JOIN reident_qi_pairs_1 m1 ON m1.r <=> g.k1 JOIN h ON h.k1 <=> m1.o JOIN reident_qi_pairs_0 m0 ON m0.r <=> g.k0 AND m0.o <=> h.k0"), "{ctes}");
        assert!(ctes.contains("CASE WHEN trim(CAST(`zipcode` AS STRING)) IN ('?') THEN NULL ELSE CAST(`zipcode` AS STRING) END AS k1"), "{ctes}");
        assert!(ctes.contains("AS t"), "{ctes}");
        let sql = cells_sql(&ctes, 2, true);
        assert!(sql.contains("FROM r LEFT JOIN o ON r.t = o.t"), "{sql}");
        assert!(
            sql.contains("m0.hit IS NOT NULL AND m1.hit IS NOT NULL"),
            "{sql}"
        );
        let sql = cells_sql(&ctes, 2, false);
        assert!(
            sql.contains("FROM g LEFT JOIN cand ON g.k0 <=> cand.k0 AND g.k1 <=> cand.k1"),
            "{sql}"
        );
    }
}
