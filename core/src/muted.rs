//! Muted words, matched the way readers read: on the text as shown (see
//! [`crate::render::visible`]), folded so that spellings a reader still reads as the word
//! match it — a zero-width space or a soft hyphen inside it, full-width letters, a Cyrillic
//! "а" for a Latin "a" — and in time linear in the text whatever the owner's patterns are.
//!
//! Folding: default-ignorable characters out (they render as nothing), NFKC (full-width
//! and styled letters, ligatures), lower case, UTS #39's confusable skeleton (look-alike
//! letters to one prototype), lower case again. The text then becomes a line of words
//! (` w1 w2 … `) and each pattern one regular expression over it, `*` being `[^ ]*`: all
//! of a field's patterns are one automaton (`regex` guarantees linear time), compiled once
//! per set of patterns and kept for the next request.

use regex::{RegexSet, RegexSetBuilder};
use std::cell::RefCell;
use std::rc::Rc;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::settings::MutedWords;

/// Patterns per site, all fields together.
pub const MAX_PATTERNS: usize = 500;
/// Characters per pattern.
pub const MAX_PATTERN_CHARS: usize = 100;
/// The compiled automaton's memory, per field: far above what the limits above produce.
const SIZE_LIMIT: usize = 8 * 1024 * 1024;

/// Patterns that cannot be used, and why (shown to the owner).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MutedError {
    #[error("at most {MAX_PATTERNS} muted words in all")]
    TooMany,
    #[error("muted word {0:?} is longer than {MAX_PATTERN_CHARS} characters")]
    TooLong(String),
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
    let visible = text.chars().filter(|c| !is_default_ignorable(*c));
    let nfkc: String = visible.nfkc().collect::<String>().to_lowercase();
    unicode_security::skeleton(&nfkc)
        .collect::<String>()
        .to_lowercase()
        .nfc()
        .collect()
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
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join("[^ ]*")
        })
        .collect();
    (!words.is_empty()).then(|| format!(" {} ", words.join(" ")))
}

/// One field's patterns, compiled.
#[derive(Debug)]
struct FieldMatcher {
    set: Option<RegexSet>,
    /// The owner's patterns, by the index of their regular expression in `set`.
    patterns: Vec<String>,
}

impl FieldMatcher {
    fn new(patterns: &[String]) -> Result<Self, MutedError> {
        let mut kept = Vec::new();
        let mut regexes = Vec::new();
        for p in patterns {
            if let Some(re) = pattern_regex(p) {
                kept.push(p.trim().to_owned());
                regexes.push(re);
            }
        }
        if regexes.is_empty() {
            return Ok(FieldMatcher {
                set: None,
                patterns: kept,
            });
        }
        let set = RegexSetBuilder::new(&regexes)
            .size_limit(SIZE_LIMIT)
            .dfa_size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| MutedError::TooComplex(e.to_string()))?;
        Ok(FieldMatcher {
            set: Some(set),
            patterns: kept,
        })
    }

    fn find(&self, text: &str) -> Option<&str> {
        let set = self.set.as_ref()?;
        if text.trim().is_empty() {
            return None;
        }
        let line = word_line(&fold(text));
        if !set.is_match(&line) {
            return None;
        }
        let first = set.matches(&line).into_iter().next()?;
        self.patterns.get(first).map(String::as_str)
    }
}

/// A site's muted words, compiled: one automaton per field.
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
            .or_else(|| website.and_then(|w| hit(MutedField::Website, &self.website, w)))
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
            "cas\u{202E}ino",         // a bidi override
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
