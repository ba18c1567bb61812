//! Settings without a redeploy: the `sites` row's JSON. Empty fields fall back to the
//! deployment's defaults (wrangler.toml), shown as each field's placeholder.

use colloquy_core::wire::console::{Badge, Done, Settings, SettingsDefaults};
use colloquy_core::wire::endpoint::AdminOp;
use colloquy_core::wire::settings::{
    ModerationMode, MutedWords, Range, SettingProblem, SiteSettings, Webhook,
};
use colloquy_i18n::Lang;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ConsoleError};
use crate::context::Ctx;
use crate::problems::{focus_first, focus_id, Problems};
use crate::webhooks::{DeliveryList, WebhookSecret, Webhooks};

/// One number field: empty means "the default".
fn number_text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The form's fields, as typed.
#[derive(Clone, Copy)]
struct Fields {
    moderation: RwSignal<String>,
    trust_after: RwSignal<String>,
    origins: RwSignal<String>,
    max_depth: RwSignal<String>,
    edit_window: RwSignal<String>,
    page_size: RwSignal<String>,
    max_links: RwSignal<String>,
    muted_name: RwSignal<String>,
    muted_body: RwSignal<String>,
    muted_website: RwSignal<String>,
    report_threshold: RwSignal<String>,
    reporter_threshold: RwSignal<String>,
    auto_close_days: RwSignal<String>,
    webhooks: RwSignal<Vec<Webhook>>,
    digest_email: RwSignal<String>,
    outbox_retention: RwSignal<String>,
    trash_days: RwSignal<String>,
    owner_name: RwSignal<String>,
    language: RwSignal<String>,
}

