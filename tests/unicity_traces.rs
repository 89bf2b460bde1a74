//! Trace unicity (de Montjoye et al. 2013) and trace linkage: hand-computed
//! cases, a brute-force count on generated events, and properties.

use std::collections::{HashMap, HashSet};

use polars::prelude::*;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reident::attacks::unicity::{
    build_traces, link_traces, sampled_points, unicity_curve, unicity_curve_partitioned,
    PointVocabulary, TraceSpec,
};

fn frame(rows: &[(&str, String, &str)]) -> DataFrame {
    let users: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let times: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let actions: Vec<&str> = rows.iter().map(|r| r.2).collect();
    DataFrame::new(
        rows.len(),
        vec![
            Column::new("user".into(), users),
            Column::new("timestamp".into(), times),
            Column::new("action".into(), actions),
        ],
    )
    .unwrap()
}

fn spec(bucket: i64) -> TraceSpec {
    TraceSpec {
        user_column: "user".into(),
        timestamp_column: "timestamp".into(),
        action_columns: vec!["action".into()],
        bucket_seconds: bucket,
    }
}

fn hour(h: u32, m: u32) -> String {
    format!("2024-01-01T{h:02}:{m:02}:00Z")
}

#[test]
fn hand_computed_unicity_and_coarsening() {
    // Hourly buckets. a: {(0,x), (1,y)}; b: {(0,x)} (two events, one point);
    // c: {(1,y), (2,z)}. With p = 2 every point is used:
    // a's points are in a only -> unique; b's (0,x) is also in a -> not;
    // c's points are in c only -> unique. Unicity = 2/3.
    let rows = vec![
        ("a", hour(0, 5), "x"),
        ("a", hour(1, 10), "y"),
        ("b", hour(0, 40), "x"),
        ("b", hour(0, 50), "x"),
        ("c", hour(1, 59), "y"),
        ("c", hour(2, 0), "z"),
    ];
    let f = frame(&rows);
    let mut vocab = PointVocabulary::default();
    let traces = build_traces(&f, "hand", &spec(3600), &mut vocab).unwrap();
    assert_eq!(
        traces.traces.iter().map(Vec::len).collect::<Vec<_>>(),
        [2, 1, 2]
    );
    assert_eq!(vocab.len(), 3);
    let r = unicity_curve(&traces, &vocab, &spec(3600), &[2, 5], 1, &|| {}).unwrap();
    assert_eq!(r.curve[0].n_unique, 2);
    assert!((r.curve[0].unicity - 2.0 / 3.0).abs() < 1e-12);
    // b has fewer than 2 points, everyone has fewer than 5.
    assert_eq!(r.curve[0].n_users_short, 1);
    assert_eq!(r.curve[1].n_users_short, 3);
    // Mean anonymity set at p = 2: a 1, b 2 (a and b), c 1 -> 4/3.
    assert!((r.curve[0].mean_anonymity_set - 4.0 / 3.0).abs() < 1e-12);
    // Daily buckets: a {(d,x),(d,y)}, b {(d,x)}, c {(d,y),(d,z)}: same
    // answer; time-only points with daily buckets: all share one point, so
    // nobody is unique.
    let daily = TraceSpec {
        action_columns: vec![],
        ..spec(86_400)
    };
    let mut vocab = PointVocabulary::default();
    let traces = build_traces(&f, "hand", &daily, &mut vocab).unwrap();
    let r = unicity_curve(&traces, &vocab, &daily, &[1, 2], 1, &|| {}).unwrap();
    assert_eq!(r.curve[1].n_unique, 0);
}

/// Random events: `n_users` users, 1-12 events each over 24 hourly buckets
/// and 4 actions.
fn random_events(seed: u64, n_users: usize) -> DataFrame {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let names: Vec<String> = (0..n_users).map(|u| format!("u{u}")).collect();
    let acts = ["view", "edit", "share", "export"];
    let mut rows = Vec::new();
    for name in &names {
        for _ in 0..rng.gen_range(1..=12) {
            let h = rng.gen_range(0..24);
            let m = rng.gen_range(0..60);
            rows.push((name.as_str(), hour(h, m), acts[rng.gen_range(0..4)]));
        }
    }
    frame(&rows)
}

