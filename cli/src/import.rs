//! `colloquy import <format> <file>`: read, prepare (core), write SQL files, and run them
//! with wrangler when asked.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use colloquy_core::import::{self, isso, sql, Import, Options};

use crate::args::Args;
use crate::error::CliError;
use crate::progress::Progress;

const OPTIONS: [&str; 9] = [
    "--to",
    "--site",
    "--out",
    "--dry-run",
    "--keep-going",
    "--apply",
    "--database",
    "--persist-to",
    "--site-url",
];

/// A file's text; `.gz` files are unpacked.
fn read_text(path: &Path) -> Result<String, CliError> {
    let file_error = |source| CliError::File {
        path: path.display().to_string(),
        source,
    };
    let bytes = std::fs::read(path).map_err(file_error)?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(file_error)?;
        out
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|e| {
        file_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({e})"),
        ))
    })
}

/// Isso's `threads` and `comments` tables.
fn read_isso(path: &Path, site_url: Option<&str>) -> Result<Import, CliError> {
    let isso_error = |source| CliError::Isso {
        path: path.display().to_string(),
        source,
    };
    if !path.exists() {
        return Err(CliError::File {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let db =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(isso_error)?;
    let threads = db
        .prepare("SELECT id, uri, title FROM threads")
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok(isso::IssoThread {
                    id: r.get(0)?,
                    uri: r.get(1)?,
                    title: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(isso_error)?;
    let comments = db
        .prepare(
            "SELECT id, tid, parent, created, mode, text, author, email, website FROM comments ORDER BY id",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok(isso::IssoComment {
                    id: r.get(0)?,
                    tid: r.get(1)?,
                    parent: r.get(2)?,
                    created: r.get(3)?,
                    mode: r.get(4)?,
                    text: r.get(5)?,
                    author: r.get(6)?,
                    email: r.get(7)?,
                    website: r.get(8)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(isso_error)?;
    Ok(isso::read(&threads, &comments, site_url))
}

pub fn run(raw: &[String]) -> Result<(), CliError> {
    let args = Args::parse(raw, &OPTIONS)?;
    let [format, file] = args.plain.as_slice() else {
        return Err(CliError::Usage("import needs a format and a file".into()));
    };
    let path = PathBuf::from(file);
    let options = Options {
        keep_going: args.flag("--keep-going"),
    };
    let as_import_error = |source| CliError::Import {
        path: file.clone(),
        source,
    };
    let read = match format.as_str() {
        "wordpress" => {
            import::wordpress::read(&read_text(&path)?, options).map_err(as_import_error)?
        }
        "disqus" => import::disqus::read(&read_text(&path)?, options).map_err(as_import_error)?,
        "remark42" => {
            import::remark42::read(&read_text(&path)?, options).map_err(as_import_error)?
        }
        "colloquy" => {
            import::colloquy::read(&read_text(&path)?, options).map_err(as_import_error)?
        }
        "isso" => read_isso(&path, args.value("--site-url"))?,
        other => {
            return Err(CliError::Usage(format!(
                "unknown format {other:?} (wordpress, disqus, isso, remark42, colloquy)"
            )))
        }
    };
    let plan = import::plan::prepare(read);
    let site = args.value("--site").unwrap_or("default");
    if args.flag("--dry-run") {
        print!("{}", plan.summary);
        println!("dry run: nothing written");
        return Ok(());
    }
    if let Some(base) = args.value("--to") {
        let session = crate::console::Session::login(base, args.value("--site"))?;
        let batches = plan.batches();
        let mut progress = Progress::new("importing", batches.len());
        let mut added = 0;
        for (i, batch) in batches.iter().enumerate() {
            let done: colloquy_core::wire::console::Done =
                session.post(colloquy_core::wire::endpoint::AdminOp::Import, batch)?;
            added += done.changed as usize;
            progress.at(i + 1);
        }
        progress.done();
        session.logout();
        print!("{}", plan.summary);
        println!(
            "sent to {base} in {} request(s): {}, {} already there",
            batches.len(),
            colloquy_core::domain::words::count_s(added, "new comment"),
            plan.comments.len().saturating_sub(added)
        );
        return Ok(());
    }
    let out = PathBuf::from(args.value("--out").unwrap_or("colloquy-import"));
    std::fs::create_dir_all(&out).map_err(|source| CliError::File {
        path: out.display().to_string(),
        source,
    })?;
    let mut progress = Progress::new("writing SQL", plan.comments.len());
    let statements = sql::statements(&plan, site);
    progress.at(plan.comments.len());
    progress.done();
    let files = sql::files(&statements);
    let mut written = Vec::new();
    for (i, text) in files.iter().enumerate() {
        let file = out.join(format!("import-{:03}.sql", i + 1));
        std::fs::write(&file, text).map_err(|source| CliError::File {
            path: file.display().to_string(),
            source,
        })?;
        written.push(file);
    }
    print!("{}", plan.summary);
    let database = args
        .value("--database")
        .unwrap_or(colloquy_core::wire::vars::DB_NAME);
    match args.value("--apply") {
        None => {
            println!(
                "wrote {} SQL file(s) to {}; run them in order (add --remote for the deployed database):",
                written.len(),
                out.display()
            );
            for f in &written {
                println!(
                    "  npx wrangler d1 execute {database} --local --file {}",
                    f.display()
                );
            }
        }
        Some(place @ ("local" | "remote")) => {
            let mut progress = Progress::new("importing", written.len());
            for (i, f) in written.iter().enumerate() {
                apply(f, database, place, args.value("--persist-to"))?;
                progress.at(i + 1);
            }
            progress.done();
            println!(
                "imported into the {place} database {database} ({} file(s))",
                written.len()
            );
        }
        Some(other) => {
            return Err(CliError::Usage(format!(
                "--apply takes local or remote, not {other:?}"
            )))
        }
    }
    Ok(())
}

/// `npx wrangler d1 execute` one file (`COLLOQUY_WRANGLER` may name wrangler's JS entry
/// point to run with node instead of npx).
/// Tries of one file while the database is busy (a running `wrangler dev` writing the
/// same local D1 at that moment): every file can run again safely, so a busy database is
/// waited out, up to about half a minute.
const BUSY_TRIES: u32 = 6;

fn apply(
    file: &Path,
    database: &str,
    place: &str,
    persist_to: Option<&str>,
) -> Result<(), CliError> {
    let mut wait = std::time::Duration::from_millis(500);
    for attempt in 1..=BUSY_TRIES {
        let mut cmd = match std::env::var("COLLOQUY_WRANGLER") {
            Ok(js) => {
                let mut c = Command::new("node");
                c.arg(js);
                c
            }
            Err(_) => {
                let mut c = Command::new("npx");
                c.arg("wrangler");
                c
            }
        };
        cmd.args(["d1", "execute", database, &format!("--{place}"), "--yes"])
            .arg("--file")
            .arg(file)
            .env("CI", "true")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        if let Some(dir) = persist_to {
            cmd.args(["--persist-to", dir]);
        }
        let out = cmd
            .output()
            .map_err(|e| CliError::Wrangler(format!("could not run wrangler: {e}")))?;
        if out.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&out.stderr);
        let busy = said.contains("SQLITE_BUSY") || said.contains("database is locked");
        if busy && attempt < BUSY_TRIES {
            eprintln!(
                "colloquy: the database is busy; {} again in {:.1} s",
                file.display(),
                wait.as_secs_f64()
            );
            std::thread::sleep(wait);
            wait *= 2;
            continue;
        }
        eprint!("{said}");
        return Err(CliError::Wrangler(format!(
            "wrangler d1 execute failed on {} ({}); the files before it are imported, and running them all again is safe",
            file.display(),
            out.status
        )));
    }
    unreachable!("the last try returns")
}
