//! Singling out (Giomi et al. 2023, section 4.1; Anonymeter's
//! `SinglingOutEvaluator`): the attacker writes predicates from the release
//! that isolate exactly one release record and bets that they isolate exactly
//! one original too. Success: a predicate matches exactly one original.
//! Control: the same predicates matching exactly one control record, scaled
//! to the size of the originals by Anonymeter's fitted correction when the
//! two sets differ in size. Baseline: random predicates (random column
//! values with random operators) that match exactly one original.
//!
//! Univariate predicates: `column is missing` when one release record is
//! missing there, `column <= min` and `column >= max` for numeric columns,
//! `column == value` for every value held by one release record. Multivariate
//! predicates: a random release record and `singling_out_columns` random
//! columns; numeric conditions are `>= value` above the release median and
//! `<= value` otherwise, categorical ones `== value`. Only predicates that
//! match exactly one (de-duplicated) release record are kept, without
//! repeats.
//!
//! The rates' denominator is the number of predicates actually found
//! (Anonymeter divides by the number requested, underestimating the risk
//! when fewer are found); both counts are reported.
//!
//! Cost: every candidate predicate is evaluated by a scan of the release
//! (rayon over predicates, stopping at the second match), so multivariate
//! generation costs up to `max_attempts x release rows x columns`; there is
//! no index. Tables are de-duplicated with one hashed key per row.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::table::{ColumnData, ColumnKind, RiskTable, RiskTables, MISSING_CODE};
use super::{AttackCounts, InferenceError, RiskConfig};

/// Which predicates the attacker writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SinglingOutMode {
    /// One condition per predicate.
    Univariate,
    /// `singling_out_columns` conditions per predicate.
    Multivariate,
}

/// Comparison in a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// `==` (for a missing value: "is missing").
    Eq,
    /// `!=` (for a missing value: "is not missing").
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// One condition `column op value`; `value` is the column's comparable bits
/// ([`ColumnData::key`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Condition {
    /// Schema column.
    pub column: usize,
    /// The comparison.
    pub op: Op,
    /// Number (numeric columns, NaN = missing) or code (categorical).
    pub value: f64,
    /// Categorical code (unused for numeric columns).
    pub code: u32,
}

impl Condition {
    fn matches(&self, table: &RiskTable, row: usize) -> bool {
        match &table.columns[self.column] {
            ColumnData::Numeric(v) => {
                let x = v[row];
                if self.value.is_nan() || x.is_nan() {
                    let both = self.value.is_nan() && x.is_nan();
                    return match self.op {
                        Op::Eq => both,
                        Op::Ne => !both && self.value.is_nan(),
                        _ => false,
                    };
                }
                match self.op {
                    Op::Eq => x == self.value,
                    Op::Ne => x != self.value,
                    Op::Lt => x < self.value,
                    Op::Le => x <= self.value,
                    Op::Gt => x > self.value,
                    Op::Ge => x >= self.value,
                }
            }
            ColumnData::Categorical(v) => match self.op {
                Op::Eq => v[row] == self.code,
                Op::Ne => v[row] != self.code,
                _ => false,
            },
            // The predicate's value comes from a release record: a row
            // matches `col == [41-70]` when that value covers the row's.
            ColumnData::Generalized(v, g) => match self.op {
                Op::Eq => g.covers(self.code, v[row]),
                Op::Ne => !g.covers(self.code, v[row]),
                _ => false,
            },
        }
    }

    fn key(&self) -> (usize, Op, u64, u32) {
        (self.column, self.op, self.value.to_bits(), self.code)
    }
}

/// A conjunction of conditions.
pub type Predicate = Vec<Condition>;

/// Rows of `table` matching `predicate`, stopping at `stop_after`.
fn count_matches(table: &RiskTable, predicate: &Predicate, stop_after: usize) -> usize {
    let mut n = 0;
    for row in 0..table.n_rows {
        if predicate.iter().all(|c| c.matches(table, row)) {
            n += 1;
            if n >= stop_after {
                break;
            }
        }
    }
    n
}

/// How many of `predicates` match exactly one row of `table`.
pub fn count_singling_out(table: &RiskTable, predicates: &[Predicate]) -> usize {
    predicates
        .par_iter()
        .filter(|p| count_matches(table, p, 2) == 1)
        .count()
}

