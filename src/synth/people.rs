//! Users of the synthetic organisation: public attributes (team, role,
//! location, time zone, tenure, seniority), a persistent [`WritingStyle`] and an
//! [`ActivityRhythm`], all drawn from the user's own seeded random stream.
//!
//! Every individual trait is a blend `base + strength * (personal - base)`:
//! at strength 0 all users share the population base (everyone writes alike,
//! everyone works the same hours and uses products alike); at strength 1 each
//! user has fully personal habits. This makes stylometric and trace attacks
//! meaningful and their difficulty adjustable.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, LogNormal, Normal};
use serde::Serialize;

use super::vocab;

/// The public attributes of one user, as written to `users.*`.
#[derive(Debug, Clone, Serialize)]
pub struct UserRecord {
    /// Stable identifier `u000042` (index in the corpus).
    pub user_id: String,
    /// Login, unique in the corpus (`jdoe`, `jdoe2`).
    pub login: String,
    /// Display name `First Last` (may repeat, as in real companies).
    pub display_name: String,
    /// Work e-mail under `example.com`.
    pub email: String,
    /// Team name.
    pub team: String,
    /// Job role.
    pub role: String,
    /// Office city.
    pub location: String,
    /// Region of the office.
    pub region: String,
    /// Fixed UTC offset label `UTC+05:30`.
    pub time_zone: String,
    /// Fixed UTC offset in minutes.
    pub utc_offset_minutes: i32,
    /// Whole years at the company.
    pub tenure_years: u32,
    /// Tenure band: `0-1`, `1-3`, `3-5`, `5-10`, `10+`.
    pub tenure_band: String,
    /// Seniority level.
    pub seniority: String,
}

