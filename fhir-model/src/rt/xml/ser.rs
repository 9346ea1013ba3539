//! FHIR XML writing, from the same element model as JSON: definition order,
//! primitives as `value`/`id` attributes with `extension` children,
//! plain-text fields as attributes, resources inside their wrapper element,
//! the narrative div written as the XHTML it holds.
//!
//! Tags are assembled in one reused buffer and written with one call each.
//! quick-xml's event writer added nothing here (every tag is built already
//! escaped) but a layer of calls per event.

use std::io::Write;


use crate::rt::element::{present_fields, Element, ItemRef, Slot};
use crate::rt::meta::FieldKind;
use crate::rt::primitive::PrimitiveElement;
use crate::rt::scan::{block_any, tail_any, BLOCK};

/// Why a value cannot be written as XML.
pub(crate) type Res = Result<(), std::io::Error>;

pub(crate) struct XmlWriter<W: Write> {
    w: W,
    /// Reused buffer for a tag (start tags with their attributes).
    tag: String,
}

impl<W: Write> XmlWriter<W> {
    pub(crate) fn new(w: W) -> Self {
        XmlWriter { w, tag: String::with_capacity(256) }
    }

    pub(crate) fn into_inner(self) -> W {
        self.w
    }

    /// Writes a document: declaration, root element in the FHIR namespace.
    pub(crate) fn write_document(&mut self, el: &dyn Element, root_name: &str) -> Res {
        self.w.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        self.write_element(el, root_name, true)
    }

    /// Starts a tag in the buffer: `<name`, attributes follow.
    fn open_tag(&mut self, name: &str) {
        self.tag.clear();
        self.tag.push('<');
        self.tag.push_str(name);
    }

    /// Ends the tag in the buffer (`/>` if `empty`) and writes it.
    fn write_tag(&mut self, empty: bool) -> Res {
        self.tag.push_str(if empty { "/>" } else { ">" });
        self.w.write_all(self.tag.as_bytes())
    }

    /// `<name>`, without attributes.
    fn start(&mut self, name: &str) -> Res {
        self.open_tag(name);
        self.write_tag(false)
    }

    /// `</name>`.
    fn end(&mut self, name: &str) -> Res {
        self.tag.clear();
        self.tag.push_str("</");
        self.tag.push_str(name);
        self.tag.push('>');
        self.w.write_all(self.tag.as_bytes())
    }

    /// Writes `el` as an element called `name`.
    fn write_element(&mut self, el: &dyn Element, name: &str, root: bool) -> Res {
        let info = el.type_info();
        self.open_tag(name);
        if root {
            self.tag.push_str(" xmlns=\"http://hl7.org/fhir\"");
        }
        let mut has_children = false;
        // Only the fields that hold a value (`Element::present`).
        let present = el.present();
        for i in present_fields(present) {
            let (Some(f), Some(slot)) = (info.fields.get(i), el.field(i)) else { continue };
            if f.kind == FieldKind::Text {
                if let Some((_, ItemRef::Text(t))) = slot.get(0) {
                    push_attr(&mut self.tag, f.name, t)?;
                }
            } else {
                has_children = true;
            }
        }
        if !has_children {
            return self.write_tag(true);
        }
        self.write_tag(false)?;
        for i in present_fields(present) {
            let Some(f) = info.fields.get(i) else { continue };
            if f.kind == FieldKind::Text {
                continue;
            }
            let Some(slot) = el.field(i) else { continue };
            self.write_field(f, slot)?;
        }
        self.end(name)
    }

