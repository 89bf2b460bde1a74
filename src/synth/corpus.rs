//! Per-user document generation: the records of one user (issues they report
//! with the comments on them, Confluence pages, Bitbucket commits, product-usage
//! events) drawn from that user's own random stream, so users can be generated
//! in parallel and in any order with identical output.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};
use serde::Serialize;

use super::people::pick_weighted;
use super::text::{Composer, IdentifierKind, Org, Plant};
use super::vocab;
use crate::data::calendar::iso_utc;

/// A Jira issue.
#[derive(Debug, Clone, Serialize)]
pub struct IssueRecord {
    /// Issue key `PAY-12`.
    pub issue_key: String,
    /// Jira project key.
    pub project: String,
    /// Issue type.
    pub issue_type: String,
    /// Priority.
    pub priority: String,
    /// Workflow status.
    pub status: String,
    /// Reporter login.
    pub reporter: String,
    /// Assignee login (unassigned: null).
    pub assignee: Option<String>,
    /// Creation time, ISO 8601 UTC.
    pub created: String,
    /// Resolution time for resolved/closed issues.
    pub resolved: Option<String>,
    /// One-line summary.
    pub summary: String,
    /// Description (null when empty, as in 27 % of the Apache sample).
    pub description: Option<String>,
}

/// A comment on a Jira issue.
#[derive(Debug, Clone, Serialize)]
pub struct CommentRecord {
    /// `PAY-12#3`.
    pub comment_id: String,
    /// The issue commented on.
    pub issue_key: String,
    /// Author login.
    pub author: String,
    /// Creation time, ISO 8601 UTC.
    pub created: String,
    /// Comment text.
    pub body: String,
}

/// A Confluence page.
#[derive(Debug, Clone, Serialize)]
pub struct PageRecord {
    /// `PAY-p17`.
    pub page_id: String,
    /// Confluence space key.
    pub space: String,
    /// Page title.
    pub title: String,
    /// Author login.
    pub author: String,
    /// Creation time, ISO 8601 UTC.
    pub created: String,
    /// Page body (wiki markup).
    pub body: String,
    /// Number of versions.
    pub version_count: u32,
}

/// A Bitbucket commit.
#[derive(Debug, Clone, Serialize)]
pub struct CommitRecord {
    /// 40 hex digits.
    pub commit_hash: String,
    /// Repository slug.
    pub repo: String,
    /// Author login.
    pub author: String,
    /// Author e-mail.
    pub author_email: String,
    /// Commit time, ISO 8601 UTC.
    pub timestamp: String,
    /// Commit message.
    pub message: String,
    /// Number of files changed.
    pub files_changed: u32,
    /// Changed paths joined by `;`.
    pub paths: String,
}

/// A product-usage event.
#[derive(Debug, Clone, Serialize)]
pub struct EventRecord {
    /// User login.
    pub user: String,
    /// Event time, ISO 8601 UTC.
    pub timestamp: String,
    /// Product (`jira`, `confluence`, `bitbucket`).
    pub product: String,
    /// Feature within the product.
    pub feature: String,
    /// Action.
    pub action: String,
}

/// One planted identifier, located by document, field and byte span.
#[derive(Debug, Clone, Serialize)]
pub struct PlantedRecord {
    /// `issue`, `comment`, `page` or `commit`.
    pub doc_kind: String,
    /// The document's id (issue key, comment id, page id, commit hash).
    pub doc_id: String,
    /// The text field (`summary`, `description`, `body`, `title`, `message`).
    pub field: String,
    /// Kind of identifier.
    pub kind: IdentifierKind,
    /// The planted text.
    pub value: String,
    /// Byte offset of the start in the field.
    pub start: usize,
    /// Byte offset of the end in the field.
    pub end: usize,
}

/// Everything generated for one user.
#[derive(Debug, Clone, Default)]
pub struct UserBatch {
    /// Issues reported by the user.
    pub issues: Vec<IssueRecord>,
    /// Comments on those issues (by colleagues and the reporter).
    pub comments: Vec<CommentRecord>,
    /// Pages authored by the user.
    pub pages: Vec<PageRecord>,
    /// Commits authored by the user.
    pub commits: Vec<CommitRecord>,
    /// Usage events of the user, in time order.
    pub events: Vec<EventRecord>,
    /// Identifiers planted in the user's documents.
    pub planted: Vec<PlantedRecord>,
}

impl UserBatch {
    /// Number of text documents (issues + comments + pages + commits).
    pub fn n_documents(&self) -> usize {
        self.issues.len() + self.comments.len() + self.pages.len() + self.commits.len()
    }
}

