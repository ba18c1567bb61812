//! Muted words, matched the way readers read: on the text as shown (see
//! [`crate::domain::render::visible`]), folded so that spellings a reader still reads as the word
//! match it, and in time linear in the text whatever the owner's patterns are.
//!
//! Folding: default-ignorable characters out (they render as nothing: zero-width spaces,
//! soft hyphens), NFKC (full-width and styled letters, ligatures), decancer (a maintained
//! table of homoglyphs: small capitals, enclosed and squared letters, Lisu, zalgo marks,
//! right-to-left overrides read in display order), lower case, UTS #39's confusable
//! skeleton (a Cyrillic "а" is an "a", a "0" an "o"), marks that combine with nothing
//! dropped, and `l`/`I`/`1` as one letter. The text then becomes a line of words
//! (` w1 w2 … `) and each pattern one small regular expression over it, `*` being `[^ ]*`
//! (a wildcard never crosses a word). Each pattern is its own automaton: `regex` runs each
//! in time linear in the text, and small automata stay small — one automaton for hundreds
//! of wildcard patterns together can grow past what its lazy DFA keeps and fall back to a
//! slow simulation. Patterns are compiled once per set and kept for the next request.

use regex::bytes::{Regex, RegexBuilder};
use std::cell::RefCell;
use std::rc::Rc;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::wire::settings::MutedWords;

/// Patterns per site, all fields together.
pub const MAX_PATTERNS: usize = 500;
/// Characters per pattern.
pub const MAX_PATTERN_CHARS: usize = 100;
/// Characters of all patterns together: what compiling them costs (once per set of
/// patterns per Worker isolate) grows with it — 4,000 compile in about 15 ms.
pub const MAX_TOTAL_CHARS: usize = 4_000;
/// One pattern's compiled automaton: far above what a 100-character pattern needs.
const SIZE_LIMIT: usize = 1024 * 1024;

/// Patterns that cannot be used, and why (shown to the owner).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MutedError {
    #[error("at most {MAX_PATTERNS} muted words in all")]
    TooMany,
    #[error("muted word {0:?} is longer than {MAX_PATTERN_CHARS} characters")]
    TooLong(String),
    #[error("the muted words together are longer than {MAX_TOTAL_CHARS} characters ({0})")]
    TooMuch(usize),
    #[error("the muted words are too complex to check quickly ({0})")]
    TooComplex(String),
}

/// Which field a muted word was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MutedField {
    Name,
    Body,
    Website,
}

/// A muted word found: the field and the pattern as the owner wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub field: MutedField,
    pub pattern: String,
}

/// Characters that render as nothing (zero-width spaces and joiners, soft hyphens,
/// direction marks, variation selectors, tags…): Unicode's Default_Ignorable_Code_Point.
fn is_default_ignorable(c: char) -> bool {
    use icu_properties::props::{BinaryProperty, DefaultIgnorableCodePoint};
    DefaultIgnorableCodePoint::for_char(c)
}

/// `text` folded as described in the module's documentation.
pub fn fold(text: &str) -> String {
    // Direction controls stay for decancer, which reads text in display order (an override
    // shows "onisac" as "casino"); the other invisible characters go first.
    let bidi = crate::domain::validate::is_bidi_control;
    let visible: String = text
        .chars()
        .filter(|c| bidi(*c) || !is_default_ignorable(*c))
        .collect();
    let nfkc: String = visible.nfkc().collect();
    let cured = decancer::cure(&nfkc, decancer::Options::default())
        .map(|c| c.as_str().to_owned())
        .unwrap_or(nfkc);
    let lower: String = cured
        .chars()
        .filter(|c| !bidi(*c))
        .collect::<String>()
        .to_lowercase();
    unicode_security::skeleton(&lower)
        .collect::<String>()
        .to_lowercase()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c == 'l' { 'i' } else { c })
        .collect()
}

/// A website as readers' browsers read it: the address as typed, and its host and path
/// with percent-escapes decoded (`https://evil.%78yz/` is `evil.xyz`).
pub fn website_text(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(u) => {
            let path = percent_encoding::percent_decode_str(u.path()).decode_utf8_lossy();
            format!("{url} {} {path}", u.host_str().unwrap_or(""))
        }
        Err(_) => url.to_owned(),
    }
}

