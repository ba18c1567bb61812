//! Reading large threads through the API: cursor pages, reply previews and the rest of a
//! subtree, permalink context, likes and sorting, counts for index pages, and preview.

use colloquy_e2e::http::{get, list, post_comment, send};
use colloquy_e2e::{demo, unique_thread};
use serde_json::{json, Value};

fn post(thread: &str, parent: Option<i64>, body: &str) -> i64 {
    let mut c = json!({"thread": thread, "body": body, "name": "Ana", "email": "ana@example.org"});
    if let Some(p) = parent {
        c["parent_id"] = json!(p);
    }
    let reply = post_comment(&c);
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()["comment"]["id"].as_i64().unwrap()
}

fn page(thread: &str, extra: &str) -> Value {
    let reply = get(&format!("/api/v1/comments?thread={thread}{extra}"), &[]);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

fn ids(page: &Value) -> Vec<i64> {
    page["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

fn like(id: i64, reader: &str, method: &str) -> colloquy_e2e::http::Reply {
    let origin = demo();
    send(
        method,
        &format!("/api/v1/comments/{id}/like"),
        &[("Origin", &origin), ("Content-Type", "application/json")],
        json!({"reader": reader}).to_string().as_bytes(),
    )
}

#[test]
fn a_large_thread_pages_by_cursor_and_previews_replies() {
    let thread = unique_thread("pages");
    let top: Vec<i64> = (0..23)
        .map(|i| post(&thread, None, &format!("top {i}")))
        .collect();
    let replies: Vec<i64> = (0..12)
        .map(|i| post(&thread, Some(top[0]), &format!("reply {i}")))
        .collect();
    let deep = post(&thread, Some(replies[0]), "a reply to a reply");

    let first = page(&thread, "");
    assert_eq!(first["total"], 36);
    assert_eq!(first["sort"], "oldest");
    let first_ids = ids(&first);
    // 20 top-level comments, then the first 10 replies of the first one's subtree.
    assert_eq!(&first_ids[..20], &top[..20]);
    assert_eq!(first_ids.len(), 30, "{first_ids:?}");
    assert_eq!(first["comments"][0]["descendants"], 13);
    let cursor = first["next_cursor"]
        .as_str()
        .expect("more pages")
        .to_owned();

    let second = page(&thread, &format!("&cursor={cursor}"));
    assert_eq!(ids(&second), top[20..].to_vec());
    assert!(second["next_cursor"].is_null());

    let subtree = get(&format!("/api/v1/comments/{}/replies", top[0]), &[]).json();
    let mut expected = replies.clone();
    expected.push(deep);
    assert_eq!(
        ids(&subtree),
        expected,
        "every reply of the subtree, oldest first"
    );
    assert!(subtree["comments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["root_id"] == top[0]));

    let context = get(&format!("/api/v1/comments/{deep}"), &[]).json();
    assert_eq!(context["root_id"], top[0]);
    assert_eq!(context["comment"]["parent_id"], replies[0]);

    let newest = page(&thread, "&sort=newest");
    assert_eq!(ids(&newest)[0], top[22]);
    for bad in [
        "&cursor=nonsense",
        &format!("&sort=newest&cursor={cursor}"),
        "&sort=random",
    ] {
        let reply = get(&format!("/api/v1/comments?thread={thread}{bad}"), &[]);
        assert_eq!(
            (reply.status, reply.error_code().as_str()),
            (400, "cursor_invalid"),
            "{bad}"
        );
    }
    let missing = get("/api/v1/comments/999999999/replies", &[]);
    assert_eq!(
        (missing.status, missing.error_code().as_str()),
        (404, "comment_not_found")
    );
}

#[test]
fn likes_count_once_per_reader_and_sort_the_thread() {
    let thread = unique_thread("likes");
    let a = post(&thread, None, "a");
    let b = post(&thread, None, "b");
    let reader_one = "reader-one-0123456789abcdef";
    let reader_two = "reader-two-0123456789abcdef";
    assert_eq!(
        like(b, reader_one, "POST").json(),
        json!({"likes": 1, "liked": true})
    );
    assert_eq!(
        like(b, reader_one, "POST").json()["likes"],
        1,
        "a second like by the same reader"
    );
    assert_eq!(like(b, reader_two, "POST").json()["likes"], 2);
    assert_eq!(like(a, reader_two, "POST").json()["likes"], 1);
    assert_eq!(
        like(a, reader_two, "DELETE").json(),
        json!({"likes": 0, "liked": false})
    );
    let liked = page(&thread, "&sort=liked");
    assert_eq!(ids(&liked), vec![b, a]);
    assert_eq!(liked["comments"][0]["likes"], 2);

    let bad = like(a, "x", "POST");
    assert_eq!(
        (bad.status, bad.error_code().as_str()),
        (422, "reader_invalid")
    );
    let foreign = send(
        "POST",
        &format!("/api/v1/comments/{a}/like"),
        &[
            ("Origin", "https://evil.example"),
            ("Content-Type", "application/json"),
        ],
        json!({"reader": reader_one}).to_string().as_bytes(),
    );
    assert_eq!(
        (foreign.status, foreign.error_code().as_str()),
        (403, "origin_not_allowed")
    );
    assert!(
        !list(&thread).text.contains(reader_one),
        "reader ids are never published"
    );
}

#[test]
fn counts_for_many_threads_come_in_one_request() {
    let busy = unique_thread("count-busy");
    let quiet = unique_thread("count-quiet");
    post(&busy, None, "one");
    let first = post(&busy, None, "two");
    post(&busy, Some(first), "three");
    let reply = get(
        &format!("/api/v1/counts?thread={busy}&thread={quiet}&thread={busy}"),
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json()["counts"],
        json!({ busy.clone(): 3, quiet.clone(): 0 })
    );
    let too_many: String = (0..51).map(|i| format!("&thread=/t{i}/")).collect();
    assert_eq!(
        get(&format!("/api/v1/counts?{}", &too_many[1..]), &[]).status,
        422
    );
}

#[test]
fn preview_renders_exactly_like_publishing_without_storing() {
    let origin = demo();
    let headers = [
        ("Origin", origin.as_str()),
        ("Content-Type", "application/json"),
    ];
    let body = "**bold** <script>x</script> [a](javascript:x)";
    let preview = send(
        "POST",
        "/api/v1/preview",
        &headers,
        json!({"body": body}).to_string().as_bytes(),
    );
    assert_eq!(preview.status, 200, "{}", preview.text);
    let thread = unique_thread("preview");
    let mut c = json!({"thread": thread, "body": body, "name": "A", "email": "a@example.org"});
    c["thread_title"] = json!("t");
    let published = post_comment(&c).json();
    assert_eq!(preview.json()["html"], published["comment"]["body_html"]);
    let empty = send("POST", "/api/v1/preview", &headers, br#"{"body":" "}"#);
    assert_eq!(empty.json()["error"]["fields"][0]["code"], "body_required");
}
