//! The report model: one serde structure that is the JSON contract of an audit,
//! plus a builder that validates it and applies the redaction guard.
//!
//! The model holds verdicts, measured figures, tables, embedded JSON results of
//! metrics and attacks, and references to charts by name. It does not hold
//! chart pixels (see [`crate::report::charts`]), timestamps (two runs with the
//! same input must produce identical bytes) or the contents of input files
//! (only their labels and paths).

use serde::{Deserialize, Serialize};

use super::ReportError;

/// Version of the JSON layout of [`Report`]. Bump the major number when a field
/// is removed or changes meaning; the matching JSON Schema is
/// `src/report/report.schema.json` ([`REPORT_JSON_SCHEMA`]).
pub const SCHEMA_VERSION: &str = "1.1.0";

/// The JSON Schema (draft 2020-12) that every serialized [`Report`] satisfies.
pub const REPORT_JSON_SCHEMA: &str = include_str!("report.schema.json");

/// What replaces a string marked as an original record when examples are not
/// included in a report.
pub const REDACTION_MARKER: &str = "[redacted: original record]";

/// An audit or experiment report: the JSON contract that the Markdown and HTML
/// views render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Layout version, [`SCHEMA_VERSION`] when produced by this crate.
    pub schema_version: String,
    /// Human-readable title of the report.
    pub title: String,
    /// The tool and seed that produced the report (no wall-clock time).
    pub generated_by: GeneratedBy,
    /// The inputs the report is about, by label and path; never their contents.
    pub inputs: Vec<InputRef>,
    /// Whether example strings from the original records were allowed in.
    pub examples_included: bool,
    /// One verdict per claim under test.
    pub claims: Vec<ClaimVerdict>,
    /// The body of the report, in order.
    pub sections: Vec<Section>,
}

/// Who produced the report and with which seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedBy {
    /// Name of the producing tool, `reident`.
    pub tool: String,
    /// Version of the producing tool (`CARGO_PKG_VERSION`).
    pub version: String,
    /// Seed of every random choice made for this report, if any was made.
    pub seed: Option<u64>,
}

impl GeneratedBy {
    /// `reident` at the version of this crate, with the given seed.
    pub fn this_crate(seed: Option<u64>) -> Self {
        Self {
            tool: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            seed,
        }
    }
}

/// An input file named by the report (label and path only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputRef {
    /// Role of the input, e.g. "release" or "original".
    pub label: String,
    /// Path as given by the user.
    pub path: String,
}

pub use crate::eval::Verdict;

/// The verdict on one claim, with the figure and the evidence that decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimVerdict {
    /// The claim as stated, e.g. "the release is 5-anonymous".
    pub claim: String,
    /// Pass, fail or inconclusive.
    pub verdict: Verdict,
    /// Name and unit of the measured figure, e.g. "k" or "epsilon lower bound".
    pub measure: String,
    /// The measured figure, if one was measured (finite).
    pub measured: Option<f64>,
    /// Confidence interval `[low, high]` of the measured figure, if any.
    pub confidence_interval: Option<(f64, f64)>,
    /// Confidence level of the interval, e.g. 0.95.
    pub confidence_level: Option<f64>,
    /// The metric or attack that decided the verdict.
    pub decided_by: String,
    /// Why the verdict is what it is, in one or two sentences.
    pub evidence: String,
    /// What limits the evidence: the attack could not align part of its input,
    /// a column was read in a way the auditor should check, and so on. A PASS
    /// is never given with a coverage warning (see [`crate::eval::coverage`]).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A section of the report body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Section heading.
    pub title: String,
    /// Paragraphs of plain text.
    pub paragraphs: Vec<String>,
    /// Tables (key-value tables have two columns).
    pub tables: Vec<Table>,
    /// Charts shown in this section, by name (`charts/<name>.svg`).
    pub charts: Vec<ChartRef>,
    /// Machine-readable results of metrics or attacks, embedded as JSON.
    pub results: Vec<EmbeddedResult>,
    /// Example strings taken from original records (e.g. a re-identified
    /// record). Emptied by the builder unless examples are included.
    pub examples: Vec<String>,
    /// How many examples were withheld by the redaction guard.
    pub examples_withheld: usize,
}

