//! The joint pseudonym attack (`attacks::pseudonym_linkage`) and its scoring
//! (`eval::pseudonym_linkage`): hand-built cases whose answer is known by
//! construction, an adversarial case of pure noise, and real ASF Jira
//! comments pseudonymized with a seeded map (test setup; the attack never
//! sees the map).

use std::collections::BTreeMap;
use std::path::PathBuf;

use ndarray::array;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reident::attacks::pseudonym_linkage::signals::unsalted_digests;
use reident::attacks::pseudonym_linkage::{
    abstain, assign, experiment, fit_conditional_logit, margin_threshold, pseudonym_linkage, row_z,
    Document, ExperimentInput, ExperimentParams, Known, PseudonymLinkageParams, Release,
    SignalKind,
};
use reident::eval::pseudonym_linkage::{precision_coverage, score, score_experiment};

fn doc(text: &str) -> Document {
    Document {
        text: text.to_string(),
        ..Document::default()
    }
}

#[test]
fn only_the_fusion_resolves_all_four_and_a_tie_abstains() {
    // Signal A separates p2/c2 and p3/c3 but ties p0 and p1 between c0 and c1;
    // signal B does the opposite. Alone, each names two pseudonyms and
    // abstains on its ties; summed (equal weights), all four are named right.
    let a = array![
        [1.0, 1.0, 0.0, 0.0],
        [1.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0]
    ];
    let b = array![
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 1.0],
        [0.0, 0.0, 1.0, 1.0]
    ];
    let t = 1e-9;
    let named = |m: &ndarray::Array2<f64>| {
        let x = abstain(&row_z(m), t);
        (0..4)
            .filter(|&p| x.named[p])
            .map(|p| (p, x.assigned[p].unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(named(&a), vec![(2, 2), (3, 3)]);
    assert_eq!(named(&b), vec![(0, 0), (1, 1)]);
    let fused = row_z(&a) + row_z(&b);
    assert_eq!(named(&fused), vec![(0, 0), (1, 1), (2, 2), (3, 3)]);

    // Margins and authorship-k by hand. Row z of [1, 1, 0, 0]: mean 0.5, sd
    // 0.5 -> [1, 1, -1, -1]; row z of [1, 0, 0, 0]: mean 0.25, sd sqrt(3)/4
    // -> [sqrt 3, -1/sqrt 3, -1/sqrt 3, -1/sqrt 3]. Fused row 0:
    // [1 + sqrt 3, 1 - 1/sqrt 3, -1 - 1/sqrt 3, -1 - 1/sqrt 3]; margin
    // sqrt 3 + 1/sqrt 3 = 4/sqrt 3.
    let x = abstain(&fused, 2.0);
    assert!((x.margins[0] - 4.0 / 3f64.sqrt()).abs() < 1e-12);
    // Within 2 of the best: itself and c1 (4/sqrt 3 = 2.31 > 2 -> not).
    assert_eq!(x.authorship_k[0], 1);
    let x = abstain(&fused, 2.5);
    assert_eq!(x.authorship_k[0], 2);
    assert!(x.named.iter().all(|n| !n), "every margin is below 2.5");
}

#[test]
fn hungarian_beats_row_maxima_and_more_pseudonyms_than_candidates_work() {
    // Row maxima would give both pseudonyms candidate 0; the assignment
    // maximising the sum gives p0 -> c1 (0.9 + 1.0 > 1.0 + 0.2).
    let s = array![[1.0, 0.9], [1.0, 0.2]];
    let (a, m) = assign(&s);
    assert_eq!(a, vec![Some(1), Some(0)]);
    assert!((m[0] - (0.9 - 1.0)).abs() < 1e-12);
    assert!((m[1] - 0.8).abs() < 1e-12);
    // Three pseudonyms, two candidates: one stays unassigned.
    let s = array![[5.0, 0.0], [0.0, 5.0], [1.0, 1.0]];
    let (a, _) = assign(&s);
    assert_eq!(a, vec![Some(0), Some(1), None]);
}

#[test]
fn conditional_logit_weights_by_hand() {
    // One signal, two candidates, every pseudonym scores [1, 0]; the true
    // candidate is 0 for three pseudonyms and 1 for one. The likelihood is
    // s^3 (1 - s) with s = 1 / (1 + e^-w), maximal at s = 3/4: w = ln 3.
    let x = vec![array![[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]];
    let w = fit_conditional_logit(&x, &[0, 0, 0, 1], 0.0);
    assert!((w[0] - 3f64.ln()).abs() < 1e-9, "{w:?}");
    // An L2 penalty shrinks it: the gradient 3 - 4 s(w) = l2 w has its root
    // below ln 3 (for l2 = 1: w = 0.3677..., solved by bisection by hand).
    let w1 = fit_conditional_logit(&x, &[0, 0, 0, 1], 1.0)[0];
    let s = 1.0 / (1.0 + (-w1).exp());
    assert!((3.0 - 4.0 * s - w1).abs() < 1e-9 && w1 > 0.0 && w1 < 3f64.ln());
    // A signal that points at the wrong candidate more often than not gets a
    // negative weight (one of three chose the candidate scoring 1: s = 1/3,
    // w = -ln 2); a signal constant over a pseudonym's candidates carries no
    // information and keeps weight 0.
    let x = vec![
        array![[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]],
        array![[5.0, 5.0], [2.0, 2.0], [1.0, 1.0]],
    ];
    let w = fit_conditional_logit(&x, &[1, 1, 0], 1e-12);
    assert!((w[0] + 2f64.ln()).abs() < 1e-9, "{w:?}");
    assert!(w[1].abs() < 1e-12);
}

#[test]
fn margin_threshold_and_precision_at_coverage_by_hand() {
    // Simulated assignments ranked by margin: 9 right, 8 right, 7 wrong,
    // 6 right, 5 wrong. Precision after each: 1, 1, 2/3, 3/4, 3/5.
    let assigned = vec![Some(0), Some(1), Some(0), Some(3), Some(2)];
    let margins = [9.0, 8.0, 7.0, 6.0, 5.0];
    let truth = [0, 1, 2, 3, 4];
    assert_eq!(margin_threshold(&assigned, &margins, &truth, 0.95), 8.0);
    assert_eq!(margin_threshold(&assigned, &margins, &truth, 0.75), 6.0);
    // No prefix reaches precision 1 when the top one is wrong: abstain on all.
    let t = margin_threshold(&[Some(1)], &[3.0], &[0], 0.95);
    assert!(t > 3.0);

    let truth: Vec<Option<usize>> = truth.iter().map(|&t| Some(t)).collect();
    let c = precision_coverage(&assigned, &margins, &truth, 0.95).unwrap();
    let got: Vec<(usize, usize)> = c.iter().map(|p| (p.named, p.correct)).collect();
    assert_eq!(got, vec![(1, 1), (2, 2), (3, 2), (4, 3), (5, 3)]);
    assert!((c[3].precision - 0.75).abs() < 1e-12);
    assert!((c[3].coverage - 0.8).abs() < 1e-12);
    // Wilson interval of 3/4 at 95% (z = 1.959964): centre
    // (0.75 + z^2/8) / (1 + z^2/4) = 0.6279, half-width 0.3355 -> [0.3006, 0.9544].
    assert!((c[3].precision_interval.low - 0.3006).abs() < 1e-3);
    assert!((c[3].precision_interval.high - 0.9544).abs() < 1e-3);
}

/// `n` candidates, each with `k` known documents and a release pseudonym
/// with `r` documents; `text(c, i)` writes candidate c's i-th document.
fn world(
    n: usize,
    k: usize,
    r: usize,
    text: &mut dyn FnMut(usize, usize) -> Document,
) -> (Known, Release) {
    let mut known = Known {
        candidates: (0..n).map(|c| format!("person{c:02}")).collect(),
        identifiers: (0..n)
            .map(|c| vec![format!("person{c:02}@example.com")])
            .collect(),
        ..Known::default()
    };
    let mut release = Release {
        // Pseudonym p is candidate (p * 7 + 3) % n: a fixed shuffle.
        pseudonyms: (0..n).map(|p| format!("x{p:02}")).collect(),
        ..Release::default()
    };
    for c in 0..n {
        for i in 0..k {
            known.documents.push(text(c, i));
            known.author.push(c);
        }
    }
    for p in 0..n {
        let c = (p * 7 + 3) % n;
        for i in 0..r {
            release.documents.push(text(c, k + i));
            release.pseudonym.push(p);
        }
    }
    (known, release)
}

#[test]
fn an_unsalted_hash_names_its_pseudonym_and_rare_tokens_name_the_rest() {
    let n = 10;
    let (mut known, mut release) = world(n, 4, 2, &mut |c, i| {
        doc(&format!(
            "the build failed again on node zq{c}marker today, see log {i} for the details and retry"
        ))
    });
    // The originals carry each author's e-mail (as a commit does); the
    // release hashes it (unsalted SHA-256) for pseudonym 0 (candidate 3) only.
    for (d, &c) in known.documents.iter_mut().zip(&known.author) {
        d.fields.push(format!("person{c:02}@example.com"));
    }
    let digest = unsalted_digests("person03@example.com")[2].clone();
    for (d, &p) in release.documents.iter_mut().zip(&release.pseudonym) {
        if p == 0 {
            d.fields.push(digest.clone());
        }
    }
    let params = PseudonymLinkageParams {
        signals: vec![SignalKind::Identifiers, SignalKind::RareTokens],
        ..PseudonymLinkageParams::default()
    };
    let (attack, _) = pseudonym_linkage(&known, &release, &params).unwrap();
    let truth: Vec<Option<usize>> = (0..n).map(|p| Some((p * 7 + 3) % n)).collect();
    let s = score(&attack, &truth, 0.95, 0.95).unwrap();
    assert_eq!(s.fused.correct_top1, n);
    assert_eq!(s.fused.named_at_precision, n);
    let id = s.signals.iter().find(|x| x.name == "identifiers").unwrap();
    // The hash names pseudonym 0 alone; with the other rows constant the
    // identifier signal has no other margin.
    assert_eq!(id.curve.first().map(|p| (p.named, p.correct)), Some((1, 1)));
    let rare = s.signals.iter().find(|x| x.name == "rare_tokens").unwrap();
    assert_eq!(rare.correct_top1, n);
    // Both signals ran and carry positive weight.
    assert!(attack.signals.iter().all(|r| r.weight.unwrap() > 0.0));
}

#[test]
fn pure_noise_names_almost_nobody_at_95_percent_precision() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let vocab: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
    let groups = ["A", "B", "C", "D"];
    let n = 40;
    let (known, release) = world(n, 6, 3, &mut |_, _| {
        let words: Vec<&str> = (0..30)
            .map(|_| vocab.choose(&mut rng).unwrap().as_str())
            .collect();
        Document {
            text: words.join(" "),
            time: Some(1_600_000_000 + rng.gen_range(0..30_000_000)),
            group: Some(groups.choose(&mut rng).unwrap().to_string()),
            fields: Vec::new(),
        }
    });
    let (attack, fitted) =
        pseudonym_linkage(&known, &release, &PseudonymLinkageParams::default()).unwrap();
    let truth: Vec<Option<usize>> = (0..n).map(|p| Some((p * 7 + 3) % n)).collect();
    let s = score(&attack, &truth, 0.95, 0.95).unwrap();
    // By chance the top-ranked pseudonym may be right (p = 1/40 each): the
    // oracle cut can name one or two, not many.
    assert!(
        s.fused.named_at_precision <= 2,
        "{}",
        s.fused.named_at_precision
    );
    // The attacker's own threshold, learned on its known writing, abstains.
    assert!(s.attacker_named <= 2, "{}", s.attacker_named);
    assert!(fitted.threshold() > 0.0);
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jira_comments/comments.jsonl.gz")
}

struct Comment {
    id: String,
    author: String,
    created: String,
    issue: String,
    body: String,
}

fn comments() -> Vec<Comment> {
    use std::io::{BufRead, BufReader};
    let f = std::fs::File::open(fixture()).unwrap();
    BufReader::new(flate2::read::GzDecoder::new(f))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.unwrap()).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            Comment {
                id: s("comment_id"),
                author: s("author"),
                created: s("created"),
                issue: s("issue_key"),
                body: s("body"),
            }
        })
        .collect()
}

