//! The statements of one thread page (top-level comments, their reply previews, counts),
//! sharing their first arguments so each selects "the page's comments" as one subquery.

use crate::db::exec::{Arg, Query};
use crate::db::rows::{approved, visible_statuses, COMMENT_COLUMNS};
use crate::db::store::PageQuery;
use crate::wire::api::Sort;

/// The statements of one thread page. They share their first arguments — `?1` site,
/// `?2` key, `?3` limit, then the cursor's `?4` key and `?5` id when paging — so each
/// statement can select "the page's top-level comments" as the same subquery.
pub(crate) struct PageSql {
    args: Vec<Arg>,
    top_where: String,
    order: &'static str,
    first_page: bool,
}

impl PageSql {
    pub(crate) fn new(req: &PageQuery<'_>, site: Arg) -> Self {
        // Row-value comparisons follow the ORDER BY exactly, so pages never overlap.
        let (key, order, cmp) = match req.sort {
            Sort::Oldest => ("created_at", "created_at, id", ">"),
            Sort::Newest => ("created_at", "created_at DESC, id DESC", "<"),
            Sort::Liked => ("likes", "likes DESC, id DESC", "<"),
        };
        let mut args = vec![site, req.key.into(), req.limit.into()];
        let after = match req.after {
            Some(pos) => {
                args.push(pos.key.into());
                args.push(pos.id.into());
                format!(" AND ({key}, id) {cmp} (?4, ?5)")
            }
            None => String::new(),
        };
        // The pinned comment is not in the ordered list: the first page shows it first.
        let top_where = format!(
            "thread_id = (SELECT id FROM threads WHERE site_id = ?1 AND key = ?2) \
             AND parent_id IS NULL AND status IN ({}){after} \
             AND id IS NOT (SELECT pinned_id FROM threads WHERE site_id = ?1 AND key = ?2)",
            visible_statuses()
        );
        PageSql {
            args,
            top_where,
            order,
            first_page: req.after.is_none(),
        }
    }

    /// The pinned top-level comment, on the first page only.
    pub(crate) fn pinned(&self) -> Query {
        let only_first = if self.first_page { "" } else { " AND 0" };
        Query::new(
            format!(
                "SELECT {COMMENT_COLUMNS} FROM comments WHERE id = \
                   (SELECT pinned_id FROM threads WHERE site_id = ?1 AND key = ?2) \
                 AND site_id = ?1 AND parent_id IS NULL AND status IN ({}){only_first}",
                visible_statuses()
            ),
            self.args[..2].to_vec(),
        )
    }

    pub(crate) fn top(&self) -> Query {
        Query::new(
            format!(
                "SELECT {COMMENT_COLUMNS} FROM comments WHERE {} ORDER BY {} LIMIT ?3",
                self.top_where, self.order
            ),
            self.args.clone(),
        )
    }

    /// The page's top-level ids (the pinned one included on the first page).
    pub(crate) fn top_ids(&self) -> String {
        let pinned = if self.first_page {
            " UNION SELECT pinned_id FROM threads WHERE site_id = ?1 AND key = ?2 \
              AND pinned_id IS NOT NULL"
        } else {
            ""
        };
        format!(
            "SELECT id FROM (SELECT id FROM comments WHERE {} ORDER BY {} LIMIT ?3){pinned}",
            self.top_where, self.order
        )
    }

    /// The first replies of each of the page's comments. (`+site_id`: the site is a
    /// check here, not the way in — by the site's index SQLite would read every comment
    /// of the site, where the replies' own index reads a handful.)
    pub(crate) fn replies(&self, per_root: u32) -> Query {
        let n = self.args.len() + 1;
        let mut args = self.args.clone();
        args.push(per_root.into());
        Query::new(
            format!(
                "SELECT {COMMENT_COLUMNS} FROM ( \
                   SELECT *, ROW_NUMBER() OVER (PARTITION BY root_id ORDER BY created_at, id) AS n \
                   FROM comments WHERE +site_id = ?1 AND root_id IN ({}) AND status IN ({}) \
                 ) WHERE n <= ?{n} ORDER BY created_at, id",
                self.top_ids(),
                visible_statuses()
            ),
            args,
        )
    }

    pub(crate) fn reply_counts(&self) -> Query {
        Query::new(
            format!(
                "SELECT root_id, COUNT(*) AS n FROM comments WHERE +site_id = ?1 AND root_id IN ({}) \
                 AND status = {} GROUP BY root_id",
                self.top_ids(),
                approved()
            ),
            self.args.clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::contract::Sqlite;
    use crate::db::exec::SqlExec;
    use crate::db::store::PageQuery;

    /// Every statement of a page finds its rows through the thread's or the replies'
    /// index — never by reading the whole site (measured by `cargo xtask scale`: a page
    /// of a site of 5,000 comments read 10,000 rows before `+site_id`).
    #[test]
    fn a_page_reads_by_thread_and_replies_never_by_site() {
        let db = Sqlite::migrated();
        let page = PageSql::new(
            &PageQuery {
                key: "/t/",
                sort: Sort::Oldest,
                after: None,
                limit: 20,
                reply_preview: 3,
            },
            Arg::from("a"),
        );
        for query in [
            page.top(),
            page.pinned(),
            page.replies(3),
            page.reply_counts(),
        ] {
            let plan = pollster::block_on(db.rows(Query::new(
                format!("EXPLAIN QUERY PLAN {}", query.sql),
                query.args.clone(),
            )))
            .unwrap();
            for step in plan {
                let detail = step["detail"].as_str().unwrap_or_default().to_owned();
                assert!(
                    !detail.contains("comments_by_status")
                        && !detail.contains("comments_by_site")
                        && !detail.starts_with("SCAN comments"),
                    "{detail}\nin {}",
                    query.sql
                );
            }
        }
    }
}
