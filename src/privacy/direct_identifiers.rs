//! Direct identifiers in a table, found without the originals: columns of
//! e-mail addresses, phone numbers, person names, logins, account ids and
//! near-unique free text.
//!
//! Each column is judged on its own from two kinds of evidence: its header
//! (`email`, `phone`, `name`, `user`, `login`, `account`, ... split into words,
//! camelCase and `snake_case` alike) and the shape of its values: the share of
//! non-missing values that look like an e-mail address, a phone number, a
//! person's name (2 to 5 capitalised words; initials and particles such as
//! `van`, `de` allowed; with a name header also a single capitalised word), an
//! account id (UUID, `digits:UUID` or 24 hex digits as Atlassian uses), a
//! login (one token of letters, digits, `.`, `_`, `-`, or a name) or free text
//! (at least 5 words, 3 of them of letters), plus the share of distinct values and, for names, the share
//! whose first word is a US Census first name or whose last word is a census
//! last name ([`crate::data::text::vocabulary`]). A column is flagged by
//! the first rule that fires, in this order:
//!
//! | category | rule |
//! |---|---|
//! | e-mail | e-mail shape in ≥ 50 % of values (≥ 20 % with an e-mail header) |
//! | phone | phone shape in ≥ 50 % of values (≥ 20 % with a phone header) |
//! | account id | account-id shape in ≥ 80 % of values and ≥ 90 % distinct, or ≥ 50 % distinct with an account/user header; with a person-id header (`user_id`, `customer_id`, ...), also ≥ 80 % integers and ≥ 50 % distinct |
//! | person name | with a name or person header (`name`, `author`, `reporter`, ...): name shape in ≥ 50 % of values; without: name shape in ≥ 80 %, ≥ 50 % distinct and ≥ 30 % with a census first or last name |
//! | login | with a login header (`user`, `login`, `username`, `author`, ...): ≥ 80 % login shape (one token that is not a hex id, or a name) and ≥ 50 % distinct |
//! | free text | free-text shape in ≥ 50 % of values and ≥ 90 % distinct |
//!
//! Other hex strings of 16 to 64 digits (hashes, keyed pseudonyms such as
//! 16-digit HMAC prefixes, commit ids) are reported as `hex_digest` and never
//! flagged: without the originals a keyed pseudonym cannot be told from an
//! unsalted hash; the hash dictionary attack (`crate::attacks::text`) needs the
//! originals and tests exactly that.
//!
//! Rules that rest on a share of distinct values (account id and name without
//! a header, free text) need at least [`MIN_ROWS_FOR_UNIQUENESS`] non-missing
//! values: in a handful of rows everything is distinct. Missing values (`?`,
//! empty, `null`, `NULL`, `NaN`: [`crate::data::MissingPolicy::default`]) are
//! left out of every share.
//!
//! Examples are masked ([`crate::data::text::mask_identifier`]) unless
//! `include_examples` is set. The thresholds follow the usual practice of
//! PII column scanners (header keywords plus value patterns, as in Microsoft
//! Presidio's structured analyzer and Google Cloud DLP's column inspection);
//! the values here are this crate's own choice, documented above and tested.
//!
//! What it does not do: look inside free text for names (that is the corpus
//! scan in `crate::attacks::text`), recognise names written in lower case or
//! in scripts without case, or decide whether a flagged column is allowed to be
//! there.
//!
//! Why this file is long: one column classifier (`scan_column_with`, about 230
//! lines) weighs header words, value shapes and name lists together, and the
//! word lists and shape tests it uses (about 200 lines) serve only it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use polars::prelude::DataFrame;
use regex::Regex;

use crate::data::text::{looks_like_account_id, mask_identifier, vocabulary};

/// Account-id shape: a UUID, `digits:UUID` (Atlassian), 24 hex digits
/// (Atlassian account ids) or an `accountid:` prefix.
fn is_account_id(v: &str) -> bool {
    if !looks_like_account_id(v) {
        return false;
    }
    let hex_only = v.chars().all(|c| c.is_ascii_hexdigit());
    !hex_only || v.len() == 24
}

/// A hex digest that is not an account id (16 to 64 hex digits, digits and letters).
fn is_hex_digest(v: &str) -> bool {
    looks_like_account_id(v) && !is_account_id(v)
}
use crate::data::{read_frame, text_column, DataError, MissingPolicy, ReadOptions};

