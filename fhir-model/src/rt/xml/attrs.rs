//! Attributes of start tags, scanned without quick-xml's attribute iterator.
//!
//! quick-xml's iterator is general (HTML mode, unquoted values, a state
//! machine stepped byte by byte, a `Vec` per tag for its duplicate check):
//! it was a sixth of all XML reading time. XML allows one form only,
//! `S Name S? '=' S? AttValue` with the value in double or single quotes
//! and no `<` in it, and names unique in the tag ([`Names`]). [`attribute`]
//! accepts exactly that, for the tokenizer ([`super::tokens`]), which reads
//! a tag's attributes as it looks for the tag's end.

use std::borrow::Cow;
use std::collections::HashSet;

/// Attribute names compared in a short list; past it, in a hash set, so
/// that a hostile tag with very many attributes costs linear time.
const INLINE: usize = 8;

/// Values scanned a word (eight bytes) at a time before memchr takes
/// over: most values are short (codes, dates, ids, URLs), and memchr's
/// setup costs more than they do; long ones (base64 data) are memchr's.
const SHORT: usize = 64;

/// One attribute: its name and its value as written (references not
/// decoded).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attr<'a> {
    pub(crate) key: &'a [u8],
    pub(crate) value: &'a [u8],
    /// The value holds a `&` (a reference to decode).
    pub(crate) refs: bool,
}

impl<'a> Attr<'a> {
    /// The prefix of the name (`xmlns` of `xmlns:x`), if it has one.
    pub(crate) fn prefix(&self) -> Option<&'a [u8]> {
        let i = self.key.iter().position(|&b| b == b':')?;
        self.key.get(..i)
    }

    /// The value with its character and entity references decoded;
    /// borrowed when it holds none.
    pub(crate) fn decoded(&self) -> Result<Cow<'a, str>, String> {
        let text = std::str::from_utf8(self.value).map_err(|e| e.to_string())?;
        if !self.refs {
            return Ok(Cow::Borrowed(text));
        }
        quick_xml::escape::unescape(text).map_err(|e| e.to_string())
    }
}

pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// A malformed-attribute message.
fn malformed(why: &str) -> String {
    format!("malformed attribute: {why}")
}

/// The attribute starting at `at` in `text` (at its name, past the white
/// space before it), and where scanning goes on after its closing quote.
/// The name ends at white space, `=`, `/` or `>`, none of which names hold.
pub(crate) fn attribute(text: &[u8], at: usize) -> Result<(Attr<'_>, usize), String> {
    let byte = |i: usize| text.get(i).copied();
    let mut pos = at;
    while byte(pos).is_some_and(|b| !is_space(b) && !matches!(b, b'=' | b'/' | b'>')) {
        pos += 1;
    }
    let key = text.get(at..pos).unwrap_or_default();
    if key.is_empty() || key.iter().any(|b| matches!(b, b'"' | b'\'' | b'<' | b'&')) {
        return Err(malformed("expected an attribute name"));
    }
    while byte(pos).is_some_and(is_space) {
        pos += 1;
    }
    if byte(pos) != Some(b'=') {
        let name = String::from_utf8_lossy(key);
        return Err(malformed(&format!("expected `=` after {name}")));
    }
    pos += 1;
    while byte(pos).is_some_and(is_space) {
        pos += 1;
    }
    let quote = match byte(pos) {
        Some(q @ (b'"' | b'\'')) => q,
        _ => return Err(malformed("the value must be in quotes")),
    };
    let rest = text.get(pos + 1..).unwrap_or_default();
    let (len, refs) = value_end(rest, quote)?;
    let value = rest.get(..len).unwrap_or_default();
    Ok((Attr { key, value, refs }, pos + len + 2))
}

