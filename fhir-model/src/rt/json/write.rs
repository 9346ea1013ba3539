//! A direct FHIR JSON writer over the reflective element model, behind
//! [`crate::json::to_vec`] and friends.
//!
//! It writes the same bytes as the serde `Serialize` impls (`ser.rs`, kept for
//! web frameworks and other serializers), but skips what serde's generic
//! machinery costs here: property names come from the static field tables and
//! need no escaping (FHIR element names are ASCII identifiers), numbers are
//! copied as their exact text instead of going through a `RawValue`, and
//! strings are scanned in 32-byte blocks and 8-byte words for the few bytes
//! JSON escapes (`scan.rs`, shared with the reader).

use crate::rt::element::{Element, ItemRef, Value};
use crate::rt::meta::{FieldInfo, FieldKind};
use crate::rt::primitive::{JsonOut, PrimitiveElement};
use crate::rt::scan::{block_any, first_json_special, is_json_special, BLOCK};

/// Appends `el` as compact FHIR JSON; `resource_type` is given for resources.
///
/// Every property is written with a leading comma (`,"name":value`), and
/// the first one's comma is then overwritten with the `{` ([`close_object`]):
/// no "is this the first property" flag is kept and tested per property.
pub(crate) fn write_element(out: &mut Vec<u8>, el: &dyn Element, resource_type: Option<&str>) {
    grow(out);
    let start = out.len();
    if let Some(rt) = resource_type {
        out.extend_from_slice(b",\"resourceType\":");
        string(out, rt);
    }
    // Each field that holds a value writes itself, in definition order
    // ([`Element::write_json_fields`], generated per type).
    el.write_json_fields(out);
    close_object(out, start);
}

/// Room left in the output below which it grows, at each element.
const LOW_WATER: usize = 512;

/// Grows the output fourfold when it runs low. Left to `Vec`, the appends
/// that overflow it double it each time, and the reallocations copy about
/// as many bytes as a large resource has. Over the R4 examples the `memcpy`
/// under `realloc` fell from 65 M to 47 M instructions (long strings still
/// reserve room for themselves, by doubling). [`crate::json::to_vec`] gives
/// the excess back.
#[inline(always)]
fn grow(out: &mut Vec<u8>) {
    if out.capacity() - out.len() < LOW_WATER {
        out.reserve(out.capacity().max(LOW_WATER) * 3);
    }
}

/// Ends an object begun at `start` whose properties were written with a
/// leading comma: the first comma becomes the `{` (or `{` is added when
/// nothing was written).
#[inline(always)]
fn close_object(out: &mut Vec<u8>, start: usize) {
    match out.get_mut(start) {
        Some(c) => *c = b'{',
        None => out.push(b'{'),
    }
    out.push(b'}');
}

/// A single (not repeating) field's value, seen through [`ItemRef`]: the
/// path for everything but primitives, which write themselves
/// ([`primitive_property`]).
pub(crate) fn item_property(out: &mut Vec<u8>, f: &FieldInfo, variant: usize, item: ItemRef<'_>) {
    let name = f.json_name(variant);
    match item {
        ItemRef::Primitive(p) => {
            if let Some(v) = p.json_value() {
                key(out, name);
                scalar(out, &v);
            }
            if p.has_id_or_extension() {
                extras_property(out, name, p);
            }
        }
        ItemRef::Element(child) => {
            key(out, name);
            let resource = f.kind == FieldKind::Resource;
            write_element(out, child, resource.then(|| child.type_info().name));
        }
        ItemRef::Text(t) => {
            key(out, name);
            string(out, t);
        }
    }
}

/// `,"name":value` for a primitive's value, inlined into the primitive's
/// own [`crate::rt::Value`] impl so that the `JsonOut` match folds away.
#[inline(always)]
pub(crate) fn primitive_property(out: &mut Vec<u8>, name: &str, value: &JsonOut<'_>) {
    key(out, name);
    scalar(out, value);
}

/// `,"_name":{...}`: a primitive's id and extensions.
pub(crate) fn extras_property(out: &mut Vec<u8>, name: &str, p: &dyn PrimitiveElement) {
    underscore_key(out, name);
    primitive_extras(out, p);
}

