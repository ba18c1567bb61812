//! A console session for the command: logged in with `OWNER_KEY` (the operator's key, or a
//! site's own console key with `--site`), as the console's page is (its own origin, JSON,
//! the session cookie).

use colloquy_core::wire::endpoint::{AdminOp, Endpoint};
use colloquy_core::wire::error::ErrorBody;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::CliError;

pub struct Session {
    base: String,
    origin: String,
    cookie: String,
}

impl Session {
    /// Log in to `site` (`None`: the deployment's own) with `OWNER_KEY`, which is the
    /// operator's key or that site's own console key.
    pub fn login(base: &str, site: Option<&str>) -> Result<Session, CliError> {
        let base = base.trim_end_matches('/').to_owned();
        let key = std::env::var("OWNER_KEY")
            .map_err(|_| CliError::Usage("set OWNER_KEY to the console key".into()))?;
        let origin = {
            let (scheme, rest) = base.split_once("://").unwrap_or(("https", &base));
            format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest))
        };
        let http = |e: ureq::Error| match e {
            ureq::Error::StatusCode(401) => CliError::Http(format!(
                "{base}: the console key in OWNER_KEY was not accepted{}",
                if site.is_some() {
                    " for that site"
                } else {
                    " (a site owner's key opens only that site: add --site <id>; moving \
                     sites takes the operator's key)"
                }
            )),
            e => CliError::Http(format!("{base}: {e}")),
        };
        let mut url = Endpoint::Admin(AdminOp::Login).url(&base);
        let query = colloquy_core::wire::endpoint::site_query(site.unwrap_or_default());
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        let mut login = ureq::post(&url)
            .header("Origin", &origin)
            .send_json(serde_json::json!({ "key": key }))
            .map_err(http)?;
        let cookie = login
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
            .ok_or_else(|| CliError::Http("the login gave no session".into()))?;
        let _ = login.body_mut().read_to_string();
        Ok(Session {
            base,
            origin,
            cookie,
        })
    }

    pub fn get<T: DeserializeOwned>(&self, op: AdminOp, query: &str) -> Result<T, CliError> {
        let url = format!("{}?{query}", Endpoint::Admin(op).url(&self.base));
        ureq::get(&url)
            .header("Cookie", &self.cookie)
            .call()
            .map_err(|e| CliError::Http(format!("{url}: {e}")))?
            .body_mut()
            .read_json()
            .map_err(|e| CliError::Http(format!("{url}: {e}")))
    }

    pub fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        op: AdminOp,
        body: &B,
    ) -> Result<T, CliError> {
        let url = Endpoint::Admin(op).url(&self.base);
        let mut response = ureq::post(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .header("Origin", &self.origin)
            .header("Cookie", &self.cookie)
            .send_json(body)
            .map_err(|e| CliError::Http(format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        if status >= 400 {
            // The Worker's own words (code and message), not just the status.
            let said = response
                .body_mut()
                .read_json::<ErrorBody>()
                .map(|b| format!("{} (HTTP {status})", b.error.message))
                .unwrap_or_else(|_| format!("HTTP {status}"));
            return Err(CliError::Http(format!("{url}: {said}")));
        }
        response
            .body_mut()
            .read_json()
            .map_err(|e| CliError::Http(format!("{url}: {e}")))
    }

    pub fn logout(self) {
        let _ = self.post::<_, serde_json::Value>(AdminOp::Logout, &serde_json::json!({}));
    }
}
