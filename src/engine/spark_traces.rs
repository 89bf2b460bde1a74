//! Trace unicity (de Montjoye et al. 2013, [`crate::attacks::unicity`]) on
//! Spark, through Spark Connect: the same curves as in process, with the
//! events staying on the cluster.
//!
//! How it is split:
//! 1. Spark reads each event's point as the in-process reader does: the
//!    time bucket `floor(seconds / width)` from integer Unix seconds or ISO
//!    8601 text, parsed by the same grammar and the same day arithmetic
//!    (H. Hinnant's `days_from_civil`) written in SQL, and the action as the
//!    action columns joined by `U+001F`. Rows without a user or a timestamp
//!    are skipped; a timestamp the grammar rejects is an error naming its
//!    row and value, as in process.
//! 2. Points and users are numbered by their first row (the in-process
//!    interning order), and each user's trace is the set of their point
//!    numbers. One query returns each user's number of points (one number
//!    per user) and the totals.
//! 3. Rust draws each user's points as in process: the seeded shuffle
//!    depends on the trace length alone
//!    ([`crate::attacks::unicity::drawn_positions`]), so the drawn
//!    *positions* in the sorted trace are computed here and sent as a small
//!    table (users x the largest `p`).
//! 4. Spark joins the drawn points with every user's trace (the postings),
//!    finds for each (user, other user) the longest prefix of the draw the
//!    other user holds, and counts, for every `p`, the users singled out
//!    and the sum of the anonymity set sizes. Those counts come back and
//!    [`crate::attacks::unicity::unicity_point_of_counts`] finishes each
//!    point of the curve.
//!
//! Not here: linkage of release traces (run it in process), and Spark's
//! `trim` removes spaces only (the in-process parser trims all white space).

use arrow::array::{AsArray, RecordBatch};
use arrow::datatypes::Int64Type;
use spark_connect::row::{Row, Value};

use super::link_sql::{quote_ident, quote_str};
use super::spark::{connect, run_sql, spark_error, RowNumbers, SparkTable};
use super::EngineError;
use crate::attacks::unicity::{
    drawn_positions, median_points, unicity_point_of_counts, TraceSpec, UnicityResult,
};

/// The SQL of an event's time bucket from the text column `ts` (`NULL`
/// when the grammar of [`crate::attacks::unicity::parse_timestamp`]
/// rejects it).
pub fn bucket_sql(ts: &str, bucket_seconds: i64) -> String {
    let t = format!("trim({ts})");
    let iso = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]*)?)?(Z|z|[+-][0-9]{2}:?[0-9]{2})?)?$";
    let iso = quote_str(iso);
    let g = |i: u32| format!("TRY_CAST(regexp_extract({t}, {iso}, {i}) AS BIGINT)");
    let gs = |i: u32| format!("regexp_extract({t}, {iso}, {i})");
    let (y, m, d) = (g(1), g(2), g(3));
    // days_from_civil with y' = y - (m <= 2); 4-digit years are >= 0, so
    // DIV is floor division.
    let yy = format!("({y} - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)");
    let era = format!("({yy} DIV 400)");
    let yoe = format!("({yy} - {era} * 400)");
    let doy = format!("((153 * (({m} + 9) % 12) + 2) DIV 5 + {d} - 1)");
    let doe = format!("({yoe} * 365 + {yoe} DIV 4 - {yoe} DIV 100 + {doy})");
    let days = format!("({era} * 146097 + {doe} - 719468)");
    let hms = format!(
        "(CASE WHEN {h} = '' THEN 0 ELSE TRY_CAST({h} AS BIGINT) * 3600 + TRY_CAST({mi} AS BIGINT) * 60 \
         + CASE WHEN {s} = '' THEN 0 ELSE TRY_CAST({s} AS BIGINT) END END)",
        h = gs(4),
        mi = gs(5),
        s = gs(6)
    );
    let zone = gs(7);
    let digits = format!("replace(substring({zone}, 2), ':', '')");
    let offset = format!(
        "(CASE WHEN {zone} IN ('', 'Z', 'z') THEN 0 \
         WHEN length({digits}) <> 4 THEN NULL \
         ELSE (CASE WHEN substring({zone}, 1, 1) = '-' THEN -1 ELSE 1 END) \
         * (TRY_CAST(substring({digits}, 1, 2) AS BIGINT) * 3600 + TRY_CAST(substring({digits}, 3, 2) AS BIGINT) * 60) END)"
    );
    let valid = format!(
        "{m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND 31 \
         AND ({h} = '' OR (TRY_CAST({h} AS BIGINT) <= 23 AND TRY_CAST({mi} AS BIGINT) <= 59)) \
         AND ({s} = '' OR TRY_CAST({s} AS BIGINT) <= 60)",
        h = gs(4),
        mi = gs(5),
        s = gs(6)
    );
    let secs = format!(
        "(CASE WHEN {t} RLIKE '^[+-]?[0-9]+$' THEN TRY_CAST({t} AS BIGINT) \
         WHEN {t} RLIKE {iso} AND {valid} THEN {days} * 86400 + {hms} - {offset} \
         ELSE NULL END)"
    );
    format!("(({secs} - pmod({secs}, {bucket_seconds})) DIV {bucket_seconds})")
}

