//! "Documents of corpus C cannot be linked to their sources": document linkage
//! by MinHash-LSH and Jaccard ([`crate::attacks::text`]), the share of release
//! documents linked to their own original with its Wilson interval, behind the
//! coverage guard (release documents must name a known original).

use serde::{Deserialize, Serialize};

use super::{check_rate, require_corpus, verdict, Claim, DatasetFacts};
use crate::audit::declarations::{percent, Declared};
use crate::audit::AuditError;
use crate::eval;
use crate::eval::document_linkage::ScoredTextReport;
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
        self.verdict(&facts.corpus(&self.corpus)?.text, level)
    }
}

impl DocumentLinkage {
    /// The verdict on the text attacks' scored report
    /// ([`crate::attacks::text::audit_text`], scored by
    /// [`crate::eval::document_linkage::score_text_report`]) with intervals at
    /// `level`, for the audit and `reident text --max-linkage-rate` alike.
    pub fn verdict(&self, text: &ScoredTextReport, level: f64) -> Result<ClaimVerdict, AuditError> {
        let corpus = &self.corpus;
        let l = &text.linkage;
        let Some(rate) = l.reidentification() else {
            return Err(AuditError::Dataset {
                dataset: format!("corpus `{corpus}`"),
                message: "no release document shares an id with an original, so document linkage cannot be scored; keep the originals' ids in the release or give a truth key".into(),
            });
        };
        let p = rate.wilson(level, "document linkage")?;
        let (v, warnings) = eval::guard(
            eval::interval_at_most(p.low, p.high, self.max_rate),
            &[eval::CoverageCheck {
                what: "release documents whose id names an original".into(),
                covered: l.with_truth as u64,
                total: text.n_release_documents as u64,
                required_share: eval::MIN_ALIGNED_SHARE,
                cause: "Documents whose original is unknown cannot be scored; counting them as unlinked would understate the rate. Check the `id` column of both files.".into(),
            }],
        );
        Ok(verdict(
            self,
            v,
            "share of release documents linked to their original",
            Some(p.point),
            Some(p),
            "document linkage (MinHash-LSH + Jaccard)",
            format!(
                "{} of {} release documents are linked to their own original at Jaccard >= {}.",
                l.correct, l.with_truth, l.config.threshold
            ),
            warnings,
        ))
    }
}
