//! Redaction of identifiers in free text: e-mail addresses, URLs, IPv4
//! addresses, host names, issue keys, @mentions and Jira `[~login]` mentions,
//! telephone numbers, and a dictionary of known names and logins (taken from
//! the identifier and author columns of the data).
//!
//! Scanning uses the `regex` crate (finite automata, linear time, no
//! backtracking). All candidate spans are collected and resolved leftmost,
//! longest first, so a URL swallows the host and issue key inside it and an
//! e-mail swallows its domain. Placeholders come in three styles: typed
//! (`<PERSON>`, `<EMAIL>`), uniform (`[REDACTED]`) and consistent
//! (`PERSON_7`: the 7th distinct person in the order first met, with one
//! [`Numbering`] shared across a whole corpus; dictionary aliases of one
//! entity, such as a login and a display name, share a number).
//!
//! What it does not do: named-entity recognition of names that are not in the
//! dictionary, IPv6 in compressed form, or addresses and numbers written out in
//! words. Issue-key detection excludes common non-key prefixes (UTF-8, SHA-256,
//! ISO-8601, ...); everything else shaped `ABC-123` is treated as a key.

pub mod vocabulary;

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use regex::{Regex, RegexBuilder};

use super::AnonymizeError;

/// Kinds of identifier the redactor finds.
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
    pub fn parse(name: &str) -> Result<Self, AnonymizeError> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "person" | "name" | "mention" => EntityKind::Person,
            "email" => EntityKind::Email,
            "url" => EntityKind::Url,
            "ip" => EntityKind::Ip,
            "host" => EntityKind::Host,
            "issue_key" | "issue-key" | "key" => EntityKind::IssueKey,
            "phone" => EntityKind::Phone,
            other => {
                return Err(AnonymizeError::Invalid(format!(
                    "unknown identifier kind `{other}`; use person, email, url, ip, host, issue_key or phone"
                )))
            }
        })
    }
}

/// How a found identifier is replaced.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PlaceholderStyle {
    /// `<PERSON>`, `<EMAIL>`, ...
    Typed,
    /// `[REDACTED]` for every kind.
    Redacted,
    /// `PERSON_7`: numbered per distinct entity, consistent across a corpus.
    Consistent,
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

/// Which kinds to redact and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactionConfig {
    /// Kinds to redact (default: all).
    pub kinds: Vec<EntityKind>,
    /// Placeholder style.
    pub style: PlaceholderStyle,
    /// Match dictionary names ignoring ASCII case.
    pub case_insensitive_names: bool,
}

impl Default for RedactionConfig {
    fn default() -> Self {
        RedactionConfig {
            kinds: EntityKind::ALL.to_vec(),
            style: PlaceholderStyle::Typed,
            case_insensitive_names: false,
        }
    }
}

/// Consistent placeholder numbers: the n-th distinct entity of a kind gets `n`.
/// Share one `Numbering` across all columns and rows of a release.
#[derive(Debug, Clone, Default)]
pub struct Numbering {
    numbers: HashMap<(EntityKind, String), usize>,
    next: HashMap<EntityKind, usize>,
}

impl Numbering {
    /// A fresh numbering.
    pub fn new() -> Self {
        Numbering::default()
    }

    /// The number of `entity` of `kind`, assigning the next one on first sight.
    pub fn number(&mut self, kind: EntityKind, entity: &str) -> usize {
        if let Some(n) = self.numbers.get(&(kind, entity.to_string())) {
            return *n;
        }
        let n = self.next.entry(kind).or_insert(0);
        *n += 1;
        let n = *n;
        self.numbers.insert((kind, entity.to_string()), n);
        n
    }
}

/// Prefixes shaped like issue keys that are standards or algorithms, not keys.
const NOT_ISSUE_PREFIXES: &[&str] = &[
    "UTF", "SHA", "ISO", "RFC", "TLS", "SSL", "AES", "MD", "HTTP", "IPV", "CP", "UCS", "RSA",
    "PEP", "JSR", "JEP", "ECMA", "IEEE",
];

/// Finds and replaces identifiers in text.
#[derive(Debug, Clone)]
pub struct Redactor {
    patterns: Vec<(EntityKind, Regex)>,
    names: Option<LiteralMatcher>,
    dictionary: HashMap<String, String>,
    case_insensitive: bool,
    style: PlaceholderStyle,
}

