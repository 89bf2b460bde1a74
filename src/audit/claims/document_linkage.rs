//! "Documents of corpus C cannot be linked to their sources": document linkage
//! by MinHash-LSH and Jaccard ([`crate::attacks::text`]), the share of release
//! documents linked to their own original with its Wilson interval, behind the
//! coverage guard (release documents must name a known original).
//!
//! When the semantic attack ran (an embedding model was given), the rate is
//! that of the combined attack (the stronger of MinHash and semantic linkage
//! per document, [`crate::eval::text_linkage_semantic::combined_links`]).
//! When it did not, a PASS also needs the release to look like a near-copy
//! of its originals ([`crate::eval::text_linkage_semantic::near_copy_check_scored`]):
//! MinHash cannot show that rewritten text is unlinkable, so such a PASS is
//! INCONCLUSIVE.

use serde::{Deserialize, Serialize};

use super::{check_rate, require_corpus, verdict, Claim, DatasetFacts};
use crate::audit::declarations::{percent, Declared};
use crate::audit::AuditError;
use crate::eval;
use crate::eval::document_linkage::ScoredTextReport;
use crate::eval::text_linkage_semantic::{near_copy_check_scored, LinkCounts};
use crate::report::ClaimVerdict;

/// `kind = "document_linkage"`: `corpus`, `max_rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentLinkage {
    /// Corpus name.
    pub corpus: String,
    /// Largest acceptable share of release documents linked to their original.
    #[serde(default)]
    pub max_rate: f64,
}

impl Claim for DocumentLinkage {
    fn statement(&self) -> String {
        format!(
            "documents of corpus `{}` cannot be linked to their sources (at most {})",
            self.corpus,
            percent(self.max_rate)
        )
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        check_rate(at, "max_rate", self.max_rate)?;
        require_corpus(config, at, &self.corpus)?;
        Ok(())
    }

    fn decide(&self, facts: &DatasetFacts, level: f64) -> Result<ClaimVerdict, AuditError> {
        let c = facts.corpus(&self.corpus)?;
        let semantic = c.semantic.as_ref().map(|s| SemanticEvidence {
            model: s.model.clone(),
            combined: s.scores.combined.counts,
        });
        self.verdict_with(&c.text, semantic.as_ref(), level)
    }
}

/// What the semantic attack adds to the decision.
#[derive(Debug, Clone, PartialEq)]
pub struct SemanticEvidence {
    /// The embedding model that ran (its name or folder).
    pub model: String,
    /// The combined attack's counts (MinHash or semantic per document).
    pub combined: LinkCounts,
}

impl DocumentLinkage {
    /// The verdict on the text attacks' scored report
    /// ([`crate::attacks::text::audit_text`], scored by
    /// [`crate::eval::document_linkage::score_text_report`]) with intervals at
    /// `level`, for the audit and `reident text --max-linkage-rate` alike.
    /// Without a semantic attack: see [`Self::verdict_with`].
    pub fn verdict(&self, text: &ScoredTextReport, level: f64) -> Result<ClaimVerdict, AuditError> {
        self.verdict_with(text, None, level)
    }

    /// The verdict on MinHash linkage, with `semantic` on the combined
    /// attack; without it a PASS needs the near-copy check to hold.
    pub fn verdict_with(
        &self,
        text: &ScoredTextReport,
        semantic: Option<&SemanticEvidence>,
        level: f64,
    ) -> Result<ClaimVerdict, AuditError> {
        let corpus = &self.corpus;
        let l = &text.linkage;
        let Some(rate) = l.reidentification() else {
            return Err(AuditError::Dataset {
                dataset: format!("corpus `{corpus}`"),
                message: "no release document shares an id with an original, so document linkage cannot be scored; keep the originals' ids in the release or give a truth key".into(),
            });
        };
        let correct = semantic.map_or(l.correct, |s| s.combined.correct);
        let rate = match semantic {
            None => rate,
            Some(_) => eval::Rate::new(correct as f64, l.with_truth as u64),
        };
        let p = rate.wilson(level, "document linkage")?;
        let mut checks = vec![eval::CoverageCheck {
            what: "release documents whose id names an original".into(),
            covered: l.with_truth as u64,
            total: text.n_release_documents as u64,
            required_share: eval::MIN_ALIGNED_SHARE,
            cause: "Documents whose original is unknown cannot be scored; counting them as unlinked would understate the rate. Check the `id` column of both files.".into(),
        }];
        if semantic.is_none() {
            checks.push(near_copy_check_scored(l, text.n_release_documents));
        }
        let (v, warnings) = eval::guard(eval::interval_at_most(p.low, p.high, self.max_rate), &checks);
        let (decided_by, evidence) = match semantic {
            None => (
                "document linkage (MinHash-LSH + Jaccard; semantic attack not run)".to_string(),
                format!(
                    "{} of {} release documents are linked to their own original at Jaccard >= {}.",
                    l.correct, l.with_truth, l.config.threshold
                ),
            ),
            Some(s) => (
                format!(
                    "document linkage (MinHash-LSH + Jaccard, and semantic linkage with the embedding model {}; the stronger per document)",
                    s.model
                ),
                format!(
                    "{} of {} release documents are linked to their own original ({} by MinHash at Jaccard >= {}).",
                    correct, l.with_truth, l.correct, l.config.threshold
                ),
            ),
        };
        Ok(verdict(
            self,
            v,
            "share of release documents linked to their original",
            Some(p.point),
            Some(p),
            &decided_by,
            evidence,
            warnings,
        ))
    }
}
