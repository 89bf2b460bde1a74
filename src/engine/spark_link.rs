//! Fellegi-Sunter linkage on Spark, through Spark Connect: the blocked
//! candidate pairs, their comparison levels and the pattern counts EM
//! trains on are Spark SQL over two tables the cluster holds; EM, the
//! model, the assignment and the report are the same Rust code as in
//! process ([`crate::attacks::linkage::train_model`],
//! [`crate::attacks::linkage::finish_links`]).
//!
//! As Splink does (its `ComparisonLevel`s render as SQL conditions and a
//! comparison as a `CASE` over them; Linacre et al., Splink,
//! <https://moj-analytical-services.github.io/splink/>), each comparison
//! becomes `CASE WHEN <either side null> THEN 0 WHEN <level 1> THEN 1 ...
//! ELSE <last> END`, a blocking rule an equi-join condition, and the union of
//! rules a `UNION ALL` in which rule *i* drops the pairs an earlier rule
//! already produces (`NOT coalesce(<earlier rule>, false)`), so every pair
//! appears once, as in process. What comes back is small:
//!
//! * per-rule pair counts (checked against `max_pairs` before any pair is
//!   built);
//! * per EM session, the count of each distinct comparison vector
//!   (`GROUP BY` the vector): a [`PatternPartial`];
//! * for u, the vector counts over every pair (`CROSS JOIN`) when there are
//!   at most `u_sample_pairs` pairs, which is what the in-process engine
//!   compares then, so u is equal; above that, a seeded sample of rows on
//!   each side (`ORDER BY rand(seed)`), which is *not* the in-process sample
//!   (a warning says so);
//! * lambda's deterministic pair count;
//! * the pairs whose comparison vector has a match weight at or above the
//!   threshold: Rust computes the weight of every distinct vector exactly
//!   and Spark filters the pairs on the set of vectors that pass
//!   (`WHERE concat_ws(',', g0, ...) IN (...)`), so no floating-point sum
//!   runs on Spark and the links are exactly the in-process links;
//! * with a truth key, the (original, release) pairs that share it.
//!
//! Rust cross-checks what comes back and errs rather than return a result
//! on a mismatch: the u counts cover exactly the pairs of the cross join or
//! sample; the pairs compared lie between the largest rule's blocking count
//! and the sum of the rules' counts; an implied EM session has at most the
//! pairs compared; the pairs above the threshold are exactly as many as the
//! pattern counts of the passing vectors; every row id lies inside its
//! counted partition.
//!
//! Values are read as the readers do (cast to text, trimmed; a null, a
//! missing token or a suppression token `*`, `***` is missing); see
//! [`super::spark`] for the known differences of Spark's `trim` and casts.
//! Rows are numbered in scan order as in [`super::spark`].
//!
//! Not supported on Spark (an error says which and names the other
//! engines): Jaro-Winkler, Damerau-Levenshtein, date and
//! generalized-compatible levels, term-frequency adjustments, `soundex` and
//! `year` blocking keys, and `#row` as the truth key. Because only the pairs
//! above the threshold come back, the scores that read every blocked pair
//! (true pairs among the blocked ones, the best-candidate rates, the PR
//! curve) are computed over those pairs; precision, recall and F1 read the
//! links and the truth key and equal the in-process ones.

use std::collections::BTreeMap;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Int64Type};

use super::link_sql::{
    gamma_expr, quote_str, rule_condition, rule_keys, union_sql, unsupported, value_expr, Columns,
};
use super::spark::{connect, run_sql, spark_error, RowNumbers, SparkTable};
use super::EngineError;
use crate::attacks::linkage::{
    finish_links, prior_lambda, train_model, BlockingRule, Comparison, LinkageConfig, LinkageError,
    LinkageResult, PatternPartial, RuleEstimate, ScoredPairs, SessionPairs,
};
use crate::data::{MissingPolicy, TruthKey};

fn int_column(batch: &RecordBatch, j: usize) -> Option<Vec<i64>> {
    let col = arrow::compute::cast(batch.column(j), &DataType::Int64).ok()?;
    let a = col.as_primitive_opt::<Int64Type>()?;
    Some(
        (0..a.len())
            .map(|i| if a.is_null(i) { 0 } else { a.value(i) })
            .collect(),
    )
}

