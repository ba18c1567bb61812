//! `cargo xtask bench-import [N]`: how long moving in takes. Generates a WordPress export
//! with N comments (default 100,000: one post per 100 comments, every third a reply, some
//! pending and spam, non-ASCII text) into `target/bench/`, then times `colloquy import`
//! (parse, sanitize, write SQL) and running that SQL into a fresh local D1 with wrangler,
//! and runs it a second time (which must add nothing). Writes `docs/import-bench.md`.
//! Nothing large is committed: the file is generated each time.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::procs::{output, run};
use crate::tools::{ensure_all, Need};
use crate::Result;
use crate::{root, step};

fn generate(n: usize, path: &Path) -> Result<()> {
    let mut xml = String::with_capacity(n * 700);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>\n");
    let per_post = 100;
    for post in 0..n.div_ceil(per_post) {
        let _ = writeln!(
            xml,
            "<item><title>Post {post} — učenje</title><link>https://blog.example.org/{post}/</link><wp:post_id>{post}</wp:post_id>"
        );
        for i in 0..per_post.min(n - post * per_post) {
            let id = i + 1;
            let parent = if i % 3 == 2 { id - 1 } else { 0 };
            let approved = match i % 50 {
                7 => "0",
                13 => "spam",
                _ => "1",
            };
            let minute = i % 60;
            let _ = write!(
                xml,
                "<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author><![CDATA[Reader {i} Žan]]></wp:comment_author>\
<wp:comment_author_email>reader{i}@example.org</wp:comment_author_email><wp:comment_author_url>https://reader{i}.example.org/</wp:comment_author_url>\
<wp:comment_date_gmt>2024-01-{day:02} 10:{minute:02}:00</wp:comment_date_gmt>\
<wp:comment_content><![CDATA[Comment {i} on post {post}: a thought with <a href=\"https://example.org/{i}\">a link</a> and <em>emphasis</em>.\n\nA second paragraph, čšž.]]></wp:comment_content>\
<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n",
                day = 1 + post % 28,
            );
        }
        xml.push_str("</item>\n");
    }
    xml.push_str("</channel></rss>\n");
    std::fs::write(path, xml).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn bench_import(args: &[String]) -> Result<()> {
    let n: usize = args
        .first()
        .map(|a| a.parse().map_err(|_| format!("not a number: {a}")))
        .transpose()?
        .unwrap_or(100_000);
    let tools = ensure_all(Need::Build)?;
    let root = root();
    let dir = root.join("target/bench/import");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("wordpress.xml");
    step(&format!("generating a WordPress export with {n} comments"));
    generate(n, &file)?;
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "colloquy-cli"])
        .current_dir(&root))?;
    let cli = root.join("target/release/colloquy");
    let sql_dir = dir.join("sql");
    step("colloquy import (parse, sanitize, write SQL)");
    let started = Instant::now();
    run(Command::new(&cli)
        .args(["import", "wordpress"])
        .arg(&file)
        .arg("--out")
        .arg(&sql_dir)
        .current_dir(&root))?;
    let prepare_secs = started.elapsed().as_secs_f64();
    let files = std::fs::read_dir(&sql_dir)
        .map_err(|e| e.to_string())?
        .count();
    let state = dir.join("d1");
    let persist = state.to_string_lossy().into_owned();
    run(&mut tools.local_d1(&state, &["migrations", "apply"]))?;
    let apply = |label: &str| -> Result<f64> {
        step(label);
        let started = Instant::now();
        run(Command::new(&cli)
            .args(["import", "wordpress"])
            .arg(&file)
            .arg("--out")
            .arg(&sql_dir)
            .args(["--apply", "local", "--persist-to", &persist])
            .env("COLLOQUY_WRANGLER", &tools.wrangler)
            .current_dir(&root))?;
        Ok(started.elapsed().as_secs_f64())
    };
    let first = apply("colloquy import --apply local (into a fresh local D1)")?;
    let second = apply("the same again (must add nothing)")?;
    let count = output(tools.local_d1(&state, &["execute"]).args([
        "--json",
        "--command",
        "SELECT COUNT(*) AS n FROM comments",
    ]))?;
    let stored: i64 = serde_json::from_str::<serde_json::Value>(&count)
        .ok()
        .and_then(|v| v[0]["results"][0]["n"].as_i64())
        .ok_or_else(|| format!("could not read the count: {count}"))?;
    let report = format!(
        "# Import benchmark\n\n`cargo xtask bench-import {n}` on this machine (2 cores): a generated WordPress \
export of {n} comments ({mb:.1} MB, 100 per post, every third a reply, 2 % pending, 2 % spam).\n\n\
| step | time |\n|---|---|\n\
| `colloquy import` — parse, sanitize, write SQL ({files} files) | {prepare_secs:.1} s |\n\
| `--apply local` — the same plus `wrangler d1 execute` of every file into a fresh local D1 | {first:.1} s |\n\
| the same again (inserts nothing) | {second:.1} s |\n\n\
Comments stored: {stored} (the spam is stored, not public). What limits the second and third rows is \
wrangler starting once per file and the local D1 (SQLite through workerd), not the importer; \
`--apply remote` is bounded by D1's own import speed.\n",
        mb = bytes as f64 / 1e6,
    );
    std::fs::write(root.join("docs/import-bench.md"), &report).map_err(|e| e.to_string())?;
    print!("{report}");
    if stored != n as i64 {
        return Err(format!("{stored} comments stored, {n} expected"));
    }
    Ok(())
}
