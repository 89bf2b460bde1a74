//! Basic and enhanced beta-likeness of one sensitive attribute.
//!
//! J. Cao & P. Karras, *Publishing Microdata with a Robust Privacy Guarantee*,
//! PVLDB 5(11), 2012. With `p_s` the share of value s in the whole release and
//! `q_s` its share in class E, the relative distance is `D(p_s, q_s) = (q_s - p_s) / p_s`.
//! A release has basic beta-likeness when `D(p_s, q_s) <= beta` for every class
//! and every value with `q_s > p_s`; enhanced beta-likeness tightens the bound
//! for frequent values to `min(beta, -ln p_s)`.
//!
//! Values as pyCANON 1.3.6 computes them (`basic_beta_likeness`,
//! `enhanced_beta_likeness`); the domain of s is the values that occur in the
//! classes, so every `p_s > 0`. This file does not check a target beta.

use serde::{Deserialize, Serialize};

use super::t_closeness::max_over_classes;
use super::{EquivalenceClasses, PrivacyError};

/// Basic beta-likeness of one sensitive attribute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaLikeness {
    /// `beta = max_E max_s (q_E(s) - p(s)) / p(s)`.
    pub beta: f64,
    /// Index of the first class reaching beta.
    pub worst_class: usize,
}

/// Basic beta-likeness (Cao & Karras 2012, Definition 2; pyCANON
/// `basic_beta_likeness`): `beta = max_E max_s (q_E(s) - p(s)) / p(s)`, the
/// smallest beta the release satisfies. Values absent from a class contribute
/// -1 and never decide the maximum; beta is 0 when every class has exactly the
/// overall distribution.
pub fn basic_beta_likeness(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<BetaLikeness, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    let big_n = sa.overall.iter().sum::<u64>() as f64;
    let sizes = classes.class_sizes();
    let (beta, worst_class) = max_over_classes(classes.n_classes(), |c| {
        let (codes, counts) = sa.class(c);
        let n = sizes[c] as f64;
        // A class holding only some values has q = 0 (D = -1) for the others.
        let floor = if codes.len() < sa.n_domain_values() {
            -1.0
        } else {
            f64::NEG_INFINITY
        };
        codes.iter().zip(counts).fold(floor, |acc, (&code, &k)| {
            let p = sa.overall[code as usize] as f64 / big_n;
            let q = k as f64 / n;
            acc.max((q - p) / p)
        })
    });
    Ok(BetaLikeness { beta, worst_class })
}

/// Enhanced beta-likeness as pyCANON 1.3.6 computes it
/// (`enhanced_beta_likeness`): `max_s min(beta_basic, -ln p(s))`, which equals
/// `min(beta_basic, -ln min_s p(s))`. Cao & Karras (2012, Definition 3)
/// require `D(p_s, q_s) <= min(beta, -ln p_s)` for every value with
/// `q_s > p_s`; pyCANON's number caps the basic beta by the largest bound
/// `-ln p_s` any value can have. Natural log.
pub fn enhanced_beta_likeness(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<f64, PrivacyError> {
    let basic = basic_beta_likeness(classes, sensitive)?.beta;
    let sa = classes.sensitive(sensitive)?;
    Ok(enhanced_beta_from_basic(basic, &sa.overall))
}

/// pyCANON's enhanced beta from the basic beta and the overall value
/// counts (rows in classes per value): `max_s min(basic, -ln p(s))`.
pub fn enhanced_beta_from_basic(basic: f64, overall: &[u64]) -> f64 {
    let big_n = overall.iter().sum::<u64>() as f64;
    overall
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| basic.min(-(k as f64 / big_n).ln()))
        .fold(f64::NEG_INFINITY, f64::max)
}
