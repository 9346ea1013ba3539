//! Verdicts reused between instances (per type and pattern of empty fields,
//! per guard, per tuple of field values, per field of elements) give each
//! instance its own verdict: instances that pass and fail alternate, so a
//! verdict carried over to the wrong instance changes the counts below.

use fhir_model::r4::Resource;
use fhir_validate::validate::Validator;

/// The paths of the issues whose text starts with `key`.
fn failures(issues: &[String], key: &str) -> Vec<String> {
    let prefix = format!("{key}: ");
    issues
        .iter()
        .filter(|i| i.contains(&prefix))
        .cloned()
        .collect()
}

fn validate(json: &str) -> Vec<String> {
    let v = Validator::new(&fhir_validate::generated::r4::TABLES);
    let run = || -> Vec<String> {
        v.validate_json::<Resource>(json.as_bytes())
            .issues
            .iter()
            .map(|i| i.to_string())
            .collect()
    };
    let first = run();
    // Again with the verdicts the first pass kept.
    assert_eq!(first, run());
    first
}

/// An element of a differential; `extra` is more JSON members.
fn element(path: &str, extra: &str) -> String {
    format!(r#"{{"id": "{path}", "path": "{path}"{extra}}}"#)
}

const SD_HEAD: &str = r#""resourceType": "StructureDefinition", "url": "http://example.org/sd",
    "name": "Sd", "status": "draft", "kind": "resource", "abstract": false, "type": "Patient",
    "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Patient", "derivation": "constraint""#;

fn structure_definition(elements: &[String]) -> String {
    format!(
        r#"{{{SD_HEAD}, "differential": {{"element": [{}]}}}}"#,
        elements.join(", ")
    )
}

#[test]
fn value_verdicts_follow_the_values() {
    // eld-2 (`min` against `max`) and eld-18 (`isModifier` needs a reason).
    let cases = [
        (r#", "min": 2, "max": "1""#, true, false),
        (r#", "min": 0, "max": "1""#, false, false),
        (r#", "min": 2, "max": "1", "isModifier": true"#, true, true),
        (
            r#", "min": 1, "max": "*", "isModifier": false"#,
            false,
            false,
        ),
        (r#", "min": 2, "max": "1""#, true, false),
        (
            r#", "min": 3, "max": "2", "isModifier": true, "isModifierReason": "x""#,
            true,
            false,
        ),
        (r#", "min": 0, "max": "1", "isModifier": true"#, false, true),
        (r#", "min": 1, "max": "1""#, false, false),
        (r#", "min": 3, "max": "2""#, true, false),
        (r#", "max": "0""#, false, false),
    ];
    let mut elements = vec![element("Patient", "")];
    for (i, (extra, _, _)) in cases.iter().enumerate() {
        elements.push(element(&format!("Patient.x{i}"), extra));
    }
    let issues = validate(&structure_definition(&elements));
    for (key, expected) in [("eld-2", 1), ("eld-18", 2)] {
        let got = failures(&issues, key);
        let want: Vec<usize> = cases
            .iter()
            .enumerate()
            .filter(|(_, c)| if expected == 1 { c.1 } else { c.2 })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(got.len(), want.len(), "{key}: {got:#?}");
        for (issue, i) in got.iter().zip(&want) {
            assert!(
                issue.contains(&format!("element[{}]: ", i + 1)),
                "{key} at element {}: {issue}",
                i + 1
            );
        }
    }
}

#[test]
fn later_guards_and_field_invariants_decide_per_instance() {
    // eld-17 on each type: a target profile only for references.
    let types = [
        (
            r#"{"code": "string", "targetProfile": ["http://x/a"]}"#,
            true,
        ),
        (r#"{"code": "string"}"#, false),
        (
            r#"{"code": "Reference", "targetProfile": ["http://x/a"]}"#,
            false,
        ),
        (r#"{"code": "code", "targetProfile": ["http://x/a"]}"#, true),
        (r#"{"code": "uri"}"#, false),
    ];
    // ext-1 on each extension (listed at the field): a value or
    // extensions, not both.
    let extensions = [
        (r#"{"url": "http://x/e", "valueString": "a"}"#, false),
        (
            r#"{"url": "http://x/e", "valueString": "a", "extension": [{"url": "u", "valueString": "b"}]}"#,
            true,
        ),
        (r#"{"url": "http://x/e", "valueCode": "c"}"#, false),
        (
            r#"{"url": "http://x/e", "valueString": "d", "extension": [{"url": "u", "valueCode": "e"}]}"#,
            true,
        ),
    ];
    let mut elements = vec![element("Patient", "")];
    for (i, (t, _)) in types.iter().enumerate() {
        elements.push(element(
            &format!("Patient.t{i}"),
            &format!(r#", "type": [{t}]"#),
        ));
    }
    for (i, (e, _)) in extensions.iter().enumerate() {
        elements.push(element(
            &format!("Patient.e{i}"),
            &format!(r#", "extension": [{e}]"#),
        ));
    }
    let issues = validate(&structure_definition(&elements));
    let eld17 = failures(&issues, "eld-17");
    let want: Vec<usize> = (0..types.len()).filter(|&i| types[i].1).collect();
    assert_eq!(eld17.len(), want.len(), "{eld17:#?}");
    for (issue, i) in eld17.iter().zip(&want) {
        assert!(
            issue.contains(&format!("element[{}].type", i + 1)),
            "{issue}"
        );
    }
    // ext-1 is listed both at `ElementDefinition.extension` and at the
    // type Extension: each failing extension is still reported once.
    let ext1 = failures(&issues, "ext-1");
    let want: Vec<usize> = (0..extensions.len()).filter(|&i| extensions[i].1).collect();
    assert_eq!(ext1.len(), want.len(), "{ext1:#?}");
    for (issue, i) in ext1.iter().zip(&want) {
        assert!(
            issue.contains(&format!("element[{}].extension", i + 1 + types.len())),
            "{issue}"
        );
    }
}

#[test]
fn presence_guards_decide_per_pattern() {
    // vsd-9 (`code.exists() or abstract = true`) on each expansion entry;
    // without a code nor `abstract` the result is empty, which passes.
    let contains = [
        (r#"{"system": "http://x", "code": "a"}"#, false),
        (r#"{"abstract": false, "display": "no code"}"#, true),
        (r#"{"display": "no code"}"#, false),
        (r#"{"abstract": true, "display": "group"}"#, false),
        (
            r#"{"system": "http://x", "code": "b", "abstract": false}"#,
            false,
        ),
        (r#"{"abstract": false, "display": "no code"}"#, true),
    ];
    let list: Vec<&str> = contains.iter().map(|(c, _)| *c).collect();
    let json = format!(
        r#"{{"resourceType": "ValueSet", "status": "draft", "expansion": {{"timestamp": "2020-01-01", "contains": [{}]}}}}"#,
        list.join(", ")
    );
    let issues = validate(&json);
    let vsd9 = failures(&issues, "vsd-9");
    let want: Vec<usize> = (0..contains.len()).filter(|&i| contains[i].1).collect();
    assert_eq!(vsd9.len(), want.len(), "{vsd9:#?}");
    for (issue, i) in vsd9.iter().zip(&want) {
        assert!(issue.contains(&format!("contains[{i}]: ")), "{issue}");
    }
}

#[test]
fn primitive_value_verdicts_follow_the_value() {
    // eld-3 on each `max`: `*` or a non-negative integer.
    let maxes = [
        ("-1", true),
        ("1", false),
        ("-1", true),
        ("*", false),
        ("-2", true),
        ("x", false),
        ("1", false),
    ];
    let mut elements = vec![element("Patient", "")];
    for (i, (max, _)) in maxes.iter().enumerate() {
        elements.push(element(
            &format!("Patient.m{i}"),
            &format!(r#", "max": "{max}""#),
        ));
    }
    let issues = validate(&structure_definition(&elements));
    let eld3 = failures(&issues, "eld-3");
    let want: Vec<usize> = (0..maxes.len()).filter(|&i| maxes[i].1).collect();
    assert_eq!(eld3.len(), want.len(), "{eld3:#?}");
    for (issue, i) in eld3.iter().zip(&want) {
        assert!(
            issue.contains(&format!("element[{}].max: ", i + 1)),
            "{issue}"
        );
    }
}

#[test]
fn settled_patterns_still_check_each_instance() {
    // The elements after the first fill the same fields (id, path), so the
    // outcome of ElementDefinition's invariants at that pattern is settled
    // after the first of them: eld-20 (the form of the path; `matches` is
    // unanchored, so only a path without letters fails it) must still be
    // decided at each element. ext-1 (a value or extensions) fails at each
    // extension with neither, a verdict settled for that pattern that must
    // be reported at every such extension, not only the first.
    let paths = [
        ("Patient.a", false),
        ("12.34", true),
        ("Patient.b", false),
        ("Patient.c", false),
        ("5.6", true),
        ("Patient.d", false),
    ];
    let extensions = [
        (r#"{"url": "http://x/a"}"#, true),
        (r#"{"url": "http://x/b", "valueString": "x"}"#, false),
        (r#"{"url": "http://x/c"}"#, true),
        (r#"{"url": "http://x/d", "valueCode": "y"}"#, false),
        (r#"{"url": "http://x/e"}"#, true),
    ];
    let mut elements = vec![element("Patient", "")];
    for (path, _) in paths {
        elements.push(element(path, ""));
    }
    let list: Vec<&str> = extensions.iter().map(|(e, _)| *e).collect();
    elements.push(element(
        "Patient.e",
        &format!(r#", "extension": [{}]"#, list.join(", ")),
    ));
    // Twice over, in one resource: the second half meets settled patterns
    // only.
    let twice: Vec<String> = elements.iter().chain(&elements).cloned().collect();
    let n = elements.len();
    let issues = validate(&structure_definition(&twice));
    let eld20 = failures(&issues, "eld-20");
    let want: Vec<usize> = (0..2)
        .flat_map(|half| {
            (0..paths.len())
                .filter(|&i| paths[i].1)
                .map(move |i| half * n + i + 1)
        })
        .collect();
    assert_eq!(eld20.len(), want.len(), "{eld20:#?}");
    for (issue, i) in eld20.iter().zip(&want) {
        assert!(issue.contains(&format!("element[{i}]: ")), "{issue}");
    }
    let ext1 = failures(&issues, "ext-1");
    let want: Vec<(usize, usize)> = (0..2)
        .flat_map(|half| {
            (0..extensions.len())
                .filter(|&j| extensions[j].1)
                .map(move |j| (half * n + paths.len() + 1, j))
        })
        .collect();
    assert_eq!(ext1.len(), want.len(), "{ext1:#?}");
    for (issue, (i, j)) in ext1.iter().zip(&want) {
        assert!(
            issue.contains(&format!("element[{i}].extension[{j}]")),
            "{issue}"
        );
    }
}
