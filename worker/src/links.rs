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
    let (status, page) = match (endpoint, id) {
        (_, None) => (404, invalid_link()),
        (Endpoint::ConfirmPage, Some(_)) => (
            200,
            colloquy_markup::link_page(
                "Confirm reply emails",
                "Press the button to be emailed when someone replies to your comment.",
                Some((here, "Confirm")),
            ),
        ),
        (Endpoint::UnsubscribePage, Some(_)) => (
            200,
            colloquy_markup::link_page(
                "Stop reply emails",
                "Press the button and no more replies to this comment will be emailed to you.",
                Some((here, "Stop these emails")),
            ),
        ),
        (_, Some(id)) => match service.follow_link(action, id, &token, now_ms()).await {
            Ok(()) if action == LinkAction::Confirm => (
                200,
                colloquy_markup::link_page(
                    "Confirmed",
                    "You will get an email when someone replies to your comment. Each email has a link to stop them.",
                    None,
                ),
            ),
            Ok(()) => (
                200,
                colloquy_markup::link_page(
                    "Unsubscribed",
                    "No more replies to this comment will be emailed to you.",
                    None,
                ),
            ),
            Err(colloquy_core::service::error::ServiceError::LinkInvalid) => (404, invalid_link()),
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

fn invalid_link() -> String {
    colloquy_markup::link_page(
        "This link does not work",
        "It is not complete, or the subscription it was for is gone.",
        None,
    )
}
