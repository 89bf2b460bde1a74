//! Trace unicity of event data (de Montjoye, Hidalgo, Verleysen and Blondel
//! 2013, "Unique in the Crowd: The privacy bounds of human mobility",
//! Scientific Reports 3:1376) and linkage of pseudonymized release traces to
//! original users.
//!
//! A user's *trace* is the set of distinct points `(time bucket, action)`
//! of their events, where the time bucket is `floor(unix seconds / width)`
//! (coarsening in time) and the action is the tuple of the chosen action
//! columns (coarsening in kind: e.g. `product` alone or
//! `product, feature, action`). A user is *singled out* by `p` points of
//! their trace when no other user's trace contains all `p`. Unicity at `p`
//! is the share of users singled out by `p` points drawn at random from
//! their own trace.
//!
//! For each user one seeded random order of their points is drawn once and
//! the first `p` are used for every `p` of the sweep, so the points at `p`
//! are a subset of those at `p + 1` and the curve is non-decreasing. A user
//! with fewer than `p` distinct points uses all of them (and is counted in
//! `n_users_short`), as the paper's attacker cannot know more points than
//! exist; the denominator is every user at every `p`.
//!
//! The anonymity sets can be counted as partials per user partition
//! ([`unicity_curve_partitioned`], `reident unicity --engine
//! partials:USERS`): each partition counts its own users matching every
//! user's drawn points, and the counts add up to the one-pass result.
//!
//! Linkage ([`link_traces`]): each release pseudonym's trace is matched to
//! the original user sharing the most points with it (ties share the
//! credit), scored against a truth map.
//!
//! Not done here: reading files (see [`crate::data::read_frame`]), spatial
//! coarsening of coordinates, printing.

use std::collections::HashMap;

