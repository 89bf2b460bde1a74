//! Attribute inference (Giomi et al. 2023, section 4.3; Anonymeter's
//! `InferenceEvaluator` with its nearest-neighbour predictor): the attacker
//! knows the auxiliary columns of a target and guesses its secret column as
//! the secret of the nearest release record on those columns. Categorical
//! secrets must match exactly (missing matches missing); numeric secrets
//! within `regression_tolerance * |secret|` (Anonymeter divides by the
//! guess, which accepts any negative guess). Control: targets drawn from the
//! control set. Baseline: the secret of a random release record.
//! Ties between equally near release records are broken at random (seeded).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::neighbors::nearest_release_rows;
use super::table::{ColumnData, RiskTable, RiskTables};
use super::{AttackCounts, InferenceError, RiskConfig};

/// Attribute-inference counts for one secret column (scored by
/// `crate::eval::inference::score_inference`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InferenceCounts {
    /// The secret column.
    pub secret: String,
    /// The columns the attacker knows.
    pub auxiliary: Vec<String>,
    /// Targets, secrets guessed on the originals, on the control set and by
    /// the random baseline.
    pub counts: AttackCounts,
}

/// True when `guess` (release row) is a correct guess of `target`'s secret.
fn guessed(
    release: &RiskTable,
    guess: usize,
    table: &RiskTable,
    target: usize,
    secret: usize,
    tolerance: f64,
) -> bool {
    match (&release.columns[secret], &table.columns[secret]) {
        (ColumnData::Numeric(g), ColumnData::Numeric(s)) => {
            let (g, s) = (g[guess], s[target]);
            match (g.is_nan(), s.is_nan()) {
                (true, true) => true,
                (false, false) => (g - s).abs() <= tolerance * s.abs(),
                _ => false,
            }
        }
        (ColumnData::Categorical(g), ColumnData::Categorical(s)) => g[guess] == s[target],
        // A generalized secret is guessed when the release value covers the
        // true one (the attacker learns the interval, set or node).
        (ColumnData::Generalized(g, c), ColumnData::Generalized(s, _)) => {
            c.covers(g[guess], s[target])
        }
        _ => false,
    }
}

fn successes(
    tables: &RiskTables,
    table: &RiskTable,
    targets: &[usize],
    auxiliary: &[usize],
    secret: usize,
    tolerance: f64,
    salt: u64,
) -> usize {
    let nearest = nearest_release_rows(tables, table, targets, auxiliary, 1, salt);
    targets
        .iter()
        .zip(&nearest)
        .filter(|(&t, nn)| {
            nn.first()
                .is_some_and(|&g| guessed(&tables.release, g, table, t, secret, tolerance))
        })
        .count()
}

/// Runs attribute inference of `secret` from `auxiliary` (every other
/// column when empty).
pub fn attribute_inference_counts(
    tables: &RiskTables,
    secret: &str,
    auxiliary: &[String],
    config: &RiskConfig,
) -> Result<InferenceCounts, InferenceError> {
    config.validate()?;
    let s = tables.column_index(secret)?;
    let auxiliary: Vec<String> = if auxiliary.is_empty() {
        tables
            .names
            .iter()
            .filter(|n| n.as_str() != secret)
            .cloned()
            .collect()
    } else {
        auxiliary.to_vec()
    };
    if auxiliary.is_empty() || auxiliary.iter().any(|a| a == secret) {
        return Err(InferenceError::Parameter {
            name: "auxiliary columns",
            message: format!("need at least one auxiliary column other than the secret `{secret}`"),
        });
    }
    let aux: Vec<usize> = auxiliary
        .iter()
        .map(|n| tables.column_index(n))
        .collect::<Result<_, _>>()?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(4);
    let n_ori = config.n_attacks.min(tables.original.n_rows);
    let n_ctl = config.n_attacks.min(tables.control.n_rows);
    let ori_targets = rand::seq::index::sample(&mut rng, tables.original.n_rows, n_ori).into_vec();
    let ctl_targets = rand::seq::index::sample(&mut rng, tables.control.n_rows, n_ctl).into_vec();
    let tol = config.regression_tolerance;
    let salt = rng.gen::<u64>();
    let n_success = successes(tables, &tables.original, &ori_targets, &aux, s, tol, salt);
    let n_control = successes(tables, &tables.control, &ctl_targets, &aux, s, tol, !salt);
    let n_base = n_ori.min(tables.release.n_rows);
    let n_baseline = ori_targets[..n_base]
        .iter()
        .filter(|&&t| {
            let g = rng.gen_range(0..tables.release.n_rows);
            guessed(&tables.release, g, &tables.original, t, s, tol)
        })
        .count();
    Ok(InferenceCounts {
        secret: secret.to_string(),
        auxiliary,
        counts: AttackCounts {
            n_attacks: n_ori,
            n_success,
            n_baseline_attacks: n_base,
            n_baseline,
            n_control_attacks: n_ctl,
            n_control: n_control as f64,
        },
    })
}
