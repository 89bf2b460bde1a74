//! The joint pseudonym attack: precision vs coverage (fused and per signal)
//! and the pooling curve (accuracy vs documents per pseudonym).

use plotters::prelude::*;

use super::render::*;
use super::*;

/// Precision versus coverage, `(coverage, precision)` points in [0, 1], one
/// curve per attack (the fused attack first, drawn in black, then each
/// signal alone), with the target precision as a dashed line.
pub fn precision_vs_coverage(curves: &[NamedCurve], target: f64) -> Result<Chart, ReportError> {
    const NAME: &str = "pseudonym_precision_coverage";
    const CAPTION: &str = "Precision of naming pseudonyms against the share named (coverage), pseudonyms ranked by the margin of their assignment; fused attack and each signal alone.";
    check_curves(NAME, curves)?;
    check_unit(NAME, curves, true)?;
    if !(0.0..=1.0).contains(&target) {
        return Err(data_error(NAME, "target precision must be in [0, 1]"));
    }
    let mut series = percent_series(curves, true, Kind::Line);
    // The first curve (the fused attack) in black, apart from the palette the
    // signals cycle through.
    if let Some(first) = series.first_mut() {
        first.color = BLACK;
    }
    series.push(Series {
        label: format!("{:.0}% precision", target * 100.0),
        points: vec![(0.0, target * 100.0), (100.0, target * 100.0)],
        kind: Kind::Dashed,
        color: GREY,
    });
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title: "Joint pseudonym attack: precision vs coverage",
            x: "coverage (% of pseudonyms named)",
            y: "precision (% named correctly)",
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

/// The pooling curve: top-1 accuracy of the fused assignment, `(documents
/// per pseudonym, accuracy)` points with accuracy in [0, 1].
pub fn pooling_curve(curves: &[NamedCurve]) -> Result<Chart, ReportError> {
    const NAME: &str = "pseudonym_pooling";
    const CAPTION: &str = "Pseudonym-level accuracy of the joint attack as each pseudonym keeps a seeded random sample of its documents.";
    check_curves(NAME, curves)?;
    check_unit(NAME, curves, false)?;
    let xs = counts_at_least_one(NAME, curves, "documents per pseudonym")?;
    let (lo, hi) = (xs[0], xs[xs.len() - 1]);
    let (x0, x1) = padded(lo, hi);
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title: "Pooling: accuracy vs documents per pseudonym",
            x: "documents per pseudonym (count)",
            y: "top-1 accuracy (%)",
        },
        &XyPlot {
            x_range: (x0.max(0.0), x1),
            y_range: (0.0, 102.0),
            x_log: false,
            x_integer: true,
            legend: SeriesLabelPosition::LowerRight,
            series: percent_series(curves, false, Kind::LineMarkers),
        },
    )
}
