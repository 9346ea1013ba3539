//! What R5 adds, read and written from the definitions alone: `integer64`
//! (a JSON string), `CodeableReference`, and a code that is a Rust keyword.

#![cfg(feature = "r5")]
#![allow(clippy::expect_used)] // in tests, a panic is the failure report

use fhir_model::r5::{self, codes, Resource};

fn round_trip(text: &str) -> Resource {
    let resource: Resource = fhir_model::json::from_str(text).expect("parses");
    assert_eq!(fhir_model::json::to_string(&resource), text);
    resource
}

#[test]
fn integer64_is_a_json_string() {
    let text = r#"{"resourceType":"DocumentReference","status":"current","content":[{"attachment":{"size":"9007199254740993"}}]}"#;
    let Resource::DocumentReference(doc) = round_trip(text) else { panic!("not a DocumentReference") };
    let size = doc.content[0].attachment.as_ref().and_then(|a| a.size.as_ref()).and_then(|s| s.value);
    assert_eq!(size.map(i64::from), Some(9_007_199_254_740_993));
}

#[test]
fn codeable_reference_holds_a_concept_or_a_reference() {
    let text = r#"{"resourceType":"Procedure","status":"completed","subject":{"reference":"Patient/1"},"reason":[{"concept":{"text":"pain"}},{"reference":{"reference":"Condition/2"}}]}"#;
    let Resource::Procedure(procedure) = round_trip(text) else { panic!("not a Procedure") };
    let r5::CodeableReference { concept, reference, .. } = &procedure.reason[1];
    assert!(concept.is_none());
    assert_eq!(reference.as_ref().and_then(|r| r.reference.as_ref()).and_then(|r| r.as_str()), Some("Condition/2"));
}

#[test]
fn a_keyword_code_gets_a_suffix() {
    let text = r#"{"resourceType":"Bundle","type":"searchset","link":[{"relation":"self","url":"http://example.org/Patient"}]}"#;
    let Resource::Bundle(bundle) = round_trip(text) else { panic!("not a Bundle") };
    let relation = bundle.link[0].relation.as_ref().and_then(|r| r.value.clone());
    assert_eq!(relation, Some(codes::LinkRelationTypes::Self_));
}
