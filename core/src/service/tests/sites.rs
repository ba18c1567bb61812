//! Two sites in one database, through the console's service: site B's owner reaches
//! nothing of site A — not by comment id, not by email, not by session, not in the lists,
//! the counts, the audit or the blocks.

use super::fixtures::*;
use crate::db::exec::SqlStore;
use crate::domain::site::SiteConfig;
use crate::service::Service;
use crate::wire::console::Tab;
use crate::wire::error::ErrorCode;
use crate::wire::moderation::Decision;

const KEY: &str = "the-console-key-0123456789abcdef0123";

/// Site B's row beside the fixture's site (threads refer to it).
fn site_b_row(f: &Fixture) {
    block(crate::db::exec::SqlExec::rows(
        f.store.exec(),
        crate::db::exec::Query::new(
            "INSERT INTO sites (id, name, created_at) VALUES ('b', 'B', 0)",
            vec![],
        ),
    ))
    .unwrap();
}

#[test]
fn one_sites_console_reaches_nothing_of_another() {
    let f = Fixture::new();
    let a = f.svc();
    let id = f.post("/shared-key/", "ana@example.org", "Site A's comment");
    block(a.login(KEY, Some(KEY), "token-a", "203.0.113.9", T0, 600)).unwrap();
    block(a.audit("owner", "approve", "comment 1", None, T0)).unwrap();
    block(a.block_author(id, true, false, T0)).unwrap();

    site_b_row(&f);
    let store_b = SqlStore::new(f.store.exec(), "b");
    let site_b = SiteConfig {
        origins: vec!["https://b.example.net".into()],
        ..SiteConfig::new("b")
    };
    let b = Service::new(&store_b, &site_b, &f.keys);

    // Lists, counts and statistics hold none of A's comments.
    for tab in [Tab::All, Tab::Pending, Tab::Published, Tab::Trash] {
        let list = block(b.owner_comments(tab, None, None)).unwrap();
        assert!(list.comments.is_empty(), "{tab:?}");
        assert_eq!(list.total, 0, "{tab:?}");
    }
    let found = block(b.owner_comments(Tab::All, Some("Site A"), None)).unwrap();
    assert!(found.comments.is_empty(), "a search");
    assert_eq!(block(b.tab_counts()).unwrap().pending, 0);
    assert!(block(b.owner_threads(T0)).unwrap().threads.is_empty());

    // By id: nothing found, nothing changed.
    for decision in [Decision::Spam, Decision::Trash, Decision::Hold] {
        let done = block(b.moderate(&[id], decision, T0 + 1)).unwrap();
        assert_eq!(done, Default::default(), "{decision:?}");
    }
    assert_eq!(
        block(b.block_author(id, true, true, T0))
            .unwrap_err()
            .code(),
        ErrorCode::CommentNotFound
    );
    assert_eq!(
        block(b.purge_author(id, T0)).unwrap_err().code(),
        ErrorCode::CommentNotFound
    );

    // By email: an export finds nothing, an erasure erases nothing of A's.
    let export = block(b.export("ana@example.org", T0)).unwrap();
    assert!(export.comments.is_empty());
    block(b.erase("ana@example.org", T0)).unwrap();
    let kept = block(a.owner_comments(Tab::All, None, None)).unwrap();
    assert_eq!(kept.comments.len(), 1);
    assert_eq!(kept.comments[0].author, "Ana");

    // Sessions, the audit list and blocks are the site's own.
    assert_eq!(
        block(b.session("token-a", Some(KEY), T0 + 1))
            .unwrap_err()
            .code(),
        ErrorCode::Unauthorized,
        "A's session on B"
    );
    block(b.logout_everywhere()).unwrap();
    assert!(block(a.session("token-a", Some(KEY), T0 + 1)).is_ok());
    assert!(block(b.audit_list(None, None)).unwrap().entries.is_empty());
    assert!(block(b.blocks()).unwrap().blocks.is_empty());
    assert_eq!(block(a.blocks()).unwrap().blocks.len(), 1);
}