use polars::prelude::DataFrame;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Errors of trace unicity and trace linkage.
#[derive(Debug, thiserror::Error)]
pub enum UnicityError {
    /// The run was cancelled by its caller (`crate::data::cancel`).
    #[error(transparent)]
    Cancelled(#[from] crate::data::cancel::Cancelled),
    /// A column is not in the events.
    #[error("{source_name}: no column `{column}`; the columns are: {}", available.join(", "))]
    MissingColumn {
        /// File or label.
        source_name: String,
        /// The column asked for.
        column: String,
        /// The columns present.
        available: Vec<String>,
    },
    /// A timestamp cannot be read.
    #[error("{source_name}: data row {row}: timestamp `{value}` is neither ISO 8601 (`2023-05-16T22:52:26Z`, `2023-05-16`) nor integer Unix seconds")]
    BadTimestamp {
        /// File or label.
        source_name: String,
        /// 1-based data row.
        row: usize,
        /// The value.
        value: String,
    },
    /// A parameter is out of range.
    #[error("invalid parameter `{name}`: {message}")]
    Parameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The events have no user with a usable event.
    #[error("{source_name}: no event has a user, a timestamp and an action; nothing to measure")]
    NoTraces {
        /// File or label.
        source_name: String,
    },
}

/// Parses an ISO 8601 UTC timestamp (`YYYY-MM-DD`, optionally followed by
/// `THH:MM[:SS[.fff]]` and `Z` or `+HH:MM`/`-HH:MM`) or integer Unix
/// seconds into Unix seconds (fractions dropped).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<i64>() {
        return Some(secs);
    }
    let b = t.as_bytes();
    let num = |s: &str| s.parse::<i64>().ok();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(&t[0..4])?, num(&t[5..7])?, num(&t[8..10])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    let rest = &t[10..];
    if rest.is_empty() {
        return Some(secs);
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    let rb = rest.as_bytes();
    if rb.len() < 5 || rb[2] != b':' {
        return None;
    }
    let (hh, mm) = (num(&rest[0..2])?, num(&rest[3..5])?);
    let mut i = 5;
    let mut ss = 0;
    if rb.len() >= 8 && rb[5] == b':' {
        ss = num(&rest[6..8])?;
        i = 8;
        if rb.len() > i && rb[i] == b'.' {
            i += 1;
            while i < rb.len() && rb[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    secs += hh * 3600 + mm * 60 + ss;
    let zone = &rest[i..];
    match zone {
        "" | "Z" | "z" => Some(secs),
        _ => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = zone[1..].replace(':', "");
            if z.len() != 4 {
                return None;
            }
            let offset = num(&z[0..2])? * 3600 + num(&z[2..4])? * 60;
            Some(secs - sign * offset)
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Which columns make a point and how coarse it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceSpec {
    /// The user (or pseudonym) column.
    pub user_column: String,
    /// The timestamp column.
    pub timestamp_column: String,
    /// Columns whose values, joined, form the action (location/kind) of a
    /// point; empty for time-only points.
    pub action_columns: Vec<String>,
    /// Width of a time bucket in seconds (3600 = hourly as in the paper).
    pub bucket_seconds: i64,
}

/// Interned points shared by original and release traces.
#[derive(Debug, Clone, Default)]
pub struct PointVocabulary {
    actions: HashMap<String, u32>,
    points: HashMap<(i64, u32), u32>,
}

impl PointVocabulary {
    /// Number of distinct points seen.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when no point was seen.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// Users and their traces (sorted distinct point ids).
#[derive(Debug, Clone)]
pub struct Traces {
    /// User labels in order of first appearance.
    pub users: Vec<String>,
    /// `traces[u]`: sorted, distinct point ids of user `u`.
    pub traces: Vec<Vec<u32>>,
    /// Events read (rows with a user, a timestamp and the action columns).
    pub n_events: usize,
    /// Rows skipped because the user or the timestamp was null.
    pub n_skipped: usize,
}

fn text_column<'a>(
    frame: &'a DataFrame,
    name: &str,
    source: &str,
) -> Result<&'a polars::prelude::StringChunked, UnicityError> {
    let missing = || UnicityError::MissingColumn {
        source_name: source.to_string(),
        column: name.to_string(),
        available: frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect(),
    };
    frame
        .column(name)
        .map_err(|_| missing())?
        .str()
        .map_err(|_| missing())
}

/// Builds the traces of `frame` (every column text, as
/// [`crate::data::read_frame`] returns) under `spec`, interning points in
/// `vocabulary` so traces built with the same vocabulary share point ids.
pub fn build_traces(
    frame: &DataFrame,
    source: &str,
    spec: &TraceSpec,
    vocabulary: &mut PointVocabulary,
) -> Result<Traces, UnicityError> {
    if spec.bucket_seconds <= 0 {
        return Err(UnicityError::Parameter {
            name: "bucket_seconds",
            message: format!("{} must be at least 1 second", spec.bucket_seconds),
        });
    }
    let users = text_column(frame, &spec.user_column, source)?;
    let times = text_column(frame, &spec.timestamp_column, source)?;
    let actions = spec
        .action_columns
        .iter()
        .map(|c| text_column(frame, c, source))
        .collect::<Result<Vec<_>, _>>()?;
    let mut user_index: HashMap<String, usize> = HashMap::new();
    let mut labels = Vec::new();
    let mut traces: Vec<Vec<u32>> = Vec::new();
    let mut action = String::new();
    let (mut n_events, mut n_skipped) = (0, 0);
    for row in 0..frame.height() {
        let (Some(user), Some(time)) = (users.get(row), times.get(row)) else {
            n_skipped += 1;
            continue;
        };
        let secs = parse_timestamp(time).ok_or_else(|| UnicityError::BadTimestamp {
            source_name: source.to_string(),
            row: row + 1,
            value: time.to_string(),
        })?;
        action.clear();
        for (i, col) in actions.iter().enumerate() {
            if i > 0 {
                action.push('\u{1f}');
            }
            action.push_str(col.get(row).unwrap_or(""));
        }
        let next_action = vocabulary.actions.len() as u32;
        let action_id = match vocabulary.actions.get(action.as_str()) {
            Some(&id) => id,
            None => {
                vocabulary.actions.insert(action.clone(), next_action);
                next_action
            }
        };
        let next_point = vocabulary.points.len() as u32;
        let point = *vocabulary
            .points
            .entry((secs.div_euclid(spec.bucket_seconds), action_id))
            .or_insert(next_point);
        let u = match user_index.get(user) {
            Some(&u) => u,
            None => {
                user_index.insert(user.to_string(), labels.len());
                labels.push(user.to_string());
                traces.push(Vec::new());
                labels.len() - 1
            }
        };
        traces[u].push(point);
        n_events += 1;
    }
    if labels.is_empty() {
        return Err(UnicityError::NoTraces {
            source_name: source.to_string(),
        });
    }
    traces.par_iter_mut().for_each(|t| {
        t.sort_unstable();
        t.dedup();
    });
    Ok(Traces {
        users: labels,
        traces,
        n_events,
        n_skipped,
    })
}

/// For every point id below `n_points`, the sorted users whose trace holds it.
pub fn postings(traces: &Traces, n_points: usize) -> Vec<Vec<u32>> {
    let mut lists = vec![Vec::new(); n_points];
    for (u, t) in traces.traces.iter().enumerate() {
        for &p in t {
            lists[p as usize].push(u as u32);
        }
    }
    lists
}

/// Users whose trace contains every point of `points` (the anonymity set
/// size; at least 1 when the points come from a user's own trace; all
/// `n_users` when `points` is empty).
pub fn anonymity_set_size(postings: &[Vec<u32>], points: &[u32], n_users: usize) -> usize {
    let Some(shortest) = points.iter().min_by_key(|&&p| postings[p as usize].len()) else {
        return n_users;
    };
    postings[*shortest as usize]
        .iter()
        .filter(|u| {
            points
                .iter()
                .all(|&p| postings[p as usize].binary_search(u).is_ok())
        })
        .count()
}

/// Per user, a seeded random order of their distinct points truncated to
/// `max_points`: the first `p` are the points drawn at `p`. User `u`'s order
/// comes from ChaCha8 seeded with `seed`, stream `u`, so it does not depend
/// on thread scheduling.
pub fn sampled_points(traces: &Traces, max_points: usize, seed: u64) -> Vec<Vec<u32>> {
    traces
        .traces
        .par_iter()
        .enumerate()
        .map(|(u, t)| drawn_points(t, u, max_points, seed))
        .collect()
}

/// User `u`'s points as [`sampled_points`] draws them from their trace
/// `trace` (sorted distinct point ids).
pub fn drawn_points(trace: &[u32], u: usize, max_points: usize, seed: u64) -> Vec<u32> {
    drawn_positions(trace.len(), u, max_points, seed)
        .into_iter()
        .map(|i| trace[i as usize])
        .collect()
}

/// The positions in user `u`'s sorted trace of length `len` of the points
/// [`drawn_points`] draws, in draw order: the shuffle depends on the length
/// alone, so an engine that holds the traces elsewhere (Spark) needs only
/// each user's number of points to draw the same points.
pub fn drawn_positions(len: usize, u: usize, max_points: usize, seed: u64) -> Vec<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u as u64);
    let mut order: Vec<u32> = (0..len as u32).collect();
    order.shuffle(&mut rng);
    order.truncate(max_points);
    order
}

/// Unicity at `p` points from every user's anonymity set size (`sizes`, one
/// per user) and trace length (`lens`).
pub fn unicity_point(p: usize, sizes: &[usize], lens: &[usize]) -> UnicityPoint {
    let n_unique = sizes.iter().filter(|&&s| s == 1).count();
    unicity_point_of_counts(p, n_unique, sizes.iter().sum::<usize>(), lens)
}

/// [`unicity_point`] from the users singled out (`n_unique`) and the sum
/// of the anonymity set sizes, as an engine that counts elsewhere returns
/// them (one size per user of `lens`).
pub fn unicity_point_of_counts(
    p: usize,
    n_unique: usize,
    sum_sizes: usize,
    lens: &[usize],
) -> UnicityPoint {
    let n_users = lens.len();
    UnicityPoint {
        points: p,
        n_users,
        n_unique,
        unicity: n_unique as f64 / n_users as f64,
        n_users_short: lens.iter().filter(|&&l| l < p).count(),
        mean_anonymity_set: sum_sizes as f64 / n_users as f64,
    }
}

/// The median of the trace lengths `lens` (0 when empty).
pub fn median_points(mut lens: Vec<usize>) -> f64 {
    if lens.is_empty() {
        return 0.0;
    }
    lens.sort_unstable();
    if lens.len() % 2 == 1 {
        lens[lens.len() / 2] as f64
    } else {
        0.5 * (lens[lens.len() / 2 - 1] + lens[lens.len() / 2]) as f64
    }
}

/// Unicity at one `p`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnicityPoint {
    /// Points known per user.
    pub points: usize,
    /// Users measured.
    pub n_users: usize,
    /// Users singled out.
    pub n_unique: usize,
    /// `n_unique / n_users`.
    pub unicity: f64,
    /// Users with fewer than `points` distinct points (all theirs were used).
    pub n_users_short: usize,
    /// Mean number of users matching a user's points (1 = unique).
    pub mean_anonymity_set: f64,
}

/// The unicity curve and the parameters behind it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnicityResult {
    /// Columns and coarsening.
    pub spec: TraceSpec,
    /// Seed of the point draws.
    pub seed: u64,
    /// Users.
    pub n_users: usize,
    /// Events used.
    pub n_events: usize,
    /// Distinct points after coarsening.
    pub n_distinct_points: usize,
    /// Median distinct points per user.
    pub median_points_per_user: f64,
    /// Unicity per `p`, in the order asked (the chart's series).
    pub curve: Vec<UnicityPoint>,
}

