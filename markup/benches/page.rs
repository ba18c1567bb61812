//! The Worker's CPU for one page of a 1,000-comment thread, natively: the core reading the
//! page (tree, capped nesting, reply counts, avatar hashes — here over the in-memory store,
//! which adds its own scan) and the markup rendering it, with its JSON state. `cargo xtask
//! bench` runs this and puts the figures in docs/bench.md.

use colloquy_core::db::memstore::MemStore;
use colloquy_core::domain::site::SiteConfig;
use colloquy_core::domain::token::Keys;
use colloquy_core::service::Service;
use colloquy_core::wire::api::{CommentId, EmbedState, NewComment, Sort, ThreadPage};
use colloquy_i18n::Lang;
use colloquy_markup::{Page, View};
use criterion::{criterion_group, criterion_main, Criterion};

const THREAD: &str = "/bench/1000/";
const T0: i64 = 1_795_000_000_000;

/// A thread of 1,000 comments, every third a reply to the one before.
fn seeded() -> (MemStore, SiteConfig, Keys) {
    let (store, site, keys) = (
        MemStore::default(),
        SiteConfig::new("default"),
        Keys::derive("benchmark secret, not for production use"),
    );
    let mut last = None;
    for i in 0..1_000i64 {
        let svc = Service::new(&store, &site, &keys);
        let client = format!("198.18.{}.{}", i / 256, i % 256);
        let now = T0 + i * 60_000;
        let token = svc
            .form_token(THREAD, &client, now - 10_000)
            .expect("a form token")
            .form_token;
        let input = NewComment {
            thread: THREAD.into(),
            thread_title: Some("Can communities of practice learn online?".into()),
            parent_id: if i % 3 == 2 { last } else { None },
            body: format!(
                "Comment {i}: our reading group met online all year, and the quiet members \
                 learned as much as the loud ones. What made the difference was *the first \
                 reply*, within a day."
            ),
            name: "Ana Novak".into(),
            email: "ana@example.org".into(),
            form_token: token,
            ..Default::default()
        };
        let created = pollster::block_on(svc.post(&input, &client, now)).expect("posted");
        last = Some(created.comment.id);
    }
    (store, site, keys)
}

fn render(page: &ThreadPage) -> String {
    let t = Lang::En.strings();
    let page_href = |c: &str| format!("https://comments.example.org/api/v1/view?cursor={c}");
    let replies_href =
        |id: CommentId| format!("https://comments.example.org/api/v1/view?root={id}");
    let view = View {
        t,
        max_depth: 5,
        gravatar_url: None,
        page_href: &page_href,
        replies_href: &replies_href,
        locked: page.locked,
        feed_href: "https://comments.example.org/api/v1/feed?thread=%2Fbench%2F",
        static_page: false,
    };
    let state = serde_json::to_string(&EmbedState {
        thread: page.thread.clone(),
        title: "Can communities of practice learn online?".into(),
        sort: page.sort,
        next_cursor: page.next_cursor.clone(),
        total: page.total,
        max_depth: 5,
        lang: "en".into(),
        settings: page.settings.clone(),
    })
    .expect("state");
    colloquy_markup::thread(
        &view,
        &Page {
            thread: &page.thread,
            title: "Can communities of practice learn online?",
            total: page.total,
            sort: page.sort,
            comments: &page.comments,
            next_cursor: page.next_cursor.as_deref(),
        },
        "light",
        &state,
    )
}

fn page(c: &mut Criterion) {
    let (store, site, keys) = seeded();
    let svc = Service::new(&store, &site, &keys);
    let read = || pollster::block_on(svc.thread(THREAD, Sort::Oldest, None, T0)).expect("a page");
    let first = read();
    assert_eq!(first.total, 1_000);
    c.bench_function("read the first page (in-memory store)", |b| b.iter(read));
    c.bench_function("render the page to HTML + state", |b| {
        b.iter(|| render(&first))
    });
    c.bench_function("read and render (one /embed miss)", |b| {
        b.iter(|| render(&read()))
    });
}

criterion_group!(benches, page);
criterion_main!(benches);