#[test]
fn the_operator_adds_sites_that_claim_no_one_elses_origin() {
    fn code<T: std::fmt::Debug>(r: Result<T, crate::service::error::ServiceError>) -> ErrorCode {
        r.unwrap_err().code()
    }
    use crate::db::sites::Directory;
    use crate::service::sites::SiteAdmin;
    use crate::wire::sites::NewSite;
    let f = Fixture::new();
    let directory = Directory::new(f.store.exec());
    let main_origins = vec!["https://blog.example.org".to_owned()];
    let reserved = vec!["https://comments.example.org".to_owned()];
    let admin = SiteAdmin {
        directory: &directory,
        keys: &f.keys,
        main_site: "default",
        main_origins: &main_origins,
        reserved: &reserved,
    };
    let new = |id: &str, origins: &[&str]| NewSite {
        id: id.into(),
        name: format!("Site {id}"),
        origins: origins.iter().map(|o| o.to_string()).collect(),
    };
    // Written as people write them, stored as browsers send them.
    let made = block(admin.create(
        &new(
            "b",
            &["HTTPS://B.Example.NET:443/", "https://b.example.net"],
        ),
        T0,
    ))
    .unwrap();
    assert_eq!(made.origins, vec!["https://b.example.net"]);
    assert!(!made.main && !made.has_key);
    for (bad, why) in [
        (new("B", &["https://c.example.net"]), "upper case"),
        (new("", &["https://c.example.net"]), "no id"),
        (new("c", &[]), "no origin"),
        (new("c", &["c.example.net"]), "no scheme"),
        (new("c", &["https://c.example.net/blog"]), "a path"),
        (new("c", &["https://user@c.example.net"]), "a user"),
    ] {
        assert_eq!(
            code(block(admin.create(&bad, T0))),
            ErrorCode::SiteInvalid,
            "{why}"
        );
    }
    assert_eq!(
        code(block(
            admin.create(&new("b", &["https://other.example.net"]), T0)
        )),
        ErrorCode::SiteExists
    );
    assert_eq!(
        code(block(
            admin.create(&new("default", &["https://other.example.net"]), T0)
        )),
        ErrorCode::SiteExists
    );
    for taken in [
        "https://b.example.net",
        "https://blog.example.org",
        "https://comments.example.org",
    ] {
        assert_eq!(
            code(block(admin.create(&new("c", &[taken]), T0))),
            ErrorCode::OriginTaken,
            "{taken}"
        );
    }
    // Two requests at one moment: the table of origins refuses the second.
    assert!(
        block(directory.create("c1", "C1", &["https://c.example.net".into()], "DB", T0)).is_ok()
    );
    assert!(
        block(directory.create("c2", "C2", &["https://c.example.net".into()], "DB", T0)).is_err()
    );
    assert!(
        block(directory.find("c2")).unwrap().is_none(),
        "nothing of it stored"
    );
    let listed = block(admin.list()).unwrap().sites;
    let ids: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["default", "b", "c1"]);
    assert_eq!(
        listed[0].origins, main_origins,
        "the main site's from its vars"
    );

    // Site b's own key opens b's console, not the main site's; the operator's opens both.
    const SITE_KEY: &str = "site-b-owner-key-0123456789abcdefghij";
    block(admin.set_owner_key("b", SITE_KEY)).unwrap();
    assert_eq!(
        code(block(admin.set_owner_key("nowhere", SITE_KEY))),
        ErrorCode::SiteNotFound
    );
    let row = block(directory.find("b")).unwrap().unwrap();
    let store_b = SqlStore::new(f.store.exec(), "b");
    let site_b = SiteConfig {
        main: false,
        key_hash: row.key_hash.clone(),
        ..SiteConfig::new("b")
    };
    let b = Service::new(&store_b, &site_b, &f.keys);
    let a = f.svc();
    let ip = "198.51.100.20";
    assert_eq!(
        code(block(a.login(SITE_KEY, Some(KEY), "t-a", ip, T0, 600))),
        ErrorCode::LoginFailed,
        "b's key on the main site"
    );
    block(b.login(SITE_KEY, Some(KEY), "t-owner", ip, T0, 600)).unwrap();
    block(b.login(KEY, Some(KEY), "t-operator", ip, T0, 600)).unwrap();
    assert!(!block(b.session_of("t-owner", Some(KEY), T0 + 1)).unwrap().1);
    assert!(
        block(b.session_of("t-operator", Some(KEY), T0 + 1))
            .unwrap()
            .1
    );
    assert_eq!(
        code(block(a.session_of("t-owner", Some(KEY), T0 + 1))),
        ErrorCode::Unauthorized
    );
    // Without a usable operator key there is no console at all, a site key or not.
    assert_eq!(
        code(block(b.login(SITE_KEY, None, "t-none", ip, T0, 600))),
        ErrorCode::LoginFailed
    );
    // A new key for the owner ends what the old one opened.
    block(admin.set_owner_key("b", "a-brand-new-owner-key-0123456789abcdef")).unwrap();
    let site_b = SiteConfig {
        key_hash: block(directory.find("b")).unwrap().unwrap().key_hash,
        ..site_b
    };
    let b = Service::new(&store_b, &site_b, &f.keys);
    assert_eq!(
        code(block(b.session_of("t-owner", Some(KEY), T0 + 2))),
        ErrorCode::Unauthorized
    );
    assert!(block(b.session_of("t-operator", Some(KEY), T0 + 2)).is_ok());
}

