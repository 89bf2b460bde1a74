//! Redaction of identifiers in free text: e-mail addresses, URLs, IPv4
//! addresses, host names, issue keys, @mentions and Jira `[~login]` mentions,
//! telephone numbers, and a dictionary of known names and logins (taken from
//! the identifier and author columns of the data).
//!
//! Finding them is `data::text::identifiers` ([`IdentifierDetector`], shared
//! with the text attacks and the direct-identifier scan, re-exported here);
//! this file replaces what the detector finds, counts what it replaced and
//! reads text columns of a table. Placeholders come in three styles: typed
//! (`<PERSON>`, `<EMAIL>`), uniform (`[REDACTED]`) and consistent
//! (`PERSON_7`: the 7th distinct person in the order first met, with one
//! [`Numbering`] shared across a whole corpus; dictionary aliases of one
//! entity, such as a login and a display name, share a number).
//!
//! What it does not do: detect anything the detector does not (its limits are
//! in `data::text::identifiers`), or undo a redaction.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::AnonymizeError;
pub use crate::data::text::identifiers::{
    looks_like_account_id, mask_identifier, EntityKind, IdentifierDetector, LiteralMatcher,
    NameDictionary, SkippedEntry, Span,
};
pub use crate::data::text::vocabulary;

/// How a found identifier is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceholderStyle {
    /// `<PERSON>`, `<EMAIL>`, ...
    Typed,
    /// `[REDACTED]` for every kind.
    Redacted,
    /// `PERSON_7`: numbered per distinct entity, consistent across a corpus.
    Consistent,
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

/// Finds (with an [`IdentifierDetector`]) and replaces identifiers in text.
#[derive(Debug, Clone)]
pub struct Redactor {
    detector: IdentifierDetector,
    style: PlaceholderStyle,
}

impl Redactor {
    /// Builds the scanners for `config.kinds` and the dictionary.
    pub fn new(
        dictionary: &NameDictionary,
        config: &RedactionConfig,
    ) -> Result<Self, AnonymizeError> {
        let detector =
            IdentifierDetector::new(dictionary, &config.kinds, config.case_insensitive_names)
                .map_err(|e| AnonymizeError::Invalid(e.to_string()))?;
        Ok(Redactor {
            detector,
            style: config.style,
        })
    }

    /// Every identifier in `text` (see [`IdentifierDetector::find`]).
    pub fn find(&self, text: &str) -> Vec<Span> {
        self.detector.find(text)
    }

    /// The detector the redactor replaces the findings of.
    pub fn detector(&self) -> &IdentifierDetector {
        &self.detector
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
                    .entry(redactor.detector.fired_key(&text[s.start..s.end]))
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
    let cast = crate::data::read::column_as_text(col).map_err(|e| {
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
