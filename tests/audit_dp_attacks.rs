//! A `differential_privacy` claim checked against the identity attacks of
//! the same audit (`reident::eval::attack_epsilon`): the QI-join attack on
//! the Mondrian k=5 release of UCI Adult re-identifies about 7% of 30,162
//! rows, far more than any epsilon = 1 mechanism allows among 30,162
//! candidates, so a per-record claim that lists that attack (a vendor
//! claiming its whole pipeline per record) fails although the usage
//! aggregate's noise fit alone passes, and the evidence names the attack.
//! Without the list a per-record claim is about its own aggregate's records
//! only and the other datasets' attacks do not apply.

use std::path::Path;

use reident::audit::{run_audit, AuditConfig, AuditOptions};
use reident::eval::attack_epsilon::{epsilon_from_identity, IdentityOutcome, Neighbouring};
use reident::report::Verdict;

fn config(extra: &str) -> AuditConfig {
    let text = format!(
        r##"
title = "DP claim vs identity attacks"
[[table]]
name = "adult"
release = "datasets/adult/release/adult_mondrian_k5.csv.gz"
original = "datasets/adult/adult.csv"
delimiter = ";"
quasi_identifiers = ["sex", "age", "race", "marital-status", "education"]
truth = {{ original = "#row", release = "row_id" }}
[[aggregate]]
name = "usage"
original = "datasets/atlassian_demo/original/usage_counts.csv"
release = "datasets/atlassian_demo/release/usage_counts.csv"
keys = ["product", "feature", "week"]
kind = "sum"
value = "count"
release_value = "count"
sensitivity = 1.0
[[claim]]
kind = "differential_privacy"
aggregate = "usage"
epsilon = 1.0
unit = "record"
{extra}
"##
    );
    AuditConfig::from_toml(&text, "test config", Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn qi_join_refutes_a_per_record_claim_the_noise_fit_passes() {
    let before = run_audit(&config("attacks = []"), &AuditOptions::default(), &|_| {}).unwrap();
    let noise_only = &before.report.claims[0];
    assert_eq!(noise_only.verdict, Verdict::Pass, "{}", noise_only.evidence);

    // Not listed: the Adult rows are not the usage aggregate's records.
    let default = run_audit(&config(""), &AuditOptions::default(), &|_| {}).unwrap();
    assert_eq!(default.report.claims[0].verdict, Verdict::Pass);
    assert_eq!(default.report.claims[0].decided_by, noise_only.decided_by);

    let listed_qi = "attacks = [\"reidentification:adult\"]";
    let after = run_audit(&config(listed_qi), &AuditOptions::default(), &|_| {}).unwrap();
    let c = &after.report.claims[0];
    assert_eq!(c.verdict, Verdict::Fail, "{}", c.evidence);
    assert!(c
        .evidence
        .contains("QI-join re-identification of table `adult`"));
    assert!(c.evidence.contains("add/remove"));
    // The measured figure stays the noise fit's; the bound is in
    // `decided_by` ("... epsilon >= X at 95% ..."). About 7.3% of 30,162
    // rows right: near the hand-computed 3.885 below, a little lower at 95%.
    assert_eq!(c.measured, noise_only.measured);
    let bound = |d: &str| -> f64 {
        let at = d.find("epsilon >= ").unwrap() + "epsilon >= ".len();
        d[at..].split(' ').next().unwrap().parse().unwrap()
    };
    let measured = bound(&c.decided_by);
    assert!(measured > 3.0 && measured < 3.885, "{}", c.decided_by);

    // Under replace-one neighbours the bound doubles.
    let replace = run_audit(
        &config(&format!("{listed_qi}\nneighbouring = \"replace\"")),
        &AuditOptions::default(),
        &|_| {},
    )
    .unwrap();
    let r = bound(&replace.report.claims[0].decided_by);
    assert!((r - 2.0 * measured).abs() < 2e-3, "{r} vs {measured}");

    // A listed attack that did not run is a warning, not a silent pass.
    let listed = run_audit(
        &config("attacks = [\"document_linkage:issues\"]"),
        &AuditOptions::default(),
        &|_| {},
    )
    .unwrap();
    let l = &listed.report.claims[0];
    assert_eq!(l.verdict, Verdict::Pass);
    assert!(l.warnings.iter().any(|w| w.contains("did not run")));
}

#[test]
fn hand_computed_bound_for_a_qi_join_like_outcome() {
    // 2196 of 30162 rows right among 30162 candidates (a 7.28% rate):
    // point eps (add/remove) = ln(0.0728 * 30161 / 0.9272) / 2
    //   = ln(2368.6) / 2 = 3.885.
    let o = IdentityOutcome {
        attack: "qi".into(),
        correct: 2196.0,
        targets: 30162,
        candidates: 30162.0,
        chance: None,
    };
    let b = epsilon_from_identity(&o, Neighbouring::AddRemove, 0.95).unwrap();
    let s: f64 = 2196.0 / 30162.0;
    let want = (s * 30161.0 / (1.0 - s)).ln() / 2.0;
    assert!((b.epsilon_point - want).abs() < 1e-12);
    assert!((want - 3.885).abs() < 1e-3, "{want}");
    assert!(b.epsilon_lower < b.epsilon_point);
}

#[test]
fn a_claim_the_attack_does_not_refute_says_how_many_targets_would_and_charts_it() {
    let listed_qi = "attacks = [\"reidentification:adult\"]";
    let strict = run_audit(&config(listed_qi), &AuditOptions::default(), &|_| {}).unwrap();
    let decided_by = &strict.report.claims[0].decided_by;
    let at = decided_by.find("epsilon >= ").unwrap() + "epsilon >= ".len();
    let lower: f64 = decided_by[at..].split(' ').next().unwrap().parse().unwrap();
    let point = 3.885;

    // Between the 95% bound and the point value: not refuted by these 30,162
    // targets, refuted by more of the same attack.
    let between = (lower + point) / 2.0;
    // A second claim after the config's own (epsilon = 1, no attacks listed).
    let text = |eps: f64| {
        format!(
            "{listed_qi}\n[[claim]]\nkind = \"differential_privacy\"\naggregate = \"usage\"\nepsilon = {eps}\nunit = \"record\"\nattacks = [\"reidentification:adult\"]"
        )
    };
    let run = run_audit(&config(&text(between)), &AuditOptions::default(), &|_| {}).unwrap();
    let c = &run.report.claims[1];
    assert_eq!(c.verdict, Verdict::Pass, "{}", c.evidence);
    let at = c.evidence.find("with about ").unwrap() + "with about ".len();
    let needed: u64 = c.evidence[at..].split(' ').next().unwrap().parse().unwrap();
    assert!(needed > 30162, "{}", c.evidence);
    assert!(c.evidence.contains("(it had 30162)"), "{}", c.evidence);

    // Above the point value: no number of targets would refute it.
    let run = run_audit(&config(&text(5.0)), &AuditOptions::default(), &|_| {}).unwrap();
    let c = &run.report.claims[1];
    assert_eq!(c.verdict, Verdict::Pass, "{}", c.evidence);
    assert!(
        c.evidence.contains("no number of targets would refute it"),
        "{}",
        c.evidence
    );
    // One chart per claim checked against an attack, named after the
    // aggregate and the unit, numbered when two claims share both.
    let names: Vec<&str> = run.charts.iter().map(|c| c.name.as_str()).take(2).collect();
    assert_eq!(
        names,
        vec![
            "dp_usage_record_epsilon_vs_targets",
            "dp_usage_record_epsilon_vs_targets_2"
        ]
    );
    assert!(run.charts[1].caption.contains("no number of targets"));
}
