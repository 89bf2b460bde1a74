//! The rendering core every chart shares: the [`Plot`] trait, line and bar
//! plots, the palette, tick labels, the embedded font, and the checks that
//! turn bad chart data into an error naming the chart. Chart families
//! (`privacy`, `linkage`, `attribution`, `epsilon`, `traces`) build a plot
//! from plain numbers and call [`render`]; nothing here knows what a chart
//! means.

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::OnceLock;

use super::super::{png, ReportError};
use super::{Chart, NamedCurve, CHART_HEIGHT, CHART_WIDTH};

/// DejaVu Sans (Bitstream Vera license, see `src/report/fonts/LICENSE`).
pub(super) static DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
pub(super) const FONT: &str = "sans-serif";

/// Registers the embedded font under the name plotters uses for sans-serif.
pub(super) fn ensure_font() -> Result<(), String> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, DEJAVU_SANS).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err("the embedded DejaVu Sans font could not be parsed".to_string())
    }
}

// ---------------------------------------------------------------- rendering

/// A chart body; the title and axis descriptions come from its [`Labels`],
/// which also name the chart in the report.
pub(super) trait Plot {
    fn draw<DB: DrawingBackend>(
        &self,
        labels: &Labels,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String>;
}

pub(super) fn de<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

pub(super) struct Labels<'a> {
    pub(super) name: &'a str,
    /// Default caption of the chart (see [`super::Chart::caption`]).
    pub(super) caption: &'a str,
    pub(super) title: &'a str,
    pub(super) x: &'a str,
    pub(super) y: &'a str,
}

pub(super) fn render<P: Plot>(labels: Labels<'_>, plot: &P) -> Result<Chart, ReportError> {
    let drawing = |message: String| ReportError::ChartDrawing {
        chart: labels.name.to_string(),
        message,
    };
    ensure_font().map_err(drawing)?;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (CHART_WIDTH, CHART_HEIGHT)).into_drawing_area();
        plot.draw(&labels, &root).map_err(drawing)?;
        root.present().map_err(|e| drawing(de(e)))?;
    }
    let mut rgb = vec![0u8; CHART_WIDTH as usize * CHART_HEIGHT as usize * 3];
    {
        let root =
            BitMapBackend::with_buffer(&mut rgb, (CHART_WIDTH, CHART_HEIGHT)).into_drawing_area();
        plot.draw(&labels, &root).map_err(drawing)?;
        root.present().map_err(|e| drawing(de(e)))?;
    }
    let png = png::encode_rgb(CHART_WIDTH, CHART_HEIGHT, &rgb).map_err(drawing)?;
    Ok(Chart {
        name: labels.name.to_string(),
        caption: labels.caption.to_string(),
        title: labels.title.to_string(),
        x_label: labels.x.to_string(),
        y_label: labels.y.to_string(),
        svg,
        png,
    })
}

pub(super) fn data_error(chart: &str, message: impl Into<String>) -> ReportError {
    ReportError::ChartData {
        chart: chart.to_string(),
        message: message.into(),
    }
}

pub(super) fn check_finite(
    chart: &str,
    what: &str,
    values: impl IntoIterator<Item = f64>,
) -> Result<(), ReportError> {
    for (i, v) in values.into_iter().enumerate() {
        if !v.is_finite() {
            return Err(data_error(
                chart,
                format!("{what} #{} is {v}; every value must be finite", i + 1),
            ));
        }
    }
    Ok(())
}

/// A colour-blind-safe palette (Okabe & Ito, 2008).
pub(super) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
];
pub(super) const GREY: RGBColor = RGBColor(110, 110, 110);
pub(super) const DARK: RGBColor = RGBColor(40, 40, 40);

/// Tick label: integral values without decimals, others with at most 3
/// decimals and no trailing zeros.
pub(super) fn tick(v: &f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Tick label for count axes: integral values only (others stay blank).
pub(super) fn int_tick(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        tick(v)
    } else {
        String::new()
    }
}

pub(super) fn caption_style() -> TextStyle<'static> {
    (FONT, 26).into_font().color(&DARK)
}

// -------------------------------------------------------------- line charts

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Line,
    LineMarkers,
    Dashed,
    Markers,
    /// Consecutive point pairs are the ends of vertical interval bars.
    Intervals,
}

