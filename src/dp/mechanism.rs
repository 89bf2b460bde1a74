//! Mechanisms: anything that turns a table into a (randomized) release.
//!
//! The [`Mechanism`] trait is the plug-in point for the black-box audit in
//! [`super::audit`]: a mechanism receives an [`EncodedTable`] (the crate's one
//! table value) and a seed and returns the released [`EncodedTable`].
//! Reference anonymizers can implement it to be audited.
//!
//! Built-in reference mechanisms with known epsilon:
//!
//! * [`LaplaceSum`]: the sum of a clamped column plus Laplace noise of scale
//!   `Delta / eps`, `Delta = max(|lower|, |upper|)` under add/remove-one
//!   neighbours (Dwork, McSherry, Nissim & Smith 2006).
//! * [`GaussianSum`]: the same sum plus Gaussian noise with the smallest sigma
//!   giving `(eps, delta)`-DP by the analytic calibration of Balle & Wang (2018).
//! * [`RandomizedResponse`]: k-ary randomized response applied to each row of
//!   a categorical column: keep the value with probability
//!   `e^eps / (e^eps + k - 1)`, otherwise release one of the other `k - 1`
//!   categories uniformly (Warner 1965; Kairouz, Bonawitz & Ramage 2016).
//!
//! [`CommandMechanism`] runs an external program: the input table is written
//! to a CSV file, the program is started *without a shell* with its arguments
//! split from a template (`{input}`, `{output}` and `{seed}` are substituted
//! inside arguments), and the output CSV file it wrote is read back
//! ([`read_csv`]: every value as written, an empty field an empty cell).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use super::gaussian::gaussian_sigma;
use super::{check_delta, check_positive, parse_numeric, DpError};
use crate::data::{encode_frame, CategoricalColumn, EncodedTable, MissingPolicy};

/// Label of a mechanism's input in error messages.
const INPUT: &str = "mechanism input";
/// Label of a mechanism's release.
const RELEASE: &str = "mechanism release";

/// Column `name` of `table`, or an error listing the columns.
pub fn column<'t>(table: &'t EncodedTable, name: &str) -> Result<&'t CategoricalColumn, DpError> {
    table.column(name).ok_or_else(|| {
        DpError::Invalid(format!(
            "no column `{name}`; the columns are: {}",
            table.column_names().join(", ")
        ))
    })
}

/// Column `name` of `table` parsed as numbers, one per row (errors name
/// `source`, the column and the 1-based row).
pub fn numeric_column(table: &EncodedTable, name: &str, source: &str) -> Result<Vec<f64>, DpError> {
    let c = column(table, name)?;
    parse_numeric(source, name, (0..table.n_rows).map(|r| Some(c.value(r))))
}

/// Reads a CSV file through [`crate::data::read_frame`] with every value
/// kept as written (no missing tokens; an empty field reads as an empty
/// cell).
pub fn read_csv(path: &Path) -> Result<EncodedTable, DpError> {
    let frame = crate::data::read_frame(path, &crate::data::ReadOptions::default())?;
    let keep_all = MissingPolicy {
        tokens: Vec::new(),
        label: String::new(),
    };
    Ok(encode_frame(
        &frame,
        &[],
        &path.display().to_string(),
        &keep_all,
    )?)
}

/// Writes `table` as a comma-separated file with a header row.
fn write_csv(table: &EncodedTable, path: &Path) -> Result<(), DpError> {
    let cannot =
        |e: std::io::Error| DpError::Invalid(format!("cannot write {}: {e}", path.display()));
    let file = std::fs::File::create(path).map_err(cannot)?;
    table
        .write_csv(std::io::BufWriter::new(file), b',')
        .map_err(cannot)
}

/// True when `b` is a neighbour of `a`: the same columns in the same order
/// and one row added or removed, or one row replaced (rows compared as a
/// multiset).
pub fn is_neighbour(a: &EncodedTable, b: &EncodedTable) -> bool {
    if a.column_names() != b.column_names() {
        return false;
    }
    matches!(differing_rows(a, b), (1, 0) | (0, 1) | (1, 1))
}