    fn write_field(&mut self, f: &crate::rt::meta::FieldInfo, slot: &dyn Slot) -> Res {
        let xhtml = f.types.first() == Some(&"xhtml");
        for j in 0..slot.len() {
            let Some((variant, item)) = slot.get(j) else { continue };
            let name = f.json_name(variant);
            match item {
                ItemRef::Primitive(p) if xhtml => {
                    if let Some(text) = p.lexical() {
                        // Written as it is: it must be one well-formed XHTML
                        // div (one read from JSON can hold any string).
                        crate::rt::xhtml::check_div(&text).map_err(|m| {
                            std::io::Error::new(
                                std::io::ErrorKind::InvalidData,
                                format!("Narrative.div: {m}"),
                            )
                        })?;
                        self.w.write_all(text.as_bytes())?;
                    }
                }
                ItemRef::Primitive(p) => self.write_primitive(p, name)?,
                ItemRef::Element(el) if f.kind == FieldKind::Resource => {
                    self.start(name)?;
                    let rt = el.type_info().name;
                    self.write_element(el, rt, false)?;
                    self.end(name)?;
                }
                ItemRef::Element(el) => self.write_element(el, name, false)?,
                ItemRef::Text(_) => {}
            }
        }
        Ok(())
    }

    fn write_primitive(&mut self, p: &dyn PrimitiveElement, name: &str) -> Res {
        self.open_tag(name);
        if let Some(id) = p.id() {
            push_attr(&mut self.tag, "id", id)?;
        }
        if let Some(v) = p.lexical() {
            push_attr(&mut self.tag, "value", &v)?;
        }
        let ext = p.extensions();
        if ext.is_empty() {
            return self.write_tag(true);
        }
        self.write_tag(false)?;
        for j in 0..ext.len() {
            if let Some((_, ItemRef::Element(x))) = ext.get(j) {
                self.write_element(x, "extension", false)?;
            }
        }
        self.end(name)
    }
}

/// Appends ` name="value"` with the value escaped so that any XML parser
/// reads it back exactly: markup characters as entities, and tab, newline and
/// carriage return as character references (a parser would otherwise turn them
/// into spaces by attribute-value normalization).
///
/// Most values need no escape at all, so the text is tested 32 bytes at a
/// time and copied in clean runs; only the bytes the test flags are looked at.
fn push_attr(tag: &mut String, name: &str, value: &str) -> Res {
    tag.reserve(name.len() + value.len() + 4);
    tag.push(' ');
    tag.push_str(name);
    tag.push_str("=\"");
    let bytes = value.as_bytes();
    let mut clean = 0;
    let mut base = 0;
    let mut blocks = bytes.chunks_exact(BLOCK);
    for block in &mut blocks {
        if let Ok(block) = <&[u8; BLOCK]>::try_from(block) {
            if block_any(block, maybe_escaped) {
                escape_range(tag, name, value, &mut clean, base, base + BLOCK)?;
            }
        }
        base += BLOCK;
    }
    if tail_any(blocks.remainder(), maybe_escaped) {
        escape_range(tag, name, value, &mut clean, base, bytes.len())?;
    }
    tag.push_str(value.get(clean..).unwrap_or_default());
    tag.push('"');
    Ok(())
}

/// Whether a byte may need an escape: markup characters, controls, and the
/// lead byte of U+FFFE and U+FFFF (which XML cannot carry).
#[inline(always)]
fn maybe_escaped(b: u8) -> bool {
    (b < 0x20) | (b == b'&') | (b == b'<') | (b == b'>') | (b == b'"') | (b == 0xEF)
}

/// Escapes what needs it among the bytes `from..to` of `value`, copying the
/// clean text before each escape; `clean` is where the uncopied text starts.
fn escape_range(tag: &mut String, name: &str, value: &str, clean: &mut usize, from: usize, to: usize) -> Res {
    let bytes = value.as_bytes();
    for i in from..to.min(bytes.len()) {
        let b = bytes.get(i).copied().unwrap_or(0);
        if !maybe_escaped(b) {
            continue;
        }
        let escape = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\t' => "&#9;",
            b'\n' => "&#10;",
            b'\r' => "&#13;",
            _ => {
                // A control byte, or the start of a character from U+F000 to
                // U+FFFF (a char boundary either way).
                let c = value.get(i..).and_then(|rest| rest.chars().next()).unwrap_or('\0');
                if !crate::rt::xml::is_xml_char(c) {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("character U+{:04X} in {name} cannot be represented in XML 1.0", u32::from(c)),
                    ));
                }
                continue;
            }
        };
        tag.push_str(value.get(*clean..i).unwrap_or_default());
        tag.push_str(escape);
        *clean = i + 1;
    }
    Ok(())
}
