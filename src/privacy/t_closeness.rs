//! t-closeness: the Earth Mover's Distance (EMD) between each class's
//! sensitive-value distribution and the whole release's, maximised over classes.
//!
//! N. Li, T. Li & S. Venkatasubramanian, *t-Closeness: Privacy Beyond
//! k-Anonymity and l-Diversity*, ICDE 2007, section 4. Three ground distances:
//!
//! * **equal distance** (categorical; every two values at distance 1):
//!   `EMD(P, Q) = 1/2 sum_i |p_i - q_i|` (section 4.2);
//! * **ordered distance** (numeric; values at rank distance `|i - j| / (m - 1)`,
//!   m distinct values in the release): `EMD = 1/(m-1) sum_i |sum_(j<=i) (p_j - q_j)|`
//!   (section 4.1);
//! * **hierarchical distance** (categorical with a generalization hierarchy of
//!   height H; two leaves are at distance `level(lowest common ancestor) / H`):
//!   `EMD = sum_N level(N)/H * min(pos_extra(N), neg_extra(N))` over the
//!   internal nodes N, where `extra(leaf) = q_i - p_i`, `extra(N)` is the sum
//!   of its children's extras and pos/neg_extra(N) sum the positive / negative
//!   children's extras (section 4.2).
//!
//! The first two are exactly pyCANON 1.3.6's `aux_t_closeness_str` and
//! `aux_t_closeness_num` (pyCANON picks ordered EMD for numeric dtypes);
//! pyCANON has no hierarchical EMD. Per-class EMDs are computed in exact
//! integer arithmetic (counts scaled by `n |E|`) and divided once, so results
//! are reproducible to the last bit; the ordered EMD is evaluated sparsely,
//! in `O(d log m)` per class with d distinct values in the class.
//!
//! The distribution P of the whole release covers the rows in classes, so
//! under [`SuppressedRows::Exclude`](super::SuppressedRows::Exclude) fully
//! suppressed rows count in neither P nor any Q.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{EquivalenceClasses, PrivacyError, SensitiveCounts};
use crate::data::Hierarchy;

/// The ground distance of an EMD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroundDistance {
    /// Every two distinct values at distance 1 (categorical).
    EqualDistance,
    /// Values at rank distance `|i - j| / (m - 1)` (numeric, ordered).
    Ordered,
    /// Leaves at distance `level(LCA) / H` in a generalization hierarchy.
    Hierarchical,
}

/// t-closeness of one sensitive attribute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TCloseness {
    /// Ground distance used.
    pub ground: GroundDistance,
    /// `t = max_E EMD(P, Q_E)`.
    pub t: f64,
    /// Index of the first class reaching t.
    pub worst_class: usize,
}

