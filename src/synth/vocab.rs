//! Word lists and organisational tables the generator draws from: names,
//! teams, locations, products, technical vocabulary, function-word synonym
//! slots, sentence templates and consistent misspellings. Static data only.
//!
//! Identifiers are fictitious and use reserved namespaces: e-mail and host
//! names under `example.com` / `example.net` / `example.org` (RFC 2606), IPv4
//! addresses in private (RFC 1918) and documentation (RFC 5737) ranges, and
//! telephone numbers in the fictional `555-01xx` block.
//!
//! Why this file is long: it is word lists and tables (static data, one `const`
//! per list); there is no logic to split.

/// Given names (mixed origins, so display names look like a global company).
pub const FIRST_NAMES: &[&str] = &[
    "Aarav",
    "Abigail",
    "Adebayo",
    "Aiko",
    "Alejandro",
    "Amara",
    "Amelia",
    "Ana",
    "Anders",
    "Anika",
    "Arjun",
    "Astrid",
    "Beatriz",
    "Ben",
    "Bilal",
    "Camille",
    "Carlos",
    "Chen",
    "Chloe",
    "Daniel",
    "Dmitri",
    "Elena",
    "Elif",
    "Emeka",
    "Emma",
    "Fatima",
    "Felipe",
    "Finn",
    "Freya",
    "Gabriel",
    "Hana",
    "Hannah",
    "Hiroshi",
    "Ibrahim",
    "Ines",
    "Isla",
    "Ivan",
    "Jakub",
    "James",
    "Jia",
    "Johan",
    "Jonas",
    "Julia",
    "Kai",
    "Kavya",
    "Kenji",
    "Lars",
    "Laura",
    "Leila",
    "Liam",
    "Lucas",
    "Lucia",
    "Mai",
    "Marco",
    "Maria",
    "Mateo",
    "Mei",
    "Mia",
    "Mohammed",
    "Nadia",
    "Naveen",
    "Nia",
    "Noah",
    "Nora",
    "Oliver",
    "Olga",
    "Omar",
    "Priya",
    "Rafael",
    "Rahul",
    "Rania",
    "Ravi",
    "Rosa",
    "Ruth",
    "Sakura",
    "Samuel",
    "Sara",
    "Sebastian",
    "Sofia",
    "Sven",
    "Tariq",
    "Thabo",
    "Tomasz",
    "Valentina",
    "Victor",
    "Wei",
    "Xin",
    "Yara",
    "Yusuf",
    "Zainab",
    "Zoe",
    "Anton",
    "Bruno",
    "Clara",
    "Diego",
    "Eva",
    "Greta",
    "Hugo",
    "Ingrid",
    "Kofi",
];

/// Family names.
pub const LAST_NAMES: &[&str] = &[
    "Abe",
    "Adeyemi",
    "Ahmed",
    "Alvarez",
    "Andersson",
    "Bauer",
    "Becker",
    "Bianchi",
    "Brown",
    "Castro",
    "Chen",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fernandes",
    "Fischer",
    "Garcia",
    "Gomez",
    "Gupta",
    "Haddad",
    "Hansen",
    "Hoffmann",
    "Huang",
    "Ivanova",
    "Jansen",
    "Johnson",
    "Kaur",
    "Kim",
    "Kowalski",
    "Kumar",
    "Larsen",
    "Lee",
    "Li",
    "Lopez",
    "Martin",
    "Meyer",
    "Moreau",
    "Muller",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Oliveira",
    "Olsen",
    "Park",
    "Patel",
    "Pereira",
    "Petrov",
    "Popescu",
    "Quinn",
    "Rahman",
    "Reddy",
    "Rossi",
    "Santos",
    "Sato",
    "Schmidt",
    "Shah",
    "Silva",
    "Singh",
    "Smith",
    "Suzuki",
    "Tanaka",
    "Taylor",
    "Thompson",
    "Torres",
    "Usman",
    "Vargas",
    "Verma",
    "Wagner",
    "Walsh",
    "Wang",
    "Weber",
    "Williams",
    "Wilson",
    "Wong",
    "Wu",
    "Yamamoto",
    "Yilmaz",
    "Zhang",
    "Zielinski",
    "Novotny",
    "Horvath",
    "Nilsen",
    "Bakker",
    "Mensah",
    "Osei",
    "Kariuki",
    "Banerjee",
    "Iyer",
    "Rao",
    "Tran",
    "Pham",
    "Ozturk",
    "Demir",
    "Russo",
    "Ferrari",
    "Lindqvist",
    "Virtanen",
    "Korhonen",
];

