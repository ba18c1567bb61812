//! The business rules on the in-memory store, natively: what each operation returns,
//! what it refuses, and that posting runs its checks in cost order.

mod console;
mod fixtures;
mod notify;
mod privacy;
mod session;
mod settings;
mod sites;

use std::cell::Cell;

use super::error::ServiceError;
use super::owner::Reporting;
use super::*;
use crate::domain::token::{Keys, Purpose};
use crate::wire::api::{
    CommentId, CreatedComment, DeleteComment, EditComment, LikeRequest, NewComment, PublicComment,
    ReportRequest, Sort, ThreadPage,
};
use crate::wire::error::{ErrorCode, Field};
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::HeldFor;
use crate::wire::moderation::{BlockKind, Decision};
use crate::wire::settings::ModerationMode;

use fixtures::{MemFixture, T0};

#[test]
fn a_new_key_is_an_empty_thread_with_a_form_token_and_settings() {
    let f = MemFixture::new();
    let page = f.page("/x/");
    assert_eq!((page.total, page.comments.len(), page.title), (0, 0, None));
    assert_eq!(page.settings.edit_window_secs, 15 * 60);
    let token = f.token("/x/", "client", T0);
    let scope = crate::domain::token::FormScope {
        site: "default",
        thread: "/x/",
        client: "?:client",
    };
    assert!(f
        .keys
        .verify_form_token(&token, &scope, T0 + 5_000, 3_000, 60_000)
        .is_ok());
}

