//! Blocking: which (original, release) pairs are compared at all.
//!
//! A [`BlockingRule`] is a conjunction of key equalities, each on a column or
//! a derived key (`prefix(n)`, `soundex`, `year`). Several rules are combined
//! by union, as in Splink: a pair produced by rule *i* is kept only when no
//! earlier rule produces it, so every pair appears once without a hash set.
//! The number of pairs, `sum over blocks of |A_b| * |B_b|`, is counted from
//! the key histograms before any pair is built, and a rule that would explode
//! gives a warning (above `warn_pairs`) or an error (total above `max_pairs`).
//!
//! Rows with a missing (or suppressed) key value are in no block of that rule.

use polars::prelude::PlHashMap;
use serde::{Deserialize, Serialize};

use super::strings::{soundex, year_of};
use super::LinkageError;
use crate::data::{CategoricalColumn, EncodedTable};

/// How a column's value becomes a blocking key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyTransform {
    /// The value itself (trimmed).
    Exact,
    /// The first `n` characters.
    Prefix {
        /// Number of characters kept.
        n: usize,
    },
    /// American Soundex code.
    Soundex,
    /// The year of a `YYYY-...` date.
    Year,
}

/// One key of a rule: a column (same name in both tables unless given) and a transform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingKey {
    /// Column in the original table.
    pub left_column: String,
    /// Column in the release table.
    pub right_column: String,
    /// Transform applied to both sides.
    pub transform: KeyTransform,
}

/// A blocking rule: pairs agree on every key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingRule {
    /// The keys, all of which must be equal.
    pub keys: Vec<BlockingKey>,
}

impl BlockingRule {
    /// A readable form such as `zip & prefix(3)(name)`.
    pub fn describe(&self) -> String {
        self.keys
            .iter()
            .map(|k| {
                let col = if k.left_column == k.right_column {
                    k.left_column.clone()
                } else {
                    format!("{}={}", k.left_column, k.right_column)
                };
                match k.transform {
                    KeyTransform::Exact => col,
                    KeyTransform::Prefix { n } => format!("prefix({n})({col})"),
                    KeyTransform::Soundex => format!("soundex({col})"),
                    KeyTransform::Year => format!("year({col})"),
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// Column names (left side) the rule uses.
    pub fn left_columns(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.left_column.as_str())
    }
}

/// Parses blocking rules: rules separated by `;`, keys in a rule by `&`,
/// each key `column`, `column=release_column`, `prefix(n):column`,
/// `soundex:column` or `year:column`. Example: `zip; prefix(2):name & year:dob`.
pub fn parse_blocking_rules(spec: &str) -> Result<Vec<BlockingRule>, LinkageError> {
    let mut rules = Vec::new();
    for rule in spec.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let mut keys = Vec::new();
        for key in rule.split('&').map(str::trim) {
            let bad = |message: &str| LinkageError::BadSpec {
                spec: key.to_string(),
                message: message.to_string(),
            };
            let (transform, cols) = match key.split_once(':') {
                Some((t, c)) => {
                    let t = t.trim();
                    let transform = if t == "soundex" {
                        KeyTransform::Soundex
                    } else if t == "year" {
                        KeyTransform::Year
                    } else if let Some(n) =
                        t.strip_prefix("prefix(").and_then(|r| r.strip_suffix(')'))
                    {
                        let n: usize = n
                            .trim()
                            .parse()
                            .ok()
                            .filter(|&n| n > 0)
                            .ok_or_else(|| bad("prefix(n) needs a positive integer n"))?;
                        KeyTransform::Prefix { n }
                    } else {
                        return Err(bad(
                            "unknown key transform; use prefix(n):col, soundex:col or year:col",
                        ));
                    };
                    (transform, c.trim())
                }
                None => (KeyTransform::Exact, key),
            };
            let (l, r) = match cols.split_once('=') {
                Some((l, r)) => (l.trim(), r.trim()),
                None => (cols, cols),
            };
            if l.is_empty() || r.is_empty() {
                return Err(bad("empty column name"));
            }
            keys.push(BlockingKey {
                left_column: l.to_string(),
                right_column: r.to_string(),
                transform,
            });
        }
        rules.push(BlockingRule { keys });
    }
    Ok(rules)
}

/// Pair count of one rule, computed before any pair is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleEstimate {
    /// The rule, as text.
    pub rule: String,
    /// `sum over blocks of |A_b| * |B_b|` (pairs this rule alone produces).
    pub pairs: u64,
    /// Number of blocks with rows on both sides.
    pub blocks: usize,
    /// Largest `|A_b| * |B_b|`.
    pub largest_block_pairs: u64,
}

/// The blocked pairs and how they were obtained.
#[derive(Debug, Clone)]
pub struct BlockedPairs {
    /// (original row, release row), each pair once.
    pub pairs: Vec<(u32, u32)>,
    /// Per-rule estimates.
    pub estimates: Vec<RuleEstimate>,
    /// Warnings (a rule above the warning size).
    pub warnings: Vec<String>,
}

/// Per-row key codes of one rule on one side: `None` when any key is missing.
/// Codes are shared between the two sides so equality of codes is equality of keys.
struct RuleKeys {
    left: Vec<Option<u32>>,
    right: Vec<Option<u32>>,
    n_keys: usize,
}

fn key_of(col: &CategoricalColumn, code: u32, t: &KeyTransform) -> Option<String> {
    if col.is_missing_code(code) || col.suppressed[code as usize] {
        return None;
    }
    key_text(&col.values[code as usize], t)
}

/// The blocking key `t` makes of a present (neither missing nor
/// suppressed) value: the one place a value becomes a key, so an engine
/// that reads the rows in chunks (`engine::link_out_of_core`) keys them as
/// blocking does. `None` when the transform has no key for it (no Soundex
/// letters, no year).
pub(crate) fn key_text(value: &str, t: &KeyTransform) -> Option<String> {
    let v = value.trim();
    match t {
        KeyTransform::Exact => Some(v.to_string()),
        KeyTransform::Prefix { n } => Some(v.chars().take(*n).collect()),
        KeyTransform::Soundex => soundex(v),
        KeyTransform::Year => year_of(v).map(|y| y.to_string()),
    }
}

fn find<'a>(t: &'a EncodedTable, name: &str) -> Result<&'a CategoricalColumn, LinkageError> {
    t.column(name).ok_or_else(|| LinkageError::MissingColumn {
        source_name: t.source.clone(),
        column: name.to_string(),
        available: t.column_names().iter().map(|s| s.to_string()).collect(),
    })
}

