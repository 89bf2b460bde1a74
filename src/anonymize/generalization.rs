//! Full-domain generalization with ARX hierarchies and record suppression.
//!
//! Every quasi-identifier (QI) is generalized to one level of its hierarchy
//! for all rows (full-domain generalization, Samarati 2001; Sweeney 2002).
//! The set of level vectors forms the generalization lattice; a node satisfies
//! the criteria when, after suppressing (all QIs -> `*`) the rows of the
//! equivalence classes that violate them, at most the suppression budget of
//! rows is suppressed. Criteria: k-anonymity, distinct-l-diversity
//! (Machanavajjhala et al. 2007) and t-closeness with the equal-distance Earth
//! Mover's Distance (Li, Li & Venkatasubramanian 2007), all on one sensitive
//! column.
//!
//! ## Search
//!
//! The lattice is walked bottom-up by height (sum of levels). When the
//! criteria are monotone (k and distinct-l always; equal-distance t-closeness
//! only without suppression, since the merged distribution is a convex
//! combination of its parts) a node with an anonymous predecessor is anonymous
//! too and is tagged without a check (predictive tagging, LeFevre, DeWitt &
//! Ramakrishnan 2005 "Incognito"; Kohlmayer et al. 2012 "Flash"). Tagged nodes
//! are also skipped for the loss, which is exact when the loss metric is
//! monotone: both metrics below are monotone without suppression; with a
//! suppression budget they are not, and the search evaluates every node (in
//! parallel) unless the caller opts into ARX's "practical monotonicity"
//! assumption. t-closeness with a suppression budget is not monotone, so that
//! combination is always searched exhaustively.
//!
//! ## Information loss
//!
//! * [`LossMetric::Precision`]: 1 - Prec of Sweeney (2002): the mean over all
//!   QI cells of `level / height` of the hierarchy, where a suppressed cell
//!   counts as 1 (fully generalized). In [0, 1].
//! * [`LossMetric::Discernibility`]: Bayardo & Agrawal (2005): the sum of
//!   squared class sizes over kept classes plus `n` for each suppressed row.
//!
//! Ties are broken by lower height, then by lexicographically smaller levels
//! (first QI most significant). Equivalence classes are computed with one
//! group-by over the distinct leaf tuples (a "roll-up" of the base classes),
//! not over rows. This module does not measure the privacy of other releases
//! (see [`crate::privacy`]).

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::{check_k, column_index, AnonymizeError};
use crate::data::{CategoricalColumn, EncodedTable, Hierarchy};

/// The suppression token written for every QI of a suppressed row.
pub const SUPPRESSED: &str = "*";

/// The largest lattice the search accepts.
pub const MAX_LATTICE_NODES: usize = 2_000_000;

/// A quasi-identifier column and its generalization hierarchy.
#[derive(Debug, Clone)]
pub struct QuasiIdentifier {
    /// Column name in the table.
    pub column: String,
    /// Its hierarchy (level 0 = the original values).
    pub hierarchy: Hierarchy,
}

/// Information-loss measure minimised by the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossMetric {
    /// 1 - Prec (Sweeney 2002), suppressed cells count as fully generalized.
    Precision,
    /// Discernibility metric (Bayardo & Agrawal 2005).
    Discernibility,
}

impl LossMetric {
    /// The metric's full name and source, for reports.
    pub fn description(self) -> &'static str {
        match self {
            LossMetric::Precision => {
                "1 - Prec (Sweeney 2002): mean generalization height ratio over QI cells, suppressed cells count 1"
            }
            LossMetric::Discernibility => {
                "discernibility (Bayardo & Agrawal 2005): sum of squared class sizes, n per suppressed row"
            }
        }
    }
}

