//! The shell: login, the section tabs, the status line, logout. Which section is open
//! lives in the address (`#pending`, `#settings`, …) so a reload or a bookmark keeps it.

use colloquy_core::wire::console::{Done, Login, SessionInfo, Tab, TabCounts};
use colloquy_core::wire::endpoint::AdminOp;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::context::Ctx;

/// The console's sections, in the order of the tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Comments(Tab),
    Threads,
    People,
    Settings,
    Audit,
    Stats,
    /// The operator's: the deployment's sites.
    Sites,
}

impl Section {
    const ALL: [Section; 11] = [
        Section::Comments(Tab::Pending),
        Section::Comments(Tab::Reported),
        Section::Comments(Tab::Spam),
        Section::Comments(Tab::All),
        Section::Comments(Tab::Trash),
        Section::Threads,
        Section::People,
        Section::Settings,
        Section::Audit,
        Section::Stats,
        Section::Sites,
    ];

    fn slug(self) -> &'static str {
        match self {
            Section::Comments(tab) => tab.as_str(),
            Section::Threads => "threads",
            Section::People => "people",
            Section::Settings => "settings",
            Section::Audit => "audit",
            Section::Stats => "stats",
            Section::Sites => "sites",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Section::Comments(Tab::Pending) => "Pending",
            Section::Comments(Tab::Reported) => "Reported",
            Section::Comments(Tab::Spam) => "Spam",
            Section::Comments(Tab::All | Tab::Published) => "Everything",
            Section::Comments(Tab::Trash) => "Trash",
            Section::Threads => "Threads",
            Section::People => "People",
            Section::Settings => "Settings",
            Section::Audit => "Audit",
            Section::Stats => "Statistics",
            Section::Sites => "Sites",
        }
    }

    fn from_hash() -> Self {
        let hash = window().location().hash().unwrap_or_default();
        let slug = hash.trim_start_matches('#');
        Section::ALL
            .into_iter()
            .find(|s| s.slug() == slug)
            .unwrap_or(Section::Comments(Tab::Pending))
    }
}

#[component]
pub fn App() -> impl IntoView {
    let ctx = Ctx {
        session: RwSignal::new(None),
        status: RwSignal::new(String::new()),
        error: RwSignal::new(String::new()),
        undo: RwSignal::new(None),
        changed: RwSignal::new(0),
    };
    provide_context(ctx);
    let checked = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(info) = api::get::<SessionInfo>(AdminOp::Session, "").await {
            ctx.session.set(Some(info));
        }
        checked.set(true);
    });
    view! {
        <header class="top">
            <h1>"Colloquy console"</h1>
            {move || ctx.session.get().map(|info| view! { <SessionBar info=info/> })}
        </header>
        <div class="messages">
            <p class="status" role="status" aria-live="polite">{move || ctx.status.get()}</p>
            {move || ctx.undo.get().map(|undo| view! {
                <button type="button" class="undo" aria-keyshortcuts="u"
                    on:click=move |_| crate::bulk::undo(ctx, undo.clone())>
                    "Undo"
                </button>
            })}
            <p class="error" role="alert">{move || ctx.error.get()}</p>
        </div>
        {move || {
            if !checked.get() {
                view! { <main><p>"Loading…"</p></main> }.into_any()
            } else if ctx.session.with(Option::is_some) {
                view! { <Console/> }.into_any()
            } else {
                view! { <LoginForm/> }.into_any()
            }
        }}
    }
}

/// The open section's heading takes the focus (after logging in, after a tab is chosen):
/// the keyboard continues from there, and a screen reader says where it is.
fn focus_heading() {
    crate::focus::when_drawn("#section-heading");
}