/// Teams with their Jira project key, Confluence space and Bitbucket repository.
pub const TEAMS: &[(&str, &str, &str)] = &[
    ("Platform", "PLAT", "platform-core"),
    ("Payments", "PAY", "payments-service"),
    ("Search", "SRCH", "search-indexer"),
    ("Mobile", "MOB", "mobile-app"),
    ("Data", "DATA", "data-pipeline"),
    ("Infrastructure", "INFRA", "infra-terraform"),
    ("Security", "SEC", "security-scanner"),
    ("Growth", "GROW", "growth-experiments"),
    ("Identity", "IDN", "identity-gateway"),
    ("Billing", "BILL", "billing-engine"),
    ("Support Tools", "SUP", "support-console"),
    ("Analytics", "ANL", "analytics-warehouse"),
];

/// Roles with a weight (share of the workforce) and whether the role writes code.
pub const ROLES: &[(&str, f64, bool)] = &[
    ("Software Engineer", 0.46, true),
    ("QA Engineer", 0.08, true),
    ("Site Reliability Engineer", 0.08, true),
    ("Data Scientist", 0.05, true),
    ("Engineering Manager", 0.08, false),
    ("Product Manager", 0.10, false),
    ("Designer", 0.06, false),
    ("Technical Writer", 0.03, false),
    ("Support Engineer", 0.06, false),
];

/// Office locations: city, UTC offset in minutes (fixed, no DST), region, weight.
pub const LOCATIONS: &[(&str, i32, &str, f64)] = &[
    ("San Francisco", -480, "North America", 0.16),
    ("Austin", -360, "North America", 0.07),
    ("New York", -300, "North America", 0.08),
    ("Toronto", -300, "North America", 0.04),
    ("Mexico City", -360, "Latin America", 0.02),
    ("Sao Paulo", -180, "Latin America", 0.03),
    ("London", 0, "Europe", 0.06),
    ("Dublin", 0, "Europe", 0.03),
    ("Amsterdam", 60, "Europe", 0.05),
    ("Berlin", 60, "Europe", 0.05),
    ("Warsaw", 60, "Europe", 0.04),
    ("Nairobi", 180, "Africa", 0.02),
    ("Bengaluru", 330, "Asia-Pacific", 0.14),
    ("Singapore", 480, "Asia-Pacific", 0.03),
    ("Manila", 480, "Asia-Pacific", 0.03),
    ("Tokyo", 540, "Asia-Pacific", 0.03),
    ("Sydney", 600, "Asia-Pacific", 0.12),
];

/// Seniority levels in increasing order.
pub const SENIORITY: &[&str] = &["Junior", "Mid", "Senior", "Staff", "Principal"];

/// Products and their features (usage events).
pub const PRODUCTS: &[(&str, &[&str])] = &[
    (
        "jira",
        &[
            "issue-view",
            "board",
            "backlog",
            "search",
            "dashboard",
            "transition",
            "comment",
            "sprint-report",
            "automation",
        ],
    ),
    (
        "confluence",
        &[
            "page-view",
            "page-edit",
            "search",
            "comment",
            "space-home",
            "export-pdf",
            "templates",
            "whiteboard",
        ],
    ),
    (
        "bitbucket",
        &[
            "pull-request",
            "code-review",
            "browse-source",
            "pipelines",
            "branch-compare",
            "commit-view",
        ],
    ),
];

/// Actions recorded on usage events.
pub const ACTIONS: &[&str] = &[
    "view", "create", "update", "comment", "search", "share", "export", "approve",
];

