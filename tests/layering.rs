//! The one-way flow of `shared/DESIGN.md`, checked on the source (issue #13,
//! item 5): `data -> (privacy | attacks | dp) -> eval -> report`, with the
//! reference anonymizers and the corpus generator beside them and `audit` and
//! `cli` composing on top.
//!
//! The test reads every `.rs` file under `src/` and fails when
//! 1. a module uses another module (`crate::m::...` in code, `super::` chains
//!    that climb into another module, or an intra-doc link to `crate::m`) that
//!    [`ALLOWED`] does not allow it;
//! 2. a file outside `src/cli/` and `src/main.rs` names `clap`;
//! 3. the files of one module directory depend on one another in a cycle
//!    (edges from `super::x`, `crate::m::x`, `self::x` paths to a sibling file
//!    or sibling folder, and through names a `mod.rs` re-exports; `mod.rs`
//!    itself is no node, it only re-exports).
//!
//! Imports that break the rules today and are being removed by other parts of
//! issue #13 are listed in [`KNOWN_LAYER_EXCEPTIONS`], [`KNOWN_CLAP_EXCEPTIONS`]
//! and [`KNOWN_CYCLES`]; an entry that no longer matches anything fails the
//! test too, so the lists only shrink.
//!
//! What it does not do: resolve glob imports (`use super::*`), macros or
//! `#[path]` attributes; plain `//` comments and text in string literals are
//! never read as paths. The lexer is small and is itself tested below on
//! strings that contain a violation, so the test cannot pass by reading
//! nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Which crate modules each module may use (`shared/DESIGN.md`, issue #13).
/// `None` means any module (`cli`; `lib.rs` and `main.rs` are free too).
const ALLOWED: &[(&str, Option<&[&str]>)] = &[
    ("data", Some(&[])),
    ("privacy", Some(&["data"])),
    ("attacks", Some(&["data"])),
    ("dp", Some(&["data"])),
    ("anonymize", Some(&["data", "privacy", "dp"])),
    ("eval", Some(&["data", "privacy", "attacks", "dp"])),
    (
        "report",
        Some(&["data", "privacy", "attacks", "dp", "eval"]),
    ),
    ("synth", Some(&["data", "anonymize", "privacy", "dp"])),
    ("engine", Some(&["data", "privacy", "attacks"])),
    (
        "audit",
        Some(&[
            "data",
            "privacy",
            "attacks",
            "dp",
            "anonymize",
            "eval",
            "report",
            "synth",
            "engine",
        ]),
    ),
    (
        "prelude",
        Some(&[
            "data",
            "privacy",
            "attacks",
            "dp",
            "anonymize",
            "eval",
            "report",
            "synth",
            "audit",
        ]),
    ),
    ("cli", None),
];

/// Layer violations that exist today and are being moved by other engineers
/// working on issue #13: `(file, module it uses, why it is still there)`.
/// Remove an entry when its import is gone (the test says when).
const KNOWN_LAYER_EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// Library files that still derive `clap::ValueEnum`: the stylometry enums,
/// being moved behind CLI wrappers with the linfa-shaped classifiers (#13
/// item 6). Remove an entry when its file no longer names clap.
const KNOWN_CLAP_EXCEPTIONS: &[&str] = &[];

/// File-level cycles that exist today, each as the sorted set of files in
/// it. Empty: the last one (stylometry's `evaluate` <-> `pipeline`) went when
/// attribution scoring moved to `eval::attribution` (#13).
const KNOWN_CYCLES: &[&[&str]] = &[];

/// One Rust source file, lexed: code with comments and literal contents
/// blanked (line structure kept), and the raw doc-comment lines.
struct Lexed {
    /// Code only: comments removed, string and char literal contents replaced
    /// by spaces, newlines kept so byte offsets map to the same lines.
    code: String,
    /// `(1-based line, text)` of every `///` and `//!` comment.
    docs: Vec<(usize, String)>,
}

