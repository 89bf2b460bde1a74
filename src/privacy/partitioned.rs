//! Every release-only metric of an input whose equivalence classes are
//! evaluated a few at a time, combined exactly: [`PartitionedMetrics`].
//!
//! The out-of-core engine splits the groups of an input into hash
//! partitions by their quasi-identifier values, so every equivalence class
//! lies wholly in one partition. Each partition's classes are built alone
//! ([`EquivalenceClasses::from_groups`] over the partition's groups, with
//! the whole input's dictionaries), given the whole input's overall
//! sensitive distribution ([`EquivalenceClasses::set_overall`]), and handed
//! to [`PartitionedMetrics::add`], which calls the same metric functions as
//! [`evaluate_classes`](super::evaluate_classes) on them and keeps only a
//! mergeable summary:
//!
//! * k, distinct l, the smallest class entropy: minima; alpha, every t
//!   (EMD against the whole input's distribution), basic beta, delta:
//!   maxima, with the worst class kept as its sort key (its number in the
//!   whole input is the count of classes with a smaller key, which the
//!   caller counts, see [`PartitionedMetrics::worst_class_keys`]); on ties
//!   the smaller key wins, as the one-pass maximum keeps the first class;
//! * recursive (c,l): its l is the whole input's distinct l, unknown until
//!   the end, so each partition gives its largest c for every l up to its
//!   own distinct l (no class has fewer values) and the maxima are taken at
//!   the final l;
//! * the class-size histogram, the risk models and population uniqueness:
//!   class-size frequencies (sums of integers; the risk figures are
//!   computed from frequencies in the one-pass path too);
//! * the rows of the classes below the target k: their count, and the
//!   smallest `max_listed_rows` row ids (a bounded merge).
//!
//! So the report equals the one-pass report exactly. Not here: a subject
//! column and a population table need the rows (the caller refuses them);
//! when the quasi-identifiers' cardinalities overflow the 64-bit mixed
//! radix the one-pass build orders its classes by a hash, and the worst
//! classes' numbers are then not reproduced ([`PartitionedMetrics::finish`]
//! says so in its list of approximate fields).

use std::collections::{BTreeMap, HashMap};

use super::k_anonymity::{class_size_histogram, ClassSizeBin};
use super::l_diversity::{min_class_entropy, recursive_c_up_to};
use super::likeness::enhanced_beta_from_basic;
use super::population::{population_uniqueness_from_table, FrequencyTable, SolverConfig};
use super::report::{
    combine, journalist_estimate_note, metrics_inputs, BelowTargetK, SensitiveMetrics,
};
use super::risk::risk_report_from_frequencies;
use super::{
    alpha_k_anonymity, basic_beta_likeness, delta_disclosure, distinct_l_diversity,
    records_below_k, t_closeness_equal_distance, t_closeness_hierarchical, t_closeness_ordered,
    BetaLikeness, DeltaDisclosure, EntropyL, EquivalenceClasses, MetricsParams, MetricsReport,
    PrivacyError, RecursiveCl, TCloseness, SCHEMA_VERSION,
};

/// A maximum over classes with the sort key of the first class reaching it.
#[derive(Debug, Clone, Copy)]
struct Worst {
    value: f64,
    key: u64,
}

impl Worst {
    /// The larger value; the smaller key on ties (the one-pass rule).
    fn join(self, other: Worst) -> Worst {
        if other.value > self.value || (other.value == self.value && other.key < self.key) {
            other
        } else {
            self
        }
    }
}

/// The running summary of one sensitive attribute.
#[derive(Debug, Clone)]
struct Attribute {
    name: String,
    n_distinct_values: u64,
    overall: Vec<u64>,
    l_distinct: u64,
    min_entropy: f64,
    /// Largest (paper c, pyCANON c) for l = 1, 2, ... up to the smallest
    /// distinct l met so far.
    recursive: Vec<(Option<u64>, Option<u64>)>,
    alpha: f64,
    t_equal: Worst,
    t_ordered: Option<Worst>,
    t_hierarchical: Option<Worst>,
    basic_beta: Worst,
    delta: Worst,
}

/// Every metric of one input from its classes given partition by partition
/// (see the module docs).
#[derive(Debug)]
pub struct PartitionedMetrics<'p> {
    params: &'p MetricsParams,
    source: String,
    n_rows: u64,
    n_suppressed_rows: u64,
    n_rows_in_classes: u64,
    partitions: u64,
    sizes: BTreeMap<u64, u64>,
    below_classes: u64,
    below_records: u64,
    below_rows: Vec<u64>,
    attributes: Vec<Attribute>,
    /// The smallest distinct l over all attributes so far.
    l_overall: u64,
    keys_missing: bool,
}

