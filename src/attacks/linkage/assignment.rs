//! One-to-one assignment of scored candidate pairs: each original and each
//! release row in at most one link.
//!
//! * [`greedy`]: pairs by decreasing score, kept when both rows are free.
//! * [`hungarian`]: the Kuhn-Munkres algorithm (Kuhn 1955, "The Hungarian
//!   method for the assignment problem"; Munkres 1957) in its O(n^2 m)
//!   shortest-augmenting-path form with potentials, maximising the sum of
//!   scores. Used per connected component of the candidate graph when the
//!   component is small; a row may stay unmatched (score 0 for non-candidates).
//!
//! Scores should be non-negative (the linkage pipeline uses match
//! probabilities, so the optimum maximises the expected number of correct links).

use std::collections::{HashMap, HashSet};

/// A scored candidate pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// Original (left) row.
    pub left: u32,
    /// Release (right) row.
    pub right: u32,
    /// Score (higher is better).
    pub score: f64,
}

/// Greedy assignment: indices into `pairs` of the kept links, by decreasing
/// score (ties broken by left then right row, so the result is deterministic).
pub fn greedy(pairs: &[ScoredPair]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&pairs[a], &pairs[b]);
        y.score
            .total_cmp(&x.score)
            .then(x.left.cmp(&y.left))
            .then(x.right.cmp(&y.right))
    });
    let mut left_used: HashSet<u32> = HashSet::new();
    let mut right_used: HashSet<u32> = HashSet::new();
    let mut kept = Vec::new();
    for i in order {
        let p = &pairs[i];
        if left_used.contains(&p.left) || right_used.contains(&p.right) {
            continue;
        }
        left_used.insert(p.left);
        right_used.insert(p.right);
        kept.push(i);
    }
    kept
}

/// Minimum-cost assignment of an `n x m` cost matrix (row-major) with
/// `n <= m`: returns for each row its column. Kuhn-Munkres with potentials.
pub fn min_cost_assignment(cost: &[f64], n: usize, m: usize) -> Vec<usize> {
    assert!(
        n <= m && cost.len() == n * m,
        "need n <= m and an n x m matrix"
    );
    // 1-based arrays as in the classical formulation; column 0 is virtual.
    let inf = f64::INFINITY;
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; m + 1];
    let mut p = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![inf; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0usize;
            for j in 1..=m {
                if !used[j] {
                    let cur = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut row_to_col = vec![0usize; n];
    for j in 1..=m {
        if p[j] != 0 {
            row_to_col[p[j] - 1] = j - 1;
        }
    }
    row_to_col
}

/// Optimal assignment maximising the sum of scores, solved exactly (Kuhn-Munkres)
/// on every connected component of the candidate graph whose larger side has
/// at most `max_component` rows, greedily on larger ones. Returns indices
/// into `pairs` of the kept links, sorted.
pub fn hungarian(pairs: &[ScoredPair], max_component: usize) -> Vec<usize> {
    // Union-find over left nodes (0..nl) and right nodes (nl..nl+nr), compacted.
    let mut lid: HashMap<u32, usize> = HashMap::new();
    let mut rid: HashMap<u32, usize> = HashMap::new();
    for p in pairs {
        let n = lid.len();
        lid.entry(p.left).or_insert(n);
        let n = rid.len();
        rid.entry(p.right).or_insert(n);
    }
    let nl = lid.len();
    let mut parent: Vec<usize> = (0..nl + rid.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for p in pairs {
        let a = root(&mut parent, lid[&p.left]);
        let b = root(&mut parent, nl + rid[&p.right]);
        if a != b {
            parent[a] = b;
        }
    }
    let mut components: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, p) in pairs.iter().enumerate() {
        let r = root(&mut parent, lid[&p.left]);
        components.entry(r).or_default().push(i);
    }
    let mut kept = Vec::new();
    let mut comps: Vec<Vec<usize>> = components.into_values().collect();
    comps.sort();
    for comp in comps {
        let mut ls: Vec<u32> = comp.iter().map(|&i| pairs[i].left).collect();
        let mut rs: Vec<u32> = comp.iter().map(|&i| pairs[i].right).collect();
        ls.sort_unstable();
        ls.dedup();
        rs.sort_unstable();
        rs.dedup();
        if ls.len().max(rs.len()) > max_component {
            let sub: Vec<ScoredPair> = comp.iter().map(|&i| pairs[i]).collect();
            kept.extend(greedy(&sub).into_iter().map(|j| comp[j]));
            continue;
        }
        let transpose = ls.len() > rs.len();
        let (rows, cols) = if transpose { (&rs, &ls) } else { (&ls, &rs) };
        let (n, m) = (rows.len(), cols.len());
        let mut cost = vec![0.0; n * m];
        let mut which = vec![usize::MAX; n * m];
        for &i in &comp {
            let p = &pairs[i];
            let (a, b) = if transpose {
                (p.right, p.left)
            } else {
                (p.left, p.right)
            };
            let ri = rows.binary_search(&a).unwrap_or(0);
            let ci = cols.binary_search(&b).unwrap_or(0);
            // Duplicate pairs: keep the best.
            if which[ri * m + ci] == usize::MAX || -p.score < cost[ri * m + ci] {
                cost[ri * m + ci] = -p.score.max(0.0);
                which[ri * m + ci] = i;
            }
        }
        for (r, c) in min_cost_assignment(&cost, n, m).into_iter().enumerate() {
            let i = which[r * m + c];
            if i != usize::MAX && pairs[i].score > 0.0 {
                kept.push(i);
            }
        }
    }
    kept.sort_unstable();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(left: u32, right: u32, score: f64) -> ScoredPair {
        ScoredPair { left, right, score }
    }

    #[test]
    fn hungarian_beats_greedy_on_classic_case() {
        // Greedy takes (0,0)=0.9 and then only (1,1)=0.1: total 1.0.
        // Optimal: (0,1)=0.8 + (1,0)=0.8 = 1.6.
        let pairs = [sp(0, 0, 0.9), sp(0, 1, 0.8), sp(1, 0, 0.8), sp(1, 1, 0.1)];
        let g = greedy(&pairs);
        assert_eq!(g, vec![0, 3]);
        let h = hungarian(&pairs, 100);
        assert_eq!(h, vec![1, 2]);
        // Forced greedy fallback gives the greedy answer.
        assert_eq!(hungarian(&pairs, 1), vec![0, 3]);
    }

    #[test]
    fn min_cost_3x3() {
        // Rows -> cols (1, 0, 2) cost 1 + 2 + 2 = 5; every other permutation costs 6 or more.
        let cost = [4.0, 1.0, 3.0, 2.0, 0.0, 5.0, 3.0, 2.0, 2.0];
        assert_eq!(min_cost_assignment(&cost, 3, 3), vec![1, 0, 2]);
        // Rectangular 2 x 3.
        let cost = [5.0, 1.0, 9.0, 1.0, 7.0, 9.0];
        assert_eq!(min_cost_assignment(&cost, 2, 3), vec![1, 0]);
    }
}
