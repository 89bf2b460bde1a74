//! What the audit measures on each kind of dataset: one file per kind
//! ([`table`], [`corpus`] with [`stylometry`], [`aggregate`], [`traces`]), each
//! running the library's metrics and attacks and rendering its report section.
//! The facts they return feed the claims ([`super::claims`]).

use polars::prelude::DataFrame;

pub(crate) use crate::audit::facts::{
    AggregateFacts, CorpusFacts, Facts, StylometryFacts, TableFacts, TablePart, TracesFacts,
};
use crate::audit::AuditError;
use crate::data::ReadOptions;
use crate::report::{Chart, Section};
pub(crate) use aggregate::{aggregate_section, run_aggregate};
pub(crate) use corpus::{corpus_section, run_corpus};
pub(crate) use stylometry::run_stylometry;
pub(crate) use table::{run_table, table_section};
pub(crate) use traces::{run_traces, traces_section};

pub(crate) mod aggregate;
pub(crate) mod corpus;
pub(crate) mod pseudonyms;
pub(crate) mod stylometry;
pub(crate) mod table;
pub(crate) mod traces;

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

/// The text of each row: the non-empty values of `columns`, joined by a
/// blank line (`None` when all are empty).
pub(crate) fn joined_texts(
    frame: &DataFrame,
    columns: &[String],
    source: &str,
) -> Result<Vec<Option<String>>, AuditError> {
    let cols = columns
        .iter()
        .map(|c| text_values(frame, c, source))
        .collect::<Result<Vec<_>, _>>()?;
    let n = frame.height();
    Ok((0..n)
        .map(|row| {
            let parts: Vec<&str> = cols
                .iter()
                .filter_map(|c| c[row].as_deref())
                .filter(|s| !s.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join("\n\n"))
        })
        .collect())
}

pub(crate) fn text_values(
    frame: &DataFrame,
    column: &str,
    source: &str,
) -> Result<Vec<Option<String>>, AuditError> {
    Ok(crate::data::text_column(frame, column, source)?)
}

// ------------------------------------------------------------------ verdicts
