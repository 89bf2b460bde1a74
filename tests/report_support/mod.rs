//! Sample data shared by the report tests: one chart of every kind and a
//! report that references all of them. The numbers are synthetic but shaped
//! like real attack output (monotone ROC, decreasing accuracy with authors).

#![allow(dead_code)]

use reident::report::charts::{self, NamedCurve, UnicityPoint};
use reident::report::{
    Chart, ClaimVerdict, GeneratedBy, Report, ReportBuilder, Section, Table, Verdict,
};

/// A string that stands for an original record; it must never reach a report
/// built without examples.
pub const ORIGINAL_RECORD: &str = "Alice Example, alice@example.org, 1984-03-02";

/// One chart of every kind (rendered once per test binary; rendering in a
/// debug build takes seconds).
pub fn sample_charts() -> Vec<Chart> {
    static CHARTS: std::sync::OnceLock<Vec<Chart>> = std::sync::OnceLock::new();
    CHARTS.get_or_init(render_sample_charts).clone()
}

fn render_sample_charts() -> Vec<Chart> {
    let class_sizes: Vec<u64> = (1..=200u64).map(|i| 1 + (i * 7919) % 23).collect();
    let risks: Vec<f64> = class_sizes
        .iter()
        .flat_map(|&s| std::iter::repeat_n(1.0 / s as f64, s as usize))
        .collect();
    let l: Vec<f64> = (0..40).map(|i| f64::from(1 + (i * 3) % 5)).collect();
    let t: Vec<f64> = (0..40).map(|i| f64::from((i * 13) % 17) / 20.0).collect();
    let matches: Vec<f64> = (0..300)
        .map(|i| 8.0 + f64::from((i * 37) % 100) / 10.0)
        .collect();
    let non_matches: Vec<f64> = (0..3000)
        .map(|i| -12.0 + f64::from((i * 53) % 160) / 10.0)
        .collect();
    let roc = vec![
        (0.0, 0.0),
        (0.02, 0.35),
        (0.05, 0.6),
        (0.1, 0.78),
        (0.2, 0.88),
        (0.4, 0.95),
        (1.0, 1.0),
    ];
    let roc2 = vec![(0.0, 0.0), (0.1, 0.4), (0.3, 0.65), (0.6, 0.85), (1.0, 1.0)];
    let pr = vec![
        (0.0, 1.0),
        (0.2, 0.98),
        (0.4, 0.95),
        (0.6, 0.9),
        (0.8, 0.75),
        (1.0, 0.4),
    ];
    let top_k = vec![
        (1.0, 0.42),
        (2.0, 0.55),
        (3.0, 0.63),
        (5.0, 0.74),
        (10.0, 0.88),
    ];
    let authors = vec![
        (2.0, 0.95),
        (5.0, 0.81),
        (10.0, 0.66),
        (25.0, 0.47),
        (50.0, 0.35),
    ];
    let authors2 = vec![
        (2.0, 0.9),
        (5.0, 0.7),
        (10.0, 0.52),
        (25.0, 0.33),
        (50.0, 0.2),
    ];
    let length = vec![
        (50.0, 0.2),
        (100.0, 0.34),
        (250.0, 0.55),
        (500.0, 0.7),
        (1000.0, 0.81),
    ];
    let labels: Vec<String> = (1..=8).map(|i| format!("author-{i}")).collect();
    let confusion: Vec<Vec<u64>> = (0..8)
        .map(|r| {
            (0..8)
                .map(|c| {
                    if r == c {
                        20 + r as u64
                    } else {
                        ((r * 3 + c) % 4) as u64
                    }
                })
                .collect()
        })
        .collect();
    let eps = vec![(100, 0.2), (1_000, 0.9), (10_000, 1.6), (100_000, 2.05)];
    let unicity: Vec<UnicityPoint> = (1..=6)
        .map(|p| {
            let u = 1.0 - 0.6f64.powi(p as i32);
            UnicityPoint {
                points: p,
                unicity: u,
                interval: Some(((u - 0.05).max(0.0), (u + 0.04).min(1.0))),
            }
        })
        .collect();
    vec![
        charts::class_size_histogram(&class_sizes, Some(5)).unwrap(),
        charts::prosecutor_risk_cdf(&risks, Some(0.2)).unwrap(),
        charts::l_and_t_per_class(&l, &t, Some(2.0), Some(0.3)).unwrap(),
        charts::match_weight_histogram(&matches, &non_matches, Some(6.0)).unwrap(),
        charts::precision_recall_curve(&[NamedCurve::new("Fellegi-Sunter", pr)]).unwrap(),
        charts::roc_curve(&[
            NamedCurve::new("Cosine Delta", roc),
            NamedCurve::new("Burrows' Delta", roc2),
        ])
        .unwrap(),
        charts::top_k_accuracy(&[NamedCurve::new("linear SVM", top_k)], Some(25)).unwrap(),
        charts::accuracy_vs_authors(&[
            NamedCurve::new("linear SVM", authors),
            NamedCurve::new("Burrows' Delta", authors2),
        ])
        .unwrap(),
        charts::accuracy_vs_text_length(&[NamedCurve::new("linear SVM", length)], 10).unwrap(),
        charts::confusion_heatmap(&labels, &confusion).unwrap(),
        charts::epsilon_lower_bound_vs_trials(&eps, Some(1.0)).unwrap(),
        charts::unicity_vs_points(&unicity).unwrap(),
    ]
}

