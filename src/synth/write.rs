//! Streaming writers for the generated corpus: one NDJSON and/or Parquet file
//! per table, written chunk by chunk (NDJSON line by line through serde_json;
//! Parquet as one row group per chunk through polars' batched writer).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use super::corpus::UserBatch;
use super::people::UserRecord;
use super::SynthError;

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Newline-delimited JSON only.
    Ndjson,
    /// Parquet only.
    Parquet,
    /// Both.
    Both,
}

/// Table names, in the order files are opened.
pub const TABLES: [&str; 7] = [
    "users", "issues", "comments", "pages", "commits", "events", "planted",
];

struct Ndjson {
    path: PathBuf,
    writer: BufWriter<File>,
}

impl Ndjson {
    fn write<T: Serialize>(&mut self, rows: impl Iterator<Item = T>) -> Result<(), SynthError> {
        for row in rows {
            serde_json::to_writer(&mut self.writer, &row)
                .map_err(|e| io_err(&self.path, std::io::Error::other(e)))?;
            self.writer
                .write_all(b"\n")
                .map_err(|e| io_err(&self.path, e))?;
        }
        Ok(())
    }
}

struct Parquet {
    path: PathBuf,
    writer: Option<polars::io::parquet::write::BatchedWriter<File>>,
    file: Option<File>,
}

impl Parquet {
    fn write(&mut self, df: PolarsResult<DataFrame>) -> Result<(), SynthError> {
        let df = df.map_err(|e| pq_err(&self.path, e))?;
        if df.height() == 0 {
            return Ok(());
        }
        if self.writer.is_none() {
            let file = self
                .file
                .take()
                .ok_or_else(|| pq_err(&self.path, "writer already finished"))?;
            let w = ParquetWriter::new(file)
                .with_compression(ParquetCompression::Zstd(None))
                .batched(df.schema())
                .map_err(|e| pq_err(&self.path, e))?;
            self.writer = Some(w);
        }
        if let Some(w) = self.writer.as_mut() {
            w.write_batch(&df).map_err(|e| pq_err(&self.path, e))?;
        }
        Ok(())
    }

    fn finish(&mut self, empty: PolarsResult<DataFrame>) -> Result<(), SynthError> {
        if self.writer.is_none() {
            // No rows were written: write an empty file with the table's schema.
            if let Some(file) = self.file.take() {
                let mut df = empty.map_err(|e| pq_err(&self.path, e))?;
                ParquetWriter::new(file)
                    .finish(&mut df)
                    .map_err(|e| pq_err(&self.path, e))?;
            }
            return Ok(());
        }
        if let Some(w) = self.writer.as_ref() {
            w.finish().map_err(|e| pq_err(&self.path, e))?;
        }
        Ok(())
    }
}

fn io_err(path: &Path, cause: std::io::Error) -> SynthError {
    SynthError::Io {
        path: path.display().to_string(),
        cause,
    }
}

