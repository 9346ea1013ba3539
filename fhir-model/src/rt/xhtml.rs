//! The narrative `div`: XHTML kept as text, exactly as read.

use std::borrow::Cow;

use super::values::{JsonKind, PrimitiveValue};
use crate::rt::xml::Attr;

/// XHTML content of `Narrative.div`, kept as its exact source text.
///
/// In JSON the div is a string holding the serialized XHTML; it is stored
/// verbatim so that it is written back unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Xhtml(pub String);

impl Xhtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PrimitiveValue for Xhtml {
    const JSON_KIND: JsonKind = JsonKind::String;
    fn from_lexical(s: &str) -> Result<Self, String> {
        Ok(Xhtml(s.to_owned()))
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

/// Checks that `text` is one well-formed XHTML `div` element that stands on
/// its own: in the XHTML namespace declared on it (not inherited from a
/// surrounding document), every namespace prefix inside declared inside, no
/// DOCTYPE, only the predefined entities, character references to
/// characters XML allows, balanced tags, nothing after it. The XML reader
/// requires it of the divs it keeps and the XML writer of the divs it writes
/// as they are (a div read from JSON can hold any string), so that no
/// narrative can break or inject into the XML around it. Iterative: nesting
/// depth costs no stack (and is limited to 10,000).
///
/// It runs over every narrative read or written as XML, a third of the
/// bytes of the official examples, so it is built for speed: one pass of
/// the XML reader's own tokenizer (so that the reader and the writer accept
/// the same divs), namespace prefixes tracked here (only the few declared
/// inside the div can be in scope), attribute values decoded only when
/// they hold a reference.
pub fn check_div(text: &str) -> Result<(), String> {
    use quick_xml::events::Event;

    if let Some((_, c)) = crate::rt::xml::first_invalid(text) {
        return Err(format!(
            "character U+{:04X} is not allowed in XML",
            u32::from(c)
        ));
    }
    if !text.starts_with('<') {
        return Err("the narrative div must be an XHTML <div> element".to_owned());
    }
    let mut tokens = crate::rt::xml::Tokens::new(text);
    tokens.general_content(true);
    let nothing_around =
        || "the narrative div must be one <div> element, with nothing around it".to_owned();
    let mut div = match next(&mut tokens)? {
        Event::Start(e) => DivChecker::start(&e, tokens.attributes(), false)?,
        Event::Empty(e) => DivChecker::start(&e, tokens.attributes(), true)?,
        Event::DocType(_) => return Err("DOCTYPE declarations are not allowed".to_owned()),
        _ => return Err(nothing_around()),
    };
    while !div.is_done() {
        let ev = next(&mut tokens)?;
        div.event(&ev, tokens.attributes())?;
    }
    // White space after the div is no event of the tokenizer, but it is
    // something around the div.
    match tokens.position() == text.len() {
        true => Ok(()),
        false => Err(nothing_around()),
    }
}

fn next<'i>(
    tokens: &mut crate::rt::xml::Tokens<'i>,
) -> Result<quick_xml::events::Event<'i>, String> {
    tokens
        .next()
        .map_err(|e| format!("malformed XHTML: {}", e.message))
}

/// The checks of [`check_div`] inside the div, fed one event at a time: by
/// `check_div`'s own tokenizer, or by the XML document reader's as it reads
/// through a narrative, which so needs no second pass over the text. Each
/// start tag comes with its attributes as the tokenizer read them (checked
/// for syntax and uniqueness there).
pub(crate) struct DivChecker {
    /// Elements open, the div included; 0 once it is closed.
    depth: usize,
    scope: Prefixes,
}

