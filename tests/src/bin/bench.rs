//! `cargo xtask bench` runs this against a running Colloquy stack and a running Isso, both
//! seeded with the same threads, and writes the report (Markdown) the README links to.
//! It measures in headless Chromium, through ChromeDriver, what a reader waits for: from
//! navigation to the first comment on screen, and to a comment form that keeps what is
//! typed; warm (assets cached, as on a second article of the same blog) and as a first visit
//! over an emulated slow 4G link. It also reads what each view costs D1 from the Worker's
//! `Server-Timing`, and the bytes the reader downloaded, compressed as a CDN would.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use colloquy_core::wire::api::Sort;
use colloquy_core::wire::endpoint::{EmbedQuery, Endpoint, ThreadQuery};
use colloquy_e2e::browser::{cdp, session};
use colloquy_e2e::env_url;
use colloquy_e2e::fixtures::Deployment;
use colloquy_e2e::http::request;
use fantoccini::Client;
use serde_json::{json, Value};

use colloquy_e2e::deployments::env::{
    BENCH_EXTRA as EXTRA, BENCH_ISSO as ISSO, BENCH_ISSO_DEMO as ISSO_DEMO, BENCH_REPORT as REPORT,
    BENCH_THREADS as THREADS,
};

const WARM_RUNS: usize = 7;
const SLOW_RUNS: usize = 3;

/// Chromium's "Slow 4G"-like profile the issue names: 150 ms round trip, 1.6 Mbit/s down.
const SLOW_LINK: (f64, f64, f64) = (150.0, 1_600_000.0 / 8.0, 750_000.0 / 8.0);

/// Runs before every page: notes (by animation frame, so "visible" means "in a frame")
/// when the first comment is in the page and when the form keeps what is typed.
const PROBE: &str = r#"
(() => {
  const comment = () => {
    const host = document.querySelector('#comments');
    const inShadow = host && host.shadowRoot && host.shadowRoot.querySelector('li.cq-item');
    return inShadow || document.querySelector('#isso-thread .isso-comment');
  };
  const issoForm = () => document.querySelector('#isso-thread .isso-postbox textarea');
  document.addEventListener('colloquy:interactive', () => { window.__benchForm = performance.now(); });
  const tick = () => {
    const now = performance.now();
    if (window.__benchFirst === undefined && comment()) window.__benchFirst = now;
    if (window.__benchForm === undefined && issoForm()) window.__benchForm = now;
    if (window.__benchFirst === undefined || window.__benchForm === undefined) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"#;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Product {
    Colloquy,
    Isso,
}

impl Product {
    fn name(self) -> &'static str {
        match self {
            Product::Colloquy => "Colloquy",
            Product::Isso => "Isso 0.14.0",
        }
    }

    fn page(self, thread: &str) -> String {
        let demo = match self {
            Product::Colloquy => Deployment::main().demo,
            Product::Isso => env_url(ISSO_DEMO),
        };
        format!("{demo}/?thread={thread}")
    }

    /// The server whose files count as the widget's.
    fn origin(self) -> String {
        match self {
            Product::Colloquy => Deployment::main().api,
            Product::Isso => env_url(ISSO),
        }
    }
}

/// One page load: milliseconds from navigation, and the widget's resources by then.
#[derive(Debug, Clone)]
struct Load {
    first_comment: f64,
    form: f64,
    /// Widget resources that had arrived before the first comment was on screen.
    before_first: Vec<String>,
    /// Every widget resource of the load.
    all: Vec<String>,
}

#[derive(Default)]
struct Sizes {
    cache: BTreeMap<String, [usize; 3]>,
}

impl Sizes {
    /// Raw / gzip -9 / brotli 11 bytes of a URL's body (what a CDN would send compressed;
    /// the local servers send everything raw).
    fn of(&mut self, url: &str) -> [usize; 3] {
        if let Some(s) = self.cache.get(url) {
            return *s;
        }
        let reply = request("GET", url, &[], b"");
        let body = reply.text.into_bytes();
        let sizes = compressed(&body);
        self.cache.insert(url.to_owned(), sizes);
        sizes
    }

    fn total(&mut self, urls: &[String]) -> [usize; 3] {
        let mut sum = [0; 3];
        for url in urls {
            for (t, s) in sum.iter_mut().zip(self.of(url)) {
                *t += s;
            }
        }
        sum
    }
}

fn compressed(body: &[u8]) -> [usize; 3] {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(body).expect("gzip in memory");
    let gz = gz.finish().expect("gzip in memory").len();
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        w.write_all(body).expect("brotli in memory");
    }
    [body.len(), gz, br.len()]
}

async fn prepare(client: &Client, slow: bool) {
    cdp(
        client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": PROBE }),
    )
    .await;
    cdp(client, "Network.enable", json!({})).await;
    if slow {
        let (latency, down, up) = SLOW_LINK;
        cdp(
            client,
            "Network.setCacheDisabled",
            json!({ "cacheDisabled": true }),
        )
        .await;
        cdp(
            client,
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": latency,
                    "downloadThroughput": down, "uploadThroughput": up }),
        )
        .await;
    }
}