/// A letter, digit or mark of a word (any script).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// The words of folded text as one line: ` w1 w2 … ` (a space before, between and after).
fn word_line(folded: &str) -> String {
    let mut line = String::with_capacity(folded.len() + 2);
    line.push(' ');
    for word in folded
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
    {
        line.push_str(word);
        line.push(' ');
    }
    line
}

/// A literal as a byte pattern: `\xNN` for every byte.
fn byte_literal(literal: &str) -> String {
    literal.bytes().map(|b| format!("\\x{b:02x}")).collect()
}

/// One pattern as a regular expression over a word line; `None` when it has no word.
fn pattern_regex(pattern: &str) -> Option<String> {
    // Fold the literal pieces; `*` stays a wildcard.
    let folded: Vec<String> = pattern.split('*').map(fold).collect();
    let folded = folded.join("*");
    let words: Vec<String> = folded
        .split(|c: char| !(is_word_char(c) || c == '*'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.split('*')
                .map(byte_literal)
                .collect::<Vec<_>>()
                .join("[^ ]*")
        })
        .collect();
    // Bytes, not characters: `[^ ]` is then one byte class instead of an automaton for
    // every UTF-8 character but the space (the folded text is UTF-8, so a literal's bytes
    // match exactly that literal).
    (!words.is_empty()).then(|| format!("(?-u) {} ", words.join(" ")))
}

/// One field's patterns, compiled: an automaton each.
#[derive(Debug)]
struct FieldMatcher {
    /// The owner's pattern (as written) and its automaton.
    patterns: Vec<(String, Regex)>,
}

impl FieldMatcher {
    fn new(patterns: &[String]) -> Result<Self, MutedError> {
        let mut compiled = Vec::new();
        for p in patterns {
            if let Some(re) = pattern_regex(p) {
                let re = RegexBuilder::new(&re)
                    .size_limit(SIZE_LIMIT)
                    .dfa_size_limit(SIZE_LIMIT)
                    .build()
                    .map_err(|e| MutedError::TooComplex(e.to_string()))?;
                compiled.push((p.trim().to_owned(), re));
            }
        }
        Ok(FieldMatcher { patterns: compiled })
    }

    fn find(&self, text: &str) -> Option<&str> {
        if self.patterns.is_empty() || text.trim().is_empty() {
            return None;
        }
        let line = word_line(&fold(text));
        self.patterns
            .iter()
            .find(|(_, re)| re.is_match(line.as_bytes()))
            .map(|(p, _)| p.as_str())
    }
}

/// A site's muted words, compiled.
#[derive(Debug)]
pub struct Matcher {
    name: FieldMatcher,
    body: FieldMatcher,
    website: FieldMatcher,
}

impl Matcher {
    /// Compile; refuses more or longer patterns than the limits.
    pub fn new(muted: &MutedWords) -> Result<Self, MutedError> {
        let all = muted.name.iter().chain(&muted.body).chain(&muted.website);
        if all.clone().count() > MAX_PATTERNS {
            return Err(MutedError::TooMany);
        }
        if let Some(long) = all.clone().find(|p| p.chars().count() > MAX_PATTERN_CHARS) {
            return Err(MutedError::TooLong(long.clone()));
        }
        let total: usize = all.clone().map(|p| p.trim().chars().count()).sum();
        if total > MAX_TOTAL_CHARS {
            return Err(MutedError::TooMuch(total));
        }
        Ok(Matcher {
            name: FieldMatcher::new(&muted.name)?,
            body: FieldMatcher::new(&muted.body)?,
            website: FieldMatcher::new(&muted.website)?,
        })
    }

    /// The first muted word in the name, the visible text of the body, or the website.
    pub fn find(&self, name: &str, body_text: &str, website: Option<&str>) -> Option<Found> {
        let hit = |field, m: &FieldMatcher, text: &str| {
            m.find(text).map(|p| Found {
                field,
                pattern: p.to_owned(),
            })
        };
        hit(MutedField::Name, &self.name, name)
            .or_else(|| hit(MutedField::Body, &self.body, body_text))
            .or_else(|| {
                website.and_then(|w| hit(MutedField::Website, &self.website, &website_text(w)))
            })
    }