/// A repeating field: its values (elements, texts or resources), or for
/// primitives the value array and the parallel `_name` array.
///
/// Compiled per stored type, like the single-valued path: each item is
/// reached directly in the slice, and a primitive's value through its own
/// type's code, instead of through [`Slot::get`](crate::rt::Slot::get) and the
/// [`PrimitiveElement`] vtable per item.
pub(crate) fn list_property<T: Value>(out: &mut Vec<u8>, f: &FieldInfo, items: &[T]) {
    match items.first().map(Value::item) {
        Some(ItemRef::Primitive(_)) => primitive_list(out, f.name, items),
        Some(_) => {
            key(out, f.name);
            list(out, items, f.kind == FieldKind::Resource);
        }
        None => {}
    }
}

/// `,"name":`. Three appends, the name's by a `memcpy` call. Building the
/// key in a local buffer and appending it by one fixed-size copy was
/// measured twice and cost more: one pass over the R4 examples took 0.947 G
/// and 0.940 G instructions with the two buffer versions, 0.916 G with
/// this (the size cases of the copy compiled either to a variable-length
/// `memcpy` after all or to 128-bit shifts).
#[inline(always)]
fn key(out: &mut Vec<u8>, name: &str) {
    out.reserve(name.len() + 4);
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// `,"_name":`.
fn underscore_key(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b",\"_");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// A list of elements, texts or resources.
fn list<T: Value>(out: &mut Vec<u8>, items: &[T], resource: bool) {
    out.push(b'[');
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match v.item() {
            ItemRef::Element(el) => write_element(out, el, resource.then(|| el.type_info().name)),
            ItemRef::Text(t) => string(out, t),
            ItemRef::Primitive(p) => match p.json_value() {
                Some(v) => scalar(out, &v),
                None => out.extend_from_slice(b"null"),
            },
        }
    }
    out.push(b']');
}

