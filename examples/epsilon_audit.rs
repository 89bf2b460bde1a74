//! Black-box epsilon audit of a mechanism that claims epsilon = 1: a correct
//! Laplace mechanism and a buggy one.
//!
//! Both release the sum of a column clamped to [0, 10] plus Laplace noise. The
//! sensitivity of that sum under add/remove-one neighbours is 10, so the
//! correct mechanism ([`LaplaceSum`], Dwork et al. 2006) draws noise of scale
//! 10 / epsilon. The buggy one calibrates the noise as if the query were a
//! count (sensitivity 1, scale 1 / epsilon): its real epsilon is 10, not 1.
//!
//! The audit (Jagielski, Ullman & Oprea 2020; Nasr et al. 2021) runs each
//! mechanism on two neighbouring datasets, D (100 rows) and D' (D plus a
//! target row at the clamp bound 10), scores every release by its value (a
//! larger sum says "the target is in"), and turns the error rates of the best
//! threshold into a lower bound on epsilon with one-sided Clopper-Pearson
//! intervals at 95% confidence (`eval::epsilon_lower_bound`, threshold chosen
//! on a held-out half of the trials). A claim is refuted only when that lower
//! bound exceeds it. The table shows the bound against the number of trials:
//! for the correct mechanism it creeps up towards its true epsilon 1 and stays
//! below it (the bound exceeds the true epsilon with probability at most 5%);
//! for the buggy one it passes the claim within a few hundred trials. (For
//! the correct mechanism every threshold at or below the mean of D's sum
//! (495) is an exactly epsilon-1 test, so the epsilon at the observed error
//! rates hovers around 1; only the lower bound, which accounts for sampling
//! error, can refute a claim.) Charts of both are written to
//! `reident-examples/` in the system temp directory. Seeded: every run prints
//! the same numbers.
//!
//! Run with `cargo run --example epsilon_audit`.

use reident::data::EncodedTable;
use reident::dp::{run_trials, DpError, LaplaceSum, Mechanism, NumericCell};
use reident::eval::epsilon::Verdict;
use reident::eval::{bound_audit, AuditConfig, AuditResult, Claim, ThresholdSelection};
use reident::report::charts::epsilon_lower_bound_vs_trials;

const CLAIMED_EPSILON: f64 = 1.0;
const TRIALS: [usize; 5] = [200, 800, 3_200, 12_800, 51_200];
const SEED: u64 = 7;

/// The bug under audit: the Laplace sum with its noise calibrated to
/// sensitivity 1 instead of `max(|lower|, |upper|)`. It delegates to
/// [`LaplaceSum`] with the epsilon that gives the buggy scale
/// `1 / claimed epsilon`.
struct CountSensitivityLaplaceSum {
    correct: LaplaceSum,
}

impl Mechanism for CountSensitivityLaplaceSum {
    fn describe(&self) -> String {
        format!(
            "{} (bug: noise scale 1/epsilon, as for a count)",
            self.correct.describe()
        )
    }

    fn release(&self, input: &EncodedTable, seed: u64) -> Result<EncodedTable, DpError> {
        let buggy = LaplaceSum {
            epsilon: self.correct.epsilon * self.correct.sensitivity(),
            ..self.correct.clone()
        };
        buggy.release(input, seed)
    }
}

fn audit(
    mechanism: &dyn Mechanism,
    without: &EncodedTable,
    with_target: &EncodedTable,
    trials: usize,
) -> Result<AuditResult, Box<dyn std::error::Error>> {
    let config = AuditConfig {
        trials,
        seed: SEED,
        delta: 0.0,
        confidence: 0.95,
        selection: ThresholdSelection::default(),
    };
    // `dp` runs the mechanism; `eval` turns the scored runs into the bound.
    let runs = run_trials(
        mechanism,
        without,
        with_target,
        &NumericCell {
            column: "value".into(),
            row: 0,
        },
        config.trials,
        config.seed,
        &|| {},
    )?;
    let claim = Claim {
        epsilon: CLAIMED_EPSILON,
        delta: 0.0,
    };
    Ok(bound_audit(&runs, &config, Some(claim))?)
}