/// Equal-distance EMD of two distributions over the same m values:
/// `1/2 sum_i |p_i - q_i|` (Li et al. 2007, section 4.2).
pub fn emd_equal_distance(p: &[f64], q: &[f64]) -> f64 {
    0.5 * p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// Ordered-distance EMD of two distributions over the same m ordered values:
/// `1/(m-1) sum_i |sum_(j<=i) (p_j - q_j)|` (Li et al. 2007, section 4.1);
/// 0 when `m <= 1`.
pub fn emd_ordered(p: &[f64], q: &[f64]) -> f64 {
    let m = p.len().min(q.len());
    if m <= 1 {
        return 0.0;
    }
    let mut running = 0.0;
    let mut total = 0.0;
    for i in 0..m {
        running += p[i] - q[i];
        total += f64::abs(running);
    }
    total / (m - 1) as f64
}

/// A generalization hierarchy prepared as the ground distance of hierarchical
/// EMD: a tree whose nodes are the hierarchy's paths (a node at level l is
/// identified by its label and its ancestors, so equal labels under different
/// parents stay distinct).
#[derive(Debug, Clone)]
pub struct HierarchicalGround {
    attribute: String,
    /// Height H of the tree (levels - 1).
    height: usize,
    /// Nodes of level l are ids `level_start[l]..level_start[l + 1]`; leaves
    /// (level 0) are ids `0..n_leaves` in hierarchy file order.
    level_start: Vec<usize>,
    /// Parent id of every non-root node.
    parent: Vec<usize>,
    leaf_index: HashMap<String, usize>,
}

impl HierarchicalGround {
    /// Prepares `hierarchy`. Errors when it has a single level (nothing to
    /// measure) or more than one distinct value at its top level (no common root).
    pub fn new(hierarchy: &Hierarchy) -> Result<Self, PrivacyError> {
        let bad = |message: String| PrivacyError::BadHierarchy {
            attribute: hierarchy.attribute.clone(),
            message,
        };
        let levels = hierarchy.levels();
        if levels < 2 {
            return Err(bad(
                "it has only one level (the values themselves); hierarchical EMD needs at least one level above the values"
                    .to_string(),
            ));
        }
        let height = levels - 1;
        let paths: Vec<&[String]> = hierarchy
            .leaves()
            .filter_map(|leaf| hierarchy.path(leaf))
            .collect();
        // Top-down: local id of each path's node at every level.
        let mut local = vec![vec![0usize; levels]; paths.len()];
        let mut level_sizes = vec![0usize; levels];
        let mut parents_local: Vec<Vec<usize>> = vec![Vec::new(); levels];
        for level in (0..levels).rev() {
            let mut ids: HashMap<(&str, usize), usize> = HashMap::new();
            for (i, path) in paths.iter().enumerate() {
                let up = if level == height {
                    0
                } else {
                    local[i][level + 1]
                };
                let next = ids.len();
                let id = *ids.entry((path[level].as_str(), up)).or_insert(next);
                if id == next {
                    parents_local[level].push(up);
                }
                local[i][level] = id;
            }
            level_sizes[level] = ids.len();
        }
        if level_sizes[height] != 1 {
            return Err(bad(format!(
                "its top level has {} distinct values; hierarchical EMD needs a single root (e.g. `*`)",
                level_sizes[height]
            )));
        }
        let mut level_start = vec![0usize; levels + 1];
        for l in 0..levels {
            level_start[l + 1] = level_start[l] + level_sizes[l];
        }
        let mut parent = Vec::with_capacity(level_start[height]);
        for l in 0..height {
            for &p in &parents_local[l] {
                parent.push(level_start[l + 1] + p);
            }
        }
        let leaf_index = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p[0].clone(), local[i][0]))
            .collect();
        Ok(HierarchicalGround {
            attribute: hierarchy.attribute.clone(),
            height,
            level_start,
            parent,
            leaf_index,
        })
    }

    /// Height H of the hierarchy (levels above the leaves).
    pub fn height(&self) -> usize {
        self.height
    }

    /// Number of leaves; distributions passed to [`emd`](Self::emd) have this length.
    pub fn n_leaves(&self) -> usize {
        self.level_start[1]
    }

    /// Index of leaf `value` (hierarchy file order), if it is a leaf.
    pub fn leaf_index(&self, value: &str) -> Option<usize> {
        self.leaf_index.get(value).copied()
    }

    fn n_nodes(&self) -> usize {
        self.level_start[self.height + 1]
    }

    fn level_of(&self, id: usize) -> usize {
        self.level_start.partition_point(|&s| s <= id) - 1
    }

    /// Sum over internal nodes of `level(N) * min(pos_extra(N), neg_extra(N))`,
    /// given leaf extras in `extra[..n_leaves]`; `pos`/`neg` are scratch of
    /// length n_nodes. Children have smaller ids than parents.
    fn weighted_cost<T>(
        &self,
        extra: &mut [T],
        pos: &mut [T],
        neg: &mut [T],
        level: impl Fn(usize) -> T,
    ) -> T
    where
        T: Copy
            + Default
            + PartialOrd
            + std::ops::Add<Output = T>
            + std::ops::Sub<Output = T>
            + std::ops::Mul<Output = T>
            + std::ops::AddAssign,
    {
        let zero = T::default();
        pos.fill(zero);
        neg.fill(zero);
        let mut cost = zero;
        let root = self.n_nodes() - 1;
        for id in 0..self.n_nodes() {
            if id >= self.n_leaves() {
                let (p, n) = (pos[id], neg[id]);
                let smaller = if p < n { p } else { n };
                cost += level(self.level_of(id)) * smaller;
                extra[id] = p - n;
            }
            if id != root {
                let e = extra[id];
                let parent = self.parent[id];
                if e > zero {
                    pos[parent] += e;
                } else {
                    neg[parent] += zero - e;
                }
            }
        }
        cost
    }

    /// Hierarchical EMD of two distributions over the leaves (indexed as
    /// [`leaf_index`](Self::leaf_index)): `sum_N level(N)/H * min(pos_extra(N), neg_extra(N))`
    /// (Li et al. 2007, section 4.2).
    pub fn emd(&self, p: &[f64], q: &[f64]) -> f64 {
        let nodes = self.n_nodes();
        let mut extra = vec![0.0; nodes];
        for (i, e) in extra.iter_mut().take(self.n_leaves()).enumerate() {
            *e = q.get(i).copied().unwrap_or(0.0) - p.get(i).copied().unwrap_or(0.0);
        }
        let mut pos = vec![0.0; nodes];
        let mut neg = vec![0.0; nodes];
        self.weighted_cost(&mut extra, &mut pos, &mut neg, |l| l as f64) / self.height as f64
    }
}

