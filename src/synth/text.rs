//! Styled text for the synthetic corpus: issue summaries and descriptions,
//! comments, Confluence page bodies and commit messages written in one
//! author's [`WritingStyle`], with real-looking identifiers planted in the
//! text and their byte spans recorded.
//!
//! The text is template-driven English about software work; it is not meant to
//! be read, only to carry the statistical traces (function-word choice,
//! sentence length, punctuation, markup, casing, typos, greetings and
//! sign-offs) that stylometric attacks use, at the lengths and markup rates
//! measured on the Apache Jira sample (see `datasets/atlassian_demo/SOURCE.md`).
//!
//! Why this file is long: the `Composer` writes every document kind (summaries,
//! descriptions, comments, pages, commits) from one author style and one
//! identifier planter whose byte-span bookkeeping they share.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};
use serde::Serialize;

use super::people::{pick_weighted, Profile, WritingStyle};
use super::vocab;

/// Kinds of identifier the generator plants (and redaction must remove).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// An e-mail address.
    Email,
    /// A mention of a login: `[~jdoe]` or `@jdoe`.
    Mention,
    /// A Jira issue key `PAY-123`.
    IssueKey,
    /// A URL.
    Url,
    /// A host name.
    Host,
    /// An IPv4 address.
    Ip,
    /// A telephone number.
    Phone,
    /// A person's name (full name or first name) of a corpus user.
    PersonName,
}

/// One planted identifier inside one text field: bytes `start..end` hold `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plant {
    /// What kind of identifier.
    pub kind: IdentifierKind,
    /// The exact text planted.
    pub value: String,
    /// Byte offset of the first byte in the field.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

/// Context the composer needs about the rest of the organisation.
pub struct Org<'a> {
    /// All users.
    pub users: &'a [Profile],
    /// User indices per team.
    pub team_members: &'a [Vec<u32>],
    /// Issues reported per project so far (for plausible issue-key references): the
    /// total per project over the whole corpus.
    pub project_issue_totals: &'a [u32],
}

impl Org<'_> {
    /// A colleague of `author`: a teammate with probability 0.7, otherwise anyone.
    pub fn colleague(&self, rng: &mut ChaCha8Rng, author: usize) -> usize {
        let team = &self.team_members[self.users[author].team_index];
        if team.len() > 1 && rng.gen::<f64>() < 0.7 {
            for _ in 0..4 {
                let c = team[rng.gen_range(0..team.len())] as usize;
                if c != author {
                    return c;
                }
            }
        }
        let c = rng.gen_range(0..self.users.len());
        if c == author && self.users.len() > 1 {
            (c + 1) % self.users.len()
        } else {
            c
        }
    }

    /// A plausible issue key, in the author's team project with probability 0.7.
    pub fn issue_key(&self, rng: &mut ChaCha8Rng, author: usize) -> String {
        let project = if rng.gen::<f64>() < 0.7 {
            self.users[author].team_index
        } else {
            rng.gen_range(0..vocab::TEAMS.len())
        };
        let total = self.project_issue_totals[project].max(1);
        format!("{}-{}", vocab::TEAMS[project].1, rng.gen_range(1..=total))
    }
}

/// Writes text in one author's style into a buffer and records planted identifiers.
pub struct Composer<'a> {
    rng: &'a mut ChaCha8Rng,
    style: &'a WritingStyle,
    org: &'a Org<'a>,
    author: usize,
    out: String,
    plants: Vec<Plant>,
    capitalize_next: bool,
    lowercase_sentence: bool,
    words_in_sentence: usize,
    need_space: bool,
}

/// Planting rates per document (probabilities that a document carries at least one
/// identifier of the kind), before the `plant_rate` multiplier. Mentions, issue keys and
/// URLs follow the Apache Jira sample (8.9 %, 22 %, 43 % of texts; the sample's URL
/// share is inflated by CI bot links, so 30 % is used); the rarer kinds are set higher
/// than the sample (e-mail 1 %, IP 0.6 %) so small corpora still contain them.
pub const PLANT_RATES: [(IdentifierKind, f64); 8] = [
    (IdentifierKind::Mention, 0.09),
    (IdentifierKind::IssueKey, 0.22),
    (IdentifierKind::Url, 0.30),
    (IdentifierKind::Host, 0.05),
    (IdentifierKind::Ip, 0.03),
    (IdentifierKind::Email, 0.03),
    (IdentifierKind::Phone, 0.02),
    (IdentifierKind::PersonName, 0.08),
];

