//! The epsilon lower bound of a mechanism audit as the number of trials grows.

use plotters::prelude::*;

use super::render::*;
use super::*;

/// Empirical epsilon lower bound versus number of attack trials, `(trials,
/// lower bound)` points on a logarithmic trials axis, with the claimed
/// epsilon as a horizontal line (a bound above it refutes the claim).
pub fn epsilon_lower_bound_vs_trials(
    points: &[(u64, f64)],
    claimed_epsilon: Option<f64>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "epsilon_vs_trials";
    const CAPTION: &str =
        "Lower bound on epsilon as the number of audit trials grows, with the claimed epsilon.";
    if points.is_empty() {
        return Err(data_error(NAME, "no points to plot"));
    }
    if points.iter().any(|p| p.0 == 0) {
        return Err(data_error(NAME, "number of trials must be at least 1"));
    }
    check_finite(NAME, "epsilon lower bound", points.iter().map(|p| p.1))?;
    let mut pts: Vec<(f64, f64)> = points.iter().map(|&(n, e)| (n as f64, e)).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (t_lo, t_hi) = (pts[0].0, pts[pts.len() - 1].0);
    let (x0, x1) = if t_hi > t_lo {
        (t_lo / 1.3, t_hi * 1.3)
    } else {
        // One decade either side, so the log axis shows labelled ticks.
        (t_lo / 10.0, t_hi * 10.0)
    };
    let mut y_hi = pts.iter().map(|p| p.1).fold(0.0f64, f64::max);
    let mut series = vec![Series {
        label: "epsilon lower bound".into(),
        points: pts,
        kind: Kind::LineMarkers,
        color: PALETTE[0],
    }];
    if let Some(c) = claimed_epsilon {
        check_finite(NAME, "claimed epsilon", [c])?;
        y_hi = y_hi.max(c);
        series.push(Series {
            label: format!("claimed epsilon = {c}"),
            points: vec![(x0, c), (x1, c)],
            kind: Kind::Dashed,
            color: PALETTE[1],
        });
    }
    let y_top = if y_hi > 0.0 { y_hi * 1.3 } else { 1.0 };
    let title = "Epsilon lower bound vs number of trials";
    let x = "attack trials (count, log scale)";
    let y = "epsilon lower bound (nats)";
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title,
            x,
            y,
        },
        &XyPlot {
            x_range: (x0, x1),
            y_range: (0.0, y_top),
            x_log: true,
            x_integer: false,
            legend: SeriesLabelPosition::UpperLeft,
            series,
        },
    )
}

/// The epsilon lower bound against the number of trials with the planner's
/// prediction (`crate::eval::planner`): the observed bound at each audited
/// size (`observed`, may be empty), the bound the planner expects at each size
/// (`predicted`), the claimed epsilon as a horizontal line and the planned
/// number of trials as a vertical line. Logarithmic trials axis.
pub fn epsilon_bound_vs_trials_with_plan(
    observed: &[(u64, f64)],
    predicted: &[(u64, f64)],
    planned_trials: Option<u64>,
    claimed_epsilon: f64,
) -> Result<Chart, ReportError> {
    const NAME: &str = "epsilon_vs_trials_plan";
    const CAPTION: &str = "Lower bound on epsilon as the number of audit trials grows: observed, and as the planner predicts it (median error counts of the optimal test), with the claimed epsilon and the planned number of trials.";
    if observed.is_empty() && predicted.is_empty() {
        return Err(data_error(NAME, "no points to plot"));
    }
    if observed.iter().chain(predicted).any(|p| p.0 == 0) || planned_trials == Some(0) {
        return Err(data_error(NAME, "number of trials must be at least 1"));
    }
    check_finite(
        NAME,
        "epsilon lower bound",
        observed.iter().chain(predicted).map(|p| p.1),
    )?;
    check_finite(NAME, "claimed epsilon", [claimed_epsilon])?;
    let sorted = |pts: &[(u64, f64)]| {
        let mut v: Vec<(f64, f64)> = pts.iter().map(|&(n, e)| (n as f64, e)).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let (obs, pred) = (sorted(observed), sorted(predicted));
    let xs = obs
        .iter()
        .chain(&pred)
        .map(|p| p.0)
        .chain(planned_trials.map(|n| n as f64));
    let (t_lo, t_hi) = xs.fold((f64::INFINITY, 0.0f64), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    let (x0, x1) = if t_hi > t_lo {
        (t_lo / 1.3, t_hi * 1.3)
    } else {
        (t_lo / 10.0, t_hi * 10.0)
    };
    let y_hi = obs
        .iter()
        .chain(&pred)
        .map(|p| p.1)
        .fold(claimed_epsilon, f64::max);
    let y_top = if y_hi > 0.0 { y_hi * 1.3 } else { 1.0 };
    let mut series = Vec::new();
    if !pred.is_empty() {
        series.push(Series {
            label: "planner's prediction".into(),
            points: pred,
            kind: Kind::Line,
            color: PALETTE[2],
        });
    }
    if !obs.is_empty() {
        series.push(Series {
            label: "observed lower bound".into(),
            points: obs,
            kind: Kind::LineMarkers,
            color: PALETTE[0],
        });
    }
    series.push(Series {
        label: format!("claimed epsilon = {claimed_epsilon}"),
        points: vec![(x0, claimed_epsilon), (x1, claimed_epsilon)],
        kind: Kind::Dashed,
        color: PALETTE[1],
    });
    if let Some(n) = planned_trials {
        series.push(Series {
            label: format!("planned trials = {n}"),
            points: vec![(n as f64, 0.0), (n as f64, y_top)],
            kind: Kind::Dashed,
            color: PALETTE[3],
        });
    }
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title: "Epsilon lower bound vs number of trials, with the plan",
            x: "audit trials (count, log scale)",
            y: "epsilon lower bound (nats)",
        },
        &XyPlot {
            x_range: (x0, x1),
            y_range: (0.0, y_top),
            x_log: true,
            x_integer: false,
            legend: SeriesLabelPosition::UpperLeft,
            series,
        },
    )
}