#[test]
fn unicity_equals_brute_force_on_generated_events() {
    let f = random_events(11, 40);
    let mut vocab = PointVocabulary::default();
    let traces = build_traces(&f, "gen", &spec(3600), &mut vocab).unwrap();
    let points = [1, 2, 3, 4, 6];
    let r = unicity_curve(&traces, &vocab, &spec(3600), &points, 99, &|| {}).unwrap();
    // Brute force over the raw rows: each user's point set from the events,
    // and for every user every other user's set checked for containment.
    let mut sets: HashMap<String, HashSet<(i64, String)>> = HashMap::new();
    let users = f.column("user").unwrap().str().unwrap();
    let times = f.column("timestamp").unwrap().str().unwrap();
    let acts = f.column("action").unwrap().str().unwrap();
    for i in 0..f.height() {
        let t = reident::attacks::unicity::parse_timestamp(times.get(i).unwrap()).unwrap();
        sets.entry(users.get(i).unwrap().to_string())
            .or_default()
            .insert((t.div_euclid(3600), acts.get(i).unwrap().to_string()));
    }
    // Brute force on the same draws: for every user, scan every trace
    // linearly for all of the drawn points (no postings, no binary search).
    let drawn = sampled_points(&traces, 6, 99);
    for (k, &p) in points.iter().enumerate() {
        let mut unique = 0;
        for (u, d) in drawn.iter().enumerate() {
            let chosen: HashSet<u32> = d[..p.min(d.len())].iter().copied().collect();
            let holders = traces
                .traces
                .iter()
                .filter(|t| chosen.iter().all(|c| t.contains(c)))
                .count();
            assert!(chosen.iter().all(|c| traces.traces[u].contains(c)));
            if holders == 1 {
                unique += 1;
            }
        }
        assert_eq!(r.curve[k].n_unique, unique, "p = {p}");
    }
    // The id-based traces agree with the raw point sets.
    for (u, name) in traces.users.iter().enumerate() {
        assert_eq!(traces.traces[u].len(), sets[name].len());
    }
    // With p above every trace length, all points are used: a user is unique
    // unless another user's raw set contains theirs.
    let all = unicity_curve(&traces, &vocab, &spec(3600), &[1000], 99, &|| {}).unwrap();
    let expected = sets
        .iter()
        .filter(|(n, s)| !sets.iter().any(|(m, o)| m != *n && s.is_subset(o)))
        .count();
    assert_eq!(all.curve[0].n_unique, expected);
}

