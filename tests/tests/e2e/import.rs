//! The `colloquy` command against a running Worker: an import written into the owner
//! deployment's local D1 by wrangler (as an owner would run it) shows to readers with its
//! nesting, a second run adds nothing, the Cron Trigger hashes the imported emails so
//! the console finds their comments by address, and `colloquy export` writes it all back.

use colloquy_core::wire::console::query::PersonQuery;
use std::process::Command;

use colloquy_core::wire::console::{Export, ExportFile};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_e2e::console::{owner_key, Console};
use colloquy_e2e::deployments::env;
use colloquy_e2e::env_url;
use colloquy_e2e::fixtures::Deployment;
use colloquy_e2e::http::request;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Run `colloquy` with `args`; its standard output.
fn colloquy(args: &[&str]) -> String {
    let out = Command::new(env_url(env::CLI))
        .args(args)
        .env("COLLOQUY_WRANGLER", env_url(env::WRANGLER))
        .env("OWNER_KEY", owner_key())
        .current_dir(root())
        .output()
        .expect("run colloquy");
    assert!(
        out.status.success(),
        "colloquy {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_wordpress_import_shows_to_readers_once_and_exports_back() {
    let d = Deployment::owner();
    // Readers' counts across the site are asserted: no other import or settings change
    // meanwhile.
    let _site_wide = d.lock();
    let state = d.state();
    let out = std::env::temp_dir().join(format!("colloquy-import-{}", std::process::id()));
    let out = out.to_string_lossy().into_owned();
    let file = root().join("testdata/import/wordpress.xml");
    let file = file.to_string_lossy();
    let args = [
        "import",
        "wordpress",
        &file,
        "--out",
        &out,
        "--apply",
        "local",
        "--persist-to",
        &state,
    ];
    let summary = colloquy(&args);
    assert!(
        summary.starts_with("2 threads, 6 comments (3 top-level, 3 replies), 1 pending, 1 spam"),
        "{summary}"
    );

    // Readers see the published ones, nested, and not the pending or the spam.
    let page = d.embed("/2024/communities/");
    assert!(
        page.contains("Željka Novak") && page.contains("reply two, deeper"),
        "{page}"
    );
    assert!(!page.contains("reply three, deepest") && !page.contains("cheap pills"));
    assert!(!page.contains("alert("), "imported scripts are inert");
    let nested = page.find("reply one").unwrap() > page.find("Čudovito").unwrap();
    assert!(nested);
    assert!(
        page.contains("3 comments") || page.contains("3 thoughts"),
        "the count: {page}"
    );

    // Again: nothing new.
    colloquy(&args);
    let console = Console::login(&d);
    let export = |email: &str| -> Export {
        console
            .get(
                AdminOp::Export,
                &PersonQuery {
                    email: email.to_string(),
                }
                .to_query(),
            )
            .expect(200)
    };
    // The Cron Trigger hashes imported emails; then the console finds them by address.
    let cron = request(
        "GET",
        &format!("{}/__scheduled?cron=*%2F5+*+*+*+*", d.api),
        &[],
        b"",
    );
    assert_eq!(cron.status, 200);
    let zeljka = export("zeljka@example.org");
    assert_eq!(zeljka.comments.len(), 1, "imported once, found by email");

    // `colloquy export` writes the site; it holds the imported tree.
    let json_out = format!("{out}/export.json");
    colloquy(&["export", "--from", &d.api, "--out", &json_out]);
    let exported: ExportFile =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    let thread = exported
        .threads
        .iter()
        .find(|t| t.key == "/2024/communities/")
        .expect("the imported thread");
    assert_eq!(thread.comments.len(), 5);
    let deepest = thread.comments.iter().find(|c| c.author == "Dee").unwrap();
    assert_eq!(deepest.status, "pending");
    assert_eq!(deepest.import_id.as_deref(), Some("wordpress:42:4"));
    // Importing the export into the same site adds nothing either.
    let before = d.page("/2024/communities/").total;
    colloquy(&[
        "import",
        "colloquy",
        &json_out,
        "--out",
        &out,
        "--apply",
        "local",
        "--persist-to",
        &state,
    ]);
    assert_eq!(
        d.page("/2024/communities/").total,
        before,
        "no comment twice"
    );
    assert_eq!(
        export("zeljka@example.org").comments.len(),
        1,
        "no duplicate"
    );

    // Straight to the running Worker, in batches through the console API.
    let remark = root().join("testdata/import/remark42.jsonl");
    let sent = colloquy(&[
        "import",
        "remark42",
        &remark.to_string_lossy(),
        "--to",
        &d.api,
    ]);
    assert!(sent.contains("sent to"), "{sent}");
    let page = d.embed("/2024/communities/");
    assert!(page.contains("Ответ") && page.contains("Remark"), "{page}");
    assert!(!page.contains("<script>x"), "inert");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_sites_own_export_imported_back_into_it_adds_nothing() {
    use colloquy_e2e::fixtures::comment;
    let d = Deployment::owner();
    let _site_wide = d.lock();
    let thread = colloquy_e2e::unique_thread("import-roundtrip");
    let first = d.create_id(comment(&thread).body("Written on the site"));
    d.create_id(comment(&thread).body("And a reply to it").reply_to(first));
    assert_eq!(d.page(&thread).total, 2);
    let out = std::env::temp_dir().join(format!("colloquy-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let json_out = out.join("export.json").to_string_lossy().into_owned();
    colloquy(&["export", "--from", &d.api, "--out", &json_out]);
    let exported: ExportFile =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    let mine = exported.threads.iter().find(|t| t.key == thread).unwrap();
    assert_eq!(mine.comments.len(), 2);
    assert!(
        mine.comments.iter().all(|c| c.import_id.is_none()),
        "comments written here have no import id of their own"
    );
    // Into the same site, through the running Worker: nothing is added, anywhere.
    let sent = colloquy(&["import", "colloquy", &json_out, "--to", &d.api]);
    assert!(
        sent.contains(": 0 new comments, "),
        "it says nothing was new: {sent}"
    );
    let page = d.page(&thread);
    assert_eq!(page.total, 2, "a thread of two comments still has two");
    let embed = d.embed(&thread);
    assert_eq!(embed.matches("Written on the site").count(), 1, "{embed}");
    let _ = std::fs::remove_dir_all(&out);
}