/// The length of a value up to its closing `quote`, and whether it holds a
/// `&`.
fn value_end(rest: &[u8], quote: u8) -> Result<(usize, bool), String> {
    let mut refs = false;
    let mut at = 0;
    let stop = loop {
        if at >= SHORT {
            let tail = rest.get(at..).unwrap_or_default();
            let stop = memchr::memchr2(quote, b'<', tail).map(|n| at + n);
            let scanned = rest.get(at..stop.unwrap_or(at)).unwrap_or_default();
            refs |= memchr::memchr(b'&', scanned).is_some();
            break stop;
        }
        let Some(word) = rest
            .get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        else {
            // The last few bytes of the input.
            let tail = rest.get(at..).unwrap_or_default();
            let stop = tail.iter().position(|&b| b == quote || b == b'<');
            let scanned = tail.get(..stop.unwrap_or(0)).unwrap_or_default();
            refs |= scanned.contains(&b'&');
            break stop.map(|n| at + n);
        };
        let word = u64::from_le_bytes(word);
        let stops = bytes_equal(word, quote) | bytes_equal(word, b'<');
        let amps = bytes_equal(word, b'&');
        if stops != 0 {
            // The bits of the bytes before the first stop.
            let before = (stops & stops.wrapping_neg()) - 1;
            refs |= amps & before != 0;
            break Some(at + (stops.trailing_zeros() / 8) as usize);
        }
        refs |= amps != 0;
        at += 8;
    };
    let Some(len) = stop else {
        return Err(malformed("the value's closing quote is missing"));
    };
    if rest.get(len) == Some(&b'<') {
        return Err(malformed("`<` is not allowed in attribute values"));
    }
    Ok((len, refs))
}

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit of each byte of `word` that equals `b`: exact for the
/// first (lowest) such byte; bytes after it may be marked falsely, which
/// the callers, looking for the first only, never see.
fn bytes_equal(word: u64, b: u8) -> u64 {
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The names of a tag's attributes so far, to refuse a repeated one.
#[derive(Default)]
pub(crate) struct Names<'a> {
    few: [&'a [u8]; INLINE],
    len: usize,
    /// Created only for a tag with more than [`INLINE`] attributes (a
    /// `HashSet`'s creation reads its random keys).
    more: Option<HashSet<&'a [u8]>>,
}

impl<'a> Names<'a> {
    /// Forgets the names, for the next tag.
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        if let Some(more) = &mut self.more {
            more.clear();
        }
    }

    /// Records `key`; an error if the tag had it already (a
    /// well-formedness error in XML).
    pub(crate) fn insert(&mut self, key: &'a [u8]) -> Result<(), String> {
        let few = self.few.get(..self.len).unwrap_or_default();
        if few.contains(&key) || self.more.as_ref().is_some_and(|m| m.contains(key)) {
            return Err(format!(
                "attribute {} repeats",
                String::from_utf8_lossy(key)
            ));
        }
        match self.few.get_mut(self.len) {
            Some(slot) => {
                *slot = key;
                self.len += 1;
            }
            None => {
                self.more.get_or_insert_with(HashSet::new).insert(key);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names and values of the attributes of the tag `<t{raw}/>`.
    fn scan(raw: &str) -> Result<Vec<(String, String)>, String> {
        let tag = format!("<t{raw}/>");
        let mut tokens = super::super::Tokens::new(&tag);
        tokens.next().map_err(|e| e.message)?;
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Ok(tokens
            .attributes()
            .iter()
            .map(|a| (text(a.key), text(a.value)))
            .collect())
    }

    fn keys(raw: &str) -> Result<Vec<String>, String> {
        Ok(scan(raw)?.into_iter().map(|(k, _)| k).collect())
    }

    #[test]
    fn repeated_names_are_errors_however_many_attributes() {
        assert_eq!(keys(r#" a="1" b="2""#).unwrap(), ["a", "b"]);
        assert!(keys(r#" a="1" a="2""#)
            .unwrap_err()
            .contains("attribute a repeats"));
        let many: String = (0..20).map(|i| format!(r#" a{i}="x""#)).collect();
        assert_eq!(keys(&many).unwrap().len(), 20);
        assert!(keys(&format!(r#"{many} a3="y""#))
            .unwrap_err()
            .contains("a3"));
        assert!(keys(&format!(r#"{many} a15="y""#))
            .unwrap_err()
            .contains("a15"));
    }

    #[test]
    fn only_the_xml_form_is_accepted() {
        let values = scan(" a = 'x\"y' \n b=\"\" c:d=\"&amp;\" ").unwrap();
        assert_eq!(
            values,
            [("a", "x\"y"), ("b", ""), ("c:d", "&amp;")].map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(keys("").unwrap(), Vec::<String>::new());
        assert_eq!(keys("  ").unwrap(), Vec::<String>::new());
        for bad in [
            r#" a"#,
            r#" a="1"b="2""#,
            r#" a=1"#,
            r#" a="1"#,
            r#" a="<""#,
            r#" ="1""#,
            r#" a"b="1""#,
            r#" a b="1""#,
        ] {
            let e = keys(bad).unwrap_err();
            assert!(e.starts_with("malformed attribute"), "{bad}: {e}");
        }
    }

    #[test]
    fn values_end_at_their_quote_short_or_long() {
        for len in [0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 200] {
            for amp in [None, Some(0), Some(len / 2)] {
                let mut v = vec![b'a'; len];
                if let Some(i) = amp.filter(|&i| i < len) {
                    v[i] = b'&';
                }
                let refs = v.contains(&b'&');
                for tail in [&b"\" b='&'"[..], b"\"", b"\"&<"] {
                    let mut raw = v.clone();
                    raw.extend_from_slice(tail);
                    assert_eq!(value_end(&raw, b'"'), Ok((len, refs)), "{len} {amp:?}");
                }
                assert!(value_end(&v, b'"').is_err());
                let mut lt = v.clone();
                lt.extend_from_slice(b"<\"");
                assert!(value_end(&lt, b'"').unwrap_err().contains('<'));
            }
        }
    }

    #[test]
    fn values_decode_references() {
        let a = attribute(br#"v="a &lt; b &#x41;""#, 0).unwrap().0;
        assert_eq!(a.decoded().unwrap(), "a < b A");
        let a = attribute(br#"v="plain""#, 0).unwrap().0;
        assert!(matches!(a.decoded().unwrap(), Cow::Borrowed("plain")));
        let a = attribute(br#"v="&bogus;""#, 0).unwrap().0;
        assert!(a.decoded().is_err());
        assert_eq!(a.prefix(), None);
        let a = attribute(br#"xmlns:p="u""#, 0).unwrap().0;
        assert_eq!(a.prefix(), Some(&b"xmlns"[..]));
    }
}