/// Unicity at each `p` of `points` (de Montjoye et al. 2013); `progress` is
/// called once per finished `p`. One pass: [`unicity_curve_partitioned`]
/// with every user in one partition.
pub fn unicity_curve(
    traces: &Traces,
    vocabulary: &PointVocabulary,
    spec: &TraceSpec,
    points: &[usize],
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> Result<UnicityResult, UnicityError> {
    let all: Vec<u32> = (0..traces.users.len() as u32).collect();
    unicity_curve_partitioned(
        traces,
        vocabulary,
        spec,
        points,
        seed,
        std::slice::from_ref(&all),
        progress,
    )
}

/// The part of the unicity counts one partition of the users contributes:
/// for every `p` and every user `u` (of all partitions), how many users of
/// this partition have all of `u`'s first `p` drawn points in their trace.
/// A user's anonymity set is the sum of these counts over the partitions,
/// so partials over any split of the users add up exactly
/// ([`UnicityPartial::merge`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnicityPartial {
    /// The point counts `p`, in the order asked.
    pub points: Vec<usize>,
    /// `counts[i][u]`: users of the partition matching `u`'s first
    /// `points[i]` drawn points.
    pub counts: Vec<Vec<u64>>,
    /// Users in the partition.
    pub n_users: u64,
}

