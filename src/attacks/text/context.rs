//! Identifier context: does an occurrence of a known login or name part in a
//! text read as a reference to a person, or as an ordinary word?
//!
//! A login such as `link` or `param`, or a name part such as `Will`, is also
//! a word; counting every occurrence as a surviving identifier turns a clean
//! release into a FAIL built on noise. The leak scan therefore counts such an
//! *ambiguous* value only where the text around it marks it as a person. The
//! rules, each with its reason:
//!
//! | rule | example | why it marks a person |
//! |---|---|---|
//! | `jira_mention` | `[~link]` | Jira's mention markup |
//! | `mention` | `ping @link` | `@` mention (GitHub, Confluence, Slack); not an e-mail (`a@b`), not Java/Javadoc syntax: `{@link X}`, `* @param`, `@X(`, `@interface`, a line holding only `@Override` |
//! | `email_local_part` | `link@apache.org` | the value is the local part of an e-mail address |
//! | `next_to_email` | `link <l@x.org>` | a name followed by its address is a sender line |
//! | `label` | `Assignee: link`, `user=link` | a field label naming a person (`user`, `username`, `login`, `author`, `reporter`, `assignee`, `owner`, `committer`, `reviewer`, `cc`, `contact`, `by`, `signed-off-by`, `co-authored-by`) before `:` or `=` |
//! | `by_phrase` | `reported by link` | a verb phrase that names the actor (`reported by`, `created by`, `fixed by`, `patch by`, `assigned to`, `thanks to`, ...); a bare `by` is not enough (`caused by`, `sorted by`, `replaced by` precede ordinary words) |
//! | `greeting` | `Thanks link!`, `Hi link,` | a greeting or ping word (`thanks`, `thank you`, `hi`, `hello`, `hey`, `dear`, `cc`, `ping`) right before, and nothing but punctuation or the line end after (`thanks, link is broken` does not count) |
//! | `vocative` | `link, can you check?` | the value, written in lower case, opens a line (after optional `>` quoting) followed by a comma; capitalised (`True, ...`) it is a sentence opener |
//! | `bot_line` | `link commented on PR #12` | the value opens a line of an activity notice (`commented on`, `opened a`, `merged`, `closed`, `wrote:`, `said:`, `pushed`, `approved`, `requested`, `has created a pull request`) |
//! | `with_name_parts` | `Link Smith` | the word before or after is another name part or the login of the same person |
//!
//! Nothing inside code (`{code}`/`{noformat}` blocks, Markdown fences, Jira
//! `{{monospace}}`, backtick spans) is identifier context: there `@param` and
//! `user: link` are program text.
//!
//! What it does not do: parse grammar. The rules are local patterns; a person
//! named `link` who is mentioned in plain prose ("I asked link") is not
//! counted, and the scan reports such hits as ambiguous rather than drop them.

use regex::Regex;

use crate::data::text::vocabulary;

/// Which identifier-context rule matched (see the module docs).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ContextRule {
    /// `[~value]`.
    JiraMention,
    /// `@value` outside code.
    Mention,
    /// `value@domain.tld`.
    EmailLocalPart,
    /// `value <address@domain.tld>`.
    NextToEmail,
    /// `user: value`, `assignee = value`, ...
    Label,
    /// `reported by value`, ...
    ByPhrase,
    /// `Thanks value!`, ...
    Greeting,
    /// `value,` opening a line.
    Vocative,
    /// `value commented on ...` opening a line.
    BotLine,
    /// Next to another part of the same person's name.
    WithNameParts,
}

const LABELS: &[&str] = &[
    "user",
    "username",
    "user name",
    "login",
    "author",
    "reporter",
    "assignee",
    "owner",
    "committer",
    "reviewer",
    "reviewers",
    "cc",
    "contact",
    "by",
    "signed-off-by",
    "co-authored-by",
    "reported-by",
    "reviewed-by",
];

const BY_PHRASES: &[&str] = &[
    "reported by",
    "created by",
    "filed by",
    "opened by",
    "raised by",
    "assigned to",
    "reviewed by",
    "committed by",
    "contributed by",
    "authored by",
    "written by",
    "submitted by",
    "fixed by",
    "resolved by",
    "closed by",
    "merged by",
    "patch by",
    "approved by",
    "thanks to",
    "credit to",
];