#[test]
fn same_seed_same_curve() {
    let f = random_events(3, 30);
    let mut vocab = PointVocabulary::default();
    let traces = build_traces(&f, "gen", &spec(3600), &mut vocab).unwrap();
    let a = unicity_curve(&traces, &vocab, &spec(3600), &[1, 2, 4], 5, &|| {}).unwrap();
    let b = unicity_curve(&traces, &vocab, &spec(3600), &[1, 2, 4], 5, &|| {}).unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn linkage_hand_computed() {
    // Originals: a {(0,x),(1,y)}, b {(0,x),(2,z)}. Release: p1 = a's events
    // minus (1,y) -> {(0,x)} ties a and b (credit 1/2); p2 = {(2,z),(3,w)}
    // -> b alone (1 shared point, (3,w) unseen). Truth p1->a, p2->b.
    // Accuracy = (1/2 + 1) / 2 = 0.75; one tie; one correct outright.
    let orig = frame(&[
        ("a", hour(0, 0), "x"),
        ("a", hour(1, 0), "y"),
        ("b", hour(0, 30), "x"),
        ("b", hour(2, 0), "z"),
    ]);
    let rel = frame(&[
        ("p1", hour(0, 1), "x"),
        ("p2", hour(2, 5), "z"),
        ("p2", hour(3, 5), "w"),
    ]);
    let mut vocab = PointVocabulary::default();
    let o = build_traces(&orig, "o", &spec(3600), &mut vocab).unwrap();
    let r = build_traces(&rel, "r", &spec(3600), &mut vocab).unwrap();
    let truth: HashMap<String, String> = [("p1", "a"), ("p2", "b")]
        .iter()
        .map(|(p, u)| (p.to_string(), u.to_string()))
        .collect();
    let l = link_traces(&o, &r, &vocab, &truth);
    assert_eq!(
        (l.n_scored, l.n_correct, l.n_ties, l.n_unmatched),
        (2, 1, 1, 0)
    );
    assert!((l.accuracy - 0.75).abs() < 1e-12);
    assert!((l.chance - 0.5).abs() < 1e-12);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn unicity_is_monotone_in_p(seed in 0u64..1000, n_users in 2usize..25, bucket in 1i64..4) {
        let f = random_events(seed, n_users);
        let s = spec(bucket * 1800);
        let mut vocab = PointVocabulary::default();
        let traces = build_traces(&f, "gen", &s, &mut vocab).unwrap();
        let r = unicity_curve(&traces, &vocab, &s, &[1, 2, 3, 4, 5, 8], seed, &|| {}).unwrap();
        for w in r.curve.windows(2) {
            prop_assert!(w[0].n_unique <= w[1].n_unique);
            prop_assert!(w[0].mean_anonymity_set >= w[1].mean_anonymity_set);
        }
        prop_assert!(r.curve.iter().all(|c| (0.0..=1.0).contains(&c.unicity)));
    }
}

/// Trace unicity as partials per user partition: splitting the users into
/// 1, 2 and 7 parts (contiguous and interleaved) gives exactly the one-pass
/// curve (every count and mean, as JSON); a split that misses or repeats a
/// user is refused.
#[test]
fn user_partitions_give_the_one_pass_curve() {
    let f = random_events(17, 120);
    let mut vocab = PointVocabulary::default();
    let traces = build_traces(&f, "gen", &spec(3600), &mut vocab).unwrap();
    let points = [1, 2, 3, 5, 8];
    let one = unicity_curve(&traces, &vocab, &spec(3600), &points, 7, &|| {}).unwrap();
    // A curve that is not trivial: some users unique at 1 point, more at 5.
    assert!(
        one.curve[0].n_unique < one.curve[3].n_unique,
        "{:?}",
        one.curve
    );
    let want = serde_json::to_string(&one).unwrap();
    let n = traces.users.len() as u32;
    for parts in [1u32, 2, 7] {
        let contiguous: Vec<Vec<u32>> = (0..parts)
            .map(|p| (p * n / parts..(p + 1) * n / parts).collect())
            .collect();
        let interleaved: Vec<Vec<u32>> = (0..parts)
            .rev()
            .map(|p| (0..n).filter(|u| u % parts == p).collect())
            .collect();
        for split in [contiguous, interleaved] {
            let got =
                unicity_curve_partitioned(&traces, &vocab, &spec(3600), &points, 7, &split, &|| {})
                    .unwrap();
            assert_eq!(serde_json::to_string(&got).unwrap(), want, "{parts} parts");
        }
    }
    let missing = vec![(1..n).collect::<Vec<u32>>()];
    let twice = vec![(0..n).collect::<Vec<u32>>(), vec![0]];
    for bad in [missing, twice] {
        let e = unicity_curve_partitioned(&traces, &vocab, &spec(3600), &points, 7, &bad, &|| {})
            .unwrap_err();
        assert!(e.to_string().contains("parts"), "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Random assignments of users to up to 6 parts (some possibly empty)
    /// merge to the one-pass curve.
    #[test]
    fn random_user_partitions_merge_exactly(
        seed in 0u64..500,
        users in 2usize..40,
        assignment in prop::collection::vec(0usize..6, 40),
    ) {
        let f = random_events(seed, users);
        let mut vocab = PointVocabulary::default();
        let traces = build_traces(&f, "gen", &spec(1800), &mut vocab).unwrap();
        let one = unicity_curve(&traces, &vocab, &spec(1800), &[1, 2, 4], seed, &|| {}).unwrap();
        let mut split: Vec<Vec<u32>> = vec![Vec::new(); 6];
        for u in 0..traces.users.len() {
            split[assignment[u]].push(u as u32);
        }
        let got = unicity_curve_partitioned(&traces, &vocab, &spec(1800), &[1, 2, 4], seed, &split, &|| {}).unwrap();
        prop_assert_eq!(serde_json::to_string(&got).unwrap(), serde_json::to_string(&one).unwrap());
    }
}