/// Non-missing values a column needs before a rule may rest on its share of
/// distinct values.
pub const MIN_ROWS_FOR_UNIQUENESS: usize = 5;

/// Errors of the table scan.
#[derive(Debug, thiserror::Error)]
pub enum DirectIdentifierError {
    /// Reading the table failed (the message names the file, row or column).
    #[error(transparent)]
    Data(#[from] DataError),
    /// A column asked for is not in the table.
    #[error("{source_name}: no column `{column}`; the columns are: {}", available.join(", "))]
    UnknownColumn {
        /// The table.
        source_name: String,
        /// The column asked for.
        column: String,
        /// The columns it has.
        available: Vec<String>,
    },
}

/// What kind of direct identifier a column holds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ColumnCategory {
    /// E-mail addresses.
    Email,
    /// Telephone numbers.
    Phone,
    /// Account ids (UUIDs, hex ids, person ids).
    AccountId,
    /// Person names.
    PersonName,
    /// Logins / user names.
    Login,
    /// Near-unique free text.
    FreeText,
    /// Hex digests (16 to 64 hex digits other than account-id lengths): hashes
    /// or keyed pseudonyms. Reported, never flagged: without the originals a
    /// keyed pseudonym cannot be told from an unsalted hash (the hash
    /// dictionary attack of `reident text` and the audit tests that).
    HexDigest,
}

impl ColumnCategory {
    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            ColumnCategory::Email => "e-mail",
            ColumnCategory::Phone => "phone",
            ColumnCategory::AccountId => "account id",
            ColumnCategory::PersonName => "person name",
            ColumnCategory::Login => "login",
            ColumnCategory::FreeText => "free text",
            ColumnCategory::HexDigest => "hex digest",
        }
    }
}

/// Options of the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectIdentifierConfig {
    /// Show example values unmasked (default: masked).
    pub include_examples: bool,
    /// Examples kept per column.
    pub max_examples: usize,
    /// Columns to scan (all when empty).
    pub columns: Vec<String>,
}

impl Default for DirectIdentifierConfig {
    fn default() -> Self {
        DirectIdentifierConfig {
            include_examples: false,
            max_examples: 3,
            columns: Vec::new(),
        }
    }
}

/// The finding for one column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ColumnFinding {
    /// Column name.
    pub column: String,
    /// Rows of the table.
    pub rows: usize,
    /// Non-missing values.
    pub non_missing: usize,
    /// Distinct non-missing values.
    pub distinct: usize,
    /// distinct / non_missing.
    pub distinct_share: Option<f64>,
    /// What the header suggests, if anything.
    pub header_hint: Option<ColumnCategory>,
    /// The category of the rule that fired; when none fired, the category whose
    /// shape most values have (if any value has one).
    pub category: Option<ColumnCategory>,
    /// Share of non-missing values with the shape of `category`.
    pub shape_share: Option<f64>,
    /// Share of non-missing values with each shape (shapes no value has are left out).
    pub shape_shares: BTreeMap<ColumnCategory, f64>,
    /// Share of non-missing values whose first word is a census first name or
    /// last word a census last name.
    pub known_name_share: Option<f64>,
    /// True when a rule fired: the column holds direct identifiers.
    pub flagged: bool,
    /// The rule that fired, in words.
    pub rule: Option<String>,
    /// Why a column with an identifier-like shape was not flagged, when it matters.
    pub note: Option<String>,
    /// Example values of `category`'s shape (masked unless examples are included).
    pub examples: Vec<String>,
}

/// The result of scanning one table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DirectIdentifierScan {
    /// The table (file name or label).
    pub source: String,
    /// Rows.
    pub rows: usize,
    /// Columns flagged.
    pub flagged: Vec<String>,
    /// Flagged columns per category.
    pub flagged_by_category: BTreeMap<ColumnCategory, usize>,
    /// True when examples are unmasked.
    pub examples_included: bool,
    /// Every scanned column, in table order.
    pub columns: Vec<ColumnFinding>,
}

impl DirectIdentifierScan {
    /// True when at least one column is flagged.
    pub fn any_flagged(&self) -> bool {
        !self.flagged.is_empty()
    }
}