/// Issue types with weights from the Apache Jira sample (types known for 238 issues).
pub const ISSUE_TYPES: &[(&str, f64)] = &[
    ("Sub-task", 0.58),
    ("Bug", 0.15),
    ("Improvement", 0.14),
    ("Task", 0.05),
    ("New Feature", 0.04),
    ("Test", 0.02),
    ("Story", 0.02),
];

/// Priorities with weights from the Apache Jira sample (931 issues with a priority).
pub const PRIORITIES: &[(&str, f64)] = &[
    ("Major", 0.73),
    ("Minor", 0.20),
    ("Blocker", 0.03),
    ("Critical", 0.02),
    ("Trivial", 0.02),
];

/// Statuses with weights from the Apache Jira sample (1,014 issues).
pub const STATUSES: &[(&str, f64)] = &[
    ("Resolved", 0.45),
    ("Open", 0.39),
    ("Closed", 0.10),
    ("In Progress", 0.035),
    ("Patch Available", 0.02),
    ("Reopened", 0.005),
];

/// First halves of component names.
pub const COMPONENT_HEADS: &[&str] = &[
    "billing",
    "checkout",
    "search",
    "index",
    "auth",
    "session",
    "token",
    "ledger",
    "invoice",
    "webhook",
    "notification",
    "upload",
    "export",
    "import",
    "report",
    "metrics",
    "audit",
    "profile",
    "catalog",
    "pricing",
    "quota",
    "tenant",
    "workspace",
    "sync",
    "cache",
    "queue",
    "scheduler",
    "feature-flag",
    "gateway",
    "config",
];

/// Second halves of component names.
pub const COMPONENT_TAILS: &[&str] = &[
    "service",
    "worker",
    "API",
    "client",
    "controller",
    "job",
    "store",
    "consumer",
    "producer",
    "handler",
    "module",
    "pipeline",
    "endpoint",
    "adapter",
    "cluster",
];

/// CamelCase class-name parts.
pub const CLASS_PARTS: &[&str] = &[
    "Account",
    "Batch",
    "Billing",
    "Cache",
    "Checkout",
    "Cluster",
    "Config",
    "Connection",
    "Event",
    "Export",
    "Gateway",
    "Index",
    "Invoice",
    "Ledger",
    "Metrics",
    "Partition",
    "Payment",
    "Query",
    "Quota",
    "Record",
    "Retry",
    "Schema",
    "Session",
    "Shard",
    "Snapshot",
    "Tenant",
    "Token",
    "Upload",
    "User",
    "Webhook",
    "Workspace",
];

/// Suffixes of class names.
pub const CLASS_SUFFIXES: &[&str] = &[
    "Manager",
    "Service",
    "Handler",
    "Factory",
    "Resolver",
    "Client",
    "Provider",
    "Validator",
    "Serializer",
    "Scheduler",
    "Repository",
    "Controller",
    "Listener",
    "Builder",
];

/// Exceptions and error names.
pub const ERRORS: &[&str] = &[
    "NullPointerException",
    "TimeoutException",
    "IllegalStateException",
    "OutOfMemoryError",
    "ConcurrentModificationException",
    "SocketTimeoutException",
    "ClassNotFoundException",
    "IllegalArgumentException",
    "ConnectionResetException",
    "deadlock",
    "race condition",
    "memory leak",
    "HTTP 500",
    "HTTP 503",
    "HTTP 429",
    "segfault",
    "stale read",
];

/// Noun phrases for objects of sentences (a determiner from slot [`SLOT_DETERMINER`]
/// precedes them in running text).
pub const OBJECTS: &[&str] = &[
    "retry logic",
    "config loader",
    "connection pool",
    "schema migration",
    "batch size",
    "error handling",
    "unit tests",
    "integration tests",
    "rate limiter",
    "cache invalidation",
    "serialization path",
    "default timeout",
    "feature flag",
    "dependency version",
    "rollout plan",
    "dashboard",
    "alert threshold",
    "log level",
    "thread pool",
    "partition count",
    "API contract",
    "pagination",
    "permission check",
    "build script",
    "release notes",
    "metrics export",
    "health check",
    "query planner",
    "upgrade path",
    "documentation",
    "on-call runbook",
    "load balancer",
];

