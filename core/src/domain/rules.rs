//! Spam rules that need no third party: which comments wait for the owner, and why.
//! Nothing caught here is dropped — it goes to the queue with its reason.

#[cfg(feature = "server")]
use crate::wire::moderation::HeldFor;
use crate::wire::settings::{ModerationMode, MutedWords};

/// What the store knows about a comment's author (by keyed hashes only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// Approved comments with the same email hash *and* browser key hash.
    pub trusted_comments: u32,
    /// Their email hash or client hash is on the block list.
    pub blocked: bool,
    /// Reports against their comments (same email hash).
    pub reports_against: u32,
}

/// The site's rules, as the service applies them.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub moderation: ModerationMode,
    pub trust_after: u32,
    pub max_links: u32,
    pub muted: MutedWords,
    pub reporter_threshold: u32,
}

/// The fields a rule looks at.
pub struct Written<'a> {
    pub name: &'a str,
    pub body: &'a str,
    pub website: Option<&'a str>,
}

#[cfg(feature = "server")]
impl Rules {
    /// Why this comment must wait, most serious reason first; `None`: publish it. Text
    /// rules look at what readers will see: the rendered body (entities decoded,
    /// formatting gone), folded (see [`crate::domain::muted`]); links are counted from it too.
    pub fn hold(&self, written: &Written, standing: Standing) -> Option<HeldFor> {
        if standing.blocked {
            return Some(HeldFor::Blocked);
        }
        let visible = crate::domain::render::visible(written.body);
        if self.muted_in(written, &visible).is_some() {
            return Some(HeldFor::Muted);
        }
        if visible.links > self.max_links {
            return Some(HeldFor::Links);
        }
        if self.reporter_threshold > 0 && standing.reports_against >= self.reporter_threshold {
            return Some(HeldFor::Reporter);
        }
        match self.moderation {
            ModerationMode::Off => None,
            ModerationMode::All => Some(HeldFor::Moderation),
            ModerationMode::FirstTime => {
                (standing.trusted_comments < self.trust_after.max(1)).then_some(HeldFor::FirstTime)
            }
        }
    }

    /// The first muted word in what was written (`body_text`: the body as readers see it).
    /// The muted word readers would see in what was written (the body as rendered, with
    /// where its links go), if any: which one and in which field, for the owner.
    pub fn muted_hit(&self, written: &Written) -> Option<crate::domain::muted::Found> {
        self.muted_in(written, &crate::domain::render::visible(written.body))
    }

    fn muted_in(
        &self,
        written: &Written,
        visible: &crate::domain::render::Visible,
    ) -> Option<crate::domain::muted::Found> {
        let mut read = visible.text.clone();
        for d in &visible.destinations {
            read.push(' ');
            read.push_str(&crate::domain::muted::website_text(d));
        }
        self.muted_word(written, &read)
    }

    pub fn muted_word(
        &self,
        written: &Written,
        body_text: &str,
    ) -> Option<crate::domain::muted::Found> {
        let empty = self.muted.name.is_empty()
            && self.muted.body.is_empty()
            && self.muted.website.is_empty();
        if empty {
            return None;
        }
        crate::domain::muted::Matcher::cached(&self.muted)?.find(
            written.name,
            body_text,
            written.website,
        )
    }
}

