//! `reident risk`: Anonymeter-style singling-out, linkability and
//! attribute-inference risks of a release, each measured against a control
//! set of held-out originals. Thin wrapper over
//! [`crate::attacks::inference::run_table_risk_attacks`] (the counts) and
//! [`crate::eval::inference::score_risks`] (the rates and risks); prints the
//! [`RiskReport`] as JSON (the contract) and, with `--max-risk`, refutes
//! when any risk exceeds it.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{CliError, Outcome};
use crate::attacks::inference::{
    run_table_risk_attacks, RiskConfig, RiskInputs, RiskPlan, RiskSchema,
};
use crate::data::{
    encode_frame, ensure_distinct_inputs, read_frame, EncodedTable, MissingPolicy, ReadOptions,
};
use crate::eval::inference::{score_risks, RiskReport};

/// Arguments of `reident risk`.
#[derive(Debug, Args)]
#[command(
    about = "Anonymeter-style risks: singling out, linkability, attribute inference (attack vs control)",
    after_help = "Example:\n  reident risk --original tests/fixtures/anonymeter/original.csv \\\n      --release tests/fixtures/anonymeter/release.csv --control tests/fixtures/anonymeter/control.csv \\\n      --link-a age,sex,race --link-b education,workclass,occupation --secret salary-class"
)]
pub struct RiskArgs {
    /// The originals the release was made from (CSV, Parquet, NDJSON).
    #[arg(long, value_name = "FILE")]
    pub original: PathBuf,
    /// The release (synthetic or anonymized records).
    #[arg(long, value_name = "FILE")]
    pub release: PathBuf,
    /// Held-out originals that were not used to make the release.
    #[arg(long, value_name = "FILE")]
    pub control: PathBuf,
    /// Columns to use, comma separated (default: every column of the originals).
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub columns: Vec<String>,
    /// Columns compared as numbers (default: detected, every value parses as a number).
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub numeric: Option<Vec<String>>,
    /// Attacks per evaluation (targets or queries), at least 1.
    #[arg(long, default_value_t = 500, value_parser = super::parse::at_least_one)]
    pub n_attacks: usize,
    /// Confidence level of the intervals, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.95, value_parser = super::parse::open_unit)]
    pub confidence: f64,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Columns per multivariate singling-out predicate (at least 1).
    #[arg(long, default_value_t = 3, value_parser = super::parse::at_least_one)]
    pub singling_out_columns: usize,
    /// Candidate predicates tried by multivariate singling out (at least 1).
    #[arg(long, default_value_t = 100_000, value_parser = super::parse::at_least_one)]
    pub max_attempts: usize,
    /// Skip singling out.
    #[arg(long)]
    pub no_singling_out: bool,
    /// First column set of the linkability attack (needs --link-b).
    #[arg(long, value_delimiter = ',', value_name = "COLS", requires = "link_b")]
    pub link_a: Vec<String>,
    /// Second column set of the linkability attack (needs --link-a).
    #[arg(long, value_delimiter = ',', value_name = "COLS", requires = "link_a")]
    pub link_b: Vec<String>,
    /// Nearest neighbours per side in the linkability attack (at least 1).
    #[arg(long, default_value_t = 1, value_parser = super::parse::at_least_one)]
    pub n_neighbors: usize,
    /// Secret columns for attribute inference, comma separated.
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub secret: Vec<String>,
    /// Columns the inference attacker knows (default: all but the secret).
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub aux: Vec<String>,
    /// Relative tolerance for a numeric secret to count as inferred (finite, >= 0).
    #[arg(long, default_value_t = 0.05, value_parser = super::parse::non_negative)]
    pub tolerance: f64,
    /// Values that mean "missing", comma separated (default `?`, empty, null, NULL, NaN).
    #[arg(long, value_name = "TOKENS")]
    pub missing: Option<String>,
    /// CSV delimiter (default: detected).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// Check "every risk is at most R", R in [0, 1), with the audit's
    /// composite rule: exit 1 when any risk's interval lies wholly above R, 0
    /// when every interval lies at or below it, 3 (inconclusive) otherwise.
    #[arg(long, value_name = "R", value_parser = super::parse::max_rate)]
    pub max_risk: Option<f64>,
    /// Generalization hierarchy `COLUMN=FILE` (ARX CSV), repeatable: release
    /// values that are its nodes cover the leaves under them.
    #[arg(long)]
    pub hierarchy: Vec<String>,
    /// How a column's values are read: `COLUMN=code|number|generalized`,
    /// repeatable (detected when absent; see `reident link --kind`).
    #[arg(long = "kind")]
    pub kinds: Vec<String>,
}

