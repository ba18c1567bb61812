//! Settings that cannot be saved as typed, each shown at its own field (the console's own
//! checks and the server's), marked `aria-invalid`, the focus on the first.

use colloquy_core::wire::settings::SettingProblem;
use leptos::prelude::*;

/// The settings that cannot be saved as typed, by field name (the console's own checks
/// and the server's): each field shows its own and is marked `aria-invalid`.
#[derive(Clone, Copy)]
pub(crate) struct Problems(pub(crate) RwSignal<Vec<SettingProblem>>);

impl Problems {
    pub(crate) fn of(self, field: &'static str) -> impl Fn() -> Option<String> + Copy {
        move || {
            self.0.with(|all| {
                all.iter()
                    .find(|p| p.field == field)
                    .map(|p| p.message.clone())
            })
        }
    }
}

/// The input of each setting the server may name (webhooks: `webhooks.<i>.url`).
pub(crate) fn input_id(field: &str) -> String {
    if let Some(i) = field
        .strip_prefix("webhooks.")
        .and_then(|rest| rest.strip_suffix(".url"))
    {
        return format!("hook-{i}-url");
    }
    match field {
        "trust_after" => "set-trust",
        "max_links" => "set-links",
        "report_threshold" => "set-reports",
        "reporter_threshold" => "set-reporter",
        "muted.name" => "set-muted-name",
        "muted.body" => "set-muted-body",
        "muted.website" => "set-muted-website",
        "allowed_origins" => "set-origins",
        "max_depth" => "set-depth",
        "edit_window_secs" => "set-edit",
        "page_size" => "set-page",
        "auto_close_days" => "set-close",
        "digest_email" => "set-digest",
        "outbox_retention_days" => "set-retention",
        "trash_days" => "set-trash",
        "owner_name" => "set-owner-name",
        "language" => "set-language",
        "save" => "input-save",
        _ => "set-moderation",
    }
    .to_owned()
}

/// Focus the element with this id once it is drawn.
pub(crate) fn focus_id(id: String) {
    crate::focus::when_drawn(format!("#{id}"));
}

/// Focus the first field with a problem, after it is drawn.
pub(crate) fn focus_first(problems: &[SettingProblem]) {
    if let Some(first) = problems.first() {
        focus_id(input_id(&first.field));
    }
}
