//! Aggregates: the noise fitted between true and released aggregates and the
//! epsilon it implies per record and per user.

use std::collections::HashMap;

use polars::prelude::DataFrame;

use super::{text_values, AggregateFacts};
use crate::audit::config::{AggregateConfig, AuditConfig, ClaimConfig};
use crate::audit::AuditError;
use crate::data::{read_frame, ReadOptions};
use crate::dp::{self, NoiseFitOptions};
use crate::report::{Chart, Section, Table};

// ------------------------------------------------------------------ aggregates

pub(crate) fn group_keys(
    frame: &DataFrame,
    keys: &[String],
    source: &str,
) -> Result<Vec<String>, AuditError> {
    Ok(crate::data::group_keys(frame, keys, source)?)
}

pub(crate) fn numeric(
    frame: &DataFrame,
    column: &str,
    source: &str,
) -> Result<Vec<f64>, AuditError> {
    let values = text_values(frame, column, source)?;
    Ok(dp::parse_numeric(
        source,
        column,
        values.iter().map(Option::as_deref),
    )?)
}

pub(crate) fn run_aggregate(
    a: &AggregateConfig,
    config: &AuditConfig,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<AggregateFacts>, AuditError> {
    let opts = ReadOptions::default();
    let o_source = a.original.display().to_string();
    let r_source = a.release.display().to_string();
    let original = read_frame(&a.original, &opts)?;
    let release = read_frame(&a.release, &opts)?;
    let okeys = group_keys(&original, &a.keys, &o_source)?;
    let rkeys = group_keys(&release, &a.keys, &r_source)?;
    let rvalues = numeric(&release, &a.release_value, &r_source)?;
    let (kind, values) = match (a.kind.as_str(), &a.value) {
        ("sum", Some(v)) => (dp::Aggregate::Sum, Some(numeric(&original, v, &o_source)?)),
        _ => (dp::Aggregate::Count, None),
    };
    let pairs = dp::aggregate_pairs(kind, &okeys, values.as_deref(), &rkeys, &rvalues)?;
    let delta = config
        .claims
        .iter()
        .find_map(|c| match c {
            ClaimConfig::DifferentialPrivacy(c) if c.aggregate == a.name && c.delta > 0.0 => {
                Some(c.delta)
            }
            _ => None,
        })
        .unwrap_or(1e-5);
    let fit_options = NoiseFitOptions {
        confidence: config.confidence,
        sensitivity: Some(a.sensitivity),
        delta,
        ..NoiseFitOptions::default()
    };
    let fit = dp::fit_aggregate_noise(&pairs, values.as_deref(), &fit_options)?;
    let user_sensitivity = match &a.contributions {
        None => None,
        Some(c) => {
            let source = c.events.display().to_string();
            let events = read_frame(&c.events, &opts)?;
            let users = text_values(&events, &c.user, &source)?;
            let mut per_user: HashMap<&str, u64> = HashMap::new();
            for u in users.iter().flatten() {
                *per_user.entry(u.as_str()).or_insert(0) += 1;
            }
            let max = per_user.values().copied().max().unwrap_or(0);
            // Each event adds `sensitivity` to exactly one aggregate, so one
            // user's events move the vector of aggregates by at most
            // max_events * sensitivity in L1 norm.
            Some(max as f64 * a.sensitivity)
        }
    };
    progress(&format!("aggregate `{}`: noise fit", a.name));
    crate::data::cancel::check()?;
    Ok(Box::new(AggregateFacts {
        name: a.name.clone(),
        fit,
        record_sensitivity: a.sensitivity,
        user_sensitivity,
    }))
}

pub(crate) fn aggregate_section(a: AggregateFacts) -> Result<(Section, Vec<Chart>), AuditError> {
    let f = &a.fit.fit;
    let mut rows = vec![
        ("groups paired".to_string(), a.fit.n_groups.to_string()),
        (
            "groups missing in the release".to_string(),
            a.fit.groups_missing_in_release.to_string(),
        ),
        (
            "mean error (release - original)".to_string(),
            format!("{:.4}", f.mean_error),
        ),
        (
            "Laplace scale b [interval]".to_string(),
            format!(
                "{:.4} [{:.4}, {:.4}]",
                f.laplace.scale.point, f.laplace.scale.lower, f.laplace.scale.upper
            ),
        ),
        (
            "Gaussian sigma [interval]".to_string(),
            format!(
                "{:.4} [{:.4}, {:.4}]",
                f.gaussian.sigma.point, f.gaussian.sigma.lower, f.gaussian.sigma.upper
            ),
        ),
        (
            "better-fitting noise".to_string(),
            format!("{:?}", f.better_fit).to_lowercase(),
        ),
        (
            format!(
                "implied epsilon per record (sensitivity {})",
                a.record_sensitivity
            ),
            format!(
                "{:.4} [{:.4}, {:.4}]",
                f.laplace.epsilon.point, f.laplace.epsilon.lower, f.laplace.epsilon.upper
            ),
        ),
    ];
    if let Some(us) = a.user_sensitivity {
        let scale = us / a.record_sensitivity;
        rows.push((
            format!("implied epsilon per user (sensitivity {us})"),
            format!(
                "{:.4} [{:.4}, {:.4}]",
                f.laplace.epsilon.point * scale,
                f.laplace.epsilon.lower * scale,
                f.laplace.epsilon.upper * scale
            ),
        ));
    }
    let section = Section::new(format!("Aggregate `{}`", a.name))
        .paragraph(
            "The noise between the true and the released aggregates is fitted as Laplace and as \
             Gaussian (maximum likelihood, exact intervals); the epsilon it implies is the \
             sensitivity divided by the Laplace scale (Gaussian: Balle & Wang 2018 at the \
             claimed delta). Per user, the sensitivity is the most events one user contributes.",
        )
        .table(Table::key_value("Noise fit", rows))
        .result("noise_fit", &a.fit)?;
    Ok((section, Vec::new()))
}
