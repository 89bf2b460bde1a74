//! `reident anonymize <method>`: run one reference anonymizer on a CSV file
//! and write the release as CSV (same delimiter as the input unless told
//! otherwise), atomically and never over an input file. A JSON summary of what
//! the method chose (levels, loss, noise scale...) goes to standard output.
//!
//! Every column is read as text and written back unchanged unless the method
//! rewrites it; empty fields stay empty. `--truth-key NAME` adds the hidden
//! truth key (original 0-based row id; for `histogram`, the true count) so
//! attacks can be scored; it is off by default. Rows keep their input order
//! unless `--shuffle-seed` is given.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::{CliError, Outcome};
use crate::anonymize::generalization::{
    generalize, GeneralizationConfig, LossMetric, QuasiIdentifier,
};
use crate::anonymize::microaggregation::{mdav, MdavConfig};
use crate::anonymize::mondrian::{mondrian, MondrianConfig, MondrianQi, QiKind};
use crate::anonymize::noise::{
    add_noise, dp_histogram, GaussianCalibration, HistogramConfig, NoiseConfig, NoiseMechanism,
};
use crate::anonymize::randomized_response::{
    randomized_response, DeclaredDomain, RandomizedResponseConfig,
};
use crate::data::output::write_csv_atomic;
use crate::data::{encode_frame, read_frame, EncodedTable, Hierarchy, MissingPolicy, ReadOptions};

/// `reident anonymize`: produce an anonymized release with a reference method.
#[derive(Debug, clap::Args)]
pub struct AnonymizeArgs {
    /// The anonymization method.
    #[command(subcommand)]
    pub method: Method,
}

/// The anonymization methods.
#[derive(Debug, clap::Subcommand)]
pub enum Method {
    /// Full-domain generalization with ARX hierarchies (k, distinct-l, t) and suppression.
    Generalize(GeneralizeArgs),
    /// Mondrian multidimensional k-anonymity (LeFevre et al. 2006).
    Mondrian(MondrianArgs),
    /// MDAV microaggregation of numeric columns (Domingo-Ferrer & Mateo-Sanz 2002).
    Mdav(MdavArgs),
    /// Laplace noise on numeric columns.
    Laplace(LaplaceArgs),
    /// Gaussian noise on numeric columns.
    Gaussian(GaussianArgs),
    /// DP histogram: noisy counts by group (Laplace).
    Histogram(HistogramArgs),
    /// k-ary randomized response on categorical columns.
    RandomizedResponse(RandomizedResponseArgs),
    /// Seeded paraphrase of text columns (synonyms, sentence reordering and
    /// dropping, extractive summary, number and name masking): rewritten
    /// releases with known truth for testing document linkage.
    Paraphrase(ParaphraseArgs),
}

/// `paraphrase` options.
#[derive(Debug, clap::Args)]
pub struct ParaphraseArgs {
    #[command(flatten)]
    io: IoArgs,
    /// Text columns to rewrite.
    #[arg(long = "column", value_delimiter = ',', required = true)]
    columns: Vec<String>,
    /// RNG seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Probability that a word of the synonym list is replaced, in [0, 1].
    #[arg(long, default_value_t = 1.0, value_parser = super::parse::probability)]
    synonym_probability: f64,
    /// Probability that a sentence is dropped, in [0, 1].
    #[arg(long, default_value_t = 0.2, value_parser = super::parse::probability)]
    drop_probability: f64,
    /// Probability that a stop word is left out, in [0, 1].
    #[arg(long, default_value_t = 0.5, value_parser = super::parse::probability)]
    stop_word_drop_probability: f64,
    /// Keep the sentence order.
    #[arg(long)]
    no_reorder: bool,
    /// Keep at most this many sentences (extractive summary).
    #[arg(long, value_parser = super::parse::at_least_one)]
    summary_sentences: Option<usize>,
    /// Replace tokens holding a digit by `[NUMBER]`.
    #[arg(long)]
    mask_numbers: bool,
    /// Keep census first and last names (default: replaced by `[NAME]`).
    #[arg(long)]
    keep_names: bool,
}

