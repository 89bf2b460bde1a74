//! From any identity attack to an epsilon lower bound: what a
//! re-identification, linkage or attribution success rate implies for a
//! record- or user-level differential-privacy claim.
//!
//! **The model.** An attack names, for each of `trials` targets, one of `n`
//! candidates (original records, authors, users) as the one behind a release
//! item. Fix a target and let `D_i` be the dataset in which the target's data
//! (one record for a record-level claim, one user's data for a user-level
//! one) is candidate `i`'s, everything else equal. `D_i` and `D_j` are
//! neighbours under the replace-one relation, and two steps apart under
//! add/remove (remove `i`'s data, add `j`'s), so an `eps`-DP mechanism under
//! add/remove is `2 eps`-DP between them (group privacy). Write `g` for that
//! group size (1 or 2).
//!
//! **The bound.** Let `S_i` be the outputs on which the attacker names `i`
//! and `q_ji = P(M(D_j) in S_i)`. DP gives `q_ii <= e^(g eps) q_ji` for
//! `j != i`, and `sum_i q_ji = 1` for every `j`, so
//! `n = sum_j sum_i q_ji >= (1 + (n - 1) e^(-g eps)) sum_i q_ii`. With a
//! prior `pi` over the candidates, the success probability is
//! `sum_i pi_i q_ii <= pi_max sum_i q_ii`, hence
//!
//! ```text
//! P(success) <= pi_max * n * e^(g eps) / (e^(g eps) + n - 1),
//! ```
//!
//! which for a uniform prior (`pi_max = 1/n`) is the bound
//! `e^eps / (e^eps + n - 1)` of Lee & Clifton (2011, "How Much Is Enough?
//! Choosing epsilon for Differential Privacy", ISC) for identifying one
//! individual among `n` possible worlds (also the `kappa`-reconstruction
//! robustness bound of Balle, Cherubin & Hayes 2022 for a uniform prior over
//! `n` points). Solving for `eps` at the success rate's one-sided
//! Clopper-Pearson lower bound `s` gives, with `r = s / (pi_max n)`,
//!
//! ```text
//! eps >= ln( r (n - 1) / (1 - r) ) / g     (0 when r <= 1/n).
//! ```
//!
//! **Conservative choices.** An expected number of correct guesses (random
//! tie-breaking) is rounded down; abstentions and unresolved targets count as
//! wrong guesses (DP limits the probability of naming the right candidate,
//! not the precision among the items an attacker chooses to name); the
//! prior's largest mass is at least `1/n` and is taken from the attack's own
//! chance baseline when that is larger; the targets are treated as
//! independent trials (a correlated attack would widen the interval); and the
//! model credits the mechanism with the best case that only the target's
//! data changes between candidate worlds. The result says all of this in its
//! `assumptions`.
//!
//! This module scores counts; it runs no attack and reads no file.

use serde::{Deserialize, Serialize};

use super::rate::Rate;
use super::EvalError;

/// The neighbouring relation of a DP claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Neighbouring {
    /// Adding or removing one unit's data (the usual reading when a claim
    /// does not say; two steps separate the candidate worlds).
    #[default]
    AddRemove,
    /// Replacing one unit's data (one step separates the candidate worlds).
    Replace,
}

impl Neighbouring {
    /// Neighbouring steps between two candidate worlds.
    pub fn group_size(self) -> f64 {
        match self {
            Neighbouring::AddRemove => 2.0,
            Neighbouring::Replace => 1.0,
        }
    }

    /// The relation in words.
    pub fn label(self) -> &'static str {
        match self {
            Neighbouring::AddRemove => "add/remove-one neighbours",
            Neighbouring::Replace => "replace-one neighbours",
        }
    }
}

/// The outcome of an identity attack: how many of its targets it named
/// correctly, among how many candidates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityOutcome {
    /// The attack, for reports ("stylometric attribution of pseudonyms").
    pub attack: String,
    /// Targets named correctly (may be fractional: an expectation over
    /// random tie-breaking).
    pub correct: f64,
    /// All targets, abstentions and unresolved ones included.
    pub targets: u64,
    /// Candidates each target is chosen among (at least 2).
    pub candidates: f64,
    /// The attack's chance baseline (largest prior mass of one candidate);
    /// `None` means uniform, `1 / candidates`.
    pub chance: Option<f64>,
}

