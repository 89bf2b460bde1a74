//! Shingling, MinHash signatures and banded locality-sensitive hashing (LSH).
//!
//! * Shingles: word k-shingles (k consecutive Unicode words, lower-cased by
//!   default) or character k-shingles (k consecutive characters after collapsing
//!   white space), each hashed to 64 bits with FNV-1a. A document shorter than k
//!   units has one shingle: the whole document.
//! * MinHash (Broder, "On the resemblance and containment of documents", 1997;
//!   Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3.3): the
//!   signature of a set S is, for each of `n` hash functions h_i drawn from the
//!   universal family h(x) = (a·x + b) mod p with p = 2^61 − 1 (Carter & Wegman
//!   1979), the minimum of h_i over S. P[min h_i(A) = min h_i(B)] = J(A, B), so
//!   the share of equal positions estimates the Jaccard similarity with standard
//!   error sqrt(J(1 − J)/n). The coefficients a_i, b_i come from a seeded
//!   ChaCha8 stream: same seed, same signatures.
//! * Banded LSH (MMDS ch. 3.4): the signature is cut into b bands of r rows; two
//!   documents are candidates when all r rows of at least one band agree, which
//!   happens with probability 1 − (1 − s^r)^b for Jaccard similarity s.
//!
//! What it does not do: weighted MinHash, b-bit MinHash, or multi-probe LSH.

use std::collections::HashMap;

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use unicode_segmentation::UnicodeSegmentation;

use super::TextAttackError;

/// The Mersenne prime 2^61 − 1, modulus of the hash family.
pub const MERSENNE_61: u64 = (1u64 << 61) - 1;

/// What a shingle is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShingleUnit {
    /// k consecutive Unicode words (UAX #29 word boundaries).
    Word,
    /// k consecutive characters, white-space runs collapsed to one space.
    Char,
}

/// How documents are cut into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShingleConfig {
    /// Word or character shingles.
    pub unit: ShingleUnit,
    /// Units per shingle (at least 1).
    pub k: usize,
    /// Lower-case the text first.
    pub lowercase: bool,
}

impl Default for ShingleConfig {
    /// Word 3-shingles, lower-cased.
    fn default() -> Self {
        ShingleConfig {
            unit: ShingleUnit::Word,
            k: 3,
            lowercase: true,
        }
    }
}

/// FNV-1a 64-bit offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a (Fowler, Noll, Vo) 64-bit hash of `bytes`, continuing from `state`.
pub fn fnv1a_continue(mut state: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        state ^= u64::from(b);
        state = state.wrapping_mul(FNV_PRIME);
    }
    state
}

/// FNV-1a 64-bit hash of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_continue(FNV_OFFSET, bytes)
}

