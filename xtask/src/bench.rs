//! `cargo xtask bench`: Colloquy and Isso side by side, on the same threads of 20, 200 and
//! 5,000 comments, measured in headless Chromium; plus the core's CPU share of a
//! 1,000-comment page (Criterion). The report goes to `docs/bench.md`.
//!
//! Isso 0.14.0 is installed from PyPI into a throwaway virtualenv under `target/bench/`;
//! both products get the same comments written straight into their databases, and the
//! same article page (the demo's, with Isso's tags in place of Colloquy's).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::deployments::{env, MAIN};
use crate::procs::{free_port, output, run, wait_for_http, Service};
use crate::stack::{random_secret, Config, Stack};
use crate::tools::{ensure_all, Need};
use crate::{build, demo_server, gzip_proxy, root, step, Result};

/// The thread sizes the issue names.
const SIZES: [usize; 3] = [20, 200, 5_000];
/// Isso, pinned.
const ISSO_VERSION: &str = "0.14.0";
/// Ids of the benchmark's comments start here, clear of the demo's seed.
const FIRST_ID: usize = 1_000_000;

fn thread_key(n: usize) -> String {
    format!("/bench/{n}/")
}

/// One comment of a benchmark thread; every third answers the one before it.
struct Seeded {
    id: usize,
    parent: Option<usize>,
    root: Option<usize>,
    author: &'static str,
    body: String,
    created_ms: u64,
}

fn comments(n: usize, first_id: usize) -> Vec<Seeded> {
    const AUTHORS: [&str; 6] = [
        "Tomaž Horvat",
        "Mira Kos",
        "Ana Novak",
        "Jonas Weber",
        "Lea Kranjc",
        "Petra Zupan",
    ];
    let mut out: Vec<Seeded> = Vec::with_capacity(n);
    for i in 0..n {
        let id = first_id + i;
        let parent = (i % 3 == 2).then(|| id - 1);
        let root = parent.map(|p| out[p - first_id].root.unwrap_or(p));
        out.push(Seeded {
            id,
            parent,
            root,
            author: AUTHORS[i % AUTHORS.len()],
            body: format!(
                "Comment {i}: our reading group met online all year, and the quiet members \
                 learned as much as the loud ones. What made the difference was *the first \
                 reply*, within a day."
            ),
            created_ms: 1_795_000_000_000 + (i as u64) * 60_000,
        });
    }
    out
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Colloquy's rows: the stored HTML is what the Worker would have rendered.
fn colloquy_seed(path: &Path) -> Result<()> {
    let mut sql = String::new();
    for (t, n) in SIZES.iter().enumerate() {
        let key = thread_key(*n);
        writeln!(
            sql,
            "INSERT INTO threads (site_id, key, title, url, created_at) VALUES ('default', {}, 'Can communities of practice learn online?', NULL, 0);",
            sql_text(&key)
        )
        .map_err(|e| e.to_string())?;
        let all = comments(*n, FIRST_ID + t * 100_000);
        // D1 refuses statements over 100 KB: a few rows per INSERT.
        for chunk in all.chunks(50) {
            sql.push_str("INSERT INTO comments (id, thread_id, parent_id, root_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at) VALUES\n");
            let rows: Vec<String> = chunk
                .iter()
                .map(|c| {
                    let html = format!(
                        "<p>{}</p>\n",
                        c.body
                            .replace("*the first reply*", "<em>the first reply</em>")
                    );
                    format!(
                        "({}, (SELECT id FROM threads WHERE key = {}), {}, {}, 'approved', {}, 'reader@example.org', NULL, {}, {}, {})",
                        c.id,
                        sql_text(&key),
                        c.parent.map_or("NULL".into(), |p| p.to_string()),
                        c.root.map_or("NULL".into(), |p| p.to_string()),
                        sql_text(c.author),
                        sql_text(&c.body),
                        sql_text(&html),
                        c.created_ms
                    )
                })
                .collect();
            sql.push_str(&rows.join(",\n"));
            sql.push_str(";\n");
        }
    }
    std::fs::write(path, sql).map_err(|e| format!("{}: {e}", path.display()))
}

/// Isso's rows (replies hang under their top-level comment: Isso nests one level).
fn isso_seed(path: &Path) -> Result<()> {
    let mut sql = String::from("BEGIN;\n");
    for (t, n) in SIZES.iter().enumerate() {
        let key = thread_key(*n);
        let tid = t + 1;
        writeln!(
            sql,
            "INSERT INTO threads (id, uri, title) VALUES ({tid}, {}, 'Can communities of practice learn online?');",
            sql_text(&key)
        )
        .map_err(|e| e.to_string())?;
        for c in comments(*n, FIRST_ID + t * 100_000) {
            writeln!(
                sql,
                "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text, author, email, website, likes, dislikes, voters, notification) VALUES ({tid}, {}, {}, {}, NULL, 1, '127.0.0.0', {}, {}, 'reader@example.org', NULL, 0, 0, zeroblob(256), 0);",
                c.id,
                c.root.map_or("NULL".into(), |r| r.to_string()),
                c.created_ms as f64 / 1000.0,
                sql_text(&c.body),
                sql_text(c.author),
            )
            .map_err(|e| e.to_string())?;
        }
    }
    sql.push_str("COMMIT;\n");
    std::fs::write(path, sql).map_err(|e| format!("{}: {e}", path.display()))
}

/// The demo article with Isso's tags where Colloquy's are.
fn isso_page(dir: &Path) -> Result<()> {
    let demo = root().join("demo");
    let html = std::fs::read_to_string(demo.join("index.html")).map_err(|e| e.to_string())?;
    let start = html
        .find("<script src=\"{{COLLOQUY_ORIGIN}}/embed.js\"")
        .ok_or("demo/index.html has no embed tag")?;
    let end = start
        + html[start..]
            .find("</script>")
            .ok_or("unterminated embed tag")?
        + "</script>".len();
    let isso_tags =
        "<script data-isso=\"{{COLLOQUY_ORIGIN}}/\" data-isso-max-comments-nested=\"5\" \
         src=\"{{COLLOQUY_ORIGIN}}/js/embed.min.js\" async></script>";
    let host = "<section id=\"comments\" aria-label=\"Comments\"></section>";
    if !html.contains(host) {
        return Err(format!("demo/index.html has no {host}"));
    }
    let html = format!("{}{isso_tags}{}", &html[..start], &html[end..]).replace(
        host,
        "<section id=\"comments\" aria-label=\"Comments\"><div id=\"isso-thread\" data-isso-id=\"{{THREAD}}\"></div></section>",
    );
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("index.html"), html).map_err(|e| e.to_string())?;
    std::fs::copy(demo.join("demo.css"), dir.join("demo.css")).map_err(|e| e.to_string())?;
    Ok(())
}