fn rule_keys(
    rule: &BlockingRule,
    left: &EncodedTable,
    right: &EncodedTable,
) -> Result<RuleKeys, LinkageError> {
    // Composite key ids: fold one key at a time into a (previous id, key id) map.
    let mut dict: PlHashMap<String, u32> = PlHashMap::default();
    let mut lrow: Vec<Option<u32>> = vec![Some(0); left.n_rows];
    let mut rrow: Vec<Option<u32>> = vec![Some(0); right.n_rows];
    let mut n_keys = 1usize;
    for key in &rule.keys {
        let lc = find(left, &key.left_column)?;
        let rc = find(right, &key.right_column)?;
        dict.clear();
        let mut per_code = |col: &CategoricalColumn| -> Vec<Option<u32>> {
            col.values
                .iter()
                .enumerate()
                .map(|(c, _)| {
                    key_of(col, c as u32, &key.transform).map(|k| {
                        let next = dict.len() as u32;
                        *dict.entry(k).or_insert(next)
                    })
                })
                .collect()
        };
        let lk = per_code(lc);
        let rk = per_code(rc);
        let mut combined: PlHashMap<(u32, u32), u32> = PlHashMap::default();
        let mut combine = |prev: &mut [Option<u32>], col: &CategoricalColumn, k: &[Option<u32>]| {
            for (row, p) in prev.iter_mut().enumerate() {
                *p = match (*p, k[col.codes[row] as usize]) {
                    (Some(a), Some(b)) => {
                        let next = combined.len() as u32;
                        Some(*combined.entry((a, b)).or_insert(next))
                    }
                    _ => None,
                };
            }
        };
        combine(&mut lrow, lc, &lk);
        combine(&mut rrow, rc, &rk);
        n_keys = combined.len();
    }
    Ok(RuleKeys {
        left: lrow,
        right: rrow,
        n_keys,
    })
}