/// Splits `src` into code and doc comments. Handles line and (nested) block
/// comments, string literals with escapes, raw strings (`r#"..."#`, byte and
/// C variants), char and byte literals, and lifetimes.
fn lex(src: &str) -> Lexed {
    let b = src.as_bytes();
    let mut code = String::with_capacity(src.len());
    let mut docs = Vec::new();
    let mut line = 1usize;
    let mut i = 0usize;
    // Pushes a blank for a skipped byte, keeping newlines.
    fn blank(code: &mut String, c: u8, line: &mut usize) {
        if c == b'\n' {
            code.push('\n');
            *line += 1;
        } else {
            code.push(' ');
        }
    }
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            let end = src[i..].find('\n').map_or(b.len(), |n| i + n);
            let text = &src[i..end];
            if text.starts_with("///") || text.starts_with("//!") {
                docs.push((line, text.to_string()));
            }
            code.extend(std::iter::repeat_n(' ', end - i));
            i = end;
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0usize;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    code.push_str("  ");
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    code.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut code, b[i], &mut line);
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(b, i) {
            // r"..", r#".."#, br#".."#, cr".."; the opening is copied as is.
            let open = src[i..].find('"').unwrap() + i;
            code.push_str(&src[i..=open]);
            i = open + 1;
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let end = src[i..].find(&close).map_or(b.len(), |n| i + n);
            for &x in &b[i..end] {
                blank(&mut code, x, &mut line);
            }
            code.push_str(&close);
            i = (end + close.len()).min(b.len());
        } else if c == b'"' {
            code.push('"');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && i + 1 < b.len() {
                    blank(&mut code, b[i], &mut line);
                    i += 1;
                }
                blank(&mut code, b[i], &mut line);
                i += 1;
            }
            code.push('"');
            i += 1;
        } else if c == b'\'' {
            // A char literal ('x', '\n', '\u{7b}') or a lifetime ('a).
            let rest = &src[i + 1..];
            let len = if rest.starts_with('\\') {
                // The escaped character is rest[1]; the closing quote follows it.
                rest.get(2..).and_then(|r| r.find('\'')).map(|p| p + 3)
            } else {
                rest.chars()
                    .next()
                    .filter(|ch| rest[ch.len_utf8()..].starts_with('\''))
                    .map(|ch| ch.len_utf8() + 1)
            };
            match len {
                Some(n) => {
                    code.push('\'');
                    code.extend(std::iter::repeat_n(' ', n - 1));
                    code.push('\'');
                    i += n + 1;
                }
                None => {
                    code.push('\'');
                    i += 1;
                }
            }
        } else {
            let ch = src[i..].chars().next().unwrap();
            if ch == '\n' {
                line += 1;
            }
            code.push(ch);
            i += ch.len_utf8();
        }
    }
    Lexed { code, docs }
}

/// When a raw string literal starts at `i` (not inside an identifier), the
/// number of `#` around it.
fn raw_string_start(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
        return None;
    }
    let mut j = i;
    if matches!(b.get(j), Some(b'b') | Some(b'c')) {
        j += 1;
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|&&x| x == b'#').count();
    (b.get(j + hashes) == Some(&b'"')).then_some(hashes)
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].bytes().filter(|&c| c == b'\n').count() + 1
}

/// One path written in code: where, and its segments as written
/// (`crate`, `super`, `self` included). A `use` group `a::{b, c::d}` gives one
/// path per leaf: `a::b`, `a::c::d`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PathRef {
    line: usize,
    segments: Vec<String>,
    /// Module path of the innermost inline `mod name { .. }` the path is in,
    /// relative to the file (empty at file level).
    inline: Vec<String>,
}

