//! Installing the pinned tool chain on demand. Every step is a no-op when already done,
//! so every command can call [`ensure_all`] first.
//!
//! Nothing here downloads from outside the package registries: worker-build would fetch
//! wasm-bindgen and wasm-opt from GitHub, so both are provided locally instead
//! (see `../shared/toolchain.md` on the build machines, and ARCHITECTURE.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::procs::{output, run};
use crate::{root, step, Result};

/// worker-build must match the `worker` crate's minor version; pinned exactly.
const WORKER_BUILD_VERSION: &str = "0.8.7";
/// The cargo-mutants release `cargo xtask mutants` runs (pinned like the other tools).
pub const CARGO_MUTANTS_VERSION: &str = "27.0.0";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Compile widget and worker: wasm target, npm tools, wasm-bindgen, worker-build.
    Build,
    /// Also Chromium and ChromeDriver for the browser tests.
    Everything,
}

/// Paths to the installed tools.
pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub worker_build: PathBuf,
    pub wasm_opt: PathBuf,
    pub esbuild: PathBuf,
    /// wrangler's JS entry point, run with `node` (faster and quieter than npx).
    pub wrangler: PathBuf,
    pub chromedriver: Option<PathBuf>,
}

impl Tools {
    pub fn wrangler(&self) -> Command {
        let mut cmd = Command::new("node");
        cmd.arg(&self.wrangler).current_dir(root());
        // No telemetry from a comment system that promises no tracking.
        cmd.env("WRANGLER_SEND_METRICS", "false");
        cmd
    }

    /// `wrangler d1 <sub…> <db> --local --persist-to <state>`, answering its
    /// "apply these?" prompts: what every local D1 step (migrate, seed, count) starts from.
    pub fn local_d1(&self, state: &Path, sub: &[&str]) -> Command {
        self.local_d1_on(state, colloquy_core::wire::vars::DB_NAME, sub)
    }

    /// The same for the local database `database` (a deployment's other D1 databases).
    pub fn local_d1_on(&self, state: &Path, database: &str, sub: &[&str]) -> Command {
        let mut cmd = self.wrangler();
        cmd.arg("d1")
            .args(sub)
            .args([database, "--local", "--persist-to"])
            .arg(state)
            .env("CI", "true");
        cmd
    }
}

pub fn ensure_all(need: Need) -> Result<Tools> {
    let root = root();
    let bin = root.join(".tools/bin");
    ensure_wasm_target()?;
    ensure_npm(&root)?;
    let wasm_bindgen_version = locked_version(&root, "wasm-bindgen")?;
    let wasm_bindgen = bin.join("wasm-bindgen");
    ensure_cargo_tool(
        "wasm-bindgen-cli",
        &wasm_bindgen_version,
        &wasm_bindgen,
        &root,
    )?;
    let worker_build = bin.join("worker-build");
    ensure_cargo_tool("worker-build", WORKER_BUILD_VERSION, &worker_build, &root)?;
    let chromedriver = if need == Need::Everything {
        Some(ensure_chromium()?)
    } else {
        None
    };
    let node_bin = root.join("node_modules/.bin");
    Ok(Tools {
        wasm_bindgen,
        worker_build,
        wasm_opt: node_bin.join("wasm-opt"),
        esbuild: node_bin.join("esbuild"),
        wrangler: root.join("node_modules/wrangler/bin/wrangler.js"),
        chromedriver,
    })
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("installing the wasm32-unknown-unknown Rust target");
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// `npm ci` whenever package-lock.json is newer than the last install.
fn ensure_npm(root: &Path) -> Result<()> {
    let lock = root.join("package-lock.json");
    let marker = root.join("node_modules/.package-lock.json");
    let fresh = match (modified(&lock), modified(&marker)) {
        (Some(l), Some(m)) => m >= l,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    step("installing pinned npm tools (wrangler, esbuild, binaryen) with npm ci");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root))
}

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The version of `package` recorded in Cargo.lock: the wasm-bindgen CLI must equal it.
fn locked_version(root: &Path, package: &str) -> Result<String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').ok_or("malformed Cargo.lock")? + start;
    Ok(lock[start..end].to_owned())
}

