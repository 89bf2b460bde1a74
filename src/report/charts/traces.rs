//! Trace unicity: the share of users singled out by p random points.

use plotters::prelude::*;

use super::render::*;
use super::*;

/// Trace unicity versus number of known points: the share of users singled
/// out by p random points of their trace (de Montjoye et al., 2013), with
/// confidence intervals as vertical bars when given.
pub fn unicity_vs_points(points: &[UnicityPoint]) -> Result<Chart, ReportError> {
    const NAME: &str = "unicity_vs_points";
    const CAPTION: &str =
        "Share of users singled out by p random points of their activity, with Wilson intervals.";
    if points.is_empty() {
        return Err(data_error(NAME, "no points to plot"));
    }
    check_finite(
        NAME,
        "unicity",
        points.iter().flat_map(|p| {
            let (lo, hi) = p.interval.unwrap_or((p.unicity, p.unicity));
            [p.unicity, lo, hi]
        }),
    )?;
    for p in points {
        let (lo, hi) = p.interval.unwrap_or((p.unicity, p.unicity));
        if !(0.0..=1.0).contains(&p.unicity)
            || !(0.0..=1.0).contains(&lo)
            || !(0.0..=1.0).contains(&hi)
            || lo > hi
        {
            return Err(data_error(
                NAME,
                format!(
                    "point p = {}: unicity and interval must lie in [0, 1] with low <= high",
                    p.points
                ),
            ));
        }
    }
    let mut sorted = points.to_vec();
    sorted.sort_by_key(|p| p.points);
    let mut series = vec![Series {
        label: "users singled out".into(),
        points: sorted
            .iter()
            .map(|p| (f64::from(p.points), p.unicity * 100.0))
            .collect(),
        kind: Kind::LineMarkers,
        color: PALETTE[0],
    }];
    if sorted.iter().any(|p| p.interval.is_some()) {
        series.push(Series {
            label: "confidence interval".into(),
            points: sorted
                .iter()
                .filter_map(|p| p.interval.map(|i| (f64::from(p.points), i)))
                .flat_map(|(x, (lo, hi))| [(x, lo * 100.0), (x, hi * 100.0)])
                .collect(),
            kind: Kind::Intervals,
            color: PALETTE[0],
        });
    }
    let (x0, x1) = padded(
        f64::from(sorted[0].points),
        f64::from(sorted[sorted.len() - 1].points),
    );
    let title = "Trace unicity vs number of known points";
    let x = "known points of a trace (count)";
    let y = "users singled out (%)";
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title,
            x,
            y,
        },
        &XyPlot {
            x_range: (x0.max(0.0), x1),
            y_range: (0.0, 102.0),
            x_log: false,
            x_integer: true,
            legend: SeriesLabelPosition::LowerRight,
            series,
        },
    )
}
