//! `cargo xtask …` — the commands the README shows. Each one installs what it needs first,
//! so a newcomer on a fresh machine runs one command and gets a result.

mod arch;
mod bench;
mod build;
mod demo_server;
// The test deployments' table, shared with the tests (which also read the parts xtask
// does not).
#[allow(dead_code)]
#[path = "../../tests/src/deployments.rs"]
mod deployments;
mod dev;
mod e2e;
mod fake_receiver;
mod fake_turnstile;
mod gzip_proxy;
mod import_bench;
mod load;
mod mutants;
mod procs;
mod scale;
mod scale_gen;
mod scale_load;
mod size;
mod stack;
mod suite;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  dev           build everything, migrate + seed a local D1, serve the API and the demo page
  test          the whole suite: fmt, clippy, unit tests, worker HTTP tests, Chromium tests
                (--only <module>[,<module>…]: end-to-end modules, e.g. `--only reading,feeds`
                or `--only safety::limits`)
  arch          module tables in ARCHITECTURE.md from the code; fails on a cycle, on core's
                folders used against the grain, on a source file over 600 lines (--check: also
                when ARCHITECTURE.md is stale)
  size          raw/gzip/brotli bytes of every widget asset and of the worker bundle
  bench         Colloquy and Isso side by side in headless Chromium → docs/bench.md
  bench-import [N]  generate a WordPress export of N comments (default 100,000) and time
                colloquy import and wrangler d1 execute into a fresh local D1 → docs/import-bench.md
  load [secs]   readers and writers on one hot thread against wrangler dev (default 30 s):
                nothing lost or duplicated, no 5xx, latency percentiles → docs/load.md
  scale         1,000 sites × 100 threads × 50 comments over four local D1 databases, then
                readers and writers across them → docs/scale.md (--sites, --threads,
                --comments, --secs, --readers, --writers)
  mutants       mutation testing of the modules that guard users (not in `test`) →
                docs/mutants.md (--shard k/n, --in-diff <file>, --file <path>)
  setup         install the pinned tools only (wasm target, npm packages, CLIs, Chromium)
  build-widget  build the widget into build/assets/
  build-worker  build the worker into worker/build/ (wrangler's [build] command)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev::dev(),
        Some("test") => suite::test(&args[1..]),
        Some("arch") => arch::arch(&args[1..]),
        Some("size") => size::report(),
        Some("bench") => bench::bench(),
        Some("bench-import") => import_bench::bench_import(&args[1..]),
        Some("load") => load::load(&args[1..]),
        Some("scale") => scale::scale(&args[1..]),
        Some("mutants") => mutants::mutants(&args[1..]),
        Some("setup") => tools::ensure_all(tools::Need::Everything).map(|_| ()),
        Some("build-widget") => {
            tools::ensure_all(tools::Need::Build).and_then(|t| build::widget(&t).map(|_| ()))
        }
        Some("build-worker") => {
            tools::ensure_all(tools::Need::Build).and_then(|t| build::worker(&t))
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Errors are plain messages: xtask is a script, and its job is to say what to do next.
pub type Result<T> = std::result::Result<T, String>;

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// Print a step so the user knows what the long-running command is doing, with the time
/// since the command began (where a run spends its time, at a glance).
pub fn step(msg: &str) {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let secs = START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64();
    eprintln!("\x1b[1m==> [{secs:6.1} s] {msg}\x1b[0m");
}
