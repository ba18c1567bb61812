//! Atom feeds against `wrangler dev`, read with a real feed parser (Python's
//! `feedparser` from PyPI): well-formed, the newest comments with sanitized content, no
//! email anywhere, revalidated with `ETag`/304 like the API, linked from the widget.

use std::io::Write;
use std::process::{Command, Stdio};

use colloquy_core::wire::endpoint::{feed_url, Endpoint};
use colloquy_e2e::deployments::env;
use colloquy_e2e::fixtures::{comment, Deployment};
use colloquy_e2e::http::request;
use colloquy_e2e::{env_url, unique_thread};
use serde_json::Value;

/// What feedparser makes of `xml`.
fn parse(xml: &str) -> Value {
    let mut child = Command::new(env_url(env::FEED_PYTHON))
        .args([
            "-c",
            "import sys, json, feedparser\n\
             d = feedparser.parse(sys.stdin.buffer.read())\n\
             print(json.dumps({'bozo': d.bozo, 'version': d.version, 'title': d.feed.get('title'),\n\
               'entries': [{'title': e.get('title'), 'author': e.get('author'), 'link': e.get('link'),\n\
                 'id': e.get('id'), 'content': e.content[0].value if e.get('content') else None}\n\
                 for e in d.entries]}))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python with feedparser");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("feedparser's JSON")
}

#[test]
fn thread_and_site_feeds_are_valid_atom_without_emails() {
    let d = Deployment::main();
    let thread = unique_thread("feed");
    let first = d.create_id(
        comment(&thread)
            .title("Feeds & <friends>")
            .url(&format!("{}/feeds/?from=the-page#comments", d.demo))
            .name("Ana <b>")
            .email("ana-feed@example.org")
            .body("Hello **feed** <script>alert(1)</script>"),
    );
    d.create_id(
        comment(&thread)
            .name("Bo")
            .email("bo-feed@example.org")
            .body("A reply")
            .reply_to(first),
    );
    let url = feed_url(&d.api, &thread);
    let reply = request("GET", &url, &[], b"");
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/atom+xml"));
    assert!(!reply.text.contains("@example.org"), "no email in a feed");
    let feed = parse(&reply.text);
    assert_eq!(feed["bozo"], false, "well-formed: {feed}");
    assert_eq!(feed["version"], "atom10");
    assert_eq!(feed["title"], "Comments on Feeds & <friends>");
    let entries = feed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0]["title"], "Bo on Feeds & <friends>",
        "newest first"
    );
    let ana = &entries[1];
    assert_eq!(ana["author"], "Ana <b>");
    assert_eq!(
        ana["link"],
        format!("{}/feeds/?from=the-page#comment-{}", d.demo, first.0),
        "the page's address on the site, its own fragment dropped"
    );
    let content = ana["content"].as_str().unwrap();
    assert!(content.contains("<strong>feed</strong>"), "{content}");
    assert!(!content.contains("<script"), "{content}");

    // Revalidated like the API: 304 until the thread changes.
    let etag = reply.header("etag").unwrap().to_owned();
    assert_eq!(
        request("GET", &url, &[("If-None-Match", &etag)], b"").status,
        304
    );
    d.create_id(comment(&thread).name("Cy").body("Newest"));
    let changed = request("GET", &url, &[("If-None-Match", &etag)], b"");
    assert_eq!(changed.status, 200);
    assert_eq!(
        parse(&changed.text)["entries"][0]["title"],
        "Cy on Feeds & <friends>"
    );

    // The site's feed has the newest comment of the whole site.
    let site = request("GET", &Endpoint::Feed.url(&d.api), &[], b"");
    assert_eq!(site.status, 200);
    let site = parse(&site.text);
    assert_eq!(site["bozo"], false);
    // Named after the site readers know (its first allowed origin), not "default".
    assert_eq!(
        site["title"],
        format!(
            "Comments on {}",
            url::Url::parse(&d.demo).unwrap().host_str().unwrap()
        )
    );
    assert!(site["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["title"] == "Cy on Feeds & <friends>"));

    // The widget links to it.
    let embed = request(
        "GET",
        &format!(
            "{}/api/v1/embed?thread={}",
            d.api,
            url::form_urlencoded::byte_serialize(thread.as_bytes()).collect::<String>()
        ),
        &[],
        b"",
    );
    let href = url.replace('&', "&amp;");
    assert!(
        embed.text.contains(&format!("href=\"{href}\"")),
        "the widget links the feed"
    );
    // An unknown thread: an empty, valid feed.
    let empty = parse(&request("GET", &feed_url(&d.api, "/no/such/thread/"), &[], b"").text);
    assert_eq!(empty["bozo"], false);
    assert_eq!(empty["entries"].as_array().unwrap().len(), 0);
}
