//! What the two halves say to each other, typed once for both: the reading half opens one
//! of the writer's forms ([`Form`], with the page it works for, [`Handover`]); the
//! writing half reports what happened as a bubbling DOM event ([`Outcome`]). The halves
//! are separate wasm modules (either can be rebuilt alone), so this crosses as strings —
//! each type writes its own and reads it back, and no field name is typed twice.

use colloquy_core::CommentId;
use wasm_bindgen::{JsCast, JsValue};

use crate::json::{self, Object};

/// A form of the writing half, and what it needs to open.
#[derive(Debug, Clone, PartialEq)]
pub enum Form {
    /// "Leave a comment", in place of the collapsed box.
    Compose,
    /// A reply under a comment.
    Reply(ReplyTo),
    /// The edit box of the reader's own comment.
    Edit(CommentId),
    /// The delete confirmation of the reader's own comment.
    Delete(CommentId),
}

/// The comment a reply answers, and where the reply will be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyTo {
    pub id: CommentId,
    /// Its author, for "Reply to …".
    pub name: String,
    /// The depth the reply is shown at; `flat` when beside its parent (nesting capped).
    pub depth: usize,
    pub flat: bool,
}

// The kinds and option fields of a form.
const COMPOSE: &str = "compose";
const REPLY: &str = "reply";
const EDIT: &str = "edit";
const DELETE: &str = "delete";
const PARENT_ID: &str = "parent_id";
const PARENT_NAME: &str = "parent_name";
const DEPTH: &str = "depth";
const FLAT: &str = "flat";
const ID: &str = "id";

impl Form {
    /// Which form (the writer's `open` takes it as its first argument).
    pub fn kind(&self) -> &'static str {
        match self {
            Form::Compose => COMPOSE,
            Form::Reply(_) => REPLY,
            Form::Edit(_) => EDIT,
            Form::Delete(_) => DELETE,
        }
    }

    /// What it needs besides its kind, as JSON.
    pub fn options(&self) -> String {
        match self {
            Form::Compose => Object::new(),
            Form::Reply(to) => Object::new()
                .number(PARENT_ID, to.id.0)
                .text(PARENT_NAME, &to.name)
                .number(DEPTH, to.depth as i64)
                .flag(FLAT, to.flat),
            Form::Edit(id) | Form::Delete(id) => Object::new().number(ID, id.0),
        }
        .end()
    }

    /// The form [`Form::kind`] and [`Form::options`] describe.
    pub fn read(kind: &str, options: &str) -> Option<Form> {
        let options = json::parse(options);
        let id = || json::number(&options, ID).map(CommentId);
        Some(match kind {
            COMPOSE => Form::Compose,
            REPLY => Form::Reply(ReplyTo {
                id: CommentId(json::number(&options, PARENT_ID)?),
                name: json::text(&options, PARENT_NAME).unwrap_or_default(),
                depth: json::number(&options, DEPTH).unwrap_or(0) as usize,
                flat: json::is_true(&options, FLAT),
            }),
            EDIT => Form::Edit(id()?),
            DELETE => Form::Delete(id()?),
            _ => return None,
        })
    }
}

/// The page the writing half works for, handed over when it opens its first form. The
/// reading half writes it from what it holds (`&str`s), the writing half reads it into
/// its own `String`s.
#[derive(Debug, Clone, PartialEq)]
pub struct Handover<S = String> {
    /// Where the comment server is, ending in `/`.
    pub api_base: S,
    pub page_url: S,
    /// The page's own title (sent with the first comment of a thread).
    pub page_title: S,
    /// The state JSON the server embedded in the thread, as it is.
    pub state: S,
}

const API_BASE: &str = "api_base";
const PAGE_URL: &str = "page_url";
const PAGE_TITLE: &str = "page_title";
const STATE: &str = "state";

impl<S: AsRef<str>> Handover<S> {
    pub fn to_json(&self) -> String {
        Object::new()
            .text(API_BASE, self.api_base.as_ref())
            .text(PAGE_URL, self.page_url.as_ref())
            .text(PAGE_TITLE, self.page_title.as_ref())
            .raw(STATE, self.state.as_ref())
            .end()
    }
}

impl Handover {
    pub fn read(json: &str) -> Option<Handover> {
        let v = json::parse(json);
        let state = js_sys::JSON::stringify(&json::field(&v, STATE)).ok()?;
        Some(Handover {
            api_base: json::text(&v, API_BASE).unwrap_or_default(),
            page_url: json::text(&v, PAGE_URL).unwrap_or_default(),
            page_title: json::text(&v, PAGE_TITLE).unwrap_or_default(),
            state: state.as_string()?,
        })
    }
}

/// What the writing half reports, dispatched on the form's host (bubbling, and out of the
/// shadow root): the event's name says what happened, its detail (a JSON string) the rest.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A comment was posted (published, or waiting for moderation).
    Posted(Posted),
    /// The reader's own comment was edited.
    Edited(Edited),
    /// The reader's own comment was deleted.
    Deleted(CommentId),
    /// A form was closed (its Cancel, Keep, or nothing to edit any more).
    Closed,
}

/// A comment just posted.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    pub id: CommentId,
    pub parent_id: Option<CommentId>,
    /// Waiting for moderation: only this reader sees it, through `pending_token`.
    pub pending: bool,
    pub pending_token: Option<String>,
    /// The comment as the server rendered it, at the place it was asked for (`None`: the
    /// server rendered none, and the reading half shows nothing new).
    pub html: Option<String>,
}

/// A comment just edited.
#[derive(Debug, Clone, PartialEq)]
pub struct Edited {
    pub id: CommentId,
    /// The new text, rendered and sanitized by the server.
    pub body_html: String,
    pub pending: bool,
}

