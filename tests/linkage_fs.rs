//! Fellegi-Sunter by hand: u from all pairs, default m, given lambda,
//! term-frequency adjustment, weights, greedy assignment and scores; one EM
//! iteration by hand; EM recovering known m on generated vectors; collapse.

use std::collections::HashMap;

use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use reident::attacks::linkage::fellegi_sunter::{expectation_maximisation, patterns, NOT_OBSERVED};
use reident::attacks::linkage::{
    link, parse_comparisons, AssignmentMethod, EmCollapse, EmOptions, LinkageConfig, PriorSpec,
};
use reident::data::{CategoricalColumn, EncodedTable};

fn table(name: &str, cols: &[(&str, &[&str])]) -> EncodedTable {
    EncodedTable::new(
        name,
        cols.iter()
            .map(|(n, v)| CategoricalColumn::from_strs(n, v))
            .collect(),
    )
}

#[test]
fn hand_computed_weights_with_term_frequencies() {
    let original = table(
        "o",
        &[
            ("name", &["anna", "anna", "bob", "carl"]),
            ("id", &["a1", "a2", "b", "c"]),
        ],
    );
    let release = table(
        "r",
        &[
            ("name", &["anna", "bob", "dave"]),
            ("id", &["a1", "b", "d"]),
        ],
    );
    let mut config = LinkageConfig::new(parse_comparisons("name:exact+tf").unwrap(), vec![]);
    config.prior = PriorSpec::Given { lambda: 0.1 };
    config.em = EmOptions {
        max_iterations: 0,
        ..EmOptions::default()
    };
    config.threshold = -3.0;
    config.assignment = AssignmentMethod::Greedy;
    config.truth = Some(("id".into(), "id".into()));
    let r = link(&original, &release, &config, &HashMap::new(), &mut |_| {}).unwrap();
    // 12 pairs; exact: (0,0), (1,0), (2,1) -> u_exact = 3/12 = 0.25, u_else = 0.75.
    // m (Splink defaults, no EM iteration): exact 0.95, else 0.05.
    let lv = &r.model.comparisons[0].levels;
    assert!((lv[1].u - 0.25).abs() < 1e-12);
    assert!((lv[2].u - 0.75).abs() < 1e-12);
    assert!((lv[1].match_weight - 3.8f64.log2()).abs() < 1e-12); // log2(.95/.25) = 1.925999
                                                                 // prior = log2(0.1/0.9) = -3.169925
    assert!((r.model.prior_weight - (-3.169_925)).abs() < 1e-6);
    // tf over both tables: anna 3/7, bob 2/7.
    // anna pair: -3.169925 + 1.925999 + log2(0.25 / (3/7)) (= -0.777608) = -2.021534
    // bob pair:  -3.169925 + 1.925999 + log2(0.25 / (2/7)) (= -0.192645) = -1.436571
    // else pair: -3.169925 + log2(0.05/0.75) (= -3.906891) = -7.076816 (below threshold)
    assert_eq!(r.pairs_compared, 12);
    assert_eq!(r.links, 2);
    let first = &r.explained_links[0];
    assert_eq!((first.original_row, first.release_row), (2, 1));
    assert!((first.match_weight - (-1.436_571)).abs() < 1e-5);
    assert!((first.contributions[0].tf_adjustment - (-0.192_645)).abs() < 1e-5);
    // probability = 2^w / (1 + 2^w) = 0.369450 / 1.369450 = 0.269780
    assert!((first.match_probability - 0.269_780).abs() < 1e-5);
    let second = &r.explained_links[1];
    // Greedy: (2,1) first; then (0,0) and (1,0) tie at -2.021534, lower original row wins.
    assert_eq!((second.original_row, second.release_row), (0, 0));
    assert!((second.match_weight - (-2.021_534)).abs() < 1e-5);
    let s = reident::eval::linkage::score_links(&r).unwrap().unwrap();
    assert_eq!(s.true_pairs, 2);
    assert_eq!(s.correct_links, 2);
    assert_eq!(s.precision, 1.0);
    assert_eq!(s.recall, 1.0);
    // Rates over the 3 release rows: anna's best candidates (0,0) and (1,0)
    // tie at -2.021534, one true -> 1/2; bob's (2,1) is unique and true -> 1;
    // dave has no source (his 4 candidates tie at the else weight) -> 0.
    // Expected 1.5/3 = 0.5, unique 1/3 (taking the first tied candidate and
    // leaving dave out would read 2/2 = 1.0).
    assert_eq!(s.attacked_records, 3);
    assert_eq!(s.records_without_source, 1);
    assert_eq!(s.records_without_candidate, 0);
    assert_eq!(s.expected_correct, 1.5);
    assert_eq!(s.expected_reidentification_rate, 0.5);
    assert_eq!(s.unique_correct, 1);
    assert!((s.unique_reidentification_rate - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn one_em_iteration_by_hand() {
    // One comparison, levels [null, exact, else]; patterns: exact x 30, else x 70.
    // Start m = (.95, .05), u = (.1, .9), p = 0.5.
    // P(match | exact) = .5*.95 / (.5*.95 + .5*.1) = .95/1.05 = 0.904762
    // P(match | else)  = .05 / (.05 + .9) = 0.052632
    // new p = (30*0.904762 + 70*0.052632)/100 = (27.142857 + 3.684211)/100 = 0.308271
    // new m_exact = 27.142857 / 30.827068 = 0.880488
    let pats = vec![(vec![1u8], 30u64), (vec![2u8], 70u64)];
    let m0 = vec![vec![1.0, 0.95, 0.05]];
    let u = vec![vec![1.0, 0.1, 0.9]];
    let opts = EmOptions {
        max_iterations: 1,
        tolerance: 0.0,
        start_match_proportion: 0.5,
    };
    let s = expectation_maximisation(&pats, &m0, &u, &[true], &opts);
    assert_eq!(s.iterations, 1);
    assert!((s.match_proportion - 0.308_271).abs() < 1e-6);
    assert!((s.m[0][1] - 0.880_488).abs() < 1e-6);
    assert!((s.m[0][2] - 0.119_512).abs() < 1e-6);
}

/// Draws `n` comparison vectors: match with probability `p`, each level from
/// `m` (match) or `u` (non-match); level 0 (null) with probability `null`.
fn generate(n: usize, p: f64, m: &[Vec<f64>], u: &[Vec<f64>], null: f64, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = m.len();
    let mut out = Vec::with_capacity(n * k);
    for _ in 0..n {
        let is_match = rng.gen::<f64>() < p;
        for c in 0..k {
            if rng.gen::<f64>() < null {
                out.push(0);
                continue;
            }
            let dist = if is_match { &m[c] } else { &u[c] };
            let mut x = rng.gen::<f64>();
            let mut level = dist.len() - 1;
            for (l, &q) in dist.iter().enumerate().skip(1) {
                if x < q {
                    level = l;
                    break;
                }
                x -= q;
            }
            out.push(level as u8);
        }
    }
    out
}

#[test]
fn em_recovers_known_m_within_0_02() {
    // Index 0 is the null level (unused). Four comparisons.
    let m = vec![
        vec![1.0, 0.85, 0.10, 0.05],
        vec![1.0, 0.90, 0.10],
        vec![1.0, 0.70, 0.20, 0.10],
        vec![1.0, 0.95, 0.05],
    ];
    let u = vec![
        vec![1.0, 0.02, 0.08, 0.90],
        vec![1.0, 0.10, 0.90],
        vec![1.0, 0.05, 0.15, 0.80],
        vec![1.0, 0.30, 0.70],
    ];
    let gammas = generate(60_000, 0.2, &m, &u, 0.05, 7);
    let pats = patterns(&gammas, 4);
    let start: Vec<Vec<f64>> = m
        .iter()
        .map(|l| {
            let mut s = vec![0.05 / (l.len() - 2) as f64; l.len()];
            s[0] = 1.0;
            s[1] = 0.95;
            s
        })
        .collect();
    let opts = EmOptions {
        max_iterations: 500,
        tolerance: 1e-7,
        start_match_proportion: 0.5,
    };
    let s = expectation_maximisation(&pats, &start, &u, &[true; 4], &opts);
    assert!(s.converged);
    assert!(s.collapse.is_none());
    assert!(
        (s.match_proportion - 0.2).abs() < 0.02,
        "{}",
        s.match_proportion
    );
    for (c, (trained, truth)) in s.m.iter().zip(&m).enumerate() {
        for (l, (got, want)) in trained.iter().zip(truth).enumerate().skip(1) {
            assert!(
                (got - want).abs() < 0.02,
                "comparison {c} level {l}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn em_collapse_is_detected_when_nothing_separates_matches() {
    // Every vector comes from u: no match signal at all. With u fixed at the
    // truth, the likelihood is maximised by m = u (or p -> 0).
    let u = vec![vec![1.0, 0.3, 0.7], vec![1.0, 0.2, 0.3, 0.5]];
    let gammas = generate(20_000, 0.0, &u, &u, 0.0, 3);
    let pats = patterns(&gammas, 2);
    let start = vec![vec![1.0, 0.95, 0.05], vec![1.0, 0.95, 0.025, 0.025]];
    let opts = EmOptions {
        max_iterations: 2_000,
        tolerance: 1e-9,
        start_match_proportion: 0.5,
    };
    let s = expectation_maximisation(&pats, &start, &u, &[true, true], &opts);
    assert!(
        matches!(
            s.collapse,
            Some(EmCollapse::MEqualsU) | Some(EmCollapse::MatchProportion { .. })
        ),
        "{:?} p={} m={:?}",
        s.collapse,
        s.match_proportion,
        s.m
    );
}

#[test]
fn a_level_no_pair_falls_in_gets_splinks_not_observed_m() {
    // Two comparisons of 4 levels (null, exact, partial, else); no pattern has
    // level 2 of the first comparison, so EM cannot train it: m = 1e-6, as
    // Splink's "level not observed in training dataset". The observed levels
    // of that comparison share the rest of the posterior mass as usual.
    let pats = vec![
        (vec![1u8, 1u8], 40u64),
        (vec![3u8, 3u8], 60u64),
        (vec![1u8, 3u8], 5u64),
    ];
    let u = vec![vec![1.0, 0.01, 0.09, 0.9], vec![1.0, 0.02, 0.08, 0.9]];
    let start = vec![vec![1.0, 0.9, 0.05, 0.05], vec![1.0, 0.9, 0.05, 0.05]];
    let opts = EmOptions {
        max_iterations: 50,
        tolerance: 1e-9,
        start_match_proportion: 0.5,
    };
    let s = expectation_maximisation(&pats, &start, &u, &[true, true], &opts);
    assert_eq!(s.m[0][2], NOT_OBSERVED);
    assert_eq!(s.m[1][2], NOT_OBSERVED);
    assert!((s.m[0][1] + s.m[0][3] - 1.0).abs() < 1e-12);
    assert!(s.m[0][1] > 0.5);
}

#[test]
fn a_level_no_random_pair_falls_in_gets_splinks_not_observed_u() {
    // All 6 pairs are the u sample (fewer pairs than --u-pairs). No pair of
    // names is within Jaro-Winkler 0.9 without being equal: annabel/bob,
    // carl/bob, ... -> u(jw >= 0.9) is not observed and is 1e-6 as in
    // Splink; exact 1 of 6 (annabel/annabel), else 5 of 6.
    let original = table("o", &[("name", &["annabel", "carl", "dora"])]);
    let release = table("r", &[("name", &["annabel", "bob"])]);
    let mut config = LinkageConfig::new(parse_comparisons("name:jw(0.9)").unwrap(), vec![]);
    config.em = EmOptions {
        max_iterations: 0,
        ..EmOptions::default()
    };
    let r = link(&original, &release, &config, &HashMap::new(), &mut |_| {}).unwrap();
    let lv = &r.model.comparisons[0].levels;
    assert!((lv[1].u - 1.0 / 6.0).abs() < 1e-12);
    assert_eq!(lv[2].u, NOT_OBSERVED);
    assert!((lv[3].u - 5.0 / 6.0).abs() < 1e-12);
}
