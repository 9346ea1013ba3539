//! End-to-end tests of `fhir validate`: they run the built binary, because
//! the contract is the command line itself (arguments, report lines, the
//! summary on stderr, exit status). Inputs are the basic validation cases in
//! `tests/cases/basic` and small inline documents; each test that writes
//! files works in its own folder under Cargo's target tmp dir.

#![allow(clippy::indexing_slicing)]

// clippy.toml's allow-unwrap-in-tests covers `#[test]` functions but not the
// helpers below; in a test a panic is the right report.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const LINE_URL: &str = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line";
const COL_URL: &str = "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col";

/// The folder of the basic validation cases.
fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/basic")
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("validate")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `fhir validate ARGS` in `dir`, feeding `stdin` if given.
fn validate(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fhir"))
        .arg("validate")
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

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Every stdout line parsed as JSON: fails unless each line is exactly one
/// JSON object.
fn records(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not one JSON value per line ({e}): {line}"));
            assert!(value.is_object(), "{line}");
            value
        })
        .collect()
}

/// The issues of a record's OperationOutcome.
fn issues(record: &Value) -> &Vec<Value> {
    assert_eq!(record["outcome"]["resourceType"], "OperationOutcome");
    record["outcome"]["issue"].as_array().unwrap()
}

/// The value of the line or column extension of an issue.
fn extension(issue: &Value, url: &str) -> Option<u64> {
    issue["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == url)
        .and_then(|e| e["valueInteger"].as_u64())
}

/// The issue whose expression is `expression`.
fn issue_at<'a>(record: &'a Value, expression: &str) -> &'a Value {
    issues(record)
        .iter()
        .find(|i| i["expression"][0] == expression)
        .unwrap_or_else(|| panic!("no issue at {expression}: {record}"))
}

