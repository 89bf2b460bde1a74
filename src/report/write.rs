//! Writes a report to disk: `report.json`, `report.md`, `report.html` and
//! `charts/<name>.svg` + `charts/<name>.png`, each atomically (written to a
//! temporary file in the same directory, then renamed over the target).
//!
//! It refuses to write into a directory that contains any of the audit's
//! input files, so a report can never overwrite or sit beside the data it
//! describes. It does not delete files it did not write.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::model::{validate, Report};
use super::views::{to_html, to_json, to_markdown};
use super::{check_chart_name, Chart, ReportError};

/// Paths of everything [`write_report`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `out_dir/report.json`.
    pub json: PathBuf,
    /// `out_dir/report.md`.
    pub markdown: PathBuf,
    /// `out_dir/report.html`.
    pub html: PathBuf,
    /// `(svg, png)` per chart, in the order given.
    pub charts: Vec<(PathBuf, PathBuf)>,
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> ReportError + 'a {
    move |source| ReportError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// An absolute, normalised form of `path`: canonical if it exists, otherwise
/// the canonical form of its nearest existing ancestor joined with the rest.
fn absolute(path: &Path) -> Result<PathBuf, ReportError> {
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
fn lexical(path: &Path) -> Result<PathBuf, ReportError> {
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

/// Writes `bytes` to `target` through a temporary file in the same directory
/// and a rename, so readers see either the old file or the complete new one.
fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp).map_err(io("creating", &tmp))?;
        f.write_all(bytes).map_err(io("writing", &tmp))?;
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

/// Fails with [`ReportError::OutputHoldsInput`] when any of `input_paths`
/// lies inside `out_dir` (at any depth, as resolved and as named). Call it
/// before long work so a bad `--out` is reported at once; [`write_report`]
/// checks again.
pub fn check_output_dir<P: AsRef<Path>>(
    out_dir: &Path,
    input_paths: &[P],
) -> Result<(), ReportError> {
    let out_forms = [absolute(out_dir)?, lexical(out_dir)?];
    for input in input_paths {
        // Both the resolved path and the path as named (a symlink placed in
        // the output directory counts as being in it).
        let input_forms = [absolute(input.as_ref())?, lexical(input.as_ref())?];
        let inside = input_forms
            .iter()
            .any(|i| out_forms.iter().any(|o| i.starts_with(o)));
        if inside {
            return Err(ReportError::OutputHoldsInput {
                out_dir: out_dir.to_path_buf(),
                input: input.as_ref().to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Writes the report views and every chart into `out_dir` (created if
/// missing). `input_paths` are the audit's input files: if any of them lies
/// inside `out_dir` (at any depth), nothing is written and
/// [`ReportError::OutputHoldsInput`] is returned. Every chart referenced by a
/// section must be among `charts`; chart names must be unique.
pub fn write_report<P: AsRef<Path>>(
    report: &Report,
    charts: &[Chart],
    out_dir: &Path,
    input_paths: &[P],
) -> Result<Written, ReportError> {
    validate(report)?;
    check_output_dir(out_dir, input_paths)?;
    let mut names = BTreeSet::new();
    for c in charts {
        check_chart_name(&c.name)?;
        if !names.insert(c.name.as_str()) {
            return Err(ReportError::DuplicateChart {
                name: c.name.clone(),
            });
        }
    }
    // Render everything before touching the disk: a failure leaves no files.
    let json = to_json(report)?;
    let markdown = to_markdown(report)?;
    let html = to_html(report, charts)?;

    let charts_dir = out_dir.join("charts");
    fs::create_dir_all(&charts_dir).map_err(io("creating directory", &charts_dir))?;
    let mut chart_paths = Vec::with_capacity(charts.len());
    for c in charts {
        let svg = charts_dir.join(format!("{}.svg", c.name));
        let png = charts_dir.join(format!("{}.png", c.name));
        write_atomic(&svg, c.svg.as_bytes())?;
        write_atomic(&png, &c.png)?;
        chart_paths.push((svg, png));
    }
    let written = Written {
        json: out_dir.join("report.json"),
        markdown: out_dir.join("report.md"),
        html: out_dir.join("report.html"),
        charts: chart_paths,
    };
    write_atomic(&written.markdown, markdown.as_bytes())?;
    write_atomic(&written.html, html.as_bytes())?;
    write_atomic(&written.json, json.as_bytes())?;
    Ok(written)
}
