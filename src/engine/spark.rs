//! The Spark engine: equivalence-class partials as Spark SQL, through Spark
//! Connect (the official Rust client, crate `apache-spark-connect`).
//!
//! [`class_partial`] sends one `GROUP BY` over the quasi-identifier and
//! sensitive columns of a table the cluster holds (a catalog table, or a
//! Parquet path the cluster can read) and gets back, as Arrow batches, one
//! row per group: its values, `COUNT(*)`, the smallest row id and, for groups
//! smaller than the target k, the list of row ids. That is a
//! [`ClassPartial`], finished by the same Rust code as in process
//! ([`ClassPartial::evaluate`]). A second, tiny query counts the rows of each
//! input partition, so that `monotonically_increasing_id()` (partition index
//! in the upper 31 bits, position in the partition in the lower 33) turns
//! into the 0-based row number in scan order, which for a Parquet file is
//! the file's row order: first rows, dictionary order and listed rows come
//! out as in process.
//!
//! Values are compared as text: a column is `CAST(... AS STRING)`, a null or
//! a value equal (after `trim`) to a token of the [`MissingPolicy`] becomes
//! its label, as the readers do. Two known differences from the Rust
//! readers: Spark's `trim` removes spaces only (Rust trims all Unicode white
//! space), and non-string Parquet columns are rendered by Spark's cast
//! (e.g. doubles as `1.0`), which may differ from the Rust reader's text.
//! Keep such columns as strings, or compare with care.
//!
//! Every query goes through [`run_sql`], which reads the result stream
//! itself and reattaches when the server ends it before the result is
//! complete (a long query or a large answer), so an answer is either whole
//! or an error.
//!
//! Linkage on Spark is [`super::spark_link`], the QI join [`super::spark_qi`].

use std::collections::{BTreeMap, HashMap};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int64Type};
use spark_connect::SparkSession;

use super::link_sql::{quote_ident, quote_str};
use super::out_of_core::WeightedGroups;
use super::{ClassPartial, EngineError, Group, OutOfCore};
use crate::data::MissingPolicy;
use crate::privacy::{MetricsParams, MetricsReport};

/// A table the cluster holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SparkTable {
    /// A catalog table or view, e.g. `sales.customers`.
    Name(String),
    /// A Parquet file or folder, as a path the cluster reads.
    Parquet(String),
}

impl SparkTable {
    /// A path (contains `/` or ends in `.parquet`) is read as Parquet, any
    /// other text is a table name.
    pub fn parse(text: &str) -> Self {
        if text.contains('/') || text.ends_with(".parquet") {
            SparkTable::Parquet(text.to_string())
        } else {
            SparkTable::Name(text.to_string())
        }
    }

    /// The table as it appears after `FROM` in Spark SQL.
    pub fn sql(&self) -> String {
        match self {
            SparkTable::Name(name) => name
                .split('.')
                .map(quote_ident)
                .collect::<Vec<_>>()
                .join("."),
            SparkTable::Parquet(path) => format!("parquet.{}", quote_ident(path)),
        }
    }
}

/// The SQL condition that one column's value is missing as the readers
/// see it: a null, or a value equal (after `trim`) to a token of `missing`.
pub(crate) fn missing_condition(column: &str, missing: &MissingPolicy) -> String {
    let c = format!("CAST({} AS STRING)", quote_ident(column));
    if missing.tokens.is_empty() {
        return format!("{c} IS NULL");
    }
    let tokens: Vec<String> = missing.tokens.iter().map(|t| quote_str(t.trim())).collect();
    format!("{c} IS NULL OR trim({c}) IN ({})", tokens.join(", "))
}

/// The SQL expression of one column's value as the readers see it.
pub(crate) fn value_expr(column: &str, missing: &MissingPolicy) -> String {
    let c = format!("CAST({} AS STRING)", quote_ident(column));
    let label = quote_str(&missing.label);
    format!(
        "CASE WHEN {} THEN {label} ELSE {c} END",
        missing_condition(column, missing)
    )
}

