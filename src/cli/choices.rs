//! Command-line spellings of library enums. The library types do not derive
//! `clap::ValueEnum` (no clap below `cli`, issue #13); each enum here mirrors
//! one library enum variant for variant, with the same doc comments (they are
//! the `--help` text) and the same kebab-case names clap derived before, and
//! converts into it. The conversions are exhaustive matches, so a variant
//! added to a library enum fails to compile here until the CLI offers it.

use crate::anonymize::text::PlaceholderStyle;
use crate::attacks::text::{ShingleUnit, Verification};
use crate::synth::OutputFormat;

/// `--shingle` of `reident text` ([`ShingleUnit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShingleUnitArg {
    /// k consecutive Unicode words (UAX #29 word boundaries).
    Word,
    /// k consecutive characters, white-space runs collapsed to one space.
    Char,
}

impl From<ShingleUnitArg> for ShingleUnit {
    fn from(v: ShingleUnitArg) -> Self {
        match v {
            ShingleUnitArg::Word => ShingleUnit::Word,
            ShingleUnitArg::Char => ShingleUnit::Char,
        }
    }
}

/// `--verify` of `reident text` ([`Verification`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerificationArg {
    /// Exact Jaccard similarity of the shingle sets.
    Jaccard,
    /// Cosine of TF-IDF word vectors.
    Cosine,
}

impl From<VerificationArg> for Verification {
    fn from(v: VerificationArg) -> Self {
        match v {
            VerificationArg::Jaccard => Verification::Jaccard,
            VerificationArg::Cosine => Verification::Cosine,
        }
    }
}

/// `--style` of `reident redact` ([`PlaceholderStyle`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlaceholderStyleArg {
    /// `<PERSON>`, `<EMAIL>`, ...
    Typed,
    /// `[REDACTED]` for every kind.
    Redacted,
    /// `PERSON_7`: numbered per distinct entity, consistent across a corpus.
    Consistent,
}

impl From<PlaceholderStyleArg> for PlaceholderStyle {
    fn from(v: PlaceholderStyleArg) -> Self {
        match v {
            PlaceholderStyleArg::Typed => PlaceholderStyle::Typed,
            PlaceholderStyleArg::Redacted => PlaceholderStyle::Redacted,
            PlaceholderStyleArg::Consistent => PlaceholderStyle::Consistent,
        }
    }
}

/// `--format` of `reident synth` ([`OutputFormat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormatArg {
    /// Newline-delimited JSON only.
    Ndjson,
    /// Parquet only.
    Parquet,
    /// Both.
    Both,
}

impl From<OutputFormatArg> for OutputFormat {
    fn from(v: OutputFormatArg) -> Self {
        match v {
            OutputFormatArg::Ndjson => OutputFormat::Ndjson,
            OutputFormatArg::Parquet => OutputFormat::Parquet,
            OutputFormatArg::Both => OutputFormat::Both,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    /// The command-line name of every value, and that it converts to the
    /// library variant whose serde name is the same word (the names the
    /// config files and JSON reports use).
    fn names<A: ValueEnum + Copy, L: From<A> + serde::Serialize>() -> Vec<(String, String)> {
        A::value_variants()
            .iter()
            .map(|a| {
                let cli = a.to_possible_value().unwrap().get_name().to_string();
                let lib = serde_json::to_value(L::from(*a)).unwrap();
                (cli, lib.as_str().unwrap().to_string())
            })
            .collect()
    }

    #[test]
    fn spellings_match_the_library_names() {
        let same = |pairs: Vec<(String, String)>, expected: &[&str]| {
            let cli: Vec<&str> = pairs.iter().map(|p| p.0.as_str()).collect();
            assert_eq!(cli, expected);
            for (c, l) in &pairs {
                assert_eq!(c, l);
            }
        };
        same(names::<ShingleUnitArg, ShingleUnit>(), &["word", "char"]);
        same(
            names::<VerificationArg, Verification>(),
            &["jaccard", "cosine"],
        );
        same(
            names::<PlaceholderStyleArg, PlaceholderStyle>(),
            &["typed", "redacted", "consistent"],
        );
        same(
            names::<OutputFormatArg, OutputFormat>(),
            &["ndjson", "parquet", "both"],
        );
    }
}