impl<'a> Composer<'a> {
    /// A composer for `author` (index into `org.users`).
    pub fn new(rng: &'a mut ChaCha8Rng, org: &'a Org<'a>, author: usize) -> Self {
        Composer {
            rng,
            style: &org.users[author].style,
            org,
            author,
            out: String::with_capacity(512),
            plants: Vec::new(),
            capitalize_next: true,
            lowercase_sentence: false,
            words_in_sentence: 0,
            need_space: false,
        }
    }

    /// Takes the text written so far and its plants, leaving the composer empty.
    pub fn take(&mut self) -> (String, Vec<Plant>) {
        self.capitalize_next = true;
        self.need_space = false;
        (
            std::mem::take(&mut self.out),
            std::mem::take(&mut self.plants),
        )
    }

    fn slot(&mut self, slot: usize) -> &'static str {
        let alts = vocab::FUNCTION_SLOTS[slot];
        alts[pick_weighted(self.rng, &self.style.slot_weights[slot])]
    }

    fn choose<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.gen_range(0..items.len())]
    }

    fn space(&mut self) {
        if self.need_space {
            self.out.push(' ');
        }
    }

    /// Emits one word with the author's casing and typo habits.
    fn word(&mut self, w: &str) {
        self.space();
        let start = self.out.len();
        let mut written = false;
        if w == "I" && self.rng.gen::<f64>() < self.style.lowercase_i {
            self.out.push('i');
            written = true;
        }
        if !written {
            if let Some(i) = vocab::MISSPELLINGS
                .iter()
                .position(|(right, _)| *right == w)
            {
                if self.rng.gen::<f64>() < self.style.misspell_prob[i] {
                    self.out.push_str(vocab::MISSPELLINGS[i].1);
                    written = true;
                }
            }
        }
        if !written {
            if w.len() >= 5
                && w.bytes().all(|b| b.is_ascii_alphabetic())
                && self.rng.gen::<f64>() < self.style.typo_rate
            {
                let k = self.rng.gen_range(1..w.len() - 2);
                let b = w.as_bytes();
                self.out.push_str(&w[..k]);
                self.out.push(b[k + 1] as char);
                self.out.push(b[k] as char);
                self.out.push_str(&w[k + 2..]);
            } else {
                self.out.push_str(w);
            }
        }
        if self.capitalize_next {
            if !self.lowercase_sentence {
                if let Some(c) = self.out[start..].chars().next() {
                    if c.is_ascii_lowercase() {
                        // An ASCII character is one byte, so start..start + 1 is that character.
                        let upper = c.to_ascii_uppercase();
                        self.out
                            .replace_range(start..start + 1, upper.encode_utf8(&mut [0; 4]));
                    }
                }
            }
            self.capitalize_next = false;
        }
        self.need_space = true;
        self.words_in_sentence += 1;
    }

    /// Emits a phrase word by word.
    fn phrase(&mut self, p: &str) {
        for w in p.split(' ') {
            if !w.is_empty() {
                self.word(w);
            }
        }
    }

    /// Emits text verbatim (no typo, no casing change), preceded by a space if needed.
    fn verbatim(&mut self, s: &str) {
        self.space();
        self.out.push_str(s);
        self.need_space = true;
        self.capitalize_next = false;
    }

    /// Emits an identifier verbatim and records it.
    fn plant(&mut self, kind: IdentifierKind, value: &str) {
        self.space();
        let start = self.out.len();
        self.out.push_str(value);
        self.plants.push(Plant {
            kind,
            value: value.to_string(),
            start,
            end: self.out.len(),
        });
        self.need_space = true;
        self.capitalize_next = false;
        self.words_in_sentence += 1;
    }

    fn glue(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn newline(&mut self, n: usize) {
        let trimmed = self.out.trim_end_matches(' ').len();
        if self.plants.last().is_none_or(|p| p.end <= trimmed) {
            self.out.truncate(trimmed);
        }
        for _ in 0..n {
            self.out.push('\n');
        }
        self.need_space = false;
    }

    fn start_sentence(&mut self) {
        self.capitalize_next = true;
        self.lowercase_sentence = self.rng.gen::<f64>() < self.style.lowercase_start;
        self.words_in_sentence = 0;
    }

    fn end_sentence(&mut self) {
        let r = self.rng.gen::<f64>();
        let st = self.style;
        let punct = if r < st.question_rate {
            "?"
        } else if r < st.question_rate + st.exclaim_rate {
            "!"
        } else if r < st.question_rate + st.exclaim_rate + st.ellipsis_rate {
            "..."
        } else {
            "."
        };
        self.glue(punct);
        if self.rng.gen::<f64>() < st.smiley_rate {
            let smiley = [":)", ":-)", ";)", ":D"][pick_weighted(self.rng, &st.smiley_weights)];
            self.out.push(' ');
            self.out.push_str(smiley);
        }
        if self.rng.gen::<f64>() < st.double_space {
            self.out.push(' ');
        }
    }

    fn class_name(&mut self) -> String {
        let a = self.choose(vocab::CLASS_PARTS);
        let b = self.choose(vocab::CLASS_SUFFIXES);
        format!("{a}{b}")
    }

    fn component(&mut self) -> String {
        let a = self.choose(vocab::COMPONENT_HEADS);
        let b = self.choose(vocab::COMPONENT_TAILS);
        format!("{a} {b}")
    }

    fn inline_code(&mut self, code: &str) {
        match pick_weighted(self.rng, &self.style.inline_markup_weights) {
            0 => self.verbatim(&format!("{{{{{code}}}}}")),
            1 => self.verbatim(&format!("`{code}`")),
            _ => self.verbatim(code),
        }
        self.words_in_sentence += 1;
    }

    /// Expands one template token.
    fn token(&mut self, t: &str) {
        match t {
            "{C}" => {
                let c = self.component();
                self.phrase(&c);
            }
            "{K}" => {
                let k = self.class_name();
                if self.rng.gen::<f64>() < self.style.inline_code_rate * 3.0 {
                    self.inline_code(&k);
                } else {
                    self.word(&k);
                }
            }
            "{O}" => {
                let det = self.slot(vocab::SLOT_DETERMINER);
                self.word(det);
                let o = self.choose(vocab::OBJECTS);
                if self.rng.gen::<f64>() < self.style.bold_rate {
                    self.space();
                    self.glue("*");
                    self.need_space = false;
                    self.phrase(o);
                    self.glue("*");
                } else {
                    self.phrase(o);
                }
            }
            "{V}" => {
                let v = self.choose(vocab::VERBS_3S);
                self.word(v);
            }
            "{A}" => {
                let a = self.choose(vocab::ADJECTIVES);
                self.word(a);
            }
            "{E}" => {
                let e = self.choose(vocab::ERRORS);
                self.phrase(e);
            }
            "{W}" => {
                let w = self.choose(vocab::CONDITIONS);
                self.phrase(w);
            }
            "{G}" => {
                let g = self.choose(vocab::CONFIG_KEYS);
                if self.rng.gen::<f64>() < self.style.inline_code_rate * 3.0 {
                    self.inline_code(g);
                } else {
                    self.word(g);
                }
            }
            "{N}" => {
                let n = [3, 5, 10, 30, 50, 100, 200, 500, 1000][self.rng.gen_range(0..9)];
                self.word(&n.to_string());
            }
            "{VER}" => {
                let v = format!(
                    "{}.{}.{}",
                    self.rng.gen_range(1..5),
                    self.rng.gen_range(0..20),
                    self.rng.gen_range(0..10)
                );
                self.word(&v);
            }
            _ if t.starts_with("{S") && t.ends_with('}') => {
                let n: usize = t[2..t.len() - 1].parse().unwrap_or(0);
                let s = self.slot(n.min(vocab::FUNCTION_SLOTS.len() - 1));
                self.phrase(s);
            }
            _ => self.word(t),
        }
    }

    fn template(&mut self, tpl: &str) {
        for t in tpl.split(' ') {
            self.token(t);
        }
    }

    /// One sentence of log-normal length around the author's median.
    pub fn sentence(&mut self) {
        self.start_sentence();
        let target = LogNormal::new(
            self.style.sentence_median.max(2.0).ln(),
            self.style.sentence_sigma,
        )
        .map(|d| d.sample(self.rng))
        .unwrap_or(13.0)
        .clamp(3.0, 80.0) as usize;
        let i = pick_weighted(self.rng, &self.style.template_weights);
        self.template(vocab::TEMPLATES[i]);
        while self.words_in_sentence + 4 < target {
            let c = self.choose(vocab::CONNECTORS);
            let mut parts = c.split(' ');
            if let Some(first) = parts.next() {
                // ", and" -> glue the comma; " and" -> first is empty.
                if let Some(rest) = first.strip_prefix(',') {
                    self.glue(",");
                    if !rest.is_empty() {
                        self.word(rest);
                    }
                }
            }
            for p in parts {
                self.token(p);
            }
            let j = pick_weighted(self.rng, &self.style.template_weights);
            self.template(vocab::TEMPLATES[j]);
        }
        self.end_sentence();
    }

    fn paragraph_length(&mut self) -> usize {
        1 + rand_distr::Poisson::new((self.style.paragraph_sentences - 1.0).max(0.1))
            .map(|d| d.sample(self.rng) as usize)
            .unwrap_or(1)
    }

    fn mention(&mut self, user: usize) {
        let login = self.org.users[user].record.login.clone();
        let text = if pick_weighted(self.rng, &self.style.mention_weights) == 0 {
            format!("[~{login}]")
        } else {
            format!("@{login}")
        };
        self.plant(IdentifierKind::Mention, &text);
    }

    fn greeting(&mut self) {
        let g = vocab::GREETINGS[pick_weighted(self.rng, &self.style.greeting_weights)];
        let other = self.org.colleague(self.rng, self.author);
        for (i, part) in g.split(' ').enumerate() {
            if i == 0 {
                self.need_space = false;
            }
            if let Some(rest) = part.strip_prefix("{N}") {
                if self.rng.gen::<f64>() < 0.5 {
                    self.mention(other);
                } else {
                    let first = self.org.users[other].first_name.clone();
                    self.plant(IdentifierKind::PersonName, &first);
                }
                self.glue(rest);
            } else {
                self.verbatim(part);
            }
        }
        self.newline(2);
    }

    fn signoff(&mut self) {
        let form = vocab::SIGNOFFS[pick_weighted(self.rng, &self.style.signoff_weights)];
        let thanks = self.slot(vocab::SLOT_THANKS);
        self.newline(2);
        let mut rest = form;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("{T}") {
                self.verbatim(thanks);
                rest = r;
            } else if let Some(r) = rest.strip_prefix("{F}") {
                let first = self.org.users[self.author].first_name.clone();
                self.plant(IdentifierKind::PersonName, &first);
                rest = r;
            } else if let Some(r) = rest.strip_prefix('\n') {
                self.newline(1);
                rest = r;
            } else {
                let end = rest.find(['{', '\n']).unwrap_or(rest.len());
                let lit = &rest[..end];
                if lit.starts_with(' ') || lit.starts_with(',') || lit.starts_with('!') {
                    self.glue(lit.trim_end());
                    self.need_space = lit.ends_with(' ');
                } else {
                    self.verbatim(lit.trim_end());
                }
                rest = &rest[end..];
            }
        }
    }

    fn host(&mut self) -> String {
        let head = self.choose(vocab::COMPONENT_HEADS);
        let dc = self.choose(&["use1", "euw1", "aps2", "prod", "stg", "dev"]);
        let domain = self.choose(&["example.net", "example.com", "corp.example.org"]);
        format!("{head}-{:02}.{dc}.{domain}", self.rng.gen_range(1..40))
    }

    fn ip(&mut self) -> String {
        match self.rng.gen_range(0..4) {
            0 => format!(
                "10.{}.{}.{}",
                self.rng.gen_range(0..256),
                self.rng.gen_range(0..256),
                self.rng.gen_range(1..255)
            ),
            1 => format!(
                "192.168.{}.{}",
                self.rng.gen_range(0..256),
                self.rng.gen_range(1..255)
            ),
            2 => format!(
                "172.{}.{}.{}",
                self.rng.gen_range(16..32),
                self.rng.gen_range(0..256),
                self.rng.gen_range(1..255)
            ),
            _ => format!("203.0.113.{}", self.rng.gen_range(1..255)),
        }
    }

    fn phone(&mut self) -> String {
        let n = self.rng.gen_range(0..100);
        let area = self.choose(&[212, 415, 512, 646, 737]);
        match self.rng.gen_range(0..5) {
            0 => format!("+1 {area} 555 01{n:02}"),
            1 => format!("({area}) 555-01{n:02}"),
            2 => format!("+1-{area}-555-01{n:02}"),
            3 => format!("+44 20 7946 0{:03}", self.rng.gen_range(0..1000)),
            _ => format!("+61 2 5550 {:04}", self.rng.gen_range(0..10_000)),
        }
    }

    fn url(&mut self) -> String {
        let key = self.org.issue_key(self.rng, self.author);
        let team = self.org.users[self.author].team_index;
        let (_, project, repo) = vocab::TEAMS[team];
        match self.rng.gen_range(0..5) {
            0 => format!("https://jira.example.com/browse/{key}"),
            1 => format!(
                "https://wiki.example.com/spaces/{project}/pages/{}",
                self.rng.gen_range(10_000..999_999)
            ),
            2 => format!(
                "https://bitbucket.example.org/projects/{project}/repos/{repo}/pull-requests/{}",
                self.rng.gen_range(1..3000)
            ),
            3 => format!(
                "https://grafana.example.net/d/{:08x}/{repo}?orgId=1",
                self.rng.gen::<u32>()
            ),
            _ => {
                let h = self.host();
                format!(
                    "http://{h}:{}/status",
                    self.choose(&[8080, 9090, 8443, 3000])
                )
            }
        }
    }

    /// A sentence that carries one planted identifier of `kind`.
    fn plant_sentence(&mut self, kind: IdentifierKind) {
        self.start_sentence();
        match kind {
            IdentifierKind::IssueKey => {
                let lead = self.choose(&[
                    "see",
                    "related to",
                    "this blocks",
                    "probably a duplicate of",
                    "follow-up of",
                ]);
                self.phrase(lead);
                let key = self.org.issue_key(self.rng, self.author);
                self.plant(kind, &key);
            }
            IdentifierKind::Url => {
                let lead = self.choose(&[
                    "more context in",
                    "dashboard:",
                    "build log:",
                    "see",
                    "details here:",
                ]);
                self.phrase(lead);
                let url = self.url();
                self.plant(kind, &url);
            }
            IdentifierKind::Host => {
                self.phrase("it fails on");
                let h = self.host();
                self.plant(kind, &h);
                self.phrase("since the last deploy");
            }
            IdentifierKind::Ip => {
                let lead = self.choose(&["the node at", "traffic from", "the broker on"]);
                self.phrase(lead);
                let ip = self.ip();
                self.plant(kind, &ip);
                let lead = self.choose(&["keeps restarting", "is rejected", "is unreachable"]);
                self.phrase(lead);
            }
            IdentifierKind::Email => {
                let other = self.org.colleague(self.rng, self.author);
                let email = self.org.users[other].record.email.clone();
                let lead = self.choose(&["contact", "cc", "send the logs to", "ask"]);
                self.phrase(lead);
                self.plant(kind, &email);
                self.phrase("for access");
            }
            IdentifierKind::Phone => {
                let lead = self.choose(&[
                    "I am on call, reach me at",
                    "call the bridge at",
                    "escalation line:",
                ]);
                self.phrase(lead);
                let p = self.phone();
                self.plant(kind, &p);
            }
            IdentifierKind::Mention => {
                let lead = self.choose(&["cc", "FYI", "can you take a look", "ping"]);
                self.phrase(lead);
                let other = self.org.colleague(self.rng, self.author);
                self.mention(other);
            }
            IdentifierKind::PersonName => {
                let other = self.org.colleague(self.rng, self.author);
                let u = &self.org.users[other];
                let name = if self.rng.gen::<f64>() < 0.6 {
                    u.record.display_name.clone()
                } else {
                    u.first_name.clone()
                };
                let lead = self.choose(&[
                    "as discussed with",
                    "I talked to",
                    "waiting on",
                    "thanks to",
                ]);
                self.phrase(lead);
                self.plant(kind, &name);
            }
        }
        self.end_sentence();
    }

    fn code_block(&mut self) {
        let markup = pick_weighted(self.rng, &self.style.code_markup_weights);
        let (open, close) = match markup {
            0 => ("{code:java}", "{code}"),
            1 => ("{noformat}", "{noformat}"),
            _ => ("```", "```"),
        };
        self.newline(2);
        self.glue(open);
        self.newline(1);
        if self.rng.gen::<f64>() < 0.6 {
            let err = self.choose(&[
                "NullPointerException",
                "IllegalStateException",
                "TimeoutException",
            ]);
            let pkg = self.choose(vocab::FRAME_PACKAGES);
            self.glue(&format!("java.lang.{err}: unexpected state"));
            for _ in 0..self.rng.gen_range(2..6) {
                let k = self.class_name();
                let m = self.choose(&["run", "handle", "apply", "process", "call", "get"]);
                let line = self.rng.gen_range(20..900);
                self.newline(1);
                self.glue(&format!("\tat {pkg}.{k}.{m}({k}.java:{line})"));
            }
        } else {
            for _ in 0..self.rng.gen_range(1..4) {
                let g = self.choose(vocab::CONFIG_KEYS);
                let n = self.rng.gen_range(1..1000);
                self.glue(&format!("{g}={n}"));
                self.newline(1);
            }
        }
        self.newline(1);
        self.glue(close);
        self.newline(2);
    }

    fn bullet_list(&mut self) {
        let bullet = ["*", "-", "#"][pick_weighted(self.rng, &self.style.bullet_weights)];
        self.newline(2);
        let head = self.choose(&[
            "Steps to reproduce:",
            "Proposal:",
            "Open questions:",
            "TODO:",
        ]);
        self.verbatim(head);
        for _ in 0..self.rng.gen_range(2..5) {
            self.newline(1);
            self.glue(bullet);
            self.need_space = true;
            self.start_sentence();
            let tpl = self.choose(vocab::TEMPLATES);
            self.template(tpl);
        }
        self.newline(2);
    }

    /// A body of about `target_words` words (times the author's verbosity), with the
    /// author's greeting/sign-off, markup habits and planted identifiers.
    pub fn body(&mut self, target_words: f64, conversational: bool, plant_rate: f64) {
        let target = (target_words * self.style.verbosity).max(3.0) as usize;
        if conversational && self.rng.gen::<f64>() < self.style.greeting_rate {
            self.greeting();
        }
        let mut pending: Vec<IdentifierKind> = PLANT_RATES
            .iter()
            .filter(|(_, p)| self.rng.gen::<f64>() < (p * plant_rate).min(1.0))
            .map(|(k, _)| *k)
            .collect();
        let code = self.rng.gen::<f64>() < self.style.code_block_rate;
        let list = self.rng.gen::<f64>() < self.style.list_rate;
        let mut words = 0usize;
        let mut sentences_in_paragraph = 0usize;
        let mut paragraph_length = self.paragraph_length();
        let mut paragraphs = 1usize;
        while words < target || !pending.is_empty() {
            if sentences_in_paragraph >= paragraph_length {
                if paragraphs == 1 && code {
                    self.code_block();
                } else if paragraphs == 1 && list {
                    self.bullet_list();
                } else {
                    self.newline(2);
                }
                paragraphs += 1;
                sentences_in_paragraph = 0;
                paragraph_length = self.paragraph_length();
            }
            let before = self.out.len();
            if !pending.is_empty() && (words >= target || self.rng.gen::<f64>() < 0.3) {
                if let Some(kind) = pending.pop() {
                    self.plant_sentence(kind);
                }
            } else {
                self.sentence();
            }
            words += self.out[before..].split_ascii_whitespace().count();
            sentences_in_paragraph += 1;
        }
        if conversational && self.rng.gen::<f64>() < self.style.signoff_rate {
            self.signoff();
        }
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
    }

    /// A short issue summary (median 7 words in the Apache sample).
    pub fn summary(&mut self) {
        self.start_sentence();
        match self.rng.gen_range(0..5) {
            0 => {
                let v = self.choose(vocab::VERBS_IMPERATIVE);
                self.word(v);
                let o = self.choose(vocab::OBJECTS);
                self.phrase(o);
                self.word("in");
                self.token("{C}");
            }
            1 => self.template("{C} {V} {O} when {W}"),
            2 => self.template("{E} in {K}"),
            3 => self.template("{K} should {S12} {G}"),
            _ => {
                let a = self.choose(vocab::ADJECTIVES);
                self.word(a);
                let k = self.class_name();
                self.word(&format!("{k}Test"));
                self.phrase("fails on CI");
            }
        }
        if self.rng.gen::<f64>() < self.style.exclaim_rate {
            self.glue("!");
        }
    }

    /// A commit message subject (plus an optional body) for `issue_key`.
    pub fn commit_message(&mut self, issue_key: &str) {
        let st = self.style;
        let prefix = self.rng.gen::<f64>() < st.commit_key_prefix;
        if prefix {
            self.plant(IdentifierKind::IssueKey, issue_key);
            self.glue(":");
        }
        self.start_sentence();
        let i = self.rng.gen_range(0..vocab::VERBS_IMPERATIVE.len());
        let verb = if self.rng.gen::<f64>() < st.commit_past_tense {
            vocab::VERBS_PAST[i]
        } else {
            vocab::VERBS_IMPERATIVE[i]
        };
        self.word(verb);
        let o = self.choose(vocab::OBJECTS);
        self.phrase(o);
        self.word("in");
        self.token("{K}");
        if self.rng.gen::<f64>() < st.commit_trailing_period {
            self.glue(".");
        }
        if self.rng.gen::<f64>() < st.commit_body_rate {
            self.newline(2);
            for _ in 0..self.rng.gen_range(1..3) {
                self.sentence();
            }
            if !prefix && self.rng.gen::<f64>() < 0.5 {
                self.newline(2);
                self.verbatim("Refs:");
                self.plant(IdentifierKind::IssueKey, issue_key);
            }
        }
    }

    /// A Confluence page title.
    pub fn page_title(&mut self) {
        let t = self.choose(vocab::PAGE_TITLES);
        let c = self.component();
        let q = format!(
            "Q{} {}",
            self.rng.gen_range(1..5),
            self.rng.gen_range(2023..2025)
        );
        self.verbatim(&t.replace("{C}", &c).replace("{Q}", &q));
    }

    /// A Confluence page body: sections with headings (`h2.` wiki markup or `##`),
    /// paragraphs and lists, about `target_words` words.
    pub fn page_body(&mut self, target_words: f64, plant_rate: f64) {
        let sections = self.rng.gen_range(2..5);
        let markdown_headings = self.style.code_markup_weights[2] > 0.3;
        let headings = [
            "Overview",
            "Background",
            "Proposal",
            "Risks",
            "Rollout",
            "Open questions",
            "Decisions",
        ];
        for s in 0..sections {
            if s > 0 {
                self.newline(2);
            }
            let h = self.choose(&headings);
            self.glue(if markdown_headings { "## " } else { "h2. " });
            self.glue(h);
            self.newline(2);
            self.body(
                target_words / sections as f64,
                false,
                plant_rate / sections as f64,
            );
        }
    }
}
