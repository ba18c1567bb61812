//! Which site a request is for. One deployment serves many sites; a request names its
//! site by its address (`/s/<site>/…`, what `data-colloquy-site` makes of the API's
//! address), else by the page it comes from (its `Origin`, which browsers set and pages
//! cannot forge, looked up among the sites' origins), else it is for the deployment's own
//! site (`SITE_ID`) — so a deployment of one site works as before. The console's requests
//! name their site in the session cookie.
//!
//! The directory (every site's id, origins and key hash) is read from D1 at most once per
//! `FRESH_MS` in each isolate: resolving a site costs no round trip on most requests.

use std::cell::RefCell;
use std::rc::Rc;

use colloquy_core::db::sites::{Directory, SiteRow};
use colloquy_core::wire::sites::{split_path, valid_id};
use colloquy_core::ErrorCode;
use worker::Env;

use crate::d1::{self, D1Exec};
use crate::error::WorkerError;

/// How long an isolate trusts its copy of the directory. A new site is reachable by its
/// origin on other isolates within this time (at once by its `/s/<site>/` address,
/// which reads D1 when the copy lacks it).
const FRESH_MS: i64 = 30_000;

thread_local! {
    static COPY: RefCell<Option<(i64, Rc<Vec<SiteRow>>)>> = const { RefCell::new(None) };
}

fn exec(env: &Env) -> Result<D1Exec, WorkerError> {
    Ok(d1::exec_for(env)?)
}

/// The deployment's sites (from this isolate's copy when it is fresh).
pub async fn directory(env: &Env) -> Result<Rc<Vec<SiteRow>>, WorkerError> {
    let now = i64::try_from(worker::Date::now().as_millis()).unwrap_or(i64::MAX);
    if let Some(sites) = COPY.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(at, _)| now - at < FRESH_MS)
            .map(|(_, s)| s.clone())
    }) {
        return Ok(sites);
    }
    let sites = Rc::new(Directory::new(exec(env)?).list().await?);
    COPY.with(|c| *c.borrow_mut() = Some((now, sites.clone())));
    Ok(sites)
}

/// After the operator changed a site (a new one, a new key): read D1 next time.
pub fn forget() {
    COPY.with(|c| *c.borrow_mut() = None);
}

/// One site by id: the copy, else D1 (a site created a moment ago on another isolate).
pub async fn find(env: &Env, id: &str) -> Result<Option<SiteRow>, WorkerError> {
    if let Some(row) = directory(env).await?.iter().find(|s| s.id == id) {
        return Ok(Some(row.clone()));
    }
    if !valid_id(id) {
        return Ok(None);
    }
    let row = Directory::new(exec(env)?).find(id).await?;
    if row.is_some() {
        forget();
    }
    Ok(row)
}

/// The site a request is for, and the path without its `/s/<site>` prefix.
#[derive(Clone)]
pub struct Chosen {
    /// Its row in the directory (`None` only for a `SITE_ID` the migrations did not
    /// create and the console has not saved yet).
    pub row: Option<SiteRow>,
    /// The deployment's own site.
    pub main: bool,
    /// The request named it in its address (links in what it gets carry the prefix).
    pub by_address: bool,
    pub path: String,
}

/// Pick the site: by address, else by origin (`origin` is the `Origin` header), else the
/// deployment's own (`main`, the `SITE_ID`). A site the address names that does not
/// exist is an error (`site_not_found`), never the main site.
pub async fn choose(
    env: &Env,
    path: &str,
    origin: Option<&str>,
    main: &str,
) -> Result<Chosen, WorkerError> {
    if let Some((id, rest)) = split_path(path) {
        let row = find(env, id)
            .await?
            .ok_or(WorkerError::Request(ErrorCode::SiteNotFound))?;
        return Ok(Chosen {
            main: row.id == main,
            row: Some(row),
            by_address: true,
            path: rest.to_owned(),
        });
    }
    by_id_or_origin(env, None, origin, main, path).await
}

/// The site `id` names (the console's cookie, `?site=` of its login), else the one
/// `origin` belongs to, else the main site. An `id` that does not exist is an error.
pub async fn by_id_or_origin(
    env: &Env,
    id: Option<&str>,
    origin: Option<&str>,
    main: &str,
    path: &str,
) -> Result<Chosen, WorkerError> {
    let sites = directory(env).await?;
    let row = match (id, origin) {
        (Some(id), _) => Some(
            find(env, id)
                .await?
                .ok_or(WorkerError::Request(ErrorCode::SiteNotFound))?,
        ),
        (None, Some(origin)) => sites
            .iter()
            .find(|s| s.id != main && s.serves(origin))
            .cloned(),
        (None, None) => None,
    };
    let row = row.or_else(|| sites.iter().find(|s| s.id == main).cloned());
    Ok(Chosen {
        main: row.as_ref().is_none_or(|r| r.id == main),
        row,
        by_address: false,
        path: path.to_owned(),
    })
}