/// How many rows only `a` has and how many only `b` has (rows compared as
/// multisets of cells, whatever the headers).
pub fn differing_rows(a: &EncodedTable, b: &EncodedTable) -> (usize, usize) {
    let mut a: Vec<Vec<&str>> = (0..a.n_rows).map(|r| a.row(r)).collect();
    let mut b: Vec<Vec<&str>> = (0..b.n_rows).map(|r| b.row(r)).collect();
    a.sort();
    b.sort();
    // Count rows only in a and only in b (multiset difference).
    let (mut i, mut j, mut only_a, mut only_b) = (0, 0, 0usize, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                only_a += 1;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                only_b += 1;
                j += 1;
            }
        }
    }
    only_a += a.len() - i;
    only_b += b.len() - j;
    (only_a, only_b)
}

/// A one-cell release: column `name`, one row holding `value`.
fn one_cell(name: &str, value: String) -> EncodedTable {
    EncodedTable::new(
        RELEASE,
        vec![CategoricalColumn::from_row_strings(name, vec![value])],
    )
}

/// A randomized algorithm from tables to released tables. Implementations
/// must be deterministic given the seed (same input, same seed, same release)
/// and safe to call from several threads at once.
pub trait Mechanism: Send + Sync {
    /// A short description for reports (name and parameters).
    fn describe(&self) -> String;
    /// Releases `input` using randomness derived from `seed` only.
    fn release(&self, input: &EncodedTable, seed: u64) -> Result<EncodedTable, DpError>;
}

fn clamped_sum(input: &EncodedTable, column: &str, lower: f64, upper: f64) -> Result<f64, DpError> {
    let values = numeric_column(input, column, INPUT)?;
    Ok(values.iter().map(|v| v.clamp(lower, upper)).sum())
}

fn check_bounds(lower: f64, upper: f64) -> Result<(), DpError> {
    if lower.is_finite() && upper.is_finite() && lower < upper {
        Ok(())
    } else {
        Err(DpError::Invalid(format!(
            "clamp bounds [{lower}, {upper}] must be finite with lower < upper"
        )))
    }
}

/// Sum of a clamped column plus Laplace noise (the Laplace mechanism).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LaplaceSum {
    /// Column summed; the release has one row and one column of this name.
    pub column: String,
    /// Lower clamp bound.
    pub lower: f64,
    /// Upper clamp bound.
    pub upper: f64,
    /// The epsilon the noise is calibrated to.
    pub epsilon: f64,
}

impl LaplaceSum {
    /// Add/remove-one sensitivity `max(|lower|, |upper|)`.
    pub fn sensitivity(&self) -> f64 {
        self.lower.abs().max(self.upper.abs())
    }
}

impl Mechanism for LaplaceSum {
    fn describe(&self) -> String {
        format!(
            "Laplace sum of `{}` clamped to [{}, {}], epsilon {}",
            self.column, self.lower, self.upper, self.epsilon
        )
    }

    fn release(&self, input: &EncodedTable, seed: u64) -> Result<EncodedTable, DpError> {
        check_positive("epsilon", self.epsilon)?;
        check_bounds(self.lower, self.upper)?;
        let sum = clamped_sum(input, &self.column, self.lower, self.upper)?;
        let b = self.sensitivity() / self.epsilon;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Inverse CDF of Laplace(0, b) from u uniform in (-1/2, 1/2).
        let u: f64 = rng.gen::<f64>() - 0.5;
        let noise = -b * u.signum() * (1.0 - 2.0 * u.abs()).ln();
        Ok(one_cell(&self.column, format!("{}", sum + noise)))
    }
}

/// Sum of a clamped column plus analytically calibrated Gaussian noise.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GaussianSum {
    /// Column summed.
    pub column: String,
    /// Lower clamp bound.
    pub lower: f64,
    /// Upper clamp bound.
    pub upper: f64,
    /// Target epsilon.
    pub epsilon: f64,
    /// Target delta.
    pub delta: f64,
}

impl GaussianSum {
    /// The noise standard deviation (Balle & Wang 2018 analytic calibration).
    pub fn sigma(&self) -> Result<f64, DpError> {
        gaussian_sigma(
            self.epsilon,
            self.delta,
            self.lower.abs().max(self.upper.abs()),
        )
    }
}

impl Mechanism for GaussianSum {
    fn describe(&self) -> String {
        format!(
            "Gaussian sum of `{}` clamped to [{}, {}], epsilon {}, delta {}",
            self.column, self.lower, self.upper, self.epsilon, self.delta
        )
    }