fn pq_err(path: &Path, e: impl std::fmt::Display) -> SynthError {
    SynthError::Parquet {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes every table of a corpus to a directory.
pub struct CorpusSink {
    ndjson: Vec<Ndjson>,
    parquet: Vec<Parquet>,
}

fn create(path: PathBuf) -> Result<(PathBuf, File), SynthError> {
    let f = File::create(&path).map_err(|e| io_err(&path, e))?;
    Ok((path, f))
}

fn col<T, S>(name: &str, values: Vec<S>) -> Column
where
    Series: NamedFrom<Vec<S>, T>,
    T: ?Sized,
{
    Series::new(name.into(), values).into_column()
}

fn frame(cols: Vec<Column>) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(cols)
}

/// The users table as a DataFrame.
pub fn users_frame(rows: &[&UserRecord]) -> PolarsResult<DataFrame> {
    frame(vec![
        col(
            "user_id",
            rows.iter().map(|r| r.user_id.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "login",
            rows.iter().map(|r| r.login.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "display_name",
            rows.iter()
                .map(|r| r.display_name.as_str())
                .collect::<Vec<_>>(),
        ),
        col(
            "email",
            rows.iter().map(|r| r.email.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "team",
            rows.iter().map(|r| r.team.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "role",
            rows.iter().map(|r| r.role.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "location",
            rows.iter().map(|r| r.location.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "region",
            rows.iter().map(|r| r.region.as_str()).collect::<Vec<_>>(),
        ),
        col(
            "time_zone",
            rows.iter()
                .map(|r| r.time_zone.as_str())
                .collect::<Vec<_>>(),
        ),
        col(
            "utc_offset_minutes",
            rows.iter()
                .map(|r| r.utc_offset_minutes)
                .collect::<Vec<_>>(),
        ),
        col(
            "tenure_years",
            rows.iter().map(|r| r.tenure_years).collect::<Vec<_>>(),
        ),
        col(
            "tenure_band",
            rows.iter()
                .map(|r| r.tenure_band.as_str())
                .collect::<Vec<_>>(),
        ),
        col(
            "seniority",
            rows.iter()
                .map(|r| r.seniority.as_str())
                .collect::<Vec<_>>(),
        ),
    ])
}

/// One table (index into [`TABLES`], 1..=6) of a chunk of batches as a DataFrame.
pub fn batch_frame(table: usize, batches: &[UserBatch]) -> PolarsResult<DataFrame> {
    macro_rules! strs {
        ($field:ident, $($f:ident),*) => {{
            let rows: Vec<_> = batches.iter().flat_map(|b| b.$field.iter()).collect();
            vec![$(col(stringify!($f), rows.iter().map(|r| r.$f.as_str()).collect::<Vec<_>>())),*]
        }};
    }
    match table {
        1 => {
            let rows: Vec<_> = batches.iter().flat_map(|b| b.issues.iter()).collect();
            let mut c = strs!(issues, issue_key, project, issue_type, priority, status, reporter);
            c.push(col(
                "assignee",
                rows.iter()
                    .map(|r| r.assignee.as_deref())
                    .collect::<Vec<_>>(),
            ));
            c.push(col(
                "created",
                rows.iter().map(|r| r.created.as_str()).collect::<Vec<_>>(),
            ));
            c.push(col(
                "resolved",
                rows.iter()
                    .map(|r| r.resolved.as_deref())
                    .collect::<Vec<_>>(),
            ));
            c.push(col(
                "summary",
                rows.iter().map(|r| r.summary.as_str()).collect::<Vec<_>>(),
            ));
            c.push(col(
                "description",
                rows.iter()
                    .map(|r| r.description.as_deref())
                    .collect::<Vec<_>>(),
            ));
            frame(c)
        }
        2 => frame(strs!(
            comments, comment_id, issue_key, author, created, body
        )),
        3 => {
            let rows: Vec<_> = batches.iter().flat_map(|b| b.pages.iter()).collect();
            let mut c = strs!(pages, page_id, space, title, author, created, body);
            c.push(col(
                "version_count",
                rows.iter().map(|r| r.version_count).collect::<Vec<_>>(),
            ));
            frame(c)
        }
        4 => {
            let rows: Vec<_> = batches.iter().flat_map(|b| b.commits.iter()).collect();
            let mut c = strs!(
                commits,
                commit_hash,
                repo,
                author,
                author_email,
                timestamp,
                message
            );
            c.push(col(
                "files_changed",
                rows.iter().map(|r| r.files_changed).collect::<Vec<_>>(),
            ));
            c.push(col(
                "paths",
                rows.iter().map(|r| r.paths.as_str()).collect::<Vec<_>>(),
            ));
            frame(c)
        }
        5 => frame(strs!(events, user, timestamp, product, feature, action)),
        _ => {
            let rows: Vec<_> = batches.iter().flat_map(|b| b.planted.iter()).collect();
            let mut c = strs!(planted, doc_kind, doc_id, field);
            c.push(col(
                "kind",
                rows.iter().map(|r| kind_name(r.kind)).collect::<Vec<_>>(),
            ));
            c.push(col(
                "value",
                rows.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(),
            ));
            c.push(col(
                "start",
                rows.iter().map(|r| r.start as u64).collect::<Vec<_>>(),
            ));
            c.push(col(
                "end",
                rows.iter().map(|r| r.end as u64).collect::<Vec<_>>(),
            ));
            frame(c)
        }
    }
}

/// The snake_case name of an identifier kind (as serialized).
pub fn kind_name(kind: super::IdentifierKind) -> &'static str {
    use super::IdentifierKind as K;
    match kind {
        K::Email => "email",
        K::Mention => "mention",
        K::IssueKey => "issue_key",
        K::Url => "url",
        K::Host => "host",
        K::Ip => "ip",
        K::Phone => "phone",
        K::PersonName => "person_name",
    }
}

impl CorpusSink {
    /// Creates (truncates) the files of every table in `dir`.
    pub fn create(dir: &Path, format: OutputFormat) -> Result<Self, SynthError> {
        let mut sink = CorpusSink {
            ndjson: Vec::new(),
            parquet: Vec::new(),
        };
        for t in TABLES {
            if matches!(format, OutputFormat::Ndjson | OutputFormat::Both) {
                let (path, f) = create(dir.join(format!("{t}.ndjson")))?;
                sink.ndjson.push(Ndjson {
                    path,
                    writer: BufWriter::with_capacity(1 << 20, f),
                });
            }
            if matches!(format, OutputFormat::Parquet | OutputFormat::Both) {
                let (path, f) = create(dir.join(format!("{t}.parquet")))?;
                sink.parquet.push(Parquet {
                    path,
                    writer: None,
                    file: Some(f),
                });
            }
        }
        Ok(sink)
    }

    /// Writes the users table.
    pub fn write_users(&mut self, users: &[&UserRecord]) -> Result<(), SynthError> {
        if let Some(n) = self.ndjson.first_mut() {
            n.write(users.iter())?;
        }
        if let Some(p) = self.parquet.first_mut() {
            p.write(users_frame(users))?;
        }
        Ok(())
    }

    /// Writes one chunk of user batches to every document table.
    pub fn write_batches(&mut self, batches: &[UserBatch]) -> Result<(), SynthError> {
        if !self.ndjson.is_empty() {
            let n = &mut self.ndjson;
            n[1].write(batches.iter().flat_map(|b| b.issues.iter()))?;
            n[2].write(batches.iter().flat_map(|b| b.comments.iter()))?;
            n[3].write(batches.iter().flat_map(|b| b.pages.iter()))?;
            n[4].write(batches.iter().flat_map(|b| b.commits.iter()))?;
            n[5].write(batches.iter().flat_map(|b| b.events.iter()))?;
            n[6].write(batches.iter().flat_map(|b| b.planted.iter()))?;
        }
        for (t, p) in self.parquet.iter_mut().enumerate().skip(1) {
            p.write(batch_frame(t, batches))?;
        }
        Ok(())
    }

    /// Flushes and closes every file.
    pub fn finish(mut self) -> Result<(), SynthError> {
        for n in &mut self.ndjson {
            n.writer.flush().map_err(|e| io_err(&n.path, e))?;
        }
        for (t, p) in self.parquet.iter_mut().enumerate() {
            let empty = if t == 0 {
                users_frame(&[])
            } else {
                batch_frame(t, &[])
            };
            p.finish(empty)?;
        }
        Ok(())
    }
}
