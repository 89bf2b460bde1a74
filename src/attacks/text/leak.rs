//! The originals' direct identifiers and the scan for those that survive in a
//! release.
//!
//! An [`IdentifierSet`] is built from the original data: values of identifier
//! and author columns (classified as e-mail, name, account id or login),
//! optionally a users table (login, display name and its parts, e-mail), and
//! every e-mail, URL, IP, host, issue key, phone number and mention that
//! `data::text::IdentifierDetector` (the redactor's detector) finds in the
//! original text. The scan
//! matches all of them at once in the release text (one Aho-Corasick
//! automaton, leftmost and longest first, ASCII word boundaries where the
//! value starts or ends with an ASCII word character) and reports, per kind, how many distinct identifiers
//! survive, how often, in how many documents, with masked examples.
//!
//! **Ambiguous values.** A login or name part can also be an ordinary word:
//! on real Jira text the logins `link`, `interface`, `param` and `AwaitsFix`
//! (Javadoc tags and annotations picked up as `@` mentions, or real accounts
//! named like words) made a clean release FAIL. A known value is *ambiguous*
//! when it is a single word that is
//! * a stop word, a common English word or a code token
//!   ([`crate::data::text::vocabulary`]), or
//! * common in the originals' own text outside identifier context: it occurs
//!   outside identifier context in at least `max(3, ⌈0.2 % of the original
//!   documents⌉)` documents (2 documents for code-shaped tokens such as
//!   `AwaitsFix`, `max_retries`, `conf.set`), and in more documents than it occurs
//!   in identifier context. A capitalised value (`Spark`, `Owen`) is measured by
//!   its lower-case form (`spark`), counted wherever it occurs: names are
//!   capitalised and words are not, and a capitalised word used bare in the
//!   originals (`Owen said`) is the name in use, not a sign of a common word.
//!   The threshold keeps single stray uses from making a name ambiguous; the
//!   comparison with identifier-context uses keeps a person who is often
//!   mentioned from being taken for a word.
//!
//! A multi-word value is ambiguous only when every word of it is a stop,
//! common or code word, or, measured on the originals, when it is frequent
//! there outside identifier context and none of its words is a first name
//! (`Apache Spark`, `Hadoop QA` are project and bot names; `Steve Loughran` is
//! never ambiguous). E-mails, URLs, IPs, hosts, issue keys, phones and account
//! ids are never ambiguous.
//!
//! An ambiguous value counts as surviving only where it appears in identifier
//! context in the release (`[~link]`, `@link`, `Assignee: link`, `Thanks
//! link!`, next to the same person's other name parts, ...: the rules and
//! their reasons are in [`super::context`]). Unambiguous values count
//! anywhere. Nothing is dropped silently: every kind reports how many counted
//! occurrences were unambiguous values and how many were ambiguous values in
//! context (by rule), and how many ambiguous occurrences were *not* counted,
//! with their reasons and masked examples.
//!
//! What it does not do: fuzzy matching (a misspelt or re-cased surviving name is
//! not found unless it was in the original too), or decide whether a surviving
//! unambiguous value is harmless.
//!
//! Why this file is long: the methods of `IdentifierSet` (about 460 lines:
//! building the set from originals, assessing ambiguous values, the
//! context-aware scan) share its private per-value state and helpers, which a
//! split would have to expose.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::context::{CodeSpans, ContextDetector, ContextRule};
use super::{Corpus, TextAttackError};
pub use crate::data::text::mask_identifier;
use crate::data::text::vocabulary::{self, WordClass};
use crate::data::text::{
    looks_like_account_id, EntityKind, IdentifierDetector, LiteralMatcher, NameDictionary,
};

/// Kinds of direct identifier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// A login / user name (no spaces).
    Login,
    /// A person's name or a part of it.
    Name,
    /// An e-mail address.
    Email,
    /// A URL.
    Url,
    /// An IP address.
    Ip,
    /// A host name.
    Host,
    /// An issue key.
    IssueKey,
    /// A telephone number.
    Phone,
    /// A machine account id (UUID, Atlassian account id, long hex id).
    AccountId,
}

