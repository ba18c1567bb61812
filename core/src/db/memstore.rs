//! An in-memory [`CommentStore`]: the fake the business-layer tests run on. It must behave
//! exactly like the SQL store; the contract suite (`db::contract`) runs both and says
//! which one disagrees. Other crates' tests reach it through the `test-support` feature.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Deref;
use std::rc::Rc;

mod moderation;

use crate::db::store::{
    CommentStore, HitRateLimit, InsertComment, ListReplies, ModeratedComment, PageQuery, PageRows,
    Report, Reported, SetBlock, SetLike, StoreError, ThreadFlags, ThreadMeta, UpdateBody,
    UpsertThread, WhoQuery, VISIBLE,
};
use crate::domain::model::{CommentRecord, ThreadRecord};
use crate::domain::rules::Standing;
use crate::wire::api::{CommentId, Sort};
use crate::wire::moderation::CommentStatus;
use crate::wire::moderation::Decision;
use crate::wire::moderation::HeldFor;

/// One site's view of the data ([`MemStore::for_site`] opens another site over the same
/// data, as two SQL stores share one database).
pub struct MemStore {
    data: Rc<MemData>,
    site: String,
}

impl Default for MemStore {
    fn default() -> Self {
        MemStore {
            data: Rc::default(),
            site: crate::wire::defaults::SITE_ID.to_owned(),
        }
    }
}

impl Deref for MemStore {
    type Target = MemData;
    fn deref(&self) -> &MemData {
        &self.data
    }
}

/// Every site's rows.
#[derive(Default)]
pub struct MemData {
    pub threads: RefCell<Vec<ThreadRecord>>,
    pub comments: RefCell<Vec<CommentRecord>>,
    hits: RefCell<HashMap<(String, i64), (u32, i64)>>,
    /// (comment, reader hash) → client hash.
    likes: RefCell<HashMap<(CommentId, String), String>>,
    used_tokens: RefCell<HashMap<String, i64>>,
    /// Blocked `(site, kind, hash)`: kind `email` or `client`.
    pub blocks: RefCell<Vec<(String, String, String)>>,
    /// (comment, reporter hash) of every report.
    reports: RefCell<Vec<(CommentId, String)>>,
    /// Comments published once (their notifications went).
    published: RefCell<Vec<CommentId>>,
}

impl MemStore {
    /// Another site over the same data.
    pub fn for_site(&self, site: &str) -> MemStore {
        MemStore {
            data: self.data.clone(),
            site: site.to_owned(),
        }
    }

    /// The thread is this site's.
    fn ours(&self, thread_id: i64) -> bool {
        self.threads
            .borrow()
            .iter()
            .any(|t| t.id == thread_id && t.site_id == self.site)
    }