impl<'p> PartitionedMetrics<'p> {
    /// An empty summary for `params` over the input `source`. Errors when
    /// `params` are invalid or ask for what needs the rows (a subject
    /// column, a population table).
    pub fn new(source: &str, params: &'p MetricsParams) -> Result<Self, PrivacyError> {
        params.validate()?;
        if params.subject.is_some() || params.population.is_some() {
            return Err(PrivacyError::Invalid(format!(
                "{source}: a subject column or a population table needs the rows; evaluate in memory"
            )));
        }
        Ok(PartitionedMetrics {
            params,
            source: source.to_string(),
            n_rows: 0,
            n_suppressed_rows: 0,
            n_rows_in_classes: 0,
            partitions: 0,
            sizes: BTreeMap::new(),
            below_classes: 0,
            below_records: 0,
            below_rows: Vec::new(),
            attributes: Vec::new(),
            l_overall: u64::MAX,
            keys_missing: false,
        })
    }

    /// Rows that belong to no class of any partition (every
    /// quasi-identifier suppressed, excluded), for a partition that holds
    /// nothing else.
    pub fn add_excluded_rows(&mut self, rows: u64) {
        self.n_rows += rows;
        self.n_suppressed_rows += rows;
    }

    /// Adds one partition's classes: built from the partition's groups with
    /// the whole input's dictionaries and overall sensitive distributions,
    /// their listed rows set, `keys` their sort keys
    /// ([`class_keys`](super::classes::class_keys); `None` when the
    /// one-pass build orders classes by a hash).
    pub fn add(
        &mut self,
        classes: &EquivalenceClasses,
        keys: Option<&[u64]>,
    ) -> Result<(), PrivacyError> {
        crate::data::cancel::check()?;
        let params = self.params;
        self.partitions += 1;
        self.n_rows += classes.n_rows as u64;
        self.n_suppressed_rows += classes.n_suppressed_rows as u64;
        self.n_rows_in_classes += classes.n_rows_in_classes as u64;
        if keys.is_none() {
            self.keys_missing = true;
        }
        let key = |c: usize| keys.and_then(|k| k.get(c).copied()).unwrap_or(u64::MAX);
        for bin in class_size_histogram(classes) {
            *self.sizes.entry(bin.size).or_insert(0) += bin.n_classes;
        }
        let below = records_below_k(classes, params.target_k)?;
        self.below_classes += below.n_classes;
        self.below_records += below.n_records;
        self.below_rows = merge_bounded(
            std::mem::take(&mut self.below_rows),
            below.row_ids,
            params.max_listed_rows,
        );

        let mut l_here = u64::MAX;
        for sa in &params.sensitive {
            l_here = l_here.min(distinct_l_diversity(classes, sa)?);
        }
        self.l_overall = self.l_overall.min(l_here);
        let first = self.attributes.is_empty();
        for (i, sa) in params.sensitive.iter().enumerate() {
            let counts = classes.sensitive(sa)?;
            let numeric = params.numeric.contains(sa);
            let worst_t = |t: TCloseness| Worst {
                value: t.t,
                key: key(t.worst_class),
            };
            let t_equal = worst_t(t_closeness_equal_distance(classes, sa)?);
            let t_ordered = if numeric {
                Some(worst_t(t_closeness_ordered(classes, sa)?))
            } else {
                None
            };
            let t_hierarchical = match params.hierarchies.get(sa) {
                Some(h) => Some(worst_t(t_closeness_hierarchical(classes, sa, h)?)),
                None => None,
            };
            let beta = basic_beta_likeness(classes, sa)?;
            let delta = delta_disclosure(classes, sa)?;
            let here = Attribute {
                name: sa.clone(),
                n_distinct_values: counts.n_domain_values() as u64,
                overall: counts.overall.clone(),
                l_distinct: distinct_l_diversity(classes, sa)?,
                min_entropy: min_class_entropy(classes, sa)?,
                recursive: recursive_c_up_to(classes, sa, 1, l_here)?,
                alpha: alpha_k_anonymity(classes, sa)?.alpha,
                t_equal,
                t_ordered,
                t_hierarchical,
                basic_beta: Worst {
                    value: beta.beta,
                    key: key(beta.worst_class),
                },
                delta: Worst {
                    value: delta.delta_ln,
                    key: key(delta.worst_class),
                },
            };
            if first {
                self.attributes.push(here);
                continue;
            }
            let Some(a) = self.attributes.get_mut(i) else {
                return Err(PrivacyError::Invalid(format!(
                    "{}: a partition without sensitive attribute `{sa}`",
                    self.source
                )));
            };
            a.l_distinct = a.l_distinct.min(here.l_distinct);
            a.min_entropy = a.min_entropy.min(here.min_entropy);
            let cap = a.recursive.len().min(here.recursive.len());
            a.recursive.truncate(cap);
            let join = |x: Option<u64>, y: Option<u64>| Some(x?.max(y?));
            for (mine, theirs) in a.recursive.iter_mut().zip(&here.recursive) {
                *mine = (join(mine.0, theirs.0), join(mine.1, theirs.1));
            }
            a.alpha = a.alpha.max(here.alpha);
            a.t_equal = a.t_equal.join(here.t_equal);
            a.t_ordered = join_opt(a.t_ordered, here.t_ordered);
            a.t_hierarchical = join_opt(a.t_hierarchical, here.t_hierarchical);
            a.basic_beta = a.basic_beta.join(here.basic_beta);
            a.delta = a.delta.join(here.delta);
        }
        Ok(())
    }