/// What the search must reach and how it measures loss.
#[derive(Debug, Clone)]
pub struct GeneralizationConfig {
    /// The QIs with their hierarchies (at most a handful: the lattice is the
    /// product of the hierarchy heights).
    pub quasi_identifiers: Vec<QuasiIdentifier>,
    /// Minimum equivalence class size.
    pub k: usize,
    /// Distinct-l-diversity of `sensitive` in every kept class, if set.
    pub l_diversity: Option<usize>,
    /// Maximum equal-distance EMD between a kept class's distribution of
    /// `sensitive` and the whole table's, if set (in [0, 1]).
    pub t_closeness: Option<f64>,
    /// The sensitive column for l and t.
    pub sensitive: Option<String>,
    /// Largest share of rows that may be suppressed, in [0, 1].
    pub max_suppression: f64,
    /// The loss to minimise.
    pub metric: LossMetric,
    /// Treat the loss as monotone even with suppression (ARX's "practical
    /// monotonicity"): faster, may miss the optimum.
    pub assume_practical_monotonicity: bool,
}

/// The state of one lattice node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeEvaluation {
    /// Level per QI.
    pub levels: Vec<usize>,
    /// Equivalence classes before suppression.
    pub n_classes: usize,
    /// Smallest class before suppression.
    pub min_class_size: usize,
    /// Rows in classes violating the criteria.
    pub suppressed_rows: usize,
    /// True when `suppressed_rows` is within the budget.
    pub satisfies: bool,
    /// Information loss under the configured metric, with suppression applied.
    pub loss: f64,
}

/// The level chosen for one QI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChosenLevel {
    /// Column name.
    pub column: String,
    /// Chosen level (0 = original values).
    pub level: usize,
    /// Highest level of its hierarchy.
    pub max_level: usize,
}

/// The outcome of [`generalize`].
#[derive(Debug, Clone, Serialize)]
pub struct GeneralizationResult {
    /// Chosen level per QI.
    pub levels: Vec<ChosenLevel>,
    /// The metric used.
    pub metric: LossMetric,
    /// Its full name and source.
    pub metric_description: &'static str,
    /// Its value at the chosen node.
    pub information_loss: f64,
    /// Rows whose QIs were all replaced by `*`.
    pub suppressed_rows: usize,
    /// Kept (non-suppressed) equivalence classes.
    pub n_classes: usize,
    /// Smallest kept class (k of the release, suppressed rows excluded).
    pub min_class_size: usize,
    /// Nodes in the lattice.
    pub lattice_size: usize,
    /// Nodes whose classes were computed.
    pub nodes_evaluated: usize,
    /// True when the search skipped successors of anonymous nodes.
    pub pruned: bool,
    /// The anonymized table.
    #[serde(skip)]
    pub release: EncodedTable,
}

/// The generalization lattice of a table: hierarchies mapped onto the table's
/// dictionary codes and the base equivalence classes (distinct leaf tuples).
#[derive(Debug, Clone)]
pub struct GeneralizationLattice<'a> {
    table: &'a EncodedTable,
    qi_columns: Vec<usize>,
    /// `gen_codes[q][level][leaf_code]`: code at that level.
    gen_codes: Vec<Vec<Vec<u32>>>,
    /// `gen_values[q][level][code]`: the label.
    gen_values: Vec<Vec<Vec<String>>>,
    /// Key width: number of QIs, plus one when a sensitive column is used.
    width: usize,
    base_keys: Vec<u32>,
    base_counts: Vec<usize>,
    base_of_row: Vec<u32>,
    /// Whole-table distribution of the sensitive codes.
    sensitive_distribution: Vec<f64>,
    k: usize,
    l: Option<usize>,
    t: Option<f64>,
    budget: usize,
    metric: LossMetric,
}

/// Classes of one node: class id per base entry and per-class verdict.
struct Classes {
    class_of_base: Vec<u32>,
    sizes: Vec<usize>,
    violates: Vec<bool>,
}