fn build(pattern: &str) -> Result<Regex, AnonymizeError> {
    RegexBuilder::new(pattern)
        .size_limit(1 << 28)
        .dfa_size_limit(1 << 28)
        .build()
        .map_err(|e| {
            AnonymizeError::Invalid(format!("internal redaction pattern failed to compile: {e}"))
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
    pub fn new(values: &[&str], ascii_case_insensitive: bool) -> Result<Self, AnonymizeError> {
        let mut values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        values.sort();
        values.dedup();
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .ascii_case_insensitive(ascii_case_insensitive)
            .build(&values)
            .map_err(|e| {
                AnonymizeError::Invalid(format!(
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

impl Redactor {
    /// Builds the scanners for `config.kinds` and the dictionary.
    pub fn new(
        dictionary: &NameDictionary,
        config: &RedactionConfig,
    ) -> Result<Self, AnonymizeError> {
        let on = |k| config.kinds.contains(&k);
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
            Some(LiteralMatcher::new(&values, config.case_insensitive_names)?)
        } else {
            None
        };
        // Lookup of entities: word aliases first, mention-only aliases after
        // (so a word alias keeps its entity when both exist).
        let mut lookup: HashMap<String, String> = HashMap::new();
        for (a, e) in dictionary.aliases.iter().chain(&dictionary.mention_only) {
            let key = if config.case_insensitive_names {
                a.to_ascii_lowercase()
            } else {
                a.clone()
            };
            lookup.entry(key).or_insert_with(|| e.clone());
        }
        let dictionary = lookup;
        Ok(Redactor {
            patterns,
            names,
            dictionary,
            case_insensitive: config.case_insensitive_names,
            style: config.style,
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

    /// The placeholder for one span.
    pub fn placeholder(&self, span: &Span, numbering: &mut Numbering) -> String {
        match self.style {
            PlaceholderStyle::Typed => format!("<{}>", span.kind.label()),
            PlaceholderStyle::Redacted => "[REDACTED]".to_string(),
            PlaceholderStyle::Consistent => format!(
                "{}_{}",
                span.kind.label(),
                numbering.number(span.kind, &span.entity)
            ),
        }
    }

    /// Replaces precomputed `spans` of `text` (as returned by [`Redactor::find`]).
    pub fn apply(&self, text: &str, spans: &[Span], numbering: &mut Numbering) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for s in spans {
            out.push_str(&text[at..s.start]);
            out.push_str(&self.placeholder(s, numbering));
            at = s.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// Redacts one text.
    pub fn redact(&self, text: &str, numbering: &mut Numbering) -> String {
        let spans = self.find(text);
        self.apply(text, &spans, numbering)
    }

    /// Redacts a column: scanning runs in parallel, placeholder numbering in row order
    /// (so the output is deterministic). Missing values stay missing.
    pub fn redact_column(
        &self,
        texts: &[Option<&str>],
        numbering: &mut Numbering,
    ) -> Vec<Option<String>> {
        self.redact_column_counted(texts, numbering, &mut RedactionStats::default())
    }

    /// As [`Redactor::redact_column`], adding what was replaced to `stats`.
    pub fn redact_column_counted(
        &self,
        texts: &[Option<&str>],
        numbering: &mut Numbering,
        stats: &mut RedactionStats,
    ) -> Vec<Option<String>> {
        let spans: Vec<Option<Vec<Span>>> =
            texts.par_iter().map(|t| t.map(|t| self.find(t))).collect();
        texts
            .iter()
            .zip(spans)
            .map(|(t, s)| match (t, s) {
                (Some(t), Some(s)) => {
                    stats.record(self, t, &s);
                    Some(self.apply(t, &s, numbering))
                }
                _ => None,
            })
            .collect()
    }

    /// The dictionary key a matched alias counts under: the text itself, or its
    /// ASCII lower case when names are matched ignoring case.
    fn fired_key(&self, matched: &str) -> String {
        if self.case_insensitive {
            matched.to_ascii_lowercase()
        } else {
            matched.to_string()
        }
    }
}

/// What a redaction replaced: spans per kind and how often each dictionary
/// entry fired as a bare word (the counts `reident redact` reports).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RedactionStats {
    /// Texts scanned (missing values are not counted).
    pub texts: usize,
    /// Texts with at least one replacement.
    pub texts_changed: usize,
    /// Replacements per kind (dictionary hits and mentions are both `person`).
    pub spans: BTreeMap<EntityKind, usize>,
    /// Replacements made by dictionary entries matched as words.
    pub dictionary_hits: usize,
    /// Per dictionary entry (as matched; lower case when matching ignores case):
    /// its entity and how often it fired.
    pub fired: BTreeMap<String, FiredEntry>,
}

/// How often one dictionary entry fired.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FiredEntry {
    /// The entity the entry names.
    pub entity: String,
    /// Replacements it made.
    pub count: usize,
}

impl RedactionStats {
    /// Counts the spans `redactor` found in `text`.
    pub fn record(&mut self, redactor: &Redactor, text: &str, spans: &[Span]) {
        self.texts += 1;
        if !spans.is_empty() {
            self.texts_changed += 1;
        }
        for s in spans {
            *self.spans.entry(s.kind).or_insert(0) += 1;
            if s.dictionary {
                self.dictionary_hits += 1;
                let e = self
                    .fired
                    .entry(redactor.fired_key(&text[s.start..s.end]))
                    .or_insert_with(|| FiredEntry {
                        entity: s.entity.clone(),
                        count: 0,
                    });
                e.count += 1;
            }
        }
    }
}

/// The text of a column of `df` (any type is cast to text), or an error naming the
/// column and the available columns.
pub fn text_column(
    df: &polars::prelude::DataFrame,
    name: &str,
    source: &str,
) -> Result<Vec<Option<String>>, AnonymizeError> {
    use polars::prelude::*;
    let col = df.column(name).map_err(|_| {
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        AnonymizeError::Invalid(format!(
            "{source}: no column `{name}`; the columns are: {}",
            names.join(", ")
        ))
    })?;
    let cast = col.cast(&DataType::String).map_err(|e| {
        AnonymizeError::Invalid(format!(
            "{source}: column `{name}` cannot be read as text: {e}"
        ))
    })?;
    let strs = cast.str().map_err(|e| {
        AnonymizeError::Invalid(format!(
            "{source}: column `{name}` cannot be read as text: {e}"
        ))
    })?;
    Ok(strs.iter().map(|v| v.map(str::to_string)).collect())
}

/// Adds every non-missing value of `columns` of `df` to `dictionary` as a person
/// (the value is its own entity; with `name_parts`, parts of multi-word names too).
pub fn dictionary_from_columns(
    dictionary: &mut NameDictionary,
    df: &polars::prelude::DataFrame,
    columns: &[String],
    name_parts: bool,
    source: &str,
) -> Result<(), AnonymizeError> {
    for c in columns {
        for v in text_column(df, c, source)?.into_iter().flatten() {
            dictionary.add_person(&v, &v, name_parts);
        }
    }
    Ok(())
}

/// Redacts the text `columns` of `df` in place (column order, then row order, for
/// consistent numbering). Unknown columns are an error naming the available ones.
pub fn redact_frame(
    df: &mut polars::prelude::DataFrame,
    columns: &[String],
    redactor: &Redactor,
    numbering: &mut Numbering,
    source: &str,
) -> Result<(), AnonymizeError> {
    redact_frame_counted(df, columns, redactor, numbering, source).map(|_| ())
}

/// As [`redact_frame`], returning what was replaced (spans per kind, dictionary
/// entries fired) over all `columns`.
pub fn redact_frame_counted(
    df: &mut polars::prelude::DataFrame,
    columns: &[String],
    redactor: &Redactor,
    numbering: &mut Numbering,
    source: &str,
) -> Result<RedactionStats, AnonymizeError> {
    use polars::prelude::*;
    let mut stats = RedactionStats::default();
    for name in columns {
        let values = text_column(df, name, source)?;
        let refs: Vec<Option<&str>> = values.iter().map(|v| v.as_deref()).collect();
        let redacted = redactor.redact_column_counted(&refs, numbering, &mut stats);
        let col = Column::new(name.as_str().into(), redacted);
        df.replace(name, col).map_err(|e| {
            AnonymizeError::Invalid(format!("{source}: cannot replace column `{name}`: {e}"))
        })?;
    }
    Ok(stats)
}

/// What `reident redact --report` writes: replacements per kind, every
/// dictionary entry that fired with its count (most frequent first), and the
/// entries the redaction guard set aside. Entries and entities are masked
/// ([`mask_identifier`]) unless `examples_included`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RedactionReport {
    /// Texts scanned.
    pub texts: usize,
    /// Texts with at least one replacement.
    pub texts_changed: usize,
    /// Replacements per kind.
    pub spans: BTreeMap<EntityKind, usize>,
    /// Dictionary entries matched as words (after the guard).
    pub dictionary_entries: usize,
    /// Replacements made by dictionary entries.
    pub dictionary_hits: usize,
    /// True when entries and entities are shown unmasked.
    pub examples_included: bool,
    /// Each entry that fired, most frequent first (ties by entry).
    pub fired: Vec<FiredReport>,
    /// Entries not used as names because they are ordinary words, sorted by entry.
    pub skipped: Vec<SkippedReport>,
}

/// One dictionary entry that fired.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FiredReport {
    /// The entry (masked unless examples are included).
    pub entry: String,
    /// Its entity (masked unless examples are included).
    pub entity: String,
    /// Replacements it made.
    pub count: usize,
}

/// One dictionary entry the guard set aside.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedReport {
    /// The entry (masked unless examples are included).
    pub entry: String,
    /// Its entity (masked unless examples are included).
    pub entity: String,
    /// Why it is an ordinary word.
    pub reason: vocabulary::WordClass,
}

impl RedactionReport {
    /// Builds the report of one redaction run.
    pub fn new(
        stats: &RedactionStats,
        skipped: &[SkippedEntry],
        dictionary_entries: usize,
        include_examples: bool,
    ) -> Self {
        let show = |v: &str| {
            if include_examples {
                v.to_string()
            } else {
                mask_identifier(v)
            }
        };
        let mut fired: Vec<(&String, &FiredEntry)> = stats.fired.iter().collect();
        fired.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        RedactionReport {
            texts: stats.texts,
            texts_changed: stats.texts_changed,
            spans: stats.spans.clone(),
            dictionary_entries,
            dictionary_hits: stats.dictionary_hits,
            examples_included: include_examples,
            fired: fired
                .into_iter()
                .map(|(entry, f)| FiredReport {
                    entry: show(entry),
                    entity: show(&f.entity),
                    count: f.count,
                })
                .collect(),
            skipped: skipped
                .iter()
                .map(|s| SkippedReport {
                    entry: show(&s.alias),
                    entity: show(&s.entity),
                    reason: s.reason,
                })
                .collect(),
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

    fn redactor(style: PlaceholderStyle) -> Redactor {
        let mut d = NameDictionary::new();
        d.add_person("jdoe", "Jane Doe", true);
        d.add_person("bsmith", "Bob Smith", true);
        Redactor::new(
            &d,
            &RedactionConfig {
                style,
                ..RedactionConfig::default()
            },
        )
        .expect("patterns compile")
    }

    #[test]
    fn typed_placeholders_for_each_kind() {
        let r = redactor(PlaceholderStyle::Typed);
        let mut n = Numbering::new();
        let text = "Hi [~jdoe], see https://jira.example.com/browse/PAY-12. Mail jane.doe@example.com, \
                    host db-01.use1.example.net (10.1.2.3), call +1 415 555 0142 re PAY-7; Bob Smith and @bsmith agree. UTF-8 stays.";
        assert_eq!(
            r.redact(text, &mut n),
            "Hi <PERSON>, see <URL>. Mail <EMAIL>, host <HOST> (<IP>), call <PHONE> re <ISSUE_KEY>; <PERSON> and <PERSON> agree. UTF-8 stays."
        );
    }

    #[test]
    fn consistent_numbers_share_entities() {
        let r = redactor(PlaceholderStyle::Consistent);
        let mut n = Numbering::new();
        // jdoe is met first (PERSON_1) via the mention; "Jane" and "Jane Doe" are aliases of
        // jdoe; "Bob" is a name part of bsmith (PERSON_2), as are "@bsmith" and "Smith".
        assert_eq!(
            r.redact("[~jdoe] asked Bob; Jane Doe agreed, thanks Jane", &mut n),
            "PERSON_1 asked PERSON_2; PERSON_1 agreed, thanks PERSON_1"
        );
        assert_eq!(
            r.redact("@bsmith and Smith", &mut n),
            "PERSON_2 and PERSON_2"
        );
        assert_eq!(
            r.redact("999.1.1.1 is not an IP; 1.2.3.4 is", &mut n),
            "999.1.1.1 is not an IP; IP_1 is"
        );
    }

    #[test]
    fn guard_sets_aside_ordinary_words_but_keeps_their_mentions() {
        let mut d = NameDictionary::new();
        d.add_person("tj", "Tom and Jerry", true);
        let skipped = d.guard_common_words();
        assert_eq!(
            skipped,
            vec![SkippedEntry {
                alias: "and".into(),
                entity: "tj".into(),
                reason: vocabulary::WordClass::StopWord,
            }]
        );
        assert!(d.guard_common_words().is_empty());
        // Still known for mentions: `[~and]` is the same person as `Tom`.
        assert_eq!(d.entity_of("and"), Some("tj"));
        let r = Redactor::new(
            &d,
            &RedactionConfig {
                style: PlaceholderStyle::Consistent,
                ..RedactionConfig::default()
            },
        )
        .expect("patterns compile");
        let mut n = Numbering::new();
        assert_eq!(
            r.redact("Tom and [~and] and Jerry", &mut n),
            "PERSON_1 and PERSON_1 and PERSON_1"
        );
        let mut stats = RedactionStats::default();
        let text = "Tom, Tom and Jerry";
        stats.record(&r, text, &r.find(text));
        assert_eq!(stats.dictionary_hits, 2);
        assert_eq!(stats.fired["Tom"].count, 1);
        assert_eq!(stats.fired["Tom and Jerry"].count, 1);
    }

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
    fn redacted_style_and_non_matches() {
        let r = redactor(PlaceholderStyle::Redacted);
        let mut n = Numbering::new();
        assert_eq!(
            r.redact("version 3.10.2 on 2024-01-15, retry.max.attempts=5", &mut n),
            "version 3.10.2 on 2024-01-15, retry.max.attempts=5"
        );
        assert_eq!(r.redact("(415) 555-0123!", &mut n), "[REDACTED]!");
    }
}
