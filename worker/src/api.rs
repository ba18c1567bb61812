//! The public JSON API: one function per endpoint a reader's browser calls — the thread,
//! counts, form tokens, posting (with `Idempotency-Key`), edits, deletes, likes, reports,
//! previews. Each reads its input, calls one service method, renews the cached pages the
//! change shows on, and queues notifications for after the response.

use colloquy_core::db::idempotency::Claim;
use colloquy_core::service::error::ServiceError;
use colloquy_core::wire::api::{
    DeleteComment, EditComment, LikeRequest, NewComment, PreviewRequest, ReportRequest,
    UpdatedComment,
};
use colloquy_core::wire::endpoint::{query_value, query_values, ThreadQuery};
use colloquy_core::{CommentId, ErrorCode};
use worker::{console_error, Request, Response};

use crate::cache;
use crate::context::Ctx;
use crate::env::now_ms;
use crate::error::WorkerError;
use crate::http::{client_ip, json, read_json};
use crate::notify::queued;
use crate::views;

type Result<T> = std::result::Result<T, WorkerError>;

/// The first value of `name` in the query, or empty.
fn first(query: &str, name: &str) -> String {
    query_value(query, name).unwrap_or_default()
}

pub async fn list_thread(ctx: &Ctx<'_>) -> Result<Response> {
    let q = ThreadQuery::parse(&ctx.query).ok_or(WorkerError::Request(ErrorCode::CursorInvalid))?;
    // Not cached, but read like the cached views: from a replica that has the thread's
    // last write.
    let stored = cache::version(ctx.env, &ctx.config.site.id, q.thread.trim()).await;
    if let Some(bookmark) = &stored.bookmark {
        ctx.usage.start_after(bookmark);
    }
    json(
        200,
        &ctx.service
            .thread(&q.thread, q.sort, q.cursor.as_deref(), now_ms())
            .await?,
    )
}

pub async fn pending_state(ctx: &Ctx<'_>, id: CommentId) -> Result<Response> {
    let token = first(&ctx.query, "token");
    json(200, &ctx.service.pending_state(id, &token).await?)
}

pub async fn counts(ctx: &Ctx<'_>) -> Result<Response> {
    json(
        200,
        &ctx.service
            .counts(&query_values(&ctx.query, "thread"))
            .await?,
    )
}

pub async fn form_token(ctx: &Ctx<'_>, req: &Request) -> Result<Response> {
    let thread = first(&ctx.query, "thread");
    json(
        200,
        &ctx.service
            .form_token(&thread, &client_ip(req)?, now_ms())?,
    )
}

pub async fn post(ctx: &Ctx<'_>, mut req: Request) -> Result<Response> {
    let service = &ctx.service;
    let input: NewComment = read_json(&mut req).await?;
    let now = now_ms();
    let ip = client_ip(&req)?;
    // A retry with the same Idempotency-Key gets the first answer, not a second
    // comment.
    let claimed = match req.headers().get("Idempotency-Key")? {
        Some(key) => match service.claim_post(&key, &ip, now).await? {
            (_, Claim::Done(body)) => {
                let mut replay = Response::ok(body)?.with_status(201);
                replay
                    .headers_mut()
                    .set("Content-Type", "application/json")?;
                replay.headers_mut().set("Idempotent-Replayed", "true")?;
                return Ok(replay);
            }
            (_, Claim::InProgress) => return Err(ServiceError::InProgress.into()),
            (hash, Claim::New) => Some(hash),
        },
        None => None,
    };
    let mut created = match service.post(&input, &ip, now).await {
        Ok(created) => created,
        Err(e) => {
            if let Some(hash) = &claimed {
                let _ = service.release_post(hash).await;
            }
            return Err(e.into());
        }
    };
    if !created.comment.pending {
        ctx.bump(input.thread.trim(), now).await;
    }
    // Its emails speak the language of the page it was written on.
    let lang = crate::language::of_page(ctx.service.site(), &crate::language::asked(&ctx.query));
    let notified = service
        .speaking(lang.mail())
        .notify_posted(created.comment.id, input.notify_replies, &ctx.base, now)
        .await
        .map(|(ids, reply_emails)| {
            created.reply_emails = reply_emails;
            ids
        });
    queued(ctx.outgoing, notified);
    // Shown beside its parent (past the depth cap), it names whom it answers.
    let parent_name = match created.comment.parent_id {
        Some(parent) => service.public_author(parent).await.ok().flatten(),
        None => None,
    };
    created.html = views::rendered_comment(
        &ctx.query,
        ctx.config,
        &created.comment,
        parent_name.as_deref(),
    );
    if let Some(hash) = &claimed {
        let body =
            serde_json::to_string(&created).map_err(|e| worker::Error::RustError(e.to_string()))?;
        if let Err(e) = service.finish_post(hash, &body, created.comment.id).await {
            console_error!("colloquy: keeping the idempotent answer failed: {e}");
        }
    }
    json(201, &created)
}

pub async fn edit(ctx: &Ctx<'_>, mut req: Request, id: CommentId) -> Result<Response> {
    let input: EditComment = read_json(&mut req).await?;
    let ip = client_ip(&req)?;
    let now = now_ms();
    let changed = ctx.service.edit(id, &input, &ip, now).await?;
    ctx.bump(&changed.thread, now).await;
    json(
        200,
        &UpdatedComment {
            comment: changed.value,
        },
    )
}

pub async fn delete(ctx: &Ctx<'_>, mut req: Request, id: CommentId) -> Result<Response> {
    let input: DeleteComment = read_json(&mut req).await?;
    let now = now_ms();
    let changed = ctx.service.delete(id, &input, now).await?;
    ctx.bump(&changed.thread, now).await;
    Ok(Response::empty()?.with_status(204))
}

pub async fn like(ctx: &Ctx<'_>, mut req: Request, id: CommentId, on: bool) -> Result<Response> {
    let input: LikeRequest = read_json(&mut req).await?;
    let ip = client_ip(&req)?;
    // Likes do not bump the thread's version: cached pages may show a count up
    // to a minute old, rather than a hot thread's cache being emptied by every like.
    json(
        200,
        &ctx.service.like(id, &input, on, &ip, now_ms()).await?.value,
    )
}

pub async fn report(ctx: &Ctx<'_>, mut req: Request, id: CommentId) -> Result<Response> {
    let input: ReportRequest = read_json(&mut req).await?;
    let ip = client_ip(&req)?;
    let now = now_ms();
    let report = ctx.service.report(id, &input, &ip, now).await?;
    if let Some(thread) = &report.hidden_in {
        ctx.bump(thread, now).await;
    }
    // A reader repeating a report changes nothing and tells the owner nothing.
    if report.notify {
        queued(
            ctx.outgoing,
            ctx.service
                .notify_report(id, input.reason.trim(), report.kept_visible, now)
                .await,
        );
    }
    json(200, &report.state)
}

pub async fn preview(ctx: &Ctx<'_>, mut req: Request) -> Result<Response> {
    let input: PreviewRequest = read_json(&mut req).await?;
    let ip = client_ip(&req)?;
    json(200, &ctx.service.preview(&input.body, &ip, now_ms()).await?)
}