impl<'a> GeneralizationLattice<'a> {
    /// Validates `config` against `table` and builds the base classes.
    pub fn new(
        table: &'a EncodedTable,
        config: &GeneralizationConfig,
    ) -> Result<Self, AnonymizeError> {
        check_k(table, config.k)?;
        if config.quasi_identifiers.is_empty() {
            return Err(AnonymizeError::Invalid(
                "generalization needs at least one quasi-identifier with a hierarchy".to_string(),
            ));
        }
        if !(0.0..=1.0).contains(&config.max_suppression) {
            return Err(AnonymizeError::Parameter {
                parameter: "max_suppression",
                value: config.max_suppression.to_string(),
                requirement: "the suppression budget is a share of rows in [0, 1]".to_string(),
            });
        }
        if let Some(l) = config.l_diversity {
            if l == 0 {
                return Err(AnonymizeError::Parameter {
                    parameter: "l",
                    value: "0".to_string(),
                    requirement: "l must be at least 1".to_string(),
                });
            }
        }
        if let Some(t) = config.t_closeness {
            if !(0.0..=1.0).contains(&t) {
                return Err(AnonymizeError::Parameter {
                    parameter: "t",
                    value: t.to_string(),
                    requirement: "t must be in [0, 1]".to_string(),
                });
            }
        }
        let needs_sensitive = config.l_diversity.is_some() || config.t_closeness.is_some();
        let sensitive = match (&config.sensitive, needs_sensitive) {
            (Some(name), true) => Some(column_index(table, name)?),
            (None, true) => {
                return Err(AnonymizeError::Invalid(
                    "l-diversity and t-closeness need a sensitive column".to_string(),
                ))
            }
            (_, false) => None,
        };
        let mut qi_columns = Vec::with_capacity(config.quasi_identifiers.len());
        let mut gen_codes = Vec::new();
        let mut gen_values = Vec::new();
        for qi in &config.quasi_identifiers {
            let c = column_index(table, &qi.column)?;
            if qi_columns.contains(&c) {
                return Err(AnonymizeError::Invalid(format!(
                    "quasi-identifier `{}` is listed twice",
                    qi.column
                )));
            }
            if Some(c) == sensitive {
                return Err(AnonymizeError::Invalid(format!(
                    "column `{}` cannot be both a quasi-identifier and the sensitive column",
                    qi.column
                )));
            }
            qi_columns.push(c);
            let column = &table.columns[c];
            let h = &qi.hierarchy;
            let mut paths = Vec::with_capacity(column.values.len());
            for (code, value) in column.values.iter().enumerate() {
                let path = h
                    .path(value)
                    .ok_or_else(|| AnonymizeError::UncoveredValue {
                        source_name: table.source.clone(),
                        column: qi.column.clone(),
                        row: column.first_row_with(code as u32).map_or(0, |r| r + 1),
                        value: value.clone(),
                    })?;
                paths.push(path);
            }
            let mut codes_by_level = Vec::with_capacity(h.levels());
            let mut values_by_level = Vec::with_capacity(h.levels());
            for level in 0..h.levels() {
                let mut index: HashMap<&str, u32> = HashMap::new();
                let mut values: Vec<String> = Vec::new();
                let codes = paths
                    .iter()
                    .map(|p| {
                        let label = p[level].as_str();
                        *index.entry(label).or_insert_with(|| {
                            values.push(label.to_string());
                            (values.len() - 1) as u32
                        })
                    })
                    .collect::<Vec<u32>>();
                codes_by_level.push(codes);
                values_by_level.push(values);
            }
            gen_codes.push(codes_by_level);
            gen_values.push(values_by_level);
        }
        let lattice_size = gen_codes
            .iter()
            .try_fold(1usize, |acc, g| acc.checked_mul(g.len()))
            .filter(|&s| s <= MAX_LATTICE_NODES)
            .ok_or_else(|| {
                AnonymizeError::Invalid(format!(
                    "the generalization lattice has more than {MAX_LATTICE_NODES} nodes; use fewer quasi-identifiers or shallower hierarchies (or Mondrian)"
                ))
            })?;
        debug_assert!(lattice_size >= 1);

        // Base classes: distinct (QI codes[, sensitive code]) tuples.
        let width = qi_columns.len() + usize::from(sensitive.is_some());
        let n = table.n_rows;
        let mut row_keys = vec![0u32; n * width];
        for (j, &c) in qi_columns.iter().enumerate() {
            for (r, &code) in table.columns[c].codes.iter().enumerate() {
                row_keys[r * width + j] = code;
            }
        }
        if let Some(s) = sensitive {
            for (r, &code) in table.columns[s].codes.iter().enumerate() {
                row_keys[r * width + width - 1] = code;
            }
        }
        let mut base_index: HashMap<&[u32], u32> = HashMap::new();
        let mut base_keys = Vec::new();
        let mut base_counts = Vec::new();
        let mut base_of_row = Vec::with_capacity(n);
        for key in row_keys.chunks_exact(width) {
            let next = base_counts.len() as u32;
            let b = *base_index.entry(key).or_insert_with(|| {
                base_keys.extend_from_slice(key);
                base_counts.push(0usize);
                next
            });
            base_counts[b as usize] += 1;
            base_of_row.push(b);
        }
        let sensitive_distribution = match sensitive {
            Some(s) => {
                let column = &table.columns[s];
                let mut counts = vec![0usize; column.n_values()];
                for &c in &column.codes {
                    counts[c as usize] += 1;
                }
                counts.iter().map(|&c| c as f64 / n as f64).collect()
            }
            None => Vec::new(),
        };
        let budget = (config.max_suppression * n as f64 + 1e-9).floor() as usize;
        Ok(GeneralizationLattice {
            table,
            qi_columns,
            gen_codes,
            gen_values,
            width,
            base_keys,
            base_counts,
            base_of_row,
            sensitive_distribution,
            k: config.k,
            l: config.l_diversity,
            t: config.t_closeness,
            budget,
            metric: config.metric,
        })
    }