/// The epsilon lower bound an identity attack implies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttackEpsilon {
    /// The attack.
    pub attack: String,
    /// Success rate `correct / targets`.
    pub success: f64,
    /// Its one-sided Clopper-Pearson lower bound at `confidence`.
    pub success_lower: f64,
    /// The largest prior mass used (`max(chance, 1/candidates)`).
    pub prior_max: f64,
    /// Candidates.
    pub candidates: f64,
    /// Targets.
    pub targets: u64,
    /// Lower bound on epsilon at `confidence` (>= 0).
    pub epsilon_lower: f64,
    /// The same formula at the observed success rate (may be infinite).
    pub epsilon_point: f64,
    /// The neighbouring relation assumed.
    pub neighbouring: Neighbouring,
    /// Confidence of the bound.
    pub confidence: f64,
    /// The assumptions, in words.
    pub assumptions: String,
}

/// The largest success probability an `eps`-DP mechanism allows (see the
/// module docs): `pi_max n e^(g eps) / (e^(g eps) + n - 1)`, capped at 1.
pub fn max_success(epsilon: f64, candidates: f64, prior_max: f64, group_size: f64) -> f64 {
    let e = (group_size * epsilon).exp();
    if e.is_infinite() {
        return 1.0;
    }
    (prior_max * candidates * e / (e + candidates - 1.0)).min(1.0)
}

/// The smallest epsilon at which [`max_success`] reaches `success`.
fn epsilon_for_success(success: f64, candidates: f64, prior_max: f64, group_size: f64) -> f64 {
    let r = success / (prior_max * candidates);
    if r <= 1.0 / candidates {
        return 0.0;
    }
    if r >= 1.0 {
        return f64::INFINITY;
    }
    ((r * (candidates - 1.0) / (1.0 - r)).ln() / group_size).max(0.0)
}

/// The epsilon lower bound `outcome` implies at `confidence` under
/// `neighbouring` (see the module docs for the model and its assumptions).
pub fn epsilon_from_identity(
    outcome: &IdentityOutcome,
    neighbouring: Neighbouring,
    confidence: f64,
) -> Result<AttackEpsilon, EvalError> {
    if !(outcome.candidates.is_finite() && outcome.candidates >= 2.0) {
        return Err(EvalError::Range {
            name: format!("{}: candidates", outcome.attack),
            value: outcome.candidates.to_string(),
            requirement: "an identity attack needs at least 2 candidates".into(),
        });
    }
    if outcome.targets == 0 {
        return Err(EvalError::NoTrials {
            what: format!("{}: identity attack", outcome.attack),
        });
    }
    if !(outcome.correct.is_finite()
        && outcome.correct >= 0.0
        && outcome.correct <= outcome.targets as f64)
    {
        return Err(EvalError::Range {
            name: format!("{}: correct guesses", outcome.attack),
            value: outcome.correct.to_string(),
            requirement: format!("must lie between 0 and the {} targets", outcome.targets),
        });
    }
    let uniform = 1.0 / outcome.candidates;
    let prior_max = match outcome.chance {
        Some(c) if c.is_finite() && c > uniform && c < 1.0 => c,
        Some(c) if !(c.is_finite() && (0.0..1.0).contains(&c)) => {
            return Err(EvalError::Range {
                name: format!("{}: chance", outcome.attack),
                value: c.to_string(),
                requirement: "must lie in [0, 1)".into(),
            })
        }
        _ => uniform,
    };
    // An expected count over random tie-breaking is rounded down (fewer
    // successes, a smaller bound): the exact binomial bound needs a whole
    // number.
    let whole = if (outcome.correct - outcome.correct.round()).abs() < 1e-6 {
        outcome.correct.round()
    } else {
        outcome.correct.floor()
    };
    let rate = Rate::new(whole, outcome.targets);
    let success = rate.point();
    let success_lower = rate.clopper_pearson_lower(confidence, &outcome.attack)?;
    let g = neighbouring.group_size();
    let n = outcome.candidates;
    let assumptions = format!(
        "the attack names one of {n} candidates for each of {} targets; abstentions count as wrong; prior: largest mass {prior_max:.4} (uniform 1/{n} unless the attack's chance baseline is higher); candidate worlds differ only in the target's data, {} ({} step(s) apart); targets treated as independent trials; one-sided Clopper-Pearson at {}%",
        outcome.targets,
        neighbouring.label(),
        g,
        percent(confidence)
    );
    Ok(AttackEpsilon {
        attack: outcome.attack.clone(),
        success,
        success_lower,
        prior_max,
        candidates: n,
        targets: outcome.targets,
        epsilon_lower: epsilon_for_success(success_lower, n, prior_max, g),
        epsilon_point: epsilon_for_success(success, n, prior_max, g),
        neighbouring,
        confidence,
        assumptions,
    })
}

