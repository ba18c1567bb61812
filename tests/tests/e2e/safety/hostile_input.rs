//! Hostile input: a bad-input sweep over every public and console route (wrong methods,
//! wrong JSON types, huge and deeply nested JSON, invalid UTF-8, control and bidi
//! characters, unknown ids, SQL metacharacters, oversized query strings — every answer
//! below 500, every 4xx a JSON error with a code), hostile markup, names, titles and
//! addresses, and hostile comments inert on every page in Chromium.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use colloquy_core::wire::api::CommentId;
use colloquy_core::wire::endpoint::{AdminOp, Endpoint, Method};
use colloquy_core::wire::limits;
use colloquy_e2e::browser::{in_widget, open_demo, session, wait_for, wait_for_text};
use colloquy_e2e::console::Console;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::{fresh_client_ip, request, Reply};
use colloquy_e2e::payloads::XSS_PAYLOADS;
use colloquy_e2e::unique_thread;
use fantoccini::{Client, Locator};

fn endpoints(id: CommentId) -> Vec<Endpoint> {
    let mut all = vec![
        Endpoint::Health,
        Endpoint::ListThread,
        Endpoint::PostComment,
        Endpoint::CommentContext(id),
        Endpoint::EditComment(id),
        Endpoint::DeleteComment(id),
        Endpoint::Replies(id),
        Endpoint::Like(id),
        Endpoint::Unlike(id),
        Endpoint::Preview,
        Endpoint::Counts,
        Endpoint::Feed,
        Endpoint::FormToken,
        Endpoint::Embed,
        Endpoint::EmbedMore,
        Endpoint::EmbedReplies(id),
        Endpoint::View,
        Endpoint::Report(id),
        Endpoint::ConfirmSubscription,
        Endpoint::Unsubscribe,
        Endpoint::ConfirmPage,
        Endpoint::UnsubscribePage,
    ];
    // Not the logouts: they would end this test's session (and, everywhere, every other
    // test's on this deployment).
    all.extend(
        AdminOp::ALL
            .into_iter()
            .filter(|op| !matches!(op, AdminOp::Logout | AdminOp::LogoutEverywhere))
            .map(Endpoint::Admin),
    );
    all
}