    /// Number of levels per QI (hierarchy heights counting level 0).
    pub fn levels_per_qi(&self) -> Vec<usize> {
        self.gen_codes.iter().map(|g| g.len()).collect()
    }

    /// Number of nodes in the lattice.
    pub fn size(&self) -> usize {
        self.gen_codes.iter().map(|g| g.len()).product()
    }

    /// The suppression budget in rows.
    pub fn budget_rows(&self) -> usize {
        self.budget
    }

    fn check_levels(&self, levels: &[usize]) -> Result<(), AnonymizeError> {
        let heights = self.levels_per_qi();
        if levels.len() != heights.len() || levels.iter().zip(&heights).any(|(l, h)| l >= h) {
            return Err(AnonymizeError::Invalid(format!(
                "levels {levels:?} are not a node of the lattice (levels per QI: {heights:?})"
            )));
        }
        Ok(())
    }

    fn classify(&self, levels: &[usize]) -> Classes {
        let q = self.qi_columns.len();
        let n_base = self.base_counts.len();
        let mut keys = vec![0u32; n_base * q];
        for (j, &level) in levels.iter().enumerate() {
            let map = &self.gen_codes[j][level];
            for b in 0..n_base {
                keys[b * q + j] = map[self.base_keys[b * self.width + j] as usize];
            }
        }
        let mut index: HashMap<&[u32], u32> = HashMap::with_capacity(n_base);
        let mut sizes = Vec::new();
        let mut class_of_base = Vec::with_capacity(n_base);
        for (b, key) in keys.chunks_exact(q).enumerate() {
            let next = sizes.len() as u32;
            let c = *index.entry(key).or_insert_with(|| {
                sizes.push(0usize);
                next
            });
            sizes[c as usize] += self.base_counts[b];
            class_of_base.push(c);
        }
        let mut violates: Vec<bool> = sizes.iter().map(|&s| s < self.k).collect();
        if self.l.is_some() || self.t.is_some() {
            // (class, sensitive code, count), sorted by class then code.
            let mut entries: Vec<(u32, u32, usize)> = (0..n_base)
                .map(|b| {
                    (
                        class_of_base[b],
                        self.base_keys[b * self.width + self.width - 1],
                        self.base_counts[b],
                    )
                })
                .collect();
            entries.sort_unstable();
            let mut start = 0;
            while start < entries.len() {
                let class = entries[start].0;
                let mut end = start;
                while end < entries.len() && entries[end].0 == class {
                    end += 1;
                }
                let size = sizes[class as usize] as f64;
                let mut distinct = 0usize;
                let mut abs_diff = 0.0;
                let mut global_mass_inside = 0.0;
                let mut i = start;
                while i < end {
                    let s = entries[i].1;
                    let mut count = 0usize;
                    while i < end && entries[i].1 == s {
                        count += entries[i].2;
                        i += 1;
                    }
                    distinct += 1;
                    let global = self.sensitive_distribution[s as usize];
                    abs_diff += (count as f64 / size - global).abs();
                    global_mass_inside += global;
                }
                // Equal-distance EMD = half the L1 distance; values absent from
                // the class contribute their whole global mass.
                let emd = 0.5 * (abs_diff + (1.0 - global_mass_inside).max(0.0));
                let bad_l = self.l.is_some_and(|l| distinct < l);
                let bad_t = self.t.is_some_and(|t| emd > t + 1e-12);
                if bad_l || bad_t {
                    violates[class as usize] = true;
                }
                start = end;
            }
        }
        Classes {
            class_of_base,
            sizes,
            violates,
        }
    }