/// Isso in a virtualenv of its own (created once), configured for the page's origin.
fn start_isso(dir: &Path, page_origin: &str, port: u16) -> Result<(Service, String)> {
    let venv = root().join("target/bench/isso-venv");
    let isso = venv.join("bin/isso");
    if !isso.exists() {
        step(&format!(
            "installing Isso {ISSO_VERSION} from PyPI into {}",
            venv.display()
        ));
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv)).map_err(|e| {
            format!("{e} (the benchmark needs python3 with venv: apt-get install python3-venv)")
        })?;
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            &format!("isso=={ISSO_VERSION}"),
        ]))?;
    }
    let db = dir.join("isso.db");
    let _ = std::fs::remove_file(&db);
    let url = format!("http://127.0.0.1:{port}");
    let config = dir.join("isso.cfg");
    std::fs::write(
        &config,
        format!(
            "[general]\ndbpath = {}\nhost = {page_origin}\n\n[server]\nlisten = {url}/\n\n\
             [guard]\nenabled = false\n\n[moderation]\nenabled = false\n",
            db.display()
        ),
    )
    .map_err(|e| e.to_string())?;
    step(&format!("starting Isso on {url}"));
    let mut service = Service::spawn(
        "isso",
        Command::new(&isso).arg("-c").arg(&config).arg("run"),
        true,
    )?;
    wait_for_http(
        &mut service,
        &format!("{url}/js/embed.min.js"),
        Duration::from_secs(60),
    )?;
    let seed = dir.join("isso-seed.sql");
    isso_seed(&seed)?;
    run(Command::new(venv.join("bin/python")).args([
        "-c",
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.close()",
        &db.to_string_lossy(),
        &seed.to_string_lossy(),
    ]))?;
    Ok((service, url))
}

