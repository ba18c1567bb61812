//! The data of `cargo xtask scale` (see `scale.rs`): which database each generated site
//! goes to, finding each local database's SQLite file, and writing the rows — the ones the
//! Worker writes, under the same schema, triggers and indexes — straight into them.

use std::path::{Path, PathBuf};

use colloquy_core::wire::sites::ID_RANGE;
use colloquy_core::wire::vars;

use crate::deployments;
use crate::procs::run;
use crate::tools::Tools;
use crate::Result;

/// The databases, in order (`DB` first: it also holds the directory).
pub(crate) const SHARDS: [&str; 4] = ["DB", "DB1", "DB2", "DB3"];

pub(crate) struct Params {
    pub(crate) sites: usize,
    pub(crate) threads: usize,
    pub(crate) comments: usize,
    pub(crate) secs: u64,
    pub(crate) readers: usize,
    pub(crate) writers: usize,
    /// Keep the databases a run with the same sizes generated (`--reuse`).
    pub(crate) reuse: bool,
}

impl Params {
    pub(crate) fn parse(args: &[String]) -> Result<Params> {
        let mut p = Params {
            sites: 1000,
            threads: 100,
            comments: 50,
            secs: 30,
            readers: 8,
            writers: 4,
            reuse: false,
        };
        let mut it = args.iter();
        while let Some(name) = it.next() {
            if name == "--reuse" {
                p.reuse = true;
                continue;
            }
            let value: usize = it
                .next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))?;
            match name.as_str() {
                "--sites" => p.sites = value.max(1),
                "--threads" => p.threads = value.max(1),
                "--comments" => p.comments = value.max(2),
                "--secs" => p.secs = value as u64,
                "--readers" => p.readers = value,
                "--writers" => p.writers = value,
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(p)
    }
}

/// One database's SQLite file and what was written into it.
pub(crate) struct Shard {
    pub(crate) binding: &'static str,
    pub(crate) file: PathBuf,
    pub(crate) sites: usize,
    pub(crate) threads: usize,
    pub(crate) comments: usize,
}

impl Shard {
    /// Bytes on disk (the database and its write-ahead log).
    pub(crate) fn bytes(&self) -> u64 {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut wal = self.file.clone().into_os_string();
        wal.push("-wal");
        size(&self.file) + size(Path::new(&wal))
    }
}

pub(crate) fn site_id(n: usize) -> String {
    format!("site-{n}")
}

pub(crate) fn site_origin(n: usize) -> String {
    format!("https://site-{n}.example")
}

pub(crate) fn shard_of(n: usize) -> usize {
    n % SHARDS.len()
}

/// Each database's SQLite file: a row written through wrangler names it.
pub(crate) fn find_files(tools: &Tools, state: &Path) -> Result<Vec<PathBuf>> {
    let config = state.join(deployments::SHARDS_CONFIG);
    for binding in SHARDS {
        let database = if binding == "DB" {
            vars::DB_NAME.to_owned()
        } else {
            deployments::shard_database(binding)
        };
        run(tools
            .local_d1_on(state, &database, &["execute"])
            .arg("--config")
            .arg(&config)
            .arg("--command")
            .arg(format!(
                "INSERT INTO sites (id, name, created_at) VALUES ('~which', '{binding}', 0)"
            )))?;
    }
    let folder = state.join("v3/d1/miniflare-D1DatabaseObject");
    let mut found = vec![PathBuf::new(); SHARDS.len()];
    for entry in std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("sqlite") {
            continue;
        }
        let db = rusqlite::Connection::open(&path).map_err(|e| e.to_string())?;
        let name: Option<String> = db
            .query_row("SELECT name FROM sites WHERE id = '~which'", [], |r| {
                r.get(0)
            })
            .ok();
        if let Some(k) = name.and_then(|n| SHARDS.iter().position(|s| *s == n)) {
            db.execute("DELETE FROM sites WHERE id = '~which'", [])
                .map_err(|e| e.to_string())?;
            found[k] = path;
        }
    }
    if found.iter().any(|f| f.as_os_str().is_empty()) {
        return Err(format!(
            "not every database's file is in {}",
            folder.display()
        ));
    }
    Ok(found)
}

/// What each database holds, counted (a reused state).
pub(crate) fn counted(files: &[PathBuf]) -> Result<Vec<Shard>> {
    let err = |e: rusqlite::Error| e.to_string();
    let mut shards = Vec::new();
    for (k, file) in files.iter().enumerate() {
        let db = rusqlite::Connection::open(file).map_err(err)?;
        let count = |sql: &str| -> Result<usize> {
            db.query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as usize)
                .map_err(err)
        };
        shards.push(Shard {
            binding: SHARDS[k],
            file: file.clone(),
            sites: count("SELECT COUNT(DISTINCT site_id) FROM threads")?,
            threads: count("SELECT COUNT(*) FROM threads")?,
            comments: count(
                "SELECT COUNT(*) FROM comments WHERE body_markdown NOT LIKE 'scale-load %'",
            )?,
        });
    }
    Ok(shards)
}