impl DivChecker {
    /// Checks the div's start tag (`empty` for `<div/>`).
    pub(crate) fn start(
        e: &quick_xml::events::BytesStart<'_>,
        attributes: &[Attr<'_>],
        empty: bool,
    ) -> Result<Self, String> {
        let mut scope = Prefixes::default();
        scope.enter(attributes, 1)?;
        if e.local_name().as_ref() != b"div" || !scope.is_in(e, crate::rt::xml::XHTML_NS) {
            return Err(
                "the narrative div must be a <div> element declaring the XHTML namespace (xmlns=\"http://www.w3.org/1999/xhtml\")"
                    .to_owned(),
            );
        }
        Ok(DivChecker {
            depth: usize::from(!empty),
            scope,
        })
    }

    /// Whether the div's end tag has been seen.
    pub(crate) fn is_done(&self) -> bool {
        self.depth == 0
    }

    /// Elements still open, the div included.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// Checks one event inside the div (`attributes`: a start tag's).
    pub(crate) fn event(
        &mut self,
        ev: &quick_xml::events::Event<'_>,
        attributes: &[Attr<'_>],
    ) -> Result<(), String> {
        use quick_xml::events::Event;
        match ev {
            Event::Start(e) => {
                self.depth += 1;
                if self.depth > crate::rt::xml::MAX_SKIPPED_DEPTH {
                    return Err(format!(
                        "XHTML nested deeper than {} levels",
                        crate::rt::xml::MAX_SKIPPED_DEPTH
                    ));
                }
                self.scope.enter(attributes, self.depth)?;
                self.scope.check_name(e)?;
            }
            Event::Empty(e) => {
                self.scope.enter(attributes, self.depth + 1)?;
                self.scope.check_name(e)?;
                self.scope.leave(self.depth + 1);
            }
            Event::End(_) => {
                self.scope.leave(self.depth);
                self.depth -= 1;
            }
            Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::GeneralRef(g) => crate::rt::xml::check_reference(g.as_ref())?,
            Event::Eof => return Err("malformed XHTML: unclosed element".to_owned()),
            Event::Decl(_) | Event::DocType(_) => {
                return Err("declarations are not allowed in the narrative div".to_owned())
            }
        }
        Ok(())
    }
}

/// The namespace declarations in scope inside a div: those of the div and
/// its open descendants only, as the div is written on its own.
#[derive(Default)]
struct Prefixes {
    scopes: crate::rt::xml::Scopes,
}

impl Prefixes {
    /// Takes the declarations among an element's `attributes` at `depth`,
    /// checks their values, and checks that their prefixes are declared.
    fn enter(&mut self, attributes: &[Attr<'_>], depth: usize) -> Result<(), String> {
        let mut prefixed_attributes = false;
        for a in attributes {
            check_attribute_value(a)?;
            let key = a.key;
            self.scopes.declare(key, a.value, depth)?;
            prefixed_attributes |= key.contains(&b':') && !key.starts_with(b"xmlns:");
        }
        // A second pass: a tag may declare a prefix after an attribute that
        // uses it (`<p s:a="x" xmlns:s="...">`).
        if prefixed_attributes {
            for a in attributes {
                if a.key.starts_with(b"xmlns:") {
                    continue;
                }
                if let Some(p) = a.prefix() {
                    self.resolve(p)?;
                }
            }
        }
        Ok(())
    }

    /// Checks that the prefix of the name of `e` (entered) is declared.
    fn check_name(&self, e: &quick_xml::events::BytesStart<'_>) -> Result<(), String> {
        match e.name().prefix() {
            Some(p) => self.resolve(p.into_inner()),
            None => Ok(()),
        }
    }

    /// Whether the name of `e` (entered) is in the namespace `ns`.
    fn is_in(&self, e: &quick_xml::events::BytesStart<'_>, ns: &[u8]) -> bool {
        self.scopes.namespace_of_name(e.name().into_inner(), true) == Some(ns)
    }

    /// Forgets what the element at `depth` declared.
    fn leave(&mut self, depth: usize) {
        self.scopes.leave(depth);
    }

    /// A prefix must be declared inside the div (`xml` is always bound).
    fn resolve(&self, prefix: &[u8]) -> Result<(), String> {
        match self.scopes.namespace_of(prefix) {
            Some(_) => Ok(()),
            None => Err(format!(
                "namespace prefix {} is not declared in the narrative div",
                String::from_utf8_lossy(prefix)
            )),
        }
    }
}

/// An attribute value decodes, and its references name characters XML
/// allows. Text without references was checked with the whole div.
fn check_attribute_value(a: &Attr<'_>) -> Result<(), String> {
    if !a.refs {
        return Ok(());
    }
    let v = a
        .decoded()
        .map_err(|err| format!("XHTML attribute: {err}"))?;
    if let Some((_, c)) = crate::rt::xml::first_invalid(&v) {
        return Err(format!(
            "character reference to U+{:04X}, which XML does not allow",
            u32::from(c)
        ));
    }
    Ok(())
}