    fn release(&self, input: &EncodedTable, seed: u64) -> Result<EncodedTable, DpError> {
        check_delta(self.delta)?;
        check_bounds(self.lower, self.upper)?;
        let sigma = self.sigma()?;
        let sum = clamped_sum(input, &self.column, self.lower, self.upper)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let normal = Normal::new(0.0, sigma)
            .map_err(|e| DpError::Invalid(format!("Gaussian noise: {e}")))?;
        let noise = normal.sample(&mut rng);
        Ok(one_cell(&self.column, format!("{}", sum + noise)))
    }
}

/// k-ary randomized response on one categorical column.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RandomizedResponse {
    /// Column perturbed; other columns are released unchanged.
    pub column: String,
    /// The `k >= 2` categories (the output domain).
    pub categories: Vec<String>,
    /// Epsilon (local DP per row).
    pub epsilon: f64,
}

impl RandomizedResponse {
    /// Probability of releasing the true value: `e^eps / (e^eps + k - 1)`.
    pub fn keep_probability(&self) -> f64 {
        let k = self.categories.len() as f64;
        let e = self.epsilon.exp();
        e / (e + k - 1.0)
    }
}

impl Mechanism for RandomizedResponse {
    fn describe(&self) -> String {
        format!(
            "{}-ary randomized response on `{}`, epsilon {}",
            self.categories.len(),
            self.column,
            self.epsilon
        )
    }

    fn release(&self, input: &EncodedTable, seed: u64) -> Result<EncodedTable, DpError> {
        check_positive("epsilon", self.epsilon)?;
        let k = self.categories.len();
        if k < 2 {
            return Err(DpError::Invalid(
                "randomized response needs at least 2 categories".into(),
            ));
        }
        let c = column(input, &self.column)?;
        let keep = self.keep_probability();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Category index of each dictionary entry (None: not a category).
        let category: Vec<Option<u32>> = c
            .values
            .iter()
            .map(|v| {
                self.categories
                    .iter()
                    .position(|x| x == v)
                    .map(|p| p as u32)
            })
            .collect();
        let mut codes = Vec::with_capacity(input.n_rows);
        for (row_no, &code) in c.codes.iter().enumerate() {
            let truth = category[code as usize].ok_or_else(|| {
                DpError::Invalid(format!(
                    "{INPUT}, column `{}`, row {}: `{}` is not one of the categories {}",
                    self.column,
                    row_no + 1,
                    c.values[code as usize],
                    self.categories.join(", ")
                ))
            })?;
            let truth = truth as usize;
            let mut reported = truth;
            if rng.gen::<f64>() >= keep {
                // One of the other k - 1 categories, uniformly (drawn as a
                // usize, as before, so a seed gives the same releases).
                let mut other = rng.gen_range(0..k - 1);
                if other >= truth {
                    other += 1;
                }
                reported = other;
            }
            codes.push(reported as u32);
        }
        let mut out = input.clone();
        out.replace_column(CategoricalColumn::from_dictionary(
            &self.column,
            self.categories.clone(),
            codes,
        ));
        Ok(out)
    }
}

