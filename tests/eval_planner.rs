//! The planner's predicted trial counts against simulations of the actual
//! audit: `crate::dp::run_trials` on a Laplace or Gaussian sum, bounded by
//! `eval::bound_audit` with held-out threshold selection, many seeds. The
//! plan's rule (module docs of `reident::eval::planner`) says an audit at the
//! planned size refutes about half the time; so the refutation rate must be
//! below one half at 80% of the plan and at least one half at 120% of it.
//! The fast tests use 40 seeds per size (about a minute in a debug build);
//! the ignored one uses 200.

use reident::data::EncodedTable;
use reident::dp::{run_trials, GaussianSum, LaplaceSum, Mechanism, NumericCell};
use reident::eval::epsilon::Verdict;
use reident::eval::planner::{plan_trials, PlanRequest, PlannedMechanism, PlannedSelection};
use reident::eval::{bound_audit, AuditConfig, Claim, ThresholdSelection};

/// D: ten records of 0.5; D': the same plus a target of 1 (sensitivity 1).
fn sum_datasets() -> (EncodedTable, EncodedTable) {
    let d: Vec<&str> = vec!["0.5"; 10];
    let mut d1 = d.clone();
    d1.push("1");
    (
        EncodedTable::single_column("x", &d),
        EncodedTable::single_column("x", &d1),
    )
}

/// Share of `seeds` audits of `trials` trials that refute `claim`.
fn refutation_rate(mech: &dyn Mechanism, claim: Claim, trials: u64, seeds: u64) -> f64 {
    let (d, d1) = sum_datasets();
    let dist = NumericCell {
        column: "x".into(),
        row: 0,
    };
    let mut refuted = 0;
    for seed in 0..seeds {
        let seed = 1000 + seed;
        let cfg = AuditConfig {
            trials: trials as usize,
            seed,
            delta: claim.delta,
            confidence: 0.95,
            selection: ThresholdSelection::HeldOut {
                fraction: 0.5,
                seed,
            },
        };
        let t = run_trials(mech, &d, &d1, &dist, cfg.trials, seed, &|| {}).unwrap();
        let r = bound_audit(&t, &cfg, Some(claim)).unwrap();
        if r.claim.unwrap().verdict == Verdict::Refuted {
            refuted += 1;
        }
    }
    refuted as f64 / seeds as f64
}

fn plan(mechanism: PlannedMechanism, claimed: f64, delta: f64, truth: f64) -> u64 {
    plan_trials(&PlanRequest {
        claimed_epsilon: claimed,
        claimed_delta: delta,
        true_epsilon: truth,
        mechanism,
        confidence: 0.95,
        selection: PlannedSelection::HeldOut { fraction: 0.5 },
    })
    .unwrap()
    .trials
    .unwrap()
}

fn check(mech: &dyn Mechanism, claim: Claim, n: u64, seeds: u64) -> f64 {
    let at = |f: f64| {
        let trials = ((n as f64 * f / 2.0).round() as u64) * 2;
        refutation_rate(mech, claim, trials, seeds)
    };
    let (low, mid, high) = (at(0.8), at(1.0), at(1.2));
    eprintln!("plan {n}: refuted at 0.8n {low}, n {mid}, 1.2n {high}");
    assert!(low < 0.5, "0.8 n: {low}");
    assert!(high >= 0.5, "1.2 n: {high}");
    assert!(low <= mid + 0.1 && mid <= high + 0.1, "{low} {mid} {high}");
    mid
}

fn laplace(epsilon: f64) -> LaplaceSum {
    LaplaceSum {
        column: "x".into(),
        lower: 0.0,
        upper: 1.0,
        epsilon,
    }
}

fn gaussian(epsilon: f64) -> GaussianSum {
    GaussianSum {
        column: "x".into(),
        lower: 0.0,
        upper: 1.0,
        epsilon,
        delta: 1e-5,
    }
}

#[test]
fn laplace_plan_matches_simulated_audits_within_20_percent() {
    // Laplace at eps = 3 against a claim of 1: plan 104 trials (measured
    // with 60 seeds: refuted in 28% at 0.8 n, 47% at n, 60% at 1.2 n).
    let n = plan(PlannedMechanism::Laplace, 1.0, 0.0, 3.0);
    assert!((80..=130).contains(&n), "{n}");
    let claim = Claim {
        epsilon: 1.0,
        delta: 0.0,
    };
    check(&laplace(3.0), claim, n, 40);
}

#[test]
fn gaussian_plan_matches_simulated_audits_within_20_percent() {
    // Gaussian at (3, 1e-5) against a claim of (0.5, 1e-5): plan 1496
    // trials (60 seeds: 33% at 0.8 n, 63% at n, 77% at 1.2 n).
    let n = plan(PlannedMechanism::Gaussian { delta: 1e-5 }, 0.5, 1e-5, 3.0);
    assert!((1200..=1800).contains(&n), "{n}");
    let claim = Claim {
        epsilon: 0.5,
        delta: 1e-5,
    };
    check(&gaussian(3.0), claim, n, 40);
}

#[test]
#[ignore = "heavy: 200 seeds x 3 sizes x 2 mechanisms; run with --ignored"]
fn heavy_plans_hit_one_half_at_the_planned_size() {
    for (mech, claim, n) in [
        (
            Box::new(laplace(2.0)) as Box<dyn Mechanism>,
            Claim {
                epsilon: 1.0,
                delta: 0.0,
            },
            plan(PlannedMechanism::Laplace, 1.0, 0.0, 2.0),
        ),
        (
            Box::new(gaussian(3.0)),
            Claim {
                epsilon: 1.0,
                delta: 1e-5,
            },
            plan(PlannedMechanism::Gaussian { delta: 1e-5 }, 1.0, 1e-5, 3.0),
        ),
    ] {
        let mid = check(mech.as_ref(), claim, n, 200);
        assert!((0.35..=0.65).contains(&mid), "plan {n}: {mid}");
    }
}