/// What the Cron Trigger and the notifications do per site: one site's outbox, its
/// subscriptions and its Trash are not another's.
#[test]
fn outbox_subscriptions_and_the_trash_stay_with_their_site() {
    use crate::db::notify::OutboxStore;
    use crate::domain::notify::{Channel, Delivery};
    let f = Fixture::new();
    let a = f.svc();
    let id = f.post("/cron/", "ana@example.org", "A comment for the Trash");
    site_b_row(&f);
    let store_b = SqlStore::new(f.store.exec(), "b");
    let site_b = SiteConfig {
        main: false,
        ..SiteConfig::new("b")
    };
    let b = Service::new(&store_b, &site_b, &f.keys);

    let queued = block(f.store.enqueue(
        &[Delivery {
            channel: Channel::Email,
            target: "ana@example.org".into(),
            body: "{}".into(),
            label: "reply".into(),
            comment_id: Some(id),
        }],
        T0,
    ))
    .unwrap();
    assert!(block(store_b.due(None, T0 + 1, 50)).unwrap().is_empty());
    assert!(!block(store_b.claim(queued[0], T0 + 1, 1_000)).unwrap());
    block(store_b.sent(queued[0], T0 + 1)).unwrap();
    assert_eq!(block(store_b.prune(i64::MAX)).unwrap(), 0);
    assert_eq!(
        block(f.store.due(None, T0 + 1, 50)).unwrap().len(),
        1,
        "still due on A"
    );

    let (sub, _) = block(
        f.store
            .subscribe(id, "ana@example.org", "email-hash", false, T0),
    )
    .unwrap();
    assert!(block(store_b.subscription(sub)).unwrap().is_none());
    block(store_b.confirm(sub, T0)).unwrap();
    block(store_b.unsubscribe(sub)).unwrap();
    let kept = block(f.store.subscription(sub))
        .unwrap()
        .expect("A's subscription");
    assert_eq!(kept.confirmed_at, None, "not confirmed from B");
    assert!(block(store_b.subscribe(id, "x@example.net", "x", true, T0)).is_err());

    block(a.moderate(&[id], Decision::Trash, T0)).unwrap();
    let emptied = block(b.empty_old_trash(i64::MAX / 2)).unwrap();
    assert_eq!(emptied.changed, 0, "B's Trash timer empties only B's Trash");
    let trash = block(a.owner_comments(Tab::Trash, None, None)).unwrap();
    assert_eq!(trash.comments.len(), 1, "A's comment is still restorable");
}
