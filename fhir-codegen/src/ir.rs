//! The intermediate representation: what the emitters need, decided and
//! sorted, so that emitters make no decisions of their own.

/// Everything generated for one FHIR version.
#[derive(Debug)]
pub struct Model {
    /// Primitive types, sorted by FHIR name.
    pub primitives: Vec<PrimitiveDef>,
    /// Resources, complex datatypes and backbone elements, sorted by file then
    /// definition order.
    pub types: Vec<TypeDef>,
    /// Names of the concrete resources, sorted.
    pub resources: Vec<String>,
    /// Code enums, sorted by Rust name.
    pub code_enums: Vec<CodeEnumDef>,
}

#[derive(Debug)]
pub struct PrimitiveDef {
    /// FHIR name (`dateTime`).
    pub name: String,
    /// Rust alias name (`DateTime`).
    pub rust_name: String,
    /// Path of the runtime value type, as Rust source (`crate::rt::values::DateTime`).
    pub value_type: String,
    pub doc: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Resource,
    Complex,
    Backbone,
}

#[derive(Debug)]
pub struct TypeDef {
    /// FHIR name, or element path for backbone elements (`Patient.contact`).
    pub name: String,
    pub rust_name: String,
    pub kind: Kind,
    /// Stem of the file the type is emitted in (its resource or datatype).
    pub file: String,
    pub doc: String,
    pub fields: Vec<Field>,
    /// The FHIR types this one derives from, nearest first, following
    /// StructureDefinition.baseDefinition (`Age`: Quantity, DataType, Element,
    /// Base); for a backbone element, its element type and that type's bases.
    pub bases: Vec<String>,
}

#[derive(Debug)]
pub struct Field {
    /// Element name without `[x]`.
    pub name: String,
    pub rust_name: String,
    pub min: u32,
    /// `u32::MAX` for `*`.
    pub max: u32,
    pub is_summary: bool,
    pub is_modifier: bool,
    pub doc: String,
    pub ty: FieldType,
    /// Stored behind a `Box` (recursion).
    pub boxed: bool,
}

impl Field {
    pub fn is_list(&self) -> bool {
        self.max > 1
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// A primitive; `code_enum` names the code enum of a required binding.
    Primitive { fhir: String, code_enum: Option<String> },
    /// A complex datatype (by FHIR name).
    Complex(String),
    /// A backbone element (by element path).
    Backbone(String),
    /// A choice `name[x]`.
    Choice { enum_name: String, variants: Vec<Variant> },
    Resource,
    /// Plain text without id/extension (`Element.id`, `Extension.url`).
    Text,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// FHIR type code (`Quantity`, `dateTime`).
    pub code: String,
    /// JSON key (`valueQuantity`).
    pub key: String,
    pub rust_name: String,
    /// `Primitive` or `Complex`.
    pub ty: FieldType,
}

#[derive(Debug)]
pub struct CodeEnumDef {
    pub rust_name: String,
    pub value_set: String,
    pub doc: String,
    /// (code, Rust variant name, display)
    pub codes: Vec<(String, String, String)>,
}