/// Every path in `code` that starts with `crate`, `super` or `self` (as a
/// whole word, followed by `::`), with `use` groups expanded.
fn paths(code: &str) -> Vec<PathRef> {
    let b = code.as_bytes();
    let inline = inline_modules(code);
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < b.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .find(|p| code[i..].starts_with(**p))
            .filter(|_| i == 0 || !(is_ident_byte(b[i - 1]) || b[i - 1] == b':'));
        match starts {
            Some(_) => {
                let scope = inline
                    .iter()
                    .filter(|(s, e, _)| *s <= i && i < *e)
                    .max_by_key(|(s, _, _)| *s)
                    .map(|(_, _, m)| m.clone())
                    .unwrap_or_default();
                let end = expand(code, i, Vec::new(), &scope, &mut out);
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    out
}

/// Reads a path starting at `i` (segments joined by `::`, possibly ending in
/// a `{ .. }` group), appending every leaf to `out`; returns the offset after it.
fn expand(
    code: &str,
    mut i: usize,
    mut prefix: Vec<String>,
    scope: &[String],
    out: &mut Vec<PathRef>,
) -> usize {
    let b = code.as_bytes();
    let line = line_of(code, i);
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'{' {
            // A group: each comma-separated member is a path under `prefix`.
            i += 1;
            loop {
                while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
                    i += 1;
                }
                if i >= b.len() || b[i] == b'}' {
                    return i + 1;
                }
                let next = expand(code, i, prefix.clone(), scope, out);
                // Skip `as alias` and anything else up to the next member.
                i = next;
                let mut depth = 0i32;
                while i < b.len() {
                    match b[i] {
                        b'{' => depth += 1,
                        b'}' if depth == 0 => break,
                        b'}' => depth -= 1,
                        b',' if depth == 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
        }
        let start = i;
        while i < b.len() && is_ident_byte(b[i]) {
            i += 1;
        }
        if start == i {
            // `*` or punctuation: the path ends at its prefix.
            if !prefix.is_empty() {
                out.push(PathRef {
                    line,
                    segments: prefix,
                    inline: scope.to_vec(),
                });
            }
            return i;
        }
        prefix.push(code[start..i].to_string());
        if code[i..].starts_with("::") {
            i += 2;
        } else {
            out.push(PathRef {
                line,
                segments: prefix,
                inline: scope.to_vec(),
            });
            return i;
        }
    }
}

/// Inline modules (`mod name { .. }`) of a file: `(start, end, path)` with
/// byte offsets of their bodies and their module path inside the file.
fn inline_modules(code: &str) -> Vec<(usize, usize, Vec<String>)> {
    let b = code.as_bytes();
    let mut found = Vec::new();
    // Stack of open braces: Some(path) when the brace opens an inline module.
    let mut stack: Vec<Option<(usize, Vec<String>)>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut i = 0usize;
    while i < b.len() {
        match b[i] {
            b'{' => {
                // Is this `mod name {`?
                let before = code[..i].trim_end();
                let name_start = before
                    .bytes()
                    .rposition(|c| !is_ident_byte(c))
                    .map_or(0, |p| p + 1);
                let name = &before[name_start..];
                let is_mod = !name.is_empty()
                    && before[..name_start]
                        .trim_end()
                        .strip_suffix("mod")
                        .is_some_and(|r| !r.bytes().last().is_some_and(is_ident_byte));
                if is_mod {
                    current.push(name.to_string());
                    stack.push(Some((i + 1, current.clone())));
                } else {
                    stack.push(None);
                }
            }
            b'}' => {
                if let Some(Some((start, path))) = stack.pop() {
                    found.push((start, i, path));
                    current.pop();
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The module path of a file under `src/`: `data/read.rs` -> `[data, read]`,
/// `data/mod.rs` -> `[data]`, `lib.rs` -> `[]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

/// The absolute module path a written path points to, from a file whose
/// module path is `file_mod`, or `None` for paths not rooted in the crate.
fn resolve(file_mod: &[String], r: &PathRef) -> Option<Vec<String>> {
    let mut here: Vec<String> = file_mod.iter().chain(&r.inline).cloned().collect();
    let mut segs = r.segments.iter().peekable();
    match segs.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segs.next();
            here.clear();
        }
        Some("self") => {
            segs.next();
        }
        Some("super") => {
            while segs.peek().map(|s| s.as_str()) == Some("super") {
                segs.next();
                here.pop()?;
            }
        }
        _ => return None,
    }
    here.extend(segs.cloned());
    Some(here)
}

/// A rule broken at one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    file: String,
    line: usize,
    /// The module used.
    used: String,
    message: String,
}

fn allowed_for(module: &str) -> Option<Option<&'static [&'static str]>> {
    ALLOWED.iter().find(|(m, _)| *m == module).map(|(_, a)| *a)
}

/// Layer violations of one file (`rel` relative to `src/`, `text` its source).
fn layer_violations(rel: &Path, text: &str) -> Vec<Violation> {
    let file_mod = module_path(rel);
    let Some(module) = file_mod.first().cloned() else {
        return Vec::new(); // lib.rs, main.rs
    };
    let file = format!("src/{}", rel.display());
    let allowed = match allowed_for(&module) {
        Some(None) => return Vec::new(),
        Some(Some(a)) => a,
        None => {
            return vec![Violation {
                file: file.clone(),
                line: 1,
                used: module.clone(),
                message: format!(
                    "{file}: module `{module}` is not in the layer table of tests/layering.rs; add it with the modules it may use (see shared/DESIGN.md)"
                ),
            }]
        }
    };
    let lexed = lex(text);
    let mut uses: Vec<(usize, String, &str)> = paths(&lexed.code)
        .iter()
        .filter_map(|r| {
            let abs = resolve(&file_mod, r)?;
            Some((r.line, abs.first()?.clone(), "uses"))
        })
        .collect();
    for (line, doc) in &lexed.docs {
        for target in doc_link_modules(doc) {
            uses.push((*line, target, "links to"));
        }
    }
    // One report per line and module, in line order.
    uses.sort();
    uses.dedup();
    let known_modules: BTreeSet<&str> = ALLOWED.iter().map(|(m, _)| *m).collect();
    uses.into_iter()
        .filter(|(_, used, _)| {
            used != &module
                && known_modules.contains(used.as_str())
                && !allowed.contains(&used.as_str())
        })
        .map(|(line, used, verb)| {
            let may = if allowed.is_empty() {
                "may use no other module".to_string()
            } else {
                format!("may only use {}", allowed.join(", "))
            };
            Violation {
                message: format!(
                    "{file}:{line} {verb} crate::{used}, but {module} {may} (see shared/DESIGN.md)"
                ),
                file: file.clone(),
                line,
                used,
            }
        })
        .collect()
}

/// Modules named by intra-doc links in one doc-comment line:
/// ``[`crate::m::x`]``, `[text](crate::m::x)`, `[crate::m]`.
fn doc_link_modules(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    for open in ["[`crate::", "[crate::", "](crate::", "](`crate::"] {
        let mut from = 0;
        while let Some(p) = doc[from..].find(open) {
            let start = from + p + open.len();
            let name: String = doc[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
            from = start;
        }
    }
    out
}

/// True when `code` (comments and literals already blanked) names `clap` as
/// a word.
fn names_clap(code: &str) -> Option<usize> {
    let b = code.as_bytes();
    let mut from = 0;
    while let Some(p) = code[from..].find("clap") {
        let at = from + p;
        let before_ok = at == 0 || !is_ident_byte(b[at - 1]);
        let after_ok = at + 4 >= b.len() || !is_ident_byte(b[at + 4]);
        if before_ok && after_ok {
            return Some(line_of(code, at));
        }
        from = at + 4;
    }
    None
}

/// The names a `mod.rs` (or other module root) re-exports from its child
/// files: `pub use child::{A, B}` gives `A -> child`, `B -> child`.
fn reexports(code: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("pub use ") {
        let start = from + p + "pub use ".len();
        let end = code[start..].find(';').map_or(code.len(), |n| start + n);
        let mut leaves = Vec::new();
        expand(&code[..end], start, Vec::new(), &[], &mut leaves);
        for leaf in leaves {
            let segs: Vec<&String> = leaf
                .segments
                .iter()
                .skip_while(|s| s.as_str() == "self")
                .collect();
            if segs.len() >= 2 && !matches!(segs[0].as_str(), "crate" | "super") {
                map.insert(segs[segs.len() - 1].clone(), segs[0].clone());
            }
        }
        from = end;
    }
    map
}

/// The file-level dependency graph of the module directories under `src/`:
/// node = a file (or a sub-folder) directly in one directory, `mod.rs`
/// excluded; edge = a path from one node's code into a sibling node.
fn file_graph(files: &BTreeMap<PathBuf, String>) -> BTreeMap<String, BTreeSet<String>> {
    // Re-exports of each directory's mod.rs, keyed by the directory's module path.
    let mut roots: BTreeMap<Vec<String>, BTreeMap<String, String>> = BTreeMap::new();
    for (rel, text) in files {
        if rel.file_name().is_some_and(|n| n == "mod.rs") {
            roots.insert(module_path(rel), reexports(&lex(text).code));
        }
    }
    let dirs: BTreeSet<Vec<String>> = roots.keys().cloned().collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files {
        let file_mod = module_path(rel);
        if rel.file_name().is_some_and(|n| n == "mod.rs") || file_mod.is_empty() {
            continue;
        }
        for r in paths(&lex(text).code) {
            let Some(abs) = resolve(&file_mod, &r) else {
                continue;
            };
            // Every directory that holds both this file and the target.
            for dir in &dirs {
                let depth = dir.len();
                if file_mod.len() <= depth || !file_mod.starts_with(dir) || abs.len() <= depth {
                    continue;
                }
                if !abs.starts_with(dir) {
                    continue;
                }
                let from = &file_mod[depth];
                let mut to = abs[depth].clone();
                if let Some(child) = roots[dir].get(&to) {
                    to = child.clone();
                }
                let node = |name: &str| -> Option<String> {
                    let base = dir.join("/");
                    let file = format!("src/{base}/{name}.rs");
                    let folder = format!("src/{base}/{name}/mod.rs");
                    let rel_file = PathBuf::from(format!("{base}/{name}.rs"));
                    let rel_folder = PathBuf::from(format!("{base}/{name}/mod.rs"));
                    if files.contains_key(&rel_file) {
                        Some(file)
                    } else if files.contains_key(&rel_folder) {
                        Some(folder.trim_end_matches("/mod.rs").to_string() + "/")
                    } else {
                        None
                    }
                };
                if let (Some(a), Some(b)) = (node(from), node(&to)) {
                    if a != b {
                        graph.entry(a).or_default().insert(b);
                    }
                }
            }
        }
    }
    graph
}

/// The strongly connected components with more than one node (Tarjan 1972),
/// each sorted, in sorted order.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.graph.get(v) {
            for w in next {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    let nodes: Vec<&str> = graph.keys().map(String::as_str).collect();
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

/// A cycle written as a path through its edges, for the failure message.
fn describe_cycle(graph: &BTreeMap<String, BTreeSet<String>>, comp: &[String]) -> String {
    let inside: BTreeSet<&str> = comp.iter().map(String::as_str).collect();
    let mut walk = vec![comp[0].as_str()];
    let mut seen = BTreeSet::from([comp[0].as_str()]);
    loop {
        let at = *walk.last().unwrap();
        let next = graph[at]
            .iter()
            .map(String::as_str)
            .filter(|n| inside.contains(n))
            .find(|n| *n == walk[0] || !seen.contains(n));
        match next {
            Some(n) if n == walk[0] => {
                walk.push(n);
                break;
            }
            Some(n) => {
                seen.insert(n);
                walk.push(n);
            }
            None => break,
        }
    }
    walk.join(" -> ")
}

/// Every `.rs` file under `src/`, keyed by its path relative to `src/`.
fn source_files() -> BTreeMap<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut todo = vec![root.clone()];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(&root).unwrap().to_path_buf();
                out.insert(rel, fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn modules_only_use_the_layers_below_them() {
    let files = source_files();
    assert!(
        files.len() > 50,
        "read only {} files under src/",
        files.len()
    );
    let mut failures = Vec::new();
    let mut used_exceptions = BTreeSet::new();
    for (rel, text) in &files {
        for v in layer_violations(rel, text) {
            let known = KNOWN_LAYER_EXCEPTIONS
                .iter()
                .position(|(f, m, _)| *f == v.file && *m == v.used);
            match known {
                Some(k) => {
                    used_exceptions.insert(k);
                }
                None => failures.push(v.message),
            }
        }
    }
    for (k, (file, module, why)) in KNOWN_LAYER_EXCEPTIONS.iter().enumerate() {
        if !used_exceptions.contains(&k) {
            failures.push(format!(
                "{file} no longer uses crate::{module} ({why}): remove it from KNOWN_LAYER_EXCEPTIONS in tests/layering.rs"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

#[test]
fn only_the_command_line_uses_clap() {
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for (rel, text) in &source_files() {
        let file = format!("src/{}", rel.display());
        if rel.starts_with("cli") || rel == Path::new("main.rs") {
            continue;
        }
        if let Some(line) = names_clap(&lex(text).code) {
            if KNOWN_CLAP_EXCEPTIONS.contains(&file.as_str()) {
                seen.insert(file);
            } else {
                failures.push(format!(
                    "{file}:{line} uses clap, but only src/cli/ and src/main.rs may (wrap the library type in a clap::ValueEnum in src/cli/choices.rs)"
                ));
            }
        }
    }
    for file in KNOWN_CLAP_EXCEPTIONS {
        if !seen.contains(*file) {
            failures.push(format!(
                "{file} no longer uses clap: remove it from KNOWN_CLAP_EXCEPTIONS in tests/layering.rs"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

#[test]
fn files_of_a_module_do_not_depend_on_each_other_in_a_cycle() {
    let graph = file_graph(&source_files());
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    assert!(edges > 30, "only {edges} file-level edges found");
    let found = cycles(&graph);
    let mut failures = Vec::new();
    for comp in &found {
        let known = KNOWN_CYCLES
            .iter()
            .any(|k| k.iter().copied().eq(comp.iter().map(String::as_str)));
        if !known {
            failures.push(format!(
                "file-level cycle: {} (all files in it: {}; move what they share to one side or to a third file)",
                describe_cycle(&graph, comp),
                comp.join(", ")
            ));
        }
    }
    for k in KNOWN_CYCLES {
        if !found
            .iter()
            .any(|c| k.iter().copied().eq(c.iter().map(String::as_str)))
        {
            failures.push(format!(
                "the cycle {} is gone: remove it from KNOWN_CYCLES in tests/layering.rs",
                k.join(" <-> ")
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

// The checks of the checker: each feeds a small source text and asserts what
// the parser sees, so the tests above cannot pass by reading nothing.

#[test]
fn lexer_drops_comments_and_literal_contents_but_keeps_lines() {
    let src = "let a = \"crate::dp\"; // crate::dp\n/// [`crate::dp::x`]\nlet b = r#\"crate::dp \"q\" \"#;\nlet c = '{'; fn f<'a>() {}\n/* crate::dp /* nested */ */ use crate::data::X;\n";
    let lexed = lex(src);
    assert!(!lexed.code.contains("dp"), "{}", lexed.code);
    assert_eq!(lexed.code.lines().count(), src.lines().count());
    assert_eq!(lexed.docs, vec![(2, "/// [`crate::dp::x`]".to_string())]);
    let found: Vec<Vec<String>> = paths(&lexed.code).into_iter().map(|p| p.segments).collect();
    assert_eq!(found, vec![vec!["crate", "data", "X"]]);
    assert_eq!(paths(&lexed.code)[0].line, 5);
}

#[test]
fn use_groups_expand_to_one_path_per_leaf() {
    let code =
        "use crate::{data::{A, b::C as D}, dp};\nuse super::*;\nfn g() { crate::eval::rate(1); }";
    let found: Vec<String> = paths(code).iter().map(|p| p.segments.join("::")).collect();
    assert_eq!(
        found,
        [
            "crate::data::A",
            "crate::data::b::C",
            "crate::dp",
            "super",
            "crate::eval::rate"
        ]
    );
}

#[test]
fn a_forbidden_import_is_reported_with_file_line_and_rule() {
    let text = "//! Detects things.\n\nuse crate::data::EncodedTable;\nuse crate::anonymize::text::Redactor;\n";
    let v = layer_violations(Path::new("attacks/x.rs"), text);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(
        v[0].message,
        "src/attacks/x.rs:4 uses crate::anonymize, but attacks may only use data (see shared/DESIGN.md)"
    );
    // super:: chains that climb out of the module count too; ones that stay inside do not.
    let v = layer_violations(
        Path::new("attacks/text/leak.rs"),
        "use super::minhash::X;\nuse super::super::super::dp::Y;\n",
    );
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].used, "dp");
    assert_eq!(v[0].line, 2);
    // An intra-doc link is a dependency; plain text in backticks is not.
    let v = layer_violations(
        Path::new("data/x.rs"),
        "//! See [`crate::report::write`] and `crate::attacks::text`.\n",
    );
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].message.starts_with(
            "src/data/x.rs:1 links to crate::report, but data may use no other module"
        ),
        "{}",
        v[0].message
    );
    // The same text in cli is fine; a module missing from the table is not.
    assert!(layer_violations(Path::new("cli/x.rs"), text).is_empty());
    assert_eq!(layer_violations(Path::new("gpu/x.rs"), "").len(), 1);
}

#[test]
fn tests_module_super_refers_to_its_own_file() {
    let code = "mod tests {\n    use super::Thing;\n    use super::super::dp::Z;\n}\n";
    let refs = paths(code);
    assert_eq!(refs[0].inline, ["tests"]);
    let file_mod = module_path(Path::new("attacks/text/leak.rs"));
    assert_eq!(
        resolve(&file_mod, &refs[0]).unwrap(),
        ["attacks", "text", "leak", "Thing"]
    );
    assert_eq!(
        resolve(&file_mod, &refs[1]).unwrap(),
        ["attacks", "text", "dp", "Z"]
    );
}

#[test]
fn clap_is_seen_as_a_word_in_code_only() {
    assert_eq!(names_clap(&lex("// clap\nlet s = \"clap\";\n").code), None);
    assert_eq!(names_clap(&lex("let clapper = 1;").code), None);
    assert_eq!(
        names_clap(&lex("\n#[derive(Debug, clap::ValueEnum)]\nenum A {}").code),
        Some(2)
    );
}

#[test]
fn a_cycle_through_a_reexport_is_found_and_printed() {
    let files: BTreeMap<PathBuf, String> = [
        ("m/mod.rs", "mod a; mod b; mod c;\npub use c::Shared;\n"),
        ("m/a.rs", "use super::b::B;\n"),
        ("m/b.rs", "use super::Shared;\n"),
        ("m/c.rs", "use crate::m::a::A;\n"),
        ("m/d.rs", "use super::a::A;\nmod tests { use super::D; }\n"),
    ]
    .into_iter()
    .map(|(p, t)| (PathBuf::from(p), t.to_string()))
    .collect();
    let graph = file_graph(&files);
    assert_eq!(
        graph["src/m/b.rs"],
        BTreeSet::from(["src/m/c.rs".to_string()])
    );
    assert_eq!(
        graph["src/m/d.rs"],
        BTreeSet::from(["src/m/a.rs".to_string()])
    );
    let found = cycles(&graph);
    assert_eq!(found, vec![vec!["src/m/a.rs", "src/m/b.rs", "src/m/c.rs"]]);
    assert_eq!(
        describe_cycle(&graph, &found[0]),
        "src/m/a.rs -> src/m/b.rs -> src/m/c.rs -> src/m/a.rs"
    );
}
