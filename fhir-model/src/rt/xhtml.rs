//! The narrative `div`: XHTML kept as text, exactly as read.

use std::borrow::Cow;

use super::values::{JsonKind, PrimitiveValue};

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
/// surrounding document), no DOCTYPE, only the predefined entities,
/// character references to characters XML allows, balanced tags, nothing
/// after it. The XML reader requires it of the divs it keeps and the XML
/// writer of the divs it writes as they are (a div read from JSON can hold
/// any string), so that no narrative can break or inject into the XML around
/// it. Iterative: nesting depth costs no stack (and is limited to 10,000).
pub fn check_div(text: &str) -> Result<(), String> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;

    if let Some(c) = text.chars().find(|&c| !crate::rt::xml::is_xml_char(c)) {
        return Err(format!(
            "character U+{:04X} is not allowed in XML",
            u32::from(c)
        ));
    }
    if !text.starts_with('<') {
        return Err("the narrative div must be an XHTML <div> element".to_owned());
    }
    let mut r = quick_xml::NsReader::from_str(text);
    r.config_mut().check_end_names = true;
    r.config_mut().trim_text(false);
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let (ns, ev) = r
            .read_resolved_event()
            .map_err(|e| format!("malformed XHTML: {e}"))?;
        let is_xhtml =
            matches!(&ns, ResolveResult::Bound(n) if n.as_ref() == crate::rt::xml::XHTML_NS);
        if depth == 0 {
            // Before the root or after it: the root, then the end only.
            let (e, empty) = match ev {
                Event::Eof if seen_root => return Ok(()),
                Event::Start(e) if !seen_root => (e, false),
                Event::Empty(e) if !seen_root => (e, true),
                Event::DocType(_) => return Err("DOCTYPE declarations are not allowed".to_owned()),
                _ => {
                    return Err(
                        "the narrative div must be one <div> element, with nothing around it"
                            .to_owned(),
                    )
                }
            };
            if e.local_name().as_ref() != b"div" || !is_xhtml {
                return Err(
                    "the narrative div must be a <div> element declaring the XHTML namespace (xmlns=\"http://www.w3.org/1999/xhtml\")"
                        .to_owned(),
                );
            }
            check_attributes(&e)?;
            seen_root = true;
            if !empty {
                depth = 1;
            }
            continue;
        }
        match ev {
            Event::Start(e) => {
                check_attributes(&e)?;
                depth += 1;
                if depth > crate::rt::xml::MAX_SKIPPED_DEPTH {
                    return Err(format!(
                        "XHTML nested deeper than {} levels",
                        crate::rt::xml::MAX_SKIPPED_DEPTH
                    ));
                }
            }
            Event::Empty(e) => check_attributes(&e)?,
            Event::End(_) => depth -= 1,
            Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::GeneralRef(g) => {
                let n = g.as_ref();
                let ok = match n.strip_prefix(b"#") {
                    Some(num) => {
                        crate::rt::xml::char_ref(num).is_some_and(crate::rt::xml::is_xml_char)
                    }
                    None => matches!(n, b"lt" | b"gt" | b"amp" | b"apos" | b"quot"),
                };
                if !ok {
                    return Err(format!(
                        "unknown entity or invalid character reference &{};",
                        String::from_utf8_lossy(n)
                    ));
                }
            }
            Event::Eof => return Err("malformed XHTML: unclosed element".to_owned()),
            Event::Decl(_) | Event::DocType(_) => {
                return Err("declarations are not allowed in the narrative div".to_owned())
            }
        }
    }
}

fn check_attributes(e: &quick_xml::events::BytesStart<'_>) -> Result<(), String> {
    for a in e.attributes() {
        let a = a.map_err(|err| format!("malformed XHTML attribute: {err}"))?;
        let v = a
            .unescape_value()
            .map_err(|err| format!("XHTML attribute: {err}"))?;
        if let Some(c) = v.chars().find(|&c| !crate::rt::xml::is_xml_char(c)) {
            return Err(format!(
                "character reference to U+{:04X}, which XML does not allow",
                u32::from(c)
            ));
        }
    }
    Ok(())
}
