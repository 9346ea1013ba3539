//! Code enums: `code` elements bound (required) to a value set whose codes
//! the generator could enumerate from the definitions.
//!
//! A code outside the set is kept in the `Unrecognized` variant instead of
//! failing the parse: reading stays lossless, and strictness is the
//! validator's job.

use std::borrow::Cow;

use super::values::{JsonKind, PrimitiveValue};

/// Implemented by every generated code enum.
pub trait CodeEnum: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    /// The codes of the value set, in variant order.
    const CODES: &'static [&'static str];
    /// Canonical URL of the value set.
    const VALUE_SET: &'static str;
    /// The known code at `index` of [`Self::CODES`].
    fn from_index(index: usize) -> Option<Self>;
    /// Index of the code in [`Self::CODES`], or `None` for an unrecognized code.
    fn index(&self) -> Option<usize>;
    /// Wraps a code outside the value set.
    fn unrecognized(code: String) -> Self;
    /// The text of an unrecognized code.
    fn unrecognized_code(&self) -> Option<&str>;

    /// The code as text.
    fn code(&self) -> &str {
        match self.index().and_then(|i| Self::CODES.get(i)) {
            Some(c) => c,
            None => self.unrecognized_code().unwrap_or_default(),
        }
    }
    /// Whether the code belongs to the value set.
    fn is_known(&self) -> bool {
        self.index().is_some()
    }
}

impl<C: CodeEnum> PrimitiveValue for C {
    const JSON_KIND: JsonKind = JsonKind::String;
    fn from_lexical(s: &str) -> Result<Self, String> {
        Ok(match C::CODES.iter().position(|c| *c == s).and_then(C::from_index) {
            Some(c) => c,
            None => C::unrecognized(s.to_owned()),
        })
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.code())
    }
}
