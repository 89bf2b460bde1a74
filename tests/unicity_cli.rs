//! `reident unicity` end to end on the bundled demo events.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use clap::Parser;
use reident::attacks::unicity::parse_timestamp;
use reident::cli::{run, Cli, Outcome};
use reident::data::{read_frame, ReadOptions};

const EVENTS: &str = "datasets/atlassian_demo/original/events.ndjson.gz";
const TRUTH: &str = "datasets/atlassian_demo/truth/user_map.csv";

fn run_cli(args: &[&str]) -> (Outcome, serde_json::Value) {
    let cli = Cli::try_parse_from(args).unwrap();
    let mut out = Vec::new();
    let outcome = run(cli, &mut out).unwrap();
    (outcome, serde_json::from_slice(&out).unwrap())
}

#[test]
fn unicity_and_trace_linkage_on_the_demo_match_brute_force() {
    // Release: every other event of each user (by file order), user replaced
    // by the HMAC pseudonym of truth/user_map.csv.
    let events = read_frame(EVENTS.as_ref(), &ReadOptions::default()).unwrap();
    let truth = read_frame(TRUTH.as_ref(), &ReadOptions::default()).unwrap();
    let login = truth.column("login").unwrap().str().unwrap();
    let pseudo = truth.column("pseudonym").unwrap().str().unwrap();
    let to_pseudo: HashMap<&str, &str> = login
        .iter()
        .zip(pseudo.iter())
        .map(|(l, p)| (l.unwrap(), p.unwrap()))
        .collect();
    let col = |n: &str| events.column(n).unwrap().str().unwrap().clone();
    let (user, ts, product, feature) = (
        col("user"),
        col("timestamp"),
        col("product"),
        col("feature"),
    );
    let dir = tempfile::tempdir().unwrap();
    let release_path = dir.path().join("release_events.ndjson");
    let mut file = std::fs::File::create(&release_path).unwrap();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    // Brute-force point sets: hourly bucket x (product, feature).
    let mut orig_sets: HashMap<String, HashSet<(i64, String, String)>> = HashMap::new();
    let mut rel_sets: HashMap<String, HashSet<(i64, String, String)>> = HashMap::new();
    for i in 0..events.height() {
        let u = user.get(i).unwrap();
        let point = (
            parse_timestamp(ts.get(i).unwrap())
                .unwrap()
                .div_euclid(3600),
            product.get(i).unwrap().to_string(),
            feature.get(i).unwrap().to_string(),
        );
        orig_sets
            .entry(u.to_string())
            .or_default()
            .insert(point.clone());
        let n = seen.entry(u).or_insert(0);
        *n += 1;
        if (*n).is_multiple_of(2) {
            let p = to_pseudo[u];
            rel_sets.entry(p.to_string()).or_default().insert(point);
            let line = serde_json::json!({
                "pseudonym": p, "timestamp": ts.get(i).unwrap(),
                "product": product.get(i).unwrap(), "feature": feature.get(i).unwrap(),
            });
            writeln!(file, "{line}").unwrap();
        }
    }
    drop(file);
    let (outcome, json) = run_cli(&[
        "reident",
        "unicity",
        "--events",
        EVENTS,
        "--points",
        "1,2,4",
        "--action-columns",
        "product,feature",
        "--bucket-seconds",
        "3600",
        "--release",
        release_path.to_str().unwrap(),
        "--release-user-column",
        "pseudonym",
        "--truth",
        TRUTH,
        "--seed",
        "5",
    ]);
    assert_eq!(outcome, Outcome::Success);
    let curve = &json["curves"][0];
    assert_eq!(curve["n_users"], 200);
    assert_eq!(curve["n_events"], 8350);
    // Brute-force linkage: most shared points, ties credited 1/t.
    let truth_map: HashMap<&str, &str> = to_pseudo.iter().map(|(l, p)| (*p, *l)).collect();
    let mut credit = 0.0;
    for (p, set) in &rel_sets {
        let scores: Vec<(&String, usize)> = orig_sets
            .iter()
            .map(|(u, o)| (u, set.intersection(o).count()))
            .collect();
        let best = scores.iter().map(|s| s.1).max().unwrap();
        let top: Vec<&&String> = scores
            .iter()
            .filter(|s| s.1 == best)
            .map(|s| &s.0)
            .collect();
        if best > 0 && top.iter().any(|u| u.as_str() == truth_map[p.as_str()]) {
            credit += 1.0 / top.len() as f64;
        }
    }
    let expected = credit / rel_sets.len() as f64;
    let linkage = &json["linkage"][0]["linkage"];
    assert_eq!(
        linkage["n_scored"].as_u64().unwrap() as usize,
        rel_sets.len()
    );
    assert!((linkage["accuracy"].as_f64().unwrap() - expected).abs() < 1e-12);
    // Monotone curve and a refutation threshold.
    let u: Vec<f64> = curve["curve"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["unicity"].as_f64().unwrap())
        .collect();
    assert!(u.windows(2).all(|w| w[0] <= w[1]));
    let (outcome, _) = run_cli(&[
        "reident",
        "unicity",
        "--events",
        EVENTS,
        "--points",
        "4",
        "--action-columns",
        "product,feature",
        "--max-unicity",
        "0.5",
    ]);
    assert_eq!(outcome, Outcome::Refuted);
}

/// `--engine partials:USERS` counts the anonymity sets as partials of a
/// few users each and prints the same curves (and linkage) as one pass; a
/// Spark address is refused with a message.
#[test]
fn partials_engine_prints_the_one_pass_report() {
    let base = [
        "reident",
        "unicity",
        "--events",
        EVENTS,
        "--points",
        "1,2,4",
        "--bucket-seconds",
        "3600,86400",
    ];
    let (_, one_pass) = run_cli(&base);
    assert!(
        one_pass["curves"][0]["curve"][2]["n_unique"]
            .as_u64()
            .unwrap()
            > 0
    );
    for users in ["1", "7", "1000000"] {
        let engine = format!("partials:{users}");
        let mut args = base.to_vec();
        args.extend(["--engine", engine.as_str()]);
        let (_, partials) = run_cli(&args);
        assert_eq!(partials, one_pass, "{engine}");
    }
    let mut args = base.to_vec();
    args.extend(["--engine", "spark://127.0.0.1:15002"]);
    let cli = Cli::try_parse_from(args).unwrap();
    // Nothing listens there: a connection error (with the `spark` feature)
    // or the note that this build has no Spark Connect (without it).
    let e = run(cli, &mut Vec::new()).unwrap_err().to_string();
    assert!(e.contains("Spark Connect"), "{e}");
}
