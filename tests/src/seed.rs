//! Threads filled through the owner's import, 40 comments a request (as an owner moving
//! from another system fills them), instead of one post per comment: a paging test needs
//! 36 comments in a thread, not 36 trips through the form token, spam rules and cache.

use colloquy_core::import::{self, Body, Import};
use colloquy_core::wire::api::CommentId;
use colloquy_core::wire::console::query::ListQuery;
use colloquy_core::wire::console::CommentList;
use colloquy_core::wire::console::Tab;
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::moderation::CommentStatus;

use crate::console::Console;
use crate::fixtures::Deployment;

/// One comment to seed: its Markdown and the index (in the same list) of the comment it
/// answers.
pub struct Seed {
    pub body: String,
    pub parent: Option<usize>,
    pub author: String,
}

/// A top-level comment.
pub fn top(body: impl Into<String>) -> Seed {
    Seed {
        body: body.into(),
        parent: None,
        author: "Ana Novak".into(),
    }
}

/// A reply to the comment at `parent` in the list.
pub fn reply(parent: usize, body: impl Into<String>) -> Seed {
    Seed {
        parent: Some(parent),
        ..top(body)
    }
}

impl Seed {
    /// Written by `name`.
    pub fn by(self, name: &str) -> Seed {
        Seed {
            author: name.into(),
            ..self
        }
    }
}

/// Publish `seeds` in `thread` of `d`, oldest first, a second apart (ending a minute
/// ago); returns their ids in the same order.
pub fn thread(d: &Deployment, thread: &str, seeds: &[Seed]) -> Vec<CommentId> {
    let tag = format!("{:x}", crate::http::random_u64());
    let email = |i: usize| format!("seed-{tag}-{i}@example.org");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let first_ms = now_ms - 60_000 - 1_000 * seeds.len() as i64;
    let source = Import {
        threads: vec![import::Thread {
            key: thread.to_owned(),
            title: None,
            url: None,
        }],
        comments: seeds
            .iter()
            .enumerate()
            .map(|(i, s)| import::Comment {
                source_id: format!("e2e-seed:{tag}:{i}"),
                thread_key: thread.to_owned(),
                parent: s.parent.map(|p| format!("e2e-seed:{tag}:{p}")),
                author: s.author.clone(),
                email: email(i),
                website: None,
                created_at_ms: first_ms + 1_000 * i as i64,
                body: Body::Markdown(s.body.clone()),
                status: CommentStatus::Approved,
                is_owner: false,
            })
            .collect(),
        ..Default::default()
    };
    let plan = import::plan::prepare(source);
    assert_eq!(plan.comments.len(), seeds.len(), "every seed is importable");
    let console = Console::login(d);
    for batch in plan.batches() {
        let reply = console.post(AdminOp::Import, &batch);
        assert_eq!(reply.status, 200, "import: {}", reply.text);
    }
    // Their ids, by the address each was imported under (the console lists a thread's
    // comments newest first, 50 a page).
    let mut found = std::collections::HashMap::new();
    let mut query = ListQuery {
        tab: Tab::All,
        search: thread.to_owned(),
        before: None,
    };
    loop {
        let page: CommentList = console
            .get(AdminOp::Comments, &query.to_query())
            .expect(200);
        for c in &page.comments {
            found.insert(c.email.clone(), c.id);
        }
        match page.next_before {
            Some(b) => query.before = Some(b),
            None => break,
        }
    }
    (0..seeds.len())
        .map(|i| {
            *found
                .get(&email(i))
                .unwrap_or_else(|| panic!("seeded comment {i} of {thread} not found"))
        })
        .collect()
}