fn estimate(rule: &BlockingRule, keys: &RuleKeys) -> (RuleEstimate, Vec<u64>, Vec<u64>) {
    let mut a = vec![0u64; keys.n_keys];
    let mut b = vec![0u64; keys.n_keys];
    for k in keys.left.iter().flatten() {
        a[*k as usize] += 1;
    }
    for k in keys.right.iter().flatten() {
        b[*k as usize] += 1;
    }
    let mut pairs = 0u64;
    let mut blocks = 0usize;
    let mut largest = 0u64;
    for (x, y) in a.iter().zip(&b) {
        let p = x.saturating_mul(*y);
        if p > 0 {
            blocks += 1;
            pairs = pairs.saturating_add(p);
            largest = largest.max(p);
        }
    }
    (
        RuleEstimate {
            rule: rule.describe(),
            pairs,
            blocks,
            largest_block_pairs: largest,
        },
        a,
        b,
    )
}

/// Estimates every rule's pair count without building pairs. An empty rule
/// list means the full cross product.
pub fn estimate_pairs(
    rules: &[BlockingRule],
    left: &EncodedTable,
    right: &EncodedTable,
) -> Result<Vec<RuleEstimate>, LinkageError> {
    if rules.is_empty() {
        let p = left.n_rows as u64 * right.n_rows as u64;
        return Ok(vec![RuleEstimate {
            rule: "cartesian (no blocking)".into(),
            pairs: p,
            blocks: 1,
            largest_block_pairs: p,
        }]);
    }
    rules
        .iter()
        .map(|r| Ok(estimate(r, &rule_keys(r, left, right)?).0))
        .collect()
}

/// Builds the union of the rules' pairs (each pair once), after checking the
/// estimated total against `max_pairs` (error) and each rule against
/// `warn_pairs` (warning). An empty rule list means the full cross product.
/// Pairs come rule by rule and, within a rule, block by block.
pub fn block(
    rules: &[BlockingRule],
    left: &EncodedTable,
    right: &EncodedTable,
    warn_pairs: u64,
    max_pairs: u64,
) -> Result<BlockedPairs, LinkageError> {
    let mut parts = block_partitioned(
        rules,
        left,
        right,
        warn_pairs,
        max_pairs,
        &mut |_, _, _| 0,
        false,
    )?;
    Ok(BlockedPairs {
        pairs: parts.pairs.pop().unwrap_or_default(),
        estimates: parts.estimates,
        warnings: parts.warnings,
    })
}

/// The blocked pairs split by block: every block (one key value of one
/// rule; with no rule, one original row against every release row) goes
/// whole to one part, so a part holds exactly the pairs of its blocks.
#[derive(Debug, Clone, Default)]
pub struct PartitionedPairs {
    /// Pairs of each part, in the one-pass order restricted to the part.
    pub pairs: Vec<Vec<(u32, u32)>>,
    /// Per part and pair, the block it came from: (rule index, block key),
    /// the sort key that puts the concatenated parts back into the one-pass
    /// order (block, then release row, then original row). Empty when the
    /// caller did not ask for it.
    pub blocks: Vec<Vec<(u32, u32)>>,
    /// Per-rule estimates.
    pub estimates: Vec<RuleEstimate>,
    /// Warnings (a rule above the warning size).
    pub warnings: Vec<String>,
}

