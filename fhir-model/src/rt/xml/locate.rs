//! Finds where an element path points in FHIR XML text, for issues found
//! after reading (validation), which carry a path but no position.
//!
//! The path's segments are element names with optional indices
//! (`Patient.name[0].given[1]`; the first segment is the root element). An
//! index counts the siblings of that name; a segment without one is the
//! first. A resource inside its wrapper (`<resource><Patient>`) is no
//! segment of its own, as in FHIRPath (`Bundle.entry[0].resource.id`).

use quick_xml::events::Event;
use quick_xml::Reader;

/// 1-based (line, column) of the start tag the path names, or of the
/// deepest element on the path that exists. `None` when the text is not
/// XML up to the root, or the root has another name.
pub fn locate(text: &[u8], path: &str) -> Option<(usize, usize)> {
    let segs = parse_path(path);
    let mut r = Reader::from_reader(text);
    r.config_mut().trim_text(false);
    // Per open element: whether it is on the path, and how many children
    // of each name it had so far (only counted on the path).
    let mut stack: Vec<Frame> = Vec::new();
    let mut matched = 0usize;
    let mut best: Option<usize> = None;
    loop {
        let before = usize::try_from(r.buffer_position()).unwrap_or(0);
        let (start, empty) = match r.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(_)) => {
                stack.pop();
                continue;
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        let name = local_name(start.name().into_inner());
        let on_path = match stack.last_mut() {
            None => {
                let root = segs.first().is_some_and(|(n, _)| n.as_bytes() == name);
                if root {
                    matched = 1;
                    best = Some(before);
                }
                root
            }
            Some(parent) if !parent.on_path => false,
            // A resource in its wrapper: transparent.
            Some(parent) if parent.wrapper && name.first().is_some_and(u8::is_ascii_uppercase) => true,
            Some(parent) => {
                let seen = parent.count(name);
                let hit = segs
                    .get(matched)
                    .is_some_and(|(n, i)| n.as_bytes() == name && i.unwrap_or(0) == seen);
                if hit {
                    matched += 1;
                    best = Some(before);
                }
                hit
            }
        };
        if on_path && matched == segs.len() {
            break;
        }
        if !empty {
            stack.push(Frame { on_path, wrapper: on_path, counts: Vec::new() });
        }
    }
    best.map(|b| super::de::line_col(text, b))
}

struct Frame {
    on_path: bool,
    /// May hold a resource (any element on the path may: `contained`,
    /// `resource`, `outcome`...); resource names start upper-case, element
    /// names lower-case.
    wrapper: bool,
    counts: Vec<(Vec<u8>, usize)>,
}

impl Frame {
    /// How many children named `name` came before this one; counts it.
    fn count(&mut self, name: &[u8]) -> usize {
        match self.counts.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => {
                *c += 1;
                *c - 1
            }
            None => {
                self.counts.push((name.to_vec(), 1));
                0
            }
        }
    }
}

fn local_name(qname: &[u8]) -> &[u8] {
    match qname.iter().position(|&b| b == b':') {
        Some(i) => qname.get(i + 1..).unwrap_or(qname),
        None => qname,
    }
}

/// `a.b[2].c` → `[("a", None), ("b", Some(2)), ("c", None)]`.
fn parse_path(path: &str) -> Vec<(&str, Option<usize>)> {
    path.split('.')
        .filter(|p| !p.is_empty())
        .map(|part| match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
            None => (part, None),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::locate;

    const DOC: &str = "<Bundle xmlns=\"http://hl7.org/fhir\">\n  <id value=\"b\"/>\n  <entry>\n    <resource>\n      <Patient>\n        <name><given value=\"a\"/></name>\n        <name>\n          <given value=\"b\"/>\n          <given value=\"c\"/>\n        </name>\n      </Patient>\n    </resource>\n  </entry>\n</Bundle>";

    #[test]
    fn finds_elements_by_name_and_index_through_resource_wrappers() {
        assert_eq!(locate(DOC.as_bytes(), "Bundle"), Some((1, 1)));
        assert_eq!(locate(DOC.as_bytes(), "Bundle.id"), Some((2, 3)));
        assert_eq!(locate(DOC.as_bytes(), "Bundle.entry[0].resource.name[1].given[1]"), Some((9, 11)));
        assert_eq!(locate(DOC.as_bytes(), "Bundle.entry[0].resource.name[0].given[0]"), Some((6, 15)));
    }

    #[test]
    fn falls_back_to_the_deepest_existing_element() {
        assert_eq!(locate(DOC.as_bytes(), "Bundle.entry[0].resource.name[1].family"), Some((7, 9)));
        assert_eq!(locate(DOC.as_bytes(), "Bundle.entry[3]"), Some((1, 1)));
        assert_eq!(locate(DOC.as_bytes(), "Patient.name"), None);
        assert_eq!(locate(b"<<", "Patient"), None);
    }
}
