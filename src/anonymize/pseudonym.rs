//! Pseudonymization of identifier values: a consistent replacement per
//! distinct value (entity).
//!
//! Schemes:
//! * [`PseudonymScheme::Sequential`]: `user_0007`, numbered in order of first
//!   appearance; the mapping exists only in memory (a lookup-table pseudonym).
//! * [`PseudonymScheme::Hmac`]: hex of HMAC-SHA256(secret, value) (RFC 2104,
//!   FIPS 180-4), optionally truncated: consistent across releases that share
//!   the secret, and not reversible without it.
//! * [`PseudonymScheme::Sha256Unsalted`]: hex of plain SHA-256(value). This is
//!   the weak practice some vendors call "hashing": anyone can hash a list of
//!   candidate logins or e-mails and match (a dictionary attack), so audits can
//!   show that it fails. Do not use it to protect data.
//! * [`PseudonymScheme::Remove`]: the value becomes null.
//!
//! Values are hashed as their exact UTF-8 bytes (no trimming or case folding;
//! normalise before if needed). Missing values (`None`) stay missing.

use std::collections::HashMap;

use super::AnonymizeError;
// The digests live in `data`: the hash dictionary attack computes the same ones.
pub use crate::data::digest::{hmac_sha256_hex, sha256_hex};

/// How identifier values are replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PseudonymScheme {
    /// `{prefix}{n:0width}` numbered from 1 in order of first appearance.
    Sequential {
        /// Text before the number, e.g. `user_`.
        prefix: String,
        /// Zero-padded width of the number.
        width: usize,
    },
    /// Lower-case hex of HMAC-SHA256 keyed with `secret`, cut to `hex_len` characters (1..=64).
    Hmac {
        /// The secret key (keep it out of the release).
        secret: Vec<u8>,
        /// Hex characters kept (64 = the whole tag).
        hex_len: usize,
    },
    /// Lower-case hex of plain SHA-256 of the value (weak: dictionary-attackable).
    Sha256Unsalted,
    /// Remove the value (null).
    Remove,
}

/// Replaces identifier values consistently: the same input always gets the same
/// pseudonym from one `Pseudonymizer` (and, for the hash schemes, from any).
#[derive(Debug, Clone)]
pub struct Pseudonymizer {
    scheme: PseudonymScheme,
    assigned: HashMap<String, String>,
}

impl Pseudonymizer {
    /// A pseudonymizer for `scheme`; rejects an empty HMAC secret, a `hex_len`
    /// outside 1..=64 and a sequential width above 18.
    pub fn new(scheme: PseudonymScheme) -> Result<Self, AnonymizeError> {
        match &scheme {
            PseudonymScheme::Hmac { secret, hex_len } => {
                if secret.is_empty() {
                    return Err(AnonymizeError::Invalid(
                        "HMAC pseudonyms need a non-empty secret (e.g. 32 random bytes, kept out of the release)".into(),
                    ));
                }
                if !(1..=64).contains(hex_len) {
                    return Err(AnonymizeError::Invalid(format!(
                        "HMAC hex length {hex_len}: must be in 1..=64"
                    )));
                }
            }
            PseudonymScheme::Sequential { width, .. } if *width > 18 => {
                return Err(AnonymizeError::Invalid(format!(
                    "sequential width {width}: must be at most 18"
                )));
            }
            _ => {}
        }
        Ok(Pseudonymizer {
            scheme,
            assigned: HashMap::new(),
        })
    }

    /// The scheme in use.
    pub fn scheme(&self) -> &PseudonymScheme {
        &self.scheme
    }

    /// Number of distinct values seen so far.
    pub fn n_entities(&self) -> usize {
        self.assigned.len()
    }

    /// The pseudonym of `value` (`None` under [`PseudonymScheme::Remove`]).
    pub fn pseudonym(&mut self, value: &str) -> Option<String> {
        if let Some(p) = self.assigned.get(value) {
            return Some(p.clone());
        }
        let p = match &self.scheme {
            PseudonymScheme::Remove => return None,
            PseudonymScheme::Sequential { prefix, width } => {
                format!(
                    "{prefix}{:0width$}",
                    self.assigned.len() + 1,
                    width = *width
                )
            }
            PseudonymScheme::Hmac { secret, hex_len } => {
                let mut h = hmac_sha256_hex(secret, value.as_bytes());
                h.truncate(*hex_len);
                h
            }
            PseudonymScheme::Sha256Unsalted => sha256_hex(value.as_bytes()),
        };
        self.assigned.insert(value.to_string(), p.clone());
        Some(p)
    }

    /// Pseudonymizes a column; missing values stay missing.
    pub fn apply<'a, I>(&mut self, values: I) -> Vec<Option<String>>
    where
        I: IntoIterator<Item = Option<&'a str>>,
    {
        values
            .into_iter()
            .map(|v| v.and_then(|v| self.pseudonym(v)))
            .collect()
    }

    /// The value-to-pseudonym table (for the data holder; never release it).
    pub fn mapping(&self) -> &HashMap<String, String> {
        &self.assigned
    }
}

/// Replaces identifier `columns` of `df` in place with pseudonyms from one
/// `pseudonymizer` (so the same value gets the same pseudonym in every column).
/// Unknown columns are an error naming the available ones.
pub fn pseudonymize_frame(
    df: &mut polars::prelude::DataFrame,
    columns: &[String],
    pseudonymizer: &mut Pseudonymizer,
    source: &str,
) -> Result<(), AnonymizeError> {
    use polars::prelude::*;
    for name in columns {
        let values = super::text::text_column(df, name, source)?;
        let out = pseudonymizer.apply(values.iter().map(|v| v.as_deref()));
        let col = Column::new(name.as_str().into(), out);
        df.replace(name, col).map_err(|e| {
            AnonymizeError::Invalid(format!("{source}: cannot replace column `{name}`: {e}"))
        })?;
    }
    Ok(())
}
