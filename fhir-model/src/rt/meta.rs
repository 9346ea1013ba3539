//! Static metadata the generator emits for every type: names, cardinality,
//! types and JSON keys of each field, in definition order.
//!
//! The JSON and XML drivers, the validator and FHIRPath all walk values through
//! this table instead of per-type code, so behaviour is written once here.

/// What kind of FHIR type a generated struct stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeKind {
    Resource,
    Complex,
    /// A BackboneElement (or Element) defined inline in a resource or datatype.
    Backbone,
}

/// Metadata of one generated struct.
#[derive(Debug)]
pub struct TypeInfo {
    /// FHIR name: `Patient`, `HumanName`, or the element path of a backbone
    /// element (`Patient.contact`).
    pub name: &'static str,
    pub kind: TypeKind,
    /// Fields in definition order (the order of FHIR JSON output and FHIR XML).
    pub fields: &'static [FieldInfo],
    /// JSON property names sorted bytewise, with the field index and, for choice
    /// fields, the index of the variant (`valueQuantity` -> value[x], Quantity).
    pub json_keys: &'static [(&'static str, u16, u16)],
    /// The FHIR types this one derives from, nearest first
    /// (StructureDefinition.baseDefinition: `Age` → Quantity, DataType,
    /// Element, Base; `Patient` → DomainResource, Resource); for a backbone
    /// element, BackboneElement (or Element) and its bases. Used by FHIRPath's
    /// `is`/`as`/`ofType`.
    pub bases: &'static [&'static str],
}

/// How a field is stored, as far as the drivers need to know before looking at
/// the value itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A primitive (`Primitive<V, Extension>`): JSON value plus `_name` object.
    Primitive,
    /// A complex datatype or backbone element.
    Element,
    /// A choice `name[x]` stored as an enum.
    Choice,
    /// A whole resource (`contained`, `Bundle.entry.resource`).
    Resource,
    /// Plain text without id/extension (`Element.id`, `Extension.url`): an XML
    /// attribute, a JSON string.
    Text,
}

/// Metadata of one field.
#[derive(Debug)]
pub struct FieldInfo {
    /// Element name without `[x]` (`value` for `value[x]`).
    pub name: &'static str,
    pub kind: FieldKind,
    pub min: u32,
    /// Maximum cardinality; `u32::MAX` stands for `*`.
    pub max: u32,
    /// FHIR type codes. For a choice, one per variant in enum order; for a
    /// backbone element, the element path of its type.
    pub types: &'static [&'static str],
    /// For a choice: the JSON key of each variant (`valueQuantity`).
    pub choice_keys: &'static [&'static str],
    pub is_summary: bool,
    pub is_modifier: bool,
}

impl FieldInfo {
    /// Whether the field repeats (its maximum cardinality is above one).
    pub fn is_list(&self) -> bool {
        self.max > 1
    }
    /// The JSON property name of the field holding a value of `variant`:
    /// a choice's key for that type (`valueQuantity`), else the name.
    pub fn json_name(&self, variant: usize) -> &'static str {
        match self.kind {
            FieldKind::Choice => self.choice_keys.get(variant).copied().unwrap_or(self.name),
            _ => self.name,
        }
    }
}

impl TypeInfo {
    /// Finds a JSON property (without any leading `_`).
    pub fn lookup_json(&self, key: &str) -> Option<(usize, usize)> {
        // Most probes differ in the first byte: compare it before calling
        // memcmp on the rest.
        let first = key.as_bytes().first().copied();
        self.json_keys
            .binary_search_by(|(k, _, _)| {
                let kb = k.as_bytes();
                match kb.first().copied().cmp(&first) {
                    std::cmp::Ordering::Equal => kb.cmp(key.as_bytes()),
                    other => other,
                }
            })
            .ok()
            .and_then(|i| self.json_keys.get(i))
            .map(|&(_, f, v)| (usize::from(f), usize::from(v)))
    }

    /// Finds a JSON property (or XML element name), trying the few fields
    /// from `hint` on first: input nearly always follows definition order.
    pub fn lookup_from(&self, key: &str, hint: usize) -> Option<(usize, usize)> {
        let end = self.fields.len().min(hint + 4);
        for field in hint..end {
            let Some(f) = self.fields.get(field) else { break };
            if f.kind == FieldKind::Choice {
                if let Some(v) = f.choice_keys.iter().position(|k| *k == key) {
                    return Some((field, v));
                }
            } else if f.name == key {
                return Some((field, 0));
            }
        }
        self.lookup_json(key)
    }

    /// Why a property or element name is unknown, for error messages: a
    /// known name differing only in case (`birthdate`), a choice element
    /// without its type (`value`), or none of the type's elements.
    pub fn unknown_name_hint(&self, key: &str) -> String {
        let bare = key.strip_prefix('_').unwrap_or(key);
        if let Some((k, _, _)) = self.json_keys.iter().find(|(k, _, _)| k.eq_ignore_ascii_case(bare)) {
            let prefix = if bare.len() == key.len() { "" } else { "_" };
            return format!("did you mean \"{prefix}{k}\"?");
        }
        if let Some(f) = self.fields.iter().find(|f| f.kind == FieldKind::Choice && f.name == bare) {
            let examples: Vec<&str> = f.choice_keys.iter().take(3).copied().collect();
            let more = if f.choice_keys.len() > 3 { ", ..." } else { "" };
            return format!("{bare}[x] takes its type in the name: {}{more}", examples.join(", "));
        }
        format!("{} has no element of that name", self.name)
    }

    /// Finds a field by its element name (`value` for `value[x]`).
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

impl FieldInfo {
    /// Compact constructor for generated tables. `flags`: bit 0 summary,
    /// bit 1 modifier.
    pub const fn new(
        name: &'static str,
        kind: FieldKind,
        min: u32,
        max: u32,
        types: &'static [&'static str],
        choice_keys: &'static [&'static str],
        flags: u8,
    ) -> Self {
        FieldInfo {
            name,
            kind,
            min,
            max,
            types,
            choice_keys,
            is_summary: flags & 1 != 0,
            is_modifier: flags & 2 != 0,
        }
    }
}
