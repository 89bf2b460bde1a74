//! Charts of authorship attribution: the top-k curve, accuracy versus the
//! number of candidate authors and versus text length, and the confusion
//! heatmap.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::render::*;
use super::*;

/// Top-k accuracy curves, `(k, accuracy)` with accuracy in [0, 1], one per
/// classifier; with `n_candidates`, the chance baseline k / n is drawn.
pub fn top_k_accuracy(
    curves: &[NamedCurve],
    n_candidates: Option<usize>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "top_k";
    const CAPTION: &str =
        "Share of cases whose true candidate is among the k best-scored candidates.";
    check_curves(NAME, curves)?;
    check_unit(NAME, curves, false)?;
    let (k_lo, k_hi) =
        range_of(curves.iter().flat_map(|c| c.points.iter().map(|p| p.0))).unwrap_or((1.0, 1.0));
    let mut series: Vec<Series> = percent_series(curves, false, Kind::LineMarkers);
    if let Some(n) = n_candidates.filter(|&n| n > 0) {
        let chance = |k: f64| (k / n as f64).min(1.0) * 100.0;
        series.push(Series {
            label: format!("chance (k / {n} candidates)"),
            points: vec![(k_lo, chance(k_lo)), (k_hi, chance(k_hi))],
            kind: Kind::Dashed,
            color: GREY,
        });
    }
    let title = "Top-k attribution accuracy";
    let x = "k (candidates the attacker may name)";
    let y = "true author among top k (%)";
    let (x0, x1) = padded(k_lo, k_hi);
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
            y_range: (0.0, 102.0),
            x_log: false,
            x_integer: true,
            legend: SeriesLabelPosition::LowerRight,
            series,
        },
    )
}

/// Attribution accuracy versus number of candidate authors, `(authors,
/// accuracy)` points with accuracy in [0, 1], one curve per classifier, with
/// the chance baseline 1 / authors.
pub fn accuracy_vs_authors(curves: &[NamedCurve]) -> Result<Chart, ReportError> {
    const NAME: &str = "accuracy_vs_authors";
    const CAPTION: &str = "Attribution accuracy as the number of candidate authors grows, cross-validated on the originals.";
    check_curves(NAME, curves)?;
    check_unit(NAME, curves, false)?;
    let mut xs = counts_at_least_one(NAME, curves, "number of authors")?;
    xs.dedup();
    let mut series: Vec<Series> = percent_series(curves, false, Kind::LineMarkers);
    // Chance 1/n is convex: sample it densely between the measured sizes.
    let (lo, hi) = (xs[0], xs[xs.len() - 1]);
    let chance: Vec<(f64, f64)> = (0..=100)
        .map(|i| lo + (hi - lo) * i as f64 / 100.0)
        .map(|n| (n, 100.0 / n))
        .collect();
    series.push(Series {
        label: "chance (1 / authors)".into(),
        points: chance,
        kind: Kind::Dashed,
        color: GREY,
    });
    let title = "Attribution accuracy vs number of candidate authors";
    let x = "candidate authors (count)";
    let y = "top-1 accuracy (%)";
    let (x0, x1) = padded(lo, hi);
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
            legend: SeriesLabelPosition::UpperRight,
            series,
        },
    )
}

/// Attribution accuracy versus text length, `(words per text, accuracy)`
/// points with accuracy in [0, 1], one curve per classifier, with the chance
/// baseline 1 / `n_authors`.
pub fn accuracy_vs_text_length(
    curves: &[NamedCurve],
    n_authors: usize,
) -> Result<Chart, ReportError> {
    const NAME: &str = "accuracy_vs_text_length";
    const CAPTION: &str = "Attribution accuracy as the test texts grow longer.";
    check_curves(NAME, curves)?;
    check_unit(NAME, curves, false)?;
    if n_authors == 0 {
        return Err(data_error(NAME, "number of authors must be at least 1"));
    }
    let (lo, hi) =
        range_of(curves.iter().flat_map(|c| c.points.iter().map(|p| p.0))).unwrap_or((0.0, 1.0));
    let mut series: Vec<Series> = percent_series(curves, false, Kind::LineMarkers);
    let chance = 100.0 / n_authors as f64;
    let (x0, x1) = padded(lo, hi);
    series.push(Series {
        label: format!("chance (1 / {n_authors} authors)"),
        points: vec![(x0.max(0.0), chance), (x1, chance)],
        kind: Kind::Dashed,
        color: GREY,
    });
    let title = "Attribution accuracy vs text length";
    let x = "text length (words per document)";
    let y = "top-1 accuracy (%)";
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
            x_integer: false,
            legend: SeriesLabelPosition::UpperLeft,
            series,
        },
    )
}

