//! `cargo xtask test`: the whole suite, closing with one total line. Formatting, lints,
//! native unit tests, the size budgets and a dry-run deploy; then the end-to-end tests
//! against the test deployments (on fresh local D1s and fresh ports) and ChromeDriver.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::procs::{free_port, run, run_tests, wait_for_http, Service, Tally};
use crate::stack::{env_names, migrate_and_seed, random_secret, Spec, Stack};
use crate::tools::{ensure_all, Need};
use crate::{build, fake_turnstile, root, step, Result};

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
