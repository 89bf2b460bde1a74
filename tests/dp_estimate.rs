//! Epsilon estimation from paired data on reference mechanisms with known
//! epsilon: interval coverage over 200 seeded repetitions, clamping and
//! rounding detection, aggregates, and clear errors for bad input.
//!
//! Coverage: an exact 95% interval misses in Binomial(200, 0.05) of 200
//! repetitions, so ">= 95% coverage" at nominal 95% would fail about 4 runs in
//! 10 even for a perfect interval. The tests therefore require nominal 99%
//! intervals to cover in at least 95% of repetitions (a correct interval fails
//! this with probability P(Bin(200, 0.01) > 10) < 1e-4) and nominal 95%
//! intervals in at least 90% (P(Bin(200, 0.05) > 20) ~ 0.001).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use reident::dp::gaussian::gaussian_sigma;
use reident::dp::{
    aggregate_pairs, fit_aggregate_noise, fit_paired_noise, parse_numeric, Aggregate, DpError,
    NoiseFitOptions, SensitivitySource,
};
use reident::eval::channel::estimate_channel;

const REPS: u64 = 200;

/// Laplace(0, b) by the inverse CDF.
fn laplace(rng: &mut ChaCha8Rng, b: f64) -> f64 {
    let u: f64 = rng.gen::<f64>() - 0.5;
    -b * u.signum() * (1.0 - 2.0 * u.abs()).ln()
}

fn originals(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.gen_range(0.0..100.0)).collect()
}

fn coverage<F: Fn(u64, f64) -> bool>(covers: F) -> (usize, usize) {
    let c99 = (0..REPS).filter(|&s| covers(s, 0.99)).count();
    let c95 = (0..REPS).filter(|&s| covers(s, 0.95)).count();
    (c99, c95)
}

#[test]
fn laplace_epsilon_interval_covers_truth() {
    // Laplace mechanism per record, sensitivity 10 declared, eps = 2: b = 5.
    let (c99, c95) = coverage(|seed, conf| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let o = originals(&mut rng, 300);
        let r: Vec<f64> = o.iter().map(|x| x + laplace(&mut rng, 5.0)).collect();
        let opts = NoiseFitOptions {
            confidence: conf,
            sensitivity: Some(10.0),
            ..Default::default()
        };
        let fit = fit_paired_noise(&o, &r, &opts).unwrap();
        assert!(fit.clamping.is_none() && fit.rounding.is_none());
        // Not vacuous: the exact interval has relative width about
        // 2 z / sqrt(n) = 2 * 2.58 / sqrt(300) = 0.30 at 99%.
        let e = fit.laplace.epsilon;
        assert!((e.upper - e.lower) / e.point < 0.35, "{e:?}");
        e.covers(2.0)
    });
    assert!(c99 >= 190, "99% intervals covered {c99}/200");
    assert!(c95 >= 180, "95% intervals covered {c95}/200");
}

#[test]
fn gaussian_epsilon_interval_covers_truth() {
    // Analytic Gaussian mechanism, eps = 1, delta = 1e-5, sensitivity 10.
    let sigma = gaussian_sigma(1.0, 1e-5, 10.0).unwrap();
    let (c99, c95) = coverage(|seed, conf| {
        let mut rng = ChaCha8Rng::seed_from_u64(1000 + seed);
        let noise = Normal::new(0.0, sigma).unwrap();
        let o = originals(&mut rng, 300);
        let r: Vec<f64> = o.iter().map(|x| x + noise.sample(&mut rng)).collect();
        let opts = NoiseFitOptions {
            confidence: conf,
            sensitivity: Some(10.0),
            delta: 1e-5,
            ..Default::default()
        };
        let fit = fit_paired_noise(&o, &r, &opts).unwrap();
        let e = fit.gaussian.epsilon;
        assert!(e.upper - e.lower < 0.5, "{e:?}");
        e.covers(1.0)
    });
    assert!(c99 >= 190, "99% intervals covered {c99}/200");
    assert!(c95 >= 180, "95% intervals covered {c95}/200");
}

