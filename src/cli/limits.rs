//! The `--max-*` flags every subcommand accepts: the resource limits that
//! reading an input may not cross ([`crate::data::Limits`]). They are global
//! flags (given before or after the subcommand) and become the process-wide
//! default limits before the command runs, so every reader the command
//! reaches honours them.

use crate::data::limits::{parse_size, set_process_limits};
use crate::data::Limits;

fn size(text: &str) -> Result<u64, String> {
    parse_size(text)
}

fn positive(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("`{text}` is not a whole number of at least 1")),
    }
}

fn columns(text: &str) -> Result<usize, String> {
    positive(text).and_then(|n| usize::try_from(n).map_err(|_| format!("`{text}` is too large")))
}

/// Resource limits on reading inputs (see [`crate::data::limits`]).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Longest value in an input (bytes; K, M, G suffixes).
    #[arg(long, global = true, value_name = "SIZE", default_value = "16M", value_parser = size)]
    pub max_field_bytes: u64,
    /// Longest CSV record or NDJSON line in an input (bytes; K, M, G suffixes).
    #[arg(long, global = true, value_name = "SIZE", default_value = "64M", value_parser = size)]
    pub max_record_bytes: u64,
    /// Most columns in an input (CSV header, NDJSON keys, Parquet fields).
    #[arg(long, global = true, value_name = "N", default_value = "10000", value_parser = columns)]
    pub max_columns: usize,
    /// Highest expansion ratio of a gzip-compressed input (a bomb of zeros expands ~1000x).
    #[arg(long, global = true, value_name = "N", default_value = "1000", value_parser = positive)]
    pub max_gzip_ratio: u64,
    /// Largest input read whole into memory: hierarchies, gzipped Parquet (bytes; K, M, G suffixes).
    #[arg(long, global = true, value_name = "SIZE", default_value = "256M", value_parser = size)]
    pub max_file_bytes: u64,
}

impl LimitArgs {
    /// The limits these flags describe.
    pub fn limits(&self) -> Limits {
        Limits {
            max_field_bytes: self.max_field_bytes,
            max_record_bytes: self.max_record_bytes,
            max_columns: self.max_columns,
            max_gzip_ratio: self.max_gzip_ratio,
            max_file_bytes: self.max_file_bytes,
        }
    }

    /// Makes these limits the process-wide default.
    pub fn install(&self) {
        set_process_limits(self.limits());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Probe {
        #[command(flatten)]
        limits: LimitArgs,
    }

    #[test]
    fn the_defaults_are_the_built_in_limits() {
        let probe = Probe::try_parse_from(["probe"]).unwrap();
        assert_eq!(probe.limits.limits(), Limits::BUILT_IN);
        let probe = Probe::try_parse_from([
            "probe",
            "--max-record-bytes",
            "1G",
            "--max-columns",
            "2000000",
        ])
        .unwrap();
        assert_eq!(probe.limits.limits().max_record_bytes, 1 << 30);
        assert_eq!(probe.limits.limits().max_columns, 2_000_000);
        assert!(Probe::try_parse_from(["probe", "--max-gzip-ratio", "0"]).is_err());
        assert!(Probe::try_parse_from(["probe", "--max-field-bytes", "big"]).is_err());
    }
}
