//! The load half of `cargo xtask scale`: readers and writers across every site of the
//! generated deployment, what each request cost D1 (the Worker's `Server-Timing`), a
//! check that every accepted comment is stored exactly once in its site's database, and
//! the report with the capacity model built from those numbers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use colloquy_core::wire::api::NewComment;
use colloquy_core::wire::endpoint::{form_token_url, EmbedQuery, Endpoint, ThreadQuery};

use crate::scale_gen::{body, shard_of, site_id, site_origin, Params, Rng, Shard};
use crate::Result;

/// What one request cost, from its `Server-Timing`.
#[derive(Default, Clone, Copy)]
struct Cost {
    statements: u64,
    round_trips: u64,
    rows_read: u64,
    rows_written: u64,
    sql_ms: f64,
}

#[derive(Default)]
pub(crate) struct Load {
    secs: f64,
    /// Per kind of request: (status, ms, cost).
    by_kind: HashMap<&'static str, Vec<(u16, f64, Cost)>>,
    /// Accepted comments: (site number, id, body).
    pub(crate) accepted: Vec<(usize, i64, String)>,
}

/// The description of the `Server-Timing` metric `name` (`name;desc="…"`).
fn desc<'a>(server_timing: &'a str, name: &str) -> &'a str {
    let start = format!("{name};desc=\"");
    server_timing
        .split(&start)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
}

/// The number written just before `word` in `text` (`"3 statements in 1 round trips"`).
fn number_before(text: &str, word: &str) -> f64 {
    text.split(word)
        .next()
        .and_then(|t| t.split([' ', ',']).rfind(|w| !w.is_empty()))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0)
}

fn cost_of(server_timing: &str) -> Cost {
    let d1 = desc(server_timing, "d1");
    let rows = desc(server_timing, "d1-rows");
    Cost {
        statements: number_before(d1, " statements") as u64,
        round_trips: number_before(d1, " round trips") as u64,
        rows_read: number_before(rows, " read") as u64,
        rows_written: number_before(rows, " written") as u64,
        sql_ms: number_before(rows, " ms"),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// One request: status, body, cost.
fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String, Cost) {
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let outcome = match body {
        Some(b) => agent.run(
            request
                .header("Content-Type", "application/json")
                .body(b.to_owned())
                .expect("a request"),
        ),
        None => agent.run(request.body(()).expect("a request")),
    };
    match outcome {
        Ok(mut response) => {
            let timing: Vec<String> = response
                .headers()
                .get_all("server-timing")
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_owned))
                .collect();
            let status = response.status().as_u16();
            let text = response.body_mut().read_to_string().unwrap_or_default();
            (status, text, cost_of(&timing.join(", ")))
        }
        Err(e) => (599, e.to_string(), Cost::default()),
    }
}

