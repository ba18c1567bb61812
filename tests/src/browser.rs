//! Headless Chromium through ChromeDriver (fantoccini), reaching into the widget's shadow
//! root the way a reader's clicks and keystrokes would.

use std::ops::Deref;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ShadowRoot};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::deployments::env;
use crate::fixtures::Deployment;

/// How many Chromium sessions the suite's tests hold at once (the rest wait for one to
/// close): as many as ran at once when the suite was 21 test binaries, three at a time
/// with two tests each. One ChromeDriver serves them all, on two cores.
pub const MAX_SESSIONS: usize = 6;

/// A browser session: fantoccini's [`Client`] (which it derefs to), holding one of the
/// [`MAX_SESSIONS`] places until it is closed or dropped.
pub struct Session {
    client: Client,
    _place: Place,
}

impl Deref for Session {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Session {
    /// End the session (Chromium closes), and give its place to a waiting test.
    pub async fn close(self) -> Result<(), fantoccini::error::CmdError> {
        self.client.close().await
    }
}

/// One of the [`MAX_SESSIONS`] places, given back when dropped.
struct Place;

static OPEN: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

impl Place {
    /// Wait for a free place. (Each test runs on a thread and a runtime of its own, so
    /// waiting here holds up no other test.)
    fn take() -> Place {
        let mut open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
        while *open >= MAX_SESSIONS {
            open = FREED.wait(open).unwrap_or_else(PoisonError::into_inner);
        }
        *open += 1;
        Place
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        *OPEN.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        FREED.notify_one();
    }
}

/// A fresh browser session. Each test has its own, so tests run in parallel.
pub async fn session() -> Session {
    session_with(None).await
}

/// A session emulating a phone screen `width` CSS pixels wide (Chrome's device emulation,
/// since a desktop window cannot be made that narrow).
pub async fn phone_session(width: u32) -> Session {
    session_with(Some(width)).await
}

async fn session_with(phone_width: Option<u32>) -> Session {
    let place = Place::take();
    let mut chrome = json!({
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--window-size=1200,1000"
        ]
    });
    if std::path::Path::new("/usr/bin/chromium").exists() {
        chrome["binary"] = json!("/usr/bin/chromium");
    }
    if let Some(width) = phone_width {
        chrome["mobileEmulation"] =
            json!({"deviceMetrics": {"width": width, "height": 800, "pixelRatio": 2}});
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), chrome);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&crate::env_url(env::WEBDRIVER))
        .await
        .expect("ChromeDriver session");
    Session {
        client,
        _place: place,
    }
}

/// Open the demo article showing `thread` (the demo server's `?thread=` hook) and wait
/// until the widget has loaded the thread.
pub async fn open_demo(client: &Client, thread: Option<&str>) -> ShadowRoot {
    match thread {
        Some(t) => open_demo_with(client, &format!("thread={t}")).await,
        None => open_demo_with(client, "").await,
    }
}

/// Open the demo with a query string (`thread=…&theme=dark&lang=sl&depth=3`, optionally
/// followed by `#comment-…`) and wait until the reading half has taken the thread over,
/// so that what a test does next meets working controls. (A click on the painted thread
/// before that is replayed after it, which made focus checks right after a click race the
/// takeover on a loaded machine.)
pub async fn open_demo_with(client: &Client, query: &str) -> ShadowRoot {
    let root = open_demo_painted(client, query).await;
    wait_for(&root, "section.cq[data-live]").await;
    root
}

/// Open the demo and wait only for the server-painted thread: for tests of what happens
/// before (or without) the takeover.
pub async fn open_demo_painted(client: &Client, query: &str) -> ShadowRoot {
    client
        .goto(&format!("{}/?{query}", Deployment::main().demo))
        .await
        .expect("navigate to demo");
    let root = widget_root(client).await;
    wait_for(&root, "ol.cq-list").await;
    root
}

/// A Chrome DevTools Protocol command, sent through ChromeDriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Run a Chrome DevTools command (network conditions, blocked URLs, …) in this session.
pub async fn cdp(client: &Client, cmd: &str, params: serde_json::Value) -> serde_json::Value {
    client
        .issue_cmd(Cdp {
            cmd: cmd.to_owned(),
            params,
        })
        .await
        .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
}

/// Let the page finish what it was doing: two animation frames (a layout and a paint)
/// and then the tasks queued meanwhile — instead of a sleep that a slow machine outruns.
pub async fn settle(client: &Client) {
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));",
            vec![],
        )
        .await
        .expect("the page settles");
}