#[test]
fn laplace_data_prefers_laplace_and_gaussian_prefers_gaussian() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let o = originals(&mut rng, 2000);
    let lap: Vec<f64> = o.iter().map(|x| x + laplace(&mut rng, 2.0)).collect();
    let noise = Normal::new(0.0, 2.0).unwrap();
    let gau: Vec<f64> = o.iter().map(|x| x + noise.sample(&mut rng)).collect();
    let opts = NoiseFitOptions::default();
    let a = fit_paired_noise(&o, &lap, &opts).unwrap();
    let b = fit_paired_noise(&o, &gau, &opts).unwrap();
    assert_eq!(a.better_fit, reident::dp::estimate::NoiseFamily::Laplace);
    assert_eq!(b.better_fit, reident::dp::estimate::NoiseFamily::Gaussian);
    // No sensitivity declared: the observed range of originals is used.
    assert_eq!(a.sensitivity.source, SensitivitySource::ObservedRange);
}

#[test]
fn krr_epsilon_interval_covers_truth() {
    // 3-ary randomized response with eps = 1: keep = e / (e + 2) = 0.5761.
    let cats = ["a", "b", "c"];
    let keep = 1f64.exp() / (1f64.exp() + 2.0);
    let (c99, c95) = coverage(|seed, conf| {
        let mut rng = ChaCha8Rng::seed_from_u64(2000 + seed);
        let o: Vec<&str> = (0..600).map(|i| cats[i % 3]).collect();
        let r: Vec<&str> = o
            .iter()
            .map(|&v| {
                let t = cats.iter().position(|&c| c == v).unwrap();
                if rng.gen::<f64>() < keep {
                    v
                } else {
                    let mut other = rng.gen_range(0..2);
                    if other >= t {
                        other += 1;
                    }
                    cats[other]
                }
            })
            .collect();
        let ch = estimate_channel(&o, &r, conf).unwrap();
        let krr = ch.krr.as_ref().unwrap();
        assert_eq!(krr.k, 3);
        assert!(
            krr.epsilon.upper - krr.epsilon.lower < 0.7,
            "{:?}",
            krr.epsilon
        );
        assert!(ch.epsilon.upper.is_finite(), "{:?}", ch.epsilon);
        // The channel's simultaneous interval (Bonferroni over 9 cells) must
        // cover too; it is wider, so count it as part of the same event.
        krr.epsilon.covers(1.0) && ch.epsilon.covers(1.0)
    });
    assert!(c99 >= 190, "99% intervals covered {c99}/200");
    assert!(c95 >= 180, "95% intervals covered {c95}/200");
}

#[test]
fn noisy_counts_by_group_cover_truth() {
    // 40 groups, counts released with Laplace(1 / eps) noise, eps = 0.5.
    let (c99, c95) = coverage(|seed, conf| {
        let mut rng = ChaCha8Rng::seed_from_u64(3000 + seed);
        let ids: Vec<usize> = (0..4000).map(|_| rng.gen_range(0..40)).collect();
        let keys: Vec<String> = ids.iter().map(|g| format!("g{g}")).collect();
        let groups: Vec<String> = (0..40).map(|g| format!("g{g}")).collect();
        let mut truth = vec![0.0; 40];
        for &g in &ids {
            truth[g] += 1.0;
        }
        let released: Vec<f64> = truth.iter().map(|t| t + laplace(&mut rng, 2.0)).collect();
        let pairs = aggregate_pairs(Aggregate::Count, &keys, None, &groups, &released).unwrap();
        assert_eq!(pairs.original, truth);
        let opts = NoiseFitOptions {
            confidence: conf,
            ..Default::default()
        };
        let fit = fit_aggregate_noise(&pairs, None, &opts).unwrap();
        assert_eq!(fit.fit.sensitivity.source, SensitivitySource::Count);
        fit.fit.laplace.epsilon.covers(0.5)
    });
    assert!(c99 >= 190, "99% intervals covered {c99}/200");
    assert!(c95 >= 180, "95% intervals covered {c95}/200");
}

