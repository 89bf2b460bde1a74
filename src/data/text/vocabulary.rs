//! Word lists that tell an ordinary word or a code token from a name: the
//! Snowball English stop words, a list of common English words, code tokens
//! (Java, Javadoc, Python keywords and well-known annotations), and US Census
//! first and last names.
//!
//! They serve three checks that must not take common words for people: the
//! redaction guard ([`super::identifiers::NameDictionary::guard_common_words`],
//! used by the redactor in `anonymize::text`), the identifier leak scan
//! (`attacks::text::leak`: a known login or name part that is such a word
//! counts only in identifier context) and the table scan for
//! direct-identifier columns (`privacy::direct_identifiers`: the name lists
//! are one piece of evidence that a column holds names). They live in `data`
//! so that all three can use them without importing one another.
//!
//! Sources (each file's SOURCE.md has the details and licences):
//! * `datasets/snowball/english.txt`: the Snowball English stop list (BSD-3).
//! * `datasets/wordlists/common_english.txt`: the 10,000 most frequent English
//!   words of wordfreq 3.1.1 (Speer, *wordfreq*, Zenodo 2022,
//!   doi:10.5281/zenodo.7199437; data CC-BY-SA 4.0), lower-case letters only,
//!   stop words removed, and words dropped whose use is mostly as a person's
//!   name by the 1990 US Census name files (so `Tom`, `Jerry`, `Smith`, `Chen`
//!   stay names while `link`, `good`, `interface` are common words).
//! * `datasets/wordlists/first_names.txt`, `last_names.txt`: 1990 US Census
//!   first names held by at least 0.01 % of men or women and the 1,000 most
//!   frequent last names (public domain, via the `names` package).
//! * The code tokens below: Java keywords (JLS SE 21 §3.9, contextual keywords
//!   included), Javadoc tags (JDK 21 *Documentation Comment Specification for
//!   the Standard Doclet*), Python 3.12 `keyword.kwlist` and `keyword.softkwlist`,
//!   and annotations of the Java platform, JUnit 4/5, JSR-305, Guava, Hadoop's
//!   InterfaceAudience/InterfaceStability and Lucene's test framework.
//!
//! Lookups lower-case the token (ASCII) except for annotations, which are
//! matched exactly (`Override`, `AwaitsFix`). The sets are built once on first
//! use from the embedded files (immutable data, no other global state).

use std::collections::HashSet;
use std::sync::OnceLock;

const SNOWBALL: &str = include_str!("../../../datasets/snowball/english.txt");
const COMMON_ENGLISH: &str = include_str!("../../../datasets/wordlists/common_english.txt");
const FIRST_NAMES: &str = include_str!("../../../datasets/wordlists/first_names.txt");
const LAST_NAMES: &str = include_str!("../../../datasets/wordlists/last_names.txt");

/// Java keywords, reserved literals and contextual keywords (JLS SE 21 §3.9, §3.10.3, §3.10.8).
pub const JAVA_KEYWORDS: &[&str] = &[
    "abstract",
    "assert",
    "boolean",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "class",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extends",
    "final",
    "finally",
    "float",
    "for",
    "goto",
    "if",
    "implements",
    "import",
    "instanceof",
    "int",
    "interface",
    "long",
    "native",
    "new",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "short",
    "static",
    "strictfp",
    "super",
    "switch",
    "synchronized",
    "this",
    "throw",
    "throws",
    "transient",
    "try",
    "void",
    "volatile",
    "while",
    "true",
    "false",
    "null",
    "exports",
    "module",
    "non-sealed",
    "open",
    "opens",
    "permits",
    "provides",
    "record",
    "requires",
    "sealed",
    "to",
    "transitive",
    "uses",
    "var",
    "when",
    "with",
    "yield",
];

/// Javadoc block and inline tags (JDK 21 documentation comment specification).
pub const JAVADOC_TAGS: &[&str] = &[
    "author",
    "code",
    "deprecated",
    "docRoot",
    "exception",
    "hidden",
    "index",
    "inheritDoc",
    "link",
    "linkplain",
    "literal",
    "param",
    "provides",
    "return",
    "see",
    "serial",
    "serialData",
    "serialField",
    "since",
    "snippet",
    "spec",
    "summary",
    "systemProperty",
    "throws",
    "uses",
    "value",
    "version",
];

/// Python 3.12 keywords and soft keywords (`keyword.kwlist`, `keyword.softkwlist`).
pub const PYTHON_KEYWORDS: &[&str] = &[
    "false", "none", "true", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "_", "case", "match", "type",
];

/// Well-known annotation names, matched exactly: java.lang, JUnit 4 and 5,
/// JSR-305, Guava, Hadoop's InterfaceAudience/InterfaceStability, Lucene's
/// test framework, Jackson and common dependency-injection annotations.
pub const ANNOTATIONS: &[&str] = &[
    "Override",
    "Deprecated",
    "SuppressWarnings",
    "FunctionalInterface",
    "SafeVarargs",
    "Retention",
    "Target",
    "Documented",
    "Inherited",
    "Repeatable",
    "Native",
    "Test",
    "Before",
    "After",
    "BeforeClass",
    "AfterClass",
    "Ignore",
    "Rule",
    "ClassRule",
    "RunWith",
    "Parameters",
    "Parameterized",
    "BeforeEach",
    "AfterEach",
    "BeforeAll",
    "AfterAll",
    "Disabled",
    "ParameterizedTest",
    "ValueSource",
    "MethodSource",
    "Timeout",
    "Tag",
    "Nested",
    "DisplayName",
    "Nullable",
    "Nonnull",
    "CheckForNull",
    "CheckReturnValue",
    "ThreadSafe",
    "NotThreadSafe",
    "Immutable",
    "GuardedBy",
    "VisibleForTesting",
    "Beta",
    "InterfaceAudience",
    "InterfaceStability",
    "Public",
    "Private",
    "LimitedPrivate",
    "Stable",
    "Evolving",
    "Unstable",
    "AwaitsFix",
    "BadApple",
    "Slow",
    "Nightly",
    "Weekly",
    "Monster",
    "Seed",
    "Repeat",
    "ThreadLeakScope",
    "JsonProperty",
    "JsonIgnore",
    "JsonCreator",
    "Inject",
    "Autowired",
    "Component",
    "Service",
    "Bean",
    "Configuration",
    "Generated",
];

