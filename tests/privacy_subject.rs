//! Several records per person (issue "Verdicts that fail safe", item 6): with
//! a subject column k, distinct l and the risks count distinct persons per
//! equivalence class (El Emam's longitudinal k), and the report adds the k of
//! an adversary who knows all of a person's records (Google Cloud DLP
//! `entity_id`). Hand-built cases and real Apache Jira issues (347 reporters,
//! 1,014 issues).

use std::path::Path;
use std::process::Command;

use reident::data::{load_table, CategoricalColumn, EncodedTable, MissingPolicy, ReadOptions};
use reident::privacy::{
    build_classes, distinct_l_diversity, evaluate, evaluate_classes, k_anonymity, ClassOptions,
    EquivalenceClasses, MetricsParams, SuppressedRows,
};

/// Three persons, nine records, three wards of three records each:
///
/// | ward | records (person: diagnosis) |
/// |---|---|
/// | A | p1: flu, p1: cancer, p1: hiv |
/// | B | p2: flu, p2: flu, p3: cold |
/// | C | p2: flu, p3: cold, p3: asthma |
///
/// Counting records every ward has 3 (k = 3) and ward A 3 diagnoses, ward B
/// 2 (distinct l = 2). Counting persons ward A has one (k = 1), and that
/// person's three diagnoses are one set: distinct l = 1.
fn wards() -> EncodedTable {
    EncodedTable::new(
        "wards.csv",
        vec![
            CategoricalColumn::from_strs("ward", &["A", "A", "A", "B", "B", "B", "C", "C", "C"]),
            CategoricalColumn::from_strs(
                "patient",
                &["p1", "p1", "p1", "p2", "p2", "p3", "p2", "p3", "p3"],
            ),
            CategoricalColumn::from_strs(
                "diagnosis",
                &[
                    "flu", "cancer", "hiv", "flu", "flu", "cold", "flu", "cold", "asthma",
                ],
            ),
        ],
    )
}

#[test]
fn record_k_3_is_person_k_1() {
    let t = wards();
    let records = evaluate(&t, &MetricsParams::new(["ward"]).sensitive(["diagnosis"])).unwrap();
    assert_eq!((records.k, records.sensitive[0].l_distinct), (3, 2));
    assert!(records.subjects.is_none());

    let params = MetricsParams::new(["ward"])
        .sensitive(["diagnosis"])
        .subject("patient")
        .target_k(2);
    let persons = evaluate(&t, &params).unwrap();
    assert_eq!(persons.inputs.subject.as_deref(), Some("patient"));
    assert_eq!(persons.k, 1);
    assert_eq!(persons.n_unique_classes, 1);
    // Ward A (one person) is below 2 persons: its 3 records.
    assert_eq!(persons.below_target_k.n_records, 3);
    assert_eq!(persons.below_target_k.row_ids, vec![0, 1, 2]);
    // Distinct l over persons: A {flu, cancer, hiv} is one set -> 1; B
    // {flu}, {cold} -> 2; C {flu}, {cold, asthma} -> 2.
    assert_eq!(persons.sensitive[0].l_distinct, 1);
    // Prosecutor risk over persons: classes of 1, 2, 2 persons.
    assert_eq!(persons.risk.prosecutor.highest_risk, 1.0);
    assert!((persons.risk.prosecutor.success_rate - 3.0 / 5.0).abs() < 1e-12);
    assert!((persons.risk.sample_uniqueness - 1.0 / 5.0).abs() < 1e-12);

    let s = persons.subjects.as_ref().unwrap();
    assert_eq!(
        (s.n_subjects, s.n_records, s.max_records_per_subject),
        (3, 9, 3)
    );
    assert_eq!((s.record_k, s.subject_k, s.profile_k), (3, 1, 1));
    // p2 and p3 have records in wards B and C.
    assert_eq!(s.n_subjects_in_several_classes, 2);
    assert_eq!(s.n_unique_profiles, 3);
}

