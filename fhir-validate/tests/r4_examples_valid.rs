//! Every official R4 example validates without errors, apart from documented
//! defects of the examples themselves. Fails (never skips) without the corpus.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use fhir_model::r4::Resource;
use fhir_validate::validate::Validator;

const CORPUS: &str = ".cache/packages/hl7.fhir.r4.examples-4.0.1/package";
/// Official examples that really are invalid, with the reason (each was
/// checked by hand against the definitions; the XSD test finds the same).
const KNOWN_DEFECTS: &[(&str, &str)] = &[
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

#[test]
fn r4_examples_have_no_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join(CORPUS);
    assert!(dir.is_dir(), "corpus missing: run `cargo xtask fetch`");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.file_name().is_some_and(|n| n != "package.json"))
        .collect();
    files.sort();
    let v = Validator::new(&fhir_validate::generated::r4::TABLES);
    let next = AtomicUsize::new(0);
    let results: Vec<(String, Vec<String>)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    while let Some(p) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let o = v.validate_json::<Resource>(&std::fs::read(p).unwrap());
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
        .filter(|(f, e)| !e.is_empty() && !KNOWN_DEFECTS.iter().any(|(k, _)| k == f))
        .map(|(f, _)| f)
        .collect();
    let wrongly_known: Vec<&&str> = KNOWN_DEFECTS
        .iter()
        .map(|(k, _)| k)
        .filter(|k| results.iter().any(|(f, e)| f == *k && e.is_empty()))
        .collect();
    println!(
        "r4 examples validation: {clean} passed, {} failed ({} known defects of the examples)",
        results.len() - clean,
        KNOWN_DEFECTS.len()
    );
    assert!(unexpected.is_empty(), "errors on valid official examples: {unexpected:?}");
    assert!(wrongly_known.is_empty(), "listed as defective but valid: {wrongly_known:?}");
}