/// Header words (after splitting on non-alphanumerics and camelCase, lower case).
fn header_words(header: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in header.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

const PERSON_ID_WORDS: &[&str] = &[
    "user", "customer", "client", "patient", "employee", "member", "person", "account", "student",
];
const LOGIN_WORDS: &[&str] = &[
    "user",
    "username",
    "login",
    "handle",
    "author",
    "reporter",
    "assignee",
    "owner",
    "committer",
    "creator",
    "uid",
    "userid",
    "nick",
    "nickname",
    "screenname",
];
const NAME_WORDS: &[&str] = &[
    "fullname",
    "firstname",
    "lastname",
    "surname",
    "forename",
    "givenname",
    "displayname",
    "familyname",
];
/// Words that make `name` in a header something other than a person's name.
const NOT_PERSON_NAME: &[&str] = &[
    "file", "host", "project", "class", "table", "column", "server", "domain", "field", "key",
    "package", "method", "product", "company", "app", "module", "user", "screen", "group", "team",
    "role", "event", "type", "function", "branch", "repo", "index", "queue", "topic", "bucket",
    "service", "device", "street", "city", "country", "brand",
];

/// The category a header suggests.
pub fn header_hint(header: &str) -> Option<ColumnCategory> {
    let words = header_words(header);
    let joined: String = words.concat();
    let has = |w: &str| words.iter().any(|x| x == w);
    if joined.contains("email") || has("mail") {
        return Some(ColumnCategory::Email);
    }
    if [
        "phone",
        "tel",
        "telephone",
        "mobile",
        "cell",
        "fax",
        "msisdn",
    ]
    .iter()
    .any(|w| has(w))
        || joined.contains("phone")
    {
        return Some(ColumnCategory::Phone);
    }
    if has("uuid")
        || has("guid")
        || joined.contains("accountid")
        || (has("id") && PERSON_ID_WORDS.iter().any(|w| has(w)))
    {
        return Some(ColumnCategory::AccountId);
    }
    if NAME_WORDS.iter().any(|w| joined.contains(w))
        || (has("name") && !NOT_PERSON_NAME.iter().any(|w| has(w)))
        || has("surname")
    {
        return Some(ColumnCategory::PersonName);
    }
    if LOGIN_WORDS.iter().any(|w| has(w)) || joined == "username" || has("account") {
        return Some(ColumnCategory::Login);
    }
    None
}

/// The value-shape tests (compiled patterns), built once per scan and
/// shared by its columns.
#[derive(Debug, Clone)]
pub struct ValueShapes {
    email: Regex,
    phone: Regex,
    e164: Regex,
    login: Regex,
}

impl Default for ValueShapes {
    fn default() -> Self {
        Self::new()
    }
}

impl ValueShapes {
    /// Compiles the patterns.
    pub fn new() -> Self {
        let re = |p: &str| Regex::new(p).expect("built-in shape pattern compiles");
        ValueShapes {
            email: re(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"),
            // The detector's phone pattern (data::text::identifiers), anchored.
            phone: re(
                r"^(?:\+[0-9]{1,3}[ .-]?)?(?:\([0-9]{2,4}\)[ .-]?)?[0-9]{1,4}[ .-][0-9]{3,4}(?:[ .-][0-9]{3,4})?$",
            ),
            e164: re(r"^\+[0-9]{8,15}$"),
            login: re(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$"),
        }
    }

    /// Whether `v` has the shape of `cat` (`name_single`: a name header, so
    /// one capitalised word is a name too).
    fn test(&self, cat: ColumnCategory, v: &str, name_single: bool) -> bool {
        match cat {
            ColumnCategory::Email => self.email.is_match(v),
            ColumnCategory::Phone => self.is_phone(v),
            ColumnCategory::AccountId => is_account_id(v),
            ColumnCategory::HexDigest => is_hex_digest(v),
            ColumnCategory::PersonName => is_name(v, name_single),
            ColumnCategory::Login => {
                (self.login.is_match(v)
                    && v.chars().any(char::is_alphabetic)
                    && !looks_like_account_id(v))
                    || is_name(v, true)
            }
            ColumnCategory::FreeText => is_free_text(v),
        }
    }

    fn is_phone(&self, v: &str) -> bool {
        let digits = v.chars().filter(char::is_ascii_digit).count();
        if !(7..=15).contains(&digits) {
            return false;
        }
        if self.e164.is_match(v) {
            return true;
        }
        // A plain decimal number (`1234.5678`) is not a phone number.
        let plain_number = v.parse::<f64>().is_ok() && !v.contains(['(', '+', ' ']);
        !plain_number && self.phone.is_match(v)
    }
}

const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "di", "du", "del", "della", "dos", "das", "le", "la",
    "bin", "ibn", "al", "y",
];

/// A capitalised name word: an upper-case letter, then letters, `'`, `-`, or
/// an initial (`J`, `J.`).
fn is_name_word(w: &str) -> bool {
    let w = w.trim_end_matches([',', '.']);
    let mut chars = w.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_uppercase() && chars.all(|c| c.is_alphabetic() || c == '\'' || c == '’' || c == '-')
}

/// Name shape: 2 to 5 words, every word a capitalised name word or a particle,
/// at least 2 capitalised; with `single` (a name header), one capitalised word too.
fn is_name(v: &str, single: bool) -> bool {
    if v.len() > 80 || v.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let words: Vec<&str> = v.split_whitespace().collect();
    match words.len() {
        1 => single && is_name_word(words[0]) && words[0].chars().count() >= 2,
        2..=5 => {
            let caps = words.iter().filter(|w| is_name_word(w)).count();
            caps >= 2
                && words
                    .iter()
                    .all(|w| is_name_word(w) || PARTICLES.contains(&w.to_lowercase().as_str()))
        }
        _ => false,
    }
}

fn is_known_name(v: &str) -> bool {
    let words: Vec<&str> = v
        .split([' ', ','])
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    match (words.first(), words.last()) {
        (Some(f), Some(l)) => vocabulary::is_first_name(f) || vocabulary::is_last_name(l),
        _ => false,
    }
}

/// Free text: at least 5 words separated by white space, at least 3 of them
/// made of letters (so lists of paths or numbers are not text).
fn is_free_text(v: &str) -> bool {
    let words: Vec<&str> = v.split_whitespace().collect();
    words.len() >= 5
        && words
            .iter()
            .filter(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                !w.is_empty() && w.chars().all(char::is_alphabetic)
            })
            .count()
            >= 3
}

fn share(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

fn percent(x: f64) -> String {
    format!("{:.0} %", 100.0 * x)
}

/// Scans one column's values (`None` = missing).
pub fn scan_column(
    column: &str,
    values: &[Option<String>],
    config: &DirectIdentifierConfig,
) -> ColumnFinding {
    let shapes = ValueShapes::new();
    scan_column_with(&shapes, column, values, config, &MissingPolicy::default())
}

fn scan_column_with(
    shapes: &ValueShapes,
    column: &str,
    values: &[Option<String>],
    config: &DirectIdentifierConfig,
    missing: &MissingPolicy,
) -> ColumnFinding {
    let mut counts = ColumnCounts::new(column, config);
    counts.add_rows(values.len());
    // Each distinct value is tested once, with its number of rows, in order
    // of first appearance (so the examples are those a row-by-row pass
    // would pick): the shape tests are regular expressions, and a column of
    // a few hundred distinct values over millions of rows would run them
    // millions of times.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut distinct: Vec<(&str, usize)> = Vec::new();
    for v in values.iter().flatten().map(|v| v.trim()) {
        if missing.is_missing(v) {
            continue;
        }
        match index.get(v) {
            Some(&i) => distinct[i].1 += 1,
            None => {
                index.insert(v, distinct.len());
                distinct.push((v, 1));
            }
        }
    }
    for &(v, times) in &distinct {
        counts.observe(shapes, v, times);
    }
    counts.set_distinct(distinct.len());
    counts.finding()
}

/// The categories in rule order (the order ties are broken in).
const ALL: [ColumnCategory; 7] = [
    ColumnCategory::Email,
    ColumnCategory::Phone,
    ColumnCategory::AccountId,
    ColumnCategory::PersonName,
    ColumnCategory::Login,
    ColumnCategory::FreeText,
    ColumnCategory::HexDigest,
];

/// Index of `cat` in [`ALL`].
fn index_of(cat: ColumnCategory) -> usize {
    ALL.iter().position(|&c| c == cat).unwrap_or(0)
}

/// Examples lists per category, and one more for any value (index 7).
const ANY_VALUE: usize = ALL.len();

/// Everything the column classifier reads of one column: the counts of
/// each value shape, of census names and integers, the number of distinct
/// values, and the first example values of each shape. The counts are
/// additive over the column's rows, so a caller that reads a table in
/// chunks (the out-of-core scan) feeds [`observe`](Self::observe) chunk by
/// chunk and sets the distinct count it counted itself; the in-memory scan
/// feeds every value. [`finding`](Self::finding) is the one place that
/// decides the category (the rules of the module docs).
#[derive(Debug, Clone)]
pub struct ColumnCounts {
    column: String,
    hint: Option<ColumnCategory>,
    max_examples: usize,
    include_examples: bool,
    rows: usize,
    non_missing: usize,
    distinct: usize,
    shapes: [usize; 7],
    known_names: usize,
    integers: usize,
    /// Per category (in [`ALL`] order), then for any value: the first
    /// distinct examples as shown, at most `max_examples`.
    examples: [Vec<String>; 8],
}

impl ColumnCounts {
    /// Empty counts for `column` (its header read for the hint).
    pub fn new(column: &str, config: &DirectIdentifierConfig) -> Self {
        ColumnCounts {
            column: column.to_string(),
            hint: header_hint(column),
            max_examples: config.max_examples,
            include_examples: config.include_examples,
            rows: 0,
            non_missing: 0,
            distinct: 0,
            shapes: [0; 7],
            known_names: 0,
            integers: 0,
            examples: Default::default(),
        }
    }

    /// Adds `n` rows of the table (missing values included).
    pub fn add_rows(&mut self, n: usize) {
        self.rows += n;
    }

    /// Sets the number of distinct non-missing (trimmed) values.
    pub fn set_distinct(&mut self, distinct: usize) {
        self.distinct = distinct;
    }

    /// Counts `times` occurrences of the non-missing value `value` (trimmed).
    /// Values must come in row order (their first occurrences decide the
    /// examples).
    pub fn observe(&mut self, shapes: &ValueShapes, value: &str, times: usize) {
        let name_single = self.hint == Some(ColumnCategory::PersonName);
        let flags: [bool; 7] = ALL.map(|cat| shapes.test(cat, value, name_single));
        self.non_missing += times;
        for (n, &f) in self.shapes.iter_mut().zip(&flags) {
            if f {
                *n += times;
            }
        }
        if is_known_name(value) {
            self.known_names += times;
        }
        if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit()) {
            self.integers += times;
        }
        let max = self.max_examples;
        let mut shown: Option<String> = None;
        for (i, list) in self.examples.iter_mut().enumerate() {
            if list.len() >= max || (i != ANY_VALUE && !flags[i]) {
                continue;
            }
            let s = shown.get_or_insert_with(|| show_example(value, self.include_examples));
            if !list.contains(s) {
                list.push(s.clone());
            }
        }
    }

    /// The finding: the first rule that fires (module docs), the shares,
    /// the examples.
    pub fn finding(&self) -> ColumnFinding {
        let hint = self.hint;
        let n = self.non_missing;
        let distinct = self.distinct;
        let count = |cat: ColumnCategory| self.shapes[index_of(cat)];
        let integers = self.integers;
        let known_names = self.known_names;
        let sh = |cat: ColumnCategory| share(count(cat), n).unwrap_or(0.0);
        let distinct_share = share(distinct, n).unwrap_or(0.0);
        let enough = n >= MIN_ROWS_FOR_UNIQUENESS;
        let known_share = share(known_names, n).unwrap_or(0.0);
        let mut fired: Option<(ColumnCategory, String)> = None;
        let email_min = if hint == Some(ColumnCategory::Email) {
            0.2
        } else {
            0.5
        };
        let phone_min = if hint == Some(ColumnCategory::Phone) {
            0.2
        } else {
            0.5
        };
        if n > 0 && sh(ColumnCategory::Email) >= email_min {
            fired = Some((
                ColumnCategory::Email,
                format!(
                    "e-mail addresses in {} of values (needs {})",
                    percent(sh(ColumnCategory::Email)),
                    percent(email_min)
                ),
            ));
        } else if n > 0 && sh(ColumnCategory::Phone) >= phone_min {
            fired = Some((
                ColumnCategory::Phone,
                format!(
                    "phone numbers in {} of values (needs {})",
                    percent(sh(ColumnCategory::Phone)),
                    percent(phone_min)
                ),
            ));
        } else if n > 0 && sh(ColumnCategory::AccountId) >= 0.8 {
            let id_header = matches!(
                hint,
                Some(ColumnCategory::AccountId | ColumnCategory::Login)
            );
            if (enough && distinct_share >= 0.9) || (id_header && distinct_share >= 0.5) {
                fired = Some((
                    ColumnCategory::AccountId,
                    format!(
                        "account-id shape (UUID, 24 hex digits) in {} of values, {} distinct",
                        percent(sh(ColumnCategory::AccountId)),
                        percent(distinct_share)
                    ),
                ));
            }
        }
        if fired.is_none()
            && hint == Some(ColumnCategory::AccountId)
            && n > 0
            && share(integers, n).unwrap_or(0.0) >= 0.8
            && distinct_share >= 0.5
        {
            fired = Some((
                ColumnCategory::AccountId,
                format!(
                    "person-id header and integer ids in {} of values, {} distinct",
                    percent(share(integers, n).unwrap_or(0.0)),
                    percent(distinct_share)
                ),
            ));
        }
        if fired.is_none() && n > 0 {
            let person_header = matches!(
                hint,
                Some(ColumnCategory::PersonName | ColumnCategory::Login)
            );
            let name = sh(ColumnCategory::PersonName);
            if person_header && name >= 0.5 {
                fired = Some((
                    ColumnCategory::PersonName,
                    format!(
                        "name or person header and name shape in {} of values",
                        percent(name)
                    ),
                ));
            } else if enough && name >= 0.8 && distinct_share >= 0.5 && known_share >= 0.3 {
                fired = Some((
                    ColumnCategory::PersonName,
                    format!(
                        "name shape in {} of values, {} distinct, {} with a census first or last name",
                        percent(name),
                        percent(distinct_share),
                        percent(known_share)
                    ),
                ));
            }
        }
        if fired.is_none() && n > 0 && hint == Some(ColumnCategory::Login) {
            let s = sh(ColumnCategory::Login);
            if s >= 0.8 && distinct_share >= 0.5 {
                fired = Some((
                    ColumnCategory::Login,
                    format!(
                        "login header and login or name shape in {} of values, {} distinct",
                        percent(s),
                        percent(distinct_share)
                    ),
                ));
            }
        }
        if fired.is_none() && enough && sh(ColumnCategory::FreeText) >= 0.5 && distinct_share >= 0.9
        {
            fired = Some((
                ColumnCategory::FreeText,
                format!(
                    "free text (>= 5 words) in {} of values, {} distinct",
                    percent(sh(ColumnCategory::FreeText)),
                    percent(distinct_share)
                ),
            ));
        }
        let category = fired.as_ref().map(|(c, _)| *c).or_else(|| {
            // The most common shape, ties in category order; the login shape (any
            // single token) only under a login header.
            ALL.iter()
                .copied()
                .filter(|&c| count(c) > 0)
                .filter(|&c| c != ColumnCategory::Login || hint == Some(ColumnCategory::Login))
                .max_by(|a, b| count(*a).cmp(&count(*b)).then(b.cmp(a)))
        });
        // The first distinct values of the category's shape; any value when
        // the account-id or login rule fired (their shapes are loose).
        let examples = match (&fired, category) {
            (Some((ColumnCategory::AccountId | ColumnCategory::Login, _)), _) => {
                self.examples[ANY_VALUE].clone()
            }
            (_, Some(cat)) => self.examples[index_of(cat)].clone(),
            (_, None) => Vec::new(),
        };
        ColumnFinding {
            column: self.column.clone(),
            rows: self.rows,
            non_missing: n,
            distinct,
            distinct_share: share(distinct, n),
            header_hint: hint,
            category,
            shape_share: category.and_then(|c| share(count(c), n)),
            shape_shares: ALL
                .iter()
                .filter(|&&c| count(c) > 0)
                .filter_map(|&c| share(count(c), n).map(|s| (c, s)))
                .collect(),
            known_name_share: share(known_names, n),
            flagged: fired.is_some(),
            note: match (&fired, category) {
                (None, Some(ColumnCategory::HexDigest)) => Some(
                    "hex digests (hashes or keyed pseudonyms) are not flagged without the originals; \
                     the hash dictionary attack of `reident text` / the audit tests whether they reverse"
                        .to_string(),
                ),
                _ => None,
            },
            rule: fired.map(|(_, r)| r),
            examples,
        }
    }
}

/// Masked (or full) example, white space collapsed, cut to 60 characters.
fn show_example(v: &str, include: bool) -> String {
    let flat: String = v.split_whitespace().collect::<Vec<_>>().join(" ");
    let shown = if include {
        flat
    } else {
        mask_identifier(&flat)
    };
    if shown.chars().count() > 60 {
        let cut: String = shown.chars().take(60).collect();
        format!("{cut}…")
    } else {
        shown
    }
}

/// Scans the columns of `frame` (all, or `config.columns`) for direct
/// identifiers. `source` names the table in messages and in the result.
pub fn scan_frame(
    frame: &DataFrame,
    source: &str,
    config: &DirectIdentifierConfig,
) -> Result<DirectIdentifierScan, DirectIdentifierError> {
    let available: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let columns = columns_to_scan(available, source, config)?;
    let shapes = ValueShapes::new();
    let missing = MissingPolicy::default();
    let mut findings = Vec::with_capacity(columns.len());
    for c in &columns {
        let values = text_column(frame, c, source)?;
        findings.push(scan_column_with(&shapes, c, &values, config, &missing));
    }
    Ok(scan_of_findings(source, frame.height(), findings, config))
}

/// The columns a scan reads: `config.columns`, or every one of `available`
/// when it is empty. Errors when a column asked for is not available.
pub fn columns_to_scan(
    available: Vec<String>,
    source: &str,
    config: &DirectIdentifierConfig,
) -> Result<Vec<String>, DirectIdentifierError> {
    if config.columns.is_empty() {
        return Ok(available);
    }
    for c in &config.columns {
        if !available.contains(c) {
            return Err(DirectIdentifierError::UnknownColumn {
                source_name: source.to_string(),
                column: c.clone(),
                available,
            });
        }
    }
    Ok(config.columns.clone())
}

/// The scan of a table of `rows` rows from its columns' findings (in table
/// order): the flagged columns and their count per category.
pub fn scan_of_findings(
    source: &str,
    rows: usize,
    findings: Vec<ColumnFinding>,
    config: &DirectIdentifierConfig,
) -> DirectIdentifierScan {
    let flagged: Vec<String> = findings
        .iter()
        .filter(|f| f.flagged)
        .map(|f| f.column.clone())
        .collect();
    let mut by_category: BTreeMap<ColumnCategory, usize> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.flagged) {
        if let Some(c) = f.category {
            *by_category.entry(c).or_insert(0) += 1;
        }
    }
    DirectIdentifierScan {
        source: source.to_string(),
        rows,
        flagged,
        flagged_by_category: by_category,
        examples_included: config.include_examples,
        columns: findings,
    }
}