impl UnicityPartial {
    /// The partial of the users `part` (indexes into `traces`), answering
    /// the drawn points of every user (`drawn`, from [`sampled_points`]).
    pub fn of_users(
        traces: &Traces,
        part: &[u32],
        drawn: &[Vec<u32>],
        points: &[usize],
        n_points: usize,
    ) -> Self {
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); n_points];
        let mut sorted = part.to_vec();
        sorted.sort_unstable();
        for &u in &sorted {
            for &p in &traces.traces[u as usize] {
                lists[p as usize].push(u);
            }
        }
        let counts = points
            .iter()
            .map(|&p| {
                drawn
                    .par_iter()
                    .map(|d| anonymity_set_size(&lists, &d[..p.min(d.len())], part.len()) as u64)
                    .collect()
            })
            .collect();
        UnicityPartial {
            points: points.to_vec(),
            counts,
            n_users: part.len() as u64,
        }
    }

    /// Adds `other`'s counts (exact; any order). Errors when the partials
    /// answer different point counts or users.
    pub fn merge(&mut self, other: &UnicityPartial) -> Result<(), UnicityError> {
        let same_shape = self.points == other.points
            && self
                .counts
                .iter()
                .zip(&other.counts)
                .all(|(a, b)| a.len() == b.len());
        if !same_shape {
            return Err(UnicityError::Parameter {
                name: "partials",
                message: "unicity partials of different point counts or users cannot be merged"
                    .into(),
            });
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.n_users += other.n_users;
        Ok(())
    }
}

