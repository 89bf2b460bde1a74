//! Fellegi-Sunter linkage out of core (`reident::engine::link_out_of_core`,
//! `reident link --memory`): two files read in chunks, rows spilled to hash
//! partitions per blocking rule, blocking, comparing, EM counts and scoring
//! per partition. Tiny budgets (many partitions, chunks of a few rows) give
//! exactly the in-memory result of `attacks::linkage::link`: the same
//! serialized result (model, m/u, lambda, EM sessions, links, explanations),
//! the same blocked pairs in the same order with bit-equal weights and the
//! same scores (F1, rates, PR curve). On hand-made tables (values
//! hand-checked), on the repo's Adult linkage fixture (a training rule
//! outside the prediction rule, a deterministic prior), on generated people
//! from `benches/make_linkage_data.py` (the benchmark's model with
//! term-frequency levels), on CSV, NDJSON and Parquet inputs and on random
//! tables (proptest). Also: a bad row mid-file is named by file and line,
//! the spill folder is gone afterwards (also after an error), and what
//! cannot run out of core is refused with the reason.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use reident::attacks::linkage::{
    link, parse_blocking_rules, parse_comparisons, AssignmentMethod, LinkageConfig, LinkageResult,
    PriorSpec,
};
use reident::data::{load_table, MissingPolicy, ReadOptions};
use reident::engine::link_out_of_core::{link_files, LinkOutOfCoreSummary};
use reident::engine::{MemoryBudget, OutOfCore};
use reident::eval::linkage::score_links;

fn fixture(name: &str) -> PathBuf {
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

fn in_memory(original: &Path, release: &Path, config: &LinkageConfig) -> LinkageResult {
    let opts = ReadOptions::default();
    let missing = MissingPolicy::default();
    let o = load_table(original, &[], &opts, &missing).unwrap();
    let r = load_table(release, &[], &opts, &missing).unwrap();
    link(&o, &r, config, &HashMap::new(), &mut |_| {}).unwrap()
}

fn settings(budget: u64, chunk_rows: usize, partitions: usize, temp: &Path) -> OutOfCore {
    let mut s = OutOfCore::new(MemoryBudget(budget));
    s.chunk_rows = Some(chunk_rows);
    s.partitions = partitions;
    s.temp_dir = Some(temp.to_path_buf());
    s
}

fn out_of_core(
    original: &Path,
    release: &Path,
    config: &LinkageConfig,
    settings: &OutOfCore,
) -> Result<(LinkageResult, LinkOutOfCoreSummary), reident::engine::EngineError> {
    link_files(
        original,
        release,
        config,
        &HashMap::new(),
        &ReadOptions::default(),
        &MissingPolicy::default(),
        settings,
        &mut |_| {},
    )
}

fn assert_empty_dir(dir: &Path) {
    let left: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "spill files left behind: {left:?}");
}

/// Runs `config` out of core under each of `runs` (budget, chunk rows,
/// partitions) and checks every run against the in-memory result.
fn check_equal(
    original: &Path,
    release: &Path,
    config: &LinkageConfig,
    runs: &[(u64, usize, usize)],
) -> LinkageResult {
    let want = in_memory(original, release, config);
    let temp = tempfile::tempdir().unwrap();
    for &(budget, chunk_rows, partitions) in runs {
        let (got, summary) = out_of_core(
            original,
            release,
            config,
            &settings(budget, chunk_rows, partitions, temp.path()),
        )
        .unwrap();
        assert_eq!(
            fingerprint(&got),
            fingerprint(&want),
            "budget {budget}, chunks of {chunk_rows}, {partitions} partitions"
        );
        assert!(summary.partitions >= partitions, "{summary:?}");
        assert!(summary.spill_files > 0 && summary.spilled_bytes > 0);
        assert_empty_dir(temp.path());
    }
    want
}