/// Input, output and release options shared by every method.
#[derive(Debug, clap::Args)]
pub struct IoArgs {
    /// Input CSV file.
    #[arg(long)]
    pub input: PathBuf,
    /// Output CSV file: never an input; an existing file is replaced only
    /// with --force.
    #[arg(long)]
    pub output: PathBuf,
    /// Replace `--output` if it already exists.
    #[arg(long)]
    pub force: bool,
    /// Input delimiter (detected from the header line if absent).
    #[arg(long)]
    pub delimiter: Option<char>,
    /// Output delimiter (default: the input's).
    #[arg(long)]
    pub output_delimiter: Option<char>,
    /// Add the hidden truth key under this column name (off by default).
    #[arg(long, value_name = "COLUMN")]
    pub truth_key: Option<String>,
    /// Shuffle the released rows with this seed (so row order does not link
    /// release and original; the truth key moves with its row).
    #[arg(long, value_name = "SEED")]
    pub shuffle_seed: Option<u64>,
    /// Columns to leave out of the release (e.g. direct identifiers).
    #[arg(long = "drop", value_name = "COLUMN", value_delimiter = ',')]
    pub drop: Vec<String>,
}

/// Loss metric names on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum MetricArg {
    /// 1 - Prec (Sweeney 2002).
    Precision,
    /// Discernibility (Bayardo & Agrawal 2005).
    Discernibility,
}

/// `generalize` options.
#[derive(Debug, clap::Args)]
pub struct GeneralizeArgs {
    #[command(flatten)]
    io: IoArgs,
    /// A quasi-identifier and its ARX hierarchy file, as COLUMN=PATH (repeat).
    #[arg(long = "qi", value_name = "COLUMN=HIERARCHY", required = true)]
    qi: Vec<String>,
    /// Minimum equivalence class size (at least 1).
    #[arg(long, value_parser = super::parse::at_least_one)]
    k: usize,
    /// Distinct l-diversity of the sensitive column (at least 1).
    #[arg(long, value_parser = super::parse::at_least_one)]
    l: Option<usize>,
    /// Equal-distance t-closeness of the sensitive column, in [0, 1].
    #[arg(long, value_parser = super::parse::probability)]
    t: Option<f64>,
    /// Sensitive column for --l / --t.
    #[arg(long)]
    sensitive: Option<String>,
    /// Largest share of rows that may be suppressed, in [0, 1].
    #[arg(long, default_value_t = 0.0, value_parser = super::parse::probability)]
    max_suppression: f64,
    /// Information loss to minimise.
    #[arg(long, value_enum, default_value = "precision")]
    metric: MetricArg,
    /// Assume the loss is monotone under suppression (faster, may miss the optimum).
    #[arg(long)]
    practical_monotonicity: bool,
}

/// `mondrian` options.
#[derive(Debug, clap::Args)]
pub struct MondrianArgs {
    #[command(flatten)]
    io: IoArgs,
    /// Numeric quasi-identifiers (summarised as [lo-hi]).
    #[arg(long, value_delimiter = ',')]
    numeric: Vec<String>,
    /// Categorical quasi-identifiers (summarised as {a,b}).
    #[arg(long, value_delimiter = ',')]
    categorical: Vec<String>,
    /// Minimum partition size (at least 1).
    #[arg(long, value_parser = super::parse::at_least_one)]
    k: usize,
}

/// `mdav` options.
#[derive(Debug, clap::Args)]
pub struct MdavArgs {
    #[command(flatten)]
    io: IoArgs,
    /// Numeric columns aggregated together.
    #[arg(long = "column", value_delimiter = ',', required = true)]
    columns: Vec<String>,
    /// Minimum group size (at least 1).
    #[arg(long, value_parser = super::parse::at_least_one)]
    k: usize,
    /// Digits after the decimal point (default: shortest exact value).
    #[arg(long)]
    decimals: Option<usize>,
}

