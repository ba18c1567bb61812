//! A [`Plan`] as SQL for `wrangler d1 execute --file`: literal values (no bound
//! parameters), each statement well under D1's 100 KB, split into files of bounded size.
//! Every statement does nothing when what it would insert is there already, so running
//! the files twice — or importing into a site that has comments — keeps what is there.

use super::plan::{Batch, Plan, Prepared};
use super::Thread;

/// Bytes per file: well within what `wrangler d1 execute --file` sends in one go.
pub const FILE_BYTES: usize = 2_000_000;

/// A SQL string literal. NUL cannot be stored in a D1 text literal; it is dropped.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\0', "").replace('\'', "''"))
}

fn opt(s: Option<&str>) -> String {
    s.map_or_else(|| "NULL".to_owned(), lit)
}

/// The comment written on `site` itself that an import id names: our own export gives a
/// comment written here (no import id of its own) the id `colloquy:<site>:<id>`, so that
/// importing a site's export back into it finds each comment where it already is.
fn native_id(site: &str, import_id: &str) -> Option<i64> {
    import_id
        .strip_prefix("colloquy:")?
        .strip_prefix(site)?
        .strip_prefix(':')?
        .parse()
        .ok()
}

/// The thread (of `site`) a comment goes into.
fn thread_ref(site: &str, key: &str) -> String {
    format!(
        "(SELECT id FROM threads WHERE site_id = {} AND key = {})",
        lit(site),
        lit(key)
    )
}

/// The stored comment an import id names, looked for in one thread only: an import can
/// never attach a reply to a comment of another thread (or another site).
fn comment_ref(site: &str, thread: &str, id: &str) -> String {
    let native = native_id(site, id)
        .map(|n| format!(" OR c.id = {n}"))
        .unwrap_or_default();
    format!(
        "(SELECT c.id FROM comments c WHERE c.thread_id = {thread} \
           AND (c.import_id = {}{native}) LIMIT 1)",
        lit(id)
    )
}

fn thread_statement(site: &str, t: &Thread, created_at_ms: i64) -> String {
    // Whatever the file says: a one-line title, an http(s) address or none.
    let title = t
        .title
        .as_deref()
        .map(|title| crate::domain::notify::one_line(&crate::domain::validate::clean_name(title)));
    let url = t
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| crate::domain::validate::is_http_url(u));
    format!(
        "INSERT INTO threads (site_id, key, title, url, created_at) VALUES ({}, {}, {}, {}, {created_at_ms}) \
         ON CONFLICT (site_id, key) DO NOTHING;",
        lit(site),
        lit(&t.key),
        opt(title.as_deref()),
        opt(url)
    )
}

/// One comment, inserted unless its thread already has it (by import id, or as the site's
/// own comment). Its parent is looked up in the same thread, and its root is the parent's
/// root as stored — never taken from the file.
fn comment_statement(site: &str, c: &Prepared) -> String {
    let thread = thread_ref(site, &c.thread_key);
    let parent = c
        .parent
        .as_deref()
        .map_or_else(|| "NULL".to_owned(), |p| comment_ref(site, &thread, p));
    let root = if c.parent.is_some() {
        format!("(SELECT COALESCE(p.root_id, p.id) FROM comments p WHERE p.id = {parent})")
    } else {
        "NULL".to_owned()
    };
    format!(
        "INSERT INTO comments (thread_id, parent_id, root_id, status, author_name, author_email, author_url, \
           body_markdown, body_html, created_at, is_owner, import_id, site_id) \
         SELECT {thread}, {parent}, {root}, {status}, \
           {author}, {email}, {url}, {md}, {html}, {created}, {owner}, {import_id}, {site_lit} \
         WHERE {thread} IS NOT NULL AND {existing} IS NULL;",
        existing = comment_ref(site, &thread, &c.import_id),
        status = lit(c.status.as_str()),
        author = lit(&c.author),
        email = lit(&c.email),
        url = opt(c.website.as_deref()),
        md = lit(&c.body_markdown),
        html = lit(&c.body_html),
        created = c.created_at_ms,
        owner = i64::from(c.is_owner),
        import_id = lit(&c.import_id),
        site_lit = lit(site),
    )
}

/// The statements, in order: the site row, threads (dated by their first comment), then
/// comments parents first.
pub fn statements(plan: &Plan, site: &str) -> Vec<String> {
    let mut out = vec![format!(
        "INSERT INTO sites (id, name, created_at) VALUES ({}, {}, 0) ON CONFLICT (id) DO NOTHING;",
        lit(site),
        lit(site)
    )];
    let mut first: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for c in &plan.comments {
        let at = first
            .entry(c.thread_key.as_str())
            .or_insert(c.created_at_ms);
        *at = (*at).min(c.created_at_ms);
    }
    for t in &plan.threads {
        out.push(thread_statement(
            site,
            t,
            first.get(t.key.as_str()).copied().unwrap_or(0),
        ));
    }
    out.extend(plan.comments.iter().map(|c| comment_statement(site, c)));
    out
}

/// The statements for one [`Batch`] (the Worker's import endpoint): its threads (dated
/// by their first comment in the batch, kept as they are if they exist) and comments.
pub fn batch_statements(batch: &Batch, site: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in &batch.threads {
        let first = batch
            .comments
            .iter()
            .filter(|c| c.thread_key == t.key)
            .map(|c| c.created_at_ms)
            .min()
            .unwrap_or(0);
        out.push(thread_statement(site, t, first));
    }
    out.extend(batch.comments.iter().map(|c| comment_statement(site, c)));
    out
}

/// The statements grouped into files of at most [`FILE_BYTES`] (a statement is never
/// split).
pub fn files(statements: &[String]) -> Vec<String> {
    let mut files = Vec::new();
    let mut current = String::new();
    for s in statements {
        if !current.is_empty() && current.len() + s.len() + 1 > FILE_BYTES {
            files.push(std::mem::take(&mut current));
        }
        current.push_str(s);
        current.push('\n');
    }
    if !current.is_empty() {
        files.push(current);
    }
    files
}
