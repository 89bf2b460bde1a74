//! Hex digests of values: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104).
//!
//! Two layers need the same digest of a value: the pseudonymizer in
//! `anonymize::pseudonym` (which writes such hashes into a release) and the
//! hash dictionary attack in `attacks::text::recovery` (which hashes candidate
//! logins and e-mails to reverse them). The digest lives in `data` so both
//! compute it with one function and neither imports the other. Values are
//! hashed as their exact bytes; no trimming or case folding happens here.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Lower-case hex of SHA-256(`data`).
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lower-case hex of HMAC-SHA256(`key`, `data`).
pub fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    // HMAC accepts keys of any length (RFC 2104: long keys are hashed, short ones padded).
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    hex(&mac.finalize().into_bytes())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_fips_180_2_vectors() {
        // FIPS 180-2, appendix B.1 ("abc") and the empty message.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn hmac_rfc_4231_case_2() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
