//! Formatting and punctuation habits of one raw document (the `format`
//! feature family of `features`): line lengths, blank/bullet/numbered/heading
//! line shares, markup rates, casing, word length, emoji, sign-off, spacing
//! after a period and per-1k-character punctuation rates. Computed on the
//! raw text (markup and code are habits here, not noise), with no training
//! statistics; `features` puts them in its matrix and `normalize` scales
//! them. Split out of `features.rs` to keep that file under ~700 lines.

/// Names of the formatting features, in column order.
pub const FORMATTING_FEATURES: &[&str] = &[
    "fmt:mean_line_chars",
    "fmt:sd_line_chars",
    "fmt:blank_line_share",
    "fmt:bullet_line_share",
    "fmt:numbered_line_share",
    "fmt:heading_line_share",
    "fmt:bold_per_1k_chars",
    "fmt:link_per_1k_chars",
    "fmt:code_block_per_1k_chars",
    "fmt:uppercase_letter_share",
    "fmt:capitalized_word_share",
    "fmt:all_caps_word_share",
    "fmt:mean_word_chars",
    "fmt:emoji_per_1k_chars",
    "fmt:sign_off",
    "fmt:double_space_after_period_share",
    "fmt:punct_period_per_1k_chars",
    "fmt:punct_comma_per_1k_chars",
    "fmt:punct_semicolon_per_1k_chars",
    "fmt:punct_colon_per_1k_chars",
    "fmt:punct_exclamation_per_1k_chars",
    "fmt:punct_question_per_1k_chars",
    "fmt:punct_paren_per_1k_chars",
    "fmt:punct_quote_per_1k_chars",
    "fmt:punct_dash_per_1k_chars",
    "fmt:punct_ellipsis_per_1k_chars",
];

fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F300..=0x1FAFF | 0x2600..=0x27BF | 0x1F000..=0x1F2FF | 0x2B00..=0x2BFF | 0xFE0F)
}