/// The group-by query of [`class_partial`] (public so it can be read and
/// tested without a server).
pub fn class_partial_sql(
    table: &SparkTable,
    quasi_identifiers: &[&str],
    sensitive: &[&str],
    target_k: u64,
    missing: &MissingPolicy,
) -> String {
    let columns: Vec<&str> = quasi_identifiers.iter().chain(sensitive).copied().collect();
    let projected: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} AS c{i}", value_expr(c, missing)))
        .collect();
    let keys: Vec<String> = (0..columns.len()).map(|i| format!("c{i}")).collect();
    format!(
        "SELECT {keys}, COUNT(*) AS n, MIN(mid) AS first, \
         CASE WHEN COUNT(*) < {target_k} THEN collect_list(mid) END AS rows \
         FROM (SELECT {projected}, monotonically_increasing_id() AS mid FROM {table}) \
         GROUP BY {keys}",
        keys = keys.join(", "),
        projected = projected.join(", "),
        table = table.sql(),
    )
}

/// Rows per input partition, keyed by `monotonically_increasing_id() >> 33`.
fn partition_sql(table: &SparkTable) -> String {
    format!(
        "SELECT shiftright(mid, 33) AS p, COUNT(*) AS n \
         FROM (SELECT monotonically_increasing_id() AS mid FROM {}) GROUP BY p",
        table.sql()
    )
}

/// Connects to the Spark Connect server at `url` (`sc://HOST:PORT`).
pub fn connect(url: &str) -> Result<SparkSession, EngineError> {
    SparkSession::builder()
        .remote(url)
        .get_or_create()
        .map_err(|e| spark_error(url, format!("cannot connect: {e}")))
}

pub(crate) fn spark_error(url: &str, message: String) -> EngineError {
    EngineError::Spark {
        url: url.to_string(),
        message,
    }
}

/// The equivalence-class partial of `table`, computed by the Spark Connect
/// server at `url` (see the module docs); only the groups come back.
///
/// Errors: no connection, a SQL error (unknown table or column, unreadable
/// path) with Spark's message, and an answer of an unexpected shape.
pub fn class_partial(
    url: &str,
    table: &SparkTable,
    quasi_identifiers: &[&str],
    sensitive: &[&str],
    target_k: u64,
    missing: &MissingPolicy,
) -> Result<ClassPartial, EngineError> {
    let mut partial = ClassPartial::empty(quasi_identifiers, sensitive, target_k);
    let n_rows = class_groups(
        url,
        table,
        quasi_identifiers,
        sensitive,
        target_k,
        missing,
        &mut partial,
    )?;
    partial.n_rows = n_rows;
    Ok(partial)
}

/// Every metric of `table` from Spark's groups, finished out of core under
/// `settings`' budget ([`super::out_of_core::WeightedGroups`]): the groups
/// are read batch by batch as Spark sends them and never held whole, so
/// the client's memory follows the budget, not the number of groups. The
/// report (named `source`) equals the in-process report but for
/// `out_of_core`.
///
/// Errors: those of [`class_partial`], of the parameters (a subject column
/// or a population table), the spills' input/output errors and the
/// metrics' errors.
pub fn class_metrics_out_of_core(
    url: &str,
    table: &SparkTable,
    source: &str,
    params: &MetricsParams,
    missing: &MissingPolicy,
    settings: &OutOfCore,
) -> Result<MetricsReport, EngineError> {
    let qis: Vec<&str> = params
        .quasi_identifiers
        .iter()
        .map(String::as_str)
        .collect();
    let sas: Vec<&str> = params.sensitive.iter().map(String::as_str).collect();
    let mut groups = WeightedGroups::new(params, settings)?;
    class_groups(
        url,
        table,
        &qis,
        &sas,
        params.target_k,
        missing,
        &mut groups,
    )?;
    groups.finish(source, params)
}

