//! Charts of linkage and verification attacks: the match-weight histogram,
//! precision-recall and ROC curves. The ROC chart draws the equal error rate
//! it is given (computed by `crate::eval::roc`); it computes none itself.

use plotters::prelude::*;

use super::render::*;
use super::*;

/// Overlaid histograms of Fellegi-Sunter match weights (log2 likelihood
/// ratios) for true matches and non-matches, each normalised to a share of
/// its own pairs, with the decision threshold marked.
pub fn match_weight_histogram(
    match_weights: &[f64],
    non_match_weights: &[f64],
    threshold: Option<f64>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "match_weights";
    const CAPTION: &str =
        "Match weights of true matches and non-matches, with the decision threshold.";
    if match_weights.is_empty() && non_match_weights.is_empty() {
        return Err(data_error(NAME, "no pair weights to plot"));
    }
    check_finite(NAME, "match weight", match_weights.iter().copied())?;
    check_finite(NAME, "non-match weight", non_match_weights.iter().copied())?;
    let (lo, hi) =
        range_of(match_weights.iter().chain(non_match_weights).copied()).unwrap_or((0.0, 1.0));
    let bins = 40usize;
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let width = (hi - lo) / bins as f64;
    let edges: Vec<f64> = (0..=bins).map(|b| lo + b as f64 * width).collect();
    let histogram = |values: &[f64]| {
        let mut h = vec![0.0; bins];
        for &v in values {
            let b = (((v - lo) / width) as usize).min(bins - 1);
            h[b] += 1.0;
        }
        let n = values.len().max(1) as f64;
        h.iter_mut().for_each(|c| *c = *c / n * 100.0);
        h
    };
    let mut vlines = Vec::new();
    if let Some(t) = threshold {
        check_finite(NAME, "threshold", [t])?;
        vlines.push((format!("threshold {t:.2}"), t, DARK));
    }
    let title = "Match weights: true matches vs non-matches";
    let x = "match weight (log2 likelihood ratio, bits)";
    let y = "share of pairs in group (%)";
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title,
            x,
            y,
        },
        &BarPlot {
            edges,
            groups: vec![
                BarGroup {
                    label: format!("non-matches (n = {})", non_match_weights.len()),
                    color: PALETTE[1],
                    heights: histogram(non_match_weights),
                },
                BarGroup {
                    label: format!("matches (n = {})", match_weights.len()),
                    color: PALETTE[0],
                    heights: histogram(match_weights),
                },
            ],
            vlines,
            x_integer: false,
            legend: SeriesLabelPosition::UpperRight,
        },
    )
}

/// Precision-recall curves, `(recall, precision)` points in [0, 1], one per attack.
pub fn precision_recall_curve(curves: &[NamedCurve]) -> Result<Chart, ReportError> {
    const NAME: &str = "precision_recall";
    const CAPTION: &str = "Precision and recall over the decision threshold.";
    check_curves(NAME, curves)?;
    check_unit(NAME, curves, true)?;
    let series = percent_series(curves, true, Kind::Line);
    let title = "Precision-recall curve";
    let x = "recall (% of true matches found)";
    let y = "precision (% of links correct)";
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title,
            x,
            y,
        },
        &XyPlot {
            x_range: (0.0, 100.0),
            y_range: (0.0, 102.0),
            x_log: false,
            x_integer: false,
            legend: SeriesLabelPosition::LowerLeft,
            series,
        },
    )
}

/// ROC curves, `(false-positive rate, true-positive rate)` points in [0, 1],
/// one per attack or verifier, and the chance diagonal. A curve's
/// [`NamedCurve::marker`] is its equal error rate point `(EER, 1 - EER)` as
/// `crate::eval::roc::EqualErrorRate::point` computed it; it is drawn and
/// named in the legend as given, never recomputed here.
pub fn roc_curve(curves: &[NamedCurve]) -> Result<Chart, ReportError> {
    const NAME: &str = "roc";
    const CAPTION: &str = "ROC curve; the marked point is the equal error rate.";
    check_curves(NAME, curves)?;
    for c in curves {
        if let Some((x, y)) = c.marker {
            if !((0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)) {
                return Err(data_error(
                    NAME,
                    format!("marker ({x}, {y}) of curve '{}' is outside [0, 1]", c.label),
                ));
            }
        }
    }
    check_unit(NAME, curves, true)?;
    let mut series = vec![Series {
        label: "chance".into(),
        points: vec![(0.0, 0.0), (100.0, 100.0)],
        kind: Kind::Dashed,
        color: GREY,
    }];
    for (i, c) in curves.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        // Every ROC curve runs from (0, 0) (reject all) to (1, 1) (accept all).
        let mut pts = c.points.clone();
        pts.extend([(0.0, 0.0), (1.0, 1.0)]);
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        pts.dedup();
        series.push(Series {
            label: c.label.clone(),
            points: percent(&pts, true),
            kind: Kind::Line,
            color,
        });
        if let Some((fpr, tpr)) = c.marker {
            series.push(Series {
                label: format!("{}: EER = {:.1}%", c.label, fpr * 100.0),
                points: vec![(fpr * 100.0, tpr * 100.0)],
                kind: Kind::Markers,
                color,
            });
        }
    }
    let title = "ROC curve with equal error rate";
    let x = "false-positive rate (%)";
    let y = "true-positive rate (%)";
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title,
            x,
            y,
        },
        &XyPlot {
            x_range: (0.0, 100.0),
            y_range: (0.0, 102.0),
            x_log: false,
            x_integer: false,
            legend: SeriesLabelPosition::LowerRight,
            series,
        },
    )
}