    /// This site's comment `id`, if there is one.
    pub(super) fn owns(&self, id: CommentId) -> bool {
        let thread = self
            .comments
            .borrow()
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.thread_id);
        thread.is_some_and(|t| self.ours(t))
    }

    /// Visible replies under `root`, oldest first.
    fn subtree(&self, root: CommentId) -> Vec<CommentRecord> {
        let mut out: Vec<CommentRecord> = self
            .comments
            .borrow()
            .iter()
            .filter(|c| c.root_id == Some(root) && VISIBLE.contains(&c.status))
            .filter(|c| self.ours(c.thread_id))
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
    async fn find_thread(&self, key: &str) -> Result<Option<ThreadRecord>, StoreError> {
        Ok(self
            .threads
            .borrow()
            .iter()
            .find(|t| t.site_id == self.site && t.key == key)
            .cloned())
    }

    async fn upsert_thread(&self, req: UpsertThread<'_>) -> Result<ThreadRecord, StoreError> {
        let mut threads = self.threads.borrow_mut();
        if let Some(t) = threads
            .iter_mut()
            .find(|t| t.site_id == self.site && t.key == req.key)
        {
            t.title = t.title.take().or(req.title.map(Into::into));
            t.url = t.url.take().or(req.url.map(Into::into));
            return Ok(t.clone());
        }
        let t = ThreadRecord {
            id: threads.len() as i64 + 1,
            site_id: self.site.clone(),
            key: req.key.into(),
            title: req.title.map(Into::into),
            url: req.url.map(Into::into),
            created_at_ms: req.now_ms,
            locked: false,
            pinned_id: None,
            meta_by_owner: false,
        };
        threads.push(t.clone());
        Ok(t)
    }

    async fn thread_page(&self, req: PageQuery<'_>) -> Result<PageRows, StoreError> {
        let Some(thread) = self.find_thread(req.key).await? else {
            return Ok(PageRows::default());
        };
        let visible_top = |c: &CommentRecord| {
            c.thread_id == thread.id && c.parent_id.is_none() && VISIBLE.contains(&c.status)
        };
        let mut top: Vec<CommentRecord> = self
            .comments
            .borrow()
            .iter()
            .filter(|c| visible_top(c) && Some(c.id) != thread.pinned_id)
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
        // The pinned comment leads the first page.
        if req.after.is_none() {
            let pinned = self
                .comments
                .borrow()
                .iter()
                .find(|c| Some(c.id) == thread.pinned_id && visible_top(c))
                .cloned();
            if let Some(p) = pinned {
                top.insert(0, p);
            }
        }
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

    async fn count_visible(&self, keys: &[&str]) -> Result<HashMap<String, u32>, StoreError> {
        let comments = self.comments.borrow();
        Ok(self
            .threads
            .borrow()
            .iter()
            .filter(|t| t.site_id == self.site && keys.contains(&t.key.as_str()))
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
        if !self.owns(req.id) {
            return Ok((0, false));
        }
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
        if !self.owns(id) {
            return Ok(None);
        }
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
        if !self.ours(req.thread_id) {
            return Err(StoreError::Backend("comment insert returned no row".into()));
        }
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
            held_for: req.held_for,
            reports: 0,
            reports_reviewed: false,
            client_hash: Some(req.client_hash.into()),
            email_hash: req.email_hash.map(Into::into),
            author_key_hash: req.author_key_hash.map(Into::into),
            trashed_from: None,
        };
        if c.status == CommentStatus::Approved {
            self.published.borrow_mut().push(c.id);
        }
        comments.push(c.clone());
        Ok(c)
    }

    async fn update_body(&self, req: UpdateBody<'_>) -> Result<Option<CommentRecord>, StoreError> {
        if !self.owns(req.id) {
            return Ok(None);
        }
        let mut comments = self.comments.borrow_mut();
        let Some(c) = comments
            .iter_mut()
            .find(|c| c.id == req.id && c.status != CommentStatus::Deleted)
        else {
            return Ok(None);
        };
        c.body_markdown = req.body_markdown.into();
        c.body_html = req.body_html.into();
        c.updated_at_ms = Some(req.now_ms);
        // The owner approved other words: reports may hide these.
        c.reports_reviewed = false;
        if let Some(status) = req.status {
            c.status = status;
        }
        if req.held_for.is_some() {
            c.held_for = req.held_for;
        }
        Ok(Some(c.clone()))
    }

    async fn delete_comment(&self, id: CommentId, now_ms: i64) -> Result<(), StoreError> {
        if !self.owns(id) {
            return Ok(());
        }
        if let Some(c) = self.comments.borrow_mut().iter_mut().find(|c| c.id == id) {
            wipe(c, now_ms);
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

    async fn rate_limit_count(&self, key: &str, window_start_ms: i64) -> Result<u32, StoreError> {
        Ok(self
            .hits
            .borrow()
            .get(&(key.to_owned(), window_start_ms))
            .map_or(0, |(n, _)| *n))
    }

    async fn standing(&self, req: WhoQuery<'_>) -> Result<Standing, StoreError> {
        let comments: Vec<CommentRecord> = self
            .comments
            .borrow()
            .iter()
            .filter(|c| self.ours(c.thread_id))
            .cloned()
            .collect();
        let same_email = |c: &&CommentRecord| c.email_hash.as_deref() == Some(req.email_hash);
        let trusted = comments
            .iter()
            .filter(same_email)
            .filter(|c| c.status == CommentStatus::Approved)
            .filter(|c| {
                req.author_key_hash.is_some() && c.author_key_hash.as_deref() == req.author_key_hash
            })
            .count() as u32;
        let blocked = self.blocks.borrow().iter().any(|(site, kind, hash)| {
            *site == self.site
                && ((kind == "email" && hash == req.email_hash)
                    || (kind == "client" && hash == req.client_hash))
        });
        // Like trust, by email *and* browser key — or the same network: reports against
        // comments someone else posted under this address elsewhere do not hold this author,
        // and a troll dropping or rotating the key on one network is still the troll.
        let reports_against = comments
            .iter()
            .filter(same_email)
            .filter(|c| {
                (req.author_key_hash.is_some()
                    && c.author_key_hash.as_deref() == req.author_key_hash)
                    || c.client_hash.as_deref() == Some(req.client_hash)
            })
            .map(|c| c.reports)
            .sum();
        Ok(Standing {
            trusted_comments: trusted,
            blocked,
            reports_against,
        })
    }

    async fn set_thread(&self, req: ThreadFlags<'_>) -> Result<Option<ThreadRecord>, StoreError> {
        let mut threads = self.threads.borrow_mut();
        let Some(t) = threads
            .iter_mut()
            .find(|t| t.site_id == self.site && t.key == req.key)
        else {
            return Ok(None);
        };
        if let Some(locked) = req.locked {
            t.locked = locked;
        }
        if let Some(pinned) = req.pinned {
            t.pinned_id = pinned;
        }
        Ok(Some(t.clone()))
    }

    async fn set_thread_meta(
        &self,
        req: ThreadMeta<'_>,
    ) -> Result<Option<ThreadRecord>, StoreError> {
        let mut threads = self.threads.borrow_mut();
        let Some(t) = threads
            .iter_mut()
            .find(|t| t.site_id == self.site && t.key == req.key)
        else {
            return Ok(None);
        };
        if t.meta_by_owner && !req.by_owner {
            return Ok(None);
        }
        if let Some(title) = req.title {
            t.title = Some(title.into());
        }
        if let Some(url) = req.url {
            t.url = Some(url.into());
        }
        t.meta_by_owner |= req.by_owner;
        Ok(Some(t.clone()))
    }

    async fn set_block(&self, req: SetBlock<'_>) -> Result<(), StoreError> {
        let mut blocks = self.blocks.borrow_mut();
        let entry = (
            self.site.clone(),
            req.kind.as_str().to_owned(),
            req.hash.to_owned(),
        );
        blocks.retain(|b| *b != entry);
        if req.on {
            blocks.push(entry);
        }
        Ok(())
    }

    async fn moderate(
        &self,
        ids: &[CommentId],
        decision: Decision,
        now_ms: i64,
    ) -> Result<Vec<ModeratedComment>, StoreError> {
        self.moderate_now(ids, decision, now_ms)
    }

    async fn report(&self, req: Report<'_>) -> Result<Reported, StoreError> {
        let owned = self.owns(req.id);
        let mut comments = self.comments.borrow_mut();
        let Some(c) = comments.iter_mut().find(|c| c.id == req.id && owned) else {
            return Ok(Reported {
                reports: 0,
                hidden: false,
                counted: false,
            });
        };
        let mut reports = self.reports.borrow_mut();
        let entry = (req.id, req.reporter_hash.to_owned());
        let counted = !reports.contains(&entry);
        if counted {
            reports.push(entry);
        }
        c.reports = reports.iter().filter(|(id, _)| *id == req.id).count() as u32;
        let hidden = c.status == CommentStatus::Approved
            && c.reports >= req.threshold.max(1)
            && !c.is_owner
            && !c.reports_reviewed;
        if hidden {
            c.status = CommentStatus::Pending;
            c.held_for = Some(HeldFor::Reported);
        }
        Ok(Reported {
            reports: c.reports,
            hidden,
            counted,
        })
    }
}

/// What the author wrote goes; the row stays so replies keep their parent.
pub(super) fn wipe(c: &mut CommentRecord, now_ms: i64) {
    c.status = CommentStatus::Deleted;
    c.trashed_from = None;
    c.body_markdown.clear();
    c.body_html.clear();
    c.author_name.clear();
    c.author_email.clear();
    c.author_url = None;
    c.updated_at_ms = Some(now_ms);
}
