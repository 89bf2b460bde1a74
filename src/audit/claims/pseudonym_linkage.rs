//! "At most X% of corpus C's pseudonyms can be named at 95% precision": the
//! joint pseudonym attack ([`crate::attacks::pseudonym_linkage`]), scored by
//! [`crate::eval::pseudonym_linkage`]. PASS only when the Wilson interval of
//! the share named lies at or below X, at least one signal ran, enough
//! pseudonyms were attacked and their release documents resolve to original
//! authors by id; otherwise INCONCLUSIVE (or FAIL) with a warning saying why.

use serde::{Deserialize, Serialize};

use super::{check_rate, require_corpus, verdict, Claim, DatasetFacts};
use crate::audit::declarations::{percent, Declared};
use crate::audit::AuditError;
use crate::eval;
use crate::eval::pseudonym_linkage::{score_experiment, PseudonymLinkageRun};
use crate::report::{ClaimVerdict, Verdict};

/// `kind = "pseudonym_linkage"`: `corpus`, `max_rate`, optional `precision`
/// (default 0.95) and `min_pseudonyms` (default 10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PseudonymLinkage {
    /// Corpus name.
    pub corpus: String,
    /// Largest acceptable share of pseudonyms named at `precision`.
    pub max_rate: f64,
    /// The precision at which pseudonyms count as named.
    #[serde(default = "default_precision")]
    pub precision: f64,
    /// Fewer attacked pseudonyms than this leave the claim INCONCLUSIVE.
    #[serde(default = "default_min_pseudonyms")]
    pub min_pseudonyms: usize,
}

fn default_precision() -> f64 {
    crate::eval::pseudonym_linkage::DEFAULT_PRECISION
}

fn default_min_pseudonyms() -> usize {
    10
}

impl Claim for PseudonymLinkage {
    fn statement(&self) -> String {
        format!(
            "at most {} of corpus `{}`'s pseudonyms can be named at {} precision",
            percent(self.max_rate),
            self.corpus,
            percent(self.precision)
        )
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        check_rate(at, "max_rate", self.max_rate)?;
        if !(self.precision > 0.0 && self.precision <= 1.0) {
            return Err(format!(
                "{at}: key `precision` = {}: give a precision in (0, 1] such as 0.95",
                self.precision
            ));
        }
        let c = require_corpus(config, at, &self.corpus)?;
        if c.author.is_none() || c.pseudonym_linkage.is_none() {
            return Err(format!(
                "{at}: corpus `{}` needs an `author` column and a `[corpus.pseudonym_linkage]` section",
                self.corpus
            ));
        }
        Ok(())
    }

    fn decide(&self, facts: &DatasetFacts, level: f64) -> Result<ClaimVerdict, AuditError> {
        let run = facts
            .corpus(&self.corpus)?
            .pseudonym_linkage
            .as_ref()
            .ok_or_else(|| super::missing_facts(&self.corpus))?;
        self.verdict(run, level)
    }
}

impl PseudonymLinkage {
    /// The verdict on a run of the joint attack, for the audit and `reident
    /// pseudonyms --max-rate` alike.
    pub fn verdict(&self, run: &PseudonymLinkageRun, level: f64) -> Result<ClaimVerdict, AuditError> {
        let e = &run.experiment;
        let s = score_experiment(e, self.precision, level)?;
        // The attacker uses whichever names more: the fusion, or one signal
        // alone when the fusion's learned weights do worse than it (a claim
        // must hold against the strongest attack that ran).
        let best = s.best_single();
        let f = s.strongest();
        let mut decided = eval::interval_at_most(f.share_interval.low, f.share_interval.high, self.max_rate);
        let mut warnings = Vec::new();
        if s.signals_run() == 0 {
            warnings.push("No signal of the joint attack could run on this corpus; nothing was tested.".to_string());
        }
        if s.pseudonyms < self.min_pseudonyms {
            warnings.push(format!(
                "Only {} pseudonyms were attacked (fewer than min_pseudonyms = {}): too few to bound the share named.",
                s.pseudonyms, self.min_pseudonyms
            ));
        }
        if s.with_truth == 0 {
            warnings.push("No pseudonym's documents resolve to a candidate author by id: the truth does not resolve, so no naming could be scored.".to_string());
        }
        if !warnings.is_empty() && decided == Verdict::Pass {
            decided = Verdict::Inconclusive;
        }
        let (v, more) = eval::guard(
            decided,
            &[eval::CoverageCheck {
                what: "release documents under a pseudonym whose id names an original with an author".into(),
                covered: e.resolved_documents as u64,
                total: e.release_documents as u64,
                required_share: eval::MIN_ALIGNED_SHARE,
                cause: "The truth of a pseudonym is the original author of its documents, matched by the `id` column; release ids that name no original leave pseudonyms unscored. Check that the release keeps the originals' document ids.".into(),
            }],
        );
        warnings.extend(more);
        let decided_by = if std::ptr::eq(f, &s.fused) {
            "joint pseudonym attack (signals fused by weights learned on the attacker's known writing; Hungarian assignment ranked by margin)".to_string()
        } else {
            format!("joint pseudonym attack's `{}` signal alone (it names more than the fusion; Hungarian assignment ranked by margin)", f.name)
        };
        Ok(verdict(
            self,
            v,
            &format!("share of pseudonyms named at {} precision", percent(self.precision)),
            Some(f.share_at_precision),
            Some(f.share_interval),
            &decided_by,
            format!(
                "{} of {} pseudonyms named at {} precision by the fused attack ({} candidates); the best single signal{} names {}. The attacker's own margin threshold names {} ({} correct).",
                s.fused.named_at_precision,
                s.pseudonyms,
                percent(self.precision),
                s.candidates,
                best.map_or(String::new(), |b| format!(" ({})", b.name)),
                best.map_or(0, |b| b.named_at_precision),
                s.attacker_named,
                s.attacker_correct
            ),
            warnings,
        ))
    }
}
