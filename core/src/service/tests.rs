//! The business rules on the in-memory store, natively: what each operation returns,
//! what it refuses, and that posting runs its checks in cost order.

use std::cell::Cell;

use super::*;
use crate::api::{
    CommentId, CreatedComment, DeleteComment, EditComment, ErrorCode, Field, LikeRequest,
    NewComment, PublicComment, Sort, ThreadPage,
};
use crate::memstore::MemStore;
use crate::model::CommentStatus;
use crate::site::SiteConfig;
use crate::token::Keys;

const T0: i64 = 1_700_000_000_000;

struct Fixture {
    store: MemStore,
    site: SiteConfig,
    keys: Keys,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            store: MemStore::default(),
            site: SiteConfig::new("default"),
            keys: Keys::derive("unit test secret"),
        }
    }
    fn svc(&self) -> Service<'_, MemStore, NoCheck> {
        Service::new(&self.store, &self.site, &self.keys)
    }
    fn input(&self, thread: &str, parent: Option<CommentId>, body: &str) -> NewComment {
        NewComment {
            thread: thread.into(),
            thread_title: Some("Title".into()),
            parent_id: parent,
            body: body.into(),
            name: "Ana".into(),
            email: "ana@example.org".into(),
            form_token: self.keys.form_token("default", T0 - 10_000),
            ..Default::default()
        }
    }
    /// Post as client `who` at `now`; the form was shown ten seconds before T0.
    fn post_as(
        &self,
        who: &str,
        input: &NewComment,
        now: i64,
    ) -> Result<CreatedComment, ServiceError> {
        pollster::block_on(self.svc().post(input, who, now))
    }
    fn post(&self, thread: &str, parent: Option<CommentId>, body: &str) -> CreatedComment {
        self.post_as("client", &self.input(thread, parent, body), T0)
            .expect("posted")
    }
    fn page(&self, thread: &str) -> ThreadPage {
        pollster::block_on(self.svc().thread(thread, Sort::Oldest, None, T0)).unwrap()
    }
}

#[test]
fn a_new_key_is_an_empty_thread_with_a_form_token_and_settings() {
    let f = Fixture::new();
    let page = f.page("/x/");
    assert_eq!((page.total, page.comments.len(), page.title), (0, 0, None));
    assert_eq!(page.settings.edit_window_secs, 15 * 60);
    assert_eq!(
        f.keys
            .verify_form_token(&page.form_token, "default", T0 + 5_000, 3_000, 60_000),
        Ok(())
    );
}

#[test]
fn first_comment_creates_the_thread_and_replies_attach_to_it() {
    let f = Fixture::new();
    let top = f.post("/x/", None, "*hi*").comment;
    assert_eq!(top.body_html, "<p><em>hi</em></p>\n");
    assert_eq!(top.created_at, "2023-11-14T22:13:20Z");
    assert_eq!(top.avatar, f.keys.avatar_hash("ana@example.org"));
    let reply = f.post("/x/", Some(top.id), "re").comment;
    assert_eq!(reply.parent_id, Some(top.id));
    let page = f.page("/x/");
    assert_eq!(page.total, 2);
    assert_eq!(page.title.as_deref(), Some("Title"));
    let top = PublicComment {
        descendants: 1,
        ..top
    };
    assert_eq!(page.comments, vec![top, reply]);
}

fn ids(page: &ThreadPage) -> Vec<i64> {
    page.comments.iter().map(|c| c.id.0).collect()
}

