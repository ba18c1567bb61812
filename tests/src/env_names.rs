//! The environment variables through which `cargo xtask test` hands the running stack to
//! the end-to-end tests. xtask includes this very file, so the two sides share the names.

/// Base URL of the main `wrangler dev` deployment.
pub const API: &str = "COLLOQUY_API";
/// Origin of the demo page for the main deployment (an allowed writer).
pub const DEMO: &str = "COLLOQUY_DEMO";
/// ChromeDriver's URL.
pub const WEBDRIVER: &str = "COLLOQUY_WEBDRIVER";
/// Where the browser tests write the README's screenshots.
pub const SCREENSHOTS: &str = "COLLOQUY_SCREENSHOTS";
/// Path of axe-core's `axe.min.js`.
pub const AXE: &str = "COLLOQUY_AXE";
/// The strict deployment (Turnstile, moderation, owner key, Gravatar) and its demo page.
pub const STRICT_API: &str = "COLLOQUY_STRICT_API";
pub const STRICT_DEMO: &str = "COLLOQUY_STRICT_DEMO";
/// The strict deployment's owner key.
pub const OWNER_KEY: &str = "COLLOQUY_OWNER_KEY";
/// The comment rate limits the main and strict deployments run with (`count/seconds,…`).
pub const RATE_LIMITS: &str = "COLLOQUY_RATE_LIMITS";
/// The strict deployment's edit window, in seconds.
pub const STRICT_EDIT_WINDOW_SECS: &str = "COLLOQUY_STRICT_EDIT_WINDOW_SECS";
/// The main deployment's local D1 folder (to check what is stored, e.g. no IP address).
pub const STATE: &str = "COLLOQUY_STATE";
/// The limits deployment (small limits of every kind) and its demo page.
pub const LIMITS_API: &str = "COLLOQUY_LIMITS_API";
pub const LIMITS_DEMO: &str = "COLLOQUY_LIMITS_DEMO";
/// Its limits, `count/seconds,…` each.
pub const TIGHT_COMMENT_LIMITS: &str = "COLLOQUY_TIGHT_COMMENT_LIMITS";
pub const TIGHT_LIKE_LIMITS: &str = "COLLOQUY_TIGHT_LIKE_LIMITS";
pub const TIGHT_PREVIEW_LIMITS: &str = "COLLOQUY_TIGHT_PREVIEW_LIMITS";
pub const TIGHT_EDIT_LIMITS: &str = "COLLOQUY_TIGHT_EDIT_LIMITS";
/// The deployment whose secret is too weak: it must serve reads and refuse writes.
pub const WEAK_API: &str = "COLLOQUY_WEAK_API";
pub const WEAK_DEMO: &str = "COLLOQUY_WEAK_DEMO";

/// `cargo xtask bench`: Isso's server and its copy of the demo page.
pub const BENCH_ISSO: &str = "COLLOQUY_BENCH_ISSO";
pub const BENCH_ISSO_DEMO: &str = "COLLOQUY_BENCH_ISSO_DEMO";
/// The seeded threads, `20=/bench/20/,200=/bench/200/,…`.
pub const BENCH_THREADS: &str = "COLLOQUY_BENCH_THREADS";
/// Where the report goes, and a Markdown file to append to it (the CPU figures).
pub const BENCH_REPORT: &str = "COLLOQUY_BENCH_REPORT";
pub const BENCH_EXTRA: &str = "COLLOQUY_BENCH_EXTRA";
/// The owner deployment: the console's site-wide settings are tested here.
pub const OWNER_API: &str = "COLLOQUY_OWNER_API";
pub const OWNER_DEMO: &str = "COLLOQUY_OWNER_DEMO";
/// How long console sessions last on the limits deployment.
pub const SHORT_SESSION_SECS: &str = "COLLOQUY_SHORT_SESSION_SECS";
/// How long a page version holds on the limits deployment (`PAGE_FRESH_SECS`).
pub const SHORT_FRESH_SECS: &str = "COLLOQUY_SHORT_FRESH_SECS";
/// The notify deployment (webhooks, reply emails), the local receiver its webhooks and
/// mail API point at, and the key it must send to the mail API.
pub const NOTIFY_API: &str = "COLLOQUY_NOTIFY_API";
pub const NOTIFY_DEMO: &str = "COLLOQUY_NOTIFY_DEMO";
pub const RECEIVER: &str = "COLLOQUY_RECEIVER";
pub const MAIL_API_KEY: &str = "COLLOQUY_MAIL_API_KEY";
/// wrangler's JS entry point (run with `node`), and the owner deployment's local D1
/// folder: a test ages a thread there the way an operator would edit D1.
pub const WRANGLER: &str = "COLLOQUY_WRANGLER";
pub const OWNER_STATE: &str = "COLLOQUY_OWNER_STATE";
/// The `colloquy` command, built for the import tests.
pub const CLI: &str = "COLLOQUY_CLI";
/// A python with `feedparser`, to read the Atom feeds as a feed reader would.
pub const FEED_PYTHON: &str = "COLLOQUY_FEED_PYTHON";
/// The deployment with the test-only fault switch (D1 failing on request).
pub const FAULTS_API: &str = "COLLOQUY_FAULTS_API";
pub const FAULTS_DEMO: &str = "COLLOQUY_FAULTS_DEMO";
