//! The `reident` binary: parse arguments, run, map the outcome to an exit code
//! (0 all checks hold, 1 a claim refuted, 2 error).

use std::process::ExitCode;

use clap::Parser;
use reident::cli::{self, Cli, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli::run(cli, &mut out).map_err(anyhow::Error::from) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Refuted) => ExitCode::from(1),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