impl IdentifierKind {
    /// The identifier kind of a detector entity kind (`Person` -> `Login`).
    pub fn from_entity(kind: EntityKind) -> Self {
        match kind {
            EntityKind::Person => IdentifierKind::Login,
            EntityKind::Email => IdentifierKind::Email,
            EntityKind::Url => IdentifierKind::Url,
            EntityKind::Ip => IdentifierKind::Ip,
            EntityKind::Host => IdentifierKind::Host,
            EntityKind::IssueKey => IdentifierKind::IssueKey,
            EntityKind::Phone => IdentifierKind::Phone,
        }
    }

    /// Classifies a column value: an e-mail when it contains `@` and a dot after
    /// it, a name when it contains white space, an account id when it has that
    /// shape ([`looks_like_account_id`]), else a login.
    pub fn classify_column_value(value: &str) -> Self {
        match value.split_once('@') {
            Some((local, domain)) if !local.is_empty() && domain.contains('.') => {
                IdentifierKind::Email
            }
            _ if value.split_whitespace().nth(1).is_some() => IdentifierKind::Name,
            _ if looks_like_account_id(value) => IdentifierKind::AccountId,
            _ => IdentifierKind::Login,
        }
    }

    fn is_person_word(self) -> bool {
        matches!(self, IdentifierKind::Login | IdentifierKind::Name)
    }
}

/// One known identifier of the originals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownIdentifier {
    /// The exact text.
    pub value: String,
    /// Its kind.
    pub kind: IdentifierKind,
    /// The entity it denotes (the login for a person's aliases; else the value).
    pub entity: String,
}

/// The direct identifiers of the originals, deduplicated by value (first kind wins).
#[derive(Debug, Clone, Default)]
pub struct IdentifierSet {
    items: Vec<KnownIdentifier>,
    by_value: HashMap<String, usize>,
    dictionary: NameDictionary,
}

/// Shows `value` masked unless `show` is set.
pub(crate) fn display(value: &str, show: bool) -> String {
    if show {
        value.to_string()
    } else {
        mask_identifier(value)
    }
}

/// Why a known value needs identifier context before it counts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AmbiguityReason {
    /// A Snowball English stop word.
    StopWord,
    /// A common English word.
    CommonWord,
    /// A keyword, Javadoc tag or annotation.
    CodeToken,
    /// Frequent in the originals' text outside identifier context.
    CommonInOriginals,
}

impl From<WordClass> for AmbiguityReason {
    fn from(c: WordClass) -> Self {
        match c {
            WordClass::StopWord => AmbiguityReason::StopWord,
            WordClass::CommonWord => AmbiguityReason::CommonWord,
            WordClass::CodeToken => AmbiguityReason::CodeToken,
        }
    }
}

/// How one known value is judged before the release is scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ValueAssessment {
    /// `Some(reason)` when the value counts only in identifier context.
    pub ambiguous: Option<AmbiguityReason>,
    /// Original documents where it occurs outside identifier context (for a
    /// capitalised value, also where its lower-case form occurs); 0 when the
    /// originals were not measured or the value is never ambiguous.
    pub original_documents_outside_context: usize,
    /// Original documents where it occurs in identifier context.
    pub original_documents_in_context: usize,
}

/// Smallest number of original documents in which a value must occur outside
/// identifier context to be *common in the originals*: `max(3, ⌈0.002 n⌉)` for
/// `n` original documents.
pub fn common_in_originals_min_documents(n_original_documents: usize) -> usize {
    (n_original_documents * 2).div_ceil(1000).max(3)
}

/// Original documents in which a code-shaped value (`AwaitsFix`) must occur
/// outside identifier context to be common in the originals.
pub const CODE_SHAPED_MIN_DOCUMENTS: usize = 2;

/// A code-shaped token: an upper-case letter after a lower-case one
/// (`AwaitsFix`, `getConf`), or `_` or `.` between word characters.
fn is_code_shaped(v: &str) -> bool {
    if v.contains(char::is_whitespace) {
        return false;
    }
    let chars: Vec<char> = v.chars().collect();
    chars
        .windows(2)
        .any(|w| w[0].is_lowercase() && w[1].is_uppercase())
        || chars
            .windows(3)
            .any(|w| matches!(w[1], '_' | '.') && w[0].is_alphanumeric() && w[2].is_alphanumeric())
}

/// `Spark` -> `Some("spark")`: a capitalised word (upper-case letter, then lower-case letters).
fn lower_variant(v: &str) -> Option<String> {
    let mut chars = v.chars();
    let first = chars.next()?;
    let rest: Vec<char> = chars.collect();
    (first.is_uppercase() && !rest.is_empty() && rest.iter().all(|c| c.is_lowercase()))
        .then(|| v.to_lowercase())
}

