//! The signals of the joint pseudonym attack, as data: each is a
//! [`SignalKind`] in the [`SIGNALS`] registry (name, what it reads, where
//! the method comes from) and a [`PreparedSignal`] built once from the
//! attacker's known writing, which then scores any release (pseudonyms x
//! candidates, higher = more likely the same person). Adding a signal is one
//! variant, one registry row and one `prepare` arm.
//!
//! Scores here are raw (counts, similarities, negated divergences); the
//! fusion in the parent module standardizes them per pseudonym and weighs
//! them. Nothing here reads files, knows the truth key or decides anything.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use md5::Md5;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use unicode_segmentation::UnicodeSegmentation;

use super::{Known, PseudonymLinkageError, PseudonymLinkageParams, Release};
use crate::attacks::stylometry::pipeline::FittedPipeline;
use crate::attacks::stylometry::pooling::{pooled_scores, PoolingMethod};
use crate::attacks::text::minhash::{shingles, ShingleConfig, ShingleUnit};
use crate::data::Corpus;

/// One signal of the joint attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// Identifier and unsalted-hash joins.
    Identifiers,
    /// Near-duplicate documents the attacker knows.
    DocumentLinkage,
    /// Rare tokens shared with a candidate's known writing.
    RareTokens,
    /// Stylometric attribution pooled per pseudonym.
    Stylometry,
    /// Hour-of-week activity histogram.
    ActivityHours,
    /// Inter-event gap distribution.
    ActivityGaps,
    /// Project / space mix.
    ActivityGroups,
    /// Candidates compatible with the pseudonym's quasi-identifiers.
    QiJoin,
}

/// A registry row: a signal and how the report names and cites it.
#[derive(Debug, Clone, Copy)]
pub struct SignalSpec {
    /// The signal.
    pub kind: SignalKind,
    /// Short name (`identifiers`, `document_linkage`, ...), as in reports and JSON.
    pub name: &'static str,
    /// What it measures, in words.
    pub description: &'static str,
}

/// Every signal, in the order reports list them.
pub const SIGNALS: &[SignalSpec] = &[
    SignalSpec {
        kind: SignalKind::Identifiers,
        name: "identifiers",
        description: "release values (the pseudonym, identifier columns) equal to a candidate's login, name or e-mail or to its unsalted MD5 / SHA-1 / SHA-256 hex digest (a dictionary attack: an unsalted hash of a low-entropy identifier is reversed by hashing every candidate; AEPD & EDPS 2019, 'Introduction to the hash function as a personal data pseudonymisation technique')",
    },
    SignalSpec {
        kind: SignalKind::DocumentLinkage,
        name: "document_linkage",
        description: "release documents whose word-shingle Jaccard similarity (Broder 1997) with a document the attacker knows reaches the linkage threshold credit that document's author",
    },
    SignalSpec {
        kind: SignalKind::RareTokens,
        name: "rare_tokens",
        description: "cosine of idf-weighted (Sparck Jones 1972) sets of tokens used by few candidates, pseudonym's documents vs the candidate's known writing",
    },
    SignalSpec {
        kind: SignalKind::Stylometry,
        name: "stylometry",
        description: "the audit's stylometric pipeline fitted on the known writing, document scores summed per pseudonym (pooling, Burrows 2002)",
    },
    SignalSpec {
        kind: SignalKind::ActivityHours,
        name: "activity_hours",
        description: "negated Jensen-Shannon divergence (Lin 1991) of hour-of-week histograms (additive smoothing), as in activity-profile linkage of pseudonymous accounts (Goga et al. 2013, 'Exploiting innocuous activity for correlating users across sites')",
    },
    SignalSpec {
        kind: SignalKind::ActivityGaps,
        name: "activity_gaps",
        description: "negated Jensen-Shannon divergence of log2-binned inter-event gap distributions",
    },
    SignalSpec {
        kind: SignalKind::ActivityGroups,
        name: "activity_groups",
        description: "negated Jensen-Shannon divergence of project / space mixes",
    },
    SignalSpec {
        kind: SignalKind::QiJoin,
        name: "qi_join",
        description: "ln(n / |S|) for the candidates in S, the candidates whose original quasi-identifiers a release users table's (generalized) values for the pseudonym cover (the prosecutor QI join of Sweeney 2002 / El Emam 2008, `linkage::qi_join`), 0 for the others",
    },
];

