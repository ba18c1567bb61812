//! The console API's query strings as types: the console, the `colloquy` command, the
//! Worker and the tests build and read them here, so a parameter's name is written once.
//! Values are form-encoded both ways (`+` for a space).

use url::form_urlencoded::Serializer;

use super::{ExportFile, SiteExportPage, Tab, EXPORT_VERSION};
use crate::wire::api::CommentId;
use crate::wire::endpoint::query_value as first;

/// `admin/comments` and `admin/comment-ids`: a tab, a search, and (for the next page)
/// the last comment shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub tab: Tab,
    /// Words or an address to look for; blank shows everything in the tab.
    pub search: String,
    pub before: Option<CommentId>,
}

impl ListQuery {
    pub fn to_query(&self) -> String {
        let mut q = Serializer::new(String::new());
        q.append_pair("tab", self.tab.as_str());
        if !self.search.trim().is_empty() {
            q.append_pair("q", self.search.trim());
        }
        if let Some(before) = self.before {
            q.append_pair("before", &before.0.to_string());
        }
        q.finish()
    }

    /// Whatever cannot be read falls back: the default tab, no search, the first page.
    pub fn parse(query: &str) -> Self {
        ListQuery {
            tab: first(query, "tab")
                .and_then(|t| Tab::parse(&t))
                .unwrap_or_default(),
            search: first(query, "q").unwrap_or_default(),
            before: first(query, "before").and_then(|b| b.parse().ok()),
        }
    }

    /// The search, if any.
    pub fn search(&self) -> Option<&str> {
        Some(self.search.as_str()).filter(|s| !s.trim().is_empty())
    }
}

/// `admin/audit`: one kind of line ([`super::audit::AuditKind`]) or all, and
/// the page before a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub kind: Option<String>,
    pub before: Option<i64>,
}

impl AuditQuery {
    pub fn to_query(&self) -> String {
        let mut q = Serializer::new(String::new());
        if let Some(kind) = self.kind.as_deref().filter(|k| !k.is_empty()) {
            q.append_pair("kind", kind);
        }
        if let Some(before) = self.before {
            q.append_pair("before", &before.to_string());
        }
        q.finish()
    }

    pub fn parse(query: &str) -> Self {
        AuditQuery {
            kind: first(query, "kind"),
            before: first(query, "before").and_then(|b| b.parse().ok()),
        }
    }
}

/// `admin/export`: everything stored under one address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonQuery {
    pub email: String,
}

impl PersonQuery {
    pub fn to_query(&self) -> String {
        Serializer::new(String::new())
            .append_pair("email", &self.email)
            .finish()
    }

    pub fn parse(query: &str) -> Self {
        PersonQuery {
            email: first(query, "email").unwrap_or_default(),
        }
    }
}

/// `admin/site-export`: the page of threads after a thread id (0: the first page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SiteExportQuery {
    pub after: i64,
}

impl SiteExportQuery {
    pub fn to_query(&self) -> String {
        format!("after={}", self.after)
    }

    pub fn parse(query: &str) -> Self {
        SiteExportQuery {
            after: first(query, "after")
                .and_then(|a| a.parse().ok())
                .unwrap_or(0),
        }
    }
}

impl ExportFile {
    /// An empty export, before its first page.
    pub fn new() -> Self {
        ExportFile {
            version: EXPORT_VERSION,
            site: String::new(),
            exported_at: String::new(),
            threads: Vec::new(),
        }
    }

    /// The one paging loop of the whole-site download, a step at a time (the console
    /// fetches with the browser, the command without): take a page, and say which page
    /// comes next, if any.
    pub fn add_page(&mut self, page: SiteExportPage) -> Option<SiteExportQuery> {
        self.site = page.site;
        self.threads.extend(page.threads);
        page.next_after.map(|after| SiteExportQuery { after })
    }

    /// Comments in all threads.
    pub fn comments(&self) -> usize {
        self.threads.iter().map(|t| t.comments.len()).sum()
    }
}

impl Default for ExportFile {
    fn default() -> Self {
        ExportFile::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_round_trip_odd_searches_and_fall_back_on_nonsense() {
        let q = ListQuery {
            tab: Tab::Reported,
            search: "ana+bo@example.org & /t/?x=1".into(),
            before: Some(CommentId(42)),
        };
        assert_eq!(ListQuery::parse(&q.to_query()), q);
        assert_eq!(ListQuery::parse("tab=nope&before=x"), ListQuery::default());
        assert_eq!(
            ListQuery::parse("tab=all&q=a%20b").search(),
            Some("a b"),
            "encodeURIComponent's %20 reads as a space too"
        );
        let a = AuditQuery {
            kind: Some("settings".into()),
            before: Some(17),
        };
        assert_eq!(AuditQuery::parse(&a.to_query()), a);
        assert_eq!(AuditQuery::default().to_query(), "");
        let p = PersonQuery {
            email: "a+b@example.org".into(),
        };
        assert_eq!(PersonQuery::parse(&p.to_query()), p);
        assert_eq!(SiteExportQuery::parse("after=9").after, 9);
        assert_eq!(SiteExportQuery::parse("after=-").after, 0);
    }

    #[test]
    fn the_export_pages_until_there_is_no_next() {
        let mut file = ExportFile::new();
        let page = |next| SiteExportPage {
            site: "default".into(),
            threads: Vec::new(),
            next_after: next,
        };
        assert_eq!(
            file.add_page(page(Some(5))),
            Some(SiteExportQuery { after: 5 })
        );
        assert_eq!(file.add_page(page(None)), None);
        assert_eq!(file.site, "default");
    }
}
