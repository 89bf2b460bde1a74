//! The randomized anonymizers match their declared epsilon: Laplace and
//! Gaussian noise, the DP histogram, k-ary randomized response; and the same
//! seed gives the same bytes.

use reident::anonymize::noise::{
    add_noise, analytic_gaussian_sigma, classic_gaussian_sigma, dp_histogram, gaussian_delta,
    GaussianCalibration, HistogramConfig, NoiseConfig, NoiseMechanism,
};
use reident::anonymize::randomized_response::{
    keep_probability, randomized_response, DeclaredDomain, RandomizedResponseConfig,
};
use reident::anonymize::AnonymizeError;
use reident::data::{CategoricalColumn, EncodedTable};

const DRAWS: usize = 100_000;

fn constant_table(name: &str, value: &str, n: usize) -> EncodedTable {
    EncodedTable::new(
        "constant",
        vec![CategoricalColumn::from_strs(name, &vec![value; n])],
    )
}

fn numbers(release: &EncodedTable, column: &str) -> Vec<f64> {
    let c = release.column(column).unwrap();
    (0..release.n_rows)
        .map(|r| c.value(r).parse().unwrap())
        .collect()
}

fn csv_bytes(release: &EncodedTable) -> Vec<u8> {
    let mut bytes = Vec::new();
    release.write_csv(&mut bytes, b',').unwrap();
    bytes
}

fn laplace_config(epsilon: f64, seed: u64) -> NoiseConfig {
    NoiseConfig {
        columns: vec!["x".into()],
        mechanism: NoiseMechanism::Laplace,
        epsilon,
        sensitivity: 1.0,
        lower: -1.0,
        upper: 1.0,
        seed,
        decimals: None,
    }
}

#[test]
fn laplace_noise_matches_its_epsilon_over_100k_draws() {
    // True value 0, sensitivity 1, epsilon 0.5: scale b = 2. For Laplace(0, b),
    // E|X| = b and Var|X| = 2b^2 - b^2 = b^2, so the MLE b^ = mean |X| has
    // standard error b / sqrt(n) = 2 / 316.2 = 0.0063. Implied epsilon
    // 1 / b^ has standard error epsilon * se(b^) / b (delta method).
    let epsilon = 0.5;
    let result = add_noise(
        &constant_table("x", "0", DRAWS),
        &laplace_config(epsilon, 11),
    )
    .unwrap();
    assert_eq!(result.scale, 2.0);
    let xs = numbers(&result.release, "x");
    let n = xs.len() as f64;
    let b_hat = xs.iter().map(|x| x.abs()).sum::<f64>() / n;
    let se_b = 2.0 / n.sqrt();
    assert!((b_hat - 2.0).abs() < 4.0 * se_b, "scale {b_hat} +- {se_b}");
    let eps_hat = 1.0 / b_hat;
    let se_eps = eps_hat * se_b / b_hat;
    let (lo, hi) = (eps_hat - 4.0 * se_eps, eps_hat + 4.0 * se_eps);
    assert!(lo <= epsilon && epsilon <= hi, "epsilon CI [{lo}, {hi}]");
    assert!(hi - lo < 0.03, "CI too wide to test anything: [{lo}, {hi}]");
    // Shape: P(|X| > b) = e^-1 = 0.3679, binomial se sqrt(p(1-p)/n) = 0.0015.
    let tail = xs.iter().filter(|x| x.abs() > 2.0).count() as f64 / n;
    let p = (-1.0f64).exp();
    assert!(
        (tail - p).abs() < 4.0 * (p * (1.0 - p) / n).sqrt(),
        "tail {tail}"
    );
    // Symmetry: mean 0 with se sqrt(2) b / sqrt(n).
    let mean = xs.iter().sum::<f64>() / n;
    assert!(
        mean.abs() < 4.0 * 2.0f64.sqrt() * 2.0 / n.sqrt(),
        "mean {mean}"
    );
}