#[test]
fn real_jira_comments_fusion_names_more_than_any_single_signal() {
    let rows = comments();
    assert_eq!(rows.len(), 1045);
    // Test setup: a seeded pseudonym per author (the attack gets only the release).
    let mut authors: Vec<&str> = rows.iter().map(|r| r.author.as_str()).collect();
    authors.sort_unstable();
    authors.dedup();
    let mut codes: Vec<usize> = (0..authors.len()).collect();
    codes.shuffle(&mut ChaCha8Rng::seed_from_u64(7));
    let map: BTreeMap<&str, String> = authors
        .iter()
        .zip(codes)
        .map(|(a, c)| (*a, format!("user_{c:03}")))
        .collect();
    let docs: Vec<Document> = rows
        .iter()
        .map(|r| Document {
            text: r.body.clone(),
            time: reident::attacks::unicity::parse_timestamp(&r.created),
            group: r.issue.split_once('-').map(|(p, _)| p.to_string()),
            fields: Vec::new(),
        })
        .collect();
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let originals: Vec<Option<String>> = rows.iter().map(|r| Some(r.author.clone())).collect();
    let pseudonyms: Vec<Option<String>> = rows
        .iter()
        .map(|r| Some(map[r.author.as_str()].clone()))
        .collect();
    let e = experiment(
        &ExperimentInput {
            original_ids: &ids,
            original_authors: &originals,
            original: &docs,
            release_ids: &ids,
            release_pseudonyms: &pseudonyms,
            release: &docs,
            identifiers: &BTreeMap::new(),
            qi_compatible: &BTreeMap::new(),
        },
        &ExperimentParams {
            known_share: 0.5,
            min_documents: 4,
            pooling_sizes: vec![1, 2, 4],
            attack: PseudonymLinkageParams::default(),
        },
    )
    .unwrap();
    let s = score_experiment(&e, 0.95, 0.95).unwrap();
    // The figures of README / benches/README (`-- --nocapture` shows them).
    for a in std::iter::once(&s.fused).chain(&s.signals) {
        eprintln!(
            "{:<17} named at 95% precision {:>2} of {} ({:.3} [{:.3}, {:.3}]), top-1 correct {}",
            a.name,
            a.named_at_precision,
            s.pseudonyms,
            a.share_at_precision,
            a.share_interval.low,
            a.share_interval.high,
            a.correct_top1
        );
    }
    eprintln!(
        "attacker's threshold names {} ({} correct); median authorship-k {:?}; pooling {:?}",
        s.attacker_named, s.attacker_correct, s.median_authorship_k, s.pooling
    );
    assert_eq!(s.pseudonyms, 68);
    assert_eq!(s.with_truth, 68);
    let best = s.best_single().unwrap();
    // Issue #17's "done means": the fusion names more than any signal alone
    // (seed 42: 9 against activity_groups' 8).
    assert!(
        s.fused.named_at_precision > best.named_at_precision,
        "fused {} <= {} {}",
        s.fused.named_at_precision,
        best.name,
        best.named_at_precision
    );
    assert!(s.fused.named_at_precision > 0);
    assert!(s.fused.correct_top1 >= best.correct_top1);
    // The pooling curve covers every pseudonym at one document each.
    assert_eq!(s.pooling.first().map(|p| (p.0, p.1)), Some((1, 68)));
}