pub(super) struct Series {
    pub(super) label: String,
    pub(super) points: Vec<(f64, f64)>,
    pub(super) kind: Kind,
    pub(super) color: RGBColor,
}

pub(super) struct XyPlot {
    pub(super) x_range: (f64, f64),
    pub(super) y_range: (f64, f64),
    pub(super) x_log: bool,
    /// The x axis counts things: label integral ticks only.
    pub(super) x_integer: bool,
    pub(super) legend: SeriesLabelPosition,
    pub(super) series: Vec<Series>,
}

impl Plot for XyPlot {
    fn draw<DB: DrawingBackend>(
        &self,
        labels: &Labels,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        root.fill(&WHITE).map_err(de)?;
        let mut builder = ChartBuilder::on(root);
        builder
            .caption(labels.title, caption_style())
            .margin(24)
            .x_label_area_size(64)
            .y_label_area_size(84);
        let (x0, x1) = self.x_range;
        let (y0, y1) = self.y_range;
        if self.x_log {
            let chart = builder
                .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
                .map_err(de)?;
            draw_xy(self, labels, chart)
        } else {
            let chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(de)?;
            draw_xy(self, labels, chart)
        }
    }
}

pub(super) fn draw_xy<'a, DB, X>(
    plot: &XyPlot,
    labels: &Labels,
    mut chart: ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
) -> Result<(), String>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(labels.x)
        .y_desc(labels.y)
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .x_label_formatter(if plot.x_integer { &int_tick } else { &tick })
        .y_label_formatter(&tick)
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(de)?;
    for s in &plot.series {
        let color = s.color;
        let style = color.stroke_width(2);
        match s.kind {
            Kind::Line | Kind::LineMarkers => {
                chart
                    .draw_series(LineSeries::new(s.points.iter().copied(), style))
                    .map_err(de)?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
                if s.kind == Kind::LineMarkers {
                    chart
                        .draw_series(s.points.iter().map(|&p| Circle::new(p, 4, color.filled())))
                        .map_err(de)?;
                }
            }
            Kind::Dashed => {
                chart
                    .draw_series(DashedLineSeries::new(
                        s.points.iter().copied(),
                        10,
                        6,
                        style,
                    ))
                    .map_err(de)?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 8, y)], style));
            }
            Kind::Markers => {
                chart
                    .draw_series(s.points.iter().map(|&p| {
                        EmptyElement::at(p)
                            + Circle::new((0, 0), 8, color.filled())
                            + Circle::new((0, 0), 8, DARK.stroke_width(1))
                    }))
                    .map_err(de)?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| Circle::new((x + 12, y), 6, color.filled()));
            }
            Kind::Intervals => {
                let thin = color.stroke_width(2);
                chart
                    .draw_series(
                        s.points
                            .chunks_exact(2)
                            .map(|pair| PathElement::new(vec![pair[0], pair[1]], thin)),
                    )
                    .map_err(de)?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x + 12, y - 7), (x + 12, y + 7)], thin)
                    });
            }
        }
    }
    chart
        .configure_series_labels()
        .position(plot.legend.clone())
        .margin(12)
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .draw()
        .map_err(de)?;
    Ok(())
}

pub(super) fn range_of(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Pads a range by 5% on each side (or by 1 when it is a single value).
pub(super) fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    } else {
        (lo - 1.0, hi + 1.0)
    }
}

// ---------------------------------------------------------------- bar charts

pub(super) struct BarGroup {
    pub(super) label: String,
    pub(super) color: RGBColor,
    /// One height per bin.
    pub(super) heights: Vec<f64>,
}

pub(super) struct BarPlot {
    /// Bin edges, `heights.len() + 1` values, increasing.
    pub(super) edges: Vec<f64>,
    pub(super) groups: Vec<BarGroup>,
    /// Vertical reference lines: label, x, colour.
    pub(super) vlines: Vec<(String, f64, RGBColor)>,
    /// The x axis counts things: label integral ticks only.
    pub(super) x_integer: bool,
    pub(super) legend: SeriesLabelPosition,
}