/// From the next page on, keep every Content-Security-Policy violation the page reports
/// (`securitypolicyviolation` events: a blocked load never shows up in resource timing)
/// for [`csp_violations`]. Installed through DevTools, so it runs before any page script
/// and whatever the page's own policy says.
pub async fn record_csp_violations(client: &Client) {
    cdp(
        client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": "window.__csp = []; document.addEventListener('securitypolicyviolation', \
            e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI), true);" }),
    )
    .await;
}

/// The violations recorded on the current page (see [`record_csp_violations`]).
pub async fn csp_violations(client: &Client) -> Vec<String> {
    let v = client
        .execute("return window.__csp || null", vec![])
        .await
        .expect("read the violations");
    serde_json::from_value(v).expect("the recorder was installed before the page loaded")
}

/// Make every request whose URL matches one of `patterns` (`*` wildcards) fail, as a
/// broken network or a blocking extension would.
pub async fn block_urls(client: &Client, patterns: &[&str]) {
    cdp(client, "Network.enable", json!({})).await;
    cdp(
        client,
        "Network.setBlockedURLs",
        json!({ "urls": patterns }),
    )
    .await;
}

/// Run `body` as a script where `root` is the widget's shadow root; returns its result.
pub async fn in_widget(client: &Client, body: &str) -> serde_json::Value {
    let script = format!("const root = document.querySelector('#comments').shadowRoot; {body}");
    client
        .execute(&script, vec![])
        .await
        .expect("script in the widget")
}

/// Run axe-core (from npm, injected into the page) on the widget and fail on any violation.
pub async fn assert_accessible(client: &Client, situation: &str) {
    let path = crate::env_url(env::AXE);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let present = client
        .execute("return typeof window.axe === 'object'", vec![])
        .await
        .unwrap();
    if present != json!(true) {
        client
            .execute(&format!("{source}\n;return true;"), vec![])
            .await
            .expect("inject axe-core");
    }
    let script = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document.querySelector('#comments'), { resultTypes: ['violations'] })
          .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help}\n    ` +
              v.nodes.map(n => `${n.target.join(' ')} :: ${n.failureSummary}`).join('\n    '))))
          .catch(e => done(['axe failed: ' + e]));
    "#;
    let violations = client.execute_async(script, vec![]).await.expect("run axe");
    let list: Vec<String> = serde_json::from_value(violations).expect("a list of violations");
    assert!(
        list.is_empty(),
        "accessibility violations ({situation}):\n{}",
        list.join("\n")
    );
}

/// Fill in the "Leave a comment" form as a reader would (it is not sent).
pub async fn fill_form(root: &ShadowRoot, body: &str, name: &str, email: &str) {
    type_into(root, "#cq-new-body", body).await;
    type_into(root, "#cq-new-name", name).await;
    type_into(root, "#cq-new-email", email).await;
}

/// Save a PNG of the widget alone into `COLLOQUY_SCREENSHOTS`.
pub async fn screenshot_widget(client: &Client, name: &str) {
    let Ok(dir) = std::env::var(env::SCREENSHOTS) else {
        return;
    };
    let host = client
        .find(Locator::Css("#comments"))
        .await
        .expect("#comments");
    let png = host.screenshot().await.expect("widget screenshot");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png)
        .expect("write screenshot");
}

/// Retry `attempt` every 100 ms for up to 20 s; panics naming `what` on timeout. Every
/// wait in the browser tests goes through here, so they all share one timeout.
pub async fn poll<T, F, Fut>(what: &str, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = attempt().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The widget's shadow root inside the demo page's `#comments` element.
pub async fn widget_root(client: &Client) -> ShadowRoot {
    let host = client
        .find(Locator::Css("#comments"))
        .await
        .expect("#comments host");
    poll("the widget's shadow root", || async {
        host.shadow_root().await.ok()
    })
    .await
}

/// Wait for a CSS selector to match inside the shadow root.
pub async fn wait_for(root: &ShadowRoot, css: &str) -> Element {
    poll(&format!("`{css}` in the widget"), || async {
        root.find(Locator::Css(css)).await.ok()
    })
    .await
}

/// Wait until `css` matches an element whose text contains `needle`.
pub async fn wait_for_text(root: &ShadowRoot, css: &str, needle: &str) -> Element {
    poll(&format!("`{css}` containing {needle:?}"), || async {
        for el in root.find_all(Locator::Css(css)).await.unwrap_or_default() {
            if el.text().await.is_ok_and(|t| t.contains(needle)) {
                return Some(el);
            }
        }
        None
    })
    .await
}

/// The current `value` of an input or textarea of the widget.
pub async fn value_of(root: &ShadowRoot, css: &str) -> String {
    open_if_main_form(root, css).await;
    wait_for(root, css)
        .await
        .prop("value")
        .await
        .expect("value property")
        .unwrap_or_default()
}

