//! Load against `wrangler dev`, bounded in time: readers on one hot thread (its first paint
//! and its JSON page) while writers post comments and replies from many addresses at
//! once. Afterwards every accepted comment is stored exactly once, every reply under the
//! parent it was sent for, the thread's count equals what is stored, and no request got
//! a 5xx. The suite runs it for a few seconds; `cargo xtask load` runs it longer and
//! writes the figures (requests, errors, latency percentiles) to `docs/load.md`.

use colloquy_core::wire::console::query::SiteExportQuery;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use colloquy_core::wire::api::{CommentId, CreatedComment, NewComment};
use colloquy_core::wire::console::SiteExportPage;
use colloquy_core::wire::endpoint::{AdminOp, EmbedQuery, Endpoint, ThreadQuery};
use colloquy_e2e::console::Console;
use colloquy_e2e::deployments::env;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, request};
use colloquy_e2e::unique_thread;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Default)]
struct Seen {
    /// Latencies (ms) and statuses per kind of request.
    by_kind: HashMap<&'static str, Vec<(u16, f64)>>,
    /// Accepted comments: id → (body, parent asked for).
    accepted: HashMap<CommentId, (String, Option<CommentId>)>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[test]
fn under_load_every_accepted_comment_is_stored_once_under_its_parent() {
    let secs = setting(env::LOAD_SECS, 4);
    let readers = setting(env::LOAD_READERS, 6) as usize;
    let writers = setting(env::LOAD_WRITERS, 4) as usize;
    let d = Deployment::main();
    let thread = unique_thread("load");
    let first = d.create_id(comment(&thread).body("The hot thread's first comment"));
    let seen = Mutex::new(Seen::default());
    {
        let mut s = seen.lock().unwrap();
        s.accepted
            .insert(first, ("The hot thread's first comment".into(), None));
    }
    let stop = AtomicBool::new(false);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let embed = EmbedQuery {
        thread: ThreadQuery {
            thread: thread.clone(),
            ..Default::default()
        },
        lang: "en".into(),
        ..Default::default()
    }
    .url(&d.api, Endpoint::Embed);
    let page = ThreadQuery {
        thread: thread.clone(),
        ..Default::default()
    }
    .url(&d.api);
    let record = |kind: &'static str, status: u16, started: Instant| {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        seen.lock()
            .unwrap()
            .by_kind
            .entry(kind)
            .or_default()
            .push((status, ms));
    };
    let started_all = Instant::now();
    std::thread::scope(|s| {
        for r in 0..readers {
            let (embed, page, stop, record) = (&embed, &page, &stop, &record);
            s.spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    let (kind, url) = if (n + r) % 2 == 0 {
                        ("read: first paint", embed)
                    } else {
                        ("read: JSON page", page)
                    };
                    let t = Instant::now();
                    let reply = request("GET", url, &[], b"");
                    record(kind, reply.status, t);
                    n += 1;
                }
            });
        }
        for w in 0..writers {
            let (d, thread, seen, record) = (&d, &thread, &seen, &record);
            s.spawn(move || {
                let mut n = 0;
                while Instant::now() < deadline {
                    // Every third post answers a comment accepted so far.
                    let parent = (n % 3 == 2)
                        .then(|| seen.lock().unwrap().accepted.keys().copied().max())
                        .flatten();
                    let body = format!("load w{w} n{n}");
                    let ip = fresh_client_ip();
                    let client = d.client_at(&ip);
                    let t = Instant::now();
                    let url = colloquy_core::wire::endpoint::form_token_url(&d.api, thread);
                    let got = request("GET", &url, &[("CF-Connecting-IP", &ip)], b"");
                    record("write: form token", got.status, t);
                    let token = got.json()["form_token"].as_str().unwrap_or("").to_owned();
                    let mut c: NewComment = comment(thread).body(&body).form_token(&token).build();
                    c.parent_id = parent;
                    let t = Instant::now();
                    let reply = client.post(&c);
                    let kind = if parent.is_some() {
                        "write: reply"
                    } else {
                        "write: comment"
                    };
                    record(kind, reply.status, t);
                    if reply.status == 201 {
                        let created: CreatedComment = serde_json::from_str(&reply.text).unwrap();
                        seen.lock()
                            .unwrap()
                            .accepted
                            .insert(created.comment.id, (body, parent));
                    }
                    n += 1;
                }
            });
        }
    });
    stop.store(true, Ordering::Relaxed);
    let elapsed = started_all.elapsed().as_secs_f64();
    let seen = seen.into_inner().unwrap();

    // What is stored, as the console exports it (every state, with parents).
    let console = Console::login(&d);
    let mut stored = Vec::new();
    let mut after = 0;
    loop {
        let page: SiteExportPage = console
            .get(AdminOp::SiteExport, &SiteExportQuery { after }.to_query())
            .expect(200);
        stored.extend(
            page.threads
                .into_iter()
                .filter(|t| t.key == thread)
                .flat_map(|t| t.comments),
        );
        match page.next_after {
            Some(n) => after = n,
            None => break,
        }
    }
    let mut bodies: HashMap<&str, u32> = HashMap::new();
    for c in &stored {
        *bodies.entry(c.body_markdown.as_str()).or_default() += 1;
    }
    let duplicates: u32 = bodies.values().filter(|n| **n > 1).map(|n| n - 1).sum();
    assert_eq!(duplicates, 0, "no comment is stored twice");
    let mut lost = 0;
    for (id, (body, parent)) in &seen.accepted {
        match stored.iter().find(|c| c.id == id.0) {
            Some(c) => {
                assert_eq!(&c.body_markdown, body);
                assert_eq!(
                    c.parent_id,
                    parent.map(|p| p.0),
                    "reply {id:?} under its parent"
                );
            }
            None => lost += 1,
        }
    }
    assert_eq!(lost, 0, "every accepted comment is stored");
    assert_eq!(
        stored.len(),
        seen.accepted.len(),
        "nothing stored that was not accepted"
    );
    let total = d.page(&thread).total as usize;
    assert_eq!(
        total,
        stored.iter().filter(|c| c.status == "approved").count(),
        "the count is what is stored"
    );

    let mut report = format!(
        "{} requests in {elapsed:.1} s ({readers} readers, {writers} writers on one thread); \
         {} comments accepted and stored, 0 lost, {duplicates} duplicates\n\n\
         | requests | count | 2xx | 4xx | 5xx | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|---|---|---|\n",
        seen.by_kind.values().map(Vec::len).sum::<usize>(),
        seen.accepted.len(),
    );
    let mut kinds: Vec<_> = seen.by_kind.iter().collect();
    kinds.sort_by_key(|(k, _)| *k);
    let mut server_errors = 0;
    for (kind, rows) in kinds {
        let mut ms: Vec<f64> = rows.iter().map(|(_, ms)| *ms).collect();
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let count = |lo: u16, hi: u16| rows.iter().filter(|(s, _)| (lo..hi).contains(s)).count();
        server_errors += count(500, 600);
        report.push_str(&format!(
            "| {kind} | {} | {} | {} | {} | {:.0} | {:.0} | {:.0} |\n",
            rows.len(),
            count(200, 400),
            count(400, 500),
            count(500, 600),
            percentile(&ms, 0.5),
            percentile(&ms, 0.95),
            percentile(&ms, 0.99),
        ));
    }
    print!("{report}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("load.md"), &report);
    assert_eq!(server_errors, 0, "no 5xx under load:\n{report}");
    // A run where nothing got through proves nothing: every writer posted, and the only
    // refusals a fresh reader can get under load are rate limits.
    assert!(
        seen.accepted.len() >= writers,
        "only {} comments accepted:\n{report}",
        seen.accepted.len()
    );
    for (kind, rows) in &seen.by_kind {
        for (status, _) in rows {
            assert!(
                *status < 400 || *status == 429,
                "{kind} answered {status}:\n{report}"
            );
        }
    }
}
