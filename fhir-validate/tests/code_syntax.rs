//! Codes of systems the definitions cannot enumerate but that have a grammar:
//! a MIME type (`urn:ietf:bcp:13`) that breaks it is not in any value set of
//! that system, a warning (FHIR's own `xml`/`json` shorthands, allowed by
//! CapabilityStatement.format's definition, break it too); one that follows
//! it stays "not checked" (information), never silently valid.

#![allow(clippy::unwrap_used)]

use fhir_model::r4::Resource;
use fhir_validate::validate::{IssueType, Outcome, Severity, Validator};

fn validate_content_type(content_type: &str) -> Outcome {
    let json = format!(
        r#"{{"resourceType":"DocumentReference","status":"current","content":[{{"attachment":{{"contentType":"{content_type}","url":"http://example.org/a"}}}}]}}"#
    );
    Validator::new(&fhir_validate::generated::r4::TABLES).validate_json::<Resource>(json.as_bytes())
}

const PATH: &str = "DocumentReference.content[0].attachment.contentType";

#[test]
fn a_malformed_mime_type_is_a_warning() {
    let o = validate_content_type("text plain");
    let i = o.issues.iter().find(|i| i.expression == PATH).unwrap();
    assert_eq!((i.severity, i.code), (Severity::Warning, IssueType::CodeInvalid), "{i}");
    assert!(i.diagnostics.contains("not a valid MIME type") && i.diagnostics.contains("required binding"), "{i}");
    assert_eq!(i.line, Some(1), "{i}");
}

#[test]
fn a_well_formed_mime_type_is_not_checked_but_not_an_error() {
    let o = validate_content_type("text/plain; charset=UTF-8");
    assert!(!o.has_errors(), "{o:#?}");
    let i = o.issues.iter().find(|i| i.expression == PATH).unwrap();
    assert_eq!((i.severity, i.code), (Severity::Information, IssueType::NotSupported), "{i}");
    assert!(i.diagnostics.contains("its syntax is valid"), "{i}");
}