/// An external program as a mechanism.
///
/// The template is split into words like a POSIX shell would split a simple
/// command (white space separates words; `'...'` quotes literally; `"..."`
/// quotes with `\"` and `\\` escapes; a backslash outside quotes escapes the
/// next character) but no shell runs it: there is no globbing, no variable
/// expansion, no pipes or redirections, and the substituted paths are never
/// re-split, so file names with spaces or shell metacharacters are safe. The
/// placeholders `{input}`, `{output}` (both required) and `{seed}` are replaced
/// inside each word. The program must write a CSV file with a header to
/// `{output}` and exit with status 0. Temporary files live in a fresh
/// directory under the system temp directory and are removed afterwards.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommandMechanism {
    /// The template as given.
    pub template: String,
    /// The program (first word).
    pub program: String,
    /// The remaining words, placeholders unsubstituted.
    pub args: Vec<String>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl CommandMechanism {
    /// Parses a template such as `python3 anonymize.py --in {input} --out {output} --seed {seed}`.
    pub fn parse(template: &str) -> Result<CommandMechanism, DpError> {
        let words = split_words(template)?;
        let Some((program, args)) = words.split_first() else {
            return Err(DpError::Invalid("the mechanism command is empty".into()));
        };
        for needed in ["{input}", "{output}"] {
            if !words.iter().any(|w| w.contains(needed)) {
                return Err(DpError::Invalid(format!(
                    "the mechanism command `{template}` has no {needed} placeholder; write e.g. \"my-tool {{input}} {{output}}\""
                )));
            }
        }
        Ok(CommandMechanism {
            template: template.to_string(),
            program: program.clone(),
            args: args.to_vec(),
        })
    }

    fn temp_dir() -> Result<PathBuf, DpError> {
        let base = std::env::temp_dir();
        for _ in 0..100 {
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let dir = base.join(format!("reident-mech-{}-{n}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(dir),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(DpError::Invalid(format!(
                        "cannot create a temporary directory in {}: {e}",
                        base.display()
                    )))
                }
            }
        }
        Err(DpError::Invalid(
            "cannot create a unique temporary directory".into(),
        ))
    }

    fn run_in(&self, dir: &Path, input: &EncodedTable, seed: u64) -> Result<EncodedTable, DpError> {
        let in_path = dir.join("input.csv");
        let out_path = dir.join("output.csv");
        write_csv(input, &in_path)?;
        let substitute = |w: &str| {
            w.replace("{input}", &in_path.display().to_string())
                .replace("{output}", &out_path.display().to_string())
                .replace("{seed}", &seed.to_string())
        };
        let program = substitute(&self.program);
        let args: Vec<String> = self.args.iter().map(|a| substitute(a)).collect();
        let output = Command::new(&program)
            .args(&args)
            .output()
            .map_err(|e| DpError::Command {
                command: self.template.clone(),
                message: format!("cannot start `{program}`: {e}"),
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let excerpt: String = stderr.chars().take(500).collect();
            return Err(DpError::Command {
                command: self.template.clone(),
                message: format!("{}; stderr: {}", output.status, excerpt.trim()),
            });
        }
        if !out_path.exists() {
            return Err(DpError::Command {
                command: self.template.clone(),
                message: "it exited successfully but wrote no file at {output}".into(),
            });
        }
        read_csv(&out_path)
    }
}

impl Mechanism for CommandMechanism {
    fn describe(&self) -> String {
        format!("external command `{}`", self.template)
    }

    fn release(&self, input: &EncodedTable, seed: u64) -> Result<EncodedTable, DpError> {
        let dir = Self::temp_dir()?;
        let result = self.run_in(&dir, input, seed);
        let _ = std::fs::remove_dir_all(&dir);
        result
    }
}

/// Splits a command template into words (see [`CommandMechanism`]).
pub fn split_words(template: &str) -> Result<Vec<String>, DpError> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = template.chars();
    while let Some(ch) = chars.next() {
        match ch {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => current.push(c),
                        None => return Err(unclosed(template, '\'')),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => current.push(c),
                            Some(c) => {
                                current.push('\\');
                                current.push(c);
                            }
                            None => return Err(unclosed(template, '"')),
                        },
                        Some(c) => current.push(c),
                        None => return Err(unclosed(template, '"')),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => current.push(c),
                    None => current.push('\\'),
                }
            }
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

fn unclosed(template: &str, quote: char) -> DpError {
    DpError::Invalid(format!(
        "the mechanism command `{template}` has an unclosed {quote} quote"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell_without_one() {
        let w = split_words(r#"tool --name 'a b' "c \"d\"" e\ f {input};rm {output}"#).unwrap();
        assert_eq!(
            w,
            vec![
                "tool",
                "--name",
                "a b",
                "c \"d\"",
                "e f",
                "{input};rm",
                "{output}"
            ]
        );
        assert!(split_words("tool 'open").is_err());
        assert!(CommandMechanism::parse("tool {input}").is_err());
    }

    #[test]
    fn neighbours_differ_by_one_row() {
        let a = EncodedTable::single_column("x", &["1", "2", "3"]);
        let b = EncodedTable::single_column("x", &["3", "1"]);
        let c = EncodedTable::single_column("x", &["1", "2", "4"]);
        let d = EncodedTable::single_column("x", &["1", "5", "4"]);
        assert!(is_neighbour(&a, &b));
        assert!(is_neighbour(&a, &c));
        assert!(!is_neighbour(&a, &d));
        assert!(!is_neighbour(&a, &a));
        assert_eq!(differing_rows(&a, &d), (2, 2));
    }

    #[test]
    fn randomized_response_keep_probability() {
        // k = 3, eps = ln 2: keep = 2 / (2 + 2) = 0.5.
        let rr = RandomizedResponse {
            column: "c".into(),
            categories: vec!["a".into(), "b".into(), "c".into()],
            epsilon: 2f64.ln(),
        };
        assert!((rr.keep_probability() - 0.5).abs() < 1e-12);
    }
}