#[test]
fn valid_file_exits_0() {
    let out = validate(&cases(), &["b00_valid_control.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Valid, with the best-practice warning dom-6 (no narrative), as the
    // HL7 validator reports it.
    let text = stdout(&out);
    assert!(text.starts_with("b00_valid_control.json: valid (1 warning)\n"), "{text}");
    assert!(text.contains("warning [invariant] Observation: dom-6:"), "{text}");
    assert_eq!(
        stderr(&out),
        "1 resource: 1 valid, 0 with errors (0 errors, 1 warning)\n"
    );

    let out = validate(
        &cases(),
        &["--format", "json", "b00_valid_control.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let records = records(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["file"], "b00_valid_control.json");
    assert!(records[0].get("line").is_none(), "{}", records[0]);
    let issues = issues(&records[0]);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["severity"], "warning");
    assert!(issues[0]["diagnostics"].as_str().unwrap_or_default().starts_with("dom-6:"), "{}", issues[0]);
}

#[test]
fn missing_required_element_exits_1_with_expression_and_location() {
    let out = validate(&cases(), &["b01_missing_required.json"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("b01_missing_required.json: invalid (2 errors, 1 warning)")
    );
    for line in lines.filter(|l| !l.contains("dom-6")) {
        assert!(
            line.starts_with("  error [required] Observation."),
            "{text}"
        );
        assert!(line.ends_with("(line 1, column 1)"), "{text}");
    }
    assert!(
        text.contains("  error [required] Observation.status: "),
        "{text}"
    );
    assert_eq!(
        stderr(&out),
        "1 resource: 0 valid, 1 with errors (2 errors, 1 warning)\n"
    );

    let out = validate(
        &cases(),
        &["--format", "json", "b01_missing_required.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let records = records(&out);
    assert_eq!(records.len(), 1);
    for expression in ["Observation.status", "Observation.code"] {
        let issue = issue_at(&records[0], expression);
        assert_eq!(issue["severity"], "error");
        assert_eq!(issue["code"], "required");
        assert_eq!(extension(issue, LINE_URL), Some(1), "{issue}");
        assert_eq!(extension(issue, COL_URL), Some(1), "{issue}");
    }
}

#[test]
fn every_basic_case_gets_a_verdict_and_a_location() {
    // b13 needs invariants (pending, see tests/basic_cases.rs): left out.
    let names: Vec<String> = (0..=12)
        .map(|n| {
            let prefix = format!("b{n:02}_");
            fs::read_dir(cases())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .find(|f| f.starts_with(&prefix) && f.ends_with(".json"))
                .unwrap()
        })
        .collect();
    let args: Vec<&str> = ["--format", "json"]
        .into_iter()
        .chain(names.iter().map(String::as_str))
        .collect();
    let out = validate(&cases(), &args, None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let records = records(&out);
    let files: Vec<&str> = records
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, names, "one record per input, in order");
    for record in &records[1..] {
        let errors: Vec<&Value> = issues(record)
            .iter()
            .filter(|i| i["severity"] == "error")
            .collect();
        assert!(!errors.is_empty(), "{record}");
        for issue in errors {
            assert!(extension(issue, LINE_URL).is_some(), "{record}");
        }
    }
    assert!(
        stderr(&out).starts_with("13 resources: 1 valid, 12 with errors ("),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ndjson_reports_each_line() {
    let dir = scratch("ndjson");
    let text = concat!(
        "{\"resourceType\":\"Patient\",\"id\":\"a\"}\n",
        "\n",
        "{\"resourceType\":\"Observation\",\"id\":\"b\",\"valueString\":\"hi\"}\r\n",
        "   \n",
        "{\"resourceType\":\"Patient\",\"id\":\"c\",\"gender\":\"female\"}\n",
    );
    fs::write(dir.join("bulk.ndjson"), text).unwrap();

    let out = validate(&dir, &["bulk.ndjson"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout(&out);
    let headers: Vec<&str> = report.lines().filter(|l| !l.starts_with("  ")).collect();
    assert_eq!(
        headers,
        [
            "bulk.ndjson:1: valid (1 warning)",
            "bulk.ndjson:3: invalid (2 errors, 1 warning)",
            "bulk.ndjson:5: valid (1 warning)"
        ]
    );
    assert!(
        report.contains("  error [required] Observation.status: "),
        "{report}"
    );
    assert!(report.contains("(line 3, column "), "{report}");
    assert_eq!(
        stderr(&out),
        "3 resources: 2 valid, 1 with errors (2 errors, 3 warnings)\n"
    );

    let out = validate(&dir, &["--format", "json", "bulk.ndjson"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let records = records(&out);
    let lines: Vec<u64> = records
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 3, 5]);
    assert!(records.iter().all(|r| r["file"] == "bulk.ndjson"));
    let issue = issue_at(&records[1], "Observation.status");
    assert_eq!(
        extension(issue, LINE_URL),
        Some(3),
        "issues point at the line of the file"
    );
}

#[test]
fn ndjson_on_stdin_needs_from() {
    let text = "{\"resourceType\":\"Patient\"}\n{\"resourceType\":\"Observation\"}\n";
    let out = validate(&cases(), &["--from", "ndjson", "-"], Some(text));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(
        report.lines().filter(|l| !l.starts_with("  ")).take(2).collect::<Vec<_>>()
            == ["<stdin>:1: valid (1 warning)", "<stdin>:2: invalid (2 errors, 1 warning)"],
        "{report}"
    );
}

#[test]
fn stdin_json_and_xml() {
    let json = fs::read_to_string(cases().join("b00_valid_control.json")).unwrap();
    let out = validate(&cases(), &["-"], Some(&json));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("<stdin>: valid (1 warning)\n"), "{}", stdout(&out));

    let xml = "<Patient xmlns=\"http://hl7.org/fhir\">\n  <gender value=\"robot\"/>\n</Patient>\n";
    let out = validate(&cases(), &["--format", "json", "-"], Some(xml));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let records = records(&out);
    assert_eq!(records[0]["file"], "<stdin>");
    let issue = issue_at(&records[0], "Patient.gender");
    assert_eq!(issue["code"], "code-invalid");
}

#[test]
fn folder_is_recursive_with_json_xml_and_ndjson() {
    let dir = scratch("folder");
    fs::create_dir_all(dir.join("in/sub")).unwrap();
    fs::copy(
        cases().join("b00_valid_control.json"),
        dir.join("in/a.json"),
    )
    .unwrap();
    fs::write(
        dir.join("in/sub/b.xml"),
        "<Observation xmlns=\"http://hl7.org/fhir\">\n  <status value=\"final\"/>\n</Observation>\n",
    )
    .unwrap();
    fs::write(
        dir.join("in/c.ndjson"),
        "{\"resourceType\":\"Patient\"}\n{\"resourceType\":\"Patient\",\"active\":true}\n",
    )
    .unwrap();
    fs::write(dir.join("in/notes.txt"), "not an input").unwrap();

    let out = validate(&dir, &["--format", "json", "in"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let records = records(&out);
    let found: Vec<(String, Option<u64>)> = records
        .iter()
        .map(|r| (r["file"].as_str().unwrap().to_owned(), r["line"].as_u64()))
        .collect();
    let path = |p: &str| Path::new("in").join(p).display().to_string();
    assert_eq!(
        found,
        [
            (path("a.json"), None),
            (path("c.ndjson"), Some(1)),
            (path("c.ndjson"), Some(2)),
            (
                path(&Path::new("sub").join("b.xml").display().to_string()),
                None
            ),
        ]
    );
    // The XML observation misses its code.
    let issue = issue_at(&records[3], "Observation.code");
    assert_eq!(issue["code"], "required");
    assert_eq!(
        stderr(&out),
        "4 resources: 3 valid, 1 with errors (1 error, 4 warnings)\n"
    );
}

#[test]
fn bundle_entries_are_validated() {
    let dir = scratch("bundle");
    let bundle = r#"{
  "resourceType": "Bundle",
  "type": "collection",
  "entry": [
    { "resource": { "resourceType": "Patient", "id": "ok" } },
    { "resource": { "resourceType": "Observation", "id": "bad", "valueString": "hi" } }
  ]
}
"#;
    fs::write(dir.join("bundle.json"), bundle).unwrap();
    let out = validate(&dir, &["--format", "json", "bundle.json"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let records = records(&out);
    assert_eq!(records.len(), 1, "a Bundle is one resource");
    let issue = issue_at(&records[0], "Bundle.entry[1].resource.status");
    assert_eq!(extension(issue, LINE_URL), Some(6), "{issue}");
    issue_at(&records[0], "Bundle.entry[1].resource.code");
}

#[test]
fn unreadable_input_exits_2_after_validating_the_others() {
    let out = validate(
        &cases(),
        &["does-not-exist.json", "b01_missing_required.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("b01_missing_required.json: invalid (2 errors, 1 warning)\n"),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(
        err.starts_with("does-not-exist.json: cannot read: "),
        "{err}"
    );
    assert!(
        err.ends_with(
            "1 resource: 0 valid, 1 with errors (2 errors, 1 warning); 1 input could not be read\n"
        ),
        "{err}"
    );
}

#[test]
fn input_that_is_not_fhir_is_an_invalid_resource() {
    let dir = scratch("garbage");
    fs::write(dir.join("empty.json"), "").unwrap();
    fs::write(dir.join("list.json"), "\n [1, 2]\n").unwrap();
    let out = validate(&dir, &["empty.json", "list.json"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(
        report.starts_with("empty.json: invalid (1 error)\n  error [invalid] empty input"),
        "{report}"
    );
    assert!(
        report.contains("list.json: invalid (1 error)\n  error [invalid] "),
        "{report}"
    );
    assert!(report.contains("(line 2, column 2)"), "{report}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["--format", "yaml", "b00_valid_control.json"][..],
        &["--from", "csv", "b00_valid_control.json"][..],
        &["-", "-"][..],
    ] {
        let out = validate(&cases(), args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{args:?}");
    }
}

#[test]
fn forced_format_applies_to_every_input() {
    let out = validate(&cases(), &["--from", "xml", "b00_valid_control.json"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("looks like JSON"), "{}", stdout(&out));
}

/// A narrative read from JSON is checked as the XML reader checks it: one
/// well-formed XHTML div. (The JSON reader keeps any string as a div.)
#[test]
fn narrative_must_be_well_formed_xhtml() {
    let dir = scratch("narrative");
    let patient = |div: &str| {
        serde_json::json!({
            "resourceType": "Patient",
            "text": {"status": "generated", "div": div},
        })
        .to_string()
    };
    let good = patient("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>x</p></div>");
    fs::write(dir.join("good.json"), &good).unwrap();
    let out = validate(&dir, &["good.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    for (name, div) in [
        ("unclosed.json", "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>x</div>"),
        ("no_namespace.json", "<div><p>x</p></div>"),
        ("text_after.json", "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div> and more"),
    ] {
        fs::write(dir.join(name), patient(div)).unwrap();
        let out = validate(&dir, &["--format", "json", name], None);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stdout(&out));
        let records = records(&out);
        let issue = issue_at(&records[0], "Patient.text.div");
        assert_eq!(issue["severity"], "error", "{name}: {issue}");
        let text = issue["diagnostics"].as_str().unwrap_or_default();
        assert!(text.starts_with("the narrative is not well-formed XHTML: "), "{name}: {text}");
        assert_eq!(extension(issue, LINE_URL), Some(1), "{name}: {issue}");
    }
}
