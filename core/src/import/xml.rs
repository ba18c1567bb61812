//! A small element tree over quick-xml, enough for export files: names without their
//! namespace prefix, attributes, text (CDATA included). A malformed file stops with the
//! line where reading failed; what was read before it is kept for `--keep-going`.

use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// The local name (`comment` for `wp:comment`).
    pub name: String,
    /// Attributes by local name (`id` for `dsq:id`).
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
    /// The line the element starts on.
    pub line: usize,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of a child, if it has any.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim().to_owned())
            .filter(|t| !t.is_empty())
    }
}

/// Where a file stopped being readable.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    pub line: usize,
    pub message: String,
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => name.into_owned(),
    }
}

/// Line numbers of byte offsets that only move forward: counting from the last one keeps
/// a large file linear.
struct Lines<'a> {
    input: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(input: &'a str) -> Self {
        Lines {
            input: input.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn at(&mut self, offset: u64) -> usize {
        let end = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.input.len());
        if end < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.input[self.offset..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.offset = end;
        self.line
    }
}

/// Parse `input` into its root element. On a malformed file, the tree read so far (open
/// elements closed where they stand) and where it broke.
pub fn parse(input: &str) -> (Element, Option<Broken>) {
    let mut reader = Reader::from_str(input);
    let mut lines = Lines::new(input);
    let mut line_at = |_: &str, offset: u64| lines.at(offset);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = vec![Element {
        name: "#document".into(),
        line: 1,
        ..Element::default()
    }];
    let mut broken = None;
    loop {
        let at = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) => match element(&e, line_at(input, at)) {
                Ok(el) => stack.push(el),
                Err(message) => {
                    broken = Some(Broken {
                        line: line_at(input, at),
                        message,
                    });
                    break;
                }
            },
            Ok(Event::Empty(e)) => match element(&e, line_at(input, at)) {
                Ok(el) => {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(el);
                    }
                }
                Err(message) => {
                    broken = Some(Broken {
                        line: line_at(input, at),
                        message,
                    });
                    break;
                }
            },
            Ok(Event::End(_)) => {
                if stack.len() > 1 {
                    let done = stack.pop().unwrap_or_default();
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(done);
                    }
                }
            }
            Ok(Event::Text(t)) => {
                let text = t
                    .decode()
                    .ok()
                    .and_then(|d| quick_xml::escape::unescape(&d).ok().map(|u| u.into_owned()));
                match text {
                    Some(text) => {
                        if let Some(el) = stack.last_mut() {
                            el.text.push_str(&text);
                        }
                    }
                    None => {
                        broken = Some(Broken {
                            line: line_at(input, at),
                            message: "text with an unknown entity or bad encoding".into(),
                        });
                        break;
                    }
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                    .map(str::to_owned)
                    .or_else(|| {
                        let num = name.strip_prefix('#')?;
                        let code = match num.strip_prefix('x') {
                            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                            None => num.parse().ok()?,
                        };
                        char::from_u32(code).map(String::from)
                    });
                if let (Some(text), Some(el)) = (resolved, stack.last_mut()) {
                    el.text.push_str(&text);
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Ok(Event::Eof) => {
                if stack.len() > 1 {
                    let open = stack.last().map(|e| e.name.clone()).unwrap_or_default();
                    broken = Some(Broken {
                        line: line_at(input, at),
                        message: format!("the file ends inside <{open}> (truncated?)"),
                    });
                }
                break;
            }
            Ok(_) => {}
            Err(e) => {
                broken = Some(Broken {
                    line: line_at(input, reader.error_position()),
                    message: e.to_string(),
                });
                break;
            }
        }
    }
    // Close whatever is still open, so the part read so far can be used.
    while stack.len() > 1 {
        let done = stack.pop().unwrap_or_default();
        if let Some(parent) = stack.last_mut() {
            parent.children.push(done);
        }
    }
    let document = stack.pop().unwrap_or_default();
    let root = document.children.into_iter().next().unwrap_or_default();
    (root, broken)
}

fn element(e: &quick_xml::events::BytesStart<'_>, line: usize) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a =
            a.map_err(|err| format!("bad attribute in <{}>: {err}", local(e.name().as_ref())))?;
        let value = a
            .unescape_value()
            .map_err(|err| format!("bad attribute value: {err}"))?
            .into_owned();
        attrs.push((local(a.key.as_ref()), value));
    }
    Ok(Element {
        name: local(e.name().as_ref()),
        attrs,
        children: Vec::new(),
        text: String::new(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_prefixes_and_cdata_is_text() {
        let (root, broken) = parse(
            "<?xml version=\"1.0\"?>\n<a xmlns:wp=\"x\"><wp:b dsq:id=\"7\"><![CDATA[<p>hi</p>]]> &amp; more</wp:b><c/></a>",
        );
        assert!(broken.is_none());
        assert_eq!(root.name, "a");
        let b = root.child("b").unwrap();
        assert_eq!(b.attr("id"), Some("7"));
        assert_eq!(b.text, "<p>hi</p> & more");
        assert_eq!(b.line, 2);
        assert!(root.child("c").is_some());
    }

    #[test]
    fn a_broken_file_says_where_and_keeps_what_came_before() {
        let (root, broken) = parse("<a>\n<b>one</b>\n<b>two</c>\n</a>");
        let broken = broken.unwrap();
        assert_eq!(broken.line, 3, "{broken:?}");
        assert_eq!(root.all("b").count(), 2);
        let (_, truncated) = parse("<a>\n<b>one</b>\n<b>tw");
        assert!(truncated.unwrap().message.contains("truncated"));
    }
}