#[test]
fn profile_k_is_below_the_class_k_when_persons_span_classes() {
    // Wards A = {p1, p2, p3} and B = {p1, p2, p4}: 3 persons in each (k = 3),
    // but p3 (only in A) and p4 (only in B) are alone with their set of
    // wards: k = 1 for an adversary who knows all of a person's records.
    let t = EncodedTable::new(
        "t",
        vec![
            CategoricalColumn::from_strs("ward", &["A", "A", "A", "B", "B", "B"]),
            CategoricalColumn::from_strs("patient", &["p1", "p2", "p3", "p1", "p2", "p4"]),
        ],
    );
    let r = evaluate(&t, &MetricsParams::new(["ward"]).subject("patient")).unwrap();
    let s = r.subjects.unwrap();
    assert_eq!((r.k, s.subject_k, s.profile_k, s.record_k), (3, 3, 1, 3));
    assert_eq!(
        (s.n_subjects_in_several_classes, s.n_unique_profiles),
        (2, 2)
    );
}

#[test]
fn one_record_per_person_changes_nothing() {
    // Every patient once: counting persons equals counting records.
    let t = EncodedTable::new(
        "t",
        vec![
            CategoricalColumn::from_strs("ward", &["A", "A", "B", "B", "B"]),
            CategoricalColumn::from_strs("patient", &["p1", "p2", "p3", "p4", "p5"]),
            CategoricalColumn::from_strs("diagnosis", &["flu", "flu", "flu", "cold", "hiv"]),
        ],
    );
    let base = MetricsParams::new(["ward"]).sensitive(["diagnosis"]);
    let records = evaluate(&t, &base).unwrap();
    let persons = evaluate(&t, &base.clone().subject("patient")).unwrap();
    assert_eq!(persons.k, records.k);
    assert_eq!(
        persons.sensitive[0].l_distinct,
        records.sensitive[0].l_distinct
    );
    assert_eq!(persons.risk, records.risk);
    assert_eq!(persons.class_size_histogram, records.class_size_histogram);
    // Ward A's two persons both have flu: l = 1 either way.
    assert_eq!(persons.sensitive[0].l_distinct, 1);
}

