//! Detection of direct identifiers in free text: e-mail addresses, URLs, IPv4
//! (and full-form IPv6) addresses, host names, issue keys, @mentions and Jira
//! `[~login]` mentions, telephone numbers, and a dictionary of known names and
//! logins; plus two helpers on identifier values (the shape of a machine
//! account id, and masking a value for display).
//!
//! It lives in `data` because three layers read text the same way: the
//! reference redactor (`anonymize::text` replaces what [`IdentifierDetector`]
//! finds), the identifier leak scan and redaction recovery (`attacks::text`
//! look for the same shapes in a release), and the table scan for
//! direct-identifier columns (`privacy::direct_identifiers`). Keeping one
//! detector here lets all three agree on what an identifier is without any of
//! them importing another (the one-way flow of `shared/DESIGN.md`).
//!
//! Scanning uses the `regex` crate (finite automata, linear time, no
//! backtracking) and, for dictionary names, an Aho-Corasick automaton. All
//! candidate spans are collected and resolved leftmost, longest first, so a URL
//! swallows the host and issue key inside it and an e-mail swallows its domain.
//!
//! What it does not do: replace anything (that is `anonymize::text`),
//! named-entity recognition of names that are not in the dictionary, IPv6 in
//! compressed form, or addresses and numbers written out in words. Issue-key
//! detection excludes common non-key prefixes (UTF-8, SHA-256, ISO-8601, ...);
//! everything else shaped `ABC-123` is treated as a key.

use std::collections::HashMap;

use regex::{Regex, RegexBuilder};

use super::vocabulary;
use crate::data::DataError;

/// Kinds of identifier the detector finds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A person: dictionary names/logins and mentions.
    Person,
    /// An e-mail address.
    Email,
    /// A URL.
    Url,
    /// An IPv4 (or full-form IPv6) address.
    Ip,
    /// A host name.
    Host,
    /// An issue key such as `PAY-123`.
    IssueKey,
    /// A telephone number.
    Phone,
}

impl EntityKind {
    /// All kinds.
    pub const ALL: [EntityKind; 7] = [
        EntityKind::Person,
        EntityKind::Email,
        EntityKind::Url,
        EntityKind::Ip,
        EntityKind::Host,
        EntityKind::IssueKey,
        EntityKind::Phone,
    ];

    /// The placeholder label: `PERSON`, `EMAIL`, `URL`, `IP`, `HOST`, `ISSUE_KEY`, `PHONE`.
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Person => "PERSON",
            EntityKind::Email => "EMAIL",
            EntityKind::Url => "URL",
            EntityKind::Ip => "IP",
            EntityKind::Host => "HOST",
            EntityKind::IssueKey => "ISSUE_KEY",
            EntityKind::Phone => "PHONE",
        }
    }

    /// Parses a kind name (`person`, `email`, `url`, `ip`, `host`, `issue_key`, `phone`).
    pub fn parse(name: &str) -> Result<Self, DataError> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "person" | "name" | "mention" => EntityKind::Person,
            "email" => EntityKind::Email,
            "url" => EntityKind::Url,
            "ip" => EntityKind::Ip,
            "host" => EntityKind::Host,
            "issue_key" | "issue-key" | "key" => EntityKind::IssueKey,
            "phone" => EntityKind::Phone,
            other => {
                return Err(DataError::Invalid(format!(
                    "unknown identifier kind `{other}`; use person, email, url, ip, host, issue_key or phone"
                )))
            }
        })
    }
}

/// One identifier found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the end.
    pub end: usize,
    /// What was found.
    pub kind: EntityKind,
    /// The entity it denotes (dictionary entity for names and mentions, else the text).
    pub entity: String,
    /// True when the span is a dictionary name or login matched as a bare word
    /// (not a mention, e-mail or other pattern): the hits the redaction report counts.
    pub dictionary: bool,
}

/// Known names and logins, each mapped to an entity key (for example the login).
///
/// Aliases are matched as bare words. Aliases set aside by
/// [`NameDictionary::guard_common_words`] are kept as *mention-only*: they are no
/// longer matched as words but still name their entity when written as a mention
/// (`[~link]`, `@link`), so consistent placeholders stay consistent.
#[derive(Debug, Clone, Default)]
pub struct NameDictionary {
    aliases: HashMap<String, String>,
    mention_only: HashMap<String, String>,
}