impl IdentifierSet {
    /// An empty set.
    pub fn new() -> Self {
        IdentifierSet::default()
    }

    /// Adds `value` (trimmed; at least 2 characters) of `kind` denoting `entity`.
    /// A login with the shape of an account id is stored as [`IdentifierKind::AccountId`].
    pub fn add(&mut self, value: &str, kind: IdentifierKind, entity: &str) {
        let v = value.trim();
        if v.chars().count() < 2 || self.by_value.contains_key(v) {
            return;
        }
        let kind = if kind == IdentifierKind::Login && looks_like_account_id(v) {
            IdentifierKind::AccountId
        } else {
            kind
        };
        self.by_value.insert(v.to_string(), self.items.len());
        self.items.push(KnownIdentifier {
            value: v.to_string(),
            kind,
            entity: entity.to_string(),
        });
        if matches!(
            kind,
            IdentifierKind::Login | IdentifierKind::Name | IdentifierKind::AccountId
        ) {
            self.dictionary.add(v, entity);
        }
    }

    /// Adds a value of an identifier or author column, classified by
    /// [`IdentifierKind::classify_column_value`]; with `name_parts`, each part
    /// (>= 3 characters) of a multi-word name too.
    pub fn add_column_value(&mut self, value: &str, name_parts: bool) {
        let kind = IdentifierKind::classify_column_value(value);
        self.add(value, kind, value.trim());
        if kind == IdentifierKind::Name && name_parts {
            for part in value.split_whitespace().filter(|p| p.chars().count() >= 3) {
                self.add(part, IdentifierKind::Name, value.trim());
            }
        }
    }

    /// Adds one person of a users table: `login` (the entity), then each other
    /// value (`display_name`, `email`, ...) classified as a column value, with
    /// name parts (>= 3 characters) when `name_parts` is set.
    pub fn add_person(&mut self, login: &str, others: &[&str], name_parts: bool) {
        let login = login.trim();
        self.add(login, IdentifierKind::Login, login);
        for v in others {
            let kind = IdentifierKind::classify_column_value(v);
            self.add(v, kind, login);
            if kind == IdentifierKind::Name && name_parts {
                for part in v.split_whitespace().filter(|p| p.chars().count() >= 3) {
                    self.add(part, IdentifierKind::Name, login);
                }
            }
        }
    }

    /// A detector over the persons added so far (all kinds on, names matched
    /// with their case, as the redactor's defaults), used to find identifiers
    /// in text and to classify recovered strings.
    pub fn detector(&self) -> Result<IdentifierDetector, TextAttackError> {
        IdentifierDetector::new(&self.dictionary, &EntityKind::ALL, false).map_err(|e| {
            TextAttackError::Invalid(format!("building the identifier detectors failed: {e}"))
        })
    }

    /// Adds every identifier the detectors find in the original
    /// texts. Mentions of unknown logins become logins, except `@` followed by
    /// program text (`{@link X}`, `* @param`, `@Override`, `@Name(`, inside
    /// code: see [`ContextDetector::at_sign_is_code`]) and `@` mentions whose
    /// name is a stop word, common English word or code token (`any @author
    /// tags`): a mention found only in text is not evidence enough that such a
    /// word is a person. `[~login]` mentions are always taken; `[~accountid:X]`
    /// adds the account id `X`.
    pub fn add_from_texts(&mut self, texts: &[String]) -> Result<(), TextAttackError> {
        let detector = self.detector()?;
        let context = ContextDetector::new();
        let found: Vec<Vec<(IdentifierKind, String, String)>> = texts
            .par_iter()
            .map(|t| {
                let mut code: Option<CodeSpans> = None;
                let mut out = Vec::new();
                for s in detector.find(t) {
                    let raw = &t[s.start..s.end];
                    if s.kind != EntityKind::Person || s.dictionary {
                        if s.kind != EntityKind::Person {
                            out.push((
                                IdentifierKind::from_entity(s.kind),
                                raw.to_string(),
                                s.entity,
                            ));
                        }
                        continue;
                    }
                    if let Some(name) = raw.strip_prefix('@') {
                        let code = code.get_or_insert_with(|| context.code_spans(t));
                        if context.at_sign_is_code(t, s.start, s.end, code)
                            || vocabulary::word_class(name).is_some()
                        {
                            continue;
                        }
                    }
                    let stripped = raw
                        .trim_start_matches("[~")
                        .trim_end_matches(']')
                        .trim_start_matches('@');
                    let stripped = stripped.strip_prefix("accountid:").unwrap_or(stripped);
                    let kind = if stripped.contains(char::is_whitespace) {
                        IdentifierKind::Name
                    } else {
                        IdentifierKind::Login
                    };
                    out.push((kind, stripped.to_string(), s.entity));
                }
                out
            })
            .collect();
        for doc in found {
            for (kind, value, entity) in doc {
                self.add(&value, kind, &entity);
            }
        }
        Ok(())
    }

