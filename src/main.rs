//! The `reident` binary: parse arguments, run, map the outcome to an exit code
//! (0 all checks hold, 1 a claim refuted, 2 error, 3 a check inconclusive and
//! none refuted).

use std::process::ExitCode;

use clap::Parser;
use reident::cli::{self, Cli, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli::run(cli, &mut out) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Refuted) => ExitCode::from(1),
        Ok(Outcome::Inconclusive) => ExitCode::from(3),
        // `reident ... | head` closing the pipe early is not an error.
        Err(cli::CliError::Write { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Messages already name their file, row or column and embed their
            // cause; anyhow adds nothing to print but keeps main's contract.
            let err = anyhow::Error::from(err);
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}