impl Fields {
    fn new(s: &SiteSettings) -> Self {
        let text = |v: String| RwSignal::new(v);
        Fields {
            moderation: text(
                s.moderation
                    .map(|m| m.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            trust_after: text(number_text(s.trust_after)),
            origins: text(s.allowed_origins.join("\n")),
            max_depth: text(number_text(s.max_depth)),
            edit_window: text(number_text(s.edit_window_secs)),
            page_size: text(number_text(s.page_size)),
            max_links: text(number_text(s.max_links)),
            muted_name: text(s.muted.name.join("\n")),
            muted_body: text(s.muted.body.join("\n")),
            muted_website: text(s.muted.website.join("\n")),
            report_threshold: text(number_text(s.report_threshold)),
            reporter_threshold: text(number_text(s.reporter_threshold)),
            auto_close_days: text(number_text(s.auto_close_days)),
            webhooks: RwSignal::new(s.webhooks.clone()),
            digest_email: text(s.digest_email.clone().unwrap_or_default()),
            outbox_retention: text(number_text(s.outbox_retention_days)),
            trash_days: text(number_text(s.trash_days)),
            owner_name: text(s.owner_name.clone().unwrap_or_default()),
            language: text(s.language.clone().unwrap_or_default()),
        }
    }

    /// The settings these fields say, or every number that is not one in its range.
    fn settings(self) -> Result<SiteSettings, Vec<SettingProblem>> {
        let mut problems = Vec::new();
        let mut num = |field: &'static str, value: RwSignal<String>| -> Option<u64> {
            let range = Range::of(field)?;
            match range.parse(&value.get_untracked()) {
                Ok(n) => n,
                Err(p) => {
                    problems.push(p);
                    None
                }
            }
        };
        let small = |n: Option<u64>| n.map(|n| n as u32);
        let trust_after = small(num("trust_after", self.trust_after));
        let max_links = small(num("max_links", self.max_links));
        let report_threshold = small(num("report_threshold", self.report_threshold));
        let reporter_threshold = small(num("reporter_threshold", self.reporter_threshold));
        let max_depth = num("max_depth", self.max_depth).map(|n| n as usize);
        let edit_window_secs = small(num("edit_window_secs", self.edit_window));
        let page_size = small(num("page_size", self.page_size));
        let auto_close_days = small(num("auto_close_days", self.auto_close_days));
        let outbox_retention_days = small(num("outbox_retention_days", self.outbox_retention));
        let trash_days = small(num("trash_days", self.trash_days));
        if !problems.is_empty() {
            return Err(problems);
        }
        let digest = self.digest_email.get_untracked().trim().to_owned();
        Ok(SiteSettings {
            moderation: ModerationMode::parse(&self.moderation.get_untracked())
                .filter(|_| !self.moderation.get_untracked().is_empty()),
            trust_after,
            allowed_origins: lines(&self.origins.get_untracked()),
            max_depth,
            edit_window_secs,
            page_size,
            max_links,
            muted: MutedWords {
                name: lines(&self.muted_name.get_untracked()),
                body: lines(&self.muted_body.get_untracked()),
                website: lines(&self.muted_website.get_untracked()),
            },
            report_threshold,
            reporter_threshold,
            auto_close_days,
            webhooks: self
                .webhooks
                .get_untracked()
                .into_iter()
                .filter(|w| !w.url.trim().is_empty())
                .collect(),
            digest_email: (!digest.is_empty()).then_some(digest),
            outbox_retention_days,
            trash_days,
            owner_name: Some(self.owner_name.get_untracked().trim().to_owned())
                .filter(|n| !n.is_empty()),
            language: Some(self.language.get_untracked()).filter(|tag| !tag.is_empty()),
        })
    }
}

#[component]
pub fn SettingsForm() -> impl IntoView {
    let ctx = Ctx::get();
    let loaded = RwSignal::new(None::<(Fields, SettingsDefaults)>);
    spawn_local(async move {
        match api::get::<Settings>(AdminOp::Settings, "").await {
            Ok(s) => loaded.set(Some((Fields::new(&s.settings), s.defaults))),
            Err(e) => ctx.fail(e),
        }
    });
    view! {
        {move || match loaded.get() {
            None => view! { <p>"Loading…"</p> }.into_any(),
            Some((fields, defaults)) => view! { <Form fields=fields defaults=defaults/> }.into_any(),
        }}
        <DeliveryList/>
        <BadgeToken/>
        <WebhookSecret/>
    }
}

/// A labelled number input whose placeholder is the default; its range is said beside it
/// and a problem is shown under it (and marks it `aria-invalid`).
#[component]
fn NumberField(
    id: &'static str,
    field: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    default: String,
    problems: Problems,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let problem = problems.of(field);
    let range = Range::of(field).map(|r| format!("A whole number {}.", r.words()));
    let hint = [
        hint.to_owned(),
        range.unwrap_or_default(),
        format!("Empty: {default}."),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    let described = format!("{hint_id} {error_id}");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="text" inputmode="numeric" bind:value=value
                placeholder=format!("default: {default}") aria-describedby=described
                aria-invalid=move || problem().is_some().then_some("true")/>
            <small id=hint_id>{hint}</small>
            <small id=error_id class="field-error">{problem}</small>
        </div>
    }
}

#[component]
fn LinesField(
    id: &'static str,
    field: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    hint: String,
    problems: Problems,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let problem = problems.of(field);
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <textarea id=id rows="3" bind:value=value aria-describedby=format!("{hint_id} {error_id}")
                aria-invalid=move || problem().is_some().then_some("true")></textarea>
            <small id=hint_id>{hint}</small>
            <small id=error_id class="field-error">{problem}</small>
        </div>
    }
}