/// Make the page's `fetch` fail, as it does offline (`false`), or work again (`true`).
pub async fn set_online(client: &Client, online: bool) {
    let script = if online {
        "if (window.__onlineFetch) window.fetch = window.__onlineFetch;"
    } else {
        "window.__onlineFetch = window.__onlineFetch || window.fetch;
         window.fetch = () => Promise.reject(new TypeError('offline'));"
    };
    client.execute(script, vec![]).await.expect("patch fetch");
}

/// Click an element of the widget once it is there.
pub async fn click(root: &ShadowRoot, css: &str) {
    open_if_main_form(root, css).await;
    wait_for(root, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click `{css}`: {e}"));
}

/// Send the "Leave a comment" form (not a reply form).
pub async fn submit_main_form(root: &ShadowRoot) {
    open_compose(root).await;
    click(root, "form.cq-form:not(.cq-form-reply) button[type=submit]").await;
}

/// A reader reaching for a part of the "Leave a comment" form opens it first.
async fn open_if_main_form(root: &ShadowRoot, css: &str) {
    if css.contains("#cq-new-") || css.contains("form.cq-form:not(.cq-form-reply)") {
        open_compose(root).await;
    }
}

/// Open the "Leave a comment" form, as a reader does by clicking into the box under the
/// comments (the server paints a collapsed box; the full form comes with the writing half).
pub async fn open_compose(root: &ShadowRoot) {
    // The box may not be painted yet (the thread is still on its way after a reload):
    // wait for either the form or the box, and click the box once.
    let clicked = std::cell::Cell::new(false);
    poll("`#cq-new-body` in the widget", || async {
        if root.find(Locator::Css("#cq-new-body")).await.is_ok() {
            return Some(());
        }
        if !clicked.get() {
            if let Ok(compose) = root.find(Locator::Css(".cq-compose-box")).await {
                clicked.set(compose.click().await.is_ok());
            }
        }
        None
    })
    .await;
}

/// Type into an input of the widget, as a reader would (opening the form first when the
/// input is one of the "Leave a comment" form's).
pub async fn type_into(root: &ShadowRoot, css: &str, text: &str) {
    open_if_main_form(root, css).await;
    let el = wait_for(root, css).await;
    el.click().await.expect("focus input");
    el.send_keys(text).await.expect("type");
}

/// The focused element inside the widget: `tag#id.class`, or `BODY` when focus was lost.
pub async fn focused(client: &Client) -> String {
    let inside = in_widget(
        client,
        "const a = root.activeElement; return a ? `${a.tagName}#${a.id}.${a.className}` : null;",
    )
    .await;
    match inside.as_str() {
        Some(s) => s.to_owned(),
        None => client
            .execute("return document.activeElement.tagName", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap_or("")
            .to_owned(),
    }
}

/// Wait until the focused element matches `want` (a substring of [`focused`]).
pub async fn wait_focus(client: &Client, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = focused(client).await;
        if now.contains(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "focus is on {now:?}, expected {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Delay every response whose URL contains `needle` by `ms` (a slow network for one kind
/// of request), in this page only. `window.__delayedDone` counts the delayed answers
/// handed over (see [`delayed_done`]).
pub async fn delay_responses(client: &Client, needle: &str, ms: u64) {
    client
        .execute(
            "const [needle, ms] = arguments; const orig = window.fetch;
             window.__delayedDone = 0;
             window.fetch = function (input, init) {
               const url = typeof input === 'string' ? input : input.url;
               const p = orig.call(window, input, init);
               return url.includes(needle)
                 ? p.then(r => new Promise(res => setTimeout(() => {
                     res(r);
                     setTimeout(() => { window.__delayedDone += 1; }, 0);
                   }, ms)))
                 : p;
             };",
            vec![json!(needle), json!(ms)],
        )
        .await
        .unwrap();
}

/// Wait until `n` delayed answers have reached the page (and its handlers have run).
pub async fn delayed_done(client: &Client, n: u64) {
    poll("the delayed answers", || async {
        let done = client
            .execute("return window.__delayedDone || 0", vec![])
            .await
            .ok()?
            .as_u64()?;
        (done >= n).then_some(())
    })
    .await;
}

/// How many elements of the widget match `css` now.
pub async fn count(root: &ShadowRoot, css: &str) -> usize {
    root.find_all(Locator::Css(css)).await.unwrap().len()
}

/// How far the page scrolls sideways, in pixels (0 or less: not at all).
pub async fn sideways_overflow(client: &Client) -> i64 {
    client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth",
            vec![],
        )
        .await
        .expect("measure the page")
        .as_i64()
        .unwrap_or(i64::MAX)
}
