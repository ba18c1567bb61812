//! Which of our languages a page's tag asks for. One rule, also run by the loader (the build
//! gives it [`Lang::table`]): lowercase the tag, then try it, then shorter and shorter
//! prefixes (`pt-br` → `pt`, `zh-hant-tw` → `zh-hant`), each against our tags and the
//! aliases below.

use crate::Lang;

/// Tags that name one of our languages by another tag: Chinese by region (Taiwan, Hong Kong
/// and Macau write Traditional; plain `zh` and the mainland Simplified), Norwegian by its
/// umbrella and its other written form, and the retired codes of Hebrew and Indonesian.
const ALIASES: [(&str, &str); 8] = [
    ("zh-tw", "zh-Hant"),
    ("zh-hk", "zh-Hant"),
    ("zh-mo", "zh-Hant"),
    ("zh", "zh-Hans"),
    ("no", "nb"),
    ("nn", "nb"),
    ("iw", "he"),
    ("in", "id"),
];

impl Lang {
    /// The language `tag` asks for, or `None` when we have none of it (then the site's
    /// default applies, else English).
    pub fn negotiate(tag: &str) -> Option<Lang> {
        let mut wanted = tag.trim().replace('_', "-");
        while !wanted.is_empty() {
            // Ours, then the aliases (the order of [`Lang::table`]), without building it:
            // this runs on every page request, twice.
            let ours = Lang::ALL
                .into_iter()
                .find(|l| l.tag().eq_ignore_ascii_case(&wanted));
            let alias = || {
                let (_, tag) = ALIASES
                    .iter()
                    .find(|(alias, _)| alias.eq_ignore_ascii_case(&wanted))?;
                Lang::ALL.into_iter().find(|l| l.tag() == *tag)
            };
            if let Some(lang) = ours.or_else(alias) {
                return Some(lang);
            }
            match wanted.rfind('-') {
                Some(cut) => wanted.truncate(cut),
                None => break,
            }
        }
        None
    }

    /// Every lowercase tag we answer to, with its language: ours, then the aliases.
    pub fn table() -> Vec<(String, Lang)> {
        let ours = Lang::ALL
            .into_iter()
            .map(|l| (l.tag().to_ascii_lowercase(), l));
        let aliases = ALIASES.into_iter().filter_map(|(alias, tag)| {
            let lang = Lang::ALL.into_iter().find(|l| l.tag() == tag)?;
            Some((alias.to_owned(), lang))
        });
        ours.chain(aliases).collect()
    }
}