#[component]
fn SessionBar(info: SessionInfo) -> impl IntoView {
    let ctx = Ctx::get();
    // "Log out everywhere" asks first: it ends every session, in every browser.
    let asking = RwSignal::new(false);
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = confirm_button.get() {
            let _ = b.focus();
        }
    });
    let end = move |op: AdminOp, said: &'static str| {
        spawn_local(async move {
            match api::post::<_, Done>(op, &()).await {
                Ok(_) => {
                    ctx.session.set(None);
                    ctx.done(said);
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <p class="who">
            "Site " <strong>{info.site}</strong>
            {info.operator.then_some(" (as the operator)")}
            " · session until "
            <time datetime=info.expires_at.clone()>{api::local_time(&info.expires_at)}</time>
            <button type="button" class="logout" on:click=move |_| end(AdminOp::Logout, "Logged out.")>
                "Log out"
            </button>
            <Show when=move || !asking.get()>
                <button type="button" class="logout"
                    title="End every console session, in every browser (after a key may have leaked)"
                    on:click=move |_| asking.set(true)>
                    "Log out everywhere"
                </button>
            </Show>
            <Show when=move || asking.get()>
                <span role="group" aria-labelledby="everywhere-q" class="confirm">
                    <span id="everywhere-q">"End every console session, in every browser?"</span>
                    " "
                    <button type="button" class="danger" node_ref=confirm_button
                        on:click=move |_| end(AdminOp::LogoutEverywhere, "Logged out everywhere.")>
                        "Yes, end them all"
                    </button>
                    " "
                    <button type="button" on:click=move |_| asking.set(false)>"Keep them"</button>
                </span>
            </Show>
        </p>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let ctx = Ctx::get();
    let key = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    // The site to open: `?site=` in the console's address (the link a site's owner is
    // given), else the deployment's own.
    let site = RwSignal::new(
        web_sys::Url::new(&window().location().href().unwrap_or_default())
            .ok()
            .and_then(|u| u.search_params().get("site"))
            .unwrap_or_default(),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            let login = Login {
                key: key.get_untracked(),
            };
            let query = colloquy_core::wire::endpoint::site_query(&site.get_untracked());
            match api::post_with(AdminOp::Login, &query, &login).await {
                Ok(info) => {
                    key.set(String::new());
                    ctx.done("Logged in.");
                    ctx.session.set(Some(info));
                    focus_heading();
                }
                Err(e) => {
                    ctx.fail(e);
                    if let Some(el) = input.get_untracked() {
                        let _ = el.focus();
                        el.select();
                    }
                }
            }
            busy.set(false);
        });
    };
    view! {
        <main class="login">
            <h2>"Log in"</h2>
            <form on:submit=submit>
                <label for="console-site">"Site"</label>
                <input id="console-site" autocomplete="off" bind:value=site
                    aria-describedby="console-site-hint"/>
                <p class="hint" id="console-site-hint">
                    "Empty for this deployment's own site."
                </p>
                <label for="console-key">"Console key"</label>
                <input id="console-key" type="password" autocomplete="current-password"
                    required node_ref=input bind:value=key/>
                <p class="hint">"The site's console key, or the deployment's OWNER_KEY."</p>
                <button type="submit" disabled=move || busy.get()>"Log in"</button>
            </form>
        </main>
    }
}

#[component]
fn Console() -> impl IntoView {
    let ctx = Ctx::get();
    let section = RwSignal::new(Section::from_hash());
    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        section.set(Section::from_hash());
        focus_heading();
        // A message (and its Undo) belongs to the section it was said in.
        ctx.undo.set(None);
        ctx.status.set(String::new());
        ctx.error.set(String::new());
    });
    on_cleanup(move || on_hash.remove());
    // What waits in each queue tab, shown on the tab; again after every change, and every
    // minute while the console is open — new comments waiting are announced.
    let counts = RwSignal::new(None::<TabCounts>);
    let news = RwSignal::new(String::new());
    let tick = RwSignal::new(0u32);
    // Only while the console is in sight: a tab left in the background reads nothing.
    let visible = || {
        js_sys::Reflect::get(&document(), &"visibilityState".into())
            .ok()
            .and_then(|v| v.as_string())
            .is_none_or(|v| v == "visible")
    };
    if let Ok(every) = set_interval_with_handle(
        move || {
            if visible() {
                tick.update(|t| *t += 1)
            }
        },
        std::time::Duration::from_secs(60),
    ) {
        on_cleanup(move || every.clear());
    }
    Effect::new(move |_| {
        ctx.changed.track();
        // Announced only once the clock ran: the first count is no news.
        let by_clock = tick.get() > 0;
        spawn_local(async move {
            if let Ok(c) = api::get::<TabCounts>(AdminOp::Counts, "").await {
                let before = counts.get_untracked().map(|b| b.pending);
                if let Some(before) = before.filter(|b| by_clock && c.pending > *b) {
                    let n = (c.pending - before) as usize;
                    news.set(format!(
                        "{} waiting in Pending.",
                        colloquy_core::domain::words::count_s(n, "new comment")
                    ));
                }
                counts.set(Some(c));
            }
        });
    });
    let count_of = move |s: Section| {
        let c = counts.get()?;
        match s {
            Section::Comments(Tab::Pending) => Some(c.pending),
            Section::Comments(Tab::Reported) => Some(c.reported),
            Section::Comments(Tab::Spam) => Some(c.spam),
            Section::Comments(Tab::Trash) => Some(c.trash),
            _ => None,
        }
    };
    // The window's title says where the owner is (and what waits).
    Effect::new(move |_| {
        let s = section.get();
        let pending = counts.get().map(|c| c.pending).filter(|n| *n > 0);
        let title = match pending {
            Some(n) if s == Section::Comments(Tab::Pending) => {
                format!("Pending ({n}) · Colloquy console")
            }
            Some(n) => format!("{} · {n} pending · Colloquy console", s.label()),
            None => format!("{} · Colloquy console", s.label()),
        };
        if let Some(doc) = window().document() {
            doc.set_title(&title);
        }
    });
    view! {
        <p class="news" role="status" aria-live="polite">{move || news.get()}</p>
        <nav aria-label="Console sections">
            <ul class="tabs">
                {Section::ALL
                    .into_iter()
                    // The Sites tab is the operator's.
                    .filter(|s| {
                        *s != Section::Sites
                            || ctx.session.get_untracked().is_some_and(|i| i.operator)
                    })
                    .map(|s| {
                        view! {
                            <li>
                                <a href=format!("#{}", s.slug())
                                    aria-current=move || (section.get() == s).then_some("page")>
                                    {s.label()}
                                    {move || count_of(s).map(|n| view! {
                                        " " <span class="tab-count">{format!("({n})")}</span>
                                    })}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <main>
            {move || {
                let s = section.get();
                let heading = s.label();
                let body = match s {
                    Section::Comments(tab) => {
                        view! { <crate::comments::Comments tab=tab/> }.into_any()
                    }
                    Section::Threads => view! { <crate::threads::Threads/> }.into_any(),
                    Section::People => view! { <crate::people::People/> }.into_any(),
                    Section::Settings => view! { <crate::settings::SettingsForm/> }.into_any(),
                    Section::Audit => view! { <crate::audit::Audit/> }.into_any(),
                    Section::Stats => view! { <crate::stats::StatsView/> }.into_any(),
                    Section::Sites if ctx.session.get_untracked().is_some_and(|i| i.operator) => {
                        view! { <crate::sites::Sites/> }.into_any()
                    }
                    Section::Sites => view! {
                        <p>"Only the operator of this comment server (who logs in with its OWNER_KEY) manages its sites."</p>
                    }
                    .into_any(),
                };
                view! { <h2 id="section-heading" tabindex="-1">{heading}</h2> {body} }
            }}
        </main>
    }
}
