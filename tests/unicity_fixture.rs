//! Unicity of whole traces on the demo events against an independent Python
//! count (tests/fixtures/unicity).

use reident::attacks::unicity::{build_traces, unicity_curve, PointVocabulary, TraceSpec};
use reident::data::{read_frame, ReadOptions};

#[test]
fn whole_trace_uniqueness_matches_python() {
    let text =
        std::fs::read_to_string("tests/fixtures/unicity/full_trace_uniqueness.json").unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = read_frame(
        "datasets/atlassian_demo/original/events.ndjson.gz".as_ref(),
        &ReadOptions::default(),
    )
    .unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for case in cases {
        let spec = TraceSpec {
            user_column: "user".into(),
            timestamp_column: "timestamp".into(),
            action_columns: case["action_columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect(),
            bucket_seconds: case["bucket_seconds"].as_i64().unwrap(),
        };
        let mut vocab = PointVocabulary::default();
        let traces = build_traces(&events, "demo", &spec, &mut vocab).unwrap();
        let r = unicity_curve(&traces, &vocab, &spec, &[1_000_000], 0, &|| {}).unwrap();
        let label = format!("{:?} / {}", spec.action_columns, spec.bucket_seconds);
        assert_eq!(
            r.n_users as u64,
            case["n_users"].as_u64().unwrap(),
            "{label}"
        );
        assert_eq!(
            r.n_distinct_points as u64,
            case["n_distinct_points"].as_u64().unwrap(),
            "{label}"
        );
        assert_eq!(
            r.median_points_per_user,
            case["median_points_per_user"].as_f64().unwrap(),
            "{label}"
        );
        assert_eq!(
            r.curve[0].n_unique as u64,
            case["n_unique_full_trace"].as_u64().unwrap(),
            "{label}"
        );
    }
}