/// A dictionary entry the guard would not use as a name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedEntry {
    /// The alias as given (a login or a name part).
    pub alias: String,
    /// The entity it belonged to.
    pub entity: String,
    /// Why it is an ordinary word.
    pub reason: vocabulary::WordClass,
}

impl NameDictionary {
    /// An empty dictionary.
    pub fn new() -> Self {
        NameDictionary::default()
    }

    /// Adds `alias` (exact text, at least 2 characters after trimming) for `entity`.
    /// The first entity given for an alias keeps it.
    pub fn add(&mut self, alias: &str, entity: &str) {
        let a = alias.trim();
        if a.chars().count() >= 2 {
            self.aliases
                .entry(a.to_string())
                .or_insert_with(|| entity.to_string());
        }
    }

    /// Adds a person: their login, their full name and, when `name_parts` is set, each
    /// part of the name of at least 3 characters (so "Thanks, Jane" is caught).
    pub fn add_person(&mut self, login: &str, display_name: &str, name_parts: bool) {
        self.add(login, login);
        self.add(display_name, login);
        if name_parts {
            for part in display_name.split_whitespace() {
                if part.chars().count() >= 3 {
                    self.add(part, login);
                }
            }
        }
    }

    /// The redaction guard: every single-word alias that is a stop word, a
    /// common English word or a code token ([`vocabulary::word_class`]) stops
    /// being matched as a name, because redacting it would replace ordinary
    /// words (a display name "Tom and Jerry" split into parts would otherwise
    /// turn every `and` into a placeholder). Multi-word aliases are kept. The
    /// entries set aside stay known for mentions (`[~link]` still names its
    /// entity). Returns them sorted by alias; calling it again returns nothing new.
    pub fn guard_common_words(&mut self) -> Vec<SkippedEntry> {
        let mut skipped: Vec<SkippedEntry> = self
            .aliases
            .iter()
            .filter_map(|(alias, entity)| {
                vocabulary::word_class(alias).map(|reason| SkippedEntry {
                    alias: alias.clone(),
                    entity: entity.clone(),
                    reason,
                })
            })
            .collect();
        skipped.sort_by(|a, b| a.alias.cmp(&b.alias));
        for s in &skipped {
            self.aliases.remove(&s.alias);
            self.mention_only
                .entry(s.alias.clone())
                .or_insert_with(|| s.entity.clone());
        }
        skipped
    }

    /// Number of aliases matched as words.
    pub fn len(&self) -> usize {
        self.aliases.len()
    }

    /// True when there are no aliases matched as words.
    pub fn is_empty(&self) -> bool {
        self.aliases.is_empty()
    }

    /// The entity of an alias (also of a mention-only alias).
    pub fn entity_of(&self, alias: &str) -> Option<&str> {
        self.aliases
            .get(alias)
            .or_else(|| self.mention_only.get(alias))
            .map(String::as_str)
    }
}

/// Prefixes shaped like issue keys that are standards or algorithms, not keys.
const NOT_ISSUE_PREFIXES: &[&str] = &[
    "UTF", "SHA", "ISO", "RFC", "TLS", "SSL", "AES", "MD", "HTTP", "IPV", "CP", "UCS", "RSA",
    "PEP", "JSR", "JEP", "ECMA", "IEEE",
];

