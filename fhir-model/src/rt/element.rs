//! The reflective element model: object-safe traits through which the format
//! drivers (JSON, XML), the validator and FHIRPath reach every field of every
//! generated type without per-type code.
//!
//! Generated code implements [`Element`] (a `match` from field index to field
//! storage) and [`Value`] (how a stored value looks from outside); everything
//! else is written once here, generic only over the storage containers
//! (`Option<T>`, `Vec<T>`, `Box<T>`), never over a serializer.

use std::fmt::Debug;

use super::meta::{FieldInfo, TypeInfo};
use super::primitive::PrimitiveElement;

/// A generated struct: a resource, a complex datatype or a backbone element.
pub trait Element: Debug + Send + Sync + 'static {
    /// The static description of this type.
    fn type_info(&self) -> &'static TypeInfo;
    /// The storage of field `index` (an index into [`TypeInfo::fields`]).
    fn field(&self, index: usize) -> Option<&dyn Slot>;
    /// The storage of field `index`, for writing.
    fn field_mut(&mut self, index: usize) -> Option<&mut dyn Slot>;
    /// For downcasting to the concrete generated type.
    fn as_any(&self) -> &dyn std::any::Any;
    /// Which fields hold a value: bit `i` is set when field `i` is not
    /// empty (types have at most 128 fields). Writers walk only these
    /// fields instead of asking every field in turn, most of which are empty.
    /// Generated types answer in one branch-free pass over their fields
    /// ([`presence`]); this default asks each field through [`Element::field`].
    fn present(&self) -> u128 {
        let n = self.type_info().fields.len().min(128);
        (0..n)
            .filter(|&i| self.field(i).is_some_and(|s| !s.is_empty()))
            .fold(0, |bits, i| bits | 1 << i)
    }
    /// Appends the properties of the fields that hold a value as FHIR
    /// JSON, each with a leading comma (`,"name":value`): the JSON
    /// writer's one virtual call per element.
    ///
    /// Generated types override it with one [`write_json_field`] call per
    /// field, so that each field is reached by a direct call. Reaching each
    /// through [`Element::field`] and [`Slot::write_json`] (this default)
    /// took two virtual calls per field whose targets change with every
    /// type, and mispredicted about half the time.
    #[doc(hidden)]
    fn write_json_fields(&self, out: &mut Vec<u8>) {
        let fields = self.type_info().fields;
        for i in present_fields(self.present()) {
            if let (Some(f), Some(slot)) = (fields.get(i), self.field(i)) {
                slot.write_json(out, f);
            }
        }
    }
}

/// Field `index` of `info` as JSON properties ([`Slot::write_json`]), when
/// it holds a value: what generated [`Element::write_json_fields`] impls
/// call once per field. The emptiness test is inlined at the call; the
/// writing is one direct call, compiled once per storage type.
#[doc(hidden)]
#[inline(always)]
pub fn write_json_field<S: Slot>(out: &mut Vec<u8>, info: &'static TypeInfo, index: usize, slot: &S) {
    if !slot.is_empty() {
        if let Some(f) = info.fields.get(index) {
            slot.write_json(out, f);
        }
    }
}

/// The field indices of a [`Element::present`] bit set, lowest (first in
/// definition order) first: what the JSON and XML writers walk.
pub(crate) fn present_fields(mut set: u128) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let i = set.trailing_zeros() as usize;
        set &= set.wrapping_sub(1);
        (i < 128).then_some(i)
    })
}

/// Whether a field holds a value; generated [`Element::present`] impls
/// call it once per field.
#[inline(always)]
pub fn has<S: Slot>(slot: &S) -> bool {
    !slot.is_empty()
}

/// The bit set of [`Element::present`] from one flag per field, in field
/// order. Branch-free: each flag is a load and a compare of the field's
/// own storage, so the fields are not walked through virtual calls.
///
/// The bits are gathered in two 64-bit halves with constant shifts: OR-ing
/// each flag into a `u128` compiled to vector shuffles and 128-bit shifts,
/// about 20 instructions per field (724 for a 37-field type, 182 now).
#[inline(always)]
pub fn presence<const N: usize>(has: [bool; N]) -> u128 {
    let (mut low, mut high) = (0u64, 0u64);
    for (i, h) in has.into_iter().enumerate() {
        // N <= 128 (the generator refuses larger types); a flag past bit
        // 127 would be dropped, never wrapped onto another field's bit.
        if i < 64 {
            low |= u64::from(h) << i;
        } else if i < 128 {
            high |= u64::from(h) << (i - 64);
        }
    }
    u128::from(high) << 64 | u128::from(low)
}

