//! Metrics on the UCI Adult data (ARX's copy, 30,162 rows) checked against
//! pyCANON 1.3.6 run on the same file:
//!
//! ```python
//! df = pd.read_csv("datasets/adult/adult.csv", sep=";")   # age is int64
//! an.l_diversity(df, q, [sa]), an.entropy_l_diversity(...), ...
//! ```
//!
//! `age` is declared numeric here, as pandas types it, so t is ordered EMD.

use reident::privacy::*;

use crate::adult_support;
use adult_support::adult;

fn rel_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

/// pyCANON's single-attribute values for one sensitive attribute.
struct Expected {
    l: u64,
    entropy_l: u64,
    c: Option<u64>,
    alpha: f64,
    t: f64,
    beta: f64,
    enhanced_beta: f64,
    delta: f64,
}

fn check(ec: &EquivalenceClasses, sa: &str, numeric: bool, e: &Expected) {
    let l = distinct_l_diversity(ec, sa).unwrap();
    assert_eq!(l, e.l, "{sa} l");
    assert_eq!(
        entropy_l_diversity(ec, sa).unwrap().l,
        e.entropy_l,
        "{sa} entropy l"
    );
    assert_eq!(
        recursive_cl_diversity(ec, sa, l).unwrap().c_pycanon,
        e.c,
        "{sa} c"
    );
    assert!(
        rel_close(alpha_k_anonymity(ec, sa).unwrap().alpha, e.alpha),
        "{sa} alpha"
    );
    let t = if numeric {
        t_closeness_ordered(ec, sa).unwrap().t
    } else {
        t_closeness_equal_distance(ec, sa).unwrap().t
    };
    assert!(rel_close(t, e.t), "{sa} t {t} vs {}", e.t);
    let beta = basic_beta_likeness(ec, sa).unwrap().beta;
    assert!(rel_close(beta, e.beta), "{sa} beta {beta} vs {}", e.beta);
    let eb = enhanced_beta_likeness(ec, sa).unwrap();
    assert!(rel_close(eb, e.enhanced_beta), "{sa} enhanced beta {eb}");
    let d = delta_disclosure(ec, sa).unwrap().delta_ln;
    assert!(rel_close(d, e.delta), "{sa} delta {d} vs {}", e.delta);
}

#[test]
fn adult_sex_race_salary_matches_pycanon() {
    // q = [sex, race, salary-class]: 20 classes, k = 4.
    let t = adult();
    let q = ["sex", "race", "salary-class"];
    let sas = ["occupation", "marital-status", "age"];
    let ec = EquivalenceClasses::build(&t, &q, &sas, SuppressedRows::Exclude).unwrap();
    assert_eq!(ec.n_classes(), 20);
    assert_eq!(k_anonymity(&ec).k, 4);
    check(
        &ec,
        "occupation",
        false,
        &Expected {
            l: 3,
            entropy_l: 2,
            c: Some(1),
            alpha: 0.5,
            t: 0.6239307738213645,
            beta: 20.482905982905983,
            enhanced_beta: 8.11711355558441,
            delta: 3.0700402171866927,
        },
    );
    check(
        &ec,
        "marital-status",
        false,
        &Expected {
            l: 2,
            entropy_l: 1,
            c: Some(1),
            alpha: 0.9411764705882353,
            t: 0.4748612395027635,
            beta: 15.897478991596637,
            enhanced_beta: 7.269815695197207,
            delta: 2.8271644387068906,
        },
    );
    check(
        &ec,
        "age",
        true,
        &Expected {
            l: 4,
            entropy_l: 3,
            c: Some(2),
            alpha: 0.25,
            t: 0.09782152900160727,
            beta: 18.636718750000004,
            enhanced_beta: 10.31433813292063,
            delta: 4.794262088275721,
        },
    );
    // All three together (pyCANON gen=True): l 2, entropy l 1, (c,l) (1, 2),
    // alpha 0.941..., t 0.6239..., beta 20.48..., enhanced 10.31..., delta 4.794...
    let r = evaluate(&t, &MetricsParams::new(q).sensitive(sas).numeric("age")).unwrap();
    let c = r.combined.unwrap();
    assert_eq!(
        (c.l_distinct, c.entropy_l, c.recursive_c_pycanon),
        (2, 1, Some(1))
    );
    assert!(rel_close(c.alpha, 0.9411764705882353));
    assert!(rel_close(c.t, 0.6239307738213645));
    assert!(rel_close(c.basic_beta, 20.482905982905983));
    assert!(rel_close(c.enhanced_beta, 10.31433813292063));
    assert!(rel_close(c.delta_ln, 4.794262088275721));
}

#[test]
fn adult_five_qis_matches_pycanon() {
    // q = [sex, race, marital-status, education, workclass]: 1,483 classes, k = 1.
    let t = adult();
    let q = ["sex", "race", "marital-status", "education", "workclass"];
    let sas = ["occupation", "salary-class", "age"];
    let ec = EquivalenceClasses::build(&t, &q, &sas, SuppressedRows::Exclude).unwrap();
    assert_eq!(ec.n_classes(), 1483);
    assert_eq!(k_anonymity(&ec).k, 1);
    let expected = [
        (
            "occupation",
            false,
            0.9952589350838804,
            1674.6666666666667,
            8.11711355558441,
            7.423966375024466,
        ),
        (
            "salary-class",
            false,
            0.7510775147536636,
            3.0173148641449123,
            1.3906137352142307,
            4.029921264058055,
        ),
        (
            "age",
            true,
            0.6138266506405318,
            4307.857142857143,
            10.31433813292063,
            8.368427983865317,
        ),
    ];
    for (sa, numeric, t, beta, enhanced_beta, delta) in expected {
        // l = 1: pyCANON's c is NaN
        check(
            &ec,
            sa,
            numeric,
            &Expected {
                l: 1,
                entropy_l: 1,
                c: None,
                alpha: 1.0,
                t,
                beta,
                enhanced_beta,
                delta,
            },
        );
    }
}