#[test]
fn threads_page_by_cursor_with_a_preview_of_replies() {
    let mut f = Fixture::new();
    f.site.page_size = 2;
    f.site.reply_preview = 1;
    let a = f.post("/p/", None, "a").comment.id;
    f.post("/p/", Some(a), "a1");
    f.post("/p/", Some(a), "a2");
    let b = f.post("/p/", None, "b").comment.id;
    let c = f.post("/p/", None, "c").comment.id;
    let first = f.page("/p/");
    assert_eq!(ids(&first), vec![a.0, b.0, 2]);
    assert_eq!(
        first.comments[0].descendants, 2,
        "the total, not the preview"
    );
    assert_eq!(first.total, 5);
    let cursor = first.next_cursor.clone().expect("a second page");
    let second =
        pollster::block_on(f.svc().thread("/p/", Sort::Oldest, Some(&cursor), T0)).unwrap();
    assert_eq!(ids(&second), vec![c.0]);
    assert_eq!(second.next_cursor, None);
    let all = pollster::block_on(f.svc().replies(a)).unwrap();
    assert_eq!(
        all.comments.iter().map(|c| c.id.0).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let bad = pollster::block_on(f.svc().thread("/p/", Sort::Newest, Some(&cursor), T0));
    assert_eq!(bad.unwrap_err().code(), ErrorCode::CursorInvalid);
}

#[test]
fn likes_count_once_per_reader_and_order_the_most_liked_first() {
    let f = Fixture::new();
    let a = f.post("/l/", None, "a").comment.id;
    let b = f.post("/l/", None, "b").comment.id;
    let like = |id, reader: &str, on| {
        pollster::block_on(f.svc().like(
            id,
            &LikeRequest {
                reader: reader.into(),
            },
            on,
            "client",
            T0,
        ))
    };
    assert_eq!(like(b, "reader-one-0123456789", true).unwrap().likes, 1);
    assert_eq!(
        like(b, "reader-one-0123456789", true).unwrap().likes,
        1,
        "deduplicated"
    );
    assert_eq!(like(b, "reader-two-0123456789", true).unwrap().likes, 2);
    assert_eq!(like(a, "reader-two-0123456789", true).unwrap().likes, 1);
    assert_eq!(like(a, "reader-two-0123456789", false).unwrap().likes, 0);
    assert_eq!(
        like(a, "short", true).unwrap_err().code(),
        ErrorCode::ReaderInvalid
    );
    assert_eq!(
        like(CommentId(99), "reader-two-0123456789", true)
            .unwrap_err()
            .code(),
        ErrorCode::CommentNotFound
    );
    let page = |sort| pollster::block_on(f.svc().thread("/l/", sort, None, T0)).unwrap();
    assert_eq!(ids(&page(Sort::Liked)), vec![b.0, a.0]);
    assert_eq!(ids(&page(Sort::Newest)), vec![b.0, a.0]);
    assert_eq!(ids(&page(Sort::Oldest)), vec![a.0, b.0]);
    assert_eq!(page(Sort::Liked).comments[0].likes, 2);
}

#[test]
fn counts_preview_moderation_and_the_owner_badge() {
    let mut f = Fixture::new();
    f.post("/c1/", None, "x");
    f.post("/c1/", None, "y");
    let counts =
        pollster::block_on(
            f.svc()
                .counts(&["/c1/".into(), "/none/".into(), "/c1/".into()]),
        )
        .unwrap();
    assert_eq!(
        counts.counts.into_iter().collect::<Vec<_>>(),
        vec![("/c1/".into(), 2), ("/none/".into(), 0)]
    );
    assert_eq!(
        f.svc().preview("**b**").unwrap().html,
        "<p><strong>b</strong></p>\n"
    );
    assert_eq!(
        f.svc().preview(" ").unwrap_err().to_body().error.fields[0].code,
        ErrorCode::BodyRequired
    );

    f.site.owner_key = Some("owner-secret".into());
    let mut owned = f.input("/o/", None, "from the owner");
    owned.owner_key = Some("owner-secret".into());
    assert!(f.post_as("owner", &owned, T0).unwrap().comment.owner);
    owned.owner_key = Some("guess".into());
    assert!(!f.post_as("owner", &owned, T0).unwrap().comment.owner);

    f.site.moderation = true;
    let held = f.post("/m/", None, "held");
    assert!(held.comment.pending);
    assert_eq!(f.page("/m/").total, 0);
    assert!(f.page("/m/").comments.is_empty());
    owned.owner_key = Some("owner-secret".into());
    owned.thread = "/m/".into();
    let by_owner = f.post_as("owner", &owned, T0).unwrap().comment;
    assert!(
        by_owner.owner && !by_owner.pending,
        "the owner is not moderated"
    );
    assert_eq!(f.page("/m/").total, 1);
}

#[test]
fn replies_to_comments_of_another_thread_are_rejected() {
    let f = Fixture::new();
    let other = f.post("/a/", None, "x").comment;
    f.post("/b/", None, "x");
    let err = f
        .post_as("client", &f.input("/b/", Some(other.id), "x"), T0)
        .unwrap_err();
    assert!(matches!(err, ServiceError::ParentNotFound));
    assert_eq!(err.to_body().error.code, ErrorCode::ParentNotFound);
}

#[test]
fn replies_to_deleted_or_missing_comments_are_rejected() {
    let f = Fixture::new();
    let top = f.post("/a/", None, "x").comment;
    f.store.comments.borrow_mut()[0].status = CommentStatus::Deleted;
    for parent in [top.id, CommentId(42)] {
        let err = f
            .post_as("client", &f.input("/a/", Some(parent), "x"), T0)
            .unwrap_err();
        assert!(matches!(err, ServiceError::ParentNotFound));
    }
}

#[test]
fn invalid_input_lists_fields_and_stores_nothing() {
    let f = Fixture::new();
    let mut bad = f.input("/a/", None, "");
    bad.email = "nope".into();
    let body = f.post_as("client", &bad, T0).unwrap_err().to_body();
    assert_eq!(body.error.code, ErrorCode::ValidationFailed);
    let fields: Vec<Field> = body.error.fields.iter().map(|f| f.field).collect();
    assert_eq!(fields, vec![Field::Body, Field::Email]);
    assert!(f.store.threads.borrow().is_empty() && f.store.comments.borrow().is_empty());
}

#[test]
fn bots_are_stopped_by_the_honeypot_and_the_form_timer() {
    let f = Fixture::new();
    let mut honey = f.input("/a/", None, "buy now");
    honey.honeypot = Some("http://spam.example".into());
    assert_eq!(
        f.post_as("bot", &honey, T0).unwrap_err().code(),
        ErrorCode::SpamSuspected
    );
    let mut fast = f.input("/a/", None, "x");
    fast.form_token = f.keys.form_token("default", T0 - 500);
    assert_eq!(
        f.post_as("bot", &fast, T0).unwrap_err().code(),
        ErrorCode::TooFast
    );
    let mut stale = f.input("/a/", None, "x");
    stale.form_token = f.keys.form_token("default", T0 - 8 * 24 * 3600 * 1000);
    assert_eq!(
        f.post_as("bot", &stale, T0).unwrap_err().code(),
        ErrorCode::FormExpired
    );
    let mut missing = f.input("/a/", None, "x");
    missing.form_token.clear();
    assert_eq!(
        f.post_as("bot", &missing, T0).unwrap_err().code(),
        ErrorCode::FormTokenInvalid
    );
    assert!(f.store.comments.borrow().is_empty());
}

#[test]
fn each_client_is_rate_limited_on_its_own() {
    let f = Fixture::new();
    for _ in 0..5 {
        f.post_as("busy", &f.input("/a/", None, "x"), T0).unwrap();
    }
    let err = f
        .post_as("busy", &f.input("/a/", None, "x"), T0)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RateLimited);
    assert_eq!(err.retry_after_secs(), Some(40));
    assert!(f.post_as("calm", &f.input("/a/", None, "x"), T0).is_ok());
    // The next minute opens a new window.
    assert!(f
        .post_as("busy", &f.input("/a/", None, "x"), T0 + 60_000)
        .is_ok());
}

