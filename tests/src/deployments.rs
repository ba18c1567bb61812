//! The test deployments, written once: each one's name, Worker variables and secrets, and
//! the environment variables that carry its addresses from `cargo xtask test` to the tests.
//!
//! xtask includes this very file (`#[path]`) to start the deployments from [`ALL`]; the
//! tests' `Deployment` finds each one through it and reads what it was started with (its
//! limits, its windows, its keys) from the same rows, so neither side can drift. Variable
//! names are the Worker's own, from `colloquy_core::wire::vars`.

use colloquy_core::wire::vars;

/// A variable's or a secret's value; xtask fills in what is only known when it runs.
#[derive(Clone, Copy, Debug)]
pub enum Value {
    /// This text.
    Text(&'static str),
    /// The fake Turnstile (and Gravatar) server's address, then this path.
    FakeTurnstile(&'static str),
    /// The fake receiver's (webhooks, mail API) address, then this path.
    Receiver(&'static str),
    /// A fresh random secret for every run.
    Random,
}

/// One deployment: how xtask starts it, and where the tests find it.
#[derive(Debug)]
pub struct Spec {
    pub name: &'static str,
    /// `[vars]` over wrangler.toml's (`--var`). `ALLOWED_ORIGINS` is always its demo page.
    pub vars: &'static [(&'static str, Value)],
    /// Secrets, given to wrangler as an env file (as `wrangler secret put` would set them).
    pub secrets: &'static [(&'static str, Value)],
    /// D1 databases beyond the first (`DB1`, `DB2`, … bindings), each a local database
    /// of its own (see [`shard_database`]).
    pub shards: &'static [&'static str],
    /// The environment variable with its API's base URL (`http://127.0.0.1:<port>`).
    pub api_env: &'static str,
    /// … with the origin of its demo page (an allowed writer).
    pub demo_env: &'static str,
    /// … with its local D1 folder (`--persist-to`).
    pub state_env: &'static str,
}

/// Comment rate limits of the deployments browser tests post to: they all post from
/// 127.0.0.1, so the burst limit is higher than production's.
const RATE_LIMITS: Value = Value::Text("30/60,500/3600");
/// No form timer: each test gets its token and posts at once (the timer is tested on
/// the strict deployment).
const NO_FORM_TIMER: Value = Value::Text("0");
/// Page versions that hold an hour: a test that revalidates a page never sees it change
/// because a minute ended in between.
const STEADY_PAGES: Value = Value::Text("3600");
/// The console key of every deployment with a console.
const OWNER_KEY: Value = Value::Text("test-owner-key-0123456789abcdef-0123456789");
/// The strict deployment's Turnstile site key.
const FAKE_TURNSTILE_SITE_KEY: &str = "test-site-key";
/// The secret xtask's fake Turnstile (`fake_turnstile.rs`) accepts.
pub const FAKE_TURNSTILE_SECRET: &str = "test-turnstile-secret";

/// The main deployment: no Turnstile, no moderation; the console works on single threads
/// and commenters here.
pub static MAIN: Spec = Spec {
    name: "main",
    vars: &[
        (vars::RATE_LIMITS, RATE_LIMITS),
        (vars::MIN_SUBMIT_SECS, NO_FORM_TIMER),
        (vars::PAGE_FRESH_SECS, STEADY_PAGES),
    ],
    secrets: &[
        (vars::COLLOQUY_SECRET, Value::Random),
        (vars::OWNER_KEY, OWNER_KEY),
    ],
    shards: &[],
    api_env: "COLLOQUY_MAIN_API",
    demo_env: "COLLOQUY_MAIN_DEMO",
    state_env: "COLLOQUY_MAIN_STATE",
};

/// Turnstile (a local fake), moderation, an owner key, Gravatar, the form timer, a short
/// edit window.
pub static STRICT: Spec = Spec {
    name: "strict",
    vars: &[
        (vars::RATE_LIMITS, RATE_LIMITS),
        // Short, so the suite can watch it close.
        (vars::EDIT_WINDOW_SECS, Value::Text("3")),
        (
            vars::TURNSTILE_SITE_KEY,
            Value::Text(FAKE_TURNSTILE_SITE_KEY),
        ),
        (
            vars::TURNSTILE_VERIFY_URL,
            Value::FakeTurnstile("/siteverify"),
        ),
        (
            vars::TURNSTILE_SCRIPT_URL,
            Value::FakeTurnstile("/turnstile.js"),
        ),
        (vars::MODERATION, Value::Text("on")),
        (vars::GRAVATAR, Value::Text("on")),
        (vars::PAGE_FRESH_SECS, STEADY_PAGES),
        (vars::GRAVATAR_URL, Value::FakeTurnstile("/avatar")),
    ],
    secrets: &[
        (vars::COLLOQUY_SECRET, Value::Random),
        (vars::OWNER_KEY, OWNER_KEY),
        (vars::TURNSTILE_SECRET, Value::Text(FAKE_TURNSTILE_SECRET)),
    ],
    shards: &[],
    api_env: "COLLOQUY_STRICT_API",
    demo_env: "COLLOQUY_STRICT_DEMO",
    state_env: "COLLOQUY_STRICT_STATE",
};