/// The core's share of a 1,000-comment page, natively (Criterion), as Markdown.
fn cpu_report() -> Result<String> {
    step("Criterion: the core's CPU for one page of a 1,000-comment thread");
    let out = output(
        Command::new("cargo")
            .args([
                "bench",
                "-p",
                "colloquy-markup",
                "--bench",
                "page",
                "--",
                "--noplot",
            ])
            .current_dir(root()),
    )?;
    let mut text = String::from(
        "## Worker CPU: the core's share of one page of a 1,000-comment thread\n\n\
         Native (Criterion, this machine), the same code the Worker runs as wasm: building the \
         page from the store's rows (tree, capped nesting, reply counts) and rendering it to \
         HTML with its JSON state. The free plan allows 10 ms of CPU per request.\n\n\
         | step | time (lower bound, estimate, upper bound) |\n|---|---|\n",
    );
    let mut name = String::new();
    for line in out.lines() {
        let trimmed = line.trim();
        if let Some((label, rest)) = trimmed.split_once("time:") {
            if !label.trim().is_empty() {
                name = label.trim().to_owned();
            }
            writeln!(text, "| {name} | {} |", rest.trim()).map_err(|e| e.to_string())?;
        } else if !trimmed.is_empty() && !trimmed.contains(':') && !trimmed.starts_with('[') {
            name = trimmed.to_owned();
        }
    }
    Ok(text)
}

pub fn bench() -> Result<()> {
    let root = root();
    let tools = ensure_all(Need::Everything)?;
    let cpu = cpu_report()?;
    build::widget(&tools)?;
    build::worker(&tools)?;
    let dir: PathBuf = root.join("target/bench");
    let state = dir.join("state");
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&state).map_err(|e| e.to_string())?;
    let seed = dir.join("colloquy-seed.sql");
    colloquy_seed(&seed)?;
    let stack = Stack::start_seeded(
        &tools,
        &state,
        (free_port()?, free_port()?),
        true,
        &Config {
            name: "bench",
            vars: Vec::new(),
            secrets: Some(vec![(
                colloquy_core::wire::vars::COLLOQUY_SECRET,
                random_secret()?,
            )]),
            shards: Vec::new(),
        },
        Some(&seed),
    )?;
    // Both behind the same compressing proxy, as a CDN or web server serves them, and the
    // same article page (served as the demo is) loading each from its proxy.
    let (api, _api_proxy) = gzip_proxy::start(free_port()?, stack.api.clone())?;
    let demo_port = free_port()?;
    let demo = format!("http://127.0.0.1:{demo_port}");
    let (_pages, _) = demo_server::start(demo_port, api.clone(), String::new())?;
    let isso_pages = dir.join("isso-pages");
    isso_page(&isso_pages)?;
    let (isso_port, isso_demo_port) = (free_port()?, free_port()?);
    let isso_demo = format!("http://127.0.0.1:{isso_demo_port}");
    let (isso, isso_direct) = start_isso(&dir, &isso_demo, isso_port)?;
    let (isso_url, _isso_proxy) = gzip_proxy::start(free_port()?, isso_direct)?;
    let _isso_pages_server =
        demo_server::start_in(isso_pages, isso_demo_port, isso_url.clone(), None)?.0;

    let driver_port = free_port()?;
    let chromedriver = tools
        .chromedriver
        .as_ref()
        .ok_or("chromedriver was not installed")?;
    let mut driver = Service::spawn(
        "chromedriver",
        Command::new(chromedriver).arg(format!("--port={driver_port}")),
        true,
    )?;
    let webdriver = format!("http://127.0.0.1:{driver_port}");
    wait_for_http(
        &mut driver,
        &format!("{webdriver}/status"),
        Duration::from_secs(30),
    )?;
    let extra = dir.join("cpu.md");
    std::fs::write(&extra, cpu).map_err(|e| e.to_string())?;
    let threads: Vec<String> = SIZES
        .iter()
        .map(|n| format!("{n}={}", thread_key(*n)))
        .collect();
    step("measuring in headless Chromium (this takes a few minutes)");
    let result = run(Command::new("cargo")
        .args(["run", "-q", "-p", "colloquy-e2e", "--bin", "bench"])
        // The benchmark's Colloquy stands where the tests' main deployment would.
        .env(MAIN.api_env, &api)
        .env(MAIN.demo_env, &demo)
        .env(env::WEBDRIVER, &webdriver)
        .env(env::BENCH_ISSO, &isso_url)
        .env(env::BENCH_ISSO_DEMO, &isso_demo)
        .env(env::BENCH_THREADS, threads.join(","))
        .env(env::BENCH_EXTRA, &extra)
        .env(env::BENCH_REPORT, root.join("docs/bench.md"))
        .current_dir(&root));
    drop(driver);
    drop(isso);
    drop(stack);
    result
}
