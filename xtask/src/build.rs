//! Building the two wasm artifacts: the widget (static assets) and the Worker.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use crate::procs::run;
use crate::tools::Tools;
use crate::{root, step, Result};

/// Features the wasm-opt pass may use: what rustc's wasm32 target emits and every
/// current browser supports.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-reference-types",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
];

/// Static headers for the assets: the widget is loaded by other sites' pages, so every
/// file needs CORS (module scripts and wasm are fetched in CORS mode). The versioned widget
/// files are immutable; embed.js stays short-lived so site owners get updates.
const ASSET_HEADERS: &str = "\
/*
  Access-Control-Allow-Origin: *
  X-Content-Type-Options: nosniff
/embed.js
  Cache-Control: public, max-age=300
/count.js
  Cache-Control: public, max-age=300
/widget/*
  Cache-Control: public, max-age=31536000, immutable
";

/// Build the widget into `build/assets/`: `embed.js` plus `widget/<hash>/…` (glue + wasm).
pub fn widget(tools: &Tools) -> Result<()> {
    let root = root();
    step("building the widget (Leptos → wasm32, release)");
    run(Command::new("cargo")
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "colloquy-widget",
        ])
        .current_dir(&root))?;
    let wasm = root.join("target/wasm32-unknown-unknown/release/colloquy_widget.wasm");
    let staging = root.join("target/widget-bindgen");
    let _ = std::fs::remove_dir_all(&staging);
    step("wasm-bindgen + wasm-opt -Oz + esbuild --minify");
    run(Command::new(&tools.wasm_bindgen)
        .arg(&wasm)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
        ])
        .arg("--out-dir")
        .arg(&staging))?;
    let bg = staging.join("colloquy_widget_bg.wasm");
    run(Command::new(&tools.wasm_opt)
        .arg("-Oz")
        .args(WASM_FEATURES)
        .arg(&bg)
        .arg("-o")
        .arg(&bg))?;
    let glue = staging.join("colloquy_widget.js");
    run(Command::new(&tools.esbuild)
        .arg(&glue)
        .args([
            "--minify",
            "--format=esm",
            "--allow-overwrite",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", glue.display())))?;

    // Content-addressed folder: a new build never mixes with a cached old one.
    let version = content_hash(&[&bg, &glue])?;
    let assets = root.join("build/assets");
    let _ = std::fs::remove_dir_all(&assets);
    let dest = assets.join("widget").join(&version);
    std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
    for name in ["colloquy_widget_bg.wasm", "colloquy_widget.js"] {
        std::fs::copy(staging.join(name), dest.join(name)).map_err(|e| format!("{name}: {e}"))?;
    }
    run(Command::new(&tools.esbuild)
        .arg(root.join("widget/count.js"))
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", assets.join("count.js").display())))?;
    run(Command::new(&tools.esbuild)
        .arg(root.join("widget/embed.js"))
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--define:COLLOQUY_BUILD=\"{version}\""))
        .arg(format!("--outfile={}", assets.join("embed.js").display())))?;
    std::fs::write(assets.join("_headers"), ASSET_HEADERS).map_err(|e| e.to_string())?;
    eprintln!("widget built into build/assets (version {version})");
    Ok(())
}

/// Build the Worker with worker-build, pointing it at local tools so it downloads nothing.
/// Skipped when worker/build is newer than every source it depends on, because wrangler
/// runs this as its `[build]` command on every start, right after xtask already built it.
pub fn worker(tools: &Tools) -> Result<()> {
    let root = root();
    if worker_is_fresh(&root) {
        eprintln!("worker build is up to date");
        return Ok(());
    }
    step("building the worker (workers-rs → wasm32, release)");
    run(Command::new(&tools.worker_build)
        .arg("--release")
        .current_dir(root.join("worker"))
        .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
        .env("WASM_OPT_BIN", &tools.wasm_opt)
        .env("ESBUILD_BIN", &tools.esbuild))
}

fn worker_is_fresh(root: &Path) -> bool {
    let Some(built) = mtime(&root.join("worker/build/index.js")) else {
        return false;
    };
    let inputs = ["Cargo.toml", "Cargo.lock", "worker", "core"];
    inputs
        .iter()
        .all(|i| newest(&root.join(i)).is_some_and(|t| t <= built))
}

/// The newest modification time under `path`, skipping build output folders.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    let mut latest = meta.modified().ok()?;
    for entry in std::fs::read_dir(path).ok()?.flatten() {
        if entry.file_name() == "build" || entry.file_name() == "target" {
            continue;
        }
        latest = latest.max(newest(&entry.path())?);
    }
    Some(latest)
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn content_hash(files: &[&Path]) -> Result<String> {
    let mut hasher = DefaultHasher::new();
    for f in files {
        std::fs::read(f)
            .map_err(|e| format!("{}: {e}", f.display()))?
            .hash(&mut hasher);
    }
    Ok(format!("{:012x}", hasher.finish() & 0xffff_ffff_ffff))
}
