//! `reident._reident`: the native half of the Python package `reident`.
//!
//! The binding computes nothing itself. Each Python function builds the
//! arguments of one `reident` command and [`run_cli`] runs that command's
//! library entry point in process ([`reident::cli::run`], the function the
//! binary's `main` calls), on its own thread while the caller waits without
//! the GIL, checks for Ctrl-C and reports progress ([`interruptible`]), so
//! results, JSON bytes and error messages are the CLI's. Ctrl-C cancels the
//! run itself (`reident::data::cancel`: the library stops at its next
//! checkpoint and frees its threads) before `KeyboardInterrupt` is raised.
//! What only Python has goes through the other functions:
//!
//! * [`epsilon_audit`]: `reident epsilon audit` with a Python callable as the
//!   mechanism ([`PyMechanism`]);
//! * [`register_table`]: a pandas, polars or pyarrow table (anything with
//!   `__arrow_c_stream__`, the Arrow PyCapsule interface) is imported through
//!   polars-arrow's C stream FFI (the Arrow buffers are not copied), every
//!   column is cast to text exactly as the CLI's Parquet reader casts
//!   columns, and the frame is registered in the library's in-memory table
//!   registry (`reident::data::memory`) under a `mem://` name the command
//!   reads in place of a path: no file is written;
//! * [`arrow_to_parquet`]: the same import written to a Parquet file, for the
//!   inputs that are read as files (the mechanism audit's datasets, which a
//!   separate process may read);
//! * [`json_to_toml`]: an audit config given as a Python dict (as JSON) is
//!   written as TOML for `reident audit`.
//!
//! Errors of a command come back as `(kind, message)` with the CLI's message;
//! `reident/__init__.py` raises the matching Python exception.

use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use clap::Parser;
use polars::prelude::*;
use polars_arrow::array::{Array, StructArray};
use polars_arrow::datatypes::ArrowDataType;
use polars_arrow::ffi::{ArrowArrayStream, ArrowArrayStreamReader};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use reident::cli::progress::{observe, Observer, Snapshot};
use reident::cli::{self, Cli, CliError, Command, Outcome};
use reident::data::cancel::{run_cancellable, CancelToken};
use reident::data::{encode_frame, EncodedTable, MissingPolicy};
use reident::dp::{DpError, Mechanism};

/// What went wrong in a command, for the Python exception it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    /// An input file does not exist (`FileNotFoundError`).
    NotFound,
    /// Bad arguments or bad input data (`ValueError`).
    Value,
    /// Anything else, e.g. a report that cannot be written (`ReidentError`).
    Other,
}

impl ErrorKind {
    fn name(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Value => "value",
            ErrorKind::Other => "error",
        }
    }
}

/// Classifies a command error: an I/O "not found" anywhere in its chain is a
/// missing file; output problems are neither; the rest is bad input.
fn classify(err: &CliError) -> ErrorKind {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::NotFound {
                return ErrorKind::NotFound;
            }
        }
        cause = e.source();
    }
    match err {
        CliError::Write { .. } | CliError::Report(_) => ErrorKind::Other,
        _ => ErrorKind::Value,
    }
}

/// The exit code the `reident` binary gives an outcome.
fn exit_code(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Success => 0,
        Outcome::Refuted => 1,
        Outcome::Inconclusive => 3,
    }
}

