//! The running product: local D1 + `wrangler dev` (API and widget) + the demo page, used
//! by both `cargo xtask dev` and `cargo xtask test`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::procs::{free_port, run, run_tests, wait_for_http, Service, Tally};
use crate::tools::{ensure_all, Need, Tools};
use crate::{build, demo_server, fake_turnstile, root, step, Result};

/// The variable names the end-to-end tests read, shared with them.
#[path = "../../tests/src/env_names.rs"]
pub(crate) mod env_names;

/// Comment rate limits of the main test deployment: browser tests all post from
/// 127.0.0.1, so the burst limit is higher than production's.
const TEST_RATE_LIMITS: &str = "30/60,500/3600";
/// The limits deployment's: small, so the suite can reach each one quickly.
const TIGHT_COMMENT_LIMITS: &str = "100/60,3/3600";
const TIGHT_LIKE_LIMITS: &str = "100/60,3/3600";
const TIGHT_PREVIEW_LIMITS: &str = "2/60,100/3600";
const TIGHT_EDIT_LIMITS: &str = "2/60,100/3600";
/// The strict test deployment's owner key (author badge).
const TEST_OWNER_KEY: &str = "test-owner-key-0123456789abcdef-0123456789";
/// Page versions that hold an hour: a test that revalidates a page never sees it change
/// because a minute ended in between.
const STEADY_PAGES: &str = "PAGE_FRESH_SECS:3600";
/// The limits deployment's page window (`PAGE_FRESH_SECS`), short enough to wait out.
const SHORT_FRESH_SECS: &str = "2";
/// A console key too short to be safe (the faults deployment runs with it: no console).
const WEAK_OWNER_KEY: &str = "short-console-key";
/// The mail API key the notify deployment sends with its emails.
const TEST_MAIL_API_KEY: &str = "test-mail-api-key";
/// The limits deployment's console sessions: short, so the suite can watch one expire.
const SHORT_SESSION_SECS: &str = "2";
/// The strict deployment's edit window: short, so the suite can watch it close.
const STRICT_EDIT_WINDOW_SECS: &str = "3";

/// Local secrets live in `.dev.vars` (git-ignored), which wrangler dev reads. The signing
/// secret and the console key are generated once per checkout, so no secret is ever
/// committed. Returns the console key (`OWNER_KEY`).
fn ensure_dev_vars(root: &Path) -> Result<String> {
    let path = root.join(".dev.vars");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    let value = |text: &str, name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
    };
    let mut changed = false;
    for name in ["COLLOQUY_SECRET", "OWNER_KEY"] {
        if value(&text, name).is_none() {
            step(&format!("generating a local {name} in .dev.vars"));
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!("{name}={}\n", random_secret()?));
            changed = true;
        }
    }
    if changed {
        std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    value(&text, "OWNER_KEY").ok_or_else(|| "no OWNER_KEY in .dev.vars".to_owned())
}

/// Migrate the local D1 in `state` and seed it with the demo (and `seed`).
pub(crate) fn migrate_and_seed(tools: &Tools, state: &Path, seed: Option<&Path>) -> Result<()> {
    run(&mut tools.local_d1(state, &["migrations", "apply"]))?;
    let seeds = [Some(Path::new("demo/seed.sql")), seed];
    for file in seeds.into_iter().flatten() {
        run(tools.local_d1(state, &["execute"]).arg("--file").arg(file))?;
    }
    Ok(())
}

/// Copy a folder (a local D1's state) with everything in it.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

/// How one deployment is configured.
pub(crate) struct Spec {
    pub(crate) name: &'static str,
    /// `[vars]` overrides, `NAME:value`.
    pub(crate) vars: Vec<String>,
    /// Secrets, given to wrangler as an env file (as `wrangler secret put` would in
    /// production). `None`: the checkout's `.dev.vars`.
    pub(crate) secrets: Option<Vec<(&'static str, String)>>,
}

/// A running worker and demo page. Dropping it stops wrangler (in test mode).
pub(crate) struct Stack {
    pub(crate) api: String,
    pub(crate) demo: String,
    /// Where its local D1 lives.
    state: PathBuf,
    wrangler: Service,
    _demo_server: std::thread::JoinHandle<()>,
}

impl Stack {
    /// Migrate and seed the D1 state in `state`, then start both servers.
    fn start(
        tools: &Tools,
        state: &Path,
        ports: (u16, u16),
        own_group: bool,
        spec: &Spec,
    ) -> Result<Self> {
        Self::start_seeded(tools, state, ports, own_group, spec, None)
    }