impl SignalKind {
    /// The registry row of this signal.
    pub fn spec(self) -> &'static SignalSpec {
        // Every variant has a row (checked by a test).
        SIGNALS
            .iter()
            .find(|s| s.kind == self)
            .unwrap_or(&SIGNALS[0])
    }

    /// The signal's short name.
    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

/// A signal prepared from the known writing: scores releases.
pub trait PreparedSignal: Send + Sync {
    /// Pseudonyms x candidates raw scores of `release`.
    fn score(&self, release: &Release) -> Result<Array2<f64>, PseudonymLinkageError>;
}

/// What the attacker sees of the real release before attacking it, read by
/// the signals whose simulation would otherwise see more than the release
/// can show. The simulation releases the attacker's own, untouched
/// documents; a release that redacted people's names and logins (its text
/// shows none of the candidates' identifier tokens) cannot show the rare,
/// personal tokens a signature or a greeting gives, and without this the
/// rare-token signal looks far more telling in the simulation than it can be
/// in the release, so the fusion trusts it too much. The rare-token signal
/// therefore ignores the *hidden* tokens: word tokens of the candidates'
/// known identifiers (login, name, e-mail) that occur nowhere in the
/// release text. Other tokens are kept whether the release shows them or not
/// (an unseen rare token is normal: it is rare).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReleaseView {
    hidden: HashSet<String>,
    /// Whether the release carries quasi-identifiers of pseudonyms.
    qi: bool,
}

impl ReleaseView {
    /// The view of `release` by an attacker who knows `known`.
    pub fn of(release: &Release, known: &Known) -> Self {
        let shown: HashSet<String> = release
            .documents
            .iter()
            .flat_map(|d| tokens(&d.text))
            .collect();
        let hidden = known
            .identifiers
            .iter()
            .flatten()
            .chain(&known.candidates)
            .flat_map(|v| tokens(v).collect::<Vec<_>>())
            .filter(|t| !shown.contains(t))
            .collect();
        Self {
            hidden,
            qi: !release.qi_compatible.is_empty(),
        }
    }

    /// Identifier tokens the release never shows.
    pub fn hidden(&self) -> &HashSet<String> {
        &self.hidden
    }

    fn shows(&self, token: &str) -> bool {
        !self.hidden.contains(token)
    }
}

/// Prepares `kind` from `known` (for a release seen as `visible`);
/// `Ok(Err(reason))` when the data cannot feed it (no timestamps, no
/// identifiers...), which reports show as "did not run".
pub fn prepare(
    kind: SignalKind,
    known: &Known,
    visible: &ReleaseView,
    params: &PseudonymLinkageParams,
) -> Result<Result<Box<dyn PreparedSignal>, String>, PseudonymLinkageError> {
    Ok(match kind {
        SignalKind::Identifiers => IdentifierJoin::prepare(known).map(boxed),
        SignalKind::DocumentLinkage => DocumentLinkage::prepare(known, params).map(boxed),
        SignalKind::RareTokens => RareTokens::prepare(known, visible, params).map(boxed),
        SignalKind::Stylometry => match Stylometry::prepare(known, params)? {
            Ok(s) => Ok(boxed(s)),
            Err(e) => Err(e),
        },
        SignalKind::ActivityHours | SignalKind::ActivityGaps | SignalKind::ActivityGroups => {
            Activity::prepare(kind, known, params).map(boxed)
        }
        SignalKind::QiJoin => {
            if visible.qi {
                Ok(boxed(QiJoin {
                    n_candidates: known.candidates.len(),
                }))
            } else {
                Err("no users table with quasi-identifiers of the pseudonyms".into())
            }
        }
    })
}

fn boxed<S: PreparedSignal + 'static>(s: S) -> Box<dyn PreparedSignal> {
    Box::new(s)
}

// ------------------------------------------------------------- identifiers

/// Lower-case hex digests of `value` under the unsalted hashes an exporter
/// commonly applies (MD5, SHA-1, SHA-256).
pub fn unsalted_digests(value: &str) -> [String; 3] {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    [
        hex(&Md5::digest(value.as_bytes())),
        hex(&Sha1::digest(value.as_bytes())),
        hex(&Sha256::digest(value.as_bytes())),
    ]
}

