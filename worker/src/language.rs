//! Which language a response speaks: the one the page's tag asks for (the loader sends the
//! nearest the widget has, or nothing), else the site's default (a console setting), else
//! English. Emails follow the page their comment was written on; the owner's, the site's.

use colloquy_core::domain::site::SiteConfig;
use colloquy_i18n::Lang;

/// For a page (or a link) of `site` whose tag is `tag`.
pub fn of_page(site: &SiteConfig, tag: &str) -> Lang {
    Lang::negotiate(tag).unwrap_or_else(|| of_site(site))
}

/// The site's default: for what no page asked for (the owner's digest, a console approval).
pub fn of_site(site: &SiteConfig) -> Lang {
    site.language
        .as_deref()
        .and_then(Lang::negotiate)
        .unwrap_or(Lang::En)
}

/// The `lang` a request's query names (empty when none).
pub fn asked(query: &str) -> String {
    colloquy_core::wire::endpoint::query_values(query, "lang")
        .into_iter()
        .next()
        .unwrap_or_default()
}