/// A hand-made pair of tables: five people, the release with a typo, a
/// missing zip, a suppressed name and a moved zip.
fn hand_made(dir: &Path) -> (PathBuf, PathBuf) {
    let original = dir.join("original.csv");
    let release = dir.join("release.csv");
    std::fs::write(
        &original,
        "id,name,zip,age\n\
         1,ann smith,02139,34\n\
         2,bob jones,02139,51\n\
         3,cyd brown,02140,27\n\
         4,dan white,02141,62\n\
         5,eve black,02141,45\n",
    )
    .unwrap();
    std::fs::write(
        &release,
        "id,name,zip,age\n\
         1,ann smyth,02139,35\n\
         2,bob jones,,51\n\
         3,*,02140,27\n\
         4,dan white,02142,62\n\
         5,eve black,02141,44\n",
    )
    .unwrap();
    (original, release)
}

#[test]
fn hand_made_tables_out_of_core_equal_in_memory_and_the_hand_count() {
    let dir = tempfile::tempdir().unwrap();
    let (original, release) = hand_made(dir.path());
    let mut config = LinkageConfig::new(
        parse_comparisons("name:jw(0.92,0.8);zip:exact;age:num(1,5)").unwrap(),
        parse_blocking_rules("zip; prefix(1):name").unwrap(),
    );
    config.prior = PriorSpec::Given { lambda: 0.2 };
    config.truth = Some(("id".into(), "id".into()));
    let want = check_equal(
        &original,
        &release,
        &config,
        &[(1, 1, 1), (1, 1, 7), (64, 2, 3), (1 << 20, 100, 1)],
    );
    // By hand. Rule `zip`: 02139 {o1, o2} x {r1} = 2 pairs, 02140 {o3} x
    // {r3} = 1, 02141 {o4, o5} x {r5} = 2 (r2 has no zip, r4 moved to
    // 02142): 5. Rule `prefix(1):name`: a {o1} x {r1} (already by zip), b
    // {o2} x {r2} (new), d {o4} x {r4} (new), e {o5} x {r5} (already): 2
    // new pairs (r3's name is suppressed). 7 pairs in all.
    assert_eq!(want.pairs_compared, 7);
    assert_eq!(want.blocking[0].pairs, 5);
    assert_eq!(want.blocking[0].blocks, 3);
    assert_eq!(want.blocking[1].pairs, 4);
    let scores = score_links(&want).unwrap().unwrap();
    assert_eq!(scores.true_pairs, 5);
    assert_eq!(scores.true_pairs_blocked, 5);
    assert!(want.links >= 4, "{}", want.links);
}

#[test]
fn hand_made_csv_ndjson_parquet_inputs_give_the_csv_result() {
    let dir = tempfile::tempdir().unwrap();
    let (original, release) = hand_made(dir.path());
    let mut config = LinkageConfig::new(
        parse_comparisons("name:jw(0.92,0.8)+tf;zip:exact;age:num(1,5)").unwrap(),
        parse_blocking_rules("zip; prefix(1):name").unwrap(),
    );
    config.prior = PriorSpec::Given { lambda: 0.2 };
    config.truth = Some(("id".into(), "id".into()));
    let want = in_memory(&original, &release, &config);
    // The release as NDJSON (the empty zip as null) and as Parquet in row
    // groups of two rows.
    let text = std::fs::read_to_string(&release).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let ndjson = dir.path().join("release.ndjson");
    let mut lines = String::new();
    for r in &rows {
        let zip = if r[2].is_empty() {
            "null".to_string()
        } else {
            format!("\"{}\"", r[2])
        };
        lines.push_str(&format!(
            "{{\"id\":\"{}\",\"name\":\"{}\",\"zip\":{zip},\"age\":\"{}\"}}\n",
            r[0], r[1], r[3]
        ));
    }
    std::fs::write(&ndjson, lines).unwrap();
    let parquet = dir.path().join("release.parquet");
    {
        use polars::prelude::*;
        let col = |i: usize| -> Vec<Option<String>> {
            rows.iter()
                .map(|r| (!r[i].is_empty()).then(|| r[i].clone()))
                .collect()
        };
        let mut frame =
            df!("id" => col(0), "name" => col(1), "zip" => col(2), "age" => col(3)).unwrap();
        let file = std::fs::File::create(&parquet).unwrap();
        ParquetWriter::new(file)
            .with_row_group_size(Some(2))
            .finish(&mut frame)
            .unwrap();
    }
    let temp = tempfile::tempdir().unwrap();
    for path in [&release, &ndjson, &parquet] {
        let (got, _) =
            out_of_core(&original, path, &config, &settings(1, 1, 5, temp.path())).unwrap();
        // The source names differ; everything else is the CSV run's.
        let mut got = got;
        got.config = want.config.clone();
        assert_eq!(fingerprint(&got), fingerprint(&want), "{}", path.display());
        assert_empty_dir(temp.path());
    }
}

