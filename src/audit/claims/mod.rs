//! The claims (being split into one file per claim kind).

use super::dataset::{
    classifier_label, find_corpus, find_table, missing_facts, CorpusFacts, Facts, TableFacts,
};
use crate::audit::config::{percent, AuditConfig, ClaimConfig, PrivacyUnit};
use crate::audit::AuditError;
use crate::dp::{self};
use crate::eval::{self, qi_join_checks, Interval, Rate};
use crate::report::{ClaimVerdict, Verdict};

#[allow(clippy::too_many_arguments)]
pub(crate) fn claim(
    config_claim: &ClaimConfig,
    verdict: Verdict,
    measure: &str,
    measured: Option<f64>,
    interval: Option<Interval>,
    decided_by: &str,
    evidence: String,
    warnings: Vec<String>,
) -> ClaimVerdict {
    ClaimVerdict {
        claim: config_claim.statement(),
        verdict,
        measure: measure.to_string(),
        measured,
        confidence_interval: interval.map(|p| (p.low, p.high)),
        confidence_level: interval.map(|p| p.level),
        decided_by: decided_by.to_string(),
        evidence,
        warnings,
    }
}

/// The Wilson interval of `successes` out of `trials` at `level`.
pub(crate) fn wilson(
    successes: f64,
    trials: usize,
    level: f64,
    what: &str,
) -> Result<Interval, AuditError> {
    Ok(Rate::new(successes, trials as u64).wilson(level, what)?)
}