#[test]
fn classes_built_for_the_params_and_mismatches() {
    let t = wards();
    let params = MetricsParams::new(["ward"]).subject("patient");
    let classes = build_classes(&t, &params).unwrap();
    assert_eq!(classes.unit_sizes(), &[1, 2, 2]);
    assert_eq!(classes.class_sizes(), &[3, 3, 3]);
    assert_eq!(k_anonymity(&classes).k, 1);
    assert!(evaluate_classes(&t, &classes, &params).is_ok());
    // Classes built without the subject do not serve subject params.
    let plain = EquivalenceClasses::build(&t, &["ward"], &[], SuppressedRows::Exclude).unwrap();
    let e = evaluate_classes(&t, &plain, &params).unwrap_err();
    assert!(e.to_string().contains("subject column"), "{e}");
    // Person-level distinct l straight from the builder.
    let with_l = EquivalenceClasses::build_with(
        &t,
        &["ward"],
        &["diagnosis"],
        &ClassOptions {
            subject: Some("patient"),
            ..ClassOptions::default()
        },
    )
    .unwrap();
    assert_eq!(distinct_l_diversity(&with_l, "diagnosis").unwrap(), 1);
    // Errors name the column: absent, or also a QI.
    let e = evaluate(&t, &MetricsParams::new(["ward"]).subject("person")).unwrap_err();
    assert!(
        e.to_string()
            .contains("subject column `person` is not in the table"),
        "{e}"
    );
    let e = evaluate(
        &t,
        &MetricsParams::new(["ward", "patient"]).subject("patient"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("`patient`"), "{e}");
    // A population table's classes count records: refused with a subject.
    let e = evaluate(
        &t,
        &MetricsParams::new(["ward"])
            .subject("patient")
            .population(wards()),
    )
    .unwrap_err();
    assert!(e.to_string().contains("parameter `population`"), "{e}");
}

fn jira() -> EncodedTable {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jira_reporters/issues.csv");
    load_table(
        &path,
        &[],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap()
}

/// Real data: 1,014 Apache Jira issues by 347 reporters (up to 115 issues
/// each), released with their priority. Counting issues the smallest
/// priority class has 15 issues; they come from 11 reporters. Below a target
/// of 20, counting issues leaves 15 issues in small classes, counting
/// reporters 35. 63 reporters have issues of several priorities and 41 have
/// a combination of priorities (with counts) no one else has: for an
/// adversary who knows all of a reporter's issues k is 1.
///
/// Cross-checked in Python from the shared capture (`issues.jsonl.gz`, nulls
/// as one missing value): group by priority, count len(list) and
/// len(set(reporter)) per class; profiles = Counter(frozenset(Counter of
/// priorities per reporter)) -> min 1, 41 of size 1; 63 reporters with more
/// than one priority; max 115 issues per reporter.
#[test]
fn jira_issues_counted_by_reporter() {
    let t = jira();
    assert_eq!(t.n_rows, 1014);
    let params = MetricsParams::new(["priority"])
        .subject("reporter")
        .target_k(20);
    let r = evaluate(&t, &params).unwrap();
    let s = r.subjects.as_ref().unwrap();
    assert_eq!((s.record_k, s.subject_k, s.profile_k), (15, 11, 1));
    assert_eq!(r.k, 11);
    assert_eq!(
        (s.n_subjects, s.n_records, s.max_records_per_subject),
        (347, 1014, 115)
    );
    assert_eq!(
        (s.n_subjects_in_several_classes, s.n_unique_profiles),
        (63, 41)
    );
    assert_eq!(r.below_target_k.n_records, 35);
    let records = evaluate(&t, &MetricsParams::new(["priority"]).target_k(20)).unwrap();
    assert_eq!((records.k, records.below_target_k.n_records), (15, 15));

    // (project, priority), target 5: 3 issues below 5 issues, 25 below 5 reporters.
    let by = |subject: bool| {
        let p = MetricsParams::new(["project", "priority"]).target_k(5);
        let p = if subject { p.subject("reporter") } else { p };
        evaluate(&t, &p).unwrap().below_target_k.n_records
    };
    assert_eq!((by(false), by(true)), (3, 25));
}

#[test]
fn metrics_cli_subject_flag_and_warning() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jira_reporters/issues.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_reident"))
        .args([
            "metrics",
            "--data",
            path.to_str().unwrap(),
            "--qi",
            "priority",
            "--subject",
            "reporter",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: reident::privacy::MetricsReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.k, 11);
    assert_eq!(report.subjects.unwrap().profile_k, 1);
    assert!(
        stderr.contains("warning: 63 of 347 persons have records in several classes; k = 11 counting persons per class, but k = 1"),
        "{stderr}"
    );
    // The hidden-QI check ran over the other columns (issue_key is unique
    // per issue: near-unique).
    let hidden = report.hidden_qi.unwrap();
    assert_eq!(hidden.unit, "subjects");
    assert!(
        hidden
            .hidden()
            .any(|c| c.column == "issue_key" && c.near_unique),
        "{hidden:?}"
    );
    assert!(
        stderr.contains("warning: hidden quasi-identifiers"),
        "{stderr}"
    );

    // A subject column that is not in the file: exit 2 naming it.
    let out = Command::new(env!("CARGO_BIN_EXE_reident"))
        .args([
            "metrics",
            "--data",
            path.to_str().unwrap(),
            "--qi",
            "priority",
            "--subject",
            "patient",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no column `patient`"), "{stderr}");
}

mod properties {
    use proptest::prelude::*;
    use reident::data::{CategoricalColumn, EncodedTable};
    use reident::privacy::{build_classes, distinct_l_diversity, MetricsParams};

    fn table(rows: &[(u8, u8, u8)], subject_is_row: bool) -> EncodedTable {
        let q: Vec<String> = rows.iter().map(|r| format!("q{}", r.0)).collect();
        let p: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if subject_is_row {
                    format!("row{i}")
                } else {
                    format!("p{}", r.1)
                }
            })
            .collect();
        let s: Vec<String> = rows.iter().map(|r| format!("s{}", r.2)).collect();
        EncodedTable::new(
            "prop",
            vec![
                CategoricalColumn::from_strs("q", &q),
                CategoricalColumn::from_strs("p", &p),
                CategoricalColumn::from_strs("s", &s),
            ],
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// profile k <= person k <= record k; person distinct l <= persons
        /// in the class; one subject per record gives the record figures.
        #[test]
        fn persons_never_raise_k_or_l(
            rows in prop::collection::vec((0u8..4, 0u8..6, 0u8..4), 1..50)
        ) {
            let params = MetricsParams::new(["q"]).sensitive(["s"]).subject("p");
            let r = reident::privacy::evaluate(&table(&rows, false), &params).unwrap();
            let s = r.subjects.clone().unwrap();
            prop_assert!(s.profile_k <= s.subject_k && s.subject_k <= s.record_k);
            prop_assert_eq!(r.k, s.subject_k);
            let classes = build_classes(&table(&rows, false), &params).unwrap();
            let l = distinct_l_diversity(&classes, "s").unwrap();
            prop_assert!(l <= r.k.max(1));
            let plain = MetricsParams::new(["q"]).sensitive(["s"]);
            let records = reident::privacy::evaluate(&table(&rows, false), &plain).unwrap();
            prop_assert!(r.sensitive[0].l_distinct <= records.sensitive[0].l_distinct);

            let unique = reident::privacy::evaluate(&table(&rows, true), &params).unwrap();
            prop_assert_eq!(unique.k, records.k);
            prop_assert_eq!(unique.sensitive[0].l_distinct, records.sensitive[0].l_distinct);
            prop_assert_eq!(&unique.risk, &records.risk);
            let us = unique.subjects.unwrap();
            prop_assert_eq!(us.profile_k, records.k);
        }
    }
}

/// Per-class l and t (what the audit's chart draws) are the values whose
/// minimum and maximum are the metrics, by hand on the wards:
/// l per ward counting records is 3, 2, 3 and counting persons 1, 2, 2; t per
/// ward (equal-distance EMD against flu 4/9, cancer 1/9, hiv 1/9, cold 2/9,
/// asthma 1/9) is 4/9, 1/3, 1/3.
#[test]
fn per_class_l_and_t_are_the_metrics_per_ward() {
    use reident::privacy::{
        distinct_l_per_class, equal_distance_per_class, t_closeness_equal_distance,
    };
    let t = wards();
    let records =
        build_classes(&t, &MetricsParams::new(["ward"]).sensitive(["diagnosis"])).unwrap();
    assert_eq!(
        distinct_l_per_class(&records, "diagnosis").unwrap(),
        [3, 2, 3]
    );
    let per_class_t = equal_distance_per_class(&records, "diagnosis").unwrap();
    for (got, want) in per_class_t.iter().zip([4.0 / 9.0, 1.0 / 3.0, 1.0 / 3.0]) {
        assert!((got - want).abs() < 1e-12, "{per_class_t:?}");
    }
    let worst = t_closeness_equal_distance(&records, "diagnosis").unwrap();
    assert_eq!(worst.t, per_class_t.iter().cloned().fold(0.0, f64::max));
    let persons = build_classes(
        &t,
        &MetricsParams::new(["ward"])
            .sensitive(["diagnosis"])
            .subject("patient"),
    )
    .unwrap();
    assert_eq!(
        distinct_l_per_class(&persons, "diagnosis").unwrap(),
        [1, 2, 2]
    );
    assert_eq!(distinct_l_diversity(&persons, "diagnosis").unwrap(), 1);
}