#[test]
fn clamping_happens_before_the_noise() {
    // Values 100 and -100 are clamped to [-1, 1]; with epsilon = 1e6 the noise
    // (scale 1e-6) cannot hide the clamp.
    let table = EncodedTable::new(
        "t",
        vec![CategoricalColumn::from_strs("x", &["100", "-100", "0.5"])],
    );
    let result = add_noise(&table, &laplace_config(1e6, 1)).unwrap();
    assert_eq!(result.clamped_values, 2);
    let xs = numbers(&result.release, "x");
    for (x, want) in xs.iter().zip([1.0, -1.0, 0.5]) {
        assert!((x - want).abs() < 1e-3, "{x} vs {want}");
    }
}

#[test]
fn gaussian_sigmas_match_the_published_formulas() {
    // Classic (Dwork & Roth Thm A.1): sqrt(2 ln(1.25 / 1e-5)) / 0.5
    // = sqrt(2 * 11.7361) / 0.5 = 9.689610525210778.
    let classic = classic_gaussian_sigma(0.5, 1e-5, 1.0).unwrap();
    assert!((classic - 9.689610525210778).abs() < 1e-9, "{classic}");
    assert!(classic_gaussian_sigma(1.0, 1e-5, 1.0).is_err());
    // Analytic (Balle & Wang 2018); reference values from an independent
    // root-find of the same condition with scipy (norm.cdf + brentq):
    // eps 1, delta 1e-5 -> 3.7306316348159374; eps 0.5 -> 7.031826675582497;
    // eps 4, delta 1e-6 -> 1.1935185871579852.
    for (eps, delta, want) in [
        (1.0, 1e-5, 3.7306316348159374),
        (0.5, 1e-5, 7.031826675582497),
        (4.0, 1e-6, 1.1935185871579852),
    ] {
        let sigma = analytic_gaussian_sigma(eps, delta, 1.0).unwrap();
        assert!((sigma - want).abs() < 1e-8, "eps {eps}: {sigma} vs {want}");
        assert!((gaussian_delta(eps, sigma, 1.0) - delta).abs() < 1e-10);
    }
    // Large epsilon stays finite (exp(eps) is handled in log space); scipy
    // reference for eps 50, delta 1e-5: 0.14976060756083603.
    let sigma = analytic_gaussian_sigma(50.0, 1e-5, 1.0).unwrap();
    assert!((sigma - 0.14976060756083603).abs() < 1e-9, "{sigma}");
    assert!((gaussian_delta(50.0, sigma, 1.0) - 1e-5).abs() < 1e-10);
    // Sigma scales linearly with the sensitivity.
    let s3 = analytic_gaussian_sigma(1.0, 1e-5, 3.0).unwrap();
    assert!((s3 - 3.0 * 3.7306316348159374).abs() < 1e-7);
}

#[test]
fn gaussian_noise_has_the_calibrated_sigma_over_100k_draws() {
    // Sample sd of n normal draws has standard error about sigma / sqrt(2n).
    let config = NoiseConfig {
        mechanism: NoiseMechanism::Gaussian {
            delta: 1e-5,
            calibration: GaussianCalibration::Analytic,
        },
        epsilon: 1.0,
        ..laplace_config(1.0, 5)
    };
    let result = add_noise(&constant_table("x", "0", DRAWS), &config).unwrap();
    let sigma = result.scale;
    assert!((sigma - 3.7306316348159374).abs() < 1e-8);
    let xs = numbers(&result.release, "x");
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!(
        (sd - sigma).abs() < 4.0 * sigma / (2.0 * n).sqrt(),
        "sd {sd}"
    );
    assert!(mean.abs() < 4.0 * sigma / n.sqrt(), "mean {mean}");
}