#[component]
fn Form(fields: Fields, defaults: SettingsDefaults) -> impl IntoView {
    let ctx = Ctx::get();
    let busy = RwSignal::new(false);
    let problems = Problems(RwSignal::new(Vec::new()));
    // Say how many need a fix, mark each, and put the focus on the first.
    let refuse = move |found: Vec<SettingProblem>| {
        ctx.status.set(String::new());
        ctx.error.set(match found.as_slice() {
            [one] => format!("Not saved: {}", one.message),
            many => format!(
                "Not saved: {} need a fix (marked below).",
                colloquy_core::domain::words::count_s(many.len(), "setting")
            ),
        });
        focus_first(&found);
        problems.0.set(found);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let settings = match fields.settings() {
            Ok(s) => s,
            Err(found) => return refuse(found),
        };
        // Empty webhook rows are not sent: the server's `webhooks.<n>` counts the sent
        // ones, so each is mapped back to its row in the form.
        let rows: Vec<usize> = fields.webhooks.with_untracked(|hooks| {
            hooks
                .iter()
                .enumerate()
                .filter(|(_, h)| !h.url.trim().is_empty())
                .map(|(i, _)| i)
                .collect()
        });
        let to_row = move |mut p: SettingProblem| {
            if let Some(n) = p
                .field
                .strip_prefix("webhooks.")
                .and_then(|r| r.strip_suffix(".url"))
                .and_then(|n| n.parse::<usize>().ok())
            {
                if let Some(row) = rows.get(n) {
                    p.field = format!("webhooks.{row}.url");
                }
            }
            p
        };
        busy.set(true);
        spawn_local(async move {
            let body = Settings {
                settings,
                defaults: defaults_placeholder(),
            };
            match api::post::<_, Done>(AdminOp::SaveSettings, &body).await {
                Ok(_) => {
                    problems.0.set(Vec::new());
                    ctx.done("Settings saved. Readers get them with their next request.");
                    // The button was disabled while saving: the focus comes back to it.
                    focus_id("input-save".into());
                }
                Err(ConsoleError::Api(body)) if !body.error.settings.is_empty() => {
                    refuse(body.error.settings.into_iter().map(to_row).collect())
                }
                Err(e) => {
                    ctx.fail(e);
                    // The focus stays with the form, on its button.
                    focus_first(&[SettingProblem {
                        field: "save".into(),
                        message: String::new(),
                    }]);
                }
            }
            busy.set(false);
        });
    };
    let d = defaults.clone();
    view! {
        <form class="settings" on:submit=save>
            <fieldset>
                <legend>"Moderation"</legend>
                <div class="field">
                    <label for="set-moderation">"Who waits for approval"</label>
                    <select id="set-moderation" bind:value=fields.moderation>
                        <option value="">{format!("Default ({})", d.moderation.as_str())}</option>
                        <option value="off">"Nobody (spam rules still hold what they catch)"</option>
                        <option value="all">"Everybody"</option>
                        <option value="first_time">"First-time commenters"</option>
                    </select>
                </div>
                <NumberField id="set-trust" field="trust_after" problems=problems label="Approved comments before an author is trusted" value=fields.trust_after
                    default=d.trust_after.to_string()
                    hint="Same email and the same browser key: an email alone does not make anyone trusted."/>
                <NumberField id="set-links" field="max_links" problems=problems label="Links allowed in a comment" value=fields.max_links default=d.max_links.to_string()
                    hint="More links hold the comment for review."/>
                <NumberField id="set-reports" field="report_threshold" problems=problems label="Reports that hide a comment until reviewed" value=fields.report_threshold default=d.report_threshold.to_string()/>
                <NumberField id="set-reporter" field="reporter_threshold" problems=problems label="Reports against an author that hold their new comments" value=fields.reporter_threshold default=d.reporter_threshold.to_string()/>
                <LinesField id="set-muted-name" field="muted.name" problems=problems label="Muted words in names" value=fields.muted_name
                    hint="One per line; * matches any letters (cas*no). Whole words only, any case.".into()/>
                <LinesField id="set-muted-body" field="muted.body" problems=problems label="Muted words in comments" value=fields.muted_body hint="One per line.".into()/>
                <LinesField id="set-muted-website" field="muted.website" problems=problems label="Muted words in websites" value=fields.muted_website hint="One per line.".into()/>
            </fieldset>
            <fieldset>
                <legend>"Threads"</legend>
                <LinesField id="set-origins" field="allowed_origins" problems=problems label="More sites allowed to show the comments" value=fields.origins
                    hint=format!("One origin per line (https://blog.example.org). Always allowed: {}.", d.allowed_origins.join(", "))/>
                <NumberField id="set-depth" field="max_depth" problems=problems label="Maximum reply depth" value=fields.max_depth default=d.max_depth.to_string()/>
                <NumberField id="set-edit" field="edit_window_secs" problems=problems label="Edit window (seconds)" value=fields.edit_window default=d.edit_window_secs.to_string()/>
                <NumberField id="set-page" field="page_size" problems=problems label="Comments per page" value=fields.page_size default=d.page_size.to_string()/>
                <NumberField id="set-close" field="auto_close_days" problems=problems label="Close threads this many days after their first comment" value=fields.auto_close_days
                    default="never (0)".to_string()/>
                <div class="field">
                    <label for="set-owner-name">"Your name on replies from this console"</label>
                    <input id="set-owner-name" type="text" autocomplete="name" bind:value=fields.owner_name
                        placeholder="Site owner" aria-describedby="set-owner-name-hint set-owner-name-error"
                        aria-invalid=move || problems.of("owner_name")().is_some().then_some("true")/>
                    <small id="set-owner-name-hint">"Shown with the owner badge. Empty: “Site owner”."</small>
                    <small id="set-owner-name-error" class="field-error">{problems.of("owner_name")}</small>
                </div>
                <div class="field">
                    <label for="set-language">"The widget's language where a page names none it speaks"</label>
                    <select id="set-language" aria-describedby="set-language-hint set-language-error"
                        aria-invalid=move || problems.of("language")().is_some().then_some("true")
                        prop:value=move || fields.language.get()
                        on:change=move |ev| fields.language.set(event_target_value(&ev))>
                        <option value="">"English (the default)"</option>
                        {Lang::ALL.into_iter().skip(1).map(|lang| view! {
                            <option value=lang.tag()>{format!("{} ({})", lang.name(), lang.tag())}</option>
                        }).collect_view()}
                    </select>
                    <small id="set-language-hint">"A page's own language (its <html lang> or data-colloquy-lang) comes first."</small>
                    <small id="set-language-error" class="field-error">{problems.of("language")}</small>
                </div>
                <NumberField id="set-trash" field="trash_days" problems=problems label="Keep comments in the Trash for (days)" value=fields.trash_days
                    default=d.trash_days.to_string() hint="Then they are deleted for good."/>
            </fieldset>
            <fieldset>
                <legend>"Notifications"</legend>
                <Webhooks list=fields.webhooks problems=problems/>
                <div class="field">
                    <label for="set-digest">"Email a daily digest of the queue to"</label>
                    <input id="set-digest" type="email" bind:value=fields.digest_email
                        aria-describedby="set-digest-hint set-digest-error"
                        aria-invalid=move || problems.of("digest_email")().is_some().then_some("true")/>
                    <small id="set-digest-hint">"Needs the mail API configured (README, Notifications)."</small>
                    <small id="set-digest-error" class="field-error">{problems.of("digest_email")}</small>
                </div>
                <NumberField id="set-retention" field="outbox_retention_days" problems=problems label="Keep sent notifications for (days)" value=fields.outbox_retention
                    default=d.outbox_retention_days.to_string()/>
            </fieldset>
            <button type="submit" id="input-save" class="primary" disabled=move || busy.get()>"Save settings"</button>
        </form>
    }
}

