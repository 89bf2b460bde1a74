//! Confluence space exports: the HTML export (a zip of one `.html` file per
//! page) and the XML export (a zip holding `entities.xml`, or that file
//! alone), as the `pages`, `comments` and `users` tables.
//!
//! * **HTML export** (Atlassian, "Export content to Word, PDF, HTML and
//!   XML"): every page file has the title in `<span id="title-text">`
//!   (`Space : Title`), the people in `<div class="page-metadata">`
//!   (`Created by <span class='author'>Jane Smith</span>, last modified by
//!   <span class='editor'>Bob Lee</span> on Jun 28, 2022`) and the body in
//!   `<div id="main-content" class="wiki-content">`; the page id ends the
//!   file name (`Title_123456.html` or `123456.html`). Users are display
//!   names, plus the `data-username` of user links in bodies. `index.html`
//!   and the attachment, image and style folders are not pages.
//! * **XML export**: `entities.xml` is a Hibernate dump of `<object
//!   class="..." package="...">` elements: `Page` and `Comment` objects
//!   (title, `creator` and `lastModifier` as references to
//!   `ConfluenceUserImpl` keys, `creationDate`, `contentStatus`, the
//!   `bodyContents` collection, `originalVersion(Id)` set on old versions),
//!   `BodyContent` objects holding the storage-format body, and
//!   `ConfluenceUserImpl` objects (key, `name`, `email`). Only current
//!   versions are kept; a page's author is its creator's username.
//!
//! Bodies are turned into text by [`super::html_text`]; mentions (`<ri:user
//! ri:userkey=...>`, `data-username`) go to the `users` table.

use std::collections::HashMap;
use std::io::Read;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::html_text::{decode_entities, element_with, to_text};
use super::jira_dates::to_iso;
use super::{ImportedSource, SourceFormat, SourceTable, UserCollector};
use crate::data::DataError;

fn bad(source: &str, where_: &str, message: String) -> DataError {
    DataError::Parse {
        source_name: source.to_string(),
        message: format!("{where_}: {message}"),
    }
}

/// The entries of a zip, name -> text, for the names `keep` accepts, within
/// the file size limit per entry and in total.
fn zip_entries(
    source: &str,
    bytes: &[u8],
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<(String, String)>, DataError> {
    let limit = crate::data::Limits::default().max_file_bytes;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        bad(
            source,
            "zip",
            format!("not a readable zip archive ({e}); is the export truncated?"),
        )
    })?;
    let mut out = Vec::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| bad(source, &format!("zip entry {}", i + 1), format!("{e}")))?;
        let name = entry
            .name()
            .map_err(|e| bad(source, &format!("zip entry {}", i + 1), format!("{e}")))?
            .to_string();
        if entry.is_dir() || !keep(&name) {
            continue;
        }
        total += entry.size();
        if entry.size() > limit || total > limit {
            return Err(bad(
                source,
                &name,
                "the unpacked export is larger than the file size limit (--max-file-size)".into(),
            ));
        }
        let mut text = String::new();
        entry
            .by_ref()
            .take(limit + 1)
            .read_to_string(&mut text)
            .map_err(|e| {
                bad(
                    source,
                    &name,
                    format!("cannot read this entry ({e}); is the export truncated or not UTF-8?"),
                )
            })?;
        out.push((name, text));
    }
    Ok(out)
}

/// `Jun 28, 2022` (the HTML export's page date) as `2022-06-28`.
fn metadata_date(text: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let mut parts = text.split_whitespace();
    let month = parts.next()?;
    let day = parts.next()?.trim_end_matches(',');
    let year = parts.next()?;
    let m = MONTHS
        .iter()
        .position(|x| month.len() >= 3 && x.eq_ignore_ascii_case(&month[..3]))?
        + 1;
    to_iso(&format!("{year}-{m:02}-{:0>2}", day))
}

