//! Every endpoint parses back from the path it builds, paths that name nothing are refused, and thread queries round-trip odd characters.

use super::*;

const ALL: [Endpoint; 23] = [
    Endpoint::Health,
    Endpoint::ListThread,
    Endpoint::PostComment,
    Endpoint::CommentContext(CommentId(7)),
    Endpoint::EditComment(CommentId(7)),
    Endpoint::DeleteComment(CommentId(7)),
    Endpoint::Replies(CommentId(7)),
    Endpoint::PendingState(CommentId(7)),
    Endpoint::Like(CommentId(7)),
    Endpoint::Unlike(CommentId(7)),
    Endpoint::Preview,
    Endpoint::Counts,
    Endpoint::FormToken,
    Endpoint::Embed,
    Endpoint::EmbedMore,
    Endpoint::EmbedReplies(CommentId(7)),
    Endpoint::View,
    Endpoint::Report(CommentId(7)),
    Endpoint::ConfirmSubscription,
    Endpoint::Unsubscribe,
    Endpoint::Feed,
    Endpoint::ConfirmPage,
    Endpoint::UnsubscribePage,
];

#[test]
fn every_endpoint_parses_back_from_its_own_method_and_path() {
    let admin = AdminOp::ALL.map(Endpoint::Admin);
    for e in ALL.iter().chain(admin.iter()).copied() {
        assert_eq!(Endpoint::parse(e.method(), &e.path()), Ok(e), "{e:?}");
        assert!(e.path().starts_with("/api/v1/"));
    }
    assert_eq!(
        Endpoint::parse(Method::Delete, "/api/v1/admin/settings"),
        Err(RouteError::MethodNotAllowed)
    );
    assert_eq!(
        Endpoint::parse(Method::Get, "/api/v1/admin/nothing"),
        Err(RouteError::NotFound)
    );
    assert_eq!(
        Endpoint::Like(CommentId(5)).url("https://c.example.org/"),
        "https://c.example.org/api/v1/comments/5/like"
    );
}

#[test]
fn unknown_paths_are_not_found_and_wrong_methods_not_allowed() {
    use RouteError::*;
    for path in [
        "/",
        "/api/v1",
        "/api/v1/",
        "/api/v2/comments",
        "/api/v1/nope",
        "/api/v1/comments/",
        "/api/v1/comments/0",
        "/api/v1/comments/-3",
        "/api/v1/comments/x/like",
        "/api/v1/comments/5/likes",
        "/no-such-file.txt",
    ] {
        assert_eq!(Endpoint::parse(Method::Get, path), Err(NotFound), "{path}");
    }
    assert_eq!(
        Endpoint::parse(Method::Delete, "/api/v1/comments"),
        Err(MethodNotAllowed)
    );
    assert_eq!(
        Endpoint::parse(Method::Get, "/api/v1/preview"),
        Err(MethodNotAllowed)
    );
    assert_eq!(Method::parse("patch"), Some(Method::Patch));
    assert_eq!(Method::parse("OPTIONS"), None);
}

#[test]
fn thread_queries_round_trip_with_odd_characters() {
    let q = ThreadQuery {
        thread: "/blog/č & ?#=/".into(),
        sort: Sort::Liked,
        cursor: Some("l3.42".into()),
    };
    assert_eq!(ThreadQuery::parse(&q.to_query()), Some(q.clone()));
    assert_eq!(
        ThreadQuery::parse("thread=%2Fa%2F"),
        Some(ThreadQuery {
            thread: "/a/".into(),
            ..Default::default()
        })
    );
    assert_eq!(ThreadQuery::parse("thread=a&sort=random"), None);
    let embed = EmbedQuery {
        thread: q.clone(),
        lang: "sl-SI".into(),
        title: "A “title” & more".into(),
        theme: "dark".into(),
        depth: 3,
        root: Some(CommentId(9)),
        page: "https://blog.example/post/?a=1#x".into(),
    };
    assert_eq!(EmbedQuery::parse(&embed.to_query()), Some(embed.clone()));
    assert_eq!(
        EmbedQuery::parse("thread=%2Fa%2F&depth=many&root=-1"),
        Some(EmbedQuery {
            thread: ThreadQuery {
                thread: "/a/".into(),
                ..Default::default()
            },
            ..Default::default()
        }),
        "bad display options fall back to the defaults"
    );
    assert_eq!(
        query_values(&counts_query(&["/a/", "/b c/"]), "thread"),
        vec!["/a/", "/b c/"]
    );
}