/// Singling-out counts (scored by
/// `crate::eval::inference::score_singling_out`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SinglingOutCounts {
    /// Predicate family.
    pub mode: SinglingOutMode,
    /// Predicates asked for (`n_attacks`).
    pub n_requested: usize,
    /// Predicates found that single out one release record: the denominator.
    pub n_queries: usize,
    /// Control successes before the size correction.
    pub n_control_raw: usize,
    /// Factor applied to the control count (1 when the control set has as
    /// many distinct rows as the originals).
    pub control_correction: f64,
    /// Queries (`n_queries`) and the predicates that single out one
    /// original; the control count is `n_control_raw * control_correction`
    /// over the same queries; the baseline is `n_requested` random
    /// predicates. When `n_queries` is 0 there is no rate to estimate (see
    /// `crate::eval::inference::SinglingOutRisk::estimate`).
    pub counts: AttackCounts,
}

struct Codec<'a> {
    tables: &'a RiskTables,
}

impl Codec<'_> {
    fn equals(&self, table: &RiskTable, column: usize, row: usize) -> Condition {
        match &table.columns[column] {
            ColumnData::Numeric(v) => Condition {
                column,
                op: Op::Eq,
                value: v[row],
                code: 0,
            },
            ColumnData::Categorical(v) | ColumnData::Generalized(v, _) => Condition {
                column,
                op: Op::Eq,
                value: 0.0,
                code: v[row],
            },
        }
    }

    fn kind(&self, column: usize) -> ColumnKind {
        self.tables.kinds[column]
    }
}

