//! delta-disclosure privacy of one sensitive attribute.
//!
//! J. Brickell & V. Shmatikov, *The Cost of Privacy: Destruction of
//! Data-Mining Utility in Anonymized Data Publishing*, KDD 2008, Definition 4:
//! a release is delta-disclosure private when for every class E and every
//! sensitive value s, `|log(p(E, s) / p(T, s))| < delta`, with `p(E, s)` the
//! share of s in E and `p(T, s)` its share in the whole release T.
//!
//! **Choice made here: pyCANON's.** [`delta_disclosure`] returns
//! `delta = max_E max_(s in E) |ln(q_E(s) / p(s))|` with the *natural* log, over
//! the values present in each class (a value absent from E would give
//! `|ln 0| = infinity`), which is what pyCANON 1.3.6 `delta_disclosure`
//! reports; the release then satisfies the non-strict `<=` form for this delta.
//!
//! **ARX** (`DDisclosurePrivacy`) differs in two ways: it uses the base-2 log,
//! and it checks the strict inequality (a class fails when the value is
//! `>= d`). ARX's threshold for the same release is therefore any
//! `d > delta / ln 2`; [`DeltaDisclosure::delta_log2`] gives `delta / ln 2`.
//! Like pyCANON, ARX skips values absent from a class.

use serde::{Deserialize, Serialize};

use super::t_closeness::max_over_classes;
use super::{EquivalenceClasses, PrivacyError};

/// delta-disclosure of one sensitive attribute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DeltaDisclosure {
    /// `max_E max_(s in E) |ln(q_E(s) / p(s))|`, natural log (pyCANON).
    pub delta_ln: f64,
    /// The same in base 2 (`delta_ln / ln 2`), ARX's scale.
    pub delta_log2: f64,
    /// Index of the first class reaching delta.
    pub worst_class: usize,
}

/// delta-disclosure privacy (Brickell & Shmatikov 2008), natural log as in
/// pyCANON: `delta = max_E max_(s in E) |ln(q_E(s) / p(s))|`. See the module
/// documentation for ARX's base-2, strict variant.
pub fn delta_disclosure(
    classes: &EquivalenceClasses,
    sensitive: &str,
) -> Result<DeltaDisclosure, PrivacyError> {
    let sa = classes.sensitive(sensitive)?;
    let big_n = sa.overall.iter().sum::<u64>() as f64;
    let sizes = classes.class_sizes();
    let (delta_ln, worst_class) = max_over_classes(classes.n_classes(), |c| {
        let (codes, counts) = sa.class(c);
        let n = sizes[c] as f64;
        codes
            .iter()
            .zip(counts)
            .map(|(&code, &k)| {
                let p = sa.overall[code as usize] as f64 / big_n;
                let q = k as f64 / n;
                (q / p).ln().abs()
            })
            .fold(0.0, f64::max)
    });
    Ok(DeltaDisclosure {
        delta_ln,
        delta_log2: delta_ln / std::f64::consts::LN_2,
        worst_class,
    })
}