struct IdentifierJoin {
    /// Lower-cased value or digest -> candidate (values shared by two
    /// candidates are dropped: they name nobody).
    dictionary: HashMap<String, usize>,
    n_candidates: usize,
}

impl IdentifierJoin {
    fn prepare(known: &Known) -> Result<Self, String> {
        let mut dictionary: HashMap<String, usize> = HashMap::new();
        let mut ambiguous: HashSet<String> = HashSet::new();
        let mut add = |key: String, c: usize| match dictionary.get(&key) {
            Some(&o) if o != c => {
                ambiguous.insert(key);
            }
            _ => {
                dictionary.insert(key, c);
            }
        };
        for (c, ids) in known.identifiers.iter().enumerate() {
            for v in ids {
                let v = v.trim();
                if v.is_empty() {
                    continue;
                }
                let lower = v.to_lowercase();
                for form in [v.to_string(), lower.clone()] {
                    for d in unsalted_digests(&form) {
                        add(d, c);
                    }
                }
                add(lower, c);
            }
        }
        for k in &ambiguous {
            dictionary.remove(k);
        }
        if dictionary.is_empty() {
            return Err("no identifier of any candidate is known".into());
        }
        Ok(Self {
            dictionary,
            n_candidates: known.candidates.len(),
        })
    }
}

impl PreparedSignal for IdentifierJoin {
    fn score(&self, release: &Release) -> Result<Array2<f64>, PseudonymLinkageError> {
        let mut s = Array2::<f64>::zeros((release.pseudonyms.len(), self.n_candidates));
        let look = |v: &str| self.dictionary.get(&v.trim().to_lowercase()).copied();
        for (p, name) in release.pseudonyms.iter().enumerate() {
            if let Some(c) = look(name) {
                s[[p, c]] += 1.0;
            }
        }
        for (doc, &p) in release.documents.iter().zip(&release.pseudonym) {
            for v in &doc.fields {
                if let Some(c) = look(v) {
                    s[[p, c]] += 1.0;
                }
            }
        }
        Ok(s)
    }
}

// -------------------------------------------------------- document linkage

/// Shingles occurring in more known documents than this are boilerplate and
/// not indexed (they would make every pair a candidate).
const MAX_POSTINGS: usize = 50;

struct DocumentLinkage {
    config: ShingleConfig,
    threshold: f64,
    sizes: Vec<usize>,
    author: Vec<usize>,
    index: HashMap<u64, Vec<u32>>,
    n_candidates: usize,
}

impl DocumentLinkage {
    fn prepare(known: &Known, params: &PseudonymLinkageParams) -> Result<Self, String> {
        let config = ShingleConfig {
            unit: ShingleUnit::Word,
            k: params.shingle_words.max(1),
            lowercase: true,
        };
        let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut sizes = Vec::with_capacity(known.documents.len());
        for (i, d) in known.documents.iter().enumerate() {
            let sh = shingles(&d.text, &config);
            sizes.push(sh.len());
            for h in sh {
                index.entry(h).or_default().push(i as u32);
            }
        }
        index.retain(|_, v| v.len() <= MAX_POSTINGS);
        if index.is_empty() {
            return Err("the known documents have no text".into());
        }
        Ok(Self {
            config,
            threshold: params.link_threshold,
            sizes,
            author: known.author.clone(),
            index,
            n_candidates: known.candidates.len(),
        })
    }

    /// For one text: the known documents at or above the threshold, with their Jaccard.
    fn links(&self, text: &str) -> Vec<(usize, f64)> {
        let sh = shingles(text, &self.config);
        if sh.is_empty() {
            return Vec::new();
        }
        let mut common: HashMap<u32, usize> = HashMap::new();
        for h in &sh {
            if let Some(docs) = self.index.get(h) {
                for &d in docs {
                    *common.entry(d).or_insert(0) += 1;
                }
            }
        }
        let mut out: Vec<(usize, f64)> = common
            .into_iter()
            .map(|(d, c)| {
                let union = sh.len() + self.sizes[d as usize] - c;
                (d as usize, c as f64 / union.max(1) as f64)
            })
            .filter(|&(_, j)| j >= self.threshold)
            .collect();
        out.sort_by_key(|&(d, _)| d);
        out
    }
}

