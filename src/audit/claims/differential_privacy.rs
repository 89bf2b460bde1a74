//! "Aggregate A is (epsilon, delta)-differentially private per record/user":
//! tested against the noise actually added. The Laplace or Gaussian noise is
//! fitted between true and released aggregates ([`crate::dp::fit_aggregate_noise`])
//! and the epsilon it implies at the unit's sensitivity is worked out from the
//! fitted scale ([`crate::dp::estimate::NoiseFit::epsilon_at`]; linear scaling
//! of a per-record epsilon is right for Laplace noise only). The claim fails
//! when the implied epsilon's interval lies above it; a release cannot prove
//! differential privacy, only refute it.
//!
//! The claim is also checked against identity attacks that ran in the same
//! audit ([`crate::eval::attack_epsilon`]). A **user-level** claim is read as
//! the vendor's promise about its users, whose data every release of the
//! audit holds: by default it is checked against every identity attack of the
//! audit (QI-join re-identification, document linkage, document and
//! pseudonym attribution, trace linkage). A **record-level** claim is about
//! the records of the aggregate it names; the rows and documents of the
//! audit's other datasets are not its records, so by default it is checked
//! against the noise only, and `attacks = [...]` opts in the attacks of
//! datasets the vendor's claim covers (a claim about the whole pipeline). Each attack's
//! success rate gives an epsilon lower bound under the model stated in its
//! evidence (uniform or chance prior over the candidates, the neighbouring
//! relation of `neighbouring`, add/remove by default), all at a simultaneous
//! confidence (Bonferroni); the claim fails when the strongest bound exceeds
//! it, and the evidence names the attack. `attacks = [...]` restricts the
//! attacks (`reidentification:TABLE`, `document_linkage:CORPUS`,
//! `attribution:CORPUS`, `pseudonym_attribution:CORPUS`,
//! `trace_linkage:TRACES`); `attacks = []` checks the noise only, as before.

use serde::{Deserialize, Serialize};

use super::{Claim, DatasetFacts};
use crate::audit::declarations::Declared;
use crate::audit::AuditError;
use crate::audit::facts::Facts;
use crate::dp;
use crate::eval;
use crate::eval::attack_epsilon::{
    bound_at_targets, strongest_attack_epsilon, targets_to_refute, IdentityOutcome, Neighbouring,
};
use crate::report::charts;
use crate::report::{Chart, ClaimVerdict, Verdict};

/// Unit of privacy of a differential-privacy claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyUnit {
    /// One record (one event) is protected.
    Record,
    /// One user (all of their events) is protected.
    User,
}

fn default_unit() -> PrivacyUnit {
    PrivacyUnit::Record
}

/// `kind = "differential_privacy"`: `aggregate`, `epsilon`, optional `delta`
/// (0), `unit` (`record`), `attacks` (every applicable identity attack) and
/// `neighbouring` (`add_remove`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DifferentialPrivacy {
    /// Aggregate name.
    pub aggregate: String,
    /// Claimed epsilon.
    pub epsilon: f64,
    /// Claimed delta (0 for pure DP).
    #[serde(default)]
    pub delta: f64,
    /// Unit of privacy.
    #[serde(default = "default_unit")]
    pub unit: PrivacyUnit,
    /// Identity attacks to check the claim against (`KIND:DATASET`, kinds
    /// [`ATTACK_KINDS`]); absent: every identity attack of the audit for a
    /// per-user claim, none for a per-record one (module docs); empty: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attacks: Option<Vec<String>>,
    /// The neighbouring relation the claim is read under.
    #[serde(default)]
    pub neighbouring: Neighbouring,
}

/// The identity attacks a DP claim can be checked against.
pub const ATTACK_KINDS: [&str; 6] = [
    "reidentification",
    "document_linkage",
    "attribution",
    "pseudonym_attribution",
    "pseudonym_linkage",
    "trace_linkage",
];

