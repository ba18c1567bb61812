//! Headless Chromium through ChromeDriver (fantoccini), reaching into the widget's shadow
//! root the way a reader's clicks and keystrokes would.

use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ShadowRoot};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// A fresh browser session. Each test has its own, so tests run in parallel.
pub async fn session() -> Client {
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
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), chrome);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&crate::env_url("COLLOQUY_WEBDRIVER"))
        .await
        .expect("ChromeDriver session")
}

/// Open the demo article showing `thread` (the demo server's `?thread=` hook) and wait
/// until the widget has loaded the thread.
pub async fn open_demo(client: &Client, thread: Option<&str>) -> ShadowRoot {
    let url = match thread {
        Some(t) => format!("{}/?thread={t}", crate::demo()),
        None => format!("{}/", crate::demo()),
    };
    client.goto(&url).await.expect("navigate to demo");
    let root = widget_root(client).await;
    wait_for(&root, "ol.cq-list").await;
    root
}

/// The widget's shadow root inside the demo page's `#comments` element.
pub async fn widget_root(client: &Client) -> ShadowRoot {
    let host = client
        .find(Locator::Css("#comments"))
        .await
        .expect("#comments host");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(root) = host.shadow_root().await {
            return root;
        }
        assert!(
            Instant::now() < deadline,
            "the widget never attached a shadow root"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Wait (up to 20 s) for a CSS selector to match inside the shadow root.
pub async fn wait_for(root: &ShadowRoot, css: &str) -> Element {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(el) = root.find(Locator::Css(css)).await {
            return el;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for `{css}` in the widget"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Wait until `css` matches an element whose text contains `needle`.
pub async fn wait_for_text(root: &ShadowRoot, css: &str, needle: &str) -> Element {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for el in root.find_all(Locator::Css(css)).await.unwrap_or_default() {
            if el.text().await.is_ok_and(|t| t.contains(needle)) {
                return el;
            }
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for `{css}` containing {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Type into an input of the widget, as a reader would.
pub async fn type_into(root: &ShadowRoot, css: &str, text: &str) {
    let el = wait_for(root, css).await;
    el.click().await.expect("focus input");
    el.send_keys(text).await.expect("type");
}

/// Save a PNG of the current page into `COLLOQUY_SCREENSHOTS` (when set).
pub async fn screenshot(client: &Client, name: &str) {
    let Ok(dir) = std::env::var("COLLOQUY_SCREENSHOTS") else {
        return;
    };
    let png = client.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png)
        .expect("write screenshot");
}