impl PreparedSignal for DocumentLinkage {
    fn score(&self, release: &Release) -> Result<Array2<f64>, PseudonymLinkageError> {
        let mut s = Array2::<f64>::zeros((release.pseudonyms.len(), self.n_candidates));
        for (doc, &p) in release.documents.iter().zip(&release.pseudonym) {
            let mut best: BTreeMap<usize, f64> = BTreeMap::new();
            for (d, j) in self.links(&doc.text) {
                let e = best.entry(self.author[d]).or_insert(0.0);
                *e = e.max(j);
            }
            for (c, j) in best {
                s[[p, c]] += j;
            }
        }
        Ok(s)
    }
}

/// Share of the known documents that some release document near-duplicates
/// (word shingles, Jaccard at least `params.link_threshold`): what the
/// attacker can see, without any truth key, of how much of its own
/// knowledge the release contains. `None` when the known documents have no
/// text.
pub fn known_in_release_share(
    known: &Known,
    release: &Release,
    params: &PseudonymLinkageParams,
) -> Option<f64> {
    let l = DocumentLinkage::prepare(known, params).ok()?;
    let mut hit = vec![false; known.documents.len()];
    for doc in &release.documents {
        for (d, _) in l.links(&doc.text) {
            hit[d] = true;
        }
    }
    Some(hit.iter().filter(|&&h| h).count() as f64 / hit.len().max(1) as f64)
}

// ------------------------------------------------------------- rare tokens

/// Lower-cased word tokens of at least 3 characters, not all digits.
fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.unicode_words()
        .filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(|w| w.to_lowercase())
}

struct RareTokens {
    /// Rare token -> idf weight ln(n / cf).
    idf: HashMap<String, f64>,
    /// Per candidate: its rare tokens (sorted) and the norm of their weights.
    /// Ordered sets: every sum runs in the same order, so the same input
    /// gives the same scores to the last bit (a hash set's order varies per
    /// process).
    candidate: Vec<(BTreeSet<String>, f64)>,
}

impl RareTokens {
    fn prepare(
        known: &Known,
        visible: &ReleaseView,
        params: &PseudonymLinkageParams,
    ) -> Result<Self, String> {
        let n = known.candidates.len();
        let mut sets: Vec<BTreeSet<String>> = vec![BTreeSet::new(); n];
        for (d, &c) in known.documents.iter().zip(&known.author) {
            sets[c].extend(tokens(&d.text).filter(|t| visible.shows(t)));
        }
        let mut cf: HashMap<&str, usize> = HashMap::new();
        for s in &sets {
            for t in s {
                *cf.entry(t.as_str()).or_insert(0) += 1;
            }
        }
        let max_cf = params.rare_max_candidates.max(1);
        let idf: HashMap<String, f64> = cf
            .iter()
            .filter(|(_, &f)| f <= max_cf)
            .map(|(t, &f)| (t.to_string(), (n as f64 / f as f64).ln().max(0.0)))
            .filter(|(_, w)| *w > 0.0)
            .collect();
        if idf.is_empty() {
            return Err("no token of the known writing is rare among the candidates".into());
        }
        let candidate = sets
            .into_iter()
            .map(|s| {
                let s: BTreeSet<String> = s.into_iter().filter(|t| idf.contains_key(t)).collect();
                let norm = s.iter().map(|t| idf[t].powi(2)).sum::<f64>().sqrt();
                (s, norm)
            })
            .collect();
        Ok(Self { idf, candidate })
    }
}

impl PreparedSignal for RareTokens {
    fn score(&self, release: &Release) -> Result<Array2<f64>, PseudonymLinkageError> {
        let n_p = release.pseudonyms.len();
        let mut sets: Vec<BTreeSet<String>> = vec![BTreeSet::new(); n_p];
        for (doc, &p) in release.documents.iter().zip(&release.pseudonym) {
            sets[p].extend(tokens(&doc.text).filter(|t| self.idf.contains_key(t)));
        }
        let mut s = Array2::<f64>::zeros((n_p, self.candidate.len()));
        // Inverted: token -> candidates holding it.
        let mut holders: HashMap<&str, Vec<usize>> = HashMap::new();
        for (c, (set, _)) in self.candidate.iter().enumerate() {
            for t in set {
                holders.entry(t.as_str()).or_default().push(c);
            }
        }
        for (p, set) in sets.iter().enumerate() {
            let norm_p = set.iter().map(|t| self.idf[t].powi(2)).sum::<f64>().sqrt();
            if norm_p == 0.0 {
                continue;
            }
            for t in set {
                let w2 = self.idf[t].powi(2);
                for &c in holders.get(t.as_str()).map_or(&[][..], |v| v.as_slice()) {
                    s[[p, c]] += w2;
                }
            }
            for (c, (_, norm_c)) in self.candidate.iter().enumerate() {
                if *norm_c > 0.0 {
                    s[[p, c]] /= norm_p * norm_c;
                }
            }
        }
        Ok(s)
    }
}

