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
    Ok(EntropyL::from_min_entropy(min_class_entropy(
        classes, sensitive,
    )?))
}

/// `min_E H(E)` over the classes (natural log; `+inf` without a class): the
/// quantity [`entropy_l_diversity`] reports through
/// [`EntropyL::from_min_entropy`]. The minimum over several sets of classes
/// (hash partitions of one input) is the minimum of their minima.
pub fn min_class_entropy(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<f64, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    let sizes = classes.class_sizes();
    Ok((0..classes.n_classes())
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
        .reduce(|| f64::INFINITY, f64::min))
}

impl EntropyL {
    /// pyCANON's figures from the smallest class entropy `min_entropy`.
    pub fn from_min_entropy(min_entropy: f64) -> Self {
        // pyCANON computes `np.exp(1) ** H`, i.e. pow(e, H), not exp(H); the
        // two can differ in the last bit, which matters for the floor.
        let exp_entropy = std::f64::consts::E.powf(min_entropy);
        EntropyL {
            l: exp_entropy.floor() as u64,
            exp_entropy,
            min_entropy,
        }
    }
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
    let by_l = recursive_c_up_to(classes, sensitive, l, l)?;
    let (c, c_py) = by_l.first().copied().unwrap_or((None, None));
    Ok(RecursiveCl::from_parts(l, c, c_py))
}

/// The largest recursive c over some classes for one l: (paper c,
/// pyCANON c), `None` when some class has fewer than l values.
pub type RecursiveC = (Option<u64>, Option<u64>);

impl RecursiveCl {
    /// The figures for `l` from the largest paper c and pyCANON c over the
    /// classes (`None` when some class has fewer than l values).
    pub fn from_parts(l: u64, c: Option<u64>, c_pycanon: Option<u64>) -> Self {
        RecursiveCl {
            l,
            c,
            c_pycanon: if l < 2 { None } else { c_pycanon },
        }
    }
}

/// For every l in `from..=to` (`from >= 1`), the largest recursive c over
/// the classes: (paper c, pyCANON c before its `l < 2` rule), `None` when
/// some class has fewer than l distinct values. [`recursive_cl_diversity`]
/// is the entry for one l; a caller that learns l only after seeing these
/// classes (hash partitions of one input, whose l is the minimum over all
/// of them) asks for every l up to the classes' own distinct l and takes
/// the maximum over the partitions at the final l.
pub fn recursive_c_up_to(
    classes: &EquivalenceClasses,
    sensitive: &str,
    from: u64,
    to: u64,
) -> Result<Vec<RecursiveC>, PrivacyError> {
    if from == 0 {
        return Err(PrivacyError::InvalidParameter {
            name: "l",
            message: "recursive (c,l)-diversity needs l >= 1".to_string(),
        });
    }
    let sa = classes.sensitive(sensitive)?;
    let width = to.saturating_sub(from).saturating_add(1) as usize;
    if to < from {
        return Ok(Vec::new());
    }
    type Cs = Vec<RecursiveC>;
    let join = |x: Option<u64>, y: Option<u64>| Some(x?.max(y?));
    let per_class = (0..classes.n_classes()).into_par_iter().map_init(
        Vec::new,
        |buf: &mut Vec<u64>, c| -> Cs {
            let (_, counts) = sa.class(c);
            buf.clear();
            buf.extend_from_slice(counts);
            // ascending: pyCANON's order
            buf.sort_unstable();
            (from..=to).map(|l| class_recursive_c(buf, l)).collect()
        },
    );
    Ok(per_class.reduce(
        || vec![(Some(0), Some(0)); width],
        |a: Cs, b: Cs| {
            a.iter()
                .zip(&b)
                .map(|(x, y)| (join(x.0, y.0), join(x.1, y.1)))
                .collect()
        },
    ))
}

/// One class's recursive c for `l` from its value counts sorted
/// ascending: (paper c, pyCANON c), both `None` when the class has fewer
/// than l values. Paper (descending counts r_1 >= ... >= r_m):
/// `floor(r_1 / (r_l + ... + r_m)) + 1`; pyCANON applies the formula to the
/// ascending order.
fn class_recursive_c(ascending: &[u64], l: u64) -> (Option<u64>, Option<u64>) {
    let li = l as usize;
    let m = ascending.len();
    if li == 0 || m < li {
        return (None, None);
    }
    let tail_asc: u64 = ascending[li - 1..].iter().sum();
    let c_py = (ascending[0] as f64 / tail_asc as f64 + 1.0).floor() as u64;
    // descending r_l..r_m are the m - l + 1 smallest counts
    let tail_desc: u64 = ascending[..m - li + 1].iter().sum();
    let c_paper = ascending[m - 1] / tail_desc + 1;
    (Some(c_paper), Some(c_py))
}
