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

#[test]
fn one_sites_console_reaches_nothing_of_another() {
    let f = Fixture::new();
    let a = f.svc();
    let id = f.post("/shared-key/", "ana@example.org", "Site A's comment");
    block(a.login(KEY, Some(KEY), "token-a", "203.0.113.9", T0, 600)).unwrap();
    block(a.audit("owner", "approve", "comment 1", None, T0)).unwrap();
    block(a.block_author(id, true, false, T0)).unwrap();

    block(crate::db::exec::SqlExec::rows(
        f.store.exec(),
        crate::db::exec::Query::new(
            "INSERT INTO sites (id, name, created_at) VALUES ('b', 'B', 0)",
            vec![],
        ),
    ))
    .unwrap();
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
