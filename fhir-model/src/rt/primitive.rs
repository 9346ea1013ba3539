//! `Primitive<V, E>`: a FHIR primitive element, that is a value plus the
//! `id` and `extension` every element may carry (written as `_name` in JSON).
//!
//! Each FHIR version instantiates it with its own `Extension` type
//! (`r4::String = Primitive<StringValue, r4::Extension>`), the value types are shared.

use std::borrow::Cow;

use super::element::{ItemMut, ItemRef, Slot, Value};
use super::meta::FieldInfo;
use super::values::{JsonKind, JsonScalar, PrimitiveValue, StringValue};

/// A primitive element: optional value, optional id, extensions.
///
/// The value is optional because FHIR allows a primitive that carries only
/// extensions (for example a data-absent-reason).
///
/// The id and extensions sit in one box, allocated only when there is one
/// of them: most primitives have neither, and a primitive field is then the
/// size of its value plus a pointer (an R4 `string` went from 72 bytes to
/// 32, a `Coding` from 392 to 192). Smaller structs mean fewer cache lines
/// read when a resource is written and fewer bytes moved when it is built.
#[derive(Clone)]
pub struct Primitive<V, E> {
    /// The value; `None` when only id or extensions are present.
    pub value: Option<V>,
    extras: Option<Box<Extras<E>>>,
}

/// What a primitive carries besides its value; boxed, see [`Primitive`].
/// (Its `Debug` and equality are `Primitive`'s, which look through it.)
#[derive(Clone)]
struct Extras<E> {
    /// Element id (`_name.id` in JSON, `id` attribute in XML).
    id: Option<String>,
    /// Extensions on the primitive itself (`_name.extension` in JSON).
    extension: Vec<E>,
}

impl<V, E> Default for Primitive<V, E> {
    fn default() -> Self {
        Primitive { value: None, extras: None }
    }
}

/// Equal when value, id and extensions are: an allocated but empty box
/// (left by [`Primitive::extension_mut`]) equals none.
impl<V: PartialEq, E: PartialEq> PartialEq for Primitive<V, E> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
            && self.id() == other.id()
            && self.extension() == other.extension()
    }
}

impl<V: std::fmt::Debug, E: std::fmt::Debug> std::fmt::Debug for Primitive<V, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keep the common case (a bare value) short in Debug output.
        if self.id().is_none() && self.extension().is_empty() {
            match &self.value {
                Some(v) => v.fmt(f),
                None => f.write_str("Primitive(empty)"),
            }
        } else {
            f.debug_struct("Primitive")
                .field("id", &self.id())
                .field("extension", &self.extension())
                .field("value", &self.value)
                .finish()
        }
    }
}

impl<V, E> Primitive<V, E> {
    /// A primitive holding just `value`.
    pub fn new(value: V) -> Self {
        Primitive { value: Some(value), extras: None }
    }
    /// The value, if any.
    pub fn value(&self) -> Option<&V> {
        self.value.as_ref()
    }
    /// The element id (`_name.id` in JSON, the `id` attribute in XML).
    pub fn id(&self) -> Option<&str> {
        self.extras.as_ref().and_then(|x| x.id.as_deref())
    }
    /// The element id, to set or take.
    pub fn id_mut(&mut self) -> &mut Option<String> {
        &mut self.extras_mut().id
    }
    /// The extensions on the primitive itself (`_name.extension` in JSON).
    pub fn extension(&self) -> &[E] {
        self.extras.as_ref().map_or(&[], |x| x.extension.as_slice())
    }
    /// The extensions, to add to or change.
    pub fn extension_mut(&mut self) -> &mut Vec<E> {
        &mut self.extras_mut().extension
    }
    /// This primitive with `id` set (a builder step).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        *self.id_mut() = Some(id.into());
        self
    }
    /// This primitive with `extension` added (a builder step).
    pub fn with_extension(mut self, extension: E) -> Self {
        self.extension_mut().push(extension);
        self
    }
    /// Whether an id or an extension is present (the `_name` part of JSON).
    #[inline]
    pub fn has_id_or_extension(&self) -> bool {
        self.extras
            .as_ref()
            .is_some_and(|x| x.id.is_some() || !x.extension.is_empty())
    }
    fn extras_mut(&mut self) -> &mut Extras<E> {
        self.extras.get_or_insert_with(|| Box::new(Extras { id: None, extension: Vec::new() }))
    }
}