    /// Number of identifiers.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// All identifiers in insertion order.
    pub fn items(&self) -> &[KnownIdentifier] {
        &self.items
    }

    /// The identifier with exactly this value.
    pub fn get(&self, value: &str) -> Option<&KnownIdentifier> {
        self.by_value.get(value).map(|&i| &self.items[i])
    }

    /// The entity of a value (a login for any alias of a person), if known.
    pub fn entity_of(&self, value: &str) -> Option<&str> {
        self.get(value).map(|k| k.entity.as_str())
    }

    /// True when `word` is a login or name part of `entity`.
    fn same_person(&self, entity: &str, word: &str) -> bool {
        self.get(word)
            .is_some_and(|k| k.kind.is_person_word() && k.entity == entity)
    }

    /// The static judgement of a value (word lists only).
    fn static_ambiguity(item: &KnownIdentifier) -> Option<AmbiguityReason> {
        if !item.kind.is_person_word() {
            return None;
        }
        let words: Vec<&str> = item.value.split_whitespace().collect();
        match words.as_slice() {
            [one] => vocabulary::word_class(one).map(AmbiguityReason::from),
            many => {
                let classes: Vec<Option<WordClass>> =
                    many.iter().map(|w| vocabulary::word_class(w)).collect();
                if classes.iter().all(Option::is_some) {
                    classes
                        .into_iter()
                        .flatten()
                        .max()
                        .map(AmbiguityReason::from)
                } else {
                    None
                }
            }
        }
    }

