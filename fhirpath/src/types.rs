//! Type tests for `is`, `as`, `ofType`: the System namespace (FHIRPath's own
//! types) and the FHIR namespace (the model's types, with their ancestors).

use crate::ast::TypeSpec;
use crate::error::Error;
use crate::item::{Item, Node, Repr};

const SYSTEM_TYPES: &[&str] = &[
    "Boolean", "Integer", "Long", "Decimal", "String", "Date", "DateTime", "Time", "Quantity",
];

/// FHIR primitive types and the type each is derived from
/// (StructureDefinition.baseDefinition in the FHIR core definitions).
const PRIMITIVES: &[(&str, Option<&str>)] = &[
    ("boolean", None),
    ("integer", None),
    ("integer64", None),
    ("decimal", None),
    ("string", None),
    ("uri", None),
    ("base64Binary", None),
    ("instant", None),
    ("date", None),
    ("dateTime", None),
    ("time", None),
    ("code", Some("string")),
    ("id", Some("string")),
    ("markdown", Some("string")),
    ("url", Some("uri")),
    ("canonical", Some("uri")),
    ("oid", Some("uri")),
    ("uuid", Some("uri")),
    ("positiveInt", Some("integer")),
    ("unsignedInt", Some("integer")),
    ("xhtml", None),
];

fn primitive_base(name: &str) -> Option<Option<&'static str>> {
    PRIMITIVES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// Whether a type name can exist at all (unknown names are an error).
fn known(spec: &TypeSpec) -> bool {
    let name = spec.name.as_str();
    match spec.namespace.as_deref() {
        Some("System") => true,
        Some("FHIR") => true,
        Some(_) => false,
        None => {
            SYSTEM_TYPES.contains(&name)
                || primitive_base(name).is_some()
                || name.starts_with(|c: char| c.is_ascii_uppercase())
        }
    }
}

/// Whether FHIR type `ty` of `item` is `name` or derives from it.
fn fhir_is(item: &Item<'_>, ty: &str, name: &str) -> bool {
    if ty == name {
        return true;
    }
    if let Some(mut base) = primitive_base(ty) {
        while let Some(b) = base {
            if b == name {
                return true;
            }
            base = primitive_base(b).flatten();
        }
        return matches!(name, "Element" | "PrimitiveType");
    }
    // Complex types and resources: the base chain the generator recorded
    // from the definitions (Age → Quantity → Element; Patient →
    // DomainResource → Resource).
    // The element's own type counts too: a caller may have built the item
    // with the declared type of its field (`Resource` for `contained`).
    let Repr::Node(Node::Element(e), _) = item.repr else {
        return false;
    };
    let ti = e.type_info();
    ti.name == name || ti.bases.contains(&name)
}

/// `item is spec`.
pub(crate) fn is_type(item: &Item<'_>, spec: &TypeSpec) -> Result<bool, Error> {
    if !known(spec) {
        return Err(Error::execution(format!("unknown type {}", spec.name)));
    }
    let ns = spec.namespace.as_deref();
    Ok(match &item.repr {
        Repr::Value(v) => ns != Some("FHIR") && v.type_name() == spec.name,
        Repr::Node(_, ty) => ns != Some("System") && fhir_is(item, ty, &spec.name),
        Repr::Type { .. } => spec.name == "TypeInfo",
    })
}

/// `item as spec` / `ofType(spec)`: like [`is_type`], except that a FHIR
/// primitive must be of exactly that type (the test suite reads `code` as
/// not castable to `string`, although `code is string` holds).
pub(crate) fn as_type(item: &Item<'_>, spec: &TypeSpec) -> Result<bool, Error> {
    match &item.repr {
        Repr::Node(Node::Primitive(_) | Node::Text(_), ty)
            if spec.namespace.as_deref() != Some("System") =>
        {
            Ok(is_type(item, spec)? && *ty == spec.name)
        }
        _ => is_type(item, spec),
    }
}

/// The `type()` of an item.
pub(crate) fn type_of<'a>(item: &Item<'a>) -> Item<'a> {
    let (namespace, name) = match &item.repr {
        Repr::Value(v) => ("System", v.type_name().to_owned()),
        Repr::Node(_, t) if t.contains('.') => ("FHIR", "BackboneElement".to_owned()),
        Repr::Node(_, t) => ("FHIR", (*t).to_owned()),
        Repr::Type { .. } => ("System", "TypeInfo".to_owned()),
    };
    Item {
        repr: Repr::Type { namespace, name },
        any_resource: false,
    }
}