#[test]
fn authors_edit_their_comment_only_with_its_token_and_within_the_window() {
    let f = Fixture::new();
    let created = f.post("/a/", None, "frist");
    let other = f.post("/a/", None, "other");
    let edit = |token: &str, now| {
        let input = EditComment {
            edit_token: token.into(),
            body: "*first*".into(),
        };
        pollster::block_on(f.svc().edit(created.comment.id, &input, now))
    };
    let edited = edit(&created.edit_token, T0 + 60_000).unwrap();
    assert_eq!(edited.body_html, "<p><em>first</em></p>\n");
    assert!(edited.edited_at.is_some());
    let code = |r: Result<PublicComment, ServiceError>| r.unwrap_err().code();
    assert_eq!(
        code(edit(&created.edit_token, T0 + 16 * 60_000)),
        ErrorCode::EditWindowClosed
    );
    assert_eq!(
        code(edit(&other.edit_token, T0)),
        ErrorCode::EditTokenInvalid
    );
    assert_eq!(
        code(edit("1.99999999999999.00", T0)),
        ErrorCode::EditTokenInvalid
    );
    let empty = EditComment {
        edit_token: created.edit_token.clone(),
        body: " ".into(),
    };
    let err = pollster::block_on(f.svc().edit(created.comment.id, &empty, T0)).unwrap_err();
    assert_eq!(err.to_body().error.fields[0].code, ErrorCode::BodyRequired);
}

