//! Charts over plain data, rendered headlessly with plotters to an SVG string
//! and PNG bytes, with DejaVu Sans embedded (so PNG text renders on machines
//! without system fonts).
//!
//! Every chart function takes plain numbers (no attack or metric types), so
//! the modules that produce those numbers do not depend on this one. Every
//! chart has a title, axis labels with units and a legend. This module does
//! not compute metrics: the one derived quantity it computes is the equal
//! error rate point of a ROC curve, in order to mark it.

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::OnceLock;

use super::{check_chart_name, png, ReportError};

/// Width of every chart in pixels.
pub const CHART_WIDTH: u32 = 960;
/// Height of every chart in pixels.
pub const CHART_HEIGHT: u32 = 600;

/// DejaVu Sans (Bitstream Vera license, see `src/report/fonts/LICENSE`).
static DEJAVU_SANS: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
const FONT: &str = "sans-serif";

/// Registers the embedded font under the name plotters uses for sans-serif.
fn ensure_font() -> Result<(), String> {
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

/// A rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// File stem (`charts/<name>.svg`), referenced from report sections.
    pub name: String,
    /// Title drawn on the chart.
    pub title: String,
    /// Label of the horizontal axis, with unit.
    pub x_label: String,
    /// Label of the vertical axis, with unit.
    pub y_label: String,
    /// The chart as a standalone SVG document.
    pub svg: String,
    /// The chart as PNG bytes.
    pub png: Vec<u8>,
}

impl Chart {
    /// The same chart under another file name, so that several charts of one
    /// kind can go into one report.
    pub fn renamed(mut self, name: impl Into<String>) -> Result<Self, ReportError> {
        let name = name.into();
        check_chart_name(&name)?;
        self.name = name;
        Ok(self)
    }
}

/// A labelled curve of `(x, y)` points, e.g. one classifier's accuracy curve.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedCurve {
    /// Legend label.
    pub label: String,
    /// Points in drawing order.
    pub points: Vec<(f64, f64)>,
}

impl NamedCurve {
    /// A curve with a label.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.into(),
            points,
        }
    }
}

/// One point of a unicity curve: share of users singled out by `points`
/// random points of their trace, with an optional confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnicityPoint {
    /// Number of known points p.
    pub points: u32,
    /// Share of users unique given p points, in [0, 1].
    pub unicity: f64,
    /// Confidence interval of the share, in [0, 1].
    pub interval: Option<(f64, f64)>,
}

// ---------------------------------------------------------------- rendering

/// A chart body; the title and axis descriptions come from its [`Labels`],
/// which also name the chart in the report.
trait Plot {
    fn draw<DB: DrawingBackend>(
        &self,
        labels: &Labels,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), String>;
}

fn de<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

struct Labels<'a> {
    name: &'a str,
    title: &'a str,
    x: &'a str,
    y: &'a str,
}

fn render<P: Plot>(labels: Labels<'_>, plot: &P) -> Result<Chart, ReportError> {
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
        title: labels.title.to_string(),
        x_label: labels.x.to_string(),
        y_label: labels.y.to_string(),
        svg,
        png,
    })
}

fn data_error(chart: &str, message: impl Into<String>) -> ReportError {
    ReportError::ChartData {
        chart: chart.to_string(),
        message: message.into(),
    }
}

fn check_finite(
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
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
];
const GREY: RGBColor = RGBColor(110, 110, 110);
const DARK: RGBColor = RGBColor(40, 40, 40);

/// Tick label: integral values without decimals, others with at most 3
/// decimals and no trailing zeros.
fn tick(v: &f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Tick label for count axes: integral values only (others stay blank).
fn int_tick(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        tick(v)
    } else {
        String::new()
    }
}

fn caption_style() -> TextStyle<'static> {
    (FONT, 26).into_font().color(&DARK)
}

// -------------------------------------------------------------- line charts

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Line,
    LineMarkers,
    Dashed,
    Markers,
    /// Consecutive point pairs are the ends of vertical interval bars.
    Intervals,
}

