//! Tables held in memory under a name that every reader accepts in place of a
//! file path, so a front door that already holds a table (the Python
//! package's DataFrames) hands it to a command without writing a file.
//!
//! [`register`] stores a polars [`DataFrame`] whose columns are all text (the
//! form every file reader produces: the cast the Parquet reader applies) and
//! returns a [`MemoryTable`] guard with a name of the form `mem://ID/LABEL`.
//! Passed as a path to [`crate::data::read_frame_columns`],
//! [`crate::data::load_table`], [`crate::data::check_file`] or
//! [`crate::data::ensure_distinct_inputs`], the name reads the stored table:
//! projection by column name, the same errors for a missing column, no copy
//! of the column data (polars columns are reference-counted). The table is
//! removed when the guard is dropped; a name that is not (or no longer)
//! registered is an error naming it.
//!
//! What it does not do: anything that needs the bytes of a file (configs,
//! hierarchies, export readers, the text readers of `redact`) still takes
//! files only, and says so with the usual "cannot read" error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use polars::prelude::{DataFrame, DataType};

use super::DataError;

/// The prefix of every in-memory table's name.
pub const PREFIX: &str = "mem://";

fn registry() -> &'static Mutex<HashMap<String, DataFrame>> {
    static TABLES: OnceLock<Mutex<HashMap<String, DataFrame>>> = OnceLock::new();
    TABLES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A registered table; dropping it removes the table.
#[derive(Debug)]
pub struct MemoryTable {
    name: String,
}

impl MemoryTable {
    /// The name to pass where a path is expected (`mem://ID/LABEL`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name as a path.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.name)
    }
}

impl Drop for MemoryTable {
    fn drop(&mut self) {
        if let Ok(mut tables) = registry().lock() {
            tables.remove(&self.name);
        }
    }
}

/// Registers `frame` under a fresh name built from `label` (characters other
/// than ASCII letters, digits, `_`, `-` and `.` become `_`). Every column
/// must be text; errors name the label and the column.
pub fn register(frame: DataFrame, label: &str) -> Result<MemoryTable, DataError> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let clean: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = format!("{PREFIX}{}/{clean}", NEXT.fetch_add(1, Ordering::Relaxed));
    if let Some(c) = frame
        .columns()
        .iter()
        .find(|c| c.dtype() != &DataType::String)
    {
        return Err(DataError::Parse {
            source_name: name,
            message: format!(
                "column `{}` is {}, not text: cast every column to text first, as the file readers do",
                c.name(),
                c.dtype()
            ),
        });
    }
    registry()
        .lock()
        .map_err(|_| poisoned(&name))?
        .insert(name.clone(), frame);
    Ok(MemoryTable { name })
}

fn poisoned(name: &str) -> DataError {
    DataError::Parse {
        source_name: name.to_string(),
        message: "the in-memory table registry is unusable (a thread panicked while holding it)"
            .into(),
    }
}

/// True when `path` names an in-memory table (registered or not).
pub fn is_memory(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.starts_with(PREFIX))
}

/// The table `path` names: `Ok(None)` when `path` is not a `mem://` name, an
/// error when it is one that is not registered.
pub fn lookup(path: &Path) -> Result<Option<DataFrame>, DataError> {
    if !is_memory(path) {
        return Ok(None);
    }
    let name = path.to_string_lossy().into_owned();
    let tables = registry().lock().map_err(|_| poisoned(&name))?;
    match tables.get(&name) {
        Some(frame) => Ok(Some(frame.clone())),
        None => Err(DataError::Parse {
            source_name: name,
            message: "no in-memory table has this name (it was dropped, or the name was mistyped)"
                .into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    fn frame() -> DataFrame {
        df!("a" => ["x", "y"], "b" => [Some("1"), None]).unwrap()
    }

    #[test]
    fn registered_tables_are_found_until_dropped() {
        let t = register(frame(), "my table").unwrap();
        assert!(t.name().starts_with("mem://") && t.name().ends_with("/my_table"));
        let path = t.path();
        assert!(is_memory(&path));
        assert_eq!(lookup(&path).unwrap().unwrap().height(), 2);
        assert!(lookup(Path::new("data.csv")).unwrap().is_none());
        drop(t);
        let err = lookup(&path).unwrap_err().to_string();
        assert!(err.contains("no in-memory table"), "{err}");
    }

    #[test]
    fn non_text_columns_are_refused() {
        let f = df!("n" => [1i64, 2]).unwrap();
        let err = register(f, "numbers").unwrap_err().to_string();
        assert!(
            err.contains("column `n`") && err.contains("not text"),
            "{err}"
        );
    }
}