/// Runs `reident risk`.
pub fn run(args: &RiskArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let mut opts = ReadOptions::default();
    if let Some(d) = args.delimiter {
        if !d.is_ascii() {
            return Err(CliError::Usage(format!(
                "--delimiter `{d}` must be a single ASCII character"
            )));
        }
        opts = opts.with_delimiter(d as u8);
    }
    let missing = match &args.missing {
        Some(tokens) => {
            let list: Vec<&str> = tokens.split(',').collect();
            MissingPolicy::new(&list, "?")
        }
        None => MissingPolicy::default(),
    };
    ensure_distinct_inputs("release", &args.release, "original", &args.original)?;
    ensure_distinct_inputs("control set", &args.control, "original", &args.original)?;
    ensure_distinct_inputs("control set", &args.control, "release", &args.release)?;
    let kinds = super::parse_kinds(&args.kinds)?;
    let hierarchies = super::parse_hierarchies(&args.hierarchy)?;
    // Every column as text, encoded under the missing policy (an empty CSV
    // field is null, hence missing, whatever the tokens).
    let read = |path: &std::path::Path| -> Result<EncodedTable, CliError> {
        let frame = read_frame(path, &opts)?;
        Ok(encode_frame(
            &frame,
            &[],
            &path.display().to_string(),
            &missing,
        )?)
    };
    let original = read(&args.original)?;
    let release = read(&args.release)?;
    let control = read(&args.control)?;
    let inputs = RiskInputs {
        original: &original,
        release: &release,
        control: &control,
    };
    let schema = RiskSchema {
        columns: &args.columns,
        numeric: args.numeric.as_deref(),
        hierarchies: Some(&hierarchies),
        kinds: Some(&kinds),
    };
    let config = RiskConfig {
        n_attacks: args.n_attacks,
        confidence: args.confidence,
        seed: args.seed,
        singling_out_columns: args.singling_out_columns,
        max_attempts: args.max_attempts,
        n_neighbors: args.n_neighbors,
        regression_tolerance: args.tolerance,
    };
    let plan = RiskPlan {
        univariate: !args.no_singling_out,
        multivariate: !args.no_singling_out,
        linkability: (!args.link_a.is_empty()).then(|| (args.link_a.clone(), args.link_b.clone())),
        secrets: args.secret.clone(),
        auxiliary: args.aux.clone(),
    };
    if plan.n_steps() == 0 {
        return Err(CliError::Usage(
            "nothing to do: singling out is off and neither --link-a/--link-b nor --secret was given"
                .into(),
        ));
    }
    let bar = super::progress::bar(plan.n_steps() as u64, "attacks");
    let tick = |name: &str| {
        bar.set_message(name.to_string());
        bar.inc(1);
    };
    let counts = run_table_risk_attacks(inputs, &schema, &config, &plan, &tick);
    bar.finish_and_clear();
    let report: RiskReport = score_risks(&counts?)?;
    super::output::print_json(out, &report)?;
    Ok(match args.max_risk {
        None => Outcome::Success,
        Some(max) => Outcome::of_claims(&[crate::audit::claims::inference_risk::InferenceRisk {
            table: args.release.display().to_string(),
            max_risk: max,
        }
        .verdict(&report, args.confidence)?]),
    })
}