/// Parameters shared by all users' generation.
#[derive(Debug, Clone, Copy)]
pub struct GenParams {
    /// Master seed.
    pub seed: u64,
    /// First day of the activity window (days since 1970-01-01).
    pub start_day: i64,
    /// Length of the window in days.
    pub span_days: u32,
    /// Multiplier on planting rates.
    pub plant_rate: f64,
}

/// The random stream of user `index`'s profile (`2 * index`) or documents (`2 * index + 1`).
pub fn user_rng(seed: u64, index: usize, documents: bool) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(2 * index as u64 + u64::from(documents));
    rng
}

fn record_plants(
    out: &mut Vec<PlantedRecord>,
    kind: &str,
    id: &str,
    field: &str,
    plants: Vec<Plant>,
) {
    out.extend(plants.into_iter().map(|p| PlantedRecord {
        doc_kind: kind.to_string(),
        doc_id: id.to_string(),
        field: field.to_string(),
        kind: p.kind,
        value: p.value,
        start: p.start,
        end: p.end,
    }));
}

fn lognormal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    LogNormal::new(median.ln(), sigma)
        .map(|d| d.sample(rng))
        .unwrap_or(median)
}

/// Length model (words), calibrated on the Apache Jira sample: descriptions median 55
/// (q10 13, q90 300), comments median 32 (q10 7, q90 173). The composer finishes whole
/// sentences and adds planted-identifier sentences, so targets sit a little below the
/// measured medians.
const DESCRIPTION_MEDIAN: f64 = 40.0;
const COMMENT_MEDIAN: f64 = 17.0;
const LENGTH_SIGMA: f64 = 1.2;
const PAGE_MEDIAN: f64 = 120.0;

