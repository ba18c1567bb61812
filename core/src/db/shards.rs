//! Moving one site from one database to another (a deployment past one D1 database keeps
//! its sites in several, its *shards*). Every row the site owns is copied with its ids,
//! the copy is checked against the original table by table, and only then is the
//! original removed. Ids stay what they were — a permalink (`#comment-N`), a link in an
//! email already sent (`?id=N`) keeps working — which needs each database to hand out ids
//! from a range of its own ([`seed_ids`]): shard `k` numbers from `k × ID_RANGE`.
//!
//! Each step is a bounded number of statements (pages of [`PAGE`] rows), so a caller can
//! run a move of any size step by step within a Worker invocation's budget.

use serde_json::Value;

use crate::db::exec::{decode_all, Arg, Query, Row, SqlExec};
use crate::db::store::StoreError;

pub use crate::wire::sites::ID_RANGE;

/// Rows read or written per statement batch.
pub const PAGE: u32 = 50;

/// A table a site owns: its name and which of its rows are the site's (`?1` the site).
struct Owned {
    table: &'static str,
    rows: &'static str,
}

/// A thread's pinned comment (`threads.pinned_id`) refers to a comment, which is copied
/// after the thread: threads are copied without their pin, and the pins set once the
/// comments are there (this pseudo-table, after `comments`); a removal takes the pins
/// off before it removes comments. (D1 enforces foreign keys.)
const PINS: &str = "threads.pinned_id";

/// Rows that other sites' requests delete when they are old enough (idempotency keys,
/// expired console sessions): copied, but not compared — a copy that takes a while would
/// otherwise never match.
const PRUNED: &[&str] = &["idempotency", "admin_sessions"];

/// The site's own columns of its `sites` row (its settings, its badge). The rest of that
/// row — origins, owner key, shard, a move under way — is the directory's, kept in the
/// first database only; a copy elsewhere may be stale and is never read or compared.
const SITE_COLUMNS: &[&str] = &["id", "name", "created_at", "settings", "badge_hash"];

/// In copy order (what a row refers to comes first); removal goes backwards.
const OWNED: &[Owned] = &[
    Owned {
        table: "sites",
        rows: "id = ?1",
    },
    Owned {
        table: "threads",
        rows: "site_id = ?1",
    },
    Owned {
        table: "comments",
        rows: "site_id = ?1",
    },
    Owned {
        table: PINS,
        rows: "site_id = ?1 AND pinned_id IS NOT NULL",
    },
    Owned {
        table: "likes",
        rows: "comment_id IN (SELECT id FROM comments WHERE site_id = ?1)",
    },
    Owned {
        table: "reports",
        rows: "comment_id IN (SELECT id FROM comments WHERE site_id = ?1)",
    },
    Owned {
        table: "site_blocks",
        rows: "site_id = ?1",
    },
    Owned {
        table: "admin_sessions",
        rows: "site_id = ?1",
    },
    Owned {
        table: "audit",
        rows: "site_id = ?1",
    },
    Owned {
        table: "outbox",
        rows: "site_id = ?1",
    },
    Owned {
        table: "subscriptions",
        rows: "site_id = ?1",
    },
    Owned {
        table: "idempotency",
        rows: "comment_id IN (SELECT id FROM comments WHERE site_id = ?1)",
    },
];

/// The tables whose ids a database hands out itself (`AUTOINCREMENT`).
const NUMBERED: &[&str] = &["threads", "comments", "audit", "outbox", "subscriptions"];

/// Make an empty database shard `index`: its tables number from `index × ID_RANGE`.
/// (SQLite's `AUTOINCREMENT` never hands out an id below the largest it has seen, so one
/// row at the start of the range, written and removed, moves the counter there.)
pub async fn seed_ids<E: SqlExec>(exec: &E, index: i64) -> Result<(), StoreError> {
    if index <= 0 {
        return Ok(());
    }
    let start = index * ID_RANGE;
    let seed = "~seed";
    let q = |sql: &str| Query::new(sql, vec![Arg::from(start), Arg::from(seed)]);
    exec.batch(vec![
        q("INSERT INTO sites (id, name, created_at) VALUES (?2, ?2, 0 * ?1)"),
        q("INSERT INTO threads (id, site_id, key, created_at) VALUES (?1, ?2, ?2, 0)"),
        q(
            "INSERT INTO comments (id, thread_id, status, author_name, author_email, \
           body_markdown, body_html, created_at, site_id) \
           VALUES (?1, ?1, 'deleted', '', '', '', '', 0, ?2)",
        ),
        q(
            "INSERT INTO audit (id, at, actor, action, target, site_id) \
           VALUES (?1, 0, ?2, ?2, ?2, ?2)",
        ),
        q(
            "INSERT INTO outbox (id, kind, target, body, headers, next_at, created_at, site_id) \
           VALUES (?1, ?2, ?2, '', '', 0, 0, ?2)",
        ),
        q(
            "INSERT INTO subscriptions (id, comment_id, email, email_hash, token_hash, \
           created_at, site_id) VALUES (?1, ?1, '', '', ?2, 0, ?2)",
        ),
        q("DELETE FROM subscriptions WHERE id = ?1 AND site_id = ?2"),
        q("DELETE FROM outbox WHERE id = ?1 AND site_id = ?2"),
        q("DELETE FROM audit WHERE id = ?1 AND site_id = ?2"),
        q("DELETE FROM comments WHERE id = ?1 AND site_id = ?2"),
        q("DELETE FROM threads WHERE id = ?1 AND site_id = ?2"),
        q("DELETE FROM sites WHERE id = ?2 AND ?1 = ?1"),
    ])
    .await?;
    Ok(())
}

