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
    /// The address A's comments were written with (one per test: a block of it on A
    /// must not reach another test).
    a_email: String,
}

fn two_sites(label: &str) -> TwoSites {
    let main = Deployment::main();
    let b = TestSite::new(&main, label);
    let thread = unique_thread(label);
    let a_email = format!(
        "ana-of-a-{:x}@example.org",
        colloquy_e2e::http::random_u64()
    );
    let a = main.create(
        &comment(&thread)
            .body("Site A's words")
            .email(&a_email)
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
        a_email,
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
    let reader = LikeRequest {
        reader: "r-0123456789abcdef0123456789abcdef".into(),
    };
    let report = |d: &Deployment| ReportRequest {
        reason: "spam".into(),
        form_token: d.client_at(&ip).token(&s.thread),
        turnstile_token: None,
    };
    // Each route that takes a comment id: (what, method, path, body).
    let routes = |d: &Deployment, id: CommentId| {
        vec![
            ("context", "GET", Endpoint::CommentContext(id).path(), None),
            ("replies", "GET", Endpoint::Replies(id).path(), None),
            (
                "embedded replies",
                "GET",
                format!(
                    "{}?thread={}&lang=en",
                    Endpoint::EmbedReplies(id).path(),
                    s.thread
                ),
                None,
            ),
            (
                "like",
                "POST",
                Endpoint::Like(id).path(),
                Some(serde_json::to_value(&reader).unwrap()),
            ),
            (
                "unlike",
                "DELETE",
                Endpoint::Unlike(id).path(),
                Some(serde_json::to_value(&reader).unwrap()),
            ),
            (
                "report",
                "POST",
                Endpoint::Report(id).path(),
                Some(serde_json::to_value(report(d)).unwrap()),
            ),
        ]
    };
    let send = |d: &Deployment, method: &str, path: &str, body: &Option<serde_json::Value>| {
        let body = body
            .as_ref()
            .map(|b| serde_json::to_vec(b).unwrap())
            .unwrap_or_default();
        d.send(
            method,
            path,
            &[
                ("Origin", &d.demo),
                ("Content-Type", "application/json"),
                ("CF-Connecting-IP", &ip),
            ],
            &body,
        )
    };
    // On A every route finds A's comment (so a failure on B means B did not)…
    for (what, method, path, body) in routes(&s.main, s.a_comment) {
        let r = send(&s.main, method, &path, &body);
        assert!(r.status < 300, "{what} on A: {} {}", r.status, r.text);
    }
    // …on B, A's comment is as unknown as one nobody has.
    let on_b = routes(b, s.a_comment);
    let unknown_on_b = routes(b, unknown);
    for ((what, method, path, body), (_, _, path_u, body_u)) in on_b.iter().zip(&unknown_on_b) {
        let foreign = send(b, method, path, body).error();
        let none = send(b, method, path_u, body_u).error();
        assert_eq!(foreign, none, "{what}");
        assert_eq!(foreign.0, 404, "{what}: {foreign:?}");
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
    // A also has a comment waiting, one in its Trash, and a blocked author — what B's
    // queues, counts and erasure must not show or touch.
    let operator = Console::login(&s.main);
    let held = s
        .main
        .create_id(comment(&s.thread).body("A's held words").email(&s.a_email));
    let trashed = s.main.create_id(
        comment(&s.thread)
            .body("A's trashed words")
            .email(&s.a_email),
    );
    for (id, decision) in [(held, Decision::Hold), (trashed, Decision::Trash)] {
        operator
            .post(
                AdminOp::Moderate,
                &Moderate {
                    ids: vec![id],
                    decision,
                },
            )
            .expect::<Done>(200);
    }
    operator
        .post(
            AdminOp::ChangeBlock,
            &BlockChange {
                comment_id: Some(held),
                email: true,
                client: false,
                unblock: None,
            },
        )
        .expect::<serde_json::Value>(200);
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
    assert!(
        list(Tab::All, &s.a_email).comments.is_empty(),
        "by A's email"
    );
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
    let counts: TabCounts = owner.get(AdminOp::Counts, "").expect(200);
    assert_eq!(
        (counts.pending, counts.trash),
        (0, 0),
        "A's queue in B's counts"
    );
    assert!(list(Tab::Pending, "").comments.iter().all(|c| c.id != held));
    assert!(list(Tab::Trash, "")
        .comments
        .iter()
        .all(|c| c.id != trashed));
    let stats: serde_json::Value = owner.get(AdminOp::Stats, "").expect(200);
    assert!(!stats.to_string().contains("A's"), "{stats}");
    let threads: ThreadList = owner.get(AdminOp::Threads, "").expect(200);
    assert_eq!(
        threads.threads.iter().filter(|t| t.key == s.thread).count(),
        1,
        "B's own thread of that key"
    );
    // By A's comment id: nothing changes, and nothing says it exists.
    for (ids, decision) in [
        (vec![s.a_comment], Decision::Spam),
        (vec![s.a_comment], Decision::Trash),
        (vec![s.a_comment], Decision::Hold),
        (vec![held], Decision::Approve),
        (vec![trashed], Decision::Restore),
        (vec![trashed], Decision::Delete),
    ] {
        let done: Done = owner
            .post(AdminOp::Moderate, &Moderate { ids, decision })
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
                email: s.a_email.clone(),
            }
            .to_query(),
        )
        .expect(200);
    assert!(export.comments.is_empty());
    owner
        .post(
            AdminOp::Erase,
            &ByEmail {
                email: s.a_email.clone(),
            },
        )
        .expect::<serde_json::Value>(200);
    // A's block of that author keeps its name; A's queue is as it was.
    let a_blocks: BlockList = operator.get(AdminOp::Blocks, "").expect(200);
    assert!(
        a_blocks.blocks.iter().any(|b| b.label.starts_with("Ana")),
        "{a_blocks:?}"
    );
    let a_list = |tab: &str| {
        colloquy_e2e::console::ids(&colloquy_e2e::console::list(&operator, tab, &s.thread))
    };
    assert_eq!(a_list("pending"), vec![held]);
    assert_eq!(a_list("trash"), vec![trashed]);
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

/// The operator adds a site in the console, the focus leads from one step to the next,
/// and the site's owner logs in with the key shown once — into that site alone.
#[tokio::test]
async fn the_operator_adds_a_site_in_the_console_and_its_owner_logs_in_to_it() {
    use colloquy_e2e::browser::{poll, session};
    use colloquy_e2e::console::owner_key;
    use fantoccini::{Client, Locator};
    async fn css(client: &Client, css: &str) -> fantoccini::elements::Element {
        poll(&format!("`{css}` in the console"), || async {
            client.find(Locator::Css(css)).await.ok()
        })
        .await
    }
    async fn focused_id(client: &Client) -> String {
        client
            .execute(
                "return document.activeElement && document.activeElement.id",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
    async fn status_says(client: &Client, needle: &str) {
        poll(&format!("the status saying {needle:?}"), || async {
            let text = client
                .find(Locator::Css("[role=status]"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            text.contains(needle).then_some(())
        })
        .await;
    }
    let main = Deployment::main();
    let id = format!("ui-{:x}", colloquy_e2e::http::random_u64() & 0xff_ffff);
    let port = main.demo.rsplit(':').next().unwrap().to_owned();
    let client = session().await;
    client.goto(&format!("{}/admin/", main.api)).await.unwrap();
    let key = css(&client, "#console-key").await;
    key.send_keys(&owner_key()).await.unwrap();
    key.send_keys("\u{E007}").await.unwrap();
    css(&client, "nav a[href='#sites']")
        .await
        .click()
        .await
        .unwrap();
    css(&client, "#site-id").await.send_keys(&id).await.unwrap();
    css(&client, "#site-name")
        .await
        .send_keys("A second blog")
        .await
        .unwrap();
    // Written as people write origins: stored as browsers send them.
    let origins = css(&client, "#site-origins").await;
    origins
        .send_keys(&format!("HTTP://{}.LOCALHOST:{port}/", id))
        .await
        .unwrap();
    css(&client, "form.site-new button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    status_says(&client, &format!("Created the site {id}")).await;
    poll("the focus on the new site's key button", || async {
        (focused_id(&client).await == format!("site-key-{id}")).then_some(())
    })
    .await;
    let row = client
        .find(Locator::XPath(&format!(
            "//tr[.//small[normalize-space(.)='{id}']]"
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        row.contains(&format!("http://{id}.localhost:{port}")),
        "{row}"
    );
    // Enter on the focused button: the key, shown once, with the focus on it.
    client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    status_says(&client, "A new console key").await;
    poll("the focus on the new key", || async {
        (focused_id(&client).await == "new-site-key").then_some(())
    })
    .await;
    let site_key = css(&client, "#new-site-key")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(site_key.len() >= 32, "{site_key:?}");
    client.close().await.unwrap();

    // Its owner, with the link and the key: that site, and no Sites tab.
    let client = session().await;
    client
        .goto(&format!("{}/admin/?site={id}", main.api))
        .await
        .unwrap();
    let site_field = css(&client, "#console-site").await;
    assert_eq!(
        site_field.prop("value").await.unwrap().as_deref(),
        Some(id.as_str())
    );
    let key = css(&client, "#console-key").await;
    key.send_keys(&site_key).await.unwrap();
    key.send_keys("\u{E007}").await.unwrap();
    css(&client, "nav a[aria-current=page]").await;
    let who = css(&client, "p.who").await.text().await.unwrap();
    assert!(who.contains(&id) && !who.contains("operator"), "{who}");
    assert!(client
        .find(Locator::Css("nav a[href='#sites']"))
        .await
        .is_err());
    client.close().await.unwrap();
}