impl<V, E: 'static> Primitive<V, E> {
    /// The extension list of a primitive without extras, for the `&dyn Slot`
    /// view (a constant: nothing allocates).
    const NO_EXTENSIONS: &'static Vec<E> = &Vec::new();
}

impl<V: PrimitiveValue, E> Primitive<V, E> {
    /// Parses the lexical form into a primitive.
    pub fn parse(s: &str) -> Result<Self, String> {
        V::from_lexical(s).map(Self::new)
    }
}

/// The string-like primitives of the generated models (`r4::String`,
/// `r4::Code`, `r4::Uri`...).
impl<E> Primitive<StringValue, E> {
    /// The string value, if any.
    pub fn as_str(&self) -> Option<&str> {
        self.value.as_deref()
    }
}

impl<E> From<&str> for Primitive<StringValue, E> {
    fn from(s: &str) -> Self {
        Primitive::new(StringValue::from(s))
    }
}
impl<E> From<&String> for Primitive<StringValue, E> {
    fn from(s: &String) -> Self {
        Primitive::new(StringValue::from(s.as_str()))
    }
}
impl<E> From<String> for Primitive<StringValue, E> {
    fn from(s: String) -> Self {
        Primitive::new(StringValue::from(s))
    }
}
impl<E> From<StringValue> for Primitive<StringValue, E> {
    fn from(s: StringValue) -> Self {
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
        Primitive::id(self)
    }
    fn id_mut(&mut self) -> &mut Option<String> {
        Primitive::id_mut(self)
    }
    fn extensions(&self) -> &dyn Slot {
        match &self.extras {
            Some(x) => &x.extension,
            None => Self::NO_EXTENSIONS,
        }
    }
    fn extensions_mut(&mut self) -> &mut dyn Slot {
        Primitive::extension_mut(self)
    }
    fn has_id_or_extension(&self) -> bool {
        Primitive::has_id_or_extension(self)
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
        if self.has_id_or_extension() {
            super::json::write::extras_property(out, field.name, self);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Primitive;

    type P = Primitive<super::StringValue, u8>;

    #[test]
    fn id_and_extensions_are_boxed_only_when_present() {
        assert_eq!(std::mem::size_of::<P>(), 32);
        let bare = P::from("a");
        assert!(!bare.has_id_or_extension());
        assert_eq!((bare.id(), bare.extension()), (None, &[][..]));
        let full = bare.clone().with_id("x").with_extension(7);
        assert!(full.has_id_or_extension());
        assert_eq!((full.id(), full.extension()), (Some("x"), &[7u8][..]));
        assert_ne!(full, bare);
    }

    #[test]
    fn an_emptied_box_equals_none() {
        let mut p = P::from("a");
        p.extension_mut().push(1);
        assert!(p.has_id_or_extension());
        p.extension_mut().clear();
        *p.id_mut() = None;
        assert!(!p.has_id_or_extension());
        assert_eq!(p, P::from("a"));
        assert_eq!(format!("{p:?}"), "\"a\"");
    }

    #[test]
    fn string_values_convert_from_str_and_string_and_read_as_str() {
        let short = P::from("final");
        let long = P::from(String::from("http://terminology.hl7.org/CodeSystem/v3-ActCode"));
        assert_eq!(short.as_str(), Some("final"));
        assert_eq!(long.as_str(), Some("http://terminology.hl7.org/CodeSystem/v3-ActCode"));
        assert!(!short.value.as_ref().is_some_and(|v| v.is_heap_allocated()));
        assert_eq!(P::from(&String::from("x")), P::from("x"));
        assert_eq!(format!("{short:?}"), "\"final\"");
    }
}
