//! Ranking of candidate authors from one row of attribution scores: the
//! order every stylometry attack uses to name its candidates (best first,
//! score ties broken by the lower author index, so results are
//! deterministic).
//!
//! This module only orders candidates; scoring the rankings against the
//! truth (top-k accuracy, macro-F1, confusion) is `eval::attribution`'s job.

use ndarray::ArrayView1;

/// Order of authors for one score row: best first, ties by index.
pub fn ranking(row: ArrayView1<f64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..row.len()).collect();
    order.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
    order
}

/// The `n` best authors of one score row, in the order of [`ranking`]
/// (best first, ties by index), without sorting the whole row.
pub fn top_ranked(row: ArrayView1<f64>, n: usize) -> Vec<usize> {
    let cmp = |a: &usize, b: &usize| row[*b].total_cmp(&row[*a]).then(a.cmp(b));
    let mut order: Vec<usize> = (0..row.len()).collect();
    let n = n.min(order.len());
    if n == 0 {
        return Vec::new();
    }
    if n < order.len() {
        // The comparison is a total order, so selection then sorting the
        // head gives exactly the head of the full sort.
        order.select_nth_unstable_by(n - 1, cmp);
        order.truncate(n);
    }
    order.sort_unstable_by(cmp);
    order
}

/// 1-based position of author `t` in [`ranking`] of `row`, counted in one
/// pass: authors scored higher (by `total_cmp`), or equal with a lower index,
/// come first.
pub fn rank_of(row: ArrayView1<f64>, t: usize) -> usize {
    let st = row[t];
    1 + row
        .iter()
        .enumerate()
        .filter(|&(a, s)| match s.total_cmp(&st) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => a < t,
            std::cmp::Ordering::Less => false,
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn ties_go_to_the_lower_index() {
        let row = array![1.0, 3.0, 3.0, 0.0];
        assert_eq!(ranking(row.view()), vec![1, 2, 0, 3]);
        assert_eq!(top_ranked(row.view(), 2), vec![1, 2]);
        assert_eq!(top_ranked(row.view(), 0), Vec::<usize>::new());
        assert_eq!(top_ranked(row.view(), 9), vec![1, 2, 0, 3]);
        assert_eq!(
            (0..4).map(|t| rank_of(row.view(), t)).collect::<Vec<_>>(),
            vec![3, 1, 2, 4]
        );
    }
}