/// Small limits of every kind, reached in a few requests; console sessions and page
/// versions that end after two seconds, to watch one expire and a like reach a browser.
pub static LIMITS: Spec = Spec {
    name: "limits",
    vars: &[
        (vars::RATE_LIMITS, Value::Text("100/60,3/3600")),
        (vars::LIKE_RATE_LIMITS, Value::Text("100/60,3/3600")),
        (vars::PREVIEW_RATE_LIMITS, Value::Text("2/60,100/3600")),
        (vars::EDIT_RATE_LIMITS, Value::Text("2/60,100/3600")),
        (vars::MIN_SUBMIT_SECS, NO_FORM_TIMER),
        (vars::ADMIN_SESSION_SECS, Value::Text("2")),
        (vars::PAGE_FRESH_SECS, Value::Text("2")),
    ],
    secrets: &[
        (vars::COLLOQUY_SECRET, Value::Random),
        (vars::OWNER_KEY, OWNER_KEY),
    ],
    shards: &[],
    api_env: "COLLOQUY_LIMITS_API",
    demo_env: "COLLOQUY_LIMITS_DEMO",
    state_env: "COLLOQUY_LIMITS_STATE",
};

/// The owner's console at work: settings that change the whole site (moderation modes,
/// spam rules) and imports live here, apart from the other deployments' tests.
pub static OWNER: Spec = Spec {
    name: "owner",
    vars: &[
        (vars::RATE_LIMITS, RATE_LIMITS),
        (vars::MIN_SUBMIT_SECS, NO_FORM_TIMER),
        (vars::PAGE_FRESH_SECS, STEADY_PAGES),
    ],
    secrets: &[
        (vars::COLLOQUY_SECRET, Value::Random),
        (vars::OWNER_KEY, OWNER_KEY),
    ],
    shards: &[],
    api_env: "COLLOQUY_OWNER_API",
    demo_env: "COLLOQUY_OWNER_DEMO",
    state_env: "COLLOQUY_OWNER_STATE",
};

/// Notifications: webhooks and reply emails to a local receiver (xtask's
/// `fake_receiver.rs`), retried after a second instead of a minute.
pub static NOTIFY: Spec = Spec {
    name: "notify",
    vars: &[
        (vars::RATE_LIMITS, RATE_LIMITS),
        (vars::MIN_SUBMIT_SECS, NO_FORM_TIMER),
        (vars::MAIL_API_URL, Value::Receiver("/mail")),
        (
            vars::MAIL_FROM,
            Value::Text("Colloquy test <comments@example.org>"),
        ),
        (vars::NOTIFY_RETRY_SECS, Value::Text("1")),
        (vars::PAGE_FRESH_SECS, STEADY_PAGES),
    ],
    secrets: &[
        (vars::COLLOQUY_SECRET, Value::Random),
        (vars::OWNER_KEY, OWNER_KEY),
        (vars::MAIL_API_KEY, Value::Text("test-mail-api-key")),
    ],
    shards: &[],
    api_env: "COLLOQUY_NOTIFY_API",
    demo_env: "COLLOQUY_NOTIFY_DEMO",
    state_env: "COLLOQUY_NOTIFY_STATE",
};

/// The test-only fault switch (D1 failing on request), and a console key too short to
/// open the console.
pub static FAULTS: Spec = Spec {
    name: "faults",
    vars: &[
        (vars::RATE_LIMITS, RATE_LIMITS),
        (vars::MIN_SUBMIT_SECS, NO_FORM_TIMER),
        (vars::FAULT_SWITCH, Value::Text("on")),
        (vars::PAGE_FRESH_SECS, STEADY_PAGES),
    ],
    secrets: &[
        (vars::COLLOQUY_SECRET, Value::Random),
        (vars::OWNER_KEY, Value::Text("short-console-key")),
    ],
    shards: &[],
    api_env: "COLLOQUY_FAULTS_API",
    demo_env: "COLLOQUY_FAULTS_DEMO",
    state_env: "COLLOQUY_FAULTS_STATE",
};

/// A secret too short to keep tokens unforgeable: it must serve reads and refuse writes.
pub static WEAK: Spec = Spec {
    name: "weak",
    vars: &[],
    secrets: &[(vars::COLLOQUY_SECRET, Value::Text("hunter2"))],
    shards: &[],
    api_env: "COLLOQUY_WEAK_API",
    demo_env: "COLLOQUY_WEAK_DEMO",
    state_env: "COLLOQUY_WEAK_STATE",
};

