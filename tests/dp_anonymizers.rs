//! The reference anonymizers as audit mechanisms: the adapter releases exactly
//! what the anonymizer writes for the same seed (the configured seed is
//! ignored), and black-box audits of them behave like audits of the built-in
//! mechanisms: randomized response that uses eps = 4 while claiming 1 is
//! refuted, truthful eps = 1 is not, and a data-derived domain (which the
//! anonymizer's documentation warns reveals which values occur) is refuted
//! even at an honest epsilon. Trial counts are modest for debug builds.

use reident::anonymize::noise::{
    add_noise, dp_histogram, GaussianCalibration, HistogramConfig, NoiseConfig, NoiseMechanism,
};
use reident::anonymize::randomized_response::{
    randomized_response, DeclaredDomain, RandomizedResponseConfig,
};
use reident::anonymize::{AnonymizerMechanism, CellCount};
use reident::data::{CategoricalColumn, EncodedTable};
use reident::dp::{run_trials, Distinguisher, Mechanism, ValueCount};
use reident::eval::epsilon::Verdict;
use reident::eval::{bound_audit, AuditConfig, AuditResult, Claim, ThresholdSelection};

/// Runs the mechanism (`dp`) and bounds epsilon from its trials (`eval`), as
/// the CLI does.
fn audit_mechanism(
    mech: &dyn Mechanism,
    d: &EncodedTable,
    d1: &EncodedTable,
    dist: &dyn Distinguisher,
    cfg: &AuditConfig,
    claim: Option<Claim>,
    progress: &(dyn Fn() + Sync),
) -> Result<AuditResult, String> {
    let trials =
        run_trials(mech, d, d1, dist, cfg.trials, cfg.seed, progress).map_err(|e| e.to_string())?;
    bound_audit(&trials, cfg, claim).map_err(|e| e.to_string())
}

/// Eight rows: a numeric column `x` and a categorical column `c`.
fn sample_table() -> EncodedTable {
    let x = ["3", "7.5", "0", "10", "12", "-1", "4", "4"];
    let c = ["a", "b", "a", "c", "b", "a", "a", "c"];
    EncodedTable::from_rows(
        "sample",
        &["x".into(), "c".into()],
        &x.iter()
            .zip(c)
            .map(|(x, c)| vec![x.to_string(), c.to_string()])
            .collect::<Vec<_>>(),
    )
    .unwrap()
}

/// Every row of `t` as its cells.
fn rows(t: &EncodedTable) -> Vec<Vec<&str>> {
    (0..t.n_rows).map(|r| t.row(r)).collect()
}

/// The same table encoded directly, independently of the adapter.
fn sample_encoded() -> EncodedTable {
    let t = sample_table();
    let col = |i: usize| {
        rows(&t)
            .iter()
            .map(|r| r[i].to_string())
            .collect::<Vec<_>>()
    };
    EncodedTable::new(
        "direct",
        vec![
            CategoricalColumn::from_strs("x", &col(0)),
            CategoricalColumn::from_strs("c", &col(1)),
        ],
    )
}

/// CSV bytes of a release as the anonymizer's own writer produces them.
fn release_bytes(release: &EncodedTable) -> Vec<u8> {
    let mut bytes = Vec::new();
    release.write_csv(&mut bytes, b',').unwrap();
    bytes
}

fn noise_config(mechanism: NoiseMechanism, seed: u64) -> NoiseConfig {
    NoiseConfig {
        columns: vec!["x".into()],
        mechanism,
        epsilon: 0.5,
        sensitivity: 10.0,
        lower: 0.0,
        upper: 10.0,
        seed,
        decimals: None,
    }
}

fn rr_config(seed: u64) -> RandomizedResponseConfig {
    RandomizedResponseConfig {
        columns: vec!["c".into()],
        epsilon: 1.0,
        seed,
        domains: vec![DeclaredDomain {
            column: "c".into(),
            values: vec!["a".into(), "b".into(), "c".into(), "d".into()],
        }],
    }
}

fn histogram_config(seed: u64) -> HistogramConfig {
    HistogramConfig {
        by: vec!["c".into()],
        epsilon: 1.0,
        seed,
        round: false,
        clamp_at_zero: false,
        include_empty_cells: false,
        count_column: "count".into(),
        true_count_column: Some("true_count".into()),
    }
}