struct Heatmap {
    labels: Vec<String>,
    /// Row-normalised shares in [0, 1].
    shares: Vec<Vec<f64>>,
}

/// White to dark blue.
fn heat(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * v).round() as u8;
    RGBColor(lerp(247.0, 8.0), lerp(251.0, 48.0), lerp(255.0, 107.0))
}

impl Plot for Heatmap {
    fn draw<DB: DrawingBackend>(
        &self,
        labels: &Labels,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        root.fill(&WHITE).map_err(de)?;
        let (main, bar) = root.split_horizontally(CHART_WIDTH as i32 - 150);
        let n = self.labels.len();
        let class_labels = &self.labels;
        let show_every = n.div_ceil(30).max(1);
        let fmt = move |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-9
                && i >= 0.0
                && (i as usize) < n
                && (i as usize).is_multiple_of(show_every)
            {
                let s = &class_labels[i as usize];
                if s.chars().count() > 12 {
                    format!("{}…", s.chars().take(11).collect::<String>())
                } else {
                    s.clone()
                }
            } else {
                String::new()
            }
        };
        let fmt_y = move |v: &f64| fmt(&((n as f64 - 1.0) - v));
        let mut chart = ChartBuilder::on(&main)
            .caption(labels.title, caption_style())
            .margin(24)
            .x_label_area_size(90)
            .y_label_area_size(130)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, -0.5..n as f64 - 0.5)
            .map_err(de)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(labels.x)
            .y_desc(labels.y)
            .x_labels(n.min(30))
            .y_labels(n.min(30))
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt_y)
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 13))
            .draw()
            .map_err(de)?;
        let cells = self.shares.iter().enumerate().flat_map(|(r, row)| {
            row.iter().enumerate().map(move |(c, &v)| {
                let y = (n - 1 - r) as f64;
                let x = c as f64;
                Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], heat(v).filled())
            })
        });
        chart.draw_series(cells).map_err(de)?;
        if n <= 12 {
            chart
                .draw_series(self.shares.iter().enumerate().flat_map(|(r, row)| {
                    row.iter().enumerate().map(move |(c, &v)| {
                        let color = if v > 0.5 { WHITE } else { DARK };
                        Text::new(
                            format!("{:.0}%", v * 100.0),
                            (c as f64, (n - 1 - r) as f64),
                            (FONT, 14)
                                .into_font()
                                .color(&color)
                                .pos(Pos::new(HPos::Center, VPos::Center)),
                        )
                    })
                }))
                .map_err(de)?;
        }
        // Legend: a colour bar with its own axis.
        let mut legend = ChartBuilder::on(&bar)
            .margin_top(90)
            .margin_bottom(110)
            .margin_right(20)
            .y_label_area_size(50)
            .caption("row share (%)", (FONT, 15))
            .build_cartesian_2d(0.0..1.0, 0.0..100.0)
            .map_err(de)?;
        legend
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&tick)
            .label_style((FONT, 13))
            .draw()
            .map_err(de)?;
        legend
            .draw_series((0..100).map(|i| {
                let v = i as f64;
                Rectangle::new([(0.0, v), (1.0, v + 1.0)], heat((v + 0.5) / 100.0).filled())
            }))
            .map_err(de)?;
        Ok(())
    }
}

/// Confusion heatmap of an attribution attack: `counts[true][predicted]`,
/// row-normalised (each row shows where one true author's documents went).
///
/// The labels are drawn on the chart as given and charts are outside the
/// report's redaction guard: pass pseudonyms, not real author names, unless
/// the report includes examples from the original records.
pub fn confusion_heatmap(labels: &[String], counts: &[Vec<u64>]) -> Result<Chart, ReportError> {
    const NAME: &str = "confusion";
    const CAPTION: &str = "Confusion of true (rows) and attributed (columns) authors, numbered.";
    if labels.is_empty() {
        return Err(data_error(NAME, "no classes to plot"));
    }
    if counts.len() != labels.len() || counts.iter().any(|r| r.len() != labels.len()) {
        return Err(data_error(
            NAME,
            format!(
                "the matrix must be {0} x {0}, one row and column per label",
                labels.len()
            ),
        ));
    }
    let shares = counts
        .iter()
        .map(|row| {
            let total: u64 = row.iter().sum();
            row.iter()
                .map(|&c| {
                    if total > 0 {
                        c as f64 / total as f64
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let title = "Confusion matrix (row-normalised)";
    let x = "predicted author";
    let y = "true author";
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title,
            x,
            y,
        },
        &Heatmap {
            labels: labels.to_vec(),
            shares,
        },
    )
}