pub(crate) fn run(api: &str, p: &Params) -> Result<Load> {
    let load = Mutex::new(Load::default());
    let deadline = Instant::now() + Duration::from_secs(p.secs);
    let serial = AtomicU64::new(0);
    // Bodies name the run: a reused database holds earlier runs' comments too.
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let started = Instant::now();
    crate::step(&format!(
        "{} readers and {} writers across {} sites for {} s",
        p.readers, p.writers, p.sites, p.secs
    ));
    std::thread::scope(|scope| {
        for r in 0..p.readers + p.writers {
            let (load, serial) = (&load, &serial);
            scope.spawn(move || {
                let agent = agent();
                let mut rng = Rng::new(0xface + r as u64);
                let writer = r >= p.readers;
                while Instant::now() < deadline {
                    let n = rng.below(p.sites);
                    let thread = format!("/posts/{}/", rng.below(p.threads));
                    let base = format!("{api}/s/{}", site_id(n));
                    let origin = site_origin(n);
                    let record = |kind: &'static str, status: u16, at: Instant, cost| {
                        let ms = at.elapsed().as_secs_f64() * 1000.0;
                        let mut l = load.lock().unwrap();
                        l.by_kind.entry(kind).or_default().push((status, ms, cost));
                    };
                    if !writer {
                        let query = ThreadQuery {
                            thread: thread.clone(),
                            ..Default::default()
                        };
                        let at = Instant::now();
                        let (status, _, cost) = send(&agent, "GET", &query.url(&base), &[], None);
                        record("read: a thread's JSON page", status, at, cost);
                        let embed = EmbedQuery {
                            thread: query,
                            lang: "en".into(),
                            ..Default::default()
                        }
                        .url(&base, Endpoint::Embed);
                        let at = Instant::now();
                        let (status, _, cost) = send(&agent, "GET", &embed, &[], None);
                        record("read: a thread's first paint", status, at, cost);
                        continue;
                    }
                    let ip = format!("10.{}.{}.{}", r, rng.below(250), rng.below(250));
                    let at = Instant::now();
                    let (status, text, cost) = send(
                        &agent,
                        "GET",
                        &form_token_url(&base, &thread),
                        &[("CF-Connecting-IP", &ip), ("Origin", &origin)],
                        None,
                    );
                    record("write: form token", status, at, cost);
                    let token = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v["form_token"].as_str().map(str::to_owned));
                    let Some(token) = token else { continue };
                    let k = serial.fetch_add(1, Ordering::Relaxed);
                    let (words, _) = body(&mut rng);
                    let text = format!("scale-load {run_id}-{k}: {words}");
                    let new = NewComment {
                        thread: thread.clone(),
                        body: text.clone(),
                        name: format!("Writer {r}"),
                        email: format!("writer{r}@example.org"),
                        form_token: token,
                        ..Default::default()
                    };
                    let json = serde_json::to_string(&new).unwrap_or_default();
                    let at = Instant::now();
                    let (status, reply, cost) = send(
                        &agent,
                        "POST",
                        &Endpoint::PostComment.url(&base),
                        &[("CF-Connecting-IP", &ip), ("Origin", &origin)],
                        Some(&json),
                    );
                    record("write: comment", status, at, cost);
                    if status == 201 {
                        let id = serde_json::from_str::<serde_json::Value>(&reply)
                            .ok()
                            .and_then(|v| v["comment"]["id"].as_i64());
                        if let Some(id) = id {
                            load.lock().unwrap().accepted.push((n, id, text));
                        }
                    }
                }
            });
        }
    });
    let mut load = load.into_inner().map_err(|e| e.to_string())?;
    load.secs = started.elapsed().as_secs_f64();
    Ok(load)
}

pub(crate) struct Checked {
    pub(crate) lost: usize,
    pub(crate) duplicated: usize,
    pub(crate) wrong_database: usize,
}

/// Every accepted comment is in its site's database exactly once, with its id, and in
/// no other database.
pub(crate) fn verify(shards: &[Shard], load: &Load) -> Result<Checked> {
    let mut found: HashMap<String, Vec<(usize, i64)>> = HashMap::new();
    for (k, shard) in shards.iter().enumerate() {
        let db = rusqlite::Connection::open(&shard.file).map_err(|e| e.to_string())?;
        let mut q = db
            .prepare(
                "SELECT id, body_markdown FROM comments WHERE body_markdown LIKE 'scale-load %'",
            )
            .map_err(|e| e.to_string())?;
        let rows = q
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| e.to_string())?;
        for row in rows {
            let (id, text) = row.map_err(|e| e.to_string())?;
            found.entry(text).or_default().push((k, id));
        }
    }
    let mut checked = Checked {
        lost: 0,
        duplicated: 0,
        wrong_database: 0,
    };
    for (site, id, text) in &load.accepted {
        match found.get(text).map(Vec::as_slice) {
            None | Some([]) => checked.lost += 1,
            Some([(k, stored)]) => {
                if *k != shard_of(*site) || stored != id {
                    checked.wrong_database += 1;
                }
            }
            Some(_) => checked.duplicated += 1,
        }
    }
    Ok(checked)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0u64), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// Cloudflare's published prices (Workers Paid), in dollars per million, beyond what the
