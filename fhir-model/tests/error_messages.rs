//! The exact error for typical mistakes: element path, line, column, and a
//! message that says what was expected. These are what users act on, so a
//! change here is a change of the user interface.

use fhir_model::r4::Resource;
use fhir_model::{json, xml};

/// (path, line, column, message) of reading `input` as JSON.
fn json_error(input: &str) -> (Option<String>, usize, usize, String) {
    match json::from_str::<Resource>(input) {
        Ok(r) => panic!("accepted {input}: {r:?}"),
        Err(e) => (e.path, e.line, e.column, e.message),
    }
}

fn xml_error(input: &str) -> (Option<String>, usize, usize, String) {
    match xml::from_str::<Resource>(input) {
        Ok(r) => panic!("accepted {input}: {r:?}"),
        Err(e) => (e.path, e.line, e.column, e.message),
    }
}

#[track_caller]
fn check(
    got: (Option<String>, usize, usize, String),
    path: Option<&str>,
    line: usize,
    column: usize,
    message: &str,
) {
    assert_eq!(
        got,
        (path.map(str::to_owned), line, column, message.to_owned())
    );
}

const P: &str = "{\"resourceType\": \"Patient\",\n  ";

#[test]
fn unknown_element() {
    check(
        json_error(&format!("{P}\"nickname\": \"Pete\"}}")),
        Some("Patient"),
        2,
        12,
        "unknown property \"nickname\" (Patient has no element of that name)",
    );
    // A known name in the wrong case.
    check(
        json_error(&format!("{P}\"birthdate\": \"1974\"}}")),
        Some("Patient"),
        2,
        13,
        "unknown property \"birthdate\" (did you mean \"birthDate\"?)",
    );
    // A choice element without its type.
    check(
        json_error(&format!("{P}\"deceased\": true}}")),
        Some("Patient"),
        2,
        12,
        "unknown property \"deceased\" (deceased[x] takes its type in the name: deceasedBoolean, deceasedDateTime)",
    );
    check(
        xml_error(
            "<Patient xmlns=\"http://hl7.org/fhir\">\n  <nickname value=\"Pete\"/>\n</Patient>",
        ),
        Some("Patient"),
        2,
        3,
        "unknown element <nickname> (Patient has no element of that name)",
    );
}

#[test]
fn wrong_json_type() {
    check(
        json_error(&format!("{P}\"active\": \"true\"}}")),
        Some("Patient.active"),
        2,
        18,
        "expected a JSON boolean, found a string",
    );
}

#[test]
fn number_for_a_string() {
    check(
        json_error(&format!("{P}\"name\": [{{\"family\": 42}}]}}")),
        Some("Patient.name[0].family"),
        2,
        24,
        "expected a JSON string, found a number",
    );
}

#[test]
fn bad_date() {
    check(
        json_error(&format!("{P}\"birthDate\": \"1974-13-01\"}}")),
        Some("Patient.birthDate"),
        2,
        27,
        "invalid date \"1974-13-01\": month 13 is out of range (01-12)",
    );
    check(
        json_error(&format!("{P}\"birthDate\": \"12/25/1974\"}}")),
        Some("Patient.birthDate"),
        2,
        27,
        "invalid date \"12/25/1974\": expected a 4-digit year (YYYY)",
    );
}

#[test]
fn empty_object() {
    check(
        json_error(&format!("{P}\"maritalStatus\": {{}}}}")),
        Some("Patient.maritalStatus"),
        2,
        21,
        "empty object: FHIR elements must have content",
    );
}

#[test]
fn null() {
    check(
        json_error(&format!("{P}\"active\": null}}")),
        Some("Patient.active"),
        2,
        16,
        "expected a JSON boolean, found null (leave the property out instead)",
    );
    check(
        json_error(&format!("{P}\"maritalStatus\": null}}")),
        Some("Patient.maritalStatus"),
        2,
        23,
        "expected an object (CodeableConcept), found null (leave the property out instead)",
    );
}

#[test]
fn duplicate_key() {
    check(
        json_error(&format!("{P}\"active\": true,\n  \"active\": false}}")),
        Some("Patient.active"),
        3,
        10,
        "duplicate property \"active\"",
    );
}

#[test]
fn missing_resource_type() {
    check(
        json_error("{\"id\": \"example\",\n  \"active\": true}"),
        None,
        2,
        17,
        "missing resourceType: a resource is a JSON object naming its type in \"resourceType\"",
    );
    check(
        json_error(&format!("{P}\"contained\": [{{\"id\": \"o1\"}}]}}")),
        Some("Patient.contained[0]"),
        2,
        28,
        "missing resourceType: a resource is a JSON object naming its type in \"resourceType\"",
    );
}

#[test]
fn unknown_resource_type() {
    check(
        json_error("{\"resourceType\": \"Patients\"}"),
        None,
        1,
        28,
        "unknown resourceType \"Patients\" (not a resource type of this FHIR version)",
    );
    check(
        json_error("{\"resourceType\": \"patient\"}"),
        None,
        1,
        27,
        "unknown resourceType \"patient\" (did you mean \"Patient\"?)",
    );
}

#[test]
fn array_for_a_single_element() {
    check(
        json_error(&format!(
            "{P}\"maritalStatus\": [{{\"text\": \"married\"}}]}}"
        )),
        Some("Patient.maritalStatus"),
        2,
        20,
        "expected an object (CodeableConcept), found an array (this element occurs at most once)",
    );
    check(
        json_error(&format!("{P}\"active\": [true]}}")),
        Some("Patient.active"),
        2,
        13,
        "expected a JSON boolean, found an array",
    );
    // And the other way round.
    check(
        json_error(&format!("{P}\"name\": {{\"family\": \"Chalmers\"}}}}")),
        Some("Patient.name"),
        2,
        11,
        "expected an array (this element repeats), found an object",
    );
}

#[test]
fn out_of_order_xml_element() {
    check(
        xml_error("<Patient xmlns=\"http://hl7.org/fhir\">\n  <active value=\"true\"/>\n  <id value=\"x\"/>\n</Patient>"),
        Some("Patient"),
        3,
        3,
        "element <id> is out of order: it must come before <active>",
    );
}

#[test]
fn unclosed_tag() {
    check(
        xml_error("<Patient xmlns=\"http://hl7.org/fhir\">\n  <name>\n    <family value=\"x\"/>\n</Patient>"),
        Some("Patient.name[0]"),
        4,
        1,
        "malformed XML: ill-formed document: expected `</name>`, but `</Patient>` was found",
    );
    check(
        xml_error("<Patient xmlns=\"http://hl7.org/fhir\">\n  <active value=\"true\"/>\n"),
        Some("Patient"),
        3,
        1,
        "unexpected end of the document: expected </Patient>",
    );
    // JSON's unclosed object and bad literal.
    check(
        json_error(&format!("{P}\"active\": true")),
        Some("Patient"),
        2,
        16,
        "unexpected end of input: expected `,` and a property, or `}` closing the object",
    );
    check(
        json_error(&format!("{P}\"active\": tru}}")),
        Some("Patient.active"),
        2,
        16,
        "invalid literal: expected true, false or null",
    );
}

#[test]
fn errors_display_path_message_and_position() {
    let e = json::from_str::<Resource>(&format!("{P}\"active\": \"true\"}}")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Patient.active: expected a JSON boolean, found a string at line 2 column 18"
    );
    let e = xml::from_str::<Resource>(
        "<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"yes\"/></Patient>",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Patient.active: invalid boolean \"yes\": expected true or false at line 1 column 38"
    );
}
