//! Charts of a release's privacy properties: equivalence-class sizes,
//! the prosecutor risk CDF, and l and t per class.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::*;
use super::*;

/// Histogram of equivalence-class sizes: how many classes have each size,
/// with the k threshold marked (classes left of the line violate k-anonymity).
///
/// `class_sizes` holds one size (number of release rows) per class.
pub fn class_size_histogram(
    class_sizes: &[u64],
    k_threshold: Option<u64>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "class_sizes";
    const CAPTION: &str = "Equivalence-class sizes; the dashed line is the claimed k.";
    if class_sizes.is_empty() {
        return Err(data_error(NAME, "no equivalence classes to plot"));
    }
    if class_sizes.contains(&0) {
        return Err(data_error(NAME, "an equivalence class has size 0"));
    }
    let max = class_sizes.iter().copied().max().unwrap_or(1);
    // At most 60 bins: bin width w, bin b covers sizes [1 + b*w, (b+1)*w].
    let width = max.div_ceil(60).max(1);
    let bins = max.div_ceil(width) as usize;
    let mut heights = vec![0.0; bins];
    for &s in class_sizes {
        heights[((s - 1) / width) as usize] += 1.0;
    }
    let edges = (0..=bins).map(|b| b as f64 * width as f64 + 0.5).collect();
    let mut vlines = Vec::new();
    if let Some(k) = k_threshold {
        vlines.push((
            format!("k = {k} (classes left of the line violate it)"),
            k as f64 - 0.5,
            PALETTE[1],
        ));
    }
    let title = "Equivalence-class sizes";
    let x = "class size (records per class)";
    let y = "number of classes";
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
            groups: vec![BarGroup {
                label: format!("equivalence classes (n = {})", class_sizes.len()),
                color: PALETTE[0],
                heights,
            }],
            vlines,
            x_integer: true,
            legend: SeriesLabelPosition::UpperRight,
        },
    )
}

/// Cumulative distribution of prosecutor re-identification risk over records
/// (share of records whose risk is at most x), with an optional risk threshold.
///
/// `record_risks` holds one risk in [0, 1] per record (1 / class size under
/// the prosecutor model, El Emam & Dankar 2008).
pub fn prosecutor_risk_cdf(
    record_risks: &[f64],
    threshold: Option<f64>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "risk_cdf";
    const CAPTION: &str =
        "Share of records at or below each prosecutor re-identification risk (1 / class size).";
    if record_risks.is_empty() {
        return Err(data_error(NAME, "no records to plot"));
    }
    check_finite(NAME, "risk", record_risks.iter().copied())?;
    if record_risks.iter().any(|r| !(0.0..=1.0).contains(r)) {
        return Err(data_error(NAME, "risks must lie in [0, 1]"));
    }
    let mut sorted = record_risks.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    // Empirical CDF as a step function: flat until each distinct value, then up.
    let mut points = vec![(0.0, 0.0)];
    let mut i = 0;
    while i < sorted.len() {
        let v = sorted[i];
        let mut j = i;
        while j < sorted.len() && sorted[j] == v {
            j += 1;
        }
        let before = points.last().map(|p| p.1).unwrap_or(0.0);
        points.push((v, before));
        points.push((v, j as f64 / n * 100.0));
        i = j;
    }
    points.push((1.0, 100.0));
    let mut series = vec![Series {
        label: format!("records (n = {})", sorted.len()),
        points,
        kind: Kind::Line,
        color: PALETTE[0],
    }];
    if let Some(t) = threshold {
        check_finite(NAME, "threshold", [t])?;
        let above = sorted.iter().filter(|&&r| r > t).count() as f64 / n * 100.0;
        series.push(Series {
            label: format!("threshold {t:.3} ({above:.1}% of records above)"),
            points: vec![(t, 0.0), (t, 100.0)],
            kind: Kind::Dashed,
            color: PALETTE[1],
        });
    }
    let title = "Prosecutor re-identification risk (CDF)";
    let x = "prosecutor risk per record (probability)";
    let y = "records with risk at most x (%)";
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title,
            x,
            y,
        },
        &XyPlot {
            x_range: (0.0, 1.0),
            y_range: (0.0, 102.0),
            x_log: false,
            x_integer: false,
            legend: SeriesLabelPosition::LowerRight,
            series,
        },
    )
}

struct DualPlot {
    y2_desc: String,
    l: Vec<(f64, f64)>,
    t: Vec<(f64, f64)>,
    l_threshold: Option<f64>,
    t_threshold: Option<f64>,
    y_max: f64,
    markers: bool,
}

