//! Rust names for FHIR names: one sanitiser, used everywhere.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved) that FHIR element names can hit.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do",
    "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe",
    "unsized", "use", "virtual", "where", "while", "yield",
];

/// A field name: snake_case, with `_` appended to keywords (`type` -> `type_`).
pub fn field_name(fhir: &str) -> String {
    let s = fhir.to_snake_case();
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// A type name from a FHIR type name or element path:
/// `Patient.contact` -> `PatientContact`, `dateTime` -> `DateTime`.
pub fn type_name(fhir: &str) -> String {
    fhir.split('.').map(upper_first).collect()
}

/// Uppercases the first letter only (`dateTime` -> `DateTime`), the FHIR rule
/// for choice keys (`valueDateTime`).
pub fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// An enum variant name for a code, or `None` if the code has no usable
/// letters or digits (`<=`); then the caller tries the display text.
///
/// `Self` is the one keyword an UpperCamelCase name can hit (R5 codes
/// `self`), so it gets the same `_` suffix as keyword field names.
pub fn variant_name(code: &str) -> Option<String> {
    let cleaned: String =
        code.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    let s = cleaned.to_upper_camel_case();
    if s.is_empty() {
        None
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        Some(format!("V{s}"))
    } else if KEYWORDS.contains(&s.as_str()) {
        Some(format!("{s}_"))
    } else {
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_are_valid_identifiers() {
        assert_eq!(variant_name("entered-in-error").as_deref(), Some("EnteredInError"));
        assert_eq!(variant_name("1.2").as_deref(), Some("V12"));
        assert_eq!(variant_name("<=").as_deref(), None);
        // R5 has codes `self` (e.g. link relation types): `Self` is a keyword.
        assert_eq!(variant_name("self").as_deref(), Some("Self_"));
    }

    #[test]
    fn field_names_avoid_keywords() {
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("valueDateTime"), "value_date_time");
    }
}