/// The formatting features of one raw document, in [`FORMATTING_FEATURES`]
/// order. Rates "per 1k chars" count per 1000 characters of the raw text.
pub fn formatting_features(text: &str) -> Vec<f64> {
    let n_chars = text.chars().count().max(1) as f64;
    let per_k = |c: usize| c as f64 * 1000.0 / n_chars;
    let lines: Vec<&str> = text.lines().collect();
    let n_lines = lines.len().max(1) as f64;
    let content: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let n_content = content.len().max(1) as f64;
    let lens: Vec<f64> = content.iter().map(|l| l.chars().count() as f64).collect();
    let mean_len = lens.iter().sum::<f64>() / n_content;
    let sd_len = if lens.len() > 1 {
        (lens.iter().map(|l| (l - mean_len).powi(2)).sum::<f64>() / (lens.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    let starts = |pred: &dyn Fn(&str) -> bool| {
        content.iter().filter(|l| pred(l.trim_start())).count() as f64 / n_content
    };
    let bullet = starts(&|l| {
        let marker: String = l
            .chars()
            .take_while(|c| matches!(c, '*' | '-' | '•'))
            .collect();
        !marker.is_empty() && l[marker.len()..].starts_with(' ')
    });
    let numbered = starts(&|l| {
        let digits = l.chars().take_while(char::is_ascii_digit).count();
        (digits > 0 && (l[digits..].starts_with(". ") || l[digits..].starts_with(") ")))
            || l.starts_with("# ")
    });
    let heading = starts(&|l| {
        let b = l.as_bytes();
        (b.len() >= 3 && b[0] == b'h' && (b'1'..=b'6').contains(&b[1]) && b[2] == b'.')
            || l.starts_with("##")
    });
    let count = |pat: &str| text.matches(pat).count();
    let bold = text
        .split_whitespace()
        .filter(|w| {
            let w = w.trim_end_matches(|c: char| ".,;:!?)".contains(c));
            (w.len() > 2 && w.starts_with('*') && w.ends_with('*'))
                || (w.len() > 4 && w.starts_with("**") && w.ends_with("**"))
        })
        .count();
    // Every URL (Jira `[text|url]`, Markdown `[text](url)` or bare) plus
    // Jira user links `[~name]`.
    let links = count("://") + count("[~");
    let code = count("{code") / 2 + count("{noformat}") / 2 + count("```") / 2;
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let upper =
        letters.iter().filter(|c| c.is_uppercase()).count() as f64 / letters.len().max(1) as f64;
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let n_words = words.len().max(1) as f64;
    let capitalized = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count() as f64
        / n_words;
    let all_caps = words
        .iter()
        .filter(|w| {
            w.chars().count() >= 2
                && w.chars().any(char::is_alphabetic)
                && !w.chars().any(char::is_lowercase)
        })
        .count() as f64
        / n_words;
    let mean_word = words.iter().map(|w| w.chars().count()).sum::<usize>() as f64 / n_words;
    let emoji = text.chars().filter(|&c| is_emoji(c)).count();
    let sign_off = content.last().map_or(0.0, |l| {
        let l = l.trim().to_lowercase();
        let openers = [
            "thanks",
            "thank you",
            "cheers",
            "regards",
            "best",
            "br",
            "thx",
            "ta,",
            "kind regards",
            "-- ",
            "—",
        ];
        if openers.iter().any(|o| l.starts_with(o)) {
            1.0
        } else {
            0.0
        }
    });
    let periods = count(". ").max(1) as f64;
    let double_space = count(".  ") as f64 / periods;
    let ellipsis = count("...") + count("…");
    let ch = |c: char| text.chars().filter(|&x| x == c).count();
    vec![
        mean_len,
        sd_len,
        (lines.len() as f64 - content.len() as f64) / n_lines,
        bullet,
        numbered,
        heading,
        per_k(bold),
        per_k(links),
        per_k(code),
        upper,
        capitalized,
        all_caps,
        mean_word,
        per_k(emoji),
        sign_off,
        double_space,
        per_k(ch('.')),
        per_k(ch(',')),
        per_k(ch(';')),
        per_k(ch(':')),
        per_k(ch('!')),
        per_k(ch('?')),
        per_k(ch('(')),
        per_k(ch('"') + ch('“') + ch('”') + ch('\'') + ch('‘') + ch('’')),
        per_k(ch('-') + ch('–') + ch('—')),
        per_k(ellipsis),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_counts() {
        let t = "h1. Title\n* one\n* two\n\nThanks!";
        let f = formatting_features(t);
        let get = |n: &str| f[FORMATTING_FEATURES.iter().position(|x| *x == n).unwrap()];
        // content lines: 4 (h1, two bullets, Thanks) -> bullets 2/4, heading 1/4.
        assert_eq!(get("fmt:bullet_line_share"), 0.5);
        assert_eq!(get("fmt:heading_line_share"), 0.25);
        assert_eq!(get("fmt:blank_line_share"), 0.2);
        assert_eq!(get("fmt:sign_off"), 1.0);
        assert_eq!(f.len(), FORMATTING_FEATURES.len());
        // "OK 🚀 go": 7 chars, 1 emoji -> 1000/7 per 1k; words OK, go: one
        // capitalized, one all-caps; letters O, K, g, o: half upper-case.
        let g = formatting_features("OK 🚀 go");
        let get = |n: &str| g[FORMATTING_FEATURES.iter().position(|x| *x == n).unwrap()];
        assert_eq!(get("fmt:emoji_per_1k_chars"), 1000.0 / 7.0);
        assert_eq!(get("fmt:all_caps_word_share"), 0.5);
        assert_eq!(get("fmt:capitalized_word_share"), 0.5);
        assert_eq!(get("fmt:uppercase_letter_share"), 0.5);
        assert_eq!(get("fmt:sign_off"), 0.0);
    }
}
