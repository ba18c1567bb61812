//! The owner's console: the queue and lists across the site, threads, blocks, purges,
//! the owner's edits and replies and statistics. The Worker checks the
//! session and the origin before calling anything here.

use super::error::ServiceError;
use super::owner::Moderated;
use super::{HumanCheck, Service};
use crate::db::console::{ConsoleStore, Listed};
use crate::db::privacy::PrivacyStore;
use crate::db::store::{CommentStore, InsertComment, SetBlock};
use crate::domain::dates::rfc3339;
use crate::domain::model::ThreadRecord;
use crate::domain::validate;
use crate::wire::api::{CommentId, CreatedComment};
use crate::wire::console::{
    BlockEntry, BlockList, CommentList, MatchingIds, OwnerComment, OwnerThread, ParentContext, Tab,
    TabCounts, ThreadChange, ThreadList,
};
use crate::wire::error::{ErrorCode, Field};
use crate::wire::limits;
use crate::wire::limits::MATCHING_MAX;
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::{BlockKind, Decision, ListedStatus};

pub(super) fn owner_comment((c, t): &Listed) -> OwnerComment {
    OwnerComment {
        id: c.id,
        thread: t.key.clone(),
        thread_title: t.title.clone(),
        permalink: t.permalink(c.id),
        parent_id: c.parent_id,
        status: ListedStatus::of(c.status, c.trashed_from),
        trashed_from: c.trashed_from,
        held_for: c.held_for,
        reports: c.reports,
        author: c.author_name.clone(),
        email: c.author_email.clone(),
        website: c.author_url.clone(),
        body_html: c.body_html.clone(),
        body_markdown: c.body_markdown.clone(),
        created_at: rfc3339(c.created_at_ms),
        owner: c.is_owner,
        likes: c.likes,
        held_detail: None,
        report_reasons: Vec::new(),
        parent: None,
        pinned: t.pinned_id == Some(c.id),
    }
}

/// `ana@example.org` → `a…@example.org`, for the block list.
pub(super) fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((user, domain)) => {
            format!("{}…@{domain}", user.chars().next().unwrap_or('?'))
        }
        None => "…".into(),
    }
}

