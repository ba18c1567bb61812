//! Many sites from one deployment, kept apart: a second site beside the main one (made
//! by the operator for each test), reached by its address (`/s/<site>/`) or its pages'
//! origin. Nothing of one site is found, changed or counted through the other — not by
//! comment id, by email, by thread key, by session or by import — and a foreign id
//! answers exactly as an unknown one.

use colloquy_core::wire::api::{
    CommentId, DeleteComment, EditComment, LikeRequest, ReportRequest, ThreadPage,
};
use colloquy_core::wire::console::query::{ListQuery, PersonQuery, SiteExportQuery};
use colloquy_core::wire::console::{
    AuditList, BlockChange, BlockList, ByEmail, CommentList, Done, Export, Moderate, OwnerEdit,
    OwnerReply, Purge, SessionInfo, SiteExportPage, Tab, TabCounts, ThreadChange, ThreadList,
};
use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_core::wire::moderation::Decision;
use colloquy_core::wire::sites::{NewSite, SiteList, SiteRef};
use colloquy_e2e::console::Console;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::sites::TestSite;
use colloquy_e2e::unique_thread;

/// Site A (the main site) and site B, each with a comment in a thread of the same key.
struct TwoSites {
    main: Deployment,
    b: TestSite,
    thread: String,
    /// A's comment and its edit token.
    a_comment: CommentId,
    a_edit: String,
    b_comment: CommentId,
}

const A_EMAIL: &str = "ana.of.site.a@example.org";

fn two_sites(label: &str) -> TwoSites {
    let main = Deployment::main();
    let b = TestSite::new(&main, label);
    let thread = unique_thread(label);
    let a = main.create(
        &comment(&thread)
            .body("Site A's words")
            .email(A_EMAIL)
            .build(),
    );
    let b_comment = b.deployment.create_id(
        comment(&thread)
            .body("Site B's words")
            .email("bo@example.net"),
    );
    TwoSites {
        main,
        b,
        thread,
        a_comment: a.comment.id,
        a_edit: a.edit_token,
        b_comment,
    }
}

fn a_is_untouched(s: &TwoSites) {
    let page: ThreadPage = s.main.list_thread(&s.thread).expect(200);
    assert_eq!(page.comments.len(), 1, "A's thread: {page:?}");
    let mine = &page.comments[0];
    assert_eq!(mine.id, s.a_comment);
    assert!(
        mine.body_html.contains("Site A's words"),
        "{}",
        mine.body_html
    );
    assert_eq!(mine.likes, 0);
}

#[test]
fn each_site_reads_its_own_thread_under_the_same_key() {
    let s = two_sites("read");
    let on_b: ThreadPage = s.b.deployment.list_thread(&s.thread).expect(200);
    let ids: Vec<CommentId> = on_b.comments.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![s.b_comment]);
    a_is_untouched(&s);
    let embed_b = s.b.deployment.embed(&s.thread);
    assert!(embed_b.contains("Site B's words") && !embed_b.contains("Site A's words"));
    // Its links keep to the site: "Show more", the plain page and the feed name it.
    assert!(
        embed_b.contains(&format!("/s/{}/api/v1/", s.b.id)),
        "links without the site: {embed_b}"
    );
    let embed_a = s.main.embed(&s.thread);
    assert!(embed_a.contains("Site A's words") && !embed_a.contains("Site B's words"));
    // Counts and the feed, each the site's own.
    let counts =
        s.b.deployment
            .get(&format!("/api/v1/counts?thread={}", s.thread))
            .json();
    assert_eq!(counts["counts"][&s.thread], 1, "{counts}");
    let feed =
        s.b.deployment
            .get(&format!("/api/v1/feed?thread={}", s.thread))
            .text;
    assert!(
        feed.contains("Site B") && !feed.contains("Site A's words"),
        "{feed}"
    );
    // A page from B's origin (no address prefix) is B's too.
    let by_origin = colloquy_e2e::http::request(
        "GET",
        &format!("{}/api/v1/comments?thread={}", s.main.api, s.thread),
        &[("Origin", &s.b.origin)],
        b"",
    );
    let page: ThreadPage = by_origin.expect(200);
    assert_eq!(
        page.comments[0].id, s.b_comment,
        "picked by the page's origin"
    );
    assert!(by_origin
        .header_all("vary")
        .to_lowercase()
        .contains("origin"));
}

