//! Past one D1 database: the shards deployment binds three more (`DB1`, `DB2`, `DB3`).
//! A new site goes to the emptiest and is read and written there; the operator moves it
//! to another with `colloquy move-site` while readers read and writers write — writes
//! wait (503 `site_moving`, `Retry-After`) and are sent again, and afterwards every
//! comment is in the new database exactly once, with its id, and nothing of the site is
//! left in the old one.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use colloquy_core::wire::api::{CommentId, LikeRequest, ThreadPage};
use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_core::wire::sites::{shard_index, MoveSite, SiteEntry, SiteList, ID_RANGE};
use colloquy_core::wire::vars;
use colloquy_e2e::console::Console;
use colloquy_e2e::d1;
use colloquy_e2e::deployments::env;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::sites::TestSite;
use colloquy_e2e::{env_url, unique_thread};

fn entry(operator: &Console, id: &str) -> SiteEntry {
    let list: SiteList = operator.get(AdminOp::Sites, "").expect(200);
    list.sites
        .into_iter()
        .find(|s| s.id == id)
        .expect("the site is listed")
}

/// `SELECT …` on one database of a copy of the deployment's local D1 (the running
/// Worker keeps writing to the live one).
fn rows(state: &str, binding: &str, sql: &str) -> Vec<serde_json::Value> {
    let out = d1::execute_in(state, binding, sql);
    serde_json::from_str::<serde_json::Value>(&out).unwrap()[0]["results"]
        .as_array()
        .unwrap()
        .clone()
}

/// The operator's command: `colloquy move-site`, with the operator's key.
fn move_with_cli(d: &Deployment, site: &str, to: &str) -> std::process::Output {
    Command::new(env_url(env::CLI))
        .args(["move-site", "--on", &d.api, "--site", site, "--to", to])
        .env("OWNER_KEY", d.secret(vars::OWNER_KEY))
        .output()
        .expect("run colloquy move-site")
}

#[test]
fn moves_that_would_lose_ids_or_the_main_site_are_refused() {
    let d = Deployment::shards();
    let operator = Console::login(&d);
    let to = |site: &str, to: &str| {
        operator.post(
            AdminOp::MoveSite,
            &MoveSite {
                site: site.into(),
                to: to.into(),
            },
        )
    };
    assert_eq!(to("default", "DB1").error(), (422, "site_invalid".into()));
    assert_eq!(
        to("no-such-site", "DB1").error(),
        (404, "site_not_found".into())
    );
    assert_eq!(to("", "DB1").error(), (404, "site_not_found".into()));
}