    /// [`Stack::start`], with `seed` (an SQL file) applied after the demo's seed.
    pub(crate) fn start_seeded(
        tools: &Tools,
        state: &Path,
        ports: (u16, u16),
        own_group: bool,
        spec: &Spec,
        seed: Option<&Path>,
    ) -> Result<Self> {
        ensure_dev_vars(&root())?;
        std::fs::create_dir_all(state).map_err(|e| format!("{}: {e}", state.display()))?;
        step(&format!(
            "{}: applying D1 migrations to the local database in {}",
            spec.name,
            state.display()
        ));
        migrate_and_seed(tools, state, seed)?;
        Self::start_on(tools, state, ports, own_group, spec)
    }

    /// [`Stack::start`] on a copy of `template`'s database (migrated and seeded once for
    /// every deployment of a run, instead of once each).
    pub(crate) fn start_copy(
        tools: &Tools,
        template: &Path,
        state: &Path,
        ports: (u16, u16),
        own_group: bool,
        spec: &Spec,
    ) -> Result<Self> {
        let _ = std::fs::remove_dir_all(state);
        copy_dir(template, state)?;
        Self::start_on(tools, state, ports, own_group, spec)
    }

    fn start_on(
        tools: &Tools,
        state: &Path,
        ports: (u16, u16),
        own_group: bool,
        spec: &Spec,
    ) -> Result<Self> {
        let (api_port, demo_port) = ports;
        let persist = state.to_string_lossy().into_owned();
        let api = format!("http://127.0.0.1:{api_port}");
        // The demo's port is taken by binding it (0: any free one).
        let (demo_server, demo_port) = demo_server::start(
            demo_port,
            api.clone(),
            demo_server::extra_sources(&spec.vars),
        )?;
        let demo = format!("http://127.0.0.1:{demo_port}");
        step(&format!("{}: starting wrangler dev on {api}", spec.name));
        let origins = format!("ALLOWED_ORIGINS:{demo},http://localhost:{demo_port}");
        let mut cmd = tools.wrangler();
        cmd.args([
            "dev",
            "--local",
            "--ip",
            "127.0.0.1",
            "--port",
            &api_port.to_string(),
        ])
        .args(["--inspector-port", &free_port()?.to_string()])
        .args(["--persist-to", &persist, "--var", &origins])
        .arg("--show-interactive-dev-session=false")
        // `/__scheduled` runs the Cron Trigger on request (retries, the digest).
        .arg("--test-scheduled");
        for var in &spec.vars {
            cmd.args(["--var", var]);
        }
        if let Some(secrets) = &spec.secrets {
            let file = state.join("secrets.env");
            let text: String = secrets.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
            cmd.arg("--env-file").arg(&file);
        }
        let mut wrangler = Service::spawn("wrangler dev", &mut cmd, own_group)?;
        // The first start may compile the worker inside wrangler's [build] step.
        wait_for_http(
            &mut wrangler,
            &colloquy_core::wire::endpoint::Endpoint::Health.url(&api),
            Duration::from_secs(1200),
        )?;
        Ok(Stack {
            api,
            demo,
            state: state.to_path_buf(),
            wrangler,
            _demo_server: demo_server,
        })
    }
}

/// A fresh random secret of 32 bytes, hex.
pub(crate) fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `cargo xtask dev`: everything a newcomer needs to see the widget live.
pub fn dev() -> Result<()> {
    let tools = ensure_all(Need::Build)?;
    build::widget(&tools)?;
    build::worker(&tools)?;
    let port = |var: &str, default: u16| {
        std::env::var(var)
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(default)
    };
    let state = root().join(".wrangler/state");
    let mut stack = Stack::start(
        &tools,
        &state,
        (
            port("COLLOQUY_API_PORT", 8787),
            port("COLLOQUY_DEMO_PORT", 8788),
        ),
        false,
        &Spec {
            name: "dev",
            vars: Vec::new(),
            secrets: None,
        },
    )?;
    eprintln!();
    eprintln!("  Demo article with the widget:  {}/", stack.demo);
    let demo_query = colloquy_core::wire::endpoint::ThreadQuery {
        thread: demo_server::DEMO_THREAD.to_owned(),
        ..Default::default()
    };
    eprintln!(
        "  API:                           {}",
        demo_query.url(&stack.api)
    );
    eprintln!(
        "  Moderation console:            {}/admin/  (console key: {})",
        stack.api,
        ensure_dev_vars(&root())?
    );
    eprintln!("  Local D1 database:             {}", state.display());
    eprintln!(
        "\n  Editing the widget rebuilds it; the worker is rebuilt by wrangler. Ctrl-C stops."
    );
    rebuild_widget_on_change(tools);
    stack.wrangler.wait()
}

/// Watch the widget's and core's sources; rebuild the widget when they change. The build
/// replaces files in place, so the running server keeps serving the old version until
/// the new one is there, and a reload of the demo shows it. `wrangler dev` lists the
/// static assets when it (re)loads its configuration, so a new version's folder is only
/// served once `wrangler.toml` has been touched.
fn rebuild_widget_on_change(tools: Tools) {
    std::thread::spawn(move || {
        let watched = [
            "widget", "reader", "browser", "admin", "i18n/src", "core/src",
        ]
        .map(|p| root().join(p));
        let stamp = || watched.iter().filter_map(|p| build::newest(p)).max();
        let mut last = stamp();
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let now = stamp();
            if now != last {
                last = now;
                step("widget sources changed: rebuilding the widget");
                if let Err(e) = build::widget(&tools) {
                    eprintln!("xtask: widget build failed: {e}");
                    continue;
                }
                let touched = std::fs::File::options()
                    .append(true)
                    .open(root().join("wrangler.toml"))
                    .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                if let Err(e) = touched {
                    eprintln!("xtask: could not touch wrangler.toml: {e}");
                }
            }
        }
    });
}