/// [`block`], with each block sent to the part `part_of(rule, block key,
/// pairs in the block)` names (parts are created as named; a part no block
/// went to is empty). Concatenating the parts and sorting the pairs by
/// (block, release row, original row) gives [`block`]'s pairs in its order
/// (`with_blocks` keeps the block of every pair for that).
pub fn block_partitioned(
    rules: &[BlockingRule],
    left: &EncodedTable,
    right: &EncodedTable,
    warn_pairs: u64,
    max_pairs: u64,
    part_of: &mut dyn FnMut(usize, u32, u64) -> usize,
    with_blocks: bool,
) -> Result<PartitionedPairs, LinkageError> {
    if rules.is_empty() {
        let estimates = estimate_pairs(rules, left, right)?;
        let total = estimates[0].pairs;
        if total > max_pairs {
            return Err(LinkageError::TooManyPairs {
                estimated: total,
                cap: max_pairs,
                per_rule: vec![(estimates[0].rule.clone(), total)],
            });
        }
        let mut warnings = Vec::new();
        if total > warn_pairs {
            warnings.push(format!(
                "no blocking rule: all {total} pairs are compared (warning level {warn_pairs})"
            ));
        }
        let (nl, nr) = (left.n_rows as u32, right.n_rows as u32);
        let mut out = PartitionedPairs {
            estimates,
            warnings,
            ..PartitionedPairs::default()
        };
        // One block per original row: the one-pass order is original-row major.
        for l in 0..nl {
            let p = part_of(0, l, u64::from(nr));
            grow(&mut out.pairs, &mut out.blocks, p, with_blocks);
            out.pairs[p].extend((0..nr).map(|r| (l, r)));
            if with_blocks {
                out.blocks[p].extend((0..nr).map(|_| (0, l)));
            }
        }
        grow(&mut out.pairs, &mut out.blocks, 0, with_blocks);
        return Ok(out);
    }
    let keys: Vec<RuleKeys> = rules
        .iter()
        .map(|r| rule_keys(r, left, right))
        .collect::<Result<_, _>>()?;
    let estimated: Vec<RuleEstimate> = rules
        .iter()
        .zip(&keys)
        .map(|(r, k)| estimate(r, k).0)
        .collect();
    let total = estimated
        .iter()
        .fold(0u64, |t, e| t.saturating_add(e.pairs));
    let one = block_checks(estimated, warn_pairs, max_pairs)?;
    let mut out = pairs_of_blocks(&keys, part_of, with_blocks, total);
    out.estimates = one.0;
    out.warnings = one.1;
    Ok(out)
}

fn grow(
    pairs: &mut Vec<Vec<(u32, u32)>>,
    blocks: &mut Vec<Vec<(u32, u32)>>,
    p: usize,
    with_blocks: bool,
) {
    while pairs.len() <= p {
        pairs.push(Vec::new());
        if with_blocks {
            blocks.push(Vec::new());
        }
    }
}

/// The warnings and the cap of [`block`] over per-rule estimates.
/// Warnings for the rules above `warn_pairs` and the error when the
/// estimated total is above `max_pairs` (the checks [`block`] runs before
/// building pairs).
pub(crate) fn block_checks(
    estimates: Vec<RuleEstimate>,
    warn_pairs: u64,
    max_pairs: u64,
) -> Result<(Vec<RuleEstimate>, Vec<String>), LinkageError> {
    let mut warnings = Vec::new();
    let mut total = 0u64;
    for e in &estimates {
        total = total.saturating_add(e.pairs);
        if e.pairs > warn_pairs {
            warnings.push(format!(
                "blocking rule `{}` produces {} pairs (largest block {}), above the warning level {warn_pairs}; add a key to the rule",
                e.rule, e.pairs, e.largest_block_pairs
            ));
        }
    }
    if total > max_pairs {
        return Err(LinkageError::TooManyPairs {
            estimated: total,
            cap: max_pairs,
            per_rule: estimates
                .iter()
                .map(|e| (e.rule.clone(), e.pairs))
                .collect(),
        });
    }
    Ok((estimates, warnings))
}

/// The pairs of every block of `keys` (the union of the rules: a pair is
/// kept by the first rule that produces it), each block into the part
/// `part_of` names.
fn pairs_of_blocks(
    keys: &[RuleKeys],
    part_of: &mut dyn FnMut(usize, u32, u64) -> usize,
    with_blocks: bool,
    capacity_hint: u64,
) -> PartitionedPairs {
    let mut out = PartitionedPairs::default();
    for (i, k) in keys.iter().enumerate() {
        let left_by_key = rows_by_key(&k.left, k.n_keys);
        let right_by_key = rows_by_key(&k.right, k.n_keys);
        for (key, (lefts, rights)) in left_by_key.iter().zip(&right_by_key).enumerate() {
            if lefts.is_empty() || rights.is_empty() {
                continue;
            }
            let p = part_of(i, key as u32, lefts.len() as u64 * rights.len() as u64);
            grow(&mut out.pairs, &mut out.blocks, p, with_blocks);
            if out.pairs[p].is_empty() && p == 0 && !with_blocks {
                out.pairs[p].reserve(capacity_hint.min(1 << 28) as usize);
            }
            block_pairs(&keys[..i], lefts, rights, &mut |l, r| {
                out.pairs[p].push((l, r));
                if with_blocks {
                    out.blocks[p].push((i as u32, key as u32));
                }
            });
        }
    }
    if out.pairs.is_empty() {
        grow(&mut out.pairs, &mut out.blocks, 0, with_blocks);
    }
    out
}