#[test]
fn deleting_keeps_replies_under_a_placeholder_and_drops_lone_comments() {
    let f = Fixture::new();
    let top = f.post("/a/", None, "top");
    let reply = f.post("/a/", Some(top.comment.id), "reply");
    let lone = f.post("/a/", None, "lone");
    let delete = |c: &CreatedComment| {
        let input = DeleteComment {
            edit_token: c.edit_token.clone(),
        };
        pollster::block_on(f.svc().delete(c.comment.id, &input, T0))
    };
    delete(&top).unwrap();
    delete(&lone).unwrap();
    assert_eq!(
        delete(&lone).unwrap_err().code(),
        ErrorCode::CommentNotFound
    );
    let page = f.page("/a/");
    assert_eq!(page.total, 1);
    let ids: Vec<(CommentId, bool)> = page.comments.iter().map(|c| (c.id, c.deleted)).collect();
    assert_eq!(ids, vec![(top.comment.id, true), (reply.comment.id, false)]);
    let placeholder = &page.comments[0];
    assert!(
        placeholder.author.is_empty()
            && placeholder.body_html.is_empty()
            && placeholder.avatar.is_empty()
    );
}

#[test]
fn gravatar_hashes_are_published_only_when_the_owner_turns_gravatar_on() {
    let mut f = Fixture::new();
    assert_eq!(f.post("/g/", None, "x").comment.gravatar, None);
    f.site.gravatar_url = Some("https://www.gravatar.com/avatar".into());
    let shown = f
        .post("/g/", None, "y")
        .comment
        .gravatar
        .expect("a gravatar hash");
    assert_eq!(shown, crate::token::gravatar_hash("ana@example.org"));
    assert!(f.page("/g/").comments.iter().all(|c| c.gravatar.is_some()));
}

#[test]
fn public_comments_never_carry_the_email() {
    let f = Fixture::new();
    let c = f.post("/a/", None, "x");
    let json = serde_json::to_string(&c).unwrap();
    assert!(!json.contains("ana@example.org"), "{json}");
}

#[test]
fn timestamps_are_utc_rfc3339_with_milliseconds() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
}

/// A human check that answers `answer` and counts how often it was asked.
struct FakeCheck {
    answer: Result<bool, String>,
    asked: Cell<u32>,
}

impl FakeCheck {
    fn new(answer: Result<bool, String>) -> Self {
        FakeCheck {
            answer,
            asked: Cell::new(0),
        }
    }
}

impl HumanCheck for FakeCheck {
    fn required(&self) -> bool {
        true
    }

    async fn verify(&self, _token: &str, _ip: &str) -> Result<bool, String> {
        self.asked.set(self.asked.get() + 1);
        self.answer.clone()
    }
}