fn verdict(result: &AuditResult) -> &'static str {
    match result.claim.as_ref().map(|c| c.verdict) {
        Some(Verdict::Refuted) => "REFUTED",
        Some(Verdict::NotRefuted) => "not refuted",
        None => "-",
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // D: 100 values 0.0, 0.1, ..., 9.9; D': D plus the target at the bound 10.
    let values: Vec<String> = (0..100)
        .map(|i| format!("{:.1}", i as f64 / 10.0))
        .collect();
    let without = EncodedTable::single_column("value", &values);
    let mut with_values = values.clone();
    with_values.push("10".to_string());
    let with_target = EncodedTable::single_column("value", &with_values);

    let correct = LaplaceSum {
        column: "value".into(),
        lower: 0.0,
        upper: 10.0,
        epsilon: CLAIMED_EPSILON,
    };
    let buggy = CountSensitivityLaplaceSum {
        correct: correct.clone(),
    };
    println!("claim: epsilon = {CLAIMED_EPSILON}, delta = 0, for both mechanisms");
    println!("correct: {}", correct.describe());
    println!("buggy:   {}", buggy.describe());
    println!("bounds: 95% confidence, threshold chosen on half the trials\n");
    println!(
        "{:>7}   {:>11} {:>12}   {:>11} {:>12}",
        "trials", "correct", "", "buggy", ""
    );
    println!(
        "{:>7}   {:>11} {:>12}   {:>11} {:>12}",
        "", "eps >=", "verdict", "eps >=", "verdict"
    );
    let (mut correct_curve, mut buggy_curve) = (Vec::new(), Vec::new());
    let mut last = None;
    for trials in TRIALS {
        let c = audit(&correct, &without, &with_target, trials)?;
        let b = audit(&buggy, &without, &with_target, trials)?;
        println!(
            "{:>7}   {:>11.3} {:>12}   {:>11.3} {:>12}",
            trials,
            c.bound.epsilon_lower,
            verdict(&c),
            b.bound.epsilon_lower,
            verdict(&b)
        );
        correct_curve.push((trials as u64, c.bound.epsilon_lower));
        buggy_curve.push((trials as u64, b.bound.epsilon_lower));
        last = Some((c, b));
    }
    let (c, b) = last.ok_or("no trials")?;
    println!();
    for (name, result) in [("correct", &c), ("buggy", &b)] {
        let (bound, counts) = (&result.bound, result.bound.counts);
        println!(
            "{name:>7} at {} trials, threshold {:.1}: FPR {}/{}, FNR {}/{} on the evaluation half;\n\
             {:>7} epsilon at the observed rates {:.3}, 95% lower bound {:.3}",
            bound.n_trials,
            bound.threshold,
            counts.false_positives,
            counts.negatives,
            counts.false_negatives,
            counts.positives,
            "",
            bound.epsilon_point,
            bound.epsilon_lower,
        );
    }
    // The bound is valid at 95%: a correct epsilon-1 mechanism stays below it.
    assert!(correct_curve.iter().all(|&(_, e)| e <= CLAIMED_EPSILON));
    assert!(b.bound.epsilon_lower > CLAIMED_EPSILON);

    println!();
    let out = std::env::temp_dir().join("reident-examples");
    std::fs::create_dir_all(&out)?;
    for (name, curve) in [("correct", &correct_curve), ("buggy", &buggy_curve)] {
        let chart = epsilon_lower_bound_vs_trials(curve, Some(CLAIMED_EPSILON))?;
        let path = out.join(format!("epsilon_vs_trials_{name}.svg"));
        std::fs::write(&path, chart.svg)?;
        println!("chart ({name}): {}", path.display());
    }
    Ok(())
}
