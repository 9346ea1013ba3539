//! End-to-end tests of `fhir path`: the built binary on small documents fed
//! through standard input.

#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const PATIENT_JSON: &str = r#"{"resourceType": "Patient", "id": "p1", "active": true,
  "name": [{"family": "Chalmers", "given": ["Peter", "James"]}, {"given": ["Jim"]}]}"#;

const PATIENT_XML: &str = r#"<Patient xmlns="http://hl7.org/fhir"><id value="p1"/>
  <birthDate value="1974-12-25"/></Patient>"#;

/// Runs `fhir path ARGS... -` with `stdin`.
///
/// The CLI may exit (for instance on a syntax error in the expression) before
/// it reads its input, so a broken pipe while writing stdin is not a failure:
/// the tests judge the exit code and the output.
fn path(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fhir"))
        .arg("path")
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let written = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

#[test]
fn prints_the_collection_with_types() {
    let out = path(&["Patient.name.given | name.count()"], PATIENT_JSON);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        items,
        serde_json::json!([
            {"type": "FHIR.string", "value": "Peter"},
            {"type": "FHIR.string", "value": "James"},
            {"type": "FHIR.string", "value": "Jim"},
            {"type": "System.Integer", "value": 2}
        ])
    );
}

#[test]
fn reads_xml_and_computes_dates() {
    let out = path(&["--fhir-version", "r4", "birthDate + 1 year"], PATIENT_XML);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        items,
        serde_json::json!([{"type": "System.Date", "value": "1975-12-25"}])
    );
}

#[test]
fn empty_result_is_an_empty_array() {
    let out = path(&["deceased"], PATIENT_JSON);
    assert_eq!(out.status.code(), Some(0));
    let items: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items, serde_json::json!([]));
}

#[test]
fn syntax_error_exits_1_with_a_message() {
    let out = path(&["name.("], PATIENT_JSON);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid expression: syntax error"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn evaluation_error_exits_1_with_a_message() {
    let out = path(&["name.single()"], PATIENT_JSON);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("evaluation error"), "{err}");
}

#[test]
fn unreadable_input_exits_1() {
    let out = path(&["name"], "{\"resourceType\": \"Nope\"}");
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stderr.is_empty());
}

#[test]
fn forced_format_must_match_the_content() {
    let out = path(&["--from", "xml", "name"], PATIENT_JSON);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not FHIR XML"), "{err}");
}