#[test]
fn qi_join_signal_scores_the_compatible_candidates() {
    // Eight candidates with the same text-free activity (nothing but the QI
    // join can tell them apart). The release users table leaves pseudonym
    // p's true candidate alone for p = 0..3 (|S| = 1) and in a pair for
    // p = 4..7 ({4, 5} and {6, 7}, in truth order), built by construction.
    let n = 8;
    let (known, mut release) = world(n, 4, 2, &mut |_, i| doc(&format!("same words {i}")));
    let truth: Vec<usize> = (0..n).map(|p| (p * 7 + 3) % n).collect();
    for (p, &t) in truth.iter().enumerate() {
        let set = if p < 4 {
            vec![t]
        } else {
            // The pair of pseudonyms 4/5 and 6/7 share their two candidates.
            let q = if p % 2 == 0 { p + 1 } else { p - 1 };
            let mut s = vec![t, truth[q]];
            s.sort_unstable();
            s
        };
        release
            .qi_compatible
            .insert(release.pseudonyms[p].clone(), set);
    }
    let params = PseudonymLinkageParams {
        signals: vec![SignalKind::QiJoin],
        ..PseudonymLinkageParams::default()
    };
    let (attack, fitted) = pseudonym_linkage(&known, &release, &params).unwrap();
    assert_eq!(fitted.signals(), vec![SignalKind::QiJoin]);
    assert!(fitted.weights()[0] > 0.0, "{:?}", fitted.weights());
    let qi = attack
        .signals
        .iter()
        .find(|r| r.kind == SignalKind::QiJoin)
        .unwrap();
    // Raw score ln(8/1) = 2.079 for a lone candidate: its row z-score is
    // sqrt(7) = 2.6458 against -1/sqrt(7) for the others, margin
    // 8/sqrt(7) = 3.0237. A pair: ln(8/2) on two of eight -> z = sqrt(3)
    // for both, margin 0 (a tie, never named).
    for (p, &t) in truth.iter().enumerate().take(4) {
        assert_eq!(qi.assigned[p], Some(t));
        assert!((qi.margins[p] - 8.0 / 7f64.sqrt()).abs() < 1e-9);
    }
    assert!(qi.margins[4..].iter().all(|m| m.abs() < 1e-12));
    let truth_opt: Vec<Option<usize>> = truth.iter().map(|&t| Some(t)).collect();
    let s = score(&attack, &truth_opt, 0.95, 0.95).unwrap();
    let q = s.signals.iter().find(|x| x.name == "qi_join").unwrap();
    assert_eq!(q.named_at_precision, 4);

    // Without the users table the signal does not run, saying why.
    release.qi_compatible.clear();
    let (attack, _) = pseudonym_linkage(&known, &release, &params).unwrap();
    let run = attack
        .signals
        .iter()
        .find(|r| r.kind == SignalKind::QiJoin)
        .unwrap();
    assert!(run.skipped.as_deref().unwrap().contains("users table"));
}

