//! The two kinds of release value that are not data: *missing* tokens (the
//! default list a [`MissingPolicy`](super::MissingPolicy) starts from) and
//! *suppressed* tokens (`*`, `*****`).
//!
//! They sit in a file of their own because the reader (`read`), the
//! dictionary encoder (`encoded`) and the generalized-value parser
//! (`generalized`) all need them; keeping them here lets those three depend on
//! this file instead of on one another (`encoded` uses `generalized`, so
//! `generalized` must not use `encoded`: the file-level cycle of issue #13).
//! This file decides what the tokens are; it does not read or encode anything.

/// The strings [`MissingPolicy::default`](super::MissingPolicy::default)
/// treats as missing: `?` (UCI convention), the empty string, `null`, `NULL`
/// and `NaN`.
pub const DEFAULT_MISSING_TOKENS: [&str; 5] = ["?", "", "null", "NULL", "NaN"];

/// Returns true when a release value means "suppressed": one or more `*` and
/// nothing else (after trimming white space). `*****` for a 5-digit ZIP code is
/// suppressed; `123**` is a masked value, not a suppressed one.
pub fn is_suppressed_token(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && v.bytes().all(|b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppressed_is_stars_only() {
        assert!(is_suppressed_token("*"));
        assert!(is_suppressed_token(" ***** "));
        assert!(!is_suppressed_token("123**"));
        assert!(!is_suppressed_token(""));
        assert!(!is_suppressed_token("   "));
    }
}
