//! l-diversity of one sensitive attribute: distinct, entropy and recursive (c,l).
//!
//! Machanavajjhala, Kifer, Gehrke & Venkitasubramaniam, *l-Diversity: Privacy
//! Beyond k-Anonymity*, ACM TKDD 1(1), 2007, section 4.1. Values as computed by
//! pyCANON 1.3.6 (`l_diversity`, `entropy_l_diversity`,
//! `recursive_c_l_diversity`); where pyCANON departs from the paper both are
//! reported (see [`RecursiveCl`]). With several sensitive attributes pyCANON
//! (`gen=True`) takes the minimum l over attributes; [`report`](super::report)
//! does the same for its overall figures.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{EquivalenceClasses, PrivacyError};

/// Entropy l-diversity of one sensitive attribute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EntropyL {
    /// pyCANON's integer l: `floor(e^(min_E H(E)))`.
    pub l: u64,
    /// `e^(min_E H(E))` before flooring: the release is entropy l-diverse for
    /// every l up to this value (Machanavajjhala et al. require `H(E) >= ln l`).
    pub exp_entropy: f64,
    /// `min_E H(E)` in nats.
    pub min_entropy: f64,
}

/// Recursive (c,l)-diversity of one sensitive attribute for a given l.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecursiveCl {
    /// The l the c was computed for.
    pub l: u64,
    /// Smallest integer c such that every class satisfies
    /// `r_1 < c (r_l + r_(l+1) + ... + r_m)`, with `r_1 >= r_2 >= ... >= r_m`
    /// the class's value counts in *descending* order (Machanavajjhala et al.
    /// 2007, Definition 4.2): `c = max_E (floor(r_1 / (r_l + ... + r_m)) + 1)`.
    /// `None` when some class has fewer than l distinct values (no c works).
    pub c: Option<u64>,
    /// The c pyCANON 1.3.6 reports: the same formula applied to the counts
    /// sorted in *ascending* order (`np.sort`), i.e. the smallest count over
    /// the sum of the m-l+1 largest, which makes it 1 or 2 on almost any data.
    /// `None` when `l < 2` (pyCANON returns NaN) or some class has fewer than
    /// l distinct values. Kept so results can be compared with pyCANON.
    pub c_pycanon: Option<u64>,
}

/// Distinct l-diversity: `l = min_E |{distinct values of the attribute in E}|`
/// (Machanavajjhala et al. 2007; pyCANON `l_diversity`).
///
/// With several records per person (classes built with a subject column)
/// the values are counted over persons: a class's l is the number of
/// distinct *sets* of values its persons hold in it, capped at the number of
/// distinct values (so never above the record-level l), and 1 when some
/// value is held by every person of the class. One person with three records
/// holding three diagnoses is one set (l = 1: the adversary learns all
/// three), where counting records would give 3. With one record per person
/// both definitions agree. The literature defines l-diversity for one record
/// per person; this extension is the crate's own and errs on the low side.
pub fn distinct_l_diversity(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<u64, PrivacyError> {
    Ok(distinct_l_per_class(classes, sensitive)?
        .into_iter()
        .min()
        .unwrap_or(0))
}

/// Every class's distinct l, in class order: the per-class values whose
/// minimum is [`distinct_l_diversity`] (counted over persons with a subject
/// column, as there), for charts and per-class reports.
pub fn distinct_l_per_class(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<Vec<u64>, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    if let Some(per_class) = &sa.subject_distinct_l {
        return Ok(per_class.clone());
    }
    Ok(sa
        .offsets
        .windows(2)
        .map(|w| (w[1] - w[0]) as u64)
        .collect())
}

/// Entropy l-diversity: each class E must have entropy
/// `H(E) = -sum_s p(E,s) ln p(E,s) >= ln l`, `p(E,s)` the share of value s in
/// E (Machanavajjhala et al. 2007, Definition 4.1). pyCANON reports
/// `l = floor(e^(min_E H(E)))`; that value is [`EntropyL::l`]. Natural log, as
/// in pyCANON.
pub fn entropy_l_diversity(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<EntropyL, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    let sizes = classes.class_sizes();
    let min_entropy = (0..classes.n_classes())
        .into_par_iter()
        .map(|c| {
            let (_, counts) = sa.class(c);
            let n = sizes[c] as f64;
            let sum: f64 = counts
                .iter()
                .map(|&k| {
                    let p = k as f64 / n;
                    p * p.ln()
                })
                .sum();
            -sum
        })
        .reduce(|| f64::INFINITY, f64::min);
    // pyCANON computes `np.exp(1) ** H`, i.e. pow(e, H), not exp(H); the two
    // can differ in the last bit, which matters for the floor.
    let exp_entropy = std::f64::consts::E.powf(min_entropy);
    Ok(EntropyL {
        l: exp_entropy.floor() as u64,
        exp_entropy,
        min_entropy,
    })
}

/// Recursive (c,l)-diversity for a given `l` (Machanavajjhala et al. 2007,
/// Definition 4.2): a class with value counts `r_1 >= ... >= r_m` is
/// (c,l)-diverse when `r_1 < c (r_l + ... + r_m)`. Returns the smallest integer
/// c that makes every class (c,l)-diverse, and pyCANON's value (see
/// [`RecursiveCl`]). pyCANON passes the release's distinct l (over all
/// sensitive attributes) as `l`. Errors when `l` is 0.
pub fn recursive_cl_diversity(
    classes: &EquivalenceClasses,
    sensitive: &str,
    l: u64,
) -> Result<RecursiveCl, PrivacyError> {
    if l == 0 {
        return Err(PrivacyError::InvalidParameter {
            name: "l",
            message: "recursive (c,l)-diversity needs l >= 1".to_string(),
        });
    }
    let sa = classes.sensitive(sensitive)?;
    let li = l as usize;
    // Per class: (paper c, pyCANON c), None when the class has < l values.
    let per_class = (0..classes.n_classes()).into_par_iter().map_init(
        Vec::new,
        |buf: &mut Vec<u64>, c| -> (Option<u64>, Option<u64>) {
            let (_, counts) = sa.class(c);
            if counts.len() < li {
                return (None, None);
            }
            buf.clear();
            buf.extend_from_slice(counts);
            buf.sort_unstable();
            // ascending: pyCANON's order
            let tail_asc: u64 = buf[li - 1..].iter().sum();
            let c_py = (buf[0] as f64 / tail_asc as f64 + 1.0).floor() as u64;
            buf.reverse();
            let tail_desc: u64 = buf[li - 1..].iter().sum();
            let c_paper = buf[0] / tail_desc + 1;
            (Some(c_paper), Some(c_py))
        },
    );
    let (c, c_py) = per_class.reduce(
        || (Some(0), Some(0)),
        |a, b| {
            let join = |x: Option<u64>, y: Option<u64>| Some(x?.max(y?));
            (join(a.0, b.0), join(a.1, b.1))
        },
    );
    Ok(RecursiveCl {
        l,
        c,
        c_pycanon: if l < 2 { None } else { c_py },
    })
}
