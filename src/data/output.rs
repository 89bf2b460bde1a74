//! The output rule every `reident` command that writes follows
//! ([`check_output_file`], [`check_output_dir`], [`check_fresh_output_dir`],
//! [`write_file_atomic`]):
//!
//! 1. an output never resolves, after following links, to an input (same path
//!    or same file through a hard link), and an output directory never holds
//!    an input, at any depth;
//! 2. every file is written atomically: to a temporary file in the target's
//!    directory, flushed, then renamed over the target, so a reader sees the
//!    old file or the whole new one and a failure leaves the old one intact;
//!    a link at the output path is replaced, never written through;
//! 3. an existing output is replaced only when the caller says so (`--force`
//!    on the command line), except where a command's help says it replaces
//!    (the audit's report files).
//!
//! It sits in `data`, beside the readers, because both the anonymizers (which
//! write releases) and the report writer need it and `data` is the one layer
//! both may import (`shared/DESIGN.md`). It checks paths and writes bytes it is
//! given (and a table as CSV, [`write_csv_atomic`]); it does not render,
//! serialize reports or choose file names.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::{DataError, EncodedTable};

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> DataError + 'a {
    move |source| DataError::OutputIo {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// An absolute, normalised form of `path`: canonical if it exists, otherwise
/// the canonical form of its nearest existing ancestor joined with the rest.
fn absolute(path: &Path) -> Result<PathBuf, DataError> {
    let base = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(io("reading the current directory for", path))?
            .join(path)
    };
    let mut existing = base.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            let mut out = canonical;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Ok(normalise(&out));
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => return Ok(normalise(&base)),
        }
    }
}

/// `path` made absolute against the current directory and normalised
/// lexically, without resolving symlinks.
fn lexical(path: &Path) -> Result<PathBuf, DataError> {
    if path.is_absolute() {
        Ok(normalise(path))
    } else {
        let cwd = std::env::current_dir().map_err(io("reading the current directory for", path))?;
        Ok(normalise(&cwd.join(path)))
    }
}

