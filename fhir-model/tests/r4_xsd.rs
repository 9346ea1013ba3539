//! R4 XML conformance, part 3: XML written by fhir-model is valid against the
//! official R4 schema (`package/xml/fhir-single.xsd` of hl7.fhir.r4.corexml
//! 4.0.1), checked with xmllint (Debian package libxml2-utils).
//!
//! CI checks a fixed sample: every 10th JSON example of hl7.fhir.r4.examples
//! 4.0.1 in file-name order (531 files). `FHIR_XSD_ALL=1` checks all 5306
//! (the maintainer run). Fails, never skips, when xmllint or a corpus is missing.
//!
//! Two faults of the official files are accounted for, each checked against the
//! official corexml XML of the same resource, which fails the same way:
//! - the schema's `FHIRVersion-list` enumeration lacks `4.0.1`, R4's own version
//!   (so even corexml's StructureDefinition-Patient.xml fails it): the test adds
//!   that one value to a copy of the schema;
//! - a few examples break the schema themselves; they are listed in
//!   [`KNOWN_EXAMPLE_DEFECTS`] with the reason, and must fail exactly so.

#![allow(clippy::unwrap_used, clippy::nonminimal_bool)]

use std::path::{Path, PathBuf};
use std::process::Command;

use fhir_model::r4::Resource;

const XML_PACKAGE: &str = ".cache/packages/hl7.fhir.r4.corexml-4.0.1/package";
const JSON_CORPUS: &str = ".cache/packages/hl7.fhir.r4.examples-4.0.1/package";
/// Files per xmllint run: the schema is loaded once per run.
const BATCH: usize = 400;

/// Official examples that are themselves invalid against the R4 schema.
const KNOWN_EXAMPLE_DEFECTS: &[(&str, &str)] = &[
    ("Bundle-dataelements.xml", "StructureDefinition.type holds element paths such as `UsageContext.value[x]`, not valid xs:anyURI values"),
    ("ImplementationGuide-fhir.xml", "lacks the required ImplementationGuide.name"),
    ("ig-r4.xml", "lacks the required ImplementationGuide.name"),
    ("Questionnaire-qs1.xml", "items lack the required Questionnaire.item.linkId"),
    ("SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.xml", "its id is longer than the 64 characters an id may have; corexml's XML fails identically"),
];

/// Official SearchParameters that lack the required `base` (1..*); corexml's
/// XML of each fails identically.
const SEARCH_PARAMETERS_WITHOUT_BASE: &[&str] = &[
    "SearchParameter-codesystem-extensions-CodeSystem-author.xml",
    "SearchParameter-codesystem-extensions-CodeSystem-effective.xml",
    "SearchParameter-codesystem-extensions-CodeSystem-end.xml",
    "SearchParameter-codesystem-extensions-CodeSystem-keyword.xml",
    "SearchParameter-codesystem-extensions-CodeSystem-workflow.xml",
    "SearchParameter-valueset-extensions-ValueSet-author.xml",
    "SearchParameter-valueset-extensions-ValueSet-effective.xml",
    "SearchParameter-valueset-extensions-ValueSet-end.xml",
    "SearchParameter-valueset-extensions-ValueSet-keyword.xml",
    "SearchParameter-valueset-extensions-ValueSet-workflow.xml",
];

fn known_defect(name: &str) -> Option<&'static str> {
    if SEARCH_PARAMETERS_WITHOUT_BASE.contains(&name) {
        return Some("lacks the required SearchParameter.base; corexml's XML fails identically");
    }
    KNOWN_EXAMPLE_DEFECTS.iter().find(|(n, _)| *n == name).map(|(_, why)| *why)
}

/// A copy of the official schema folder with `4.0.1` added to `FHIRVersion-list`.
fn patched_schema(official_dir: &Path, out: &Path) -> PathBuf {
    std::fs::create_dir_all(out).unwrap();
    for f in ["xml.xsd", "fhir-xhtml.xsd"] {
        std::fs::copy(official_dir.join(f), out.join(f)).unwrap();
    }
    let text = std::fs::read_to_string(official_dir.join("fhir-single.xsd")).unwrap();
    let anchor = "<xs:enumeration value=\"4.0.0\">";
    assert!(text.contains(anchor) && !text.contains("<xs:enumeration value=\"4.0.1\""), "the official schema changed");
    let patched = text.replacen(anchor, &format!("<xs:enumeration value=\"4.0.1\"/>{anchor}"), 1);
    let p = out.join("fhir-single.xsd");
    std::fs::write(&p, patched).unwrap();
    p
}

#[test]
fn r4_xml_output_is_schema_valid() {
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let official = ws.join(XML_PACKAGE).join("xml");
    let json_dir = ws.join(JSON_CORPUS);
    assert!(official.is_dir() && json_dir.is_dir(), "corpus missing: run `cargo xtask fetch`");
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let schema = patched_schema(&official, &tmp.join("r4_xsd_schema"));
    let version = Command::new("xmllint").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "xmllint is missing: install Debian's libxml2-utils (.ci/run does)"
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&json_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.file_name().is_some_and(|n| n != "package.json"))
        .collect();
    files.sort();
    let all = std::env::var_os("FHIR_XSD_ALL").is_some();
    let sample: Vec<&PathBuf> = files.iter().enumerate().filter(|(i, _)| all || i % 10 == 0).map(|(_, p)| p).collect();
    let out_dir = tmp.join("r4_xsd");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut written = Vec::new();
    for p in &sample {
        let r: Resource = fhir_model::json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        let xml = fhir_model::xml::to_vec(&r).unwrap();
        let out = out_dir.join(p.with_extension("xml").file_name().unwrap());
        std::fs::write(&out, xml).unwrap();
        written.push(out);
    }
    let mut passed = 0;
    let mut known = Vec::new();
    let mut failures = Vec::new();
    for chunk in written.chunks(BATCH) {
        let o = Command::new("xmllint").arg("--noout").arg("--schema").arg(&schema).args(chunk).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        for line in stderr.lines() {
            if line.ends_with(" validates") {
                passed += 1;
            } else if let Some(f) = line.strip_suffix(" fails to validate") {
                let name = Path::new(f).file_name().unwrap().to_string_lossy().into_owned();
                match known_defect(&name) {
                    Some(why) => known.push(format!("{name} ({why})")),
                    None => failures.push(name),
                }
            } else if !line.trim().is_empty() && !line.split(':').next().is_some_and(|f| known_defect(Path::new(f).file_name().map(|n| n.to_string_lossy()).unwrap_or_default().as_ref()).is_some()) {
                println!("  {line}");
            }
        }
    }
    for k in &known {
        println!("  known defect of the official example: {k}");
    }
    println!(
        "r4 XSD ({} files): {passed} passed, {} failed ({} of them known defects of the examples)",
        written.len(),
        known.len() + failures.len(),
        known.len()
    );
    assert!(all || written.len() >= 500);
    assert!(failures.is_empty(), "XML output that the official schema rejects: {failures:?}");
}
