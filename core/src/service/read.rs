//! The read side: thread pages, the rest of a subtree, permalink context, counts.

use std::collections::BTreeMap;

use super::error::ServiceError;
use super::{HumanCheck, Service};
use crate::db::store::{CommentStore, ListReplies, PageQuery, VISIBLE};
use crate::domain::client::ClientKeys;
use crate::domain::thread::{prune_deleted, CursorPos};
use crate::domain::validate;
use crate::wire::api::{
    CommentContext, CommentId, CountsResponse, FormToken, PublicComment, RepliesPage, Sort,
    ThreadPage, WidgetSettings,
};
use crate::wire::error::{ErrorCode, Field};
use crate::wire::moderation::CommentStatus;

use crate::wire::limits::COUNT_KEYS as MAX_COUNT_KEYS;

impl<S: CommentStore, H: HumanCheck> Service<'_, S, H> {
    /// One page of a thread: top-level comments in `sort` order after `cursor`, each with
    /// its first replies. An unknown key is an empty thread, not an error: every page starts
    /// with no comments. One store round trip; the same for every reader.
    pub async fn thread(
        &self,
        key: &str,
        sort: Sort,
        cursor: Option<&str>,
        now_ms: i64,
    ) -> Result<ThreadPage, ServiceError> {
        let key = key.trim();
        validate::thread_key(key).map_err(|code| ServiceError::field(Field::Thread, code))?;
        let after = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => Some(CursorPos::decode(c, sort).ok_or(ServiceError::Cursor)?),
            None => None,
        };
        let limit = self.site.page_size.max(1);
        let mut rows = self
            .store
            .thread_page(PageQuery {
                key,
                sort,
                after,
                limit: limit + 1,
                reply_preview: self.site.reply_preview,
            })
            .await?;
        let pinned_id = rows.thread.as_ref().and_then(|t| t.pinned_id);
        // The pinned comment leads the first page on top of a full page.
        let leading = usize::from(
            after.is_none() && pinned_id.is_some() && rows.top.first().map(|c| c.id) == pinned_id,
        );
        let next_cursor = (rows.top.len() > limit as usize + leading).then(|| {
            let extra = rows.top.split_off(limit as usize + leading);
            let last = rows.top.last().expect("a full page has a last comment");
            let key = if sort == Sort::Liked {
                i64::from(last.likes)
            } else {
                last.created_at_ms
            };
            // The extra comment's replies came along with it; they belong to the next page.
            rows.replies.retain(|r| r.root_id != Some(extra[0].id));
            CursorPos { key, id: last.id.0 }.encode(sort)
        });
        let mut comments: Vec<PublicComment> = rows
            .top
            .iter()
            .map(|r| PublicComment {
                descendants: rows.reply_counts.get(&r.id).copied().unwrap_or(0),
                pinned: Some(r.id) == pinned_id,
                ..self.public(r)
            })
            .collect();
        let locked = rows
            .thread
            .as_ref()
            .is_some_and(|t| t.locked || self.site.auto_closed(t.created_at_ms, now_ms));
        comments.extend(rows.replies.iter().map(|r| self.public(r)));
        Ok(ThreadPage {
            thread: key.to_owned(),
            title: rows.thread.and_then(|t| t.title),
            total: rows.total,
            locked,
            comments: prune_deleted(comments),
            sort,
            next_cursor,
            settings: WidgetSettings {
                edit_window_secs: self.site.edit_window_secs,
                min_submit_secs: self.site.min_submit_secs(),
                turnstile_site_key: self.site.turnstile_site_key.clone(),
                turnstile_script_url: self.site.turnstile_script_url.clone(),
                gravatar_url: self.site.gravatar_url.clone(),
                reply_notifications: self.site.reply_notifications,
            },
        })
    }

    /// A form token for this reader to comment on thread `key`.
    pub fn form_token(
        &self,
        key: &str,
        client_ip: &str,
        now_ms: i64,
    ) -> Result<FormToken, ServiceError> {
        let key = key.trim();
        validate::thread_key(key).map_err(|code| ServiceError::field(Field::Thread, code))?;
        self.writable()?;
        Ok(FormToken {
            form_token: self.form_token_for(key, &ClientKeys::from_ip(client_ip), now_ms),
        })
    }

    /// Whether a comment still waits for the owner, asked by its author's browser with the
    /// pending token it got when posting (anyone else learns nothing: `CommentNotFound`).
    pub async fn pending_state(
        &self,
        id: CommentId,
        token: &str,
    ) -> Result<crate::wire::api::PendingAnswer, ServiceError> {
        use crate::wire::api::{PendingAnswer, PendingState};
        let expected = self
            .keys
            .hash(crate::domain::token::Purpose::Pending, &id.to_string());
        if !self.keys.usable()
            || !crate::domain::token::constant_time_eq(token.trim().as_bytes(), expected.as_bytes())
        {
            return Err(ServiceError::CommentNotFound);
        }
        let state = match self.store.find_comment(id).await?.map(|c| c.status) {
            Some(CommentStatus::Pending) => PendingState::Pending,
            Some(CommentStatus::Approved) => PendingState::Published,
            Some(_) => PendingState::Gone,
            // Not this site's (rows are never removed): as for an id nobody has.
            None => return Err(ServiceError::CommentNotFound),
        };
        Ok(PendingAnswer { state })
    }

    /// Every visible reply under top-level comment `root_id` ("Show N more replies").
    pub async fn replies(&self, root_id: CommentId) -> Result<RepliesPage, ServiceError> {
        match self.store.find_comment(root_id).await? {
            Some(root) if root.parent_id.is_none() && VISIBLE.contains(&root.status) => {}
            _ => return Err(ServiceError::CommentNotFound),
        }
        let replies = self
            .store
            .list_replies(ListReplies {
                root_ids: &[root_id],
                per_root: None,
            })
            .await?;
        let comments = replies.iter().map(|r| self.public(r)).collect();
        Ok(RepliesPage {
            root_id,
            comments: prune_deleted(comments),
        })
    }

    /// One published comment of this site, its thread and its top-level ancestor, for
    /// permalinks (which must never pull a comment into another thread).
    /// The name a published comment shows (none for a deleted or unpublished one): what a
    /// reply shown beside it says it answers.
    pub async fn public_author(&self, id: CommentId) -> Result<Option<String>, ServiceError> {
        Ok(self
            .store
            .find_comment(id)
            .await?
            .filter(|c| c.status == crate::wire::moderation::CommentStatus::Approved)
            .map(|c| c.author_name))
    }

    pub async fn context(&self, id: CommentId) -> Result<CommentContext, ServiceError> {
        match self.store.find_comment_in_thread(id).await? {
            Some((c, t)) if c.status == CommentStatus::Approved && t.site_id == self.site.id => {
                Ok(CommentContext {
                    root_id: c.root_id.unwrap_or(c.id),
                    locked: t.locked,
                    thread: t.key,
                    comment: self.public(&c),
                })
            }
            _ => Err(ServiceError::CommentNotFound),
        }
    }

    /// Visible comment counts for many threads at once (index pages).
    pub async fn counts(&self, keys: &[String]) -> Result<CountsResponse, ServiceError> {
        let mut valid: Vec<&str> = Vec::new();
        for key in keys.iter().map(|k| k.trim()) {
            validate::thread_key(key).map_err(|code| ServiceError::field(Field::Thread, code))?;
            if !valid.contains(&key) {
                valid.push(key);
            }
        }
        if valid.len() > MAX_COUNT_KEYS {
            return Err(ServiceError::field(Field::Thread, ErrorCode::ThreadTooLong));
        }
        let found = self.store.count_visible(&valid).await?;
        let counts: BTreeMap<String, u32> = valid
            .iter()
            .map(|k| ((*k).to_owned(), found.get(*k).copied().unwrap_or(0)))
            .collect();
        Ok(CountsResponse { counts })
    }
}

impl<S: CommentStore + crate::db::console::ConsoleStore, H: HumanCheck> Service<'_, S, H> {
    /// The Atom feed of a thread's (or, without `thread`, the site's) newest published
    /// comments; `self_url` is the feed's own address.
    pub async fn feed(
        &self,
        thread: Option<&str>,
        self_url: &str,
        now_ms: i64,
    ) -> Result<String, ServiceError> {
        let thread = thread.map(str::trim).filter(|t| !t.is_empty());
        let entries = self
            .store
            .latest_published(thread, crate::domain::feed::ENTRIES)
            .await?;
        // The site's feed is named after the site readers know (its first allowed
        // origin's host), not the deployment's internal site id.
        let site_name = self
            .site
            .origins
            .first()
            .and_then(|o| url::Url::parse(o).ok())
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| self.site.id.clone());
        let info = crate::domain::feed::FeedInfo {
            site: &site_name,
            self_url,
            thread: thread.and(entries.first().map(|(_, t)| t)),
            thread_key: thread,
            now_ms,
        };
        Ok(crate::domain::feed::atom(&info, &entries))
    }
}