fn build(pattern: &str) -> Result<Regex, DataError> {
    RegexBuilder::new(pattern)
        .size_limit(1 << 28)
        .dfa_size_limit(1 << 28)
        .build()
        .map_err(|e| {
            DataError::Invalid(format!("internal redaction pattern failed to compile: {e}"))
        })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Finds many literal values at once (the multi-pattern automaton of Aho &
/// Corasick, CACM 18(6), 1975, via the `aho-corasick` crate), with ASCII word
/// boundaries where a value starts or ends with an ASCII word character, and
/// resolves overlaps leftmost first, longest first (as a regex alternation
/// ordered by length would). A regex alternation of thousands of names leaves
/// the regex crate's fast paths and is tens of times slower on real text.
#[derive(Debug, Clone)]
pub struct LiteralMatcher {
    ac: aho_corasick::AhoCorasick,
    values: Vec<String>,
    bound_start: Vec<bool>,
    bound_end: Vec<bool>,
}

impl LiteralMatcher {
    /// Builds the automaton over `values` (deduplicated); with
    /// `ascii_case_insensitive`, ASCII letters match either case.
    pub fn new(values: &[&str], ascii_case_insensitive: bool) -> Result<Self, DataError> {
        let mut values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        values.sort();
        values.dedup();
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .ascii_case_insensitive(ascii_case_insensitive)
            .build(&values)
            .map_err(|e| {
                DataError::Invalid(format!(
                    "the {} values do not fit one scanner ({e})",
                    values.len()
                ))
            })?;
        let bound_start = values
            .iter()
            .map(|v| v.bytes().next().is_some_and(is_word_byte))
            .collect();
        let bound_end = values
            .iter()
            .map(|v| v.bytes().last().is_some_and(is_word_byte))
            .collect();
        Ok(LiteralMatcher {
            ac,
            values,
            bound_start,
            bound_end,
        })
    }

    /// Non-overlapping matches `(start, end, value)` in text order; `value` is
    /// the pattern matched (its case may differ from the text's when matching
    /// ignores case).
    pub fn find<'a>(&'a self, text: &str) -> Vec<(usize, usize, &'a str)> {
        let bytes = text.as_bytes();
        let mut found: Vec<(usize, usize, usize)> = self
            .ac
            .find_overlapping_iter(text)
            .filter(|m| {
                let i = m.pattern().as_usize();
                (!self.bound_start[i] || m.start() == 0 || !is_word_byte(bytes[m.start() - 1]))
                    && (!self.bound_end[i]
                        || m.end() == bytes.len()
                        || !is_word_byte(bytes[m.end()]))
            })
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out = Vec::with_capacity(found.len());
        let mut covered = 0usize;
        for (s, e, i) in found {
            if s >= covered {
                covered = e;
                out.push((s, e, self.values[i].as_str()));
            }
        }
        out
    }
}

/// Finds identifiers in text: one regular expression per enabled kind and the
/// dictionary's names.
#[derive(Debug, Clone)]
pub struct IdentifierDetector {
    patterns: Vec<(EntityKind, Regex)>,
    names: Option<LiteralMatcher>,
    dictionary: HashMap<String, String>,
    case_insensitive: bool,
}

impl IdentifierDetector {
    /// Builds the scanners for `kinds` and the dictionary; with
    /// `case_insensitive_names`, dictionary names match ignoring ASCII case.
    pub fn new(
        dictionary: &NameDictionary,
        kinds: &[EntityKind],
        case_insensitive_names: bool,
    ) -> Result<Self, DataError> {
        let on = |k| kinds.contains(&k);
        let mut patterns = Vec::new();
        if on(EntityKind::Url) {
            patterns.push((
                EntityKind::Url,
                build(r#"(?:(?:https?|ftp|ssh|git)://|www\.)[^\s<>"'\[\]{}|\\^`]+"#)?,
            ));
        }
        if on(EntityKind::Email) {
            patterns.push((
                EntityKind::Email,
                build(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")?,
            ));
        }
        if on(EntityKind::Person) {
            patterns.push((
                EntityKind::Person,
                build(r"\[~[^\]\s]+\]|@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")?,
            ));
        }
        if on(EntityKind::Ip) {
            patterns.push((
                EntityKind::Ip,
                build(r"(?-u:\b)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?-u:\b)|(?-u:\b)(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?-u:\b)")?,
            ));
        }
        if on(EntityKind::Phone) {
            patterns.push((
                EntityKind::Phone,
                build(r"(?:\+[0-9]{1,3}[ .-]?)?(?:\([0-9]{2,4}\)[ .-]?)?[0-9]{1,4}[ .-][0-9]{3,4}(?:[ .-][0-9]{3,4})?")?,
            ));
        }
        if on(EntityKind::Host) {
            patterns.push((
                EntityKind::Host,
                build(r"(?i)(?-u:\b)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|io|dev|app|ai|co|cloud|internal|local|localdomain|corp|lan|intranet|example|test)(?-u:\b)")?,
            ));
        }
        if on(EntityKind::IssueKey) {
            patterns.push((
                EntityKind::IssueKey,
                build(r"(?-u:\b)[A-Z][A-Z0-9]{1,9}-[0-9]{1,7}(?-u:\b)")?,
            ));
        }
        let mut aliases: Vec<&String> = dictionary.aliases.keys().collect();
        // Longest first so "Jane Doe" wins over "Jane"; ties by text for a stable pattern.
        aliases.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        // Dictionary names: one Aho-Corasick automaton (leftmost, longest first,
        // ASCII word boundaries where an alias starts or ends with a word byte).
        let names = if on(EntityKind::Person) && !aliases.is_empty() {
            let values: Vec<&str> = aliases.iter().map(|a| a.as_str()).collect();
            Some(LiteralMatcher::new(&values, case_insensitive_names)?)
        } else {
            None
        };
        // Lookup of entities: word aliases first, mention-only aliases after
        // (so a word alias keeps its entity when both exist).
        let mut lookup: HashMap<String, String> = HashMap::new();
        for (a, e) in dictionary.aliases.iter().chain(&dictionary.mention_only) {
            let key = if case_insensitive_names {
                a.to_ascii_lowercase()
            } else {
                a.clone()
            };
            lookup.entry(key).or_insert_with(|| e.clone());
        }
        let dictionary = lookup;
        Ok(IdentifierDetector {
            patterns,
            names,
            dictionary,
            case_insensitive: case_insensitive_names,
        })
    }

    fn dictionary_entity(&self, alias: &str) -> Option<&String> {
        if self.case_insensitive {
            self.dictionary.get(&alias.to_ascii_lowercase())
        } else {
            self.dictionary.get(alias)
        }
    }

    /// Every identifier in `text`: non-overlapping spans in text order, chosen
    /// leftmost first and, at the same start, longest first.
    pub fn find(&self, text: &str) -> Vec<Span> {
        let bytes = text.as_bytes();
        let mut candidates: Vec<Span> = Vec::new();
        for (kind, re) in &self.patterns {
            for m in re.find_iter(text) {
                let (mut start, mut end) = (m.start(), m.end());
                let s = m.as_str();
                match kind {
                    EntityKind::Url => {
                        while end > start
                            && matches!(
                                bytes[end - 1],
                                b'.' | b',' | b';' | b':' | b'!' | b'?' | b')'
                            )
                        {
                            end -= 1;
                        }
                    }
                    // The @ of an e-mail address is not a mention.
                    EntityKind::Person
                        if s.starts_with('@')
                            && start > 0
                            && (is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'.') =>
                    {
                        continue;
                    }
                    // Dotted quads need every octet <= 255.
                    EntityKind::Ip
                        if !s.contains(':')
                            && !s
                                .split('.')
                                .all(|o| o.parse::<u16>().is_ok_and(|v| v <= 255)) =>
                    {
                        continue;
                    }
                    EntityKind::Phone => {
                        let digits = s.bytes().filter(u8::is_ascii_digit).count();
                        if digits < 7
                            || (start > 0
                                && (is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'.'))
                        {
                            continue;
                        }
                        if end < bytes.len()
                            && (is_word_byte(bytes[end])
                                || (bytes[end] == b'.'
                                    && end + 1 < bytes.len()
                                    && bytes[end + 1].is_ascii_digit()))
                        {
                            continue;
                        }
                    }
                    EntityKind::IssueKey => {
                        let prefix = &s[..s.find('-').unwrap_or(s.len())];
                        if NOT_ISSUE_PREFIXES.contains(&prefix) {
                            continue;
                        }
                    }
                    _ => {}
                }
                if end <= start {
                    continue;
                }
                let value = &text[start..end];
                let entity = if *kind == EntityKind::Person {
                    let login = value
                        .trim_start_matches("[~")
                        .trim_end_matches(']')
                        .trim_start_matches('@');
                    self.dictionary_entity(login)
                        .cloned()
                        .unwrap_or_else(|| login.to_string())
                } else {
                    value.to_string()
                };
                start = start.min(end);
                candidates.push(Span {
                    start,
                    end,
                    kind: *kind,
                    entity,
                    dictionary: false,
                });
            }
        }
        if let Some(names) = &self.names {
            for (start, end, _) in names.find(text) {
                let matched = &text[start..end];
                let entity = self
                    .dictionary_entity(matched)
                    .cloned()
                    .unwrap_or_else(|| matched.to_string());
                candidates.push(Span {
                    start,
                    end,
                    kind: EntityKind::Person,
                    entity,
                    dictionary: true,
                });
            }
        }
        candidates.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.end.cmp(&a.end))
                .then(a.kind.cmp(&b.kind))
        });
        let mut chosen: Vec<Span> = Vec::with_capacity(candidates.len());
        let mut covered = 0usize;
        for c in candidates {
            if c.start >= covered {
                covered = c.end;
                chosen.push(c);
            }
        }
        chosen
    }

    /// The dictionary key a matched alias counts under: the text itself, or its
    /// ASCII lower case when names are matched ignoring case.
    pub fn fired_key(&self, matched: &str) -> String {
        if self.case_insensitive {
            matched.to_ascii_lowercase()
        } else {
            matched.to_string()
        }
    }
}