#[test]
fn a_site_lives_in_the_emptiest_database_and_moves_with_nothing_lost_or_doubled() {
    let d = Deployment::shards();
    let operator = Console::login(&d);
    let site = TestSite::new(&d, "moving");
    let placed = entry(&operator, &site.id);
    // The first database holds the directory and the demo's site: another is emptier.
    assert!(
        matches!(placed.shard.as_str(), "DB1" | "DB2"),
        "placed in {}",
        placed.shard
    );
    let index = shard_index(&placed.shard).unwrap();

    // Read and written there, numbered in that database's range.
    let thread = unique_thread("shard");
    let top = site
        .deployment
        .create_id(comment(&thread).body("Before the move"));
    let reply = site
        .deployment
        .create_id(comment(&thread).body("A reply before").reply_to(top));
    assert!(
        top.0 > index * ID_RANGE && top.0 < (index + 1) * ID_RANGE,
        "{top:?}"
    );
    let liked = site.deployment.write(
        Endpoint::Like(top),
        &LikeRequest {
            reader: "r".repeat(32),
        },
    );
    assert_eq!(liked.status, 200, "{}", liked.text);

    // Refused before anything starts: down, nowhere, where it is; and not by its owner.
    let move_to = |to: &str| {
        operator.post(
            AdminOp::MoveSite,
            &MoveSite {
                site: site.id.clone(),
                to: to.into(),
            },
        )
    };
    for refused in ["DB", "DB9", "nonsense"] {
        let reply = move_to(refused);
        assert_eq!(reply.error(), (422, "site_invalid".into()), "{refused}");
        assert!(
            reply.json()["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Not moved: "),
            "{}",
            reply.text
        );
    }
    // Where it is already: nothing to do (a command run again after its move ended).
    let there: serde_json::Value = move_to(&placed.shard).expect(200);
    assert_eq!(there["phase"], "done", "{there}");
    let owner = site.console(&d);
    assert_eq!(
        owner
            .post(
                AdminOp::MoveSite,
                &MoveSite {
                    site: site.id.clone(),
                    to: "DB3".into(),
                },
            )
            .error(),
        (403, "operator_only".into())
    );

    // The move, by the operator's command, while a reader reads and a writer writes.
    let moving = AtomicBool::new(true);
    let written: Mutex<Vec<(String, CommentId)>> = Mutex::new(Vec::new());
    let held = Mutex::new(Vec::new());
    let read_failures = Mutex::new(Vec::new());
    let cli = std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut n = 0;
            while moving.load(Ordering::Relaxed) {
                n += 1;
                let body = format!("During the move, number {n}");
                // Sent again until it is taken, as the widget keeps the text and retries.
                loop {
                    let reply = site
                        .deployment
                        .post(&comment(&thread).body(&body).reply_to(top).build());
                    if reply.status == 201 {
                        let id = reply.json()["comment"]["id"].as_i64().unwrap();
                        written.lock().unwrap().push((body.clone(), CommentId(id)));
                        break;
                    }
                    held.lock().unwrap().push((
                        reply.status,
                        reply.error_code(),
                        reply.header("retry-after").map(str::to_owned),
                    ));
                    std::thread::sleep(std::time::Duration::from_millis(300));
                }
                std::thread::sleep(std::time::Duration::from_millis(150));
            }
        });
        scope.spawn(|| {
            while moving.load(Ordering::Relaxed) {
                let reply = site.deployment.list_thread(&thread);
                if reply.status != 200 {
                    read_failures.lock().unwrap().push(reply.text.clone());
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        // Let both start before the move does.
        std::thread::sleep(std::time::Duration::from_millis(500));
        let out = move_with_cli(&d, &site.id, "DB3");
        // A write or two after writes resumed.
        std::thread::sleep(std::time::Duration::from_millis(800));
        moving.store(false, Ordering::Relaxed);
        out
    });
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&cli.stdout),
        String::from_utf8_lossy(&cli.stderr)
    );
    assert!(cli.status.success(), "{said}");
    assert!(said.contains("held") && said.contains("done"), "{said}");
    // Run again once it is over (as a script would): nothing to do, and no error.
    let again = move_with_cli(&d, &site.id, "DB3");
    assert!(
        again.status.success() && String::from_utf8_lossy(&again.stdout).contains("DB3"),
        "{}{}",
        String::from_utf8_lossy(&again.stdout),
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(
        read_failures.lock().unwrap().is_empty(),
        "reads failed during the move: {:?}",
        read_failures.lock().unwrap()
    );
    let held = held.into_inner().unwrap();
    assert!(
        !held.is_empty(),
        "no write was held: the move did not hold writes"
    );
    for (status, code, retry) in &held {
        assert_eq!(
            (*status, code.as_str()),
            (503, "site_moving"),
            "a write failed otherwise: {held:?}"
        );
        assert!(retry.is_some(), "503 without Retry-After");
    }
    let written = written.into_inner().unwrap();
    assert!(written.len() >= 2, "{written:?}");

    // The directory names DB3; the site is read from there.
    let after = entry(&operator, &site.id);
    assert_eq!((after.shard.as_str(), after.moving_to), ("DB3", None));
    let page: ThreadPage = site.deployment.list_thread(&thread).expect(200);
    assert_eq!(page.comments[0].id, top, "same ids");
    assert_eq!(page.comments[0].likes, 1, "likes came along");
    // Written after the move: numbered in DB3's range.
    let later = site
        .deployment
        .create_id(comment(&thread).body("After the move"));
    assert!(later.0 > 3 * ID_RANGE, "{later:?}");

    // Every comment exactly once in DB3, none left in the old database.
    let state = d1::snapshot(&d.state());
    let in_db3 = rows(
        &state,
        "DB3",
        &format!(
            "SELECT id, body_markdown FROM comments WHERE site_id = '{}'",
            site.id
        ),
    );
    let mut bodies: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in &in_db3 {
        bodies
            .entry(row["body_markdown"].as_str().unwrap().to_owned())
            .or_default()
            .push(row["id"].as_i64().unwrap());
    }
    let mut expected: Vec<(String, CommentId)> = written.clone();
    expected.push(("Before the move".into(), top));
    expected.push(("A reply before".into(), reply));
    expected.push(("After the move".into(), later));
    for (body, id) in &expected {
        assert_eq!(bodies.get(body), Some(&vec![id.0]), "{body}: {bodies:?}");
    }
    assert_eq!(in_db3.len(), expected.len(), "nothing else: {bodies:?}");
    for table in ["comments", "threads", "sites"] {
        let column = if table == "sites" { "id" } else { "site_id" };
        let left = rows(
            &state,
            &placed.shard,
            &format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE {column} = '{}'",
                site.id
            ),
        );
        assert_eq!(
            left[0]["n"], 0,
            "{table} of the site left in {}",
            placed.shard
        );
    }
    let _ = std::fs::remove_dir_all(&state);
}