/// `(exit_code, stdout, error)` of a command, see [`run_cli`].
type CliResult = (i32, String, Option<(&'static str, String)>);

/// Parses `reident ARGS...` as the binary does; a rejected argument list is
/// the `value` error of [`run_cli`] with clap's message.
fn parse_args(args: Vec<String>) -> Result<Cli, CliResult> {
    let argv = std::iter::once("reident".to_string()).chain(args);
    Cli::try_parse_from(argv).map_err(|e| {
        // clap's message without its `error: ` prefix and the pointer to
        // `--help`, which means nothing to a Python caller.
        let message = e.to_string();
        let message = message
            .split("\n\nFor more information")
            .next()
            .unwrap_or_default()
            .trim_end()
            .trim_start_matches("error: ")
            .to_string();
        (2, String::new(), Some(("value", message)))
    })
}

/// The `(exit_code, stdout, error)` of a finished command.
fn cli_result(result: Result<Outcome, CliError>, out: Vec<u8>) -> CliResult {
    let stdout = String::from_utf8_lossy(&out).into_owned();
    match result {
        Ok(outcome) => (exit_code(outcome), stdout, None),
        Err(err) => (2, stdout, Some((classify(&err).name(), err.to_string()))),
    }
}

/// Runs `reident ARGS...` in process, without the GIL; Ctrl-C cancels it and
/// raises `KeyboardInterrupt` (see [`interruptible`]).
///
/// Returns `(exit_code, stdout, error)`: the exit code the binary would give
/// (0, 1 or 3; 2 with an error), what it would print on standard output, and
/// on failure `(kind, message)` with `kind` one of `not_found`, `value`,
/// `error` and the message the binary prints after `error: `. Arguments clap
/// rejects are `value` errors with clap's message. `progress`, when given, is
/// called as `progress(what, position, length, message)` whenever the
/// command's progress bar moves (`length` is `None` for a spinner).
#[pyfunction]
#[pyo3(signature = (args, progress=None))]
fn run_cli(
    py: Python<'_>,
    args: Vec<String>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<CliResult> {
    let parsed = match parse_args(args) {
        Ok(cli) => cli,
        Err(rejected) => return Ok(rejected),
    };
    interruptible(py, progress.as_ref(), move || {
        let mut out = Vec::new();
        let result = cli::run(parsed, &mut out);
        cli_result(result, out)
    })
}

/// A Python callable as a mechanism for `reident epsilon audit`.
///
/// Each trial calls `bridge(columns, values, seed)` with the GIL held:
/// `columns` the input's column names, `values` one list of text cells per
/// column, `seed` the trial's seed. The Python side (`reident.epsilon_audit`)
/// builds the DataFrame, calls the user's callable and returns its result,
/// a table with `__arrow_c_stream__`, which is imported with every column
/// as text and every cell as written (the CLI reads an external command's
/// output CSV the same way: no missing-value tokens, a null an empty cell).
struct PyMechanism {
    /// Called once per trial (see the type's doc).
    bridge: Py<PyAny>,
    /// The callable's name, for the report and messages.
    name: String,
}

impl Mechanism for PyMechanism {
    fn describe(&self) -> String {
        format!("Python callable `{}`", self.name)
    }

    fn release(&self, input: &EncodedTable, seed: u64) -> Result<EncodedTable, DpError> {
        let failed = |e: String| DpError::Invalid(format!("Python mechanism `{}`: {e}", self.name));
        let columns: Vec<String> = input.column_names().iter().map(|c| c.to_string()).collect();
        let values: Vec<Vec<&str>> = input
            .columns
            .iter()
            .map(|c| (0..input.n_rows).map(|r| c.value(r)).collect())
            .collect();
        let frame = Python::attach(|py| -> PyResult<DataFrame> {
            let released = self.bridge.bind(py).call1((columns, values, seed))?;
            import_text_frame(&released, "mechanism release")
        })
        .map_err(|e| failed(e.to_string()))?;
        let keep_all = MissingPolicy {
            tokens: Vec::new(),
            label: String::new(),
        };
        Ok(encode_frame(&frame, &[], "mechanism release", &keep_all)?)
    }
}

/// `reident epsilon audit ARGS...` with the Python callable behind `bridge`
/// as the mechanism (`--mechanism` only names it); otherwise as [`run_cli`].
/// `ARGS` must be the flags of `reident epsilon audit`.
#[pyfunction]
#[pyo3(signature = (args, bridge, name, progress=None))]
fn epsilon_audit(
    py: Python<'_>,
    args: Vec<String>,
    bridge: Py<PyAny>,
    name: String,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<CliResult> {
    let argv = ["epsilon".to_string(), "audit".to_string()]
        .into_iter()
        .chain(args)
        .collect();
    let parsed = match parse_args(argv) {
        Ok(cli) => cli,
        Err(rejected) => return Ok(rejected),
    };
    let Cli { command, limits } = parsed;
    let audit = match command {
        Command::Epsilon(cli::epsilon::EpsilonArgs {
            command: cli::epsilon::EpsilonCommand::Audit(a),
        }) => a,
        _ => {
            return Err(PyRuntimeError::new_err(
                "internal: `epsilon audit` arguments parsed as another command",
            ))
        }
    };
    let mechanism = PyMechanism { bridge, name };
    interruptible(py, progress.as_ref(), move || {
        limits.install();
        let mut out = Vec::new();
        let result = cli::epsilon::audit_with(&audit, Some(&mechanism), &mut out);
        cli_result(result, out)
    })
}

/// How often a waiting call checks for Ctrl-C (a kernel interrupt) and
/// reports progress.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// How long an interrupted call waits for the library to reach its next
/// cancellation point before it raises anyway (leaving the run to finish in
/// the background). The checkpoints are a trial, a fold, an attack, a stage
/// apart, usually well under a second; this bound is for the parts that
/// have none (reading a file, polars work, one long stage).
const STOP_GRACE: Duration = Duration::from_secs(20);

/// Runs `job` on its own thread, cancellable ([`run_cancellable`]: its own
/// rayon pool carrying a [`CancelToken`]) and observed
/// ([`observe`]: the command's progress bar), and waits for it without the
/// GIL, checking for Ctrl-C (`KeyboardInterrupt`, a Jupyter kernel
/// interrupt) and calling `progress(what, position, length, message)` when
/// the bar moved, every [`SIGNAL_POLL`].
///
/// On an interrupt (or an exception in `progress`) the token is set, the call
/// waits until the job stopped at its next cancellation point (at most
/// [`STOP_GRACE`]; a second Ctrl-C stops waiting) and then raises the
/// exception: the thread and its pool are gone by then. A panic in the job
/// is a `RuntimeError`.
fn interruptible<T, F>(py: Python<'_>, progress: Option<&Bound<'_, PyAny>>, job: F) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let token = CancelToken::new();
    let observer = Observer::new();
    let (worker_token, worker_observer) = (token.clone(), observer.clone());
    std::thread::Builder::new()
        .name("reident-command".into())
        .spawn(move || {
            let result = run_cancellable(&worker_token, 0, || observe(&worker_observer, job));
            // The receiver is gone after an interrupt: nobody wants the result.
            let _ = tx.send(result);
        })
        .map_err(|e| PyOSError::new_err(format!("cannot start a thread for the command: {e}")))?;
    let mut rx = rx;
    let mut shown: Option<Snapshot> = None;
    loop {
        let (back, received) = py.detach(move || {
            let received = rx.recv_timeout(SIGNAL_POLL);
            (rx, received)
        });
        rx = back;
        let reported = report(progress, &observer, &mut shown);
        match received {
            Ok(Ok(value)) => {
                reported?;
                return Ok(value);
            }
            Ok(Err(pool)) => return Err(PyOSError::new_err(pool.to_string())),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(e) = reported.and_then(|()| py.check_signals()) {
                    stop(py, &token, rx);
                    return Err(e);
                }
            }
            Err(RecvTimeoutError::Disconnected) => return Err(PyRuntimeError::new_err(
                "the command stopped without a result (a panic inside reident; please report it)",
            )),
        }
    }
}

/// Calls `progress` with the observed bar when it changed since `shown`.
fn report(
    progress: Option<&Bound<'_, PyAny>>,
    observer: &Observer,
    shown: &mut Option<Snapshot>,
) -> PyResult<()> {
    let Some(progress) = progress else {
        return Ok(());
    };
    let now = observer.snapshot();
    if now.is_some() && now != *shown {
        if let Some(s) = &now {
            progress.call1((&s.what, s.position, s.length, &s.message))?;
        }
        *shown = now;
    }
    Ok(())
}

/// Cancels the run behind `rx` and waits (without the GIL) until it stopped,
/// at most [`STOP_GRACE`] or until another Ctrl-C.
fn stop<T: Send>(py: Python<'_>, token: &CancelToken, rx: Receiver<T>) {
    token.cancel();
    let deadline = Instant::now() + STOP_GRACE;
    let mut rx = rx;
    loop {
        let (back, received) = py.detach(move || {
            let received = rx.recv_timeout(SIGNAL_POLL);
            (rx, received)
        });
        rx = back;
        match received {
            Ok(_) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {
                if Instant::now() >= deadline || py.check_signals().is_err() {
                    return;
                }
            }
        }
    }
}

/// The equivalence classes of a release over `quasi_identifiers`, read as
/// `reident metrics` reads the file (same delimiter detection and missing
/// tokens; `one_class` is `--suppressed one-class`).
///
/// Returns `(classes, error)`: one `(values, size)` per class, in the
/// library's class order (the quasi-identifier values of the class, the
/// missing-value label for a missing one, and its number of rows), or the
/// error as `(kind, message)` as in [`run_cli`].
#[pyfunction]
#[pyo3(signature = (path, quasi_identifiers, delimiter=None, missing=None, one_class=false))]
fn equivalence_classes(
    py: Python<'_>,
    path: PathBuf,
    quasi_identifiers: Vec<String>,
    delimiter: Option<char>,
    missing: Option<Vec<String>>,
    one_class: bool,
) -> PyResult<ClassesResult> {
    interruptible(py, None, move || {
        match classes_of(&path, &quasi_identifiers, delimiter, missing, one_class) {
            Ok(classes) => (Some(classes), None),
            Err(e) => (None, Some((classify(&e).name(), e.to_string()))),
        }
    })
}

/// `(classes, None)` with one `(values, size)` per class, or
/// `(None, (kind, message))`.
type ClassesResult = (
    Option<Vec<(Vec<String>, u64)>>,
    Option<(&'static str, String)>,
);

fn classes_of(
    path: &std::path::Path,
    qis: &[String],
    delimiter: Option<char>,
    missing: Option<Vec<String>>,
    one_class: bool,
) -> Result<Vec<(Vec<String>, u64)>, CliError> {
    use reident::data::{self, MissingPolicy, ReadOptions};
    use reident::privacy::{self, MetricsParams, SuppressedRows};
    let mut opts = ReadOptions::default();
    if let Some(d) = delimiter {
        if !d.is_ascii() {
            return Err(CliError::Usage(format!(
                "--delimiter `{d}`: must be a single ASCII character"
            )));
        }
        opts = opts.with_delimiter(d as u8);
    }
    let missing = match missing {
        None => MissingPolicy::default(),
        Some(tokens) => MissingPolicy {
            tokens: tokens.iter().map(|t| t.trim().to_string()).collect(),
            ..MissingPolicy::default()
        },
    };
    let columns: Vec<&str> = qis.iter().map(String::as_str).collect();
    let table = data::load_table(path, &columns, &opts, &missing)?;
    let params = MetricsParams::new(qis.iter().cloned()).suppressed_rows(if one_class {
        SuppressedRows::OneClass
    } else {
        SuppressedRows::Exclude
    });
    let classes = privacy::build_classes(&table, &params)?;
    let mut first_row = vec![usize::MAX; classes.n_classes()];
    for row in 0..table.n_rows {
        if let Some(c) = classes.class_of_row(row) {
            if first_row[c] == usize::MAX {
                first_row[c] = row;
            }
        }
    }
    let qi_columns = columns
        .iter()
        .filter_map(|c| table.column(c))
        .collect::<Vec<_>>();
    Ok(first_row
        .iter()
        .zip(classes.class_sizes())
        .filter(|(row, _)| **row != usize::MAX)
        .map(|(&row, &size)| {
            (
                qi_columns
                    .iter()
                    .map(|c| c.value(row).to_string())
                    .collect(),
                size,
            )
        })
        .collect())
}

/// Imports the Arrow C stream of `obj` (its `__arrow_c_stream__()` capsule)
/// into a polars frame with every column cast to text.
fn import_text_frame(obj: &Bound<'_, PyAny>, label: &str) -> PyResult<DataFrame> {
    if !obj.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "{label}: expected a file path or a table with `__arrow_c_stream__` (pandas >= 2.2 with pyarrow, polars, pyarrow), got {}",
            obj.get_type().name()?
        )));
    }
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast_into::<PyCapsule>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{label}: `__arrow_c_stream__()` did not return a PyCapsule"
        ))
    })?;
    let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
    // SAFETY: the capsule named "arrow_array_stream" holds an
    // `ArrowArrayStream` (Arrow C stream interface, which `ArrowArrayStream`
    // mirrors with `repr(C)`). The stream is moved out and an empty one (no
    // release callback) left behind, so the capsule's destructor releases
    // nothing and the reader below releases the stream once.
    let stream = unsafe {
        std::ptr::replace(
            pointer.as_ptr().cast::<ArrowArrayStream>(),
            ArrowArrayStream::empty(),
        )
    };
    let arrow_error = |e: PolarsError| PyValueError::new_err(format!("{label}: {e}"));
    // SAFETY: the stream was produced by the exporter and is released by the
    // reader when dropped.
    let mut reader =
        unsafe { ArrowArrayStreamReader::try_new(Box::new(stream)) }.map_err(arrow_error)?;
    let fields = match reader.field().dtype().to_storage() {
        ArrowDataType::Struct(fields) => fields.clone(),
        other => {
            return Err(PyValueError::new_err(format!(
                "{label}: the Arrow stream holds {other:?}, not a table (a struct of columns)"
            )))
        }
    };
    let mut chunks: Vec<Vec<Box<dyn Array>>> = vec![Vec::new(); fields.len()];
    // SAFETY: `next` reads the stream the reader owns.
    while let Some(batch) = unsafe { reader.next() } {
        let batch = batch.map_err(arrow_error)?;
        let batch = batch
            .as_any()
            .downcast_ref::<StructArray>()
            .ok_or_else(|| PyValueError::new_err(format!("{label}: a batch is not a table")))?;
        for (column, values) in chunks.iter_mut().zip(batch.values()) {
            column.push(values.clone());
        }
    }
    let mut height = 0;
    let mut columns = Vec::with_capacity(fields.len());
    for (field, arrays) in fields.iter().zip(chunks) {
        let name = field.name.to_string();
        let series = Series::try_from((field, arrays)).map_err(|e| {
            PyValueError::new_err(format!("{label}: column `{name}` cannot be imported: {e}"))
        })?;
        // The cast the CLI's Parquet reader applies to every column.
        let text = reident::data::read::column_as_text(&Column::from(series)).map_err(|e| {
            PyValueError::new_err(format!(
                "{label}: column `{name}` cannot be read as text: {e}"
            ))
        })?;
        height = text.len();
        columns.push(text);
    }
    DataFrame::new(height, columns).map_err(|e| PyValueError::new_err(format!("{label}: {e}")))
}