/// Every identity attack that ran, as `(KIND:DATASET, user-level only, outcome)`.
fn identity_outcomes(facts: &DatasetFacts) -> Vec<(String, bool, IdentityOutcome)> {
    let mut out = Vec::new();
    for f in facts.0 {
        match f {
            Facts::Table(t) => {
                if let Some(q) = &t.qi_join {
                    if let Some(correct) = q.expected_correct_reidentifications {
                        out.push((
                            format!("reidentification:{}", t.name),
                            false,
                            IdentityOutcome {
                                attack: format!("QI-join re-identification of table `{}`", t.name),
                                correct: correct.max(0.0),
                                targets: q.n_release as u64,
                                candidates: q.n_original as f64,
                                chance: None,
                            },
                        ));
                    }
                }
            }
            Facts::Corpus(c) => {
                let l = &c.text.linkage;
                if c.text.truth.is_some() && l.with_truth > 0 {
                    out.push((
                        format!("document_linkage:{}", c.name),
                        false,
                        IdentityOutcome {
                            attack: format!("document linkage of corpus `{}`", c.name),
                            // The document_linkage claim's count: the combined
                            // attack when the semantic one ran, else MinHash.
                            correct: c
                                .semantic
                                .as_ref()
                                .map_or(l.correct, |s| s.scores.combined.counts.correct)
                                as f64,
                            targets: l.with_truth as u64,
                            candidates: c.text.n_original_documents as f64,
                            chance: None,
                        },
                    ));
                }
                if let Some(run) = &c.pseudonym_linkage {
                    let s = &run.scores;
                    if s.pseudonyms > 0 && s.candidates >= 2 && s.fused.skipped.is_none() {
                        out.push((
                            format!("pseudonym_linkage:{}", c.name),
                            true,
                            IdentityOutcome {
                                attack: format!(
                                    "joint pseudonym attack on corpus `{}`",
                                    c.name
                                ),
                                // Every pseudonym is a target; its assignment
                                // (no abstention) is the guess: the fusion's,
                                // or one signal's alone when it does better.
                                correct: s.most_correct_top1() as f64,
                                targets: s.pseudonyms as u64,
                                candidates: s.candidates as f64,
                                chance: None,
                            },
                        ));
                    }
                }
                if let Some(st) = &c.stylometry {
                    if st.attributed_documents > 0 {
                        out.push((
                            format!("attribution:{}", c.name),
                            false,
                            IdentityOutcome {
                                attack: format!(
                                    "stylometric attribution of corpus `{}`'s documents",
                                    c.name
                                ),
                                correct: st.document_correct as f64,
                                targets: st.attributed_documents as u64,
                                candidates: st.candidate_authors as f64,
                                chance: Some(st.chance),
                            },
                        ));
                    }
                    if let Some(correct) = st.pseudonym_correct {
                        if st.pseudonyms > 0 {
                            out.push((
                                format!("pseudonym_attribution:{}", c.name),
                                true,
                                IdentityOutcome {
                                    attack: format!(
                                        "stylometric attribution of corpus `{}`'s pseudonyms",
                                        c.name
                                    ),
                                    correct: correct as f64,
                                    targets: st.pseudonyms as u64,
                                    candidates: st.candidate_authors as f64,
                                    chance: Some(st.chance),
                                },
                            ));
                        }
                    }
                }
            }
            Facts::Traces(t) => {
                // The finest time bucket's linkage (the strongest signal).
                if let Some(b) = t.report.linkage.iter().min_by_key(|b| b.bucket_seconds) {
                    let l = &b.linkage;
                    if l.n_scored > 0 && l.chance > 0.0 {
                        out.push((
                            format!("trace_linkage:{}", t.name),
                            true,
                            IdentityOutcome {
                                attack: format!("trace linkage of `{}`'s pseudonyms", t.name),
                                correct: l.n_correct as f64,
                                targets: l.n_scored as u64,
                                candidates: (1.0 / l.chance).round(),
                                chance: None,
                            },
                        ));
                    }
                }
            }
            Facts::Aggregate(_) => {}
        }
    }
    out
}


