//! HTML and Confluence storage format (XHTML) to plain text, for the text
//! attacks: tags dropped, blocks on their own lines, `<script>`/`<style>`
//! contents removed, the common entities decoded, and user mentions
//! collected (`data-username` of a Confluence user link in the HTML export;
//! `ri:userkey`, `ri:account-id` and `ri:username` of `<ri:user>` in the
//! storage format).
//!
//! It is not an HTML parser: it reads tags and text in one pass, which is
//! all that exported pages need; malformed markup degrades to its text.

/// Tags that start a new line.
const BLOCKS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "table",
    "ul",
    "ol",
    "hr",
    "ac:structured-macro",
    "ac:task",
];

/// The value of attribute `name` in the inside of a tag (`a href="x"`).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before_ok = at == 0 || rest.as_bytes()[at - 1].is_ascii_whitespace();
        let after = rest[at + name.len()..].trim_start();
        if before_ok {
            if let Some(value) = after.strip_prefix('=') {
                let value = value.trim_start();
                let quote = value.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let inner = &value[1..];
                    return inner.find(quote).map(|end| &inner[..end]);
                }
            }
        }
        rest = &rest[at + name.len()..];
    }
    None
}

/// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#39;`, `&nbsp;`
/// and numeric references; unknown entities stay as written.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text of an HTML or XHTML fragment, and the user mentions in it.
pub fn to_text(html: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(html.len() / 2);
    let mut mentions = Vec::new();
    let mut rest = html;
    let mut skipping: Option<&str> = None;
    while let Some(open) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&decode_entities(&rest[..open]));
        }
        let tail = &rest[open..];
        // CDATA inside storage format (code macros): keep its text.
        if let Some(cdata) = tail.strip_prefix("<![CDATA[") {
            let end = cdata.find("]]>").unwrap_or(cdata.len());
            if skipping.is_none() {
                out.push_str(&cdata[..end]);
            }
            rest = cdata.get(end + 3..).unwrap_or("");
            continue;
        }
        if let Some(comment) = tail.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
            continue;
        }
        let Some(close) = tail.find('>') else {
            break;
        };
        let inside = &tail[1..close];
        rest = &tail[close + 1..];
        let closing = inside.starts_with('/');
        let name: String = inside
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(skip) = skipping {
            if closing && name == skip {
                skipping = None;
            }
            continue;
        }
        if !closing && (name == "script" || name == "style") && !inside.ends_with('/') {
            skipping = Some(if name == "script" { "script" } else { "style" });
            continue;
        }
        if !closing {
            if name == "ri:user" {
                if let Some(u) = attribute(inside, "ri:account-id")
                    .or_else(|| attribute(inside, "ri:userkey"))
                    .or_else(|| attribute(inside, "ri:username"))
                {
                    mentions.push(u.to_string());
                    out.push_str(&format!("@{u}"));
                }
            } else if name == "a" {
                if let Some(u) = attribute(inside, "data-username") {
                    mentions.push(decode_entities(u));
                }
            }
        }
        if BLOCKS.contains(&name.as_str()) && !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        } else if (name == "td" || name == "th") && !closing {
            out.push(' ');
        }
    }
    if skipping.is_none() {
        out.push_str(&decode_entities(rest));
    }
    // Collapse runs of blank lines and trailing spaces.
    let mut text = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !text.is_empty() {
            text.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        text.push_str(line.trim_start_matches([' ', '\t']));
    }
    (text, mentions)
}

/// The inner HTML of the first element whose opening tag contains `marker`
/// (e.g. `id="main-content"`), matching nested tags of the same name.
pub fn element_with<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let at = html.find(marker)?;
    let open = html[..at].rfind('<')?;
    let name: String = html[open + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let body_start = open + html[open..].find('>')? + 1;
    let (open_tag, close_tag) = (format!("<{name}"), format!("</{name}"));
    let mut depth = 1;
    let mut i = body_start;
    while depth > 0 {
        let next_open = html[i..].find(&open_tag).map(|p| p + i);
        let next_close = html[i..].find(&close_tag).map(|p| p + i)?;
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                i = o + open_tag.len();
            }
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some(&html[body_start..next_close]);
                }
                i = next_close + close_tag.len();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_exported_html_and_storage_format() {
        let (text, mentions) = to_text(
            "<p>Hello &amp; <strong>welcome</strong>,</p><style>p{x:1}</style><ul><li>one</li><li>two&#39;s</li></ul>\
             <p>ask <a class=\"confluence-userlink\" data-username=\"jsmith\" href=\"/x\">Jane Smith</a></p>\
             <p><ac:link><ri:user ri:account-id=\"5b10ff\" /></ac:link> reviewed</p><!-- note --><table><tr><td>a</td><td>b</td></tr></table>",
        );
        assert_eq!(
            text,
            "Hello & welcome,\none\ntwo's\nask Jane Smith\n@5b10ff reviewed\na b"
        );
        assert_eq!(mentions, vec!["jsmith", "5b10ff"]);
        assert_eq!(decode_entities("a &unknown; &#x41; &"), "a &unknown; A &");
    }

    #[test]
    fn finds_the_element_with_nested_tags() {
        let html = "<div id=\"x\"><div id=\"main-content\" class=\"wiki\"><div>in</div>more</div><div>after</div></div>";
        assert_eq!(
            element_with(html, "id=\"main-content\""),
            Some("<div>in</div>more")
        );
        assert_eq!(
            element_with("<div id=\"main-content\">open", "main-content"),
            None
        );
    }
}