/// Options shared by Laplace and Gaussian noise.
#[derive(Debug, clap::Args)]
pub struct NoiseArgs {
    /// Numeric columns to perturb.
    #[arg(long = "column", value_delimiter = ',', required = true)]
    columns: Vec<String>,
    /// Epsilon per column, finite and > 0.
    #[arg(long, value_parser = super::parse::positive)]
    epsilon: f64,
    /// Declared sensitivity of one value, finite and > 0.
    #[arg(long, value_parser = super::parse::positive)]
    sensitivity: f64,
    /// Clamping lower bound (finite).
    #[arg(long, allow_hyphen_values = true, value_parser = super::parse::finite)]
    lower: f64,
    /// Clamping upper bound (finite).
    #[arg(long, allow_hyphen_values = true, value_parser = super::parse::finite)]
    upper: f64,
    /// RNG seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Digits after the decimal point (default: shortest exact value).
    #[arg(long)]
    decimals: Option<usize>,
}

/// `laplace` options.
#[derive(Debug, clap::Args)]
pub struct LaplaceArgs {
    #[command(flatten)]
    io: IoArgs,
    #[command(flatten)]
    noise: NoiseArgs,
}

/// Gaussian calibration names on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CalibrationArg {
    /// Dwork & Roth 2014 Theorem A.1 (epsilon < 1).
    Classic,
    /// Balle & Wang 2018 analytic Gaussian mechanism.
    Analytic,
}

/// `gaussian` options.
#[derive(Debug, clap::Args)]
pub struct GaussianArgs {
    #[command(flatten)]
    io: IoArgs,
    #[command(flatten)]
    noise: NoiseArgs,
    /// delta, strictly between 0 and 1.
    #[arg(long, value_parser = super::parse::open_unit)]
    delta: f64,
    /// How sigma is calibrated.
    #[arg(long, value_enum, default_value = "analytic")]
    calibration: CalibrationArg,
}

/// `histogram` options.
#[derive(Debug, clap::Args)]
pub struct HistogramArgs {
    #[command(flatten)]
    io: IoArgs,
    /// Grouping columns.
    #[arg(long, value_delimiter = ',', required = true)]
    by: Vec<String>,
    /// Epsilon of the whole histogram, finite and > 0.
    #[arg(long, value_parser = super::parse::positive)]
    epsilon: f64,
    /// RNG seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Round noisy counts to integers.
    #[arg(long)]
    round: bool,
    /// Replace negative noisy counts by 0.
    #[arg(long)]
    clamp_at_zero: bool,
    /// Release every combination of observed values, including empty cells.
    #[arg(long)]
    include_empty_cells: bool,
    /// Name of the noisy count column.
    #[arg(long, default_value = "count")]
    count_column: String,
}

/// `randomized-response` options.
#[derive(Debug, clap::Args)]
pub struct RandomizedResponseArgs {
    #[command(flatten)]
    io: IoArgs,
    /// Categorical columns to perturb.
    #[arg(long = "column", value_delimiter = ',', required = true)]
    columns: Vec<String>,
    /// Epsilon per column, finite and > 0.
    #[arg(long, value_parser = super::parse::positive)]
    epsilon: f64,
    /// RNG seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Declared domain of a column as COLUMN=v1,v2,... (repeat per column).
    #[arg(long = "domain", value_name = "COLUMN=VALUES")]
    domains: Vec<String>,
}

fn delimiter_byte(c: char, what: &str) -> Result<u8, CliError> {
    u8::try_from(c)
        .ok()
        .filter(u8::is_ascii)
        .ok_or_else(|| CliError::Usage(format!("{what} must be one ASCII character, got `{c}`")))
}

/// Picks the most frequent of `,` `;` tab `|` in the header line (as the reader does).
fn detect_delimiter(path: &Path) -> Result<u8, CliError> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|source| crate::data::DataError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut line = Vec::new();
    // At most the first 64 KiB: an endless first line is the reader's to refuse.
    std::io::BufReader::new(std::io::Read::take(file, 64 * 1024))
        .read_until(b'\n', &mut line)
        .map_err(|source| crate::data::DataError::Io {
            path: path.display().to_string(),
            source,
        })?;
    Ok([b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| line.iter().filter(|b| *b == d).count())
        .unwrap_or(b','))
}

/// The input read as text, every column encoded, empty fields kept empty.
struct Input {
    table: EncodedTable,
    delimiter: u8,
}

