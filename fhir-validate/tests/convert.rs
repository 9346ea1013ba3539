//! End-to-end tests of `fhir convert`: they run the built binary, because the
//! contract is the command line itself (arguments, files written, stderr
//! lines, exit status). Inputs are small inline documents so the tests stay
//! fast; each test works in its own folder under Cargo's target tmp dir.

// clippy.toml's allow-unwrap-in-tests covers `#[test]` functions but not the
// helpers below; in a test a panic is the right report.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const PATIENT: &str = r#"{
  "resourceType": "Patient",
  "id": "example",
  "active": true,
  "name": [
    {
      "family": "Chalmers",
      "given": ["Peter", "James"]
    }
  ],
  "birthDate": "1974-12-25"
}
"#;

const OBSERVATION: &str = r#"{
  "resourceType": "Observation",
  "status": "final",
  "code": { "text": "blood pressure" },
  "component": [
    { "code": { "text": "systolic" }, "valueQuantity": { "value": 120 } },
    { "code": { "text": "diastolic" }, "valueQuantity": { "value": 80 } }
  ]
}
"#;

/// The observation with an unknown property inside the second component:
/// line 7, and the error is reported just after the property name.
const BAD_OBSERVATION: &str = r#"{
  "resourceType": "Observation",
  "status": "final",
  "code": { "text": "blood pressure" },
  "component": [
    { "code": { "text": "systolic" }, "valueQuantity": { "value": 120 } },
    { "code": { "text": "diastolic" }, "valueQuantity": { "value": 80, "bogus": 1 } }
  ]
}
"#;

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("convert")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `fhir ARGS` in `dir`, feeding `stdin` if given.
fn fhir(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fhir"))
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn valid_file_to_stdout_round_trips() {
    let dir = scratch("stdout");
    fs::write(dir.join("patient.json"), PATIENT).unwrap();

    let out = fhir(&dir, &["convert", "--to", "json", "patient.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&stdout(&out)), json(PATIENT));
    assert!(
        stdout(&out).lines().count() > 1,
        "pretty-printed by default"
    );
    // One input: no summary line.
    assert_eq!(stderr(&out), "");

    let out = fhir(
        &dir,
        &["convert", "--to", "json", "--compact", "patient.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
    assert_eq!(json(&stdout(&out)), json(PATIENT));
}

#[test]
fn folder_with_an_invalid_file_to_output_folder() {
    let dir = scratch("folder");
    fs::create_dir_all(dir.join("in")).unwrap();
    fs::write(dir.join("in/a-patient.json"), PATIENT).unwrap();
    fs::write(dir.join("in/b-observation.json"), OBSERVATION).unwrap();
    fs::write(dir.join("in/c-bad.json"), BAD_OBSERVATION).unwrap();
    fs::write(dir.join("in/notes.txt"), "not an input").unwrap();

    let out = fhir(&dir, &["convert", "--to", "json", "in", "-o", "out"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");

    let written = |name: &str| json(&fs::read_to_string(dir.join("out").join(name)).unwrap());
    assert_eq!(written("a-patient.json"), json(PATIENT));
    assert_eq!(written("b-observation.json"), json(OBSERVATION));
    assert!(!dir.join("out/c-bad.json").exists());
    assert!(!dir.join("out/notes.txt").exists());

    let err = stderr(&out);
    let bad = Path::new("in").join("c-bad.json");
    let expected = format!(
        "{}: line 7, column 78: Observation.component[1].valueQuantity: unknown property \"bogus\"\n",
        bad.display()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(
        err.ends_with("converted 2 of 3 files (1 failed)\n"),
        "{err}"
    );
}

#[test]
fn nested_folders_keep_relative_paths() {
    let dir = scratch("nested");
    fs::create_dir_all(dir.join("in/x")).unwrap();
    fs::create_dir_all(dir.join("in/y")).unwrap();
    fs::write(dir.join("in/x/same.json"), PATIENT).unwrap();
    fs::write(dir.join("in/y/same.json"), OBSERVATION).unwrap();

    let out = fhir(&dir, &["convert", "--to", "json", "in", "-o", "out"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("out/x/same.json").is_file());
    assert!(dir.join("out/y/same.json").is_file());
}

#[test]
fn stdin_input() {
    let dir = scratch("stdin");

    let out = fhir(&dir, &["convert", "--to", "json", "-"], Some(PATIENT));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&stdout(&out)), json(PATIENT));

    // Into an existing folder, standard input becomes stdin.json.
    fs::create_dir_all(dir.join("out")).unwrap();
    let out = fhir(
        &dir,
        &["convert", "--to", "json", "-", "-o", "out"],
        Some(PATIENT),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        json(&fs::read_to_string(dir.join("out/stdin.json")).unwrap()),
        json(PATIENT)
    );

    let out = fhir(
        &dir,
        &["convert", "--to", "json", "-"],
        Some(r#"{"resourceType": "Patient", "bogus": 1}"#),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("<stdin>: line 1, column 35: Patient: unknown property"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn single_file_to_output_file() {
    let dir = scratch("file");
    fs::write(dir.join("patient.json"), PATIENT).unwrap();

    let out = fhir(
        &dir,
        &[
            "convert",
            "--to",
            "json",
            "--compact",
            "patient.json",
            "-o",
            "result.json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = fs::read_to_string(dir.join("result.json")).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert_eq!(json(&text), json(PATIENT));
}

#[test]
fn lenient_ignores_unknown_properties() {
    let dir = scratch("lenient");
    fs::write(dir.join("bad.json"), BAD_OBSERVATION).unwrap();

    let out = fhir(
        &dir,
        &["convert", "--to", "json", "--lenient", "bad.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The unknown property is dropped; everything else is kept.
    assert_eq!(json(&stdout(&out)), json(OBSERVATION));
}

#[test]
fn missing_input_fails_like_a_bad_file() {
    let dir = scratch("missing");
    fs::write(dir.join("patient.json"), PATIENT).unwrap();

    let out = fhir(
        &dir,
        &[
            "convert",
            "--to",
            "json",
            "patient.json",
            "missing.json",
            "-o",
            "out",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(dir.join("out/patient.json").is_file());
    let err = stderr(&out);
    assert!(err.starts_with("missing.json: cannot read: "), "{err}");
    assert!(
        err.ends_with("converted 1 of 2 files (1 failed)\n"),
        "{err}"
    );
}

#[test]
fn xml_output_is_a_usage_error() {
    let dir = scratch("xml");
    fs::write(dir.join("patient.json"), PATIENT).unwrap();

    let out = fhir(&dir, &["convert", "--to", "xml", "patient.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("XML output is not implemented yet (see the XML issue)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn usage_errors_exit_2() {
    let dir = scratch("usage");
    // Unsupported FHIR version (clap's own check).
    let out = fhir(
        &dir,
        &["convert", "--to", "json", "--fhir-version", "r5", "x.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    // Standard input twice.
    let out = fhir(&dir, &["convert", "--to", "json", "-", "-"], Some(""));
    assert_eq!(out.status.code(), Some(2));
    // Output folder that cannot be created (a file is in the way).
    fs::write(dir.join("taken"), "").unwrap();
    fs::write(dir.join("a.json"), PATIENT).unwrap();
    let out = fhir(
        &dir,
        &["convert", "--to", "json", "a.json", "a.json", "-o", "taken"],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: cannot write taken: "),
        "{}",
        stderr(&out)
    );
}