/// The repo's Adult fixture with the Splink-checked configuration: a
/// training rule outside the prediction rule (its own EM session), a
/// deterministic prior.
fn adult400_config() -> LinkageConfig {
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
    config
}

#[test]
fn adult_fixture_out_of_core_equals_in_memory() {
    let config = adult400_config();
    let want = check_equal(
        &fixture("adult400_original.csv"),
        &fixture("adult400_release.csv"),
        &config,
        &[
            (1, 7, 1),
            (1, 50, 16),
            (4 << 10, 64, 64),
            (1 << 30, 1000, 1),
        ],
    );
    // A real run: links, most correct, two EM sessions.
    let scores = score_links(&want).unwrap().unwrap();
    assert!(want.links > 100 && scores.f1 > 0.5, "{}", scores.f1);
    assert_eq!(want.em_sessions.len(), 2);
    // Greedy and no assignment too, and a u sample smaller than the pairs.
    for assignment in [AssignmentMethod::Greedy, AssignmentMethod::None] {
        let mut c = config.clone();
        c.assignment = assignment;
        c.u_sample_pairs = 1_000;
        c.seed = 7;
        check_equal(
            &fixture("adult400_original.csv"),
            &fixture("adult400_release.csv"),
            &c,
            &[(1, 13, 5)],
        );
    }
    // The 2,000-row fixture, with two prediction rules whose pairs overlap.
    let mut c = config.clone();
    c.blocking = parse_blocking_rules("education & sex & race; occupation & age").unwrap();
    c.training_blocking = Vec::new();
    c.u_sample_pairs = 100_000;
    check_equal(
        &fixture("adult_original.csv"),
        &fixture("adult_release.csv"),
        &c,
        &[(16 << 10, 200, 8)],
    );
}

/// The benchmark's model (benches/README.md section 5) on 500 generated
/// people: Jaro-Winkler and date levels, three term-frequency levels, three
/// overlapping prediction rules, two training rules, a deterministic prior.
fn people_config() -> LinkageConfig {
    let mut config = LinkageConfig::new(
        parse_comparisons(
            "first_name:jw(0.92,0.8)+tf;surname:jw(0.92,0.8)+tf;dob:date(1,31);gender:exact;\
             city:exact+tf;zip:exact;email:jw(0.88)",
        )
        .unwrap(),
        parse_blocking_rules("first_name & surname; dob; zip & surname").unwrap(),
    );
    config.training_blocking = parse_blocking_rules("first_name & surname; dob").unwrap();
    config.prior = PriorSpec::Deterministic {
        rules: parse_blocking_rules("first_name & surname & dob").unwrap(),
        recall: 0.6,
    };
    config.truth = Some(("id".into(), "id".into()));
    config
}

#[test]
fn generated_people_with_term_frequencies_out_of_core_equal_in_memory() {
    let config = people_config();
    let want = check_equal(
        &fixture("people500_original.csv"),
        &fixture("people500_release.csv"),
        &config,
        &[(1, 37, 3), (8 << 10, 100, 32), (1 << 30, 1000, 1)],
    );
    let scores = score_links(&want).unwrap().unwrap();
    assert!(scores.f1 > 0.9, "{}", scores.f1);
    // The term-frequency adjustment is really used in the explanations.
    assert!(want
        .explained_links
        .iter()
        .flat_map(|l| &l.contributions)
        .any(|c| c.tf_adjustment != 0.0));
    // `#row` as the truth key (the originals' row numbers) works the same way.
    let mut c = config.clone();
    c.truth = Some(("#row".into(), "id".into()));
    c.assignment = AssignmentMethod::Greedy;
    check_equal(
        &fixture("people500_original.csv"),
        &fixture("people500_release.csv"),
        &c,
        &[(1, 100, 4)],
    );
}

