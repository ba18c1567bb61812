//! Settings: refused at their field, audited by name, the badge token, on SQLite.

use super::fixtures::*;
use crate::db::settings::SettingsStore;
use crate::domain::token::Purpose;
use crate::service::console::*;
use crate::service::settings::*;
use crate::wire::api::CommentId;
use crate::wire::console::ThreadChange;
use crate::wire::error::ErrorCode;
use crate::wire::settings::SiteSettings;
use crate::wire::settings::{MutedWords, Webhook};

#[test]
fn settings_that_cannot_work_are_refused() {
    let ok = SiteSettings {
        allowed_origins: vec![
            "https://blog.example.org".into(),
            "http://127.0.0.1:8788".into(),
        ],
        webhooks: vec![Webhook {
            url: "https://hooks.example.org/x".into(),
            format: Default::default(),
            events: vec![],
        }],
        language: Some("pt-BR".into()),
        ..Default::default()
    };
    assert!(check_settings(&ok).is_ok());
    for tag in ["es", "zh-Hant-TW", "sr_Latn", " fr "] {
        let lang = SiteSettings {
            language: Some(tag.into()),
            ..Default::default()
        };
        assert!(check_settings(&lang).is_ok(), "{tag}");
    }
    for bad in [
        SiteSettings {
            allowed_origins: vec!["https://blog.example.org/".into()],
            ..Default::default()
        },
        SiteSettings {
            allowed_origins: vec!["blog.example.org".into()],
            ..Default::default()
        },
        SiteSettings {
            webhooks: vec![Webhook {
                url: "javascript:alert(1)".into(),
                format: Default::default(),
                events: vec![],
            }],
            ..Default::default()
        },
        SiteSettings {
            digest_email: Some("not an address".into()),
            ..Default::default()
        },
        SiteSettings {
            page_size: Some(0),
            ..Default::default()
        },
        SiteSettings {
            language: Some("es\"><script>".into()),
            ..Default::default()
        },
        SiteSettings {
            language: Some("1x".into()),
            ..Default::default()
        },
        SiteSettings {
            language: Some(format!("en-{}", "x".repeat(40))),
            ..Default::default()
        },
        SiteSettings {
            muted: MutedWords {
                body: vec!["x".repeat(101)],
                ..Default::default()
            },
            ..Default::default()
        },
    ] {
        assert!(check_settings(&bad).is_err(), "{bad:?}");
    }
    assert_eq!(masked("ana@example.org"), "a…@example.org");
}

#[test]
fn the_audit_names_the_settings_that_changed() {
    let before = SiteSettings {
        page_size: Some(20),
        ..SiteSettings::default()
    };
    let after = SiteSettings {
        page_size: Some(30),
        trash_days: Some(7),
        ..SiteSettings::default()
    };
    assert_eq!(
        changed_settings(&before, &after),
        ["page_size", "trash_days"]
    );
    assert!(changed_settings(&after, &after).is_empty());
}

#[test]
fn settings_badge_reply_and_audit() {
    let f = Fixture::new();
    let svc = f.svc();
    assert_eq!(
        block(svc.owner_settings()).unwrap(),
        SiteSettings::default()
    );
    let s = SiteSettings {
        moderation: Some(crate::wire::settings::ModerationMode::FirstTime),
        max_links: Some(1),
        ..Default::default()
    };
    block(svc.save_owner_settings(&s)).unwrap();
    assert_eq!(block(svc.owner_settings()).unwrap(), s);
    block(svc.new_badge("badge-token")).unwrap();
    let (_, badge) = block(f.store.load_settings()).unwrap();
    assert_eq!(badge, Some(f.keys.hash(Purpose::Badge, "badge-token")));

    let top = f.post("/r/", "ana@example.org", "question?");
    let (reply, thread) = block(svc.owner_reply(top, " An answer ", "", T0)).unwrap();
    assert_eq!(thread, "/r/");
    assert!(reply.comment.owner && !reply.comment.pending);
    assert_eq!(reply.comment.author, "Site owner");
    assert_eq!(reply.comment.parent_id, Some(top));
    assert_eq!(
        block(svc.owner_reply(CommentId(999), "x", "", T0))
            .unwrap_err()
            .code(),
        ErrorCode::ParentNotFound
    );

    // The owner sets a thread's title and address; nonsense is refused.
    let retitle = |title: &str, url: &str| {
        block(svc.change_thread(&ThreadChange {
            key: "/r/".into(),
            title: Some(title.into()),
            url: Some(url.into()),
            ..Default::default()
        }))
    };
    let t = retitle(
        "Can communities of practice learn online?",
        "https://blog.example.org/r/",
    )
    .unwrap();
    assert_eq!(
        t.title.as_deref(),
        Some("Can communities of practice learn online?")
    );
    assert!(t.meta_by_owner);
    assert_eq!(
        retitle("Two\nlines", "")
            .unwrap_err()
            .to_body()
            .error
            .fields[0]
            .code,
        ErrorCode::TitleInvalid
    );
    assert_eq!(
        retitle("", "javascript:alert(1)")
            .unwrap_err()
            .to_body()
            .error
            .fields[0]
            .code,
        ErrorCode::UrlInvalid
    );
    block(svc.audit("console ab", "moderate", "1,2", Some("approve".into()), T0)).unwrap();
    block(svc.audit("console ab", "erase", "a…@example.org", None, T0 + 1)).unwrap();
    let entries = block(svc.audit_list(None, None)).unwrap().entries;
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["erase", "moderate"], "newest first");
    // Pages of 200, and one kind at a time (joined thread changes count per part).
    for i in 0..220 {
        block(svc.audit("console ab", "trash", &format!("#{i}"), None, T0 + 2 + i)).unwrap();
    }
    block(svc.audit("console ab", "unlock+unpin", "/t/", None, T0 + 200)).unwrap();
    let first = block(svc.audit_list(None, None)).unwrap();
    assert_eq!(first.entries.len(), 200);
    let rest = block(svc.audit_list(first.next_before, None)).unwrap();
    assert_eq!(rest.entries.len(), 23, "221 + 2 lines: 200, then 23");
    assert_eq!(rest.next_before, None);
    assert!(rest.entries.iter().all(|e| e.id < first.entries[199].id));
    let threads = block(svc.audit_list(None, Some("threads")))
        .unwrap()
        .entries;
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0].action, "unlock+unpin");
    let sessions = block(svc.audit_list(None, Some("sessions")))
        .unwrap()
        .entries;
    assert!(sessions.is_empty());
}
