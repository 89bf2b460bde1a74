//! Linkability (Giomi et al. 2023, section 4.2; Anonymeter's
//! `LinkabilityEvaluator`): the attacker holds two disjoint sets of columns
//! of a target, as if from two different sources, and tries to join them
//! through the release. For each of `n_attacks` targets drawn without
//! replacement from the originals, the `n_neighbors` nearest release records
//! on the first column set and on the second are found; the attack succeeds
//! when the two neighbour sets share a record. Control: the same with
//! targets drawn from the control set. Baseline: two random sets of
//! `n_neighbors` distinct release rows per target (seeded, unlike
//! Anonymeter's).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::neighbors::nearest_release_rows;
use super::table::{RiskTable, RiskTables};
use super::{AttackCounts, InferenceError, RiskConfig};

/// Linkability counts (scored by `crate::eval::inference::score_linkability`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkabilityCounts {
    /// First column set known to the attacker.
    pub columns_a: Vec<String>,
    /// Second column set.
    pub columns_b: Vec<String>,
    /// Neighbours per side.
    pub n_neighbors: usize,
    /// Targets, links found on the originals, on the control set and by the
    /// random baseline.
    pub counts: AttackCounts,
}

/// Targets among `table`'s rows whose neighbour sets on `a` and `b` meet.
fn count_links(
    tables: &RiskTables,
    table: &RiskTable,
    targets: &[usize],
    a: &[usize],
    b: &[usize],
    k: usize,
    salt: u64,
) -> usize {
    let left = nearest_release_rows(tables, table, targets, a, k, salt);
    let right = nearest_release_rows(tables, table, targets, b, k, salt ^ 0x5555_5555_5555_5555);
    left.iter()
        .zip(&right)
        .filter(|(l, r)| l.iter().any(|x| r.contains(x)))
        .count()
}

fn column_indices(tables: &RiskTables, names: &[String]) -> Result<Vec<usize>, InferenceError> {
    if names.is_empty() {
        return Err(InferenceError::Parameter {
            name: "linkability columns",
            message: "each of the two column sets needs at least one column".into(),
        });
    }
    names.iter().map(|n| tables.column_index(n)).collect()
}

/// Runs the linkability attack with column sets `columns_a` and `columns_b`.
pub fn linkability_counts(
    tables: &RiskTables,
    columns_a: &[String],
    columns_b: &[String],
    config: &RiskConfig,
) -> Result<LinkabilityCounts, InferenceError> {
    config.validate()?;
    let a = column_indices(tables, columns_a)?;
    let b = column_indices(tables, columns_b)?;
    if let Some(shared) = a.iter().find(|c| b.contains(c)) {
        return Err(InferenceError::Parameter {
            name: "linkability columns",
            message: format!(
                "column `{}` is in both sets; the two sets must be disjoint",
                tables.names[*shared]
            ),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(3);
    let k = config.n_neighbors.min(tables.release.n_rows);
    let n_ori = config.n_attacks.min(tables.original.n_rows);
    let n_ctl = config.n_attacks.min(tables.control.n_rows);
    let ori_targets = rand::seq::index::sample(&mut rng, tables.original.n_rows, n_ori).into_vec();
    let ctl_targets = rand::seq::index::sample(&mut rng, tables.control.n_rows, n_ctl).into_vec();
    let salt = rng.gen::<u64>();
    let n_success = count_links(tables, &tables.original, &ori_targets, &a, &b, k, salt);
    let n_control = count_links(tables, &tables.control, &ctl_targets, &a, &b, k, !salt);
    let n_release = tables.release.n_rows;
    let n_baseline = (0..n_ori)
        .filter(|_| {
            let l = rand::seq::index::sample(&mut rng, n_release, k).into_vec();
            let r = rand::seq::index::sample(&mut rng, n_release, k).into_vec();
            l.iter().any(|x| r.contains(x))
        })
        .count();
    Ok(LinkabilityCounts {
        columns_a: columns_a.to_vec(),
        columns_b: columns_b.to_vec(),
        n_neighbors: k,
        counts: AttackCounts {
            n_attacks: n_ori,
            n_success,
            n_baseline_attacks: n_ori,
            n_baseline,
            n_control_attacks: n_ctl,
            n_control: n_control as f64,
        },
    })
}