/// [`unicity_curve`] with the users split into `parts` (each user index in
/// exactly one part): the points are drawn per user as in one pass, each
/// part counts, for every user's drawn points, its own users that match
/// ([`UnicityPartial`]), and the merged counts give every user's anonymity
/// set. The result equals the one-pass result exactly (tested over 1, 2, 7
/// parts and random splits). Errors: `parts` is not a partition of the users.
pub fn unicity_curve_partitioned(
    traces: &Traces,
    vocabulary: &PointVocabulary,
    spec: &TraceSpec,
    points: &[usize],
    seed: u64,
    parts: &[Vec<u32>],
    progress: &(dyn Fn() + Sync),
) -> Result<UnicityResult, UnicityError> {
    if points.is_empty() || points.contains(&0) {
        return Err(UnicityError::Parameter {
            name: "points",
            message: "give one or more point counts, each at least 1 (e.g. 1,2,4,8)".into(),
        });
    }
    let n_users = traces.users.len();
    let mut seen = vec![false; n_users];
    for &u in parts.iter().flatten() {
        match seen.get_mut(u as usize) {
            Some(s) if !*s => *s = true,
            _ => {
                return Err(UnicityError::Parameter {
                    name: "parts",
                    message: format!("user {u} is out of range or in two parts ({n_users} users)"),
                })
            }
        }
    }
    if seen.iter().any(|s| !s) {
        return Err(UnicityError::Parameter {
            name: "parts",
            message: format!("the parts do not cover all {n_users} users"),
        });
    }
    let max_p = points.iter().copied().max().unwrap_or(1);
    let drawn = sampled_points(traces, max_p, seed);
    let mut merged = UnicityPartial {
        points: points.to_vec(),
        counts: vec![vec![0; n_users]; points.len()],
        n_users: 0,
    };
    for part in parts {
        crate::data::cancel::check()?;
        merged.merge(&UnicityPartial::of_users(
            traces,
            part,
            &drawn,
            points,
            vocabulary.len(),
        ))?;
    }
    let lens: Vec<usize> = traces.traces.iter().map(Vec::len).collect();
    let curve = points
        .iter()
        .zip(&merged.counts)
        .map(|(&p, sizes)| {
            progress();
            let sizes: Vec<usize> = sizes.iter().map(|&s| s as usize).collect();
            Ok(unicity_point(p, &sizes, &lens))
        })
        .collect::<Result<_, UnicityError>>()?;
    let median = median_points(lens);
    Ok(UnicityResult {
        spec: spec.clone(),
        seed,
        n_users,
        n_events: traces.n_events,
        n_distinct_points: vocabulary.len(),
        median_points_per_user: median,
        curve,
    })
}