    /// The compiled matcher for `muted`, compiled once per set of patterns: a Worker
    /// isolate serves many requests with the same settings. `None` when the patterns
    /// cannot be compiled (the console refuses such settings).
    pub fn cached(muted: &MutedWords) -> Option<Rc<Matcher>> {
        thread_local! {
            static LAST: RefCell<Option<(MutedWords, Rc<Matcher>)>> = const { RefCell::new(None) };
        }
        LAST.with(|last| {
            if let Some((words, m)) = last.borrow().as_ref() {
                if words == muted {
                    return Some(m.clone());
                }
            }
            let m = Rc::new(Matcher::new(muted).ok()?);
            *last.borrow_mut() = Some((muted.clone(), m.clone()));
            Some(m)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(patterns: &[&str]) -> Matcher {
        Matcher::new(&MutedWords {
            body: patterns.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
        .unwrap()
    }

    fn hit(m: &Matcher, text: &str) -> Option<String> {
        m.find("", text, None).map(|f| f.pattern)
    }

    #[test]
    fn words_respect_boundaries_case_wildcards_and_phrases() {
        let m = body(&["ass", "cas*no", "*pills", "buy now", "*.xyz"]);
        assert_eq!(
            hit(&m, "A class of its own"),
            None,
            "no match inside a word"
        );
        assert_eq!(hit(&m, "What an ASS.").as_deref(), Some("ass"));
        assert_eq!(hit(&m, "best casino ever").as_deref(), Some("cas*no"));
        assert_eq!(hit(&m, "cheap CASSINO").as_deref(), Some("cas*no"));
        assert_eq!(hit(&m, "magic-pills here").as_deref(), Some("*pills"));
        assert_eq!(hit(&m, "Buy   now!").as_deref(), Some("buy now"));
        assert_eq!(hit(&m, "buy it now"), None, "a phrase is consecutive words");
        assert_eq!(
            hit(&m, "čas je"),
            None,
            "a letter with a caron is another letter"
        );
        assert_eq!(hit(&m, "see spam.xyz").as_deref(), Some("*.xyz"));
    }

    #[test]
    fn spellings_readers_still_read_as_the_word_match() {
        let m = body(&["casino"]);
        for disguised in [
            "cas\u{200B}ino",         // zero-width space
            "ca\u{00AD}sino",         // soft hyphen
            "ｃａｓｉｎｏ",           // full-width letters
            "c\u{0430}sino",          // Cyrillic а
            "CАSINO",                 // Cyrillic А, upper case
            "casin\u{043E}",          // Cyrillic о
            "\u{1D41C}\u{1D41A}sino", // mathematical bold c, a
            "cas\u{2060}i\u{FE0F}no", // word joiner, variation selector
            "cas\u{2066}ino\u{2069}", // an isolate that changes nothing shown
        ] {
            assert_eq!(
                hit(&m, disguised).as_deref(),
                Some("casino"),
                "{disguised:?}"
            );
        }
        for disguised in [
            "cas\u{0332}ino",         // a combining low line
            "c\u{0336}asino",         // a combining stroke
            "casi\u{0307}no",         // a combining dot
            "🅲🅰🆂🅸🅽🅾",                 // negative squared letters
            "🅒🅐🅢🅘🅝🅞",                 // negative circled letters
            "ᴄᴀꜱɪɴᴏ",                 // small capitals
            "ꓚꓮꓢꓲꓠꓳ",                 // Lisu
            "\u{202E}onisac\u{202C}", // reversed by a bidi override
            "casin0",                 // a zero for an o
            "🇨🇦🇸🇮🇳🇴",                 // regional indicators
        ] {
            assert_eq!(
                hit(&m, disguised).as_deref(),
                Some("casino"),
                "{disguised:?}"
            );
        }
        assert_eq!(hit(&m, "casinos"), None);
        assert_eq!(hit(&m, "cas ino"), None, "two words are two words");
    }

    #[test]
    fn patterns_are_folded_like_the_text() {
        let m = body(&["ＣＡＳＩＮＯ", "р*ls"]); // full-width; a Cyrillic р
        assert_eq!(hit(&m, "casino").as_deref(), Some("ＣＡＳＩＮＯ"));
        assert_eq!(
            hit(&m, "cheap pills").as_deref(),
            Some("р*ls"),
            "a pattern typed with a look-alike letter folds to the same skeleton"
        );
    }

    #[test]
    fn fields_are_separate_and_the_first_hit_is_named() {
        let m = Matcher::new(&MutedWords {
            name: vec!["admin".into()],
            body: vec!["spam".into()],
            website: vec!["*.xyz".into(), "spam".into()],
        })
        .unwrap();
        assert_eq!(
            m.find("The Admin", "hi", None),
            Some(Found {
                field: MutedField::Name,
                pattern: "admin".into()
            })
        );
        assert_eq!(m.find("Ana", "admin here", None), None);
        assert_eq!(
            m.find("Ana", "hi", Some("https://spam.example/"))
                .map(|f| f.field),
            Some(MutedField::Website)
        );
    }

    #[test]
    fn letters_that_look_alike_are_one_letter() {
        let m = body(&["viagra"]);
        for v in ["v1agra", "vlagra", "VIAGRA", "vi\u{0430}gra"] {
            assert_eq!(hit(&m, v).as_deref(), Some("viagra"), "{v:?}");
        }
    }

    #[test]
    fn websites_are_matched_as_browsers_read_them() {
        let m = Matcher::new(&MutedWords {
            website: vec!["*.xyz".into(), "spamsite".into()],
            ..Default::default()
        })
        .unwrap();
        for w in [
            "https://evil.%78yz/",
            "https://evil.x%79z:443/",
            "https://spam%73ite.example/",
            "https://example.org/spam%73ite",
        ] {
            assert!(m.find("Ana", "hi", Some(w)).is_some(), "{w}");
        }
        assert!(m.find("Ana", "hi", Some("https://example.org/")).is_none());
    }

    #[test]
    fn limits_on_count_and_length() {
        let many = MutedWords {
            body: vec!["x".into(); MAX_PATTERNS + 1],
            ..Default::default()
        };
        assert_eq!(Matcher::new(&many).unwrap_err(), MutedError::TooMany);
        let long = MutedWords {
            name: vec!["y".repeat(MAX_PATTERN_CHARS + 1)],
            ..Default::default()
        };
        assert!(matches!(Matcher::new(&long), Err(MutedError::TooLong(_))));
    }

    #[test]
    fn hundreds_of_long_wildcard_patterns_stay_cheap() {
        // 500 patterns of 20 letters joined by `*` against one 10,000-letter word: one
        // combined automaton fell back to a slow simulation here (15 s a comment);
        // `cargo bench -p colloquy-core --bench muted` measures this case.
        let letters: Vec<char> = "abcdefghijklmnopqrstuvwxyz".chars().collect();
        let patterns: Vec<String> = (0..500)
            .map(|i| {
                (0..20)
                    .map(|j| letters[(i * 7 + j * 13) % 26].to_string())
                    .collect::<Vec<_>>()
                    .join("*")
            })
            .collect();
        let words = MutedWords {
            body: patterns,
            ..Default::default()
        };
        assert_eq!(
            Matcher::new(&words).unwrap_err(),
            MutedError::TooMuch(500 * 39),
            "more than the owner may save…"
        );
        // …but even compiled anyway, each pattern stays its own small automaton.
        let m = FieldMatcher::new(&words.body).unwrap();
        let word: String = (0..10_000).map(|i| letters[(i * 5) % 26]).collect();
        let _ = m.find(&word);
    }

    #[test]
    fn pathological_wildcards_cost_linear_time() {
        // `*a*a*b` against long runs of `a` backtracked exponentially in the old glob.
        let m = body(&["*a*a*b", "*a*a*a*a*a*a*a*a*c"]);
        // (The old one ran for minutes on this; `cargo bench -p colloquy-core` measures.)
        let text = "a".repeat(10_000);
        assert_eq!(hit(&m, &text), None);
        assert_eq!(hit(&m, &format!("{text}b")).as_deref(), Some("*a*a*b"));
    }

    #[test]
    fn compiled_once_per_set_of_patterns() {
        let a = MutedWords {
            body: vec!["one".into()],
            ..Default::default()
        };
        let b = MutedWords {
            body: vec!["two".into()],
            ..Default::default()
        };
        let first = Matcher::cached(&a).unwrap();
        assert!(Rc::ptr_eq(&first, &Matcher::cached(&a).unwrap()));
        let other = Matcher::cached(&b).unwrap();
        assert!(!Rc::ptr_eq(&first, &other));
        assert!(other.find("", "two", None).is_some());
    }
}