/// Fewer paired aggregates than this leave the noise fit INCONCLUSIVE.
const MIN_PAIRED_AGGREGATES: usize = 30;

impl Claim for DifferentialPrivacy {
    fn statement(&self) -> String {
        let (aggregate, epsilon, delta) = (&self.aggregate, self.epsilon, self.delta);
        let unit = match self.unit {
            PrivacyUnit::Record => "record",
            PrivacyUnit::User => "user",
        };
        if delta > 0.0 {
            format!(
                "aggregate `{aggregate}` is ({epsilon}, {delta})-differentially private per {unit}"
            )
        } else {
            format!("aggregate `{aggregate}` is {epsilon}-differentially private per {unit}")
        }
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        let (aggregate, epsilon, delta) = (&self.aggregate, self.epsilon, self.delta);
        let a = config
            .aggregates
            .iter()
            .find(|a| &a.name == aggregate)
            .ok_or_else(|| format!("{at}: no [[aggregate]] named `{aggregate}`"))?;
        if !(epsilon.is_finite() && epsilon > 0.0) {
            return Err(format!(
                "{at}: key `epsilon` = {epsilon}: give a finite number > 0"
            ));
        }
        if !(delta.is_finite() && (0.0..1.0).contains(&delta)) {
            return Err(format!(
                "{at}: key `delta` = {delta}: give a number in [0, 1) (0 for pure differential privacy; delta >= 1 promises nothing)"
            ));
        }
        for name in self.attacks.iter().flatten() {
            let kind = name.split(':').next().unwrap_or("");
            if !name.contains(':') || !ATTACK_KINDS.contains(&kind) {
                return Err(format!(
                    "{at}: key `attacks`: `{name}` is not KIND:DATASET with KIND one of {}",
                    ATTACK_KINDS.join(", ")
                ));
            }
            if self.unit == PrivacyUnit::Record
                && matches!(kind, "pseudonym_attribution" | "trace_linkage")
            {
                return Err(format!(
                    "{at}: key `attacks`: `{name}` identifies users from several records; it bounds a per-user claim, not this per-record one"
                ));
            }
        }
        if self.unit == PrivacyUnit::User && a.contributions.is_none() {
            return Err(format!(
                "{at}: a per-user claim needs `[aggregate.contributions]` (the events behind the counts)"
            ));
        }
        Ok(())
    }

    fn decide(&self, facts: &DatasetFacts, level: f64) -> Result<ClaimVerdict, AuditError> {
        let noise = self.noise_verdict(facts)?;
        self.with_attacks(noise, facts, level)
    }

    /// The strongest attack's epsilon bound against the number of targets:
    /// observed at the attack's own size, predicted at other sizes from its
    /// observed success rate ([`eval::attack_epsilon::bound_at_targets`]),
    /// with the claimed epsilon and the targets needed to refute it.
    fn charts(&self, facts: &DatasetFacts, level: f64) -> Result<Vec<Chart>, AuditError> {
        let (outcomes, _) = self.attack_outcomes(facts);
        let bounds = strongest_attack_epsilon(&outcomes, self.neighbouring, level)?;
        let Some(top) = bounds.first() else {
            return Ok(Vec::new());
        };
        let needed = targets_to_refute(top, self.epsilon)?;
        // Sizes from 1/16 of the attack's to 16 times it, widened to hold
        // the size that refutes the claim, on a log grid of 49 points.
        let n = top.targets.max(1) as f64;
        let far = needed.map_or(16.0 * n, |m| (16.0 * n).max(2.0 * m as f64));
        let near = needed.map_or(n / 16.0, |m| (n / 16.0).min(m as f64 / 2.0));
        let (lo, hi) = (near.max(1.0), far);
        let mut sizes: Vec<u64> = (0..=48)
            .map(|i| (lo * (hi / lo).powf(i as f64 / 48.0)).round() as u64)
            .collect();
        sizes.dedup();
        let predicted = sizes
            .iter()
            .map(|&m| Ok((m, bound_at_targets(top, m)?)))
            .collect::<Result<Vec<_>, AuditError>>()?;
        let unit = match self.unit {
            PrivacyUnit::Record => "record",
            PrivacyUnit::User => "user",
        };
        let plan = match needed {
            Some(m) => format!("about {m} targets would refute it at this success rate"),
            None => "no number of targets would refute it at this success rate (its point epsilon is at or below the claim)".into(),
        };
        let caption = format!(
            "The {}: the epsilon lower bound it implies ({}% simultaneous one-sided, {}) at its {} targets (marker) and, predicted from its success rate {:.3}, at other numbers of targets (line), against the claimed epsilon = {} per {unit}; {plan}.",
            top.attack,
            level * 100.0,
            top.neighbouring.label(),
            top.targets,
            top.success,
            self.epsilon,
        );
        let name: String = format!("dp_{}_{unit}_epsilon_vs_targets", self.aggregate)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .take(64)
            .collect();
        let chart = charts::epsilon_bound_vs_trials_with_plan(
            &[(top.targets, top.epsilon_lower)],
            &predicted,
            needed,
            self.epsilon,
        )?
        .renamed(name)?
        .with_caption(caption);
        Ok(vec![chart])
    }
}

