//! Trace unicity (de Montjoye, Hidalgo, Verleysen and Blondel 2013,
//! "Unique in the Crowd", Scientific Reports 3:1376) out of core
//! (`reident unicity --memory`): the same
//! [`UnicityResult`] as [`crate::attacks::unicity::unicity_curve`] over an
//! event file read in chunks, with the events held in per-user partitions
//! on disk once they outgrow the memory budget.
//!
//! **How.** One pass over the file ([`crate::data::stream_table`]) numbers
//! users, actions and points in order of first appearance, exactly as
//! [`crate::attacks::unicity::build_traces`] does, and keeps one
//! `(user, point)` pair per event; when the pairs would take more than half
//! the budget they are written to `P` partition files by user (user number
//! modulo `P`), so all of a user's events lie in one partition. Then, per
//! partition, its users' traces (sorted distinct points) are rebuilt and
//! each user's points drawn with the in-memory draw
//! ([`crate::attacks::unicity::drawn_points`], seeded by the user's number,
//! so the draw does not depend on the partitioning). A second round over
//! the partitions counts, for every user's drawn points at every `p`, the
//! users of that partition whose trace holds them all; the anonymity set is
//! the sum over partitions. Every count is an integer, so the curve is the
//! in-memory one exactly (tests compare them).
//!
//! **Memory.** Bounded by the budget for the events; what stays in memory
//! grows with users and distinct points, not events: the user, action and
//! point dictionaries, each user's drawn points and trace length, and one
//! anonymity-set count per user and `p`; one partition's traces and
//! postings at a time. Release linkage (`--release`) is not done here.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::out_of_core::{OutOfCore, SpillDir};
use super::EngineError;
use crate::attacks::unicity::{
    drawn_points, median_points, parse_timestamp, unicity_point, TraceSpec, TraceSpillSummary,
    UnicityError, UnicityResult,
};
use crate::data::{stream_table, Format, MissingPolicy, ReadOptions, StreamEvent};

/// Events of one run: in memory, or in partition files.
enum Events {
    Memory(Vec<(u32, u32)>),
    Spilled {
        dir: SpillDir,
        writers: Vec<BufWriter<File>>,
        bytes: u64,
    },
}

