//! `cargo xtask load [seconds]`: the suite's load test, longer and heavier.
//! The end-to-end module `load`, with more readers and writers, against the same local
//! stack (loopback only); the figures go to `docs/load.md`.

use crate::deployments::env;
use crate::{root, Result};

/// Run the load test for `args[0]` seconds (30 by default) and write `docs/load.md`.
pub fn load(args: &[String]) -> Result<()> {
    let secs: u64 = args
        .first()
        .map(|a| {
            a.parse()
                .map_err(|_| format!("not a number of seconds: {a}"))
        })
        .transpose()?
        .unwrap_or(30);
    std::env::set_var(env::LOAD_SECS, secs.to_string());
    std::env::set_var(env::LOAD_READERS, "16");
    std::env::set_var(env::LOAD_WRITERS, "8");
    crate::suite::test(&["--only".to_owned(), "load".to_owned()])?;
    let root = root();
    let figures = std::fs::read_to_string(root.join("target/reports/load.md"))
        .map_err(|e| format!("target/reports/load.md: {e}"))?;
    let report = format!(
        "# Load test\n\n`cargo xtask load {secs}` against `wrangler dev` on this machine (2 cores, \
         everything on loopback: the test client, workerd and its local D1 share the two cores).\n\n\
         {figures}\n\
         What limits these figures is the local stack — one workerd process and SQLite behind \
         it, on the same two cores as the client — not the product: on Cloudflare, reads of an \
         unchanged thread come from the edge cache without D1, and writes go to D1's primary.\n"
    );
    std::fs::write(root.join("docs/load.md"), &report).map_err(|e| e.to_string())?;
    print!("{report}");
    Ok(())
}
