//! The one text corpus of the crate: documents with ids and texts, and
//! optionally an author per document as a label into a sorted author list.
//! The text attacks (`attacks::text`: document linkage, leak scan, recovery)
//! read its ids and texts; the stylometry attacks (`attacks::stylometry`)
//! read its texts, labels and authors. Both reach it under their old names
//! (`attacks::text::Corpus`, `attacks::stylometry::corpus::Corpus`).
//!
//! Validation is done here, once:
//!
//! * ids ([`Corpus::new`]): every document has one and no two share one; the
//!   error names the source and the 1-based rows. A missing text is an empty
//!   document (a text release may blank a document; linkage counts it).
//! * authors ([`Corpus::from_named`], [`Corpus::with_authors`],
//!   [`Corpus::validate`]): one author per document, every author in the
//!   author list, and no empty or whitespace-only document (attribution
//!   cannot score one). Such corpora have no ids of their own: a document's
//!   id is its 1-based position.
//!
//! It does not read files (the callers read columns with
//! [`super::text_column`] or polars) or tokenize.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::DataError;

/// Documents: ids (unique), texts and, for attribution, author labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Corpus {
    /// Where the documents come from (a file name), for messages.
    pub source: String,
    /// Document ids, unique.
    pub ids: Vec<String>,
    /// Document texts, same order as `ids` (a missing text is empty).
    pub texts: Vec<String>,
    /// Author label of each document (index into `authors`); empty when the
    /// corpus has no authors.
    pub labels: Vec<usize>,
    /// Author names, sorted (empty when the corpus has no authors).
    pub authors: Vec<String>,
}

impl Corpus {
    /// Builds a corpus from id and text columns; rejects missing and duplicate ids
    /// (naming `source_name` and the rows). A missing text becomes an empty document.
    pub fn new(
        source_name: &str,
        ids: Vec<Option<String>>,
        texts: Vec<Option<String>>,
    ) -> Result<Self, DataError> {
        if ids.len() != texts.len() {
            return Err(DataError::Corpus(format!(
                "{source_name}: {} ids but {} texts",
                ids.len(),
                texts.len()
            )));
        }
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
        for (row, id) in ids.iter().enumerate() {
            let id = id.as_deref().ok_or_else(|| DataError::MissingId {
                source_name: source_name.to_string(),
                row: row + 1,
            })?;
            if let Some(first) = seen.insert(id, row) {
                return Err(DataError::DuplicateId {
                    source_name: source_name.to_string(),
                    id: id.to_string(),
                    first_row: first + 1,
                    second_row: row + 1,
                });
            }
        }
        Ok(Corpus {
            source: source_name.to_string(),
            ids: ids.into_iter().map(Option::unwrap_or_default).collect(),
            texts: texts.into_iter().map(Option::unwrap_or_default).collect(),
            labels: Vec::new(),
            authors: Vec::new(),
        })
    }

