//! `htmlChecks()`: only the elements FHIR narrative allows, and no active
//! content (event-handler attributes, `javascript:` links). A lexical scan,
//! not a full XHTML parse: well-formedness is the reader's job.
//!
//! It runs on every narrative of every resource validated (txt-1, txt-2:
//! 66 MB of XHTML in the R4 examples), so each part is one SIMD search over
//! the bytes and no copy: the `javascript:` test looks only at each `:`, the
//! tag test only at each `<` (both also inside attribute values: a `<` in a
//! quoted value is taken for a tag, as a strict reader would reject it).

/// Elements FHIR narrative may use (the XHTML rules of the FHIR
/// specification, narrative.html): formatting, lists, tables, links, images.
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "b",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "ul",
    "var",
];

/// Whether the narrative `text` uses only [`HTML_ELEMENTS`], no attribute
/// whose name starts with `on` (any letter case) and no `javascript:`.
///
/// One search for both bytes that matter: the R4 examples' narratives hold
/// a `<` every 42 bytes on average, so the cost is mostly per tag.
pub(super) fn html_is_safe(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'<', b':', bytes).all(|at| match bytes.get(at) {
        Some(b'<') => tag_is_safe(bytes.get(at + 1..).unwrap_or_default()),
        _ => !is_javascript_scheme(bytes, at),
    })
}

/// Whether the `:` at `colon` ends `javascript`, in any letter case.
fn is_javascript_scheme(bytes: &[u8], colon: usize) -> bool {
    const SCHEME: &[u8] = b"javascript";
    colon >= SCHEME.len()
        && bytes
            .get(colon - SCHEME.len()..colon)
            .is_some_and(|w| w.eq_ignore_ascii_case(SCHEME))
}

/// The longest name in [`HTML_ELEMENTS`] (`blockquote`): a longer name is
/// none of them, and ten letters fit a `u64` at six bits each.
const MAX_NAME: usize = 10;

/// The six-bit code of a name byte (letters in either case as one), in
/// ASCII order so that packed names sort like the names; `None` for a byte
/// that is no letter or digit.
const fn code(c: u8) -> Option<u64> {
    match c {
        b'0'..=b'9' => Some((c - b'0') as u64 + 1),
        b'a'..=b'z' => Some((c - b'a') as u64 + 11),
        b'A'..=b'Z' => Some((c - b'A') as u64 + 11),
        _ => None,
    }
}

/// The check of one tag, `tag` being the text after its `<`: a narrative
/// element (after any namespace prefix; end tags too), and no event-handler
/// attribute before the next `>`. Comments and processing instructions
/// (`<!`, `<?`) pass.
fn tag_is_safe(tag: &[u8]) -> bool {
    let mut i = tag.iter().take_while(|&&c| c == b'/').count();
    if matches!(tag.get(i), Some(b'!' | b'?')) {
        return true;
    }
    // The name (letters, digits, `:`), its local part packed as it is read.
    let mut packed = 0u64;
    let mut local_len = 0usize;
    while let Some(&c) = tag.get(i) {
        if let Some(code) = code(c) {
            if local_len < MAX_NAME {
                packed = (packed << 6) | code;
            }
            local_len += 1;
        } else if c == b':' {
            (packed, local_len) = (0, 0);
        } else {
            break;
        }
        i += 1;
    }
    if local_len > MAX_NAME {
        return false;
    }
    // Left-aligned, as the table is built.
    let packed = packed << (6 * (MAX_NAME - local_len));
    if PACKED_HTML_ELEMENTS.binary_search(&packed).is_err() {
        return false;
    }
    let rest = tag.get(i..).unwrap_or_default();
    let attrs = rest
        .get(..memchr::memchr(b'>', rest).unwrap_or(rest.len()))
        .unwrap_or_default();
    // An `on...` attribute name needs the letters `on` somewhere: most tags
    // have none, and are not parsed further. (A byte loop over the tag
    // instead of the two searches cost more: attribute text is long.)
    let may_have_on = memchr::memchr2_iter(b'o', b'O', attrs).any(|o| {
        attrs
            .get(o + 1)
            .is_some_and(|n| n.eq_ignore_ascii_case(&b'n'))
    });
    !may_have_on
        || !attribute_names(attrs)
            .any(|a| a.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(b"on")))
}

/// Whether `name` (any letter case) is one of [`HTML_ELEMENTS`].
#[cfg(test)]
fn is_narrative_element(name: &str) -> bool {
    name.len() <= MAX_NAME
        && !name.is_empty()
        && PACKED_HTML_ELEMENTS
            .binary_search(&pack(name.as_bytes()))
            .is_ok()
}

/// A name of up to [`MAX_NAME`] letters and digits packed big-endian at six
/// bits a byte ([`code`]), left-aligned and zero-padded: packing keeps the
/// order of the sorted [`HTML_ELEMENTS`], so a name is looked up by binary
/// search among [`PACKED_HTML_ELEMENTS`] in a few integer comparisons.
// Const evaluation has no `get`; the loop bounds every index, and an
// out-of-bounds index would fail the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn pack(bytes: &[u8]) -> u64 {
    let mut packed = 0u64;
    let mut i = 0;
    while i < MAX_NAME {
        let c = if i < bytes.len() {
            match code(bytes[i]) {
                Some(c) => c,
                None => 0,
            }
        } else {
            0
        };
        packed = (packed << 6) | c;
        i += 1;
    }
    packed
}