/// Result of linking release traces to original users.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceLinkage {
    /// Release pseudonyms.
    pub n_release_users: usize,
    /// Pseudonyms with a truth entry (the denominator).
    pub n_scored: usize,
    /// Pseudonyms whose single best match is their true user.
    pub n_correct: usize,
    /// Pseudonyms whose best score is shared by several users.
    pub n_ties: usize,
    /// Expected accuracy with random tie-breaking: a tie of `t` users that
    /// includes the true one counts `1/t`.
    pub accuracy: f64,
    /// Accuracy of guessing one original user at random (`1 / users`).
    pub chance: f64,
    /// Release traces sharing no point with any original user.
    pub n_unmatched: usize,
}

/// Links each release pseudonym to the original user whose trace shares the
/// most points with it, and scores the links with `truth` (pseudonym ->
/// original user). `original` and `release` must come from the same
/// [`PointVocabulary`].
pub fn link_traces(
    original: &Traces,
    release: &Traces,
    vocabulary: &PointVocabulary,
    truth: &HashMap<String, String>,
) -> TraceLinkage {
    let lists = postings(original, vocabulary.len());
    let user_index: HashMap<&str, usize> = original
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.as_str(), i))
        .collect();
    let outcomes: Vec<(bool, f64, bool, bool)> = release
        .traces
        .par_iter()
        .enumerate()
        .map(|(r, trace)| {
            let mut scores: HashMap<u32, u32> = HashMap::new();
            for &p in trace {
                if let Some(list) = lists.get(p as usize) {
                    for &u in list {
                        *scores.entry(u).or_insert(0) += 1;
                    }
                }
            }
            let best = scores.values().copied().max().unwrap_or(0);
            let top: Vec<u32> = scores
                .iter()
                .filter(|(_, &s)| s == best)
                .map(|(&u, _)| u)
                .collect();
            let truth_user = truth
                .get(&release.users[r])
                .and_then(|u| user_index.get(u.as_str()).copied());
            let scored = truth.contains_key(&release.users[r]);
            let credit = match truth_user {
                Some(t) if best > 0 && top.contains(&(t as u32)) => 1.0 / top.len() as f64,
                _ => 0.0,
            };
            (scored, credit, top.len() > 1, best == 0)
        })
        .collect();
    let n_scored = outcomes.iter().filter(|o| o.0).count();
    let credit: f64 = outcomes.iter().map(|o| o.1).sum();
    TraceLinkage {
        n_release_users: release.users.len(),
        n_scored,
        n_correct: outcomes.iter().filter(|o| o.1 == 1.0).count(),
        n_ties: outcomes.iter().filter(|o| o.2 && !o.3).count(),
        accuracy: if n_scored > 0 {
            credit / n_scored as f64
        } else {
            0.0
        },
        chance: 1.0 / original.users.len().max(1) as f64,
        n_unmatched: outcomes.iter().filter(|o| o.3).count(),
    }
}

/// Unicity curves for several time-bucket widths, and optionally the
/// linkage of release traces: what `reident unicity` reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnicityReport {
    /// One curve per bucket width, in the order asked.
    pub curves: Vec<UnicityResult>,
    /// Linkage of release traces per bucket width, when a release was given.
    pub linkage: Vec<BucketLinkage>,
    /// One entry per bucket width when the events were read out of core
    /// (`reident unicity --memory`, `crate::engine::traces`); empty for an
    /// in-memory run. Every other field is the same either way.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_core: Vec<TraceSpillSummary>,
}

/// An out-of-core run of one unicity curve: the events were read in chunks
/// and, once they outgrew half the memory budget, held in per-user
/// partition files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceSpillSummary {
    /// The memory budget, in bytes.
    pub memory_budget_bytes: u64,
    /// Bucket width of the curve.
    pub bucket_seconds: i64,
    /// Per-user partition files (0 when the events stayed in memory).
    pub spill_partitions: u64,
    /// Bytes written to the spill folder.
    pub spilled_bytes: u64,
}

/// Trace linkage at one bucket width.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BucketLinkage {
    /// Bucket width in seconds.
    pub bucket_seconds: i64,
    /// The linkage scores.
    pub linkage: TraceLinkage,
}