/// Reads a Confluence HTML export zip.
pub fn parse_html_export(source: &str, bytes: &[u8]) -> Result<ImportedSource, DataError> {
    let entries = zip_entries(source, bytes, |name| {
        let lower = name.to_ascii_lowercase();
        lower.ends_with(".html")
            && !lower.ends_with("/index.html")
            && lower != "index.html"
            && !["/attachments/", "/images/", "/styles/"]
                .iter()
                .any(|d| lower.contains(d))
    })?;
    let mut pages = SourceTable::with_columns(&[
        "page_id",
        "space",
        "title",
        "author",
        "last_modifier",
        "created",
        "body",
    ]);
    let mut users = UserCollector::default();
    for (name, html) in &entries {
        let stem = name
            .rsplit('/')
            .next()
            .unwrap_or(name)
            .trim_end_matches(".html");
        let page_id = stem.rsplit('_').next().unwrap_or(stem);
        if page_id.is_empty() || !page_id.bytes().all(|b| b.is_ascii_digit()) {
            continue; // not a page file (no page id in its name)
        }
        let body_html = element_with(html, "id=\"main-content\"").ok_or_else(|| {
            bad(
                source,
                name,
                "the page has no `<div id=\"main-content\">`: not a page of a Confluence HTML export, or the file is cut short".into(),
            )
        })?;
        let title_full = element_with(html, "id=\"title-text\"")
            .map(|t| decode_entities(to_text(t).0.trim()))
            .unwrap_or_default();
        let (space, title) = match title_full.split_once(" : ") {
            Some((s, t)) => (Some(s.trim().to_string()), t.trim().to_string()),
            None => (None, title_full.clone()),
        };
        let metadata = element_with(html, "class=\"page-metadata\"").unwrap_or("");
        let person = |class: &str| {
            element_with(metadata, &format!("class='{class}'"))
                .or_else(|| element_with(metadata, &format!("class=\"{class}\"")))
                .map(|s| to_text(s).0.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let author = person("author");
        let editor = person("editor");
        let created = metadata
            .rfind(" on ")
            .map(|at| to_text(&metadata[at + 4..]).0)
            .and_then(|d| metadata_date(d.trim()));
        let (body, mentions) = to_text(body_html);
        users.add(None, author.as_deref(), "page author");
        users.add(None, editor.as_deref(), "page editor");
        for m in mentions {
            users.add(Some(&m), None, "mention");
        }
        pages.push(vec![
            ("page_id", Some(page_id.to_string())),
            ("space", space),
            ("title", Some(title)),
            ("author", author),
            ("last_modifier", editor),
            ("created", created),
            ("body", Some(body)),
        ]);
    }
    if pages.n_rows() == 0 {
        return Err(bad(
            source,
            "zip",
            "no page file (`Title_123.html`) in the archive: is this a Confluence HTML export?"
                .into(),
        ));
    }
    Ok(ImportedSource::new(
        SourceFormat::ConfluenceHtml,
        source,
        vec![("pages", pages), ("users", users.table())],
        vec![("pages", super::PAGE_ROLES)],
    ))
}

/// A property of an `entities.xml` object.
#[derive(Debug, Clone, PartialEq)]
enum Property {
    Text(String),
    /// A reference to another object (its id or key).
    Ref(String),
}

/// One `<object>` of `entities.xml`.
#[derive(Debug, Default)]
struct Object {
    class: String,
    id: String,
    properties: HashMap<String, Property>,
    collections: HashMap<String, Vec<String>>,
}

impl Object {
    fn text(&self, name: &str) -> Option<&str> {
        match self.properties.get(name)? {
            Property::Text(t) if !t.trim().is_empty() => Some(t.as_str()),
            _ => None,
        }
    }

    fn reference(&self, name: &str) -> Option<&str> {
        match self.properties.get(name)? {
            Property::Ref(r) if !r.is_empty() => Some(r.as_str()),
            _ => None,
        }
    }
}

/// Parses the objects of `entities.xml`.
fn objects(source: &str, xml: &str) -> Result<Vec<Object>, DataError> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<Object> = None;
    // (property name, is a reference) while inside a <property>.
    let mut property: Option<(String, bool)> = None;
    let mut collection: Option<String> = None;
    let mut in_id = false;
    let mut text = String::new();
    let attr = |e: &quick_xml::events::BytesStart, name: &str| -> Option<String> {
        e.try_get_attribute(name)
            .ok()
            .flatten()
            .map(|a| String::from_utf8_lossy(&a.value).into_owned())
    };
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            let line = xml.as_bytes()[..(position as usize).min(xml.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            bad(
                source,
                &format!("entities.xml line {line}"),
                format!("not well-formed XML ({e}); is the export cut short?"),
            )
        })?;
        match event {
            Event::Eof => break,
            Event::Start(e) => match e.name().as_ref() {
                b"object" => {
                    current = Some(Object {
                        class: attr(&e, "class").unwrap_or_default(),
                        ..Object::default()
                    })
                }
                b"property" if current.is_some() => {
                    property = Some((
                        attr(&e, "name").unwrap_or_default(),
                        attr(&e, "class").is_some(),
                    ));
                    text.clear();
                }
                b"collection" if current.is_some() => collection = attr(&e, "name"),
                b"id" => {
                    in_id = true;
                    text.clear();
                }
                _ => {}
            },
            Event::Empty(e) => {
                if let (b"property", Some(obj)) = (e.name().as_ref(), current.as_mut()) {
                    if let Some(name) = attr(&e, "name") {
                        obj.properties.insert(name, Property::Text(String::new()));
                    }
                }
            }
            Event::Text(t) if in_id || property.is_some() => {
                text.push_str(&t.decode().unwrap_or_default());
            }
            Event::GeneralRef(r) if in_id || property.is_some() => {
                let name = String::from_utf8_lossy(&r.into_inner()).into_owned();
                text.push_str(&decode_entities(&format!("&{name};")));
            }
            Event::CData(c) if in_id || property.is_some() => {
                text.push_str(&String::from_utf8_lossy(&c.into_inner()));
            }
            Event::End(e) => match e.name().as_ref() {
                b"id" => {
                    in_id = false;
                    let value = text.trim().to_string();
                    if let Some(obj) = current.as_mut() {
                        match (&property, &collection) {
                            (Some((name, true)), _) => {
                                obj.properties.insert(name.clone(), Property::Ref(value));
                            }
                            (None, Some(c)) => {
                                obj.collections.entry(c.clone()).or_default().push(value)
                            }
                            (None, None) => obj.id = value,
                            _ => {}
                        }
                    }
                    text.clear();
                }
                b"property" => {
                    if let (Some((name, is_ref)), Some(obj)) = (property.take(), current.as_mut()) {
                        if !is_ref {
                            obj.properties
                                .insert(name, Property::Text(std::mem::take(&mut text)));
                        }
                    }
                    text.clear();
                }
                b"collection" => collection = None,
                b"object" => {
                    if let Some(obj) = current.take() {
                        out.push(obj);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    if current.is_some() {
        return Err(bad(
            source,
            "entities.xml",
            "the file ends inside an <object>: the export is cut short".into(),
        ));
    }
    Ok(out)
}

/// Reads a Confluence XML export: the zip holding `entities.xml`, or that
/// file itself.
pub fn parse_xml_export(source: &str, bytes: &[u8]) -> Result<ImportedSource, DataError> {
    let xml = if bytes.starts_with(b"PK") {
        zip_entries(source, bytes, |n| {
            n.rsplit('/').next() == Some("entities.xml")
        })?
        .into_iter()
        .next()
        .map(|(_, text)| text)
        .ok_or_else(|| {
            bad(
                source,
                "zip",
                "no entities.xml in the archive: is this a Confluence XML export?".into(),
            )
        })?
    } else {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| bad(source, "entities.xml", "not UTF-8".into()))?
    };
    let objects = objects(source, &xml)?;
    fn of_class<'a>(objects: &'a [Object], class: &'a str) -> impl Iterator<Item = &'a Object> {
        objects.iter().filter(move |o| o.class == class)
    }
    let by_class = |class: &'static str| of_class(&objects, class);
    let bodies: HashMap<&str, &str> = by_class("BodyContent")
        .filter_map(|o| Some((o.id.as_str(), o.text("body")?)))
        .collect();
    let user_names: HashMap<&str, (&str, Option<&str>)> = by_class("ConfluenceUserImpl")
        .filter_map(|o| Some((o.id.as_str(), (o.text("name")?, o.text("email")))))
        .collect();
    let spaces: HashMap<&str, &str> = by_class("Space")
        .filter_map(|o| Some((o.id.as_str(), o.text("key")?)))
        .collect();
    let mut users = UserCollector::default();
    let mut person = |o: &Object, reference: &str, legacy: &str, how: &'static str| {
        let name = o
            .reference(reference)
            .map(|key| user_names.get(key).map_or(key, |(n, _)| *n))
            .or_else(|| o.text(legacy));
        users.add(name, None, how);
        name.map(String::from)
    };
    let current = |o: &&Object| {
        o.text("originalVersionId").is_none()
            && o.reference("originalVersion").is_none()
            && o.text("contentStatus")
                .is_none_or(|s| s.trim() == "current")
    };
    let mut texts: Vec<(String, Vec<String>)> = Vec::new();
    let mut body_of = |o: &Object| -> Result<String, DataError> {
        let ids = o
            .collections
            .get("bodyContents")
            .cloned()
            .unwrap_or_default();
        let mut body = String::new();
        for id in ids {
            let storage = bodies.get(id.as_str()).ok_or_else(|| {
                bad(
                    source,
                    &format!("{} {}", o.class, o.id),
                    format!("its body {id} is not among the BodyContent objects; the export is incomplete"),
                )
            })?;
            let (mut text, mentions) = to_text(storage);
            // A mention names a user key; show the username as the page does.
            for m in &mentions {
                if let Some((name, _)) = user_names.get(m.as_str()) {
                    text = text.replace(&format!("@{m}"), &format!("@{name}"));
                }
            }
            body.push_str(&text);
            texts.push((text, mentions));
        }
        Ok(body)
    };
    let mut pages = SourceTable::with_columns(&[
        "page_id",
        "space",
        "title",
        "author",
        "last_modifier",
        "created",
        "body",
    ]);
    for o in by_class("Page").filter(current) {
        let body = body_of(o)?;
        pages.push(vec![
            ("page_id", Some(o.id.clone())),
            (
                "space",
                o.reference("space")
                    .and_then(|s| spaces.get(s))
                    .map(|s| s.to_string()),
            ),
            ("title", o.text("title").map(String::from)),
            ("author", person(o, "creator", "creatorName", "page author")),
            (
                "last_modifier",
                person(o, "lastModifier", "lastModifierName", "page editor"),
            ),
            ("created", o.text("creationDate").and_then(to_iso)),
            ("body", Some(body)),
        ]);
    }
    let mut comments =
        SourceTable::with_columns(&["comment_id", "page_id", "author", "created", "body"]);
    for o in by_class("Comment").filter(current) {
        let body = body_of(o)?;
        comments.push(vec![
            ("comment_id", Some(o.id.clone())),
            (
                "page_id",
                o.reference("containerContent")
                    .or_else(|| o.reference("page"))
                    .map(String::from),
            ),
            (
                "author",
                person(o, "creator", "creatorName", "comment author"),
            ),
            ("created", o.text("creationDate").and_then(to_iso)),
            ("body", Some(body)),
        ]);
    }
    for (_, mentions) in &texts {
        for m in mentions {
            let name = user_names.get(m.as_str()).map_or(m.as_str(), |(n, _)| *n);
            users.add(Some(name), None, "mention");
        }
    }
    if pages.n_rows() == 0 {
        return Err(bad(
            source,
            "entities.xml",
            "no current Page object: is this a Confluence space export?".into(),
        ));
    }
    let mut users_table = users.table();
    // E-mails of the users the export describes, for the identifier scan.
    let emails: HashMap<&str, &str> = user_names
        .values()
        .filter_map(|(n, e)| Some((*n, (*e)?)))
        .collect();
    let email_column: Vec<Option<String>> = users_table
        .column("user_id")
        .unwrap_or(&[])
        .iter()
        .map(|id| {
            id.as_deref()
                .and_then(|i| emails.get(i))
                .map(|e| e.to_string())
        })
        .collect();
    users_table.columns.push("email".into());
    users_table.cells.push(email_column);
    Ok(ImportedSource::new(
        SourceFormat::ConfluenceXml,
        source,
        vec![
            ("pages", pages),
            ("comments", comments),
            ("users", users_table),
        ],
        vec![
            ("pages", super::PAGE_ROLES),
            ("comments", super::COMMENT_ROLES),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for (name, text) in files {
                w.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(text.as_bytes()).unwrap();
            }
            w.finish().unwrap();
        }
        buf.into_inner()
    }

    const PAGE: &str = "<html><head><title>ENG : Deploy guide</title></head><body><div id=\"page\"><div id=\"main\">\
        <h1 id=\"title-heading\" class=\"pagetitle\"><span id=\"title-text\"> ENG : Deploy guide </span></h1>\
        <div id=\"content\" class=\"view\"><div class=\"page-metadata\">\n Created by <span class='author'> Jane Smith</span>, last modified by <span class='editor'> Bob Lee</span> on Jun 28, 2022\n</div>\
        <div id=\"main-content\" class=\"wiki-content group\"><p>Run <code>make deploy</code>; ask <a class=\"confluence-userlink\" data-username=\"bob\">Bob Lee</a>.</p><div><p>Then wait.</p></div></div>\
        <div class=\"pageSection group\">Attachments</div></div></div></div></body></html>";

    #[test]
    fn reads_an_html_space_export() {
        let zip = zip_of(&[
            ("ENG/index.html", "<html>space home</html>"),
            ("ENG/Deploy-guide_98305.html", PAGE),
            ("ENG/styles/site.css", "p {}"),
            ("ENG/attachments/98305/1.html", "<html>x</html>"),
        ]);
        let s = parse_html_export("eng.zip", &zip).unwrap();
        let p = s.table("pages").unwrap();
        assert_eq!(p.n_rows(), 1);
        assert_eq!(p.column("page_id").unwrap()[0].as_deref(), Some("98305"));
        assert_eq!(p.column("space").unwrap()[0].as_deref(), Some("ENG"));
        assert_eq!(
            p.column("title").unwrap()[0].as_deref(),
            Some("Deploy guide")
        );
        assert_eq!(
            p.column("author").unwrap()[0].as_deref(),
            Some("Jane Smith")
        );
        assert_eq!(
            p.column("last_modifier").unwrap()[0].as_deref(),
            Some("Bob Lee")
        );
        assert_eq!(
            p.column("created").unwrap()[0].as_deref(),
            Some("2022-06-28")
        );
        assert_eq!(
            p.column("body").unwrap()[0].as_deref(),
            Some("Run make deploy; ask Bob Lee.\nThen wait.")
        );
        let u = s.table("users").unwrap();
        assert_eq!(
            u.column("user_id").unwrap(),
            &[
                Some("Jane Smith".into()),
                Some("Bob Lee".into()),
                Some("bob".into())
            ]
        );
    }

    #[test]
    fn truncated_or_foreign_archives_are_named() {
        let zip = zip_of(&[("ENG/Deploy-guide_98305.html", PAGE)]);
        let err = parse_html_export("eng.zip", &zip[..zip.len() - 30])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("eng.zip") && err.contains("truncated"),
            "{err}"
        );
        let cut = &PAGE[..PAGE.find("Then wait").unwrap()];
        let zip = zip_of(&[("ENG/Deploy-guide_98305.html", cut)]);
        let err = parse_html_export("eng.zip", &zip).unwrap_err().to_string();
        assert!(
            err.contains("Deploy-guide_98305.html") && err.contains("main-content"),
            "{err}"
        );
    }

    const ENTITIES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<hibernate-generic datetime="2026-01-01 10:00:00">
<object class="Space" package="com.atlassian.confluence.spaces"><id name="id">7</id><property name="key"><![CDATA[ENG]]></property></object>
<object class="Page" package="com.atlassian.confluence.pages">
<id name="id">100</id>
<property name="title"><![CDATA[Deploy guide]]></property>
<property name="creator" class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key"><![CDATA[2c9a01]]></id>
</property>
<property name="creationDate">2025-11-14 16:53:35.571</property>
<property name="originalVersionId"/><property name="contentStatus"><![CDATA[current]]></property>
<property name="space" class="Space" package="com.atlassian.confluence.spaces"><id name="id">7</id></property>
<collection name="bodyContents" class="java.util.Collection"><element class="BodyContent" package="com.atlassian.confluence.core"><id name="id">500</id>
</element>
</collection>
</object>
<object class="Page" package="com.atlassian.confluence.pages">
<id name="id">99</id>
<property name="title"><![CDATA[Deploy guide]]></property>
<property name="originalVersionId">100</property>
<property name="contentStatus"><![CDATA[current]]></property>
<collection name="bodyContents" class="java.util.Collection"><element class="BodyContent" package="com.atlassian.confluence.core"><id name="id">499</id></element></collection>
</object>
<object class="Comment" package="com.atlassian.confluence.pages">
<id name="id">300</id>
<property name="creator" class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key"><![CDATA[2c9a02]]></id></property>
<property name="creationDate">2025-11-15 09:00:00.000</property>
<property name="containerContent" class="Page" package="com.atlassian.confluence.pages"><id name="id">100</id></property>
<collection name="bodyContents" class="java.util.Collection"><element class="BodyContent" package="com.atlassian.confluence.core"><id name="id">501</id></element></collection>
</object>
<object class="BodyContent" package="com.atlassian.confluence.core"><id name="id">500</id>
<property name="body"><![CDATA[<p>Run it &amp; wait, <ac:link><ri:user ri:userkey="2c9a02" /></ac:link>.</p>]]></property></object>
<object class="BodyContent" package="com.atlassian.confluence.core"><id name="id">499</id><property name="body"><![CDATA[<p>old</p>]]></property></object>
<object class="BodyContent" package="com.atlassian.confluence.core"><id name="id">501</id><property name="body"><![CDATA[<p>Thanks &lt;3</p>]]></property></object>
<object class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key"><![CDATA[2c9a01]]></id><property name="name"><![CDATA[jsmith]]></property><property name="email"><![CDATA[jane@example.com]]></property></object>
<object class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key"><![CDATA[2c9a02]]></id><property name="name"><![CDATA[blee]]></property></object>
</hibernate-generic>
"#;

    #[test]
    fn reads_entities_xml_current_versions_with_users() {
        let s = parse_xml_export("entities.xml", ENTITIES.as_bytes()).unwrap();
        let p = s.table("pages").unwrap();
        assert_eq!(p.n_rows(), 1, "the old version is left out");
        assert_eq!(p.column("author").unwrap()[0].as_deref(), Some("jsmith"));
        assert_eq!(p.column("space").unwrap()[0].as_deref(), Some("ENG"));
        assert_eq!(
            p.column("created").unwrap()[0].as_deref(),
            Some("2025-11-14T16:53:35")
        );
        assert_eq!(
            p.column("body").unwrap()[0].as_deref(),
            Some("Run it & wait, @blee.")
        );
        let c = s.table("comments").unwrap();
        assert_eq!(c.column("page_id").unwrap()[0].as_deref(), Some("100"));
        assert_eq!(c.column("author").unwrap()[0].as_deref(), Some("blee"));
        assert_eq!(c.column("body").unwrap()[0].as_deref(), Some("Thanks <3"));
        let u = s.table("users").unwrap();
        assert_eq!(
            u.column("user_id").unwrap(),
            &[Some("jsmith".into()), Some("blee".into())]
        );
        assert_eq!(
            u.column("email").unwrap()[0].as_deref(),
            Some("jane@example.com")
        );
        // The same inside a zip.
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file("entities.xml", zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(ENTITIES.as_bytes()).unwrap();
            w.finish().unwrap();
        }
        let z = parse_xml_export("space.zip", buf.get_ref()).unwrap();
        assert_eq!(z.table("pages").unwrap(), p);
    }

    #[test]
    fn cut_xml_names_the_line() {
        let cut = &ENTITIES[..ENTITIES.find("<object class=\"BodyContent\"").unwrap() + 40];
        let err = parse_xml_export("entities.xml", cut.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("entities.xml") && err.contains("cut short"),
            "{err}"
        );
    }
}