#[test]
fn another_sites_comment_answers_as_an_unknown_one_on_every_public_route() {
    let s = two_sites("public");
    let b = &s.b.deployment;
    let unknown = CommentId(9_000_000_000_000);
    let ip = colloquy_e2e::http::fresh_client_ip();
    // Every route that takes a comment id, with A's id and with an id nobody has.
    let ask = |id: CommentId| -> Vec<(String, u16, String)> {
        let read = |path: String| {
            let r = b.get(&path);
            (
                path.replace(&id.0.to_string(), "{id}"),
                r.status,
                r.error_code(),
            )
        };
        let write = |method: &str, path: String, body: serde_json::Value| {
            let r = b.send(
                method,
                &path,
                &[
                    ("Origin", &b.demo),
                    ("Content-Type", "application/json"),
                    ("CF-Connecting-IP", &ip),
                ],
                &serde_json::to_vec(&body).unwrap(),
            );
            (
                format!("{method} {}", path.replace(&id.0.to_string(), "{id}")),
                r.status,
                r.error_code(),
            )
        };
        vec![
            read(Endpoint::CommentContext(id).path()),
            read(Endpoint::Replies(id).path()),
            read(Endpoint::PendingState(id).path()),
            read(format!("{}?lang=en", Endpoint::EmbedReplies(id).path())),
            write(
                "POST",
                Endpoint::Like(id).path(),
                serde_json::to_value(LikeRequest {
                    reader: "r-0123456789abcdef0123456789abcdef".into(),
                })
                .unwrap(),
            ),
            write(
                "DELETE",
                Endpoint::Unlike(id).path(),
                serde_json::to_value(LikeRequest {
                    reader: "r-0123456789abcdef0123456789abcdef".into(),
                })
                .unwrap(),
            ),
            write(
                "POST",
                Endpoint::Report(id).path(),
                serde_json::to_value(ReportRequest {
                    reason: "spam".into(),
                    form_token: String::new(),
                    turnstile_token: None,
                })
                .unwrap(),
            ),
        ]
    };
    assert_eq!(ask(s.a_comment), ask(unknown));
    for (route, status, _) in ask(s.a_comment) {
        assert!((400..500).contains(&status), "{route}: {status}");
    }
    // A's own edit token does not reach A's comment through B.
    let edit = b.write(
        Endpoint::EditComment(s.a_comment),
        &EditComment {
            edit_token: s.a_edit.clone(),
            body: "Taken over".into(),
        },
    );
    assert_eq!(
        edit.error(),
        (404, "comment_not_found".into()),
        "{}",
        edit.text
    );
    let delete = b.write(
        Endpoint::DeleteComment(s.a_comment),
        &DeleteComment {
            edit_token: s.a_edit.clone(),
        },
    );
    assert_eq!(
        delete.error(),
        (404, "comment_not_found".into()),
        "{}",
        delete.text
    );
    // A reply on B to A's comment has no parent there.
    let reply = b.post(&comment(&s.thread).reply_to(s.a_comment).build());
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.error_code(), "parent_not_found");
    a_is_untouched(&s);
    // A site the deployment does not have.
    let nowhere = s.main.get("/s/no-such-site/api/v1/comments?thread=/x/");
    assert_eq!(nowhere.error(), (404, "site_not_found".into()));
    // B's address with A's pages' origin may read but not write.
    let from_a = s.b.deployment.send(
        "POST",
        &Endpoint::PostComment.path(),
        &[
            ("Origin", &s.main.demo),
            ("Content-Type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(from_a.error(), (403, "origin_not_allowed".into()));
}

#[test]
fn one_sites_owner_reaches_nothing_of_another_through_any_console_route() {
    let s = two_sites("console");
    let owner = s.b.console(&s.main);
    let info: SessionInfo = owner.get(AdminOp::Session, "").expect(200);
    assert_eq!(info.site, s.b.id);
    assert!(!info.operator);
    let list = |tab: Tab, q: &str| -> CommentList {
        owner
            .get(
                AdminOp::Comments,
                &ListQuery {
                    tab,
                    search: q.to_owned(),
                    before: None,
                }
                .to_query(),
            )
            .expect(200)
    };
    // Lists, searches, counts: B's comment only.
    for tab in [
        Tab::All,
        Tab::Published,
        Tab::Pending,
        Tab::Trash,
        Tab::Spam,
    ] {
        let found = list(tab, &s.thread);
        assert!(
            found.comments.iter().all(|c| c.id != s.a_comment),
            "{tab:?} shows A's comment"
        );
    }
    assert_eq!(list(Tab::All, &s.thread).comments.len(), 1);
    assert!(list(Tab::All, A_EMAIL).comments.is_empty(), "by A's email");
    let ids = owner.get(
        AdminOp::CommentIds,
        &ListQuery {
            tab: Tab::All,
            search: s.thread.clone(),
            before: None,
        }
        .to_query(),
    );
    assert!(
        !ids.text.contains(&format!("{}", s.a_comment.0)),
        "{}",
        ids.text
    );
    let _: TabCounts = owner.get(AdminOp::Counts, "").expect(200);
    let threads: ThreadList = owner.get(AdminOp::Threads, "").expect(200);
    assert_eq!(
        threads.threads.iter().filter(|t| t.key == s.thread).count(),
        1,
        "B's own thread of that key"
    );
    // By A's comment id: nothing changes, and nothing says it exists.
    for decision in [Decision::Spam, Decision::Trash, Decision::Hold] {
        let done: Done = owner
            .post(
                AdminOp::Moderate,
                &Moderate {
                    ids: vec![s.a_comment],
                    decision,
                },
            )
            .expect(200);
        assert_eq!(done.changed, 0, "{decision:?}");
    }
    let not_found = |op: AdminOp, body: serde_json::Value| {
        let r = owner.post(op, &body);
        assert_eq!(r.status, 404, "{op:?}: {}", r.text);
        assert_eq!(r.error_code(), "comment_not_found", "{op:?}");
    };
    not_found(
        AdminOp::Purge,
        serde_json::to_value(Purge {
            comment_id: s.a_comment,
        })
        .unwrap(),
    );
    not_found(
        AdminOp::EditComment,
        serde_json::to_value(OwnerEdit {
            id: s.a_comment,
            body: "Rewritten by B".into(),
        })
        .unwrap(),
    );
    not_found(
        AdminOp::ChangeBlock,
        serde_json::to_value(BlockChange {
            comment_id: Some(s.a_comment),
            email: true,
            client: true,
            unblock: None,
        })
        .unwrap(),
    );
    let reply = owner.post(
        AdminOp::Reply,
        &OwnerReply {
            parent_id: s.a_comment,
            body: "B answers A".into(),
            name: String::new(),
        },
    );
    assert!((400..500).contains(&reply.status), "{}", reply.text);
    // By thread key: B's thread of that key, never A's.
    let lock: Done = owner
        .post(
            AdminOp::ChangeThread,
            &ThreadChange {
                key: s.thread.clone(),
                locked: Some(true),
                pin: None,
                unpin: false,
                title: None,
                url: None,
            },
        )
        .expect(200);
    assert_eq!(lock.changed, 1);
    assert!(!s.main.embed(&s.thread).contains("Comments are closed."));
    // By email: an export finds nothing of A's, an erasure erases nothing of A's.
    let export: Export = owner
        .get(
            AdminOp::Export,
            &PersonQuery {
                email: A_EMAIL.into(),
            }
            .to_query(),
        )
        .expect(200);
    assert!(export.comments.is_empty());
    owner
        .post(
            AdminOp::Erase,
            &ByEmail {
                email: A_EMAIL.into(),
            },
        )
        .expect::<serde_json::Value>(200);
    // The site export: B's threads only.
    let page: SiteExportPage = owner
        .get(AdminOp::SiteExport, &SiteExportQuery::default().to_query())
        .expect(200);
    let text = serde_json::to_string(&page).unwrap();
    assert!(text.contains("Site B's words") && !text.contains("Site A's words"));
    // Blocks, the audit list: B's own.
    let blocks: BlockList = owner.get(AdminOp::Blocks, "").expect(200);
    assert!(blocks.blocks.is_empty(), "{blocks:?}");
    let audit: AuditList = owner.get(AdminOp::Audit, "").expect(200);
    // (The operator's "site-create" lines are in the main site's list, where it was.)
    assert!(!audit.entries.is_empty(), "B's own actions are listed");
    assert!(
        audit.entries.iter().all(|e| e.action != "site-create"),
        "{audit:?}"
    );
    // The operator's routes are the operator's.
    for (op, body) in [
        (
            AdminOp::CreateSite,
            serde_json::to_value(NewSite::default()).unwrap(),
        ),
        (
            AdminOp::SiteKey,
            serde_json::to_value(SiteRef {
                site: "default".into(),
            })
            .unwrap(),
        ),
        (
            AdminOp::SwitchSite,
            serde_json::to_value(SiteRef {
                site: "default".into(),
            })
            .unwrap(),
        ),
    ] {
        assert_eq!(
            owner.post(op, &body).error(),
            (403, "operator_only".into()),
            "{op:?}"
        );
    }
    assert_eq!(
        owner.get(AdminOp::Sites, "").error(),
        (403, "operator_only".into())
    );
    a_is_untouched(&s);

    // B's session is B's: its cookie moved to another site is no session there, and B's
    // key opens no other site.
    let cookie = owner.cookie.clone().expect("a session cookie");
    let token = cookie.split_once('.').expect("site.token").1;
    let moved = Console {
        api: s.main.api.clone(),
        cookie: Some(format!("colloquy_admin=default.{token}")),
    };
    assert_eq!(
        moved.get(AdminOp::Session, "").error(),
        (401, "unauthorized".into())
    );
    let bare = Console {
        api: s.main.api.clone(),
        cookie: Some(format!("colloquy_admin={token}")),
    };
    assert_eq!(
        bare.get(AdminOp::Session, "").error(),
        (401, "unauthorized".into())
    );
    let (wrong, _) = Console::login_to(&s.main, "", &s.b.key);
    assert_eq!(wrong.error(), (401, "login_failed".into()));
}

#[test]
fn the_operator_lists_adds_and_opens_sites_and_origins_stay_unique() {
    let main = Deployment::main();
    let b = TestSite::new(&main, "operator");
    let operator = Console::login(&main);
    let sites: SiteList = operator.get(AdminOp::Sites, "").expect(200);
    let listed = sites.sites.iter().find(|x| x.id == b.id).expect("listed");
    assert_eq!(listed.origins, vec![b.origin.clone()]);
    assert!(listed.has_key && !listed.main);
    assert!(sites.sites.iter().any(|x| x.main));
    // Another site may not claim B's origin, nor the main site's.
    for origin in [b.origin.clone(), main.demo.clone()] {
        let r = operator.post(
            AdminOp::CreateSite,
            &NewSite {
                id: format!("{}-2", b.id),
                name: "Copy".into(),
                origins: vec![origin.clone()],
            },
        );
        assert_eq!(r.error(), (409, "origin_taken".into()), "{origin}");
    }
    // The operator opens B: a session on B, as the operator.
    let r = operator.post(AdminOp::SwitchSite, &SiteRef { site: b.id.clone() });
    let info: SessionInfo = r.expect(200);
    assert_eq!(info.site, b.id);
    assert!(info.operator);
    let cookie = r
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    assert!(cookie
        .as_deref()
        .is_some_and(|c| c.contains(&format!("={}.", b.id))));
    let on_b = Console {
        api: main.api.clone(),
        cookie,
    };
    let threads: ThreadList = on_b.get(AdminOp::Threads, "").expect(200);
    assert!(threads.threads.is_empty(), "a new site has no threads");
    // A new key for B's owner ends the sessions the old one opened.
    let owner = b.console(&main);
    operator
        .post(AdminOp::SiteKey, &SiteRef { site: b.id.clone() })
        .expect::<serde_json::Value>(200);
    assert_eq!(
        owner.get(AdminOp::Session, "").error(),
        (401, "unauthorized".into())
    );
}

/// The widget on a page of the second site: by the page's origin, and by
/// `data-colloquy-site` — it shows that site's thread and posts into it.
#[tokio::test]
async fn the_widget_on_a_second_sites_page_reads_and_writes_that_site() {
    use colloquy_e2e::browser::{
        fill_form, session, submit_main_form, wait_for, wait_for_text, widget_root,
    };
    let s = two_sites("widget");
    let client = session().await;
    for (how, query) in [
        ("by origin", format!("thread={}", s.thread)),
        (
            "by data-colloquy-site",
            format!("thread={}&site={}", s.thread, s.b.id),
        ),
    ] {
        client
            .goto(&format!("{}/?{query}", s.b.origin))
            .await
            .expect("the second site's page");
        let root = widget_root(&client).await;
        let list = wait_for_text(&root, "ol.cq-list", "Site B's words").await;
        let text = list.text().await.unwrap();
        assert!(!text.contains("Site A's words"), "{how}: {text}");
        wait_for(&root, "section.cq[data-live]").await;
        let words = format!("Written on B {how}");
        fill_form(&root, &words, "Bea", "bea@example.net").await;
        submit_main_form(&root).await;
        wait_for_text(&root, "li.cq-item", &words).await;
        let on_b: ThreadPage = s.b.deployment.list_thread(&s.thread).expect(200);
        assert!(
            on_b.comments.iter().any(|c| c.body_html.contains(&words)),
            "{how}: not on B"
        );
        a_is_untouched(&s);
    }
    client.close().await.unwrap();
}
