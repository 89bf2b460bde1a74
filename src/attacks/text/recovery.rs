//! Redaction recovery on linked (release, original) pairs and the dictionary
//! attack on unsalted hashes.
//!
//! **Alignment.** Both texts are cut into tokens (white-space chunks with
//! leading/trailing punctuation split off; placeholders such as `PERSON_7`,
//! `<EMAIL>` or `[REDACTED]` are single tokens), common prefix and suffix are
//! stripped and the rest is aligned by a longest-common-subsequence token diff
//! (Hunt & McIlroy 1976; dynamic programme, as `diff`). Each stretch between two
//! aligned tokens that holds placeholders in the release is matched against the
//! original stretch with an anchored pattern in which the literal text must
//! agree and each placeholder captures the shortest non-empty text: the
//! captures are what the placeholders hid. Hidden strings are classified with
//! the identifier detectors (`data::text::IdentifierDetector`, as the
//! redactor uses them) and the originals' identifier set.
//!
//! **Consistency.** A numbered placeholder (`PERSON_7`) that always hides the
//! same entity, across documents, links those documents to each other (and
//! becomes a pseudonym that stylometry or side knowledge can name). Measured as
//! purity (share of occurrences hiding their placeholder's majority entity) and
//! as the share of document pairs sharing a placeholder that really share the
//! entity.
//!
//! **Unsalted hashes.** Pseudonyms made by hashing an identifier without a
//! secret are reversed by hashing every known identifier (as is and
//! lower-cased) with SHA-256 (`data::digest::sha256_hex`, as the
//! pseudonymizer computes it) and matching the hex tokens (16 to 64 hex
//! digits, truncated digests included) of the release.
//!
//! What it does not do: recover text whose surroundings were also rewritten
//! beyond alignment, or attack keyed hashes (HMAC) without the key.
//!
//! Why this file is long: it holds two attacks on pseudonymized text that share
//! tokenization and the identifier classification: redaction recovery (about
//! 500 lines, alignment included) and the hash dictionary attack (about 150).

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use regex::Regex;

use super::leak::{display, IdentifierKind, IdentifierSet};
use super::minhash::fnv1a;
use super::{Corpus, TextAttackError};
use crate::data::digest::sha256_hex;
use crate::data::text::{EntityKind, IdentifierDetector};

/// The placeholder shapes recognised in release text.
pub const PLACEHOLDER_PATTERN: &str =
    r"<[A-Z][A-Z_]*>|\[REDACTED\]|\b[A-Z][A-Z]*(?:_[A-Z]+)*_[0-9]+\b";

/// Cells of the LCS table above which the middle of a pair is treated as one stretch.
const MAX_LCS_CELLS: usize = 16_000_000;

const LEAD: &[char] = &['(', '[', '{', '"', '\'', '<', '*', '_'];
const TRAIL: &[char] = &[
    '.', ',', ';', ':', '!', '?', ')', ']', '}', '"', '\'', '>', '*', '_',
];

/// A token: byte range and a hash of its text.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    hash: u64,
}

fn push_chunk(text: &str, mut start: usize, mut end: usize, out: &mut Vec<Token>) {
    let mut tail: Vec<Token> = Vec::new();
    while start < end {
        let c = text[start..end].chars().next().unwrap_or(' ');
        if !LEAD.contains(&c) {
            break;
        }
        let l = c.len_utf8();
        out.push(tok(text, start, start + l));
        start += l;
    }
    while end > start {
        let c = text[start..end].chars().next_back().unwrap_or(' ');
        if !TRAIL.contains(&c) {
            break;
        }
        let l = c.len_utf8();
        tail.push(tok(text, end - l, end));
        end -= l;
    }
    if start < end {
        out.push(tok(text, start, end));
    }
    out.extend(tail.into_iter().rev());
}

fn tok(text: &str, start: usize, end: usize) -> Token {
    Token {
        start,
        end,
        hash: fnv1a(&text.as_bytes()[start..end]),
    }
}

