//! What the audit measures on each kind of dataset: one file per kind
//! ([`table`], [`corpus`] with [`stylometry`], [`aggregate`], [`traces`]), each
//! running the library's metrics and attacks and rendering its report section.
//! The facts they return feed the claims ([`super::claims`]).

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::DataFrame;
use serde::Serialize;

use crate::attacks::inference::RiskReport;
use crate::attacks::linkage::QiJoinResult;
use crate::attacks::stylometry::pipeline::ClassifierKind;
use crate::attacks::text::TextLeakReport;
use crate::attacks::unicity::UnicityReport;
use crate::audit::AuditError;
use crate::data::{read_frame, ReadOptions};
use crate::dp::AggregateFit;
use crate::privacy::direct_identifiers::DirectIdentifierScan;
use crate::privacy::MetricsReport;
use crate::report::{Chart, Section};
pub(crate) use aggregate::{aggregate_section, run_aggregate};
pub(crate) use corpus::classifier_label;
pub(crate) use corpus::{corpus_section, run_corpus};
pub(crate) use stylometry::run_stylometry;
pub(crate) use table::{run_table, table_section};
pub(crate) use traces::{run_traces, traces_section};

pub(crate) mod aggregate;
pub(crate) mod corpus;
pub(crate) mod stylometry;
pub(crate) mod table;
pub(crate) mod traces;

pub(crate) enum Facts {
    Table(Box<TableFacts>),
    Corpus(Box<CorpusFacts>),
    Aggregate(Box<AggregateFacts>),
    Traces(Box<TracesFacts>),
}

pub(crate) struct TableFacts {
    pub(crate) name: String,
    pub(crate) direct_identifiers: DirectIdentifierScan,
    pub(crate) metrics: MetricsReport,
    pub(crate) qi_join: Option<QiJoinResult>,
    pub(crate) risk: Option<RiskReport>,
    pub(crate) charts: Vec<Chart>,
}

pub(crate) struct CorpusFacts {
    pub(crate) name: String,
    pub(crate) text: TextLeakReport,
    pub(crate) stylometry: Option<StylometryFacts>,
    pub(crate) charts: Vec<Chart>,
}

/// Attribution figures of one corpus; no author names.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StylometryFacts {
    pub(crate) classifier: ClassifierKind,
    pub(crate) features: Vec<String>,
    pub(crate) candidate_authors: usize,
    pub(crate) known_documents: usize,
    pub(crate) attributed_documents: usize,
    pub(crate) document_top1: f64,
    /// Release documents attributed to their true author (top 1).
    pub(crate) document_correct: usize,
    pub(crate) document_macro_f1: f64,
    pub(crate) pseudonyms: usize,
    pub(crate) pseudonym_top1: Option<f64>,
    /// Pseudonyms attributed to their (majority) true author (top 1).
    pub(crate) pseudonym_correct: Option<usize>,
    pub(crate) chance: f64,
    pub(crate) document_top_k: Vec<(usize, f64)>,
    pub(crate) pseudonym_top_k: Vec<(usize, f64)>,
    pub(crate) verification_auc: Option<f64>,
    pub(crate) verification_eer: Option<f64>,
    pub(crate) authors_left_out: usize,
    /// Held-out original documents of the known authors (the attack's targets).
    pub(crate) held_out_documents: usize,
    /// Of those, the ones whose id names a release document.
    pub(crate) held_out_in_release: usize,
    pub(crate) accuracy_vs_authors: Vec<(usize, f64, f64)>,
}

pub(crate) struct AggregateFacts {
    pub(crate) name: String,
    pub(crate) fit: AggregateFit,
    pub(crate) record_sensitivity: f64,
    pub(crate) user_sensitivity: Option<f64>,
}

pub(crate) struct TracesFacts {
    pub(crate) name: String,
    pub(crate) report: UnicityReport,
    pub(crate) charts: Vec<Chart>,
}

impl Facts {
    pub(crate) fn into_section(self) -> Result<(Section, Vec<Chart>), AuditError> {
        match self {
            Facts::Table(t) => table_section(*t),
            Facts::Corpus(c) => corpus_section(*c),
            Facts::Aggregate(a) => aggregate_section(*a),
            Facts::Traces(t) => traces_section(*t),
        }
    }
}

// ------------------------------------------------------------------ tables

pub(crate) fn read_options(
    delimiter: Option<char>,
    dataset: &str,
) -> Result<ReadOptions, AuditError> {
    match delimiter {
        None => Ok(ReadOptions::default()),
        Some(c) if c.is_ascii() => Ok(ReadOptions::default().with_delimiter(c as u8)),
        Some(c) => Err(AuditError::Dataset {
            dataset: dataset.to_string(),
            message: format!("delimiter `{c}` must be a single ASCII character"),
        }),
    }
}

pub(crate) fn text_values(
    frame: &DataFrame,
    column: &str,
    source: &str,
) -> Result<Vec<Option<String>>, AuditError> {
    Ok(crate::data::text_column(frame, column, source)?)
}

/// Reads a two-column key map (original key -> release key).
pub(crate) fn read_key_map(
    path: &Path,
    original: &str,
    release: &str,
) -> Result<HashMap<String, String>, AuditError> {
    let source = path.display().to_string();
    let frame = read_frame(path, &ReadOptions::default())?;
    let o = text_values(&frame, original, &source)?;
    let r = text_values(&frame, release, &source)?;
    Ok(o.into_iter()
        .zip(r)
        .filter_map(|(o, r)| Some((o?, r?)))
        .collect())
}

// ------------------------------------------------------------------ verdicts