// -------------------------------------------------------------- stylometry

struct Stylometry {
    pipeline: FittedPipeline,
    /// Candidate index of each pipeline author.
    column: Vec<usize>,
    n_candidates: usize,
}

impl Stylometry {
    fn prepare(
        known: &Known,
        params: &PseudonymLinkageParams,
    ) -> Result<Result<Self, String>, PseudonymLinkageError> {
        let (texts, names): (Vec<String>, Vec<String>) = known
            .documents
            .iter()
            .zip(&known.author)
            .filter(|(d, _)| !d.text.trim().is_empty())
            .map(|(d, &c)| (d.text.clone(), known.candidates[c].clone()))
            .unzip();
        let mut authors = names.clone();
        authors.sort();
        authors.dedup();
        if authors.len() < 2 {
            return Ok(Err(
                "stylometry needs known writing of at least 2 candidates".into(),
            ));
        }
        let corpus = Corpus::with_authors(texts, &names, authors)
            .map_err(crate::attacks::stylometry::StylometryError::from)?;
        let pipeline = FittedPipeline::fit(&params.stylometry, &corpus)?;
        let index: HashMap<&str, usize> = known
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let column = pipeline
            .authors()
            .iter()
            .map(|a| index.get(a.as_str()).copied().unwrap_or(0))
            .collect();
        Ok(Ok(Self {
            pipeline,
            column,
            n_candidates: known.candidates.len(),
        }))
    }
}

impl PreparedSignal for Stylometry {
    fn score(&self, release: &Release) -> Result<Array2<f64>, PseudonymLinkageError> {
        let n_p = release.pseudonyms.len();
        let rows: Vec<usize> = (0..release.documents.len())
            .filter(|&i| !release.documents[i].text.trim().is_empty())
            .collect();
        // Compact pseudonym indices (pooling wants every pseudonym to have a document).
        let mut compact: BTreeMap<usize, usize> = BTreeMap::new();
        for &r in &rows {
            let n = compact.len();
            compact.entry(release.pseudonym[r]).or_insert(n);
        }
        // Unscored pairs get the lowest score of the matrix (set below).
        let mut s = Array2::<f64>::from_elem((n_p, self.n_candidates), f64::NAN);
        if rows.is_empty() {
            return Ok(s.mapv(|_| 0.0));
        }
        let texts: Vec<String> = rows
            .iter()
            .map(|&r| release.documents[r].text.clone())
            .collect();
        let labels: Vec<usize> = rows
            .iter()
            .map(|&r| compact[&release.pseudonym[r]])
            .collect();
        let x = self.pipeline.transform(&texts)?;
        let doc_scores = self.pipeline.classifier().scores(&x)?;
        let pooled = pooled_scores(
            self.pipeline.classifier(),
            &x,
            &doc_scores,
            &labels,
            compact.len(),
            PoolingMethod::SumScores,
        )?;
        for (&p, &k) in &compact {
            for (a, &c) in self.column.iter().enumerate() {
                s[[p, c]] = pooled[[k, a]];
            }
        }
        let low = s
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        let low = if low.is_finite() { low } else { 0.0 };
        Ok(s.mapv(|v| if v.is_finite() { v } else { low }))
    }
}

// ---------------------------------------------------------------- activity

const HOURS: usize = 168;
const GAP_BINS: usize = 32;

/// Hour of the week (0 = Monday 00:00 UTC) of Unix time `t`.
pub fn hour_of_week(t: i64) -> usize {
    // 1970-01-01 was a Thursday: shift by three days.
    (t.div_euclid(3600) + 72).rem_euclid(HOURS as i64) as usize
}