/// Links in a Markdown body as readers will see them (see [`crate::domain::render::visible`]).
#[cfg(feature = "server")]
pub fn link_count(body: &str) -> u32 {
    crate::domain::render::visible(body).links
}

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;

    fn muted(body: &[&str]) -> Rules {
        Rules {
            max_links: 3,
            muted: MutedWords {
                body: body.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn written(body: &str) -> Written<'_> {
        Written {
            name: "Ana",
            body,
            website: None,
        }
    }

    #[test]
    fn muted_words_respect_boundaries_case_and_wildcards() {
        let rules = muted(&["ass", "cas*no", "*pills", "buy now"]);
        let held = |b| rules.hold(&written(b), Standing::default());
        assert_eq!(held("A class of its own"), None, "no match inside a word");
        assert_eq!(held("What an ASS."), Some(HeldFor::Muted), "case ignored");
        assert_eq!(held("best casino ever"), Some(HeldFor::Muted));
        assert_eq!(
            held("cheap CASSINO"),
            Some(HeldFor::Muted),
            "* spans letters"
        );
        assert_eq!(held("magic-pills here"), Some(HeldFor::Muted));
        assert_eq!(
            held("Buy   now!"),
            Some(HeldFor::Muted),
            "phrases over spaces"
        );
        assert_eq!(held("buy it now"), None, "a phrase is consecutive words");
        assert_eq!(held("čas je"), None);
        let names = Rules {
            muted: MutedWords {
                name: vec!["admin".into()],
                website: vec!["*.xyz".into(), "spam".into()],
                ..Default::default()
            },
            max_links: 3,
            ..Default::default()
        };
        let w = Written {
            name: "The Admin",
            body: "hi",
            website: None,
        };
        assert_eq!(names.hold(&w, Standing::default()), Some(HeldFor::Muted));
        let w = Written {
            name: "Ana",
            body: "hi",
            website: Some("https://spam.example/"),
        };
        assert_eq!(names.hold(&w, Standing::default()), Some(HeldFor::Muted));
    }

    #[test]
    fn links_are_counted_once_each() {
        assert_eq!(link_count("see https://a.example and http://b.example"), 2);
        assert_eq!(link_count("[x](https://www.a.example) www.b.example"), 2);
        assert_eq!(link_count("no links, just www"), 0);
        let rules = muted(&[]);
        let four = "https://a.example https://b.example https://c.example https://d.example";
        assert_eq!(
            rules.hold(&written(four), Standing::default()),
            Some(HeldFor::Links)
        );
        let three = "https://a.example https://b.example https://c.example";
        assert_eq!(rules.hold(&written(three), Standing::default()), None);
        // Addresses a browser still follows, however they are spelled.
        let odd = "[1](https:evil.example/a) [2](http:evil.example/b) \
                   [3](HTTPS:/evil.example/c) [4](//evil.example/d) <https:evil.example/f>";
        assert_eq!(link_count(odd), 5);
        assert_eq!(
            link_count("&#104;ttps://a.example"),
            1,
            "an entity is the letter"
        );
        assert_eq!(link_count("[x](/a/page) [y](mailto:a@b.example)"), 0);
    }

    #[test]
    fn muted_words_see_where_links_go() {
        let rules = muted(&["spam.xyz", "*.xyz"]);
        assert_eq!(
            rules.hold(
                &written("click [here](https://spam.xyz/deal)"),
                Standing::default()
            ),
            Some(HeldFor::Muted)
        );
        assert_eq!(
            rules.hold(
                &written("click [here](https://ok.example/)"),
                Standing::default()
            ),
            None
        );
    }

    #[test]
    fn moderation_modes_and_standing() {
        let mut rules = muted(&[]);
        let plain = written("Hello");
        assert_eq!(rules.hold(&plain, Standing::default()), None);
        rules.moderation = ModerationMode::All;
        let regular = Standing {
            trusted_comments: 10,
            ..Default::default()
        };
        assert_eq!(rules.hold(&plain, regular), Some(HeldFor::Moderation));
        rules.moderation = ModerationMode::FirstTime;
        rules.trust_after = 2;
        assert_eq!(
            rules.hold(
                &plain,
                Standing {
                    trusted_comments: 1,
                    ..Default::default()
                }
            ),
            Some(HeldFor::FirstTime)
        );
        assert_eq!(rules.hold(&plain, regular), None);
        let blocked = Standing {
            blocked: true,
            ..regular
        };
        assert_eq!(rules.hold(&plain, blocked), Some(HeldFor::Blocked));
        rules.reporter_threshold = 3;
        let reported = Standing {
            reports_against: 3,
            ..regular
        };
        assert_eq!(rules.hold(&plain, reported), Some(HeldFor::Reporter));
        for h in [HeldFor::Moderation, HeldFor::Reporter, HeldFor::Links] {
            assert_eq!(HeldFor::parse(h.as_str()), Some(h));
        }
    }
}