/// Links `release` to `original` (tables the Spark Connect server at `url`
/// holds) under `config`; see the module docs for what runs where.
///
/// Errors: a comparison, key or truth key the Spark engine does not run
/// (named), more blocked pairs than `config.max_pairs`, no connection, a
/// SQL error with Spark's message, an answer of an unexpected shape.
pub fn link(
    url: &str,
    original: &SparkTable,
    release: &SparkTable,
    config: &LinkageConfig,
    missing: &MissingPolicy,
) -> Result<LinkageResult, EngineError> {
    if config.comparisons.is_empty() {
        return Err(
            LinkageError::BadParameter("give at least one comparison (--fields)".into()).into(),
        );
    }
    for c in &config.comparisons {
        c.validate()?;
    }
    let k = config.comparisons.len();
    let mut cols = Columns {
        left: Vec::new(),
        right: Vec::new(),
    };
    let gammas: Vec<String> = config
        .comparisons
        .iter()
        .map(|c| gamma_expr(c, &mut cols))
        .collect::<Result<_, _>>()?;
    let prediction: Vec<String> = config
        .blocking
        .iter()
        .map(|r| rule_condition(r, &mut cols))
        .collect::<Result<_, _>>()?;
    let training: Vec<&BlockingRule> = if config.training_blocking.is_empty() {
        config.blocking.iter().collect()
    } else {
        config.training_blocking.iter().collect()
    };
    let training_sql: Vec<String> = training
        .iter()
        .map(|r| rule_condition(r, &mut cols))
        .collect::<Result<_, _>>()?;
    let deterministic: Vec<String> = match &config.prior {
        crate::attacks::linkage::PriorSpec::Deterministic { rules, .. } => rules
            .iter()
            .map(|r| rule_condition(r, &mut cols))
            .collect::<Result<_, _>>()?,
        _ => Vec::new(),
    };
    let truth_sql = match &config.truth {
        Some((lc, _)) if lc == crate::data::ROW_KEY => {
            return Err(unsupported("`#row` as the truth key"))
        }
        Some((lc, rc)) => Some(format!("{} = {}", cols.l(lc), cols.r(rc))),
        None => None,
    };
    let view = |table: &SparkTable, names: &[String]| -> String {
        let mut select = vec!["monotonically_increasing_id() AS mid".to_string()];
        for (i, c) in names.iter().enumerate() {
            select.push(format!("{} AS v{i}", value_expr(c, missing)));
        }
        format!("SELECT {} FROM {}", select.join(", "), table.sql())
    };
    let with = format!(
        "WITH l AS ({}), r AS ({})",
        view(original, &cols.left),
        view(release, &cols.right)
    );
    let g_select: Vec<String> = gammas
        .iter()
        .enumerate()
        .map(|(i, g)| format!("{g} AS g{i}"))
        .collect();
    let g_names: Vec<String> = (0..k).map(|i| format!("g{i}")).collect();
    let g_list = g_names.join(", ");

    let session = connect(url)?;
    let run = |sql: &str| run_sql(&session, url, sql);
    let bad = |what: &str| spark_error(url, format!("unexpected answer: {what}"));
    let left_rows = RowNumbers::of(&run, url, original)?;
    let right_rows = RowNumbers::of(&run, url, release)?;
    let (nl, nr) = (left_rows.total as usize, right_rows.total as usize);
    if nl == 0 || nr == 0 {
        return Err(LinkageError::BadParameter("both tables need at least one row".into()).into());
    }
    let total_pairs = nl as f64 * nr as f64;
    let counts_of = |sql: &str| -> Result<PatternPartial, EngineError> {
        let mut counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for batch in run(sql)? {
            let columns: Vec<Vec<i64>> = (0..=k)
                .map(|j| int_column(&batch, j).ok_or_else(|| bad("pattern counts")))
                .collect::<Result<_, _>>()?;
            let (vectors, n) = columns.split_at(k);
            for (i, &n) in n[0].iter().enumerate() {
                let g: Vec<u8> = vectors.iter().map(|c| c[i] as u8).collect();
                *counts.entry(g).or_insert(0) += n as u64;
            }
        }
        Ok(PatternPartial { k, counts })
    };
    let count_of = |sql: &str| -> Result<u64, EngineError> {
        let mut n = 0u64;
        for batch in run(sql)? {
            if batch.num_rows() > 0 {
                n += int_column(&batch, 0).ok_or_else(|| bad("a count"))?[0] as u64;
            }
        }
        Ok(n)
    };

    // Per-rule pair counts, before any pair is built.
    let mut estimates = Vec::new();
    let mut warnings = Vec::new();
    if config.blocking.is_empty() {
        let p = nl as u64 * nr as u64;
        estimates.push(RuleEstimate {
            rule: "cartesian (no blocking)".into(),
            pairs: p,
            blocks: 1,
            largest_block_pairs: p,
        });
    }
    for rule in &config.blocking {
        // Rows per key value on each side, joined on the key.
        let keys = rule_keys(rule, &mut cols)?;
        let keys_l: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let keys_r: Vec<String> = keys.iter().map(|k| k.1.clone()).collect();
        let side = |keys: &[String], alias: &str| {
            let select: Vec<String> = keys
                .iter()
                .enumerate()
                .map(|(i, e)| format!("{e} AS k{i}"))
                .collect();
            let not_null: Vec<String> = (0..keys.len())
                .map(|i| format!("k{i} IS NOT NULL"))
                .collect();
            format!(
                "SELECT {}, COUNT(*) AS n FROM (SELECT {} FROM {alias}) WHERE {} GROUP BY {}",
                (0..keys.len())
                    .map(|i| format!("k{i}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                select.join(", "),
                not_null.join(" AND "),
                (0..keys.len())
                    .map(|i| format!("k{i}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        };
        let on: Vec<String> = (0..keys_l.len())
            .map(|i| format!("a.k{i} = b.k{i}"))
            .collect();
        let sql = format!(
            "{with} SELECT CAST(coalesce(SUM(a.n * b.n), 0) AS BIGINT), COUNT(*), CAST(coalesce(MAX(a.n * b.n), 0) AS BIGINT) \
             FROM ({}) a JOIN ({}) b ON {}",
            side(&keys_l, "l"),
            side(&keys_r, "r"),
            on.join(" AND ")
        );
        let mut e = RuleEstimate {
            rule: rule.describe(),
            pairs: 0,
            blocks: 0,
            largest_block_pairs: 0,
        };
        for batch in run(&sql)? {
            if batch.num_rows() > 0 {
                let get = |j| int_column(&batch, j).ok_or_else(|| bad("rule counts"));
                e.pairs = get(0)?[0] as u64;
                e.blocks = get(1)?[0] as usize;
                e.largest_block_pairs = get(2)?[0] as u64;
            }
        }
        if e.pairs > config.warn_pairs {
            warnings.push(format!(
                "blocking rule `{}` produces {} pairs (largest block {}), above the warning level {}; add a key to the rule",
                e.rule, e.pairs, e.largest_block_pairs, config.warn_pairs
            ));
        }
        estimates.push(e);
    }
    let total = estimates
        .iter()
        .fold(0u64, |t, e| t.saturating_add(e.pairs));
    if total > config.max_pairs {
        return Err(LinkageError::TooManyPairs {
            estimated: total,
            cap: config.max_pairs,
            per_rule: estimates
                .iter()
                .map(|e| (e.rule.clone(), e.pairs))
                .collect(),
        }
        .into());
    }

    // u: every pair when they are few enough (as in process), else a
    // seeded sample of rows on each side.
    let u_counts = if total_pairs <= config.u_sample_pairs as f64 {
        counts_of(&format!(
            "{with} SELECT {g_list}, COUNT(*) FROM (SELECT {} FROM l CROSS JOIN r) GROUP BY {g_list}",
            g_select.join(", ")
        ))?
    } else {
        let side = (config.u_sample_pairs as f64).sqrt().ceil() as u64;
        let (a, b) = (
            side.min(nl as u64),
            (config.u_sample_pairs as u64 / side.max(1))
                .max(1)
                .min(nr as u64),
        );
        warnings.push(format!(
            "engine spark: u was estimated from {a} x {b} rows sampled on Spark (seed {}), not from the in-process random pairs; u may differ slightly from an in-process run",
            config.seed
        ));
        counts_of(&format!(
            "{with} SELECT {g_list}, COUNT(*) FROM (SELECT {} FROM \
             (SELECT * FROM l ORDER BY rand({seed}) LIMIT {a}) l CROSS JOIN \
             (SELECT * FROM r ORDER BY rand({seed2}) LIMIT {b}) r) GROUP BY {g_list}",
            g_select.join(", "),
            seed = config.seed,
            seed2 = config.seed.wrapping_add(1),
        ))?
    };
    // The u counts cover every pair of the cross join (or of the sample).
    let u_expected = if total_pairs <= config.u_sample_pairs as f64 {
        nl as u64 * nr as u64
    } else {
        let side = (config.u_sample_pairs as f64).sqrt().ceil() as u64;
        side.min(nl as u64)
            * (config.u_sample_pairs as u64 / side.max(1))
                .max(1)
                .min(nr as u64)
    };
    if u_counts.n_pairs() != u_expected {
        return Err(bad(&format!(
            "the u pattern counts cover {} pairs, not the {u_expected} of the rows compared",
            u_counts.n_pairs()
        )));
    }
    let comparison_refs: Vec<&Comparison> = config.comparisons.iter().collect();
    let u = crate::attacks::linkage::fellegi_sunter::u_from_patterns(
        &comparison_refs,
        &u_counts.patterns(),
    );

    let lambda = prior_lambda(config, total_pairs, &mut warnings, &mut |_| {
        count_of(&format!(
            "{with} SELECT COUNT(*) FROM ({})",
            union_sql(&deterministic, "l.mid")
        ))
        .map_err(|e| LinkageError::BadParameter(e.to_string()))
    })?;

    // Pattern counts of the prediction pairs, and per EM session.
    let pairs_sql = union_sql(
        &prediction,
        &format!("l.mid AS lm, r.mid AS rm, {}", g_select.join(", ")),
    );
    let all_counts = counts_of(&format!(
        "{with} SELECT {g_list}, COUNT(*) FROM ({pairs_sql}) GROUP BY {g_list}"
    ))?;
    // Cross-check against the blocking counts: the union holds every pair of
    // each rule and at most their sum (no rule: the cross join).
    let compared = all_counts.n_pairs();
    let largest_rule = estimates.iter().map(|e| e.pairs).max().unwrap_or(0);
    if compared < largest_rule || compared > total {
        return Err(bad(&format!(
            "{compared} pairs compared, but the blocking counts give {} (rules: {}); no result is returned rather than a wrong one",
            if estimates.len() == 1 {
                format!("{total}")
            } else {
                format!("between {largest_rule} and {total}")
            },
            estimates
                .iter()
                .map(|e| format!("`{}` {}", e.rule, e.pairs))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut session_counts = |session: &SessionPairs| -> Result<PatternPartial, LinkageError> {
        let to_linkage = |e: EngineError| LinkageError::BadParameter(e.to_string());
        match session {
            SessionPairs::All => Ok(all_counts.clone()),
            SessionPairs::Implied(rule) | SessionPairs::Own(rule) => {
                let j = training
                    .iter()
                    .position(|t| *t == *rule)
                    .ok_or_else(|| LinkageError::BadParameter("unknown training rule".into()))?;
                let sql = if let SessionPairs::Implied(_) = session {
                    let select = format!(
                        "{}, coalesce({}, false) AS t",
                        g_select.join(", "),
                        training_sql[j]
                    );
                    format!(
                        "{with} SELECT {g_list}, COUNT(*) FROM ({}) WHERE t GROUP BY {g_list}",
                        union_sql(&prediction, &select)
                    )
                } else {
                    format!(
                        "{with} SELECT {g_list}, COUNT(*) FROM (SELECT {} FROM l JOIN r ON {}) GROUP BY {g_list}",
                        g_select.join(", "),
                        training_sql[j]
                    )
                };
                let counts = counts_of(&sql).map_err(to_linkage)?;
                if matches!(session, SessionPairs::Implied(_)) && counts.n_pairs() > compared {
                    return Err(to_linkage(bad(&format!(
                        "an EM session's pattern counts cover {} pairs, more than the {compared} compared",
                        counts.n_pairs()
                    ))));
                }
                Ok(counts)
            }
        }
    };
    let (model, sessions) = train_model(
        config,
        &u,
        lambda,
        &mut session_counts,
        &mut warnings,
        &mut |_| {},
    )?;

    // The vectors whose weight reaches the threshold, weighed in Rust; Spark
    // returns the pairs that have one of them.
    let zeros = vec![0.0; k];
    let passing: Vec<String> = all_counts
        .counts
        .keys()
        .filter(|g| model.match_weight(g, &zeros) >= config.threshold)
        .map(|g| {
            quote_str(
                &g.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            )
        })
        .collect();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut gamma_of: Vec<Vec<u8>> = Vec::new();
    if !passing.is_empty() {
        let sql = format!(
            "{with} SELECT lm, rm, {g_list} FROM ({pairs_sql}) WHERE concat_ws(',', {g_list}) IN ({})",
            passing.join(", ")
        );
        for batch in run(&sql)? {
            let columns: Vec<Vec<i64>> = (0..k + 2)
                .map(|j| int_column(&batch, j).ok_or_else(|| bad("scored pairs")))
                .collect::<Result<_, _>>()?;
            for (i, (&lm, &rm)) in columns[0].iter().zip(&columns[1]).enumerate() {
                let l = left_rows.row(url, lm)?;
                let r = right_rows.row(url, rm)?;
                pairs.push((l as u32, r as u32));
                gamma_of.push(columns[2..].iter().map(|c| c[i] as u8).collect());
            }
        }
    }
    let expected_scored: u64 = all_counts
        .counts
        .iter()
        .filter(|(g, _)| model.match_weight(g, &zeros) >= config.threshold)
        .map(|(_, &n)| n)
        .sum();
    if pairs.len() as u64 != expected_scored {
        return Err(bad(&format!(
            "{} pairs at or above the threshold came back, but the pattern counts hold {expected_scored}",
            pairs.len()
        )));
    }
    // A fixed order (original row, release row): the assignment breaks ties
    // by rows, not by position.
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_unstable_by_key(|&i| pairs[i]);
    let pairs: Vec<(u32, u32)> = order.iter().map(|&i| pairs[i]).collect();
    let mut gammas = Vec::with_capacity(pairs.len() * k);
    for &i in &order {
        gammas.extend_from_slice(&gamma_of[i]);
    }
    let weights: Vec<f64> = gammas
        .chunks(k)
        .map(|g| model.match_weight(g, &zeros))
        .collect();
    warnings.push(format!(
        "engine spark: only the {} pairs at or above the threshold came back (of {} blocked); true pairs among the blocked ones, the best-candidate rates and the PR curve are computed over them",
        pairs.len(),
        all_counts.n_pairs()
    ));

    let truth = match truth_sql {
        Some(cond) => {
            let mut found = Vec::new();
            for batch in run(&format!(
                "{with} SELECT l.mid, r.mid FROM l JOIN r ON {cond}"
            ))? {
                let a = int_column(&batch, 0).ok_or_else(|| bad("truth pairs"))?;
                let b = int_column(&batch, 1).ok_or_else(|| bad("truth pairs"))?;
                for i in 0..batch.num_rows() {
                    found.push((
                        left_rows.row(url, a[i])? as u32,
                        right_rows.row(url, b[i])? as u32,
                    ));
                }
            }
            Some(TruthKey::new(nr, found))
        }
        None => None,
    };
    let no_tf = |_: u32, _: &[u8], _: usize| 0.0;
    Ok(finish_links(
        config,
        (nl, nr),
        estimates,
        all_counts.n_pairs() as usize,
        model,
        sessions,
        warnings,
        ScoredPairs {
            pairs,
            weights,
            links: Vec::new(),
            truth,
        },
        &gammas,
        &no_tf,
    ))
}
