//! XML conformance, per FHIR version: every JSON resource of the version's
//! official examples package goes JSON -> typed -> XML -> typed -> JSON and
//! must equal the input as JSON (numbers by their exact text, see
//! `support/json_canon.rs`).
//!
//! Each version's test is compiled with that version's feature
//! (`cargo xtask test` enables them all); the corpus is the module's
//! `corpora` entry of `definitions/manifest.json` (see `support/corpus.rs`).
//! Fails, never skips, without the corpus.

#[path = "support/json_canon.rs"]
mod json_canon;

#[path = "support/corpus.rs"]
mod corpus;

use corpus::{Corpus, Outcome};
use fhir_model::json::{FromFhirJson, ToFhirJson};
use fhir_model::xml::FhirXml;

/// Reads a file as a `R` (a version's `Resource` enum) from JSON, writes it as
/// XML, reads that back, writes JSON and compares it with the file.
fn json_xml_json<R: FromFhirJson + FhirXml + ToFhirJson>(bytes: &[u8]) -> Outcome {
    let original = match json_canon::parse(bytes) {
        Ok(original) => original,
        Err(e) => return Outcome::Failed(format!("the corpus file itself is not valid JSON: {e}")),
    };
    if original.get("resourceType").is_none() {
        return Outcome::NotAResource;
    }
    let resource = match fhir_model::json::from_slice::<R>(bytes) {
        Ok(resource) => resource,
        Err(e) => return Outcome::Failed(format!("json read: {e}")),
    };
    let xml = match fhir_model::xml::to_string(&resource) {
        Ok(xml) => xml,
        Err(e) => return Outcome::Failed(format!("xml write: {e}")),
    };
    let back = match fhir_model::xml::from_str::<R>(&xml) {
        Ok(back) => back,
        Err(e) => return Outcome::Failed(format!("xml read: {e}")),
    };
    let written = match json_canon::parse(&fhir_model::json::to_vec(&back)) {
        Ok(written) => written,
        Err(e) => return Outcome::Failed(format!("json write produced invalid JSON: {e}")),
    };
    match json_canon::diff(&original, &written) {
        None => Outcome::Passed,
        Some(difference) => {
            Outcome::Failed(format!("differs (original vs round-tripped): {difference}"))
        }
    }
}

/// hl7.fhir.r4.examples 4.0.1. The target, all 5306, is reached.
#[cfg(feature = "r4")]
#[test]
fn r4_examples_json_xml_json() {
    let corpus = Corpus {
        module: "r4",
        expected_resources: 5306,
        floor: 5306,
    };
    corpus::run(
        &corpus,
        "json_xml_json",
        json_xml_json::<fhir_model::r4::Resource>,
    );
}

/// hl7.fhir.r4b.examples 4.3.0. The target, all 2840, is reached.
#[cfg(feature = "r4b")]
#[test]
fn r4b_examples_json_xml_json() {
    let corpus = Corpus {
        module: "r4b",
        expected_resources: 2840,
        floor: 2840,
    };
    corpus::run(
        &corpus,
        "json_xml_json",
        json_xml_json::<fhir_model::r4b::Resource>,
    );
}

/// hl7.fhir.r5.examples 5.0.0. The target, all 2822, is reached.
#[cfg(feature = "r5")]
#[test]
fn r5_examples_json_xml_json() {
    let corpus = Corpus {
        module: "r5",
        expected_resources: 2822,
        floor: 2822,
    };
    corpus::run(
        &corpus,
        "json_xml_json",
        json_xml_json::<fhir_model::r5::Resource>,
    );
}
