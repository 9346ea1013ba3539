//! A direct FHIR JSON writer over the reflective element model, behind
//! [`crate::json::to_vec`] and friends.
//!
//! It writes the same bytes as the serde `Serialize` impls (`ser.rs`, kept for
//! web frameworks and other serializers), but skips what serde's generic
//! machinery costs here: property names come from the static field tables and
//! need no escaping (FHIR element names are ASCII identifiers), numbers are
//! copied as their exact text instead of going through a `RawValue`, and
//! strings are scanned eight bytes at a time for the few bytes JSON escapes.

use crate::rt::element::{Element, ItemRef, Slot};
use crate::rt::meta::FieldKind;
use crate::rt::primitive::{JsonOut, PrimitiveElement};
use crate::rt::scan::{block_any, tail_any, BLOCK};

/// Appends `el` as compact FHIR JSON; `resource_type` is given for resources.
pub(crate) fn write_element(out: &mut Vec<u8>, el: &dyn Element, resource_type: Option<&str>) {
    let info = el.type_info();
    out.push(b'{');
    let mut first = true;
    if let Some(rt) = resource_type {
        key(out, &mut first, "resourceType");
        string(out, rt);
    }
    for (i, f) in info.fields.iter().enumerate() {
        let Some(slot) = el.field(i) else { continue };
        if slot.is_empty() {
            continue;
        }
        let resource = f.kind == FieldKind::Resource;
        if slot.is_list() {
            match slot.get(0) {
                Some((_, ItemRef::Primitive(_))) => primitive_list(out, &mut first, f.name, slot),
                Some(_) => {
                    key(out, &mut first, f.name);
                    list(out, slot, resource);
                }
                None => {}
            }
            continue;
        }
        let Some((variant, item)) = slot.get(0) else {
            continue;
        };
        let name = match f.kind {
            FieldKind::Choice => f.choice_keys.get(variant).copied().unwrap_or(f.name),
            _ => f.name,
        };
        match item {
            ItemRef::Primitive(p) => {
                if let Some(v) = p.json_value() {
                    key(out, &mut first, name);
                    scalar(out, &v);
                }
                if p.has_id_or_extension() {
                    underscore_key(out, &mut first, name);
                    primitive_extras(out, p);
                }
            }
            ItemRef::Element(child) => {
                key(out, &mut first, name);
                write_element(out, child, resource.then(|| child.type_info().name));
            }
            ItemRef::Text(t) => {
                key(out, &mut first, name);
                string(out, t);
            }
        }
    }
    out.push(b'}');
}