/// Four D1 databases (`DB`, `DB1`, `DB2`, `DB3`) and a directory of sites that isolates keep
/// for a second only: new sites go to the emptiest database, and sites move between them
/// (holding their writes for two seconds instead of a minute). Only the shard tests make
/// sites here, so which database is emptiest is known.
pub static SHARDS: Spec = Spec {
    name: "shards",
    vars: &[
        (vars::RATE_LIMITS, RATE_LIMITS),
        (vars::MIN_SUBMIT_SECS, NO_FORM_TIMER),
        (vars::PAGE_FRESH_SECS, STEADY_PAGES),
        (vars::DIRECTORY_FRESH_SECS, Value::Text("1")),
    ],
    secrets: &[
        (vars::COLLOQUY_SECRET, Value::Random),
        (vars::OWNER_KEY, OWNER_KEY),
    ],
    shards: &["DB1", "DB2", "DB3"],
    api_env: "COLLOQUY_SHARDS_API",
    demo_env: "COLLOQUY_SHARDS_DEMO",
    state_env: "COLLOQUY_SHARDS_STATE",
};

/// Every test deployment `cargo xtask test` starts, side by side.
pub const ALL: [&Spec; 8] = [
    &MAIN, &STRICT, &LIMITS, &OWNER, &NOTIFY, &FAULTS, &WEAK, &SHARDS,
];

/// The local database name of the extra D1 binding `binding` (`DB1` → `colloquy-db1`).
pub fn shard_database(binding: &str) -> String {
    format!(
        "{}-{}",
        colloquy_core::wire::vars::DB_NAME,
        binding.to_ascii_lowercase()
    )
}

/// The wrangler configuration a deployment with extra databases runs with, written in
/// its state folder (`wrangler.toml` there; the checkout's own for the others).
pub const SHARDS_CONFIG: &str = "wrangler.toml";

impl Spec {
    /// The value of variable `name` when it is fixed text (a limit, a window).
    pub fn var(&self, name: &str) -> Option<&'static str> {
        fixed(self.vars, name)
    }

    /// The value of secret `name` when it is fixed text (a console key, a mail API key).
    pub fn secret(&self, name: &str) -> Option<&'static str> {
        fixed(self.secrets, name)
    }
}

fn fixed(values: &[(&str, Value)], name: &str) -> Option<&'static str> {
    values.iter().find_map(|(n, v)| match v {
        Value::Text(text) if *n == name => Some(*text),
        _ => None,
    })
}

/// Besides the deployments, what else `cargo xtask test` (and `bench`, `load`) hands over.
pub mod env {
    /// ChromeDriver's URL.
    pub const WEBDRIVER: &str = "COLLOQUY_WEBDRIVER";
    /// Where the browser tests write the README's screenshots.
    pub const SCREENSHOTS: &str = "COLLOQUY_SCREENSHOTS";
    /// Path of axe-core's `axe.min.js`.
    pub const AXE: &str = "COLLOQUY_AXE";
    /// wrangler's JS entry point (run with `node`): tests change a deployment's local D1
    /// through it the way an operator would.
    pub const WRANGLER: &str = "COLLOQUY_WRANGLER";
    /// The `colloquy` command, built for the import tests.
    pub const CLI: &str = "COLLOQUY_CLI";
    /// A python with `feedparser`, to read the Atom feeds as a feed reader would.
    pub const FEED_PYTHON: &str = "COLLOQUY_FEED_PYTHON";
    /// The local receiver the notify deployment's webhooks and mail API point at.
    pub const RECEIVER: &str = "COLLOQUY_RECEIVER";
    /// `cargo xtask load`: how long, and how many readers and writers (the suite runs a
    /// short version with its own defaults).
    pub const LOAD_SECS: &str = "COLLOQUY_LOAD_SECS";
    pub const LOAD_READERS: &str = "COLLOQUY_LOAD_READERS";
    pub const LOAD_WRITERS: &str = "COLLOQUY_LOAD_WRITERS";
    /// `cargo xtask bench`: Isso's server and its copy of the demo page.
    pub const BENCH_ISSO: &str = "COLLOQUY_BENCH_ISSO";
    pub const BENCH_ISSO_DEMO: &str = "COLLOQUY_BENCH_ISSO_DEMO";
    /// The seeded threads, `20=/bench/20/,200=/bench/200/,…`.
    pub const BENCH_THREADS: &str = "COLLOQUY_BENCH_THREADS";
    /// Where the report goes, and a Markdown file to append to it (the CPU figures).
    pub const BENCH_REPORT: &str = "COLLOQUY_BENCH_REPORT";
    pub const BENCH_EXTRA: &str = "COLLOQUY_BENCH_EXTRA";
}
