//! FHIR's additions to FHIRPath: `extension(url)`, `hasValue()`,
//! `getValue()`, `resolve()`, `htmlChecks()`; terminology and profile
//! functions are reported as unsupported. Also the clock functions
//! `now()`, `today()`, `timeOfDay()`.

use fhir_model::rt::Element;

use super::{one, Call};
use crate::ast::TypeSpec;
use crate::datetime::TemporalKind;
use crate::error::Error;
use crate::eval::now;
use crate::item::{child_text, Item, Node, Repr};
use crate::types::is_type;
use crate::value::Value;

/// Resources reachable from `root` by `resolve()`: itself, its contained
/// resources, and the resources of Bundle entries (with their fullUrl).
fn candidates<'a>(root: &Item<'a>, out: &mut Vec<(Option<String>, Item<'a>)>) {
    out.push((None, root.clone()));
    let mut contained = Vec::new();
    let _ = root.child("contained", false, &mut contained);
    out.extend(contained.into_iter().map(|c| (None, c)));
    let mut entries = Vec::new();
    let _ = root.child("entry", false, &mut entries);
    for e in entries {
        let full = e.as_element().and_then(|e| child_text(e, "fullUrl"));
        let mut res = Vec::new();
        let _ = e.child("resource", false, &mut res);
        for r in res {
            out.push((full.clone(), r.clone()));
            let mut contained = Vec::new();
            let _ = r.child("contained", false, &mut contained);
            out.extend(contained.into_iter().map(|c| (None, c)));
        }
    }
}

fn matches_reference(reference: &str, full_url: Option<&str>, res: &dyn Element) -> bool {
    if full_url == Some(reference) {
        return true;
    }
    let Some(id) = child_text(res, "id") else {
        return false;
    };
    let ty = res.type_info().name;
    if let Some(local) = reference.strip_prefix('#') {
        return local == id;
    }
    let tail = format!("{ty}/{id}");
    reference == tail
        || reference.ends_with(&format!("/{tail}"))
        || reference.contains(&format!("{tail}/_history/"))
}

fn resolve<'a>(c: &Call<'_, '_, 'a>) -> Vec<Item<'a>> {
    let mut pool = Vec::new();
    for root in [&c.env.ctx.root_resource, &c.env.ctx.resource]
        .into_iter()
        .flatten()
    {
        candidates(root, &mut pool);
    }
    let mut out = Vec::new();
    for item in &c.input {
        let reference = match &item.repr {
            Repr::Node(Node::Element(e), _) => child_text(*e, "reference"),
            _ => match item.system_value() {
                Some(Value::String(s)) => Some(s),
                _ => None,
            },
        };
        let Some(reference) = reference else { continue };
        if let Some((_, found)) = pool.iter().find(|(full, r)| {
            r.as_element()
                .is_some_and(|e| matches_reference(&reference, full.as_deref(), e))
        }) {
            out.push(found.clone());
        }
    }
    out
}

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

/// `htmlChecks()`: only the elements FHIR narrative allows, and no active
/// content (event-handler attributes, `javascript:` links). A lexical scan,
/// not a full XHTML parse: well-formedness is the reader's job.
fn html_is_safe(text: &str) -> bool {
    // Runs on every narrative of every resource validated (txt-1, txt-2):
    // one SIMD pass over the text for `<` and `:`, no copy of it.
    let bytes = text.as_bytes();
    for at in memchr::memchr2_iter(b'<', b':', bytes) {
        if bytes.get(at) == Some(&b':') {
            if is_javascript_scheme(bytes, at) {
                return false;
            }
            continue;
        }
        let tag = text.get(at + 1..).unwrap_or_default().trim_start_matches('/');
        if tag.starts_with(['!', '?']) {
            continue;
        }
        let name_len = tag
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b':')
            .count();
        let name = tag.get(..name_len).unwrap_or_default();
        let local = name
            .rfind(':')
            .map_or(name, |colon| name.get(colon + 1..).unwrap_or_default());
        if !is_narrative_element(local) {
            return false;
        }
        let end = tag.find('>').unwrap_or(tag.len());
        let attrs = tag.get(name_len..end).unwrap_or_default();
        if attribute_names(attrs).any(|a| a.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on"))) {
            return false;
        }
    }
    true
}