fn read_input(io: &IoArgs) -> Result<Input, CliError> {
    super::output::check_file(&io.output, &[&io.input], io.force)?;
    let delimiter = match io.delimiter {
        Some(c) => delimiter_byte(c, "--delimiter")?,
        None => detect_delimiter(&io.input)?,
    };
    let frame = read_frame(
        &io.input,
        &ReadOptions {
            delimiter: Some(delimiter),
            ..ReadOptions::default()
        },
    )?;
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let columns: Vec<&str> = names.iter().map(String::as_str).collect();
    // No missing tokens: every value, including `?` and empty fields, is kept
    // as written so that untouched columns round-trip.
    let keep_all = MissingPolicy {
        tokens: Vec::new(),
        label: String::new(),
    };
    let table = encode_frame(&frame, &columns, &io.input.display().to_string(), &keep_all)?;
    Ok(Input { table, delimiter })
}

fn finish(
    io: &IoArgs,
    input: &Input,
    mut release: EncodedTable,
    add_truth_key: bool,
    extra_inputs: &[PathBuf],
    summary: serde_json::Value,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    release.drop_columns(&io.drop)?;
    if add_truth_key {
        if let Some(name) = &io.truth_key {
            release.add_truth_key(name)?;
        }
    }
    if let Some(seed) = io.shuffle_seed {
        release.shuffle_rows(seed);
    }
    let delimiter = match io.output_delimiter {
        Some(c) => delimiter_byte(c, "--output-delimiter")?,
        None => input.delimiter,
    };
    let mut inputs: Vec<&Path> = vec![io.input.as_path()];
    inputs.extend(extra_inputs.iter().map(PathBuf::as_path));
    write_csv_atomic(&release, &io.output, delimiter, &inputs)?;
    let report = json!({
        "input": io.input.display().to_string(),
        "output": io.output.display().to_string(),
        "rows": release.n_rows,
        "summary": summary,
    });
    super::output::print_json(out, &report)?;
    Ok(Outcome::Success)
}

fn split_assignment<'a>(text: &'a str, option: &str) -> Result<(&'a str, &'a str), CliError> {
    text.split_once('=')
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .ok_or_else(|| CliError::Usage(format!("{option} expects COLUMN=VALUE, got `{text}`")))
}

fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Runs `reident anonymize`.
pub fn run(args: &AnonymizeArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    match &args.method {
        Method::Generalize(a) => {
            let input = read_input(&a.io)?;
            let mut quasi_identifiers = Vec::with_capacity(a.qi.len());
            let mut hierarchy_paths = Vec::with_capacity(a.qi.len());
            for spec in &a.qi {
                let (column, path) = split_assignment(spec, "--qi")?;
                let path = PathBuf::from(path);
                let hierarchy = Hierarchy::from_arx_csv(&path, column)?;
                hierarchy_paths.push(path);
                quasi_identifiers.push(QuasiIdentifier {
                    column: column.to_string(),
                    hierarchy,
                });
            }
            let config = GeneralizationConfig {
                quasi_identifiers,
                k: a.k,
                l_diversity: a.l,
                t_closeness: a.t,
                sensitive: a.sensitive.clone(),
                max_suppression: a.max_suppression,
                metric: match a.metric {
                    MetricArg::Precision => LossMetric::Precision,
                    MetricArg::Discernibility => LossMetric::Discernibility,
                },
                assume_practical_monotonicity: a.practical_monotonicity,
            };
            let result = generalize(&input.table, &config)?;
            let summary =
                json!({"method": "full-domain generalization", "result": to_json(&result)});
            finish(
                &a.io,
                &input,
                result.release,
                true,
                &hierarchy_paths,
                summary,
                out,
            )
        }
        Method::Mondrian(a) => {
            let input = read_input(&a.io)?;
            let quasi_identifiers = a
                .numeric
                .iter()
                .map(|c| (c, QiKind::Numeric))
                .chain(a.categorical.iter().map(|c| (c, QiKind::Categorical)))
                .map(|(column, kind)| MondrianQi {
                    column: column.clone(),
                    kind,
                })
                .collect();
            let config = MondrianConfig {
                quasi_identifiers,
                k: a.k,
            };
            let result = mondrian(&input.table, &config)?;
            let summary = json!({
                "method": "mondrian (strict, median split)",
                "k": a.k,
                "partitions": result.partitions.len(),
                "min_partition_size": result.min_partition_size,
                "normalized_certainty_penalty": result.normalized_certainty_penalty,
            });
            finish(&a.io, &input, result.release, true, &[], summary, out)
        }
        Method::Mdav(a) => {
            let input = read_input(&a.io)?;
            let config = MdavConfig {
                columns: a.columns.clone(),
                k: a.k,
                decimals: a.decimals,
            };
            let result = mdav(&input.table, &config)?;
            let summary = json!({
                "method": "mdav microaggregation",
                "k": a.k,
                "groups": result.groups.len(),
                "sse_over_sst": result.sse_over_sst,
            });
            finish(&a.io, &input, result.release, true, &[], summary, out)
        }
        Method::Laplace(a) => run_noise(&a.io, &a.noise, NoiseMechanism::Laplace, out),
        Method::Gaussian(a) => run_noise(
            &a.io,
            &a.noise,
            NoiseMechanism::Gaussian {
                delta: a.delta,
                calibration: match a.calibration {
                    CalibrationArg::Classic => GaussianCalibration::Classic,
                    CalibrationArg::Analytic => GaussianCalibration::Analytic,
                },
            },
            out,
        ),
        Method::Histogram(a) => {
            let input = read_input(&a.io)?;
            let config = HistogramConfig {
                by: a.by.clone(),
                epsilon: a.epsilon,
                seed: a.seed,
                round: a.round,
                clamp_at_zero: a.clamp_at_zero,
                include_empty_cells: a.include_empty_cells,
                count_column: a.count_column.clone(),
                true_count_column: a.io.truth_key.clone(),
            };
            let result = dp_histogram(&input.table, &config)?;
            let summary = json!({"method": "dp histogram (laplace)", "epsilon": a.epsilon, "result": to_json(&result)});
            finish(&a.io, &input, result.release, false, &[], summary, out)
        }
        Method::RandomizedResponse(a) => {
            let input = read_input(&a.io)?;
            let domains = a
                .domains
                .iter()
                .map(|spec| {
                    let (column, values) = split_assignment(spec, "--domain")?;
                    Ok(DeclaredDomain {
                        column: column.to_string(),
                        values: values.split(',').map(str::to_string).collect(),
                    })
                })
                .collect::<Result<Vec<_>, CliError>>()?;
            let config = RandomizedResponseConfig {
                columns: a.columns.clone(),
                epsilon: a.epsilon,
                seed: a.seed,
                domains,
            };
            let result = randomized_response(&input.table, &config)?;
            let summary =
                json!({"method": "k-ary randomized response", "result": to_json(&result)});
            finish(&a.io, &input, result.release, true, &[], summary, out)
        }
        Method::Paraphrase(a) => {
            let input = read_input(&a.io)?;
            let config = crate::anonymize::paraphrase::ParaphraseConfig {
                seed: a.seed,
                synonym_probability: a.synonym_probability,
                drop_probability: a.drop_probability,
                stop_word_drop_probability: a.stop_word_drop_probability,
                reorder: !a.no_reorder,
                summary_sentences: a.summary_sentences,
                mask_numbers: a.mask_numbers,
                mask_names: !a.keep_names,
            };
            let release =
                crate::anonymize::paraphrase::paraphrase_table(&input.table, &a.columns, &config)?;
            let summary = json!({"method": "seeded paraphrase", "config": to_json(&config)});
            finish(&a.io, &input, release, true, &[], summary, out)
        }
    }
}

fn run_noise(
    io: &IoArgs,
    noise: &NoiseArgs,
    mechanism: NoiseMechanism,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let input = read_input(io)?;
    let config = NoiseConfig {
        columns: noise.columns.clone(),
        mechanism,
        epsilon: noise.epsilon,
        sensitivity: noise.sensitivity,
        lower: noise.lower,
        upper: noise.upper,
        seed: noise.seed,
        decimals: noise.decimals,
    };
    let result = add_noise(&input.table, &config)?;
    let summary = json!({"method": "additive noise", "result": to_json(&result)});
    finish(io, &input, result.release, true, &[], summary, out)
}
