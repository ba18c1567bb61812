//! Reporting a comment: the box with the reasons, a form token and (where the site uses
//! it) a Turnstile challenge like a comment's, the form timer waited out, thanks or a
//! failure to retry.

use std::rc::Rc;

use colloquy_browser::{json, now_ms, sleep_ms};
use colloquy_core::const_concat;
use colloquy_core::wire::dom::{class, Action};
use colloquy_core::wire::endpoint::Endpoint;
use colloquy_core::CommentId;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::dom::{self, failure, find, find_all};
use crate::net;
use crate::thread::Reader;

/// "Report": a short question with the reasons under the comment, or away again.
pub fn toggle_report(reader: &Rc<Reader>, li: &Element) {
    let Some(button) = find(li, const_concat!(":scope > article .", class::REPORT)) else {
        return;
    };
    if let Some(open) = find(li, const_concat!(":scope > .", class::REPORT_BOX)) {
        dom::remove(&open);
        dom::set_attr(&button, "aria-expanded", "false");
        dom::focus(&button);
        return;
    }
    let t = reader.t;
    let id = dom::attr(li, "data-id").unwrap_or_default();
    let question_id = format!("cq-report-q-{id}");
    let boxed = dom::element("div", class::REPORT_BOX, "");
    dom::set_attr(&boxed, "role", "group");
    dom::set_attr(&boxed, "aria-labelledby", &question_id);
    let question = dom::element("p", "cq-report-question", t.report_why);
    dom::set_attr(&question, "id", &question_id);
    dom::append(&boxed, &question);
    let select = dom::element("select", "cq-report-reason", "");
    dom::set_attr(&select, "aria-labelledby", &question_id);
    for (value, label) in [
        ("spam", t.report_spam),
        ("abuse", t.report_abuse),
        ("off_topic", t.report_off_topic),
        ("other", t.report_other),
    ] {
        let option = dom::element("option", "", label);
        dom::set_attr(&option, "value", value);
        dom::append(&select, &option);
    }
    dom::append(&boxed, &select);
    // A report is a form like a comment: a form token (the form timer runs while the
    // reader chooses) and, where the site uses it, a Turnstile challenge.
    if reader.report_token.borrow().is_none() {
        let reader = reader.clone();
        spawn_local(async move {
            let _ = report_token(&reader).await;
        });
    }
    if let Some((site_key, script)) = reader.turnstile.clone() {
        let challenge = dom::element("div", "cq-challenge", "");
        dom::append(&boxed, &challenge);
        let solved = reader.challenge.clone();
        spawn_local(async move {
            let _ = colloquy_browser::turnstile::render(&challenge, &site_key, &script, move |t| {
                *solved.borrow_mut() = Some(t);
            })
            .await;
        });
    }
    dom::append(
        &boxed,
        &dom::button(
            const_concat!("cq-button ", class::REPORT_SEND),
            Action::ReportSend,
            t.report_send,
        ),
    );
    dom::append(&boxed, &dom::button("cq-link", Action::Report, t.cancel));
    if let Some(article) = find(li, ":scope > article") {
        let _ = article.after_with_node_1(&boxed);
    }
    dom::set_attr(&button, "aria-expanded", "true");
    dom::focus(&select);
}

/// This reader's form token for reports (fetched once, then each answer brings the next).
pub async fn report_token(reader: &Reader) -> Option<(String, i64)> {
    if let Some(t) = reader.report_token.borrow().clone() {
        return Some(t);
    }
    let url = colloquy_core::wire::endpoint::form_token_url(reader.base(), &reader.thread);
    let token = json::field(&net::get_json(&url).await.ok()?, "form_token").as_string()?;
    let fresh = (token, now_ms());
    *reader.report_token.borrow_mut() = Some(fresh.clone());
    Some(fresh)
}

