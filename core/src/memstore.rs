//! An in-memory [`CommentStore`]: the fake the business-layer tests run on. It must behave
//! exactly like the SQL store; the contract suite (`store_contract`) runs both and says
//! which one disagrees. Other crates' tests reach it through the `test-support` feature.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::api::{CommentId, Sort};
use crate::model::{CommentRecord, CommentStatus, ThreadRecord};
use crate::store::{
    CommentStore, HitRateLimit, InsertComment, ListReplies, PageQuery, PageRows, SetLike,
    StoreError, UpdateBody, UpsertThread, VISIBLE,
};

#[derive(Default)]
pub struct MemStore {
    pub threads: RefCell<Vec<ThreadRecord>>,
    pub comments: RefCell<Vec<CommentRecord>>,
    hits: RefCell<HashMap<(String, i64), (u32, i64)>>,
    /// (comment, reader hash) → client hash.
    likes: RefCell<HashMap<(CommentId, String), String>>,
    used_tokens: RefCell<HashMap<String, i64>>,
}

impl MemStore {
    /// Visible replies under `root`, oldest first.
    fn subtree(&self, root: CommentId) -> Vec<CommentRecord> {
        let mut out: Vec<CommentRecord> = self
            .comments
            .borrow()
            .iter()
            .filter(|c| c.root_id == Some(root) && VISIBLE.contains(&c.status))
            .cloned()
            .collect();
        out.sort_by_key(|c| (c.created_at_ms, c.id));
        out
    }

    /// Rate-limit rows still stored (for tests of the purge).
    pub fn rate_limit_rows(&self) -> usize {
        self.hits.borrow().len()
    }
}

impl CommentStore for MemStore {
    async fn find_thread(
        &self,
        site_id: &str,
        key: &str,
    ) -> Result<Option<ThreadRecord>, StoreError> {
        Ok(self
            .threads
            .borrow()
            .iter()
            .find(|t| t.site_id == site_id && t.key == key)
            .cloned())
    }

    async fn upsert_thread(&self, req: UpsertThread<'_>) -> Result<ThreadRecord, StoreError> {
        let mut threads = self.threads.borrow_mut();
        if let Some(t) = threads
            .iter_mut()
            .find(|t| t.site_id == req.site_id && t.key == req.key)
        {
            t.title = t.title.take().or(req.title.map(Into::into));
            t.url = t.url.take().or(req.url.map(Into::into));
            return Ok(t.clone());
        }
        let t = ThreadRecord {
            id: threads.len() as i64 + 1,
            site_id: req.site_id.into(),
            key: req.key.into(),
            title: req.title.map(Into::into),
            url: req.url.map(Into::into),
        };
        threads.push(t.clone());
        Ok(t)
    }

    async fn thread_page(&self, req: PageQuery<'_>) -> Result<PageRows, StoreError> {
        let Some(thread) = self.find_thread(req.site_id, req.key).await? else {
            return Ok(PageRows::default());
        };
        let mut top: Vec<CommentRecord> = self
            .comments
            .borrow()
            .iter()
            .filter(|c| {
                c.thread_id == thread.id && c.parent_id.is_none() && VISIBLE.contains(&c.status)
            })
            .cloned()
            .collect();
        let key = |c: &CommentRecord| match req.sort {
            Sort::Liked => (-i64::from(c.likes), -c.id.0),
            Sort::Newest => (-c.created_at_ms, -c.id.0),
            Sort::Oldest => (c.created_at_ms, c.id.0),
        };
        top.sort_by_key(key);
        if let Some(after) = req.after {
            let pos = match req.sort {
                Sort::Liked | Sort::Newest => (-after.key, -after.id),
                Sort::Oldest => (after.key, after.id),
            };
            top.retain(|c| key(c) > pos);
        }
        top.truncate(req.limit as usize);
        let mut replies = Vec::new();
        let mut reply_counts = HashMap::new();
        for t in &top {
            let subtree = self.subtree(t.id);
            let approved = subtree
                .iter()
                .filter(|c| c.status == CommentStatus::Approved)
                .count() as u32;
            if approved > 0 {
                reply_counts.insert(t.id, approved);
            }
            replies.extend(subtree.into_iter().take(req.reply_preview as usize));
        }
        replies.sort_by_key(|c| (c.created_at_ms, c.id));
        let total = self
            .comments
            .borrow()
            .iter()
            .filter(|c| c.thread_id == thread.id && c.status == CommentStatus::Approved)
            .count() as u32;
        Ok(PageRows {
            thread: Some(thread),
            top,
            replies,
            reply_counts,
            total,
        })
    }

    async fn list_replies(&self, req: ListReplies<'_>) -> Result<Vec<CommentRecord>, StoreError> {
        let mut out = Vec::new();
        for root in req.root_ids {
            out.extend(
                self.subtree(*root)
                    .into_iter()
                    .take(req.per_root.map_or(usize::MAX, |n| n as usize)),
            );
        }
        out.sort_by_key(|c| (c.created_at_ms, c.id));
        Ok(out)
    }

