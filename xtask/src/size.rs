//! `cargo xtask size`: what a reader downloads and what the operator uploads, in bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::tools::{ensure_all, Need};
use crate::{build, root, step, Result};

pub fn report() -> Result<()> {
    let root = root();
    let tools = ensure_all(Need::Build)?;
    let version = build::widget(&tools)?;
    build::worker(&tools)?;
    let outdir = root.join("target/worker-dry-run");
    let _ = std::fs::remove_dir_all(&outdir);
    step("wrangler deploy --dry-run (the bundle that would be uploaded)");
    crate::procs::run(
        tools
            .wrangler()
            .args(["deploy", "--dry-run", "--outdir"])
            .arg(&outdir),
    )?;

    println!(
        "{:<58} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    let mut widget_total = [0usize; 3];
    let assets = root.join("build/assets");
    let mut widget_files = vec![assets.join("embed.js"), assets.join("count.js")];
    widget_files.extend(files(&assets.join("widget").join(&version))?);
    // A reader downloads one language table: the total counts the largest.
    let largest_language = widget_files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
        .max_by_key(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .cloned();
    for file in widget_files {
        let sizes = measure(&file)?;
        print_row(&file, &root, sizes);
        let is_language = file.extension().is_some_and(|e| e == "json");
        if is_language && Some(&file) != largest_language.as_ref() {
            continue;
        }
        for (t, s) in widget_total.iter_mut().zip(sizes) {
            *t += s;
        }
    }
    println!(
        "{:<58} {:>10} {:>10} {:>10}",
        "widget total (what a reader downloads, one language)",
        widget_total[0],
        widget_total[1],
        widget_total[2]
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
    println!(
        "{:<58} {:>10} {:>10} {:>10}",
        "worker total (upload)", worker_total[0], worker_total[1], worker_total[2]
    );
    Ok(())
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
