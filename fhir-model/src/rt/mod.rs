//! The hand-written runtime that generated code calls: element model,
//! primitives and their values, code enums, the JSON driver.

pub mod any;
pub mod code;
pub mod element;
pub mod json;
#[macro_use]
mod macros;
pub mod meta;
pub mod primitive;
mod scan;
pub mod values;
pub mod xml;
pub mod xhtml;

pub use any::AnyResource;
pub use code::CodeEnum;
pub use element::{has, presence, write_json_field, Element, ItemMut, ItemRef, ResourceEnum, Slot, Value};
pub use meta::{FieldInfo, FieldKind, TypeInfo, TypeKind};
pub use primitive::{JsonOut, Primitive, PrimitiveElement};
pub use xhtml::Xhtml;
pub(crate) use macros::{element_impls, resource_enum_impls};

/// Longest error message kept whole: messages quote the offending value,
/// which can be megabytes long (a base64 attachment, a whole object where a
/// number was expected).
const MAX_MESSAGE_CHARS: usize = 200;

/// `message`, cut after [`MAX_MESSAGE_CHARS`] characters with a note of how
/// much was left out.
pub(crate) fn short_message(message: String) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => message,
        Some((cut, _)) => {
            let rest = message.get(cut..).map_or(0, |r| r.chars().count());
            format!("{}... ({rest} more characters)", message.get(..cut).unwrap_or_default())
        }
    }
}

/// Support for generated code: the serde impls of every generated type are
/// one-line calls into these, so the per-type code stays small.
#[doc(hidden)]
pub mod support {
    use super::element::{Element, ResourceEnum};
    use super::json::de::{self, DeState, ReadOptions};

    pub fn deserialize_element<'de, T: Element + Default, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        let mut st = DeState::new(ReadOptions::default());
        read_element(d, &mut st)
    }

    pub fn read_element<'de, T: Element + Default, D: serde::Deserializer<'de>>(
        d: D,
        st: &mut DeState,
    ) -> Result<T, D::Error> {
        let mut v = T::default();
        de::read_element(d, &mut v, st)?;
        Ok(v)
    }

    pub fn deserialize_resource<'de, R: ResourceEnum, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<R, D::Error> {
        let mut st = DeState::new(ReadOptions::default());
        de::read_resource(d, &mut st)
    }

    pub use super::json::de::read_resource;
    pub use super::json::ser::write_element;
}
