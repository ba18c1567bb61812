//! A deployment's local D1, looked at and changed the way an operator would: `wrangler d1
//! execute` on its `--persist-to` folder, or on a copy of it.

use crate::deployments::env;

/// Run `sql` on a deployment's local D1 (its `--persist-to` folder) through wrangler, as
/// an operator would; what it printed (`--json`). The running deployment may hold the
/// database for a moment (`SQLITE_BUSY`): then again, a little later.
pub fn execute(state: &str, sql: &str) -> String {
    execute_in(state, colloquy_core::wire::sites::FIRST_SHARD, sql)
}

/// [`execute`] on the deployment's database bound as `binding` (`DB`, `DB1`, …).
pub fn execute_in(state: &str, binding: &str, sql: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (database, config) = if binding == colloquy_core::wire::sites::FIRST_SHARD {
        (colloquy_core::wire::vars::DB_NAME.to_owned(), Vec::new())
    } else {
        let config = std::path::Path::new(state).join(crate::deployments::SHARDS_CONFIG);
        (
            crate::deployments::shard_database(binding),
            vec!["--config".to_owned(), config.to_string_lossy().into_owned()],
        )
    };
    let mut last = String::new();
    for _ in 0..20 {
        let out = std::process::Command::new("node")
            .arg(crate::env_url(env::WRANGLER))
            .args([
                "d1",
                "execute",
                &database,
                "--local",
                "--json",
                "--persist-to",
                state,
            ])
            .args(&config)
            .args(["--command", sql])
            .env("CI", "true")
            .env("WRANGLER_SEND_METRICS", "false")
            .current_dir(&root)
            .output()
            .expect("run wrangler d1 execute");
        if out.status.success() {
            return String::from_utf8_lossy(&out.stdout).into_owned();
        }
        last = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(last.contains("SQLITE_BUSY"), "{last}");
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("the database stayed busy: {last}");
}

/// A copy of a deployment's `--persist-to` folder (its D1 files only) in a new folder.
pub fn snapshot(state: &str) -> String {
    let from = std::path::Path::new(state);
    let to = std::env::temp_dir().join(format!("colloquy-d1-copy-{}", crate::http::random_u64()));
    let d1 = std::path::Path::new("v3").join("d1");
    let mut stack = vec![d1];
    while let Some(rel) = stack.pop() {
        std::fs::create_dir_all(to.join(&rel)).unwrap();
        for entry in std::fs::read_dir(from.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let name = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                stack.push(name);
            } else if !name.to_string_lossy().ends_with("-shm") {
                // (The shared-memory index is rebuilt from the log by the first opener.)
                std::fs::copy(entry.path(), to.join(&name)).unwrap();
            }
        }
    }
    // The configuration naming a deployment's other databases, if it has them.
    let config = from.join(crate::deployments::SHARDS_CONFIG);
    if config.exists() {
        std::fs::copy(&config, to.join(crate::deployments::SHARDS_CONFIG)).unwrap();
    }
    to.to_string_lossy().into_owned()
}
