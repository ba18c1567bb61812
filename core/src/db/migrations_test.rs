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
        // 0011 on: every comment names its site.
        m if m[..4] >= *"0011" => {
            "INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at, root_id, likes, site_id) \
             VALUES (?1, ?2, 'approved', ?3, 'a@example.org', NULL, ?4, ?5, ?6, ?7, 2, 'default')"
        }
        // 0003 on: root_id, likes, is_owner exist; the top-level comment is written too.
        _ => {
            "INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at, root_id, likes) \
             VALUES (?1, ?2, 'approved', ?3, 'a@example.org', NULL, ?4, ?5, ?6, ?7, 2)"
        }
    };
    let old = migration.starts_with("0001") || migration.starts_with("0002");
    let body = format!("written under {migration}");
    // A top-level comment and a chain of replies three deep under it: the backfill of
    // root_id (0003) has to climb the whole chain, not stop at the parent.
    let mut parent: Option<i64> = None;
    let mut top = 0;
    for depth in 0..4i64 {
        let root = parent.map(|_| top);
        let mut params: Vec<Box<dyn rusqlite::ToSql>> = vec![
            Box::new(tid),
            Box::new(parent),
            Box::new(format!("Depth {depth} of {n}")),
            Box::new(body.clone()),
            Box::new(format!("<p>{body}</p>")),
            Box::new(n * 10 + depth),
        ];
        if !old {
            params.push(Box::new(root));
        }
        conn.execute(
            insert,
            rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
        )
        .unwrap();
        let id = conn.last_insert_rowid();
        if depth == 0 {
            top = id;
        }
        parent = Some(id);
    }
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
    assert_eq!(n, 4 * all.len() as i64, "every comment is still there");
    // Replies written before root_id existed got it from the backfill in 0003.
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM comments WHERE parent_id IS NOT NULL AND root_id IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "every reply knows its top-level comment");
    // …the right one: the top of its chain, however deep it is.
    let wrong: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM comments c JOIN comments top ON top.id = c.root_id \
             WHERE c.parent_id IS NOT NULL AND (top.parent_id IS NOT NULL OR top.thread_id <> c.thread_id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        wrong, 0,
        "every reply's root is its chain's top-level comment"
    );
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
        assert_eq!(mine.len(), 4, "{name}");
        assert!(mine
            .iter()
            .all(|r| r.2 == format!("written under {name}") && r.3 == "approved"));
    }
    // Every comment belongs to its thread's site (0011), so the site's statements find it.
    let astray: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM comments c JOIN threads t ON t.id = c.thread_id \
             WHERE c.site_id IS NOT t.site_id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(astray, 0, "every comment carries its thread's site");
    // Written without a site (the demo's seed does): it takes its thread's. Written into
    // another site's thread: refused.
    conn.execute(
        "INSERT INTO comments (thread_id, status, author_name, author_email, body_markdown, body_html, created_at) \
         VALUES (1, 'approved', 'Seed', '', 's', '<p>s</p>', 1)",
        [],
    )
    .unwrap();
    let site: String = conn
        .query_row(
            "SELECT site_id FROM comments WHERE author_name = 'Seed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(site, "default");
    conn.execute(
        "INSERT INTO sites (id, name, created_at) VALUES ('other', 'Other', 0)",
        [],
    )
    .unwrap();
    let stray = conn.execute(
        "INSERT INTO comments (thread_id, status, author_name, author_email, body_markdown, body_html, created_at, site_id) \
         VALUES (1, 'approved', 'Stray', '', 's', '<p>s</p>', 1, 'other')",
        [],
    );
    assert!(stray.is_err(), "a comment into another site's thread");
    // Triggers in the one shape D1's remote migration path applies: the whole trigger on
    // one line, one statement in its body, one END (it splits on ';' and at the first END).
    for (name, sql) in &all {
        for line in sql
            .lines()
            .filter(|l| l.to_uppercase().contains("CREATE TRIGGER"))
        {
            let upper = line.to_uppercase();
            assert!(
                upper.trim_end().ends_with("END;")
                    && upper.matches("END").count() == 1
                    && line.matches(';').count() == 2,
                "{name}: a trigger D1 would cut: {line}"
            );
        }
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
