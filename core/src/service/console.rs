//! The owner's console: sessions, the queue and lists across the site, replying as the
//! owner, settings, the badge token, a commenter's data (export and erasure), and the audit
//! list. The Worker checks the session and the origin before calling anything here except
//! [`Service::login`].

use super::error::ServiceError;
use super::owner::Moderated;
use super::{HumanCheck, Service};
use crate::db::console::{ConsoleStore, Listed, StoredAudit};
use crate::db::store::{CommentStore, InsertComment, SetBlock};
use crate::domain::client::ClientKeys;
use crate::domain::dates::rfc3339;
use crate::domain::model::{CommentStatus, ThreadRecord};
use crate::domain::ratelimit::parse_limits;
use crate::domain::site::SiteConfig;
use crate::domain::token::{constant_time_eq, normal_email, Purpose};
use crate::domain::validate;
use crate::wire::api::{CommentId, CreatedComment};
use crate::wire::console::{
    AuditEntry, AuditList, BlockEntry, BlockList, CommentList, Export, ExportedSubscription,
    MatchingIds, OwnerComment, OwnerThread, ParentContext, SettingsDefaults, Tab, TabCounts,
    ThreadChange, ThreadList,
};
use crate::wire::error::{ErrorCode, Field};
use crate::wire::limits;
use crate::wire::limits::MATCHING_MAX;
use crate::wire::moderation::{BlockKind, Decision};
use crate::wire::settings::{SettingProblem, SiteSettings};

/// Console sessions last this long unless the deployment says otherwise.
pub const SESSION_SECS: u32 = 12 * 3600;
/// Failed logins per network (an IPv4 address or an IPv6 /56, one connection however
/// many /64s it has): five per quarter hour.
const LOGIN_LIMITS: &str = "5/900";
/// Failed logins from everywhere together: a botnet spread over many networks gets no
/// more guesses than this (the owner's open sessions keep working meanwhile).
const LOGIN_GLOBAL_LIMITS: &str = "100/900";
/// The shortest console key accepted: anything shorter can be guessed, so without a
/// key this long there is no console.
pub const OWNER_KEY_MIN: usize = 32;

/// Whether a configured console key is long enough to be one.
pub fn usable_owner_key(key: &str) -> bool {
    key.trim().chars().count() >= OWNER_KEY_MIN
}

/// The permalink of a comment: its thread's URL with the comment's fragment.
pub(super) fn permalink(thread: &ThreadRecord, id: CommentId) -> Option<String> {
    thread
        .url
        .as_ref()
        .map(|u| format!("{}#comment-{}", u.split('#').next().unwrap_or(u), id.0))
}

fn owner_comment((c, t): &Listed) -> OwnerComment {
    OwnerComment {
        id: c.id,
        thread: t.key.clone(),
        thread_title: t.title.clone(),
        permalink: permalink(t, c.id),
        parent_id: c.parent_id,
        status: match c.trashed_from {
            Some(_) => "trash".to_owned(),
            None => c.status.as_str().to_owned(),
        },
        trashed_from: c.trashed_from.map(|s| s.as_str().to_owned()),
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
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((user, domain)) => {
            format!("{}…@{domain}", user.chars().next().unwrap_or('?'))
        }
        None => "…".into(),
    }
}

fn is_origin(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some()
            && u.path() == "/"
            && u.query().is_none()
            && !s.ends_with('/')
    })
}

/// What each setting falls back to (the deployment's configuration, before the console's
/// settings), for the console to show beside each field.
pub fn settings_defaults(site: &SiteConfig, deployment_origins: &[String]) -> SettingsDefaults {
    SettingsDefaults {
        moderation: site.rules.moderation.as_str().to_owned(),
        allowed_origins: deployment_origins.to_vec(),
        max_depth: site.max_depth,
        edit_window_secs: site.edit_window_secs,
        page_size: site.page_size,
        max_links: site.rules.max_links,
        trust_after: site.rules.trust_after,
        report_threshold: site.report_threshold,
        reporter_threshold: site.rules.reporter_threshold,
        outbox_retention_days: site.outbox_retention_days,
        trash_days: site.trash_days,
    }
}