/// `level` as a percentage with at most 3 decimals and no trailing zeros
/// (0.99444... -> "99.444").
fn percent(level: f64) -> String {
    let s = format!("{:.3}", level * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The bounds of several attacks at a simultaneous `confidence`
/// (Bonferroni: each at `1 - (1 - confidence) / m`), strongest first.
pub fn strongest_attack_epsilon(
    outcomes: &[IdentityOutcome],
    neighbouring: Neighbouring,
    confidence: f64,
) -> Result<Vec<AttackEpsilon>, EvalError> {
    if outcomes.is_empty() {
        return Ok(Vec::new());
    }
    let each = 1.0 - (1.0 - confidence) / outcomes.len() as f64;
    let mut out = outcomes
        .iter()
        .map(|o| epsilon_from_identity(o, neighbouring, each))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by(|a, b| b.epsilon_lower.total_cmp(&a.epsilon_lower));
    Ok(out)
}

/// The bound an attack with `bound`'s observed success rate would imply
/// with `targets` targets instead: `floor(success * targets)` correct guesses
/// among the same candidates under the same prior, at `bound`'s confidence
/// and neighbouring relation. The median outcome of a repeat of the attack
/// at that size, so a prediction, not an observation: it is what the audit's
/// "targets needed to refute" figure and chart are made of.
pub fn bound_at_targets(bound: &AttackEpsilon, targets: u64) -> Result<f64, EvalError> {
    let outcome = IdentityOutcome {
        attack: bound.attack.clone(),
        correct: (bound.success * targets as f64 + 1e-9).floor(),
        targets,
        candidates: bound.candidates,
        chance: Some(bound.prior_max),
    };
    Ok(epsilon_from_identity(&outcome, bound.neighbouring, bound.confidence)?.epsilon_lower)
}

/// Largest number of targets [`targets_to_refute`] searches.
pub const MAX_PLANNED_TARGETS: u64 = 100_000_000;

/// The fewest targets at which an attack with `bound`'s observed success
/// rate would refute a claim of `claimed` epsilon ([`bound_at_targets`]
/// above `claimed`), or `None` when no number of targets would: when the
/// observed rate's own epsilon ([`AttackEpsilon::epsilon_point`]) is at or
/// below the claim, more targets only tighten the interval around a value
/// consistent with it, and the mechanism must not be told it "would be
/// refuted". Found by doubling, then bisection (`eval::search`; the bound grows with the
/// targets but for the rounding of `success * targets`, so the answer can be
/// off by a few targets); `None` as well beyond [`MAX_PLANNED_TARGETS`].
pub fn targets_to_refute(bound: &AttackEpsilon, claimed: f64) -> Result<Option<u64>, EvalError> {
    if !(claimed.is_finite() && claimed >= 0.0) {
        return Err(EvalError::Range {
            name: "claimed epsilon".into(),
            value: claimed.to_string(),
            requirement: "a finite number >= 0".into(),
        });
    }
    if bound.epsilon_point <= claimed {
        return Ok(None);
    }
    super::search::smallest_holding(1, MAX_PLANNED_TARGETS, |n| {
        bound_at_targets(bound, n).map(|e| e > claimed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(correct: f64, targets: u64, n: f64) -> IdentityOutcome {
        IdentityOutcome {
            attack: "test".into(),
            correct,
            targets,
            candidates: n,
            chance: None,
        }
    }

    #[test]
    fn point_bound_inverts_the_uniform_prior_formula() {
        // 10 candidates, half the targets named: e^eps / (e^eps + 9) = 1/2
        // gives e^eps = 9, eps = ln 9 (replace) or ln 9 / 2 (add/remove).
        let r =
            epsilon_from_identity(&outcome(50.0, 100, 10.0), Neighbouring::Replace, 0.95).unwrap();
        assert!((r.epsilon_point - 9f64.ln()).abs() < 1e-12);
        let a = epsilon_from_identity(&outcome(50.0, 100, 10.0), Neighbouring::AddRemove, 0.95)
            .unwrap();
        assert!((a.epsilon_point - 9f64.ln() / 2.0).abs() < 1e-12);
        // The bound plugged back into the formula gives the success lower bound.
        let back = max_success(r.epsilon_lower, 10.0, 0.1, 1.0);
        assert!((back - r.success_lower).abs() < 1e-12);
        assert!(r.assumptions.contains("replace-one"));
    }

    #[test]
    fn all_correct_has_a_closed_form() {
        // 100 of 100 right among 10: s >= 0.05^(1/100) = 0.970487;
        // eps >= ln(9 s / (1 - s)) = ln(295.98) = 5.6903 (replace).
        let r =
            epsilon_from_identity(&outcome(100.0, 100, 10.0), Neighbouring::Replace, 0.95).unwrap();
        let s = 0.05f64.powf(0.01);
        assert!((r.success_lower - s).abs() < 1e-9);
        assert!((r.epsilon_lower - (9.0 * s / (1.0 - s)).ln()).abs() < 1e-9);
        assert!(
            (r.epsilon_lower - 5.6903).abs() < 1e-3,
            "{}",
            r.epsilon_lower
        );
    }

    #[test]
    fn chance_level_success_implies_nothing_and_bad_input_is_an_error() {
        let r =
            epsilon_from_identity(&outcome(10.0, 100, 10.0), Neighbouring::Replace, 0.95).unwrap();
        assert_eq!(r.epsilon_lower, 0.0);
        // A larger chance baseline (imbalanced prior) weakens the bound.
        let mut o = outcome(50.0, 100, 10.0);
        let uniform = epsilon_from_identity(&o, Neighbouring::Replace, 0.95).unwrap();
        o.chance = Some(0.3);
        let skewed = epsilon_from_identity(&o, Neighbouring::Replace, 0.95).unwrap();
        assert!(skewed.epsilon_lower < uniform.epsilon_lower);
        assert!(
            epsilon_from_identity(&outcome(1.0, 0, 10.0), Neighbouring::Replace, 0.95).is_err()
        );
        assert!(epsilon_from_identity(&outcome(1.0, 5, 1.0), Neighbouring::Replace, 0.95).is_err());
        assert!(epsilon_from_identity(&outcome(6.0, 5, 3.0), Neighbouring::Replace, 0.95).is_err());
    }

    #[test]
    fn bound_at_the_observed_size_is_the_observed_bound_and_targets_to_refute_is_tight() {
        let b =
            epsilon_from_identity(&outcome(50.0, 100, 10.0), Neighbouring::Replace, 0.95).unwrap();
        assert_eq!(bound_at_targets(&b, 100).unwrap(), b.epsilon_lower);
        // The point epsilon is ln 9 = 2.197: a claim of 2.5 can never be
        // refuted at this success rate, however many targets.
        assert_eq!(targets_to_refute(&b, 2.5).unwrap(), None);
        // A claim of 1.0: 100 targets already refute it (the observed lower
        // bound is above 1), so the answer is at most 100, and one target
        // fewer than the answer does not refute it.
        assert!(b.epsilon_lower > 1.0, "{}", b.epsilon_lower);
        let n = targets_to_refute(&b, 1.0).unwrap().unwrap();
        assert!(n <= 100, "{n}");
        assert!(bound_at_targets(&b, n).unwrap() > 1.0);
        assert!(bound_at_targets(&b, n - 1).unwrap() <= 1.0);
        // Closer to the point value, more targets are needed.
        let m = targets_to_refute(&b, 2.0).unwrap().unwrap();
        assert!(m > 100, "{m}");
        assert!(bound_at_targets(&b, m).unwrap() > 2.0);
        assert!(targets_to_refute(&b, f64::NAN).is_err());
    }
}