/// `cargo xtask test`: the whole suite, on a fresh local D1 and fresh ports. With
/// `--only <test file>` (e.g. `--only reader`), just that end-to-end file, without the
/// formatting, lint and unit-test steps: the quick loop while working on one feature.
pub fn test(args: &[String]) -> Result<()> {
    let root = root();
    let only = match args {
        [] => None,
        [flag, name] if flag == "--only" => Some(name.clone()),
        _ => {
            return Err(
                "usage: cargo xtask test [--only <end-to-end test file>[,<another>…]]".into(),
            )
        }
    };
    let tools = ensure_all(Need::Everything)?;
    let mut tally = Tally::default();
    if only.is_none() {
        static_checks_and_unit_tests(&root, &mut tally)?;
    }
    // `--only a,b`: several end-to-end files in one run of the stacks.
    let e2e_target: Vec<String> = match &only {
        Some(names) => names
            .split(',')
            .filter(|n| !n.trim().is_empty())
            .flat_map(|n| ["--test".to_owned(), n.trim().to_owned()])
            .collect(),
        None => vec!["--tests".into()],
    };
    step("compiling the end-to-end tests");
    let binaries = crate::e2e::compile(&root, &e2e_target)?;
    let feed_python = crate::tools::ensure_feedparser()?;
    // The `colloquy` command, which the import tests run as an owner would.
    run(Command::new("cargo")
        .args(["build", "-p", "colloquy-cli"])
        .current_dir(&root))?;
    let version = build::widget(&tools)?;
    // Size is a feature: the loader and the reading half stay within their budgets.
    let budget = crate::size::check_budgets(&version);
    if let Err(e) = &budget {
        eprintln!("xtask: {e}");
        tally.failed += 1;
    } else {
        tally.passed += 1;
    }
    build::worker(&tools)?;
    // A change that would break `wrangler deploy` fails the suite, not the deploy.
    match crate::size::deploy_dry_run(&tools) {
        Ok(_) => tally.passed += 1,
        Err(e) => {
            eprintln!("xtask: wrangler deploy --dry-run failed: {e}");
            tally.failed += 1;
        }
    }

    let state = fresh_state_dir(&root)?;
    // A local fake of Turnstile's verifier (and of Gravatar's images) for the strict one.
    let fake = fake_turnstile::start()?;
    // Webhook receivers and the mail API, for the notify deployment.
    let receiver = crate::fake_receiver::start()?;
    let secret = |extra: Vec<(&'static str, String)>| -> Result<_> {
        let mut all = vec![("COLLOQUY_SECRET", random_secret()?)];
        all.extend(extra);
        Ok(Some(all))
    };
    let specs = [
        // The main deployment: no form timer (each test gets its token and posts at
        // once; the timer is tested on the strict one).
        Spec {
            name: "main",
            vars: vec![
                format!("RATE_LIMITS:{TEST_RATE_LIMITS}"),
                "MIN_SUBMIT_SECS:0".to_owned(),
                STEADY_PAGES.to_owned(),
            ],
            // The console works on single threads and commenters here.
            secrets: secret(vec![("OWNER_KEY", TEST_OWNER_KEY.to_owned())])?,
        },
        // Turnstile, moderation, an owner key, Gravatar, the form timer, a short edit window.
        Spec {
            name: "strict",
            vars: vec![
                format!("RATE_LIMITS:{TEST_RATE_LIMITS}"),
                format!("EDIT_WINDOW_SECS:{STRICT_EDIT_WINDOW_SECS}"),
                format!("TURNSTILE_SITE_KEY:{}", fake_turnstile::SITE_KEY),
                format!("TURNSTILE_VERIFY_URL:{fake}/siteverify"),
                format!("TURNSTILE_SCRIPT_URL:{fake}/turnstile.js"),
                "MODERATION:on".to_owned(),
                "GRAVATAR:on".to_owned(),
                STEADY_PAGES.to_owned(),
                format!("GRAVATAR_URL:{fake}/avatar"),
            ],
            secrets: secret(vec![
                ("OWNER_KEY", TEST_OWNER_KEY.to_owned()),
                ("TURNSTILE_SECRET", fake_turnstile::SECRET.to_owned()),
            ])?,
        },
        // Small limits of every kind, reached in a few requests.
        Spec {
            name: "limits",
            vars: vec![
                format!("RATE_LIMITS:{TIGHT_COMMENT_LIMITS}"),
                format!("LIKE_RATE_LIMITS:{TIGHT_LIKE_LIMITS}"),
                format!("PREVIEW_RATE_LIMITS:{TIGHT_PREVIEW_LIMITS}"),
                format!("EDIT_RATE_LIMITS:{TIGHT_EDIT_LIMITS}"),
                "MIN_SUBMIT_SECS:0".to_owned(),
                // Console sessions that end quickly, to watch one expire.
                format!("ADMIN_SESSION_SECS:{SHORT_SESSION_SECS}"),
                // Page versions that hold two seconds, to watch a like reach a browser.
                format!("PAGE_FRESH_SECS:{SHORT_FRESH_SECS}"),
            ],
            secrets: secret(vec![("OWNER_KEY", TEST_OWNER_KEY.to_owned())])?,
        },
        // The owner's console at work: settings that change the whole site (moderation
        // modes, spam rules) live here, apart from the other deployments' tests.
        Spec {
            name: "owner",
            vars: vec![
                format!("RATE_LIMITS:{TEST_RATE_LIMITS}"),
                "MIN_SUBMIT_SECS:0".to_owned(),
                STEADY_PAGES.to_owned(),
            ],
            secrets: secret(vec![("OWNER_KEY", TEST_OWNER_KEY.to_owned())])?,
        },
        // Notifications: webhooks and reply emails to a local receiver, retried after a
        // second instead of a minute.
        Spec {
            name: "notify",
            vars: vec![
                format!("RATE_LIMITS:{TEST_RATE_LIMITS}"),
                "MIN_SUBMIT_SECS:0".to_owned(),
                format!("MAIL_API_URL:{receiver}/mail"),
                "MAIL_FROM:Colloquy test <comments@example.org>".to_owned(),
                "NOTIFY_RETRY_SECS:1".to_owned(),
                STEADY_PAGES.to_owned(),
            ],
            secrets: secret(vec![
                ("OWNER_KEY", TEST_OWNER_KEY.to_owned()),
                ("MAIL_API_KEY", TEST_MAIL_API_KEY.to_owned()),
            ])?,
        },
        // The test-only fault switch: D1 can be made to fail on request (`faults.rs`).
        Spec {
            name: "faults",
            vars: vec![
                format!("RATE_LIMITS:{TEST_RATE_LIMITS}"),
                "MIN_SUBMIT_SECS:0".to_owned(),
                "FAULT_SWITCH:on".to_owned(),
                STEADY_PAGES.to_owned(),
            ],
            secrets: secret(vec![("OWNER_KEY", WEAK_OWNER_KEY.to_owned())])?,
        },
        // A secret too short to keep tokens unforgeable: reads only.
        Spec {
            name: "weak",
            vars: Vec::new(),
            secrets: Some(vec![("COLLOQUY_SECRET", "hunter2".to_owned())]),
        },
    ];
    // One database, migrated and seeded once, copied for each deployment.
    let template = state.join("template");
    step("migrating and seeding one local D1 for the seven deployments");
    migrate_and_seed(&tools, &template, None)?;
    step("starting seven test deployments side by side");
    let started: Vec<Result<Stack>> = std::thread::scope(|scope| {
        let handles: Vec<_> = specs
            .iter()
            .map(|spec| {
                let (tools, dir, template) = (&tools, state.join(spec.name), &template);
                scope.spawn(move || {
                    // A port found free can be taken by another process before wrangler
                    // binds it (seven deployments pick ~20 ports at once): try again with
                    // new ports rather than fail the run.
                    let mut attempt = 1;
                    loop {
                        match Stack::start_copy(
                            tools,
                            template,
                            &dir,
                            (free_port()?, 0),
                            true,
                            spec,
                        ) {
                            Ok(stack) => return Ok(stack),
                            Err(e) if attempt < 3 && e.contains("exited early") => {
                                eprintln!(
                                    "xtask: {}: {e}; starting it again on other ports",
                                    spec.name
                                );
                                attempt += 1;
                            }
                            Err(e) => return Err(e),
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a stack thread panicked".into()))
            })
            .collect()
    });
    let [main, strict, limits, owner, notify, faults, weak]: [Stack; 7] = started
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .try_into()
        .map_err(|_| "expected seven stacks")?;
    let driver_port = free_port()?;
    let chromedriver = tools
        .chromedriver
        .as_ref()
        .ok_or("chromedriver was not installed")?;
    let driver_log = state.join("chromedriver.log");
    let mut driver = Service::spawn(
        "chromedriver",
        Command::new(chromedriver)
            .arg(format!("--port={driver_port}"))
            .arg(format!("--log-path={}", driver_log.display())),
        true,
    )?;
    let webdriver = format!("http://127.0.0.1:{driver_port}");
    wait_for_http(
        &mut driver,
        &format!("{webdriver}/status"),
        Duration::from_secs(30),
    )?;

    step("end-to-end tests: HTTP against wrangler dev, and headless Chromium");
    fn os(v: impl AsRef<std::ffi::OsStr>) -> std::ffi::OsString {
        v.as_ref().to_owned()
    }
    let env: Vec<(std::ffi::OsString, std::ffi::OsString)> = [
        (env_names::API, os(&main.api)),
        (env_names::DEMO, os(&main.demo)),
        (env_names::STATE, os(&main.state)),
        (env_names::WEBDRIVER, os(&webdriver)),
        (env_names::SCREENSHOTS, os(root.join("docs/screenshots"))),
        (
            env_names::AXE,
            os(root.join("node_modules/axe-core/axe.min.js")),
        ),
        (env_names::STRICT_API, os(&strict.api)),
        (env_names::STRICT_DEMO, os(&strict.demo)),
        (env_names::OWNER_KEY, os(TEST_OWNER_KEY)),
        (env_names::RATE_LIMITS, os(TEST_RATE_LIMITS)),
        (
            env_names::STRICT_EDIT_WINDOW_SECS,
            os(STRICT_EDIT_WINDOW_SECS),
        ),
        (env_names::LIMITS_API, os(&limits.api)),
        (env_names::LIMITS_DEMO, os(&limits.demo)),
        (env_names::TIGHT_COMMENT_LIMITS, os(TIGHT_COMMENT_LIMITS)),
        (env_names::TIGHT_LIKE_LIMITS, os(TIGHT_LIKE_LIMITS)),
        (env_names::TIGHT_PREVIEW_LIMITS, os(TIGHT_PREVIEW_LIMITS)),
        (env_names::TIGHT_EDIT_LIMITS, os(TIGHT_EDIT_LIMITS)),
        (env_names::WEAK_API, os(&weak.api)),
        (env_names::WEAK_DEMO, os(&weak.demo)),
        (env_names::OWNER_API, os(&owner.api)),
        (env_names::OWNER_DEMO, os(&owner.demo)),
        (env_names::SHORT_SESSION_SECS, os(SHORT_SESSION_SECS)),
        (env_names::SHORT_FRESH_SECS, os(SHORT_FRESH_SECS)),
        (env_names::WRANGLER, os(&tools.wrangler)),
        (env_names::CLI, os(root.join("target/debug/colloquy"))),
        (env_names::FEED_PYTHON, os(&feed_python)),
        (env_names::OWNER_STATE, os(&owner.state)),
        (env_names::FAULTS_API, os(&faults.api)),
        (env_names::FAULTS_DEMO, os(&faults.demo)),
        (env_names::NOTIFY_API, os(&notify.api)),
        (env_names::NOTIFY_DEMO, os(&notify.demo)),
        (env_names::RECEIVER, os(&receiver)),
        (env_names::MAIL_API_KEY, os(TEST_MAIL_API_KEY)),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v))
    .collect();
    let result = crate::e2e::run_all(&root, &binaries, &env, &mut tally);
    drop(driver);
    drop((main, strict, limits, owner, weak));
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&state);
    } else {
        eprintln!(
            "kept {} for inspection (chromedriver.log is there)",
            state.display()
        );
    }
    // The one closing line CI reads: every test of the suite, unit and end-to-end.
    println!("total: {} passed, {} failed", tally.passed, tally.failed);
    result.and(budget)
}

/// Formatting, lints and the native unit tests (core's SQL contract suite included).
fn static_checks_and_unit_tests(root: &Path, tally: &mut Tally) -> Result<()> {
    step("cargo fmt --check");
    run(Command::new("cargo")
        .args(["fmt", "--all", "--", "--check"])
        .current_dir(root))?;
    step("cargo clippy --all-targets -- -D warnings");
    run(Command::new("cargo")
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(root))?;
    step("unit tests (native)");
    // --lib --tests: no doc-test binaries, which would only add "0 passed" lines.
    run_tests(
        Command::new("cargo")
            .args([
                "test",
                "--workspace",
                "--exclude",
                "colloquy-e2e",
                "--lib",
                "--tests",
            ])
            .current_dir(root),
        tally,
    )
}

/// Each test run gets its own local D1 so no run sees another's data.
fn fresh_state_dir(root: &Path) -> Result<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let dir = root.join(format!("target/e2e-state/{stamp}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// `cargo xtask load [seconds]`: the load test (tests/tests/load.rs) for longer and with
/// more readers and writers than the suite's bounded run, against the same local stack;
/// loopback only. Writes the figures to `docs/load.md`.
pub fn load(args: &[String]) -> Result<()> {
    let secs: u64 = args
        .first()
        .map(|a| {
            a.parse()
                .map_err(|_| format!("not a number of seconds: {a}"))
        })
        .transpose()?
        .unwrap_or(30);
    std::env::set_var("COLLOQUY_LOAD_SECS", secs.to_string());
    std::env::set_var("COLLOQUY_LOAD_READERS", "16");
    std::env::set_var("COLLOQUY_LOAD_WRITERS", "8");
    test(&["--only".to_owned(), "load".to_owned()])?;
    let root = root();
    let figures = std::fs::read_to_string(root.join("target/reports/load.md"))
        .map_err(|e| format!("target/reports/load.md: {e}"))?;
    let report = format!(
        "# Load test\n\n`cargo xtask load {secs}` against `wrangler dev` on this machine (2 cores, \
         everything on loopback: the test client, workerd and its local D1 share the two cores).\n\n\
         {figures}\n\
         What limits these figures is the local stack — one workerd process and SQLite behind \
         it, on the same two cores as the client — not the product: on Cloudflare, reads of an \
         unchanged thread come from the edge cache without D1, and writes go to D1's primary.\n"
    );
    std::fs::write(root.join("docs/load.md"), &report).map_err(|e| e.to_string())?;
    print!("{report}");
    Ok(())
}