#[test]
fn a_bad_row_mid_file_is_named_by_file_and_line_and_leaves_no_spill() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("original.csv");
    let release = dir.path().join("broken.csv");
    let mut o = String::from("id,name,zip\n");
    let mut r = String::from("id,name,zip\n");
    // More than one 4 MB block of the parallel reader, so chunks are handed
    // over before it gives up and the sequential reader starts again.
    for i in 0..300_000 {
        o.push_str(&format!("{i},person {},{}\n", i % 977, 10000 + i % 501));
        r.push_str(&format!("{i},person {},{}\n", i % 977, 10000 + i % 501));
    }
    r.push_str("300000,no zip\n"); // line 300002: two fields instead of three
    for i in 0..100 {
        r.push_str(&format!("{i},person,11111\n"));
    }
    std::fs::write(&original, o).unwrap();
    std::fs::write(&release, r).unwrap();
    let temp = dir.path().join("spill");
    std::fs::create_dir(&temp).unwrap();
    let mut config = LinkageConfig::new(
        parse_comparisons("name:exact").unwrap(),
        parse_blocking_rules("zip").unwrap(),
    );
    config.max_pairs = u64::MAX;
    let e = out_of_core(
        &original,
        &release,
        &config,
        &settings(4 << 20, 50_000, 4, &temp),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("broken.csv"), "{e}");
    assert!(e.contains("300002"), "{e}");
    assert_empty_dir(&temp);
}

#[test]
fn the_pair_cap_and_missing_columns_fail_as_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (original, release) = hand_made(dir.path());
    let temp = dir.path().join("spill");
    std::fs::create_dir(&temp).unwrap();
    let mut config = LinkageConfig::new(
        parse_comparisons("name:exact").unwrap(),
        parse_blocking_rules("zip").unwrap(),
    );
    config.max_pairs = 4;
    let e = out_of_core(&original, &release, &config, &settings(1, 2, 3, &temp))
        .unwrap_err()
        .to_string();
    assert!(e.contains("5 pairs, above the cap of 4"), "{e}");
    assert_empty_dir(&temp);
    // Two rules, the first alone above the cap: the error lists both
    // rules' estimates, word for word as in memory.
    config.blocking = parse_blocking_rules("zip; prefix(1):name").unwrap();
    config.max_pairs = 6;
    let opts = ReadOptions::default();
    let missing = MissingPolicy::default();
    let o = load_table(&original, &[], &opts, &missing).unwrap();
    let r = load_table(&release, &[], &opts, &missing).unwrap();
    let want = link(&o, &r, &config, &HashMap::new(), &mut |_| {})
        .unwrap_err()
        .to_string();
    for partitions in [1, 2, 5] {
        let e = out_of_core(
            &original,
            &release,
            &config,
            &settings(1, 1, partitions, &temp),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(e, want);
    }
    assert!(
        want.contains("9 pairs") && want.contains("`zip` 5"),
        "{want}"
    );
    assert_empty_dir(&temp);
    let config = LinkageConfig::new(
        parse_comparisons("nickname:exact").unwrap(),
        parse_blocking_rules("zip").unwrap(),
    );
    let e = out_of_core(&original, &release, &config, &settings(1, 2, 3, &temp))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nickname"), "{e}");
    assert_empty_dir(&temp);
}

