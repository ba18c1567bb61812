//! Running the end-to-end binary (`tests/tests/e2e/`, one module per thing people do).
//! It is compiled, its tests are chosen by module for `--only`, and it runs with enough
//! threads that waiting on `wrangler dev` and Chromium overlaps.
//!
//! Tests were written for running side by side: every request comes from a made-up client
//! address of its own and every test writes to a thread of its own, so they share no
//! rate-limit bucket and no comments. The few that change (or must see unchanged) what a
//! whole deployment's users see take that deployment's lock inside the binary
//! (`Deployment::lock` in `tests/src/fixtures.rs`); browser tests take one of a bounded
//! number of Chromium sessions (`tests/src/browser.rs`).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::procs::{run_tests, Tally};
use crate::Result;

/// The test target's name: `tests/tests/e2e/main.rs`.
const TARGET: &str = "e2e";

/// Tests at once, unless `RUST_TEST_THREADS` says otherwise: as many as ran at once when
/// the suite was 21 binaries (three at a time, two tests each). Most of a test's time is
/// spent waiting on `wrangler dev` or Chromium, so more run than there are cores — but not
/// many more: at eight, `wrangler dev` on these two cores left requests unanswered.
const THREADS: usize = 6;

/// Compile the end-to-end binary; its path. Compiler messages are shown as usual; only
/// the artifact is read from cargo's output.
pub fn compile(root: &Path) -> Result<PathBuf> {
    let out = crate::procs::output(
        Command::new("cargo")
            .args([
                "test",
                "-p",
                "colloquy-e2e",
                "--test",
                TARGET,
                "--no-run",
                "--message-format=json-render-diagnostics",
            ])
            .current_dir(root),
    )?;
    out.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == TARGET)
        .and_then(|msg| msg["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo built no end-to-end binary".to_owned())
}

/// Every test of the binary, by its path (`reading::views::a_thread_page_is_…`).
fn list(binary: &Path) -> Result<Vec<String>> {
    let out = crate::procs::output(Command::new(binary).args(["--list", "--format", "terse"]))?;
    Ok(out
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

/// The tests of `binary` in the modules `only` names (`reading`, `safety::limits`, …); an
/// unknown module is an error that lists the known ones.
pub fn select(binary: &Path, only: &[String]) -> Result<Vec<String>> {
    let tests = list(binary)?;
    let mut chosen = Vec::new();
    for module in only {
        let prefix = format!("{module}::");
        let found: Vec<&String> = tests.iter().filter(|t| t.starts_with(&prefix)).collect();
        if found.is_empty() {
            let modules: BTreeSet<&str> = tests
                .iter()
                .filter_map(|t| t.split_once("::").map(|(m, _)| m))
                .collect();
            return Err(format!(
                "no end-to-end module `{module}`; the modules are: {}",
                modules.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        chosen.extend(found.into_iter().cloned());
    }
    Ok(chosen)
}

/// Run the binary with `env` — every test, or only `chosen` ones (from [`select`]) —
/// passing its output through and adding its counts to `tally`.
pub fn run(
    root: &Path,
    binary: &Path,
    chosen: Option<&[String]>,
    env: &[(OsString, OsString)],
    tally: &mut Tally,
) -> Result<()> {
    let mut cmd = Command::new(binary);
    // As `cargo test` runs it: from the package's folder.
    cmd.current_dir(root.join("tests"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null());
    if std::env::var_os("RUST_TEST_THREADS").is_none() {
        cmd.arg(format!("--test-threads={THREADS}"));
    }
    if let Some(chosen) = chosen {
        cmd.arg("--exact").args(chosen);
    }
    let started = Instant::now();
    let mut result = run_tests(&mut cmd, tally);
    if result.is_err() {
        result = retry_alone(root, binary, env, tally);
    }
    println!(
        "end-to-end tests: {} in {:.1} s",
        if result.is_ok() { "ok" } else { "FAILED" },
        started.elapsed().as_secs_f64()
    );
    result.map_err(|_| "end-to-end tests failed (their report is above)".to_owned())
}

/// At most this many failed tests are tried again; more is not a flake but a break.
const RETRY_AT_MOST: usize = 3;

/// Run the few tests that failed once more, one at a time. A browser test on two busy
/// cores sometimes misses a timing (a dev server stalls, a page paints late) and a CI run
/// that stops there lands nothing; a test that fails again is a failure, and one that
/// passes is named in the total as flaky, so it is seen and can be fixed — not hidden.
fn retry_alone(
    root: &Path,
    binary: &Path,
    env: &[(OsString, OsString)],
    tally: &mut Tally,
) -> Result<()> {
    let failed = std::mem::take(&mut tally.last_failures);
    if failed.is_empty() || failed.len() > RETRY_AT_MOST {
        return Err("end-to-end tests failed".into());
    }
    println!(
        "end-to-end: {} failed; trying {} once more, alone",
        failed.len(),
        failed.join(", ")
    );
    let mut again = Tally::default();
    let result = run_tests(
        Command::new(binary)
            .current_dir(root.join("tests"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .arg("--test-threads=1")
            .arg("--exact")
            .args(&failed),
        &mut again,
    );
    if result.is_ok() && again.failed == 0 && again.passed == failed.len() as u64 {
        tally.failed -= failed.len() as u64;
        tally.passed += failed.len() as u64;
        tally.flaky.extend(failed);
        Ok(())
    } else {
        result.and(Err("end-to-end tests failed again".into()))
    }
}
