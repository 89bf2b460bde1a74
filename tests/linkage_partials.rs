//! Fellegi-Sunter linkage as partials (`link_partitioned`): the blocked
//! pairs split by block into 1, 2 and 7 partials, random splits and packed
//! splits of a few pairs each give exactly the one-pass result: the same
//! model (m, u, lambda, EM sessions bit for bit), the same pairs in the same
//! order with the same weights, the same links and the same scores (F1,
//! rates, PR curve). On the repo's Adult linkage fixture (the Splink-checked
//! configuration: a training rule outside the prediction rule, a
//! deterministic prior), on hand-made tables (no blocking rule, two rules
//! whose pairs overlap, a term-frequency level, Jaro-Winkler) and on seeded
//! generated tables with random splits (proptest).

use std::collections::HashMap;
use std::path::Path;

use proptest::prelude::*;
use reident::attacks::linkage::{
    link, link_partitioned, parse_blocking_rules, parse_comparisons, LinkageConfig, LinkageResult,
    Partitioning, PriorSpec,
};
use reident::data::{load_table, CategoricalColumn, EncodedTable, MissingPolicy, ReadOptions};
use reident::eval::linkage::score_links;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/linkage")
        .join(name)
}

/// Everything a run returns, as comparable text: the serialized result,
/// the scored pairs with their weights (as bits), the links and the scores.
fn fingerprint(r: &LinkageResult) -> String {
    let weights: Vec<u64> = r.scored.weights.iter().map(|w| w.to_bits()).collect();
    format!(
        "{}\n{:?}\n{:?}\n{:?}\n{}",
        serde_json::to_string(r).unwrap(),
        r.scored.pairs,
        weights,
        r.scored.links,
        serde_json::to_string(&score_links(r).unwrap()).unwrap()
    )
}

fn adult400() -> (EncodedTable, EncodedTable, LinkageConfig) {
    let opts = ReadOptions::default();
    let missing = MissingPolicy::default();
    let load = |name: &str| load_table(&fixture(name), &[], &opts, &missing).unwrap();
    let original = load("adult400_original.csv");
    let release = load("adult400_release.csv");
    let mut config = LinkageConfig::new(
        parse_comparisons(
            "age:num(1,3);sex:exact;race:exact;marital-status:exact;education:exact;\
             native-country:exact;workclass:exact;occupation:exact",
        )
        .unwrap(),
        parse_blocking_rules("education & sex & race").unwrap(),
    );
    config.training_blocking =
        parse_blocking_rules("education & sex & race; occupation & marital-status").unwrap();
    config.prior = PriorSpec::Deterministic {
        rules: parse_blocking_rules("education & sex & race & age & workclass & native-country")
            .unwrap(),
        recall: 0.7,
    };
    config.u_sample_pairs = 5_000_000;
    config.truth = Some(("rec_id".into(), "rec_id".into()));
    (original, release, config)
}

fn run(o: &EncodedTable, r: &EncodedTable, c: &LinkageConfig, p: Partitioning) -> LinkageResult {
    link_partitioned(o, r, c, &HashMap::new(), p, &mut |_| {}).unwrap()
}

#[test]
fn adult_fixture_partials_equal_one_pass() {
    let (o, r, c) = adult400();
    let one = link(&o, &r, &c, &HashMap::new(), &mut |_| {}).unwrap();
    // The fixture's run is a real one: links, some correct, two EM sessions.
    let scores = score_links(&one).unwrap().unwrap();
    assert!(
        one.links > 100 && scores.f1 > 0.5,
        "{} links, F1 {}",
        one.links,
        scores.f1
    );
    assert_eq!(one.em_sessions.len(), 2);
    let want = fingerprint(&one);
    for parts in [1usize, 2, 7] {
        for seed in [1u64, 2, 3] {
            let got = run(&o, &r, &c, Partitioning::Random { parts, seed });
            assert_eq!(fingerprint(&got), want, "{parts} parts, seed {seed}");
        }
    }
    for rows in [1u64, 500, 5_000, u64::MAX] {
        let got = run(&o, &r, &c, Partitioning::PairsPerPart(rows));
        assert_eq!(fingerprint(&got), want, "partials of {rows} pairs");
    }
}

fn table(source: &str, cols: &[(&str, Vec<String>)]) -> EncodedTable {
    EncodedTable::new(
        source,
        cols.iter()
            .map(|(name, values)| {
                let v: Vec<&str> = values.iter().map(String::as_str).collect();
                CategoricalColumn::from_strs(name, &v)
            })
            .collect(),
    )
}

