//! `cargo xtask size`: what a reader downloads and what the operator uploads, in bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::tools::{ensure_all, Need};
use crate::{build, root, step, Result};

/// Brotli budgets, checked by `cargo xtask test`: the loader every page with comments
/// runs, and the reading half every reader downloads (glue and wasm together).
pub const LOADER_BUDGET: usize = 5 * 1024;
pub const READER_BUDGET: usize = 64 * 1024;
/// One language's texts (the JSON the reader fetches beside the wasm): the largest of them,
/// so a new language or a grown text that would slow every reader of it is seen.
pub const LANGUAGE_BUDGET: usize = 2 * 1024;

/// What a reader downloads, in the order they need it.
struct Groups {
    /// Before the first comment is visible: the loader and the styles (the thread's HTML
    /// comes on top, and depends on the thread).
    first_paint: Vec<PathBuf>,
    /// The reading half, which takes over: glue, wasm and one language (the largest).
    reader: Vec<PathBuf>,
    /// The writing half, loaded on the first step towards writing.
    writer: Vec<PathBuf>,
    /// Comment counts on index pages (not part of the widget).
    other: Vec<PathBuf>,
    /// The moderation console (`/admin`): only the owner loads it.
    console: Vec<PathBuf>,
}

fn groups(version: &str) -> Result<Groups> {
    let assets = root().join("build/assets");
    let dir = assets.join("widget").join(version);
    let largest_language = files(&dir)?
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
        .max_by_key(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .ok_or("no language file was built")?;
    Ok(Groups {
        first_paint: vec![assets.join("embed.js"), dir.join("style.css")],
        reader: vec![
            dir.join("colloquy_reader.js"),
            dir.join("colloquy_reader_bg.wasm"),
            largest_language,
        ],
        writer: vec![
            dir.join("colloquy_widget.js"),
            dir.join("colloquy_widget_bg.wasm"),
        ],
        other: vec![assets.join("count.js")],
        console: admin_files(&assets.join("admin"))?,
    })
}

/// The console's current files: its page and the folder it points at.
fn admin_files(dir: &std::path::Path) -> Result<Vec<PathBuf>> {
    let page = dir.join("index.html");
    let html = std::fs::read_to_string(&page).map_err(|e| format!("{}: {e}", page.display()))?;
    let version = html
        .split("href=\"")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .ok_or("the console page names no version")?;
    let mut all = files(&dir.join(version))?;
    all.sort();
    all.insert(0, page);
    Ok(all)
}

/// The raw / gzip / brotli sizes of `files`, summed.
fn total(files: &[PathBuf]) -> Result<[usize; 3]> {
    let mut sum = [0usize; 3];
    for file in files {
        for (t, s) in sum.iter_mut().zip(measure(file)?) {
            *t += s;
        }
    }
    Ok(sum)
}

/// Fail when the loader or the reading half has outgrown its budget (brotli bytes).
pub fn check_budgets(version: &str) -> Result<()> {
    let g = groups(version)?;
    let loader = measure(&g.first_paint[0])?[2];
    let reader = total(&g.reader[..2])?[2];
    let language = measure(&g.reader[2])?[2];
    let language_name = g.reader[2]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    println!(
        "size budget (brotli): loader {loader} of {LOADER_BUDGET} bytes, reader (glue + wasm) {reader} of {READER_BUDGET} bytes, largest language ({language_name}) {language} of {LANGUAGE_BUDGET} bytes"
    );
    let mut over = Vec::new();
    if loader > LOADER_BUDGET {
        over.push(format!(
            "embed.js is {loader} bytes, over its {LOADER_BUDGET}"
        ));
    }
    if reader > READER_BUDGET {
        over.push(format!(
            "the reader is {reader} bytes, over its {READER_BUDGET}"
        ));
    }
    if language > LANGUAGE_BUDGET {
        over.push(format!(
            "{language_name} is {language} bytes, over its {LANGUAGE_BUDGET}"
        ));
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(format!("size budget exceeded: {}", over.join("; ")))
    }
}

/// `wrangler deploy --dry-run`: everything a deploy checks (configuration, bindings,
/// triggers, the bundle) short of uploading. Returns where the bundle went.
pub fn deploy_dry_run(tools: &crate::tools::Tools) -> Result<std::path::PathBuf> {
    let outdir = root().join("target/worker-dry-run");
    let _ = std::fs::remove_dir_all(&outdir);
    step("wrangler deploy --dry-run (the bundle that would be uploaded)");
    crate::procs::run(
        tools
            .wrangler()
            .args(["deploy", "--dry-run", "--outdir"])
            .arg(&outdir),
    )?;
    Ok(outdir)
}

pub fn report() -> Result<()> {
    let root = root();
    let tools = ensure_all(Need::Build)?;
    let version = build::widget(&tools)?;
    build::worker(&tools)?;
    let outdir = deploy_dry_run(&tools)?;

    println!(
        "{:<58} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    let g = groups(&version)?;
    let mut widget_total = [0usize; 3];
    for (label, files) in [
        (
            "first paint: loader + styles (+ the thread's HTML)",
            &g.first_paint,
        ),
        ("reader: takes over (glue, wasm, one language)", &g.reader),
        ("writer: on the first step towards writing", &g.writer),
    ] {
        for file in files.iter() {
            print_row(file, &root, measure(file)?);
        }
        let sum = total(files)?;
        print_sum(&format!("  {label}"), sum);
        for (t, s) in widget_total.iter_mut().zip(sum) {
            *t += s;
        }
    }
    print_sum(
        "widget total (everything a writing reader downloads)",
        widget_total,
    );
    for file in &g.other {
        print_row(file, &root, measure(file)?);
    }
    for file in &g.console {
        print_row(file, &root, measure(file)?);
    }
    print_sum(
        "console (/admin, the owner only; never loaded by readers)",
        total(&g.console)?,
    );
    let mut worker_total = [0usize; 3];
    for file in files(&outdir)? {
        // Only what is uploaded as code: the JS shim and the wasm.
        if !file.extension().is_some_and(|e| e == "js" || e == "wasm") {
            continue;
        }
        let sizes = measure(&file)?;
        print_row(&file, &root, sizes);
        for (t, s) in worker_total.iter_mut().zip(sizes) {
            *t += s;
        }
    }
    print_sum("worker total (upload)", worker_total);
    check_budgets(&version)
}

fn print_sum(label: &str, [raw, gz, br]: [usize; 3]) {
    println!("{label:<58} {raw:>10} {gz:>10} {br:>10}");
}

fn print_row(file: &Path, root: &Path, [raw, gz, br]: [usize; 3]) {
    let name = file
        .strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string();
    println!("{name:<58} {raw:>10} {gz:>10} {br:>10}");
}

/// Raw, gzip (level 9) and brotli (quality 11) sizes: what CDNs actually serve.
fn measure(file: &Path) -> Result<[usize; 3]> {
    let data = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&data).map_err(|e| e.to_string())?;
    let gz = gz.finish().map_err(|e| e.to_string())?;
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        w.write_all(&data).map_err(|e| e.to_string())?;
    }
    Ok([data.len(), gz.len(), br.len()])
}

fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .map_err(|e| format!("{}: {e}", d.display()))?
            .flatten()
        {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}