    /// Builds an attribution corpus from texts and author names; the author
    /// list is the sorted set of distinct names. Errors on an empty or
    /// whitespace-only document (naming its position and author) and on
    /// length mismatch.
    pub fn from_named(texts: Vec<String>, author_names: &[String]) -> Result<Self, DataError> {
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
    ) -> Result<Self, DataError> {
        if texts.len() != author_names.len() {
            return Err(DataError::Corpus(format!(
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
                    return Err(DataError::Corpus(format!(
                        "document {i}: author `{name}` is not among the {} candidate authors; closed-set attribution needs every test author in the training data",
                        authors.len()
                    )))
                }
            }
        }
        let corpus = Self {
            source: String::new(),
            ids: (1..=texts.len()).map(|i| i.to_string()).collect(),
            texts,
            labels,
            authors,
        };
        corpus.validate()?;
        Ok(corpus)
    }

    /// Checks an attribution corpus: one label per document, each in range,
    /// and no document empty or whitespace-only.
    pub fn validate(&self) -> Result<(), DataError> {
        if self.texts.len() != self.labels.len() {
            return Err(DataError::Corpus(format!(
                "{} texts but {} labels",
                self.texts.len(),
                self.labels.len()
            )));
        }
        for (i, (text, &label)) in self.texts.iter().zip(&self.labels).enumerate() {
            let Some(author) = self.authors.get(label) else {
                return Err(DataError::Corpus(format!(
                    "document {i}: label {label} out of range for {} authors",
                    self.authors.len()
                )));
            };
            if text.trim().is_empty() {
                return Err(DataError::Corpus(format!(
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

    /// Index of each id.
    pub fn index(&self) -> HashMap<&str, usize> {
        self.ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect()
    }

    /// Number of documents per author.
    pub fn author_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.authors.len()];
        for &l in &self.labels {
            if let Some(c) = counts.get_mut(l) {
                *c += 1;
            }
        }
        counts
    }

    /// The documents at `rows` (ids, texts and labels), keeping the author list.
    pub fn select(&self, rows: &[usize]) -> Self {
        let pick = |v: &[String]| -> Vec<String> {
            if v.is_empty() {
                Vec::new()
            } else {
                rows.iter().map(|&r| v[r].clone()).collect()
            }
        };
        Self {
            source: self.source.clone(),
            ids: pick(&self.ids),
            texts: pick(&self.texts),
            labels: if self.labels.is_empty() {
                Vec::new()
            } else {
                rows.iter().map(|&r| self.labels[r]).collect()
            },
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
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for (row, &l) in self.labels.iter().enumerate() {
            if map[l] != usize::MAX {
                rows.push(row);
                labels.push(map[l]);
            }
        }
        let mut out = self.select(&rows);
        out.labels = labels;
        out.authors = keep.iter().map(|&a| self.authors[a].clone()).collect();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn ids_are_checked_once() {
        let c = Corpus::new(
            "docs.csv",
            vec![Some("a".into()), Some("b".into())],
            vec![Some("x".into()), None],
        )
        .unwrap();
        assert_eq!((c.source.as_str(), c.texts[1].as_str()), ("docs.csv", ""));
        assert_eq!(c.index()["b"], 1);
        let dup = Corpus::new(
            "docs.csv",
            vec![Some("a".into()), Some("b".into()), Some("a".into())],
            vec![None, None, None],
        )
        .unwrap_err();
        assert_eq!(
            dup.to_string(),
            "docs.csv: document id `a` occurs in rows 1 and 3; ids must be unique (pick another --id-column)"
        );
        let missing = Corpus::new("docs.csv", vec![Some("a".into()), None], vec![None, None]);
        assert!(matches!(missing, Err(DataError::MissingId { row: 2, .. })));
        let short = Corpus::new("d", vec![Some("a".into())], vec![]).unwrap_err();
        assert_eq!(short.to_string(), "d: 1 ids but 0 texts");
    }

    #[test]
    fn authors_are_sorted_labels_and_empty_documents_are_rejected() {
        let c = Corpus::from_named(s(&["x y", "z", "w"]), &s(&["bob", "ann", "bob"])).unwrap();
        assert_eq!(c.authors, s(&["ann", "bob"]));
        assert_eq!(c.labels, vec![1, 0, 1]);
        assert_eq!(c.ids, s(&["1", "2", "3"]));
        assert_eq!(c.author_counts(), vec![1, 2]);
        // Only bob's documents, relabelled: ids and texts follow.
        let b = c.restrict_authors(&[1]);
        assert_eq!(
            (b.ids, b.texts, b.labels),
            (s(&["1", "3"]), s(&["x y", "w"]), vec![0, 0])
        );
        let e = Corpus::from_named(s(&["x", " "]), &s(&["ann", "bob"])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "document 1 (author `bob`) is empty; drop empty documents before attribution"
        );
        let e = Corpus::with_authors(s(&["x"]), &s(&["cy"]), s(&["ann", "bob"])).unwrap_err();
        assert!(e
            .to_string()
            .contains("author `cy` is not among the 2 candidate authors"));
    }
}
