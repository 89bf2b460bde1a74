//! Text leakage attacks: does a redacted or pseudonymized text release still
//! point back at its originals and the people in them?
//!
//! * [`linkage`]: document linkage of release documents to originals,
//!   MinHash-LSH candidates verified by exact Jaccard or TF-IDF cosine: counts
//!   and each release document's best candidate (right or wrong, with a truth
//!   key); `eval::document_linkage` scores them.
//! * [`leak`]: a scan for the originals' direct identifiers (logins, names,
//!   e-mails from identifier columns; e-mails, URLs, IPs, hosts, issue keys,
//!   phones found in the original text) that survive in the release text, with
//!   masked examples. Logins and name parts that are also ordinary words count
//!   only in identifier context ([`context`]: `[~link]`, `@link`, `Thanks link!`).
//! * [`recovery`]: redaction recovery on linked pairs (token diff of release
//!   and original: what each placeholder hid, and whether placeholders are
//!   consistent and hence link documents), and the dictionary attack on
//!   unsalted SHA-256 pseudonyms.
//! * [`audit_text`] runs all of them and returns one serde [`TextLeakReport`]
//!   (counts; `eval::document_linkage::score_text_report` adds the linkage
//!   scores).
//!
//! What it does not do: read files (see `crate::data::read_frame`), print, or
//! attribute authorship by style (that is `attacks::stylometry`).

pub mod context;
#[cfg(feature = "semantic")]
pub mod embedding;
pub mod hnsw;
pub mod leak;
pub mod linkage;
pub mod minhash;
pub mod recovery;
pub mod semantic;

pub use context::{CodeSpans, ContextDetector, ContextRule};
pub use leak::{
    mask_identifier, AmbiguityReason, IdentifierKind, IdentifierSet, KindLeaks, LeakExample,
    LeakScan, UncountedExample, ValueAssessment,
};
pub use linkage::{
    link_documents, link_documents_partitioned, DocumentLink, DocumentPartial,
    DocumentPartitioning, LinkageConfig, LinkageResult, ReleaseCandidates, Verification,
};
pub use minhash::{
    estimate_jaccard, jaccard_sorted, lsh_candidate_probability, shingles, LshIndex, MinHasher,
    ShingleConfig, ShingleUnit,
};
pub use recovery::{
    hash_dictionary_attack, recover_redactions, HashAttack, HashColumn, RedactionRecovery,
};

/// Errors of the text attacks.
#[derive(Debug, thiserror::Error)]
pub enum TextAttackError {
    /// A parameter or input does not make sense.
    #[error("{0}")]
    Invalid(String),
    /// The truth key does not fit the corpora.
    #[error("truth key: {0}")]
    Truth(String),
    /// A corpus is malformed (missing or duplicate ids; see
    /// [`crate::data::Corpus`]).
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
}

/// The corpus the text attacks read (ids and texts): the crate's one corpus
/// type, [`crate::data::Corpus`].
pub use crate::data::Corpus;

/// Which original each release document came from (release index -> original index).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TruthKey {
    /// `original_of[release index]`, `None` when the key says nothing about it.
    #[serde(skip)]
    pub original_of: Vec<Option<usize>>,
    /// Pairs of the key whose release id is not in the release corpus.
    pub unknown_release_ids: usize,
    /// Pairs of the key whose original id is not in the original corpus.
    pub unknown_original_ids: usize,
}

impl TruthKey {
    /// From (release id, original id) pairs. Ids missing from a corpus are counted,
    /// not fatal; an error when no pair fits both corpora or a release id is mapped twice.
    pub fn from_pairs(
        release: &Corpus,
        original: &Corpus,
        pairs: &[(String, String)],
    ) -> Result<Self, TextAttackError> {
        let r_index = release.index();
        let o_index = original.index();
        let mut key = TruthKey {
            original_of: vec![None; release.len()],
            ..TruthKey::default()
        };
        let mut matched = 0usize;
        for (row, (r, o)) in pairs.iter().enumerate() {
            let ri = r_index.get(r.as_str());
            let oi = o_index.get(o.as_str());
            match (ri, oi) {
                (None, _) => key.unknown_release_ids += 1,
                (Some(_), None) => key.unknown_original_ids += 1,
                (Some(&ri), Some(&oi)) => {
                    if let Some(prev) = key.original_of[ri] {
                        if prev != oi {
                            return Err(TextAttackError::Truth(format!(
                                "row {}: release id `{r}` is mapped to two originals (`{}` and `{o}`)",
                                row + 1,
                                original.ids[prev]
                            )));
                        }
                    }
                    key.original_of[ri] = Some(oi);
                    matched += 1;
                }
            }
        }
        if matched == 0 && !pairs.is_empty() {
            let example = &pairs[0];
            return Err(TextAttackError::Truth(format!(
                "none of its {} pairs matches a release and an original document id (first pair: `{}` -> `{}`; release ids look like `{}`, original ids like `{}`); check the truth columns and --id-column",
                pairs.len(),
                example.0,
                example.1,
                release.ids.first().map(String::as_str).unwrap_or(""),
                original.ids.first().map(String::as_str).unwrap_or("")
            )));
        }
        Ok(key)
    }