const GREETINGS: &[&str] = &[
    "thanks",
    "thank you",
    "thx",
    "hi",
    "hello",
    "hey",
    "dear",
    "cc",
    "ping",
];

const BOT_SUFFIXES: &[&str] = &[
    " commented on ",
    " opened a ",
    " merged ",
    " closed ",
    " wrote:",
    " said:",
    " pushed ",
    " approved ",
    " requested ",
    " has created a pull request",
];

/// Byte ranges of code in a text: `{code}`/`{noformat}` blocks, Markdown
/// fences, `{{monospace}}` and backtick spans. An unclosed block runs to the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeSpans {
    ranges: Vec<(usize, usize)>,
}

impl CodeSpans {
    /// True when byte `pos` is inside code.
    pub fn contains(&self, pos: usize) -> bool {
        let i = self.ranges.partition_point(|&(s, _)| s <= pos);
        i > 0 && pos < self.ranges[i - 1].1
    }

    /// The ranges, sorted and disjoint.
    pub fn ranges(&self) -> &[(usize, usize)] {
        &self.ranges
    }
}

/// The compiled patterns of the context rules; build once per scan.
#[derive(Debug, Clone)]
pub struct ContextDetector {
    block_marker: Regex,
    inline_code: Regex,
    email_start: Regex,
    email_after: Regex,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `s` ends with `phrase` (ASCII case-insensitive) and the phrase starts a word.
fn ends_with_word(s: &str, phrase: &str) -> bool {
    if s.len() < phrase.len() || !s.is_char_boundary(s.len() - phrase.len()) {
        return false;
    }
    let (head, tail) = s.split_at(s.len() - phrase.len());
    tail.eq_ignore_ascii_case(phrase) && !head.chars().next_back().is_some_and(is_word_char)
}

/// Extends `start..end` over `-`/`_`-joined word characters on both sides.
fn joined_token(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let word = |c: char| c.is_alphanumeric();
    loop {
        let mut rest = text[end..].chars();
        match (rest.next(), rest.next()) {
            (Some(j), Some(c)) if (j == '-' || j == '_') && word(c) => {
                end += j.len_utf8();
                end += text[end..]
                    .char_indices()
                    .find(|&(_, c)| !word(c))
                    .map_or(text.len() - end, |(i, _)| i);
            }
            _ => break,
        }
    }
    loop {
        let mut back = text[..start].chars().rev();
        match (back.next(), back.next()) {
            (Some(j), Some(c)) if (j == '-' || j == '_') && word(c) => {
                start -= j.len_utf8();
                start = text[..start]
                    .char_indices()
                    .rev()
                    .take_while(|&(_, c)| word(c))
                    .last()
                    .map_or(start, |(i, _)| i);
            }
            _ => break,
        }
    }
    (start, end)
}

impl Default for ContextDetector {
    fn default() -> Self {
        ContextDetector::new()
    }
}

impl ContextDetector {
    /// Compiles the patterns.
    pub fn new() -> Self {
        // Fixed patterns: a failure to compile is a bug caught by every test.
        let re = |p: &str| Regex::new(p).expect("built-in context pattern compiles");
        ContextDetector {
            block_marker: re(r"\{(?:code|noformat)(?::[^}\n]*)?\}|```"),
            inline_code: re(r"\{\{[^\n]*?\}\}|`[^`\n]+`"),
            email_start: re(r"^@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
            email_after: re(
                r"^[ \t]{0,3}[<(\[]?[ \t]?[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
            ),
        }
    }

    /// The code ranges of `text`.
    pub fn code_spans(&self, text: &str) -> CodeSpans {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        // Block markers toggle: {code}...{code}, {noformat}...{noformat}, ```...```.
        let mut open: Option<(usize, &str)> = None;
        for m in self.block_marker.find_iter(text) {
            let kind = if m.as_str() == "```" {
                "```"
            } else if m.as_str().starts_with("{code") {
                "{code"
            } else {
                "{noformat"
            };
            match open {
                None => open = Some((m.start(), kind)),
                Some((s, k)) if k == kind => {
                    ranges.push((s, m.end()));
                    open = None;
                }
                Some(_) => {}
            }
        }
        if let Some((s, _)) = open {
            ranges.push((s, text.len()));
        }
        for m in self.inline_code.find_iter(text) {
            ranges.push((m.start(), m.end()));
        }
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (s, e) in ranges {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        CodeSpans { ranges: merged }
    }

    /// True when the `@` at byte `at`, followed by the name ending at `name_end`,
    /// is program text rather than a mention: inside code, `{@tag`, a Javadoc
    /// line (`* @param`), `@Name(`, a Java keyword or well-known annotation
    /// (`@interface`, `@Override`), or a line holding only `@Name`.
    pub fn at_sign_is_code(
        &self,
        text: &str,
        at: usize,
        name_end: usize,
        code: &CodeSpans,
    ) -> bool {
        if code.contains(at) {
            return true;
        }
        let before = &text[..at];
        if before.ends_with('{') {
            return true;
        }
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let prefix = &text[line_start..at];
        let prefix_trim = prefix.trim();
        if !prefix_trim.is_empty() && prefix_trim.chars().all(|c| c == '*' || c == '/') {
            return true;
        }
        let after = &text[name_end..];
        if after.starts_with('(') {
            return true;
        }
        let name = &text[at + 1..name_end];
        if vocabulary::is_annotation_or_java_keyword(name) {
            return true;
        }
        let rest_of_line = after.split('\n').next().unwrap_or("");
        prefix_trim.is_empty() && rest_of_line.trim().is_empty()
    }

    /// The identifier-context rule that marks the occurrence `text[start..end]`
    /// as a person, if any. `same_person` says whether a neighbouring word is
    /// another name part or login of the same person (for `with_name_parts`).
    pub fn rule_at(
        &self,
        text: &str,
        start: usize,
        end: usize,
        code: &CodeSpans,
        same_person: &dyn Fn(&str) -> bool,
    ) -> Option<ContextRule> {
        if code.contains(start) {
            return None;
        }
        // A value joined to more word characters by `-` or `_` (`sreeb` in
        // `sreeb-msft`) is judged by the context of the whole joined token.
        let (start, end) = joined_token(text, start, end);
        let before = &text[..start];
        let after = &text[end..];
        if before.ends_with("[~") && after.starts_with(']') {
            return Some(ContextRule::JiraMention);
        }
        if let Some(b) = before.strip_suffix('@') {
            let prev = b.chars().next_back();
            let email_like = prev.is_some_and(|c| is_word_char(c) || c == '.');
            if !email_like && !self.at_sign_is_code(text, start - 1, end, code) {
                return Some(ContextRule::Mention);
            }
        }
        if self.email_start.is_match(after)
            && !before
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || "._%+-".contains(c))
        {
            return Some(ContextRule::EmailLocalPart);
        }
        if self.email_after.is_match(after) {
            return Some(ContextRule::NextToEmail);
        }
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_before = &text[line_start..start];
        let lb = line_before.trim_end();
        if let Some(head) = lb.strip_suffix(':').or_else(|| lb.strip_suffix('=')) {
            let head = head.trim_end();
            if LABELS.iter().any(|l| ends_with_word(head, l)) {
                return Some(ContextRule::Label);
            }
        }
        if BY_PHRASES.iter().any(|p| ends_with_word(lb, p)) {
            return Some(ContextRule::ByPhrase);
        }
        let greeting_head = lb.trim_end_matches([',', ' ', '\t']);
        if GREETINGS.iter().any(|g| ends_with_word(greeting_head, g)) {
            let rest = after.trim_start_matches([' ', '\t']);
            if rest.is_empty() || rest.starts_with([',', '!', '.', ':', ';', ')', '\n', '\r']) {
                return Some(ContextRule::Greeting);
            }
        }
        let opens_line = line_before.chars().all(|c| c == '>' || c.is_whitespace());
        // A capitalised word opening a line with a comma is usually a sentence
        // opener (`True, ...`, `Sure, ...`), so only a value written in lower
        // case there (`link, can you ...`) is read as addressing a person.
        let lower_initial = text[start..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_uppercase());
        if opens_line {
            if let Some(rest) = after.strip_prefix(',').filter(|_| lower_initial) {
                if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                    return Some(ContextRule::Vocative);
                }
            }
            if BOT_SUFFIXES.iter().any(|s| after.starts_with(s)) {
                return Some(ContextRule::BotLine);
            }
        }
        let word = |s: &str| !s.is_empty() && same_person(s);
        if let Some(b) = before.strip_suffix(' ') {
            let w_start = b
                .char_indices()
                .rev()
                .take_while(|&(_, c)| c.is_alphanumeric() || "-'.".contains(c))
                .last()
                .map_or(b.len(), |(i, _)| i);
            if word(b[w_start..].trim_end_matches('.')) {
                return Some(ContextRule::WithNameParts);
            }
        }
        if let Some(a) = after.strip_prefix(' ') {
            let w_end = a
                .char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || "-'".contains(c)))
                .map_or(a.len(), |(i, _)| i);
            if word(&a[..w_end]) {
                return Some(ContextRule::WithNameParts);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str, value: &str) -> Option<ContextRule> {
        let d = ContextDetector::new();
        let start = text.find(value).expect("value in text");
        let code = d.code_spans(text);
        d.rule_at(text, start, start + value.len(), &code, &|w| w == "Smith")
    }