fn split_plain(text: &str, from: usize, to: usize, out: &mut Vec<Token>) {
    let mut chunk_start: Option<usize> = None;
    for (i, c) in text[from..to].char_indices() {
        let i = from + i;
        if c.is_whitespace() {
            if let Some(s) = chunk_start.take() {
                push_chunk(text, s, i, out);
            }
        } else if chunk_start.is_none() {
            chunk_start = Some(i);
        }
    }
    if let Some(s) = chunk_start {
        push_chunk(text, s, to, out);
    }
}

/// Tokens of `text`; placeholder matches of `placeholders` are single tokens.
fn tokenize(text: &str, placeholders: Option<&Regex>) -> Vec<Token> {
    let mut out = Vec::new();
    let mut at = 0usize;
    if let Some(re) = placeholders {
        for m in re.find_iter(text) {
            split_plain(text, at, m.start(), &mut out);
            out.push(tok(text, m.start(), m.end()));
            at = m.end();
        }
    }
    split_plain(text, at, text.len(), &mut out);
    out
}

/// Pairs (release token index, original token index) of an LCS alignment.
fn align(release: &[Token], original: &[Token]) -> Vec<(usize, usize)> {
    let (n, m) = (release.len(), original.len());
    let mut prefix = 0;
    while prefix < n && prefix < m && release[prefix].hash == original[prefix].hash {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < n - prefix
        && suffix < m - prefix
        && release[n - 1 - suffix].hash == original[m - 1 - suffix].hash
    {
        suffix += 1;
    }
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|i| (i, i)).collect();
    let (a, b) = (&release[prefix..n - suffix], &original[prefix..m - suffix]);
    if !a.is_empty() && !b.is_empty() && (a.len() + 1) * (b.len() + 1) <= MAX_LCS_CELLS {
        // table[i][j] = LCS length of a[i..] and b[j..].
        let w = b.len() + 1;
        let mut table = vec![0u32; (a.len() + 1) * w];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                table[i * w + j] = if a[i].hash == b[j].hash {
                    table[(i + 1) * w + j + 1] + 1
                } else {
                    table[(i + 1) * w + j].max(table[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i].hash == b[j].hash {
                pairs.push((prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if table[(i + 1) * w + j] >= table[i * w + j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
    pairs.extend((0..suffix).map(|k| (n - suffix + k, m - suffix + k)));
    pairs
}

/// An aligned token pair: (release token index, original token index).
type Anchor = (usize, usize);

/// One recovered placeholder occurrence.
#[derive(Debug, Clone)]
struct Recovered {
    placeholder: String,
    hidden: String,
}

/// Outcome of aligning one pair.
#[derive(Debug, Default)]
struct PairRecovery {
    placeholders: usize,
    recovered: Vec<Recovered>,
    unaligned_stretches: usize,
}

fn recover_pair(release: &str, original: &str, placeholders: &Regex) -> PairRecovery {
    let rt = tokenize(release, Some(placeholders));
    let ot = tokenize(original, None);
    let anchors = align(&rt, &ot);
    let mut out = PairRecovery::default();
    // Stretches between consecutive anchors (with virtual anchors at both ends).
    let mut prev: Option<(usize, usize)> = None;
    let mut bounds: Vec<(Option<Anchor>, Option<Anchor>)> = Vec::new();
    for &p in &anchors {
        bounds.push((prev, Some(p)));
        prev = Some(p);
    }
    bounds.push((prev, None));
    for (lo, hi) in bounds {
        let r_from = lo.map(|(r, _)| r + 1).unwrap_or(0);
        let r_to = hi.map(|(r, _)| r).unwrap_or(rt.len());
        if r_from >= r_to {
            continue;
        }
        let r_bytes = (
            lo.map(|(r, _)| rt[r].end).unwrap_or(0),
            hi.map(|(r, _)| rt[r].start).unwrap_or(release.len()),
        );
        let o_bytes = (
            lo.map(|(_, o)| ot[o].end).unwrap_or(0),
            hi.map(|(_, o)| ot[o].start).unwrap_or(original.len()),
        );
        let r_text = &release[r_bytes.0..r_bytes.1];
        let o_text = &original[o_bytes.0..o_bytes.1];
        let found: Vec<regex::Match> = placeholders.find_iter(r_text).collect();
        if found.is_empty() {
            continue;
        }
        out.placeholders += found.len();
        let mut literals: Vec<&str> = Vec::with_capacity(found.len() + 1);
        let mut at = 0;
        for m in &found {
            literals.push(&r_text[at..m.start()]);
            at = m.end();
        }
        literals.push(&r_text[at..]);
        match match_literals(o_text, &literals) {
            Some(captures) => {
                for (m, (from, to)) in found.iter().zip(captures) {
                    out.recovered.push(Recovered {
                        placeholder: m.as_str().to_string(),
                        hidden: o_text[from..to].trim().to_string(),
                    });
                }
            }
            None => out.unaligned_stretches += 1,
        }
    }
    out
}

/// Matches `text` against `literals[0] (hole) literals[1] (hole) ... literals[k]`,
/// anchored at both ends, each hole taking the shortest non-empty text that lets
/// the rest match (the semantics of the anchored pattern `^L0(.+?)L1...(.+?)Lk$`,
/// found by backtracking without compiling a pattern per stretch). Returns the byte
/// ranges of the holes.
fn match_literals(text: &str, literals: &[&str]) -> Option<Vec<(usize, usize)>> {
    let (first, rest) = literals.split_first()?;
    let start = text.strip_prefix(first).map(|_| first.len())?;
    let mut holes = Vec::with_capacity(rest.len());
    if fill_holes(text, start, rest, &mut holes) {
        Some(holes)
    } else {
        None
    }
}

fn fill_holes(text: &str, from: usize, literals: &[&str], holes: &mut Vec<(usize, usize)>) -> bool {
    let Some((lit, rest)) = literals.split_first() else {
        return from == text.len();
    };
    // The hole is at least one character.
    let Some(c) = text[from..].chars().next() else {
        return false;
    };
    let min_end = from + c.len_utf8();
    if rest.is_empty() {
        // The last literal is anchored at the end of the text.
        if text.len() >= min_end + lit.len() && text.ends_with(lit) {
            let end = text.len() - lit.len();
            if text.is_char_boundary(end) {
                holes.push((from, end));
                return true;
            }
        }
        return false;
    }
    let mut search = min_end;
    while search <= text.len() {
        let Some(pos) = text[search..].find(lit).map(|p| p + search) else {
            return false;
        };
        holes.push((from, pos));
        if fill_holes(text, pos + lit.len(), rest, holes) {
            return true;
        }
        holes.pop();
        // Next candidate position: one character further.
        match text[pos..].chars().next() {
            Some(c) => search = pos + c.len_utf8(),
            None => return false,
        }
    }
    false
}

/// The label of a placeholder: `PERSON_7` -> `PERSON`, `<EMAIL>` -> `EMAIL`,
/// `[REDACTED]` -> `REDACTED`.
pub fn placeholder_label(placeholder: &str) -> &str {
    let p = placeholder
        .trim_start_matches(['<', '['])
        .trim_end_matches(['>', ']']);
    match p.rfind('_') {
        Some(i) if p[i + 1..].chars().all(|c| c.is_ascii_digit()) && i + 1 < p.len() => &p[..i],
        _ => p,
    }
}

/// True for numbered placeholders (`PERSON_7`), the ones that can be consistent.
pub fn is_numbered(placeholder: &str) -> bool {
    placeholder_label(placeholder).len() < placeholder.len() && !placeholder.starts_with(['<', '['])
}

/// What a hidden string is: its kind name and entity.
fn classify(
    hidden: &str,
    detector: &IdentifierDetector,
    identifiers: &IdentifierSet,
) -> (String, String) {
    if let Some(k) = identifiers.get(hidden) {
        return (kind_name(k.kind), k.entity.clone());
    }
    let spans = detector.find(hidden);
    if let [s] = spans.as_slice() {
        if s.start == 0 && s.end == hidden.len() {
            let kind = if s.kind == EntityKind::Person {
                identifiers
                    .get(&s.entity)
                    .map(|k| k.kind)
                    .unwrap_or(IdentifierKind::Login)
            } else {
                IdentifierKind::from_entity(s.kind)
            };
            let kind = if s.kind == EntityKind::Person
                && !matches!(kind, IdentifierKind::Login | IdentifierKind::AccountId)
            {
                IdentifierKind::Name
            } else {
                kind
            };
            return (kind_name(kind), s.entity.clone());
        }
    }
    ("other".to_string(), hidden.to_string())
}

fn kind_name(kind: IdentifierKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// What one placeholder label hid, by kind of the hidden text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LabelRecovery {
    /// Placeholder label (`PERSON`, `URL`, `REDACTED`, ...).
    pub label: String,
    /// Occurrences recovered.
    pub recovered: usize,
    /// Kind of the hidden text (`login`, `name`, `email`, ..., `other`) -> count.
    pub hidden_kinds: BTreeMap<String, usize>,
    /// A few recovered (placeholder, hidden) examples, hidden text masked by default.
    pub examples: Vec<(String, String)>,
}

/// Consistency of numbered placeholders across documents.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlaceholderConsistency {
    /// Distinct numbered placeholders recovered.
    pub distinct_placeholders: usize,
    /// Those recovered in more than one release document.
    pub in_several_documents: usize,
    /// Those that always hid one entity.
    pub single_entity: usize,
    /// Share of occurrences hiding their placeholder's most frequent entity.
    pub purity: Option<f64>,
    /// Document pairs sharing a numbered placeholder (counted per placeholder).
    pub linked_document_pairs: usize,
    /// Of those, pairs where both documents' occurrences hid the same entity.
    pub correctly_linked_document_pairs: usize,
    /// correctly_linked / linked.
    pub link_precision: Option<f64>,
    /// Share of hidden entities that were always given one placeholder.
    pub entities_with_one_placeholder: Option<f64>,
    /// Placeholders are consistent: purity >= 0.95 and some placeholder spans documents.
    pub consistent: bool,
}

/// The outcome of redaction recovery.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RedactionRecovery {
    /// (release, original) pairs aligned.
    pub pairs: usize,
    /// Pairs whose release text holds at least one placeholder in a changed stretch.
    pub pairs_with_placeholders: usize,
    /// Placeholder occurrences in changed stretches.
    pub placeholders: usize,
    /// Of those, recovered (hidden text found).
    pub recovered: usize,
    /// recovered / placeholders.
    pub recovery_rate: Option<f64>,
    /// Changed stretches whose literal text did not match the original.
    pub unaligned_stretches: usize,
    /// Per placeholder label.
    pub labels: Vec<LabelRecovery>,
    /// Consistency of numbered placeholders.
    pub consistency: PlaceholderConsistency,
}

/// Aligns each `(release index, original index)` pair, recovers what the
/// placeholders hid and measures placeholder consistency (see the module docs).
pub fn recover_redactions(
    original: &Corpus,
    release: &Corpus,
    pairs: &[(usize, usize)],
    identifiers: &IdentifierSet,
    max_examples: usize,
    show_identifiers: bool,
) -> Result<RedactionRecovery, TextAttackError> {
    for &(r, o) in pairs {
        if r >= release.len() || o >= original.len() {
            return Err(TextAttackError::Invalid(format!(
                "pair ({r}, {o}) is outside the corpora ({} release, {} original documents)",
                release.len(),
                original.len()
            )));
        }
    }
    let placeholders = Regex::new(PLACEHOLDER_PATTERN)
        .map_err(|e| TextAttackError::Invalid(format!("placeholder pattern: {e}")))?;
    let detector = identifiers.detector()?;
    let per_pair: Vec<(usize, PairRecovery)> = pairs
        .par_iter()
        .map(|&(r, o)| {
            (
                r,
                recover_pair(&release.texts[r], &original.texts[o], &placeholders),
            )
        })
        .collect();
    let mut labels: BTreeMap<String, LabelRecovery> = BTreeMap::new();
    // placeholder -> document -> entity (first occurrence in the document).
    let mut by_placeholder: BTreeMap<String, BTreeMap<usize, String>> = BTreeMap::new();
    // placeholder -> entity -> occurrences.
    let mut occurrences: BTreeMap<String, HashMap<String, usize>> = BTreeMap::new();
    let mut entity_placeholders: HashMap<(String, String), HashSet<String>> = HashMap::new();
    let (mut n_placeholders, mut n_recovered, mut unaligned, mut with_ph) = (0, 0, 0, 0);
    for (doc, pr) in &per_pair {
        n_placeholders += pr.placeholders;
        unaligned += pr.unaligned_stretches;
        if pr.placeholders > 0 {
            with_ph += 1;
        }
        for rec in &pr.recovered {
            n_recovered += 1;
            let label = placeholder_label(&rec.placeholder).to_string();
            let (kind, entity) = classify(&rec.hidden, &detector, identifiers);
            let entry = labels
                .entry(label.clone())
                .or_insert_with(|| LabelRecovery {
                    label: label.clone(),
                    recovered: 0,
                    hidden_kinds: BTreeMap::new(),
                    examples: Vec::new(),
                });
            entry.recovered += 1;
            *entry.hidden_kinds.entry(kind).or_insert(0) += 1;
            if entry.examples.len() < max_examples {
                entry.examples.push((
                    rec.placeholder.clone(),
                    display(&rec.hidden, show_identifiers),
                ));
            }
            if is_numbered(&rec.placeholder) {
                by_placeholder
                    .entry(rec.placeholder.clone())
                    .or_default()
                    .entry(*doc)
                    .or_insert_with(|| entity.clone());
                *occurrences
                    .entry(rec.placeholder.clone())
                    .or_default()
                    .entry(entity.clone())
                    .or_insert(0) += 1;
                entity_placeholders
                    .entry((label, entity))
                    .or_default()
                    .insert(rec.placeholder.clone());
            }
        }
    }
    let mut total_occ = 0usize;
    let mut majority = 0usize;
    let mut single_entity = 0usize;
    for ents in occurrences.values() {
        total_occ += ents.values().sum::<usize>();
        majority += ents.values().copied().max().unwrap_or(0);
        if ents.len() == 1 {
            single_entity += 1;
        }
    }
    let (mut linked_pairs, mut correct_pairs, mut in_several) = (0usize, 0usize, 0usize);
    for docs in by_placeholder.values() {
        let n = docs.len();
        if n > 1 {
            in_several += 1;
        }
        linked_pairs += n * n.saturating_sub(1) / 2;
        let mut per_entity: HashMap<&str, usize> = HashMap::new();
        for e in docs.values() {
            *per_entity.entry(e.as_str()).or_insert(0) += 1;
        }
        correct_pairs += per_entity
            .values()
            .map(|&c| c * c.saturating_sub(1) / 2)
            .sum::<usize>();
    }
    let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
    let purity = ratio(majority, total_occ);
    let one_placeholder = entity_placeholders
        .values()
        .filter(|s| s.len() == 1)
        .count();
    Ok(RedactionRecovery {
        pairs: pairs.len(),
        pairs_with_placeholders: with_ph,
        placeholders: n_placeholders,
        recovered: n_recovered,
        recovery_rate: ratio(n_recovered, n_placeholders),
        unaligned_stretches: unaligned,
        labels: labels.into_values().collect(),
        consistency: PlaceholderConsistency {
            distinct_placeholders: by_placeholder.len(),
            in_several_documents: in_several,
            single_entity,
            purity,
            linked_document_pairs: linked_pairs,
            correctly_linked_document_pairs: correct_pairs,
            link_precision: ratio(correct_pairs, linked_pairs),
            entities_with_one_placeholder: ratio(one_placeholder, entity_placeholders.len()),
            consistent: purity.is_some_and(|p| p >= 0.95) && in_several > 0,
        },
    })
}

/// A release column scanned for hashes: its name and its values.
#[derive(Debug, Clone)]
pub struct HashColumn<'a> {
    /// Column name (or `<text>`).
    pub name: &'a str,
    /// Values (missing ones skipped).
    pub values: Vec<&'a str>,
}

/// Hashes found and reversed in one column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ColumnHashes {
    /// Column name.
    pub column: String,
    /// Distinct hex tokens (16 to 64 hex digits).
    pub hex_tokens: usize,
    /// Of those, reversed to a known identifier.
    pub recovered: usize,
}

/// A reversed hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecoveredHash {
    /// The first 12 hex digits of the token.
    pub token_prefix: String,
    /// The identifier (masked by default).
    pub identifier: String,
    /// Its kind.
    pub kind: IdentifierKind,
    /// Matched after lower-casing the identifier.
    pub lowercased: bool,
}

/// The outcome of the unsalted-hash dictionary attack.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HashAttack {
    /// Candidate strings hashed (identifiers and their lower-cased forms).
    pub candidates_hashed: usize,
    /// Distinct hex tokens over all scanned columns.
    pub hex_tokens: usize,
    /// Distinct tokens reversed.
    pub recovered: usize,
    /// recovered / hex_tokens.
    pub recovery_rate: Option<f64>,
    /// Distinct entities behind the reversed tokens.
    pub entities_recovered: usize,
    /// Reversed tokens per identifier kind.
    pub by_kind: BTreeMap<String, usize>,
    /// Per scanned column.
    pub columns: Vec<ColumnHashes>,
    /// A few reversed tokens.
    pub examples: Vec<RecoveredHash>,
}

/// Hashes every known identifier (as is, and lower-cased when different) with
/// SHA-256 and matches the digests, or their prefixes of 16 to 63 hex digits,
/// against the hex tokens of `columns`.
pub fn hash_dictionary_attack(
    identifiers: &IdentifierSet,
    columns: &[HashColumn<'_>],
    max_examples: usize,
    show_identifiers: bool,
) -> HashAttack {
    let hex = Regex::new(r"(?-u:\b)[0-9A-Fa-f]{16,64}(?-u:\b)").ok();
    let mut candidates: Vec<(usize, String, bool)> = Vec::new();
    for (i, item) in identifiers.items().iter().enumerate() {
        candidates.push((i, item.value.clone(), false));
        let lower = item.value.to_lowercase();
        if lower != item.value {
            candidates.push((i, lower, true));
        }
    }
    let digests: Vec<String> = candidates
        .par_iter()
        .map(|(_, v, _)| sha256_hex(v.as_bytes()))
        .collect();
    let mut per_column: Vec<(String, Vec<String>)> = Vec::new();
    let mut lengths: HashSet<usize> = HashSet::new();
    for col in columns {
        let mut tokens: HashSet<String> = HashSet::new();
        if let Some(re) = &hex {
            for v in &col.values {
                for m in re.find_iter(v) {
                    let t = m.as_str().to_ascii_lowercase();
                    lengths.insert(t.len());
                    tokens.insert(t);
                }
            }
        }
        let mut tokens: Vec<String> = tokens.into_iter().collect();
        tokens.sort_unstable();
        per_column.push((col.name.to_string(), tokens));
    }
    // prefix length -> prefix -> candidate (first candidate wins: the exact value).
    let mut tables: HashMap<usize, HashMap<&str, usize>> = HashMap::new();
    for &len in &lengths {
        let mut t: HashMap<&str, usize> = HashMap::with_capacity(digests.len());
        for (c, d) in digests.iter().enumerate() {
            t.entry(&d[..len]).or_insert(c);
        }
        tables.insert(len, t);
    }
    let mut all_tokens: BTreeMap<&str, Option<usize>> = BTreeMap::new();
    let mut out_columns = Vec::new();
    for (name, tokens) in &per_column {
        let mut recovered = 0;
        for t in tokens {
            let hit = tables
                .get(&t.len())
                .and_then(|tab| tab.get(t.as_str()).copied());
            if hit.is_some() {
                recovered += 1;
            }
            all_tokens.entry(t.as_str()).or_insert(hit);
        }
        out_columns.push(ColumnHashes {
            column: name.clone(),
            hex_tokens: tokens.len(),
            recovered,
        });
    }
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut entities: HashSet<&str> = HashSet::new();
    let mut examples = Vec::new();
    let mut recovered = 0;
    for (token, hit) in &all_tokens {
        if let Some(c) = hit {
            recovered += 1;
            let (item_index, value, lowercased) = &candidates[*c];
            let item = &identifiers.items()[*item_index];
            *by_kind.entry(kind_name(item.kind)).or_insert(0) += 1;
            entities.insert(item.entity.as_str());
            if examples.len() < max_examples {
                examples.push(RecoveredHash {
                    token_prefix: token.chars().take(12).collect(),
                    identifier: display(value, show_identifiers),
                    kind: item.kind,
                    lowercased: *lowercased,
                });
            }
        }
    }
    HashAttack {
        candidates_hashed: candidates.len(),
        hex_tokens: all_tokens.len(),
        recovered,
        recovery_rate: (!all_tokens.is_empty()).then(|| recovered as f64 / all_tokens.len() as f64),
        entities_recovered: entities.len(),
        by_kind,
        columns: out_columns,
        examples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_matching_is_lazy_and_anchored() {
        // ^a(.+?)b(.+?)c$ on "axxbyybzc": hole 1 = "xx", hole 2 = "yybz".
        assert_eq!(
            match_literals("axxbyybzc", &["a", "b", "c"]),
            Some(vec![(1, 3), (4, 8)])
        );
        // Adjacent holes: the first takes one character.
        assert_eq!(
            match_literals("Jane Doe", &["", " ", ""]),
            Some(vec![(0, 4), (5, 8)])
        );
        assert_eq!(match_literals("héllo", &["", ""]), Some(vec![(0, 6)]));
        assert_eq!(
            match_literals("ab", &["a", "b"]),
            None,
            "holes are non-empty"
        );
        assert_eq!(
            match_literals("xab", &["a", ""]),
            None,
            "anchored at the start"
        );
    }

    #[test]
    fn labels() {
        assert_eq!(placeholder_label("PERSON_7"), "PERSON");
        assert_eq!(placeholder_label("ISSUE_KEY_12"), "ISSUE_KEY");
        assert_eq!(placeholder_label("<EMAIL>"), "EMAIL");
        assert_eq!(placeholder_label("[REDACTED]"), "REDACTED");
        assert!(is_numbered("ISSUE_KEY_12"));
        assert!(!is_numbered("<EMAIL>"));
    }

    #[test]
    fn recovers_hidden_text_around_punctuation() {
        let re = Regex::new(PLACEHOLDER_PATTERN).expect("pattern");
        let original =
            "See https://jira.example.com/browse/PAY-7. Thanks [~jdoe], call +44 20 7946 0430!";
        let release = "See URL_3. Thanks PERSON_1, call PHONE_2!";
        let r = recover_pair(release, original, &re);
        assert_eq!(r.placeholders, 3);
        assert_eq!(r.unaligned_stretches, 0);
        let got: Vec<(&str, &str)> = r
            .recovered
            .iter()
            .map(|x| (x.placeholder.as_str(), x.hidden.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("URL_3", "https://jira.example.com/browse/PAY-7"),
                ("PERSON_1", "[~jdoe]"),
                ("PHONE_2", "+44 20 7946 0430"),
            ]
        );
    }
}