/// A small deterministic generator (xorshift), so every run writes the same rows.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "community",
    "practice",
    "online",
    "learning",
    "people",
    "share",
    "questions",
    "answers",
    "I",
    "think",
    "the",
    "a",
    "of",
    "and",
    "that",
    "is",
    "not",
    "what",
    "we",
    "it",
    "with",
    "forum",
    "mentor",
    "experience",
    "knowledge",
    "together",
    "really",
    "because",
    "when",
    "years",
    "newcomers",
    "trust",
    "conversation",
    "practice,",
    "though.",
    "agree.",
    "why?",
];

/// A comment of 20–90 words, as Markdown and as the HTML the Worker stores.
pub(crate) fn body(rng: &mut Rng) -> (String, String) {
    let n = 20 + rng.below(70);
    let text: Vec<&str> = (0..n).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    let text = text.join(" ");
    let html = format!("<p>{text}</p>");
    (text, html)
}

pub(crate) fn generate(files: &[PathBuf], p: &Params) -> Result<Vec<Shard>> {
    let err = |e: rusqlite::Error| e.to_string();
    let mut shards = Vec::new();
    for (k, file) in files.iter().enumerate() {
        let mut db = rusqlite::Connection::open(file).map_err(err)?;
        db.pragma_update(None, "synchronous", "OFF").map_err(err)?;
        let tx = db.transaction().map_err(err)?;
        let base = k as i64 * ID_RANGE;
        let (mut thread_id, mut comment_id) = (base, base);
        let mut shard = Shard {
            binding: SHARDS[k],
            file: file.clone(),
            sites: 0,
            threads: 0,
            comments: 0,
        };
        {
            let mut site_row = tx
                .prepare("INSERT INTO sites (id, name, created_at) VALUES (?1, ?2, 0)")
                .map_err(err)?;
            let mut thread_row = tx
                .prepare(
                    "INSERT INTO threads (id, site_id, key, title, url, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            let mut comment_row = tx
                .prepare(
                    "INSERT INTO comments (id, thread_id, parent_id, root_id, status, \
                     author_name, author_email, body_markdown, body_html, created_at, \
                     client_hash, email_hash, site_id, likes) \
                     VALUES (?1, ?2, ?3, ?3, 'approved', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(err)?;
            let mut rng = Rng::new(0x5eed + k as u64);
            for n in (0..p.sites).filter(|n| shard_of(*n) == k) {
                let site = site_id(n);
                // (In the first database, the directory's row: completed below.)
                site_row
                    .execute(rusqlite::params![site, format!("Site {n}")])
                    .map_err(err)?;
                shard.sites += 1;
                for t in 0..p.threads {
                    thread_id += 1;
                    let key = format!("/posts/{t}/");
                    let at = 1_700_000_000_000_i64 + (t as i64) * 3_600_000;
                    thread_row
                        .execute(rusqlite::params![
                            thread_id,
                            site,
                            key,
                            format!("Post {t} of site {n}"),
                            format!("{}{key}", site_origin(n)),
                            at
                        ])
                        .map_err(err)?;
                    shard.threads += 1;
                    let mut tops: Vec<i64> = Vec::new();
                    for c in 0..p.comments {
                        comment_id += 1;
                        // About one comment in three answers an earlier one.
                        let parent =
                            (c > 0 && rng.below(3) == 0).then(|| tops[rng.below(tops.len())]);
                        if parent.is_none() {
                            tops.push(comment_id);
                        }
                        let reader = rng.below(5_000);
                        let (markdown, html) = body(&mut rng);
                        comment_row
                            .execute(rusqlite::params![
                                comment_id,
                                thread_id,
                                parent,
                                format!("Reader {reader}"),
                                format!("reader{reader}@example.org"),
                                markdown,
                                html,
                                at + c as i64 * 60_000,
                                format!("{:016x}{:016x}", rng.next(), rng.next()),
                                format!("{:016x}{:016x}", reader, rng.next()),
                                site,
                                rng.below(4) as i64
                            ])
                            .map_err(err)?;
                        shard.comments += 1;
                    }
                }
            }
        }
        tx.commit().map_err(err)?;
        db.pragma_update(None, "wal_checkpoint", "TRUNCATE")
            .map_err(err)?;
        shards.push(shard);
        eprintln!(
            "xtask: {}: {} sites, {} comments, {:.0} MB",
            SHARDS[k],
            shards[k].sites,
            shards[k].comments,
            shards[k].bytes() as f64 / 1e6
        );
    }
    // The directory, in the first database: every site, its origin and its database.
    let mut db = rusqlite::Connection::open(&files[0]).map_err(err)?;
    let tx = db.transaction().map_err(err)?;
    for n in 0..p.sites {
        let (site, origin) = (site_id(n), site_origin(n));
        tx.execute(
            "INSERT INTO sites (id, name, origins, created_at, shard) VALUES (?1, ?2, ?3, 0, ?4) \
             ON CONFLICT (id) DO UPDATE SET origins = excluded.origins, shard = excluded.shard",
            rusqlite::params![site, format!("Site {n}"), origin, SHARDS[shard_of(n)]],
        )
        .map_err(err)?;
        tx.execute(
            "INSERT INTO site_origins (origin, site_id) VALUES (?1, ?2)",
            rusqlite::params![origin, site],
        )
        .map_err(err)?;
    }
    tx.commit().map_err(err)?;
    Ok(shards)
}