    /// The sort keys of the worst classes (t, beta, delta of every
    /// attribute): [`finish`](Self::finish) needs each one's number in the
    /// whole input, the count of classes (over every partition) whose key
    /// is smaller.
    pub fn worst_class_keys(&self) -> Vec<u64> {
        let mut keys = Vec::new();
        for a in &self.attributes {
            keys.push(a.t_equal.key);
            keys.extend(a.t_ordered.map(|w| w.key));
            keys.extend(a.t_hierarchical.map(|w| w.key));
            keys.push(a.basic_beta.key);
            keys.push(a.delta.key);
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// The report, equal to [`evaluate_classes`](super::evaluate_classes)
    /// on the whole input's classes; `rank` maps each key of
    /// [`worst_class_keys`](Self::worst_class_keys) to its class number.
    /// Also returns the fields that are not exact (empty unless the
    /// classes' keys were missing, see the module docs).
    ///
    /// Errors: no partition added, every row excluded, a key without a
    /// rank, and the errors of the risk and population models.
    pub fn finish(
        self,
        rank: &HashMap<u64, u64>,
    ) -> Result<(MetricsReport, Vec<String>), PrivacyError> {
        let params = self.params;
        if self.partitions == 0 || self.n_rows_in_classes == 0 {
            if self.n_rows > 0 {
                return Err(PrivacyError::AllRowsSuppressed {
                    source_name: self.source.clone(),
                    n_rows: self.n_rows as usize,
                });
            }
            return Err(PrivacyError::EmptyTable {
                source_name: self.source.clone(),
            });
        }
        let mut approximate = Vec::new();
        if self.keys_missing {
            approximate.push(
                "worst_class of t, beta and delta: the quasi-identifiers' cardinalities overflow the 64-bit key, so the one-pass class numbers (ordered by a hash) are not reproduced; the values are exact"
                    .to_string(),
            );
        }
        let class_of = |w: Worst| -> Result<usize, PrivacyError> {
            match rank.get(&w.key) {
                Some(&r) => Ok(r as usize),
                None if self.keys_missing => Ok(usize::MAX),
                None => Err(PrivacyError::Invalid(format!(
                    "{}: no class number for the worst class's key {}",
                    self.source, w.key
                ))),
            }
        };
        let l_overall = self.l_overall;
        let mut sensitive = Vec::with_capacity(self.attributes.len());
        for a in &self.attributes {
            let t_of = |w: Worst, ground| -> Result<TCloseness, PrivacyError> {
                Ok(TCloseness {
                    ground,
                    t: w.value,
                    worst_class: class_of(w)?,
                })
            };
            let t_equal_distance = t_of(a.t_equal, super::GroundDistance::EqualDistance)?;
            let t_ordered = match a.t_ordered {
                Some(w) => Some(t_of(w, super::GroundDistance::Ordered)?),
                None => None,
            };
            let t_hierarchical = match a.t_hierarchical {
                Some(w) => Some(t_of(w, super::GroundDistance::Hierarchical)?),
                None => None,
            };
            let (c, c_py) = a
                .recursive
                .get(l_overall.saturating_sub(1) as usize)
                .copied()
                .ok_or_else(|| {
                    PrivacyError::Invalid(format!(
                        "{}: recursive c was not kept for l = {l_overall}",
                        self.source
                    ))
                })?;
            let basic_beta = BetaLikeness {
                beta: a.basic_beta.value,
                worst_class: class_of(a.basic_beta)?,
            };
            sensitive.push(SensitiveMetrics {
                attribute: a.name.clone(),
                n_distinct_values: a.n_distinct_values,
                l_distinct: a.l_distinct,
                entropy_l: EntropyL::from_min_entropy(a.min_entropy),
                recursive_cl: RecursiveCl::from_parts(l_overall, c, c_py),
                alpha: a.alpha,
                t_pycanon: t_ordered.map_or(t_equal_distance.t, |t| t.t),
                t_equal_distance,
                t_ordered,
                t_hierarchical,
                basic_beta,
                enhanced_beta: enhanced_beta_from_basic(basic_beta.beta, &a.overall),
                delta_disclosure: DeltaDisclosure {
                    delta_ln: a.delta.value,
                    delta_log2: a.delta.value / std::f64::consts::LN_2,
                    worst_class: class_of(a.delta)?,
                },
            });
        }
        let combined = combine(&sensitive);
        let frequencies = FrequencyTable {
            size_counts: self.sizes.iter().map(|(&s, &n)| (s, n)).collect(),
            records: self.sizes.iter().map(|(&s, &n)| s * n).sum(),
            classes: self.sizes.values().sum(),
        };
        let histogram: Vec<ClassSizeBin> = frequencies
            .size_counts
            .iter()
            .map(|&(size, n_classes)| ClassSizeBin {
                size,
                n_classes,
                n_records: size * n_classes,
            })
            .collect();
        let risk = risk_report_from_frequencies(
            &frequencies,
            params.sampling_fraction,
            params.risk_threshold,
        )?;
        let population_uniqueness = match params.sampling_fraction {
            Some(pi) => Some(population_uniqueness_from_table(
                &frequencies,
                pi,
                &SolverConfig::default(),
            )?),
            None => None,
        };
        let mut row_ids = self.below_rows;
        row_ids.truncate(params.max_listed_rows);
        let report = MetricsReport {
            out_of_core: None,
            schema_version: SCHEMA_VERSION,
            inputs: metrics_inputs(&self.source, params),
            n_rows: self.n_rows,
            n_suppressed_rows: self.n_suppressed_rows,
            n_rows_in_classes: self.n_rows_in_classes,
            n_classes: frequencies.classes,
            k: histogram.first().map_or(0, |b| b.size),
            n_unique_classes: frequencies.classes_of_size(1),
            class_size_histogram: histogram,
            below_target_k: BelowTargetK {
                target_k: params.target_k,
                n_classes: self.below_classes,
                n_records: self.below_records,
                row_ids,
                row_ids_truncated: self.below_records > params.max_listed_rows as u64,
            },
            sensitive,
            combined,
            risk,
            journalist_population: params.sampling_fraction.map(journalist_estimate_note),
            population_uniqueness,
            subjects: None,
            hidden_qi: None,
        };
        Ok((report, approximate))
    }
}

fn join_opt(a: Option<Worst>, b: Option<Worst>) -> Option<Worst> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.join(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The smallest `limit` of two ascending lists, ascending.
fn merge_bounded(a: Vec<u64>, b: Vec<u64>, limit: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity((a.len() + b.len()).min(limit));
    let (mut i, mut j) = (0, 0);
    while out.len() < limit && (i < a.len() || j < b.len()) {
        if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_merge_keeps_the_smallest_in_order() {
        assert_eq!(
            merge_bounded(vec![1, 4, 9], vec![2, 3, 10], 4),
            vec![1, 2, 3, 4]
        );
        assert_eq!(merge_bounded(vec![], vec![5], 3), vec![5]);
        assert_eq!(merge_bounded(vec![7], vec![], 0), Vec::<u64>::new());
    }

    #[test]
    fn ties_keep_the_smaller_key() {
        let a = Worst { value: 0.5, key: 9 };
        let b = Worst { value: 0.5, key: 3 };
        assert_eq!(a.join(b).key, 3);
        assert_eq!(b.join(a).key, 3);
        let c = Worst {
            value: 0.7,
            key: 99,
        };
        assert_eq!(b.join(c).key, 99);
        let none = Worst {
            value: f64::NEG_INFINITY,
            key: u64::MAX,
        };
        assert_eq!(none.join(a).key, 9);
    }
}