/// Whether the `:` at `colon` ends `javascript`, in any letter case.
fn is_javascript_scheme(bytes: &[u8], colon: usize) -> bool {
    const SCHEME: &[u8] = b"javascript";
    colon >= SCHEME.len()
        && bytes.get(colon - SCHEME.len()..colon).is_some_and(|w| w.eq_ignore_ascii_case(SCHEME))
}

/// Whether `name` (any letter case) is one of [`HTML_ELEMENTS`]: packed
/// into an integer and binary-searched among the packed names (the list is
/// sorted, and big-endian packing with zero padding keeps that order), so
/// the per-tag check is a few integer comparisons.
fn is_narrative_element(name: &str) -> bool {
    if name.len() > 16 {
        return false;
    }
    let mut packed = 0u128;
    for (i, b) in name.bytes().enumerate() {
        packed |= u128::from(b.to_ascii_lowercase()) << (8 * (15 - i));
    }
    PACKED_HTML_ELEMENTS.binary_search(&packed).is_ok()
}

// Const evaluation has no `get`; the loops bound every index, and an
// out-of-bounds index would fail the build, not a run.
#[allow(clippy::indexing_slicing)]
const fn pack(name: &str) -> u128 {
    let bytes = name.as_bytes();
    let mut packed = 0u128;
    let mut i = 0;
    while i < bytes.len() && i < 16 {
        packed |= (bytes[i] as u128) << (8 * (15 - i));
        i += 1;
    }
    packed
}

#[allow(clippy::indexing_slicing)]
const PACKED_HTML_ELEMENTS: [u128; HTML_ELEMENTS.len()] = {
    let mut out = [0u128; HTML_ELEMENTS.len()];
    let mut i = 0;
    while i < HTML_ELEMENTS.len() {
        out[i] = pack(HTML_ELEMENTS[i]);
        i += 1;
    }
    out
};

/// The attribute names of a start tag's attribute text (`a="x y" b='z' c`),
/// skipping quoted values, so that words inside a `title` are not taken for
/// attributes.
fn attribute_names(attrs: &str) -> impl Iterator<Item = &str> {
    let bytes = attrs.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/') {
                i += 1;
            }
            if i >= bytes.len() {
                return None;
            }
            let start = i;
            while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace() && *b != b'=' && *b != b'/') {
                i += 1;
            }
            let name = attrs.get(start..i).unwrap_or_default();
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        // Values (`style`, `href`) can be long: skip to the
                        // closing quote in one search.
                        i += 1;
                        i = memchr::memchr(q, bytes.get(i..).unwrap_or_default()).map_or(bytes.len(), |at| i + at);
                        i += 1;
                    }
                    _ => {
                        while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
                            i += 1;
                        }
                    }
                }
            }
            if !name.is_empty() {
                return Some(name);
            }
        }
    })
}

