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

/// [`OBSERVATION`] in FHIR XML.
const OBSERVATION_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Observation xmlns="http://hl7.org/fhir">
  <!-- a comment, ignored -->
  <status value="final"/>
  <code>
    <text value="blood pressure"/>
  </code>
  <component>
    <code><text value="systolic"/></code>
    <valueQuantity><value value="120"/></valueQuantity>
  </component>
  <component>
    <code><text value="diastolic"/></code>
    <valueQuantity><value value="80"/></valueQuantity>
  </component>
</Observation>
"#;

/// [`BAD_OBSERVATION`] in FHIR XML: the unknown element is on line 15.
const BAD_OBSERVATION_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Observation xmlns="http://hl7.org/fhir">
  <!-- a comment, ignored -->
  <status value="final"/>
  <code>
    <text value="blood pressure"/>
  </code>
  <component>
    <code><text value="systolic"/></code>
    <valueQuantity><value value="120"/></valueQuantity>
  </component>
  <component>
    <code><text value="diastolic"/></code>
    <valueQuantity><value value="80"/>
      <bogus value="1"/></valueQuantity>
  </component>
</Observation>
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
        "{}: line 7, column 78: Observation.component[1].valueQuantity: unknown property \"bogus\" (Quantity has no element of that name)\n",
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
fn usage_errors_exit_2() {
    let dir = scratch("usage");
    // Unsupported FHIR version (clap's own check).
    let out = fhir(
        &dir,
        &["convert", "--to", "json", "--fhir-version", "r3", "x.json"],
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

#[test]
fn json_to_xml_to_json_round_trips() {
    let dir = scratch("xml-round-trip");
    fs::write(dir.join("patient.json"), PATIENT).unwrap();
    fs::write(dir.join("observation.json"), OBSERVATION).unwrap();

    for (name, original) in [("patient", PATIENT), ("observation", OBSERVATION)] {
        let json_name = format!("{name}.json");
        let out = fhir(&dir, &["convert", "--to", "xml", &json_name], None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let xml = stdout(&out);
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert_eq!(xml.lines().count(), 1, "XML is compact: {xml}");

        // Back through standard input, which has no file name: detected by content.
        let out = fhir(&dir, &["convert", "--to", "json", "-"], Some(&xml));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(json(&stdout(&out)), json(original));
    }
}

#[test]
fn xml_input_is_detected_by_content() {
    let dir = scratch("xml-detect");
    // A misleading name: the content decides.
    fs::write(dir.join("observation.json"), OBSERVATION_XML).unwrap();
    fs::write(dir.join("patient.txt"), PATIENT).unwrap();

    let out = fhir(
        &dir,
        &["convert", "--to", "json", "observation.json", "patient.txt"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let docs: Vec<Value> = serde_json::Deserializer::from_str(&text)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(docs, [json(OBSERVATION), json(PATIENT)]);

    // XML to XML normalizes (no comment, compact) and keeps the content.
    let out = fhir(&dir, &["convert", "--to", "xml", "observation.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("comment"), "{}", stdout(&out));
    let out = fhir(&dir, &["convert", "--to", "json", "-"], Some(&stdout(&out)));
    assert_eq!(json(&stdout(&out)), json(OBSERVATION));

    // Neither format.
    let out = fhir(&dir, &["convert", "--to", "json", "-"], Some("\n  [1]"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("<stdin>: line 2, column 3: neither FHIR JSON nor XML"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn forced_input_format_rejects_the_other() {
    let dir = scratch("from");
    fs::write(dir.join("patient.json"), PATIENT).unwrap();
    fs::write(dir.join("observation.xml"), OBSERVATION_XML).unwrap();

    let out = fhir(
        &dir,
        &["convert", "--from", "xml", "--to", "json", "patient.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.starts_with("patient.json: line 1, column 1: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let out = fhir(
        &dir,
        &[
            "convert",
            "--from",
            "json",
            "--to",
            "xml",
            "observation.xml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("observation.xml: line 1, column 1: "),
        "{}",
        stderr(&out)
    );

    // The right one works.
    let out = fhir(
        &dir,
        &[
            "convert",
            "--from",
            "xml",
            "--to",
            "json",
            "observation.xml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&stdout(&out)), json(OBSERVATION));
}

#[test]
fn mixed_folder_to_output_folder_renames_extensions() {
    let dir = scratch("mixed");
    fs::create_dir_all(dir.join("in/sub")).unwrap();
    fs::write(dir.join("in/a-patient.json"), PATIENT).unwrap();
    fs::write(dir.join("in/b-observation.xml"), OBSERVATION_XML).unwrap();
    fs::write(dir.join("in/sub/c-observation.XML"), OBSERVATION_XML).unwrap();
    fs::write(dir.join("in/notes.txt"), "not an input").unwrap();

    let out = fhir(&dir, &["convert", "--to", "json", "in", "-o", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with("converted 3 of 3 files (0 failed)\n"),
        "{}",
        stderr(&out)
    );
    let read = |path: &str| fs::read_to_string(dir.join(path)).unwrap();
    assert_eq!(json(&read("json/a-patient.json")), json(PATIENT));
    assert_eq!(json(&read("json/b-observation.json")), json(OBSERVATION));
    assert_eq!(
        json(&read("json/sub/c-observation.json")),
        json(OBSERVATION)
    );
    assert!(!dir.join("json/b-observation.xml").exists());
    assert!(!dir.join("json/notes.json").exists());

    let out = fhir(&dir, &["convert", "--to", "xml", "in", "-o", "xml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for name in [
        "a-patient.xml",
        "b-observation.xml",
        "sub/c-observation.xml",
    ] {
        assert!(read(&format!("xml/{name}")).starts_with("<?xml"), "{name}");
    }
    assert!(!dir.join("xml/a-patient.json").exists());

    // The XML files convert back to the original JSON.
    let out = fhir(
        &dir,
        &["convert", "--to", "json", "xml", "-o", "back"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&read("back/a-patient.json")), json(PATIENT));
    assert_eq!(
        json(&read("back/sub/c-observation.json")),
        json(OBSERVATION)
    );

    // Standard input into a folder: stdin.xml.
    let out = fhir(
        &dir,
        &["convert", "--to", "xml", "-", "-o", "std/"],
        Some(PATIENT),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(read("std/stdin.xml").starts_with("<?xml"));
}

#[test]
fn same_name_in_both_formats_is_a_collision() {
    let dir = scratch("collision");
    fs::create_dir_all(dir.join("in")).unwrap();
    fs::write(dir.join("in/obs.json"), OBSERVATION).unwrap();
    fs::write(dir.join("in/obs.xml"), OBSERVATION_XML).unwrap();

    let out = fhir(&dir, &["convert", "--to", "json", "in", "-o", "out"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let input = Path::new("in").join("obs.xml");
    assert!(
        err.starts_with(&format!("{}: not written: ", input.display())),
        "{err}"
    );
    assert_eq!(
        json(&fs::read_to_string(dir.join("out/obs.json")).unwrap()),
        json(OBSERVATION)
    );
}

#[test]
fn xml_error_names_path_line_and_column() {
    let dir = scratch("xml-error");
    fs::create_dir_all(dir.join("in")).unwrap();
    fs::write(dir.join("in/bad.xml"), BAD_OBSERVATION_XML).unwrap();
    fs::write(dir.join("in/good.xml"), OBSERVATION_XML).unwrap();

    let out = fhir(&dir, &["convert", "--to", "json", "in", "-o", "out"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let bad = Path::new("in").join("bad.xml");
    let expected = format!(
        "{}: line 15, column 7: Observation.component[1].valueQuantity: unknown element <bogus> (Quantity has no element of that name)\n",
        bad.display()
    );
    assert!(err.starts_with(&expected), "{err}");
    assert!(
        err.ends_with("converted 1 of 2 files (1 failed)\n"),
        "{err}"
    );
    assert!(dir.join("out/good.json").is_file());
    assert!(!dir.join("out/bad.json").exists());

    // --lenient applies to XML too.
    let out = fhir(
        &dir,
        &["convert", "--lenient", "--to", "json", "in/bad.xml"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&stdout(&out)), json(OBSERVATION));
}

#[test]
fn text_xml_cannot_carry_fails_that_file_only() {
    let dir = scratch("xml-control");
    fs::create_dir_all(dir.join("in")).unwrap();
    fs::write(
        dir.join("in/a-control.json"),
        r#"{"resourceType": "Patient", "name": [{"family": "a\u0001b"}]}"#,
    )
    .unwrap();
    fs::write(dir.join("in/b-patient.json"), PATIENT).unwrap();

    // JSON carries it.
    let out = fhir(
        &dir,
        &["convert", "--to", "json", "in/a-control.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(r"a\u0001b"), "{}", stdout(&out));

    let out = fhir(&dir, &["convert", "--to", "xml", "in", "-o", "out"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let bad = Path::new("in").join("a-control.json");
    assert!(
        err.starts_with(&format!("{}: cannot be written as XML: ", bad.display())),
        "{err}"
    );
    assert!(err.contains("U+0001"), "{err}");
    assert!(
        err.ends_with("converted 1 of 2 files (1 failed)\n"),
        "{err}"
    );
    assert!(!dir.join("out/a-control.xml").exists());
    assert!(dir.join("out/b-patient.xml").is_file());
}

#[test]
fn help_documents_formats() {
    let dir = scratch("help");
    let out = fhir(&dir, &["convert", "--help"], None);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for needle in [
        "--from <FORMAT>",
        "--to <FORMAT>",
        "XML is always written compact",
        "Patient.xml becomes Patient.json",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}

/// Built with `--features r5`: R5 is selectable and has R5-only resources.
#[cfg(feature = "r5")]
#[test]
fn r5_resources_convert_with_fhir_version_r5() {
    let dir = scratch("r5");
    let actor = r#"{"resourceType": "ActorDefinition", "status": "draft", "type": "person"}"#;
    fs::write(dir.join("actor.json"), actor).unwrap();

    let out = fhir(
        &dir,
        &[
            "convert",
            "--fhir-version",
            "r5",
            "--to",
            "xml",
            "actor.json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = fhir(
        &dir,
        &["convert", "--fhir-version", "r5", "--to", "json", "-"],
        Some(&stdout(&out)),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&stdout(&out)), json(actor));
}
