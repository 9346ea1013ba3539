//! `Primitive<V, E>`: a FHIR primitive element, that is a value plus the
//! `id` and `extension` every element may carry (written as `_name` in JSON).
//!
//! Each FHIR version instantiates it with its own `Extension` type
//! (`r4::String = Primitive<String, r4::Extension>`), the value types are shared.

use std::borrow::Cow;

use super::element::{ItemMut, ItemRef, Slot, Value};
use super::meta::FieldInfo;
use super::values::{JsonKind, JsonScalar, PrimitiveValue};

/// A primitive element: optional value, optional id, extensions.
///
/// The value is optional because FHIR allows a primitive that carries only
/// extensions (for example a data-absent-reason).
#[derive(Clone, PartialEq)]
pub struct Primitive<V, E> {
    /// Element id (`_name.id` in JSON, `id` attribute in XML).
    pub id: Option<String>,
    /// Extensions on the primitive itself (`_name.extension` in JSON).
    pub extension: Vec<E>,
    /// The value; `None` when only id or extensions are present.
    pub value: Option<V>,
}

impl<V, E> Default for Primitive<V, E> {
    fn default() -> Self {
        Primitive { id: None, extension: Vec::new(), value: None }
    }
}

impl<V: std::fmt::Debug, E: std::fmt::Debug> std::fmt::Debug for Primitive<V, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keep the common case (a bare value) short in Debug output.
        if self.id.is_none() && self.extension.is_empty() {
            match &self.value {
                Some(v) => v.fmt(f),
                None => f.write_str("Primitive(empty)"),
            }
        } else {
            f.debug_struct("Primitive")
                .field("id", &self.id)
                .field("extension", &self.extension)
                .field("value", &self.value)
                .finish()
        }
    }
}

impl<V, E> Primitive<V, E> {
    /// A primitive holding just `value`.
    pub fn new(value: V) -> Self {
        Primitive { id: None, extension: Vec::new(), value: Some(value) }
    }
    /// The value, if any.
    pub fn value(&self) -> Option<&V> {
        self.value.as_ref()
    }
}

impl<V: PrimitiveValue, E> Primitive<V, E> {
    /// Parses the lexical form into a primitive.
    pub fn parse(s: &str) -> Result<Self, String> {
        V::from_lexical(s).map(Self::new)
    }
}

impl<E> Primitive<String, E> {
    /// The string value, if any.
    pub fn as_str(&self) -> Option<&str> {
        self.value.as_deref()
    }
}

impl<E> From<&str> for Primitive<String, E> {
    fn from(s: &str) -> Self {
        Primitive::new(s.to_owned())
    }
}
impl<E> From<String> for Primitive<String, E> {
    fn from(s: String) -> Self {
        Primitive::new(s)
    }
}
impl<E> From<bool> for Primitive<bool, E> {
    fn from(b: bool) -> Self {
        Primitive::new(b)
    }
}
impl<E> From<i32> for Primitive<i32, E> {
    fn from(i: i32) -> Self {
        Primitive::new(i)
    }
}
macro_rules! from_value {
    ($($t:ty),*) => {$(
        impl<E> From<$t> for Primitive<$t, E> {
            fn from(v: $t) -> Self {
                Primitive::new(v)
            }
        }
    )*};
}
from_value!(
    super::values::Decimal,
    super::values::Date,
    super::values::DateTime,
    super::values::Instant,
    super::values::Time,
    super::values::Base64Binary,
    super::values::PositiveInt,
    super::values::UnsignedInt,
    super::values::Integer64,
    super::xhtml::Xhtml
);

impl<C: super::code::CodeEnum, E> From<C> for Primitive<C, E> {
    fn from(c: C) -> Self {
        Primitive::new(c)
    }
}

/// A JSON scalar to write for a primitive's value.
#[derive(Debug, PartialEq)]
pub enum JsonOut<'a> {
    Bool(bool),
    Int(i64),
    /// A JSON number written with exactly this text.
    Number(Cow<'a, str>),
    Str(Cow<'a, str>),
}

/// Object-safe access to any `Primitive<V, E>`.
pub trait PrimitiveElement: Send + Sync {
    /// How the value is written in JSON.
    fn json_kind(&self) -> JsonKind;
    fn has_value(&self) -> bool;
    /// Sets the value from a JSON scalar, checking the lexical rules.
    fn set_json(&mut self, v: JsonScalar<'_>) -> Result<(), String>;
    /// Sets the value from its lexical form (XML attribute), checking the rules.
    fn set_lexical(&mut self, s: &str) -> Result<(), String>;
    /// The lexical form of the value, exactly as read.
    fn lexical(&self) -> Option<Cow<'_, str>>;
    /// The value as a JSON scalar.
    fn json_value(&self) -> Option<JsonOut<'_>>;
    fn id(&self) -> Option<&str>;
    fn id_mut(&mut self) -> &mut Option<String>;
    /// The `extension` list.
    fn extensions(&self) -> &dyn Slot;
    fn extensions_mut(&mut self) -> &mut dyn Slot;
    /// Whether id or extensions are present (the `_name` part of JSON).
    fn has_id_or_extension(&self) -> bool {
        self.id().is_some() || !self.extensions().is_empty()
    }
    /// Neither value nor id nor extension: not a valid FHIR element.
    fn is_empty(&self) -> bool {
        !self.has_value() && !self.has_id_or_extension()
    }
}

impl<V: PrimitiveValue, E: Value> PrimitiveElement for Primitive<V, E> {
    fn json_kind(&self) -> JsonKind {
        V::JSON_KIND
    }
    fn has_value(&self) -> bool {
        self.value.is_some()
    }
    fn set_json(&mut self, v: JsonScalar<'_>) -> Result<(), String> {
        self.value = Some(V::from_json(v)?);
        Ok(())
    }
    fn set_lexical(&mut self, s: &str) -> Result<(), String> {
        self.value = Some(V::from_lexical(s)?);
        Ok(())
    }
    fn lexical(&self) -> Option<Cow<'_, str>> {
        self.value.as_ref().map(V::to_lexical)
    }
    fn json_value(&self) -> Option<JsonOut<'_>> {
        self.value.as_ref().map(V::to_json)
    }
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn id_mut(&mut self) -> &mut Option<String> {
        &mut self.id
    }
    fn extensions(&self) -> &dyn Slot {
        &self.extension
    }
    fn extensions_mut(&mut self) -> &mut dyn Slot {
        &mut self.extension
    }
}

impl<V: PrimitiveValue, E: Value> Value for Primitive<V, E> {
    fn new_variant(_: usize) -> Option<Self> {
        Some(Primitive::default())
    }
    fn item(&self) -> ItemRef<'_> {
        ItemRef::Primitive(self)
    }
    fn item_mut(&mut self) -> ItemMut<'_> {
        ItemMut::Primitive(self)
    }
    fn write_json_property(&self, out: &mut Vec<u8>, field: &FieldInfo) {
        if let Some(v) = &self.value {
            super::json::write::primitive_property(out, field.name, &v.to_json());
        }
        if self.id.is_some() || !self.extension.is_empty() {
            super::json::write::extras_property(out, field.name, self);
        }
    }
}
