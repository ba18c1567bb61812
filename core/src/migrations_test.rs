//! Migrations are forward-only and keep data: a database that holds comments written
//! under every earlier schema (each step's own columns) keeps every one of them, with
//! what matters, after all later migrations run.

fn migrations() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("migrations/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&f).unwrap(),
            )
        })
        .collect()
}

/// What a writer of that time stored, in that schema's own columns.
fn write_as_of(conn: &rusqlite::Connection, migration: &str, n: i64) {
    let thread = format!("/written-under-{n}/");
    conn.execute(
        "INSERT INTO threads (site_id, key, title, url, created_at) VALUES ('default', ?1, 'T', NULL, ?2)",
        rusqlite::params![thread, n],
    )
    .unwrap();
    let tid = conn.last_insert_rowid();
    let insert = match migration {
        m if m.starts_with("0001") || m.starts_with("0002") => {
            "INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at) \
             VALUES (?1, ?2, 'approved', ?3, 'a@example.org', NULL, ?4, ?5, ?6)"
        }
        // 0003 on: root_id, likes, is_owner exist; the parent's root is written too.
        _ => {
            "INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at, root_id, likes) \
             VALUES (?1, ?2, 'approved', ?3, 'a@example.org', NULL, ?4, ?5, ?6, ?2, 2)"
        }
    };
    let body = format!("written under {migration}");
    conn.execute(
        insert,
        rusqlite::params![
            tid,
            Option::<i64>::None,
            format!("Top {n}"),
            body,
            format!("<p>{body}</p>"),
            n * 10
        ],
    )
    .unwrap();
    let top = conn.last_insert_rowid();
    conn.execute(
        insert,
        rusqlite::params![
            tid,
            Some(top),
            format!("Reply {n}"),
            body,
            format!("<p>{body}</p>"),
            n * 10 + 1
        ],
    )
    .unwrap();
}

#[test]
fn data_written_under_every_schema_survives_all_later_migrations() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let all = migrations();
    assert!(all.len() >= 6, "{all:?}");
    for (i, (name, sql)) in all.iter().enumerate() {
        conn.execute_batch(sql)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        write_as_of(&conn, name, i as i64 + 1);
    }
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM comments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2 * all.len() as i64, "every comment is still there");
    // Replies written before root_id existed got it from the backfill in 0003.
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM comments WHERE parent_id IS NOT NULL AND root_id IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "every reply knows its top-level comment");
    // Every body and author is intact, in each thread.
    let mut stmt = conn
        .prepare("SELECT t.key, c.author_name, c.body_markdown, c.status FROM comments c JOIN threads t ON t.id = c.thread_id ORDER BY c.id")
        .unwrap();
    let rows: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (i, (name, _)) in all.iter().enumerate() {
        let n = i + 1;
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r.0 == format!("/written-under-{n}/"))
            .collect();
        assert_eq!(mine.len(), 2, "{name}");
        assert!(mine
            .iter()
            .all(|r| r.2 == format!("written under {name}") && r.3 == "approved"));
    }
    // No migration is ever edited after the fact: each one only adds (ALTER ... ADD,
    // CREATE), never drops or rewrites a table.
    for (name, sql) in &all {
        let upper = sql.to_uppercase();
        for forbidden in ["DROP TABLE", "DROP COLUMN", "RENAME"] {
            assert!(!upper.contains(forbidden), "{name} contains {forbidden}");
        }
    }
}