/// Seeded people: a name from a small pool (so blocks have several rows
/// and term frequencies differ), a ZIP code from a few, a birth year; the
/// release keeps each person with a typo in some names and a moved ZIP in
/// some rows, plus a few strangers.
fn people(n: usize, seed: u64) -> (EncodedTable, EncodedTable) {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |m: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s % m
    };
    let first = [
        "anna", "bert", "carla", "dieter", "emma", "felix", "greta", "hans",
    ];
    let last = ["meier", "schulz", "braun", "wolf", "klein"];
    let mut o: [Vec<String>; 4] = Default::default();
    let mut r: [Vec<String>; 4] = Default::default();
    for i in 0..n {
        let name = format!(
            "{} {}",
            first[next(first.len() as u64) as usize],
            last[next(last.len() as u64) as usize]
        );
        let zip = format!("{}", 10_000 + next(6));
        let year = format!("{}", 1950 + next(40));
        o[0].push(name.clone());
        o[1].push(zip.clone());
        o[2].push(year.clone());
        o[3].push(format!("p{i}"));
        let name = if next(4) == 0 {
            name.replacen('e', "a", 1)
        } else {
            name
        };
        let zip = if next(5) == 0 {
            format!("{}", 10_000 + next(6))
        } else {
            zip
        };
        let year = if next(10) == 0 { String::new() } else { year };
        r[0].push(name);
        r[1].push(zip);
        r[2].push(year);
        r[3].push(format!("p{i}"));
    }
    for i in 0..n / 5 {
        r[0].push(format!(
            "{} stranger",
            first[next(first.len() as u64) as usize]
        ));
        r[1].push(format!("{}", 10_000 + next(6)));
        r[2].push(format!("{}", 1950 + next(40)));
        r[3].push(format!("s{i}"));
    }
    let cols = |v: [Vec<String>; 4]| {
        let [a, b, c, d] = v;
        vec![("name", a), ("zip", b), ("year", c), ("id", d)]
    };
    (table("original", &cols(o)), table("release", &cols(r)))
}

fn people_config(blocking: &str) -> LinkageConfig {
    let mut c = LinkageConfig::new(
        parse_comparisons("name:jw(0.95,0.85)+tf;zip:exact;year:num(0,2)").unwrap(),
        parse_blocking_rules(blocking).unwrap(),
    );
    c.prior = PriorSpec::Given { lambda: 0.02 };
    c.u_sample_pairs = 2_000;
    c.truth = Some(("id".into(), "id".into()));
    c
}

#[test]
fn hand_made_cases_partials_equal_one_pass() {
    let (o, r) = people(60, 7);
    // No rule (one block per original row), two overlapping rules (a pair
    // both produce is kept by the first), a training rule outside them.
    let mut training = people_config("zip; year");
    training.training_blocking = parse_blocking_rules("prefix(2):name").unwrap();
    for config in [people_config(""), people_config("zip; year"), training] {
        let one = link(&o, &r, &config, &HashMap::new(), &mut |_| {}).unwrap();
        assert!(one.links > 10, "{} links", one.links);
        let want = fingerprint(&one);
        for parts in [1usize, 2, 7] {
            let got = run(&o, &r, &config, Partitioning::Random { parts, seed: 11 });
            assert_eq!(fingerprint(&got), want, "{parts} parts");
        }
        let got = run(&o, &r, &config, Partitioning::PairsPerPart(40));
        assert_eq!(fingerprint(&got), want, "partials of 40 pairs");
    }
    // A partitioning with no part is refused.
    let e = link_partitioned(
        &o,
        &r,
        &people_config("zip"),
        &HashMap::new(),
        Partitioning::Random { parts: 0, seed: 1 },
        &mut |_| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("at least one"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_splits_equal_one_pass(
        n in 5usize..50,
        data_seed in 1u64..1000,
        parts in 1usize..9,
        split_seed in 0u64..1000,
        rows in 1u64..200,
    ) {
        let (o, r) = people(n, data_seed);
        let config = people_config("zip; prefix(1):name & year");
        let one = link(&o, &r, &config, &HashMap::new(), &mut |_| {}).unwrap();
        let want = fingerprint(&one);
        let got = run(&o, &r, &config, Partitioning::Random { parts, seed: split_seed });
        prop_assert_eq!(fingerprint(&got), want.clone());
        let got = run(&o, &r, &config, Partitioning::PairsPerPart(rows));
        prop_assert_eq!(fingerprint(&got), want);
    }
}
