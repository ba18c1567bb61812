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

    // Asked for rarely (a like, a folded thread), so the rules object is not kept: less
    // code in the reader's wasm than a cache would be.
    let rules = PluralRules::new(&Array::of1(&lang.tag().into()), &Object::new());
    Plural::from_name(&String::from(rules.select(n as f64)))
}
