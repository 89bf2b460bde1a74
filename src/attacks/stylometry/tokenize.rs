//! Text cleaning and tokenization for stylometry: Unicode word segmentation
//! (UAX #29 via `unicode-segmentation`) and handling of Jira/Confluence wiki
//! markup, Markdown code fences and code blocks.
//!
//! Markup and code can each be kept (they are part of an author's habits) or
//! stripped (so that content words of pasted logs or formatting codes do not
//! dominate the word features). This module does not count features; see
//! `features`.

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// What to do with wiki markup (`*bold*`, `_italic_`, `h1.`, `[text|url]`,
/// bullets `*`/`#`/`-`, `{quote}`, `{color}`, `{{monospace}}`, `!image!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MarkupHandling {
    /// Leave the text as written.
    Keep,
    /// Remove the markup characters and keep the words they decorate (the
    /// text of a `[text|url]` link is kept, its URL dropped).
    #[default]
    Strip,
}

/// What to do with code: `{code}...{code}` and `{noformat}...{noformat}`
/// blocks and Markdown ``` fences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CodeHandling {
    /// Leave code blocks in the text.
    Keep,
    /// Remove code blocks including their delimiters.
    #[default]
    Strip,
}

/// Options of [`clean_text`] and [`words`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerOptions {
    /// Markup handling.
    pub markup: MarkupHandling,
    /// Code handling.
    pub code: CodeHandling,
    /// Lower-case words (Unicode lower-casing).
    pub lowercase: bool,
}

impl Default for TokenizerOptions {
    fn default() -> Self {
        Self {
            markup: MarkupHandling::Strip,
            code: CodeHandling::Strip,
            lowercase: true,
        }
    }
}

struct Patterns {
    code_block: Regex,
    noformat_block: Regex,
    fence: Regex,
    heading: Regex,
    bullet: Regex,
    link_with_text: Regex,
    link_bare: Regex,
    image: Regex,
    macro_tag: Regex,
    monospace: Regex,
    emphasis: Vec<Regex>,
}

/// Emphasis markers of Jira wiki markup.
const EMPHASIS_MARKERS: [&str; 7] = ["*", "_", "+", "^", "~", "??", "-"];

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("static regex");
        Patterns {
            // {code}, {code:java}, {code:title=x|borderStyle=solid} ... {code}
            code_block: re(r"(?s)\{code(?::[^}]*)?\}.*?\{code\}"),
            noformat_block: re(r"(?s)\{noformat(?::[^}]*)?\}.*?\{noformat\}"),
            fence: re(r"(?ms)^[ \t]*```[^\n]*\n.*?^[ \t]*```[^\n]*$"),
            heading: re(r"(?m)^[ \t]*h[1-6]\.[ \t]*"),
            bullet: re(r"(?m)^[ \t]*(?:[*#\-]+|\d+[.)])[ \t]+"),
            link_with_text: re(r"\[([^\[\]|\n]+)\|[^\[\]\n]+\]"),
            link_bare: re(r"\[(?:~|https?://|mailto:|#|\^)[^\[\]\n]*\]"),
            image: re(r"![^!\s][^!\n]*!"),
            macro_tag: re(
                r"\{(?:quote|panel|color|info|note|warning|tip|expand|anchor|toc)(?::[^}]*)?\}",
            ),
            monospace: re(r"\{\{([^{}\n]*)\}\}"),
            // *bold* _italic_ +underline+ ^sup^ ~sub~ ??citation?? -strike- when
            // the markers hug a word (one pattern per marker: no backreferences
            // in the `regex` crate).
            emphasis: EMPHASIS_MARKERS
                .iter()
                .map(|m| regex::escape(m))
                .map(|m| {
                    re(&format!(
                        r"(^|[\s(\[]){m}(\S(?:[^\n]*?\S)?){m}($|[\s.,;:!?)\]])"
                    ))
                })
                .collect(),
        }
    })
}

