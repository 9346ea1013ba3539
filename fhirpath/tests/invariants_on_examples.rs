//! Evaluates every core invariant on the example resources of the FHIRPath
//! test suite, at every element it applies to, as a validator would: each
//! must evaluate without error, and (the examples being valid) not to false.

use std::collections::BTreeMap;
use std::path::Path;

use fhir_model::json::FromFhirJson;
use fhir_model::rt::ResourceEnum;
use fhir_model::xml::FhirXml;
use fhirpath::{Context, Expression, Item};

/// Constraints by element path (`Patient.contact`) of one version.
fn constraints(version: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../definitions")
        .join(version);
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("StructureDefinition-") {
            continue;
        }
        let Ok(sd) = serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(entry.path()).unwrap_or_default(),
        ) else {
            continue;
        };
        if sd["derivation"] != "specialization" || sd["kind"] != "resource" {
            continue;
        }
        for e in sd["snapshot"]["element"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let path = e["path"].as_str().unwrap_or_default().to_owned();
            for c in e["constraint"].as_array().cloned().unwrap_or_default() {
                if let (Some(key), Some(expr)) = (c["key"].as_str(), c["expression"].as_str()) {
                    out.entry(path.clone())
                        .or_default()
                        .push((key.to_owned(), expr.to_owned()));
                }
            }
        }
    }
    out
}

/// Invariants that are false on an example, on purpose or by the example's
/// own flaw: file, key, why.
const KNOWN_FALSE: &[(&str, &str, &str)] = &[
    (
        "codesystem-example.xml",
        "csd-1",
        "the example repeats the code chol-mass on purpose (marked 'wrong!')",
    ),
    (
        "codesystem-example.xml",
        "dom-6",
        "the example has no narrative; dom-6 is a best-practice warning",
    ),
    (
        "explanationofbenefit-example.json",
        "dom-6",
        "no narrative (a warning)",
    ),
    (
        "patient-container-example.json",
        "dom-6",
        "no narrative (a warning)",
    ),
    (
        "patient-container-example.json",
        "dom-3",
        "the contained resource is referenced as '1', not '#1'",
    ),
    (
        "valueset-example-expansion.xml",
        "cnl-0",
        "the name has spaces (cnl-0 is a warning)",
    ),
];

/// Reads an example as the version's `Resource`.
fn load<R: ResourceEnum + FhirXml + FromFhirJson>(path: &Path) -> R {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "json") {
        fhir_model::json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    } else {
        let opts = fhir_model::xml::ReadOptions::default().any_order(true);
        fhir_model::xml::from_str_with(&text, opts)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

fn check<R: ResourceEnum + FhirXml + FromFhirJson>(version: &str, files: &[&str]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fhirpath-tests")
        .join(version);
    assert!(
        dir.is_dir(),
        "FHIRPath test data not found at {}",
        dir.display()
    );
    let by_path = constraints(version);
    let mut problems = Vec::new();
    let mut evaluated = 0;
    for &file in files {
        let resource: R = load(&dir.join(file));
        let root = Item::resource(resource.as_element());
        // R4's dom-3 applies as() to a collection.
        let ctx = Context::for_resource(root.clone()).as_function_filters(version == "r4");
        let type_name = resource.resource_type();
        for (path, invariants) in by_path.range(type_name.to_owned()..) {
            if path != type_name && !path.starts_with(&format!("{type_name}.")) {
                continue;
            }
            // The element path as a FHIRPath path (choices by their name).
            let nav = Expression::parse(&path.replace("[x]", ""))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            let focus = nav
                .evaluate(&ctx, root.clone())
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            for (key, expr) in invariants {
                let inv = Expression::parse(expr).unwrap_or_else(|e| panic!("{key}: {e}"));
                for item in &focus {
                    evaluated += 1;
                    match inv.evaluate_boolean(&ctx, item.clone()) {
                        Ok(Some(false))
                            if !KNOWN_FALSE.iter().any(|(f, k, _)| *f == file && k == key) =>
                        {
                            problems.push(format!("{file} {path} {key}: false: {expr}"))
                        }
                        Err(e) => problems.push(format!("{file} {path} {key}: {e}: {expr}")),
                        Ok(_) => {}
                    }
                }
            }
        }
    }
    println!("{version}: {evaluated} invariant evaluations");
    assert!(evaluated > 100, "only {evaluated} invariant evaluations");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const EXAMPLES: &[&str] = &[
    "patient-example.xml",
    "observation-example.xml",
    "questionnaire-example.xml",
    "valueset-example-expansion.xml",
    "patient-example-period.xml",
    "codesystem-example.xml",
    "parameters-example-types.xml",
    "appointment-examplereq.json",
    "explanationofbenefit-example.json",
    "patient-container-example.json",
];

#[test]
fn r4_invariants_hold_on_the_examples() {
    check::<fhir_model::r4::Resource>("r4", EXAMPLES);
}

#[test]
fn r5_invariants_hold_on_the_examples() {
    check::<fhir_model::r5::Resource>("r5", EXAMPLES);
}