/// Generates all records of user `index`; `issue_offset` and `page_offset` are the
/// numbers of issues in the user's project and pages in the corpus before this user.
pub fn generate_user(
    org: &Org<'_>,
    index: usize,
    issue_offset: u32,
    page_offset: u32,
    params: &GenParams,
) -> UserBatch {
    let mut rng = user_rng(params.seed, index, true);
    let user = &org.users[index];
    let mut batch = UserBatch::default();
    let (_, project, repo) = vocab::TEAMS[user.team_index];
    let offset = user.record.utc_offset_minutes;
    let type_w: Vec<f64> = vocab::ISSUE_TYPES.iter().map(|t| t.1).collect();
    let prio_w: Vec<f64> = vocab::PRIORITIES.iter().map(|t| t.1).collect();
    let status_w: Vec<f64> = vocab::STATUSES.iter().map(|t| t.1).collect();

    let mut own_keys = Vec::with_capacity(user.n_issues as usize);
    for j in 0..user.n_issues {
        let key = format!("{project}-{}", issue_offset + j + 1);
        own_keys.push(key.clone());
        let created = user
            .rhythm
            .draw_time(&mut rng, params.start_day, params.span_days, offset);
        let status = vocab::STATUSES[pick_weighted(&mut rng, &status_w)].0;
        let resolved = matches!(status, "Resolved" | "Closed")
            .then(|| iso_utc(created + (lognormal(&mut rng, 5.0, 1.2) * 86_400.0) as i64));
        let assignee = (rng.gen::<f64>() < 0.8).then(|| {
            org.users[org.colleague(&mut rng, index)]
                .record
                .login
                .clone()
        });
        let (summary, plants) = {
            let mut composer = Composer::new(&mut rng, org, index);
            composer.summary();
            composer.take()
        };
        record_plants(&mut batch.planted, "issue", &key, "summary", plants);
        let description = if rng.gen::<f64>() < 0.27 {
            None
        } else {
            let target = lognormal(&mut rng, DESCRIPTION_MEDIAN, LENGTH_SIGMA);
            let mut composer = Composer::new(&mut rng, org, index);
            composer.body(target, true, params.plant_rate);
            let (text, plants) = composer.take();
            record_plants(&mut batch.planted, "issue", &key, "description", plants);
            Some(text)
        };
        batch.issues.push(IssueRecord {
            issue_key: key.clone(),
            project: project.to_string(),
            issue_type: vocab::ISSUE_TYPES[pick_weighted(&mut rng, &type_w)]
                .0
                .to_string(),
            priority: vocab::PRIORITIES[pick_weighted(&mut rng, &prio_w)]
                .0
                .to_string(),
            status: status.to_string(),
            reporter: user.record.login.clone(),
            assignee,
            created: iso_utc(created),
            resolved,
            summary,
            description,
        });
        // Comments: 2.98 human comments per issue in the Apache sample.
        let n_comments = rand_distr::Poisson::new(3.0)
            .map(|d| d.sample(&mut rng) as u32)
            .unwrap_or(0);
        let created_day = created.div_euclid(86_400);
        for c in 0..n_comments {
            let author = if rng.gen::<f64>() < 0.3 {
                index
            } else {
                org.colleague(&mut rng, index)
            };
            let a = &org.users[author];
            let mut t = a
                .rhythm
                .draw_time(&mut rng, created_day, 21, a.record.utc_offset_minutes);
            if t <= created {
                t = created + rng.gen_range(600..86_400);
            }
            let id = format!("{key}#{}", c + 1);
            let target = lognormal(&mut rng, COMMENT_MEDIAN, LENGTH_SIGMA);
            let mut composer = Composer::new(&mut rng, org, author);
            composer.body(target, true, params.plant_rate);
            let (body, plants) = composer.take();
            record_plants(&mut batch.planted, "comment", &id, "body", plants);
            batch.comments.push(CommentRecord {
                comment_id: id,
                issue_key: key.clone(),
                author: a.record.login.clone(),
                created: iso_utc(t),
                body,
            });
        }
    }

    for j in 0..user.n_pages {
        let id = format!("{project}-p{}", page_offset + j + 1);
        let t = user
            .rhythm
            .draw_time(&mut rng, params.start_day, params.span_days, offset);
        let (title, _) = {
            let mut composer = Composer::new(&mut rng, org, index);
            composer.page_title();
            composer.take()
        };
        let target = lognormal(&mut rng, PAGE_MEDIAN, 0.7);
        let mut composer = Composer::new(&mut rng, org, index);
        composer.page_body(target, params.plant_rate * 2.0);
        let (body, plants) = composer.take();
        record_plants(&mut batch.planted, "page", &id, "body", plants);
        let versions = 1 + rand_distr::Poisson::new(2.5)
            .map(|d| d.sample(&mut rng) as u32)
            .unwrap_or(0);
        batch.pages.push(PageRecord {
            page_id: id,
            space: project.to_string(),
            title,
            author: user.record.login.clone(),
            created: iso_utc(t),
            body,
            version_count: versions,
        });
    }

    for _ in 0..user.n_commits {
        let t = user
            .rhythm
            .draw_time(&mut rng, params.start_day, params.span_days, offset);
        let hash = format!(
            "{:016x}{:016x}{:08x}",
            rng.gen::<u64>(),
            rng.gen::<u64>(),
            rng.gen::<u32>()
        );
        let key = if !own_keys.is_empty() && rng.gen::<f64>() < 0.5 {
            own_keys[rng.gen_range(0..own_keys.len())].clone()
        } else {
            org.issue_key(&mut rng, index)
        };
        let mut composer = Composer::new(&mut rng, org, index);
        composer.commit_message(&key);
        let (message, plants) = composer.take();
        record_plants(&mut batch.planted, "commit", &hash, "message", plants);
        let files = 1 + rand_distr::Poisson::new(2.0)
            .map(|d| d.sample(&mut rng) as u32)
            .unwrap_or(0);
        let mut paths = String::new();
        for f in 0..files {
            if f > 0 {
                paths.push(';');
            }
            let dir = vocab::SOURCE_DIRS[rng.gen_range(0..vocab::SOURCE_DIRS.len())];
            let part = vocab::CLASS_PARTS[rng.gen_range(0..vocab::CLASS_PARTS.len())];
            let suffix = vocab::CLASS_SUFFIXES[rng.gen_range(0..vocab::CLASS_SUFFIXES.len())];
            let ext = vocab::SOURCE_EXTS[rng.gen_range(0..vocab::SOURCE_EXTS.len())];
            paths.push_str(&format!("{dir}/{part}{suffix}.{ext}"));
        }
        batch.commits.push(CommitRecord {
            commit_hash: hash,
            repo: repo.to_string(),
            author: user.record.login.clone(),
            author_email: user.record.email.clone(),
            timestamp: iso_utc(t),
            message,
            files_changed: files,
            paths,
        });
    }

    let mut times: Vec<(i64, usize, usize, usize)> = (0..user.n_events)
        .map(|_| {
            let t = user
                .rhythm
                .draw_time(&mut rng, params.start_day, params.span_days, offset);
            let p = pick_weighted(&mut rng, &user.rhythm.product_weights);
            let f = pick_weighted(&mut rng, &user.rhythm.feature_weights[p]);
            let a = pick_weighted(&mut rng, &user.rhythm.action_weights);
            (t, p, f, a)
        })
        .collect();
    times.sort_unstable();
    batch.events = times
        .into_iter()
        .map(|(t, p, f, a)| EventRecord {
            user: user.record.login.clone(),
            timestamp: iso_utc(t),
            product: vocab::PRODUCTS[p].0.to_string(),
            feature: vocab::PRODUCTS[p].1[f].to_string(),
            action: vocab::ACTIONS[a].to_string(),
        })
        .collect();
    batch
}