/// log2 bin of a gap in seconds (0 for gaps under 2 s), capped.
pub fn gap_bin(gap: i64) -> usize {
    let g = gap.max(0) as u64 + 1;
    ((63 - g.leading_zeros()) as usize).min(GAP_BINS - 1)
}

/// Jensen-Shannon divergence (natural log, in [0, ln 2]) of two count
/// vectors after adding `alpha` to every bin.
pub fn js_divergence(a: &[f64], b: &[f64], alpha: f64) -> f64 {
    let (sa, sb) = (
        a.iter().sum::<f64>() + alpha * a.len() as f64,
        b.iter().sum::<f64>() + alpha * b.len() as f64,
    );
    if sa <= 0.0 || sb <= 0.0 {
        return 0.0;
    }
    let mut d = 0.0;
    for (x, y) in a.iter().zip(b) {
        let p = (x + alpha) / sa;
        let q = (y + alpha) / sb;
        let m = 0.5 * (p + q);
        if p > 0.0 {
            d += 0.5 * p * (p / m).ln();
        }
        if q > 0.0 {
            d += 0.5 * q * (q / m).ln();
        }
    }
    d.max(0.0)
}

/// Per-entity histograms of one activity signal.
fn histograms(
    kind: SignalKind,
    docs: &[super::Document],
    owner: &[usize],
    n: usize,
    groups: &mut BTreeMap<String, usize>,
    grow: bool,
) -> Vec<Vec<f64>> {
    match kind {
        SignalKind::ActivityHours => {
            let mut h = vec![vec![0.0; HOURS]; n];
            for (d, &o) in docs.iter().zip(owner) {
                if let Some(t) = d.time {
                    h[o][hour_of_week(t)] += 1.0;
                }
            }
            h
        }
        SignalKind::ActivityGaps => {
            let mut times: Vec<Vec<i64>> = vec![Vec::new(); n];
            for (d, &o) in docs.iter().zip(owner) {
                if let Some(t) = d.time {
                    times[o].push(t);
                }
            }
            times
                .into_iter()
                .map(|mut t| {
                    t.sort_unstable();
                    let mut h = vec![0.0; GAP_BINS];
                    for w in t.windows(2) {
                        h[gap_bin(w[1] - w[0])] += 1.0;
                    }
                    h
                })
                .collect()
        }
        _ => {
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            for (d, &o) in docs.iter().zip(owner) {
                if let Some(g) = &d.group {
                    let next = groups.len();
                    let i = if grow {
                        *groups.entry(g.clone()).or_insert(next)
                    } else {
                        match groups.get(g) {
                            Some(&i) => i,
                            None => continue,
                        }
                    };
                    pairs.push((o, i));
                }
            }
            let mut h = vec![vec![0.0; groups.len()]; n];
            for (o, i) in pairs {
                h[o][i] += 1.0;
            }
            h
        }
    }
}

struct Activity {
    kind: SignalKind,
    alpha: f64,
    candidate: Vec<Vec<f64>>,
    groups: BTreeMap<String, usize>,
}

impl Activity {
    fn prepare(
        kind: SignalKind,
        known: &Known,
        params: &PseudonymLinkageParams,
    ) -> Result<Self, String> {
        let has = |d: &super::Document| match kind {
            SignalKind::ActivityGroups => d.group.is_some(),
            _ => d.time.is_some(),
        };
        if !known.documents.iter().any(has) {
            return Err(match kind {
                SignalKind::ActivityGroups => "no project / group column".into(),
                _ => "no timestamps".into(),
            });
        }
        let mut groups = BTreeMap::new();
        let candidate = histograms(
            kind,
            &known.documents,
            &known.author,
            known.candidates.len(),
            &mut groups,
            true,
        );
        Ok(Self {
            kind,
            alpha: params.smoothing,
            candidate,
            groups,
        })
    }
}

impl PreparedSignal for Activity {
    fn score(&self, release: &Release) -> Result<Array2<f64>, PseudonymLinkageError> {
        let mut groups = self.groups.clone();
        let pseud = histograms(
            self.kind,
            &release.documents,
            &release.pseudonym,
            release.pseudonyms.len(),
            &mut groups,
            false,
        );
        let mut s = Array2::<f64>::zeros((pseud.len(), self.candidate.len()));
        for (p, hp) in pseud.iter().enumerate() {
            if hp.iter().sum::<f64>() == 0.0 {
                continue;
            }
            for (c, hc) in self.candidate.iter().enumerate() {
                if hc.iter().sum::<f64>() == 0.0 {
                    continue;
                }
                s[[p, c]] = -js_divergence(hp, hc, self.alpha);
            }
        }
        Ok(s)
    }
}