#[test]
fn randomized_response_matches_its_epsilon_over_100k_draws() {
    // Domain {a,b,c,d} (k = 4), epsilon = 1, every true value `a`:
    // P(keep) = e / (e + 3) = 0.4753668864186717; each other value
    // (1 - 0.47537) / 3 = 0.17488. Estimated epsilon ln(p^ / q^) per other
    // value q; by the delta method Var ln(p^/q^) = (1-p)/(n p) + (1-q)/(n q)
    // + 2/n (the multinomial covariance term -pq/n enters with a minus sign twice).
    let epsilon = 1.0;
    let domain: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    let config = RandomizedResponseConfig {
        columns: vec!["s".into()],
        epsilon,
        seed: 3,
        domains: vec![DeclaredDomain {
            column: "s".into(),
            values: domain.clone(),
        }],
    };
    let result = randomized_response(&constant_table("s", "a", DRAWS), &config).unwrap();
    let p_keep = keep_probability(epsilon, 4);
    assert!((p_keep - 0.4753668864186717).abs() < 1e-15);
    assert_eq!(result.columns[0].keep_probability, p_keep);
    let s = result.release.column("s").unwrap();
    let n = DRAWS as f64;
    let share = |v: &str| (0..DRAWS).filter(|&r| s.value(r) == v).count() as f64 / n;
    let p = share("a");
    assert!(
        (p - p_keep).abs() < 4.0 * (p_keep * (1.0 - p_keep) / n).sqrt(),
        "keep {p}"
    );
    for other in ["b", "c", "d"] {
        let q = share(other);
        let eps_hat = (p / q).ln();
        let se = ((1.0 - p) / (n * p) + (1.0 - q) / (n * q) + 2.0 / n).sqrt();
        assert!(
            (eps_hat - epsilon).abs() < 4.0 * se,
            "{other}: epsilon {eps_hat} +- {se}"
        );
        assert!(se < 0.02, "CI too wide: {se}");
    }
    assert_eq!(
        result.columns[0].changed_rows,
        DRAWS - (p * n).round() as usize
    );
}

