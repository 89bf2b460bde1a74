//! The PAN authorship verification file formats (PAN 2020/2021 at
//! pan.webis.de, "Authorship Verification"): `pairs.jsonl` with one problem a
//! line, `{"id": ..., "pair": [text_1, text_2]}` (other keys such as
//! `fandoms` are ignored); `truth.jsonl`, `{"id": ..., "same": true|false}`
//! with optional `"authors": [a, b]`; and `answers.jsonl`, the system's
//! output, `{"id": ..., "value": p}` with `p` the probability of "same
//! author" (exactly 0.5 = no answer).
//!
//! It reads and writes those files and aligns answers with the truth the way
//! the official evaluator does (a problem without an answer is scored as 0.5;
//! an answer to an unknown problem is an error). It does not score (that is
//! `crate::eval::verification::pan_scores`) or build pairs from a corpus.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::DataError;

/// One verification problem of `pairs.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanPair {
    /// Problem id.
    pub id: String,
    /// The two texts.
    pub pair: [String; 2],
}

/// One line of `truth.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanTruth {
    /// Problem id.
    pub id: String,
    /// Whether the two texts have the same author.
    pub same: bool,
    /// The two authors, when the file names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authors: Option<[String; 2]>,
}

/// One line of `answers.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanAnswer {
    /// Problem id.
    pub id: String,
    /// Probability that the two texts have the same author (0.5 = no answer).
    pub value: f64,
}

fn parse_error(path: &Path, line: usize, message: impl std::fmt::Display) -> DataError {
    DataError::Parse {
        source_name: path.display().to_string(),
        message: format!("line {line}: {message}"),
    }
}

/// Reads a JSON-lines file into `T`s, skipping blank lines, with errors
/// naming the file and line; ids must be unique.
fn read_lines<T: for<'de> Deserialize<'de>>(
    path: &Path,
    what: &str,
    id_of: impl Fn(&T) -> &str,
) -> Result<Vec<T>, DataError> {
    let file = std::fs::File::open(path).map_err(|source| DataError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line_no = i + 1;
        let line = line.map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                DataError::InvalidUtf8 {
                    source_name: path.display().to_string(),
                    line: line_no,
                }
            } else {
                DataError::Io {
                    path: path.display().to_string(),
                    source: e,
                }
            }
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let item: T = serde_json::from_str(&line)
            .map_err(|e| parse_error(path, line_no, format!("not a {what} line ({e})")))?;
        let id = id_of(&item).to_string();
        if let Some(first) = seen.insert(id.clone(), line_no) {
            return Err(parse_error(
                path,
                line_no,
                format!("problem id `{id}` already on line {first}; ids must be unique"),
            ));
        }
        out.push(item);
    }
    if out.is_empty() {
        return Err(DataError::Parse {
            source_name: path.display().to_string(),
            message: format!("no {what} lines"),
        });
    }
    Ok(out)
}

