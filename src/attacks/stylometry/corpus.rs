//! The labelled corpus of attribution experiments: the crate's one corpus
//! type, [`crate::data::Corpus`] (document texts, one author label per
//! document, the sorted author names the labels index), which validates
//! once that documents are non-empty and labels in range, so feature
//! extraction and classifiers can assume both. Also [`string_column`], the
//! text values of a loaded frame's column.

use super::StylometryError;

/// Documents with author labels. `labels[i]` indexes `authors`.
pub use crate::data::Corpus;

/// The values of string column `name` of `frame` (nulls as `None`). Errors
/// name the column and list the available ones.
pub fn string_column(
    frame: &polars::prelude::DataFrame,
    name: &str,
) -> Result<Vec<Option<String>>, StylometryError> {
    let column = frame.column(name).map_err(|_| {
        let names: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        StylometryError::Invalid(format!(
            "no column `{name}`; available: {}",
            names.join(", ")
        ))
    })?;
    let casted = column
        .cast(&polars::prelude::DataType::String)
        .map_err(|e| StylometryError::Invalid(format!("column `{name}` is not text: {e}")))?;
    let values = casted
        .str()
        .map_err(|e| StylometryError::Invalid(format!("column `{name}` is not text: {e}")))?;
    Ok(values.iter().map(|v| v.map(str::to_string)).collect())
}