fn numeric_values(table: &RiskTable, column: usize) -> Vec<f64> {
    match &table.columns[column] {
        ColumnData::Numeric(v) => v.iter().copied().filter(|x| !x.is_nan()).collect(),
        ColumnData::Categorical(_) | ColumnData::Generalized(..) => Vec::new(),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// Keeps, in order, the predicates that match exactly one row of `release`
/// and were not kept before, up to `limit`.
fn keep_singling_out(
    release: &RiskTable,
    candidates: Vec<Predicate>,
    seen: &mut HashSet<Vec<(usize, Op, u64, u32)>>,
    kept: &mut Vec<Predicate>,
    limit: usize,
) {
    let unique: Vec<bool> = candidates
        .par_iter()
        .map(|p| count_matches(release, p, 2) == 1)
        .collect();
    for (p, ok) in candidates.into_iter().zip(unique) {
        if kept.len() >= limit {
            return;
        }
        if !ok {
            continue;
        }
        let mut key: Vec<_> = p.iter().map(Condition::key).collect();
        key.sort_unstable();
        if seen.insert(key) {
            kept.push(p);
        }
    }
}

/// Univariate predicates from the release (see the module doc).
pub fn univariate_predicates(
    tables: &RiskTables,
    release: &RiskTable,
    limit: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Predicate> {
    let codec = Codec { tables };
    let mut candidates: Vec<Predicate> = Vec::new();
    for c in 0..tables.names.len() {
        let mut counts: std::collections::HashMap<u64, (usize, usize)> = Default::default();
        for row in 0..release.n_rows {
            let e = counts
                .entry(release.columns[c].key(row))
                .or_insert((0, row));
            e.0 += 1;
        }
        let missing_key = match codec.kind(c) {
            ColumnKind::Numeric => u64::MAX,
            ColumnKind::Categorical | ColumnKind::Generalized => MISSING_CODE as u64,
        };
        if let Some(&(1, row)) = counts.get(&missing_key) {
            candidates.push(vec![codec.equals(release, c, row)]);
        }
        if codec.kind(c) == ColumnKind::Numeric {
            let values = numeric_values(release, c);
            if !values.is_empty() {
                let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                for (op, value) in [(Op::Le, lo), (Op::Ge, hi)] {
                    candidates.push(vec![Condition {
                        column: c,
                        op,
                        value,
                        code: 0,
                    }]);
                }
            }
        }
        let mut rare: Vec<(u64, usize)> = counts
            .iter()
            .filter(|(k, (n, _))| *n == 1 && **k != missing_key)
            .map(|(k, (_, row))| (*k, *row))
            .collect();
        rare.sort_unstable_by_key(|&(_, row)| row);
        for (_, row) in rare {
            candidates.push(vec![codec.equals(release, c, row)]);
        }
    }
    candidates.shuffle(rng);
    let mut kept = Vec::new();
    keep_singling_out(release, candidates, &mut HashSet::new(), &mut kept, limit);
    kept
}

/// Multivariate predicates from the release (see the module doc), trying at
/// most `max_attempts` candidates in batches of 1,000.
pub fn multivariate_predicates(
    tables: &RiskTables,
    release: &RiskTable,
    n_columns: usize,
    limit: usize,
    max_attempts: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Predicate> {
    let codec = Codec { tables };
    let n_cols = tables.names.len();
    let n_columns = n_columns.min(n_cols);
    let medians: Vec<f64> = (0..n_cols)
        .map(|c| median(numeric_values(release, c)))
        .collect();
    let mut kept = Vec::new();
    let mut seen = HashSet::new();
    let mut attempts = 0;
    let all_columns: Vec<usize> = (0..n_cols).collect();
    while kept.len() < limit && attempts < max_attempts && release.n_rows > 0 {
        // A cancelled run stops here; the caller's checkpoint reports it.
        if crate::data::cancel::check().is_err() {
            break;
        }
        let batch = 1000.min(max_attempts - attempts);
        let mut candidates = Vec::with_capacity(batch);
        for _ in 0..batch {
            let row = rng.gen_range(0..release.n_rows);
            let mut cols: Vec<usize> = all_columns
                .choose_multiple(rng, n_columns)
                .copied()
                .collect();
            cols.sort_unstable();
            let predicate = cols
                .into_iter()
                .map(|c| {
                    let mut cond = codec.equals(release, c, row);
                    if codec.kind(c) == ColumnKind::Numeric && !cond.value.is_nan() {
                        cond.op = if cond.value > medians[c] {
                            Op::Ge
                        } else {
                            Op::Le
                        };
                    }
                    cond
                })
                .collect();
            candidates.push(predicate);
        }
        attempts += batch;
        keep_singling_out(release, candidates, &mut seen, &mut kept, limit);
    }
    kept
}

/// Anonymeter's baseline: `n` predicates of `n_columns` random columns, each
/// with a random release value (missing included) and a random operator
/// (`==`/`!=` for categorical columns, any of the six for numeric ones).
pub fn random_predicates(
    tables: &RiskTables,
    release: &RiskTable,
    n: usize,
    n_columns: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Predicate> {
    let n_cols = tables.names.len();
    let n_columns = n_columns.min(n_cols);
    // Distinct values per column (as a representative row).
    let distinct: Vec<Vec<usize>> = (0..n_cols)
        .map(|c| {
            let mut seen = HashSet::new();
            (0..release.n_rows)
                .filter(|&r| seen.insert(release.columns[c].key(r)))
                .collect()
        })
        .collect();
    let codec = Codec { tables };
    let all_columns: Vec<usize> = (0..n_cols).collect();
    (0..n)
        .map(|_| {
            let mut cols: Vec<usize> = all_columns
                .choose_multiple(rng, n_columns)
                .copied()
                .collect();
            cols.sort_unstable();
            cols.into_iter()
                .filter_map(|c| {
                    let row = *distinct[c].choose(rng)?;
                    let mut cond = codec.equals(release, c, row);
                    let ops: &[Op] = match codec.kind(c) {
                        ColumnKind::Numeric => &[Op::Eq, Op::Ne, Op::Gt, Op::Lt, Op::Ge, Op::Le],
                        ColumnKind::Categorical | ColumnKind::Generalized => &[Op::Eq, Op::Ne],
                    };
                    cond.op = *ops.choose(rng)?;
                    Some(cond)
                })
                .collect()
        })
        .collect()
}

/// Anonymeter's model of the chance that a predicate singles out a record
/// in a data set of `n` rows when its match probability `w` is uniform on
/// `[w_min, w_max]`:
/// `((n w_min + 1)(1 - w_min)^n - (n w_max + 1)(1 - w_max)^n) / (n + 1)`.
pub fn singling_out_probability_integral(n: f64, w_min: f64, w_max: f64) -> f64 {
    ((n * w_min + 1.0) * (1.0 - w_min).powf(n) - (n * w_max + 1.0) * (1.0 - w_max).powf(n))
        / (n + 1.0)
}

/// Anonymeter's control-size correction: counts how many `predicates` single
/// out a record in random subsets of `control` (10 sizes from
/// `min(1000, n)` to `n`, 5 draws each), fits
/// `norm * integral(size, 0, w)` by least squares (the norm in closed form,
/// `w` by a log grid and golden-section search), and returns
/// `integral(n_original, 0, w) / integral(n_control, 0, w)`. When all sizes
/// are equal the fit cannot identify `w` and Anonymeter's starting value
/// `w = 1 / n_control` is used.
pub fn control_size_correction(
    control: &RiskTable,
    predicates: &[Predicate],
    n_original: usize,
    rng: &mut ChaCha8Rng,
) -> f64 {
    let n = control.n_rows;
    if n == 0 || n == n_original {
        return 1.0;
    }
    let min_rows = 1000.min(n);
    let mut sizes = Vec::new();
    let mut successes = Vec::new();
    for i in 0..10 {
        let size = (min_rows as f64 + (n - min_rows) as f64 * i as f64 / 9.0) as usize;
        for _ in 0..5 {
            let rows: Vec<usize> = rand::seq::index::sample(rng, n, size).into_vec();
            let subset = control.select_rows(&rows);
            sizes.push(size as f64);
            successes.push(count_singling_out(&subset, predicates) as f64);
        }
    }
    let distinct_sizes = sizes.iter().any(|&s| s != sizes[0]);
    let w = if distinct_sizes {
        fit_w_eff(&sizes, &successes)
    } else {
        1.0 / n as f64
    };
    let f = |m: f64| singling_out_probability_integral(m, 0.0, w);
    let denom = f(n as f64);
    if denom > 0.0 {
        f(n_original as f64) / denom
    } else {
        1.0
    }
}

/// Least-squares `w` of `y = norm * integral(x, 0, w)`, norm profiled out.
fn fit_w_eff(x: &[f64], y: &[f64]) -> f64 {
    let sse = |w: f64| {
        let g: Vec<f64> = x
            .iter()
            .map(|&n| singling_out_probability_integral(n, 0.0, w))
            .collect();
        let gg: f64 = g.iter().map(|v| v * v).sum();
        let gy: f64 = g.iter().zip(y).map(|(a, b)| a * b).sum();
        let yy: f64 = y.iter().map(|v| v * v).sum();
        if gg <= 0.0 {
            yy
        } else {
            yy - gy * gy / gg
        }
    };
    let grid: Vec<f64> = (0..=400)
        .map(|i| 10f64.powf(-8.0 + 8.0 * i as f64 / 400.0))
        .collect();
    let mut best = 0;
    for i in 1..grid.len() {
        if sse(grid[i]) < sse(grid[best]) {
            best = i;
        }
    }
    let (mut a, mut b) = (
        grid[best.saturating_sub(1)],
        grid[(best + 1).min(grid.len() - 1)],
    );
    let phi = 0.5 * (5f64.sqrt() - 1.0);
    for _ in 0..100 {
        let c = b - phi * (b - a);
        let d = a + phi * (b - a);
        if sse(c) < sse(d) {
            b = d;
        } else {
            a = c;
        }
    }
    0.5 * (a + b)
}

/// Runs the singling-out attack (see the module doc) on de-duplicated
/// originals, release and control.
pub fn singling_out_counts(
    tables: &RiskTables,
    mode: SinglingOutMode,
    config: &RiskConfig,
) -> Result<SinglingOutCounts, InferenceError> {
    config.validate()?;
    let original = tables.original.distinct_rows();
    let release = tables.release.distinct_rows();
    let control = tables.control.distinct_rows();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(match mode {
        SinglingOutMode::Univariate => 1,
        SinglingOutMode::Multivariate => 2,
    });
    let (predicates, n_columns) = match mode {
        SinglingOutMode::Univariate => (
            univariate_predicates(tables, &release, config.n_attacks, &mut rng),
            1,
        ),
        SinglingOutMode::Multivariate => (
            multivariate_predicates(
                tables,
                &release,
                config.singling_out_columns,
                config.n_attacks,
                config.max_attempts,
                &mut rng,
            ),
            config.singling_out_columns,
        ),
    };
    let n_queries = predicates.len();
    let n_success = count_singling_out(&original, &predicates);
    let n_control_raw = count_singling_out(&control, &predicates);
    let correction = control_size_correction(&control, &predicates, original.n_rows, &mut rng);
    let baseline_predicates =
        random_predicates(tables, &release, config.n_attacks, n_columns, &mut rng);
    let n_baseline = count_singling_out(&original, &baseline_predicates);
    Ok(SinglingOutCounts {
        mode,
        n_requested: config.n_attacks,
        n_queries,
        n_control_raw,
        control_correction: correction,
        counts: AttackCounts {
            n_attacks: n_queries,
            n_success,
            n_baseline_attacks: config.n_attacks,
            n_baseline,
            n_control_attacks: n_queries,
            n_control: n_control_raw as f64 * correction,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_by_hand() {
        // n = 2, w in [0, 0.5]: ((0 + 1) * 1 - (1 + 1) * 0.25) / 3 = 0.5 / 3.
        let v = singling_out_probability_integral(2.0, 0.0, 0.5);
        assert!((v - 0.5 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn fit_recovers_w() {
        let w = 0.003;
        let x: Vec<f64> = (0..10).map(|i| 200.0 + 100.0 * i as f64).collect();
        let y: Vec<f64> = x
            .iter()
            .map(|&n| 40.0 * singling_out_probability_integral(n, 0.0, w))
            .collect();
        let fitted = fit_w_eff(&x, &y);
        assert!((fitted - w).abs() / w < 1e-3, "{fitted}");
    }
}
