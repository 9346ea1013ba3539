//! Evaluates every core invariant on the example resources of the FHIRPath
//! test suite, at every element it applies to, as a validator would: each
//! must evaluate without error, and (the examples being valid) not to false.

#![allow(clippy::indexing_slicing)] // test code: a panic is a test failure

use std::collections::BTreeMap;
use std::path::Path;

use fhir_model::json::FromFhirJson;
use fhir_model::rt::ResourceEnum;
use fhir_model::xml::FhirXml;
use fhirpath::{Context, ErrorKind, Expression, Item};

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

/// Invariants of the official definitions that cannot evaluate, with why.
const DEFINITION_DEFECTS: &[(&str, &str, &str)] = &[(
    "r4",
    "ChargeItemDefinition cid-0",
    "names ChargeItemDefinition.name, which R4 does not define",
)];

/// The official examples of a version (fetched by `cargo xtask fetch`):
/// every core invariant evaluates without error at every element it applies
/// to. Fails, never skips, without the corpus.
fn official_examples<R: ResourceEnum + FromFhirJson>(version: &str, package: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.cache/packages")
        .join(package)
        .join("package");
    assert!(
        dir.is_dir(),
        "corpus missing at {}: run `cargo xtask fetch`",
        dir.display()
    );
    let by_path = constraints(version);
    let compiled: BTreeMap<&str, Vec<(&str, Expression)>> = by_path
        .iter()
        .map(|(p, invs)| {
            let list = invs
                .iter()
                .filter_map(|(k, e)| Expression::parse(e).ok().map(|x| (k.as_str(), x)))
                .collect();
            (p.as_str(), list)
        })
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name().is_some_and(|n| n != "package.json")
        })
        .collect();
    files.sort();
    let mut errors: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let (mut read, mut evaluated, mut unsupported) = (0usize, 0usize, 0usize);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(resource) = fhir_model::json::from_str::<R>(&text) else {
            continue;
        };
        read += 1;
        let root = Item::resource(resource.as_element());
        // R4's dom-3 applies as() to a collection.
        let ctx = Context::for_resource(root.clone()).as_function_filters(version == "r4");
        let type_name = resource.resource_type();
        for (p, invariants) in compiled.range(type_name..) {
            if !p.starts_with(type_name) {
                break;
            }
            if *p != type_name && !p.starts_with(&format!("{type_name}.")) {
                continue;
            }
            let nav =
                Expression::parse(&p.replace("[x]", "")).unwrap_or_else(|e| panic!("{p}: {e}"));
            let focus = nav
                .evaluate(&ctx, root.clone())
                .unwrap_or_else(|e| panic!("{p}: {e}"));
            for (key, inv) in invariants {
                let id = format!("{p} {key}");
                if DEFINITION_DEFECTS
                    .iter()
                    .any(|(v, k, _)| *v == version && *k == id)
                {
                    continue;
                }
                for item in &focus {
                    evaluated += 1;
                    let result = inv.evaluate_boolean(&ctx, item.clone());
                    if let Err(e) = result.as_ref() {
                        if e.kind == ErrorKind::Unsupported {
                            unsupported += 1;
                            continue;
                        }
                        let entry = errors.entry(id.clone()).or_insert((0, String::new()));

                        entry.0 += 1;
                        if entry.1.is_empty() {
                            entry.1 = format!("{}: {e}: {}", path.display(), inv.source());
                        }
                    }
                }
            }
        }
    }
    println!(
        "{version}: {read} of {} files read, {evaluated} invariant evaluations ({unsupported} need a terminology service)",
        files.len()
    );
    for (k, (n, first)) in &errors {
        println!("{k}: {n} errors, first {first}");
    }
    assert!(
        read > files.len() / 2,
        "{version}: only {read} of {} examples read",
        files.len()
    );
    assert!(
        errors.is_empty(),
        "{version}: {} invariants failed to evaluate",
        errors.len()
    );
}

#[test]
fn r4_official_examples_evaluate_without_errors() {
    official_examples::<fhir_model::r4::Resource>("r4", "hl7.fhir.r4.examples-4.0.1");
}

#[test]
fn r5_official_examples_evaluate_without_errors() {
    official_examples::<fhir_model::r5::Resource>("r5", "hl7.fhir.r5.examples-5.0.0");
}
