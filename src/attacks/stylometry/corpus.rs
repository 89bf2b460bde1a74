//! A labelled corpus for attribution experiments: document texts, one author
//! label per document, and the author names the labels index.
//!
//! Validation happens here once, so that feature extraction and classifiers
//! can assume non-empty documents and in-range labels.

use serde::{Deserialize, Serialize};

use super::StylometryError;

/// Documents with author labels. `labels[i]` indexes `authors`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corpus {
    /// Document texts.
    pub texts: Vec<String>,
    /// Author label of each document (index into `authors`).
    pub labels: Vec<usize>,
    /// Author names.
    pub authors: Vec<String>,
}

impl Corpus {
    /// Builds a corpus from texts and author names; the author list is the
    /// sorted set of distinct names. Errors on an empty or whitespace-only
    /// document (naming its position and author) and on length mismatch.
    pub fn from_named(
        texts: Vec<String>,
        author_names: &[String],
    ) -> Result<Self, StylometryError> {
        let mut authors: Vec<String> = author_names.to_vec();
        authors.sort();
        authors.dedup();
        Self::with_authors(texts, author_names, authors)
    }

    /// Like [`Corpus::from_named`] but against a fixed author list (for a
    /// test set that must use the training authors). Errors on a name that is
    /// not in `authors` (closed-set attribution cannot score it).
    pub fn with_authors(
        texts: Vec<String>,
        author_names: &[String],
        authors: Vec<String>,
    ) -> Result<Self, StylometryError> {
        if texts.len() != author_names.len() {
            return Err(StylometryError::Invalid(format!(
                "{} texts but {} author names; give one author per document",
                texts.len(),
                author_names.len()
            )));
        }
        let mut labels = Vec::with_capacity(texts.len());
        for (i, name) in author_names.iter().enumerate() {
            let label = authors
                .binary_search(name)
                .ok()
                .or_else(|| authors.iter().position(|a| a == name));
            match label {
                Some(l) => labels.push(l),
                None => {
                    return Err(StylometryError::Invalid(format!(
                        "document {i}: author `{name}` is not among the {} candidate authors; closed-set attribution needs every test author in the training data",
                        authors.len()
                    )))
                }
            }
        }
        let corpus = Self {
            texts,
            labels,
            authors,
        };
        corpus.validate()?;
        Ok(corpus)
    }

    /// Checks label range and that no document is empty or whitespace-only.
    pub fn validate(&self) -> Result<(), StylometryError> {
        if self.texts.len() != self.labels.len() {
            return Err(StylometryError::Invalid(format!(
                "{} texts but {} labels",
                self.texts.len(),
                self.labels.len()
            )));
        }
        for (i, (text, &label)) in self.texts.iter().zip(&self.labels).enumerate() {
            let Some(author) = self.authors.get(label) else {
                return Err(StylometryError::Invalid(format!(
                    "document {i}: label {label} out of range for {} authors",
                    self.authors.len()
                )));
            };
            if text.trim().is_empty() {
                return Err(StylometryError::Invalid(format!(
                    "document {i} (author `{author}`) is empty; drop empty documents before attribution"
                )));
            }
        }
        Ok(())
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// True when there are no documents.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Number of documents per author.
    pub fn author_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.authors.len()];
        for &l in &self.labels {
            counts[l] += 1;
        }
        counts
    }

    /// The documents at `rows`, keeping the author list.
    pub fn select(&self, rows: &[usize]) -> Self {
        Self {
            texts: rows.iter().map(|&r| self.texts[r].clone()).collect(),
            labels: rows.iter().map(|&r| self.labels[r]).collect(),
            authors: self.authors.clone(),
        }
    }

    /// The documents of the authors in `keep` (indices into `authors`),
    /// relabelled to the order of `keep`.
    pub fn restrict_authors(&self, keep: &[usize]) -> Self {
        let mut map = vec![usize::MAX; self.authors.len()];
        for (new, &old) in keep.iter().enumerate() {
            map[old] = new;
        }
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for (t, &l) in self.texts.iter().zip(&self.labels) {
            if map[l] != usize::MAX {
                texts.push(t.clone());
                labels.push(map[l]);
            }
        }
        Self {
            texts,
            labels,
            authors: keep.iter().map(|&a| self.authors[a].clone()).collect(),
        }
    }
}

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