impl Plot for DualPlot {
    fn draw<DB: DrawingBackend>(
        &self,
        labels: &Labels,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        root.fill(&WHITE).map_err(de)?;
        let n = self.l.len() as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(labels.title, caption_style())
            .margin(24)
            .x_label_area_size(64)
            .y_label_area_size(84)
            .right_y_label_area_size(84)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..self.y_max)
            .map_err(de)?
            .set_secondary_coord(-0.5..n - 0.5, 0.0..1.05);
        chart
            .configure_mesh()
            .x_desc(labels.x)
            .y_desc(labels.y)
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 15))
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(de)?;
        chart
            .configure_secondary_axes()
            .y_desc(self.y2_desc.as_str())
            .y_label_formatter(&tick)
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 15))
            .draw()
            .map_err(de)?;
        let lc = PALETTE[0];
        let tc = PALETTE[1];
        // Classes are categories: markers only, no connecting lines.
        let size = if self.markers { 5 } else { 2 };
        chart
            .draw_series(self.l.iter().map(|&p| Circle::new(p, size, lc.filled())))
            .map_err(de)?
            .label("l (distinct sensitive values), left axis")
            .legend(move |(x, y)| Circle::new((x + 12, y), 5, lc.filled()));
        chart
            .draw_secondary_series(
                self.t
                    .iter()
                    .map(|&p| TriangleMarker::new(p, size + 1, tc.filled())),
            )
            .map_err(de)?
            .label("t (distance to overall distribution), right axis")
            .legend(move |(x, y)| TriangleMarker::new((x + 12, y), 6, tc.filled()));
        if let Some(l) = self.l_threshold {
            let s = lc.stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(-0.5, l), (n - 0.5, l)],
                    8,
                    6,
                    s,
                ))
                .map_err(de)?
                .label(format!("required l = {l}"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 8, y)], s));
        }
        if let Some(t) = self.t_threshold {
            let s = tc.stroke_width(2);
            chart
                .draw_secondary_series(DashedLineSeries::new(
                    vec![(-0.5, t), (n - 0.5, t)],
                    8,
                    6,
                    s,
                ))
                .map_err(de)?
                .label(format!("allowed t = {t}"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 8, y)], s));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .margin(12)
            .label_font((FONT, 15))
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(de)?;
        Ok(())
    }
}

/// l-diversity and t-closeness per equivalence class (one x position per
/// class, in the order given), l on the left axis and t on the right axis,
/// with the required l and allowed t as dashed lines.
pub fn l_and_t_per_class(
    l_per_class: &[f64],
    t_per_class: &[f64],
    l_threshold: Option<f64>,
    t_threshold: Option<f64>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "l_t_per_class";
    const CAPTION: &str = "Distinct l and t (equal-distance EMD) of each equivalence class, with the claimed thresholds.";
    if l_per_class.is_empty() {
        return Err(data_error(NAME, "no equivalence classes to plot"));
    }
    if l_per_class.len() != t_per_class.len() {
        return Err(data_error(
            NAME,
            format!(
                "{} l values but {} t values; give one of each per class",
                l_per_class.len(),
                t_per_class.len()
            ),
        ));
    }
    check_finite(NAME, "l", l_per_class.iter().copied())?;
    check_finite(NAME, "t", t_per_class.iter().copied())?;
    if t_per_class.iter().any(|t| !(0.0..=1.0).contains(t)) {
        return Err(data_error(NAME, "t values must lie in [0, 1]"));
    }
    let l_max = l_per_class
        .iter()
        .copied()
        .chain(l_threshold)
        .fold(1.0f64, f64::max);
    let title = "l-diversity and t-closeness per equivalence class";
    let x = "equivalence class (index)";
    let y = "l (distinct sensitive values)";
    render(
        Labels {
            name: NAME,
            caption: CAPTION,
            title,
            x,
            y,
        },
        &DualPlot {
            y2_desc: "t (earth mover's distance, 0-1)".into(),
            l: l_per_class
                .iter()
                .enumerate()
                .map(|(i, &l)| (i as f64, l))
                .collect(),
            t: t_per_class
                .iter()
                .enumerate()
                .map(|(i, &t)| (i as f64, t))
                .collect(),
            l_threshold,
            t_threshold,
            // Headroom for the legend above the data.
            y_max: l_max * 1.45,
            markers: l_per_class.len() <= 80,
        },
    )
}
