//! `eval::Rate`'s Clopper-Pearson bounds against scipy: the one binomial
//! interval implementation of the crate (used by the epsilon lower bound and
//! the randomized-response channel).

use reident::eval::Rate;

/// Every row of tests/fixtures/dp/clopper_pearson.csv (scipy 1.15.3
/// `beta.ppf`, cross-checked in the script against `binomtest(...).proportion_ci`;
/// regenerate with the command in its first lines) must match to 1e-9.
#[test]
fn clopper_pearson_matches_scipy() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dp/clopper_pearson.csv"
    );
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(path)
        .expect("fixture exists");
    let mut rows = 0;
    for record in reader.records() {
        let r = record.expect("valid CSV");
        let x: u64 = r[0].parse().unwrap();
        let n: u64 = r[1].parse().unwrap();
        let c: f64 = r[2].parse().unwrap();
        let want: Vec<f64> = (3..7).map(|i| r[i].parse().unwrap()).collect();
        let rate = Rate::count(x, n);
        let up = rate.clopper_pearson_upper(c, "fixture").unwrap();
        let lo = rate.clopper_pearson_lower(c, "fixture").unwrap();
        let two = rate.clopper_pearson(c, "fixture").unwrap();
        let (tlo, tup) = (two.low, two.high);
        for (name, got, expected) in [
            ("upper", up, want[0]),
            ("lower", lo, want[1]),
            ("two-sided lower", tlo, want[2]),
            ("two-sided upper", tup, want[3]),
        ] {
            assert!(
                (got - expected).abs() < 1e-9,
                "x={x} n={n} c={c} {name}: got {got}, scipy {expected}"
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 90, "18 cases x 5 levels");
}

/// `eval::inference::wilson_rate`, the Anonymeter-style success rate scored
/// from the inference attacks' counts (issue #13), keeps Wilson's unclamped
/// centre and half-width; it is computed from `Rate::wilson_score`, and this
/// pins it to `Rate::wilson`: Wilson 20/100 at 95% is [0.1334, 0.2888]
/// (textbook value), and both agree to 1e-12 over a grid.
#[test]
fn inference_wilson_agrees_with_eval_rate() {
    use reident::eval::inference::wilson_rate;
    let e = Rate::new(20.0, 100).wilson(0.95, "t").unwrap();
    assert!((e.low - 0.1334).abs() < 1e-4 && (e.high - 0.2888).abs() < 1e-4);
    for n in [1usize, 7, 100, 4567] {
        for x in [0.0, 0.5, 1.0, n as f64 / 3.0, n as f64] {
            for c in [0.9, 0.95, 0.99] {
                let a = wilson_rate(n, x, c).unwrap();
                let b = Rate::new(x, n as u64).wilson(c, "t").unwrap();
                // eval clamps to [0, 1]; the inference rate keeps the raw ends.
                assert!((a.low.max(0.0) - b.low).abs() < 1e-12, "{x}/{n} at {c}");
                assert!((a.high.min(1.0) - b.high).abs() < 1e-12, "{x}/{n} at {c}");
                assert!((a.raw_rate - b.point).abs() < 1e-15);
            }
        }
    }
}