pub(crate) fn decide(
    c: &ClaimConfig,
    facts: &[Facts],
    config: &AuditConfig,
) -> Result<ClaimVerdict, AuditError> {
    let level = config.confidence;
    Ok(match c {
        ClaimConfig::KAnonymity { table, k } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let m = &t.metrics;
            let unit = if m.subjects.is_some() {
                "person(s)"
            } else {
                "record(s)"
            };
            // A column left out of the QIs that re-creates one (or is
            // near-unique) and would break the claimed k: not a PASS.
            let hidden: Vec<String> = m
                .hidden_qi
                .as_ref()
                .map(|h| {
                    h.hidden()
                        .filter(|c| c.k_with < *k)
                        .map(|c| {
                            format!(
                                "`{}` would give k = {} if added to the quasi-identifiers",
                                c.column, c.k_with
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut warnings = Vec::new();
            if !hidden.is_empty() {
                warnings.push(format!(
                    "Release columns not declared as quasi-identifiers determine one or are near-unique: {}. An adversary who knows them sees smaller classes; declare them as quasi-identifiers or remove them from the release.",
                    hidden.join("; ")
                ));
            }
            if let Some(s) = &m.subjects {
                if s.profile_k < *k {
                    warnings.push(format!(
                        "k counts persons ({} per smallest class; {} counting records), but an adversary who knows all of a person's records narrows some persons to a group of {}.",
                        s.subject_k, s.record_k, s.profile_k
                    ));
                }
            }
            if m.hidden_qi.is_none() {
                warnings.push(format!(
                    "The release has more than {} columns besides the quasi-identifiers, so they were not checked for hidden quasi-identifiers.",
                    crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS
                ));
            }
            let mut v = eval::at_least(m.k as f64, *k as f64);
            if v == Verdict::Pass && (!hidden.is_empty() || m.hidden_qi.is_none()) {
                v = Verdict::Inconclusive;
            }
            claim(
                c,
                v,
                "k (smallest equivalence class)",
                Some(m.k as f64),
                None,
                "k-anonymity over the release's quasi-identifiers",
                format!(
                    "The smallest of {} equivalence classes has {} {unit}; {} records sit in classes smaller than {k}.",
                    m.n_classes, m.k, m.below_target_k.n_records
                ),
                warnings,
            )
        }
        ClaimConfig::LDiversity { table, l } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let worst = t
                .metrics
                .sensitive
                .iter()
                .min_by_key(|s| s.l_distinct)
                .ok_or_else(|| missing_facts(table))?;
            claim(
                c,
                eval::at_least(worst.l_distinct as f64, *l as f64),
                "distinct l",
                Some(worst.l_distinct as f64),
                None,
                "distinct l-diversity (Machanavajjhala et al. 2007)",
                format!(
                    "Some equivalence class holds only {} distinct value(s) of `{}`.",
                    worst.l_distinct, worst.attribute
                ),
                Vec::new(),
            )
        }
        ClaimConfig::TCloseness { table, t: claimed } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let worst = t
                .metrics
                .sensitive
                .iter()
                .max_by(|a, b| a.t_equal_distance.t.total_cmp(&b.t_equal_distance.t))
                .ok_or_else(|| missing_facts(table))?;
            let measured = worst.t_equal_distance.t;
            claim(
                c,
                eval::at_most(measured, *claimed),
                "t (equal-distance EMD)",
                Some(measured),
                None,
                "t-closeness (Li et al. 2007)",
                format!(
                    "The class furthest from the overall distribution of `{}` is at EMD {measured:.4}.",
                    worst.attribute
                ),
                Vec::new(),
            )
        }
        ClaimConfig::Reidentification { table, max_rate } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let q = t.qi_join.as_ref().ok_or_else(|| missing_facts(table))?;
            // `+ 0.0`: an empty f64 sum is -0.0, which would print as "-0.0".
            let (successes, how) = match q.expected_correct_reidentifications {
                Some(e) => (e + 0.0, "expected correct re-identifications, scored with the truth key"),
                None => (
                    q.expected_reidentifications + 0.0,
                    "expected re-identifications (no truth key: every candidate set is assumed to hold the true original)",
                ),
            };
            let p = wilson(
                successes,
                q.n_release,
                level,
                &format!("table `{table}`: re-identification rate (the release has no rows)"),
            )?;
            let (v, warnings) = eval::guard(
                eval::interval_at_most(p.low, p.high, *max_rate),
                &qi_join_checks(q),
            );
            claim(
                c,
                v,
                "re-identification rate",
                Some(p.point),
                Some(p),
                "QI-join linkage attack against the originals",
                format!(
                    "{:.1} of {} release rows re-identified ({how}); {} rows ({}) match exactly one original; {} match none.",
                    successes,
                    q.n_release,
                    q.unique_matches,
                    percent(q.certain_share),
                    q.no_candidates
                ),
                warnings,
            )
        }
        ClaimConfig::InferenceRisk { table, max_risk } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let r = t.risk.as_ref().ok_or_else(|| missing_facts(table))?;
            let estimates = r.estimates();
            // One claim over several risks: every component must be below the
            // threshold (eval::composite_at_most), not only the highest point.
            let parts: Vec<(f64, f64)> = estimates.iter().map(|(_, e)| e.ci).collect();
            let v = eval::composite_at_most(&parts, *max_risk);
            // The figure shown is the component that decides: on a FAIL the
            // one whose lower end is highest, otherwise the one reaching highest.
            let (name, worst) = estimates
                .iter()
                .max_by(|a, b| match v {
                    Verdict::Fail => a.1.ci.0.total_cmp(&b.1.ci.0),
                    _ => a.1.ci.1.total_cmp(&b.1.ci.1),
                })
                .ok_or_else(|| missing_facts(table))?;
            let listed: Vec<String> = estimates
                .iter()
                .map(|(n, e)| format!("{n} {:.4} [{:.4}, {:.4}]", e.risk, e.ci.0, e.ci.1))
                .collect();
            claim(
                c,
                v,
                "residual risk (attack vs control) of the deciding component",
                Some(worst.risk),
                Some(Interval {
                    point: worst.risk,
                    low: worst.ci.0,
                    high: worst.ci.1,
                    level,
                }),
                &format!("Anonymeter-style risks ({} components; {name} decides)", estimates.len()),
                format!(
                    "PASS needs every component's upper end at or below {max_risk}, FAIL any lower end above it: {}.",
                    listed.join("; ")
                ),
                Vec::new(),
            )
        }
        ClaimConfig::NoDirectIdentifiers { corpora, tables } => {
            let everything = corpora.is_empty() && tables.is_empty();
            let selected: Vec<&CorpusFacts> = facts
                .iter()
                .filter_map(|f| match f {
                    Facts::Corpus(c) if everything || corpora.contains(&c.name) => Some(c.as_ref()),
                    _ => None,
                })
                .collect();
            let selected_tables: Vec<&TableFacts> = facts
                .iter()
                .filter_map(|f| match f {
                    Facts::Table(t) if everything || tables.contains(&t.name) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            let surviving: usize = selected.iter().map(|c| c.text.leak_scan.n_surviving).sum();
            let reversed: usize = selected.iter().map(|c| c.text.hash_attack.recovered).sum();
            let columns: usize = selected_tables
                .iter()
                .map(|t| t.direct_identifiers.flagged.len())
                .sum();
            let docs: usize = selected
                .iter()
                .map(|c| c.text.leak_scan.documents_with_leaks)
                .sum();
            let ambiguous: usize = selected
                .iter()
                .map(|c| c.text.leak_scan.ambiguous_not_counted)
                .sum();
            let mut per_dataset: Vec<String> = selected
                .iter()
                .map(|c| {
                    format!(
                        "corpus `{}`: {} identifiers, {} hashes",
                        c.name, c.text.leak_scan.n_surviving, c.text.hash_attack.recovered
                    )
                })
                .collect();
            per_dataset.extend(selected_tables.iter().map(|t| {
                let d = &t.direct_identifiers;
                if d.flagged.is_empty() {
                    format!("table `{}`: no identifier column", t.name)
                } else {
                    format!(
                        "table `{}`: identifier columns {}",
                        t.name,
                        d.columns
                            .iter()
                            .filter(|c| c.flagged)
                            .map(|c| format!(
                                "`{}` ({})",
                                c.column,
                                c.category.map_or("-", |k| k.label())
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            }));
            let found = (surviving + reversed + columns) as f64;
            // A claim over no dataset scanned nothing: never a PASS.
            let (v, mut warnings) = eval::guard(
                eval::at_most(found, 0.0),
                &[eval::CoverageCheck {
                    what: "corpora and tables scanned for identifiers".into(),
                    covered: (selected.len() + selected_tables.len()) as u64,
                    total: (selected.len() + selected_tables.len()) as u64,
                    required_share: 1.0,
                    cause: "No [[corpus]] or [[table]] is named by the claim or declared in the config.".into(),
                }],
            );
            if ambiguous > 0 {
                warnings.push(format!(
                    "{ambiguous} occurrence(s) of known identifiers that are also ordinary words or code tokens (e.g. a login `link`) were found outside identifier context and not counted; the corpus sections list them by reason."
                ));
            }
            claim(
                c,
                v,
                "direct identifiers found (surviving + hashes reversed + identifier columns)",
                Some(found),
                None,
                "identifier leak scan, hash dictionary attack and table column scan",
                format!(
                    "{surviving} distinct identifiers of the originals survive in {docs} release documents, {reversed} pseudonyms/hashes are reversed by hashing known identifiers, and {columns} release table column(s) hold direct identifiers ({}).",
                    per_dataset.join("; ")
                ),
                warnings,
            )
        }
        ClaimConfig::Authorship {
            corpus,
            max_accuracy,
        } => {
            let cf = find_corpus(facts, corpus).ok_or_else(|| missing_facts(corpus))?;
            let s = cf
                .stylometry
                .as_ref()
                .ok_or_else(|| missing_facts(corpus))?;
            let doc = wilson(
                (s.document_top1 * s.attributed_documents as f64).round(),
                s.attributed_documents,
                level,
                "document-level attribution",
            )
            .ok();
            let pseud = s.pseudonym_top1.and_then(|a| {
                wilson(
                    (a * s.pseudonyms as f64).round(),
                    s.pseudonyms,
                    level,
                    "pseudonym-level attribution",
                )
                .ok()
            });
            // The stronger attack decides: the one whose interval reaches higher.
            let (p, which) = match (doc, pseud) {
                (Some(d), Some(p)) if p.low > d.low => (p, "pseudonym level (pooled)"),
                (Some(d), _) => (d, "document level"),
                (None, Some(p)) => (p, "pseudonym level (pooled)"),
                (None, None) => return Err(missing_facts(corpus)),
            };
            let (v, warnings) = eval::guard(
                eval::interval_at_most(p.low, p.high, *max_accuracy),
                &[eval::CoverageCheck {
                    what: "held-out documents of known authors found in the release by id".into(),
                    covered: s.held_out_in_release as u64,
                    total: s.held_out_documents as u64,
                    required_share: eval::MIN_ALIGNED_SHARE,
                    cause: "Release documents are matched to their originals by the `id` column; release ids that name no original leave documents unattributed. Check that the release keeps the originals' document ids.".into(),
                }],
            );
            claim(
                c,
                v,
                "top-1 attribution accuracy",
                Some(p.point),
                Some(p),
                &format!("stylometric attribution ({}, {which})", classifier_label(s.classifier)),
                format!(
                    "{} of {} release documents attributed to their author; {} of {} pseudonyms after pooling; chance is {} with {} candidate authors.",
                    percent(s.document_top1),
                    s.attributed_documents,
                    s.pseudonym_top1.map_or("n/a".into(), percent),
                    s.pseudonyms,
                    percent(s.chance),
                    s.candidate_authors
                ),
                warnings,
            )
        }
        ClaimConfig::DocumentLinkage { corpus, max_rate } => {
            let cf = find_corpus(facts, corpus).ok_or_else(|| missing_facts(corpus))?;
            let l = &cf.text.linkage;
            if l.with_truth == 0 {
                return Err(AuditError::Dataset {
                    dataset: format!("corpus `{corpus}`"),
                    message: "no release document shares an id with an original, so document linkage cannot be scored; keep the originals' ids in the release or give a truth key".into(),
                });
            }
            let p = wilson(l.correct as f64, l.with_truth, level, "document linkage")?;
            let (v, warnings) = eval::guard(
                eval::interval_at_most(p.low, p.high, *max_rate),
                &[eval::CoverageCheck {
                    what: "release documents whose id names an original".into(),
                    covered: l.with_truth as u64,
                    total: cf.text.n_release_documents as u64,
                    required_share: eval::MIN_ALIGNED_SHARE,
                    cause: "Documents whose original is unknown cannot be scored; counting them as unlinked would understate the rate. Check the `id` column of both files.".into(),
                }],
            );
            claim(
                c,
                v,
                "share of release documents linked to their original",
                Some(p.point),
                Some(p),
                "document linkage (MinHash-LSH + Jaccard)",
                format!(
                    "{} of {} release documents are linked to their own original at Jaccard >= {}.",
                    l.correct, l.with_truth, l.config.threshold
                ),
                warnings,
            )
        }
        ClaimConfig::DifferentialPrivacy {
            aggregate,
            epsilon,
            delta,
            unit,
        } => {
            let a = facts
                .iter()
                .find_map(|f| match f {
                    Facts::Aggregate(a) if &a.name == aggregate => Some(a.as_ref()),
                    _ => None,
                })
                .ok_or_else(|| missing_facts(aggregate))?;
            let fit = &a.fit.fit;
            let use_gaussian =
                *delta > 0.0 && fit.better_fit == dp::estimate::NoiseFamily::Gaussian;
            let family_kind = if use_gaussian {
                dp::estimate::NoiseFamily::Gaussian
            } else {
                dp::estimate::NoiseFamily::Laplace
            };
            let sensitivity = match unit {
                PrivacyUnit::Record => a.record_sensitivity,
                PrivacyUnit::User => a.user_sensitivity.ok_or_else(|| missing_facts(aggregate))?,
            };
            // Worked out from the fitted noise at this sensitivity: linear
            // scaling of the per-record epsilon is right for Laplace noise only.
            let e = fit.epsilon_at(family_kind, sensitivity)?;
            let (point, low, high) = (e.point, e.lower, e.upper);
            let v = eval::epsilon_at_most(low, *epsilon, fit.n_used, 30);
            let family = if use_gaussian { "Gaussian" } else { "Laplace" };
            let finite_high = if high.is_finite() { high } else { f64::MAX };
            ClaimVerdict {
                claim: c.statement(),
                verdict: v,
                measure: "epsilon implied by the noise".into(),
                measured: Some(point),
                confidence_interval: Some((low, finite_high)),
                confidence_level: Some(e.confidence),
                decided_by: format!("{family} noise fit on {} paired aggregates", fit.n_used),
                warnings: Vec::new(),
                evidence: match v {
                    Verdict::Fail => format!(
                        "At sensitivity {sensitivity} the noise added implies epsilon {point:.3} (interval [{low:.3}, {high:.3}]), above the claimed {epsilon}: the noise is too small for the claim."
                    ),
                    Verdict::Pass => format!(
                        "At sensitivity {sensitivity} the noise added implies epsilon {point:.3} (interval [{low:.3}, {high:.3}]): consistent with the claimed {epsilon}. This tests the noise level only; it cannot prove the mechanism private."
                    ),
                    Verdict::Inconclusive => format!(
                        "Only {} paired aggregates: too few to fit the noise reliably.",
                        fit.n_used
                    ),
                },
            }
        }
        ClaimConfig::TraceUnicity {
            traces,
            points,
            max_unicity,
        } => {
            let t = facts
                .iter()
                .find_map(|f| match f {
                    Facts::Traces(t) if &t.name == traces => Some(t.as_ref()),
                    _ => None,
                })
                .ok_or_else(|| missing_facts(traces))?;
            let curve = t
                .report
                .curves
                .first()
                .ok_or_else(|| missing_facts(traces))?;
            let point = curve
                .curve
                .iter()
                .find(|p| p.points == *points)
                .ok_or_else(|| missing_facts(traces))?;
            let p = wilson(point.n_unique as f64, point.n_users, level, "trace unicity")?;
            claim(
                c,
                eval::interval_at_most(p.low, p.high, *max_unicity),
                "trace unicity",
                Some(p.point),
                Some(p),
                &format!(
                    "trace unicity with {points} random points ({} s buckets)",
                    curve.spec.bucket_seconds
                ),
                format!(
                    "{} of {} users are the only ones whose trace contains {points} of their own points.",
                    point.n_unique, point.n_users
                ),
                Vec::new(),
            )
        }
    })
}