/// cargo-mutants, for `cargo xtask mutants` (not part of the suite): its binary.
pub fn ensure_cargo_mutants(root: &Path) -> Result<PathBuf> {
    let bin = root.join(".tools/bin/cargo-mutants");
    ensure_cargo_tool("cargo-mutants", CARGO_MUTANTS_VERSION, &bin, root)?;
    Ok(bin)
}

/// `cargo install --root .tools` a CLI at an exact version unless that version is there.
fn ensure_cargo_tool(krate: &str, version: &str, binary: &Path, root: &Path) -> Result<()> {
    // A cargo subcommand answers `--version` only after its own name.
    let mut ask = Command::new(binary);
    if let Some(sub) = krate.strip_prefix("cargo-") {
        ask.arg(sub);
    }
    if let Ok(out) = output(ask.arg("--version")) {
        if out
            .split_whitespace()
            .any(|w| w.trim_start_matches('v') == version)
        {
            return Ok(());
        }
    }
    step(&format!(
        "installing {krate} {version} into .tools/ (one-time, several minutes on 2 cores)"
    ));
    // No --locked: one of these crates' pinned dependencies is missing from the registry
    // mirror on the build machines, and the exact version pin is what matters here.
    run(Command::new("cargo")
        .args([
            "install",
            krate,
            "--version",
            &format!("={version}"),
            "--root",
        ])
        .arg(root.join(".tools"))
        .current_dir(root))
}

/// A virtualenv with the `feedparser` package (pinned, from PyPI): the feed tests parse
/// the Worker's Atom with a real feed parser. Returns its python.
pub fn ensure_feedparser() -> Result<PathBuf> {
    let venv = root().join("target/feedcheck-venv");
    let python = venv.join("bin/python");
    let ready = venv.join(format!("feedparser-{FEEDPARSER_VERSION}"));
    if ready.exists() {
        return Ok(python);
    }
    step(&format!(
        "installing feedparser {FEEDPARSER_VERSION} into a virtualenv (target/feedcheck-venv)"
    ));
    let venv_works = Command::new("python3")
        .args(["-m", "venv", "--help"])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !venv_works {
        apt_install(&["python3", "python3-venv"])?;
    }
    let _ = std::fs::remove_dir_all(&venv);
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("feedparser=={FEEDPARSER_VERSION}"),
    ]))?;
    std::fs::write(&ready, "").map_err(|e| e.to_string())?;
    Ok(python)
}

const FEEDPARSER_VERSION: &str = "6.0.11";

/// `apt-get install` (with sudo when not root).
fn apt_install(packages: &[&str]) -> Result<()> {
    let sudo = if output(Command::new("id").arg("-u"))?.trim() == "0" {
        vec![]
    } else {
        vec!["sudo"]
    };
    let apt = |args: &[&str]| {
        let mut all = sudo.clone();
        all.push("apt-get");
        all.extend_from_slice(args);
        run(Command::new(all[0])
            .args(&all[1..])
            .env("DEBIAN_FRONTEND", "noninteractive"))
    };
    apt(&["update", "-q"])?;
    let mut install = vec!["install", "-y", "-q"];
    install.extend_from_slice(packages);
    apt(&install)
}

/// Chromium and ChromeDriver from Debian (tools that download their own browser fail here).
fn ensure_chromium() -> Result<PathBuf> {
    let find =
        |name: &str| output(Command::new("sh").args(["-c", &format!("command -v {name}")])).ok();
    if let (Some(_), Some(driver)) = (find("chromium"), find("chromedriver")) {
        return Ok(PathBuf::from(driver.trim()));
    }
    step("installing Chromium and ChromeDriver with apt-get");
    apt_install(&["chromium", "chromium-driver"])?;
    find("chromedriver")
        .map(|p| PathBuf::from(p.trim()))
        .ok_or_else(|| "chromedriver is still missing after apt-get install".to_owned())
}