/// Unicity at each `p` of `points` for the events in `path` (timestamps
/// bucketed by `spec.bucket_seconds`), read under the budget of `settings`:
/// the same result as [`crate::attacks::unicity::unicity_curve`] over the
/// whole file.
///
/// Errors: those of the reader (file, line), a timestamp that cannot be
/// read (its 1-based data row), no usable event, bad parameters, and the
/// spill folder's input/output errors.
pub fn unicity_curve_file(
    path: &Path,
    opts: &ReadOptions,
    spec: &TraceSpec,
    points: &[usize],
    seed: u64,
    settings: &OutOfCore,
    progress: &mut dyn FnMut(u64),
) -> Result<(UnicityResult, TraceSpillSummary), EngineError> {
    let source = path.display().to_string();
    if spec.bucket_seconds <= 0 {
        return Err(unicity(UnicityError::Parameter {
            name: "bucket_seconds",
            message: format!("{} must be at least 1 second", spec.bucket_seconds),
        }));
    }
    if points.is_empty() || points.contains(&0) {
        return Err(unicity(UnicityError::Parameter {
            name: "points",
            message: "give one or more point counts, each at least 1 (e.g. 1,2,4,8)".into(),
        }));
    }
    let max_p = points.iter().copied().max().unwrap_or(1);
    let partitions = settings.partitions.max(1);
    let is_csv = match opts.format {
        Some(f) => f == Format::Csv,
        None => crate::data::detect_format(path).is_ok_and(|f| f == Format::Csv),
    };
    let mut columns: Vec<&str> = vec![&spec.user_column, &spec.timestamp_column];
    columns.extend(spec.action_columns.iter().map(String::as_str));

    let mut users: HashMap<String, u32> = HashMap::new();
    let mut n_users = 0u32;
    let mut actions: HashMap<String, u32> = HashMap::new();
    let mut point_ids: HashMap<(i64, u32), u32> = HashMap::new();
    let mut events = Events::Memory(Vec::new());
    let (mut n_events, mut n_skipped) = (0usize, 0usize);
    let half_budget = (settings.budget.0 / 2).max(1);
    let mut action = String::new();
    let chunk_rows = settings.chunk_rows.unwrap_or(100_000);
    let mut rows_read = 0u64;
    stream_table(
        path,
        &columns,
        opts,
        &MissingPolicy::nulls_only(),
        chunk_rows,
        &mut |event| -> Result<(), EngineError> {
            let (table, first_row) = match event {
                StreamEvent::Restart => {
                    users.clear();
                    n_users = 0;
                    actions.clear();
                    point_ids.clear();
                    events = Events::Memory(Vec::new());
                    (n_events, n_skipped) = (0, 0);
                    return Ok(());
                }
                StreamEvent::Chunk { table, first_row } => (table, first_row),
            };
            let cols = &table.columns;
            // CSV: an empty field is null (as in `read_frame`); elsewhere
            // only a null is.
            let text = |c: usize, r: usize| -> Option<&str> {
                let col = &cols[c];
                let code = col.codes[r];
                if col.is_missing_code(code) {
                    return None;
                }
                let v = col.values[code as usize].as_str();
                (!(is_csv && v.is_empty())).then_some(v)
            };
            for r in 0..table.n_rows {
                let (Some(user), Some(time)) = (text(0, r), text(1, r)) else {
                    n_skipped += 1;
                    continue;
                };
                let secs = parse_timestamp(time).ok_or_else(|| {
                    unicity(UnicityError::BadTimestamp {
                        source_name: source.clone(),
                        row: (first_row as usize) + r + 1,
                        value: time.to_string(),
                    })
                })?;
                action.clear();
                for i in 2..cols.len() {
                    if i > 2 {
                        action.push('\u{1f}');
                    }
                    action.push_str(text(i, r).unwrap_or(""));
                }
                let next_action = actions.len() as u32;
                let action_id = match actions.get(action.as_str()) {
                    Some(&id) => id,
                    None => {
                        actions.insert(action.clone(), next_action);
                        next_action
                    }
                };
                let next_point = point_ids.len() as u32;
                let point = *point_ids
                    .entry((secs.div_euclid(spec.bucket_seconds), action_id))
                    .or_insert(next_point);
                let u = match users.get(user) {
                    Some(&u) => u,
                    None => {
                        users.insert(user.to_string(), n_users);
                        n_users += 1;
                        n_users - 1
                    }
                };
                n_events += 1;
                match &mut events {
                    Events::Memory(pairs) => {
                        pairs.push((u, point));
                        if (pairs.capacity() * 8) as u64 > half_budget {
                            let dir = SpillDir::create_in(settings.temp_dir.as_deref())?;
                            let mut writers = Vec::with_capacity(partitions);
                            for p in 0..partitions {
                                let path = dir.file(p);
                                let file = File::create(&path).map_err(|e| {
                                    EngineError::Spill(format!("{}: {e}", path.display()))
                                })?;
                                writers.push(BufWriter::with_capacity(64 << 10, file));
                            }
                            let mut bytes = 0;
                            for &(u, p) in pairs.iter() {
                                bytes += write_pair(&mut writers, &dir, u, p)?;
                            }
                            events = Events::Spilled {
                                dir,
                                writers,
                                bytes,
                            };
                        }
                    }
                    Events::Spilled {
                        dir,
                        writers,
                        bytes,
                    } => {
                        *bytes += write_pair(writers, dir, u, point)?;
                    }
                }
            }
            rows_read += table.n_rows as u64;
            progress(rows_read);
            Ok(())
        },
    )?;
    if n_users == 0 {
        return Err(unicity(UnicityError::NoTraces {
            source_name: source,
        }));
    }
    drop(users);
    drop(actions);
    let n_users = n_users as usize;
    let n_points = point_ids.len();
    drop(point_ids);

    // The partitions: files, or the pairs in memory as one.
    let (dir, n_parts, spilled_bytes, memory_pairs) = match events {
        Events::Memory(pairs) => (None, 1usize, 0u64, Some(pairs)),
        Events::Spilled {
            dir,
            writers,
            bytes,
        } => {
            for mut w in writers {
                w.flush()
                    .map_err(|e| EngineError::Spill(format!("{}: {e}", dir.path.display())))?;
            }
            (Some(dir), partitions, bytes, None)
        }
    };
    let traces_of = |part: usize| -> Result<Vec<(u32, Vec<u32>)>, EngineError> {
        let mut pairs = match (&dir, &memory_pairs) {
            (Some(dir), _) => read_pairs(&dir.file(part))?,
            (None, Some(pairs)) => pairs.clone(),
            (None, None) => Vec::new(),
        };
        pairs.sort_unstable();
        pairs.dedup();
        let mut traces: Vec<(u32, Vec<u32>)> = Vec::new();
        for (u, p) in pairs {
            match traces.last_mut() {
                Some((last, t)) if *last == u => t.push(p),
                _ => traces.push((u, vec![p])),
            }
        }
        Ok(traces)
    };

    // Round 1: every user's drawn points and trace length.
    let mut drawn: Vec<Vec<u32>> = vec![Vec::new(); n_users];
    let mut lens: Vec<usize> = vec![0; n_users];
    for part in 0..n_parts {
        crate::data::cancel::check().map_err(|e| unicity(e.into()))?;
        for (u, t) in traces_of(part)? {
            lens[u as usize] = t.len();
            drawn[u as usize] = drawn_points(&t, u as usize, max_p, seed);
        }
    }
    // Round 2: per partition, the users whose trace holds every drawn point.
    let mut sizes: Vec<Vec<usize>> = vec![vec![0; n_users]; points.len()];
    for part in 0..n_parts {
        crate::data::cancel::check().map_err(|e| unicity(e.into()))?;
        let mut postings: HashMap<u32, Vec<u32>> = HashMap::new();
        for (u, t) in traces_of(part)? {
            for p in t {
                postings.entry(p).or_default().push(u);
            }
        }
        let empty: Vec<u32> = Vec::new();
        let list = |p: u32| postings.get(&p).unwrap_or(&empty);
        for (pi, &p) in points.iter().enumerate() {
            for (u, d) in drawn.iter().enumerate() {
                let d = &d[..p.min(d.len())];
                let count = match d.iter().min_by_key(|&&q| list(q).len()) {
                    None => postings_users(&postings),
                    Some(&shortest) => list(shortest)
                        .iter()
                        .filter(|v| d.iter().all(|&q| list(q).binary_search(v).is_ok()))
                        .count(),
                };
                sizes[pi][u] += count;
            }
        }
    }
    drop(dir);
    let curve = points
        .iter()
        .zip(&sizes)
        .map(|(&p, s)| unicity_point(p, s, &lens))
        .collect();
    Ok((
        UnicityResult {
            spec: spec.clone(),
            seed,
            n_users,
            n_events,
            n_distinct_points: n_points,
            median_points_per_user: median_points(lens),
            curve,
        },
        TraceSpillSummary {
            memory_budget_bytes: settings.budget.0,
            bucket_seconds: spec.bucket_seconds,
            spill_partitions: if spilled_bytes > 0 { n_parts as u64 } else { 0 },
            spilled_bytes,
        },
    ))
}

