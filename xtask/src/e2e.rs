//! Running the end-to-end test files side by side.
//!
//! Each file under `tests/tests/` is its own test binary. Run one after another they spent
//! most of their ~220 s waiting on `wrangler dev` and Chromium, one core idle; run a few at
//! a time they finish in about a third of that. Tests were written for this: every request
//! comes from a made-up client address of its own and every test writes to a thread of its
//! own, so binaries do not share rate-limit buckets or comments. The few that change a
//! deployment's site-wide state take a lock on it (below) and never overlap.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::procs::Tally;
use crate::Result;

/// Test files that change something every other user of a deployment would see, and the
/// deployments they change: two files holding the same lock never run at once.
const LOCKS: &[(&str, &[&str])] = &[
    // Its settings test switches the owner deployment's moderation and rules on and off,
    // and its login test reads the faults deployment's answers.
    ("console", &["owner", "faults"]),
    // Imports into the owner deployment and counts what readers see there.
    ("import", &["owner"]),
    // Takes the faults deployment's D1 away and back.
    ("faults", &["faults"]),
];

/// How many test files run at once (`COLLOQUY_E2E_JOBS` overrides).
fn jobs() -> usize {
    std::env::var("COLLOQUY_E2E_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .filter(|&j| j > 0)
        .unwrap_or(3)
}

/// One test file's binary.
pub struct Binary {
    pub name: String,
    pub path: PathBuf,
}

/// Compile the end-to-end tests (`target`: `--tests` or `--test <name>`…) and list their
/// binaries. Compiler messages are shown as usual; only the artifact list is read.
pub fn compile(root: &Path, target: &[String]) -> Result<Vec<Binary>> {
    let out = crate::procs::output(
        Command::new("cargo")
            .args([
                "test",
                "-p",
                "colloquy-e2e",
                "--no-run",
                "--message-format=json-render-diagnostics",
            ])
            .args(target)
            .current_dir(root),
    )?;
    let mut binaries = Vec::new();
    for line in out.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let is_test = msg["reason"] == "compiler-artifact"
            && msg["profile"]["test"] == true
            && msg["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "test"));
        if let (true, Some(exe), Some(name)) = (
            is_test,
            msg["executable"].as_str(),
            msg["target"]["name"].as_str(),
        ) {
            binaries.push(Binary {
                name: name.to_owned(),
                path: exe.into(),
            });
        }
    }
    if binaries.is_empty() {
        return Err("cargo listed no end-to-end test binaries".into());
    }
    Ok(binaries)
}

/// Where the last run's durations are kept, so the next one starts the slowest files first.
fn durations_file(root: &Path) -> PathBuf {
    root.join("target/e2e-durations.txt")
}

fn last_durations(root: &Path) -> HashMap<String, f64> {
    std::fs::read_to_string(durations_file(root))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (name, secs) = l.split_once(' ')?;
            Some((name.to_owned(), secs.parse().ok()?))
        })
        .collect()
}

fn locks_of(name: &str) -> &'static [&'static str] {
    LOCKS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, l)| *l)
        .unwrap_or(&[])
}

/// What one finished binary left behind.
struct Finished {
    index: usize,
    secs: f64,
    ok: bool,
    output: String,
}

/// Run every binary with `env`, a few at a time (slowest first, locks respected), print
/// each one's whole output as it finishes and add its counts to `tally`. All of them run
/// even when one fails; the error names the ones that failed.
pub fn run_all(
    root: &Path,
    binaries: &[Binary],
    env: &[(OsString, OsString)],
    tally: &mut Tally,
) -> Result<()> {
    let known = last_durations(root);
    let mut waiting: Vec<usize> = (0..binaries.len()).collect();
    // Unknown files first (they may be slow), then the slowest known ones.
    waiting.sort_by(|&a, &b| {
        let secs = |i: usize| known.get(&binaries[i].name).copied().unwrap_or(f64::MAX);
        secs(b).total_cmp(&secs(a))
    });
    let jobs = jobs();
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel::<Finished>();
    let mut running: Vec<usize> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    let mut durations: Vec<(String, f64)> = Vec::new();
    loop {
        // Start what may start: free slots, and no lock held by a running file.
        while running.len() < jobs {
            let held: Vec<&str> = running
                .iter()
                .flat_map(|&i| locks_of(&binaries[i].name).iter().copied())
                .collect();
            let Some(pos) = waiting.iter().position(|&i| {
                locks_of(&binaries[i].name)
                    .iter()
                    .all(|l| !held.contains(l))
            }) else {
                break;
            };
            let index = waiting.remove(pos);
            running.push(index);
            spawn(root, index, &binaries[index], env, tx.clone());
        }
        if running.is_empty() {
            break;
        }
        let done = rx.recv().map_err(|e| e.to_string())?;
        running.retain(|&i| i != done.index);
        let name = &binaries[done.index].name;
        println!(
            "\n──── tests/{name}.rs: {} in {:.1} s (at {:.0} s) ────",
            if done.ok { "ok" } else { "FAILED" },
            done.secs,
            started.elapsed().as_secs_f64()
        );
        for line in done.output.lines() {
            println!("{line}");
            if let Some(rest) = line.strip_prefix("test result: ") {
                tally.passed += crate::procs::count_before(rest, " passed");
                tally.failed += crate::procs::count_before(rest, " failed");
            }
        }
        if !done.ok {
            failed.push(name.clone());
        }
        durations.push((name.clone(), done.secs));
    }
    let text: String = durations
        .iter()
        .map(|(n, s)| format!("{n} {s:.1}\n"))
        .collect();
    let _ = std::fs::write(durations_file(root), text);
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "end-to-end test files failed: {}",
            failed.join(", ")
        ))
    }
}

/// Start one binary on a thread of its own, its output captured whole (printed at once
/// when it ends, so files running side by side do not interleave their lines).
fn spawn(
    root: &Path,
    index: usize,
    binary: &Binary,
    env: &[(OsString, OsString)],
    tx: std::sync::mpsc::Sender<Finished>,
) {
    let mut cmd = Command::new(&binary.path);
    // As `cargo test` runs them: from the package's folder.
    cmd.current_dir(root.join("tests"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null());
    std::thread::spawn(move || {
        let start = Instant::now();
        let result = cmd.output();
        let secs = start.elapsed().as_secs_f64();
        let finished = match result {
            Ok(out) => {
                let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
                let stderr = String::from_utf8_lossy(&out.stderr);
                if !stderr.trim().is_empty() {
                    output.push_str("\n(stderr)\n");
                    output.push_str(&stderr);
                }
                Finished {
                    index,
                    secs,
                    ok: out.status.success(),
                    output,
                }
            }
            Err(e) => Finished {
                index,
                secs,
                ok: false,
                output: format!("cannot start {}: {e}", cmd.get_program().to_string_lossy()),
            },
        };
        let _ = tx.send(finished);
    });
}