#[test]
fn randomized_response_domain_and_input_errors() {
    let table = EncodedTable::new(
        "t",
        vec![CategoricalColumn::from_strs("s", &["a", "b", "z"])],
    );
    let config = RandomizedResponseConfig {
        columns: vec!["s".into()],
        epsilon: 1.0,
        seed: 0,
        domains: vec![DeclaredDomain {
            column: "s".into(),
            values: vec!["a".into(), "b".into()],
        }],
    };
    let err = randomized_response(&table, &config)
        .unwrap_err()
        .to_string();
    assert!(err.contains("row 3") && err.contains("`z`"), "{err}");
    for bad in [0.0, -1.0, f64::NAN] {
        let err = randomized_response(
            &table,
            &RandomizedResponseConfig {
                epsilon: bad,
                domains: vec![],
                ..config.clone()
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                AnonymizeError::Parameter {
                    parameter: "epsilon",
                    ..
                }
            ),
            "{err}"
        );
    }
    let err = randomized_response(
        &table,
        &RandomizedResponseConfig {
            columns: vec!["t".into()],
            domains: vec![],
            ..config
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("no column `t`"), "{err}");
}

#[test]
fn histogram_counts_cells_and_post_processes() {
    // Counts: (M,x)=2, (F,y)=1; with the full cross product also (M,y), (F,x) = 0.
    let table = EncodedTable::new(
        "t",
        vec![
            CategoricalColumn::from_strs("sex", &["M", "F", "M"]),
            CategoricalColumn::from_strs("g", &["x", "y", "x"]),
        ],
    );
    let mut config = HistogramConfig {
        by: vec!["sex".into(), "g".into()],
        epsilon: 1.0,
        seed: 9,
        round: true,
        clamp_at_zero: true,
        include_empty_cells: false,
        count_column: "count".into(),
        true_count_column: Some("_true".into()),
    };
    let result = dp_histogram(&table, &config).unwrap();
    assert_eq!(result.cells, 2);
    assert_eq!(result.scale, 1.0);
    let r = &result.release;
    let cell = |i: usize| {
        (
            r.column("sex").unwrap().value(i).to_string(),
            r.column("g").unwrap().value(i).to_string(),
            r.column("_true").unwrap().value(i).to_string(),
        )
    };
    assert_eq!(cell(0), ("M".into(), "x".into(), "2".into()));
    assert_eq!(cell(1), ("F".into(), "y".into(), "1".into()));
    for v in numbers(r, "count") {
        assert!(v >= 0.0 && v.fract() == 0.0, "{v}");
    }
    config.include_empty_cells = true;
    let result = dp_histogram(&table, &config).unwrap();
    assert_eq!(result.cells, 4);
    let trues: Vec<&str> = (0..4)
        .map(|i| result.release.column("_true").unwrap().value(i))
        .collect();
    // Mixed radix over (sex: M, F) x (g: x, y): (M,x),(M,y),(F,x),(F,y).
    assert_eq!(trues, vec!["2", "0", "0", "1"]);
}

#[test]
fn histogram_noise_has_scale_one_over_epsilon() {
    // 100k one-row groups: each noisy count minus 1 is one Laplace(1/eps) draw.
    let ids: Vec<String> = (0..DRAWS).map(|i| i.to_string()).collect();
    let table = EncodedTable::new("t", vec![CategoricalColumn::from_strs("id", &ids)]);
    let config = HistogramConfig {
        by: vec!["id".into()],
        epsilon: 2.0,
        seed: 4,
        round: false,
        clamp_at_zero: false,
        include_empty_cells: false,
        count_column: "count".into(),
        true_count_column: None,
    };
    let result = dp_histogram(&table, &config).unwrap();
    let noise: Vec<f64> = numbers(&result.release, "count")
        .iter()
        .map(|c| c - 1.0)
        .collect();
    let n = noise.len() as f64;
    let b_hat = noise.iter().map(|x| x.abs()).sum::<f64>() / n;
    assert!((b_hat - 0.5).abs() < 4.0 * 0.5 / n.sqrt(), "scale {b_hat}");
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let values: Vec<String> = (0..500).map(|i| (i % 37).to_string()).collect();
    let table = EncodedTable::new(
        "t",
        vec![
            CategoricalColumn::from_strs("x", &values),
            CategoricalColumn::from_strs("s", &values),
        ],
    );
    let noise = |seed| {
        csv_bytes(
            &add_noise(&table, &laplace_config(1.0, seed))
                .unwrap()
                .release,
        )
    };
    assert_eq!(noise(42), noise(42));
    assert_ne!(noise(42), noise(43));
    let rr = |seed| {
        let config = RandomizedResponseConfig {
            columns: vec!["s".into()],
            epsilon: 1.0,
            seed,
            domains: vec![],
        };
        csv_bytes(&randomized_response(&table, &config).unwrap().release)
    };
    assert_eq!(rr(42), rr(42));
    assert_ne!(rr(42), rr(43));
    let hist = |seed| {
        let config = HistogramConfig {
            by: vec!["s".into()],
            epsilon: 1.0,
            seed,
            round: false,
            clamp_at_zero: false,
            include_empty_cells: false,
            count_column: "count".into(),
            true_count_column: None,
        };
        csv_bytes(&dp_histogram(&table, &config).unwrap().release)
    };
    assert_eq!(hist(42), hist(42));
    assert_ne!(hist(42), hist(43));
}

#[test]
fn noise_input_errors_name_the_problem() {
    let table = EncodedTable::new(
        "t.csv",
        vec![CategoricalColumn::from_strs("x", &["1", "n/a"])],
    );
    let err = add_noise(&table, &laplace_config(1.0, 0))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("t.csv")
            && err.contains("`x`")
            && err.contains("row 2")
            && err.contains("`n/a`"),
        "{err}"
    );
    let err = add_noise(&table, &laplace_config(0.0, 0)).unwrap_err();
    assert!(
        matches!(
            err,
            AnonymizeError::Parameter {
                parameter: "epsilon",
                ..
            }
        ),
        "{err}"
    );
    let mut cfg = laplace_config(1.0, 0);
    cfg.lower = 2.0;
    assert!(add_noise(&table, &cfg)
        .unwrap_err()
        .to_string()
        .contains("lower < upper"));
    let mut cfg = laplace_config(1.0, 0);
    cfg.columns = vec!["y".into()];
    assert!(add_noise(&table, &cfg)
        .unwrap_err()
        .to_string()
        .contains("no column `y`"));
}