/// Verbs in the present tense, third person.
pub const VERBS_3S: &[&str] = &[
    "breaks",
    "ignores",
    "overrides",
    "duplicates",
    "drops",
    "retries",
    "blocks",
    "leaks",
    "returns",
    "swallows",
    "skips",
    "corrupts",
    "delays",
    "rejects",
    "reloads",
    "caches",
];

/// Verbs in the imperative (summaries, commit messages).
pub const VERBS_IMPERATIVE: &[&str] = &[
    "Add",
    "Fix",
    "Remove",
    "Refactor",
    "Update",
    "Improve",
    "Support",
    "Introduce",
    "Deprecate",
    "Migrate",
    "Document",
    "Upgrade",
    "Simplify",
    "Handle",
    "Validate",
    "Cache",
    "Expose",
    "Rename",
    "Bump",
    "Revert",
];

/// Past-tense forms of [`VERBS_IMPERATIVE`] (same order), for authors who write commit
/// messages in the past tense.
pub const VERBS_PAST: &[&str] = &[
    "Added",
    "Fixed",
    "Removed",
    "Refactored",
    "Updated",
    "Improved",
    "Supported",
    "Introduced",
    "Deprecated",
    "Migrated",
    "Documented",
    "Upgraded",
    "Simplified",
    "Handled",
    "Validated",
    "Cached",
    "Exposed",
    "Renamed",
    "Bumped",
    "Reverted",
];

/// Adjectives.
pub const ADJECTIVES: &[&str] = &[
    "flaky",
    "slow",
    "broken",
    "inconsistent",
    "confusing",
    "redundant",
    "expensive",
    "stale",
    "missing",
    "wrong",
    "unstable",
    "noisy",
    "fragile",
    "outdated",
];

/// Conditions for "when ..." clauses.
pub const CONDITIONS: &[&str] = &[
    "the cluster is under load",
    "a tenant has more than one workspace",
    "the token expires",
    "the request is retried",
    "the job restarts",
    "the cache is cold",
    "two users edit at once",
    "the network is slow",
    "the payload is empty",
    "the region fails over",
    "the queue is full",
    "the upgrade runs twice",
    "the locale is not English",
    "a webhook times out",
];

/// Configuration keys.
pub const CONFIG_KEYS: &[&str] = &[
    "retry.max.attempts",
    "cache.ttl.seconds",
    "pool.max.size",
    "http.client.timeout.ms",
    "queue.batch.size",
    "index.refresh.interval",
    "auth.token.lifetime",
    "export.chunk.bytes",
    "scheduler.threads",
    "feature.rollout.percent",
];

/// File extensions and directories for changed files in commits.
pub const SOURCE_DIRS: &[&str] = &[
    "src/main", "src/test", "lib", "api", "internal", "cmd", "web/src", "docs",
];

/// File extensions for changed files.
pub const SOURCE_EXTS: &[&str] = &[
    "java", "kt", "py", "go", "ts", "tsx", "sql", "yaml", "md", "rs",
];

/// Confluence page title patterns (`{C}` component, `{Q}` quarter).
pub const PAGE_TITLES: &[&str] = &[
    "{C} design",
    "{C} runbook",
    "Postmortem: {C} outage",
    "{C} onboarding guide",
    "RFC: new {C}",
    "{Q} planning for {C}",
    "{C} release checklist",
    "Meeting notes: {C} sync",
    "{C} FAQ",
    "How to debug the {C}",
];

