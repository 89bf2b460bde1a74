//! Every metric equals pyCANON 1.3.6's value on UCI Adult and on a generalized
//! Adult release, for several quasi-identifier sets.
//!
//! The fixtures were produced by pyCANON itself; the exact command, versions and
//! the definitions read from pyCANON's source are in
//! `tests/fixtures/pycanon/{README,DEFINITIONS}.md`. Where pyCANON departs from
//! the paper (recursive (c,l), enhanced beta, entropy-l truncation) the report
//! carries pyCANON's figure in its own field, which is what is compared here.

use std::path::{Path, PathBuf};

use reident::data::{self, MissingPolicy, ReadOptions};
use reident::privacy::{evaluate, MetricsParams, MetricsReport};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> Value {
    let text = std::fs::read_to_string(root().join("tests/fixtures/pycanon/adult_metrics.json"))
        .expect("fixture file");
    serde_json::from_str(&text).expect("fixture JSON")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

fn report(file: &Path, qis: &[String], sensitive: &[String], numeric: &[String]) -> MetricsReport {
    let mut columns: Vec<&str> = qis.iter().map(String::as_str).collect();
    columns.extend(sensitive.iter().map(String::as_str));
    let opts = ReadOptions {
        delimiter: Some(b';'),
        ..ReadOptions::default()
    };
    let table = data::load_table(file, &columns, &opts, &MissingPolicy::default()).unwrap();
    let mut params = MetricsParams::new(qis.iter().cloned()).sensitive(sensitive.iter().cloned());
    for n in numeric {
        params = params.numeric(n.clone());
    }
    evaluate(&table, &params).unwrap()
}

fn close(ours: f64, theirs: &Value, what: &str, case: &str) {
    let theirs = theirs
        .as_f64()
        .unwrap_or_else(|| panic!("{case}: {what} not a number"));
    let tol = 1e-9 * theirs.abs().max(1.0);
    assert!(
        (ours - theirs).abs() <= tol,
        "{case}: {what}: reident {ours} vs pyCANON {theirs}"
    );
}

/// The figures pyCANON reports for one case, computed from our reports:
/// `per_attribute` holds one report per sensitive attribute whose classes are
/// the ones pyCANON uses for that attribute (gen=True: the QIs; gen=False: the
/// QIs plus the other sensitive attributes).
struct Ours {
    k: u64,
    l: u64,
    entropy_l: u64,
    alpha: f64,
    basic_beta: f64,
    enhanced_beta: f64,
    delta: f64,
    t: f64,
    n_classes: u64,
}

fn ours_for_case(case: &Value) -> Ours {
    let file = root().join(case["file"].as_str().unwrap());
    let qis = strings(&case["quasi_identifiers"]);
    let sensitive = strings(&case["sensitive"]);
    let numeric: Vec<String> = sensitive
        .iter()
        .filter(|s| case["t_closeness_treated_as_numeric"][s.as_str()].as_bool() == Some(true))
        .cloned()
        .collect();
    if case["gen"].as_bool() == Some(true) {
        let r = report(&file, &qis, &sensitive, &numeric);
        let c = r.combined.as_ref().unwrap();
        Ours {
            k: r.k,
            l: c.l_distinct,
            entropy_l: c.entropy_l,
            alpha: c.alpha,
            basic_beta: c.basic_beta,
            enhanced_beta: c.enhanced_beta,
            delta: c.delta_ln,
            t: c.t,
            n_classes: r.n_classes,
        }
    } else {
        // gen=False: for attribute s the classes are over qi + (S \ {s}).
        let mut acc: Option<Ours> = None;
        let plain = report(&file, &qis, &sensitive, &numeric);
        for s in &sensitive {
            let mut q = qis.clone();
            q.extend(sensitive.iter().filter(|o| *o != s).cloned());
            let num: Vec<String> = numeric.iter().filter(|n| *n == s).cloned().collect();
            let r = report(&file, &q, std::slice::from_ref(s), &num);
            let m = &r.sensitive[0];
            let this = Ours {
                k: plain.k,
                l: m.l_distinct,
                entropy_l: m.entropy_l.l,
                alpha: m.alpha,
                basic_beta: m.basic_beta.beta,
                enhanced_beta: m.enhanced_beta,
                delta: m.delta_disclosure.delta_ln,
                t: m.t_pycanon,
                n_classes: plain.n_classes,
            };
            acc = Some(match acc {
                None => this,
                Some(a) => Ours {
                    k: a.k,
                    l: a.l.min(this.l),
                    entropy_l: a.entropy_l.min(this.entropy_l),
                    alpha: a.alpha.max(this.alpha),
                    basic_beta: a.basic_beta.max(this.basic_beta),
                    enhanced_beta: a.enhanced_beta.max(this.enhanced_beta),
                    delta: a.delta.max(this.delta),
                    t: a.t.max(this.t),
                    n_classes: a.n_classes,
                },
            });
        }
        acc.unwrap()
    }
}

#[test]
fn every_metric_matches_pycanon_on_adult() {
    let fx = fixtures();
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 10, "expected the full fixture set");
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let p = &case["pycanon"];
        let ours = ours_for_case(case);
        assert_eq!(ours.k, p["k_anonymity"].as_u64().unwrap(), "{id}: k");
        assert_eq!(
            ours.n_classes,
            p["sizes_ec"]["n_ec"].as_u64().unwrap(),
            "{id}: classes"
        );
        assert_eq!(
            ours.l,
            p["l_diversity"].as_u64().unwrap(),
            "{id}: distinct l"
        );
        assert_eq!(
            ours.entropy_l,
            p["entropy_l_diversity"].as_u64().unwrap(),
            "{id}: entropy l"
        );
        close(ours.alpha, &p["alpha_k_anonymity"]["alpha"], "alpha", id);
        close(ours.basic_beta, &p["basic_beta_likeness"], "basic beta", id);
        close(
            ours.enhanced_beta,
            &p["enhanced_beta_likeness"],
            "enhanced beta",
            id,
        );
        close(ours.delta, &p["delta_disclosure"], "delta", id);
        close(ours.t, &p["t_closeness"], "t", id);
    }
}