/// True when `value` has the shape of a machine account id: a UUID
/// (`8-4-4-4-12` hex digits), an Atlassian account id (24 hex digits, or
/// `digits:UUID`), or another hex string of 16 to 64 digits that mixes digits
/// and letters (hashes and keys have this shape too).
pub fn looks_like_account_id(value: &str) -> bool {
    let v = value.trim();
    let v = v.strip_prefix("accountid:").unwrap_or(v);
    let is_uuid = |s: &str| {
        let parts: Vec<&str> = s.split('-').collect();
        parts.len() == 5
            && parts
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
    };
    if is_uuid(v) {
        return true;
    }
    if let Some((prefix, rest)) = v.split_once(':') {
        return !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_digit()) && is_uuid(rest);
    }
    (16..=64).contains(&v.len())
        && v.chars().all(|c| c.is_ascii_hexdigit())
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_matcher_is_leftmost_longest_with_ascii_boundaries() {
        let m = LiteralMatcher::new(&["Jane", "Jane Doe", "Ab", "Ab-c", "é-x"], false).unwrap();
        let found = |t: &str| -> Vec<String> {
            m.find(t)
                .into_iter()
                .map(|(_, _, v)| v.to_string())
                .collect()
        };
        assert_eq!(found("Jane Doe and Janet and Jane"), ["Jane Doe", "Jane"]);
        // The longest alternative fails its end boundary; the shorter one matches.
        assert_eq!(found("Ab-cd"), ["Ab"]);
        // No boundary is asked next to a non-ASCII first character.
        assert_eq!(found("café-x"), ["é-x"]);
        let ci = LiteralMatcher::new(&["Jane"], true).unwrap();
        assert_eq!(ci.find("JANE").len(), 1);
    }

    #[test]
    fn detector_finds_kinds_leftmost_longest() {
        let mut d = NameDictionary::new();
        d.add_person("jdoe", "Jane Doe", true);
        let det = IdentifierDetector::new(&d, &EntityKind::ALL, false).unwrap();
        let text =
            "see https://jira.example.com/browse/PAY-12 and mail jane.doe@example.com, thanks Jane";
        let found: Vec<(EntityKind, &str, &str, bool)> = det
            .find(text)
            .iter()
            .map(|s| (s.kind, &text[s.start..s.end], "", s.dictionary))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    EntityKind::Url,
                    "https://jira.example.com/browse/PAY-12",
                    "",
                    false
                ),
                (EntityKind::Email, "jane.doe@example.com", "", false),
                (EntityKind::Person, "Jane", "", true),
            ]
        );
        // Only the kinds asked for are scanned.
        let emails = IdentifierDetector::new(&d, &[EntityKind::Email], false).unwrap();
        assert_eq!(emails.find(text).len(), 1);
        assert_eq!(det.find(text)[2].entity, "jdoe");
    }

    #[test]
    fn kind_names_parse_and_unknown_names_are_refused() {
        assert_eq!(
            EntityKind::parse(" Issue-Key ").unwrap(),
            EntityKind::IssueKey
        );
        assert_eq!(EntityKind::parse("mention").unwrap(), EntityKind::Person);
        let err = EntityKind::parse("ssn").unwrap_err().to_string();
        assert!(err.starts_with("unknown identifier kind `ssn`"), "{err}");
    }

    #[test]
    fn masks_and_account_ids() {
        assert_eq!(mask_identifier("jane@example.com"), "j***@e******.com");
        assert_eq!(mask_identifier("10.1.2.3"), "1*.*.*.*");
        assert!(looks_like_account_id("5b10ac8d82e05b22cc7d4ef5"));
        assert!(looks_like_account_id(
            "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"
        ));
        assert!(!looks_like_account_id("deadbeefdeadbeef"));
    }
}
