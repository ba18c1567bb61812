//! `cargo xtask scale`: the capacity model, measured. Four local D1 databases (`DB`,
//! `DB1`–`DB3`, migrated by wrangler as an operator's would be) are filled with 1,000
//! sites × 100 threads × 50 comments, spread evenly, written straight into the local
//! SQLite files (wrangler would take hours for five million rows; the rows are the ones
//! the Worker writes, under the same schema, triggers and indexes). Then `wrangler dev`
//! serves them while readers and writers work across every site (`scale_load.rs`), and
//! `docs/scale.md` gets the measured figures and the model built from them.

use std::time::Instant;

use colloquy_core::wire::vars;

use crate::procs::{free_port, run};
use crate::scale_gen::{counted, find_files, generate, Params, SHARDS};
use crate::stack::{self, Config, Stack};
use crate::tools::{ensure_all, Need};
use crate::{root, step, Result};

pub fn scale(args: &[String]) -> Result<()> {
    let p = Params::parse(args)?;
    let tools = ensure_all(Need::Build)?;
    crate::build::worker(&tools)?;
    let dir = root().join("target/scale");
    let state = dir.join("state");
    let sizes = format!("{} {} {}", p.sites, p.threads, p.comments);
    let made = state.join("generated.txt");
    let reused = p.reuse && std::fs::read_to_string(&made).is_ok_and(|s| s.trim() == sizes);
    let config = Config {
        name: "scale",
        vars: vec![
            (vars::MIN_SUBMIT_SECS, "0".into()),
            (vars::RATE_LIMITS, "100000/60,1000000/3600".into()),
            (vars::LIKE_RATE_LIMITS, "100000/60,1000000/3600".into()),
        ],
        secrets: Some(vec![
            (vars::COLLOQUY_SECRET, stack::random_secret()?),
            (vars::OWNER_KEY, stack::random_secret()?),
        ]),
        shards: SHARDS[1..].to_vec(),
    };
    if !reused {
        let _ = std::fs::remove_dir_all(&state);
        std::fs::create_dir_all(&state).map_err(|e| e.to_string())?;
        step("migrating four local D1 databases");
        run(&mut tools.local_d1(&state, &["migrations", "apply"]))?;
    }
    // (Migrations a reused state lacks are applied now.)
    stack::migrate_shards(&tools, &state, &config)?;
    if reused {
        run(&mut tools.local_d1(&state, &["migrations", "apply"]))?;
    }
    let files = find_files(&tools, &state)?;
    let started = Instant::now();
    let shards = if reused {
        step("reusing the databases generated before (--reuse)");
        counted(&files)?
    } else {
        step(&format!(
            "writing {} sites × {} threads × {} comments into them",
            p.sites, p.threads, p.comments
        ));
        let shards = generate(&files, &p)?;
        std::fs::write(&made, &sizes).map_err(|e| e.to_string())?;
        shards
    };
    let generated_secs = (!reused).then(|| started.elapsed().as_secs_f64());
    let wrangler_state = state.clone();
    let stack = Stack::start_on(
        &tools,
        &wrangler_state,
        (free_port()?, free_port()?),
        true,
        &config,
    )?;
    let load = crate::scale_load::run(&stack.api, &p)?;
    drop(stack);
    let checked = crate::scale_load::verify(&shards, &load)?;
    let report = crate::scale_load::report(&p, &shards, generated_secs, &load, &checked);
    std::fs::write(root().join("docs/scale.md"), &report).map_err(|e| e.to_string())?;
    print!("{report}");
    if checked.lost > 0 || checked.duplicated > 0 {
        return Err(format!(
            "{} comments lost, {} duplicated",
            checked.lost, checked.duplicated
        ));
    }
    Ok(())
}