/// Why a token is an ordinary word rather than evidence of a person.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum WordClass {
    /// A Snowball English stop word (`and`, `the`, `would`).
    StopWord,
    /// One of the common English words of `datasets/wordlists` (`link`, `interface`).
    CommonWord,
    /// A keyword, Javadoc tag or annotation of a programming language (`param`, `AwaitsFix`).
    CodeToken,
}

impl WordClass {
    /// A short human label (`stop word`, `common English word`, `code token`).
    pub fn label(self) -> &'static str {
        match self {
            WordClass::StopWord => "stop word",
            WordClass::CommonWord => "common English word",
            WordClass::CodeToken => "code token",
        }
    }
}

struct Lists {
    stop: HashSet<String>,
    common: HashSet<String>,
    code_lower: HashSet<String>,
    annotations: HashSet<&'static str>,
    first: HashSet<String>,
    last: HashSet<String>,
}

fn words(text: &str, comment: char) -> HashSet<String> {
    text.lines()
        .filter_map(|l| l.split(comment).next())
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| Lists {
        stop: words(SNOWBALL, '|'),
        common: words(COMMON_ENGLISH, '#'),
        code_lower: JAVA_KEYWORDS
            .iter()
            .chain(JAVADOC_TAGS)
            .chain(PYTHON_KEYWORDS)
            .map(|w| w.to_ascii_lowercase())
            .collect(),
        annotations: ANNOTATIONS.iter().copied().collect(),
        first: words(FIRST_NAMES, '#'),
        last: words(LAST_NAMES, '#'),
    })
}

/// True when `token` (any case) is a Snowball English stop word.
pub fn is_stop_word(token: &str) -> bool {
    lists().stop.contains(&token.to_ascii_lowercase())
}

/// True when `token` (any case) is in the common English word list.
pub fn is_common_word(token: &str) -> bool {
    lists().common.contains(&token.to_ascii_lowercase())
}

/// True when `token` is a Java/Python keyword or Javadoc tag (any case) or a
/// well-known annotation name (exact case).
pub fn is_code_token(token: &str) -> bool {
    let l = lists();
    l.annotations.contains(token) || l.code_lower.contains(&token.to_ascii_lowercase())
}

/// True when `token` (any case) is a Java keyword or a well-known annotation:
/// written after `@` it is Java syntax (`@interface`, `@Override`), not a mention.
pub fn is_annotation_or_java_keyword(token: &str) -> bool {
    lists().annotations.contains(token)
        || JAVA_KEYWORDS.contains(&token.to_ascii_lowercase().as_str())
}

/// The word class of a single token, checked in the order stop word, common
/// word, code token; `None` for anything else, including any value with white
/// space in it (a multi-word value is never an ordinary word by itself).
pub fn word_class(token: &str) -> Option<WordClass> {
    let t = token.trim();
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    if is_stop_word(t) {
        Some(WordClass::StopWord)
    } else if is_common_word(t) {
        Some(WordClass::CommonWord)
    } else if is_code_token(t) {
        Some(WordClass::CodeToken)
    } else {
        None
    }
}

/// True when `token` (any case) is a 1990 US Census first name held by at least
/// 0.01 % of men or women.
pub fn is_first_name(token: &str) -> bool {
    lists().first.contains(&token.to_lowercase())
}

/// True when `token` (any case) is one of the 1,000 most frequent 1990 US Census last names.
pub fn is_last_name(token: &str) -> bool {
    lists().last.contains(&token.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_known_words() {
        assert_eq!(word_class("and"), Some(WordClass::StopWord));
        assert_eq!(word_class("The"), Some(WordClass::StopWord));
        assert_eq!(word_class("Will"), Some(WordClass::CommonWord));
        assert_eq!(word_class("link"), Some(WordClass::CommonWord));
        assert_eq!(word_class("interface"), Some(WordClass::CommonWord));
        assert_eq!(word_class("param"), Some(WordClass::CodeToken));
        assert_eq!(word_class("AwaitsFix"), Some(WordClass::CodeToken));
        assert_eq!(word_class("awaitsfix"), None);
        // Names stay names: the census filter keeps them out of the common list.
        for name in ["Tom", "Jerry", "Jane", "Smith", "Chen", "steveloughran"] {
            assert_eq!(word_class(name), None, "{name}");
        }
        assert_eq!(word_class("Tom and Jerry"), None);
        assert!(is_first_name("Jerry") && is_first_name("jane"));
        assert!(is_last_name("Smith") && !is_last_name("link"));
        assert!(is_annotation_or_java_keyword("interface"));
        assert!(is_annotation_or_java_keyword("Override"));
        assert!(!is_annotation_or_java_keyword("link"));
    }
}