/// A stored value as seen from outside.
pub enum ItemRef<'a> {
    Element(&'a dyn Element),
    Primitive(&'a dyn PrimitiveElement),
    /// Plain text without id or extensions (`Element.id`, `Extension.url`).
    Text(&'a str),
}

impl Debug for ItemRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ItemRef::Element(e) => e.fmt(f),
            ItemRef::Primitive(p) => write!(f, "Primitive({:?})", p.lexical()),
            ItemRef::Text(t) => t.fmt(f),
        }
    }
}

/// A stored value, for writing.
#[allow(missing_debug_implementations)]
pub enum ItemMut<'a> {
    Element(&'a mut dyn Element),
    Primitive(&'a mut dyn PrimitiveElement),
    Text(&'a mut String),
}

/// Anything that can sit in a field: generated structs, primitives, text,
/// choice enums (`value[x]`) and the `Resource` enum.
///
/// Enums are "variant" values: a variant index picks which type is stored
/// (the type list of the field, [`super::meta::FieldInfo::types`]).
pub trait Value: Debug + Send + Sync + Sized + 'static {
    /// A new, empty value of the given variant; plain types ignore `variant`.
    /// `None` when the variant does not exist.
    fn new_variant(variant: usize) -> Option<Self>;
    /// Which variant this value is (0 for plain types).
    fn variant(&self) -> usize {
        0
    }
    fn item(&self) -> ItemRef<'_>;
    fn item_mut(&mut self) -> ItemMut<'_>;
    /// Appends this value as the FHIR JSON property (or properties: a
    /// primitive's `_name` too) of the single-valued field `field`, each
    /// with a leading comma. The JSON writer's one call per field;
    /// primitives override it with code compiled for their value type.
    #[doc(hidden)]
    fn write_json_property(&self, out: &mut Vec<u8>, field: &FieldInfo) {
        crate::rt::json::write::item_property(out, field, self.variant(), self.item());
    }
}

/// The storage of one field: `Option<T>` (0..1) or `Vec<T>` (0..*).
pub trait Slot {
    /// How many values are stored.
    fn len(&self) -> usize;
    /// Whether nothing is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether the field repeats.
    fn is_list(&self) -> bool;
    /// Value `index` and its variant.
    fn get(&self, index: usize) -> Option<(usize, ItemRef<'_>)>;
    /// Value `index` and its variant, for writing.
    fn get_mut(&mut self, index: usize) -> Option<(usize, ItemMut<'_>)>;
    /// Appends (list) or sets (single) a new empty value of `variant` and
    /// returns it; `None` when the variant does not exist.
    fn push(&mut self, variant: usize) -> Option<ItemMut<'_>>;
    /// Removes every value.
    fn clear(&mut self);
    /// Like [`Slot::push`], for readers filling a list of unknown length:
    /// a full list grows sixteenfold instead of twofold, so large elements
    /// are copied by fewer reallocations (`Vec` starts small lists at four
    /// values, lists of elements over 1 KiB at one). The reader calls
    /// [`Slot::shrink_to_fit`] once the list is complete.
    fn push_growing(&mut self, variant: usize) -> Option<ItemMut<'_>> {
        self.push(variant)
    }
    /// Gives back the capacity [`Slot::push_growing`] reserved beyond the
    /// values (in place: shrinking a heap block does not copy it).
    fn shrink_to_fit(&mut self) {}
    /// Appends this field, which holds a value, as FHIR JSON properties
    /// (`,"name":value`, and `,"_name":...` for primitives): one virtual
    /// call per field for the JSON writer, which reaches the value's own
    /// [`Value::write_json_property`] without going through [`ItemRef`].
    #[doc(hidden)]
    fn write_json(&self, out: &mut Vec<u8>, field: &FieldInfo);
}

impl<T: Value> Slot for Option<T> {
    fn len(&self) -> usize {
        usize::from(self.is_some())
    }
    fn is_list(&self) -> bool {
        false
    }
    fn get(&self, index: usize) -> Option<(usize, ItemRef<'_>)> {
        match self {
            Some(v) if index == 0 => Some((v.variant(), v.item())),
            _ => None,
        }
    }
    fn get_mut(&mut self, index: usize) -> Option<(usize, ItemMut<'_>)> {
        match self {
            Some(v) if index == 0 => Some((v.variant(), v.item_mut())),
            _ => None,
        }
    }
    fn push(&mut self, variant: usize) -> Option<ItemMut<'_>> {
        let v = T::new_variant(variant)?;
        Some(self.insert(v).item_mut())
    }
    fn clear(&mut self) {
        *self = None;
    }
    #[inline(never)]
    fn write_json(&self, out: &mut Vec<u8>, field: &FieldInfo) {
        if let Some(v) = self {
            v.write_json_property(out, field);
        }
    }
}

impl<T: Value> Slot for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn is_list(&self) -> bool {
        true
    }
    fn get(&self, index: usize) -> Option<(usize, ItemRef<'_>)> {
        self.as_slice().get(index).map(|v| (v.variant(), v.item()))
    }
    fn get_mut(&mut self, index: usize) -> Option<(usize, ItemMut<'_>)> {
        self.as_mut_slice()
            .get_mut(index)
            .map(|v| (v.variant(), v.item_mut()))
    }
    fn push(&mut self, variant: usize) -> Option<ItemMut<'_>> {
        let v = T::new_variant(variant)?;
        self.push(v);
        self.last_mut().map(Value::item_mut)
    }
    fn clear(&mut self) {
        Vec::clear(self);
    }
    fn push_growing(&mut self, variant: usize) -> Option<ItemMut<'_>> {
        let v = T::new_variant(variant)?;
        let len = Vec::len(self);
        if len > 0 && len == self.capacity() {
            // Sixteenfold rather than eightfold: lists of ElementDefinitions
            // (2 to 3 KiB each, dozens to hundreds to a list) were copied
            // from 8 to 64 and from 64 to 512 places.
            self.reserve_exact(len * 15);
        }
        self.push(v);
        self.last_mut().map(Value::item_mut)
    }
    fn shrink_to_fit(&mut self) {
        // Lists within `Vec`'s first allocation (four values, or one of
        // elements over 1 KiB) keep it; larger ones were grown sixteenfold.
        let first = if std::mem::size_of::<T>() > 1024 {
            1
        } else {
            4
        };
        if self.capacity() > first && self.capacity() > Vec::len(self) {
            Vec::shrink_to_fit(self);
        }
    }
    #[inline(never)]
    fn write_json(&self, out: &mut Vec<u8>, field: &FieldInfo) {
        crate::rt::json::write::list_property(out, field, self.as_slice());
    }
}