#[test]
fn posting_runs_its_checks_cheapest_first() {
    let mut f = Fixture::new();
    f.site.comment_limits = crate::ratelimit::parse_limits("1/60").unwrap();
    let check = FakeCheck::new(Ok(true));
    let post = |input: &NewComment, ip: &str| {
        pollster::block_on(f.svc().with_check(&check).post(input, ip, T0))
    };
    let solved = |mut input: NewComment| {
        input.turnstile_token = Some("solved".into());
        input
    };
    // 1. No I/O at all for the honeypot, the form token, invalid fields or a missing
    //    challenge: no rate-limit row, no verifier call.
    let mut honey = solved(f.input("/o/", None, "x"));
    honey.honeypot = Some("bot".into());
    let mut fast = solved(f.input("/o/", None, "x"));
    fast.form_token = f.keys.form_token("default", T0 - 100);
    let blank = solved(f.input("/o/", None, " "));
    let unsolved = f.input("/o/", None, "x");
    for (input, code) in [
        (&honey, ErrorCode::SpamSuspected),
        (&fast, ErrorCode::TooFast),
        (&blank, ErrorCode::ValidationFailed),
        (&unsolved, ErrorCode::CaptchaRequired),
    ] {
        assert_eq!(post(input, "ip-1").unwrap_err().code(), code);
    }
    assert_eq!(f.store.rate_limit_rows(), 0, "nothing counted yet");
    assert_eq!(check.asked.get(), 0, "the verifier was not asked");

    // 2. The rate limit comes before the network: a client over its limit never makes
    //    the Worker call the verifier.
    let ok = solved(f.input("/o/", None, "first"));
    post(&ok, "ip-1").expect("within the limit");
    assert_eq!(check.asked.get(), 1);
    assert_eq!(
        post(&ok, "ip-1").unwrap_err().code(),
        ErrorCode::RateLimited
    );
    assert_eq!(check.asked.get(), 1, "not asked for a rate-limited client");

    // 3. Then the verifier: a refused or unavailable check stores nothing.
    let stored = f.store.comments.borrow().len();
    let refusing = FakeCheck::new(Ok(false));
    let down = FakeCheck::new(Err("timeout".into()));
    for (check, ip, code) in [
        (&refusing, "ip-2", ErrorCode::CaptchaFailed),
        (&down, "ip-3", ErrorCode::Unavailable),
    ] {
        let err = pollster::block_on(f.svc().with_check(check).post(&ok, ip, T0)).unwrap_err();
        assert_eq!(err.code(), code);
        assert_eq!(check.asked.get(), 1);
    }
    assert_eq!(f.store.comments.borrow().len(), stored);

    // 4. Only then the parent lookup.
    let orphan = solved(f.input("/o/", Some(CommentId(999)), "x"));
    let check = FakeCheck::new(Ok(true));
    let err = pollster::block_on(f.svc().with_check(&check).post(&orphan, "ip-4", T0)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ParentNotFound);
    assert_eq!(
        check.asked.get(),
        1,
        "verified before the parent was looked up"
    );
}

#[test]
fn permalink_context_names_the_thread_and_hides_unpublished_comments() {
    let mut f = Fixture::new();
    let top = f.post("/ctx/", None, "top").comment;
    let reply = f.post("/ctx/", Some(top.id), "reply").comment;
    let ctx = pollster::block_on(f.svc().context(reply.id)).unwrap();
    assert_eq!((ctx.root_id, ctx.thread.as_str()), (top.id, "/ctx/"));
    f.site.moderation = true;
    let held = f.post("/ctx/", None, "held").comment;
    for id in [held.id, CommentId(404)] {
        let err = pollster::block_on(f.svc().context(id)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::CommentNotFound);
    }
    // A comment of another site's thread is not this site's to show.
    f.store.threads.borrow_mut()[0].site_id = "elsewhere".into();
    let err = pollster::block_on(f.svc().context(top.id)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CommentNotFound);
}