/// Writes the table `obj` (anything with `__arrow_c_stream__`) to the Parquet
/// file `path`, every column as text; returns the number of rows.
///
/// The GIL is held while the stream is imported (the exporter may be Python
/// code) and released while the file is written.
#[pyfunction]
fn arrow_to_parquet(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    path: PathBuf,
    label: &str,
) -> PyResult<usize> {
    let mut frame = import_text_frame(obj, label)?;
    let rows = frame.height();
    py.detach(move || {
        let file = File::create(&path)
            .map_err(|e| PyOSError::new_err(format!("cannot write {}: {e}", path.display())))?;
        ParquetWriter::new(file)
            .finish(&mut frame)
            .map_err(|e| PyOSError::new_err(format!("cannot write {}: {e}", path.display())))?;
        Ok(rows)
    })
}

/// A table registered in the library's in-memory table registry
/// (`reident::data::memory`) for the lifetime of this object: its `name`
/// (`mem://ID/LABEL`) is read by the commands wherever a file path is
/// expected, without writing a file.
#[pyclass(frozen, module = "reident._reident")]
struct RegisteredTable {
    table: reident::data::memory::MemoryTable,
    rows: usize,
}

#[pymethods]
impl RegisteredTable {
    /// The name to pass where a path is expected.
    #[getter]
    fn name(&self) -> String {
        self.table.name().to_string()
    }

