//! The links in subscription emails: a page with one button, and what the button (or a
//! mail client's one-click unsubscribe) sends. The token in the link authorizes it.

use colloquy_core::wire::endpoint::Endpoint;
use worker::Response;

use crate::context::Ctx;
use crate::env::now_ms;
use crate::error::WorkerError;

/// The links in subscription emails: a page with one button (`GET`), and what the
/// button — or a mail client's one-click unsubscribe (RFC 8058) — sends (`POST`). The
/// token in the link authorizes it; the answer is a small HTML page.
pub async fn page(endpoint: Endpoint, ctx: &Ctx<'_>) -> std::result::Result<Response, WorkerError> {
    let (service, url) = (&ctx.service, &ctx.url);
    use colloquy_core::service::notify::LinkAction;
    let pairs: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let id = pairs.get("id").and_then(|i| i.parse::<i64>().ok());
    let token = pairs.get("token").cloned().unwrap_or_default();
    let action = match endpoint {
        Endpoint::ConfirmPage | Endpoint::ConfirmSubscription => LinkAction::Confirm,
        _ => LinkAction::Unsubscribe,
    };
    let here = url.as_str();
    // The language of the page the comment was written on, carried in the link.
    let lang = crate::language::of_page(
        ctx.service.site(),
        pairs.get("lang").map_or("", String::as_str),
    );
    let (w, speaks) = (lang.mail(), (lang.tag(), lang.dir()));
    let page = |title: &str, text: &str, action: Option<(&str, &str)>| {
        colloquy_markup::link_page(speaks, title, text, action)
    };
    let invalid = || page(w.page_invalid_title, w.page_invalid_text, None);
    let (status, page) = match (endpoint, id) {
        (_, None) => (404, invalid()),
        (Endpoint::ConfirmPage, Some(_)) => (
            200,
            page(
                w.page_confirm_title,
                w.page_confirm_text,
                Some((here, w.page_confirm_button)),
            ),
        ),
        (Endpoint::UnsubscribePage, Some(_)) => (
            200,
            page(
                w.page_unsubscribe_title,
                w.page_unsubscribe_text,
                Some((here, w.page_unsubscribe_button)),
            ),
        ),
        (_, Some(id)) => match service.follow_link(action, id, &token, now_ms()).await {
            Ok(()) if action == LinkAction::Confirm => (
                200,
                page(w.page_confirmed_title, w.page_confirmed_text, None),
            ),
            Ok(()) => (
                200,
                page(w.page_unsubscribed_title, w.page_unsubscribed_text, None),
            ),
            Err(colloquy_core::service::error::ServiceError::LinkInvalid) => (404, invalid()),
            Err(e) => return Err(e.into()),
        },
    };
    let mut response = Response::from_html(page)?.with_status(status);
    let headers = response.headers_mut();
    // The token is in the address: never sent onwards.
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}