/// A repeating primitive: the values (`null` where only extensions are
/// present) and, when any item has id or extensions, the parallel `_name`
/// array (`null` where an item has none).
fn primitive_list<T: Value>(out: &mut Vec<u8>, name: &str, items: &[T]) {
    let primitives = || {
        items.iter().filter_map(|v| match v.item() {
            ItemRef::Primitive(p) => Some(p),
            _ => None,
        })
    };
    let any_value = primitives().any(|p| p.has_value());
    let any_extra = primitives().any(|p| p.has_id_or_extension());
    if any_value {
        key(out, name);
        out.push(b'[');
        for (i, p) in primitives().enumerate() {
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
        underscore_key(out, name);
        out.push(b'[');
        for (i, p) in primitives().enumerate() {
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

/// The `extension` field of a primitive's `_name` object, for writing it
/// through its own storage's [`Slot::write_json`](crate::rt::Slot::write_json).
const EXTENSION: FieldInfo = FieldInfo::new("extension", FieldKind::Element, 0, u32::MAX, &["Extension"], &[], 0);

/// The `_name` object of a primitive: `{"id":...,"extension":[...]}`.
fn primitive_extras(out: &mut Vec<u8>, p: &dyn PrimitiveElement) {
    let start = out.len();
    if let Some(id) = p.id() {
        key(out, "id");
        string(out, id);
    }
    p.extensions().write_json(out, &EXTENSION);
    close_object(out, start);
}

#[inline(always)]
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

/// A JSON string, escaped as serde_json escapes: `"`, `\\`, and control
/// characters (short forms for \b \f \n \r \t, `\u00XX` for the rest).
///
/// Most strings (1.82 M of the 1.84 M strings of the R4 examples: codes, ids,
/// dates, references, display texts) need no escape, and most are shorter
/// than a block ([`short_string`]). A longer one is tested and copied by
/// whole blocks of 32 bytes: a clean block is appended by a fixed-size copy
/// (a few moves, no `memcpy` call); the last, partial block is the string's
/// last 32 bytes, written over the bytes already written. Before, a string
/// was scanned by blocks and 8-byte words first and then copied: over the
/// clean strings of the R4 examples that cost 263 M instructions, now 198 M.
/// A text with an escape (narrative XHTML, markdown) goes on by windows from
/// the block that has it ([`escaped_rest`]).
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if b.len() < BLOCK {
        return short_string(out, b);
    }
    // Room for the quotes and for the whole-block writes.
    out.reserve(b.len() + 2 + BLOCK);
    out.push(b'"');
    let mut at = 0;
    while let Some(block) = b.get(at..).and_then(|r| r.first_chunk::<BLOCK>()) {
        if block_any(block, is_json_special) {
            return escaped_from(out, b, at);
        }
        out.extend_from_slice(block);
        at += BLOCK;
    }
    let rest = b.len() - at;
    if let (true, Some(last)) = (rest > 0, b.last_chunk::<BLOCK>()) {
        if block_any(last, is_json_special) {
            return escaped_from(out, b, at);
        }
        // The last block begins `BLOCK - rest` bytes before `at`, in
        // bytes already written the same: write it over them.
        out.truncate(out.len() - (BLOCK - rest));
        out.extend_from_slice(last);
    }
    out.push(b'"');
}

/// A string shorter than a block (most of them), built with its quotes in
/// a local buffer: the text is copied in by overlapping fixed-size pieces
/// ([`copy_short`]) over spaces (which need no escape), tested as one
/// block, and appended by one fixed-size copy cut back to its length: three
/// operations on `out` instead of five.
#[inline(always)]
fn short_string(out: &mut Vec<u8>, b: &[u8]) {
    let mut quoted = [b' '; BLOCK + 2];
    let Some(text) = quoted.get_mut(1..).and_then(|q| q.first_chunk_mut::<BLOCK>()) else {
        return;
    };
    copy_short(text, b);
    if block_any(text, is_json_special) {
        out.push(b'"');
        return escaped_from(out, b, 0);
    }
    for at in [0, b.len() + 1] {
        if let Some(q) = quoted.get_mut(at) {
            *q = b'"';
        }
    }
    let end = out.len() + b.len() + 2;
    out.extend_from_slice(&quoted);
    out.truncate(end);
}

/// Copies `s` (shorter than a block) to the start of `to` by two
/// overlapping fixed-size pieces, a few moves each, instead of through a
/// `memcpy` call (which a byte loop compiles to).
#[inline(always)]
fn copy_short(to: &mut [u8; BLOCK], s: &[u8]) {
    if !(pair::<16>(to, s) || pair::<8>(to, s) || pair::<4>(to, s)) {
        for i in 0..3 {
            if let (Some(d), Some(&c)) = (to.get_mut(i), s.get(i)) {
                *d = c;
            }
        }
    }
}

/// The rest of a string from byte `at` (where a byte to escape is, at or
/// after it), and the closing quote.
#[inline(never)]
fn escaped_from(out: &mut Vec<u8>, b: &[u8], at: usize) {
    escaped_rest(out, b.get(at..).unwrap_or_default());
    out.push(b'"');
}

/// Copies `s` to the start of `to` as its first `N` bytes and its last `N`
/// bytes (the same bytes where they overlap) when `N <= s.len()`; returns
/// whether it did. The caller tries the largest `N` first, so `s` is at
/// most twice as long.
#[inline(always)]
fn pair<const N: usize>(to: &mut [u8; BLOCK], s: &[u8]) -> bool {
    let (Some(head), Some(tail)) = (s.first_chunk::<N>(), s.last_chunk::<N>()) else {
        return false;
    };
    if let Some(d) = to.first_chunk_mut::<N>() {
        d.copy_from_slice(head);
    }
    let tail_at = s.len() - N;
    if let Some(d) = to.get_mut(tail_at..).and_then(|t| t.first_chunk_mut::<N>()) {
        d.copy_from_slice(tail);
    }
    true
}

/// Appends `rest` escaped, from a byte to escape on. It goes by windows of
/// 32 bytes ([`window`]): each is copied whole (a fixed-size copy, a few
/// moves) and tested at once (a loop the compiler vectorizes); at a byte to
/// escape, the output is cut back to it, its escape is written, and the
/// next window starts after it. So a clean stretch costs about an
/// instruction per byte and an escape one window. Copying the stretches
/// between escapes by their length instead called `memcpy` twice per
/// escape, which cost more than the scan; so did going word by word after
/// a window with an escape (measured: 0.09 G more over the R4 examples).
/// The caller reserved room for the whole-window writes.
fn escaped_rest(out: &mut Vec<u8>, mut rest: &[u8]) {
    while let Some(w) = rest.first_chunk::<BLOCK>() {
        rest = rest.get(window(out, w, BLOCK)..).unwrap_or_default();
    }
    if !rest.is_empty() {
        // The last bytes, padded with spaces, which need no escape, so that
        // a window fits from any of them.
        let mut padded = [b' '; 2 * BLOCK];
        if let Some(head) = padded.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        let mut at = 0;
        while at < rest.len() {
            let Some(w) = padded.get(at..).and_then(|p| p.first_chunk::<BLOCK>()) else {
                break;
            };
            at += window(out, w, rest.len() - at);
        }
    }
}

/// Appends the first `valid` bytes of `w` (all of them when `valid` is 32
/// or more) up to the first byte to escape, escaped; returns how many bytes
/// of `w` it consumed.
#[inline(always)]
fn window(out: &mut Vec<u8>, w: &[u8; BLOCK], valid: usize) -> usize {
    let at = out.len();
    out.extend_from_slice(w);
    match first_json_special(w) {
        Some(j) if j < valid => {
            out.truncate(at + j);
            escape(out, w.get(j).copied().unwrap_or_default());
            j + 1
        }
        _ => {
            let n = valid.min(BLOCK);
            out.truncate(at + n);
            n
        }
    }
}

/// For each byte JSON escapes, the letter of its short escape (`n` for a
/// line feed), or `u` for the `\u00XX` form. (Indexing in a constant
/// initializer cannot panic at run time: a bad index fails the build.)
#[allow(clippy::indexing_slicing)]
static ESCAPES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// Appends the escape of `b`, a byte JSON escapes.
#[inline(always)]
fn escape(out: &mut Vec<u8>, b: u8) {
    match ESCAPES.get(usize::from(b)).copied().unwrap_or(b'u') {
        b'u' => {
            let hex = |n: u8| if n < 10 { b'0' + n } else { b'a' + n - 10 };
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 0xf)]);
        }
        short => out.extend_from_slice(&[b'\\', short]),
    }
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

    /// Property names of every length up to past a block (the one-value,
    /// two-piece and plain paths), after other output.
    #[test]
    fn keys_of_every_length() {
        for len in 0..40usize {
            let name: String = (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            let mut out = b"[x".to_vec();
            key(&mut out, &name);
            assert_eq!(String::from_utf8(out).unwrap(), format!("[x,\"{name}\":"), "length {len}");
        }
    }

    /// Dense and sparse escapes mixed at random (several per window, runs of
    /// them, escapes at window ends and in the last partial window), in
    /// strings up to seven windows long: the same as serde_json.
    #[test]
    fn dense_escapes_agree_with_serde_json() {
        let alphabet = ['"', '\\', '\n', '\u{1}', 'a', 'b', ' ', '<', 'é', '\t'];
        let mut x = 0x9e37_79b9u32;
        for len in 0..230usize {
            for density in [1u32, 3, 6, 10] {
                let s: String = (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                        let r = x >> 16;
                        if r % 10 < density {
                            alphabet[(r / 10 % 4) as usize]
                        } else {
                            alphabet[4 + (r / 10 % 6) as usize]
                        }
                    })
                    .collect();
                assert_eq!(esc(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
            }
        }
    }

    /// Every length up to three blocks, with a byte to escape (or a byte
    /// next to one in value: 0x1f, 0x20, 0x21, 0x5b, 0x7f, and a two-byte
    /// character) at each position, and at two positions at once: the
    /// block, word and last-word paths all agree with serde_json.
    #[test]
    fn escapes_at_every_position() {
        let specials = ['"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '!', '[', '\u{7f}', 'é'];
        for len in 0..100usize {
            let base: Vec<char> = (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            let s: String = base.iter().collect();
            assert_eq!(esc(&s), serde_json::to_string(&s).unwrap());
            for pos in 0..len {
                for &c in &specials {
                    let mut v = base.clone();
                    v[pos] = c;
                    let s: String = v.iter().collect();
                    assert_eq!(esc(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
                    let mut w = v.clone();
                    w[len - 1 - pos] = '"';
                    let s: String = w.iter().collect();
                    assert_eq!(esc(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
                }
            }
        }
    }
}