/// The common table expressions: `ev` (events with a user and a
/// timestamp: user, bucket `b`, action `a`, row id), `pts` (points numbered
/// by first row), `usr` (users likewise), `tr` (distinct user-point pairs).
pub fn traces_ctes(table: &SparkTable, spec: &TraceSpec) -> String {
    let user = format!("CAST({} AS STRING)", quote_ident(&spec.user_column));
    let ts = format!("CAST({} AS STRING)", quote_ident(&spec.timestamp_column));
    let action = if spec.action_columns.is_empty() {
        "''".to_string()
    } else {
        let parts: Vec<String> = spec
            .action_columns
            .iter()
            .map(|c| format!("COALESCE(CAST({} AS STRING), '')", quote_ident(c)))
            .collect();
        format!("concat({})", parts.join(", '\\u001F', "))
    };
    format!(
        "WITH src AS (SELECT *, monotonically_increasing_id() AS mid FROM {table}), \
         ev AS (SELECT {user} AS u, {ts} AS ts, {bucket} AS b, {action} AS a, mid FROM src \
         WHERE {user} IS NOT NULL AND {ts} IS NOT NULL), \
         pts AS (SELECT b, a, CAST(ROW_NUMBER() OVER (ORDER BY MIN(mid)) - 1 AS BIGINT) AS pid FROM ev GROUP BY b, a), \
         usr AS (SELECT u, CAST(ROW_NUMBER() OVER (ORDER BY MIN(mid)) - 1 AS BIGINT) AS uid FROM ev GROUP BY u), \
         tr AS (SELECT DISTINCT usr.uid, pts.pid FROM ev JOIN pts ON ev.b = pts.b AND ev.a = pts.a \
         JOIN usr ON ev.u = usr.u) ",
        table = table.sql(),
        bucket = bucket_sql(&ts, spec.bucket_seconds),
    )
}

