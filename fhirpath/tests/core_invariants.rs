//! Every invariant (`constraint.expression`) of the core StructureDefinitions
//! in `definitions/` must parse: they are what a validator compiles.

#![allow(clippy::indexing_slicing)] // test code: a panic is a test failure

use std::path::Path;

use fhirpath::Expression;

/// Constraint expressions of every StructureDefinition of one version folder.
fn expressions(version: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../definitions")
        .join(version);
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("StructureDefinition-"))
        })
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let Ok(sd) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let elements = sd["snapshot"]["element"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for e in elements {
            for c in e["constraint"].as_array().cloned().unwrap_or_default() {
                if let Some(expr) = c["expression"].as_str() {
                    let key = c["key"].as_str().unwrap_or("?");
                    out.push((
                        format!("{} {key}", e["path"].as_str().unwrap_or("?")),
                        expr.to_owned(),
                    ));
                }
            }
        }
    }
    out
}

/// Invariants of the official definitions that are not FHIRPath, with why:
/// they must fail, so the list stays exact.
const NOT_FHIRPATH: &[(&str, &str, &str)] = &[(
    "r5",
    "ElementDefinition eld-11",
    "a double-quoted string literal (`\":\"`); FHIRPath strings use single quotes",
)];

fn check(version: &str) {
    let all = expressions(version);
    assert!(!all.is_empty(), "no constraints found for {version}");
    for (v, key, why) in NOT_FHIRPATH.iter().filter(|(v, _, _)| *v == version) {
        let (_, expr) = all
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("{v} {key} not found"));
        assert!(
            Expression::parse(expr).is_err(),
            "{v} {key} now parses; it was listed because of {why}"
        );
    }
    let failures: Vec<String> = all
        .iter()
        .filter(|(key, _)| {
            !NOT_FHIRPATH
                .iter()
                .any(|(v, k, _)| *v == version && k == key)
        })
        .filter_map(|(key, expr)| {
            Expression::parse(expr)
                .err()
                .map(|e| format!("{key}: {e}\n    {expr}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{version}: {} of {} invariants do not parse:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn r4_invariants_parse() {
    check("r4");
}

#[test]
fn r4b_invariants_parse() {
    check("r4b");
}

#[test]
fn r5_invariants_parse() {
    check("r5");
}
