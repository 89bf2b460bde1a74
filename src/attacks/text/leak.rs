//! The originals' direct identifiers and the scan for those that survive in a
//! release.
//!
//! An [`IdentifierSet`] is built from the original data: values of identifier
//! and author columns (classified as e-mail, name or login), optionally a users
//! table (login, display name and its parts, e-mail), and every e-mail, URL, IP,
//! host, issue key, phone number and mention that
//! `crate::anonymize::text::Redactor` finds in the original text. The scan
//! matches all of them at once in the release text (one `regex` automaton,
//! longest alternative first, word boundaries where the value starts or ends
//! with a word character) and reports, per kind, how many distinct identifiers
//! survive, how often, in how many documents, with masked examples.
//!
//! What it does not do: fuzzy matching (a misspelt or re-cased surviving name is
//! not found unless it was in the original too), or decide whether a surviving
//! value is harmless.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use regex::RegexBuilder;

use super::{Corpus, TextAttackError};
use crate::anonymize::text::{EntityKind, NameDictionary, RedactionConfig, Redactor};

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
}

impl IdentifierKind {
    /// The identifier kind of a redactor entity kind (`Person` -> `Login`).
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
    /// it, a name when it contains white space, else a login.
    pub fn classify_column_value(value: &str) -> Self {
        match value.split_once('@') {
            Some((local, domain)) if !local.is_empty() && domain.contains('.') => {
                IdentifierKind::Email
            }
            _ if value.split_whitespace().nth(1).is_some() => IdentifierKind::Name,
            _ => IdentifierKind::Login,
        }
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

/// Masks an identifier for display: every maximal run of letters and digits
/// keeps its first character and the rest becomes `*`, and digit-only runs after
/// the first are hidden whole (IP octets, phone groups); an e-mail's or host's
/// top-level domain is kept.
/// `jane@example.com` -> `j***@e******.com`.
pub fn mask_identifier(value: &str) -> String {
    let keep_tail = value
        .rfind('.')
        .filter(|&i| {
            let tld = &value[i + 1..];
            !tld.is_empty()
                && tld.chars().all(|c| c.is_ascii_alphabetic())
                && (value.contains('@') || value[..i].contains(|c: char| c.is_alphabetic()))
                && !value.contains('/')
        })
        .unwrap_or(value.len());
    let mut out = String::with_capacity(value.len());
    let mut in_run = false;
    let mut seen_run = false;
    for (i, c) in value.char_indices() {
        if i >= keep_tail {
            out.push(c);
            continue;
        }
        if c.is_alphanumeric() {
            if in_run {
                out.push('*');
            } else {
                // Number runs after the first (IP octets, phone groups) are hidden whole.
                let digits_run = value[i..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric())
                    .all(|c| c.is_ascii_digit());
                out.push(if seen_run && digits_run { '*' } else { c });
                in_run = true;
                seen_run = true;
            }
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out
}

/// Shows `value` masked unless `show` is set.
pub(crate) fn display(value: &str, show: bool) -> String {
    if show {
        value.to_string()
    } else {
        mask_identifier(value)
    }
}

impl IdentifierSet {
    /// An empty set.
    pub fn new() -> Self {
        IdentifierSet::default()
    }

    /// Adds `value` (trimmed; at least 2 characters) of `kind` denoting `entity`.
    pub fn add(&mut self, value: &str, kind: IdentifierKind, entity: &str) {
        let v = value.trim();
        if v.chars().count() < 2 || self.by_value.contains_key(v) {
            return;
        }
        self.by_value.insert(v.to_string(), self.items.len());
        self.items.push(KnownIdentifier {
            value: v.to_string(),
            kind,
            entity: entity.to_string(),
        });
        if matches!(kind, IdentifierKind::Login | IdentifierKind::Name) {
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

    /// A redactor over the persons added so far (all detectors on), used to find
    /// identifiers in text and to classify recovered strings.
    pub fn redactor(&self) -> Result<Redactor, TextAttackError> {
        Redactor::new(&self.dictionary, &RedactionConfig::default()).map_err(|e| {
            TextAttackError::Invalid(format!("building the identifier detectors failed: {e}"))
        })
    }

    /// Adds every identifier the redactor's detectors find in the original
    /// texts (mentions of unknown logins become logins).
    pub fn add_from_texts(&mut self, texts: &[String]) -> Result<(), TextAttackError> {
        let redactor = self.redactor()?;
        let found: Vec<Vec<(IdentifierKind, String, String)>> = texts
            .par_iter()
            .map(|t| {
                redactor
                    .find(t)
                    .into_iter()
                    .map(|s| {
                        let raw = &t[s.start..s.end];
                        let (kind, value) = if s.kind == EntityKind::Person {
                            let stripped = raw
                                .trim_start_matches("[~")
                                .trim_end_matches(']')
                                .trim_start_matches('@');
                            if stripped.contains(char::is_whitespace) {
                                (IdentifierKind::Name, stripped.to_string())
                            } else {
                                (IdentifierKind::Login, stripped.to_string())
                            }
                        } else {
                            (IdentifierKind::from_entity(s.kind), raw.to_string())
                        };
                        (kind, value, s.entity)
                    })
                    .collect()
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

    /// Scans the release texts for surviving identifiers.
    pub fn scan(
        &self,
        release: &Corpus,
        max_examples: usize,
        show_identifiers: bool,
    ) -> Result<LeakScan, TextAttackError> {
        let mut per_kind: BTreeMap<IdentifierKind, KindLeaks> = BTreeMap::new();
        for item in &self.items {
            per_kind
                .entry(item.kind)
                .or_insert_with(|| KindLeaks::new(item.kind))
                .known += 1;
        }
        if self.items.is_empty() {
            return Ok(LeakScan {
                n_known: 0,
                n_surviving: 0,
                documents_with_leaks: 0,
                share_documents_with_leaks: ratio(0, release.len()),
                kinds: per_kind.into_values().collect(),
            });
        }
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&self.items[a].value, &self.items[b].value);
            y.len().cmp(&x.len()).then(x.cmp(y))
        });
        let mut pattern = String::from("(?:");
        for (n, &i) in order.iter().enumerate() {
            if n > 0 {
                pattern.push('|');
            }
            let v = &self.items[i].value;
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if word(v.chars().next()) {
                pattern.push_str(r"\b");
            }
            pattern.push_str(&regex::escape(v));
            if word(v.chars().last()) {
                pattern.push_str(r"\b");
            }
        }
        pattern.push(')');
        let re = RegexBuilder::new(&pattern)
            .size_limit(1 << 30)
            .dfa_size_limit(1 << 28)
            .build()
            .map_err(|e| {
                TextAttackError::Invalid(format!(
                    "the {} identifiers do not fit one scanner ({e}); scan fewer identifier columns",
                    self.items.len()
                ))
            })?;
        let hits: Vec<Vec<usize>> = release
            .texts
            .par_iter()
            .map(|t| {
                re.find_iter(t)
                    .filter_map(|m| self.by_value.get(m.as_str()).copied())
                    .collect()
            })
            .collect();
        let mut surviving: Vec<usize> = vec![0; self.items.len()];
        let mut documents_with_leaks = 0usize;
        for (doc, doc_hits) in hits.iter().enumerate() {
            if !doc_hits.is_empty() {
                documents_with_leaks += 1;
            }
            let mut kinds_here: Vec<IdentifierKind> = Vec::new();
            for &i in doc_hits {
                let item = &self.items[i];
                let k = per_kind.get_mut(&item.kind).ok_or_else(|| {
                    TextAttackError::Invalid("identifier kind not counted".into())
                })?;
                k.occurrences += 1;
                if surviving[i] == 0 {
                    k.surviving += 1;
                    if k.examples.len() < max_examples {
                        k.examples.push(LeakExample {
                            value: display(&item.value, show_identifiers),
                            release_id: release.ids[doc].clone(),
                        });
                    }
                }
                surviving[i] += 1;
                if !kinds_here.contains(&item.kind) {
                    kinds_here.push(item.kind);
                    k.documents += 1;
                }
            }
        }
        for k in per_kind.values_mut() {
            k.share_surviving = ratio(k.surviving, k.known);
        }
        Ok(LeakScan {
            n_known: self.items.len(),
            n_surviving: surviving.iter().filter(|&&c| c > 0).count(),
            documents_with_leaks,
            share_documents_with_leaks: ratio(documents_with_leaks, release.len()),
            kinds: per_kind.into_values().collect(),
        })
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
}

/// Leaks of one kind.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KindLeaks {
    /// The kind.
    pub kind: IdentifierKind,
    /// Distinct identifiers of this kind in the originals.
    pub known: usize,
    /// Distinct identifiers of this kind found in the release text.
    pub surviving: usize,
    /// surviving / known.
    pub share_surviving: Option<f64>,
    /// Occurrences in the release text.
    pub occurrences: usize,
    /// Release documents with at least one.
    pub documents: usize,
    /// The first surviving identifiers met (masked by default).
    pub examples: Vec<LeakExample>,
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
            examples: Vec::new(),
        }
    }
}

/// The result of the identifier leak scan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeakScan {
    /// Distinct known identifiers.
    pub n_known: usize,
    /// Distinct identifiers found in the release text.
    pub n_surviving: usize,
    /// Release documents containing at least one.
    pub documents_with_leaks: usize,
    /// documents_with_leaks / release documents.
    pub share_documents_with_leaks: Option<f64>,
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