/// Asserts the adapter (configured with seed 999) releasing at `seed` equals
/// the direct call at `seed`, byte for byte, and differs from seed + 1.
fn assert_adapter_matches(mech: &AnonymizerMechanism, direct: &EncodedTable, seed: u64) {
    let via_adapter = mech.release(&sample_table(), seed).unwrap();
    // The same table value (only the source label differs).
    assert_eq!(via_adapter.columns, direct.columns, "{}", mech.describe());
    assert_eq!(release_bytes(&via_adapter), release_bytes(direct));
    let other = mech.release(&sample_table(), seed + 1).unwrap();
    assert_ne!(other, via_adapter, "the trial seed must drive the noise");
}

#[test]
fn adapter_releases_what_the_laplace_and_gaussian_anonymizers_write() {
    let seed = 17;
    for mechanism in [
        NoiseMechanism::Laplace,
        NoiseMechanism::Gaussian {
            delta: 1e-5,
            calibration: GaussianCalibration::Analytic,
        },
    ] {
        let direct = add_noise(&sample_encoded(), &noise_config(mechanism, seed))
            .unwrap()
            .release;
        let mech = AnonymizerMechanism::Noise(noise_config(mechanism, 999));
        assert_adapter_matches(&mech, &direct, seed);
        // Column `c` passes through unchanged; `x` is noised on every row.
        let t = mech.release(&sample_table(), seed).unwrap();
        assert_eq!(t.column_names(), vec!["x", "c"]);
        let original = sample_table();
        for (r, o) in rows(&t).iter().zip(&rows(&original)) {
            assert_eq!(r[1], o[1]);
            assert_ne!(r[0], o[0]);
        }
    }
}

#[test]
fn adapter_releases_what_randomized_response_and_the_histogram_write() {
    let seed = 5;
    let direct = randomized_response(&sample_encoded(), &rr_config(seed))
        .unwrap()
        .release;
    let rr = AnonymizerMechanism::RandomizedResponse(rr_config(999));
    assert_adapter_matches(&rr, &direct, seed);

    let direct = dp_histogram(&sample_encoded(), &histogram_config(seed))
        .unwrap()
        .release;
    let hist = AnonymizerMechanism::Histogram(histogram_config(999));
    assert_adapter_matches(&hist, &direct, seed);
    // Observed cells in first-appearance order with their true counts:
    // a appears in rows 1, 3, 6, 7 (4), b in rows 2, 5 (2), c in rows 4, 8 (2).
    let t = hist.release(&sample_table(), seed).unwrap();
    assert_eq!(t.column_names(), vec!["c", "count", "true_count"]);
    let cells: Vec<(&str, &str)> = rows(&t).iter().map(|r| (r[0], r[2])).collect();
    assert_eq!(cells, vec![("a", "4"), ("b", "2"), ("c", "2")]);
}

#[test]
fn anonymizer_errors_reach_the_audit_caller_with_the_mechanism_name() {
    let mech = AnonymizerMechanism::Noise(noise_config(NoiseMechanism::Laplace, 0));
    // `two` is not a number.
    let t = EncodedTable::single_column("x", &["1", "two"]);
    let err = mech.release(&t, 0).unwrap_err().to_string();
    assert!(err.contains("anonymize-laplace"), "{err}");
    assert!(err.contains("two") && err.contains("row 2"), "{err}");
}

fn config(trials: usize, seed: u64) -> AuditConfig {
    AuditConfig {
        trials,
        seed,
        delta: 0.0,
        confidence: 0.95,
        selection: ThresholdSelection::HeldOut {
            fraction: 0.5,
            seed,
        },
    }
}

/// D = {a}, D' = {b} (one row replaced); 2-ary randomized response.
fn rr_audit(epsilon: f64, declared: bool, seed: u64, claim: f64) -> AuditResult {
    let d = EncodedTable::single_column("c", &["a"]);
    let d1 = EncodedTable::single_column("c", &["b"]);
    let mech = AnonymizerMechanism::RandomizedResponse(RandomizedResponseConfig {
        columns: vec!["c".into()],
        epsilon,
        seed: 0,
        domains: if declared {
            vec![DeclaredDomain {
                column: "c".into(),
                values: vec!["a".into(), "b".into()],
            }]
        } else {
            Vec::new()
        },
    });
    let dist = ValueCount {
        column: "c".into(),
        value: "b".into(),
    };
    let claim = Claim {
        epsilon: claim,
        delta: 0.0,
    };
    audit_mechanism(
        &mech,
        &d,
        &d1,
        &dist,
        &config(2000, seed),
        Some(claim),
        &|| {},
    )
    .unwrap()
}