/// Reads a PAN `pairs.jsonl`.
pub fn read_pairs(path: &Path) -> Result<Vec<PanPair>, DataError> {
    read_lines(path, r#"{"id", "pair": [text, text]}"#, |p: &PanPair| &p.id)
}

/// Reads a PAN `truth.jsonl`.
pub fn read_truth(path: &Path) -> Result<Vec<PanTruth>, DataError> {
    read_lines(path, r#"{"id", "same": bool}"#, |t: &PanTruth| &t.id)
}

/// Reads a PAN `answers.jsonl`; every value must be a number in [0, 1].
pub fn read_answers(path: &Path) -> Result<Vec<PanAnswer>, DataError> {
    let answers = read_lines(path, r#"{"id", "value": number}"#, |a: &PanAnswer| &a.id)?;
    if let Some(a) = answers
        .iter()
        .find(|a| !a.value.is_finite() || !(0.0..=1.0).contains(&a.value))
    {
        return Err(DataError::Parse {
            source_name: path.display().to_string(),
            message: format!(
                "problem `{}`: value {} is not a probability in [0, 1]",
                a.id, a.value
            ),
        });
    }
    Ok(answers)
}

/// Writes `answers` as a PAN `answers.jsonl` (atomically; never over one of
/// `inputs`; an existing file only when `replace`).
pub fn write_answers<P: AsRef<Path>>(
    path: &Path,
    answers: &[PanAnswer],
    inputs: &[P],
    replace: bool,
) -> Result<(), DataError> {
    super::output::check_output_file(path, inputs, replace)?;
    super::output::write_file_atomic(path, |w: &mut dyn Write| {
        for a in answers {
            serde_json::to_writer(&mut *w, a).map_err(std::io::Error::other)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// Answers aligned with the truth, problem by problem.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedAnswers {
    /// Problem ids, sorted (the official evaluator's order).
    pub ids: Vec<String>,
    /// The answer of each problem (0.5 where the system gave none).
    pub values: Vec<f64>,
    /// The truth of each problem.
    pub same: Vec<bool>,
    /// Problems of the truth without an answer (scored as 0.5).
    pub missing: usize,
}

/// Aligns `answers` with `truth` as the official evaluator does: sorted by
/// id, a problem without an answer gets 0.5; an answer whose id is not in the
/// truth is an error (`answers_name` names the answers file in it).
pub fn align_answers(
    truth: &[PanTruth],
    answers: &[PanAnswer],
    answers_name: &str,
) -> Result<AlignedAnswers, DataError> {
    let known: HashSet<&str> = truth.iter().map(|t| t.id.as_str()).collect();
    if let Some(a) = answers.iter().find(|a| !known.contains(a.id.as_str())) {
        return Err(DataError::Parse {
            source_name: answers_name.to_string(),
            message: format!(
                "problem `{}` is not in the truth file; answers and truth must come from the same pairs",
                a.id
            ),
        });
    }
    let by_id: HashMap<&str, f64> = answers.iter().map(|a| (a.id.as_str(), a.value)).collect();
    let sorted: BTreeMap<&str, bool> = truth.iter().map(|t| (t.id.as_str(), t.same)).collect();
    let mut out = AlignedAnswers {
        ids: Vec::with_capacity(sorted.len()),
        values: Vec::with_capacity(sorted.len()),
        same: Vec::with_capacity(sorted.len()),
        missing: 0,
    };
    for (id, same) in sorted {
        let value = match by_id.get(id) {
            Some(&v) => v,
            None => {
                out.missing += 1;
                0.5
            }
        };
        out.ids.push(id.to_string());
        out.values.push(value);
        out.same.push(same);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_aligns_and_rejects() {
        let dir = std::env::temp_dir().join(format!("reident-pan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let truth = dir.join("truth.jsonl");
        std::fs::write(
            &truth,
            "{\"id\":\"b\",\"same\":true}\n\n{\"id\":\"a\",\"same\":false,\"authors\":[\"x\",\"y\"]}\n",
        )
        .unwrap();
        let answers = dir.join("answers.jsonl");
        std::fs::write(&answers, "{\"id\":\"b\",\"value\":0.75}\n").unwrap();
        let t = read_truth(&truth).unwrap();
        assert_eq!(t[1].authors, Some(["x".to_string(), "y".to_string()]));
        let a = read_answers(&answers).unwrap();
        let aligned = align_answers(&t, &a, "answers.jsonl").unwrap();
        assert_eq!(aligned.ids, ["a", "b"]);
        assert_eq!(aligned.values, [0.5, 0.75]);
        assert_eq!(aligned.same, [false, true]);
        assert_eq!(aligned.missing, 1);
        // An answer to a problem the truth does not have.
        let stray = [PanAnswer {
            id: "z".into(),
            value: 0.1,
        }];
        assert!(align_answers(&t, &stray, "x").is_err());
        // Out-of-range value, duplicate id, bad line: errors naming the line.
        std::fs::write(&answers, "{\"id\":\"b\",\"value\":1.5}\n").unwrap();
        assert!(read_answers(&answers).is_err());
        std::fs::write(
            &truth,
            "{\"id\":\"b\",\"same\":true}\n{\"id\":\"b\",\"same\":true}\n",
        )
        .unwrap();
        let e = read_truth(&truth).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        std::fs::write(&truth, "{\"id\":\"b\"}\n").unwrap();
        let e = read_truth(&truth).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        // Writing: never over an input.
        let out = dir.join("out.jsonl");
        let written = [PanAnswer {
            id: "a".into(),
            value: 0.25,
        }];
        write_answers(&out, &written, &[&truth], false).unwrap();
        assert_eq!(read_answers(&out).unwrap(), written);
        assert!(write_answers(&truth, &written, &[&truth], true).is_err());
        assert!(write_answers(&out, &written, &[&truth], false).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
