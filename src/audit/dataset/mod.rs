//! What the audit measures on each kind of dataset: one file per kind
//! ([`table`], [`corpus`] with [`stylometry`], [`aggregate`], [`traces`]), each
//! running the library's metrics and attacks and rendering its report section.
//! The facts they return feed the claims ([`super::claims`]).

use polars::prelude::DataFrame;

pub(crate) use crate::audit::facts::{
    AggregateFacts, CorpusFacts, Facts, StylometryFacts, TableFacts, TracesFacts,
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

pub(crate) fn text_values(
    frame: &DataFrame,
    column: &str,
    source: &str,
) -> Result<Vec<Option<String>>, AuditError> {
    Ok(crate::data::text_column(frame, column, source)?)
}

// ------------------------------------------------------------------ verdicts