impl<S: CommentStore + ConsoleStore + PrivacyStore, H: HumanCheck> Service<'_, S, H> {
    pub async fn owner_comments(
        &self,
        tab: Tab,
        search: Option<&str>,
        before: Option<CommentId>,
    ) -> Result<CommentList, ServiceError> {
        let mut rows = self
            .store
            .list_comments(tab, search, before, limits::CONSOLE_PAGE + 1)
            .await?;
        let next_before = (rows.len() > limits::CONSOLE_PAGE as usize).then(|| {
            rows.truncate(limits::CONSOLE_PAGE as usize);
            rows.last().map(|(c, _)| c.id)
        });
        let total = match (&next_before, before) {
            // One page from the top: its length is the count.
            (None, None) => rows.len() as u32,
            _ => self.store.count_comments(tab, search).await?,
        };
        let mut comments: Vec<OwnerComment> = rows.iter().map(owner_comment).collect();
        // Which muted word held it, by today's list.
        for (c, (record, _)) in comments.iter_mut().zip(rows.iter()) {
            if c.held_for == Some(crate::wire::moderation::HeldFor::Muted) {
                let written = crate::domain::rules::Written {
                    name: &record.author_name,
                    body: &record.body_markdown,
                    website: record.author_url.as_deref(),
                };
                c.held_detail = Some(match self.site.rules.muted_hit(&written) {
                    Some(found) => format!(
                        "“{}” in the {}",
                        found.pattern,
                        match found.field {
                            crate::domain::muted::MutedField::Name => "name",
                            crate::domain::muted::MutedField::Body => "comment",
                            crate::domain::muted::MutedField::Website => "website",
                        }
                    ),
                    None => "a word no longer on the muted list".to_owned(),
                });
            }
        }
        // Why readers reported each, and what each reply answers (one query each for the
        // whole page).
        let reported: Vec<CommentId> = comments
            .iter()
            .filter(|c| c.reports > 0)
            .map(|c| c.id)
            .collect();
        for (id, reason, n) in self.store.report_reasons(&reported).await? {
            if let Some(c) = comments.iter_mut().find(|c| c.id == id) {
                c.report_reasons.push((reason, n));
            }
        }
        let mut parents: Vec<CommentId> = comments.iter().filter_map(|c| c.parent_id).collect();
        parents.sort();
        parents.dedup();
        let excerpts = self.store.excerpts(&parents).await?;
        for (c, (_, t)) in comments.iter_mut().zip(rows.iter()) {
            let Some(parent) = c.parent_id else { continue };
            if let Some((_, author, excerpt, deleted)) =
                excerpts.iter().find(|(id, ..)| *id == parent)
            {
                c.parent = Some(ParentContext {
                    author: if *deleted {
                        String::new()
                    } else {
                        author.clone()
                    },
                    // What readers see of it (no Markdown marks), not what was typed.
                    excerpt: if *deleted {
                        String::new()
                    } else {
                        crate::domain::render::visible(excerpt)
                            .text
                            .trim()
                            .to_owned()
                    },
                    permalink: t.permalink(parent),
                });
            }
        }
        Ok(CommentList {
            comments,
            next_before: next_before.flatten(),
            total,
        })
    }

    /// Every comment of a list (up to [`MATCHING_MAX`]) with its state now.
    pub async fn matching_ids(
        &self,
        tab: Tab,
        search: Option<&str>,
    ) -> Result<MatchingIds, ServiceError> {
        Ok(MatchingIds {
            comments: self.store.matching_ids(tab, search, MATCHING_MAX).await?,
        })
    }

    /// The last 30 days: comments per day (every day, zeros included), the busiest
    /// threads, and what waits (how many, since when).
    pub async fn stats(&self, now_ms: i64) -> Result<crate::wire::console::Stats, ServiceError> {
        const DAYS: i64 = 30;
        let today = now_ms.div_euclid(86_400_000);
        let first = today - (DAYS - 1);
        let s = self.store.stats(first * 86_400_000).await?;
        let per_day = (first..=today)
            .map(|day| {
                let n = s
                    .per_day
                    .iter()
                    .find(|(d, _)| *d == day)
                    .map_or(0, |(_, n)| *n);
                (rfc3339(day * 86_400_000)[..10].to_owned(), n)
            })
            .collect();
        Ok(crate::wire::console::Stats {
            per_day,
            top_threads: s.top_threads,
            pending: s.pending,
            oldest_pending: s.oldest_pending_ms.map(rfc3339),
        })
    }

    pub async fn tab_counts(&self) -> Result<TabCounts, ServiceError> {
        Ok(self.store.tab_counts().await?)
    }

    /// Delete for good what has been in the Trash longer than the site keeps it: a
    /// bounded number per run (the Cron Trigger comes back). Returns the threads whose
    /// pages changed and how many went.
    pub async fn empty_old_trash(&self, now_ms: i64) -> Result<Moderated, ServiceError> {
        let days = i64::from(self.site.trash_days);
        let ids = self
            .store
            .trashed_before(now_ms - days * 86_400_000, limits::TRASH_EMPTY_BATCH)
            .await?;
        self.moderate(&ids, Decision::Delete, now_ms).await
    }

    pub async fn owner_threads(&self, now_ms: i64) -> Result<ThreadList, ServiceError> {
        let threads = self.store.list_threads(500).await?;
        Ok(ThreadList {
            threads: threads
                .into_iter()
                .map(|s| OwnerThread {
                    key: s.thread.key.clone(),
                    title: s.thread.title.clone(),
                    url: s.thread.url.clone(),
                    comments: s.comments,
                    pending: s.pending,
                    locked: s.thread.locked,
                    auto_closed: self.site.auto_closed(s.thread.created_at_ms, now_ms),
                    pinned_id: s.thread.pinned_id,
                    created_at: rfc3339(s.thread.created_at_ms),
                })
                .collect(),
        })
    }

    /// Lock/unlock and pin/unpin; returns the thread.
    pub async fn change_thread(&self, change: &ThreadChange) -> Result<ThreadRecord, ServiceError> {
        let mut thread = None;
        if let Some(locked) = change.locked {
            thread = Some(self.lock(&change.key, locked).await?);
        }
        if change.unpin {
            thread = Some(self.pin(&change.key, None).await?);
        } else if let Some(id) = change.pin {
            thread = Some(self.pin(&change.key, Some(id)).await?);
        }
        let title = change
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let url = change
            .url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        if title.is_some() || url.is_some() {
            if let Some(t) = title {
                if t.chars().count() > crate::wire::limits::THREAD_TITLE {
                    return Err(ServiceError::field(
                        Field::ThreadTitle,
                        ErrorCode::TitleTooLong,
                    ));
                }
                if t.chars().any(validate::breaks_a_line) {
                    return Err(ServiceError::field(
                        Field::ThreadTitle,
                        ErrorCode::TitleInvalid,
                    ));
                }
            }
            if url.is_some_and(|u| {
                u.chars().count() > crate::wire::limits::THREAD_URL || !validate::is_http_url(u)
            }) {
                return Err(ServiceError::field(Field::ThreadUrl, ErrorCode::UrlInvalid));
            }
            thread = self
                .store
                .set_thread_meta(crate::db::store::ThreadMeta {
                    key: change.key.trim(),
                    title,
                    url,
                    by_owner: true,
                })
                .await?;
            if thread.is_none() {
                return Err(ServiceError::NotFound);
            }
        }
        match thread {
            Some(t) => Ok(t),
            None => self
                .store
                .find_thread(change.key.trim())
                .await?
                .ok_or(ServiceError::NotFound),
        }
    }

    /// Block the author of a comment by email hash and/or address hash.
    pub async fn block_author(
        &self,
        id: CommentId,
        email: bool,
        client: bool,
        now_ms: i64,
    ) -> Result<u32, ServiceError> {
        let (c, _) = self
            .store
            .find_comment_in_thread(id)
            .await?
            .ok_or(ServiceError::CommentNotFound)?;
        let mut blocked = 0;
        let label = format!("{} ({})", c.author_name, masked(&c.author_email));
        for (wanted, kind, hash) in [
            (email, BlockKind::Email, c.email_hash.as_deref()),
            (client, BlockKind::Client, c.client_hash.as_deref()),
        ] {
            if let (true, Some(hash)) = (wanted, hash) {
                self.block(SetBlock {
                    kind,
                    hash,
                    label: &label,
                    email_hash: c.email_hash.as_deref(),
                    on: true,
                    now_ms,
                })
                .await?;
                blocked += 1;
            }
        }
        Ok(blocked)
    }

    pub async fn blocks(&self) -> Result<BlockList, ServiceError> {
        Ok(BlockList {
            blocks: self
                .store
                .list_blocks()
                .await?
                .into_iter()
                .map(|b| BlockEntry {
                    kind: b.kind,
                    hash: b.hash,
                    label: b.label,
                    created_at: rfc3339(b.created_at_ms),
                })
                .collect(),
        })
    }

    /// "Everything from this commenter to the Trash": every comment under the same email
    /// as comment `id` (restorable, like every delete from the console).
    pub async fn purge_author(
        &self,
        id: CommentId,
        now_ms: i64,
    ) -> Result<Moderated, ServiceError> {
        let (c, _) = self
            .store
            .find_comment_in_thread(id)
            .await?
            .ok_or(ServiceError::CommentNotFound)?;
        // The owner's replies have no author email: each is only itself.
        let Some(hash) = c.email_hash.filter(|h| !h.is_empty() && !c.is_owner) else {
            return self.moderate(&[id], Decision::Trash, now_ms).await;
        };
        let ids: Vec<CommentId> = self
            .store
            .by_email(&hash, None)
            .await?
            .iter()
            .filter(|(c, _)| c.status != CommentStatus::Deleted)
            .map(|(c, _)| c.id)
            // A request's worth: the owner runs it again for more (the console says so).
            .take(crate::wire::limits::MODERATE_MAX)
            .collect();
        self.moderate(&ids, Decision::Trash, now_ms).await
    }

    /// The owner corrects a comment's text (a broken link, a slur in a good comment): the
    /// same validation and sanitizing as an author's edit, the status kept, readers see
    /// "edited". Returns the thread whose pages changed and the lengths before and after
    /// (for the audit, which keeps no words: an erasure must find none there).
    pub async fn owner_edit(
        &self,
        id: CommentId,
        body: &str,
        now_ms: i64,
    ) -> Result<(String, usize, usize), ServiceError> {
        let body = body.trim();
        validate::body_text(body).map_err(|code| ServiceError::field(Field::Body, code))?;
        let (c, t) = self
            .store
            .find_comment_in_thread(id)
            .await?
            .filter(|(c, _)| c.status != CommentStatus::Deleted)
            .ok_or(ServiceError::CommentNotFound)?;
        let body_html = crate::domain::render::comment_html(body)
            .map_err(|_| ServiceError::field(Field::Body, ErrorCode::BodyTooComplex))?;
        self.store
            .update_body(crate::db::store::UpdateBody {
                id,
                body_markdown: body,
                body_html: &body_html,
                now_ms,
                status: None,
                held_for: None,
            })
            .await?
            .ok_or(ServiceError::CommentNotFound)?;
        Ok((t.key, c.body_markdown.chars().count(), body.chars().count()))
    }

    /// The owner answers a comment from the console: published at once, author badge.
    pub async fn owner_reply(
        &self,
        parent_id: CommentId,
        body: &str,
        name: &str,
        now_ms: i64,
    ) -> Result<(CreatedComment, String), ServiceError> {
        let body = body.trim();
        validate::body_text(body).map_err(|code| ServiceError::field(Field::Body, code))?;
        let name = match name.trim() {
            "" => self.site.owner_name.as_deref().unwrap_or("Site owner"),
            n if n.chars().count() > crate::wire::limits::NAME => {
                return Err(ServiceError::field(Field::Name, ErrorCode::NameTooLong))
            }
            n => n,
        };
        let (parent, thread) = self
            .store
            .find_comment_in_thread(parent_id)
            .await?
            .filter(|(p, t)| p.status == CommentStatus::Approved && t.site_id == self.site.id)
            .ok_or(ServiceError::ParentNotFound)?;
        let body_html = crate::domain::render::comment_html(body)
            .map_err(|_| ServiceError::field(Field::Body, ErrorCode::BodyTooComplex))?;
        let record = self
            .store
            .insert_comment(InsertComment {
                thread_id: thread.id,
                parent_id: Some(parent.id),
                status: CommentStatus::Approved,
                author_name: name,
                author_email: "",
                author_url: None,
                body_markdown: body,
                body_html: &body_html,
                created_at_ms: now_ms,
                client_hash: "console",
                root_id: Some(parent.root_id.unwrap_or(parent.id)),
                is_owner: true,
                email_hash: None,
                author_key_hash: None,
                held_for: None,
            })
            .await?;
        Ok((
            CreatedComment {
                comment: self.public(&record),
                edit_token: String::new(),
                edit_expires_at: String::new(),
                form_token: String::new(),
                html: None,
                pending_token: None,
                reply_emails: None,
            },
            thread.key,
        ))
    }
}