/// Users with at least one point in a partition's postings (the anonymity
/// set of an empty point set is every user).
fn postings_users(postings: &HashMap<u32, Vec<u32>>) -> usize {
    let mut users: Vec<u32> = postings.values().flatten().copied().collect();
    users.sort_unstable();
    users.dedup();
    users.len()
}

fn unicity(e: UnicityError) -> EngineError {
    EngineError::Unicity(e)
}

fn write_pair(
    writers: &mut [BufWriter<File>],
    dir: &SpillDir,
    user: u32,
    point: u32,
) -> Result<u64, EngineError> {
    let n = writers.len().max(1);
    let w = &mut writers[user as usize % n];
    w.write_all(&user.to_le_bytes())
        .and_then(|()| w.write_all(&point.to_le_bytes()))
        .map_err(|e| EngineError::Spill(format!("{}: {e}", dir.path.display())))?;
    Ok(8)
}

fn read_pairs(path: &Path) -> Result<Vec<(u32, u32)>, EngineError> {
    let file =
        File::open(path).map_err(|e| EngineError::Spill(format!("{}: {e}", path.display())))?;
    let len = file.metadata().map_or(0, |m| m.len());
    let mut reader = BufReader::with_capacity(64 << 10, file);
    let mut pairs = Vec::with_capacity((len / 8) as usize);
    let mut buf = [0u8; 8];
    loop {
        match reader.read_exact(&mut buf) {
            Ok(()) => {
                let u = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
                let p = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
                pairs.push((u, p));
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(EngineError::Spill(format!("{}: {e}", path.display()))),
        }
    }
    Ok(pairs)
}

impl From<UnicityError> for EngineError {
    fn from(e: UnicityError) -> Self {
        EngineError::Unicity(e)
    }
}