impl Plot for BarPlot {
    fn draw<DB: DrawingBackend>(
        &self,
        labels: &Labels,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        root.fill(&WHITE).map_err(de)?;
        let x0 = self.edges.first().copied().unwrap_or(0.0);
        let x1 = self.edges.last().copied().unwrap_or(1.0);
        let vx = self.vlines.iter().map(|v| v.1);
        let (x0, x1) = range_of(vx.chain([x0, x1])).unwrap_or((0.0, 1.0));
        let (x0, x1) = padded(x0, x1);
        let y_max = self
            .groups
            .iter()
            .flat_map(|g| g.heights.iter().copied())
            .fold(0.0f64, f64::max);
        let y_top = if y_max > 0.0 { y_max * 1.4 } else { 1.0 };
        let mut chart = ChartBuilder::on(root)
            .caption(labels.title, caption_style())
            .margin(24)
            .x_label_area_size(64)
            .y_label_area_size(84)
            .build_cartesian_2d(x0..x1, 0.0..y_top)
            .map_err(de)?;
        chart
            .configure_mesh()
            .x_desc(labels.x)
            .y_desc(labels.y)
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 15))
            .x_label_formatter(if self.x_integer { &int_tick } else { &tick })
            .y_label_formatter(&tick)
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(de)?;
        let alpha = if self.groups.len() > 1 { 0.55 } else { 0.85 };
        for g in &self.groups {
            let fill = g.color.mix(alpha).filled();
            let edge = g.color.stroke_width(1);
            chart
                .draw_series(g.heights.iter().enumerate().filter(|(_, h)| **h > 0.0).map(
                    |(i, &h)| Rectangle::new([(self.edges[i], 0.0), (self.edges[i + 1], h)], fill),
                ))
                .map_err(de)?
                .label(g.label.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 18, y + 6)], fill));
            chart
                .draw_series(g.heights.iter().enumerate().filter(|(_, h)| **h > 0.0).map(
                    |(i, &h)| Rectangle::new([(self.edges[i], 0.0), (self.edges[i + 1], h)], edge),
                ))
                .map_err(de)?;
        }
        for (label, x, color) in &self.vlines {
            let style = color.stroke_width(3);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(*x, 0.0), (*x, y_top)],
                    10,
                    6,
                    style,
                ))
                .map_err(de)?
                .label(label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 8, y)], style));
        }
        chart
            .configure_series_labels()
            .position(self.legend.clone())
            .margin(12)
            .label_font((FONT, 15))
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(de)?;
        Ok(())
    }
}

pub(super) fn check_curves(name: &str, curves: &[NamedCurve]) -> Result<(), ReportError> {
    if curves.is_empty() || curves.iter().all(|c| c.points.is_empty()) {
        return Err(data_error(name, "no curve points to plot"));
    }
    for c in curves {
        check_finite(
            name,
            &format!("coordinate of curve '{}'", c.label),
            c.points.iter().flat_map(|&(x, y)| [x, y]),
        )?;
    }
    Ok(())
}

/// Every curve's x values, sorted, after checking each is at least 1 (a
/// count axis: authors, documents); `what` names the axis in the error.
pub(super) fn counts_at_least_one(
    name: &str,
    curves: &[NamedCurve],
    what: &str,
) -> Result<Vec<f64>, ReportError> {
    let mut xs: Vec<f64> = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.0))
        .collect();
    if xs.iter().any(|&x| x < 1.0) {
        return Err(data_error(name, format!("{what} must be at least 1")));
    }
    xs.sort_by(f64::total_cmp);
    Ok(xs)
}

pub(super) fn check_unit(
    name: &str,
    curves: &[NamedCurve],
    x_unit: bool,
) -> Result<(), ReportError> {
    for c in curves {
        for &(x, y) in &c.points {
            if (x_unit && !(0.0..=1.0).contains(&x)) || !(0.0..=1.0).contains(&y) {
                return Err(data_error(
                    name,
                    format!("curve '{}' has point ({x}, {y}) outside [0, 1]", c.label),
                ));
            }
        }
    }
    Ok(())
}

pub(super) fn percent(points: &[(f64, f64)], x_too: bool) -> Vec<(f64, f64)> {
    let xs = if x_too { 100.0 } else { 1.0 };
    points.iter().map(|&(x, y)| (x * xs, y * 100.0)).collect()
}

/// One series per curve in palette order, y (and with `x_too` x) in percent.
pub(super) fn percent_series(curves: &[NamedCurve], x_too: bool, kind: Kind) -> Vec<Series> {
    curves
        .iter()
        .enumerate()
        .map(|(i, c)| Series {
            label: c.label.clone(),
            points: percent(&c.points, x_too),
            kind,
            color: PALETTE[i % PALETTE.len()],
        })
        .collect()
}
