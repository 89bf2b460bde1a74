//! Chart tests: every chart renders to SVG and PNG, its SVG carries its title
//! and axis labels, output is deterministic, and bad data is refused.
//!
//! Set `REIDENT_CHART_DIR=/some/dir` to also write every chart there for a
//! visual check.

use crate::report_support;

use reident::report::charts;
use report_support::sample_charts;

/// The contents of every `<text>` element of an SVG document, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('>')? + 1;
            let end = rest.find("</text>")?;
            Some(rest[start..end].trim().to_string())
        })
        .collect()
}

#[test]
fn every_chart_has_title_axis_labels_and_valid_png() {
    let charts = sample_charts();
    assert_eq!(charts.len(), 12);
    let dir = std::env::var_os("REIDENT_CHART_DIR").map(std::path::PathBuf::from);
    for c in &charts {
        assert!(
            c.svg.starts_with("<svg"),
            "{}: {}",
            c.name,
            &c.svg[..40.min(c.svg.len())]
        );
        let texts = svg_texts(&c.svg);
        for text in [&c.title, &c.x_label, &c.y_label] {
            assert!(
                texts.iter().any(|t| t == text),
                "chart {} SVG lacks text element '{text}'",
                c.name
            );
        }
        assert_eq!(&c.png[..8], b"\x89PNG\r\n\x1a\n", "{}", c.name);
        // IHDR width and height
        assert_eq!(&c.png[16..24], &[0, 0, 3, 192, 0, 0, 2, 88], "{}", c.name);
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("{}.png", c.name)), &c.png).unwrap();
            std::fs::write(dir.join(format!("{}.svg", c.name)), &c.svg).unwrap();
        }
    }
    let mut names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 12, "chart names must be unique");
}

