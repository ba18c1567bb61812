//! A deployment's sites as they cross the wire: the address that names one
//! (`/s/<site>/…`, what `data-colloquy-site` makes of the API's address) and what the
//! operator's console lists, creates and hands out.

use serde::{Deserialize, Serialize};

/// `/s/<site>/api/v1/…`: the API of one site of the deployment.
pub const PATH_PREFIX: &str = "/s/";

/// The longest site id (it goes into addresses, cookies and KV keys as it is).
pub const ID_MAX: usize = 40;

/// A site id: 1–40 lowercase letters, digits and `-`, not starting with `-`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= ID_MAX
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `/s/<site>/rest` → (`site`, `/rest`); `None` when the path names no site. The site is
/// returned as written (check it with [`valid_id`]).
pub fn split_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix(PATH_PREFIX)?;
    let slash = rest.find('/')?;
    Some((&rest[..slash], &rest[slash..]))
}

/// One site in the operator's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteEntry {
    pub id: String,
    pub name: String,
    /// Where its pages are served from (`scheme://host[:port]`).
    pub origins: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// Its owner has a console key of their own (else only the operator's opens it).
    pub has_key: bool,
    /// The deployment's own site (`SITE_ID`, origins from `ALLOWED_ORIGINS`).
    pub main: bool,
    /// The D1 database (its binding) that holds the site's rows.
    #[serde(default = "first_shard")]
    pub shard: String,
    /// Where it is moving to (writes to it wait meanwhile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moving_to: Option<String>,
}

/// The binding of the first D1 database: it holds the directory of sites, the main site,
/// and every site of a deployment with one database.
pub const FIRST_SHARD: &str = "DB";

fn first_shard() -> String {
    FIRST_SHARD.to_owned()
}

/// The ids of one database: `DB<k>` hands out `k × ID_RANGE` onwards (9,000 databases
/// fit below 2^53, the largest id a JavaScript number carries exactly).
pub const ID_RANGE: i64 = 1_000_000_000_000;

/// A shard's binding: `DB`, or `DB` and a number from 1 (`DB1`, `DB2`, …), whose rows
/// are numbered from that number × 10^12. `None` for any other name.
pub fn shard_index(binding: &str) -> Option<i64> {
    if binding == FIRST_SHARD {
        return Some(0);
    }
    let digits = binding.strip_prefix(FIRST_SHARD)?;
    if digits.is_empty() || digits.len() > 4 || digits.starts_with('0') {
        return None;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `GET /api/v1/admin/sites` (the operator only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteList {
    pub sites: Vec<SiteEntry>,
}

/// `POST /api/v1/admin/sites`: a new site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSite {
    pub id: String,
    pub name: String,
    pub origins: Vec<String>,
}

/// `POST /api/v1/admin/site-key` and `POST /api/v1/admin/switch-site`: which site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteRef {
    pub site: String,
}

/// `POST /api/v1/admin/move-site`: move a site to another D1 database, or go on with
/// its move. Each call does a bounded part of it and says how far it got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveSite {
    pub site: String,
    /// The binding of the database to move to (`DB1`, …).
    pub to: String,
}

/// How far a move has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveProgress {
    pub site: String,
    pub from: String,
    pub to: String,
    /// `held` (writes wait; copying starts once every Worker knows), `copying`,
    /// `switched` (read from the new database; writes wait a moment more), `removing`
    /// (writes go on; the old copy goes), `undoing` (the copy did not match: it goes,
    /// the site stays), `done`, `undone`.
    pub phase: String,
    /// Call again after this long (0: at once); nothing more to do when `phase` is
    /// `done` or `undone`.
    pub wait_ms: u64,
}

/// A site's new console key, shown once (only its keyed hash is stored). Giving the owner
/// a new one ends the sessions the old one opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteKey {
    pub site: String,
    pub key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_db_then_db_and_a_number() {
        assert_eq!(shard_index("DB"), Some(0));
        assert_eq!(shard_index("DB1"), Some(1));
        assert_eq!(shard_index("DB12"), Some(12));
        for bad in [
            "", "DB0", "DB01", "db1", "DB-1", "DB 1", "DB1x", "DB12345", "OTHER",
        ] {
            assert_eq!(shard_index(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn site_ids_are_short_plain_and_lowercase() {
        for good in ["default", "blog-2", "a", &"x".repeat(ID_MAX)] {
            assert!(valid_id(good), "{good}");
        }
        for bad in [
            "",
            "-a",
            "Blog",
            "a.b",
            "a/b",
            "á",
            "a b",
            &"x".repeat(ID_MAX + 1),
        ] {
            assert!(!valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn a_site_prefix_is_split_off_the_path() {
        assert_eq!(
            split_path("/s/blog/api/v1/embed"),
            Some(("blog", "/api/v1/embed"))
        );
        assert_eq!(split_path("/api/v1/embed"), None);
        assert_eq!(split_path("/s/blog"), None);
        assert_eq!(split_path("/s//api"), Some(("", "/api")));
    }
}
