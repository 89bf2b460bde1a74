//! `reident synth`: generate a seeded Atlassian-style corpus (or the bundled
//! demo corpus with its anonymized "vendor release"). The corpus is generated
//! in a staging folder beside `--out` and moved in only when complete.

use std::io::Write;
use std::path::PathBuf;

use super::{output, CliError, Outcome};
use crate::synth::{self, SynthConfig};

/// Arguments of `reident synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Output directory (created if missing). An existing directory that is
    /// not empty is written into only with --force, which replaces the
    /// corpus files in it.
    #[arg(long)]
    pub out: PathBuf,
    /// Write into a non-empty `--out`, replacing the corpus files there.
    #[arg(long)]
    pub force: bool,
    /// Number of users (at least 1).
    #[arg(long, default_value_t = 200, value_parser = super::parse::at_least_one)]
    pub users: usize,
    /// Master seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Writing-style individuality in [0, 1]: 0 = everyone writes alike.
    #[arg(long, default_value_t = 0.8, value_parser = super::parse::probability)]
    pub style_strength: f64,
    /// Activity-rhythm individuality in [0, 1]: 0 = everyone works and uses products alike.
    #[arg(long, default_value_t = 0.8, value_parser = super::parse::probability)]
    pub habit_strength: f64,
    /// Multiplier on documents and events per user (about 29 documents per
    /// user at 1), finite and > 0.
    #[arg(long, default_value_t = 1.0, value_parser = super::parse::positive)]
    pub activity: f64,
    /// Multiplier on identifier planting rates, finite and >= 0 (0 plants none).
    #[arg(long, default_value_t = 1.0, value_parser = super::parse::non_negative)]
    pub plant_rate: f64,
    /// Output files.
    #[arg(long, value_enum, default_value_t = super::choices::OutputFormatArg::Both)]
    pub format: super::choices::OutputFormatArg,
    /// Users generated per parallel chunk (bounds memory), at least 1.
    #[arg(long, default_value_t = 256, value_parser = super::parse::at_least_one)]
    pub chunk_users: usize,
    /// Write the bundled demo (originals + vendor release, fixed parameters; other
    /// generation options are ignored).
    #[arg(long)]
    pub demo: bool,
}

/// Runs `reident synth`.
pub fn run(args: &SynthArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let write_err = |source| CliError::Write {
        path: "stdout".into(),
        source,
    };
    if args.demo {
        let summary = output::fill_dir(&args.out, args.force, |dir| {
            Ok(synth::demo::write_demo(dir)?)
        })?;
        writeln!(
            out,
            "demo corpus in {}: {} users, {} documents, {} events, {} planted identifiers (originals in original/, release in release/)",
            args.out.display(),
            summary.users,
            summary.documents(),
            summary.events,
            summary.planted
        )
        .map_err(write_err)?;
        return Ok(Outcome::Success);
    }
    let config = SynthConfig {
        users: args.users,
        seed: args.seed,
        style_strength: args.style_strength,
        habit_strength: args.habit_strength,
        activity: args.activity,
        plant_rate: args.plant_rate,
        chunk_users: args.chunk_users,
        ..SynthConfig::default()
    };
    let summary = output::fill_dir(&args.out, args.force, |dir| {
        Ok(synth::generate(&config, dir, args.format.into())?)
    })?;
    writeln!(
        out,
        "wrote {}: {} users, {} issues, {} comments, {} pages, {} commits ({} documents), {} events, {} planted identifiers",
        args.out.display(),
        summary.users,
        summary.issues,
        summary.comments,
        summary.pages,
        summary.commits,
        summary.documents(),
        summary.events,
        summary.planted
    )
    .map_err(write_err)?;
    Ok(Outcome::Success)
}