pub(super) fn call<'a>(c: &mut Call<'_, '_, 'a>) -> Result<Option<Vec<Item<'a>>>, Error> {
    Ok(Some(match c.name {
        "extension" => {
            let url = c.arg_string(0)?;
            let mut exts = Vec::new();
            for item in &c.input {
                let _ = item.child("extension", false, &mut exts);
            }
            exts.into_iter()
                .filter(|e| {
                    e.as_element().and_then(|e| child_text(e, "url")).as_deref() == url.as_deref()
                })
                .collect()
        }
        "hasValue" => {
            let yes = matches!(c.input.as_slice(), [one] if matches!(&one.repr,
                Repr::Node(Node::Primitive(p), _) if p.has_value()));
            vec![Item::boolean(yes)]
        }
        "getValue" => match c.input.as_slice() {
            [one] if matches!(one.repr, Repr::Node(Node::Primitive(_), _)) => {
                one.system_value().map(Item::value).into_iter().collect()
            }
            _ => Vec::new(),
        },
        "resolve" => resolve(c),
        "htmlChecks" => match c.input.as_slice() {
            [one] => match one.string_text() {
                Some(s) => vec![Item::boolean(html_is_safe(&s))],
                None => Vec::new(),
            },
            _ => Vec::new(),
        },
        "memberOf" | "subsumes" | "subsumedBy" | "expand" | "lookup" | "validateVS"
        | "validateCS" | "translate" => {
            return Err(Error::unsupported(format!(
                "{}() needs a terminology service",
                c.name
            )))
        }
        "conformsTo" => {
            // Only the core definitions (one per type) are known here; a
            // profile needs a validator.
            const CORE: &str = "http://hl7.org/fhir/StructureDefinition/";
            let url = c.arg_string(0)?.unwrap_or_default();
            let Some(name) = url.strip_prefix(CORE) else {
                return Err(Error::execution(format!(
                    "conformsTo(): unknown profile {url}"
                )));
            };
            let spec = TypeSpec {
                namespace: Some("FHIR".into()),
                name: name.to_owned(),
            };
            let mut out = Vec::new();
            for item in &c.input {
                out.push(Item::boolean(is_type(item, &spec)?));
            }
            out
        }
        "now" => return one(Value::Temporal(now())).map(Some),
        "today" => {
            let mut t = now();
            t.kind = TemporalKind::Date;
            (t.hour, t.minute, t.second, t.fraction, t.tz) = (None, None, None, None, None);
            return one(Value::Temporal(t)).map(Some);
        }
        "timeOfDay" => {
            let mut t = now();
            t.kind = TemporalKind::Time;
            (t.year, t.month, t.day, t.tz) = (None, None, None, None);
            return one(Value::Temporal(t)).map(Some);
        }
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod html_tests {
    #[test]
    fn attribute_values_are_not_attributes() {
        assert!(super::html_is_safe("<div xmlns=\"http://www.w3.org/1999/xhtml\"><span title=\"based on once\">x</span></div>"));
        assert!(!super::html_is_safe("<div><span onclick=\"x()\">x</span></div>"));
        assert!(!super::html_is_safe("<div><span title='a' onload=x>x</span></div>"));
        assert!(!super::html_is_safe("<div><script>x</script></div>"));
        let names: Vec<&str> = super::attribute_names(" a=\"x y\" b='on z' c d=e").collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
    }

    #[test]
    fn element_list_is_sorted_and_fits_the_buffer() {
        assert!(super::HTML_ELEMENTS.windows(2).all(|w| w[0] < w[1]));
        assert!(super::PACKED_HTML_ELEMENTS.windows(2).all(|w| w[0] < w[1]));
        assert!(super::HTML_ELEMENTS.iter().all(|e| e.len() <= 16 && super::is_narrative_element(e)));
        assert!(!super::is_narrative_element("abbreviationsxyz"));
        assert!(!super::is_narrative_element(""));
    }

    #[test]
    fn letter_case_does_not_hide_anything() {
        assert!(super::html_is_safe("<DIV><P>x</P><Table><TR><td>1</td></TR></Table></DIV>"));
        assert!(!super::html_is_safe("<div><SCRIPT>x</SCRIPT></div>"));
        assert!(!super::html_is_safe("<div><span OnClick=\"x()\">x</span></div>"));
        assert!(!super::html_is_safe("<div><a href=\"JavaScript:alert(1)\">x</a></div>"));
        assert!(!super::html_is_safe("<div>see javascript:void</div>"));
        assert!(super::html_is_safe("<div>java: script: http://x</div>"));
        assert!(super::html_is_safe("<xhtml:div xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">x</xhtml:div>"));
        assert!(!super::html_is_safe("<div><</div>"));
    }
}
