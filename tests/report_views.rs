//! Report model and view tests: JSON round trip and byte-identical output,
//! the JSON Schema, Markdown and HTML contents, the redaction guard and the
//! atomic writer's refusal to write beside input files.

use crate::report_support;

use reident::data::DataError;
use reident::report::{
    to_html, to_json, to_markdown, write_report, ClaimVerdict, GeneratedBy, Report, ReportBuilder,
    ReportError, Section, Table, Verdict, REDACTION_MARKER, REPORT_JSON_SCHEMA, SCHEMA_VERSION,
};
use report_support::{check_schema, sample_charts, sample_report, ORIGINAL_RECORD};
use serde_json::Value;

fn small_report(include_examples: bool) -> Report {
    // A report without charts, so tests that do not need charts stay fast.
    ReportBuilder::new("Small", GeneratedBy::this_crate(Some(7)), include_examples)
        .input("release", "release.csv")
        .claim(ClaimVerdict {
            claim: "k >= 3".into(),
            verdict: Verdict::Pass,
            measure: "k (records)".into(),
            measured: Some(3.0),
            confidence_interval: Some((0.25, 0.5)),
            confidence_level: Some(0.95),
            decided_by: "k-anonymity".into(),
            evidence: "smallest class has 3 records".into(),
            warnings: vec![],
        })
        .section(
            Section::new("Details")
                .paragraph("A | pipe and <b>markup</b> & more")
                .table(Table::key_value("kv", [("a", "1"), ("b", "2")]))
                .example(ORIGINAL_RECORD),
        )
        .original_strings([ORIGINAL_RECORD])
        .build()
        .unwrap()
}