/// The pairs of one block (`lefts` x `rights`, release row major) that no
/// earlier rule (`earlier`) produces: Splink's union of rules without a
/// hash set.
fn block_pairs(
    earlier: &[RuleKeys],
    lefts: &[u32],
    rights: &[u32],
    emit: &mut dyn FnMut(u32, u32),
) {
    for &r in rights {
        for &l in lefts {
            let before = earlier.iter().any(|e| {
                matches!((e.left[l as usize], e.right[r as usize]), (Some(a), Some(b)) if a == b)
            });
            if !before {
                emit(l, r);
            }
        }
    }
}

/// The pairs rule `i` of `rules` adds to the union of the rules before it,
/// with their order key: see [`rule_pairs`].
#[derive(Debug, Clone, Default)]
pub(crate) struct RulePairs {
    /// (left row, right row), block by block as [`block`] emits them.
    pub pairs: Vec<(u32, u32)>,
    /// Per pair, the first left row of its block: blocks are numbered in
    /// order of their first left row, so (this, right row, left row) is the
    /// one-pass order within the rule on any subset of rows that holds
    /// whole blocks.
    pub first_left: Vec<u32>,
}

/// The pairs rule `i` of `rules` produces that no earlier rule produces
/// (exactly [`block`]'s pairs of that rule), with each pair's block named by
/// its first left row. On tables that hold whole blocks of rule `i` (a hash
/// partition by its key, as `engine::link_out_of_core` writes) the pairs
/// are those of the whole tables restricted to those blocks.
pub(crate) fn rule_pairs(
    rules: &[BlockingRule],
    i: usize,
    left: &EncodedTable,
    right: &EncodedTable,
) -> Result<RulePairs, LinkageError> {
    let keys: Vec<RuleKeys> = rules[..=i.min(rules.len().saturating_sub(1))]
        .iter()
        .map(|r| rule_keys(r, left, right))
        .collect::<Result<_, _>>()?;
    let mut out = RulePairs::default();
    let Some((own, earlier)) = keys.split_last() else {
        return Ok(out);
    };
    let left_by_key = rows_by_key(&own.left, own.n_keys);
    let right_by_key = rows_by_key(&own.right, own.n_keys);
    for (lefts, rights) in left_by_key.iter().zip(&right_by_key) {
        let Some(&first) = lefts.first() else {
            continue;
        };
        block_pairs(earlier, lefts, rights, &mut |l, r| {
            out.pairs.push((l, r));
            out.first_left.push(first);
        });
    }
    Ok(out)
}

fn rows_by_key(keys: &[Option<u32>], n_keys: usize) -> Vec<Vec<u32>> {
    let mut by_key: Vec<Vec<u32>> = vec![Vec::new(); n_keys];
    for (row, key) in keys.iter().enumerate() {
        if let Some(key) = key {
            by_key[*key as usize].push(row as u32);
        }
    }
    by_key
}

impl BlockingRule {
    /// True when every pair this rule produces is also produced by `other`:
    /// each key of `other` is one of this rule's keys (same columns, same
    /// transform), so agreeing on all of this rule's keys means agreeing on
    /// all of `other`'s.
    pub fn implies(&self, other: &BlockingRule) -> bool {
        other.keys.iter().all(|k| self.keys.contains(k))
    }
}

/// Indexes of the `pairs` (original row, release row) that `rule` produces:
/// both rows have every key present and equal. With `pairs` the union of
/// rules one of which `rule` [implies](BlockingRule::implies), this is the
/// rule's own pair set without building it again.
pub fn pairs_satisfying(
    rule: &BlockingRule,
    left: &EncodedTable,
    right: &EncodedTable,
    pairs: &[(u32, u32)],
) -> Result<Vec<usize>, LinkageError> {
    Ok(RuleMatcher::new(rule, left, right)?.satisfying(pairs))
}

/// A rule's keys computed once, to test many sets of pairs against it
/// ([`pairs_satisfying`] part by part).
pub struct RuleMatcher(RuleKeys);

impl RuleMatcher {
    /// The keys of `rule` over both tables. Errors: a column is absent.
    pub fn new(
        rule: &BlockingRule,
        left: &EncodedTable,
        right: &EncodedTable,
    ) -> Result<Self, LinkageError> {
        Ok(RuleMatcher(rule_keys(rule, left, right)?))
    }