/// The distinct hashed shingles of `text`, sorted ascending (empty for a
/// document with no words / characters).
pub fn shingles(text: &str, config: &ShingleConfig) -> Vec<u64> {
    let k = config.k.max(1);
    let lowered;
    let text = if config.lowercase {
        lowered = text.to_lowercase();
        lowered.as_str()
    } else {
        text
    };
    let mut out: Vec<u64> = Vec::new();
    match config.unit {
        ShingleUnit::Word => {
            let words: Vec<&str> = text.unicode_words().collect();
            if words.is_empty() {
                return out;
            }
            let window = k.min(words.len());
            out.reserve(words.len() + 1 - window);
            for w in words.windows(window) {
                let mut h = FNV_OFFSET;
                for (i, word) in w.iter().enumerate() {
                    if i > 0 {
                        // 0xff never occurs in UTF-8: an unambiguous separator.
                        h = fnv1a_continue(h, &[0xff]);
                    }
                    h = fnv1a_continue(h, word.as_bytes());
                }
                out.push(h);
            }
        }
        ShingleUnit::Char => {
            let mut chars: Vec<char> = Vec::with_capacity(text.len());
            let mut last_space = true;
            for c in text.chars() {
                if c.is_whitespace() {
                    if !last_space {
                        chars.push(' ');
                    }
                    last_space = true;
                } else {
                    chars.push(c);
                    last_space = false;
                }
            }
            if chars.last() == Some(&' ') {
                chars.pop();
            }
            if chars.is_empty() {
                return out;
            }
            let window = k.min(chars.len());
            let mut buf = [0u8; 4];
            for w in chars.windows(window) {
                let mut h = FNV_OFFSET;
                for c in w {
                    h = fnv1a_continue(h, c.encode_utf8(&mut buf).as_bytes());
                }
                out.push(h);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Exact Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted, deduplicated sets
/// (0 when both are empty).
pub fn jaccard_sorted(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0usize, 0usize, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// A seeded family of `n` hash functions h_i(x) = (a_i·x + b_i) mod (2^61 − 1).
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl MinHasher {
    /// `num_perm` hash functions drawn from ChaCha8 seeded with `seed`
    /// (a_i uniform in [1, p), b_i uniform in [0, p)).
    pub fn new(num_perm: usize, seed: u64) -> Result<Self, TextAttackError> {
        if num_perm == 0 {
            return Err(TextAttackError::Invalid(
                "MinHash needs at least one hash function (bands x rows >= 1)".into(),
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut a = Vec::with_capacity(num_perm);
        let mut b = Vec::with_capacity(num_perm);
        for _ in 0..num_perm {
            a.push(rng.gen_range(1..MERSENNE_61));
            b.push(rng.gen_range(0..MERSENNE_61));
        }
        Ok(MinHasher { a, b })
    }

    /// Number of hash functions (signature length).
    pub fn len(&self) -> usize {
        self.a.len()
    }

    /// Always false (a hasher has at least one function).
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    /// The MinHash signature of a set of shingle hashes; `None` for the empty set
    /// (whose minimum is undefined).
    pub fn signature(&self, set: &[u64]) -> Option<Vec<u64>> {
        if set.is_empty() {
            return None;
        }
        let mut sig = vec![u64::MAX; self.a.len()];
        for &x in set {
            let x = u128::from(x % MERSENNE_61);
            for ((s, &a), &b) in sig.iter_mut().zip(&self.a).zip(&self.b) {
                let h = ((u128::from(a) * x + u128::from(b)) % u128::from(MERSENNE_61)) as u64;
                if h < *s {
                    *s = h;
                }
            }
        }
        Some(sig)
    }
}

/// Share of equal positions of two signatures: the MinHash estimate of Jaccard.
pub fn estimate_jaccard(a: &[u64], b: &[u64]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / n as f64
}

/// Probability that two sets of Jaccard similarity `s` become LSH candidates
/// with `bands` bands of `rows` rows: 1 − (1 − s^r)^b (MMDS §3.4.2).
pub fn lsh_candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32)
}

/// The similarity where the LSH S-curve is steepest, approximately (1/b)^(1/r).
pub fn lsh_threshold(bands: usize, rows: usize) -> f64 {
    (1.0 / bands as f64).powf(1.0 / rows as f64)
}

/// A banded LSH index of MinHash signatures of length `bands * rows`.
#[derive(Debug, Clone)]
pub struct LshIndex {
    bands: usize,
    rows: usize,
    buckets: Vec<HashMap<u64, Vec<u32>>>,
}

impl LshIndex {
    /// An empty index.
    pub fn new(bands: usize, rows: usize) -> Result<Self, TextAttackError> {
        if bands == 0 || rows == 0 {
            return Err(TextAttackError::Invalid(format!(
                "LSH needs at least one band and one row (got {bands} bands x {rows} rows)"
            )));
        }
        Ok(LshIndex {
            bands,
            rows,
            buckets: vec![HashMap::new(); bands],
        })
    }

    fn band_key(&self, signature: &[u64], band: usize) -> u64 {
        let mut h = FNV_OFFSET;
        for v in &signature[band * self.rows..(band + 1) * self.rows] {
            h = fnv1a_continue(h, &v.to_le_bytes());
        }
        h
    }

    fn check(&self, signature: &[u64]) -> Result<(), TextAttackError> {
        if signature.len() != self.bands * self.rows {
            return Err(TextAttackError::Invalid(format!(
                "signature of length {} does not fit {} bands x {} rows",
                signature.len(),
                self.bands,
                self.rows
            )));
        }
        Ok(())
    }

    /// Number of bands.
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// Adds document `id` with `signature`.
    pub fn insert(&mut self, id: u32, signature: &[u64]) -> Result<(), TextAttackError> {
        let all: Vec<usize> = (0..self.bands).collect();
        self.insert_in(id, signature, &all)
    }

    /// Adds document `id` to the buckets of the bands `bands` only (one
    /// band partition of the index; see `text::linkage`'s partials).
    pub fn insert_in(
        &mut self,
        id: u32,
        signature: &[u64],
        bands: &[usize],
    ) -> Result<(), TextAttackError> {
        self.check(signature)?;
        for &band in bands {
            self.check_band(band)?;
            let key = self.band_key(signature, band);
            self.buckets[band].entry(key).or_default().push(id);
        }
        Ok(())
    }

    /// The ids sharing at least one band bucket with `signature`, ascending.
    pub fn query(&self, signature: &[u64]) -> Result<Vec<u32>, TextAttackError> {
        let all: Vec<usize> = (0..self.bands).collect();
        self.query_in(signature, &all)
    }

    /// [`query`](Self::query) over the bands `bands` only.
    pub fn query_in(
        &self,
        signature: &[u64],
        bands: &[usize],
    ) -> Result<Vec<u32>, TextAttackError> {
        self.check(signature)?;
        let mut out = Vec::new();
        for &band in bands {
            self.check_band(band)?;
            let key = self.band_key(signature, band);
            if let Some(ids) = self.buckets[band].get(&key) {
                out.extend_from_slice(ids);
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    fn check_band(&self, band: usize) -> Result<(), TextAttackError> {
        if band >= self.bands {
            return Err(TextAttackError::Invalid(format!(
                "band {band} is out of range ({} bands)",
                self.bands
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_and_char_shingles() {
        let w = ShingleConfig::default();
        // "a b c d" -> {a b c, b c d}
        assert_eq!(shingles("A b, c d", &w).len(), 2);
        // Short document: one shingle of the whole thing.
        assert_eq!(shingles("hello world", &w).len(), 1);
        assert!(shingles("  ,, ", &w).is_empty());
        let c = ShingleConfig {
            unit: ShingleUnit::Char,
            k: 3,
            lowercase: false,
        };
        // "ab  ab" -> "ab ab": {"ab ", "b a", " ab"} (the second "ab " never occurs)
        assert_eq!(shingles("ab  ab", &c).len(), 3);
    }

    #[test]
    fn exact_jaccard_by_hand() {
        // {1,2,3,4} vs {3,4,5}: 2 common, 5 in the union.
        assert!((jaccard_sorted(&[1, 2, 3, 4], &[3, 4, 5]) - 0.4).abs() < 1e-12);
        assert_eq!(jaccard_sorted(&[], &[]), 0.0);
    }

    #[test]
    fn s_curve_by_hand() {
        // b = 20, r = 5, s = 0.8: 1 - (1 - 0.32768)^20 = 0.99964...
        let p = lsh_candidate_probability(0.8, 20, 5);
        assert!((p - 0.999_643).abs() < 1e-5, "{p}");
        // s = 0.3: 1 - (1 - 0.00243)^20 = 0.04748...
        let p = lsh_candidate_probability(0.3, 20, 5);
        assert!((p - 0.047_494).abs() < 1e-5, "{p}");
    }
}