// The event names and detail fields.
const POSTED: &str = "colloquy:posted";
const EDITED: &str = "colloquy:edited";
const DELETED: &str = "colloquy:deleted";
const CLOSED: &str = "colloquy:closed";
const HTML: &str = "html";
const PENDING: &str = "pending";
const PENDING_TOKEN: &str = "pending_token";
const BODY_HTML: &str = "body_html";

impl Outcome {
    /// Every event the writing half dispatches (the reading half listens to each).
    pub const NAMES: [&'static str; 4] = [POSTED, EDITED, DELETED, CLOSED];

    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Posted(_) => POSTED,
            Outcome::Edited(_) => EDITED,
            Outcome::Deleted(_) => DELETED,
            Outcome::Closed => CLOSED,
        }
    }

    /// The event's detail. Fields in the order they have always had (alphabetical, as
    /// serde_json's maps wrote them), so the events stay what pages already saw.
    pub fn detail(&self) -> String {
        match self {
            Outcome::Posted(p) => Object::new()
                .text_or_null(HTML, p.html.as_deref())
                .number(ID, p.id.0)
                .number_or_null(PARENT_ID, p.parent_id.map(|p| p.0))
                .flag(PENDING, p.pending)
                .text_or_null(PENDING_TOKEN, p.pending_token.as_deref()),
            Outcome::Edited(e) => Object::new()
                .text(BODY_HTML, &e.body_html)
                .number(ID, e.id.0)
                .flag(PENDING, e.pending),
            Outcome::Deleted(id) => Object::new().number(ID, id.0),
            Outcome::Closed => Object::new(),
        }
        .end()
    }

    /// Dispatch it on `host` (the form's host element), for the reading half.
    pub fn dispatch(&self, host: &web_sys::EventTarget) {
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&JsValue::from_str(&self.detail()));
        if let Ok(e) = web_sys::CustomEvent::new_with_event_init_dict(self.name(), &init) {
            let _ = host.dispatch_event(&e);
        }
    }

    /// The outcome an event of [`Outcome::NAMES`] reports (`None` for any other event, or
    /// one without what its kind needs).
    pub fn read(event: &web_sys::Event) -> Option<Outcome> {
        let event = event.dyn_ref::<web_sys::CustomEvent>()?;
        let detail = event
            .detail()
            .as_string()
            .map(|d| json::parse(&d))
            .unwrap_or(JsValue::NULL);
        let id = || json::number(&detail, ID).map(CommentId);
        Some(match event.type_().as_str() {
            POSTED => Outcome::Posted(Posted {
                id: id()?,
                parent_id: json::number(&detail, PARENT_ID).map(CommentId),
                pending: json::is_true(&detail, PENDING),
                pending_token: json::text(&detail, PENDING_TOKEN),
                html: json::text(&detail, HTML),
            }),
            EDITED => Outcome::Edited(Edited {
                id: id()?,
                body_html: json::text(&detail, BODY_HTML).unwrap_or_default(),
                pending: json::is_true(&detail, PENDING),
            }),
            DELETED => Outcome::Deleted(id()?),
            CLOSED => Outcome::Closed,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The details as the writer wrote them with serde_json before this type existed: the
    /// events stay byte for byte what they were.
    #[test]
    fn details_are_what_serde_json_wrote() {
        let html = "<li class=\"cq-item\" data-id=\"7\">\n<p>\"a\" \\ b\u{1}</p></li>";
        let posted = Outcome::Posted(Posted {
            id: CommentId(7),
            parent_id: Some(CommentId(3)),
            pending: true,
            pending_token: Some("tok".into()),
            html: Some(html.into()),
        });
        assert_eq!(
            posted.detail(),
            serde_json::json!({
                "id": 7, "parent_id": 3, "pending": true, "pending_token": "tok", "html": html,
            })
            .to_string()
        );
        let top = Outcome::Posted(Posted {
            id: CommentId(8),
            parent_id: None,
            pending: false,
            pending_token: None,
            html: None,
        });
        assert_eq!(
            top.detail(),
            serde_json::json!({
                "id": 8, "parent_id": null, "pending": false, "pending_token": null, "html": null,
            })
            .to_string()
        );
        let edited = Outcome::Edited(Edited {
            id: CommentId(7),
            body_html: "<p>new</p>\n".into(),
            pending: false,
        });
        assert_eq!(
            edited.detail(),
            serde_json::json!({"id": 7, "body_html": "<p>new</p>\n", "pending": false}).to_string()
        );
        assert_eq!(Outcome::Deleted(CommentId(7)).detail(), "{\"id\":7}");
        assert_eq!(Outcome::Closed.detail(), "{}");
    }

    #[test]
    fn event_names_are_the_ones_pages_listen_for() {
        assert_eq!(
            Outcome::NAMES,
            [
                "colloquy:posted",
                "colloquy:edited",
                "colloquy:deleted",
                "colloquy:closed"
            ]
        );
    }

    #[test]
    fn forms_name_their_kind_and_options() {
        let reply = Form::Reply(ReplyTo {
            id: CommentId(4),
            name: "Ana \"A\"".into(),
            depth: 3,
            flat: true,
        });
        assert_eq!(reply.kind(), "reply");
        assert_eq!(
            reply.options(),
            r#"{"parent_id":4,"parent_name":"Ana \"A\"","depth":3,"flat":true}"#
        );
        assert_eq!(Form::Compose.options(), "{}");
        assert_eq!(Form::Edit(CommentId(5)).options(), r#"{"id":5}"#);
        assert_eq!(Form::Delete(CommentId(5)).kind(), "delete");
    }
}
