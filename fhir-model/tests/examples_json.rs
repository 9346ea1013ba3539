//! JSON conformance, per FHIR version: every resource of the version's
//! official examples package must survive `serde_json::from_slice::<Resource>`
//! followed by `serde_json::to_vec` unchanged, compared as JSON with numbers by
//! their exact text (see `support/json_canon.rs`). The fast writer
//! (`fhir_model::json::to_vec`) must produce the very same bytes as serde.
//!
//! Each version's test is compiled with that version's feature
//! (`cargo xtask test` enables them all); the corpus is the module's
//! `corpora` entry of `definitions/manifest.json` (see `support/corpus.rs`).

#[path = "support/json_canon.rs"]
mod json_canon;

#[path = "support/corpus.rs"]
mod corpus;

use corpus::{Corpus, Outcome};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Parses a file as a `R` (a version's `Resource` enum), writes it back and
/// compares the two documents.
fn json_round_trip<
    R: Serialize + DeserializeOwned + fhir_model::json::ToFhirJson + fhir_model::json::FromFhirJson,
>(
    bytes: &[u8],
) -> Outcome {
    let original = match json_canon::parse(bytes) {
        Ok(original) => original,
        Err(e) => return Outcome::Failed(format!("the corpus file itself is not valid JSON: {e}")),
    };
    if original.get("resourceType").is_none() {
        return Outcome::NotAResource;
    }
    let resource = match serde_json::from_slice::<R>(bytes) {
        Ok(resource) => resource,
        Err(e) => return Outcome::Failed(format!("parse: {e}")),
    };
    let written = match serde_json::to_vec(&resource) {
        Ok(written) => written,
        Err(e) => return Outcome::Failed(format!("serialize: {e}")),
    };
    if fhir_model::json::to_vec(&resource) != written {
        return Outcome::Failed(
            "fhir_model::json::to_vec wrote other bytes than serde_json::to_vec".to_owned(),
        );
    }
    // Our own tokenizer (`fhir_model::json::from_slice`) reads the same
    // resource as serde_json's, through the same driver.
    match fhir_model::json::from_slice::<R>(bytes) {
        Ok(own) if fhir_model::json::to_vec(&own) == written => {}
        Ok(_) => {
            return Outcome::Failed(
                "fhir_model::json::from_slice read another resource than serde_json".to_owned(),
            )
        }
        Err(e) => return Outcome::Failed(format!("parse with fhir_model::json::from_slice: {e}")),
    }
    let round_tripped = match json_canon::parse(&written) {
        Ok(round_tripped) => round_tripped,
        Err(e) => return Outcome::Failed(format!("serialize wrote invalid JSON: {e}")),
    };
    match json_canon::diff(&original, &round_tripped) {
        None => Outcome::Passed,
        Some(difference) => Outcome::Failed(format!(
            "round trip differs (original vs written): {difference}"
        )),
    }
}

/// hl7.fhir.r4.examples 4.0.1. The target, all 5306, is reached.
#[cfg(feature = "r4")]
#[test]
fn r4_examples_round_trip() {
    let corpus = Corpus {
        module: "r4",
        expected_resources: 5306,
        floor: 5306,
    };
    corpus::run(
        &corpus,
        "examples",
        json_round_trip::<fhir_model::r4::Resource>,
    );
}

/// hl7.fhir.r4b.examples 4.3.0. The target, all 2840, is reached.
#[cfg(feature = "r4b")]
#[test]
fn r4b_examples_round_trip() {
    let corpus = Corpus {
        module: "r4b",
        expected_resources: 2840,
        floor: 2840,
    };
    corpus::run(
        &corpus,
        "examples",
        json_round_trip::<fhir_model::r4b::Resource>,
    );
}

/// hl7.fhir.r5.examples 5.0.0. The target, all 2822, is reached.
#[cfg(feature = "r5")]
#[test]
fn r5_examples_round_trip() {
    let corpus = Corpus {
        module: "r5",
        expected_resources: 2822,
        floor: 2822,
    };
    corpus::run(
        &corpus,
        "examples",
        json_round_trip::<fhir_model::r5::Resource>,
    );
}
