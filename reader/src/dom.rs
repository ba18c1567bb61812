//! Small DOM helpers over `web_sys`, so the actions read as what they do.

use colloquy_core::wire::dom::{Action, ACTION_ATTR};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

/// Selectors more than one action uses, joined at compile time from `wire::dom`'s names.
pub mod sel {
    use colloquy_core::const_concat;
    use colloquy_core::wire::dom::class;

    /// A comment's list item.
    pub const ITEM: &str = const_concat!("li.", class::ITEM);
    /// A comment's own Reply button (not its replies').
    pub const REPLY_BUTTON: &str = const_concat!(":scope > article button.", class::REPLY);
    /// The "Show more comments" link.
    pub const MORE_LINK: &str = const_concat!(".", class::MORE, " a");
    /// The comment a permalink or a new post pointed at.
    pub const TARGETED: &str = const_concat!("li.", class::TARGET);
    /// The widget's heading.
    pub const HEADING: &str = const_concat!("h2.", class::HEADING);
    /// A comment's own text (not its replies').
    pub const BODY: &str = const_concat!(":scope > article > .", class::BODY);
}

pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

pub fn find(root: &Element, css: &str) -> Option<Element> {
    root.query_selector(css).ok().flatten()
}

pub fn find_all(root: &Element, css: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(css) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i)?.dyn_into::<Element>().ok())
        .collect()
}

pub fn closest(el: &Element, css: &str) -> Option<Element> {
    el.closest(css).ok().flatten()
}

pub fn attr(el: &Element, name: &str) -> Option<String> {
    el.get_attribute(name)
}

pub fn set_attr(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

pub fn set_hidden(el: &Element, hidden: bool) {
    if hidden {
        set_attr(el, "hidden", "");
    } else {
        let _ = el.remove_attribute("hidden");
    }
}

pub fn set_text(el: &Element, text: &str) {
    el.set_text_content(Some(text));
}

pub fn add_class(el: &Element, class: &str) {
    let _ = el.class_list().add_1(class);
}

pub fn remove_class(el: &Element, class: &str) {
    let _ = el.class_list().remove_1(class);
}

pub fn focus(el: &Element) {
    if let Some(h) = el.dyn_ref::<HtmlElement>() {
        let _ = h.focus();
    }
}

/// Bring `el` into view and give it focus (a comment just posted or permalinked).
pub fn reveal(el: &Element) {
    el.scroll_into_view();
    focus(el);
}

/// Parse server-rendered HTML (the only HTML this widget inserts: rendered and sanitized
/// by the Worker) into elements, without inserting them yet.
pub fn parse(html: &str) -> Vec<Element> {
    let Ok(template) = document().create_element("template") else {
        return Vec::new();
    };
    let Ok(template) = template.dyn_into::<web_sys::HtmlTemplateElement>() else {
        return Vec::new();
    };
    template.set_inner_html(html);
    let content = template.content();
    let mut out = Vec::new();
    let children = content.children();
    for i in 0..children.length() {
        if let Some(el) = children.item(i) {
            out.push(el);
        }
    }
    out
}

/// A new element with a class and text (for the few pieces only the browser knows:
/// the reader's own Edit/Delete buttons, failure notes).
pub fn element(tag: &str, class: &str, text: &str) -> Element {
    let el = document().create_element(tag).expect("create element");
    el.set_class_name(class);
    set_text(&el, text);
    el
}

/// A button of the widget's look that names its `action`.
pub fn button(class: &str, action: Action, text: &str) -> Element {
    let b = element("button", class, text);
    set_attr(&b, "type", "button");
    set_attr(&b, ACTION_ATTR, action.as_str());
    b
}

pub fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

pub fn remove(el: &Element) {
    el.remove();
}

/// The `data-id` of a comment item as an id.
pub fn item_id(li: &Element) -> Option<colloquy_core::CommentId> {
    attr(li, "data-id")?.parse().ok()
}

/// "Something failed — Try again": the retry button repeats `action` on the same comment.
pub fn failure(message: &str, retry: &str, class: &str, action: Action) -> Element {
    let note = element("span", &format!("cq-form-error {class}"), message);
    set_attr(&note, "role", "alert");
    let _ = note.append_with_str_1(" ");
    append(&note, &button("cq-link cq-retry", action, retry));
    note
}
