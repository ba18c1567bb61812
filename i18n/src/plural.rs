//! Which CLDR plural category a count falls in, from CLDR's own rules: natively from
//! `icu_plurals` (ICU4X, Unicode's Rust ICU with its compiled CLDR data), in wasm from the
//! JavaScript engine's `Intl.PluralRules` (the browser's and workerd's ICU data). The wasm
//! never carries every language's rules, and the end-to-end tests compare workerd's answers
//! with the crate's.

use crate::{Lang, Plural};

#[cfg(not(target_arch = "wasm32"))]
pub fn category(lang: Lang, n: usize) -> Plural {
    use icu_locale_core::Locale;
    use icu_plurals::{PluralCategory, PluralRules};

    let Ok(locale) = Locale::try_from_str(lang.tag()) else {
        return Plural::Other;
    };
    let Ok(rules) = PluralRules::try_new(locale.into(), Default::default()) else {
        return Plural::Other;
    };
    match rules.category_for(n) {
        PluralCategory::Zero => Plural::Zero,
        PluralCategory::One => Plural::One,
        PluralCategory::Two => Plural::Two,
        PluralCategory::Few => Plural::Few,
        PluralCategory::Many => Plural::Many,
        PluralCategory::Other => Plural::Other,
    }
}

#[cfg(target_arch = "wasm32")]
pub fn category(lang: Lang, n: usize) -> Plural {
    use js_sys::{Array, Intl::PluralRules, Object};
    use std::cell::RefCell;

    thread_local! {
        // One rules object for the language in use: the Worker asks once per comment of a
        // page (a like button each), and making one costs ~20× more than asking it.
        static RULES: RefCell<Option<(Lang, PluralRules)>> = const { RefCell::new(None) };
    }
    RULES.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.as_ref().is_none_or(|(l, _)| *l != lang) {
            let locales = Array::of1(&lang.tag().into());
            *cell = Some((lang, PluralRules::new(&locales, &Object::new())));
        }
        let rules = &cell.as_ref().expect("just set").1;
        Plural::from_name(&String::from(rules.select(n as f64)))
    })
}