/// The counting query: per `p`, users singled out and the sum of the
/// anonymity set sizes, from the drawn positions in view `drawn`.
pub fn counts_sql(ctes: &str, drawn_view: &str, points: &[usize]) -> String {
    let ps: Vec<String> = points.iter().map(|p| p.to_string()).collect();
    format!(
        "{ctes}, trk AS (SELECT uid, pid, CAST(ROW_NUMBER() OVER (PARTITION BY uid ORDER BY pid) - 1 AS BIGINT) AS pos FROM tr), \
         sp AS (SELECT d.uid, d.k, trk.pid FROM {drawn_view} d JOIN trk ON d.uid = trk.uid AND d.pos = trk.pos), \
         dl AS (SELECT uid, COUNT(*) AS d FROM {drawn_view} GROUP BY uid), \
         m AS (SELECT sp.uid AS u, tr.uid AS v, sp.k FROM sp JOIN tr ON sp.pid = tr.pid), \
         q AS (SELECT u, v, SUM(CASE WHEN k = rn THEN 1 ELSE 0 END) AS q FROM \
         (SELECT u, v, k, CAST(ROW_NUMBER() OVER (PARTITION BY u, v ORDER BY k) - 1 AS BIGINT) AS rn FROM m) GROUP BY u, v), \
         ps AS (SELECT explode(array({ps})) AS p), \
         sz AS (SELECT ps.p, q.u, SUM(CASE WHEN q.q >= LEAST(ps.p, dl.d) THEN 1 ELSE 0 END) AS size \
         FROM q JOIN dl ON q.u = dl.uid CROSS JOIN ps GROUP BY ps.p, q.u) \
         SELECT CAST(p AS BIGINT) AS p, CAST(SUM(CASE WHEN size = 1 THEN 1 ELSE 0 END) AS BIGINT) AS n_unique, \
         CAST(SUM(size) AS BIGINT) AS total, COUNT(*) AS users FROM sz GROUP BY p",
        ctes = ctes.trim_end(),
        ps = ps.join(", "),
    )
}

fn int64(batch: &RecordBatch, j: usize) -> Option<&arrow::array::PrimitiveArray<Int64Type>> {
    batch.column(j).as_primitive_opt::<Int64Type>()
}

