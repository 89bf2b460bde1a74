//! Newline-delimited JSON: one object per line, read with `serde_json` line
//! by line (exact line numbers; nested values and mixed types kept as text
//! instead of failing a schema inference), with the record and column limits
//! enforced while streaming. It does not open files or encode columns.

use std::collections::HashSet;
use std::io::BufReader;
use std::path::Path;

use super::{limit_error, open_stream};
use crate::data::limits::{self, LimitKind, Limits};
use crate::data::DataError;

/// Writes the text of a JSON value into `buf` (numbers, booleans, nested
/// arrays and objects as compact JSON); `None` for null.
pub(super) fn json_text<'a>(value: &'a serde_json::Value, buf: &'a mut String) -> Option<&'a str> {
    use serde_json::Value;
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.as_str()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            buf.clear();
            use std::fmt::Write;
            let _ = write!(buf, "{n}");
            Some(buf.as_str())
        }
        other => {
            *buf = other.to_string();
            Some(buf.as_str())
        }
    }
}

/// The keys of an NDJSON file in order of first appearance, with a set for
/// lookups that stay constant-time however many keys there are.
#[derive(Default)]
struct SeenKeys {
    order: Vec<String>,
    set: HashSet<String>,
}

/// Streams an NDJSON file under `limits`: calls `on_object(object, new)` for
/// every non-blank line, where `new` are the keys first seen on that line.
/// Returns the keys of the whole file in order of first appearance.
pub(super) fn scan_ndjson(
    path: &Path,
    limits: &Limits,
    mut on_object: impl FnMut(&serde_json::Map<String, serde_json::Value>, &[String]),
) -> Result<Vec<String>, DataError> {
    let source = path.display().to_string();
    let mut reader = BufReader::with_capacity(256 * 1024, open_stream(path, limits)?);
    let mut line_bytes = Vec::new();
    let mut line_no = 0usize;
    let mut saw_content = false;
    let mut seen = SeenKeys::default();
    let mut new_keys: Vec<String> = Vec::new();
    loop {
        line_bytes.clear();
        let n = limits::read_line_bounded(&mut reader, &mut line_bytes, limits.max_record_bytes)
            .map_err(|e| {
                limit_error(&source, &e, || format!("line {}", line_no + 1), limits).unwrap_or_else(
                    || DataError::Parse {
                        source_name: source.clone(),
                        message: format!(
                            "reading failed after line {line_no}: {e}; if the file is gzip-compressed, it may be truncated or corrupt"
                        ),
                    },
                )
            })?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if line_no == 1 && line_bytes.starts_with(b"\xEF\xBB\xBF") {
            line_bytes.drain(..3);
        }
        let text = std::str::from_utf8(&line_bytes).map_err(|_| DataError::InvalidUtf8 {
            source_name: source.clone(),
            line: line_no,
        })?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        saw_content = true;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| DataError::Parse {
                source_name: source.clone(),
                message: format!(
                    "line {line_no}, column {}: not valid JSON ({e}); NDJSON needs one complete JSON object per line{}",
                    e.column(),
                    if line_no == 1 && text.starts_with('[') {
                        "; this looks like one JSON array: convert it with `jq -c '.[]'`"
                    } else {
                        ""
                    }
                ),
            })?;
        match value {
            serde_json::Value::Object(map) => {
                if text.len() as u64 > limits.max_field_bytes {
                    if let Some(key) = map.iter().find_map(|(k, v)| {
                        let long = match v {
                            serde_json::Value::String(s) => s.len() as u64 > limits.max_field_bytes,
                            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                                v.to_string().len() as u64 > limits.max_field_bytes
                            }
                            _ => false,
                        };
                        long.then_some(k)
                    }) {
                        return Err(limits::exceeded(
                            &source,
                            format!("line {line_no}, key `{}`", key.chars().take(100).collect::<String>()),
                            LimitKind::Field,
                            limits,
                        ));
                    }
                }
                new_keys.clear();
                for key in map.keys() {
                    if !seen.set.contains(key) {
                        if seen.order.len() >= limits.max_columns {
                            return Err(limits::exceeded(
                                &source,
                                format!(
                                    "line {line_no} brings the number of distinct keys (columns) past {}",
                                    limits.max_columns
                                ),
                                LimitKind::Columns,
                                limits,
                            ));
                        }
                        seen.set.insert(key.clone());
                        seen.order.push(key.clone());
                        new_keys.push(key.clone());
                    }
                }
                on_object(&map, &new_keys)
            }
            other => {
                return Err(DataError::Parse {
                    source_name: source,
                    message: format!(
                        "line {line_no}: expected a JSON object, found {}; NDJSON needs one object per line{}",
                        match other {
                            serde_json::Value::Array(_) => "an array",
                            serde_json::Value::String(_) => "a string",
                            serde_json::Value::Number(_) => "a number",
                            serde_json::Value::Bool(_) => "a boolean",
                            _ => "null",
                        },
                        if matches!(other, serde_json::Value::Array(_)) {
                            " (convert a JSON array with `jq -c '.[]'`)"
                        } else {
                            ""
                        }
                    ),
                })
            }
        }
    }
    if !saw_content {
        return Err(DataError::EmptyFile {
            source_name: source,
        });
    }
    Ok(seen.order)
}