/// Function-word synonym slots: in each slot every author prefers some
/// alternatives over others (Mosteller & Wallace 1963: function-word
/// preferences are among the most stable authorial markers).
pub const FUNCTION_SLOTS: &[&[&str]] = &[
    &["however", "but", "though", "that said"],
    &["because", "since", "as", "given that"],
    &["I think", "IMO", "it seems", "I believe"],
    &["also", "additionally", "in addition", "plus"],
    &["very", "really", "quite", "pretty"],
    &["maybe", "perhaps", "possibly", "probably"],
    &["we should", "we need to", "let's", "it would be good to"],
    &["fix", "address", "resolve", "handle"],
    &["issue", "problem", "bug", "regression"],
    &["so", "therefore", "thus", "hence"],
    &["currently", "right now", "at the moment", "today"],
    &["looks like", "seems like", "it appears", "apparently"],
    &["use", "utilize", "leverage", "rely on"],
    &["for example", "e.g.", "for instance", "like"],
    &["a lot of", "many", "lots of", "plenty of"],
    &["please", "pls", "kindly", "could you"],
    &["Thanks", "Thx", "Thank you", "Many thanks"],
    &["OK", "ok", "okay", "Ok"],
    &["the", "our", "this", "that"],
    &["not", "not", "not", "not"],
];

/// Slot index of the determiners placed before object phrases.
pub const SLOT_DETERMINER: usize = 18;

/// Slot index of the "thanks" alternatives (used in sign-offs).
pub const SLOT_THANKS: usize = 16;

/// Sentence templates. Tokens: `{S<n>}` function slot n, `{C}` component,
/// `{K}` class name, `{O}` object phrase, `{V}` verb (3rd person), `{A}` adjective,
/// `{E}` error, `{W}` condition, `{G}` config key, `{N}` number, `{VER}` version.
pub const TEMPLATES: &[&str] = &[
    "{S10} the {C} {V} {O} when {W}",
    "{S2} {O} in the {C} is {A}",
    "{S11} {K} {V} {O} {S1} {W}",
    "{S6} {S7} this before the next release",
    "we see {E} in the {C} when {W}",
    "the {C} throws {E} after {N} retries",
    "{S5} {S18} {C} should {S12} {K} instead",
    "setting {G} to {N} did {S19} help",
    "{S2} this is a duplicate of the {S8} we had in the {C}",
    "I can reproduce it on {VER} but {S19} on the previous version",
    "{S3} {O} is {S4} {A} in the {C}",
    "{S14} tenants are affected {S1} {O} is {A}",
    "the root cause is that {K} {V} {O}",
    "{S6} add a test for {O}",
    "{S15} review the change to {K}",
    "{S9} {S18} {C} needs a {S4} careful rollout",
    "after the upgrade to {VER} the {C} {V} {O}",
    "{S13} when {W} the {C} {V} {O}",
    "I am {S19} sure {S18} {C} is the right place for this",
    "this affects {N} requests per minute in production",
    "the {S8} only happens when {W}",
    "{S0} the {C} still {V} {O}",
];

/// Connectors that extend a sentence with another clause.
pub const CONNECTORS: &[&str] = &[
    ", and",
    ", {S0}",
    ", {S1}",
    ", {S9}",
    ", which means",
    " and",
    ", while",
];

/// Greetings (`{N}` is the addressee's first name or a mention).
pub const GREETINGS: &[&str] = &[
    "Hi {N},",
    "Hello {N},",
    "Hey {N},",
    "Hi all,",
    "Hi team,",
    "{N}:",
    "Good morning,",
];

/// Sign-off forms (`{T}` is the author's "thanks" word, `{F}` their first name).
pub const SIGNOFFS: &[&str] = &[
    "{T},\n{F}",
    "{T}!",
    "Cheers,\n{F}",
    "-- {F}",
    "Regards,\n{F}",
    "{T}",
];

/// Consistent misspellings: an author with a typo habit uses some of these.
pub const MISSPELLINGS: &[(&str, &str)] = &[
    ("the", "teh"),
    ("receive", "recieve"),
    ("separate", "seperate"),
    ("occurred", "occured"),
    ("dependency", "dependancy"),
    ("which", "wich"),
    ("definitely", "definately"),
    ("because", "becuase"),
    ("environment", "enviroment"),
    ("existing", "exisiting"),
    ("retries", "retires"),
    ("should", "shoudl"),
    ("request", "reqeust"),
    ("really", "realy"),
    ("issue", "isue"),
    ("this", "thsi"),
];

/// Stack-trace frames used inside code blocks.
pub const FRAME_PACKAGES: &[&str] = &[
    "com.example.platform",
    "com.example.billing",
    "com.example.search",
    "com.example.core",
];