    /// Number of rows.
    #[getter]
    fn rows(&self) -> usize {
        self.rows
    }
}

/// Imports the table `obj` (anything with `__arrow_c_stream__`, every column
/// cast to text as the file readers do) and registers it in memory; the
/// returned object keeps it registered until it is dropped.
#[pyfunction]
fn register_table(obj: &Bound<'_, PyAny>, label: &str) -> PyResult<RegisteredTable> {
    let frame = import_text_frame(obj, label)?;
    let rows = frame.height();
    let table = reident::data::memory::register(frame, label)
        .map_err(|e| PyValueError::new_err(format!("{label}: {e}")))?;
    Ok(RegisteredTable { table, rows })
}

/// Turns a JSON object (an audit config built as a Python dict) into TOML.
#[pyfunction]
fn json_to_toml(json: &str) -> PyResult<String> {
    let value: toml::Value = serde_json::from_str(json).map_err(|e| {
        PyValueError::new_err(format!(
            "audit config: {e} (TOML has no null: leave a key out instead of None)"
        ))
    })?;
    if !value.is_table() {
        return Err(PyValueError::new_err(
            "audit config: expected a dict of config keys",
        ));
    }
    toml::to_string(&value).map_err(|e| PyValueError::new_err(format!("audit config: {e}")))
}

/// The native module `reident._reident`.
#[pymodule]
fn _reident(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add_function(wrap_pyfunction!(epsilon_audit, m)?)?;
    m.add_function(wrap_pyfunction!(arrow_to_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(register_table, m)?)?;
    m.add_class::<RegisteredTable>()?;
    m.add_function(wrap_pyfunction!(json_to_toml, m)?)?;
    m.add_function(wrap_pyfunction!(equivalence_classes, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