    /// Indexes of the `pairs` the rule produces (both keys present and equal).
    pub fn satisfying(&self, pairs: &[(u32, u32)]) -> Vec<usize> {
        let keys = &self.0;
        pairs
            .iter()
            .enumerate()
            .filter(|(_, &(l, r))| {
                matches!((keys.left[l as usize], keys.right[r as usize]), (Some(a), Some(b)) if a == b)
            })
            .map(|(i, _)| i)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> (EncodedTable, EncodedTable) {
        let left = EncodedTable::new(
            "o",
            vec![
                CategoricalColumn::from_strs("zip", &["111", "111", "222", "333"]),
                CategoricalColumn::from_strs("name", &["Robert", "Anna", "Rupert", "Bob"]),
            ],
        );
        let right = EncodedTable::new(
            "r",
            vec![
                CategoricalColumn::from_strs("zip", &["111", "222", "222"]),
                CategoricalColumn::from_strs("name", &["Rupert", "Robert", "Ann"]),
            ],
        );
        (left, right)
    }

    #[test]
    fn estimates_and_union() {
        let (l, r) = tables();
        let rules = parse_blocking_rules("zip; soundex:name").unwrap();
        let est = estimate_pairs(&rules, &l, &r).unwrap();
        // zip: block 111 has 2 x 1, block 222 has 1 x 2 -> 4 pairs.
        assert_eq!(est[0].pairs, 4);
        assert_eq!(est[0].largest_block_pairs, 2);
        // soundex: R163 = {Robert, Rupert} x {Rupert, Robert} = 4; A500 = {Anna} x {Ann} = 1.
        assert_eq!(est[1].pairs, 5);
        let b = block(&rules, &l, &r, 1_000, 1_000).unwrap();
        // zip pairs: (0,0),(1,0),(2,1),(2,2). Soundex pairs: (0,0)dup,(0,1),(2,0),(2,1)dup,(1,2).
        let mut p = b.pairs.clone();
        p.sort();
        assert_eq!(
            p,
            vec![(0, 0), (0, 1), (1, 0), (1, 2), (2, 0), (2, 1), (2, 2)]
        );
        assert!(b.warnings.is_empty());
        let warn = block(&rules, &l, &r, 4, 1_000).unwrap();
        assert_eq!(warn.warnings.len(), 1);
        let err = block(&rules, &l, &r, 4, 8).unwrap_err();
        assert!(matches!(
            err,
            LinkageError::TooManyPairs {
                estimated: 9,
                cap: 8,
                ..
            }
        ));
    }

    #[test]
    fn implied_rule_pairs_are_filtered_from_the_union() {
        let (l, r) = tables();
        let union = block(
            &parse_blocking_rules("zip; soundex:name").unwrap(),
            &l,
            &r,
            1_000,
            1_000,
        )
        .unwrap();
        let strict = &parse_blocking_rules("zip & prefix(1):name").unwrap()[0];
        let zip = &parse_blocking_rules("zip").unwrap()[0];
        assert!(strict.implies(zip));
        assert!(!zip.implies(strict));
        // zip & R: (0,0) and (2,1), as built directly in composite_and_prefix_keys.
        let idx = pairs_satisfying(strict, &l, &r, &union.pairs).unwrap();
        let mut got: Vec<(u32, u32)> = idx.iter().map(|&i| union.pairs[i]).collect();
        got.sort();
        assert_eq!(got, vec![(0, 0), (2, 1)]);
        let direct = block(std::slice::from_ref(strict), &l, &r, 100, 100).unwrap();
        let mut want = direct.pairs;
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn composite_and_prefix_keys() {
        let (l, r) = tables();
        let rules = parse_blocking_rules("zip & prefix(1):name").unwrap();
        let b = block(&rules, &l, &r, 100, 100).unwrap();
        // zip 111 & R: left 0 x right 0 ; zip 222 & R: left 2 x right 1.
        let mut p = b.pairs;
        p.sort();
        assert_eq!(p, vec![(0, 0), (2, 1)]);
        assert!(parse_blocking_rules("prefix(0):name").is_err());
        assert!(parse_blocking_rules("foo:name").is_err());
    }
}