#[test]
fn compatible_originals_reads_generalized_values_as_the_qi_join_does() {
    use reident::attacks::linkage::qi_join::{compatible_originals, qi_join};
    use reident::data::{CategoricalColumn, EncodedTable};
    use std::collections::HashMap;
    // Originals: ages 25, 34, 38, 52 in teams A, A, B, A. Release rows: age
    // [30-40) team A -> only row 1 (34, A); age [20-60) team A -> rows 0, 1, 3;
    // age * team B -> row 2.
    let original = EncodedTable::new(
        "original",
        vec![
            CategoricalColumn::from_strs("age", &["25", "34", "38", "52"]),
            CategoricalColumn::from_strs("team", &["A", "A", "B", "A"]),
        ],
    );
    let release = EncodedTable::new(
        "release",
        vec![
            CategoricalColumn::from_strs("age", &["[30-40)", "[20-60)", "*"]),
            CategoricalColumn::from_strs("team", &["A", "A", "B"]),
        ],
    );
    let qis = vec!["age".to_string(), "team".to_string()];
    let none = HashMap::new();
    let sets = compatible_originals(&original, &release, &qis, &none, &HashMap::new()).unwrap();
    assert_eq!(sets, vec![vec![1], vec![0, 1, 3], vec![2]]);
    // The same sizes as the QI-join attack's candidate counts.
    let counts: Vec<u64> = qi_join(&original, &release, &qis, &none, &HashMap::new(), None)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.candidates)
        .collect();
    assert_eq!(counts, vec![1, 3, 1]);
}