    async fn count_visible(
        &self,
        site_id: &str,
        keys: &[&str],
    ) -> Result<HashMap<String, u32>, StoreError> {
        let comments = self.comments.borrow();
        Ok(self
            .threads
            .borrow()
            .iter()
            .filter(|t| t.site_id == site_id && keys.contains(&t.key.as_str()))
            .map(|t| {
                let n = comments
                    .iter()
                    .filter(|c| c.thread_id == t.id && c.status == CommentStatus::Approved)
                    .count();
                (t.key.clone(), n as u32)
            })
            .collect())
    }

    async fn set_like(&self, req: SetLike<'_>) -> Result<(u32, bool), StoreError> {
        let mut likes = self.likes.borrow_mut();
        let key = (req.id, req.reader_hash.to_owned());
        if req.liked {
            let client_liked = likes
                .iter()
                .any(|((c, r), client)| *c == req.id && client == req.client_hash && *r != key.1);
            if !client_liked {
                likes
                    .entry(key.clone())
                    .or_insert(req.client_hash.to_owned());
            }
        } else {
            likes.remove(&key);
        }
        let n = likes.keys().filter(|(c, _)| *c == req.id).count() as u32;
        let mut comments = self.comments.borrow_mut();
        let c = comments
            .iter_mut()
            .find(|c| c.id == req.id)
            .ok_or_else(|| StoreError::Backend("like recount returned no row".into()))?;
        c.likes = n;
        Ok((n, likes.contains_key(&key)))
    }

    async fn use_form_token(
        &self,
        token_id: &str,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut used = self.used_tokens.borrow_mut();
        used.retain(|_, expires| *expires >= now_ms);
        Ok(used.insert(token_id.to_owned(), expires_at_ms).is_none())
    }

    async fn find_comment(&self, id: CommentId) -> Result<Option<CommentRecord>, StoreError> {
        Ok(self.comments.borrow().iter().find(|c| c.id == id).cloned())
    }

    async fn find_comment_in_thread(
        &self,
        id: CommentId,
    ) -> Result<Option<(CommentRecord, ThreadRecord)>, StoreError> {
        let Some(c) = self.find_comment(id).await? else {
            return Ok(None);
        };
        let thread = self
            .threads
            .borrow()
            .iter()
            .find(|t| t.id == c.thread_id)
            .cloned();
        Ok(thread.map(|t| (c, t)))
    }

    async fn insert_comment(&self, req: InsertComment<'_>) -> Result<CommentRecord, StoreError> {
        let mut comments = self.comments.borrow_mut();
        let c = CommentRecord {
            id: CommentId(comments.len() as i64 + 1),
            thread_id: req.thread_id,
            parent_id: req.parent_id,
            root_id: req.root_id,
            status: req.status,
            author_name: req.author_name.into(),
            author_email: req.author_email.into(),
            author_url: req.author_url.map(Into::into),
            body_markdown: req.body_markdown.into(),
            body_html: req.body_html.into(),
            created_at_ms: req.created_at_ms,
            updated_at_ms: None,
            likes: 0,
            is_owner: req.is_owner,
        };
        comments.push(c.clone());
        Ok(c)
    }

    async fn update_body(&self, req: UpdateBody<'_>) -> Result<CommentRecord, StoreError> {
        let mut comments = self.comments.borrow_mut();
        let c = comments
            .iter_mut()
            .find(|c| c.id == req.id)
            .ok_or_else(|| StoreError::Backend("comment update returned no row".into()))?;
        c.body_markdown = req.body_markdown.into();
        c.body_html = req.body_html.into();
        c.updated_at_ms = Some(req.now_ms);
        if let Some(status) = req.status {
            c.status = status;
        }
        Ok(c.clone())
    }

    async fn delete_comment(&self, id: CommentId, now_ms: i64) -> Result<(), StoreError> {
        if let Some(c) = self.comments.borrow_mut().iter_mut().find(|c| c.id == id) {
            c.status = CommentStatus::Deleted;
            c.body_markdown.clear();
            c.body_html.clear();
            c.author_name.clear();
            c.author_email.clear();
            c.author_url = None;
            c.updated_at_ms = Some(now_ms);
        }
        Ok(())
    }

    async fn hit_rate_limit(&self, req: HitRateLimit<'_>) -> Result<u32, StoreError> {
        let mut hits = self.hits.borrow_mut();
        let entry = hits
            .entry((req.key.into(), req.window_start_ms))
            .or_insert((0, req.expires_at_ms));
        entry.0 += 1;
        let count = entry.0;
        if count == 1 {
            hits.retain(|_, (_, expires)| *expires >= req.window_start_ms);
        }
        Ok(count)
    }
}