#[test]
fn cli_memory_prints_the_in_memory_json_plus_out_of_core_and_refuses_what_it_cannot_do() {
    let temp = tempfile::tempdir().unwrap();
    let o = fixture("people500_original.csv");
    let r = fixture("people500_release.csv");
    let base = [
        "link",
        "--original",
        o.to_str().unwrap(),
        "--release",
        r.to_str().unwrap(),
        "--fields",
        "first_name:jw(0.92,0.8)+tf;surname:jw(0.92,0.8)+tf;dob:date(1,31);gender:exact;city:exact+tf;zip:exact;email:jw(0.88)",
        "--block",
        "first_name & surname; dob; zip & surname",
        "--train-block",
        "first_name & surname; dob",
        "--deterministic",
        "first_name & surname & dob",
        "--recall",
        "0.6",
        "--truth",
        "id",
    ];
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(base)
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, memory_json, err) = run(&[]);
    assert_eq!(code, Some(0), "{err}");
    let (code, ooc_json, err) = run(&[
        "--memory",
        "16K",
        "--temp-dir",
        temp.path().to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let mut ooc: serde_json::Value = serde_json::from_str(&ooc_json).unwrap();
    let summary = ooc
        .as_object_mut()
        .unwrap()
        .remove("out_of_core")
        .expect("out_of_core in the JSON");
    assert_eq!(summary["memory_budget_bytes"], 16 << 10);
    assert!(summary["partitions"].as_u64().unwrap() > 1, "{summary}");
    // 16K cannot hold the process: the run says it went over.
    assert_eq!(summary["budget_exceeded"], true);
    assert!(err.contains("went over the budget"), "{err}");
    let memory: serde_json::Value = serde_json::from_str(&memory_json).unwrap();
    assert!(memory.get("out_of_core").is_none());
    assert_eq!(ooc, memory);
    assert_empty_dir(temp.path());
    // Refusals name the option and the reason.
    let no_block: Vec<&str> = base[..7].to_vec();
    for (args, extra, needle) in [
        (
            base.to_vec(),
            vec!["--memory", "lots"],
            "memory budget `lots`",
        ),
        (
            base.to_vec(),
            vec!["--memory", "1G", "--engine", "partials:100"],
            "--engine",
        ),
        (no_block, vec!["--memory", "1G"], "needs blocking rules"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(&args)
            .args(&extra)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_reident"))
        .args([
            "link",
            "--original",
            o.to_str().unwrap(),
            "--release",
            r.to_str().unwrap(),
            "--qi",
            "zip,gender",
            "--memory",
            "1G",
            "--rows",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // The QI join runs out of core (tests/qi_join_memory.rs), without per-row outcomes.
    assert!(
        err.contains("--rows cannot be combined with --memory"),
        "{err}"
    );
}

fn table_csv(header: &str, rows: &[(u8, u8, u8)]) -> String {
    let mut s = format!("{header}\n");
    for (i, &(a, b, c)) in rows.iter().enumerate() {
        // 0 is a missing value; the id is the row's position.
        let v = |x: u8| {
            if x == 0 {
                String::new()
            } else {
                format!("v{x}")
            }
        };
        s.push_str(&format!("{i},{},{},{}\n", v(a), v(b), v(c)));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_tables_and_budgets_equal_in_memory(
        left in prop::collection::vec((0u8..4, 0u8..4, 0u8..5), 1..40),
        right in prop::collection::vec((0u8..4, 0u8..4, 0u8..5), 1..40),
        budget in 1u64..100_000,
        chunk_rows in 1usize..20,
        partitions in 1usize..9,
        two_rules in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let original = dir.path().join("o.csv");
        let release = dir.path().join("r.csv");
        std::fs::write(&original, table_csv("id,a,b,c", &left)).unwrap();
        std::fs::write(&release, table_csv("id,a,b,c", &right)).unwrap();
        let rules = if two_rules { "a; b & c" } else { "a & b" };
        let mut config = LinkageConfig::new(
            parse_comparisons("a:exact;b:exact+tf;c:lev(1)").unwrap(),
            parse_blocking_rules(rules).unwrap(),
        );
        config.prior = PriorSpec::Given { lambda: 0.05 };
        config.truth = Some(("id".into(), "id".into()));
        config.u_sample_pairs = 200;
        let want = in_memory(&original, &release, &config);
        let temp = dir.path().join("spill");
        std::fs::create_dir(&temp).unwrap();
        let (got, _) = out_of_core(
            &original,
            &release,
            &config,
            &settings(budget, chunk_rows, partitions, &temp),
        )
        .unwrap();
        prop_assert_eq!(fingerprint(&got), fingerprint(&want));
        assert_empty_dir(&temp);
    }
}
