//! "Authors of corpus C are not identifiable above X": stylometric attribution
//! of the release's documents from the auditor's known writing of each author,
//! one by one and pooled per release pseudonym ([`crate::attacks::stylometry`]);
//! the stronger of the two decides, behind the coverage guard (held-out
//! documents must be found in the release by id).

use serde::{Deserialize, Serialize};

use super::{check_rate, require_corpus, verdict, wilson, Claim, DatasetFacts};
use crate::audit::declarations::{percent, Declared};
use crate::audit::facts::classifier_label;
use crate::audit::AuditError;
use crate::eval;
use crate::eval::release_attack::{OpenSetOutcome, ScoredReleaseAttack};
use crate::report::ClaimVerdict;

/// `kind = "authorship"`: `corpus`, `max_accuracy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorship {
    /// Corpus name.
    pub corpus: String,
    /// Largest acceptable attribution accuracy.
    pub max_accuracy: f64,
}

impl Claim for Authorship {
    fn statement(&self) -> String {
        format!(
            "authors of corpus `{}` are not identifiable above {}",
            self.corpus,
            percent(self.max_accuracy)
        )
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        check_rate(at, "max_accuracy", self.max_accuracy)?;
        if require_corpus(config, at, &self.corpus)?.stylometry.is_none() {
            return Err(format!(
                "{at}: corpus `{}` needs a `[corpus.stylometry]` section",
                self.corpus
            ));
        }
        Ok(())
    }

    fn decide(&self, facts: &DatasetFacts, level: f64) -> Result<ClaimVerdict, AuditError> {
        let s = facts
            .corpus(&self.corpus)?
            .stylometry
            .as_ref()
            .ok_or_else(|| super::missing_facts(&self.corpus))?;
        self.verdict(&s.scored, level)
    }
}

impl Authorship {
    /// The verdict on the scored pseudonym-level attack
    /// ([`eval::release_attack::attack_release`]) with intervals at `level`, for
    /// the audit and `reident stylometry --original --release
    /// --max-accuracy` alike.
    pub fn verdict(
        &self,
        scored: &ScoredReleaseAttack,
        level: f64,
    ) -> Result<ClaimVerdict, AuditError> {
        let attack = &scored.attack;
        let documents = &scored.scores.documents;
        let pseudonyms = scored.scores.pseudonyms.as_ref();
        let doc = wilson(
            documents.correct() as f64,
            documents.n_documents,
            level,
            "document-level attribution",
        )
        .ok();
        let pseud = pseudonyms.and_then(|e| {
            wilson(
                e.correct() as f64,
                e.n_documents,
                level,
                "pseudonym-level attribution",
            )
            .ok()
        });

        // The stronger attack decides: the one whose interval reaches higher.
        let (p, which) = match (doc, pseud) {
            (Some(d), Some(p)) if p.low > d.low => (p, "pseudonym level (pooled)"),
            (Some(d), _) => (d, "document level"),
            (None, Some(p)) => (p, "pseudonym level (pooled)"),
            (None, None) => return Err(super::missing_facts(&self.corpus)),
        };
        let (v, mut warnings) = eval::guard(
            eval::interval_at_most(p.low, p.high, self.max_accuracy),
            &[eval::CoverageCheck {
                what: "held-out documents of known authors found in the release by id".into(),
                covered: attack.held_out_in_release as u64,
                total: attack.held_out_documents as u64,
                required_share: eval::MIN_ALIGNED_SHARE,
                cause: "Release documents are matched to their originals by the `id` column; release ids that name no original leave documents unattributed. Check that the release keeps the originals' document ids.".into(),
            }],
        );
        // Authors without enough known writing: their release documents
        // were attacked open-set (the verdict stays on the candidate
        // authors' accuracy); say what happened to them.
        match &scored.open_set {
            None => {}
            Some(OpenSetOutcome::Ran(o)) => warnings.push(format!(
                "{} release documents are by {} author(s) without enough known writing (fewer than `min_documents` originals); open-set attribution (a candidate named only when the pairwise verifier fitted on the known writing gives it more than {:.2}, {}) named {} of them as a known author (always wrongly); PAN 2019 open-set macro-F1 {:.3}, accuracy {}, {} of all attacked documents answered.",
                o.scores.unknown_documents,
                attack.authors_left_out,
                o.threshold,
                match (&o.threshold_choice, &o.threshold_note) {
                    (Some(c), _) => format!(
                        "the threshold with the best cross-validated macro-F1 ({:.3}) on the known writing, {} folds of known authors playing the unknowns",
                        c.score, c.folds
                    ),
                    (None, Some(note)) => note.clone(),
                    (None, None) => "the default threshold".into(),
                },
                percent(o.unknown_named_share),
                o.scores.macro_f1,
                percent(o.scores.accuracy),
                percent(o.scores.answered_share)
            )),
            Some(OpenSetOutcome::NotRun { reason: why }) => warnings.push(format!(
                "{} author(s) without enough known writing have release documents, but open-set attribution could not run ({why}); those documents were not attacked.",
                attack.authors_left_out
            )),
        }
        Ok(verdict(
            self,
            v,
            "top-1 attribution accuracy",
            Some(p.point),
            Some(p),
            &match &scored.choice {
                None => format!(
                    "stylometric attribution ({}, {which})",
                    classifier_label(attack.pipeline.classifier.kind)
                ),
                Some(c) => format!(
                    "stylometric attribution ({}, the best of {} methods cross-validated on the attacker's known writing; {which})",
                    c.chosen_label(),
                    c.suite.len()
                ),
            },
            format!(
                "{} of {} release documents attributed to their author; {} of {} pseudonyms after pooling; chance is {} with {} candidate authors.",
                percent(documents.top1_accuracy),
                documents.n_documents,
                pseudonyms.map_or("n/a".into(), |e| percent(e.top1_accuracy)),
                pseudonyms.map_or(0, |e| e.n_documents),
                percent(documents.chance_top1),
                attack.authors.len()
            ),
            warnings,
        ))
    }
}