/// Make database `index` ready to hold sites: seeded ([`seed_ids`]) unless its tables
/// already number in (or above) its range. Safe to run again.
pub async fn ensure_seeded<E: SqlExec>(exec: &E, index: i64) -> Result<(), StoreError> {
    let start = index * ID_RANGE;
    if next_ids(exec).await?.iter().any(|(_, n)| *n <= start) {
        seed_ids(exec, index).await?;
    }
    Ok(())
}

/// The next id each numbered table of this database would hand out is at least this.
pub async fn next_ids<E: SqlExec>(exec: &E) -> Result<Vec<(String, i64)>, StoreError> {
    let mut out = Vec::new();
    for table in NUMBERED {
        let rows = exec
            .rows(Query::new(
                "SELECT COALESCE(MAX(seq), 0) AS n FROM sqlite_sequence WHERE name = ?1",
                vec![Arg::from(*table)],
            ))
            .await?;
        let n = rows
            .first()
            .and_then(|r| r.get("n"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        out.push(((*table).to_owned(), n + 1));
    }
    Ok(out)
}

fn arg(v: &Value) -> Arg {
    match v {
        Value::Null => Arg::Null,
        Value::Number(n) => n.as_i64().map_or(Arg::Null, Arg::Int),
        Value::String(s) => Arg::Text(s.clone()),
        other => Arg::Text(other.to_string()),
    }
}

/// Where a copy or a removal stands: the table (by position) and the last rowid done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub table: usize,
    pub after: i64,
}

/// One step of copying `site` from `from` to `to`: at most [`PAGE`] rows of one table.
/// `None` when every table is copied.
pub async fn copy_step<F: SqlExec, T: SqlExec>(
    from: &F,
    to: &T,
    site: &str,
    at: Cursor,
) -> Result<Option<Cursor>, StoreError> {
    let Some(owned) = OWNED.get(at.table) else {
        return Ok(None);
    };
    if owned.table == PINS {
        return copy_pins(from, to, site, at).await;
    }
    let columns = if owned.table == "sites" {
        SITE_COLUMNS.join(", ")
    } else {
        "*".to_owned()
    };
    let rows = from
        .rows(Query::new(
            format!(
                "SELECT rowid AS \"~rowid\", {columns} FROM {} WHERE {} AND rowid > ?2 \
                 ORDER BY rowid LIMIT ?3",
                owned.table, owned.rows
            ),
            vec![Arg::from(site), Arg::from(at.after), Arg::from(PAGE)],
        ))
        .await?;
    if rows.is_empty() {
        return Ok(Some(Cursor {
            table: at.table + 1,
            after: 0,
        }));
    }
    let mut last = at.after;
    let mut inserts = Vec::with_capacity(rows.len());
    for mut row in rows {
        last = row
            .remove("~rowid")
            .and_then(|v| v.as_i64())
            .unwrap_or(last);
        inserts.push(insert(owned.table, &row));
    }
    to.batch(inserts).await?;
    Ok(Some(Cursor {
        table: at.table,
        after: last,
    }))
}

/// One page of pins: set on the copied threads, now that their comments are there.
async fn copy_pins<F: SqlExec, T: SqlExec>(
    from: &F,
    to: &T,
    site: &str,
    at: Cursor,
) -> Result<Option<Cursor>, StoreError> {
    let rows = from
        .rows(Query::new(
            "SELECT rowid AS r, id, pinned_id FROM threads \
             WHERE site_id = ?1 AND pinned_id IS NOT NULL AND rowid > ?2 ORDER BY rowid LIMIT ?3",
            vec![Arg::from(site), Arg::from(at.after), Arg::from(PAGE)],
        ))
        .await?;
    let Some(last) = rows.last().and_then(|r| r.get("r")).and_then(Value::as_i64) else {
        return Ok(Some(Cursor {
            table: at.table + 1,
            after: 0,
        }));
    };
    let updates = rows
        .iter()
        .map(|r| {
            Query::new(
                "UPDATE threads SET pinned_id = ?3 WHERE id = ?2 AND site_id = ?1",
                vec![
                    Arg::from(site),
                    arg(r.get("id").unwrap_or(&Value::Null)),
                    arg(r.get("pinned_id").unwrap_or(&Value::Null)),
                ],
            )
        })
        .collect();
    to.batch(updates).await?;
    Ok(Some(Cursor {
        table: at.table,
        after: last,
    }))
}

/// The row as it was (every column, its id too). A row already there (a step run twice)
/// is left as it is — except the site's own `sites` row, whose settings the copy brings
/// over whatever the target held (the first database keeps every site's row).
fn insert(table: &str, row: &Row) -> Query {
    let columns: Vec<&String> = row
        .keys()
        // A thread's pin comes after its comments ([`PINS`]).
        .filter(|c| !(table == "threads" && c.as_str() == "pinned_id"))
        .collect();
    let names = columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let marks = crate::db::exec::placeholders(1, columns.len());
    let sql = if table == "sites" {
        let set = columns
            .iter()
            .filter(|c| c.as_str() != "id")
            .map(|c| format!("\"{c}\" = excluded.\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        format!("INSERT INTO sites ({names}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {set}")
    } else {
        format!("INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})")
    };
    Query::new(sql, columns.iter().map(|c| arg(&row[c.as_str()])).collect())
}

/// What one database holds of a site, table by table: rows, and a sum over every
/// column of every row's text, so a row copied wrong does not pass for one copied right.
pub async fn census<E: SqlExec>(
    exec: &E,
    site: &str,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    #[derive(serde::Deserialize)]
    struct Count {
        n: i64,
        sum: Option<i64>,
    }
    let mut out = Vec::new();
    for owned in OWNED
        .iter()
        .filter(|o| o.table != PINS && !PRUNED.contains(&o.table))
    {
        // Every column's text length and numeric value, summed: cheap, and any change in
        // any value of any row changes it (unless changes cancel out exactly).
        let columns = exec
            .rows(Query::new(
                format!("SELECT name FROM pragma_table_info('{}')", owned.table),
                vec![],
            ))
            .await?;
        let parts: Vec<String> = columns
            .iter()
            .filter_map(|c| c.get("name").and_then(Value::as_str))
            .filter(|c| owned.table != "sites" || SITE_COLUMNS.contains(c))
            .map(|c| format!("COALESCE(LENGTH(\"{c}\"), 0) + COALESCE(unicode(\"{c}\"), 0)"))
            .collect();
        let rows = exec
            .rows(Query::new(
                format!(
                    "SELECT COUNT(*) AS n, SUM({}) AS sum FROM {} WHERE {}",
                    parts.join(" + "),
                    owned.table,
                    owned.rows
                ),
                vec![Arg::from(site)],
            ))
            .await?;
        let count = decode_all::<Count>(rows)?
            .into_iter()
            .next()
            .unwrap_or(Count { n: 0, sum: None });
        out.push((owned.table.to_owned(), count.n, count.sum.unwrap_or(0)));
    }
    Ok(out)
}

/// One step of removing `site` from `from` (after its copy was verified): at most
/// [`PAGE`] rows of one table, the last table first, newest rows first (a reply goes
/// before the comment it answers). `None` when nothing of the site is left. With
/// `keep_site_row` (the first database, where it is the directory's entry) the `sites`
/// row stays.
pub async fn remove_step<E: SqlExec>(
    from: &E,
    site: &str,
    at: usize,
    keep_site_row: bool,
) -> Result<Option<usize>, StoreError> {
    let tables = if keep_site_row { &OWNED[1..] } else { OWNED };
    let Some(owned) = tables.iter().rev().nth(at) else {
        return Ok(None);
    };
    if owned.table == PINS {
        // Pins off first: a pinned comment can then go.
        let changed = from
            .rows(Query::new(
                "UPDATE threads SET pinned_id = NULL WHERE rowid IN (SELECT rowid FROM threads \
                 WHERE site_id = ?1 AND pinned_id IS NOT NULL LIMIT ?2) RETURNING 1 AS n",
                vec![Arg::from(site), Arg::from(PAGE)],
            ))
            .await?;
        return Ok(Some(if changed.is_empty() { at + 1 } else { at }));
    }
    let removed = from
        .rows(Query::new(
            format!(
                "DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {rows} \
                 ORDER BY rowid DESC LIMIT ?2) RETURNING 1 AS n",
                table = owned.table,
                rows = owned.rows
            ),
            vec![Arg::from(site), Arg::from(PAGE)],
        ))
        .await?;
    Ok(Some(if removed.is_empty() { at + 1 } else { at }))
}

pub mod moving;

#[cfg(test)]
mod tests;