impl DifferentialPrivacy {
    /// The identity attacks this claim is checked against: the listed ones,
    /// or every applicable one; warnings for listed attacks that did not run.
    fn attack_outcomes(&self, facts: &DatasetFacts) -> (Vec<IdentityOutcome>, Vec<String>) {
        let all = identity_outcomes(facts);
        let applicable =
            |user_only: bool| !(user_only && self.unit == PrivacyUnit::Record);
        match &self.attacks {
            // Other datasets' rows are not this aggregate's records (module docs).
            None if self.unit == PrivacyUnit::Record => (Vec::new(), Vec::new()),
            None => (
                all.into_iter()
                    .filter(|(_, u, _)| applicable(*u))
                    .map(|(_, _, o)| o)
                    .collect(),
                Vec::new(),
            ),
            Some(list) => {
                let mut chosen = Vec::new();
                let mut warnings = Vec::new();
                for name in list {
                    match all.iter().find(|(k, _, _)| k == name) {
                        Some((_, _, o)) => chosen.push(o.clone()),
                        None => warnings.push(format!(
                            "attack `{name}` did not run in this audit (no such dataset, or no truth key to score it), so the claim was not checked against it"
                        )),
                    }
                }
                (chosen, warnings)
            }
        }
    }

    /// The noise-fit verdict, then the identity attacks' bounds: the claim
    /// fails when the strongest exceeds it.
    fn with_attacks(
        &self,
        mut v: ClaimVerdict,
        facts: &DatasetFacts,
        level: f64,
    ) -> Result<ClaimVerdict, AuditError> {
        let (outcomes, mut warnings) = self.attack_outcomes(facts);
        v.warnings.append(&mut warnings);
        let bounds = strongest_attack_epsilon(&outcomes, self.neighbouring, level)?;
        let Some(top) = bounds.first() else {
            return Ok(v);
        };
        let pct = level * 100.0;
        let m = bounds.len();
        let list = bounds
            .iter()
            .map(|b| {
                format!(
                    "{} {:.3} ({} of {} targets right among {} candidates)",
                    b.attack,
                    b.epsilon_lower,
                    format_count(b.success * b.targets as f64),
                    b.targets,
                    b.candidates
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let unit = match self.unit {
            PrivacyUnit::Record => "record",
            PrivacyUnit::User => "user",
        };
        let attack_sentence = format!(
            " The vendor claims epsilon = {} per {unit}; the {} alone implies epsilon >= {:.3} at {pct}% ({m} identity attack(s), simultaneous {pct}% by Bonferroni: {list}). Model: {}.",
            self.epsilon, top.attack, top.epsilon_lower, top.assumptions
        );
        if top.epsilon_lower > self.epsilon && v.verdict == Verdict::Fail {
            // Already refuted by the noise fit: keep its figure, add the attack's.
            v.evidence = format!(
                "{} The {} refutes the claim as well.{attack_sentence}",
                v.evidence, top.attack
            );
        } else if top.epsilon_lower > self.epsilon {
            v.evidence = format!(
                "The {} refutes the claim: it implies epsilon >= {:.3} per {unit}, above the claimed {}.{attack_sentence} Noise fit: {}",
                top.attack, top.epsilon_lower, self.epsilon, v.evidence
            );
            // The measured figure stays the noise fit's (the claim's own
            // measure); the verdict and `decided_by` name the attack.
            v.verdict = Verdict::Fail;
            v.decided_by = format!(
                "{}; refuted by the {}: epsilon >= {:.3} at {pct}% ({} targets)",
                v.decided_by, top.attack, top.epsilon_lower, top.targets
            );
        } else {
            v.evidence.push_str(&attack_sentence);
            // What more of the same attack would show (never "would be
            // refuted" when its own rate is consistent with the claim).
            v.evidence.push_str(&match targets_to_refute(top, self.epsilon)? {
                Some(n) => format!(
                    " At its success rate ({:.3}), the {} would refute the claim with about {n} targets (it had {}).",
                    top.success, top.attack, top.targets
                ),
                None => format!(
                    " Its success rate ({:.3}) itself implies epsilon {:.3}, not above the claim: no number of targets would refute it at this rate.",
                    top.success, top.epsilon_point
                ),
            });
        }
        Ok(v)
    }

    fn noise_verdict(&self, facts: &DatasetFacts) -> Result<ClaimVerdict, AuditError> {
        let epsilon = self.epsilon;
        let a = facts.aggregate(&self.aggregate)?;
        let fit = &a.fit.fit;
        let use_gaussian =
            self.delta > 0.0 && fit.better_fit == dp::estimate::NoiseFamily::Gaussian;
        let family_kind = if use_gaussian {
            dp::estimate::NoiseFamily::Gaussian
        } else {
            dp::estimate::NoiseFamily::Laplace
        };
        let sensitivity = match self.unit {
            PrivacyUnit::Record => a.record_sensitivity,
            PrivacyUnit::User => a
                .user_sensitivity
                .ok_or_else(|| super::missing_facts(&self.aggregate))?,
        };
        let e = fit.epsilon_at(family_kind, sensitivity)?;
        let (point, low, high) = (e.point, e.lower, e.upper);
        let v = eval::epsilon_at_most(low, epsilon, fit.n_used, MIN_PAIRED_AGGREGATES);
        let family = if use_gaussian { "Gaussian" } else { "Laplace" };
        let finite_high = if high.is_finite() { high } else { f64::MAX };
        Ok(ClaimVerdict {
            claim: self.statement(),
            verdict: v,
            measure: "epsilon implied by the noise".into(),
            measured: Some(point),
            confidence_interval: Some((low, finite_high)),
            confidence_level: Some(e.confidence),
            decided_by: format!("{family} noise fit on {} paired aggregates", fit.n_used),
            warnings: Vec::new(),
            evidence: match v {
                Verdict::Fail => format!(
                    "At sensitivity {sensitivity} the noise added implies epsilon {point:.3} (interval [{low:.3}, {high:.3}]), above the claimed {epsilon}: the noise is too small for the claim."
                ),
                Verdict::Pass => format!(
                    "At sensitivity {sensitivity} the noise added implies epsilon {point:.3} (interval [{low:.3}, {high:.3}]): consistent with the claimed {epsilon}. This tests the noise level only; it cannot prove the mechanism private."
                ),
                Verdict::Inconclusive => format!(
                    "Only {} paired aggregates: too few to fit the noise reliably.",
                    fit.n_used
                ),
            },
        })
    }
}

/// A count that may be an expectation (ties broken at random).
fn format_count(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else {
        format!("{x:.1}")
    }
}