/// The server ignores `defaults` on save; the wire type carries them both ways.
fn defaults_placeholder() -> SettingsDefaults {
    SettingsDefaults {
        moderation: Default::default(),
        allowed_origins: Vec::new(),
        max_depth: 0,
        edit_window_secs: 0,
        page_size: 0,
        max_links: 0,
        trust_after: 0,
        report_threshold: 0,
        reporter_threshold: 0,
        outbox_retention_days: 0,
        trash_days: 0,
    }
}

/// A badge-only token for the owner's own browsers: the console key never goes to the
/// host page.
#[component]
fn BadgeToken() -> impl IntoView {
    let ctx = Ctx::get();
    let token = RwSignal::new(None::<String>);
    let issue = move |_| {
        spawn_local(async move {
            match api::post::<_, Badge>(AdminOp::Badge, &()).await {
                Ok(b) => {
                    token.set(Some(b.token));
                    ctx.done("New badge token issued; the previous one stopped working.");
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <section class="badge-token" aria-labelledby="badge-heading">
            <h3 id="badge-heading">"Owner badge on your site"</h3>
            <p>"Your own comments on the site show an owner badge in browsers that hold a badge token. The token only marks comments: it cannot open this console."</p>
            <button type="button" on:click=issue>"Issue a new badge token"</button>
            {move || token.get().map(|t| view! {
                <p>"Open any page of your site once in each of your browsers with this at the end of its address:"</p>
                <p><code class="token">{format!("#colloquy-owner={t}")}</code></p>
            })}
        </section>
    }
}