/// A pseudonymized release of the events and its truth map.
pub struct ReleaseEvents<'a> {
    /// The release events (text columns).
    pub frame: &'a DataFrame,
    /// File or label.
    pub source: &'a str,
    /// The pseudonym column of the release (timestamp and action columns as
    /// in the originals).
    pub user_column: &'a str,
    /// Pseudonym -> original user.
    pub truth: &'a HashMap<String, String>,
}

/// The sweep of [`unicity_sweep`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepConfig {
    /// Time-bucket widths in seconds, one curve each (`spec.bucket_seconds`
    /// is ignored).
    pub buckets: Vec<i64>,
    /// Points known per user.
    pub points: Vec<usize>,
    /// Seed of the point draws.
    pub seed: u64,
    /// Count the anonymity sets as partials of this many users each
    /// ([`unicity_curve_partitioned`]; the same curves); `None`: one pass.
    pub users_per_partial: Option<usize>,
}

/// Runs [`unicity_curve`] for each width in `sweep.buckets` and, with a
/// release, [`link_traces`] at the same widths; `progress` is called once
/// per finished `p` and once per linkage.
pub fn unicity_sweep(
    original: &DataFrame,
    source: &str,
    spec: &TraceSpec,
    sweep: &SweepConfig,
    release: Option<&ReleaseEvents<'_>>,
    progress: &(dyn Fn() + Sync),
) -> Result<UnicityReport, UnicityError> {
    let (buckets, points, seed) = (&sweep.buckets, &sweep.points, sweep.seed);
    if buckets.is_empty() {
        return Err(UnicityError::Parameter {
            name: "bucket_seconds",
            message: "give at least one bucket width in seconds (e.g. 3600)".into(),
        });
    }
    let mut report = UnicityReport {
        curves: Vec::new(),
        linkage: Vec::new(),
        out_of_core: Vec::new(),
    };
    for &bucket in buckets.iter() {
        crate::data::cancel::check()?;
        let spec = TraceSpec {
            bucket_seconds: bucket,
            ..spec.clone()
        };
        let mut vocabulary = PointVocabulary::default();
        let traces = build_traces(original, source, &spec, &mut vocabulary)?;
        let n_users = traces.users.len() as u32;
        let chunk = sweep
            .users_per_partial
            .map_or(n_users.max(1), |n| n.clamp(1, u32::MAX as usize) as u32);
        let parts: Vec<Vec<u32>> = (0..n_users)
            .step_by(chunk as usize)
            .map(|start| (start..n_users.min(start.saturating_add(chunk))).collect())
            .collect();
        report.curves.push(unicity_curve_partitioned(
            &traces,
            &vocabulary,
            &spec,
            points,
            seed,
            &parts,
            progress,
        )?);
        if let Some(rel) = release {
            let rel_spec = TraceSpec {
                user_column: rel.user_column.to_string(),
                ..spec.clone()
            };
            let rel_traces = build_traces(rel.frame, rel.source, &rel_spec, &mut vocabulary)?;
            report.linkage.push(BucketLinkage {
                bucket_seconds: bucket,
                linkage: link_traces(&traces, &rel_traces, &vocabulary, rel.truth),
            });
            progress();
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        // 2023-05-16: 19,493 days after 1970-01-01; 22:52:26 = 82,346 s.
        assert_eq!(
            parse_timestamp("2023-05-16T22:52:26Z"),
            Some(19_493 * 86_400 + 82_346)
        );
        assert_eq!(
            parse_timestamp("2023-05-17T00:52:26+02:00"),
            parse_timestamp("2023-05-16T22:52:26Z")
        );
        assert_eq!(parse_timestamp("2000-03-01"), Some(11_017 * 86_400));
        assert_eq!(parse_timestamp("1700000000"), Some(1_700_000_000));
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2023-13-01"), None);
    }
}