impl Section {
    /// An empty section with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Appends a paragraph.
    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.paragraphs.push(text.into());
        self
    }

    /// Appends a table.
    pub fn table(mut self, table: Table) -> Self {
        self.tables.push(table);
        self
    }

    /// Appends a chart reference.
    pub fn chart(mut self, name: impl Into<String>, caption: impl Into<String>) -> Self {
        self.charts.push(ChartRef {
            name: name.into(),
            caption: caption.into(),
        });
        self
    }

    /// Embeds the serialized result of a metric or attack.
    pub fn result<T: Serialize>(
        mut self,
        label: impl Into<String>,
        value: &T,
    ) -> Result<Self, ReportError> {
        let label = label.into();
        let value = serde_json::to_value(value).map_err(|source| ReportError::Serialize {
            what: format!("embedded result '{label}'"),
            source,
        })?;
        self.results.push(EmbeddedResult { label, value });
        Ok(self)
    }

    /// Appends an example string taken from an original record. It stays in
    /// the report only when the builder includes examples.
    pub fn example(mut self, text: impl Into<String>) -> Self {
        self.examples.push(text.into());
        self
    }
}

/// A table of strings with a header row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Caption shown above the table.
    pub caption: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows; each has exactly `columns.len()` cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A two-column key-value table.
    pub fn key_value<K: Into<String>, V: Into<String>>(
        caption: impl Into<String>,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            caption: caption.into(),
            columns: vec!["key".to_string(), "value".to_string()],
            rows: pairs
                .into_iter()
                .map(|(k, v)| vec![k.into(), v.into()])
                .collect(),
        }
    }
}

/// A reference to a chart written next to the report as `charts/<name>.svg`
/// and `charts/<name>.png`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartRef {
    /// File stem of the chart: ASCII letters, digits, `-` and `_`.
    pub name: String,
    /// Caption shown under the chart.
    pub caption: String,
}

/// A metric or attack result embedded verbatim as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedResult {
    /// What the result is, e.g. "k-anonymity".
    pub label: String,
    /// The serialized result.
    pub value: serde_json::Value,
}

/// Builds a [`Report`], checks it and applies the redaction guard.
///
/// The guard: unless `include_examples` is true, every section's `examples`
/// are dropped (their number is kept in `examples_withheld`), and every string
/// registered with [`ReportBuilder::original_strings`] is replaced by
/// [`REDACTION_MARKER`] wherever it occurs in the report's text, tables,
/// evidence and embedded JSON results.
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    report: Report,
    originals: Vec<String>,
}

impl ReportBuilder {
    /// Starts a report. `include_examples` decides whether strings from the
    /// original records may appear in it.
    pub fn new(
        title: impl Into<String>,
        generated_by: GeneratedBy,
        include_examples: bool,
    ) -> Self {
        Self {
            report: Report {
                schema_version: SCHEMA_VERSION.to_string(),
                title: title.into(),
                generated_by,
                inputs: Vec::new(),
                examples_included: include_examples,
                claims: Vec::new(),
                sections: Vec::new(),
            },
            originals: Vec::new(),
        }
    }

    /// Names an input file by label and path.
    pub fn input(mut self, label: impl Into<String>, path: impl Into<String>) -> Self {
        self.report.inputs.push(InputRef {
            label: label.into(),
            path: path.into(),
        });
        self
    }

    /// Adds a claim verdict.
    pub fn claim(mut self, claim: ClaimVerdict) -> Self {
        self.report.claims.push(claim);
        self
    }

    /// Adds a section.
    pub fn section(mut self, section: Section) -> Self {
        self.report.sections.push(section);
        self
    }

    /// Marks strings as coming from original records: they are redacted from
    /// the whole report unless examples are included. Empty strings are ignored.
    pub fn original_strings<S: Into<String>>(
        mut self,
        strings: impl IntoIterator<Item = S>,
    ) -> Self {
        self.originals.extend(
            strings
                .into_iter()
                .map(Into::into)
                .filter(|s: &String| !s.is_empty()),
        );
        self
    }