/// pyCANON's re-identification risk: `max_rir = 1/k` (our highest prosecutor
/// risk) and `average_rir`, the unweighted mean of `1/f_j` over classes,
/// computed here from our class-size histogram (our `success_rate` is ARX's
/// record-weighted average instead; see `privacy::risk`).
#[test]
fn risk_matches_pycanon_rir() {
    let fx = fixtures();
    for case in fx["cases"].as_array().unwrap() {
        if case["gen"].as_bool() != Some(true) {
            continue;
        }
        let id = case["id"].as_str().unwrap();
        let file = root().join(case["file"].as_str().unwrap());
        let qis = strings(&case["quasi_identifiers"]);
        let sensitive = strings(&case["sensitive"]);
        let r = report(&file, &qis, &sensitive, &[]);
        close(
            r.risk.prosecutor.highest_risk,
            &case["pycanon"]["max_rir"],
            "max_rir",
            id,
        );
        let class_mean = r
            .class_size_histogram
            .iter()
            .map(|b| b.n_classes as f64 / b.size as f64)
            .sum::<f64>()
            / r.n_classes as f64;
        close(
            class_mean,
            &case["pycanon"]["average_rir"],
            "average_rir",
            id,
        );
        // ARX's success rate: classes / records.
        let arx = r.n_classes as f64 / r.n_rows as f64;
        assert!((r.risk.prosecutor.success_rate - arx).abs() < 1e-12, "{id}");
    }
}

#[test]
fn recursive_c_matches_pycanon_where_pycanon_defines_it() {
    let fx = fixtures();
    let mut compared = 0;
    for case in fx["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let theirs = &case["pycanon"]["recursive_c_l_diversity"];
        if case["gen"].as_bool() != Some(true) || theirs.get("pycanon_raised").is_some() {
            continue;
        }
        let file = root().join(case["file"].as_str().unwrap());
        let qis = strings(&case["quasi_identifiers"]);
        let sensitive = strings(&case["sensitive"]);
        let r = report(&file, &qis, &sensitive, &[]);
        let c = r.combined.as_ref().unwrap();
        assert_eq!(
            c.recursive_c_pycanon,
            theirs["c"].as_u64(),
            "{id}: pyCANON's recursive c (null = NaN)"
        );
        if let Some(textbook) = case["diagnostics"]["recursive_c_textbook_descending"].as_u64() {
            assert_eq!(c.recursive_c, Some(textbook), "{id}: paper's recursive c");
        }
        compared += 1;
    }
    assert!(compared >= 8);
}
