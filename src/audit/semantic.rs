//! Semantic document linkage composed for the audit and `reident text`:
//! load the embedding model the user named, embed both corpora, link
//! ([`crate::attacks::text::semantic::link_semantic`]) and score beside
//! MinHash ([`crate::eval::text_linkage_semantic`]).
//!
//! Without the cargo feature `semantic` the model cannot run: asking for it
//! is an error that says so (the semantic attack is never silently skipped
//! when the user asked for it).

use std::path::Path;

use serde::Serialize;

use crate::attacks::text::semantic::{link_semantic, SemanticConfig, SemanticLinkage};
use crate::attacks::text::{Corpus, LinkageResult, TruthKey};
use crate::audit::AuditError;
use crate::eval::text_linkage_semantic::{score_semantic, SemanticScores};

/// Documents per forward pass.
pub const EMBEDDING_BATCH: usize = 32;

/// What the semantic attack found, beside MinHash.
#[derive(Debug, Clone, Serialize)]
pub struct SemanticFacts {
    /// The model that ran, as a report names it ([`CorpusEmbeddings::model`]).
    pub model: String,
    /// Vector dimension.
    pub dimension: usize,
    /// The semantic linkage (per-document links included unless cleared).
    pub linkage: SemanticLinkage,
    /// The semantic, MinHash and combined attacks scored, and the semantic
    /// attack's precision-recall curve (`semantic`, `minhash`, `combined`,
    /// `pr_curve` in JSON).
    #[serde(flatten)]
    pub scores: SemanticScores,
}

/// Embeddings of both corpora and what made them.
#[derive(Debug, Clone)]
pub struct CorpusEmbeddings {
    /// One vector per original document.
    pub original: Vec<Vec<f32>>,
    /// One vector per release document.
    pub release: Vec<Vec<f32>>,
    /// The model: its name (the model card's title, else the folder's name),
    /// the folder, the base model of its `config.json` and the first 16 hex
    /// digits of the weights' SHA-256, e.g. `all-MiniLM-L6-v2 (folder
    /// target/models/all-MiniLM-L6-v2; weights sha256 53aa5117…; base
    /// nreimers/MiniLM-L6-H384-uncased)`.
    pub model: String,
    /// Vector dimension.
    pub dimension: usize,
}

/// Fails early, before any attack runs, when `dir` lacks a file the model
/// needs (or when the feature `semantic` is off).
pub fn check_model_dir(dir: &Path) -> Result<(), AuditError> {
    #[cfg(feature = "semantic")]
    {
        let missing = crate::attacks::text::embedding::missing_model_files(dir);
        if missing.is_empty() {
            return Ok(());
        }
        Err(AuditError::Dataset {
            dataset: "semantic linkage".into(),
            message: crate::attacks::text::embedding::EmbeddingError::Incomplete {
                dir: dir.display().to_string(),
                missing: missing.join(", "),
            }
            .to_string(),
        })
    }
    #[cfg(not(feature = "semantic"))]
    {
        Err(AuditError::Dataset {
            dataset: "semantic linkage".into(),
            message: format!(
                "an embedding model was given ({}) but this reident was built without the cargo feature `semantic`; rebuild with `--features semantic`",
                dir.display()
            ),
        })
    }
}

/// Embeddings of both corpora with the model in `dir`.
#[cfg(feature = "semantic")]
pub fn embed_corpora(
    dir: &Path,
    original: &Corpus,
    release: &Corpus,
) -> Result<CorpusEmbeddings, AuditError> {
    use crate::attacks::text::embedding::SentenceEmbedder;
    let err = |e: crate::attacks::text::embedding::EmbeddingError| AuditError::Dataset {
        dataset: "semantic linkage".into(),
        message: e.to_string(),
    };
    let model = SentenceEmbedder::load(dir).map_err(err)?;
    let info = model.info();
    fn texts(c: &Corpus) -> Vec<&str> {
        c.texts.iter().map(String::as_str).collect()
    }
    let o = model
        .embed(&texts(original), EMBEDDING_BATCH)
        .map_err(err)?;
    let r = model.embed(&texts(release), EMBEDDING_BATCH).map_err(err)?;
    Ok(CorpusEmbeddings {
        original: o,
        release: r,
        model: info.describe(),
        dimension: info.dimension,
    })
}

/// Without the feature `semantic`: an error saying how to get it.
#[cfg(not(feature = "semantic"))]
pub fn embed_corpora(
    dir: &Path,
    _original: &Corpus,
    _release: &Corpus,
) -> Result<CorpusEmbeddings, AuditError> {
    Err(AuditError::Dataset {
        dataset: "semantic linkage".into(),
        message: format!(
            "an embedding model was given ({}) but this reident was built without the cargo feature `semantic`; rebuild with `--features semantic`",
            dir.display()
        ),
    })
}

/// Runs the semantic attack with the model in `dir` and scores it beside
/// the MinHash result `minhash` (whose per-document links must still be
/// there for the combined counts), with intervals at confidence `level`.
pub fn semantic_linkage(
    dir: &Path,
    original: &Corpus,
    release: &Corpus,
    truth: Option<&TruthKey>,
    minhash: &LinkageResult,
    config: &SemanticConfig,
    level: f64,
) -> Result<SemanticFacts, AuditError> {
    let e = embed_corpora(dir, original, release)?;
    let linkage = link_semantic(original, release, &e.original, &e.release, truth, config)?;
    Ok(SemanticFacts {
        model: e.model,
        dimension: e.dimension,
        scores: score_semantic(minhash, &linkage, level)?,
        linkage,
    })
}