/// Reads a table (CSV, NDJSON or Parquet, `.gz` accepted: [`crate::data::read_frame`])
/// and scans it with [`scan_frame`].
pub fn scan_file(
    path: &Path,
    read: &ReadOptions,
    config: &DirectIdentifierConfig,
) -> Result<DirectIdentifierScan, DirectIdentifierError> {
    let frame = read_frame(path, read)?;
    scan_frame(&frame, &path.display().to_string(), config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_shapes() {
        assert_eq!(header_hint("user_email"), Some(ColumnCategory::Email));
        assert_eq!(header_hint("MobilePhone"), Some(ColumnCategory::Phone));
        assert_eq!(header_hint("customer_id"), Some(ColumnCategory::AccountId));
        assert_eq!(
            header_hint("display_name"),
            Some(ColumnCategory::PersonName)
        );
        assert_eq!(header_hint("lastName"), Some(ColumnCategory::PersonName));
        assert_eq!(header_hint("file_name"), None);
        assert_eq!(header_hint("login"), Some(ColumnCategory::Login));
        assert_eq!(header_hint("age"), None);
        let s = ValueShapes::new();
        assert!(s.is_phone("+1 415 555 0142") && s.is_phone("(415) 555-0142"));
        assert!(s.is_phone("+441632960961"));
        assert!(!s.is_phone("1234.5678") && !s.is_phone("52000") && !s.is_phone("2024-01-15"));
        assert!(is_name("Jane Doe", false) && is_name("Ludwig van Beethoven", false));
        assert!(is_name("J. R. Smith", false) && !is_name("Sales Manager 2", false));
        assert!(!is_name("Private", false) && is_name("Jane", true));
        assert!(
            is_known_name("Jane Qzx")
                && is_known_name("Qzx Smith")
                && !is_known_name("Sales Manager")
        );
    }
}