#[test]
fn noisy_sums_use_max_abs_sensitivity() {
    // Sums of values in [0, 4] by group with Laplace(4 / 2) noise: eps = 2.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let keys: Vec<String> = (0..3000).map(|i| format!("g{}", i % 300)).collect();
    let mut values: Vec<f64> = (0..3000).map(|_| rng.gen_range(0.0..4.0)).collect();
    values[0] = 4.0;
    let groups: Vec<String> = (0..300).map(|g| format!("g{g}")).collect();
    let released: Vec<f64> = groups
        .iter()
        .enumerate()
        .map(|(g, _)| {
            let s: f64 = (0..3000).filter(|i| i % 300 == g).map(|i| values[i]).sum();
            s + laplace(&mut rng, 2.0)
        })
        .collect();
    let pairs = aggregate_pairs(Aggregate::Sum, &keys, Some(&values), &groups, &released).unwrap();
    let fit = fit_aggregate_noise(&pairs, Some(&values), &NoiseFitOptions::default()).unwrap();
    assert_eq!(fit.fit.sensitivity.value, 4.0);
    assert_eq!(fit.fit.sensitivity.source, SensitivitySource::MaxAbsValue);
    assert!(
        fit.fit.laplace.epsilon.covers(2.0),
        "{:?}",
        fit.fit.laplace.epsilon
    );
}

#[test]
fn clamped_and_rounded_release_is_detected_and_fitted() {
    // Values in [0, 10], Laplace(1) noise (eps = 10 for range 10), output
    // rounded to 0.1 and clamped to [0, 10]: rows at the bounds are censored
    // and left out; the clamp range becomes the sensitivity.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let o: Vec<f64> = (0..3000).map(|_| rng.gen_range(0.0..10.0)).collect();
    let r: Vec<f64> = o
        .iter()
        .map(|x| ((x + laplace(&mut rng, 1.0)) * 10.0).round() / 10.0)
        .map(|v: f64| v.clamp(0.0, 10.0))
        .collect();
    let fit = fit_paired_noise(&o, &r, &NoiseFitOptions::default()).unwrap();
    let clamp = fit.clamping.expect("clamping detected");
    assert_eq!((clamp.lower, clamp.upper), (Some(0.0), Some(10.0)));
    assert!(clamp.rows_at_lower > 50 && clamp.rows_at_upper > 50);
    assert_eq!(fit.n_used, 3000 - clamp.rows_at_lower - clamp.rows_at_upper);
    let step = fit.rounding.expect("rounding detected").step;
    assert!((step - 0.1).abs() < 1e-9, "{step}");
    assert_eq!(fit.sensitivity.source, SensitivitySource::ClampRange);
    assert_eq!(fit.sensitivity.value, 10.0);
    // Censoring the largest errors shrinks the scale: eps comes out at or
    // above 10, within a few tens of percent.
    let eps = fit.laplace.epsilon.point;
    assert!((10.0..14.0).contains(&eps), "{eps}");
}

#[test]
fn bad_input_gets_clear_errors() {
    let opts = NoiseFitOptions::default();
    let e = fit_paired_noise(&[1.0, 2.0], &[1.0], &opts).unwrap_err();
    assert!(matches!(
        e,
        DpError::LengthMismatch {
            left: 2,
            right: 1,
            ..
        }
    ));
    assert!(e.to_string().contains("same length"), "{e}");

    let e = parse_numeric("release.csv", "salary", ["1.5", " 2 ", "12k"].map(Some)).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("release.csv")
            && msg.contains("`salary`")
            && msg.contains("row 3")
            && msg.contains("12k"),
        "{msg}"
    );

    let bad_delta = NoiseFitOptions {
        delta: 1.0,
        ..Default::default()
    };
    let e = fit_paired_noise(&[1.0, 2.0], &[1.5, 2.5], &bad_delta).unwrap_err();
    assert!(e.to_string().contains("delta"), "{e}");

    let e = fit_paired_noise(&[3.0, 3.0], &[3.5, 2.5], &opts).unwrap_err();
    assert!(e.to_string().contains("--sensitivity"), "{e}");

    assert!(estimate_channel(&["a"], &["a", "b"], 0.95).is_err());
    assert!(estimate_channel::<&str, &str>(&[], &[], 0.95).is_err());
}