/// The larger of two `(value, class)` pairs; the smaller class on ties, so the
/// parallel reduction is deterministic.
pub(crate) fn larger(a: (f64, usize), b: (f64, usize)) -> (f64, usize) {
    if b.0 > a.0 || (b.0 == a.0 && b.1 < a.1) {
        b
    } else {
        a
    }
}

/// Index of the class with the largest value, and that value (first on ties).
pub(crate) fn max_over_classes(
    n_classes: usize,
    value: impl Fn(usize) -> f64 + Sync,
) -> (f64, usize) {
    (0..n_classes)
        .into_par_iter()
        .map(|c| (value(c), c))
        .reduce(|| (f64::NEG_INFINITY, usize::MAX), larger)
}

/// Rows in classes: the N of the overall distribution.
fn total(sa: &SensitiveCounts) -> u64 {
    sa.overall.iter().sum()
}

/// Equal-distance EMD between class `c`'s distribution of `sa` and the
/// overall one, in exact integer arithmetic: with class size n, N rows in
/// classes, class count c_s and overall count P_s of value s,
/// `1/2 sum_s |c_s / n - P_s / N| = sum_s |c_s N - n P_s| / (2 n N)`.
fn class_equal_distance(sa: &SensitiveCounts, sizes: &[u64], big_n: i128, c: usize) -> f64 {
    let (codes, counts) = sa.class(c);
    let n = sizes[c] as i128;
    // sum_s |c_s N - n P_s| over values in E, plus n P_s for values not in E.
    let mut present_p: i128 = 0;
    let mut sum: i128 = 0;
    for (&code, &k) in codes.iter().zip(counts) {
        let big_p = sa.overall[code as usize] as i128;
        present_p += big_p;
        sum += (k as i128 * big_n - n * big_p).abs();
    }
    sum += n * (big_n - present_p);
    sum as f64 / (2 * n * big_n) as f64
}

/// t-closeness with equal-distance EMD (Li et al. 2007; pyCANON's
/// `aux_t_closeness_str`): `t = max_E 1/2 sum_s |q_E(s) - p(s)|`.
pub fn t_closeness_equal_distance(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<TCloseness, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    let sizes = classes.class_sizes();
    let big_n = total(sa) as i128;
    let (t, worst_class) = max_over_classes(classes.n_classes(), |c| {
        class_equal_distance(sa, sizes, big_n, c)
    });
    Ok(TCloseness {
        ground: GroundDistance::EqualDistance,
        t,
        worst_class,
    })
}