/// Returns `text` with code removed and markup stripped as `options` ask.
/// Line structure is kept (removed blocks leave an empty line) so that
/// formatting features can still count lines.
pub fn clean_text(text: &str, options: &TokenizerOptions) -> String {
    let p = patterns();
    // Each pattern runs only when its trigger text occurs: most prose has no
    // markup, and this keeps cleaning linear and cheap.
    let replace = |out: &mut String, re: &Regex, trigger: &str, with: &str| {
        if trigger.is_empty() || out.contains(trigger) {
            if let std::borrow::Cow::Owned(s) = re.replace_all(out, with) {
                *out = s;
            }
        }
    };
    let mut out = text.to_string();
    if options.code == CodeHandling::Strip {
        replace(&mut out, &p.code_block, "{code", "\n");
        replace(&mut out, &p.noformat_block, "{noformat", "\n");
        replace(&mut out, &p.fence, "```", "");
    }
    if options.markup == MarkupHandling::Strip {
        let lines_start = |pred: fn(u8) -> bool| {
            out.lines()
                .any(|l| l.trim_start().bytes().next().is_some_and(pred))
        };
        let has_heading = out
            .as_bytes()
            .windows(3)
            .any(|w| w[0] == b'h' && (b'1'..=b'6').contains(&w[1]) && w[2] == b'.');
        let has_bullet = lines_start(|b| matches!(b, b'*' | b'#' | b'-') || b.is_ascii_digit());
        if has_heading {
            replace(&mut out, &p.heading, "", "");
        }
        if has_bullet {
            replace(&mut out, &p.bullet, "", "");
        }
        replace(&mut out, &p.link_with_text, "|", "$1");
        replace(&mut out, &p.link_bare, "[", "");
        replace(&mut out, &p.image, "!", "");
        replace(&mut out, &p.macro_tag, "{", "");
        replace(&mut out, &p.monospace, "{{", "$1");
        // Emphasis can nest (*_x_*): two passes.
        for _ in 0..2 {
            for (emphasis, marker) in p.emphasis.iter().zip(EMPHASIS_MARKERS) {
                replace(&mut out, emphasis, marker, "$1$2$3");
            }
        }
    }
    out
}

/// The words of `text` after [`clean_text`]: Unicode (UAX #29) words, with the
/// typographic apostrophe U+2019 folded to `'` so that `don’t` and `don't` are
/// one word, lower-cased when asked.
pub fn words(text: &str, options: &TokenizerOptions) -> Vec<String> {
    let cleaned = clean_text(text, options);
    words_of_clean(&cleaned, options.lowercase)
}

/// Words of already cleaned text (see [`words`]).
pub fn words_of_clean(cleaned: &str, lowercase: bool) -> Vec<String> {
    cleaned
        .unicode_words()
        .map(|w| {
            // ASCII words (most of them) are lower-cased in one allocation;
            // for ASCII, `to_ascii_lowercase` equals `to_lowercase`.
            if w.is_ascii() {
                return if lowercase {
                    w.to_ascii_lowercase()
                } else {
                    w.to_string()
                };
            }
            let w = if w.contains('\u{2019}') {
                w.replace('\u{2019}', "'")
            } else {
                w.to_string()
            };
            if lowercase {
                w.to_lowercase()
            } else {
                w
            }
        })
        .collect()
}

/// The prefix of `text` holding its first `words` Unicode words (with the
/// punctuation and formatting between them); the whole text if shorter
/// (used to attack shortened texts, e.g. accuracy versus text length).
pub fn truncate_words(text: &str, words: usize) -> &str {
    if words == 0 {
        return "";
    }
    match text.unicode_word_indices().nth(words - 1) {
        Some((start, w)) => &text[..start + w.len()],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_words_and_apostrophes() {
        let o = TokenizerOptions::default();
        assert_eq!(
            words("Café naïve DON’T, Straße — 東京 ok", &o),
            vec!["café", "naïve", "don't", "straße", "東", "京", "ok"]
        );
    }

    #[test]
    fn jira_markup_stripped() {
        let o = TokenizerOptions::default();
        let t = "h2. Steps\n* *Open* the [settings page|https://x.example/s]\n# run {{make}}\n{code:java}\nint secret = 1;\n{code}\n{noformat}log line{noformat}\n```\nfenced code\n```\nDone _now_.";
        assert_eq!(
            words(t, &o),
            vec!["steps", "open", "the", "settings", "page", "run", "make", "done", "now"]
        );
    }

    #[test]
    fn markup_and_code_kept() {
        let o = TokenizerOptions {
            markup: MarkupHandling::Keep,
            code: CodeHandling::Keep,
            lowercase: false,
        };
        let t = "h1. Title\n{code}x = y{code}";
        assert_eq!(clean_text(t, &o), t);
        assert_eq!(words(t, &o), vec!["h1", "Title", "code", "x", "y", "code"]);
    }

    #[test]
    fn truncation_keeps_punctuation() {
        assert_eq!(
            truncate_words("Hello, world! How are you?", 2),
            "Hello, world"
        );
        assert_eq!(truncate_words("one two", 5), "one two");
        assert_eq!(truncate_words("one two", 0), "");
    }
}