    /// Computes the classes, suppression and loss of the node `levels`.
    pub fn evaluate(&self, levels: &[usize]) -> Result<NodeEvaluation, AnonymizeError> {
        self.check_levels(levels)?;
        Ok(self.evaluate_unchecked(levels))
    }

    fn evaluate_unchecked(&self, levels: &[usize]) -> NodeEvaluation {
        let classes = self.classify(levels);
        let n = self.table.n_rows;
        let suppressed_rows: usize = classes
            .sizes
            .iter()
            .zip(&classes.violates)
            .filter(|(_, &v)| v)
            .map(|(s, _)| s)
            .sum();
        let loss = match self.metric {
            LossMetric::Precision => {
                let q = levels.len() as f64;
                let per_row: f64 = levels
                    .iter()
                    .zip(&self.gen_codes)
                    .map(|(&l, g)| {
                        if g.len() > 1 {
                            l as f64 / (g.len() - 1) as f64
                        } else {
                            0.0
                        }
                    })
                    .sum();
                ((n - suppressed_rows) as f64 * per_row + suppressed_rows as f64 * q)
                    / (n as f64 * q)
            }
            LossMetric::Discernibility => {
                let kept: f64 = classes
                    .sizes
                    .iter()
                    .zip(&classes.violates)
                    .filter(|(_, &v)| !v)
                    .map(|(&s, _)| (s as f64) * (s as f64))
                    .sum();
                kept + suppressed_rows as f64 * n as f64
            }
        };
        NodeEvaluation {
            levels: levels.to_vec(),
            n_classes: classes.sizes.len(),
            min_class_size: classes.sizes.iter().copied().min().unwrap_or(0),
            suppressed_rows,
            satisfies: suppressed_rows <= self.budget,
            loss,
        }
    }

    /// The table generalized to `levels`; when `suppress` is true the rows of
    /// violating classes get `*` in every QI.
    pub fn apply(&self, levels: &[usize], suppress: bool) -> Result<EncodedTable, AnonymizeError> {
        self.check_levels(levels)?;
        let classes = self.classify(levels);
        let mut release = self.table.clone();
        for (j, &c) in self.qi_columns.iter().enumerate() {
            let level = levels[j];
            let map = &self.gen_codes[j][level];
            let mut values = self.gen_values[j][level].clone();
            let star = values.len() as u32;
            values.push(SUPPRESSED.to_string());
            let codes = self.table.columns[c]
                .codes
                .iter()
                .zip(&self.base_of_row)
                .map(|(&leaf, &b)| {
                    let class = classes.class_of_base[b as usize] as usize;
                    if suppress && classes.violates[class] {
                        star
                    } else {
                        map[leaf as usize]
                    }
                })
                .collect();
            release.replace_column(CategoricalColumn::from_dictionary(
                &self.table.columns[c].name,
                values,
                codes,
            ));
        }
        Ok(release)
    }