/// Where [`class_groups`] hands Spark's answer: every group (its values as
/// text, QIs then sensitive attributes, and its rows), and the end of each
/// Arrow batch.
trait GroupSink {
    fn group(&mut self, values: &[&str], group: Group) -> Result<(), EngineError>;
    fn end_batch(&mut self) -> Result<(), EngineError> {
        Ok(())
    }
}

/// The groups held at once, keyed by their values.
impl GroupSink for ClassPartial {
    fn group(&mut self, values: &[&str], group: Group) -> Result<(), EngineError> {
        self.groups
            .insert(values.iter().map(|v| v.to_string()).collect(), group);
        Ok(())
    }
}

/// The groups finished out of core as they come.
impl GroupSink for WeightedGroups<'_> {
    fn group(&mut self, values: &[&str], group: Group) -> Result<(), EngineError> {
        self.add(values, group)
    }
    fn end_batch(&mut self) -> Result<(), EngineError> {
        WeightedGroups::end_batch(self)
    }
}

/// Runs the group-by of [`class_partial`] and hands every group (rows
/// numbered in scan order) and the end of every Arrow batch to `sink`.
/// Returns the rows of the table, checked against the groups' counts.
fn class_groups(
    url: &str,
    table: &SparkTable,
    quasi_identifiers: &[&str],
    sensitive: &[&str],
    target_k: u64,
    missing: &MissingPolicy,
    sink: &mut dyn GroupSink,
) -> Result<u64, EngineError> {
    let session = connect(url)?;
    let run = |sql: &str| run_sql(&session, url, sql);
    let bad = |what: &str| spark_error(url, format!("unexpected answer: {what}"));
    let numbers = RowNumbers::of(&run, url, table)?;
    let total = numbers.total;
    let row_of = |mid: i64| numbers.row(url, mid);

    let n_keys = quasi_identifiers.len() + sensitive.len();
    let sql = class_partial_sql(table, quasi_identifiers, sensitive, target_k, missing);
    let mut n_rows = 0u64;
    run_sql_each(&session, url, &sql, &mut |batch| {
        if batch.num_columns() != n_keys + 3 {
            return Err(bad(&format!("{} columns", batch.num_columns())));
        }
        let keys = (0..n_keys)
            .map(|j| {
                arrow::compute::cast(batch.column(j), &DataType::Utf8)
                    .map_err(|e| bad(&format!("column {j}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let texts: Vec<_> = keys.iter().map(|k| k.as_string::<i32>()).collect();
        let counts = int64(&batch, n_keys).ok_or_else(|| bad("counts"))?;
        let firsts = int64(&batch, n_keys + 1).ok_or_else(|| bad("first rows"))?;
        let lists = batch
            .column(n_keys + 2)
            .as_list_opt::<i32>()
            .ok_or_else(|| bad("row lists"))?;
        let mut values: Vec<&str> = Vec::with_capacity(n_keys);
        for i in 0..batch.num_rows() {
            values.clear();
            values.extend(texts.iter().map(|t| t.value(i)));
            let count = counts.value(i) as u64;
            let rows = if lists.is_null(i) {
                None
            } else {
                let list = lists.value(i);
                let ids = list
                    .as_primitive_opt::<Int64Type>()
                    .ok_or_else(|| bad("row ids"))?;
                let mut rows = ids
                    .values()
                    .iter()
                    .map(|&m| row_of(m))
                    .collect::<Result<Vec<u64>, _>>()?;
                rows.sort_unstable();
                Some(rows)
            };
            n_rows += count;
            sink.group(
                &values,
                Group {
                    count,
                    first_row: row_of(firsts.value(i))?,
                    rows,
                },
            )?;
        }
        sink.end_batch()
    })?;
    if n_rows != total {
        return Err(bad(&format!(
            "{n_rows} rows in the groups but {total} in the partitions"
        )));
    }
    Ok(n_rows)
}

/// The column names of `table`, in order (from the schema; no rows read).
pub fn columns(url: &str, table: &SparkTable) -> Result<Vec<String>, EngineError> {
    let session = connect(url)?;
    let sql = format!("SELECT * FROM {}", table.sql());
    let fail = |e: spark_connect::SparkError| spark_error(url, format!("{e}\nquery: {sql}"));
    let frame = session.sql(&sql).map_err(fail)?;
    frame.columns().map_err(fail)
}

/// Runs `sql` on the server of `session` and collects the answer (errors
/// carry the query).
///
/// The result stream is driven here rather than by the client's
/// `collect_record_batches`: a Spark Connect server ends a response stream
/// after `spark.connect.execute.reattachable.senderMaxStreamDuration` (2
/// minutes by default) and expects the client to `ReattachExecute` from the
/// last response it saw until a `ResultComplete` arrives (as pyspark's
/// `ExecutePlanResponseReattachableIterator` does). `apache-spark-connect`
/// 4.2.0 takes the end of such a stream for the end of the result, so any
/// query longer than that came back with no rows and no error (issue #18:
/// 0 pairs compared at 1M x 1M). Here an ended stream without
/// `ResultComplete` is reattached, and a result that cannot be completed is
/// an error, never a short answer.
pub(crate) fn run_sql(
    session: &SparkSession,
    url: &str,
    sql: &str,
) -> Result<Vec<RecordBatch>, EngineError> {
    let mut batches = Vec::new();
    run_sql_each(session, url, sql, &mut |b| {
        batches.push(b);
        Ok(())
    })?;
    Ok(batches)
}

/// [`run_sql`] handing each Arrow batch to `on_batch` as it arrives, so a
/// large answer is never held whole; the first error of `on_batch` stops it.
pub(crate) fn run_sql_each(
    session: &SparkSession,
    url: &str,
    sql: &str,
    on_batch: &mut dyn FnMut(RecordBatch) -> Result<(), EngineError>,
) -> Result<(), EngineError> {
    use spark_connect_core::{block_on, ExecutePlanResponseReattachableIterator};
    use spark_connect_proto::{execute_plan_response::ResponseType, plan, relation};

    let fail = |e: String| spark_error(url, format!("{e}\nquery: {sql}"));
    let client = block_on(spark_connect_core::SparkConnectClient::connect(
        &spark_connect_core::ChannelBuilder::parse(url).map_err(|e| fail(e.to_string()))?,
    ))
    .map_err(|e| fail(format!("cannot connect: {e}")))?;
    let request = spark_connect_proto::ExecutePlanRequest {
        session_id: session.session_id().to_string(),
        user_context: Some(spark_connect_proto::UserContext::default()),
        plan: Some(spark_connect_proto::Plan {
            op_type: Some(plan::OpType::Root(spark_connect_proto::Relation {
                common: None,
                rel_type: Some(relation::RelType::Sql(spark_connect_proto::Sql {
                    query: sql.to_string(),
                    ..Default::default()
                })),
            })),
        }),
        ..Default::default()
    };
    let iter = ExecutePlanResponseReattachableIterator::new(request);
    let mut stream =
        block_on(client.execute_plan(iter.request().clone())).map_err(|e| fail(e.to_string()))?;
    loop {
        match block_on(stream.message()) {
            Ok(Some(response)) => {
                block_on(iter.set_last_response_id(&response));
                if let Some(ResponseType::ArrowBatch(batch)) = &response.response_type {
                    if !batch.data.is_empty() {
                        let reader = arrow::ipc::reader::StreamReader::try_new(
                            std::io::Cursor::new(&batch.data),
                            None,
                        )
                        .map_err(|e| fail(format!("cannot read an Arrow batch: {e}")))?;
                        for b in reader {
                            on_batch(
                                b.map_err(|e| fail(format!("cannot read an Arrow batch: {e}")))?,
                            )?;
                        }
                    }
                }
            }
            Ok(None) if block_on(iter.is_completed()) => break,
            Ok(None) => {
                // The server ended the stream before the result was complete
                // (a long query, or a stream cut by its size limit): resume it.
                // While the query runs, each stream ends empty at the deadline;
                // a query the server no longer knows is an error from reattach.
                stream =
                    block_on(client.reattach_execute(block_on(iter.create_reattach_request())))
                        .map_err(|e| fail(format!("cannot reattach to the running query: {e}")))?;
            }
            Err(status) => return Err(fail(status.message().to_string())),
        }
    }
    // Let the server drop the buffered responses (it would after a timeout).
    let _ = block_on(client.release_execute(block_on(iter.create_release_request(true))));
    Ok(())
}

/// Row numbers in scan order from `monotonically_increasing_id()`: the rows
/// of each input partition, counted by one small query, give each
/// partition's offset (see the module docs).
pub(crate) struct RowNumbers {
    /// Per partition id: the first row number and the partition's rows.
    offsets: HashMap<i64, (u64, u64)>,
    /// Rows of the table.
    pub total: u64,
}

impl RowNumbers {
    /// Counts the rows of each input partition of `table`.
    pub(crate) fn of(
        run: &dyn Fn(&str) -> Result<Vec<RecordBatch>, EngineError>,
        url: &str,
        table: &SparkTable,
    ) -> Result<Self, EngineError> {
        let bad = |what: &str| spark_error(url, format!("unexpected answer: {what}"));
        let mut sizes: BTreeMap<i64, i64> = BTreeMap::new();
        for batch in run(&partition_sql(table))? {
            let p = int64(&batch, 0).ok_or_else(|| bad("partition ids"))?;
            let n = int64(&batch, 1).ok_or_else(|| bad("partition sizes"))?;
            for i in 0..batch.num_rows() {
                sizes.insert(p.value(i), n.value(i));
            }
        }
        let mut offsets: HashMap<i64, (u64, u64)> = HashMap::new();
        let mut total = 0u64;
        for (&p, &n) in &sizes {
            offsets.insert(p, (total, n as u64));
            total += n as u64;
        }
        Ok(RowNumbers { offsets, total })
    }

    /// The 0-based row number of the row with id `mid`.
    pub(crate) fn row(&self, url: &str, mid: i64) -> Result<u64, EngineError> {
        let outside = || {
            spark_error(
                url,
                "unexpected answer: a row id outside the counted partitions".into(),
            )
        };
        let &(offset, size) = self.offsets.get(&(mid >> 33)).ok_or_else(outside)?;
        let position = (mid & ((1i64 << 33) - 1)) as u64;
        if position >= size {
            return Err(outside());
        }
        Ok(offset + position)
    }
}

fn int64(batch: &RecordBatch, j: usize) -> Option<&arrow::array::PrimitiveArray<Int64Type>> {
    batch.column(j).as_primitive_opt::<Int64Type>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_groups_by_every_column_and_maps_missing_values() {
        let sql = class_partial_sql(
            &SparkTable::parse("/data/adult.parquet"),
            &["age", "sex"],
            &["disease"],
            2,
            &MissingPolicy::new(&["?", ""], "?"),
        );
        assert!(sql.contains("FROM parquet.`/data/adult.parquet`"), "{sql}");
        assert!(sql.contains("GROUP BY c0, c1, c2"), "{sql}");
        assert!(
            sql.contains("CASE WHEN CAST(`age` AS STRING) IS NULL OR trim(CAST(`age` AS STRING)) IN ('?', '') THEN '?' ELSE CAST(`age` AS STRING) END AS c0"),
            "{sql}"
        );
        assert!(
            sql.contains("CASE WHEN COUNT(*) < 2 THEN collect_list(mid) END"),
            "{sql}"
        );
        assert_eq!(SparkTable::parse("db.t").sql(), "`db`.`t`");
        assert_eq!(quote_str("it's"), "'it\\'s'");
    }
}
