//! `colloquy move-site --on <worker> --site <id> --to <DB1…>`: move a site to another of
//! the deployment's D1 databases. The Worker does the work, a bounded part per request
//! (see `colloquy_core::db::shards::moving`); this command asks again until the move is
//! over, waiting as long as the Worker says. Stopped half-way, it is simply run again:
//! the move goes on from where it got to.

use std::time::Duration;

use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::sites::{MoveProgress, MoveSite};

use crate::args::Args;
use crate::error::CliError;

/// Requests one move may take before the command gives up (each copies or removes up to
/// 20 pages of 50 rows: far more than any site holds).
const REQUESTS_MAX: u32 = 100_000;

pub fn run(raw: &[String]) -> Result<(), CliError> {
    let args = Args::parse(raw, &["--on", "--site", "--to"])?;
    let need = |name: &str, what: &str| {
        args.value(name)
            .map(str::to_owned)
            .ok_or_else(|| CliError::Usage(format!("move-site needs {name} <{what}>")))
    };
    let (base, site, to) = (
        need("--on", "worker url")?,
        need("--site", "site id")?,
        need("--to", "database binding")?,
    );
    // The operator's key opens the deployment's own console, where moves are made.
    let session = crate::console::Session::login(&base, None)?;
    let request = MoveSite {
        site: site.clone(),
        to,
    };
    let mut last_phase = String::new();
    for _ in 0..REQUESTS_MAX {
        let progress: MoveProgress = session.post(AdminOp::MoveSite, &request)?;
        if progress.phase != last_phase {
            let wait = match progress.wait_ms / 1000 {
                0 => String::new(),
                secs => format!(" (next step in {secs} s)"),
            };
            eprintln!(
                "{site}: {} → {}: {}{wait}",
                progress.from, progress.to, progress.phase
            );
            last_phase.clone_from(&progress.phase);
        }
        match progress.phase.as_str() {
            "done" => {
                println!("{site} is in {} now", progress.to);
                session.logout();
                return Ok(());
            }
            "undone" => {
                session.logout();
                return Err(CliError::Http(format!(
                    "the copy in {} did not match the original: it was removed and {site} \
                     stays in {}",
                    progress.to, progress.from
                )));
            }
            _ => std::thread::sleep(Duration::from_millis(progress.wait_ms.min(60_000))),
        }
    }
    Err(CliError::Http(format!(
        "{site}: the move did not end after {REQUESTS_MAX} requests; run the command again"
    )))
}