struct Series {
    label: String,
    points: Vec<(f64, f64)>,
    kind: Kind,
    color: RGBColor,
}

struct XyPlot {
    x_range: (f64, f64),
    y_range: (f64, f64),
    x_log: bool,
    /// The x axis counts things: label integral ticks only.
    x_integer: bool,
    legend: SeriesLabelPosition,
    series: Vec<Series>,
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

fn draw_xy<'a, DB, X>(
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

fn range_of(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Pads a range by 5% on each side (or by 1 when it is a single value).
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    } else {
        (lo - 1.0, hi + 1.0)
    }
}

// ---------------------------------------------------------------- bar charts

struct BarGroup {
    label: String,
    color: RGBColor,
    /// One height per bin.
    heights: Vec<f64>,
}

struct BarPlot {
    /// Bin edges, `heights.len() + 1` values, increasing.
    edges: Vec<f64>,
    groups: Vec<BarGroup>,
    /// Vertical reference lines: label, x, colour.
    vlines: Vec<(String, f64, RGBColor)>,
    /// The x axis counts things: label integral ticks only.
    x_integer: bool,
    legend: SeriesLabelPosition,
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

// ------------------------------------------------------------ public charts

/// Histogram of equivalence-class sizes: how many classes have each size,
/// with the k threshold marked (classes left of the line violate k-anonymity).
///
/// `class_sizes` holds one size (number of release rows) per class.
pub fn class_size_histogram(
    class_sizes: &[u64],
    k_threshold: Option<u64>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "class_sizes";
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

/// Overlaid histograms of Fellegi-Sunter match weights (log2 likelihood
/// ratios) for true matches and non-matches, each normalised to a share of
/// its own pairs, with the decision threshold marked.
pub fn match_weight_histogram(
    match_weights: &[f64],
    non_match_weights: &[f64],
    threshold: Option<f64>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "match_weights";
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

fn check_curves(name: &str, curves: &[NamedCurve]) -> Result<(), ReportError> {
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

fn check_unit(name: &str, curves: &[NamedCurve], x_unit: bool) -> Result<(), ReportError> {
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

fn percent(points: &[(f64, f64)], x_too: bool) -> Vec<(f64, f64)> {
    let xs = if x_too { 100.0 } else { 1.0 };
    points.iter().map(|&(x, y)| (x * xs, y * 100.0)).collect()
}

/// One series per curve in palette order, y (and with `x_too` x) in percent.
fn percent_series(curves: &[NamedCurve], x_too: bool, kind: Kind) -> Vec<Series> {
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

/// Precision-recall curves, `(recall, precision)` points in [0, 1], one per attack.
pub fn precision_recall_curve(curves: &[NamedCurve]) -> Result<Chart, ReportError> {
    const NAME: &str = "precision_recall";
    check_curves(NAME, curves)?;
    check_unit(NAME, curves, true)?;
    let series = percent_series(curves, true, Kind::Line);
    let title = "Precision-recall curve";
    let x = "recall (% of true matches found)";
    let y = "precision (% of links correct)";
    render(
        Labels {
            name: NAME,
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

/// The equal-error-rate point of a ROC curve given as `(fpr, tpr)` points:
/// where the false-positive rate equals the false-negative rate (1 - tpr),
/// found by linear interpolation between the two points that bracket it.
/// Returns `(fpr, tpr)` at that point, or `None` for fewer than one point.
pub fn equal_error_point(roc: &[(f64, f64)]) -> Option<(f64, f64)> {
    let mut pts = roc.to_vec();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    // g = fpr - fnr = fpr + tpr - 1 is non-decreasing along a ROC curve.
    let g = |p: (f64, f64)| p.0 + p.1 - 1.0;
    let first = *pts.first()?;
    if g(first) >= 0.0 {
        return Some(first);
    }
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (ga, gb) = (g(a), g(b));
        if ga <= 0.0 && gb >= 0.0 {
            let s = if gb > ga { -ga / (gb - ga) } else { 0.0 };
            return Some((a.0 + s * (b.0 - a.0), a.1 + s * (b.1 - a.1)));
        }
    }
    pts.last().copied()
}

/// ROC curves, `(false-positive rate, true-positive rate)` points in [0, 1],
/// one per attack or verifier, with each curve's equal error rate marked
/// and the chance diagonal.
pub fn roc_curve(curves: &[NamedCurve]) -> Result<Chart, ReportError> {
    const NAME: &str = "roc";
    check_curves(NAME, curves)?;
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
        if let Some((fpr, tpr)) = equal_error_point(&pts) {
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

/// Top-k accuracy curves, `(k, accuracy)` with accuracy in [0, 1], one per
/// classifier; with `n_candidates`, the chance baseline k / n is drawn.
pub fn top_k_accuracy(
    curves: &[NamedCurve],
    n_candidates: Option<usize>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "top_k";
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
    check_curves(NAME, curves)?;
    check_unit(NAME, curves, false)?;
    let mut xs: Vec<f64> = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.0))
        .collect();
    if xs.iter().any(|&x| x < 1.0) {
        return Err(data_error(NAME, "number of authors must be at least 1"));
    }
    xs.sort_by(f64::total_cmp);
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

/// Empirical epsilon lower bound versus number of attack trials, `(trials,
/// lower bound)` points on a logarithmic trials axis, with the claimed
/// epsilon as a horizontal line (a bound above it refutes the claim).
pub fn epsilon_lower_bound_vs_trials(
    points: &[(u64, f64)],
    claimed_epsilon: Option<f64>,
) -> Result<Chart, ReportError> {
    const NAME: &str = "epsilon_vs_trials";
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

/// Trace unicity versus number of known points: the share of users singled
/// out by p random points of their trace (de Montjoye et al., 2013), with
/// confidence intervals as vertical bars when given.
pub fn unicity_vs_points(points: &[UnicityPoint]) -> Result<Chart, ReportError> {
    const NAME: &str = "unicity_vs_points";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eer_interpolates_between_bracketing_points() {
        // Points (0,0), (0.2,0.6), (0.4,0.9), (1,1).
        // g = fpr + tpr - 1: -1, -0.2, 0.3, 1. Bracket between (0.2,0.6) and (0.4,0.9):
        // s = 0.2 / 0.5 = 0.4 -> fpr = 0.2 + 0.4*0.2 = 0.28, tpr = 0.6 + 0.4*0.3 = 0.72.
        // Check: fnr = 1 - 0.72 = 0.28 = fpr.
        let (fpr, tpr) =
            equal_error_point(&[(0.0, 0.0), (0.4, 0.9), (0.2, 0.6), (1.0, 1.0)]).unwrap();
        assert!((fpr - 0.28).abs() < 1e-12, "{fpr}");
        assert!((tpr - 0.72).abs() < 1e-12, "{tpr}");
        assert_eq!(equal_error_point(&[]), None);
        // Chance diagonal: EER at 0.5.
        let (f, t) = equal_error_point(&[(0.0, 0.0), (1.0, 1.0)]).unwrap();
        assert!((f - 0.5).abs() < 1e-12 && (t - 0.5).abs() < 1e-12);
    }

    #[test]
    fn chart_data_errors_name_the_chart() {
        let e = class_size_histogram(&[], Some(2)).unwrap_err();
        assert!(e.to_string().contains("class_sizes"), "{e}");
        let e = l_and_t_per_class(&[1.0, 2.0], &[0.1], None, None).unwrap_err();
        assert!(e.to_string().contains("2 l values but 1 t values"), "{e}");
        let e = prosecutor_risk_cdf(&[0.5, f64::NAN], None).unwrap_err();
        assert!(e.to_string().contains("risk #2 is NaN"), "{e}");
        let e = confusion_heatmap(&["a".into()], &[vec![1, 2]]).unwrap_err();
        assert!(e.to_string().contains("1 x 1"), "{e}");
    }
}
