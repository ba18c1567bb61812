//! `cargo xtask test`: the whole suite, closing with one total line. Formatting, lints,
//! native unit tests, the size budgets and a dry-run deploy; then the end-to-end binary
//! against the test deployments (started from [`crate::deployments`], on fresh local D1s
//! and fresh ports) and ChromeDriver.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::deployments::{self, env};
use crate::procs::{free_port, run, run_tests, wait_for_http, Service, Tally};
use crate::stack::{start_test_deployments, Fakes};
use crate::tools::{ensure_all, Need};
use crate::{build, fake_receiver, fake_turnstile, root, step, Result};

const USAGE: &str = "usage: cargo xtask test [--only <end-to-end module>[,<another>…]]";

/// `cargo xtask test`: the whole suite. With `--only <modules>` (e.g. `--only reading` or
/// `--only safety::limits,feeds`), just those end-to-end modules, without the formatting,
/// lint and unit-test steps: the quick loop while working on one feature.
pub fn test(args: &[String]) -> Result<()> {
    let root = root();
    let only: Option<Vec<String>> = match args {
        [] => None,
        [flag, names] if flag == "--only" => Some(
            names
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        _ => return Err(USAGE.into()),
    };
    if only.as_ref().is_some_and(Vec::is_empty) {
        return Err(USAGE.into());
    }
    let tools = ensure_all(Need::Everything)?;
    let mut tally = Tally::default();
    if only.is_none() {
        static_checks_and_unit_tests(&root, &mut tally)?;
    }
    step("compiling the end-to-end tests");
    let binary = crate::e2e::compile(&root)?;
    // A module name that does not exist fails now, not after the deployments started.
    let chosen = only
        .as_deref()
        .map(|only| crate::e2e::select(&binary, only))
        .transpose()?;
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
    let fakes = Fakes {
        // Turnstile's verifier (and Gravatar's images), for the strict deployment.
        turnstile: fake_turnstile::start()?,
        // Webhook receivers and the mail API, for the notify deployment.
        receiver: fake_receiver::start()?,
    };
    let stacks = start_test_deployments(&tools, &state, &fakes)?;
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
    fn os(v: impl AsRef<std::ffi::OsStr>) -> OsString {
        v.as_ref().to_owned()
    }
    let mut vars: Vec<(OsString, OsString)> = vec![
        (os(env::WEBDRIVER), os(&webdriver)),
        (os(env::SCREENSHOTS), os(root.join("docs/screenshots"))),
        (
            os(env::AXE),
            os(root.join("node_modules/axe-core/axe.min.js")),
        ),
        (os(env::WRANGLER), os(&tools.wrangler)),
        (os(env::CLI), os(root.join("target/debug/colloquy"))),
        (os(env::FEED_PYTHON), os(&feed_python)),
        (os(env::RECEIVER), os(&fakes.receiver)),
    ];
    for (spec, stack) in deployments::ALL.iter().zip(&stacks) {
        vars.push((os(spec.api_env), os(&stack.api)));
        vars.push((os(spec.demo_env), os(&stack.demo)));
        vars.push((os(spec.state_env), os(&stack.state)));
    }
    let result = crate::e2e::run(&root, &binary, chosen.as_deref(), &vars, &mut tally);
    drop(driver);
    drop(stacks);
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
    if !tally.flaky.is_empty() {
        println!(
            "flaky: {} failed once and passed alone: {}",
            tally.flaky.len(),
            tally.flaky.join(", ")
        );
    }
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
    // The module tables in ARCHITECTURE.md are the code's: a cycle, a folder of core used
    // against the grain, a file over 600 lines or a stale table fails the suite.
    step("cargo xtask arch --check");
    crate::arch::arch(&["--check".to_owned()])?;
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