    /// Validates the report (finite figures, ordered intervals, rectangular
    /// tables, safe chart names) and applies the redaction guard.
    pub fn build(self) -> Result<Report, ReportError> {
        let mut report = self.report;
        validate(&report)?;
        if !report.examples_included {
            // Longest first, so a marked string that contains another marked
            // string is replaced whole.
            let mut originals = self.originals;
            originals.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            originals.dedup();
            redact_report(&mut report, &originals);
        }
        Ok(report)
    }
}

fn invalid(message: String) -> ReportError {
    ReportError::InvalidReport { message }
}

/// Checks the invariants the views rely on.
pub(crate) fn validate(report: &Report) -> Result<(), ReportError> {
    for claim in &report.claims {
        if let Some(m) = claim.measured {
            if !m.is_finite() {
                return Err(invalid(format!(
                    "claim '{}': measured figure is {m}; give a finite number or none",
                    claim.claim
                )));
            }
        }
        if let Some((lo, hi)) = claim.confidence_interval {
            if !lo.is_finite() || !hi.is_finite() || lo > hi {
                return Err(invalid(format!(
                    "claim '{}': confidence interval [{lo}, {hi}] must be finite with low <= high",
                    claim.claim
                )));
            }
        }
        if let Some(level) = claim.confidence_level {
            if !(level > 0.0 && level < 1.0) {
                return Err(invalid(format!(
                    "claim '{}': confidence level {level} must lie strictly between 0 and 1",
                    claim.claim
                )));
            }
        }
    }
    for section in &report.sections {
        for table in &section.tables {
            for (i, row) in table.rows.iter().enumerate() {
                if row.len() != table.columns.len() {
                    return Err(invalid(format!(
                        "section '{}', table '{}': row {} has {} cells but the table has {} columns",
                        section.title,
                        table.caption,
                        i + 1,
                        row.len(),
                        table.columns.len()
                    )));
                }
            }
        }
        for chart in &section.charts {
            super::check_chart_name(&chart.name)?;
        }
    }
    Ok(())
}

fn redact_str(text: &mut String, originals: &[String]) {
    for original in originals {
        if text.contains(original.as_str()) {
            *text = text.replace(original.as_str(), REDACTION_MARKER);
        }
    }
}

fn redact_value(value: &mut serde_json::Value, originals: &[String]) {
    match value {
        serde_json::Value::String(s) => redact_str(s, originals),
        serde_json::Value::Array(items) => {
            for item in items {
                redact_value(item, originals);
            }
        }
        serde_json::Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let mut new_key = key.clone();
                redact_str(&mut new_key, originals);
                if let Some(mut v) = map.remove(&key) {
                    redact_value(&mut v, originals);
                    map.insert(new_key, v);
                }
            }
        }
        _ => {}
    }
}

fn redact_report(report: &mut Report, originals: &[String]) {
    redact_str(&mut report.title, originals);
    for claim in &mut report.claims {
        redact_str(&mut claim.claim, originals);
        redact_str(&mut claim.evidence, originals);
        redact_str(&mut claim.decided_by, originals);
        redact_str(&mut claim.measure, originals);
    }
    for section in &mut report.sections {
        section.examples_withheld += section.examples.len();
        section.examples.clear();
        redact_str(&mut section.title, originals);
        for p in &mut section.paragraphs {
            redact_str(p, originals);
        }
        for table in &mut section.tables {
            redact_str(&mut table.caption, originals);
            for c in &mut table.columns {
                redact_str(c, originals);
            }
            for cell in table.rows.iter_mut().flatten() {
                redact_str(cell, originals);
            }
        }
        for chart in &mut section.charts {
            redact_str(&mut chart.caption, originals);
        }
        for result in &mut section.results {
            redact_str(&mut result.label, originals);
            redact_value(&mut result.value, originals);
        }
    }
}
