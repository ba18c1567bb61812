//! `cargo xtask dev`: the product running locally for a newcomer, rebuilt as it changes.
//! The widget, the Worker on a migrated and seeded local D1, the demo article on a second
//! origin; the widget is rebuilt whenever its sources change.

use std::time::Duration;

use crate::stack::{ensure_dev_vars, Config, Stack};
use crate::tools::{ensure_all, Need, Tools};
use crate::{build, demo_server, root, step, Result};

/// `cargo xtask dev`: everything a newcomer needs to see the widget live.
pub fn dev() -> Result<()> {
    let tools = ensure_all(Need::Build)?;
    build::widget(&tools)?;
    build::worker(&tools)?;
    let port = |var: &str, default: u16| {
        std::env::var(var)
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(default)
    };
    let state = root().join(".wrangler/state");
    let mut stack = Stack::start_seeded(
        &tools,
        &state,
        (
            port("COLLOQUY_API_PORT", 8787),
            port("COLLOQUY_DEMO_PORT", 8788),
        ),
        false,
        &Config {
            name: "dev",
            vars: Vec::new(),
            secrets: None,
            // COLLOQUY_DEV_SHARDS=2: two more local databases (DB1, DB2), to try new
            // sites landing in the emptiest and `colloquy move-site`.
            shards: ["DB1", "DB2", "DB3", "DB4"]
                .into_iter()
                .take(port("COLLOQUY_DEV_SHARDS", 0).into())
                .collect(),
        },
        None,
    )?;
    eprintln!();
    eprintln!("  Demo article with the widget:  {}/", stack.demo);
    let demo_query = colloquy_core::wire::endpoint::ThreadQuery {
        thread: demo_server::DEMO_THREAD.to_owned(),
        ..Default::default()
    };
    eprintln!(
        "  API:                           {}",
        demo_query.url(&stack.api)
    );
    eprintln!(
        "  Moderation console:            {}/admin/  (console key: {})",
        stack.api,
        ensure_dev_vars(&root())?
    );
    eprintln!("  Local D1 database:             {}", state.display());
    eprintln!(
        "\n  Editing the widget rebuilds it; the worker is rebuilt by wrangler. Ctrl-C stops."
    );
    rebuild_widget_on_change(tools);
    stack.wrangler.wait()
}

/// Watch the widget's and core's sources; rebuild the widget when they change. The build
/// replaces files in place, so the running server keeps serving the old version until
/// the new one is there, and a reload of the demo shows it. `wrangler dev` lists the
/// static assets when it (re)loads its configuration, so a new version's folder is only
/// served once `wrangler.toml` has been touched.
fn rebuild_widget_on_change(tools: Tools) {
    std::thread::spawn(move || {
        let watched = [
            "widget", "reader", "browser", "admin", "i18n/src", "core/src",
        ]
        .map(|p| root().join(p));
        let stamp = || watched.iter().filter_map(|p| build::newest(p)).max();
        let mut last = stamp();
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let now = stamp();
            if now != last {
                last = now;
                step("widget sources changed: rebuilding the widget");
                if let Err(e) = build::widget(&tools) {
                    eprintln!("xtask: widget build failed: {e}");
                    continue;
                }
                let touched = std::fs::File::options()
                    .append(true)
                    .open(root().join("wrangler.toml"))
                    .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                if let Err(e) = touched {
                    eprintln!("xtask: could not touch wrangler.toml: {e}");
                }
            }
        }
    });
}