    #[test]
    fn each_rule() {
        use ContextRule::*;
        assert_eq!(rule("see [~link] here", "link"), Some(JiraMention));
        assert_eq!(rule("ping @link please", "link"), Some(Mention));
        assert_eq!(rule("mail link@apache.org", "link"), Some(EmailLocalPart));
        assert_eq!(rule("From: x link <l@x.org>", "link"), Some(NextToEmail));
        assert_eq!(rule("Assignee: link", "link"), Some(Label));
        assert_eq!(rule("user = link", "link"), Some(Label));
        assert_eq!(rule("Reported by link yesterday", "link"), Some(ByPhrase));
        assert_eq!(rule("Thanks, link!", "link"), Some(Greeting));
        assert_eq!(rule("hi link\nmore", "link"), Some(Greeting));
        assert_eq!(rule("> link, can you check", "link"), Some(Vocative));
        assert_eq!(rule("True, user errors do no harm", "True"), None);
        assert_eq!(rule("link commented on PR #5", "link"), Some(BotLine));
        assert_eq!(rule("ask Link Smith", "Link"), Some(WithNameParts));
        // A value joined by `-` is judged with its whole token.
        assert_eq!(rule("link-msft commented on PR #5", "link"), Some(BotLine));
        assert_eq!(rule("a link-local address", "link"), None);
    }

    #[test]
    fn ordinary_words_and_code_have_no_context() {
        for (text, value) in [
            ("the link is broken", "link"),
            ("caused by link rot", "link"),
            ("thanks, link is broken", "link"),
            ("use {@link Foo} here", "link"),
            (" * @param name the name", "param"),
            ("@AwaitsFix(bugUrl = \"x\")", "AwaitsFix"),
            ("public @interface Foo", "interface"),
            ("@Override\npublic void run()", "Override"),
            ("{code}\nuser: link\n{code}", "link"),
            ("run {{@link}} now", "link"),
            ("the value `user=link` is set", "link"),
            ("mail a.link@x.org", "link"),
        ] {
            assert_eq!(rule(text, value), None, "{text}");
        }
    }

    #[test]
    fn code_spans_pair_markers() {
        let d = ContextDetector::new();
        let t = "a {code:java}x{code} b ```y``` c {noformat}z";
        let c = d.code_spans(t);
        assert_eq!(c.ranges().len(), 3);
        assert!(c.contains(t.find('x').unwrap()));
        assert!(!c.contains(t.find('b').unwrap()));
        assert!(c.contains(t.find('y').unwrap()));
        assert!(c.contains(t.find('z').unwrap()));
    }
}
