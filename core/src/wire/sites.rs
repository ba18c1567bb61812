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