#[allow(clippy::indexing_slicing)]
const PACKED_HTML_ELEMENTS: [u64; HTML_ELEMENTS.len()] = {
    let mut out = [0u64; HTML_ELEMENTS.len()];
    let mut i = 0;
    while i < HTML_ELEMENTS.len() {
        assert!(HTML_ELEMENTS[i].len() <= MAX_NAME);
        out[i] = pack(HTML_ELEMENTS[i].as_bytes());
        i += 1;
    }
    out
};

/// The attribute names of a start tag's attribute text (`a="x y" b='z' c`),
/// skipping quoted values, so that words inside a `title` are not taken for
/// attributes.
fn attribute_names(attrs: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut i = 0;
    std::iter::from_fn(move || loop {
        while attrs
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            i += 1;
        }
        if i >= attrs.len() {
            return None;
        }
        let start = i;
        while attrs
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'=' && *b != b'/')
        {
            i += 1;
        }
        let name = attrs.get(start..i).unwrap_or_default();
        while attrs.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if attrs.get(i) == Some(&b'=') {
            i += 1;
            while attrs.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match attrs.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    // Values (`style`, `href`) can be long: skip to the
                    // closing quote in one search.
                    i += 1;
                    i = memchr::memchr(q, attrs.get(i..).unwrap_or_default())
                        .map_or(attrs.len(), |at| i + at);
                    i += 1;
                }
                _ => {
                    while attrs.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
                        i += 1;
                    }
                }
            }
        }
        if !name.is_empty() {
            return Some(name);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{
        attribute_names, html_is_safe, is_narrative_element, HTML_ELEMENTS, PACKED_HTML_ELEMENTS,
    };

    #[test]
    fn attribute_values_are_not_attributes() {
        assert!(html_is_safe("<div xmlns=\"http://www.w3.org/1999/xhtml\"><span title=\"based on once\">x</span></div>"));
        assert!(!html_is_safe("<div><span onclick=\"x()\">x</span></div>"));
        assert!(!html_is_safe(
            "<div><span title='a' onload=x>x</span></div>"
        ));
        assert!(!html_is_safe("<div><script>x</script></div>"));
        let names: Vec<&[u8]> = attribute_names(b" a=\"x y\" b='on z' c d=e").collect();
        assert_eq!(names, [b"a".as_slice(), b"b", b"c", b"d"]);
    }

    #[test]
    fn element_list_is_sorted_and_fits_the_buffer() {
        assert!(HTML_ELEMENTS.windows(2).all(|w| w[0] < w[1]));
        assert!(PACKED_HTML_ELEMENTS.windows(2).all(|w| w[0] < w[1]));
        assert!(HTML_ELEMENTS
            .iter()
            .all(|e| e.len() <= super::MAX_NAME && is_narrative_element(e)));
        assert!(!is_narrative_element("abbreviationsxyz"));
        assert!(!is_narrative_element(""));
    }

    #[test]
    fn letter_case_does_not_hide_anything() {
        assert!(html_is_safe(
            "<DIV><P>x</P><Table><TR><td>1</td></TR></Table></DIV>"
        ));
        assert!(!html_is_safe("<div><SCRIPT>x</SCRIPT></div>"));
        assert!(!html_is_safe("<div><span OnClick=\"x()\">x</span></div>"));
        assert!(!html_is_safe(
            "<div><a href=\"JavaScript:alert(1)\">x</a></div>"
        ));
        assert!(!html_is_safe("<div>see javascript:void</div>"));
        assert!(html_is_safe("<div>java: script: http://x</div>"));
        assert!(html_is_safe(
            "<xhtml:div xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">x</xhtml:div>"
        ));
        assert!(!html_is_safe("<div><</div>"));
    }

    #[test]
    fn names_are_read_whole() {
        // A prefix of an allowed name, an allowed name with more letters, a
        // name ending in `:`, an over-long name, a known local name after
        // several prefixes, comments and end tags.
        assert!(!html_is_safe("<div><dx>x</dx></div>"));
        assert!(!html_is_safe("<div><spanx>x</spanx></div>"));
        assert!(!html_is_safe("<div><x:>x</x:></div>"));
        assert!(!html_is_safe(
            "<div><blockquoteblockquote>x</blockquoteblockquote></div>"
        ));
        assert!(html_is_safe("<a:b:div>x</a:b:div>"));
        assert!(html_is_safe("<div><!-- x --><?pi?>x<//p></div>"));
        assert!(!html_is_safe("<div><!-- <script> -->x</div>"));
        assert!(!html_is_safe("<div></script></div>"));
        assert!(html_is_safe("<div><p class=\"section none\">x</p></div>"));
        assert!(!html_is_safe(
            "<div><p class=\"a\"/ONmouseover=1>x</p></div>"
        ));
    }
}
