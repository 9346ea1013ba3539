//! FHIR JSON writing, as serde `Serialize` over the reflective element model.
//!
//! Like the reader, it is generic over the serde `Serializer` only: the
//! wrappers below are instantiated once per serializer, not per FHIR type.
//! Output follows definition order, `resourceType` first, each primitive's
//! `_name` object right after its value, arrays of primitives padded with
//! `null` where only one of value and extension is present.

use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;

use crate::rt::element::{Element, ItemRef, Slot};
use crate::rt::meta::FieldKind;
use crate::rt::primitive::{JsonOut, PrimitiveElement};

/// Writes a generated struct; `resource_type` is given for resources.
pub fn write_element<S: Serializer>(
    el: &dyn Element,
    resource_type: Option<&str>,
    s: S,
) -> Result<S::Ok, S::Error> {
    ElementSer { el, resource: resource_type.is_some() }.serialize(s)
}

struct ElementSer<'a> {
    el: &'a dyn Element,
    resource: bool,
}

impl Serialize for ElementSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let info = self.el.type_info();
        let mut map = s.serialize_map(None)?;
        if self.resource {
            map.serialize_entry("resourceType", info.name)?;
        }
        for (i, f) in info.fields.iter().enumerate() {
            let Some(slot) = self.el.field(i) else { continue };
            if slot.is_empty() {
                continue;
            }
            let resource = f.kind == FieldKind::Resource;
            if slot.is_list() {
                match slot.get(0) {
                    Some((_, ItemRef::Primitive(_))) => write_prim_list(&mut map, f.name, slot)?,
                    Some(_) => map.serialize_entry(f.name, &ListSer { slot, resource })?,
                    None => {}
                }
                continue;
            }
            let Some((variant, item)) = slot.get(0) else { continue };
            let key = f.json_name(variant);
            match item {
                ItemRef::Primitive(p) => {
                    if let Some(v) = p.json_value() {
                        map.serialize_entry(key, &JsonOutSer(v))?;
                    }
                    if p.has_id_or_extension() {
                        map.serialize_entry(&Underscore(key), &PrimExtSer(p))?;
                    }
                }
                ItemRef::Element(el) => map.serialize_entry(key, &ElementSer { el, resource })?,
                ItemRef::Text(t) => map.serialize_entry(key, t)?,
            }
        }
        map.end()
    }
}

fn write_prim_list<M: SerializeMap>(map: &mut M, name: &str, slot: &dyn Slot) -> Result<(), M::Error> {
    let mut any_value = false;
    let mut any_ext = false;
    for i in 0..slot.len() {
        if let Some((_, ItemRef::Primitive(p))) = slot.get(i) {
            any_value |= p.has_value();
            any_ext |= p.has_id_or_extension();
        }
    }
    if any_value {
        map.serialize_entry(name, &PrimListSer { slot, ext: false })?;
    }
    if any_ext {
        map.serialize_entry(&Underscore(name), &PrimListSer { slot, ext: true })?;
    }
    Ok(())
}

/// `_name` as a map key without allocating.
struct Underscore<'a>(&'a str);

impl Serialize for Underscore<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("_{}", self.0))
    }
}

struct ListSer<'a> {
    slot: &'a dyn Slot,
    resource: bool,
}

impl Serialize for ListSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.slot.len()))?;
        for i in 0..self.slot.len() {
            match self.slot.get(i) {
                Some((_, ItemRef::Element(el))) => {
                    seq.serialize_element(&ElementSer { el, resource: self.resource })?
                }
                Some((_, ItemRef::Text(t))) => seq.serialize_element(t)?,
                Some((_, ItemRef::Primitive(p))) => match p.json_value() {
                    Some(v) => seq.serialize_element(&JsonOutSer(v))?,
                    None => seq.serialize_element(&())?,
                },
                None => {}
            }
        }
        seq.end()
    }
}

struct PrimListSer<'a> {
    slot: &'a dyn Slot,
    ext: bool,
}

impl Serialize for PrimListSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.slot.len()))?;
        for i in 0..self.slot.len() {
            let Some((_, ItemRef::Primitive(p))) = self.slot.get(i) else { continue };
            if self.ext {
                if p.has_id_or_extension() {
                    seq.serialize_element(&PrimExtSer(p))?;
                } else {
                    seq.serialize_element(&())?;
                }
            } else {
                match p.json_value() {
                    Some(v) => seq.serialize_element(&JsonOutSer(v))?,
                    None => seq.serialize_element(&())?,
                }
            }
        }
        seq.end()
    }
}

/// The `_name` object: `{"id": ..., "extension": [...]}`.
struct PrimExtSer<'a>(&'a dyn PrimitiveElement);

impl Serialize for PrimExtSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if let Some(id) = self.0.id() {
            map.serialize_entry("id", id)?;
        }
        let ext = self.0.extensions();
        if !ext.is_empty() {
            map.serialize_entry("extension", &ListSer { slot: ext, resource: false })?;
        }
        map.end()
    }
}

struct JsonOutSer<'a>(JsonOut<'a>);

impl Serialize for JsonOutSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            JsonOut::Bool(b) => s.serialize_bool(*b),
            JsonOut::Int(i) => s.serialize_i64(*i),
            JsonOut::Str(t) => s.serialize_str(t),
            JsonOut::Number(t) => write_number_text(t, s),
        }
    }
}

/// Writes a JSON number with exactly the given text. Plain integers go
/// through the serializer's integer path; anything else (fractions,
/// exponents, large values) as a raw JSON token, so that `1.50` stays `1.50`.
fn write_number_text<S: Serializer>(t: &str, s: S) -> Result<S::Ok, S::Error> {
    if t.len() < 18 && !t.contains(['.', 'e', 'E']) && t != "-0" {
        if let Ok(i) = t.parse::<i64>() {
            return s.serialize_i64(i);
        }
    }
    let raw = RawValue::from_string(t.to_owned()).map_err(S::Error::custom)?;
    raw.serialize(s)
}