// ----------------------------------------------------------------- QI join

struct QiJoin {
    n_candidates: usize,
}

impl PreparedSignal for QiJoin {
    fn score(&self, release: &Release) -> Result<Array2<f64>, PseudonymLinkageError> {
        let n = self.n_candidates;
        let mut s = Array2::<f64>::zeros((release.pseudonyms.len(), n));
        for (p, name) in release.pseudonyms.iter().enumerate() {
            let Some(set) = release.qi_compatible.get(name) else {
                continue;
            };
            let set: BTreeSet<usize> = set.iter().copied().filter(|&c| c < n).collect();
            if set.is_empty() {
                continue;
            }
            let w = (n as f64 / set.len() as f64).ln();
            for c in set {
                s[[p, c]] = w;
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signal_has_a_registry_row() {
        for k in [
            SignalKind::Identifiers,
            SignalKind::DocumentLinkage,
            SignalKind::RareTokens,
            SignalKind::Stylometry,
            SignalKind::ActivityHours,
            SignalKind::ActivityGaps,
            SignalKind::ActivityGroups,
            SignalKind::QiJoin,
        ] {
            assert_eq!(k.spec().kind, k);
        }
    }

    #[test]
    fn digests_match_published_vectors() {
        // RFC 1321, FIPS 180 test vectors for "abc".
        let d = unsalted_digests("abc");
        assert_eq!(d[0], "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(d[1], "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            d[2],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hour_of_week_and_gap_bins() {
        // 1970-01-05T00:00Z was a Monday.
        assert_eq!(hour_of_week(4 * 86_400), 0);
        assert_eq!(hour_of_week(0), 72);
        assert_eq!(hour_of_week(4 * 86_400 + 7 * 86_400 - 3600), 167);
        assert_eq!(gap_bin(0), 0);
        assert_eq!(gap_bin(1), 1);
        assert_eq!(gap_bin(3), 2);
        assert_eq!(gap_bin(i64::MAX), GAP_BINS - 1);
    }

    #[test]
    fn hidden_tokens_are_identifier_tokens_the_release_never_shows() {
        let known = Known {
            candidates: vec!["lrossi".into(), "mwu".into()],
            identifiers: vec![
                vec!["lrossi".into(), "Leila Rossi".into()],
                vec!["mwu".into(), "Maria Wu".into()],
            ],
            ..Known::default()
        };
        let release = Release {
            pseudonyms: vec!["p".into()],
            documents: vec![super::super::Document {
                text: "Thanks PERSON_1, Rossi's patch works".into(),
                ..Default::default()
            }],
            pseudonym: vec![0],
            qi_compatible: BTreeMap::new(),
        };
        let view = ReleaseView::of(&release, &known);
        let mut hidden: Vec<&str> = view.hidden().iter().map(|s| s.as_str()).collect();
        hidden.sort_unstable();
        // The release shows the token "rossi's", not "rossi"; "wu" is under
        // the 3 characters of a token.
        assert_eq!(hidden, vec!["leila", "lrossi", "maria", "mwu", "rossi"]);
        // The rare-token signal built with this view ignores them: the
        // candidates' only rare tokens are names, so it cannot run.
        let known = Known {
            documents: vec![
                super::super::Document {
                    text: "Leila".into(),
                    ..Default::default()
                },
                super::super::Document {
                    text: "Maria".into(),
                    ..Default::default()
                },
            ],
            author: vec![0, 1],
            ..known
        };
        let params = PseudonymLinkageParams::default();
        assert!(RareTokens::prepare(&known, &view, &params).is_err());
        assert!(RareTokens::prepare(&known, &ReleaseView::default(), &params).is_ok());
    }

    #[test]
    fn js_divergence_bounds() {
        assert!(js_divergence(&[1.0, 0.0], &[1.0, 0.0], 0.0).abs() < 1e-12);
        let d = js_divergence(&[1.0, 0.0], &[0.0, 1.0], 0.0);
        assert!((d - 2f64.ln()).abs() < 1e-12);
    }
}