    /// The key "a release document keeps its original's id" (as in releases that
    /// keep the row id). Release ids absent from the originals are counted.
    pub fn same_ids(release: &Corpus, original: &Corpus) -> Result<Self, TextAttackError> {
        let pairs: Vec<(String, String)> = release
            .ids
            .iter()
            .map(|id| (id.clone(), id.clone()))
            .collect();
        TruthKey::from_pairs(release, original, &pairs)
    }

    /// Number of release documents with a known original.
    pub fn n_known(&self) -> usize {
        self.original_of.iter().filter(|o| o.is_some()).count()
    }
}

/// Stage names passed to the progress callback of [`audit_text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Document linkage.
    Linkage,
    /// Identifier leak scan.
    LeakScan,
    /// Redaction recovery on linked pairs.
    Recovery,
    /// Dictionary attack on hashes.
    HashAttack,
}

/// Everything [`audit_text`] needs besides the corpora.
#[derive(Debug, Clone, Default)]
pub struct TextAuditConfig {
    /// Document linkage parameters.
    pub linkage: LinkageConfig,
    /// Print identifiers in full in examples (default: masked).
    pub show_identifiers: bool,
    /// Examples kept per identifier kind / placeholder label (0 means 5).
    pub max_examples: usize,
}

/// The combined result of the text attacks: document linkage as counts and
/// links (scored by `eval::document_linkage::score_text_report`), the other
/// attacks' results as they are.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TextLeakReport {
    /// Release documents.
    pub n_release_documents: usize,
    /// Original documents.
    pub n_original_documents: usize,
    /// Truth key bookkeeping, when one was given.
    pub truth: Option<TruthKey>,
    /// Document linkage (counts and links; scores in `eval`).
    pub linkage: LinkageResult,
    /// Identifiers surviving in the release.
    pub leak_scan: LeakScan,
    /// Redaction recovery on truth pairs (or, without a truth key, predicted links).
    pub recovery: RedactionRecovery,
    /// Dictionary attack on unsalted hashes.
    pub hash_attack: HashAttack,
}

/// Runs document linkage, the identifier leak scan, redaction recovery (on the
/// truth pairs, else on the predicted links) and the hash dictionary attack.
/// `hash_columns` are extra release columns (name, values) scanned for hex hashes
/// besides the release text. `progress` is called at the start of each stage.
pub fn audit_text(
    original: &Corpus,
    release: &Corpus,
    truth: Option<&TruthKey>,
    identifiers: &IdentifierSet,
    hash_columns: &[(String, Vec<Option<String>>)],
    config: &TextAuditConfig,
    progress: &mut dyn FnMut(Stage),
) -> Result<TextLeakReport, TextAttackError> {
    progress(Stage::Linkage);
    let linkage = link_documents(original, release, truth, &config.linkage)?;
    progress(Stage::LeakScan);
    let max_examples = if config.max_examples == 0 {
        5
    } else {
        config.max_examples
    };
    let leak_scan = identifiers.scan_with_originals(
        Some(original),
        release,
        max_examples,
        config.show_identifiers,
    )?;
    progress(Stage::Recovery);
    let pairs: Vec<(usize, usize)> = match truth {
        Some(t) => t
            .original_of
            .iter()
            .enumerate()
            .filter_map(|(r, o)| o.map(|o| (r, o)))
            .collect(),
        None => linkage
            .links
            .iter()
            .filter(|l| l.linked)
            .map(|l| (l.release_index, l.original_index))
            .collect(),
    };
    let recovery = recover_redactions(
        original,
        release,
        &pairs,
        identifiers,
        max_examples,
        config.show_identifiers,
    )?;
    progress(Stage::HashAttack);
    let mut columns: Vec<HashColumn<'_>> = Vec::with_capacity(1 + hash_columns.len());
    columns.push(HashColumn {
        name: "<text>",
        values: release.texts.iter().map(String::as_str).collect(),
    });
    for (name, values) in hash_columns {
        columns.push(HashColumn {
            name,
            values: values.iter().flatten().map(String::as_str).collect(),
        });
    }
    let hash_attack =
        hash_dictionary_attack(identifiers, &columns, max_examples, config.show_identifiers);
    Ok(TextLeakReport {
        n_release_documents: release.len(),
        n_original_documents: original.len(),
        truth: truth.cloned(),
        linkage,
        leak_scan,
        recovery,
        hash_attack,
    })
}
