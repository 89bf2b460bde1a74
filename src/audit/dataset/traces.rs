//! Traces: trace unicity (de Montjoye et al. 2013).

use super::TracesFacts;
use crate::attacks::unicity::{unicity_sweep, SweepConfig, TraceSpec};
use crate::audit::config::{AuditConfig, TracesConfig};
use crate::audit::AuditError;
use crate::data::sources::{self, SourceFormat};
use crate::data::{read_frame, ReadOptions};
use crate::eval::Rate;
use crate::report::charts::{self};
use crate::report::{Chart, Section, Table};

// ------------------------------------------------------------------ traces

pub(crate) fn run_traces(
    t: &TracesConfig,
    config: &AuditConfig,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<TracesFacts>, AuditError> {
    let source = t.events.display().to_string();
    if let crate::engine::Engine::Spark(url) = config.traces_engine(t)? {
        let spec = TraceSpec {
            user_column: t.user.clone(),
            timestamp_column: t.timestamp.clone(),
            action_columns: t.actions.clone(),
            bucket_seconds: t.bucket_seconds.first().copied().unwrap_or(3600),
        };
        let mut report = crate::attacks::unicity::UnicityReport {
            curves: Vec::new(),
            linkage: Vec::new(),
            out_of_core: Vec::new(),
        };
        for &bucket in &t.bucket_seconds {
            let spec = TraceSpec {
                bucket_seconds: bucket,
                ..spec.clone()
            };
            report.curves.push(crate::engine::spark_unicity_curve(
                &url,
                &source,
                &spec,
                &t.points,
                config.seed,
            )?);
        }
        return finish(t, config, report, progress);
    }
    let (events, actions) = match &t.format {
        None => (
            read_frame(&t.events, &ReadOptions::default())?,
            t.actions.clone(),
        ),
        Some(name) => {
            // An export: its events table, with the action as the point's
            // action unless the config names others.
            let format = SourceFormat::parse(name)?;
            let imported = sources::import(&t.events, Some(format))?;
            let actions = if t.actions.is_empty() {
                vec!["action".to_string()]
            } else {
                t.actions.clone()
            };
            let table = format.events_table().unwrap_or("events");
            (imported.table(table)?.to_frame()?, actions)
        }
    };
    let spec = TraceSpec {
        user_column: t.user.clone(),
        timestamp_column: t.timestamp.clone(),
        action_columns: actions,
        bucket_seconds: t.bucket_seconds.first().copied().unwrap_or(3600),
    };
    let report = unicity_sweep(
        &events,
        &source,
        &spec,
        &SweepConfig {
            buckets: t.bucket_seconds.clone(),
            points: t.points.clone(),
            seed: config.seed,
            // The audit's `engine` applies to tables; traces run in one pass.
            users_per_partial: None,
        },
        None,
        &|| {},
    )?;
    finish(t, config, report, progress)
}

/// The chart and facts of a finished unicity report.
fn finish(
    t: &TracesConfig,
    config: &AuditConfig,
    report: crate::attacks::unicity::UnicityReport,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<TracesFacts>, AuditError> {
    let mut charts_out = Vec::new();
    if let Some(curve) = report.curves.first() {
        let points: Vec<charts::UnicityPoint> = curve
            .curve
            .iter()
            .map(|p| charts::UnicityPoint {
                points: p.points as u32,
                unicity: p.unicity,
                interval: Rate::new(p.n_unique as f64, p.n_users as u64)
                    .wilson(config.confidence, "trace unicity")
                    .ok()
                    .map(|q| (q.low, q.high)),
            })
            .collect();
        charts_out
            .push(charts::unicity_vs_points(&points)?.renamed(format!("{}_unicity", t.name))?);
    }
    progress(&format!("traces `{}`: unicity", t.name));
    crate::data::cancel::check()?;
    Ok(Box::new(TracesFacts {
        name: t.name.clone(),
        report,
        charts: charts_out,
    }))
}

pub(crate) fn traces_section(t: TracesFacts) -> Result<(Section, Vec<Chart>), AuditError> {
    let mut rows = Vec::new();
    for curve in &t.report.curves {
        for p in &curve.curve {
            rows.push(vec![
                curve.spec.bucket_seconds.to_string(),
                p.points.to_string(),
                format!("{:.4}", p.unicity),
                p.n_users.to_string(),
            ]);
        }
    }
    let mut section = Section::new(format!("Traces `{}`", t.name))
        .paragraph(
            "Trace unicity (de Montjoye et al. 2013): the share of users whose activity is the \
             only one containing p points drawn at random from their own trace (a point is a \
             time bucket and the action columns).",
        )
        .table(Table {
            caption: "Unicity".into(),
            columns: vec![
                "bucket (s)".into(),
                "points p".into(),
                "unicity".into(),
                "users".into(),
            ],
            rows,
        });
    for c in &t.charts {
        section = section.chart(c.name.clone(), c.caption.clone());
    }
    let section = section.result("unicity", &t.report)?;
    Ok((section, t.charts))
}