/// Send a report: sent too soon after the token came, wait out the form timer and send
/// again; with a stale token (the page was open for hours), fetch a new one and send again.
pub async fn report(reader: &Reader, id: CommentId, reason: &str) -> Result<(), net::Failed> {
    let endpoint = Endpoint::Report(id);
    let (mut waited, mut renewed) = (false, false);
    loop {
        let (token, issued) = report_token(reader)
            .await
            .ok_or(net::Failed(0, String::new()))?;
        // The form timer: a report sent sooner than a person could would be refused.
        if !waited {
            sleep_ms(issued + reader.min_submit_ms + 100 - now_ms()).await;
        }
        let challenge = reader.challenge.borrow().clone();
        let body = format!(
            "{{\"reason\":{},\"form_token\":{}{}}}",
            json::quote(reason),
            json::quote(&token),
            challenge
                .map(|c| format!(",\"turnstile_token\":{}", json::quote(&c)))
                .unwrap_or_default()
        );
        let sent = net::write(
            endpoint.method().as_str(),
            &endpoint.url(reader.base()),
            &body,
        )
        .await;
        // Each token and each solved challenge is good for one report.
        *reader.challenge.borrow_mut() = None;
        match sent {
            Ok(answer) => {
                *reader.report_token.borrow_mut() = json::field(&answer, "form_token")
                    .as_string()
                    .filter(|t| !t.is_empty())
                    .map(|t| (t, now_ms()));
                return Ok(());
            }
            // (The error codes as the server names them.)
            Err(net::Failed(_, code)) if code == "too_fast" && !waited => {
                waited = true;
                sleep_ms(issued + reader.min_submit_ms + 250 - now_ms()).await;
            }
            Err(net::Failed(_, code)) if code == "form_expired" && !renewed => {
                renewed = true;
                *reader.report_token.borrow_mut() = None;
            }
            Err(e) => {
                *reader.report_token.borrow_mut() = None;
                return Err(e);
            }
        }
    }
}

/// Send the chosen reason; thanks in place of the question, or a failure to retry.
pub fn send_report(reader: &Rc<Reader>, li: Element, id: CommentId) {
    let Some(boxed) = find(&li, const_concat!(":scope > .", class::REPORT_BOX)) else {
        return;
    };
    // One report at a time: a second click (or Enter) while one is on its way does nothing.
    let Some(send) = find(&boxed, const_concat!(".", class::REPORT_SEND)) else {
        return;
    };
    if dom::attr(&send, "aria-disabled").as_deref() == Some("true") {
        return;
    }
    let reason = find(&boxed, "select")
        .and_then(|s| s.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_else(|| "other".into());
    for old in find_all(
        &boxed,
        const_concat!(".", class::REPORT_ERROR, ", .", class::REPORT_SENDING),
    ) {
        dom::remove(&old);
    }
    dom::set_attr(&send, "aria-disabled", "true");
    let sending = dom::element(
        "p",
        const_concat!("cq-status ", class::REPORT_SENDING),
        reader.t.report_sending,
    );
    dom::set_attr(&sending, "role", "status");
    dom::append(&boxed, &sending);
    let reader = reader.clone();
    spawn_local(async move {
        let sent = report(&reader, id, &reason).await;
        dom::remove(&sending);
        dom::set_attr(&send, "aria-disabled", "false");
        match sent {
            Ok(()) => {
                let thanks = dom::element("p", "cq-status", reader.t.report_thanks);
                dom::set_attr(&thanks, "role", "status");
                dom::set_attr(&thanks, "tabindex", "-1");
                boxed.set_inner_html("");
                dom::append(&boxed, &thanks);
                if let Some(b) = find(&li, const_concat!(":scope > article .", class::REPORT)) {
                    dom::remove(&b);
                }
                dom::focus(&thanks);
            }
            Err(net::Failed(status, _)) => {
                // Too many reports from here: say so (a retry at once would fail again).
                let message = if status == 429 {
                    reader.t.errors.rate_limited
                } else {
                    reader.t.report_failed
                };
                let note = failure(
                    message,
                    reader.t.retry,
                    class::REPORT_ERROR,
                    Action::ReportSend,
                );
                dom::set_attr(&note, "tabindex", "-1");
                dom::append(&boxed, &note);
                dom::focus(&note);
            }
        }
    });
}