/// Removes `.` and resolves `..` lexically.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The directory `target` is written in (`.` for a bare file name).
fn directory_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes `target` atomically: `write` fills a new temporary file in the
/// target's directory (created exclusively, never an existing file), which is
/// flushed to disk and renamed over `target`. On any failure the temporary
/// file is removed and `target` is left as it was. A link at `target` is
/// replaced by the new file, not written through.
pub fn write_file_atomic(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), DataError> {
    let dir = directory_of(target);
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| DataError::OutputIo {
            action: "writing",
            path: target.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the output path has no file name",
            ),
        })?;
    static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{file_name}.{}-{serial}.tmp", std::process::id()));
    let result = (|| {
        let f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io("creating", &tmp))?;
        let mut buffered = std::io::BufWriter::with_capacity(256 * 1024, f);
        write(&mut buffered).map_err(io("writing", &tmp))?;
        let f = buffered.into_inner().map_err(|e| DataError::OutputIo {
            action: "writing",
            path: tmp.clone(),
            source: e.into_error(),
        })?;
        f.sync_all().map_err(io("flushing", &tmp))?;
        drop(f);
        fs::rename(&tmp, target).map_err(io("renaming a temporary file onto", target))
    })();
    if result.is_err() {
        // Best effort: do not leave the temporary file behind.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes `table` to `output` as CSV ([`EncodedTable::write_csv`] with
/// `delimiter`) under the output rule: refused when `output` is one of
/// `inputs` (after following links, or a hard link to one), then written with
/// [`write_file_atomic`]. Whether an existing non-input file may be replaced
/// is the caller's decision ([`check_output_file`] before the work).
pub fn write_csv_atomic<P: AsRef<Path>>(
    table: &EncodedTable,
    output: &Path,
    delimiter: u8,
    inputs: &[P],
) -> Result<(), DataError> {
    check_output_file(output, inputs, true)?;
    write_file_atomic(output, |w| table.write_csv(w, delimiter))
}

/// True when `a` and `b` are one file: the same path once links are
/// followed, or (on Unix) the same device and inode, as hard links are.
fn same_file(a: &Path, b: &Path) -> Result<bool, DataError> {
    if absolute(a)? == absolute(b)? {
        return Ok(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) {
            return Ok(ma.dev() == mb.dev() && ma.ino() == mb.ino());
        }
    }
    Ok(false)
}

/// Checks the output rule for a file `output` before anything is written:
/// fails with [`DataError::OutputIsInput`] when `output` is one of
/// `inputs` (after following links, or through a hard link), with
/// [`DataError::OutputIsDirectory`] when it is a directory, and with
/// [`DataError::OutputExists`] when something already exists there (a file
/// or a link, even a dangling one) and `replace` is false. Commands call it
/// before their work, so a bad output is reported at once, and
/// [`write_file_atomic`] then writes.
pub fn check_output_file<P: AsRef<Path>>(
    output: &Path,
    inputs: &[P],
    replace: bool,
) -> Result<(), DataError> {
    for input in inputs {
        if same_file(output, input.as_ref())? {
            return Err(DataError::OutputIsInput {
                output: output.to_path_buf(),
                input: input.as_ref().to_path_buf(),
            });
        }
    }
    if output.is_dir() {
        return Err(DataError::OutputIsDirectory {
            output: output.to_path_buf(),
        });
    }
    if !replace && fs::symlink_metadata(output).is_ok() {
        return Err(DataError::OutputExists {
            output: output.to_path_buf(),
        });
    }
    Ok(())
}

/// Checks the output rule for a directory a command fills from scratch (a
/// generated corpus): besides [`check_output_dir`]'s rule, an existing
/// directory that is not empty is only written into when `replace` is true,
/// and an existing non-directory at that path is refused.
pub fn check_fresh_output_dir<P: AsRef<Path>>(
    out_dir: &Path,
    input_paths: &[P],
    replace: bool,
) -> Result<(), DataError> {
    check_output_dir(out_dir, input_paths)?;
    match fs::symlink_metadata(out_dir) {
        Err(_) => Ok(()),
        Ok(_) if !out_dir.is_dir() => Err(DataError::OutputExists {
            output: out_dir.to_path_buf(),
        }),
        Ok(_) => {
            let mut entries = fs::read_dir(out_dir).map_err(io("reading directory", out_dir))?;
            if !replace && entries.next().is_some() {
                return Err(DataError::OutputExists {
                    output: out_dir.to_path_buf(),
                });
            }
            Ok(())
        }
    }
}

/// Fails with [`DataError::OutputHoldsInput`] when any of `input_paths`
/// lies inside `out_dir` (at any depth, as resolved and as named). Call it
/// before long work so a bad `--out` is reported at once; the report writer
/// (`report::write_report`) checks again.
pub fn check_output_dir<P: AsRef<Path>>(
    out_dir: &Path,
    input_paths: &[P],
) -> Result<(), DataError> {
    let out_forms = [absolute(out_dir)?, lexical(out_dir)?];
    for input in input_paths {
        // Both the resolved path and the path as named (a symlink placed in
        // the output directory counts as being in it).
        let input_forms = [absolute(input.as_ref())?, lexical(input.as_ref())?];
        let inside = input_forms
            .iter()
            .any(|i| out_forms.iter().any(|o| i.starts_with(o)));
        if inside {
            return Err(DataError::OutputHoldsInput {
                out_dir: out_dir.to_path_buf(),
                input: input.as_ref().to_path_buf(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::CategoricalColumn;

    #[test]
    fn csv_writer_refuses_an_input_and_writes_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        fs::write(&input, "x\n1\n").unwrap();
        let table = EncodedTable::new(
            "release",
            vec![CategoricalColumn::from_row_strings("x", vec!["2".into()])],
        );
        // Same file through a different spelling.
        let spelled = dir.path().join(".").join("in.csv");
        let err = write_csv_atomic(&table, &spelled, b',', &[&input]).unwrap_err();
        assert!(err.to_string().contains("it is the input"), "{err}");
        assert_eq!(fs::read_to_string(&input).unwrap(), "x\n1\n");
        let out = dir.path().join("out.csv");
        write_csv_atomic(&table, &out, b',', &[&input]).unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), "x\n2\n");
        // Only the input and the output remain: the temporary file was renamed.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
