//! k-anonymity and (alpha,k)-anonymity from equivalence classes.
//!
//! k-anonymity (Samarati 2001; Sweeney, *k-anonymity: a model for protecting
//! privacy*, IJUFKS 10(5), 2002): a release is k-anonymous when every
//! equivalence class over the quasi-identifiers has at least k rows; the k of a
//! release is the smallest class size. (alpha,k)-anonymity (Wong, Li, Fu &
//! Wang, KDD 2006) adds that no sensitive value may make up more than a share
//! alpha of any class. Both as in pyCANON (`k_anonymity`, `alpha_k_anonymity`).
//!
//! With several records per person (classes built with a subject column,
//! see [`super::classes`]) the class sizes here are distinct persons
//! ([`EquivalenceClasses::unit_sizes`]): k is the smallest number of persons
//! sharing a quasi-identifier tuple, as El Emam (2013) requires for
//! longitudinal data.
//!
//! This file computes the numbers; it does not decide what k is acceptable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{EquivalenceClasses, PrivacyError};

/// k of a release and the shape of its class sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KAnonymity {
    /// Smallest class size.
    pub k: u64,
    /// Number of classes.
    pub n_classes: u64,
    /// Classes of size 1 (rows unique on the quasi-identifiers).
    pub n_unique_classes: u64,
    /// Class-size histogram.
    pub histogram: Vec<ClassSizeBin>,
}

/// One bar of the class-size histogram: `n_classes` classes of exactly `size`
/// rows, holding `n_records = size * n_classes` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassSizeBin {
    /// Class size.
    pub size: u64,
    /// Number of classes of this size.
    pub n_classes: u64,
    /// Rows in classes of this size.
    pub n_records: u64,
}

/// The records that violate a target k.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsBelowK {
    /// The k asked for.
    pub target_k: u64,
    /// Classes smaller than `target_k`.
    pub n_classes: u64,
    /// Rows in classes smaller than `target_k`.
    pub n_records: u64,
    /// Their 0-based row indices, ascending (never the records themselves).
    pub row_ids: Vec<u64>,
}

/// (alpha,k)-anonymity of one sensitive attribute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlphaK {
    /// Largest share of one sensitive value in one class.
    pub alpha: f64,
    /// k of the release.
    pub k: u64,
}

/// Exact class-size histogram, ascending by size. Sizes are
/// [`EquivalenceClasses::unit_sizes`] (persons with a subject column), and
/// `n_records` is then `size * n_classes` persons.
pub fn class_size_histogram(classes: &EquivalenceClasses) -> Vec<ClassSizeBin> {
    let mut bins: BTreeMap<u64, u64> = BTreeMap::new();
    for &s in classes.unit_sizes() {
        *bins.entry(s).or_insert(0) += 1;
    }
    bins.into_iter()
        .map(|(size, n_classes)| ClassSizeBin {
            size,
            n_classes,
            n_records: size * n_classes,
        })
        .collect()
}

/// k-anonymity: `k = min_E |E|` over the equivalence classes E (Sweeney 2002;
/// pyCANON `k_anonymity`), plus the class-size histogram. With a subject
/// column `|E|` is the number of distinct persons in E.
pub fn k_anonymity(classes: &EquivalenceClasses) -> KAnonymity {
    let histogram = class_size_histogram(classes);
    KAnonymity {
        k: histogram.first().map_or(0, |b| b.size),
        n_classes: classes.n_classes() as u64,
        n_unique_classes: histogram
            .iter()
            .find(|b| b.size == 1)
            .map_or(0, |b| b.n_classes),
        histogram,
    }
}

/// The rows in classes with fewer than `target_k` rows (they would have to be
/// generalized further or suppressed for the release to be `target_k`-anonymous).
/// Excluded (fully suppressed) rows are never listed. With a subject column a
/// class is small when it holds fewer than `target_k` distinct persons; the
/// rows (records) of those classes are listed. Errors when `target_k` is 0.
pub fn records_below_k(
    classes: &EquivalenceClasses,
    target_k: u64,
) -> Result<RecordsBelowK, PrivacyError> {
    if target_k == 0 {
        return Err(PrivacyError::InvalidParameter {
            name: "target_k",
            message: "must be at least 1 (every class has at least one row)".to_string(),
        });
    }
    let sizes = classes.unit_sizes();
    let small = |c: usize| sizes[c] < target_k;
    let row_ids: Vec<u64> = match classes.listed_rows() {
        // Classes built from partials carry the rows of their small classes.
        Some(listed) if classes.row_classes().is_empty() => {
            if listed.target_k != target_k {
                return Err(PrivacyError::Invalid(format!(
                    "{}: the partials listed the rows of classes smaller than {}, but the metrics ask for target k {target_k}; compute the partials with the same target k",
                    classes.source, listed.target_k
                )));
            }
            listed.rows.clone()
        }
        _ => classes
            .row_classes()
            .iter()
            .enumerate()
            .filter(|(_, &c)| c != super::classes::NO_CLASS && small(c as usize))
            .map(|(r, _)| r as u64)
            .collect(),
    };
    Ok(RecordsBelowK {
        target_k,
        n_classes: sizes.iter().filter(|&&s| s < target_k).count() as u64,
        n_records: row_ids.len() as u64,
        row_ids,
    })
}

/// (alpha,k)-anonymity (Wong et al. 2006) for one sensitive attribute, as in
/// pyCANON `alpha_k_anonymity` with one sensitive attribute:
/// `alpha = max_E max_s |{r in E : r.s = s}| / |E|`, `k` as [`k_anonymity`].
/// For several attributes pyCANON (with `gen=True`) reports the largest alpha.
pub fn alpha_k_anonymity(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<AlphaK, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    let sizes = classes.class_sizes();
    let alpha = (0..classes.n_classes())
        .map(|c| {
            let (_, counts) = sa.class(c);
            let top = counts.iter().copied().max().unwrap_or(0);
            top as f64 / sizes[c] as f64
        })
        .fold(0.0, f64::max);
    Ok(AlphaK {
        alpha,
        k: classes.unit_sizes().iter().copied().min().unwrap_or(0),
    })
}
