//! How the commands that write files apply the output rule of
//! [`crate::report::write`]: an output is never an input (after following
//! links) nor a folder holding one, it is written atomically, and an existing
//! output is replaced only with `--force`. `audit` (report folder),
//! `anonymize`, `redact`, `pseudonymize`, `text --output` and `synth` all go
//! through here or through `report::write` directly.

use std::fs;
use std::path::{Path, PathBuf};

use super::CliError;
use crate::report::{check_fresh_output_dir, check_output_file, write_file_atomic};

/// Checks a file output against the inputs before any work is done; with
/// `force` an existing output (not an input) may be replaced.
pub fn check_file<P: AsRef<Path>>(
    output: &Path,
    inputs: &[P],
    force: bool,
) -> Result<(), CliError> {
    Ok(check_output_file(output, inputs, force)?)
}

/// Writes a file output atomically (see [`write_file_atomic`]).
pub fn write_file(
    output: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    Ok(write_file_atomic(output, write)?)
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Fills the folder `out_dir` by way of a fresh staging folder beside it:
/// `fill` writes into the staging folder, and only when it succeeds are its
/// files renamed into `out_dir` (each file replaced atomically; nothing else
/// in `out_dir` is touched). An existing non-empty `out_dir` needs `force`.
/// On failure the staging folder is removed and `out_dir` is unchanged.
pub fn fill_dir<T>(
    out_dir: &Path,
    force: bool,
    fill: impl FnOnce(&Path) -> Result<T, CliError>,
) -> Result<T, CliError> {
    check_fresh_output_dir::<&Path>(out_dir, &[], force)?;
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io_error(parent))?;
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            CliError::Usage(format!(
                "{}: the output folder needs a name (not `..` or `/`)",
                out_dir.display()
            ))
        })?;
    let staging = parent.join(format!(".{name}.{}.staging", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    fs::create_dir(&staging).map_err(io_error(&staging))?;
    let result = fill(&staging).and_then(|value| {
        move_tree(&staging, out_dir)?;
        Ok(value)
    });
    let _ = fs::remove_dir_all(&staging);
    result
}

/// Moves every file under `from` to the same place under `to` by rename
/// (same file system), creating folders as needed.
fn move_tree(from: &Path, to: &Path) -> Result<(), CliError> {
    fs::create_dir_all(to).map_err(io_error(to))?;
    let entries: Vec<PathBuf> = fs::read_dir(from)
        .map_err(io_error(from))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io_error(from))?;
    for source in entries {
        let Some(name) = source.file_name() else {
            continue;
        };
        let target = to.join(name);
        if source.is_dir() {
            if target.exists() && !target.is_dir() {
                return Err(CliError::Usage(format!(
                    "cannot write the folder {}: a file of that name is in the way; remove it or choose another output folder",
                    target.display()
                )));
            }
            move_tree(&source, &target)?;
        } else {
            if target.is_dir() {
                return Err(CliError::Usage(format!(
                    "cannot write {}: a folder of that name is in the way; remove it or choose another output folder",
                    target.display()
                )));
            }
            fs::rename(&source, &target).map_err(io_error(&target))?;
        }
    }
    Ok(())
}

/// A result as pretty JSON ending in a newline: the one serializer of every
/// command's JSON output, so all of them print the same way.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Usage(format!("cannot serialize the result: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Writes `text` to `out` (standard output), naming it in the error.
pub fn print(out: &mut dyn std::io::Write, text: &str) -> Result<(), CliError> {
    out.write_all(text.as_bytes())
        .map_err(|source| CliError::Write {
            path: "standard output".into(),
            source,
        })
}

/// Writes a result as JSON ([`to_json`]) to standard output (`out`).
pub fn print_json<T: serde::Serialize>(
    out: &mut dyn std::io::Write,
    value: &T,
) -> Result<(), CliError> {
    print(out, &to_json(value)?)
}

/// Writes `text` to `path` under the output rule ([`write_file`]: atomically,
/// checked first with [`check_file`]) or, without a path, to `out`.
pub fn emit(text: &str, path: Option<&Path>, out: &mut dyn std::io::Write) -> Result<(), CliError> {
    match path {
        Some(path) => write_file(path, |w| w.write_all(text.as_bytes())),
        None => print(out, text),
    }
}