/// `"name":`, preceded by a comma unless it is the first property.
fn key(out: &mut Vec<u8>, first: &mut bool, name: &str) {
    if !std::mem::take(first) {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// `"_name":`.
fn underscore_key(out: &mut Vec<u8>, first: &mut bool, name: &str) {
    if !std::mem::take(first) {
        out.push(b',');
    }
    out.extend_from_slice(b"\"_");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// A list of elements, texts or resources.
fn list(out: &mut Vec<u8>, slot: &dyn Slot, resource: bool) {
    out.push(b'[');
    for i in 0..slot.len() {
        if i > 0 {
            out.push(b',');
        }
        match slot.get(i) {
            Some((_, ItemRef::Element(el))) => {
                write_element(out, el, resource.then(|| el.type_info().name))
            }
            Some((_, ItemRef::Text(t))) => string(out, t),
            Some((_, ItemRef::Primitive(p))) => match p.json_value() {
                Some(v) => scalar(out, &v),
                None => out.extend_from_slice(b"null"),
            },
            None => out.extend_from_slice(b"null"),
        }
    }
    out.push(b']');
}

/// A repeating primitive: the values (`null` where only extensions are
/// present) and, when any item has id or extensions, the parallel `_name`
/// array (`null` where an item has none).
fn primitive_list(out: &mut Vec<u8>, first: &mut bool, name: &str, slot: &dyn Slot) {
    let mut any_value = false;
    let mut any_extra = false;
    for i in 0..slot.len() {
        if let Some((_, ItemRef::Primitive(p))) = slot.get(i) {
            any_value |= p.has_value();
            any_extra |= p.has_id_or_extension();
        }
    }
    if any_value {
        key(out, first, name);
        out.push(b'[');
        for i in 0..slot.len() {
            let Some((_, ItemRef::Primitive(p))) = slot.get(i) else {
                continue;
            };
            if i > 0 {
                out.push(b',');
            }
            match p.json_value() {
                Some(v) => scalar(out, &v),
                None => out.extend_from_slice(b"null"),
            }
        }
        out.push(b']');
    }
    if any_extra {
        underscore_key(out, first, name);
        out.push(b'[');
        for i in 0..slot.len() {
            let Some((_, ItemRef::Primitive(p))) = slot.get(i) else {
                continue;
            };
            if i > 0 {
                out.push(b',');
            }
            if p.has_id_or_extension() {
                primitive_extras(out, p);
            } else {
                out.extend_from_slice(b"null");
            }
        }
        out.push(b']');
    }
}

/// The `_name` object of a primitive: `{"id":...,"extension":[...]}`.
fn primitive_extras(out: &mut Vec<u8>, p: &dyn PrimitiveElement) {
    out.push(b'{');
    let mut first = true;
    if let Some(id) = p.id() {
        key(out, &mut first, "id");
        string(out, id);
    }
    let ext = p.extensions();
    if !ext.is_empty() {
        key(out, &mut first, "extension");
        list(out, ext, false);
    }
    out.push(b'}');
}

fn scalar(out: &mut Vec<u8>, v: &JsonOut<'_>) {
    match v {
        JsonOut::Bool(true) => out.extend_from_slice(b"true"),
        JsonOut::Bool(false) => out.extend_from_slice(b"false"),
        JsonOut::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        // Validated JSON number text (when read or built): copied exactly, so
        // `1.50` stays `1.50`.
        JsonOut::Number(t) => out.extend_from_slice(t.as_bytes()),
        JsonOut::Str(t) => string(out, t),
    }
}

/// A JSON string, escaped as serde_json escapes: `"`, `\`, and control
/// characters (short forms for \b \f \n \r \t, `\u00XX` for the rest).
///
/// Most bytes need no escape, so the text is scanned in blocks of 32 bytes:
/// the loop that builds a block's bit mask of bytes to escape is simple
/// enough for the compiler to vectorize, and the clean stretches between the
/// mask's bits are copied whole.
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut base = 0;
    for block in &mut blocks {
        let Ok(block) = <&[u8; BLOCK]>::try_from(block) else {
            break;
        };
        if block_any(block, needs_escape) {
            for (j, &b) in block.iter().enumerate() {
                if needs_escape(b) {
                    escape_at(out, bytes, &mut start, base + j);
                }
            }
        }
        base += BLOCK;
    }
    let tail = blocks.remainder();
    if tail_any(tail, needs_escape) {
        for (j, &b) in tail.iter().enumerate() {
            if needs_escape(b) {
                escape_at(out, bytes, &mut start, base + j);
            }
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

#[inline(always)]
fn needs_escape(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// Copies the clean text before `pos`, then the escape of the byte at `pos`.
#[inline(always)]
fn escape_at(out: &mut Vec<u8>, bytes: &[u8], start: &mut usize, pos: usize) {
    out.extend_from_slice(bytes.get(*start..pos).unwrap_or_default());
    let b = bytes.get(pos).copied().unwrap_or_default();
    let short: &[u8] = match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0c => b"\\f",
        _ => b"",
    };
    if short.is_empty() {
        let hex = |n: u8| if n < 10 { b'0' + n } else { b'a' + n - 10 };
        out.extend_from_slice(b"\\u00");
        out.push(hex(b >> 4));
        out.push(hex(b & 0xf));
    } else {
        out.extend_from_slice(short);
    }
    *start = pos + 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_like_serde_json() {
        let samples = [
            "",
            "plain text that is longer than eight bytes",
            "quote \" and backslash \\ inside a long enough string",
            "\"",
            "ab\ncd\tef\r\u{8}\u{c}\u{1}\u{1f}\u{7f}",
            "<div xmlns=\"http://www.w3.org/1999/xhtml\">\n  <p>é😀 / </p>\n</div>",
            "12345678\"",
            "1234567\\",
        ];
        for s in samples {
            assert_eq!(esc(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
        for b in 0u8..0x80 {
            let s = format!("abcdefgh{}ijklmnop", char::from(b));
            assert_eq!(esc(&s), serde_json::to_string(&s).unwrap(), "byte {b:#x}");
        }
    }
}
