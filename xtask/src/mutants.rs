//! `cargo xtask mutants`: mutation testing of the logic that guards users, so "can this
//! test fail?" has a number. cargo-mutants (pinned, installed into `.tools/`) changes one
//! thing at a time in the scoped modules — a `<` for a `<=`, a `true` for a check, an
//! empty body — and runs core's unit tests on each; a mutant the tests still pass is a
//! change nobody would notice. The report goes to `docs/mutants.md`.
//!
//! One mutant costs seconds: only core's library tests run (no browser, no Worker), with
//! the property tests cut to a few cases each (`FUZZ_CASES`). `--shard k/n` splits a run
//! across machines or sittings, `--in-diff <file>` limits it to a change's lines, and
//! `--file <path>` to one module.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::procs::run;
use crate::tools::CARGO_MUTANTS_VERSION;
use crate::{root, step, Result};

/// The modules that guard users: validation, spam rules and their folding, tokens and
/// keyed hashes, rendering and the sanitizer's configuration, rate limits and the client
/// identity they count, idempotency, site settings.
pub const SCOPE: &[&str] = &[
    "core/src/domain/validate.rs",
    "core/src/domain/rules.rs",
    "core/src/domain/muted.rs",
    "core/src/domain/token.rs",
    "core/src/domain/render.rs",
    "core/src/domain/ratelimit.rs",
    "core/src/domain/client.rs",
    "core/src/db/idempotency.rs",
    "core/src/domain/site.rs",
    "core/src/wire/settings.rs",
];

/// Survivors judged harmless, each with why (matched against the start of a mutant's
/// line in cargo-mutants' `missed.txt`).
const HARMLESS: &str = include_str!("../mutants-harmless.txt");

pub fn mutants(args: &[String]) -> Result<()> {
    let root = root();
    let tools = crate::tools::ensure_cargo_mutants(&root)?;
    let mut extra: Vec<String> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--shard" | "--in-diff" => {
                let v = it.next().ok_or(format!("{a} needs a value"))?;
                extra.extend([a.clone(), v.clone()]);
            }
            "--file" => files.push(it.next().ok_or("--file needs a path")?.clone()),
            other => return Err(format!("cargo xtask mutants: unknown argument {other}")),
        }
    }
    if files.is_empty() {
        files = SCOPE.iter().map(|s| (*s).to_owned()).collect();
    }
    let out = root.join("target/mutants");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    step(&format!(
        "mutation testing {} modules of core with cargo-mutants {CARGO_MUTANTS_VERSION}",
        files.len()
    ));
    let started = Instant::now();
    let mut cmd = Command::new(tools);
    cmd.arg("mutants")
        .args([
            "-p",
            "colloquy-core",
            "--features",
            "server,import,test-support",
        ])
        .args(files.iter().flat_map(|f| ["-f".to_owned(), f.clone()]))
        .args(&extra)
        .arg("--output")
        .arg(&out)
        .args(["--test-tool", "cargo", "--", "--lib"])
        .env("FUZZ_CASES", "16")
        .current_dir(&root);
    // cargo-mutants exits non-zero when a mutant survives: the report says which.
    let outcome = run(&mut cmd);
    let secs = started.elapsed().as_secs();
    let report = report(&out.join("mutants.out"), secs, &extra)?;
    std::fs::write(root.join("docs/mutants.md"), &report)
        .map_err(|e| format!("docs/mutants.md: {e}"))?;
    print!("{report}");
    match outcome {
        Ok(()) => Ok(()),
        Err(_) => {
            eprintln!("xtask: some mutants survived; docs/mutants.md lists them");
            Ok(())
        }
    }
}

fn lines(dir: &Path, name: &str) -> Vec<String> {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

fn harmless(line: &str) -> Option<&'static str> {
    HARMLESS.lines().find_map(|h| {
        let (pattern, why) = h.split_once(" | ")?;
        line.starts_with(pattern.trim()).then_some(why.trim())
    })
}

/// The Markdown report: per module caught / missed / unviable / timed out, the score over
/// viable mutants, and every survivor (judged harmless, with why, or not).
fn report(dir: &Path, secs: u64, extra: &[String]) -> Result<String> {
    #[derive(Default)]
    struct Counts {
        caught: u32,
        missed: u32,
        harmless: u32,
        unviable: u32,
        timeout: u32,
    }
    let mut by_file: BTreeMap<String, Counts> = BTreeMap::new();
    let file_of = |l: &str| l.split(':').next().unwrap_or("?").to_owned();
    for l in lines(dir, "caught.txt") {
        by_file.entry(file_of(&l)).or_default().caught += 1;
    }
    for l in lines(dir, "unviable.txt") {
        by_file.entry(file_of(&l)).or_default().unviable += 1;
    }
    for l in lines(dir, "timeout.txt") {
        by_file.entry(file_of(&l)).or_default().timeout += 1;
    }
    let missed = lines(dir, "missed.txt");
    for l in &missed {
        let c = by_file.entry(file_of(l)).or_default();
        c.missed += 1;
        if harmless(l).is_some() {
            c.harmless += 1;
        }
    }
    let mut out = String::from(
        "# Mutation testing\n\n`cargo xtask mutants` (cargo-mutants, core's unit tests only, property \
         tests at 16 cases). A mutant is one small change to the code (an operator, a constant, \
         a function's body); *caught* means some test failed, *missed* that every test still \
         passed. Timeouts count as caught (the tests noticed); unviable mutants do not build. \
         The score is caught ÷ (caught + missed).\n\n",
    );
    if !extra.is_empty() {
        out.push_str(&format!("Run with `{}`.\n\n", extra.join(" ")));
    }
    out.push_str(
        "| module | caught | missed (harmless) | unviable | timed out | score |\n|---|---|---|---|---|---|\n",
    );
    let (mut caught, mut miss, mut harm) = (0, 0, 0);
    for (file, c) in &by_file {
        let viable = c.caught + c.timeout + c.missed;
        let score = if viable == 0 {
            "–".to_owned()
        } else {
            format!(
                "{:.0} %",
                100.0 * f64::from(c.caught + c.timeout) / f64::from(viable)
            )
        };
        out.push_str(&format!(
            "| `{file}` | {} | {} ({}) | {} | {} | {score} |\n",
            c.caught + c.timeout,
            c.missed,
            c.harmless,
            c.unviable,
            c.timeout
        ));
        caught += c.caught + c.timeout;
        miss += c.missed;
        harm += c.harmless;
    }
    let total = caught + miss;
    let pct = |n: u32| {
        if total == 0 {
            0.0
        } else {
            100.0 * f64::from(n) / f64::from(total)
        }
    };
    out.push_str(&format!(
        "| **all** | **{caught}** | **{miss} ({harm})** | | | **{:.1} %** |\n\n\
         {caught} of {total} viable mutants caught ({:.1} %); counting the survivors judged \
         harmless as caught, {:.1} %. Run time {} min {} s on this machine.\n\n",
        pct(caught),
        pct(caught),
        pct(caught + harm),
        secs / 60,
        secs % 60
    ));
    if !missed.is_empty() {
        out.push_str("## Survivors\n\n");
        for l in &missed {
            match harmless(l) {
                Some(why) => out.push_str(&format!("- `{l}` — harmless: {why}\n")),
                None => out.push_str(&format!("- `{l}` — **not judged: a test to write**\n")),
            }
        }
    }
    Ok(out)
}
