//! Starting deployments of the product, one [`Stack`] each: a local D1, `wrangler dev`
//! (API and widget) and the demo page. `cargo xtask dev` starts one, the benchmark one,
//! the suite every test deployment of [`crate::deployments`], side by side.

use std::path::{Path, PathBuf};
use std::time::Duration;

use colloquy_core::wire::vars;

use crate::deployments::{self, Spec, Value};
use crate::procs::{free_port, run, wait_for_http, Service};
use crate::tools::Tools;
use crate::{demo_server, root, step, Result};

/// One deployment's settings as wrangler gets them: the table's (or `dev`'s, or the
/// benchmark's), with what is known only now filled in.
pub(crate) struct Config {
    pub(crate) name: &'static str,
    /// `[vars]` overrides.
    pub(crate) vars: Vec<(&'static str, String)>,
    /// Secrets, given to wrangler as an env file (as `wrangler secret put` would in
    /// production). `None`: the checkout's `.dev.vars`.
    pub(crate) secrets: Option<Vec<(&'static str, String)>>,
    /// D1 bindings beyond `DB`, each a local database of its own.
    pub(crate) shards: Vec<&'static str>,
}

/// The local stand-ins the test deployments point at.
pub(crate) struct Fakes {
    /// Turnstile's verifier and script, and Gravatar's images (`fake_turnstile.rs`).
    pub(crate) turnstile: String,
    /// Webhook receivers and the mail API (`fake_receiver.rs`).
    pub(crate) receiver: String,
}

impl Config {
    /// A row of the table, its values filled in: the fakes' addresses, fresh secrets.
    pub(crate) fn of(spec: &Spec, fakes: &Fakes) -> Result<Config> {
        let value = |v: &Value| -> Result<String> {
            Ok(match v {
                Value::Text(text) => (*text).to_owned(),
                Value::FakeTurnstile(path) => format!("{}{path}", fakes.turnstile),
                Value::Receiver(path) => format!("{}{path}", fakes.receiver),
                Value::Random => random_secret()?,
            })
        };
        let all = |list: &[(&'static str, Value)]| -> Result<Vec<(&'static str, String)>> {
            list.iter().map(|(n, v)| Ok((*n, value(v)?))).collect()
        };
        Ok(Config {
            name: spec.name,
            vars: all(spec.vars)?,
            secrets: Some(all(spec.secrets)?),
            shards: spec.shards.to_vec(),
        })
    }
}

/// Local secrets live in `.dev.vars` (git-ignored), which wrangler dev reads. The signing
/// secret and the console key are generated once per checkout, so no secret is ever
/// committed. Returns the console key (`OWNER_KEY`).
pub(crate) fn ensure_dev_vars(root: &Path) -> Result<String> {
    let path = root.join(".dev.vars");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    let value = |text: &str, name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
    };
    let mut changed = false;
    for name in [vars::COLLOQUY_SECRET, vars::OWNER_KEY] {
        if value(&text, name).is_none() {
            step(&format!("generating a local {name} in .dev.vars"));
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&format!("{name}={}\n", random_secret()?));
            changed = true;
        }
    }
    if changed {
        std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    value(&text, vars::OWNER_KEY).ok_or_else(|| format!("no {} in .dev.vars", vars::OWNER_KEY))
}

/// Migrate the local D1 in `state` and seed it with the demo (and `seed`).
pub(crate) fn migrate_and_seed(tools: &Tools, state: &Path, seed: Option<&Path>) -> Result<()> {
    run(&mut tools.local_d1(state, &["migrations", "apply"]))?;
    let seeds = [Some(Path::new("demo/seed.sql")), seed];
    for file in seeds.into_iter().flatten() {
        run(tools.local_d1(state, &["execute"]).arg("--file").arg(file))?;
    }
    Ok(())
}

/// Copy a folder (a local D1's state) with everything in it.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

/// A running worker and demo page. Dropping it stops wrangler (in test mode).
pub(crate) struct Stack {
    pub(crate) api: String,
    pub(crate) demo: String,
    /// Where its local D1 lives.
    pub(crate) state: PathBuf,
    pub(crate) wrangler: Service,
    _demo_server: std::thread::JoinHandle<()>,
}

impl Stack {
    /// Migrate and seed the D1 state in `state` (the demo's seed, then `seed`, an SQL
    /// file), then start both servers.
    pub(crate) fn start_seeded(
        tools: &Tools,
        state: &Path,
        ports: (u16, u16),
        own_group: bool,
        config: &Config,
        seed: Option<&Path>,
    ) -> Result<Self> {
        ensure_dev_vars(&root())?;
        std::fs::create_dir_all(state).map_err(|e| format!("{}: {e}", state.display()))?;
        step(&format!(
            "{}: applying D1 migrations to the local database in {}",
            config.name,
            state.display()
        ));
        migrate_and_seed(tools, state, seed)?;
        migrate_shards(tools, state, config)?;
        Self::start_on(tools, state, ports, own_group, config)
    }

    /// Both servers on a copy of `template`'s database (migrated and seeded once for
    /// every deployment of a run, instead of once each).
    fn start_copy(
        tools: &Tools,
        template: &Path,
        state: &Path,
        ports: (u16, u16),
        own_group: bool,
        config: &Config,
    ) -> Result<Self> {
        let _ = std::fs::remove_dir_all(state);
        copy_dir(template, state)?;
        migrate_shards(tools, state, config)?;
        Self::start_on(tools, state, ports, own_group, config)
    }

    /// Both servers on the D1 state in `state`, as it is.
    pub(crate) fn start_on(
        tools: &Tools,
        state: &Path,
        ports: (u16, u16),
        own_group: bool,
        config: &Config,
    ) -> Result<Self> {
        let (api_port, demo_port) = ports;
        let persist = state.to_string_lossy().into_owned();
        let api = format!("http://127.0.0.1:{api_port}");
        // The demo's port is taken by binding it (0: any free one).
        let (demo_server, demo_port) = demo_server::start(
            demo_port,
            api.clone(),
            demo_server::extra_sources(&config.vars),
        )?;
        let demo = format!("http://127.0.0.1:{demo_port}");
        step(&format!("{}: starting wrangler dev on {api}", config.name));
        let origins = format!(
            "{}:{demo},http://localhost:{demo_port}",
            vars::ALLOWED_ORIGINS
        );
        let mut cmd = tools.wrangler();
        cmd.args([
            "dev",
            "--local",
            "--ip",
            "127.0.0.1",
            "--port",
            &api_port.to_string(),
        ])
        .args(["--inspector-port", &free_port()?.to_string()])
        .args(["--persist-to", &persist, "--var", &origins])
        .arg("--show-interactive-dev-session=false")
        .args(if config.shards.is_empty() {
            Vec::new()
        } else {
            vec![
                "--config".to_owned(),
                state
                    .join(deployments::SHARDS_CONFIG)
                    .to_string_lossy()
                    .into_owned(),
            ]
        })
        // `/__scheduled` runs the Cron Trigger on request (retries, the digest).
        .arg("--test-scheduled");
        for (name, value) in &config.vars {
            cmd.args(["--var", &format!("{name}:{value}")]);
        }
        if let Some(secrets) = &config.secrets {
            let file = state.join("secrets.env");
            let text: String = secrets.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
            cmd.arg("--env-file").arg(&file);
        } else if !config.shards.is_empty() {
            // The configuration is in the state folder: the checkout's .dev.vars is not
            // beside it.
            cmd.arg("--env-file").arg(root().join(".dev.vars"));
        }
        let mut wrangler = Service::spawn("wrangler dev", &mut cmd, own_group)?;
        // The first start may compile the worker inside wrangler's [build] step.
        wait_for_http(
            &mut wrangler,
            &colloquy_core::wire::endpoint::Endpoint::Health.url(&api),
            Duration::from_secs(1200),
        )?;
        Ok(Stack {
            api,
            demo,
            state: state.to_path_buf(),
            wrangler,
            _demo_server: demo_server,
        })
    }
}

/// Every deployment of [`deployments::ALL`], side by side, each on its own copy of one
/// local D1 (migrated and seeded once, in `state/template`) in `state/<name>`; in the
/// table's order.
pub(crate) fn start_test_deployments(
    tools: &Tools,
    state: &Path,
    fakes: &Fakes,
) -> Result<Vec<Stack>> {
    let configs = deployments::ALL
        .iter()
        .map(|spec| Config::of(spec, fakes))
        .collect::<Result<Vec<_>>>()?;
    let count = configs.len();
    let template = state.join("template");
    step(&format!(
        "migrating and seeding one local D1 for the {count} test deployments"
    ));
    migrate_and_seed(tools, &template, None)?;
    step(&format!("starting {count} test deployments side by side"));
    let started: Vec<Result<Stack>> = std::thread::scope(|scope| {
        let handles: Vec<_> = configs
            .iter()
            .map(|config| {
                let (dir, template) = (state.join(config.name), &template);
                scope.spawn(move || {
                    // A port found free can be taken by another process before wrangler
                    // binds it (the deployments pick ~20 ports at once): try again with
                    // new ports rather than fail the run.
                    let mut attempt = 1;
                    loop {
                        match Stack::start_copy(
                            tools,
                            template,
                            &dir,
                            (free_port()?, 0),
                            true,
                            config,
                        ) {
                            Ok(stack) => return Ok(stack),
                            Err(e) if attempt < 3 && e.contains("exited early") => {
                                eprintln!(
                                    "xtask: {}: {e}; starting it again on other ports",
                                    config.name
                                );
                                attempt += 1;
                            }
                            Err(e) => return Err(e),
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a stack thread panicked".into()))
            })
            .collect()
    });
    started.into_iter().collect()
}

/// The configuration's other databases (`config.shards`), in `state`: its wrangler.toml
/// written, each database migrated.
pub(crate) fn migrate_shards(tools: &Tools, state: &Path, config: &Config) -> Result<()> {
    if config.shards.is_empty() {
        return Ok(());
    }
    let file = shard_config(state, &config.shards)?;
    for binding in &config.shards {
        let database = deployments::shard_database(binding);
        run(tools
            .local_d1_on(state, &database, &["migrations", "apply"])
            .arg("--config")
            .arg(&file))?;
    }
    Ok(())
}

/// A copy of the checkout's `wrangler.toml` in `state` with the D1 bindings `shards`
/// added (a local database each), its paths made absolute: the configuration an operator
/// with several databases writes.
fn shard_config(state: &Path, shards: &[&'static str]) -> Result<PathBuf> {
    let root = root();
    let abs = |rel: &str| root.join(rel).to_string_lossy().into_owned();
    let text = std::fs::read_to_string(root.join("wrangler.toml"))
        .map_err(|e| format!("wrangler.toml: {e}"))?;
    let mut out = String::new();
    for line in text.lines() {
        let line = match line.split_once(" = ") {
            Some(("main", v)) => format!("main = {:?}", abs(v.trim_matches('"'))),
            Some(("directory", v)) => format!("directory = {:?}", abs(v.trim_matches('"'))),
            Some(("migrations_dir", v)) => {
                format!("migrations_dir = {:?}", abs(v.trim_matches('"')))
            }
            Some(("watch_dir", _)) => format!(
                "watch_dir = [{}]",
                ["worker/src", "core/src", "markup/src", "i18n/src"]
                    .map(|d| format!("{:?}", abs(d)))
                    .join(", ")
            ),
            Some(("command", v)) => format!("command = {v}\ncwd = {:?}", abs(".")),
            _ => line.to_owned(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    for (k, binding) in shards.iter().enumerate() {
        out.push_str(&format!(
            "\n[[d1_databases]]\nbinding = {binding:?}\ndatabase_name = {:?}\n\
             database_id = \"00000000-0000-0000-0000-0000000000{:02}\"\nmigrations_dir = {:?}\n",
            deployments::shard_database(binding),
            k + 1,
            abs("migrations")
        ));
    }
    let file = state.join(deployments::SHARDS_CONFIG);
    std::fs::write(&file, out).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(file)
}

/// A fresh random secret of 32 bytes, hex.
pub(crate) fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