#[test]
fn json_round_trips_and_is_byte_identical() {
    let report = small_report(false);
    let json = to_json(&report).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    assert_eq!(to_json(&back).unwrap(), json);
    // Same input, same bytes (no timestamps, stable key order).
    assert_eq!(to_json(&small_report(false)).unwrap(), json);
    assert!(json.contains(&format!("\"schema_version\": \"{SCHEMA_VERSION}\"")));
    assert!(json.contains("\"seed\": 7"));
    assert!(json.contains(&format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"))));
    // The interval is a two-element array.
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["claims"][0]["confidence_interval"],
        serde_json::json!([0.25, 0.5])
    );
    assert_eq!(v["claims"][0]["verdict"], "Pass");
}

#[test]
fn produced_json_satisfies_the_committed_schema() {
    let schema: Value = serde_json::from_str(REPORT_JSON_SCHEMA).unwrap();
    let charts = sample_charts();
    for report in [
        small_report(false),
        small_report(true),
        sample_report(&charts, false),
    ] {
        let v: Value = serde_json::from_str(&to_json(&report).unwrap()).unwrap();
        let mut errors = Vec::new();
        check_schema(&schema, &v, "$", &mut errors);
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // The checker itself rejects broken documents.
    let mut bad: Value = serde_json::from_str(&to_json(&small_report(false)).unwrap()).unwrap();
    bad["claims"][0]["verdict"] = Value::String("Maybe".into());
    bad.as_object_mut().unwrap().remove("title");
    bad["extra"] = Value::Bool(true);
    let mut errors = Vec::new();
    check_schema(&schema, &bad, "$", &mut errors);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn schema_lists_every_serialized_key() {
    // Every key the model serializes is declared in the schema and vice versa
    // for the top level, so the schema cannot silently fall behind the model.
    let schema: Value = serde_json::from_str(REPORT_JSON_SCHEMA).unwrap();
    let v: Value = serde_json::from_str(&to_json(&small_report(false)).unwrap()).unwrap();
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    let mut declared: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    keys.sort();
    declared.sort();
    assert_eq!(keys, declared);
}

#[test]
fn markdown_contains_every_claim_and_verdict() {
    let charts = sample_charts();
    let report = sample_report(&charts, false);
    let md = to_markdown(&report).unwrap();
    for c in &report.claims {
        assert!(md.contains(&c.claim), "missing claim {}", c.claim);
        assert!(md.contains(&format!("**{}** {}", c.verdict.label(), c.claim)));
    }
    assert!(md.contains("3 claims: 1 PASS, 1 FAIL, 1 INCONCLUSIVE"));
    assert!(md.contains("[1.7, 2.4] at 95%"));
    assert!(md.contains("epsilon lower bound (nats) = 2.05"));
    for c in &charts {
        assert!(
            md.contains(&format!("](charts/{}.png)", c.name)),
            "{}",
            c.name
        );
    }
    // Table cells escape pipes.
    let small = to_markdown(&small_report(false)).unwrap();
    assert!(small.contains("| a | 1 |"));
    assert!(small.contains("A | pipe"), "paragraphs are kept verbatim");
}

#[test]
fn html_is_self_contained_with_every_chart_inline() {
    let charts = sample_charts();
    let report = sample_report(&charts, false);
    let html = to_html(&report, &charts).unwrap();
    assert!(
        !html.contains("http"),
        "HTML must not reference the network"
    );
    assert!(!html.contains("<script"));
    assert!(!html.contains(" src="));
    assert!(!html.contains(" href="));
    assert_eq!(html.matches("<svg").count(), charts.len());
    for c in &charts {
        assert!(html.contains(&format!("<figure id=\"chart-{}\" class=\"chart\">", c.name)));
        assert!(html.contains(c.title.as_str()));
    }
    assert!(html.contains("<span class=\"badge fail\">FAIL</span>"));
    assert!(html.contains("<span class=\"badge pass\">PASS</span>"));
    assert!(html.contains("<span class=\"badge inconclusive\">INCONCLUSIVE</span>"));
    // Text is escaped.
    let small = to_html(&small_report(false), &[]).unwrap();
    assert!(small.contains("&lt;b&gt;markup&lt;/b&gt; &amp; more"));
    // A referenced chart that is not given is an error, not a broken page.
    let err = to_html(&report, &charts[1..]).unwrap_err();
    assert!(
        matches!(err, ReportError::MissingChart { ref name } if name == "class_sizes"),
        "{err}"
    );
}

#[test]
fn original_records_never_reach_a_report_without_examples() {
    let charts = sample_charts();
    let report = sample_report(&charts, false);
    let json = to_json(&report).unwrap();
    let md = to_markdown(&report).unwrap();
    let html = to_html(&report, &charts).unwrap();
    for (view, text) in [("json", &json), ("markdown", &md), ("html", &html)] {
        assert!(
            !text.contains(ORIGINAL_RECORD),
            "{view} leaks the original record"
        );
        assert!(
            !text.contains("alice@example.org"),
            "{view} leaks part of it"
        );
    }
    // Redacted in paragraph, table cell and embedded JSON; example withheld.
    let overview = &report.sections[0];
    assert!(overview.paragraphs[0].contains(REDACTION_MARKER));
    assert_eq!(overview.tables[0].rows[1][1], REDACTION_MARKER);
    assert_eq!(overview.results[0].value["example"], REDACTION_MARKER);
    assert_eq!(overview.results[0].value["reidentified"], 17);
    assert!(overview.examples.is_empty());
    assert_eq!(overview.examples_withheld, 1);
    assert!(md.contains("1 example(s) from the original records withheld"));

    // With examples included, the record is shown on purpose.
    let shown = sample_report(&charts, true);
    assert!(shown.examples_included);
    assert_eq!(
        shown.sections[0].examples,
        vec![ORIGINAL_RECORD.to_string()]
    );
    assert!(to_markdown(&shown).unwrap().contains(ORIGINAL_RECORD));
}

#[test]
fn builder_rejects_non_finite_figures_and_ragged_tables() {
    let claim = |measured: f64, ci: Option<(f64, f64)>| ClaimVerdict {
        claim: "c".into(),
        verdict: Verdict::Fail,
        measure: "m".into(),
        measured: Some(measured),
        confidence_interval: ci,
        confidence_level: None,
        decided_by: "d".into(),
        evidence: "e".into(),
        warnings: vec![],
    };
    let b = || ReportBuilder::new("t", GeneratedBy::this_crate(None), false);
    assert!(b().claim(claim(f64::NAN, None)).build().is_err());
    let e = b().claim(claim(1.0, Some((2.0, 1.0)))).build().unwrap_err();
    assert!(e.to_string().contains("low <= high"), "{e}");
    let ragged = Table {
        caption: "t".into(),
        columns: vec!["a".into(), "b".into()],
        rows: vec![vec!["1".into()]],
    };
    let e = b()
        .section(Section::new("s").table(ragged))
        .build()
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("row 1 has 1 cells but the table has 2 columns"),
        "{e}"
    );
    let e = b()
        .section(Section::new("s").chart("../evil", "x"))
        .build()
        .unwrap_err();
    assert!(matches!(e, ReportError::ChartName { .. }), "{e}");
}

#[test]
fn write_report_writes_all_files_and_is_reproducible() {
    let charts = sample_charts();
    let report = sample_report(&charts, false);
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let input = data.path().join("release.csv");
    std::fs::write(&input, "a,b\n1,2\n").unwrap();
    let out = dir.path().join("out");
    let written = write_report(&report, &charts, &out, &[&input]).unwrap();
    assert_eq!(written.charts.len(), charts.len());
    let json1 = std::fs::read(&written.json).unwrap();
    let html1 = std::fs::read(&written.html).unwrap();
    for (svg, png) in &written.charts {
        assert!(std::fs::read_to_string(svg).unwrap().starts_with("<svg"));
        assert_eq!(&std::fs::read(png).unwrap()[..4], b"\x89PNG");
    }
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .chain(std::fs::read_dir(out.join("charts")).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Writing again (over the old files) gives identical bytes.
    let again = write_report(
        &sample_report(&sample_charts(), false),
        &charts,
        &out,
        &[&input],
    )
    .unwrap();
    assert_eq!(std::fs::read(&again.json).unwrap(), json1);
    assert_eq!(std::fs::read(&again.html).unwrap(), html1);
    assert_eq!(String::from_utf8(json1).unwrap(), to_json(&report).unwrap());
}

#[test]
fn write_report_refuses_a_directory_holding_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("data").join("original.csv");
    std::fs::create_dir_all(input.parent().unwrap()).unwrap();
    std::fs::write(&input, "name\nAlice\n").unwrap();
    let report = small_report(false);
    for out in [
        dir.path().to_path_buf(),
        dir.path().join("data"),
        dir.path().join("data/./"),
    ] {
        let err = write_report(&report, &[], &out, &[&input]).unwrap_err();
        assert!(
            matches!(err, ReportError::Data(DataError::OutputHoldsInput { .. })),
            "{err}"
        );
        assert!(err.to_string().contains("original.csv"), "{err}");
    }
    // Nothing was written.
    assert!(!dir.path().join("report.json").exists());
    assert!(!dir.path().join("charts").exists());
    // A sibling directory is fine.
    let ok = write_report(&report, &[], &dir.path().join("report"), &[&input]).unwrap();
    assert!(ok.json.exists());
    // A relative path that resolves into the output directory is caught too.
    let rel = dir
        .path()
        .join("report")
        .join("..")
        .join("data")
        .join("original.csv");
    let err = write_report(&report, &[], &dir.path().join("data"), &[&rel]).unwrap_err();
    assert!(
        matches!(err, ReportError::Data(DataError::OutputHoldsInput { .. })),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn write_report_refuses_a_symlinked_input_inside_the_output() {
    let data = tempfile::tempdir().unwrap();
    let real = data.path().join("original.csv");
    std::fs::write(&real, "name\nAlice\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let link = out.path().join("original.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let err = write_report(&small_report(false), &[], out.path(), &[&link]).unwrap_err();
    assert!(
        matches!(err, ReportError::Data(DataError::OutputHoldsInput { .. })),
        "{err}"
    );
}

#[test]
fn write_report_rejects_duplicate_chart_names() {
    let charts = sample_charts();
    let dup = vec![charts[0].clone(), charts[0].clone()];
    let dir = tempfile::tempdir().unwrap();
    let empty: [&std::path::Path; 0] = [];
    let err = write_report(&small_report(false), &dup, dir.path(), &empty).unwrap_err();
    assert!(matches!(err, ReportError::DuplicateChart { .. }), "{err}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever text surrounds them and wherever they are placed, strings
    /// marked as original records never appear in any view of a report built
    /// without examples, and the report still round-trips through JSON.
    #[test]
    fn marked_originals_never_leak(
        originals in proptest::collection::vec("ORIG-[0-9]{4}-[a-z ]{0,6}", 1..4),
        prefix in "[a-z ]{0,12}",
        suffix in "[a-z ]{0,12}",
        spot in 0usize..4,
    ) {
        let secret = &originals[0];
        let text = format!("{prefix}{secret}{suffix}");
        let mut section = Section::new("s").example(secret.clone());
        match spot {
            0 => section = section.paragraph(text.clone()),
            1 => section = section.table(Table::key_value("t", [("k", text.clone())])),
            2 => section = section.result("r", &serde_json::json!({"nested": [{"v": text.clone()}], text.clone(): 1})).unwrap(),
            _ => {}
        }
        let claim = ClaimVerdict {
            claim: "c".into(),
            verdict: Verdict::Fail,
            measure: "m".into(),
            measured: None,
            confidence_interval: None,
            confidence_level: None,
            decided_by: "d".into(),
            evidence: if spot == 3 { text.clone() } else { "e".into() },
            warnings: vec![],
        };
        let report = ReportBuilder::new("t", GeneratedBy::this_crate(Some(1)), false)
            .claim(claim)
            .section(section)
            .original_strings(originals.clone())
            .build()
            .unwrap();
        let json = to_json(&report).unwrap();
        let md = to_markdown(&report).unwrap();
        let html = to_html(&report, &[]).unwrap();
        for o in &originals {
            proptest::prop_assert!(!json.contains(o.as_str()), "json leaks {o}");
            proptest::prop_assert!(!md.contains(o.as_str()), "markdown leaks {o}");
            proptest::prop_assert!(!html.contains(o.as_str()), "html leaks {o}");
        }
        let back: Report = serde_json::from_str(&json).unwrap();
        proptest::prop_assert_eq!(back, report);
    }
}