/// Every class's equal-distance EMD to the overall distribution of
/// `sensitive`, in class order: the per-class values whose maximum is
/// [`t_closeness_equal_distance`] (for charts and per-class reports).
pub fn equal_distance_per_class(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<Vec<f64>, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    let sizes = classes.class_sizes();
    let big_n = total(sa) as i128;
    Ok((0..classes.n_classes())
        .into_par_iter()
        .map(|c| class_equal_distance(sa, sizes, big_n, c))
        .collect())
}

/// t-closeness with ordered-distance EMD (Li et al. 2007, section 4.1;
/// pyCANON's `aux_t_closeness_num`) over the attribute's values read as
/// numbers: the m distinct numbers of the release, ascending, are at distance
/// `|i - j| / (m - 1)`. Values that parse to the same number (`1`, `1.0`) are
/// one value. A value that is not a finite number (including the missing
/// value) is an error naming the column, row and value. `t = 0` when m = 1.
pub fn t_closeness_ordered(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<TCloseness, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    // Parse every value that occurs, then rank distinct numbers.
    let mut numbers: Vec<(f64, u32)> = Vec::new();
    for (code, &cnt) in sa.overall.iter().enumerate() {
        if cnt == 0 {
            continue;
        }
        let text = &sa.values[code];
        match text.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => numbers.push((x, code as u32)),
            _ => {
                return Err(PrivacyError::NotNumeric {
                    source_name: classes.source.clone(),
                    column: sa.attribute.clone(),
                    row: sa.first_row[code] + 1,
                    value: text.clone(),
                })
            }
        }
    }
    numbers.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_of_code = vec![u32::MAX; sa.values.len()];
    let mut rank_counts: Vec<u64> = Vec::new();
    let mut previous = f64::NAN;
    for &(x, code) in &numbers {
        if x != previous {
            rank_counts.push(0);
            previous = x;
        }
        let rank = rank_counts.len() - 1;
        rank_of_code[code as usize] = rank as u32;
        rank_counts[rank] += sa.overall[code as usize];
    }
    let m = rank_counts.len();
    if m <= 1 {
        return Ok(TCloseness {
            ground: GroundDistance::Ordered,
            t: 0.0,
            worst_class: 0,
        });
    }
    // cum[i] = rows with rank <= i; prefix[k] = sum_(i<k) cum[i].
    let mut cum = Vec::with_capacity(m);
    let mut acc: i128 = 0;
    for &k in &rank_counts {
        acc += k as i128;
        cum.push(acc);
    }
    let big_n = acc;
    let mut prefix = Vec::with_capacity(m + 1);
    prefix.push(0i128);
    for &c in &cum {
        let last = *prefix.last().unwrap_or(&0);
        prefix.push(last + c);
    }
    let sizes = classes.class_sizes();
    let (t, worst_class) = (0..classes.n_classes())
        .into_par_iter()
        .map_init(Vec::new, |buf: &mut Vec<(u32, u64)>, c| {
            let (codes, counts) = sa.class(c);
            buf.clear();
            buf.extend(
                codes
                    .iter()
                    .zip(counts)
                    .map(|(&code, &k)| (rank_of_code[code as usize], k)),
            );
            buf.sort_unstable();
            let n = sizes[c] as i128;
            let value = ordered_emd_sparse(buf, n, big_n, &cum, &prefix);
            (value as f64 / (n * big_n * (m as i128 - 1)) as f64, c)
        })
        .reduce(|| (f64::NEG_INFINITY, usize::MAX), larger);
    Ok(TCloseness {
        ground: GroundDistance::Ordered,
        t,
        worst_class,
    })
}