/// The unicity curve of the events in `table` on the Spark Connect server
/// at `url` (see the module docs): equal to
/// [`crate::attacks::unicity::unicity_curve`] on the same events.
pub fn unicity_curve(
    url: &str,
    table: &SparkTable,
    spec: &TraceSpec,
    points: &[usize],
    seed: u64,
) -> Result<UnicityResult, EngineError> {
    if points.is_empty() || points.contains(&0) {
        return Err(EngineError::Unsupported(
            "trace unicity: give one or more point counts, each at least 1 (e.g. 1,2,4,8)".into(),
        ));
    }
    if spec.bucket_seconds <= 0 {
        return Err(EngineError::Unsupported(format!(
            "trace unicity: bucket width {} must be at least 1 second",
            spec.bucket_seconds
        )));
    }
    let session = connect(url)?;
    let run = |sql: &str| run_sql(&session, url, sql);
    let bad = |what: &str| spark_error(url, format!("unexpected answer: {what}"));
    let ctes = traces_ctes(table, spec);

    // A timestamp the grammar rejects: the first one, by row.
    let first_bad = format!(
        "{}SELECT ts, mid FROM ev WHERE b IS NULL ORDER BY mid LIMIT 1",
        ctes
    );
    for batch in run(&first_bad)? {
        if batch.num_rows() > 0 {
            let numbers = RowNumbers::of(&run, url, table)?;
            let value = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)
                .map_err(|e| bad(&e.to_string()))?;
            let mid = int64(&batch, 1).ok_or_else(|| bad("row id"))?.value(0);
            return Err(EngineError::Unicity(
                crate::attacks::unicity::UnicityError::BadTimestamp {
                    source_name: table.sql(),
                    row: numbers.row(url, mid)? as usize + 1,
                    value: value.as_string::<i32>().value(0).to_string(),
                },
            ));
        }
    }
    // Each user's number of points, and the totals.
    let mut lens: Vec<usize> = Vec::new();
    for batch in run(&format!(
        "{ctes}SELECT uid, COUNT(*) AS n FROM tr GROUP BY uid"
    ))? {
        let uid = int64(&batch, 0).ok_or_else(|| bad("user numbers"))?;
        let n = int64(&batch, 1).ok_or_else(|| bad("trace lengths"))?;
        for i in 0..batch.num_rows() {
            let u = uid.value(i) as usize;
            if lens.len() <= u {
                lens.resize(u + 1, 0);
            }
            lens[u] = n.value(i) as usize;
        }
    }
    if lens.is_empty() || lens.contains(&0) {
        return Err(EngineError::Unicity(
            crate::attacks::unicity::UnicityError::NoTraces {
                source_name: table.sql(),
            },
        ));
    }
    let (mut n_events, mut n_points) = (0u64, 0u64);
    for batch in run(&format!(
        "{ctes}SELECT (SELECT COUNT(*) FROM ev) AS events, (SELECT COUNT(*) FROM pts) AS points"
    ))? {
        if batch.num_rows() > 0 {
            n_events = int64(&batch, 0).ok_or_else(|| bad("events"))?.value(0) as u64;
            n_points = int64(&batch, 1).ok_or_else(|| bad("points"))?.value(0) as u64;
        }
    }
    // The drawn positions, as in process.
    let max_p = points.iter().copied().max().unwrap_or(1);
    let fields = vec!["uid".to_string(), "k".to_string(), "pos".to_string()];
    let mut rows = Vec::new();
    for (u, &len) in lens.iter().enumerate() {
        for (k, pos) in drawn_positions(len, u, max_p, seed).into_iter().enumerate() {
            rows.push(Row::new(
                fields.clone(),
                vec![
                    Value::Long(u as i64),
                    Value::Long(k as i64),
                    Value::Long(i64::from(pos)),
                ],
            ));
        }
    }
    let fail = |e: spark_connect::SparkError| spark_error(url, format!("{e}"));
    let schema = spark_connect::types::DataType::from_ddl("uid BIGINT, k BIGINT, pos BIGINT")
        .map_err(fail)?;
    let view = "reident_unicity_drawn";
    session
        .create_dataframe(rows, schema)
        .map_err(fail)?
        .create_or_replace_temp_view(view)
        .map_err(fail)?;
    let mut counts: std::collections::HashMap<usize, (usize, usize)> = Default::default();
    for batch in run(&counts_sql(&ctes, view, points))? {
        let p = int64(&batch, 0).ok_or_else(|| bad("p"))?;
        let unique = int64(&batch, 1).ok_or_else(|| bad("users singled out"))?;
        let total = int64(&batch, 2).ok_or_else(|| bad("anonymity sets"))?;
        let users = int64(&batch, 3).ok_or_else(|| bad("users"))?;
        for i in 0..batch.num_rows() {
            if users.value(i) as usize != lens.len() {
                return Err(bad(&format!(
                    "{} users counted at p = {} but {} have traces",
                    users.value(i),
                    p.value(i),
                    lens.len()
                )));
            }
            counts.insert(
                p.value(i) as usize,
                (unique.value(i) as usize, total.value(i) as usize),
            );
        }
    }
    let curve = points
        .iter()
        .map(|&p| {
            let (unique, total) = counts
                .get(&p)
                .copied()
                .ok_or_else(|| bad(&format!("no counts at p = {p}")))?;
            Ok(unicity_point_of_counts(p, unique, total, &lens))
        })
        .collect::<Result<Vec<_>, EngineError>>()?;
    Ok(UnicityResult {
        spec: spec.clone(),
        seed,
        n_users: lens.len(),
        n_events: n_events as usize,
        n_distinct_points: n_points as usize,
        median_points_per_user: median_points(lens),
        curve,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_numbers_points_by_first_row_and_joins_the_drawn_points() {
        let spec = TraceSpec {
            user_column: "user".into(),
            timestamp_column: "time".into(),
            action_columns: vec!["product".into(), "action".into()],
            bucket_seconds: 3600,
        };
        let ctes = traces_ctes(&SparkTable::parse("/d/events.parquet"), &spec);
        assert!(
            ctes.contains("CAST(ROW_NUMBER() OVER (ORDER BY MIN(mid)) - 1 AS BIGINT) AS pid"),
            "{ctes}"
        );
        assert!(ctes.contains("concat(COALESCE(CAST(`product` AS STRING), ''), '\\u001F', COALESCE(CAST(`action` AS STRING), ''))"), "{ctes}");
        assert!(ctes.contains("pmod("), "{ctes}");
        let sql = counts_sql(&ctes, "drawn", &[1, 4]);
        assert!(sql.contains("explode(array(1, 4))"), "{sql}");
        assert!(sql.contains("q.q >= LEAST(ps.p, dl.d)"), "{sql}");
    }
}