#[test]
fn charts_are_deterministic() {
    let a = charts::class_size_histogram(&[1, 2, 2, 3, 5, 5, 5], Some(3)).unwrap();
    let b = charts::class_size_histogram(&[1, 2, 2, 3, 5, 5, 5], Some(3)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn roc_legend_reports_the_eer_eval_computed() {
    // 10 positives scored 3 (6), 2 (3), 1 (1); 10 negatives scored 3 (2),
    // 2 (2), 1 (6): operating points (0,0), (0.2,0.6), (0.4,0.9), (1,1).
    // FNR - FPR is 0.2 at (0.2,0.6) and -0.3 at (0.4,0.9): the EER on the
    // segment between them is 0.2 + 0.4 * 0.2 = 0.28. The chart draws and
    // names the EER that eval::roc computed.
    let mut scores = Vec::new();
    let mut labels = Vec::new();
    for (score, pos, neg) in [(3.0, 6, 2), (2.0, 3, 2), (1.0, 1, 6)] {
        scores.extend(std::iter::repeat_n(score, pos + neg));
        labels.extend(std::iter::repeat_n(true, pos));
        labels.extend(std::iter::repeat_n(false, neg));
    }
    let roc = reident::eval::roc::roc_curve(&scores, &labels).unwrap();
    let eer = reident::eval::roc::equal_error_rate(&roc).unwrap();
    assert!((eer.eer - 0.28).abs() < 1e-12, "{}", eer.eer);
    let c = charts::roc_curve(&[
        charts::NamedCurve::new("verifier", roc.fpr_tpr()).with_marker(Some(eer.point()))
    ])
    .unwrap();
    assert!(
        svg_texts(&c.svg)
            .iter()
            .any(|t| t == "verifier: EER = 28.0%"),
        "legend lacks the EER"
    );
    // Without a marker nothing is computed or drawn for the EER.
    let bare = charts::roc_curve(&[charts::NamedCurve::new("verifier", roc.fpr_tpr())]).unwrap();
    assert!(!svg_texts(&bare.svg).iter().any(|t| t.contains("EER")));
    // A marker outside the unit square is a data error naming the chart.
    let bad = charts::NamedCurve::new("v", roc.fpr_tpr()).with_marker(Some((1.5, 0.0)));
    assert!(charts::roc_curve(&[bad])
        .unwrap_err()
        .to_string()
        .contains("roc"));
}

#[test]
fn risk_cdf_legend_counts_records_above_threshold() {
    // Risks 1, 0.5, 0.5, 0.25 x4: above 0.3 are 1, 0.5, 0.5 -> 3 of 7 = 42.9%.
    let risks = [1.0, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25];
    let c = charts::prosecutor_risk_cdf(&risks, Some(0.3)).unwrap();
    let texts = svg_texts(&c.svg);
    assert!(texts
        .iter()
        .any(|t| t == "threshold 0.300 (42.9% of records above)"));
    assert!(texts.iter().any(|t| t == "records (n = 7)"));
}

#[test]
fn bad_chart_data_is_refused_with_the_chart_named() {
    assert!(charts::class_size_histogram(&[0, 2], None).is_err());
    assert!(charts::prosecutor_risk_cdf(&[1.5], None).is_err());
    assert!(charts::roc_curve(&[]).is_err());
    assert!(charts::precision_recall_curve(&[charts::NamedCurve::new(
        "x",
        vec![(0.5, f64::INFINITY)]
    )])
    .is_err());
    assert!(charts::epsilon_lower_bound_vs_trials(&[(0, 1.0)], None).is_err());
    assert!(
        charts::accuracy_vs_text_length(&[charts::NamedCurve::new("x", vec![(10.0, 0.5)])], 0)
            .is_err()
    );
    let e = charts::unicity_vs_points(&[charts::UnicityPoint {
        points: 2,
        unicity: 0.5,
        interval: Some((0.6, 0.4)),
    }])
    .unwrap_err();
    assert!(e.to_string().contains("unicity_vs_points"), "{e}");
}

#[test]
fn degenerate_and_large_inputs_render() {
    use charts::NamedCurve;
    let dir = std::env::var_os("REIDENT_CHART_DIR").map(std::path::PathBuf::from);
    let large_sizes: Vec<u64> = (1..=2000u64).map(|i| 1 + (i * i) % 997).collect();
    let many_l: Vec<f64> = (0..500).map(|i| f64::from(1 + i % 7)).collect();
    let many_t: Vec<f64> = (0..500).map(|i| f64::from(i % 11) / 10.0).collect();
    let labels: Vec<String> = (0..40).map(|i| format!("pseudonym-{i:03}")).collect();
    let counts: Vec<Vec<u64>> = (0..40)
        .map(|r| {
            (0..40)
                .map(|c| if r == c { 9 } else { ((r + c) % 3) as u64 })
                .collect()
        })
        .collect();
    let rendered = vec![
        charts::class_size_histogram(&[3], None)
            .unwrap()
            .renamed("edge_one_class")
            .unwrap(),
        charts::class_size_histogram(&large_sizes, Some(11))
            .unwrap()
            .renamed("edge_large_classes")
            .unwrap(),
        charts::prosecutor_risk_cdf(&[1.0, 1.0], None)
            .unwrap()
            .renamed("edge_all_unique")
            .unwrap(),
        charts::l_and_t_per_class(&many_l, &many_t, Some(3.0), None)
            .unwrap()
            .renamed("edge_many_classes")
            .unwrap(),
        charts::match_weight_histogram(&[2.0], &[], None)
            .unwrap()
            .renamed("edge_one_weight")
            .unwrap(),
        charts::roc_curve(&[NamedCurve::new("single", vec![(0.3, 0.7)])])
            .unwrap()
            .renamed("edge_roc_point")
            .unwrap(),
        charts::top_k_accuracy(&[NamedCurve::new("one k", vec![(1.0, 0.5)])], Some(2))
            .unwrap()
            .renamed("edge_top1")
            .unwrap(),
        charts::accuracy_vs_authors(&[NamedCurve::new("one", vec![(4.0, 0.5)])])
            .unwrap()
            .renamed("edge_authors")
            .unwrap(),
        charts::confusion_heatmap(&labels, &counts)
            .unwrap()
            .renamed("edge_confusion_40")
            .unwrap(),
        charts::epsilon_lower_bound_vs_trials(&[(500, 0.0)], None)
            .unwrap()
            .renamed("edge_eps_zero")
            .unwrap(),
        charts::unicity_vs_points(&[charts::UnicityPoint {
            points: 4,
            unicity: 1.0,
            interval: None,
        }])
        .unwrap()
        .renamed("edge_unicity")
        .unwrap(),
    ];
    for c in &rendered {
        assert_eq!(&c.png[..4], b"\x89PNG", "{}", c.name);
        assert!(svg_texts(&c.svg).contains(&c.title), "{}", c.name);
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("{}.png", c.name)), &c.png).unwrap();
        }
    }
    assert!(charts::class_size_histogram(&[1], None)
        .unwrap()
        .renamed("bad/name")
        .is_err());
}