/// Draws an index from non-negative weights (linear scan; weight vectors are short).
pub fn pick_weighted(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// `base + strength * (personal - base)`.
fn blend(base: f64, personal: f64, strength: f64) -> f64 {
    base + strength * (personal - base)
}

/// Blends two weight vectors of equal length element-wise.
fn blend_weights(base: &[f64], personal: &[f64], strength: f64) -> Vec<f64> {
    base.iter()
        .zip(personal)
        .map(|(b, p)| blend(*b, *p, strength))
        .collect()
}

/// A Dirichlet(alpha, ..., alpha) draw of length `n` (normalised Gamma draws);
/// small `alpha` gives peaked personal preferences.
fn dirichlet(rng: &mut ChaCha8Rng, n: usize, alpha: f64) -> Vec<f64> {
    // alpha is a positive literal at every call site; fall back to Gamma(1, 1) regardless.
    let gamma = Gamma::new(alpha, 1.0)
        .unwrap_or_else(|_| Gamma::new(1.0, 1.0).expect("Gamma(1, 1) is valid"));
    let mut v: Vec<f64> = (0..n).map(|_| gamma.sample(rng) + 1e-12).collect();
    let s: f64 = v.iter().sum();
    v.iter_mut().for_each(|x| *x /= s);
    v
}

fn uniform(n: usize) -> Vec<f64> {
    vec![1.0 / n as f64; n]
}

/// A "habit probability": personal rates are skewed towards zero (`u^power * max`),
/// so most people rarely do a thing and a few do it often.
fn habit(rng: &mut ChaCha8Rng, power: i32, max: f64) -> f64 {
    rng.gen::<f64>().powi(power) * max
}

/// How one author writes. Rates are per sentence unless stated.
#[derive(Debug, Clone)]
pub struct WritingStyle {
    /// Median sentence length in words (log-normal).
    pub sentence_median: f64,
    /// Log-normal sigma of sentence length.
    pub sentence_sigma: f64,
    /// Multiplier on document lengths.
    pub verbosity: f64,
    /// Mean sentences per paragraph.
    pub paragraph_sentences: f64,
    /// Preference weights over the alternatives of each [`vocab::FUNCTION_SLOTS`] slot.
    pub slot_weights: Vec<Vec<f64>>,
    /// Weights over [`vocab::TEMPLATES`].
    pub template_weights: Vec<f64>,
    /// Probability a sentence ends with `?`.
    pub question_rate: f64,
    /// Probability a sentence ends with `!`.
    pub exclaim_rate: f64,
    /// Probability a sentence ends with `...`.
    pub ellipsis_rate: f64,
    /// Probability a sentence starts in lower case.
    pub lowercase_start: f64,
    /// Probability the pronoun "I" is written "i".
    pub lowercase_i: f64,
    /// Probability two spaces follow a full stop.
    pub double_space: f64,
    /// Probability of a smiley after a sentence.
    pub smiley_rate: f64,
    /// Weights over `:)`, `:-)`, `;)`, `:D`.
    pub smiley_weights: Vec<f64>,
    /// Per-entry probability of using each [`vocab::MISSPELLINGS`] misspelling.
    pub misspell_prob: Vec<f64>,
    /// Per-word probability of a transposition typo.
    pub typo_rate: f64,
    /// Probability a document opens with a greeting.
    pub greeting_rate: f64,
    /// Weights over [`vocab::GREETINGS`].
    pub greeting_weights: Vec<f64>,
    /// Probability a document ends with a sign-off.
    pub signoff_rate: f64,
    /// Weights over [`vocab::SIGNOFFS`].
    pub signoff_weights: Vec<f64>,
    /// Probability a document holds a code block.
    pub code_block_rate: f64,
    /// Weights over code-block markup: `{code}`, `{noformat}`, Markdown fence.
    pub code_markup_weights: Vec<f64>,
    /// Probability a sentence carries an inline code span.
    pub inline_code_rate: f64,
    /// Weights over inline code markup: `{{x}}`, `` `x` ``, plain.
    pub inline_markup_weights: Vec<f64>,
    /// Probability a document holds a bullet list.
    pub list_rate: f64,
    /// Weights over bullet characters `*`, `-`, `#`.
    pub bullet_weights: Vec<f64>,
    /// Probability a sentence has a `*bold*` phrase.
    pub bold_rate: f64,
    /// Weights over mention forms `[~login]`, `@login`.
    pub mention_weights: Vec<f64>,
    /// Probability a commit message starts with the issue key.
    pub commit_key_prefix: f64,
    /// Probability a commit subject is in the past tense.
    pub commit_past_tense: f64,
    /// Probability a commit subject ends with a full stop.
    pub commit_trailing_period: f64,
    /// Probability a commit message has a body.
    pub commit_body_rate: f64,
}

impl WritingStyle {
    /// Draws a style; `strength` in [0, 1] blends population base and personal habits.
    pub fn draw(rng: &mut ChaCha8Rng, strength: f64) -> Self {
        let s = strength;
        let slots = vocab::FUNCTION_SLOTS.len();
        let base_slot = uniform(4);
        let slot_weights = (0..slots)
            .map(|_| blend_weights(&base_slot, &dirichlet(rng, 4, 0.4), s))
            .collect();
        let n_t = vocab::TEMPLATES.len();
        let template_weights = blend_weights(&uniform(n_t), &dirichlet(rng, n_t, 0.6), s);
        let sentence_personal = LogNormal::new(13f64.ln(), 0.35)
            .map(|d| d.sample(rng))
            .unwrap_or(13.0);
        let verbosity_personal = LogNormal::new(0.0, 0.45)
            .map(|d| d.sample(rng))
            .unwrap_or(1.0);
        let par_personal = 1.0 + rng.gen::<f64>() * 4.0;
        let misspell_prob = (0..vocab::MISSPELLINGS.len())
            .map(|_| {
                let personal = if rng.gen::<f64>() < 0.25 {
                    0.1 + 0.4 * rng.gen::<f64>()
                } else {
                    0.0
                };
                blend(0.02, personal, s)
            })
            .collect();
        let lowercase_i_personal = if rng.gen::<f64>() < 0.1 { 0.9 } else { 0.0 };
        let double_space_personal = if rng.gen::<f64>() < 0.15 { 0.9 } else { 0.0 };
        WritingStyle {
            sentence_median: blend(13.0, sentence_personal, s),
            sentence_sigma: 0.55,
            verbosity: blend(1.0, verbosity_personal, s),
            paragraph_sentences: blend(3.0, par_personal, s),
            slot_weights,
            template_weights,
            question_rate: blend(0.05, habit(rng, 2, 0.2), s),
            exclaim_rate: blend(0.02, habit(rng, 3, 0.25), s),
            ellipsis_rate: blend(0.01, habit(rng, 3, 0.15), s),
            lowercase_start: blend(0.125, habit(rng, 2, 0.45), s),
            lowercase_i: blend(0.02, lowercase_i_personal, s),
            double_space: blend(0.05, double_space_personal, s),
            smiley_rate: blend(0.01, habit(rng, 4, 0.2), s),
            smiley_weights: blend_weights(&uniform(4), &dirichlet(rng, 4, 0.3), s),
            misspell_prob,
            typo_rate: blend(0.004, habit(rng, 3, 0.03), s),
            greeting_rate: blend(0.035, habit(rng, 2, 0.2), s),
            greeting_weights: blend_weights(
                &uniform(vocab::GREETINGS.len()),
                &dirichlet(rng, vocab::GREETINGS.len(), 0.3),
                s,
            ),
            signoff_rate: blend(0.127, habit(rng, 2, 0.8), s),
            signoff_weights: blend_weights(
                &uniform(vocab::SIGNOFFS.len()),
                &dirichlet(rng, vocab::SIGNOFFS.len(), 0.3),
                s,
            ),
            code_block_rate: blend(0.1, habit(rng, 2, 0.3), s),
            code_markup_weights: blend_weights(&[0.75, 0.2, 0.05], &dirichlet(rng, 3, 0.3), s),
            inline_code_rate: blend(0.015, habit(rng, 2, 0.08), s),
            inline_markup_weights: blend_weights(&[0.4, 0.5, 0.1], &dirichlet(rng, 3, 0.3), s),
            list_rate: blend(0.1, habit(rng, 2, 0.2), s),
            bullet_weights: blend_weights(&[0.3, 0.55, 0.15], &dirichlet(rng, 3, 0.3), s),
            bold_rate: blend(0.004, habit(rng, 3, 0.04), s),
            mention_weights: blend_weights(&[0.8, 0.2], &dirichlet(rng, 2, 0.5), s),
            commit_key_prefix: blend(0.6, rng.gen::<f64>(), s),
            commit_past_tense: blend(0.2, if rng.gen::<f64>() < 0.25 { 0.95 } else { 0.02 }, s),
            commit_trailing_period: blend(0.1, habit(rng, 2, 0.9), s),
            commit_body_rate: blend(0.3, rng.gen::<f64>() * 0.8, s),
        }
    }
}

/// When and how a user uses the products.
#[derive(Debug, Clone)]
pub struct ActivityRhythm {
    /// Local hour at which the working day starts (fractional).
    pub start_hour: f64,
    /// Length of the working day in hours.
    pub day_length: f64,
    /// Probability an activity falls on a weekend day.
    pub weekend_rate: f64,
    /// Weights over [`vocab::PRODUCTS`].
    pub product_weights: Vec<f64>,
    /// Per product, weights over its features.
    pub feature_weights: Vec<Vec<f64>>,
    /// Weights over [`vocab::ACTIONS`].
    pub action_weights: Vec<f64>,
}

impl ActivityRhythm {
    /// Draws a rhythm; `strength` in [0, 1] blends the population base and personal habits.
    pub fn draw(rng: &mut ChaCha8Rng, strength: f64, writes_code: bool) -> Self {
        let s = strength;
        let start = Normal::new(9.0, 1.2)
            .map(|d| d.sample(rng))
            .unwrap_or(9.0_f64)
            .clamp(6.0, 12.0);
        let length = Normal::new(8.5, 1.0)
            .map(|d| d.sample(rng))
            .unwrap_or(8.5_f64)
            .clamp(6.0, 11.0);
        let base_products = if writes_code {
            vec![0.45, 0.2, 0.35]
        } else {
            vec![0.55, 0.4, 0.05]
        };
        let product_weights = blend_weights(&base_products, &dirichlet(rng, 3, 1.0), s);
        let feature_weights = vocab::PRODUCTS
            .iter()
            .map(|(_, feats)| {
                blend_weights(&uniform(feats.len()), &dirichlet(rng, feats.len(), 0.5), s)
            })
            .collect();
        let n_a = vocab::ACTIONS.len();
        let base_actions = [0.5, 0.1, 0.15, 0.1, 0.08, 0.03, 0.02, 0.02];
        let action_weights = blend_weights(&base_actions[..n_a], &dirichlet(rng, n_a, 0.8), s);
        ActivityRhythm {
            start_hour: blend(9.0, start, s),
            day_length: blend(8.5, length, s),
            weekend_rate: blend(0.03, habit(rng, 3, 0.3), s),
            product_weights,
            feature_weights,
            action_weights,
        }
    }

    /// Draws an activity time (Unix seconds, UTC) in `[start_day, start_day + span_days)`
    /// for a user at `utc_offset_minutes`: a working day (weekends at `weekend_rate`),
    /// a local time inside the working day, converted to UTC.
    pub fn draw_time(
        &self,
        rng: &mut ChaCha8Rng,
        start_day: i64,
        span_days: u32,
        utc_offset_minutes: i32,
    ) -> i64 {
        let span = i64::from(span_days.max(1));
        let mut day = start_day + rng.gen_range(0..span);
        let weekend_ok = rng.gen::<f64>() < self.weekend_rate;
        for _ in 0..7 {
            if weekend_ok || crate::data::calendar::weekday(day) < 5 {
                break;
            }
            day = start_day + (day - start_day + 1) % span;
        }
        // Activity is denser mid-day: triangular-ish offset within the working day.
        let u = (rng.gen::<f64>() + rng.gen::<f64>()) / 2.0;
        let local_seconds = ((self.start_hour + u * self.day_length) * 3600.0) as i64;
        day * 86_400 + local_seconds - i64::from(utc_offset_minutes) * 60
    }
}

/// Tenure band of a number of years.
pub fn tenure_band(years: u32) -> &'static str {
    match years {
        0 => "0-1",
        1..=2 => "1-3",
        3..=4 => "3-5",
        5..=9 => "5-10",
        _ => "10+",
    }
}