/// A report with three claims (one per verdict), a section per chart, a
/// key-value table, an embedded result, and the original record both as an
/// example and inside text, a table cell and embedded JSON.
pub fn sample_report(charts: &[Chart], include_examples: bool) -> Report {
    let mut builder = ReportBuilder::new(
        "Audit of the demo release",
        GeneratedBy::this_crate(Some(42)),
        include_examples,
    )
    .input(
        "release",
        "datasets/atlassian_demo/release/issues.ndjson.gz",
    )
    .input(
        "original",
        "datasets/atlassian_demo/original/issues.ndjson.gz",
    )
    .claim(ClaimVerdict {
        claim: "The release is 5-anonymous".into(),
        verdict: Verdict::Fail,
        measure: "k (records)".into(),
        measured: Some(1.0),
        confidence_interval: None,
        confidence_level: None,
        decided_by: "k-anonymity".into(),
        evidence: "17 equivalence classes have fewer than 5 records.".into(),
        warnings: vec![],
    })
    .claim(ClaimVerdict {
        claim: "The release satisfies epsilon = 8 differential privacy".into(),
        verdict: Verdict::Pass,
        measure: "epsilon lower bound (nats)".into(),
        measured: Some(2.05),
        confidence_interval: Some((1.7, 2.4)),
        confidence_level: Some(0.95),
        decided_by: "membership attack, Clopper-Pearson bound".into(),
        evidence: "The 95% lower bound 2.05 does not exceed the claimed 8.".into(),
        warnings: vec![],
    })
    .claim(ClaimVerdict {
        claim: "Authors cannot be re-identified from ticket text".into(),
        verdict: Verdict::Inconclusive,
        measure: "top-1 accuracy (share)".into(),
        measured: None,
        confidence_interval: None,
        confidence_level: None,
        decided_by: "stylometry (linear SVM)".into(),
        evidence: "Too few documents per author to train a classifier.".into(),
        warnings: vec![],
    })
    .original_strings([ORIGINAL_RECORD]);
    let mut overview = Section::new("Overview")
        .paragraph(format!(
            "The linkage attack re-identified the record {ORIGINAL_RECORD} among others."
        ))
        .table(Table::key_value(
            "Release summary",
            [
                ("rows", "4600".to_string()),
                ("first match", ORIGINAL_RECORD.to_string()),
            ],
        ))
        .example(ORIGINAL_RECORD)
        .result(
            "linkage summary",
            &serde_json::json!({"reidentified": 17, "example": ORIGINAL_RECORD, "precision": 0.94}),
        )
        .unwrap();
    overview = overview.paragraph("Charts follow, one per section.");
    builder = builder.section(overview);
    for c in charts {
        builder = builder.section(
            Section::new(c.title.clone()).chart(c.name.clone(), format!("Figure: {}", c.title)),
        );
    }
    builder.build().unwrap()
}

/// Checks `value` against the subset of JSON Schema used by
/// report.schema.json: type, required, properties, additionalProperties,
/// items, enum, minItems/maxItems, minimum, pattern-free. Returns errors.
pub fn check_schema(
    schema: &serde_json::Value,
    value: &serde_json::Value,
    at: &str,
    errors: &mut Vec<String>,
) {
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(a) => a.iter().filter_map(serde_json::Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_u64() || value.is_i64(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        });
        if !ok {
            errors.push(format!("{at}: expected {types:?}, got {value}"));
            return;
        }
    }
    if let Some(serde_json::Value::Array(allowed)) = schema.get("enum") {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} not in {allowed:?}"));
        }
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(serde_json::Value::as_f64),
        value.as_f64(),
    ) {
        if n < min {
            errors.push(format!("{at}: {n} < minimum {min}"));
        }
    }
    if let serde_json::Value::Object(map) = value {
        if let Some(serde_json::Value::Array(req)) = schema.get("required") {
            for key in req.iter().filter_map(serde_json::Value::as_str) {
                if !map.contains_key(key) {
                    errors.push(format!("{at}: missing required key '{key}'"));
                }
            }
        }
        let props = schema
            .get("properties")
            .and_then(serde_json::Value::as_object);
        for (key, v) in map {
            match props.and_then(|p| p.get(key)) {
                Some(sub) => check_schema(sub, v, &format!("{at}.{key}"), errors),
                None => {
                    if schema.get("additionalProperties") == Some(&serde_json::Value::Bool(false)) {
                        errors.push(format!("{at}: unexpected key '{key}'"));
                    }
                }
            }
        }
    }
    if let serde_json::Value::Array(items) = value {
        if let Some(min) = schema.get("minItems").and_then(serde_json::Value::as_u64) {
            if (items.len() as u64) < min {
                errors.push(format!("{at}: fewer than {min} items"));
            }
        }
        if let Some(max) = schema.get("maxItems").and_then(serde_json::Value::as_u64) {
            if (items.len() as u64) > max {
                errors.push(format!("{at}: more than {max} items"));
            }
        }
        if let Some(sub) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                check_schema(sub, item, &format!("{at}[{i}]"), errors);
            }
        }
    }
}