    /// Judges every known value (same order as [`IdentifierSet::items`]): the
    /// word lists always, and with `original` the frequency outside identifier
    /// context in the originals' text (see the module docs for the rule).
    pub fn assess(
        &self,
        original: Option<&Corpus>,
    ) -> Result<Vec<ValueAssessment>, TextAttackError> {
        let mut out: Vec<ValueAssessment> = self
            .items
            .iter()
            .map(|item| ValueAssessment {
                ambiguous: Self::static_ambiguity(item),
                ..ValueAssessment::default()
            })
            .collect();
        let Some(original) = original else {
            return Ok(out);
        };
        // Candidates for "common in the originals": person words not already
        // ambiguous by the word lists; multi-word values only without a first name.
        let candidates: Vec<usize> = (0..self.items.len())
            .filter(|&i| {
                let item = &self.items[i];
                item.kind.is_person_word()
                    && out[i].ambiguous.is_none()
                    && item.value.split_whitespace().nth(1).is_none_or(|_| {
                        !item.value.split_whitespace().any(vocabulary::is_first_name)
                    })
            })
            .collect();
        if candidates.is_empty() || original.is_empty() {
            return Ok(out);
        }
        // Every known value is searched (so a longer identifier such as a full
        // name or a URL shields the words inside it), plus the lower-case form of
        // each capitalised candidate. Counted: a non-capitalised candidate's
        // occurrences outside (and in) identifier context; a capitalised
        // candidate's lower-case form anywhere (ordinary-word use: `spark` for
        // `Spark`) and its own occurrences in context. A capitalised word used
        // bare (`Owen said`) is a name in use, not evidence of a common word.
        let is_candidate: Vec<bool> = {
            let mut v = vec![false; self.items.len()];
            for &i in &candidates {
                v[i] = true;
            }
            v
        };
        let mut lower_forms: HashMap<String, usize> = HashMap::new();
        for &i in &candidates {
            if let Some(lower) = lower_variant(&self.items[i].value) {
                if !self.by_value.contains_key(&lower) {
                    lower_forms.entry(lower).or_insert(i);
                }
            }
        }
        let mut forms: Vec<&str> = self.items.iter().map(|i| i.value.as_str()).collect();
        forms.extend(lower_forms.keys().map(String::as_str));
        let matcher = LiteralMatcher::new(&forms, false)
            .map_err(|e| TextAttackError::Invalid(format!("identifier forms: {e}")))?;
        let context = ContextDetector::new();
        let per_doc: Vec<(Vec<usize>, Vec<usize>)> = original
            .texts
            .par_iter()
            .map(|t| {
                let mut outside: BTreeSet<usize> = BTreeSet::new();
                let mut inside: BTreeSet<usize> = BTreeSet::new();
                let mut code: Option<CodeSpans> = None;
                for (start, end, value) in matcher.find(t) {
                    if let Some(&i) = lower_forms.get(value) {
                        outside.insert(i);
                        continue;
                    }
                    let Some(&i) = self.by_value.get(value) else {
                        continue;
                    };
                    if !is_candidate[i] {
                        continue;
                    }
                    let code = code.get_or_insert_with(|| context.code_spans(t));
                    let entity = &self.items[i].entity;
                    let rule =
                        context.rule_at(t, start, end, code, &|w| self.same_person(entity, w));
                    if rule.is_some() {
                        inside.insert(i);
                    } else if lower_variant(&self.items[i].value).is_none() {
                        outside.insert(i);
                    }
                }
                (outside.into_iter().collect(), inside.into_iter().collect())
            })
            .collect();
        for (outside, inside) in per_doc {
            for i in outside {
                out[i].original_documents_outside_context += 1;
            }
            for i in inside {
                out[i].original_documents_in_context += 1;
            }
        }
        let min_docs = common_in_originals_min_documents(original.len());
        for &i in &candidates {
            let a = &mut out[i];
            let needed = if is_code_shaped(&self.items[i].value) {
                CODE_SHAPED_MIN_DOCUMENTS
            } else {
                min_docs
            };
            if a.original_documents_outside_context >= needed
                && a.original_documents_outside_context > a.original_documents_in_context
            {
                a.ambiguous = Some(AmbiguityReason::CommonInOriginals);
            }
        }
        Ok(out)
    }

    /// Scans the release texts for surviving identifiers, judging ambiguous
    /// values by the word lists only (no originals' frequencies); see
    /// [`IdentifierSet::scan_with_originals`].
    pub fn scan(
        &self,
        release: &Corpus,
        max_examples: usize,
        show_identifiers: bool,
    ) -> Result<LeakScan, TextAttackError> {
        self.scan_with_originals(None, release, max_examples, show_identifiers)
    }

