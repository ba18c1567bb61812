//! The operator's side of a deployment with many sites: the list, a new site (checked
//! before anything is stored) and a new console key for a site's owner. Works on the
//! directory alone — never on a site's comments.

use super::error::ServiceError;
use crate::db::exec::SqlExec;
use crate::db::sites::{Directory, SiteRow};
use crate::domain::dates::rfc3339;
use crate::domain::token::{Keys, Purpose};
use crate::domain::validate;
use crate::wire::sites::{valid_id, NewSite, SiteEntry, SiteList, FIRST_SHARD};

/// The most origins one site lists (a blog, its www, a preview host, …).
pub const ORIGINS_MAX: usize = 20;
/// The longest site name.
pub const NAME_MAX: usize = 100;

pub struct SiteAdmin<'a, E> {
    pub directory: &'a Directory<E>,
    pub keys: &'a Keys,
    /// The deployment's own site (`SITE_ID`).
    pub main_site: &'a str,
    /// Its origins (`ALLOWED_ORIGINS`): no other site may claim them.
    pub main_origins: &'a [String],
    /// Origins no site may claim either: the main site's owner added them in its
    /// settings (its pages there would switch to the new site), and the Worker's own
    /// (its link pages and console would).
    pub reserved: &'a [String],
}

fn entry(row: &SiteRow, main_site: &str, main_origins: &[String]) -> SiteEntry {
    let main = row.id == main_site;
    SiteEntry {
        id: row.id.clone(),
        name: row.name.clone(),
        origins: if main {
            main_origins.to_vec()
        } else {
            row.origins.clone()
        },
        created_at: rfc3339(row.created_at_ms),
        has_key: row.key_hash.is_some(),
        main,
        shard: row.shard.clone(),
        moving_to: row.move_to.clone(),
    }
}

/// An origin as browsers send it (`scheme://host[:port]`): written with an upper-case
/// host, a trailing `/`, the scheme's own port or a non-ASCII name it is still that
/// origin; anything with a path, a query, a user or another scheme is not one.
fn origin_of(s: &str) -> Option<String> {
    let u = url::Url::parse(s).ok()?;
    (matches!(u.scheme(), "http" | "https")
        && u.host_str().is_some()
        && u.username().is_empty()
        && u.password().is_none()
        && u.path() == "/"
        && u.query().is_none()
        && u.fragment().is_none())
    .then(|| u.origin().ascii_serialization())
}

impl<E: SqlExec> SiteAdmin<'_, E> {
    pub async fn list(&self) -> Result<SiteList, ServiceError> {
        let rows = self.directory.list().await?;
        let mut sites: Vec<SiteEntry> = rows
            .iter()
            .map(|r| entry(r, self.main_site, self.main_origins))
            .collect();
        if !rows.iter().any(|r| r.id == self.main_site) {
            // A SITE_ID the migrations did not create: its row appears with its first
            // settings; until then it is listed from the configuration.
            sites.insert(
                0,
                entry(
                    &SiteRow {
                        id: self.main_site.to_owned(),
                        name: self.main_site.to_owned(),
                        origins: Vec::new(),
                        key_hash: None,
                        created_at_ms: 0,
                        shard: FIRST_SHARD.to_owned(),
                        move_to: None,
                        move_state: None,
                    },
                    self.main_site,
                    self.main_origins,
                ),
            );
        }
        Ok(SiteList { sites })
    }

    /// Check and store a new site in the first database (a deployment of one database).
    pub async fn create(&self, new: &NewSite, now_ms: i64) -> Result<SiteEntry, ServiceError> {
        let checked = self.check(new).await?;
        self.store(&checked, FIRST_SHARD, now_ms).await
    }

    /// Check a new site: a plain id no site has, a visible name, and origins that are
    /// origins and belong to no other site (an origin picks its site). Nothing is stored.
    pub async fn check(&self, new: &NewSite) -> Result<NewSite, ServiceError> {
        let id = new.id.trim();
        if !valid_id(id) {
            return Err(ServiceError::SiteInvalid(
                "the id is 1 to 40 lowercase letters, digits and -".into(),
            ));
        }
        let name = validate::clean_name(&new.name);
        if !validate::has_visible(&name) || name.chars().count() > NAME_MAX {
            return Err(ServiceError::SiteInvalid(format!(
                "the name is 1 to {NAME_MAX} characters"
            )));
        }
        let mut origins: Vec<String> = Vec::new();
        for written in new
            .origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
        {
            let Some(origin) = origin_of(written) else {
                return Err(ServiceError::SiteInvalid(format!(
                    "“{written}” is not an origin (https://host, nothing after it)"
                )));
            };
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        if origins.is_empty() || origins.len() > ORIGINS_MAX {
            return Err(ServiceError::SiteInvalid(format!(
                "a site has 1 to {ORIGINS_MAX} origins"
            )));
        }
        if id == self.main_site {
            return Err(ServiceError::SiteExists);
        }
        let sites = self.directory.list().await?;
        if sites.iter().any(|s| s.id == id) {
            return Err(ServiceError::SiteExists);
        }
        for origin in &origins {
            let taken = self.main_origins.contains(origin)
                || self.reserved.contains(origin)
                || sites
                    .iter()
                    .any(|s| s.id != self.main_site && s.serves(origin));
            if taken {
                return Err(ServiceError::OriginTaken(origin.clone()));
            }
        }
        Ok(NewSite {
            id: id.to_owned(),
            name,
            origins,
        })
    }

    /// Store a site [`check`](Self::check)ed a moment ago, its rows kept in `shard`
    /// (which the caller made ready for it).
    pub async fn store(
        &self,
        checked: &NewSite,
        shard: &str,
        now_ms: i64,
    ) -> Result<SiteEntry, ServiceError> {
        let (id, name, origins) = (checked.id.as_str(), &checked.name, &checked.origins);
        if let Err(e) = self
            .directory
            .create(id, name, origins, shard, now_ms)
            .await
        {
            // Another request made the same site, or took an origin, a moment ago: say
            // which (the transaction stored nothing).
            if self.directory.find(id).await?.is_some() {
                return Err(ServiceError::SiteExists);
            }
            for origin in origins {
                if self.directory.origin_taken(origin).await? {
                    return Err(ServiceError::OriginTaken(origin.clone()));
                }
            }
            return Err(e.into());
        }
        let row = self
            .directory
            .find(id)
            .await?
            .ok_or(ServiceError::SiteNotFound)?;
        Ok(entry(&row, self.main_site, self.main_origins))
    }

    /// Store `key` (made by the caller from a good random source) as the site owner's
    /// console key; only its keyed hash is kept.
    pub async fn set_owner_key(&self, site: &str, key: &str) -> Result<(), ServiceError> {
        let hash = self.keys.hash(Purpose::ConsoleKey, key);
        if self.directory.set_key(site, &hash).await? {
            Ok(())
        } else {
            Err(ServiceError::SiteNotFound)
        }
    }
}
