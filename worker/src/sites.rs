//! Which site a request is for. One deployment serves many sites; a request names its
//! site by its address (`/s/<site>/…`, what `data-colloquy-site` makes of the API's
//! address), else by the page it comes from (its `Origin`, which browsers set and pages
//! cannot forge, looked up among the sites' origins), else it is for the deployment's own
//! site (`SITE_ID`) — so a deployment of one site works as before. The console's requests
//! name their site in the session cookie.
//!
//! The directory (every site's id, origins and key hash) is read from D1 at most once per
//! `FRESH_MS` in each isolate, and only when a request may be for another site than the
//! main one: the main site's own pages (its `ALLOWED_ORIGINS`) never wait for it, even
//! with D1 down. The console reads its site's row fresh each time: a new owner key takes
//! effect at once on every isolate.

use std::cell::RefCell;
use std::rc::Rc;

use colloquy_core::db::sites::{Directory, SiteRow};
use colloquy_core::wire::endpoint::API_PREFIX;
use colloquy_core::wire::sites::{split_path, valid_id, FIRST_SHARD};
use colloquy_core::ErrorCode;
use worker::{console_error, Env};

use crate::d1;
use crate::error::WorkerError;

/// How long an isolate trusts its copy of the directory (`DIRECTORY_FRESH_SECS`, 30 s by
/// default). A new site is reachable on other isolates within this time (at once on the
/// isolate that made it); a site's move holds its writes twice as long.
pub fn fresh_ms(env: &Env) -> i64 {
    let secs = env
        .var(colloquy_core::wire::vars::DIRECTORY_FRESH_SECS)
        .ok()
        .and_then(|v| v.to_string().trim().parse::<i64>().ok())
        .unwrap_or(30);
    secs.clamp(1, 300) * 1000
}

thread_local! {
    static COPY: RefCell<Option<(i64, Rc<Vec<SiteRow>>)>> = const { RefCell::new(None) };
}

fn now_ms() -> i64 {
    i64::try_from(worker::Date::now().as_millis()).unwrap_or(i64::MAX)
}

/// The deployment's sites (from this isolate's copy when it is fresh; an older copy when
/// D1 cannot be read — a site's pages keep showing that site's comments), and whether
/// the copy is older than `DIRECTORY_FRESH_SECS` (then it may name a database a site has
/// left: no write may trust it).
pub async fn directory(env: &Env) -> Result<(Rc<Vec<SiteRow>>, bool), WorkerError> {
    let now = now_ms();
    let copy = COPY.with(|c| c.borrow().clone());
    if let Some((at, sites)) = &copy {
        if now - at < fresh_ms(env) {
            return Ok((sites.clone(), false));
        }
    }
    let read = match d1::exec_for(env) {
        Ok(exec) => Directory::new(exec).list().await.map_err(WorkerError::from),
        Err(e) => Err(e.into()),
    };
    match (read, copy) {
        (Ok(sites), _) => {
            let sites = Rc::new(sites);
            COPY.with(|c| *c.borrow_mut() = Some((now, sites.clone())));
            Ok((sites, false))
        }
        (Err(e), Some((_, stale))) => {
            console_error!("colloquy: reading the sites failed, using an older copy: {e}");
            Ok((stale, true))
        }
        (Err(e), None) => Err(e),
    }
}

/// After the operator changed a site (a new one, a new key): read D1 next time.
pub fn forget() {
    COPY.with(|c| *c.borrow_mut() = None);
}

/// One site by id, from D1 itself (the console: a key just replaced must not open it).
pub async fn find_fresh(env: &Env, id: &str) -> Result<Option<SiteRow>, WorkerError> {
    if !valid_id(id) {
        return Ok(None);
    }
    Ok(Directory::new(d1::exec_for(env)?).find(id).await?)
}

/// The site a request is for, and the path without its `/s/<site>` prefix.
#[derive(Clone)]
pub struct Chosen {
    /// Its row in the directory (`None` for the main site when the request did not need
    /// the directory, or its row does not exist yet).
    pub row: Option<SiteRow>,
    /// The deployment's own site.
    pub main: bool,
    /// The request named it in its address (links in what it gets carry the prefix).
    pub by_address: bool,
    pub path: String,
    /// Its row came from an outdated copy of the directory (D1 could not be read).
    pub stale: bool,
}