    /// Scans the release texts for surviving identifiers. Ambiguous values
    /// ([`IdentifierSet::assess`] with `original`) count only in identifier
    /// context; the rest count anywhere. Examples are masked unless
    /// `show_identifiers`.
    pub fn scan_with_originals(
        &self,
        original: Option<&Corpus>,
        release: &Corpus,
        max_examples: usize,
        show_identifiers: bool,
    ) -> Result<LeakScan, TextAttackError> {
        let assessment = self.assess(original)?;
        let mut per_kind: BTreeMap<IdentifierKind, KindLeaks> = BTreeMap::new();
        for (item, a) in self.items.iter().zip(&assessment) {
            let k = per_kind
                .entry(item.kind)
                .or_insert_with(|| KindLeaks::new(item.kind));
            k.known += 1;
            if let Some(r) = a.ambiguous {
                k.ambiguous_known += 1;
                *k.ambiguous_known_reasons.entry(r).or_insert(0) += 1;
            }
        }
        let mut scan = LeakScan {
            n_known: self.items.len(),
            n_surviving: 0,
            documents_with_leaks: 0,
            share_documents_with_leaks: ratio(0, release.len()),
            n_ambiguous_known: assessment.iter().filter(|a| a.ambiguous.is_some()).count(),
            ambiguous_not_counted: 0,
            ambiguous_values_not_counted: 0,
            documents_with_uncounted_ambiguous: 0,
            originals_measured: original.is_some(),
            original_documents: original.map_or(0, Corpus::len),
            common_in_originals_min_documents: original
                .map(|o| common_in_originals_min_documents(o.len())),
            kinds: Vec::new(),
        };
        if self.items.is_empty() {
            scan.kinds = per_kind.into_values().collect();
            return Ok(scan);
        }
        let values: Vec<&str> = self.items.iter().map(|i| i.value.as_str()).collect();
        let matcher = LiteralMatcher::new(&values, false)
            .map_err(|e| TextAttackError::Invalid(format!("identifiers: {e}")))?;
        let context = ContextDetector::new();
        // Per document: (item, Ok(None) unambiguous | Ok(Some(rule)) in context | Err(reason) not counted).
        type Hit = (usize, Result<Option<ContextRule>, AmbiguityReason>);
        let hits: Vec<Vec<Hit>> = release
            .texts
            .par_iter()
            .map(|t| {
                let mut code: Option<CodeSpans> = None;
                matcher
                    .find(t)
                    .into_iter()
                    .filter_map(|(start, end, value)| {
                        let i = *self.by_value.get(value)?;
                        let Some(reason) = assessment[i].ambiguous else {
                            return Some((i, Ok(None)));
                        };
                        let code = code.get_or_insert_with(|| context.code_spans(t));
                        let entity = &self.items[i].entity;
                        let rule =
                            context.rule_at(t, start, end, code, &|w| self.same_person(entity, w));
                        Some((i, rule.map(Some).ok_or(reason)))
                    })
                    .collect()
            })
            .collect();
        let mut surviving: Vec<usize> = vec![0; self.items.len()];
        let mut uncounted: Vec<usize> = vec![0; self.items.len()];
        for (doc, doc_hits) in hits.iter().enumerate() {
            let mut kinds_here: Vec<IdentifierKind> = Vec::new();
            let mut uncounted_here = false;
            for (i, verdict) in doc_hits {
                let item = &self.items[*i];
                let k = per_kind.get_mut(&item.kind).ok_or_else(|| {
                    TextAttackError::Invalid("identifier kind not counted".into())
                })?;
                match verdict {
                    Ok(rule) => {
                        k.occurrences += 1;
                        match rule {
                            None => k.counted_unambiguous += 1,
                            Some(r) => {
                                k.counted_in_context += 1;
                                *k.context_rules.entry(*r).or_insert(0) += 1;
                            }
                        }
                        if surviving[*i] == 0 {
                            k.surviving += 1;
                            if k.examples.len() < max_examples {
                                k.examples.push(LeakExample {
                                    value: display(&item.value, show_identifiers),
                                    release_id: release.ids[doc].clone(),
                                    context: *rule,
                                });
                            }
                        }
                        surviving[*i] += 1;
                        if !kinds_here.contains(&item.kind) {
                            kinds_here.push(item.kind);
                            k.documents += 1;
                        }
                    }
                    Err(reason) => {
                        uncounted_here = true;
                        k.ambiguous_not_counted += 1;
                        *k.not_counted_reasons.entry(*reason).or_insert(0) += 1;
                        if uncounted[*i] == 0 {
                            k.ambiguous_values_not_counted += 1;
                            if k.not_counted_examples.len() < max_examples {
                                k.not_counted_examples.push(UncountedExample {
                                    value: display(&item.value, show_identifiers),
                                    release_id: release.ids[doc].clone(),
                                    reason: *reason,
                                    original_documents_outside_context: assessment[*i]
                                        .original_documents_outside_context,
                                });
                            }
                        }
                        uncounted[*i] += 1;
                    }
                }
            }
            if !kinds_here.is_empty() {
                scan.documents_with_leaks += 1;
            }
            if uncounted_here {
                scan.documents_with_uncounted_ambiguous += 1;
            }
        }
        for k in per_kind.values_mut() {
            k.share_surviving = ratio(k.surviving, k.known);
            scan.ambiguous_not_counted += k.ambiguous_not_counted;
            scan.ambiguous_values_not_counted += k.ambiguous_values_not_counted;
        }
        scan.n_surviving = surviving.iter().filter(|&&c| c > 0).count();
        scan.share_documents_with_leaks = ratio(scan.documents_with_leaks, release.len());
        scan.kinds = per_kind.into_values().collect();
        Ok(scan)
    }
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// A surviving identifier, masked unless asked otherwise.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeakExample {
    /// The identifier (masked by default).
    pub value: String,
    /// A release document where it occurs.
    pub release_id: String,
    /// Why it counted there: `None` for an unambiguous value (counted anywhere),
    /// else the identifier-context rule that matched.
    pub context: Option<ContextRule>,
}

