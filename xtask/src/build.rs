//! Building the two wasm artifacts: the widget (static assets) and the Worker.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
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
  Referrer-Policy: no-referrer
/embed.js
  Cache-Control: public, max-age=300
/count.js
  Cache-Control: public, max-age=300
/style.css
  Cache-Control: public, max-age=300
/widget/*
  Cache-Control: public, max-age=31536000, immutable
/admin/*
  Cache-Control: no-cache
  Content-Security-Policy: default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'
  Referrer-Policy: no-referrer
  X-Frame-Options: DENY
";

/// The widget's two wasm modules: the reading half every reader gets, and the writing
/// half (Leptos) loaded on the first step towards writing.
const MODULES: [&str; 2] = ["colloquy_reader", "colloquy_widget"];

/// Build the widget into `build/assets/`: `embed.js` plus `widget/<hash>/…` (both
/// modules' glue and wasm, the styles, a strings file per language). Returns the version
/// (the hash) that `embed.js` now loads.
pub fn widget(tools: &Tools) -> Result<String> {
    let root = root();
    step("building the widget (reader + Leptos writer → wasm32, release)");
    run(Command::new("cargo")
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "colloquy-reader",
            "-p",
            "colloquy-widget",
            "-p",
            "colloquy-admin",
        ])
        .current_dir(&root))?;
    let staging = root.join("target/widget-bindgen");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| e.to_string())?;
    step("wasm-bindgen + wasm-opt -Oz + esbuild --minify, for both modules");
    let mut outputs = Vec::new();
    for module in MODULES {
        outputs.extend(bindgen(tools, module, &staging)?);
    }
    // Each language's strings beside the wasm: the loader fetches the reader's one.
    for lang in colloquy_i18n::Lang::ALL {
        let json = serde_json::to_string(&lang.strings().to_list()).map_err(|e| e.to_string())?;
        let file = staging.join(format!("{}.json", lang.tag()));
        std::fs::write(&file, json).map_err(|e| format!("{}: {e}", file.display()))?;
        outputs.push(file);
    }
    // The styles, with the `auto` theme's dark half written out, minified (the loader
    // links them into the shadow root).
    let source = root.join("widget/style.css");
    let styles = std::fs::read_to_string(&source).map_err(|e| format!("widget/style.css: {e}"))?;
    let expanded = root.join("target/widget-css/style.css");
    std::fs::create_dir_all(expanded.parent().ok_or("no folder")?).map_err(|e| e.to_string())?;
    std::fs::write(&expanded, with_auto_theme(&styles)?).map_err(|e| e.to_string())?;
    let css = staging.join("style.css");
    run(Command::new(&tools.esbuild)
        .arg(&expanded)
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", css.display())))?;
    outputs.push(css.clone());

    // Content-addressed folder: a new build never mixes with a cached old one. Files are
    // replaced in place (each written beside its target, then renamed over it), never by
    // deleting the folder, so a running `wrangler dev` keeps serving while this builds.
    let hashed: Vec<&Path> = outputs.iter().map(PathBuf::as_path).collect();
    let version = content_hash(&hashed)?;
    let assets = root.join("build/assets");
    let dest = assets.join("widget").join(&version);
    std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
    for file in &outputs {
        let name = file.file_name().ok_or("output without a name")?;
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        replace_file(&dest.join(name), &bytes)?;
    }
    // The same styles at a stable address, for the plain `/view` pages.
    replace_file(
        &assets.join("style.css"),
        &std::fs::read(&css).map_err(|e| e.to_string())?,
    )?;
    // count.js and embed.js get their paths from core's one description of the API, and
    // embed.js its defaults from core's.
    let api_path =
        |e: colloquy_core::wire::endpoint::Endpoint| e.path().trim_start_matches('/').to_owned();
    use colloquy_core::wire::endpoint::Endpoint;
    for (source, defines) in [
        (
            "count.js",
            vec![
                format!(
                    "--define:COLLOQUY_COUNTS_PATH=\"{}\"",
                    api_path(Endpoint::Counts)
                ),
                format!("--define:COLLOQUY_BUILD=\"{version}\""),
                format!("--define:COLLOQUY_LANGS={}", language_table()),
                format!(
                    "--define:COLLOQUY_COUNT_FORMS={:?}",
                    positions().heading_untitled.map(position)
                ),
                format!(
                    "--define:COLLOQUY_THOUSANDS={}",
                    position(positions().thousands)
                ),
            ],
        ),
        (
            "embed.js",
            vec![
                format!("--define:COLLOQUY_BUILD=\"{version}\""),
                format!("--define:COLLOQUY_LANGS={}", language_table()),
                format!("--define:COLLOQUY_FAILED={}", load_failed_texts()),
                format!("--define:COLLOQUY_FAILED_AT={:?}", {
                    let at = positions();
                    [at.heading_unknown_untitled, at.load_failed, at.retry].map(position)
                }),
                format!(
                    "--define:COLLOQUY_SORT_KEY=\"{}\"",
                    colloquy_core::wire::storage_keys::SORT
                ),
                format!(
                    "--define:COLLOQUY_OWNER_KEY=\"{}\"",
                    colloquy_core::wire::storage_keys::OWNER
                ),
                format!(
                    "--define:COLLOQUY_THEME=\"{}\"",
                    colloquy_core::wire::defaults::THEME
                ),
                format!(
                    "--define:COLLOQUY_SORT=\"{}\"",
                    colloquy_core::wire::api::Sort::default().as_str()
                ),
                format!(
                    "--define:COLLOQUY_EMBED_PATH=\"{}\"",
                    api_path(Endpoint::Embed)
                ),
                format!(
                    "--define:COLLOQUY_VIEW_PATH=\"{}\"",
                    api_path(Endpoint::View)
                ),
            ],
        ),
    ] {
        let out = staging.join(source);
        run(Command::new(&tools.esbuild)
            .arg(root.join("widget").join(source))
            .args(["--minify", "--log-level=warning"])
            .args(&defines)
            .arg(format!("--outfile={}", out.display())))?;
        let bytes = std::fs::read(&out).map_err(|e| format!("{source}: {e}"))?;
        replace_file(&assets.join(source), &bytes)?;
    }
    replace_file(&assets.join("_headers"), ASSET_HEADERS.as_bytes())?;
    prune_old_versions(&assets.join("widget"), &version)?;
    eprintln!("widget built into build/assets (version {version})");
    admin(tools, &assets)?;
    Ok(version)
}

/// wasm-bindgen, wasm-opt -Oz and a minified glue for one module (already built by
/// cargo), into `staging`. Returns the wasm and the glue.
fn bindgen(tools: &Tools, module: &str, staging: &Path) -> Result<[PathBuf; 2]> {
    let wasm = root().join(format!(
        "target/wasm32-unknown-unknown/release/{module}.wasm"
    ));
    let bg = staging.join(format!("{module}_bg.wasm"));
    let glue = staging.join(format!("{module}.js"));
    // These three tools take most of a warm build (~40 s for the three modules) and give
    // the same files for the same wasm: kept by the input's hash (and the pinned tools'
    // options), a run whose cargo build changed nothing copies them instead.
    let recipe = format!("{WASM_FEATURES:?} {}", tools.wasm_bindgen.display());
    let mut hasher = DefaultHasher::new();
    recipe.hash(&mut hasher);
    let key = format!(
        "{module}-{}-{:08x}",
        content_hash(&[&wasm])?,
        hasher.finish() & 0xffff_ffff
    );
    let kept = root().join("target/bindgen-cache").join(key);
    let outputs = [bg.clone(), glue.clone()];
    if outputs
        .iter()
        .all(|f| kept.join(f.file_name().unwrap()).is_file())
    {
        for f in &outputs {
            std::fs::copy(kept.join(f.file_name().unwrap()), f)
                .map_err(|e| format!("{}: {e}", f.display()))?;
        }
        return Ok(outputs);
    }
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
        .arg(staging))?;
    run(Command::new(&tools.wasm_opt)
        .arg("-Oz")
        .args(WASM_FEATURES)
        .arg(&bg)
        .arg("-o")
        .arg(&bg))?;
    run(Command::new(&tools.esbuild)
        .arg(&glue)
        .args([
            "--minify",
            "--format=esm",
            "--allow-overwrite",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", glue.display())))?;
    // Written to a new folder, then renamed into place: a run stopped halfway keeps none.
    let partial = kept.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    for f in &outputs {
        std::fs::copy(f, partial.join(f.file_name().unwrap()))
            .map_err(|e| format!("{}: {e}", f.display()))?;
    }
    // One kept build per module: the ones before it go.
    if let Ok(entries) = std::fs::read_dir(root().join("target/bindgen-cache")) {
        for old in entries.flatten() {
            let name = old.file_name().to_string_lossy().into_owned();
            if name.starts_with(&format!("{module}-")) && old.path() != partial {
                let _ = std::fs::remove_dir_all(old.path());
            }
        }
    }
    let _ = std::fs::rename(&partial, &kept);
    Ok(outputs)
}

/// The console's page. No inline script or style: `/admin` runs under a CSP that allows
/// only its own files.
const ADMIN_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Colloquy console</title>
<link rel="stylesheet" href="VERSION/admin.css">
<script type="module" src="VERSION/boot.js"></script>
</head>
<body>
<noscript><p>The Colloquy console needs JavaScript and WebAssembly.</p></noscript>
</body>
</html>
"#;

/// The moderation console (`/admin`): its own wasm, never loaded by readers. Files under
/// `admin/<hash>/`, the page at `admin/index.html` pointing at the current hash.
fn admin(tools: &Tools, assets: &Path) -> Result<()> {
    let root = root();
    let staging = root.join("target/admin-bindgen");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| e.to_string())?;
    let mut outputs = bindgen(tools, "colloquy_admin", &staging)?.to_vec();
    let css = staging.join("admin.css");
    run(Command::new(&tools.esbuild)
        .arg(root.join("admin/admin.css"))
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", css.display())))?;
    outputs.push(css);
    let boot = staging.join("boot.js");
    std::fs::write(&boot, "import init from './colloquy_admin.js';\ninit();\n")
        .map_err(|e| e.to_string())?;
    outputs.push(boot);
    let hashed: Vec<&Path> = outputs.iter().map(PathBuf::as_path).collect();
    let version = content_hash(&hashed)?;
    let dir = assets.join("admin");
    let dest = dir.join(&version);
    std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
    for file in &outputs {
        let name = file.file_name().ok_or("output without a name")?;
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        replace_file(&dest.join(name), &bytes)?;
    }
    replace_file(
        &dir.join("index.html"),
        ADMIN_PAGE.replace("VERSION", &version).as_bytes(),
    )?;
    prune_old_versions(&dir, &version)?;
    Ok(())
}

/// The dark theme's rule, written once in `widget/style.css`.
const DARK_RULE: &str = ".cq[data-theme=\"dark\"] {";

/// `style.css` with the `auto` theme added: the dark rule again, for readers whose system
/// prefers dark, right after the dark rule (so everything after it still overrides both).
fn with_auto_theme(css: &str) -> Result<String> {
    let start = css
        .find(DARK_RULE)
        .ok_or("widget/style.css has no dark theme rule")?;
    let body_start = start + DARK_RULE.len();
    let body_len = css[body_start..]
        .find('}')
        .ok_or("widget/style.css: the dark theme rule is not closed")?;
    let body = &css[body_start..body_start + body_len];
    let end = body_start + body_len + 1;
    let auto = format!(
        "\n@media (prefers-color-scheme: dark) {{\n  .cq[data-theme=\"auto\"] {{{body}}}\n}}"
    );
    Ok(format!("{}{auto}{}", &css[..end], &css[end..]))
}

/// The tags the loader answers to (lowercase, aliases too) and the language each means, as
/// a JSON object: `{"en":"en",…,"zh-tw":"zh-Hant"}`. No entry: the server chooses.
fn language_table() -> String {
    let table: serde_json::Map<String, serde_json::Value> = colloquy_i18n::Lang::table()
        .into_iter()
        .map(|(key, lang)| (key, serde_json::json!(lang.tag())))
        .collect();
    serde_json::Value::Object(table).to_string()
}

/// Where each text stands in a language's JSON list: a table whose every text is its own
/// index, so the loaders name texts by field, never by a number typed in.
fn positions() -> colloquy_i18n::Strings<'static> {
    let count = colloquy_i18n::Lang::En.strings().to_list().len();
    let list: Vec<&'static str> = std::iter::once("en")
        .chain((1..count).map(|i| &*Box::leak(i.to_string().into_boxed_str())))
        .collect();
    colloquy_i18n::Strings::from_list(list).expect("a full list reads back")
}

fn position(text: &str) -> usize {
    text.parse().expect("positions() holds numbers")
}

/// What the loader says when the thread cannot be fetched at all, before (or without) the
/// reader's language file: English's heading without a count, the failure, "Try again".
fn load_failed_texts() -> String {
    let t = colloquy_i18n::Lang::En.strings();
    serde_json::json!([t.heading_unknown_untitled, t.load_failed, t.retry]).to_string()
}

/// Write `path` atomically: readers see the old file or the new one, never a gap.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp-write");
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Keep the current widget version and the one before it (a page loaded a moment ago may
/// still ask for it); older ones go.
fn prune_old_versions(dir: &Path, current: &str) -> Result<()> {
    let mut others: Vec<(SystemTime, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .filter(|e| e.file_name() != current && e.path().is_dir())
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    others.sort();
    others.pop();
    for (_, old) in others {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}

/// Build the Worker with worker-build, pointing it at local tools so it downloads nothing.
/// Skipped when worker/build is newer than every source it depends on, because wrangler
/// runs this as its `[build]` command on every start, right after xtask already built it.
pub fn worker(tools: &Tools) -> Result<()> {
    let root = root();
    let toml = std::fs::read_to_string(root.join("wrangler.toml"))
        .map_err(|e| format!("wrangler.toml: {e}"))?;
    if let Some(name) = secret_in_vars(&toml) {
        return Err(format!(
            "wrangler.toml sets {name} under [vars], where anyone with access to the \
             dashboard or the repository reads it. Remove it and run `npx wrangler secret put {name}`."
        ));
    }
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

/// The first secret (see `colloquy_core::wire::vars::SECRET_NAMES`) set in a `[vars]` or
/// `[env.<name>.vars]` table of wrangler.toml, or in an inline `vars = { … }`.
fn secret_in_vars(toml: &str) -> Option<&'static str> {
    let mut in_vars = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            let table = line.trim_matches(|c| c == '[' || c == ']').trim();
            in_vars = table == "vars" || (table.starts_with("env.") && table.ends_with(".vars"));
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        for &name in colloquy_core::wire::vars::SECRET_NAMES {
            let inline = key == "vars" && value.contains(name);
            if (in_vars && key == name) || inline {
                return Some(name);
            }
        }
    }
    None
}

fn worker_is_fresh(root: &Path) -> bool {
    let Some(built) = mtime(&root.join("worker/build/index.js")) else {
        return false;
    };
    let inputs = [
        "Cargo.toml",
        "Cargo.lock",
        "worker",
        "core",
        "markup",
        "i18n",
    ];
    inputs
        .iter()
        .all(|i| newest(&root.join(i)).is_some_and(|t| t <= built))
}

/// The newest modification time under `path`, skipping build output folders.
pub fn newest(path: &Path) -> Option<SystemTime> {
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

#[cfg(test)]
mod tests {
    use super::{secret_in_vars, with_auto_theme};

    #[test]
    fn the_auto_theme_is_the_dark_rule_again_under_the_media_query() {
        let css = ".cq { --_fg: black; }\n.cq[data-theme=\"dark\"] {\n  --_fg: white;\n}\n.cq-x { a: b; }\n";
        assert_eq!(
            with_auto_theme(css).unwrap(),
            ".cq { --_fg: black; }\n.cq[data-theme=\"dark\"] {\n  --_fg: white;\n}\n\
             @media (prefers-color-scheme: dark) {\n  .cq[data-theme=\"auto\"] {\n  --_fg: white;\n}\n}\n\
             .cq-x { a: b; }\n"
        );
        assert!(with_auto_theme(".cq { }").is_err());
    }

    #[test]
    fn secrets_in_vars_are_found_wherever_wrangler_reads_vars() {
        let ok =
            "name = \"x\"\n[vars]\nSITE_ID = \"default\"\n[[d1_databases]]\nbinding = \"DB\"\n";
        assert_eq!(secret_in_vars(ok), None);
        assert_eq!(
            secret_in_vars("[vars]\nCOLLOQUY_SECRET = \"abc\"\n"),
            Some("COLLOQUY_SECRET")
        );
        assert_eq!(
            secret_in_vars("[env.production.vars]\nOWNER_KEY = \"k\"\n"),
            Some("OWNER_KEY")
        );
        assert_eq!(
            secret_in_vars("[env.staging]\nvars = { TURNSTILE_SECRET = \"t\" }\n"),
            Some("TURNSTILE_SECRET")
        );
        assert_eq!(
            secret_in_vars(
                "[vars]\nSITE_ID = \"a\"\n[secrets]\nCOLLOQUY_SECRET = \"documented elsewhere\"\n"
            ),
            None,
            "only vars tables count"
        );
    }
}
