//! The narrative `div`: XHTML kept as text, exactly as read.

use std::borrow::Cow;

use super::values::{JsonKind, PrimitiveValue};

/// XHTML content of `Narrative.div`, kept as its exact source text.
///
/// In JSON the div is a string holding the serialized XHTML; it is stored
/// verbatim so that it is written back unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Xhtml(pub String);

impl Xhtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PrimitiveValue for Xhtml {
    const JSON_KIND: JsonKind = JsonKind::String;
    fn from_lexical(s: &str) -> Result<Self, String> {
        Ok(Xhtml(s.to_owned()))
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}
