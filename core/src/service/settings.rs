//! The site's settings as the owner changes them in the console: the defaults from the
//! deployment, every problem at its field before anything is saved, what changed for the
//! audit, and the badge token.

use super::error::ServiceError;
use super::{HumanCheck, Service};
use crate::db::console::ConsoleStore;
use crate::db::settings::SettingsStore;
use crate::db::store::CommentStore;
use crate::domain::site::SiteConfig;
use crate::domain::token::Purpose;
use crate::domain::validate;
use crate::wire::console::SettingsDefaults;
use crate::wire::settings::{SettingProblem, SiteSettings};

fn is_origin(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some()
            && u.path() == "/"
            && u.query().is_none()
            && !s.ends_with('/')
    })
}

/// What each setting falls back to (the deployment's configuration, before the console's
/// settings), for the console to show beside each field.
pub fn settings_defaults(site: &SiteConfig, deployment_origins: &[String]) -> SettingsDefaults {
    SettingsDefaults {
        moderation: site.rules.moderation,
        allowed_origins: deployment_origins.to_vec(),
        max_depth: site.max_depth,
        edit_window_secs: site.edit_window_secs,
        page_size: site.page_size,
        max_links: site.rules.max_links,
        trust_after: site.rules.trust_after,
        report_threshold: site.report_threshold,
        reporter_threshold: site.rules.reporter_threshold,
        outbox_retention_days: site.outbox_retention_days,
        trash_days: site.trash_days,
    }
}

/// The settings whose values differ, by name, alphabetically.
pub fn changed_settings(before: &SiteSettings, after: &SiteSettings) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    b.iter()
        .filter(|(k, v)| a.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Settings that cannot work are refused, each named with what is wrong, not saved.
pub(super) fn check_settings(s: &SiteSettings) -> Result<(), ServiceError> {
    let mut problems = s.number_problems();
    let mut problem =
        |field: String, message: String| problems.push(SettingProblem { field, message });
    if let Some(o) = s.allowed_origins.iter().find(|o| !is_origin(o)) {
        problem(
            "allowed_origins".into(),
            format!(
                "“{o}” is not an origin: write it as https://host (or https://host:port), without a path."
            ),
        );
    }
    for (i, w) in s.webhooks.iter().enumerate() {
        if !validate::is_http_url(&w.url) {
            problem(
                format!("webhooks.{i}.url"),
                format!("“{}” is not a web address: it starts with https://.", w.url),
            );
        }
    }
    if let Some(name) = s.owner_name.as_deref() {
        let clean = validate::clean_name(name);
        if clean.chars().count() > crate::wire::limits::NAME {
            problem(
                "owner_name".into(),
                format!("At most {} characters.", crate::wire::limits::NAME),
            );
        } else if !name.trim().is_empty() && !validate::has_visible(&clean) {
            problem(
                "owner_name".into(),
                "This name shows nothing readers could read.".into(),
            );
        }
    }
    if s.language
        .as_deref()
        .is_some_and(|tag| !validate::is_language_tag(tag.trim()))
    {
        problem(
            "language".into(),
            "A language tag, like es or pt-BR.".into(),
        );
    }
    if s.digest_email
        .as_deref()
        .is_some_and(|e| !validate::is_email(e.trim()))
    {
        problem(
            "digest_email".into(),
            "This is not an email address.".into(),
        );
    }
    for (field, words) in [
        ("muted.name", &s.muted.name),
        ("muted.body", &s.muted.body),
        ("muted.website", &s.muted.website),
    ] {
        let one = crate::wire::settings::MutedWords {
            name: words.clone(),
            ..Default::default()
        };
        if let Err(e) = crate::domain::muted::Matcher::new(&one) {
            problem(field.into(), format!("{e}."));
        }
    }
    if problems.is_empty() {
        // Limits over all three lists together.
        if let Err(e) = crate::domain::muted::Matcher::new(&s.muted) {
            problems.push(SettingProblem {
                field: "muted.body".into(),
                message: format!("{e}."),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Settings(problems))
    }
}

impl<S: CommentStore + ConsoleStore + SettingsStore, H: HumanCheck> Service<'_, S, H> {
    pub async fn owner_settings(&self) -> Result<SiteSettings, ServiceError> {
        let (json, _) = self.store.load_settings().await?;
        Ok(json
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default())
    }

    /// Check and store the console's settings; they apply from the next request.
    /// Save the console's settings; returns the names of those that changed (for the
    /// audit list: "settings · page_size, webhooks", not only "settings").
    pub async fn save_owner_settings_audited(
        &self,
        s: &SiteSettings,
    ) -> Result<Vec<String>, ServiceError> {
        let before = self.owner_settings().await?;
        self.save_owner_settings(s).await?;
        Ok(changed_settings(&before, s))
    }

    pub async fn save_owner_settings(&self, s: &SiteSettings) -> Result<(), ServiceError> {
        check_settings(s)?;
        let json = serde_json::to_string(s).map_err(|e| {
            ServiceError::Settings(vec![SettingProblem {
                field: String::new(),
                message: e.to_string(),
            }])
        })?;
        self.store.save_settings(&json).await?;
        Ok(())
    }

    /// The secret webhook receivers check signatures with.
    pub fn webhook_secret(&self) -> String {
        self.keys.site_webhook_secret(self.site.other_site())
    }

    /// Store the hash of a new badge token (`token` is fresh randomness from the caller);
    /// the previous token stops giving the badge.
    pub async fn new_badge(&self, token: &str) -> Result<(), ServiceError> {
        self.store
            .save_badge(&self.keys.hash(Purpose::Badge, token))
            .await?;
        Ok(())
    }
}