#[test]
fn first_comment_creates_the_thread_and_replies_attach_to_it() {
    let f = MemFixture::new();
    let top = f.post("/x/", None, "*hi*").comment;
    assert_eq!(top.body_html, "<p><em>hi</em></p>\n");
    assert_eq!(top.created_at, "2023-11-14T22:13:20Z");
    assert_eq!(top.avatar, f.keys.avatar_hash(1, "ana@example.org"));
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
    let mut f = MemFixture::new();
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
    let f = MemFixture::new();
    let a = f.post("/l/", None, "a").comment.id;
    let b = f.post("/l/", None, "b").comment.id;
    let like = |id, reader: &str, on| {
        pollster::block_on(f.svc().like(
            id,
            &LikeRequest {
                reader: reader.into(),
            },
            on,
            if reader.contains("two") {
                "client-2"
            } else {
                "client-1"
            },
            T0,
        ))
        .map(|c| c.value)
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
    let mut f = MemFixture::new();
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
    let preview = |body| pollster::block_on(f.svc().preview(body, "client", T0));
    assert_eq!(
        preview("**b**").unwrap().html,
        "<p><strong>b</strong></p>\n"
    );
    assert_eq!(
        preview(" ").unwrap_err().to_body().error.fields[0].code,
        ErrorCode::BodyRequired
    );

    f.site.badge_hash = Some(f.keys.hash(Purpose::Badge, "owner-secret"));
    let mut owned = f.input("/o/", None, "from the owner");
    owned.owner_key = Some("owner-secret".into());
    assert!(f.post_as("owner", &owned, T0).unwrap().comment.owner);
    owned.owner_key = Some("guess".into());
    assert!(!f.post_as("owner", &owned, T0).unwrap().comment.owner);

    f.site.rules.moderation = ModerationMode::All;
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
    let f = MemFixture::new();
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
    let f = MemFixture::new();
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
    let f = MemFixture::new();
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
    let f = MemFixture::new();
    let mut honey = f.input("/a/", None, "buy now");
    honey.honeypot = Some("http://spam.example".into());
    assert_eq!(
        f.post_as("bot", &honey, T0).unwrap_err().code(),
        ErrorCode::SpamSuspected
    );
    let mut fast = f.input("/a/", None, "x");
    fast.form_token = f.token("/a/", "bot", T0 - 500);
    assert_eq!(
        f.post_as("bot", &fast, T0).unwrap_err().code(),
        ErrorCode::TooFast
    );
    let mut stale = f.input("/a/", None, "x");
    stale.form_token = f.token("/a/", "bot", T0 - 7 * 3600 * 1000);
    assert_eq!(
        f.post_as("bot", &stale, T0).unwrap_err().code(),
        ErrorCode::FormExpired
    );
    let mut garbage = f.input("/a/", None, "x");
    garbage.form_token = "not-a-token".into();
    assert_eq!(
        f.post_as("bot", &garbage, T0).unwrap_err().code(),
        ErrorCode::FormTokenInvalid
    );
    assert!(f.store.comments.borrow().is_empty());
}

#[test]
fn each_client_is_rate_limited_on_its_own() {
    let f = MemFixture::new();
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
    let f = MemFixture::new();
    let created = f.post("/a/", None, "frist");
    let other = f.post("/a/", None, "other");
    let edit = |token: &str, now| {
        let input = EditComment {
            edit_token: token.into(),
            body: "*first*".into(),
        };
        pollster::block_on(f.svc().edit(created.comment.id, &input, "client", now)).map(|c| c.value)
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
    let err = pollster::block_on(f.svc().edit(created.comment.id, &empty, "client", T0))
        .map(|c| c.value)
        .unwrap_err();
    assert_eq!(err.to_body().error.fields[0].code, ErrorCode::BodyRequired);
}

#[test]
fn deleting_keeps_replies_under_a_placeholder_and_drops_lone_comments() {
    let f = MemFixture::new();
    let top = f.post("/a/", None, "top");
    let reply = f.post("/a/", Some(top.comment.id), "reply");
    let lone = f.post("/a/", None, "lone");
    let delete = |c: &CreatedComment| {
        let input = DeleteComment {
            edit_token: c.edit_token.clone(),
        };
        pollster::block_on(f.svc().delete(c.comment.id, &input, T0)).map(|c| c.value)
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
    let mut f = MemFixture::new();
    assert_eq!(f.post("/g/", None, "x").comment.gravatar, None);
    f.site.gravatar_url = Some("https://www.gravatar.com/avatar".into());
    let shown = f
        .post("/g/", None, "y")
        .comment
        .gravatar
        .expect("a gravatar hash");
    assert_eq!(
        shown,
        crate::domain::token::gravatar_hash("ana@example.org")
    );
    assert!(f.page("/g/").comments.iter().all(|c| c.gravatar.is_some()));
}

#[test]
fn public_comments_never_carry_the_email() {
    let f = MemFixture::new();
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
    let mut f = MemFixture::new();
    f.site.comment_limits = crate::domain::ratelimit::parse_limits("1/60").unwrap();
    let check = FakeCheck::new(Ok(true));
    // A post from `ip` with a form of its own (shown ten seconds ago) and, if `solved`, a
    // solved challenge.
    let form = |mut input: NewComment, ip: &str, solved: bool| {
        f.shown.set(f.shown.get() + 1);
        input.form_token = f.token(input.thread.trim(), ip, T0 - 10_000 - f.shown.get());
        input.turnstile_token = solved.then(|| "solved".to_owned());
        input
    };
    let post = |input: &NewComment, ip: &str, check: &FakeCheck| {
        pollster::block_on(f.svc().with_check(check).post(input, ip, T0))
    };
    // 1. No I/O at all for the honeypot, invalid fields, the form token or a missing
    //    challenge: no rate-limit row, no verifier call.
    let mut honey = form(f.input("/o/", None, "x"), "ip-1", true);
    honey.honeypot = Some("bot".into());
    let blank = form(f.input("/o/", None, " "), "ip-1", true);
    let mut fast = form(f.input("/o/", None, "x"), "ip-1", true);
    fast.form_token = f.token("/o/", "ip-1", T0 - 100);
    let foreign = form(f.input("/o/", None, "x"), "ip-9", true);
    let unsolved = form(f.input("/o/", None, "x"), "ip-1", false);
    for (input, code) in [
        (&honey, ErrorCode::SpamSuspected),
        (&blank, ErrorCode::ValidationFailed),
        (&fast, ErrorCode::TooFast),
        (&foreign, ErrorCode::FormExpired),
        (&unsolved, ErrorCode::CaptchaRequired),
    ] {
        assert_eq!(post(input, "ip-1", &check).unwrap_err().code(), code);
    }
    assert_eq!(f.store.rate_limit_rows(), 0, "nothing counted yet");
    assert_eq!(check.asked.get(), 0, "the verifier was not asked");

    // 2. The rate limit comes before the network: a client over its limit never makes
    //    the Worker call the verifier.
    let ok = form(f.input("/o/", None, "first"), "ip-1", true);
    post(&ok, "ip-1", &check).expect("within the limit");
    assert_eq!(check.asked.get(), 1);
    let again = form(f.input("/o/", None, "second"), "ip-1", true);
    assert_eq!(
        post(&again, "ip-1", &check).unwrap_err().code(),
        ErrorCode::RateLimited
    );
    assert_eq!(check.asked.get(), 1, "not asked for a rate-limited client");

    // 3. Then the verifier: a refused or unavailable check stores nothing and leaves the
    //    form token usable for the retry.
    let stored = f.store.comments.borrow().len();
    let refusing = FakeCheck::new(Ok(false));
    let down = FakeCheck::new(Err("timeout".into()));
    for (check, ip, code) in [
        (&refusing, "ip-2", ErrorCode::CaptchaFailed),
        (&down, "ip-3", ErrorCode::Unavailable),
    ] {
        let input = form(f.input("/o/", None, "x"), ip, true);
        assert_eq!(post(&input, ip, check).unwrap_err().code(), code);
        assert_eq!(check.asked.get(), 1);
    }
    assert_eq!(f.store.comments.borrow().len(), stored);

    // 4. Only then the parent lookup.
    let orphan = form(f.input("/o/", Some(CommentId(999)), "x"), "ip-4", true);
    let check = FakeCheck::new(Ok(true));
    let err = post(&orphan, "ip-4", &check).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ParentNotFound);
    assert_eq!(
        check.asked.get(),
        1,
        "verified before the parent was looked up"
    );
}

#[test]
fn permalink_context_names_the_thread_and_hides_unpublished_comments() {
    let mut f = MemFixture::new();
    let top = f.post("/ctx/", None, "top").comment;
    let reply = f.post("/ctx/", Some(top.id), "reply").comment;
    let ctx = pollster::block_on(f.svc().context(reply.id)).unwrap();
    assert_eq!((ctx.root_id, ctx.thread.as_str()), (top.id, "/ctx/"));
    f.site.rules.moderation = ModerationMode::All;
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

#[test]
fn a_form_token_posts_once_in_its_own_thread_from_its_own_client() {
    let f = MemFixture::new();
    let token = f.token("/t/", "203.0.113.5", T0 - 10_000);
    let with = |thread: &str, token: &str| NewComment {
        form_token: token.into(),
        ..f.input(thread, None, "x")
    };
    let post = |input: &NewComment, ip: &str| f.post_as(ip, input, T0);
    let created = post(&with("/t/", &token), "203.0.113.5").expect("first use");
    assert_eq!(
        post(&with("/t/", &token), "203.0.113.5")
            .unwrap_err()
            .code(),
        ErrorCode::FormExpired,
        "a second use: the widget renews and sends again"
    );
    assert_eq!(
        post(
            &with("/other/", &f.token("/t/", "203.0.113.5", T0 - 9_000)),
            "203.0.113.5"
        )
        .unwrap_err()
        .code(),
        ErrorCode::FormTokenInvalid,
        "another thread"
    );
    assert_eq!(
        post(
            &with("/t/", &f.token("/t/", "203.0.113.5", T0 - 8_000)),
            "198.51.100.7"
        )
        .unwrap_err()
        .code(),
        ErrorCode::FormExpired,
        "another client (a new address): renewed, not refused for good"
    );
    // The answer carries the token for the reader's next comment (valid once it is old
    // enough, like any form).
    let next = with("/t/", &created.form_token);
    assert_eq!(
        f.post_as("203.0.113.5", &next, T0).unwrap_err().code(),
        ErrorCode::TooFast
    );
    assert!(f.post_as("203.0.113.5", &next, T0 + 5_000).is_ok());
}

#[test]
fn ipv6_clients_are_limited_by_their_64_and_their_56() {
    let mut f = MemFixture::new();
    f.site.comment_limits = crate::domain::ratelimit::parse_limits("2/60").unwrap();
    let post = |ip: &str| f.post_as(ip, &f.input("/v6/", None, "x"), T0);
    assert!(post("2001:db8:0:1::2").is_ok());
    assert!(post("2001:db8:0:1::3").is_ok(), "same /64, second comment");
    assert_eq!(
        post("2001:db8:0:1:dead:beef::9").unwrap_err().code(),
        ErrorCode::RateLimited,
        "rotating addresses inside one /64 does not help"
    );
    // Other /64s of the same /56 each get their own limit, up to 4× in all.
    for n in 2..=4 {
        assert!(post(&format!("2001:db8:0:{n}::1")).is_ok());
        assert!(post(&format!("2001:db8:0:{n}::2")).is_ok());
    }
    assert_eq!(
        post("2001:db8:0:5::1").unwrap_err().code(),
        ErrorCode::RateLimited,
        "the /56 has used its budget"
    );
    assert!(
        post("2001:db8:1:1::1").is_ok(),
        "another /56 is another client"
    );
}

#[test]
fn one_client_cannot_inflate_likes_with_fresh_reader_ids() {
    let f = MemFixture::new();
    let id = f.post("/lk/", None, "x").comment.id;
    let like = |reader: &str, ip: &str| {
        pollster::block_on(f.svc().like(
            id,
            &LikeRequest {
                reader: reader.into(),
            },
            true,
            ip,
            T0,
        ))
        .map(|c| c.value)
        .unwrap()
    };
    for n in 0..6 {
        let state = like(&format!("fresh-reader-id-{n:04}"), "2001:db8::7");
        assert_eq!(state.likes, 1, "reader {n}");
        assert_eq!(state.liked, n == 0);
    }
    assert_eq!(like("another-reader-0001", "203.0.113.1").likes, 2);
}

#[test]
fn an_edit_on_a_moderated_site_goes_back_to_the_queue_unless_the_owner_made_it() {
    let mut f = MemFixture::new();
    f.site.badge_hash = Some(f.keys.hash(Purpose::Badge, "owner-secret"));
    let mine = f.post("/mod/", None, "approved before moderation");
    let mut by_owner = f.input("/mod/", None, "from the owner");
    by_owner.owner_key = Some("owner-secret".into());
    let owned = f.post_as("owner", &by_owner, T0).unwrap();
    f.site.rules.moderation = ModerationMode::All;
    let edit = |c: &CreatedComment| {
        pollster::block_on(f.svc().edit(
            c.comment.id,
            &EditComment {
                edit_token: c.edit_token.clone(),
                body: "now something else".into(),
            },
            "client",
            T0 + 1_000,
        ))
        .map(|c| c.value)
        .unwrap()
    };
    assert!(edit(&mine).pending, "rewritten after approval: held again");
    assert_eq!(f.page("/mod/").total, 1, "only the owner's is public now");
    assert!(!edit(&owned).pending, "the owner is not moderated");
}

#[test]
fn the_edit_window_is_checked_against_the_comments_age_not_only_the_token() {
    let mut f = MemFixture::new();
    let c = f.post("/w/", None, "x");
    f.site.edit_window_secs = 60;
    let delete = |now| {
        pollster::block_on(f.svc().delete(
            c.comment.id,
            &DeleteComment {
                edit_token: c.edit_token.clone(),
            },
            now,
        ))
        .map(|c| c.value)
    };
    assert_eq!(
        delete(T0 + 61_000).unwrap_err().code(),
        ErrorCode::EditWindowClosed,
        "the token still runs 15 minutes; the site now allows one"
    );
    assert!(delete(T0 + 59_000).is_ok());
}

#[test]
fn without_a_usable_secret_reads_work_writes_are_refused_and_no_hashes_are_published() {
    let f = MemFixture::new();
    f.post("/ns/", None, "written while the secret was set");
    let keys = Keys::unusable();
    let svc = Service::new(&f.store, &f.site, &keys);
    let page = pollster::block_on(svc.thread("/ns/", Sort::Oldest, None, T0)).unwrap();
    assert_eq!(page.comments.len(), 1);
    assert_eq!(page.comments[0].avatar, "", "anyone could compute it");
    assert_eq!(
        svc.form_token("/ns/", "client", T0).unwrap_err().code(),
        ErrorCode::Unavailable
    );
    let input = NewComment {
        form_token: keys.form_token(
            &crate::domain::token::FormScope {
                site: "default",
                thread: "/ns/",
                client: "?:client",
            },
            T0 - 10_000,
        ),
        ..f.input("/ns/", None, "x")
    };
    assert_eq!(
        pollster::block_on(svc.post(&input, "client", T0))
            .unwrap_err()
            .code(),
        ErrorCode::Unavailable
    );
    assert_eq!(
        pollster::block_on(svc.preview("x", "client", T0))
            .unwrap_err()
            .code(),
        ErrorCode::Unavailable
    );
}

#[test]
fn previews_and_edits_are_rate_limited_per_client() {
    let mut f = MemFixture::new();
    f.site.preview_limits = crate::domain::ratelimit::parse_limits("2/60").unwrap();
    f.site.edit_limits = crate::domain::ratelimit::parse_limits("1/60").unwrap();
    let preview = |ip| pollster::block_on(f.svc().preview("**x**", ip, T0));
    assert!(preview("a").is_ok() && preview("a").is_ok());
    assert_eq!(preview("a").unwrap_err().code(), ErrorCode::RateLimited);
    assert!(preview("b").is_ok());
    let c = f.post("/ed/", None, "x");
    let edit = || {
        pollster::block_on(f.svc().edit(
            c.comment.id,
            &EditComment {
                edit_token: c.edit_token.clone(),
                body: "y".into(),
            },
            "a",
            T0,
        ))
        .map(|c| c.value)
    };
    assert!(edit().is_ok());
    assert_eq!(edit().unwrap_err().code(), ErrorCode::RateLimited);
}

/// A comment with an author's email and browser key.
fn by(f: &MemFixture, thread: &str, email: &str, browser_key: Option<&str>) -> NewComment {
    NewComment {
        email: email.into(),
        author_key: browser_key.map(Into::into),
        ..f.input(thread, None, "Hello there")
    }
}

#[test]
fn first_time_moderation_trusts_email_and_browser_key_together() {
    let mut f = MemFixture::new();
    f.site.rules.moderation = ModerationMode::FirstTime;
    let first = f
        .post_as(
            "c1",
            &by(&f, "/ft/", "rita@example.org", Some("rita-key")),
            T0,
        )
        .unwrap();
    assert!(first.comment.pending, "a first comment waits");
    let still = f
        .post_as(
            "c1",
            &by(&f, "/ft/", "rita@example.org", Some("rita-key")),
            T0,
        )
        .unwrap();
    assert!(still.comment.pending, "nothing approved yet: still waiting");
    pollster::block_on(f.svc().moderate(&[first.comment.id], Decision::Approve, T0)).unwrap();
    let trusted = f
        .post_as(
            "c1",
            &by(&f, "/ft/", "rita@example.org", Some("rita-key")),
            T0,
        )
        .unwrap();
    assert!(
        !trusted.comment.pending,
        "approved once, same email and browser: published"
    );
    // Someone who knows Rita's address, from another browser: still held.
    let impostor = f
        .post_as(
            "c2",
            &by(&f, "/ft/", "Rita@Example.org ", Some("guessed")),
            T0,
        )
        .unwrap();
    assert!(impostor.comment.pending, "the email alone does not pass");
    let keyless = f
        .post_as("c2", &by(&f, "/ft/", "rita@example.org", None), T0)
        .unwrap();
    assert!(keyless.comment.pending);
    assert_eq!(
        f.store.comments.borrow()[impostor.comment.id.0 as usize - 1].held_for,
        Some(HeldFor::FirstTime)
    );
}

#[test]
fn spam_rules_hold_blocked_muted_and_link_heavy_comments() {
    let mut f = MemFixture::new();
    f.site.rules.muted.body = vec!["cas*no".into()];
    f.site.rules.max_links = 1;
    let held = |input: &NewComment, who: &str| {
        let c = f.post_as(who, input, T0).unwrap().comment;
        f.store.comments.borrow()[c.id.0 as usize - 1].held_for
    };
    let mut muted = f.input("/rules/", None, "Best CASINO in town");
    assert_eq!(held(&muted, "a"), Some(HeldFor::Muted));
    muted.body = "Tuesday's class was fine".into();
    assert_eq!(held(&muted, "a"), None);
    let links = f.input("/rules/", None, "https://a.example and https://b.example");
    assert_eq!(held(&links, "a"), Some(HeldFor::Links));
    let email_hash = f.keys.hash(Purpose::Email, "ana@example.org");
    pollster::block_on(f.svc().block(crate::db::store::SetBlock {
        kind: BlockKind::Email,
        hash: &email_hash,
        label: "Ana",
        email_hash: None,
        on: true,
        now_ms: T0,
    }))
    .unwrap();
    assert_eq!(
        held(&f.input("/rules/", None, "hi"), "z"),
        Some(HeldFor::Blocked)
    );
    pollster::block_on(f.svc().block(crate::db::store::SetBlock {
        kind: BlockKind::Email,
        hash: &email_hash,
        label: "Ana",
        email_hash: None,
        on: false,
        now_ms: T0,
    }))
    .unwrap();
    assert_eq!(held(&f.input("/rules/", None, "hi"), "z"), None);
    assert_eq!(
        f.page("/rules/").total,
        2,
        "only the two clean ones are published"
    );
}

#[test]
fn locked_and_auto_closed_threads_refuse_comments_but_not_the_owner() {
    let mut f = MemFixture::new();
    let top = f.post("/lk/", None, "open").comment;
    pollster::block_on(f.svc().lock("/lk/", true)).unwrap();
    let refused = f.post_as("c", &f.input("/lk/", Some(top.id), "late"), T0);
    assert_eq!(refused.unwrap_err().code(), ErrorCode::ThreadLocked);
    assert!(f.page("/lk/").locked);
    f.site.badge_hash = Some(f.keys.hash(Purpose::Badge, "badge"));
    let mut owner = f.input("/lk/", None, "closing words");
    owner.owner_key = Some("badge".into());
    assert!(f.post_as("owner", &owner, T0).unwrap().comment.owner);
    pollster::block_on(f.svc().lock("/lk/", false)).unwrap();
    assert!(!f.page("/lk/").locked);
    // Closed by age: thirty days after the first comment.
    f.site.auto_close_days = 30;
    let month = 30 * 86_400_000;
    assert!(f
        .post_as("c", &f.input("/lk/", None, "in time"), T0 + month - 1)
        .is_ok());
    let late = f.post_as("c", &f.input("/lk/", None, "too late"), T0 + month + 1);
    assert_eq!(late.unwrap_err().code(), ErrorCode::ThreadLocked);
    let page = pollster::block_on(f.svc().thread("/lk/", Sort::Oldest, None, T0 + month + 1));
    assert!(page.unwrap().locked);
    assert_eq!(
        pollster::block_on(f.svc().lock("/no-such-thread/", true))
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn a_pinned_comment_comes_first_on_top_of_a_full_page() {
    let mut f = MemFixture::new();
    f.site.page_size = 2;
    let ids: Vec<CommentId> = (0..4)
        .map(|i| f.post("/pp/", None, &format!("c{i}")).comment.id)
        .collect();
    let reply = f.post("/pp/", Some(ids[0]), "a reply").comment;
    assert_eq!(
        pollster::block_on(f.svc().pin("/pp/", Some(reply.id)))
            .unwrap_err()
            .code(),
        ErrorCode::CommentNotFound,
        "only top-level comments are pinned"
    );
    pollster::block_on(f.svc().pin("/pp/", Some(ids[3]))).unwrap();
    let first = f.page("/pp/");
    let top: Vec<(i64, bool)> = first
        .comments
        .iter()
        .filter(|c| c.parent_id.is_none())
        .map(|c| (c.id.0, c.pinned))
        .collect();
    assert_eq!(
        top,
        vec![(ids[3].0, true), (ids[0].0, false), (ids[1].0, false)]
    );
    let cursor = first.next_cursor.expect("a second page");
    let second =
        pollster::block_on(f.svc().thread("/pp/", Sort::Oldest, Some(&cursor), T0)).unwrap();
    let rest: Vec<i64> = second.comments.iter().map(|c| c.id.0).collect();
    assert_eq!(rest, vec![ids[2].0], "the pinned one is not repeated");
    assert!(second.next_cursor.is_none());
}

impl MemFixture {
    /// A report from `ip` with a fresh form token shown ten seconds before.
    fn report(&self, id: CommentId, ip: &str, reason: &str) -> Result<Reporting, ServiceError> {
        self.shown.set(self.shown.get() + 1);
        let thread = pollster::block_on(self.store.find_comment_in_thread(id))
            .unwrap()
            .map(|(_, t)| t.key)
            .unwrap_or_default();
        let input = ReportRequest {
            reason: reason.into(),
            form_token: self.token(&thread, ip, T0 - 10_000 - self.shown.get()),
            turnstile_token: None,
        };
        pollster::block_on(self.svc().report(id, &input, ip, T0))
    }
}

#[test]
fn reports_hide_a_comment_at_the_threshold_once_per_network() {
    let mut f = MemFixture::new();
    f.site.report_threshold = 3;
    let c = f.post("/rp/", None, "provocative").comment;
    assert_eq!(
        f.report(c.id, "203.0.113.1", "because").unwrap_err().code(),
        ErrorCode::ReportInvalid
    );
    let first = f.report(c.id, "203.0.113.1", "spam").unwrap();
    assert_eq!((first.hidden_in, first.notify), (None, true));
    assert!(
        !first.state.form_token.is_empty(),
        "the next report's token"
    );
    let again = f.report(c.id, "203.0.113.1", "abuse").unwrap();
    assert_eq!(
        (again.hidden_in, again.notify),
        (None, false),
        "once per address, and a repeat queues no notification"
    );
    // Three /64s of one /56 (one home connection) are one reporter: the second.
    for ip in [
        "2001:db8:1:100::1",
        "2001:db8:1:101::1",
        "2001:db8:1:1ff::1",
    ] {
        let r = f.report(c.id, ip, "spam").unwrap();
        assert_eq!(r.hidden_in, None, "{ip}");
    }
    assert_eq!(
        pollster::block_on(f.store.find_comment(c.id))
            .unwrap()
            .unwrap()
            .reports,
        2
    );
    assert_eq!(f.page("/rp/").total, 1);
    assert_eq!(
        f.report(c.id, "203.0.113.2", "off_topic")
            .unwrap()
            .hidden_in
            .as_deref(),
        Some("/rp/"),
        "the third network hides it: the thread's pages change"
    );
    assert_eq!(f.page("/rp/").total, 0);
    assert_eq!(
        f.report(c.id, "203.0.113.3", "spam").unwrap_err().code(),
        ErrorCode::CommentNotFound,
        "a hidden comment is not reported again"
    );
}

#[test]
fn a_report_is_a_form_like_a_comment() {
    let mut f = MemFixture::new();
    f.site.min_submit_ms = 3_000;
    let c = f.post("/rf/", None, "a comment").comment;
    let send = |token: String| {
        pollster::block_on(f.svc().report(
            c.id,
            &ReportRequest {
                reason: "spam".into(),
                form_token: token,
                turnstile_token: None,
            },
            "203.0.113.7",
            T0,
        ))
    };
    assert_eq!(
        send(String::new()).unwrap_err().code(),
        ErrorCode::FormTokenInvalid
    );
    let early = f.token("/rf/", "203.0.113.7", T0 - 1_000);
    assert_eq!(send(early).unwrap_err().code(), ErrorCode::TooFast);
    let other_thread = f.token("/elsewhere/", "203.0.113.7", T0 - 10_000);
    assert_eq!(
        send(other_thread).unwrap_err().code(),
        ErrorCode::FormTokenInvalid
    );
    let other_client = f.token("/rf/", "203.0.113.8", T0 - 10_000);
    assert_eq!(
        send(other_client).unwrap_err().code(),
        ErrorCode::FormExpired
    );
    let good = f.token("/rf/", "203.0.113.7", T0 - 10_000);
    send(good.clone()).unwrap();
    assert_eq!(
        send(good).unwrap_err().code(),
        ErrorCode::FormExpired,
        "a token reports once"
    );
}

#[test]
fn approved_after_reports_and_the_owners_own_are_never_hidden_by_reports() {
    let mut f = MemFixture::new();
    f.site.report_threshold = 2;
    let c = f.post("/ri/", None, "fair criticism").comment;
    f.report(c.id, "198.51.100.1", "abuse").unwrap();
    assert!(f
        .report(c.id, "198.51.100.2", "abuse")
        .unwrap()
        .hidden_in
        .is_some());
    pollster::block_on(f.svc().moderate(&[c.id], Decision::Approve, T0)).unwrap();
    // The same readers (and more) report it again: it stays, and the owner is told.
    let mut last = None;
    for ip in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        last = Some(f.report(c.id, ip, "abuse").unwrap());
    }
    let last = last.unwrap();
    assert_eq!(last.hidden_in, None);
    assert!(last.notify && last.kept_visible);
    assert_eq!(f.page("/ri/").total, 1);
}

#[test]
fn a_thread_links_only_to_a_page_of_the_site_and_its_title_stays_on_one_line() {
    let f = MemFixture::new();
    let mut input = f.input("/tu/", None, "first");
    input.thread_url = Some("https://evil.example/login".into());
    let refused = f.post_as("client", &input, T0).unwrap_err();
    assert_eq!(
        refused.to_body().error.fields[0].code,
        ErrorCode::UrlNotAllowed,
        "a first commenter does not choose where the thread links"
    );
    input.thread_url = Some("javascript:alert(1)".into());
    assert_eq!(
        f.post_as("client", &input, T0).unwrap_err().code(),
        ErrorCode::ValidationFailed
    );
    input.thread_url = Some("https://blog.example.org/tu/#comments".into());
    input.thread_title = Some("Title\r\nBcc: victim@example.org".into());
    let refused = f.post_as("client", &input, T0).unwrap_err();
    assert_eq!(
        refused.to_body().error.fields[0].code,
        ErrorCode::TitleInvalid
    );
    input.thread_title = Some("The first title".into());
    f.post_as("client", &input, T0).unwrap();
    let thread = |f: &MemFixture| {
        pollster::block_on(f.store.find_thread("/tu/"))
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        thread(&f).url.as_deref(),
        Some("https://blog.example.org/tu/"),
        "stored without the fragment"
    );
    // The page was renamed: the next published comment brings its title.
    input.thread_title = Some("A better title".into());
    f.post_as("client", &input, T0 + 1_000).unwrap();
    assert_eq!(thread(&f).title.as_deref(), Some("A better title"));
    // The owner's title stays.
    pollster::block_on(f.store.set_thread_meta(crate::db::store::ThreadMeta {
        key: "/tu/",
        title: Some("The owner's title"),
        url: None,
        by_owner: true,
    }))
    .unwrap();
    input.thread_title = Some("A troll's title".into());
    f.post_as("client", &input, T0 + 2_000).unwrap();
    assert_eq!(thread(&f).title.as_deref(), Some("The owner's title"));
}

#[test]
fn a_pending_comments_author_can_ask_whether_it_still_waits_and_nobody_else() {
    use crate::wire::api::PendingState;
    let mut f = MemFixture::new();
    f.site.rules.moderation = ModerationMode::All;
    let created = f.post("/pq/", None, "held for now");
    let token = created
        .pending_token
        .expect("a token for a pending comment");
    let id = created.comment.id;
    let ask = |token: &str| pollster::block_on(f.svc().pending_state(id, token));
    assert_eq!(ask(&token).unwrap().state, PendingState::Pending);
    assert_eq!(ask("0000").unwrap_err().code(), ErrorCode::CommentNotFound);
    let other = f.post("/pq/", None, "another").pending_token.unwrap();
    assert_eq!(
        ask(&other).unwrap_err().code(),
        ErrorCode::CommentNotFound,
        "a token answers for its own comment only"
    );
    pollster::block_on(f.svc().moderate(&[id], Decision::Approve, T0)).unwrap();
    assert_eq!(ask(&token).unwrap().state, PendingState::Published);
    pollster::block_on(f.svc().moderate(&[id], Decision::Trash, T0)).unwrap();
    assert_eq!(ask(&token).unwrap().state, PendingState::Gone);
    f.site.rules.moderation = ModerationMode::Off;
    assert!(f
        .post("/pq/", None, "published at once")
        .pending_token
        .is_none());
}

/// An author takes their words back even from the owner's Trash (for good: nothing left
/// to restore), but cannot edit a trashed comment back into sight.
#[test]
fn an_author_deletes_but_never_edits_a_comment_in_the_trash() {
    let f = MemFixture::new();
    let c = f.post("/tr/", None, "mine");
    let id = c.comment.id;
    pollster::block_on(f.svc().moderate(&[id], Decision::Trash, T0)).unwrap();
    let edit = EditComment {
        edit_token: c.edit_token.clone(),
        body: "back again".into(),
    };
    assert_eq!(
        pollster::block_on(f.svc().edit(id, &edit, "client", T0))
            .map(|c| c.value)
            .unwrap_err()
            .code(),
        ErrorCode::CommentNotFound
    );
    let delete = DeleteComment {
        edit_token: c.edit_token.clone(),
    };
    pollster::block_on(f.svc().delete(id, &delete, T0)).unwrap();
    let restored = pollster::block_on(f.svc().moderate(&[id], Decision::Restore, T0)).unwrap();
    assert_eq!(restored.changed, 0, "nothing left to restore");
}