    fn criteria_text(&self) -> String {
        let mut parts = vec![format!("k = {}", self.k)];
        if let Some(l) = self.l {
            parts.push(format!("distinct l = {l}"));
        }
        if let Some(t) = self.t {
            parts.push(format!("equal-distance t = {t}"));
        }
        parts.join(", ")
    }
}

/// Searches the lattice for the node with the least information loss that
/// satisfies the criteria within the suppression budget, and applies it.
pub fn generalize(
    table: &EncodedTable,
    config: &GeneralizationConfig,
) -> Result<GeneralizationResult, AnonymizeError> {
    let lattice = GeneralizationLattice::new(table, config)?;
    let radix = lattice.levels_per_qi();
    let q = radix.len();
    let size = lattice.size();
    // Mixed radix, first QI most significant: index order is lexicographic.
    let mut stride = vec![1usize; q];
    for j in (0..q.saturating_sub(1)).rev() {
        stride[j] = stride[j + 1] * radix[j + 1];
    }
    let decode = |idx: usize, levels: &mut [usize]| {
        for j in 0..q {
            levels[j] = (idx / stride[j]) % radix[j];
        }
    };
    let height = |idx: usize| (0..q).map(|j| (idx / stride[j]) % radix[j]).sum::<usize>();
    let mut order: Vec<usize> = (0..size).collect();
    order.sort_by_key(|&i| (height(i), i));

    let monotone_criteria = config.t_closeness.is_none() || lattice.budget_rows() == 0;
    let prune =
        monotone_criteria && (lattice.budget_rows() == 0 || config.assume_practical_monotonicity);
    let mut best: Option<NodeEvaluation> = None;
    let mut consider = |eval: NodeEvaluation| {
        if eval.satisfies && best.as_ref().is_none_or(|b| eval.loss < b.loss) {
            best = Some(eval);
        }
    };
    let evaluated;
    if prune {
        let mut anonymous = vec![false; size];
        let mut count = 0usize;
        let mut levels = vec![0usize; q];
        for &idx in &order {
            decode(idx, &mut levels);
            if (0..q).any(|j| levels[j] > 0 && anonymous[idx - stride[j]]) {
                anonymous[idx] = true;
                continue;
            }
            let eval = lattice.evaluate_unchecked(&levels);
            count += 1;
            anonymous[idx] = eval.satisfies;
            consider(eval);
        }
        evaluated = count;
    } else {
        // Exhaustive: every node, in parallel; the fold below keeps the
        // (height, index) order so ties resolve as in the pruned search.
        let evals: Vec<NodeEvaluation> = order
            .par_iter()
            .map(|&idx| {
                let mut levels = vec![0usize; q];
                decode(idx, &mut levels);
                lattice.evaluate_unchecked(&levels)
            })
            .collect();
        evaluated = evals.len();
        evals.into_iter().for_each(&mut consider);
    }
    let Some(best) = best else {
        let top: Vec<usize> = radix.iter().map(|r| r - 1).collect();
        let top_eval = lattice.evaluate_unchecked(&top);
        return Err(AnonymizeError::NoSolution {
            criteria: lattice.criteria_text(),
            budget: lattice.budget_rows(),
            top_suppressed: top_eval.suppressed_rows,
        });
    };
    let release = lattice.apply(&best.levels, true)?;
    let classes = lattice.classify(&best.levels);
    let kept: Vec<usize> = classes
        .sizes
        .iter()
        .zip(&classes.violates)
        .filter(|(_, &v)| !v)
        .map(|(&s, _)| s)
        .collect();
    Ok(GeneralizationResult {
        levels: config
            .quasi_identifiers
            .iter()
            .zip(&best.levels)
            .zip(&radix)
            .map(|((qi, &level), &r)| ChosenLevel {
                column: qi.column.clone(),
                level,
                max_level: r - 1,
            })
            .collect(),
        metric: config.metric,
        metric_description: config.metric.description(),
        information_loss: best.loss,
        suppressed_rows: best.suppressed_rows,
        n_classes: kept.len(),
        min_class_size: kept.iter().copied().min().unwrap_or(0),
        lattice_size: size,
        nodes_evaluated: evaluated,
        pruned: prune,
        release,
    })
}