/// The settings whose values differ, by name, alphabetically.
pub fn changed_settings(before: &SiteSettings, after: &SiteSettings) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    b.iter()
        .filter(|(k, v)| a.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Settings that cannot work are refused, each named with what is wrong, not saved.
fn check_settings(s: &SiteSettings) -> Result<(), ServiceError> {
    let mut problems = s.number_problems();
    let mut problem =
        |field: String, message: String| problems.push(SettingProblem { field, message });
    if let Some(o) = s.allowed_origins.iter().find(|o| !is_origin(o)) {
        problem(
            "allowed_origins".into(),
            format!(
                "“{o}” is not an origin: write it as https://host (or https://host:port), without a path."
            ),
        );
    }
    for (i, w) in s.webhooks.iter().enumerate() {
        if !validate::is_http_url(&w.url) {
            problem(
                format!("webhooks.{i}.url"),
                format!("“{}” is not a web address: it starts with https://.", w.url),
            );
        }
    }
    if let Some(name) = s.owner_name.as_deref() {
        let clean = validate::clean_name(name);
        if clean.chars().count() > crate::wire::limits::NAME {
            problem(
                "owner_name".into(),
                format!("At most {} characters.", crate::wire::limits::NAME),
            );
        } else if !name.trim().is_empty() && !validate::has_visible(&clean) {
            problem(
                "owner_name".into(),
                "This name shows nothing readers could read.".into(),
            );
        }
    }
    if s.digest_email
        .as_deref()
        .is_some_and(|e| !validate::is_email(e.trim()))
    {
        problem(
            "digest_email".into(),
            "This is not an email address.".into(),
        );
    }
    for (field, words) in [
        ("muted.name", &s.muted.name),
        ("muted.body", &s.muted.body),
        ("muted.website", &s.muted.website),
    ] {
        let one = crate::wire::settings::MutedWords {
            name: words.clone(),
            ..Default::default()
        };
        if let Err(e) = crate::domain::muted::Matcher::new(&one) {
            problem(field.into(), format!("{e}."));
        }
    }
    if problems.is_empty() {
        // Limits over all three lists together.
        if let Err(e) = crate::domain::muted::Matcher::new(&s.muted) {
            problems.push(SettingProblem {
                field: "muted.body".into(),
                message: format!("{e}."),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Settings(problems))
    }
}

impl<S: CommentStore + ConsoleStore, H: HumanCheck> Service<'_, S, H> {
    /// Log in with the console key. `configured` is the deployment's `OWNER_KEY` (none,
    /// or one shorter than [`OWNER_KEY_MIN`]: no console); `token` a fresh random value
    /// from the caller (the cookie's), of which only a keyed hash is stored. Only failed
    /// attempts count, per network and across all networks, and a used-up limit is
    /// checked before the key, so a guess past it learns nothing.
    pub async fn login(
        &self,
        key: &str,
        configured: Option<&str>,
        token: &str,
        client_ip: &str,
        now_ms: i64,
        session_secs: u32,
    ) -> Result<i64, ServiceError> {
        self.writable()?;
        let client = ClientKeys::from_ip(client_ip);
        let network = client.network.as_deref().unwrap_or(&client.client);
        let here = self.keys.client_hash(network);
        let per_network = parse_limits(LOGIN_LIMITS).expect("login limits parse");
        let everyone = parse_limits(LOGIN_GLOBAL_LIMITS).expect("login limits parse");
        self.check_used("login-failed", &per_network, &here, now_ms)
            .await?;
        // Past the global budget (many networks guessing), only networks that have not
        // failed yet in this window may try — once each: the owner, typing the key on a
        // network of their own, still gets in during an attack.
        let failed_here = self
            .used("login-failed", &per_network[0], &here, now_ms)
            .await?;
        if failed_here > 0 {
            self.check_used("login-failed", &everyone, "everyone", now_ms)
                .await?;
        }
        let expected = configured.filter(|k| usable_owner_key(k));
        let right = expected.is_some_and(|e| constant_time_eq(key.trim().as_bytes(), e.as_bytes()));
        let Some(expected) = expected.filter(|_| right) else {
            // Counting is what matters here; being over is reported on the next try.
            let _ = self
                .count_one("login-failed", &everyone, "everyone", now_ms)
                .await;
            let _ = self
                .count_one("login-failed", &per_network, &here, now_ms)
                .await;
            // In the audit list: a network's first failure in the window, and the one that
            // used up its tries — not one line per guess.
            let failures = failed_here + 1;
            if failures == 1 || failures == per_network[0].max {
                self.audit(
                    "someone",
                    "login-failed",
                    &self.network_tag(client_ip),
                    Some(format!("failure {failures} of {}", per_network[0].max)),
                    now_ms,
                )
                .await?;
            }
            return Err(ServiceError::LoginFailed);
        };
        let expires = now_ms + i64::from(session_secs) * 1000;
        self.store
            .create_session(
                &self.keys.hash(Purpose::Session, token),
                &self.keys.hash(Purpose::ConsoleKey, expected),
                now_ms,
                expires,
            )
            .await?;
        Ok(expires)
    }

    /// When the session of cookie value `token` ends; `Unauthorized` when there is none,
    /// or it was opened with another console key than `configured` (changing the key ends
    /// every session).
    pub async fn session(
        &self,
        token: &str,
        configured: Option<&str>,
        now_ms: i64,
    ) -> Result<i64, ServiceError> {
        let Some(key) = configured.filter(|k| usable_owner_key(k)) else {
            return Err(ServiceError::Unauthorized);
        };
        if token.is_empty() || !self.keys.usable() {
            return Err(ServiceError::Unauthorized);
        }
        self.store
            .session_expiry(
                &self.keys.hash(Purpose::Session, token),
                &self.keys.hash(Purpose::ConsoleKey, key),
                now_ms,
            )
            .await?
            .ok_or(ServiceError::Unauthorized)
    }

    /// "Log out everywhere": every console session ends, this one too.
    pub async fn logout_everywhere(&self) -> Result<(), ServiceError> {
        self.store.end_all_sessions().await?;
        Ok(())
    }

    pub async fn logout(&self, token: &str) -> Result<(), ServiceError> {
        self.store
            .end_session(&self.keys.hash(Purpose::Session, token))
            .await?;
        Ok(())
    }

    /// How the audit list names a network that tried to log in: a short keyed tag of its
    /// address or /56, never the address.
    pub fn network_tag(&self, client_ip: &str) -> String {
        let client = ClientKeys::from_ip(client_ip);
        let hash = self
            .keys
            .client_hash(client.network.as_deref().unwrap_or(&client.client));
        format!("network {}", &hash[..hash.len().min(8)])
    }

    /// A short, stable name for a session in the audit list (never the cookie).
    pub fn session_name(&self, token: &str) -> String {
        format!("console {}", &self.keys.hash(Purpose::Session, token)[..8])
    }

    pub async fn owner_comments(
        &self,
        tab: Tab,
        search: Option<&str>,
        before: Option<CommentId>,
    ) -> Result<CommentList, ServiceError> {
        let mut rows = self
            .store
            .list_comments(&self.site.id, tab, search, before, limits::CONSOLE_PAGE + 1)
            .await?;
        let next_before = (rows.len() > limits::CONSOLE_PAGE as usize).then(|| {
            rows.truncate(limits::CONSOLE_PAGE as usize);
            rows.last().map(|(c, _)| c.id)
        });
        let total = match (&next_before, before) {
            // One page from the top: its length is the count.
            (None, None) => rows.len() as u32,
            _ => {
                self.store
                    .count_comments(&self.site.id, tab, search)
                    .await?
            }
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
                    permalink: permalink(t, parent),
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
            comments: self
                .store
                .matching_ids(&self.site.id, tab, search, MATCHING_MAX)
                .await?,
        })
    }

    /// The last 30 days: comments per day (every day, zeros included), the busiest
    /// threads, and what waits (how many, since when).
    pub async fn stats(&self, now_ms: i64) -> Result<crate::wire::console::Stats, ServiceError> {
        const DAYS: i64 = 30;
        let today = now_ms.div_euclid(86_400_000);
        let first = today - (DAYS - 1);
        let s = self.store.stats(&self.site.id, first * 86_400_000).await?;
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
        Ok(self.store.tab_counts(&self.site.id).await?)
    }

    /// Delete for good what has been in the Trash longer than the site keeps it: a
    /// bounded number per run (the Cron Trigger comes back). Returns the threads whose
    /// pages changed and how many went.
    pub async fn empty_old_trash(&self, now_ms: i64) -> Result<Moderated, ServiceError> {
        let days = i64::from(self.site.trash_days);
        let ids = self
            .store
            .trashed_before(
                &self.site.id,
                now_ms - days * 86_400_000,
                limits::TRASH_EMPTY_BATCH,
            )
            .await?;
        self.moderate(&ids, Decision::Delete, now_ms).await
    }

    pub async fn owner_threads(&self, now_ms: i64) -> Result<ThreadList, ServiceError> {
        let threads = self.store.list_threads(&self.site.id, 500).await?;
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
                    site_id: &self.site.id,
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
                .find_thread(&self.site.id, change.key.trim())
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

    pub async fn owner_settings(&self) -> Result<SiteSettings, ServiceError> {
        let (json, _) = self.store.load_settings(&self.site.id).await?;
        Ok(json
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default())
    }

    /// Check and store the console's settings; they apply from the next request.
    /// Save the console's settings; returns the names of those that changed (for the
    /// audit list: "settings · page_size, webhooks", not only "settings").
    pub async fn save_owner_settings_audited(
        &self,
        s: &SiteSettings,
    ) -> Result<Vec<String>, ServiceError> {
        let before = self.owner_settings().await?;
        self.save_owner_settings(s).await?;
        Ok(changed_settings(&before, s))
    }

    pub async fn save_owner_settings(&self, s: &SiteSettings) -> Result<(), ServiceError> {
        check_settings(s)?;
        let json = serde_json::to_string(s).map_err(|e| {
            ServiceError::Settings(vec![SettingProblem {
                field: String::new(),
                message: e.to_string(),
            }])
        })?;
        self.store.save_settings(&self.site.id, &json).await?;
        Ok(())
    }

    /// The secret webhook receivers check signatures with.
    pub fn webhook_secret(&self) -> String {
        self.keys.webhook_secret()
    }

    /// Store the hash of a new badge token (`token` is fresh randomness from the caller);
    /// the previous token stops giving the badge.
    pub async fn new_badge(&self, token: &str) -> Result<(), ServiceError> {
        self.store
            .save_badge(&self.site.id, &self.keys.hash(Purpose::Badge, token))
            .await?;
        Ok(())
    }

    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: Option<String>,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        self.store
            .add_audit(&StoredAudit {
                id: 0,
                at: now_ms,
                actor: actor.to_owned(),
                action: action.to_owned(),
                target: target.to_owned(),
                detail,
            })
            .await?;
        Ok(())
    }

    /// A page of the audit list (200 lines), older than `before`, of one kind
    /// ([`crate::wire::console::AUDIT_KINDS`]) when given.
    pub async fn audit_list(
        &self,
        before: Option<i64>,
        kind: Option<&str>,
    ) -> Result<AuditList, ServiceError> {
        let actions: &[&str] = kind
            .and_then(|k| {
                crate::wire::console::AUDIT_KINDS
                    .iter()
                    .find(|(name, ..)| *name == k)
            })
            .map_or(&[], |(_, _, actions)| actions);
        let rows = self
            .store
            .list_audit(limits::AUDIT_PAGE + 1, before, actions)
            .await?;
        let next_before = (rows.len() > limits::AUDIT_PAGE as usize)
            .then(|| rows[limits::AUDIT_PAGE as usize - 1].id);
        Ok(AuditList {
            next_before,
            entries: rows
                .into_iter()
                .take(limits::AUDIT_PAGE as usize)
                .map(|a| AuditEntry {
                    id: a.id,
                    at: rfc3339(a.at),
                    actor: a.actor,
                    action: a.action,
                    target: a.target,
                    detail: a.detail,
                })
                .collect(),
        })
    }

    /// How the audit list names a commenter: a short keyed tag, never their address (so
    /// erasing them leaves nothing of it behind).
    pub fn person_tag(&self, email: &str) -> String {
        let hash = self.keys.hash(Purpose::Email, &normal_email(email));
        format!("person {}", &hash[..hash.len().min(8)])
    }

    fn email_hash(&self, email: &str) -> Result<String, ServiceError> {
        let email = normal_email(email);
        if !validate::is_email(&email) {
            return Err(ServiceError::field(Field::Email, ErrorCode::EmailInvalid));
        }
        Ok(self.keys.hash(Purpose::Email, &email))
    }

    /// Everything stored about the commenter with this email.
    pub async fn export(&self, email: &str, now_ms: i64) -> Result<Export, ServiceError> {
        let hash = self.email_hash(email)?;
        let comments = self
            .store
            .by_email(&hash, Some(&normal_email(email)))
            .await?;
        let subscriptions = self.store.subscriptions_of(&hash).await?;
        Ok(Export {
            email: normal_email(email),
            exported_at: rfc3339(now_ms),
            comments: comments.iter().map(owner_comment).collect(),
            subscriptions: subscriptions
                .into_iter()
                .map(|s| ExportedSubscription {
                    comment_id: CommentId(s.comment_id),
                    confirmed: s.confirmed_at.is_some(),
                    created_at: rfc3339(s.created_at),
                })
                .collect(),
        })
    }

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
            .latest_published(&self.site.id, thread, crate::domain::feed::ENTRIES)
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

    /// Store one import batch (the console's upload, `colloquy import --to`): cleaned
    /// again here, then written like the command's SQL files — nothing twice. Returns how
    /// many comments were new.
    pub async fn import_batch(
        &self,
        batch: crate::import::Batch,
        now_ms: i64,
    ) -> Result<usize, ServiceError> {
        self.writable()?;
        let batch = batch.cleaned(now_ms).map_err(ServiceError::ImportInvalid)?;
        let mut keys: Vec<String> = batch.threads.iter().map(|t| t.key.clone()).collect();
        keys.sort();
        keys.dedup();
        // What was new, not what was sent: a file imported again adds (and says) nothing.
        let before = self.store.count_in_threads(&self.site.id, &keys).await?;
        let statements = crate::import::sql::batch_statements(&batch, &self.site.id);
        self.store.run_import(statements).await?;
        let after = self.store.count_in_threads(&self.site.id, &keys).await?;
        Ok(after.saturating_sub(before) as usize)
    }

    /// One page of the site's export: up to 100 threads after thread id `after`, with
    /// every comment and its state.
    pub async fn site_export(
        &self,
        after: i64,
    ) -> Result<crate::wire::console::SiteExportPage, ServiceError> {
        use crate::wire::console::{ExportComment, ExportThread};
        let page = self
            .store
            .export_page(&self.site.id, after, limits::EXPORT_THREADS)
            .await?;
        let next_after = (page.len() == limits::EXPORT_THREADS as usize)
            .then(|| page.last().map(|(t, _)| t.id))
            .flatten();
        let threads = page
            .into_iter()
            .map(|(t, comments)| ExportThread {
                key: t.key,
                title: t.title,
                url: t.url,
                created_at: rfc3339(t.created_at_ms),
                locked: t.locked,
                pinned_id: t.pinned_id.map(|p| p.0),
                comments: comments
                    .into_iter()
                    .map(|c| ExportComment {
                        id: c.id,
                        parent_id: c.parent_id,
                        status: c.status,
                        author: c.author_name,
                        email: c.author_email,
                        website: c.author_url,
                        body_markdown: c.body_markdown,
                        body_html: c.body_html,
                        created_at: rfc3339(c.created_at),
                        owner: c.is_owner != 0,
                        import_id: c.import_id,
                        edited_at: c.updated_at.map(rfc3339),
                        likes: u32::try_from(c.likes).unwrap_or(0),
                    })
                    .collect(),
            })
            .collect();
        Ok(crate::wire::console::SiteExportPage {
            site: self.site.id.clone(),
            threads,
            next_after,
        })
    }

    /// Imported comments arrive without the keyed hash of their email (the importer
    /// does not know the secret): add it, a batch at a time, so blocking, trust, export
    /// and erasure by email find them. How many were hashed.
    pub async fn hash_imported_emails(&self) -> Result<usize, ServiceError> {
        self.writable()?;
        let pending = self.store.unhashed_emails(500).await?;
        let hashes: Vec<(i64, String)> = pending
            .into_iter()
            .map(|(id, email)| (id, self.keys.hash(Purpose::Email, &normal_email(&email))))
            .collect();
        self.store.set_email_hashes(&hashes).await?;
        Ok(hashes.len())
    }

    /// Erase the commenter with this email: placeholders keep replies in place; their
    /// words, name, address hashes and subscriptions go. Returns the threads changed.
    pub async fn erase(&self, email: &str, now_ms: i64) -> Result<Vec<String>, ServiceError> {
        let hash = self.email_hash(email)?;
        Ok(self
            .store
            .erase(&hash, &normal_email(email), now_ms)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::settings::{MutedWords, Webhook};

    #[test]
    fn settings_that_cannot_work_are_refused() {
        let ok = SiteSettings {
            allowed_origins: vec![
                "https://blog.example.org".into(),
                "http://127.0.0.1:8788".into(),
            ],
            webhooks: vec![Webhook {
                url: "https://hooks.example.org/x".into(),
                format: Default::default(),
                events: vec![],
            }],
            ..Default::default()
        };
        assert!(check_settings(&ok).is_ok());
        for bad in [
            SiteSettings {
                allowed_origins: vec!["https://blog.example.org/".into()],
                ..Default::default()
            },
            SiteSettings {
                allowed_origins: vec!["blog.example.org".into()],
                ..Default::default()
            },
            SiteSettings {
                webhooks: vec![Webhook {
                    url: "javascript:alert(1)".into(),
                    format: Default::default(),
                    events: vec![],
                }],
                ..Default::default()
            },
            SiteSettings {
                digest_email: Some("not an address".into()),
                ..Default::default()
            },
            SiteSettings {
                page_size: Some(0),
                ..Default::default()
            },
            SiteSettings {
                muted: MutedWords {
                    body: vec!["x".repeat(101)],
                    ..Default::default()
                },
                ..Default::default()
            },
        ] {
            assert!(check_settings(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(masked("ana@example.org"), "a…@example.org");
    }
}

/// The console over the SQL store on SQLite, as the Worker runs it on D1.
#[cfg(test)]
mod on_sqlite {
    use super::*;
    use crate::db::contract::Sqlite;
    use crate::db::sql::SqlStore;
    use crate::domain::site::SiteConfig;
    use crate::domain::token::Keys;
    use crate::wire::api::NewComment;

    const T0: i64 = 1_700_000_000_000;

    struct Fixture {
        store: SqlStore<Sqlite>,
        site: SiteConfig,
        keys: Keys,
        shown: std::cell::Cell<i64>,
    }

    impl Fixture {
        fn new() -> Self {
            let mut site = SiteConfig::new("default");
            site.origins = vec!["https://blog.example.org".into()];
            site.min_submit_ms = 0;
            site.comment_limits = parse_limits("1000/60").unwrap();
            Fixture {
                store: SqlStore::new(Sqlite::migrated()),
                site,
                keys: Keys::derive("console test secret"),
                shown: std::cell::Cell::new(0),
            }
        }

        fn svc(&self) -> Service<'_, SqlStore<Sqlite>> {
            Service::new(&self.store, &self.site, &self.keys)
        }

        fn post(&self, thread: &str, email: &str, body: &str) -> CommentId {
            // Each form shown at its own moment: each token is a new one.
            self.shown.set(self.shown.get() + 1);
            let token = self
                .svc()
                .form_token(thread, "c", T0 - self.shown.get())
                .unwrap()
                .form_token;
            let input = NewComment {
                thread: thread.into(),
                thread_url: Some(format!("https://blog.example.org{thread}")),
                body: body.into(),
                name: "Ana".into(),
                email: email.into(),
                form_token: token,
                ..Default::default()
            };
            pollster::block_on(self.svc().post(&input, "c", T0 + 10))
                .unwrap()
                .comment
                .id
        }
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        pollster::block_on(f)
    }

    /// The owner's replies carry the name set in the console (cleaned like a reader's),
    /// else "Site owner"; a name too long or showing nothing is refused at its field.
    #[test]
    fn the_owners_replies_carry_the_name_from_the_settings() {
        let mut f = Fixture::new();
        let top = f.post("/named/", "n@example.org", "Hello");
        let reply = |f: &Fixture| {
            block(f.svc().owner_reply(top, "Thanks", "", T0 + 30))
                .unwrap()
                .0
                .comment
                .author
        };
        assert_eq!(reply(&f), "Site owner");
        f.site.apply(&SiteSettings {
            owner_name: Some("  Maja \u{202e}Novak ".into()),
            ..SiteSettings::default()
        });
        assert_eq!(reply(&f), "Maja Novak");
        let refused = |name: &str| {
            let s = SiteSettings {
                owner_name: Some(name.into()),
                ..SiteSettings::default()
            };
            match block(f.svc().save_owner_settings(&s)) {
                Err(ServiceError::Settings(p)) => p[0].field.clone(),
                other => panic!("{name:?}: {other:?}"),
            }
        };
        assert_eq!(refused(&"M".repeat(200)), "owner_name");
        assert_eq!(refused("\u{200b}\u{200b}"), "owner_name");
    }

    /// The statistics: every one of the last 30 days (zeros too), the busiest threads by
    /// published comments, and what waits since when.
    #[test]
    fn statistics_count_days_threads_and_the_queue() {
        let f = Fixture::new();
        f.post("/busy/", "a@example.org", "one");
        f.post("/busy/", "b@example.org", "two");
        f.post("/quiet/", "c@example.org", "three");
        let held = f.post("/quiet/", "d@example.org", "four");
        block(f.svc().moderate(&[held], Decision::Hold, T0)).unwrap();
        let now = T0 + 10 + 86_400_000;
        let stats = block(f.svc().stats(now)).unwrap();
        assert_eq!(stats.per_day.len(), 30);
        let total: u32 = stats.per_day.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 4, "published and waiting: {:?}", stats.per_day);
        assert_eq!(stats.per_day.last().unwrap().1, 0, "nothing today");
        assert_eq!(stats.per_day[28].1, 4, "all yesterday");
        assert_eq!(
            stats.top_threads,
            vec![
                ("/busy/".to_owned(), None, 2),
                ("/quiet/".to_owned(), None, 1)
            ]
        );
        assert_eq!(stats.pending, 1);
        assert_eq!(stats.oldest_pending, Some(rfc3339(T0 + 10)));
    }

    #[test]
    fn the_audit_names_the_settings_that_changed() {
        let before = SiteSettings {
            page_size: Some(20),
            ..SiteSettings::default()
        };
        let after = SiteSettings {
            page_size: Some(30),
            trash_days: Some(7),
            ..SiteSettings::default()
        };
        assert_eq!(
            changed_settings(&before, &after),
            ["page_size", "trash_days"]
        );
        assert!(changed_settings(&after, &after).is_empty());
    }

    /// "held: a muted word" says which word and where, by today's list.
    #[test]
    fn a_comment_held_for_a_muted_word_names_the_word_and_the_field() {
        let mut f = Fixture::new();
        f.site.rules.muted.body = vec!["cas*no".into()];
        let held = f.post("/muted/", "m@example.org", "the best c&#97;sino in town");
        let list = block(f.svc().owner_comments(Tab::Pending, Some("/muted/"), None)).unwrap();
        let c = list.comments.iter().find(|c| c.id == held).unwrap();
        assert_eq!(c.held_for, Some(crate::wire::moderation::HeldFor::Muted));
        assert_eq!(c.held_detail.as_deref(), Some("“cas*no” in the comment"));
        f.site.rules.muted.body.clear();
        let list = block(f.svc().owner_comments(Tab::Pending, Some("/muted/"), None)).unwrap();
        assert_eq!(
            list.comments[0].held_detail.as_deref(),
            Some("a word no longer on the muted list")
        );
    }

    /// The owner reads a comment in context: why readers reported it (reasons counted),
    /// what it answers (author and first words, nothing of a deleted parent), and whether
    /// it is the thread's pinned one.
    #[test]
    fn listed_comments_carry_report_reasons_their_parent_and_the_pin() {
        use crate::db::sql::{Query, SqlExec};
        let f = Fixture::new();
        let svc = f.svc();
        let top = f.post(
            "/ctx/",
            "top@example.org",
            "The **first** words of the top comment",
        );
        let input = NewComment {
            thread: "/ctx/".into(),
            parent_id: Some(top),
            body: "An answer".into(),
            name: "Bea".into(),
            email: "bea@example.org".into(),
            form_token: svc.form_token("/ctx/", "c", T0 - 500).unwrap().form_token,
            ..Default::default()
        };
        let reply = block(svc.post(&input, "c", T0 + 20)).unwrap().comment.id;
        for (who, reason) in [("r1", "spam"), ("r2", "spam"), ("r3", "abuse")] {
            block(f.store.exec().rows(Query::new(
                "INSERT INTO reports (comment_id, reporter_hash, reason, created_at) VALUES (?1, ?2, ?3, 0)",
                vec![reply.into(), who.into(), reason.into()],
            )))
            .unwrap();
        }
        block(f.store.exec().rows(Query::new(
            "UPDATE comments SET reports = 3 WHERE id = ?1",
            vec![reply.into()],
        )))
        .unwrap();
        block(svc.change_thread(&ThreadChange {
            key: "/ctx/".into(),
            pin: Some(top),
            ..ThreadChange::default()
        }))
        .unwrap();
        let list = block(svc.owner_comments(Tab::All, Some("/ctx/"), None)).unwrap();
        let find = |id| list.comments.iter().find(|c| c.id == id).unwrap();
        assert_eq!(
            find(reply).report_reasons,
            vec![("spam".to_owned(), 2), ("abuse".to_owned(), 1)]
        );
        let parent = find(reply).parent.clone().unwrap();
        assert_eq!(parent.author, "Ana");
        assert_eq!(parent.excerpt, "The first words of the top comment");
        assert!(parent
            .permalink
            .unwrap()
            .ends_with(&format!("#comment-{}", top.0)));
        assert!(find(top).pinned && !find(reply).pinned);
        block(svc.moderate(&[top], Decision::Trash, T0)).unwrap();
        let list = block(svc.owner_comments(Tab::All, Some("/ctx/"), None)).unwrap();
        let parent = list.comments[0].parent.clone().unwrap();
        assert_eq!(
            (parent.author.as_str(), parent.excerpt.as_str()),
            ("", ""),
            "a trashed parent shows nothing"
        );
    }

    /// Bulk work past D1's 100 bound values: one decision on 250 comments changes all of
    /// them (in batches), the lists count and list every match, and the Trash empties
    /// itself by age only.
    #[test]
    fn bulk_decisions_take_any_number_and_the_trash_empties_by_age() {
        let f = Fixture::new();
        let svc = f.svc();
        let ids: Vec<CommentId> = (0..250)
            .map(|i| f.post("/bulk/", &format!("b{i}@example.org"), &format!("bulk {i}")))
            .collect();
        let other = f.post("/else/", "e@example.org", "not in the search");
        let list = block(svc.owner_comments(Tab::All, Some("bulk"), None)).unwrap();
        assert_eq!((list.comments.len(), list.total), (50, 250));
        let matching = block(svc.matching_ids(Tab::All, Some("bulk"))).unwrap();
        assert_eq!(matching.comments.len(), 250);
        assert!(matching
            .comments
            .iter()
            .all(|(_, state)| state == "approved"));
        assert!(!matching.comments.iter().any(|(id, _)| *id == other));

        let done = block(svc.moderate(&ids, Decision::Trash, T0)).unwrap();
        assert_eq!(done.changed, 250, "every one, past the 100-value bound");
        assert_eq!(done.threads, vec!["/bulk/".to_owned()]);
        let counts = block(svc.tab_counts()).unwrap();
        assert_eq!((counts.trash, counts.pending), (250, 0));
        let trash = block(svc.owner_comments(Tab::Trash, None, None)).unwrap();
        assert_eq!(trash.total, 250);
        assert!(trash
            .comments
            .iter()
            .all(|c| c.status == "trash" && !c.body_html.is_empty()));
        assert_eq!(
            block(svc.owner_comments(Tab::All, Some("bulk"), None))
                .unwrap()
                .total,
            0,
            "the Trash is not in Everything"
        );
        // Half restored; the Trash empties only what has been there long enough.
        block(svc.moderate(&ids[..125], Decision::Restore, T0)).unwrap();
        let days = i64::from(f.site.trash_days);
        let early = block(svc.empty_old_trash(T0 + (days * 86_400_000) - 1)).unwrap();
        assert_eq!(early.changed, 0);
        // A bounded number a run (the Cron Trigger comes back every five minutes).
        let later = T0 + days * 86_400_000 + 1;
        let emptied = block(svc.empty_old_trash(later)).unwrap();
        assert_eq!(emptied.changed, limits::TRASH_EMPTY_BATCH);
        let rest = block(svc.empty_old_trash(later)).unwrap();
        assert_eq!(emptied.changed + rest.changed, 125);
        assert_eq!(block(svc.tab_counts()).unwrap().trash, 0);
        assert_eq!(
            block(svc.owner_comments(Tab::All, Some("bulk"), None))
                .unwrap()
                .total,
            125,
            "the restored half is back"
        );
        let gone = block(f.store.find_comment(ids[200])).unwrap().unwrap();
        assert!(gone.body_markdown.is_empty() && gone.author_email.is_empty());
    }

    #[test]
    fn sessions_log_in_expire_and_end() {
        let f = Fixture::new();
        let svc = f.svc();
        const KEY: &str = "the-console-key-0123456789abcdef0123";
        let login =
            |key: &str, token: &str| block(svc.login(key, Some(KEY), token, "203.0.113.9", T0, 60));
        assert_eq!(
            login("wrong", "t0").unwrap_err().code(),
            ErrorCode::LoginFailed
        );
        let expires = login(KEY, "t1").unwrap();
        assert_eq!(expires, T0 + 60_000);
        assert_eq!(
            block(svc.session("t1", Some(KEY), T0 + 1)).unwrap(),
            expires
        );
        assert_eq!(
            block(svc.session("t1", Some(KEY), T0 + 60_001))
                .unwrap_err()
                .code(),
            ErrorCode::Unauthorized,
            "expired"
        );
        assert_eq!(
            block(svc.session("t2", Some(KEY), T0)).unwrap_err().code(),
            ErrorCode::Unauthorized
        );
        login(KEY, "t3").unwrap();
        block(svc.logout("t3")).unwrap();
        assert_eq!(
            block(svc.session("t3", Some(KEY), T0)).unwrap_err().code(),
            ErrorCode::Unauthorized
        );
        // A new console key ends every session opened with the old one.
        login(KEY, "t4").unwrap();
        let new_key = "a-new-console-key-after-a-leak-0123456789";
        assert_eq!(
            block(svc.session("t4", Some(new_key), T0))
                .unwrap_err()
                .code(),
            ErrorCode::Unauthorized
        );
        // "Log out everywhere".
        login(KEY, "t5").unwrap();
        login(KEY, "t6").unwrap();
        block(svc.logout_everywhere()).unwrap();
        for t in ["t5", "t6"] {
            assert!(block(svc.session(t, Some(KEY), T0)).is_err());
        }
        // A key too short to be safe opens no console, right or wrong.
        let weak = block(svc.login("short-key", Some("short-key"), "t", "198.51.100.7", T0, 60));
        assert_eq!(weak.unwrap_err().code(), ErrorCode::LoginFailed);
        let no_console = block(svc.login("", None, "t", "198.51.100.1", T0, 60));
        assert_eq!(no_console.unwrap_err().code(), ErrorCode::LoginFailed);
    }

    #[test]
    fn only_failed_logins_count_per_network_and_across_networks() {
        let f = Fixture::new();
        let svc = f.svc();
        const KEY: &str = "the-console-key-0123456789abcdef0123";
        let n = std::cell::Cell::new(0);
        let login = |key: &str, ip: &str| {
            n.set(n.get() + 1);
            block(svc.login(key, Some(KEY), &format!("t{}", n.get()), ip, T0, 60))
        };
        // Right keys are never limited.
        for _ in 0..10 {
            login(KEY, "203.0.113.9").unwrap();
        }
        // Five wrong guesses from one /56, rotating through its /64s…
        for i in 0..5 {
            let ip = format!("2001:db8:7:{:x}::1", 0x100 + i);
            assert_eq!(
                login("guess", &ip).unwrap_err().code(),
                ErrorCode::LoginFailed
            );
        }
        // …and that network is done for the quarter hour, the right key included.
        assert_eq!(
            login(KEY, "2001:db8:7:1ff::1").unwrap_err().code(),
            ErrorCode::RateLimited
        );
        assert!(login(KEY, "203.0.113.10").is_ok(), "other networks are not");
        // The audit list has the /56's first failure and the one that used up its tries.
        let audited = block(svc.audit_list(None, None)).unwrap().entries;
        let failures: Vec<_> = audited
            .iter()
            .filter(|e| e.action == "login-failed")
            .collect();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures.iter().all(|e| e.target.starts_with("network ")));
        // Guesses spread over many networks use up the global budget…
        let global = parse_limits(LOGIN_GLOBAL_LIMITS).unwrap()[0].max;
        for i in 0..global {
            let ip = format!("198.51.{}.{}", i / 200, i % 200);
            assert_eq!(
                login("guess", &ip).unwrap_err().code(),
                ErrorCode::LoginFailed
            );
        }
        // …then a network that failed before gets no second guess, not even the right key…
        assert_eq!(
            login(KEY, "198.51.0.7").unwrap_err().code(),
            ErrorCode::RateLimited
        );
        // …while a network that has not failed (the owner's own) still gets in.
        assert!(login(KEY, "192.0.2.200").is_ok());
    }

    #[test]
    fn lists_search_block_purge_and_erase() {
        let mut f = Fixture::new();
        f.site.rules.moderation = crate::wire::settings::ModerationMode::All;
        let a = f.post("/one/", "ana@example.org", "about 100% of_it");
        let b = f.post("/two/", "bo@example.org", "a quiet remark");
        let c = f.post("/two/", "ana@example.org", "again from Ana");
        let svc = f.svc();
        let pending = block(svc.owner_comments(Tab::Pending, None, None)).unwrap();
        let ids: Vec<CommentId> = pending.comments.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![c, b, a], "newest first");
        assert_eq!(
            pending.comments[2].email, "ana@example.org",
            "the owner sees emails"
        );
        assert_eq!(
            pending.comments[2].permalink.as_deref(),
            Some(format!("https://blog.example.org/one/#comment-{}", a.0).as_str())
        );
        let search = |q| {
            block(svc.owner_comments(Tab::All, Some(q), None))
                .unwrap()
                .comments
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(search("100%"), vec![a], "% is literal");
        assert_eq!(search("%"), vec![a]);
        assert_eq!(search("of_it"), vec![a], "_ is literal");
        assert_eq!(search("BO@EXAMPLE"), vec![b], "by email, any case");
        assert_eq!(search("/two/"), vec![c, b], "by thread");
        let changed = block(svc.moderate(&[a, b], Decision::Approve, T0)).unwrap();
        assert_eq!(
            changed.threads,
            vec!["/one/".to_owned(), "/two/".to_owned()]
        );
        assert_eq!(changed.changed, 2);
        let threads = block(svc.owner_threads(T0)).unwrap().threads;
        let two = threads.iter().find(|t| t.key == "/two/").unwrap();
        assert_eq!((two.comments, two.pending), (1, 1));

        assert_eq!(block(svc.block_author(c, true, true, T0)).unwrap(), 2);
        let blocks = block(svc.blocks()).unwrap().blocks;
        assert_eq!(blocks.len(), 2);
        assert!(blocks.iter().all(|b| b.label == "Ana (a…@example.org)"));

        let export = block(svc.export(" Ana@Example.org", T0)).unwrap();
        let exported: Vec<CommentId> = export.comments.iter().map(|c| c.id).collect();
        assert_eq!(exported, vec![a, c]);
        let purged = block(svc.purge_author(a, T0)).unwrap();
        assert_eq!((purged.threads.len(), purged.changed), (2, 2));
        let trash = block(svc.owner_comments(Tab::Trash, None, None)).unwrap();
        assert_eq!(trash.total, 2, "a purge goes to the Trash");
        assert!(
            block(svc.owner_comments(Tab::All, Some("ana@example"), None))
                .unwrap()
                .comments
                .is_empty()
        );
        let erased = block(svc.erase("ana@example.org", T0)).unwrap();
        assert_eq!(erased.len(), 2);
        assert!(block(svc.export("ana@example.org", T0))
            .unwrap()
            .comments
            .is_empty());
        let blocks = block(svc.blocks()).unwrap().blocks;
        assert_eq!(blocks.len(), 2, "erasure is no way around a block");
        assert!(blocks.iter().all(|b| b.label == "an erased commenter"));
        assert_eq!(
            block(svc.export("nobody", T0)).unwrap_err().code(),
            ErrorCode::ValidationFailed
        );
    }

    /// Every text value in every table of the database, as `table.column = value`.
    fn every_stored_text(f: &Fixture) -> Vec<String> {
        use crate::db::sql::{Query, SqlExec};
        let tables = block(f.store.exec().rows(Query::new(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            vec![],
        )))
        .unwrap();
        let mut out = Vec::new();
        for t in tables {
            let table = t["name"].as_str().unwrap().to_owned();
            let rows = block(
                f.store
                    .exec()
                    .rows(Query::new(format!("SELECT * FROM {table}"), vec![])),
            )
            .unwrap();
            for row in rows {
                for (column, value) in row {
                    if let Some(text) = value.as_str() {
                        out.push(format!("{table}.{column} = {text}"));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn erasing_a_commenter_leaves_their_address_and_name_in_no_table() {
        let mut f = Fixture::new();
        f.site.mail_from = Some("Blog <comments@example.org>".into());
        f.site.webhooks = vec![crate::wire::settings::Webhook {
            url: "https://hooks.example.org/h".into(),
            format: Default::default(),
            events: vec![],
        }];
        let svc = f.svc();
        let email = "Zeb.Quux@Example.org";
        let name = "Zebulon Quux";
        f.shown.set(f.shown.get() + 1);
        let token = svc
            .form_token("/erase/", "c", T0 - f.shown.get())
            .unwrap()
            .form_token;
        let input = NewComment {
            thread: "/erase/".into(),
            thread_url: Some("https://blog.example.org/erase/".into()),
            body: "Words only Zebulon wrote".into(),
            name: name.into(),
            email: email.into(),
            author_key: Some("zebs-browser".into()),
            notify_replies: true,
            form_token: token,
            ..Default::default()
        };
        let zeb = block(svc.post(&input, "c", T0 + 10)).unwrap().comment.id;
        let queued = block(svc.notify_comment(zeb, true, "https://c.example", T0 + 10)).unwrap();
        // One notification sent (its row stays), one not yet.
        block(crate::db::notify::OutboxStore::sent(
            &f.store,
            queued[0],
            T0 + 11,
        ))
        .unwrap();
        // A kept idempotent answer, a block of both kinds, and a reply naming them.
        use crate::db::idempotency::IdempotencyStore;
        block(f.store.claim("key-hash", T0)).unwrap();
        block(
            f.store
                .finish("key-hash", &format!("{{\"author\":\"{name}\"}}"), zeb),
        )
        .unwrap();
        block(svc.block_author(zeb, true, true, T0)).unwrap();
        f.shown.set(f.shown.get() + 1);
        let token = svc
            .form_token("/erase/", "d", T0 - f.shown.get())
            .unwrap()
            .form_token;
        let answer = NewComment {
            parent_id: Some(zeb),
            body: "I disagree".into(),
            name: "Bo".into(),
            email: "bo@example.org".into(),
            notify_replies: false,
            form_token: token,
            ..input.clone()
        };
        let reply = block(svc.post(&answer, "d", T0 + 20)).unwrap().comment.id;
        let replies = block(svc.notify_comment(reply, false, "https://c.example", T0 + 20));
        assert!(
            !replies.unwrap().is_empty(),
            "the reply webhook names its parent's author"
        );
        let before = every_stored_text(&f);
        assert!(before
            .iter()
            .any(|v| v.contains("zeb.quux@example.org") || v.contains(email)));
        assert!(before
            .iter()
            .any(|v| v.contains(name) && v.starts_with("outbox.")));

        block(svc.erase("zeb.quux@example.org", T0 + 30)).unwrap();
        let after = every_stored_text(&f);
        let left: Vec<&String> = after
            .iter()
            .filter(|v| {
                let lower = v.to_lowercase();
                lower.contains("zeb.quux") || lower.contains("zebulon")
            })
            .collect();
        assert!(left.is_empty(), "still stored after erasure: {left:#?}");
        let blocks = block(svc.blocks()).unwrap().blocks;
        assert_eq!(
            blocks.len(),
            2,
            "both blocks stay: erasure is no way around a block"
        );
        assert!(blocks.iter().all(|b| b.label == "an erased commenter"));
        // Still blocked: posting again under the address waits in the queue.
        f.shown.set(f.shown.get() + 1);
        let token = svc
            .form_token("/erase/", "e", T0 - f.shown.get())
            .unwrap()
            .form_token;
        let again = NewComment {
            form_token: token,
            body: "Back again".into(),
            notify_replies: false,
            ..input.clone()
        };
        let again = block(svc.post(&again, "e", T0 + 40)).unwrap();
        assert!(again.comment.pending, "the email block still holds");
    }

    #[test]
    fn exports_hold_what_the_readme_says() {
        let mut f = Fixture::new();
        f.site.mail_from = Some("Blog <comments@example.org>".into());
        let svc = f.svc();
        let a = f.post("/exported/", "ana@example.org", "Liked, pinned and edited");
        let b = f.post("/exported/", "bo@example.org", "Plain");
        block(f.store.set_like(crate::db::store::SetLike {
            id: a,
            reader_hash: "r1",
            client_hash: "c1",
            liked: true,
            now_ms: T0,
        }))
        .unwrap();
        block(svc.pin("/exported/", Some(a))).unwrap();
        block(f.store.update_body(crate::db::store::UpdateBody {
            id: a,
            body_markdown: "Liked, pinned and edited!",
            body_html: "<p>Liked, pinned and edited!</p>",
            now_ms: T0 + 5_000,
            status: None,
            held_for: None,
        }))
        .unwrap();
        block(svc.moderate(&[b], Decision::Spam, T0)).unwrap();
        let page = block(svc.site_export(0)).unwrap();
        let t = page.threads.iter().find(|t| t.key == "/exported/").unwrap();
        assert_eq!(t.pinned_id, Some(a.0));
        let ca = t.comments.iter().find(|c| c.id == a.0).unwrap();
        assert_eq!(ca.likes, 1);
        assert_eq!(ca.edited_at.as_deref(), Some(rfc3339(T0 + 5_000).as_str()));
        assert_eq!(ca.email, "ana@example.org");
        let cb = t.comments.iter().find(|c| c.id == b.0).unwrap();
        assert_eq!(cb.status, "spam", "every state, not only what readers see");
        // A person's export has their subscriptions.
        block(svc.notify_comment(a, true, "https://c.example", T0)).unwrap();
        let mine = block(svc.export("ana@example.org", T0)).unwrap();
        assert_eq!(mine.comments.len(), 1);
        assert_eq!(mine.subscriptions.len(), 1);
        assert_eq!(mine.subscriptions[0].comment_id, a);
        assert!(!mine.subscriptions[0].confirmed);
    }

    #[test]
    fn settings_badge_reply_and_audit() {
        let f = Fixture::new();
        let svc = f.svc();
        assert_eq!(
            block(svc.owner_settings()).unwrap(),
            SiteSettings::default()
        );
        let s = SiteSettings {
            moderation: Some(crate::wire::settings::ModerationMode::FirstTime),
            max_links: Some(1),
            ..Default::default()
        };
        block(svc.save_owner_settings(&s)).unwrap();
        assert_eq!(block(svc.owner_settings()).unwrap(), s);
        block(svc.new_badge("badge-token")).unwrap();
        let (_, badge) = block(f.store.load_settings("default")).unwrap();
        assert_eq!(badge, Some(f.keys.hash(Purpose::Badge, "badge-token")));

        let top = f.post("/r/", "ana@example.org", "question?");
        let (reply, thread) = block(svc.owner_reply(top, " An answer ", "", T0)).unwrap();
        assert_eq!(thread, "/r/");
        assert!(reply.comment.owner && !reply.comment.pending);
        assert_eq!(reply.comment.author, "Site owner");
        assert_eq!(reply.comment.parent_id, Some(top));
        assert_eq!(
            block(svc.owner_reply(CommentId(999), "x", "", T0))
                .unwrap_err()
                .code(),
            ErrorCode::ParentNotFound
        );

        // The owner sets a thread's title and address; nonsense is refused.
        let retitle = |title: &str, url: &str| {
            block(svc.change_thread(&ThreadChange {
                key: "/r/".into(),
                title: Some(title.into()),
                url: Some(url.into()),
                ..Default::default()
            }))
        };
        let t = retitle(
            "Can communities of practice learn online?",
            "https://blog.example.org/r/",
        )
        .unwrap();
        assert_eq!(
            t.title.as_deref(),
            Some("Can communities of practice learn online?")
        );
        assert!(t.meta_by_owner);
        assert_eq!(
            retitle("Two\nlines", "")
                .unwrap_err()
                .to_body()
                .error
                .fields[0]
                .code,
            ErrorCode::TitleInvalid
        );
        assert_eq!(
            retitle("", "javascript:alert(1)")
                .unwrap_err()
                .to_body()
                .error
                .fields[0]
                .code,
            ErrorCode::UrlInvalid
        );
        block(svc.audit("console ab", "moderate", "1,2", Some("approve".into()), T0)).unwrap();
        block(svc.audit("console ab", "erase", "a…@example.org", None, T0 + 1)).unwrap();
        let entries = block(svc.audit_list(None, None)).unwrap().entries;
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, vec!["erase", "moderate"], "newest first");
        // Pages of 200, and one kind at a time (joined thread changes count per part).
        for i in 0..220 {
            block(svc.audit("console ab", "trash", &format!("#{i}"), None, T0 + 2 + i)).unwrap();
        }
        block(svc.audit("console ab", "unlock+unpin", "/t/", None, T0 + 200)).unwrap();
        let first = block(svc.audit_list(None, None)).unwrap();
        assert_eq!(first.entries.len(), 200);
        let rest = block(svc.audit_list(first.next_before, None)).unwrap();
        assert_eq!(rest.entries.len(), 23, "221 + 2 lines: 200, then 23");
        assert_eq!(rest.next_before, None);
        assert!(rest.entries.iter().all(|e| e.id < first.entries[199].id));
        let threads = block(svc.audit_list(None, Some("threads")))
            .unwrap()
            .entries;
        assert_eq!(threads.len(), 1);
        assert_eq!(threads[0].action, "unlock+unpin");
        let sessions = block(svc.audit_list(None, Some("sessions")))
            .unwrap()
            .entries;
        assert!(sessions.is_empty());
    }
}
