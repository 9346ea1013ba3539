//! A start tag's attributes, scanned in one pass without quick-xml's
//! attribute iterator.
//!
//! quick-xml's iterator is general (HTML mode, unquoted values, a state
//! machine stepped byte by byte, a `Vec` per tag for its duplicate check):
//! it was a sixth of all XML reading time. XML allows one form only,
//! `S Name S? '=' S? AttValue` with the value in double or single quotes
//! and no `<` in it, and names unique in the tag. This scanner accepts
//! exactly that, finds each value's closing quote with memchr, and compares
//! names in a small array.

use std::borrow::Cow;

/// Attribute names compared without allocating; more spill into a `Vec`.
const INLINE: usize = 8;

/// One attribute: its name and its value as written (references not
/// decoded).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attr<'a> {
    pub(crate) key: &'a [u8],
    pub(crate) value: &'a [u8],
}

impl<'a> Attr<'a> {
    /// The prefix of the name (`xmlns` of `xmlns:x`), if it has one.
    pub(crate) fn prefix(&self) -> Option<&'a [u8]> {
        let i = memchr::memchr(b':', self.key)?;
        self.key.get(..i)
    }

    /// The value with its character and entity references decoded;
    /// borrowed when it holds none.
    pub(crate) fn decoded(&self) -> Result<Cow<'a, str>, String> {
        let text = std::str::from_utf8(self.value).map_err(|e| e.to_string())?;
        if !self.value.contains(&b'&') {
            return Ok(Cow::Borrowed(text));
        }
        quick_xml::escape::unescape(text).map_err(|e| e.to_string())
    }
}

/// The attributes of a start tag, given the text after its name (quick-xml's
/// `attributes_raw`): each an error if malformed or if its name repeats (a
/// well-formedness error in XML). Iteration ends after the first error.
pub(crate) fn scan(raw: &[u8]) -> Attrs<'_> {
    Attrs {
        raw,
        pos: 0,
        seen: [&[]; INLINE],
        len: 0,
        more: Vec::new(),
    }
}

pub(crate) struct Attrs<'a> {
    raw: &'a [u8],
    /// Where scanning goes on; past the end after an error.
    pos: usize,
    seen: [&'a [u8]; INLINE],
    len: usize,
    more: Vec<&'a [u8]>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Attrs<'a> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.raw.get(at).copied()
    }

    fn skip_space(&mut self) -> bool {
        let from = self.pos;
        while self.byte(self.pos).is_some_and(is_space) {
            self.pos += 1;
        }
        self.pos > from
    }

    fn fail(&mut self, why: &str) -> Option<Result<Attr<'a>, String>> {
        self.pos = usize::MAX;
        Some(Err(format!("malformed attribute: {why}")))
    }

    /// Records `key`; false if the tag had it already.
    fn first_time(&mut self, key: &'a [u8]) -> bool {
        let seen = self.seen.get(..self.len).unwrap_or_default();
        if seen.contains(&key) || self.more.contains(&key) {
            return false;
        }
        match self.seen.get_mut(self.len) {
            Some(slot) => {
                *slot = key;
                self.len += 1;
            }
            None => self.more.push(key),
        }
        true
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.raw.len() {
            return None;
        }
        let spaced = self.skip_space();
        if self.pos >= self.raw.len() {
            return None;
        }
        if !spaced {
            return self.fail("attributes must be separated by white space");
        }
        let start = self.pos;
        while self
            .byte(self.pos)
            .is_some_and(|b| !is_space(b) && b != b'=')
        {
            self.pos += 1;
        }
        let key = self.raw.get(start..self.pos).unwrap_or_default();
        if key.is_empty()
            || key
                .iter()
                .any(|b| matches!(b, b'"' | b'\'' | b'<' | b'>' | b'&' | b'/'))
        {
            return self.fail("expected an attribute name");
        }
        self.skip_space();
        if self.byte(self.pos) != Some(b'=') {
            let name = String::from_utf8_lossy(key).into_owned();
            return self.fail(&format!("expected `=` after {name}"));
        }
        self.pos += 1;
        self.skip_space();
        let quote = match self.byte(self.pos) {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return self.fail("the value must be in quotes"),
        };
        let rest = self.raw.get(self.pos + 1..).unwrap_or_default();
        let Some(len) = memchr::memchr2(quote, b'<', rest) else {
            return self.fail("the value's closing quote is missing");
        };
        if rest.get(len) == Some(&b'<') {
            return self.fail("`<` is not allowed in attribute values");
        }
        let value = rest.get(..len).unwrap_or_default();
        self.pos += len + 2;
        if !self.first_time(key) {
            self.pos = usize::MAX;
            return Some(Err(format!(
                "attribute {} repeats",
                String::from_utf8_lossy(key)
            )));
        }
        Some(Ok(Attr { key, value }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(raw: &str) -> Result<Vec<String>, String> {
        scan(raw.as_bytes())
            .map(|a| a.map(|a| String::from_utf8_lossy(a.key).into_owned()))
            .collect()
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
        let values: Vec<(String, String)> = scan(b" a = 'x\"y' \n b=\"\" c:d=\"&amp;\" ")
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8_lossy(a.key).into_owned(),
                    String::from_utf8_lossy(a.value).into_owned(),
                )
            })
            .collect();
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
    fn values_decode_references() {
        let a = scan(br#" v="a &lt; b &#x41;""#).next().unwrap().unwrap();
        assert_eq!(a.decoded().unwrap(), "a < b A");
        let a = scan(br#" v="plain""#).next().unwrap().unwrap();
        assert!(matches!(a.decoded().unwrap(), Cow::Borrowed("plain")));
        let a = scan(br#" v="&bogus;""#).next().unwrap().unwrap();
        assert!(a.decoded().is_err());
        assert_eq!(a.prefix(), None);
        let a = scan(br#" xmlns:p="u""#).next().unwrap().unwrap();
        assert_eq!(a.prefix(), Some(&b"xmlns"[..]));
    }
}
