//! Attribute iteration without quick-xml's per-tag allocation.
//!
//! quick-xml checks that a start tag's attribute names are unique by
//! collecting them in a `Vec` made for each tag: a malloc and a free for
//! nearly every element of a document, a tenth of all reading time. Tags
//! carry few attributes, so the names are compared here in a small array,
//! and the iteration runs with quick-xml's check off.

use quick_xml::events::attributes::{Attribute, Attributes};
use quick_xml::events::BytesStart;

/// Attribute names compared without allocating; more spill into a `Vec`.
const INLINE: usize = 8;

/// The attributes of `e`, each an error if malformed or if its name
/// repeats (a well-formedness error in XML).
pub(crate) fn unique<'a>(e: &'a BytesStart<'_>) -> Unique<'a> {
    let mut inner = e.attributes();
    inner.with_checks(false);
    Unique {
        inner,
        seen: [&[]; INLINE],
        len: 0,
        more: Vec::new(),
    }
}

pub(crate) struct Unique<'a> {
    inner: Attributes<'a>,
    seen: [&'a [u8]; INLINE],
    len: usize,
    more: Vec<&'a [u8]>,
}

impl<'a> Iterator for Unique<'a> {
    type Item = Result<Attribute<'a>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let a = match self.inner.next()? {
            Ok(a) => a,
            Err(e) => return Some(Err(format!("malformed attribute: {e}"))),
        };
        let key: &'a [u8] = a.key.into_inner();
        let seen = self.seen.get(..self.len).unwrap_or_default();
        if seen.contains(&key) || self.more.contains(&key) {
            return Some(Err(format!(
                "attribute {} repeats",
                String::from_utf8_lossy(key)
            )));
        }
        match self.seen.get_mut(self.len) {
            Some(slot) => {
                *slot = key;
                self.len += 1;
            }
            None => self.more.push(key),
        }
        Some(Ok(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(tag: &str) -> Result<Vec<String>, String> {
        let e = BytesStart::from_content(tag, tag.find(' ').unwrap_or(tag.len()));
        unique(&e)
            .map(|a| a.map(|a| String::from_utf8_lossy(a.key.as_ref()).into_owned()))
            .collect()
    }

    #[test]
    fn repeated_names_are_errors_however_many_attributes() {
        assert_eq!(keys(r#"p a="1" b="2""#).unwrap(), ["a", "b"]);
        assert!(keys(r#"p a="1" a="2""#)
            .unwrap_err()
            .contains("attribute a repeats"));
        let many: String = (0..20).map(|i| format!(r#" a{i}="x""#)).collect();
        assert_eq!(keys(&format!("p{many}")).unwrap().len(), 20);
        assert!(keys(&format!(r#"p{many} a3="y""#))
            .unwrap_err()
            .contains("a3"));
        assert!(keys(&format!(r#"p{many} a15="y""#))
            .unwrap_err()
            .contains("a15"));
        assert!(keys(r#"p a="1" b"#)
            .unwrap_err()
            .contains("malformed attribute"));
    }
}