impl<T: Value> Value for Box<T> {
    fn new_variant(variant: usize) -> Option<Self> {
        T::new_variant(variant).map(Box::new)
    }
    fn variant(&self) -> usize {
        (**self).variant()
    }
    fn item(&self) -> ItemRef<'_> {
        (**self).item()
    }
    fn item_mut(&mut self) -> ItemMut<'_> {
        (**self).item_mut()
    }
    fn write_json_property(&self, out: &mut Vec<u8>, field: &FieldInfo) {
        (**self).write_json_property(out, field);
    }
}

impl Value for String {
    fn new_variant(_: usize) -> Option<Self> {
        Some(String::new())
    }
    fn item(&self) -> ItemRef<'_> {
        ItemRef::Text(self)
    }
    fn item_mut(&mut self) -> ItemMut<'_> {
        ItemMut::Text(self)
    }
}

/// The `Resource` enum of a FHIR version: one variant per resource type, in
/// the (sorted) order of [`ResourceEnum::TYPES`].
pub trait ResourceEnum: Value + crate::json::ToFhirJson {
    /// Resource type names, sorted, in variant order.
    const TYPES: &'static [&'static str];
    /// The resource as a generic element.
    fn as_element(&self) -> &dyn Element;
    /// The resource as a generic element, for writing.
    fn as_element_mut(&mut self) -> &mut dyn Element;
    /// The resource type name (`Patient`).
    fn resource_type(&self) -> &'static str {
        self.as_element().type_info().name
    }
    /// An empty resource of the named type.
    fn new_of_type(name: &str) -> Option<Self> {
        let i = Self::TYPES.binary_search(&name).ok()?;
        Self::new_variant(i)
    }
}

#[cfg(test)]
mod present_tests {
    use super::{present_fields, presence};

    #[test]
    fn presence_sets_one_bit_per_flag_in_both_halves() {
        let mut flags = [false; 128];
        for i in [0, 5, 63, 64, 100, 127] {
            flags[i] = true;
        }
        let bits = presence(flags);
        assert_eq!(present_fields(bits).collect::<Vec<_>>(), [0, 5, 63, 64, 100, 127]);
        assert_eq!(presence([true; 3]), 0b111);
        assert_eq!(presence([false; 70]), 0);
        assert_eq!(presence([true; 128]), u128::MAX);
    }

    #[test]
    fn present_fields_lists_set_bits_in_order() {
        assert_eq!(present_fields(0).count(), 0);
        let set = 1u128 | 1 << 5 | 1 << 64 | 1 << 127;
        assert_eq!(present_fields(set).collect::<Vec<_>>(), [0, 5, 64, 127]);
        assert_eq!(present_fields(u128::MAX).count(), 128);
    }
}