#[test]
fn randomized_response_using_eps_4_while_claiming_1_is_refuted() {
    // keep = e^4 / (e^4 + 1) = 0.982: about 9 of the 500 evaluation trials
    // per side err (2000 trials, half held out to choose the threshold), so
    // the bound lies near ln(0.966 / 0.034) = 3.3 > 1.
    for seed in 0..3 {
        let r = rr_audit(4.0, true, seed, 1.0);
        let check = r.claim.unwrap();
        assert_eq!(check.verdict, Verdict::Refuted, "seed {seed}");
        assert!(
            r.bound.epsilon_lower > 1.0 && r.bound.epsilon_lower <= 4.0,
            "seed {seed}: {}",
            r.bound.epsilon_lower
        );
        assert!(r.mechanism.contains("anonymize-rr"), "{}", r.mechanism);
    }
}

#[test]
fn truthful_randomized_response_is_not_refuted() {
    // eps = 1: error rates 1 / (1 + e) = 0.269 on each side; a valid bound
    // never exceeds the true epsilon 1.
    for seed in 0..3 {
        let r = rr_audit(1.0, true, seed, 1.0);
        assert_eq!(r.claim.unwrap().verdict, Verdict::NotRefuted, "seed {seed}");
        assert!(r.bound.epsilon_lower <= 1.0, "{}", r.bound.epsilon_lower);
        assert!(r.bound.epsilon_lower > 0.5, "{}", r.bound.epsilon_lower);
    }
}

#[test]
fn randomized_response_with_an_observed_domain_is_refuted_at_honest_epsilon() {
    // Without a declared domain, D's domain is {a} and D''s is {b}: k = 1,
    // so every release equals its input and the distinguisher never errs.
    // With 500 evaluation trials per side and no errors, the one-sided
    // Clopper-Pearson 97.5% upper bound on each error rate is
    // u = 1 - 0.025^(1/500) = 0.007351, so epsilon >= ln((1 - u) / u) = 4.91.
    let r = rr_audit(1.0, false, 0, 1.0);
    assert_eq!(r.claim.unwrap().verdict, Verdict::Refuted);
    let u = 1.0 - 0.025f64.powf(1.0 / 500.0);
    assert!(
        (r.bound.epsilon_lower - ((1.0 - u) / u).ln()).abs() < 1e-6,
        "{}",
        r.bound.epsilon_lower
    );
}

#[test]
fn histogram_of_observed_cells_leaks_the_targets_cell() {
    // D has no row with c = t; D' adds one. Releasing observed cells only
    // omits t's cell from every release of D (score -inf) and always shows it
    // for D': the histogram's epsilon = 1 claim is refuted by presence alone.
    let d = EncodedTable::single_column("c", &["a", "a", "b"]);
    let d1 = EncodedTable::single_column("c", &["a", "a", "b", "t"]);
    let mut cfg = histogram_config(0);
    cfg.true_count_column = None;
    let hist = AnonymizerMechanism::Histogram(cfg.clone());
    let dist = CellCount {
        key_column: "c".into(),
        key_value: "t".into(),
        count_column: "count".into(),
    };
    let claim = Claim {
        epsilon: 1.0,
        delta: 0.0,
    };
    let r = audit_mechanism(&hist, &d, &d1, &dist, &config(400, 2), Some(claim), &|| {}).unwrap();
    assert_eq!(r.claim.as_ref().unwrap().verdict, Verdict::Refuted);
    // 100 evaluation trials per side. With no errors the bound would be
    // ln((1 - u) / u), u = 1 - 0.025^(1/100) = 0.0362, i.e. 3.28, its largest
    // possible value. The threshold is chosen on the held-out half among the
    // noisy counts of D', so a few evaluation releases of D' may fall below
    // it (false negatives); a release of D never shows the cell, so there is
    // never a false positive.
    assert_eq!(r.bound.counts.false_positives, 0);
    assert_eq!(r.bound.counts.negatives, 100);
    let u = 1.0 - 0.025f64.powf(1.0 / 100.0);
    let best = ((1.0 - u) / u).ln();
    assert!(
        r.bound.epsilon_lower > 3.0 && r.bound.epsilon_lower <= best + 1e-9,
        "{} (best {best})",
        r.bound.epsilon_lower
    );
    // The score is the released count of the cell when present.
    let release = hist.release(&d1, 3).unwrap();
    let score = reident::dp::Distinguisher::score(&dist, &release).unwrap();
    let row = rows(&release).into_iter().find(|r| r[0] == "t").unwrap();
    assert_eq!(score, row[1].parse::<f64>().unwrap());
}