/// plan includes.
const PRICE_REQUESTS: f64 = 0.30;
const PRICE_KV_READS: f64 = 0.50;
const PRICE_KV_WRITES: f64 = 5.00;
const PRICE_D1_ROWS_READ: f64 = 0.001;
const PRICE_D1_ROWS_WRITTEN: f64 = 1.00;
/// D1's largest database (Workers Paid), bytes, and the share of it the model fills.
const D1_MAX_BYTES: f64 = 10e9;
const FILL: f64 = 0.8;

pub(crate) fn report(
    p: &Params,
    shards: &[Shard],
    generated_secs: Option<f64>,
    load: &Load,
    checked: &Checked,
) -> String {
    let comments: usize = shards.iter().map(|s| s.comments).sum();
    let bytes: u64 = shards.iter().map(Shard::bytes).sum();
    let per_comment = bytes as f64 / comments.max(1) as f64;
    let when = match generated_secs {
        Some(secs) => format!("written in {secs:.0} s"),
        None => "written by an earlier run (`--reuse`)".to_owned(),
    };
    let mut out = format!(
        "# Capacity model\n\n`cargo xtask scale` on this machine (2 cores; the load client, workerd and \
         four local D1 databases share them). Generated: {} sites × {} threads × {} comments = \
         {comments} comments over {} databases, {when}.\n\n",
        p.sites,
        p.threads,
        p.comments,
        shards.len()
    );
    out.push_str("## Stored\n\n| database | sites | threads | comments | bytes | bytes per comment |\n|---|---|---|---|---|---|\n");
    for s in shards {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.0} |\n",
            s.binding,
            s.sites,
            s.threads,
            s.comments,
            s.bytes(),
            s.bytes() as f64 / s.comments.max(1) as f64
        ));
    }
    out.push_str(&format!(
        "\nBytes per comment: **{per_comment:.0}**, measured as the databases' files (tables, \
         every index, the thread rows) over the comments they hold; a comment's text is 20–90 \
         words, stored as Markdown and as HTML.\n\n"
    ));
    let total: usize = load.by_kind.values().map(Vec::len).sum();
    out.push_str(&format!(
        "## Under load\n\n{total} requests in {:.1} s ({} readers, {} writers, each request \
         for a random thread of a random site); {} comments accepted: {} lost, {} duplicated, \
         {} in another database than their site's.\n\n\
         | requests | count | 2xx | 4xx | 5xx | p50 ms | p95 ms | p99 ms | D1 statements | round trips | rows read | rows written | SQL ms |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        load.secs,
        p.readers,
        p.writers,
        load.accepted.len(),
        checked.lost,
        checked.duplicated,
        checked.wrong_database
    ));
    let mut kinds: Vec<_> = load.by_kind.iter().collect();
    kinds.sort_by_key(|(k, _)| *k);
    let mut first_paint = Cost::default();
    let mut write = Cost::default();
    for (kind, seen) in kinds {
        let mut ms: Vec<f64> = seen.iter().map(|(_, ms, _)| *ms).collect();
        ms.sort_by(|a, b| a.total_cmp(b));
        let class = |lo: u16, hi: u16| seen.iter().filter(|(s, _, _)| *s >= lo && *s < hi).count();
        let avg = |f: fn(&Cost) -> f64| mean(seen.iter().map(|(_, _, c)| f(c)));
        let cost = Cost {
            statements: avg(|c| c.statements as f64).round() as u64,
            round_trips: avg(|c| c.round_trips as f64).round() as u64,
            rows_read: avg(|c| c.rows_read as f64).round() as u64,
            rows_written: avg(|c| c.rows_written as f64).round() as u64,
            sql_ms: avg(|c| c.sql_ms),
        };
        if kind.contains("first paint") {
            // What a miss costs: the requests that went to D1 at all.
            let misses: Vec<&Cost> = seen
                .iter()
                .map(|(_, _, c)| c)
                .filter(|c| c.round_trips > 0)
                .collect();
            first_paint = Cost {
                rows_read: mean(misses.iter().map(|c| c.rows_read as f64)).round() as u64,
                round_trips: mean(misses.iter().map(|c| c.round_trips as f64)).round() as u64,
                ..cost
            };
        }
        if *kind == "write: comment" {
            write = cost;
        }
        out.push_str(&format!(
            "| {kind} | {} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} | {:.0} | {:.0} | {:.2} |\n",
            seen.len(),
            class(200, 300),
            class(400, 500),
            class(500, 600),
            percentile(&ms, 0.5),
            percentile(&ms, 0.95),
            percentile(&ms, 0.99),
            avg(|c| c.statements as f64),
            avg(|c| c.round_trips as f64),
            avg(|c| c.rows_read as f64),
            avg(|c| c.rows_written as f64),
            avg(|c| c.sql_ms),
        ));
    }
    let per_shard = D1_MAX_BYTES * FILL / per_comment;
    let per_site = (p.threads * p.comments) as f64;
    let own_shard = D1_MAX_BYTES * 0.25 / per_comment;
    let writes_per_sec = if write.sql_ms > 0.0 {
        1000.0 / write.sql_ms
    } else {
        0.0
    };
    out.push_str(&format!(
        "\nStatements, round trips, rows and SQL time are the Worker's own account of each \
         request (its `Server-Timing`), averaged; latencies are from the load client.\n\n\
         ## The model\n\n\
         - **Comments per database**: D1's largest database is 10 GB; filled to {:.0} % at \
           {per_comment:.0} bytes a comment, one holds about **{:.1} million comments**.\n\
         - **Sites per database**: with sites like these ({per_site:.0} comments each), about \
           **{:.0} sites**; a new site goes to the emptiest database, so they fill evenly.\n\
         - **When a site needs a database of its own**: when it alone would fill a quarter of \
           one — about **{:.1} million comments** — so its neighbours keep room to grow; or \
           when its writes keep one database busy: D1 runs a database's queries one at a \
           time, and a comment took {:.2} ms of SQL here, so one database takes roughly \
           {writes_per_sec:.0} comments a second before writes queue. Move it with \
           `colloquy move-site` to a newly bound database.\n\
         - **Reads are not the limit**: a thread's first paint read {} rows in {} round \
           trip(s) on a cache miss and none on a hit; replicas (the Sessions API) serve \
           them near readers.\n\n",
        FILL * 100.0,
        per_shard / 1e6,
        per_shard / per_site,
        own_shard / 1e6,
        write.sql_ms,
        first_paint.rows_read,
        first_paint.round_trips
    ));
    out.push_str(
        "## Cost per million page views\n\nA page view is one Worker request for the \
         thread's first paint (the widget's files are static assets, which are not billed) \
         and one KV read (the thread's page version); a cache miss also reads D1. Prices: \
         Cloudflare's published Workers Paid prices beyond the plan's allowance — requests \
         $0.30 per million, KV reads $0.50 per million, KV writes $5.00 per million, D1 rows \
         read $0.001 per million, D1 rows written $1.00 per million (CPU time not included).\n\n\
         | edge-cache hit rate | requests | KV reads | D1 rows read | total per million page views |\n\
         |---|---|---|---|---|\n",
    );
    for hit in [0.5, 0.9, 0.99] {
        let requests = PRICE_REQUESTS;
        let kv = PRICE_KV_READS;
        let d1 = (1.0 - hit) * first_paint.rows_read as f64 * PRICE_D1_ROWS_READ;
        out.push_str(&format!(
            "| {:.0} % | ${requests:.2} | ${kv:.2} | ${d1:.4} | **${:.2}** |\n",
            hit * 100.0,
            requests + kv + d1
        ));
    }
    let per_thousand_writes = 1000.0
        * (PRICE_REQUESTS * 2.0
            + PRICE_KV_WRITES * 2.0
            + write.rows_written as f64 * PRICE_D1_ROWS_WRITTEN
            + write.rows_read as f64 * PRICE_D1_ROWS_READ)
        / 1e6;
    out.push_str(&format!(
        "\nA thousand comments cost about **${per_thousand_writes:.3}**: two requests each (form \
         token, post), {} D1 rows written, and two KV writes (the thread's and the site's page \
         versions).\n",
        write.rows_written
    ));
    out
}
