//! Namespace scopes, tracked by hand.
//!
//! quick-xml's namespace-aware reader parses every start tag's attributes
//! once to find declarations, before the FHIR reader parses them again for
//! their values: an eighth of all reading time. FHIR documents declare
//! namespaces on the root and on narrative divs only. The tokenizer notes
//! whether a tag declares any as it reads its attributes; every other tag
//! costs a prefix lookup in a short list.

/// The namespace of the `xml` prefix, bound in every document.
const XML_NS: &[u8] = b"http://www.w3.org/XML/1998/namespace";

/// The declarations in scope, each with the element depth that made it
/// (innermost last). Declarations are few, so they are copied.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    declared: Vec<Declaration>,
}

#[derive(Debug)]
struct Declaration {
    /// The depth of the element that made it.
    depth: usize,
    /// Empty for the default namespace.
    prefix: Box<[u8]>,
    namespace: Box<[u8]>,
    /// The namespace if it is one the readers look for ([`KNOWN`]), so that
    /// finding an element's namespace needs no string comparison.
    known: Option<Ns>,
}

/// The namespaces elements of FHIR XML are in: FHIR's, and XHTML's for
/// the narrative div.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ns {
    Fhir,
    Xhtml,
}

fn known(namespace: &[u8]) -> Option<Ns> {
    match namespace {
        super::FHIR_NS => Some(Ns::Fhir),
        super::XHTML_NS => Some(Ns::Xhtml),
        _ => None,
    }
}

impl Scopes {
    /// Takes the declarations among `attributes`, of the start tag of an
    /// element at `depth` (the root is 1).
    pub(crate) fn enter(
        &mut self,
        attributes: &[super::attrs::Attr<'_>],
        depth: usize,
    ) -> Result<(), String> {
        for a in attributes {
            self.declare(a.key, a.value, depth)?;
        }
        Ok(())
    }

    /// Takes one attribute of an element at `depth` if it declares a
    /// namespace (`xmlns` or `xmlns:prefix`); other attributes are ignored.
    pub(crate) fn declare(&mut self, key: &[u8], value: &[u8], depth: usize) -> Result<(), String> {
        let known = known(value);
        if key == b"xmlns" {
            self.declared.push(Declaration {
                depth,
                prefix: Box::default(),
                namespace: value.into(),
                known,
            });
        } else if let Some(prefix) = key.strip_prefix(b"xmlns:") {
            if value.is_empty() {
                return Err(format!(
                    "namespace prefix {} cannot be undeclared in XML 1.0",
                    String::from_utf8_lossy(prefix)
                ));
            }
            self.declared.push(Declaration {
                depth,
                prefix: prefix.into(),
                namespace: value.into(),
                known,
            });
        }
        Ok(())
    }

    /// Forgets what the elements at `depth` and deeper declared.
    pub(crate) fn leave(&mut self, depth: usize) {
        while self.declared.last().is_some_and(|d| d.depth >= depth) {
            self.declared.pop();
        }
    }

    /// The namespace bound to `prefix` (empty for the default namespace),
    /// `None` if there is none.
    pub(crate) fn namespace_of(&self, prefix: &[u8]) -> Option<&[u8]> {
        if prefix == b"xml" {
            return Some(XML_NS);
        }
        self.declared
            .iter()
            .rev()
            .find(|d| *d.prefix == *prefix)
            .map(|d| &*d.namespace)
            // `xmlns=""` undeclares the default namespace.
            .filter(|ns| !ns.is_empty())
    }

    /// The namespace of an element's name if it is FHIR's or XHTML's,
    /// without comparing strings: an unprefixed name (nearly all) costs a
    /// look at the innermost default declaration.
    pub(crate) fn known_namespace_of_element(&self, name: &[u8]) -> Option<Ns> {
        let prefix = match name.iter().position(|&b| b == b':') {
            Some(i) => name.get(..i).unwrap_or_default(),
            None => b"",
        };
        self.declared
            .iter()
            .rev()
            .find(|d| *d.prefix == *prefix)?
            .known
    }

    /// The namespace of an element or attribute name (`p:name` or `name`).
    /// An unprefixed attribute is in no namespace; pass `element` false.
    pub(crate) fn namespace_of_name(&self, name: &[u8], element: bool) -> Option<&[u8]> {
        match name.iter().position(|&b| b == b':') {
            Some(i) => self.namespace_of(name.get(..i).unwrap_or_default()),
            None if element => self.namespace_of(b""),
            None => None,
        }
    }
}
