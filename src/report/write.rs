//! Writes a report to disk: `report.json`, `report.md`, `report.html` and
//! `charts/<name>.svg` + `charts/<name>.png`, each atomically (written to a
//! temporary file in the same directory, then renamed over the target).
//!
//! It refuses to write into a directory that contains any of the audit's
//! input files, so a report can never overwrite or sit beside the data it
//! describes. It does not delete files it did not write.
//!
//! Every file goes through **the output rule** of `data::output` (no output
//! is an input or holds one, atomic writes, replace only when asked); the
//! rule's functions are re-exported here for the report's callers.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::model::{validate, Report};
use super::views::{to_html, to_json, to_markdown};
use super::{check_chart_name, Chart, ReportError};
pub use crate::data::output::{
    check_fresh_output_dir, check_output_dir, check_output_file, write_file_atomic,
};

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

/// Writes `bytes` to `target` through a temporary file in the same directory
/// and a rename, so readers see either the old file or the complete new one.
fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    Ok(write_file_atomic(target, |w| w.write_all(bytes))?)
}

/// Writes the report views and every chart into `out_dir` (created if
/// missing). `input_paths` are the audit's input files: if any of them lies
/// inside `out_dir` (at any depth), nothing is written and
/// `DataError::OutputHoldsInput` is returned. Every chart referenced by a
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