/// An occurrence of an ambiguous value that was not counted (no identifier context).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UncountedExample {
    /// The value (masked by default).
    pub value: String,
    /// A release document where it occurs without identifier context.
    pub release_id: String,
    /// Why the value needs context.
    pub reason: AmbiguityReason,
    /// Original documents where it occurs outside identifier context (0 when not measured).
    pub original_documents_outside_context: usize,
}

/// Leaks of one kind.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KindLeaks {
    /// The kind.
    pub kind: IdentifierKind,
    /// Distinct identifiers of this kind in the originals.
    pub known: usize,
    /// Distinct identifiers of this kind counted in the release text.
    pub surviving: usize,
    /// surviving / known.
    pub share_surviving: Option<f64>,
    /// Counted occurrences in the release text (= counted_unambiguous + counted_in_context).
    pub occurrences: usize,
    /// Release documents with at least one counted occurrence.
    pub documents: usize,
    /// Counted occurrences of unambiguous values (counted anywhere).
    pub counted_unambiguous: usize,
    /// Counted occurrences of ambiguous values in identifier context.
    pub counted_in_context: usize,
    /// counted_in_context by the rule that matched.
    pub context_rules: BTreeMap<ContextRule, usize>,
    /// Distinct known values of this kind that count only in identifier context.
    pub ambiguous_known: usize,
    /// ambiguous_known by reason.
    pub ambiguous_known_reasons: BTreeMap<AmbiguityReason, usize>,
    /// Occurrences of ambiguous values outside identifier context: found, not counted.
    pub ambiguous_not_counted: usize,
    /// Distinct values with at least one occurrence not counted.
    pub ambiguous_values_not_counted: usize,
    /// ambiguous_not_counted by reason.
    pub not_counted_reasons: BTreeMap<AmbiguityReason, usize>,
    /// The first surviving identifiers met (masked by default).
    pub examples: Vec<LeakExample>,
    /// The first ambiguous values met without context (masked by default).
    pub not_counted_examples: Vec<UncountedExample>,
}

impl KindLeaks {
    fn new(kind: IdentifierKind) -> Self {
        KindLeaks {
            kind,
            known: 0,
            surviving: 0,
            share_surviving: None,
            occurrences: 0,
            documents: 0,
            counted_unambiguous: 0,
            counted_in_context: 0,
            context_rules: BTreeMap::new(),
            ambiguous_known: 0,
            ambiguous_known_reasons: BTreeMap::new(),
            ambiguous_not_counted: 0,
            ambiguous_values_not_counted: 0,
            not_counted_reasons: BTreeMap::new(),
            examples: Vec::new(),
            not_counted_examples: Vec::new(),
        }
    }
}

/// The result of the identifier leak scan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeakScan {
    /// Distinct known identifiers.
    pub n_known: usize,
    /// Distinct identifiers counted in the release text.
    pub n_surviving: usize,
    /// Release documents containing at least one counted identifier.
    pub documents_with_leaks: usize,
    /// documents_with_leaks / release documents.
    pub share_documents_with_leaks: Option<f64>,
    /// Distinct known values that count only in identifier context.
    pub n_ambiguous_known: usize,
    /// Occurrences of ambiguous values found outside identifier context and not counted.
    pub ambiguous_not_counted: usize,
    /// Distinct ambiguous values with at least one occurrence not counted.
    pub ambiguous_values_not_counted: usize,
    /// Release documents with an ambiguous occurrence not counted.
    pub documents_with_uncounted_ambiguous: usize,
    /// True when the originals' text was measured (values common there are ambiguous).
    pub originals_measured: bool,
    /// Original documents measured (0 when not measured).
    pub original_documents: usize,
    /// The "common in the originals" threshold in documents, when measured.
    pub common_in_originals_min_documents: Option<usize>,
    /// Per kind, in kind order.
    pub kinds: Vec<KindLeaks>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_identifier("jane@example.com"), "j***@e******.com");
        assert_eq!(mask_identifier("10.1.22.3"), "1*.*.**.*");
        assert_eq!(mask_identifier("+44 20 7946 0430"), "+4* ** **** ****");
        assert_eq!(mask_identifier("Jane Doe"), "J*** D**");
        assert_eq!(
            mask_identifier("db-01.use1.example.net"),
            "d*-**.u***.e******.net"
        );
    }
}