impl Chosen {
    /// The database that holds the site's rows (the main site's is the first).
    pub fn shard(&self) -> &str {
        match &self.row {
            Some(row) if !self.main => &row.shard,
            _ => FIRST_SHARD,
        }
    }

    /// Why a write to the site must wait, if it must: it is moving to another database,
    /// or the directory could not be read and the copy at hand may name the database it
    /// left.
    pub fn writes_wait(&self) -> Option<ErrorCode> {
        if self.main {
            None
        } else if self.row.as_ref().is_some_and(|r| r.move_to.is_some()) {
            Some(ErrorCode::SiteMoving)
        } else if self.stale {
            Some(ErrorCode::Unavailable)
        } else {
            None
        }
    }

    /// The deployment's own site.
    pub fn main(path: &str, row: Option<SiteRow>) -> Chosen {
        Chosen {
            row,
            main: true,
            by_address: false,
            path: path.to_owned(),
            stale: false,
        }
    }

    /// Another site of the deployment.
    pub fn other(row: SiteRow, by_address: bool, path: &str) -> Chosen {
        Chosen {
            row: Some(row),
            main: false,
            by_address,
            path: path.to_owned(),
            stale: false,
        }
    }
}

/// Pick a public request's site: by address, else by origin (`origin`, the `Origin`
/// header), else the deployment's own (`main`, the `SITE_ID`, whose pages are
/// `main_origins`). A site the address names that does not exist — or that has no
/// origins, such as a `default` row of a deployment whose `SITE_ID` is another — is
/// `site_not_found`, never the main site. The console is never under a site's address.
pub async fn choose(
    env: &Env,
    path: &str,
    origin: Option<&str>,
    main: &str,
    main_origins: &[String],
) -> Result<Chosen, WorkerError> {
    if let Some((id, rest)) = split_path(path) {
        if rest.starts_with(&format!("{API_PREFIX}/admin/")) {
            return Err(WorkerError::Request(ErrorCode::NotFound));
        }
        if !valid_id(id) {
            return Err(WorkerError::Request(ErrorCode::SiteNotFound));
        }
        if id == main {
            let mut chosen = Chosen::main(rest, None);
            chosen.by_address = true;
            return Ok(chosen);
        }
        let (sites, stale) = directory(env).await?;
        let row = match sites.iter().find(|s| s.id == id) {
            Some(row) => Some(row.clone()),
            // Made a moment ago on another isolate?
            None => find_fresh(env, id).await?,
        };
        return match row.filter(|r| !r.origins.is_empty()) {
            Some(row) => Ok(Chosen {
                stale,
                ..Chosen::other(row, true, rest)
            }),
            None => Err(WorkerError::Request(ErrorCode::SiteNotFound)),
        };
    }
    let Some(origin) = origin.filter(|o| !main_origins.iter().any(|m| m == o)) else {
        return Ok(Chosen::main(path, None));
    };
    let (sites, stale) = directory(env).await?;
    Ok(
        match sites.iter().find(|s| s.id != main && s.serves(origin)) {
            Some(row) => Chosen {
                stale,
                ..Chosen::other(row.clone(), false, path)
            },
            None => Chosen::main(path, None),
        },
    )
}

/// The console's site: the one its cookie (or its login's `?site=`) names, read fresh;
/// the main site when it names none — or one that does not exist (the session check then
/// sends the console back to its login).
pub async fn for_console(
    env: &Env,
    id: Option<&str>,
    main: &str,
    path: &str,
) -> Result<Chosen, WorkerError> {
    if let Some(id) = id.filter(|i| *i != main) {
        if let Some(row) = find_fresh(env, id).await? {
            return Ok(Chosen::other(row, false, path));
        }
    }
    Ok(Chosen::main(path, find_fresh(env, main).await?))
}

/// The site `id` (the operator's switch, the Cron Trigger), from the directory.
pub async fn by_id(env: &Env, id: &str, main: &str) -> Result<Chosen, WorkerError> {
    if id == main {
        return Ok(Chosen::main("", find_fresh(env, main).await?));
    }
    match find_fresh(env, id).await? {
        Some(row) => Ok(Chosen::other(row, false, "")),
        None => Err(WorkerError::Request(ErrorCode::SiteNotFound)),
    }
}