/// Tally per category: (answers, of which 4xx).
#[derive(Default)]
struct Tally(BTreeMap<&'static str, (u32, u32)>);

impl Tally {
    fn check(&mut self, category: &'static str, what: &str, reply: &Reply) {
        assert!(
            reply.status < 500,
            "{category}: {what} answered {} {}",
            reply.status,
            reply.text
        );
        let entry = self.0.entry(category).or_default();
        entry.0 += 1;
        if (400..500).contains(&reply.status) {
            entry.1 += 1;
            // HTML pages (subscription links) answer with a page; everything else JSON.
            if !reply
                .header("content-type")
                .unwrap_or("")
                .starts_with("text/html")
            {
                let code = reply.error_code();
                assert!(
                    !code.is_empty(),
                    "{category}: {what}: a 4xx without a code: {}",
                    reply.text
                );
            }
        }
    }
}

/// What a bad request must get, beyond "below 500 with a code".
#[derive(Clone, Copy)]
enum Want {
    Below500,
    /// A method the route does not take.
    NotFoundOrNotAllowed,
    /// A body a write cannot take.
    Refused,
    /// A body that is not JSON by its media type.
    UnsupportedMediaType,
}

/// One bad request of the sweep.
struct Case {
    category: &'static str,
    method: &'static str,
    endpoint: Endpoint,
    query: String,
    body: Vec<u8>,
    content_type: &'static str,
    want: Want,
}

#[test]
fn every_route_answers_bad_input_with_a_4xx_and_a_code_never_a_5xx() {
    let d = Deployment::main();
    let thread = unique_thread("hostile");
    let real = d.create_id(comment(&thread).body("A real comment"));
    let console = Console::login(&d);
    let session = console.cookie.clone().unwrap();
    let send = |method: &str, endpoint: Endpoint, query: &str, body: &[u8], content_type: &str| {
        let ip = fresh_client_ip();
        let origin = if endpoint.is_admin() {
            d.api.clone()
        } else {
            d.demo.clone()
        };
        let mut headers = vec![
            ("Origin", origin.as_str()),
            ("CF-Connecting-IP", ip.as_str()),
            ("Content-Type", content_type),
        ];
        if endpoint.is_admin() {
            headers.push(("Cookie", session.as_str()));
        }
        let url = format!("{}{}", endpoint.url(&d.api), query);
        request(method, &url, &headers, body)
    };
    // Every route once with a real comment's id and once with an unknown one (routes
    // without an id once).
    let mut routes: Vec<Endpoint> = Vec::new();
    for endpoint in endpoints(real)
        .into_iter()
        .chain(endpoints(CommentId(987_654_321)))
    {
        if !routes
            .iter()
            .any(|r| r.path() == endpoint.path() && r.method() == endpoint.method())
        {
            routes.push(endpoint);
        }
    }
    let mut cases: Vec<Case> = Vec::new();
    for endpoint in routes {
        let path = endpoint.path();
        let own = endpoint.method();
        // Wrong methods (where no other endpoint lives at that method and path).
        for m in ["GET", "POST", "PATCH", "DELETE", "PUT"] {
            let taken = Method::parse(m).is_some_and(|m| Endpoint::parse(m, &path).is_ok());
            if m == own.as_str() || taken {
                continue;
            }
            cases.push(Case {
                category: "wrong method",
                method: m,
                endpoint,
                query: String::new(),
                body: b"{}".to_vec(),
                content_type: "application/json",
                want: Want::NotFoundOrNotAllowed,
            });
        }
        let method = own.as_str();
        if own == Method::Get {
            for (category, query) in [
                ("SQL metacharacters", "?thread=%27%3B%20DROP%20TABLE%20comments%3B--&cursor=%27%20OR%201%3D1&q=%25%27--&email=%27%40x&after=1%20OR%201".to_owned()),
                ("oversized query string", format!("?thread={}", "a".repeat(16_000))),
                ("invalid percent-encoding", "?thread=%ZZ%E0%A4%A&cursor=%FF&sort=%00".to_owned()),
                ("control and bidi characters", "?thread=%E2%80%AEevil%00%07&lang=%E2%80%AE".to_owned()),
                ("unknown ids", "?root=987654321&after=987654321&id=987654321&token=00".to_owned()),
            ] {
                cases.push(Case {
                    category,
                    method,
                    endpoint,
                    query,
                    body: Vec::new(),
                    content_type: "application/json",
                    want: Want::Below500,
                });
            }
            continue;
        }
        let nested = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
        let huge = format!("{{\"body\":\"{}\"}}", "x".repeat(70 * 1024));
        let bidi = serde_json::json!({
            // An address nobody else uses: the console's erase and export read `email`.
            "thread": thread, "body": "hi", "name": "\u{202e}nimda\u{0007}", "email": format!("sweep-{}@example.org", thread.len()),
            "form_token": "x", "reason": "spam\u{0}", "key": "\u{202e}", "edit_token": "\u{0}",
        })
        .to_string();
        let sql = serde_json::json!({
            "thread": "'; DROP TABLE comments; --", "body": "' OR 1=1 --", "name": "Robert'); DROP TABLE threads;--",
            "email": "x'@example.org", "form_token": "' OR '1'='1", "ids": [1], "decision": "approve' --",
            // No real comment id: the console's purge and block act on one.
            "key": "' OR 1=1", "reason": "spam' --", "edit_token": "'--", "comment_id": "1 OR 1=1",
        })
        .to_string();
        let bodies: [(&'static str, Vec<u8>); 8] = [
            ("wrong JSON types", br#"{"thread":5,"body":[],"name":{},"email":true,"ids":"x","decision":7,"reason":[],"key":1}"#.to_vec()),
            ("wrong JSON types", b"[1,2,3]".to_vec()),
            ("wrong JSON types", b"not json".to_vec()),
            ("huge JSON", huge.into_bytes()),
            ("deeply nested JSON", nested.into_bytes()),
            ("invalid UTF-8", vec![b'{', b'"', 0xff, 0xfe, b'"', b':', 0xc3, b'}']),
            ("control and bidi characters", bidi.into_bytes()),
            ("SQL metacharacters", sql.into_bytes()),
        ];
        // A write that takes no body may accept anything (a new badge token); every other
        // write must refuse each of these bodies.
        let takes_no_body = matches!(endpoint, Endpoint::Admin(AdminOp::Badge));
        // Two of these bodies are valid where a route reads only one field: a preview
        // renders a plain `body` ("hi", "' OR 1=1 --") and the console erases whoever
        // has a well-formed `email` (an apostrophe is allowed in one) — nobody, here.
        let reads_only_text = |category: &str| {
            matches!(
                endpoint,
                Endpoint::Preview | Endpoint::Admin(AdminOp::Erase)
            ) && matches!(
                category,
                "control and bidi characters" | "SQL metacharacters"
            )
        };
        for (category, body) in bodies {
            cases.push(Case {
                category,
                method,
                endpoint,
                query: String::new(),
                body,
                content_type: "application/json",
                want: if takes_no_body || reads_only_text(category) {
                    Want::Below500
                } else {
                    Want::Refused
                },
            });
        }
        // (Subscription links take a form post from mail clients and read no body.)
        cases.push(Case {
            category: "wrong media type",
            method,
            endpoint,
            query: String::new(),
            body: b"<x/>".to_vec(),
            content_type: "text/xml",
            want: if !takes_no_body && !endpoint.is_link_write() {
                Want::UnsupportedMediaType
            } else {
                Want::Below500
            },
        });
    }
    // Sent eight at a time (each from an address of its own), checked in order.
    let replies: Vec<Reply> = std::thread::scope(|scope| {
        let chunk = cases.len().div_ceil(8).max(1);
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                let send = &send;
                scope.spawn(move || {
                    part.iter()
                        .map(|c| send(c.method, c.endpoint, &c.query, &c.body, c.content_type))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a sender thread"))
            .collect()
    });
    let mut tally = Tally::default();
    for (case, reply) in cases.iter().zip(&replies) {
        let what = format!(
            "{} {}{}",
            case.method,
            case.endpoint.path(),
            &case.query[..case.query.len().min(60)]
        );
        tally.check(case.category, &what, reply);
        match case.want {
            Want::Below500 => {}
            Want::NotFoundOrNotAllowed => assert!(
                matches!(reply.status, 404 | 405),
                "{what}: {}",
                reply.status
            ),
            Want::Refused => assert!(
                reply.status >= 400,
                "{}: {what} accepted it: {} {}",
                case.category,
                reply.status,
                reply.text
            ),
            Want::UnsupportedMediaType => {
                assert_eq!(reply.status, 415, "{what}: {}", reply.text)
            }
        }
    }
    // Nothing broke: the thread, the comment and a new post are fine.
    assert_eq!(d.page(&thread).comments.len(), 1);
    assert_eq!(
        d.post(&comment(&thread).body("Still here").build()).status,
        201
    );
    let counts: Vec<String> = tally
        .0
        .iter()
        .map(|(c, (n, four))| format!("{c}: {n} requests, {four} answered 4xx, 0 answered 5xx"))
        .collect();
    let report = format!("bad-input sweep:\n  {}\n", counts.join("\n  "));
    print!("{report}");
    // Kept for the closing note / CI log (test output is captured on success).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("bad-input-sweep.txt"), report);
}

#[test]
fn malformed_requests_get_json_errors_not_500s() {
    let api = Deployment::main();
    let origin = api.demo.clone();
    let json_headers = [
        ("Origin", origin.as_str()),
        ("Content-Type", "application/json"),
    ];
    /// (label, status, code, headers, body)
    type Case<'a> = (&'a str, u16, &'a str, Vec<(&'a str, &'a str)>, Vec<u8>);
    let cases: Vec<Case> = vec![
        (
            "broken json",
            400,
            "invalid_json",
            json_headers.to_vec(),
            b"{\"thread\": ".to_vec(),
        ),
        (
            "json array",
            400,
            "invalid_json",
            json_headers.to_vec(),
            b"[1,2]".to_vec(),
        ),
        (
            "wrong types",
            400,
            "invalid_json",
            json_headers.to_vec(),
            br#"{"thread": 5, "parent_id": "x"}"#.to_vec(),
        ),
        (
            "not utf-8",
            400,
            "invalid_json",
            json_headers.to_vec(),
            vec![0xff, 0xfe, 0x00],
        ),
        (
            "form post",
            415,
            "unsupported_media_type",
            vec![
                ("Origin", &origin),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            b"body=x".to_vec(),
        ),
        (
            "text/plain",
            415,
            "unsupported_media_type",
            vec![("Origin", &origin), ("Content-Type", "text/plain")],
            b"{}".to_vec(),
        ),
        (
            "oversized",
            413,
            "payload_too_large",
            json_headers.to_vec(),
            format!("{{\"body\":\"{}\"}}", "x".repeat(limits::REQUEST_BYTES + 1)).into_bytes(),
        ),
        (
            "foreign origin",
            403,
            "origin_not_allowed",
            vec![
                ("Origin", "https://evil.example"),
                ("Content-Type", "application/json"),
            ],
            b"{}".to_vec(),
        ),
        (
            "no origin",
            403,
            "origin_not_allowed",
            vec![("Content-Type", "application/json")],
            b"{}".to_vec(),
        ),
    ];
    let path = Endpoint::PostComment.path();
    for (label, status, code, headers, body) in cases {
        let reply = api.send("POST", &path, &headers, &body);
        assert_eq!(reply.status, status, "{label}: {}", reply.text);
        assert_eq!(reply.error_code(), code, "{label}");
        assert!(
            reply
                .header("content-type")
                .unwrap_or("")
                .starts_with("application/json"),
            "{label}"
        );
    }
}

#[test]
fn unknown_routes_and_methods_are_404_and_405() {
    let api = Deployment::main();
    let unknown = format!("{}/nope", colloquy_core::wire::endpoint::API_PREFIX);
    assert_eq!(api.get(&unknown).error(), (404, "not_found".into()));
    assert_eq!(
        api.get("/no-such-file.txt").error(),
        (404, "not_found".into())
    );
    let reply = api.send(
        "DELETE",
        &Endpoint::PostComment.path(),
        &[("Origin", &api.demo)],
        b"",
    );
    assert_eq!(reply.error(), (405, "method_not_allowed".into()));
}

#[test]
fn a_comment_id_in_a_url_is_a_positive_integer_or_not_found() {
    let api = Deployment::main();
    for bad in ["0", "-1", "1e3", "abc", "99999999999999999999"] {
        let path = format!(
            "{}/comments/{bad}",
            colloquy_core::wire::endpoint::API_PREFIX
        );
        assert_eq!(api.get(&path).error(), (404, "not_found".into()), "{bad}");
    }
    let missing = api.get(&Endpoint::CommentContext(CommentId(999_999_999)).path());
    assert_eq!(missing.error(), (404, "comment_not_found".into()));
}

/// What the README promises a comment body can contain, checked with a real HTML parser
/// (not the renderer's own allowlist): paragraphs, line breaks, emphasis, strikethrough,
/// links, code, quotes and lists — no images, media, frames, forms, scripts or styles; no
/// attribute but a link's `href` and `rel` and a list's `start`; links only to http(s) or
/// mailto, marked `nofollow ugc noopener noreferrer`.
fn assert_only_promised_markup(payload: &str, html: &str) {
    const PROMISED: &[&str] = &[
        "p",
        "br",
        "em",
        "strong",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
    ];
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        let name = el.name();
        if matches!(name, "html" | "body") {
            continue; // the parser's own wrapper for a fragment
        }
        assert!(
            PROMISED.contains(&name),
            "payload {payload:?} left a <{name}> in {html:?}"
        );
        for (attr, value) in el.attrs() {
            let allowed = matches!((name, attr), ("a", "href" | "rel") | ("ol", "start"));
            assert!(
                allowed,
                "payload {payload:?} left {attr}={value:?} on <{name}>"
            );
            if attr == "href" {
                let scheme = value.split(':').next().unwrap_or("").to_ascii_lowercase();
                assert!(
                    ["http", "https", "mailto"].contains(&scheme.as_str()),
                    "payload {payload:?} left href {value:?}"
                );
            }
            if attr == "rel" {
                assert_eq!(value, "nofollow ugc noopener noreferrer", "{payload:?}");
            }
        }
    }
}

/// The text a reader sees in `html` (entities decoded).
fn visible_text(html: &str) -> String {
    scraper::Html::parse_fragment(html)
        .root_element()
        .text()
        .collect()
}

#[test]
fn hostile_markup_in_bodies_is_neutralized_and_shown_as_text() {
    let thread = unique_thread("xss-body");
    for payload in XSS_PAYLOADS {
        let created = Deployment::main().create(&comment(&thread).body(payload).build());
        let html = &created.comment.body_html;
        assert_only_promised_markup(payload, html);
        // Raw HTML the reader typed is kept as the text they typed, not swallowed.
        if payload.starts_with('<') && !payload.starts_with("<!") {
            let first_tag = payload.split('>').next().unwrap_or(payload);
            assert!(
                visible_text(html).contains(first_tag),
                "{payload:?}: the typed markup is not visible as text in {html:?}"
            );
        }
    }
    assert_eq!(
        Deployment::main().page(&thread).total as usize,
        XSS_PAYLOADS.len()
    );
}

#[test]
fn hostile_names_titles_and_urls_are_stored_as_plain_text_or_refused() {
    let thread = unique_thread("xss-fields");
    // Names are text: returned verbatim in JSON (the widget renders them as text nodes).
    let name = "<img src=x onerror=window.__xss=1>";
    let created = Deployment::main().create(
        &comment(&thread)
            .name(name)
            .title("<script>window.__xss=1</script>")
            .build(),
    );
    assert_eq!(created.comment.author, name);
    assert_eq!(
        Deployment::main().page(&thread).title.as_deref(),
        Some("<script>window.__xss=1</script>")
    );
    // Websites and thread URLs must be http(s).
    for bad in [
        "javascript:window.__xss=1",
        "data:text/html,x",
        "  jAvAscript:alert(1)",
        "//evil.example",
    ] {
        let reply = Deployment::main().post(&comment(&thread).website(bad).build());
        assert_eq!(reply.status, 422, "{bad}");
        assert_eq!(
            reply.json()["error"]["fields"][0]["code"],
            "website_invalid",
            "{bad}"
        );
        let reply = Deployment::main().post(&comment(&unique_thread("xss-url")).url(bad).build());
        assert_eq!(
            reply.json()["error"]["fields"][0]["code"],
            "url_invalid",
            "{bad}"
        );
    }
}

#[test]
fn deep_nesting_renders_small_instead_of_choking_the_sanitizer() {
    // 10,000 `>` took 1.8 s and rendered 290 KB before the nesting cap.
    let created = Deployment::main().create(
        &comment(&unique_thread("nesting"))
            .body(&">".repeat(10_000))
            .build(),
    );
    let html = &created.comment.body_html;
    assert_eq!(html.matches("<blockquote>").count(), 8, "{}", &html[..200]);
    assert!(html.len() < 2_000, "{} bytes", html.len());
}

async fn xss_fired(client: &Client) -> bool {
    let fired = client
        .execute("return window.__xss !== undefined", vec![])
        .await
        .expect("run script");
    fired.as_bool().expect("boolean")
}

#[tokio::test]
async fn every_hostile_comment_renders_inert_on_every_page() {
    let thread = unique_thread("browser-xss");
    let hostile_name = "<img src=x onerror=window.__xss=1>";
    for payload in XSS_PAYLOADS {
        let reply =
            Deployment::main().post(&comment(&thread).body(payload).name(hostile_name).build());
        assert_eq!(reply.status, 201, "{payload}: {}", reply.text);
    }
    let client = session().await;
    let root = open_demo(&client, Some(&thread)).await;
    wait_for_text(
        &root,
        "h2.cq-heading",
        &format!("{} comments", XSS_PAYLOADS.len()),
    )
    .await;
    // Load every page, so the payloads that fire without a click are in the page too.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shown = root
            .find_all(Locator::Css("li.cq-item .cq-body"))
            .await
            .unwrap()
            .len();
        if shown == XSS_PAYLOADS.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{shown} of {} shown",
            XSS_PAYLOADS.len()
        );
        if let Ok(more) = root.find(Locator::Css(".cq-more a")).await {
            let _ = more.click().await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Every payload is there, as text where it was markup.
    let bodies = in_widget(
        &client,
        "return [...root.querySelectorAll('li.cq-item .cq-body')].map(b => b.textContent).join('\\n');",
    )
    .await;
    let bodies = bodies.as_str().unwrap();
    for payload in XSS_PAYLOADS.iter().filter(|p| p.starts_with('<')) {
        let first_tag = payload.split('>').next().unwrap();
        assert!(bodies.contains(first_tag), "{payload:?} is not shown");
    }
    // Give anything that could fire (onload, autofocus, timers) its chance: focus moves
    // through every element of the widget.
    in_widget(
        &client,
        "root.querySelectorAll('.cq-body *').forEach(e => { try { e.focus(); } catch (_) {} });",
    )
    .await;
    colloquy_e2e::browser::settle(&client).await;
    assert!(!xss_fired(&client).await, "a payload executed");
    // The hostile name is shown as the text it is.
    let author = wait_for(&root, ".cq-author").await;
    assert_eq!(author.text().await.unwrap(), hostile_name);
    for tag in [
        "script", "iframe", "object", "style", "input", "form", "img", "svg", "math",
    ] {
        let found = root
            .find_all(Locator::Css(&format!(".cq-body {tag}")))
            .await
            .unwrap();
        assert!(found.is_empty(), "a <{tag}> made it into a comment body");
    }
    client.close().await.unwrap();
}
