//! Charts over plain data, rendered headlessly with plotters to an SVG string
//! and PNG bytes, with DejaVu Sans embedded (so PNG text renders on machines
//! without system fonts).
//!
//! Every chart function takes plain numbers (no attack or metric types), so
//! the modules that produce those numbers do not depend on this one. Every
//! chart has a title, axis labels with units, a legend and a default caption
//! ([`Chart::caption`]). This module computes no metric: a derived point such
//! as a ROC curve's equal error rate comes in with the data
//! ([`NamedCurve::marker`], computed by `crate::eval::roc`), so the EER drawn
//! is the EER reported.
//!
//! One file per chart family: `privacy` (class sizes, risk CDF, l and t per
//! class), `linkage` (match weights, precision-recall, ROC), `attribution`
//! (top-k, accuracy versus authors and text length, confusion), `epsilon`
//! (bound versus trials), `traces` (unicity); `render` holds what they share.

use super::{check_chart_name, ReportError};

mod attribution;
mod epsilon;
mod linkage;
mod privacy;
mod pseudonyms;
mod render;
mod traces;

pub use attribution::{
    accuracy_vs_authors, accuracy_vs_text_length, confusion_heatmap, top_k_accuracy,
};
pub use epsilon::{epsilon_bound_vs_trials_with_plan, epsilon_lower_bound_vs_trials};
pub use linkage::{match_weight_histogram, precision_recall_curve, roc_curve};
pub use privacy::{class_size_histogram, l_and_t_per_class, prosecutor_risk_cdf};
pub use pseudonyms::{pooling_curve, precision_vs_coverage};
pub use traces::unicity_vs_points;

/// Width of every chart in pixels.
pub const CHART_WIDTH: u32 = 960;
/// Height of every chart in pixels.
pub const CHART_HEIGHT: u32 = 600;

/// A rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// File stem (`charts/<name>.svg`), referenced from report sections.
    pub name: String,
    /// Caption shown under the chart in a report. Every chart function sets
    /// a default describing what it draws; a caller that knows more (which
    /// attack, which data) replaces it with [`Chart::with_caption`]. Sections
    /// take the caption from here, never from the chart's file name.
    pub caption: String,
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

    /// The same chart with another caption.
    pub fn with_caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = caption.into();
        self
    }
}

/// A labelled curve of `(x, y)` points, e.g. one classifier's accuracy curve.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedCurve {
    /// Legend label.
    pub label: String,
    /// Points in drawing order.
    pub points: Vec<(f64, f64)>,
    /// A point to mark on the curve, computed by the caller (the ROC chart
    /// marks the equal error rate `crate::eval::roc` computed; it never
    /// computes one).
    pub marker: Option<(f64, f64)>,
}

impl NamedCurve {
    /// A curve with a label.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.into(),
            points,
            marker: None,
        }
    }

    /// The same curve with a marked point (or none).
    pub fn with_marker(mut self, marker: Option<(f64, f64)>) -> Self {
        self.marker = marker;
        self
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn captions_come_with_the_chart() {
        let c = class_size_histogram(&[1, 2, 2, 5], Some(2)).unwrap();
        assert_eq!(
            c.caption,
            "Equivalence-class sizes; the dashed line is the claimed k."
        );
        let c = c.with_caption("other");
        assert_eq!(c.caption, "other");
        // Renaming keeps the caption: it no longer depends on the file name.
        assert_eq!(c.renamed("users_sizes").unwrap().caption, "other");
    }
}