#[test]
fn qi_join_config_takes_a_tables_settings_and_names_a_missing_one() {
    use reident::audit::AuditConfig;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets");
    let text = std::fs::read_to_string(root.join("audit-demo.toml")).unwrap();
    let config = AuditConfig::from_toml(&text, "audit-demo.toml", &root).unwrap();
    let comments = config
        .corpora
        .iter()
        .find(|c| c.name == "comments")
        .unwrap();
    let q = comments
        .pseudonym_linkage
        .as_ref()
        .and_then(|s| s.qi_join.as_ref())
        .unwrap();
    assert_eq!(
        q.quasi_identifiers,
        [
            "team",
            "role_family",
            "region",
            "utc_offset_band",
            "tenure",
            "seniority"
        ]
    );
    assert!(q.release.as_ref().unwrap().ends_with("release/users.csv"));
    assert!(q
        .original
        .as_ref()
        .unwrap()
        .ends_with("original/users.ndjson.gz"));
    assert_eq!(q.hierarchies.len(), 4);
    assert_eq!(q.original_columns["role_family"], "role");
    assert_eq!(
        (q.release_key.as_str(), q.original_key.as_str()),
        ("user", "login")
    );

    let bad = text.replacen(
        r#"qi_join = { table = "users", release_key = "user", original_key = "login" }"#,
        r#"qi_join = { table = "staff", release_key = "user" }"#,
        1,
    );
    assert_ne!(bad, text);
    let err = AuditConfig::from_toml(&bad, "audit-demo.toml", &root)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`pseudonym_linkage.qi_join.table` = `staff` names no [[table]]"),
        "{err}"
    );
}