async fn measure(client: &Client, product: Product, thread: &str) -> Load {
    client.goto(&product.page(thread)).await.expect("navigate");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let done = client
            .execute(
                "return window.__benchFirst !== undefined && window.__benchForm !== undefined",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if done {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} never showed {thread}",
            product.name()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = client
        .execute(
            "const origin = arguments[0];
             const entries = performance.getEntriesByType('resource').filter(r => r.name.startsWith(origin));
             return {
               first: window.__benchFirst, form: window.__benchForm,
               before: entries.filter(r => r.responseEnd <= window.__benchFirst).map(r => r.name),
               all: entries.map(r => r.name)
             };",
            vec![json!(product.origin())],
        )
        .await
        .expect("read the probe");
    let urls = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|u| u.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    Load {
        first_comment: got["first"].as_f64().unwrap_or(f64::NAN),
        form: got["form"].as_f64().unwrap_or(f64::NAN),
        before_first: urls(&got["before"]),
        all: urls(&got["all"]),
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

struct Row {
    warm_first: f64,
    warm_form: f64,
    slow_first: f64,
    slow_form: f64,
    before_first: [usize; 3],
    widget: [usize; 3],
}

async fn bench(product: Product, thread: &str, sizes: &mut Sizes) -> Row {
    // Warm: one visit to fill the cache, then the measured ones.
    let client = session().await;
    prepare(&client, false).await;
    let _ = measure(&client, product, thread).await;
    let mut warm = Vec::new();
    for _ in 0..WARM_RUNS {
        warm.push(measure(&client, product, thread).await);
    }
    // Everything a writing reader downloads: Colloquy's writer comes on the first focus.
    if product == Product::Colloquy {
        client
            .execute(
                "document.querySelector('#comments').shadowRoot.querySelector('.cq-compose-box').focus();",
                vec![],
            )
            .await
            .expect("focus the box");
        let deadline = Instant::now() + Duration::from_secs(30);
        while client
            .execute(
                "return !!document.querySelector('#comments').shadowRoot.querySelector('#cq-new-body')",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            != Some(true)
        {
            assert!(Instant::now() < deadline, "the writer never opened");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let everything = client
        .execute(
            "return performance.getEntriesByType('resource').map(r => r.name).filter(n => n.startsWith(arguments[0]));",
            vec![json!(product.origin())],
        )
        .await
        .expect("resources");
    let everything: Vec<String> = serde_json::from_value(everything).unwrap_or_default();
    client.close().await.ok();

    let mut slow = Vec::new();
    for _ in 0..SLOW_RUNS {
        let client = session().await;
        prepare(&client, true).await;
        slow.push(measure(&client, product, thread).await);
        client.close().await.ok();
    }
    let first_load = &slow[0];
    let widget_files: Vec<String> = everything.iter().filter(|u| is_asset(u)).cloned().collect();
    let _ = &first_load.all;
    Row {
        warm_first: median(warm.iter().map(|l| l.first_comment).collect()),
        warm_form: median(warm.iter().map(|l| l.form).collect()),
        slow_first: median(slow.iter().map(|l| l.first_comment).collect()),
        slow_form: median(slow.iter().map(|l| l.form).collect()),
        before_first: sizes.total(&first_load.before_first),
        widget: sizes.total(&widget_files),
    }
}

/// Static files (the widget itself), not the thread's data.
fn is_asset(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or(url);
    [".js", ".wasm", ".css", ".json"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// What one view of `thread` costs: D1 on a miss, a hit, a revalidation.
fn d1_costs(thread: &str) -> [String; 3] {
    let q = EmbedQuery {
        thread: ThreadQuery {
            thread: thread.to_owned(),
            sort: Sort::Oldest,
            cursor: None,
        },
        lang: "en".into(),
        ..Default::default()
    };
    // A query the browser runs never asked: a fresh cache key, so the first is a miss.
    let url = format!(
        "{}&bench={}",
        q.url(&Deployment::main().api, Endpoint::Embed),
        colloquy_e2e::http::random_u64()
    );
    let timed = |headers: &[(&str, &str)]| {
        let start = Instant::now();
        let reply = request("GET", &url, headers, b"");
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let timing = reply.header_all("server-timing");
        (reply, ms, timing)
    };
    let (miss, miss_ms, miss_timing) = timed(&[]);
    let (_, hit_ms, hit_timing) = timed(&[]);
    let etag = miss.header("etag").unwrap_or_default().to_owned();
    let (not_modified, nm_ms, nm_timing) = timed(&[("If-None-Match", &etag)]);
    let describe = |timing: &str, ms: f64, status: u16| {
        let d1 = timing
            .split(',')
            .find_map(|p| p.trim().strip_prefix("d1;desc=\""))
            .unwrap_or("?")
            .trim_end_matches('"')
            .replace(" statements in ", " statements / ")
            .replace(" round trips", " round trip(s)");
        format!("{status}, {d1}, {ms:.0} ms")
    };
    [
        describe(&miss_timing, miss_ms, miss.status),
        describe(&hit_timing, hit_ms, 200),
        describe(&nm_timing, nm_ms, not_modified.status),
    ]
}

fn kb([raw, gz, br]: [usize; 3]) -> String {
    let k = |b: usize| format!("{:.1}", b as f64 / 1024.0);
    format!("{} / {} / {}", k(raw), k(gz), k(br))
}

#[tokio::main]
async fn main() {
    let threads: Vec<(usize, String)> = env_url(THREADS)
        .split(',')
        .map(|t| {
            let (n, key) = t.split_once('=').expect("n=key");
            (n.parse().expect("a count"), key.to_owned())
        })
        .collect();
    let mut sizes = Sizes::default();
    let mut rows = Vec::new();
    for (n, thread) in &threads {
        for product in [Product::Colloquy, Product::Isso] {
            eprintln!("bench: {} on a thread of {n} comments", product.name());
            let row = bench(product, thread, &mut sizes).await;
            rows.push((*n, product, row));
        }
    }

    let mut out = String::new();
    out.push_str("# Benchmark: Colloquy and Isso side by side\n\n");
    out.push_str(
        &"Written by `cargo xtask bench` (do not edit by hand). Both run locally on this machine \
         (Colloquy under `wrangler dev` with a local D1, Isso 0.14.0 from PyPI under its own \
         server, both behind one local gzip proxy) with the same comments on the same article page; headless Chromium measures \
         from navigation start. *First comment*: the first comment in a rendered frame. \
         *Form*: Colloquy's reading half has taken over (the comment box keeps what is typed, \
         and focusing it opens the form); Isso's form is in the page. Warm: the median of \
         {WARM} visits after one that filled the cache. Slow 4G: the median of {SLOW} first \
         visits (cache disabled) at 150 ms round trip, 1.6 Mbit/s down. Answers are gzipped \
         by the proxy, as a CDN or web server sends them (browsers ask for brotli only over \
         HTTPS).\n\n"
            .replace("{WARM}", &WARM_RUNS.to_string())
            .replace("{SLOW}", &SLOW_RUNS.to_string()),
    );
    out.push_str("## Time to the first comment and to the form (ms, median)\n\n");
    out.push_str("| comments | product | first comment, warm | form, warm | first comment, slow 4G | form, slow 4G |\n|---:|---|---:|---:|---:|---:|\n");
    for (n, product, r) in &rows {
        out.push_str(&format!(
            "| {n} | {} | {:.0} | {:.0} | {:.0} | {:.0} |\n",
            product.name(),
            r.warm_first,
            r.warm_form,
            r.slow_first,
            r.slow_form
        ));
    }
    out.push_str("\nColloquy's time as a share of Isso's (lower is better; the goal is 0.50):\n\n| comments | first comment, warm | first comment, slow 4G |\n|---:|---:|---:|\n");
    for (n, _) in &threads {
        let find = |p: Product| {
            rows.iter()
                .find(|(m, q, _)| m == n && *q == p)
                .map(|r| &r.2)
        };
        if let (Some(c), Some(i)) = (find(Product::Colloquy), find(Product::Isso)) {
            out.push_str(&format!(
                "| {n} | {:.2} | {:.2} |\n",
                c.warm_first / i.warm_first,
                c.slow_first / i.slow_first
            ));
        }
    }
    out.push_str("\n## Bytes (KiB raw / gzip -9 / brotli 11)\n\n| comments | product | before the first comment (from the comment server) | the whole widget (files, everything a writing reader loads) |\n|---:|---|---:|---:|\n");
    for (n, product, r) in &rows {
        out.push_str(&format!(
            "| {n} | {} | {} | {} |\n",
            product.name(),
            kb(r.before_first),
            kb(r.widget)
        ));
    }
    out.push_str("\n## What one view of a thread costs the Worker (`/api/v1/embed`, from `Server-Timing`)\n\n| comments | first view (D1) | same view again (edge cache) | `If-None-Match` |\n|---:|---|---|---|\n");
    for (n, thread) in &threads {
        let [miss, hit, nm] = d1_costs(thread);
        out.push_str(&format!("| {n} | {miss} | {hit} | {nm} |\n"));
    }
    if let Ok(extra) = std::env::var(EXTRA) {
        if let Ok(text) = std::fs::read_to_string(extra) {
            out.push('\n');
            out.push_str(&text);
        }
    }
    let path = env_url(REPORT);
    std::fs::write(&path, out).expect("write the report");
    eprintln!("bench: report written to {path}");
}
