//! Every official R4 and R5 example validates without errors, apart from
//! documented defects of the examples themselves. Fails (never skips)
//! without the corpus.

// clippy.toml's allow-unwrap-in-tests covers `#[test]` functions but not the
// shared check below; in a test a panic is the right report.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use fhir_model::rt::json::FromFhirJson;
use fhir_model::rt::ResourceEnum;
use fhir_validate::validate::Tables;
use fhir_validate::validate::Validator;

/// Official examples that really are invalid, with the reason (each was
/// checked by hand against the definitions; the XSD test finds the same).
#[cfg(feature = "r4")]
const R4_KNOWN_DEFECTS: &[(&str, &str)] = &[
    ("Bundle-dataelements.json", "bdl-7: entries repeat the same fullUrl without meta.versionId (e.g. .../de-Quantity.value)"),
    ("StructureDefinition-Definition.json", "sdf-4: a logical model, not abstract, without baseDefinition"),
    ("StructureDefinition-Event.json", "sdf-4: a logical model, not abstract, without baseDefinition"),
    ("StructureDefinition-FiveWs.json", "sdf-4: a logical model, not abstract, without baseDefinition"),
    ("StructureDefinition-Request.json", "sdf-4: a logical model, not abstract, without baseDefinition"),
    ("ImplementationGuide-fhir.json", "lacks ImplementationGuide.name and .status (1..1)"),
    ("ig-r4.json", "lacks ImplementationGuide.name and .status (1..1)"),
    ("Questionnaire-qs1.json", "items lack Questionnaire.item.linkId (1..1)"),
    ("SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json", "id longer than 64 characters"),
    ("SearchParameter-codesystem-extensions-CodeSystem-author.json", "lacks SearchParameter.base (1..*)"),
    ("SearchParameter-codesystem-extensions-CodeSystem-effective.json", "lacks SearchParameter.base (1..*)"),
    ("SearchParameter-codesystem-extensions-CodeSystem-end.json", "lacks SearchParameter.base (1..*)"),
    ("SearchParameter-codesystem-extensions-CodeSystem-keyword.json", "lacks SearchParameter.base (1..*)"),
    ("SearchParameter-codesystem-extensions-CodeSystem-workflow.json", "lacks SearchParameter.base (1..*)"),
    ("SearchParameter-valueset-extensions-ValueSet-author.json", "lacks SearchParameter.base (1..*)"),
    ("SearchParameter-valueset-extensions-ValueSet-effective.json", "lacks SearchParameter.base (1..*)"),
    ("SearchParameter-valueset-extensions-ValueSet-end.json", "lacks SearchParameter.base (1..*)"),
    ("SearchParameter-valueset-extensions-ValueSet-keyword.json", "lacks SearchParameter.base (1..*)"),
    ("SearchParameter-valueset-extensions-ValueSet-workflow.json", "lacks SearchParameter.base (1..*)"),
];


/// Official R5 examples that really are invalid. A name ending in `*`
/// covers every file it begins; each entry must still match a failing file.
#[cfg(feature = "r5")]
const R5_KNOWN_DEFECTS: &[(&str, &str)] = &[
    // 161 of the 220 generated questionnaires: `ActivityDefinition.versionAlgorithm[x]._null`
    // and the like appear twice as linkIds.
    ("Questionnaire-qgen-*", "que-2: linkIds repeat within the questionnaire"),
    ("StructureDefinition-Definition.json", "sdf-27: a baseDefinition without a derivation"),
    ("StructureDefinition-Event.json", "sdf-27: a baseDefinition without a derivation"),
    ("StructureDefinition-FiveWs.json", "sdf-27: a baseDefinition without a derivation"),
    ("StructureDefinition-Participant.json", "sdf-27: a baseDefinition without a derivation"),
    ("StructureDefinition-ParticipantContactable.json", "sdf-27: a baseDefinition without a derivation"),
    ("StructureDefinition-ParticipantLiving.json", "sdf-27: a baseDefinition without a derivation"),
    ("StructureDefinition-Product.json", "sdf-27: a baseDefinition without a derivation"),
    ("StructureDefinition-Publishable.json", "sdf-27: a baseDefinition without a derivation"),
    ("StructureDefinition-Request.json", "sdf-27: a baseDefinition without a derivation"),
    ("StructureDefinition-Shareable.json", "sdf-27: a baseDefinition without a derivation"),
];

#[test]
#[cfg(feature = "r4")]
fn r4_examples_have_no_errors() {
    check::<fhir_model::r4::Resource>(
        "r4",
        ".cache/packages/hl7.fhir.r4.examples-4.0.1/package",
        &fhir_validate::generated::r4::TABLES,
        R4_KNOWN_DEFECTS,
    );
}

#[test]
#[cfg(feature = "r5")]
fn r5_examples_have_no_errors() {
    check::<fhir_model::r5::Resource>(
        "r5",
        ".cache/packages/hl7.fhir.r5.examples-5.0.0/package",
        &fhir_validate::generated::r5::TABLES,
        R5_KNOWN_DEFECTS,
    );
}

/// Whether `file` is covered by the known defect `name` (exact, or a prefix
/// when `name` ends in `*`).
fn covers(name: &str, file: &str) -> bool {
    match name.strip_suffix('*') {
        Some(prefix) => file.starts_with(prefix),
        None => name == file,
    }
}

/// Validates every resource of `corpus` and fails on errors outside
/// `known`, and on entries of `known` that no longer match a failing file.
fn check<R: ResourceEnum + FromFhirJson>(label: &str, corpus: &str, tables: &'static Tables, known: &[(&str, &str)]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join(corpus);
    assert!(dir.is_dir(), "corpus missing: run `cargo xtask fetch`");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.file_name().is_some_and(|n| n != "package.json"))
        .collect();
    files.sort();
    let v = Validator::new(tables);
    let next = AtomicUsize::new(0);
    let results: Vec<(String, Vec<String>)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    while let Some(p) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let o = v.validate_json::<R>(&std::fs::read(p).unwrap());
                        let errs: Vec<String> = o.errors().map(|i| i.to_string()).collect();
                        out.push((p.file_name().unwrap().to_string_lossy().into_owned(), errs));
                    }
                    out
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let clean = results.iter().filter(|(_, e)| e.is_empty()).count();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for (_, errs) in &results {
        for e in errs {
            let k: String = e.split(':').nth(1).unwrap_or(e).chars().take(90).collect();
            *kinds.entry(k).or_default() += 1;
        }
    }
    let mut top: Vec<(&String, &usize)> = kinds.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1));
    for (k, n) in top.iter().take(40) {
        println!("  {n:5} {k}");
    }
    for (f, errs) in results.iter().filter(|(_, e)| !e.is_empty()).take(30) {
        println!("  {f}: {}", errs.first().map(String::as_str).unwrap_or_default());
    }
    let unexpected: Vec<&String> = results
        .iter()
        .filter(|(f, e)| !e.is_empty() && !known.iter().any(|(k, _)| covers(k, f)))
        .map(|(f, _)| f)
        .collect();
    let wrongly_known: Vec<&&str> = known
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !results.iter().any(|(f, e)| covers(k, f) && !e.is_empty()))
        .collect();
    println!(
        "{label} examples validation: {clean} passed, {} failed ({} known defects of the examples)",
        results.len() - clean,
        known.len()
    );
    assert!(unexpected.is_empty(), "errors on valid official examples: {unexpected:?}");
    assert!(wrongly_known.is_empty(), "listed as defective but no such file fails: {wrongly_known:?}");
}