/// `sum_i |C_i N - n P_i|` over all ranks i, where `C_i` is the class's
/// cumulative count (piecewise constant, changing only at the class's ranks)
/// and `P_i = cum[i]` the release's (increasing). Within a constant piece the
/// sum splits where `n P_i` crosses `C N`, found by binary search.
fn ordered_emd_sparse(
    ranked: &[(u32, u64)],
    n: i128,
    big_n: i128,
    cum: &[i128],
    prefix: &[i128],
) -> i128 {
    let m = cum.len();
    let piece = |a: usize, b: usize, level: i128| -> i128 {
        // sum over i in [a, b) of |level - n cum[i]|
        if a >= b {
            return 0;
        }
        let s = a + cum[a..b].partition_point(|&x| n * x <= level);
        let below = level * (s - a) as i128 - n * (prefix[s] - prefix[a]);
        let above = n * (prefix[b] - prefix[s]) - level * (b - s) as i128;
        below + above
    };
    let mut total = 0i128;
    let mut start = 0usize;
    let mut running: i128 = 0;
    let mut i = 0;
    while i < ranked.len() {
        let rank = ranked[i].0 as usize;
        total += piece(start, rank, running * big_n);
        // merge equal ranks (codes parsing to the same number)
        while i < ranked.len() && ranked[i].0 as usize == rank {
            running += ranked[i].1 as i128;
            i += 1;
        }
        start = rank;
    }
    total += piece(start, m, running * big_n);
    total
}

/// t-closeness with hierarchical EMD (Li et al. 2007, section 4.2) using
/// `hierarchy` as the ground distance. Every value of the attribute that
/// occurs in the classes must be a leaf of the hierarchy; otherwise the error
/// names the column, a row and the value.
pub fn t_closeness_hierarchical(
    classes: &EquivalenceClasses,
    sensitive: &str,
    hierarchy: &Hierarchy,
) -> Result<TCloseness, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    let ground = HierarchicalGround::new(hierarchy)?;
    let mut leaf_of_code = vec![usize::MAX; sa.values.len()];
    let mut leaf_total = vec![0i128; ground.n_leaves()];
    for (code, &cnt) in sa.overall.iter().enumerate() {
        if cnt == 0 {
            continue;
        }
        let value = &sa.values[code];
        let leaf = ground
            .leaf_index(value)
            .ok_or_else(|| PrivacyError::NotInHierarchy {
                source_name: classes.source.clone(),
                column: sa.attribute.clone(),
                row: sa.first_row[code] + 1,
                value: value.clone(),
            })?;
        leaf_of_code[code] = leaf;
        leaf_total[leaf] += cnt as i128;
    }
    let big_n: i128 = leaf_total.iter().sum();
    let sizes = classes.class_sizes();
    let nodes = ground.n_nodes();
    let h = ground.height as i128;
    let (t, worst_class) = (0..classes.n_classes())
        .into_par_iter()
        .map_init(
            || (vec![0i128; nodes], vec![0i128; nodes], vec![0i128; nodes]),
            |(extra, pos, neg), c| {
                let n = sizes[c] as i128;
                for (e, &p) in extra.iter_mut().zip(&leaf_total) {
                    *e = -n * p;
                }
                let (codes, counts) = sa.class(c);
                for (&code, &k) in codes.iter().zip(counts) {
                    extra[leaf_of_code[code as usize]] += k as i128 * big_n;
                }
                let cost = ground.weighted_cost(extra, pos, neg, |l| l as i128);
                (cost as f64 / (h * n * big_n) as f64, c)
            },
        )
        .reduce(|| (f64::NEG_INFINITY, usize::MAX), larger);
    Ok(TCloseness {
        ground: GroundDistance::Hierarchical,
        t,
        worst_class,
    })
}

impl HierarchicalGround {
    /// Attribute of the underlying hierarchy.
    pub fn attribute(&self) -> &str {
        &self.attribute
    }
}