/// `UTC+05:30` style label of an offset in minutes.
pub fn offset_label(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Everything the generator knows about one user.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Public attributes.
    pub record: UserRecord,
    /// Index of the user's team in [`vocab::TEAMS`].
    pub team_index: usize,
    /// Whether the role writes code (commits).
    pub writes_code: bool,
    /// First name (for greetings and sign-offs).
    pub first_name: String,
    /// Writing habits.
    pub style: WritingStyle,
    /// Product-usage habits.
    pub rhythm: ActivityRhythm,
    /// Issues this user reports.
    pub n_issues: u32,
    /// Confluence pages this user authors.
    pub n_pages: u32,
    /// Commits this user authors.
    pub n_commits: u32,
    /// Usage events of this user.
    pub n_events: u32,
}

/// Draws the attributes, habits and activity counts of user `index` (login
/// uniqueness is settled by the caller). `activity` multiplies all counts.
pub fn draw_profile(
    rng: &mut ChaCha8Rng,
    index: usize,
    style_strength: f64,
    habit_strength: f64,
    activity: f64,
) -> Profile {
    let first = vocab::FIRST_NAMES[rng.gen_range(0..vocab::FIRST_NAMES.len())];
    let last = vocab::LAST_NAMES[rng.gen_range(0..vocab::LAST_NAMES.len())];
    let team_index = rng.gen_range(0..vocab::TEAMS.len());
    let role_w: Vec<f64> = vocab::ROLES.iter().map(|r| r.1).collect();
    let role_index = pick_weighted(rng, &role_w);
    let (role, _, writes_code) = vocab::ROLES[role_index];
    let loc_w: Vec<f64> = vocab::LOCATIONS.iter().map(|l| l.3).collect();
    let (city, offset, region, _) = vocab::LOCATIONS[pick_weighted(rng, &loc_w)];
    // Tenure: exponential-ish, mean about 3.5 years, capped at 20.
    let tenure_years = ((-rng.gen::<f64>().max(1e-9).ln()) * 3.5).floor().min(20.0) as u32;
    let seniority_level = (tenure_years as f64 / 3.0 + rng.gen::<f64>() * 1.5)
        .floor()
        .min(4.0) as usize;
    let login = format!(
        "{}{}",
        first[..1].to_ascii_lowercase(),
        last.to_ascii_lowercase()
    );
    let style = WritingStyle::draw(rng, style_strength);
    let rhythm = ActivityRhythm::draw(rng, habit_strength, writes_code);
    let mult = LogNormal::new(0.0, 0.8)
        .map(|d| d.sample(rng))
        .unwrap_or(1.0)
        * activity;
    let is_writer = matches!(
        role,
        "Product Manager" | "Technical Writer" | "Engineering Manager"
    );
    let poisson = |rng: &mut ChaCha8Rng, mean: f64| -> u32 {
        if mean <= 0.0 {
            return 0;
        }
        rand_distr::Poisson::new(mean)
            .map(|d| d.sample(rng) as u32)
            .unwrap_or(0)
    };
    let n_issues = poisson(rng, 4.0 * mult);
    let n_pages = poisson(rng, if is_writer { 2.0 } else { 0.5 } * mult);
    let n_commits = if writes_code {
        poisson(rng, 6.0 * mult)
    } else {
        0
    };
    let n_events = poisson(rng, 60.0 * mult);
    Profile {
        record: UserRecord {
            user_id: format!("u{index:06}"),
            email: String::new(),
            login,
            display_name: format!("{first} {last}"),
            team: vocab::TEAMS[team_index].0.to_string(),
            role: role.to_string(),
            location: city.to_string(),
            region: region.to_string(),
            time_zone: offset_label(offset),
            utc_offset_minutes: offset,
            tenure_years,
            tenure_band: tenure_band(tenure_years).to_string(),
            seniority: vocab::SENIORITY[seniority_level].to_string(),
        },
        team_index,
        writes_code,
        first_name: first.to_string(),
        style,
        rhythm,
        n_issues,
        n_pages,
        n_commits,
        n_events,
    }
}
