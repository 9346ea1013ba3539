//! `AnyResource`: one piece of generic code serving every enabled FHIR
//! version, through the version-neutral trait only.

#![allow(clippy::expect_used)] // in tests, a panic is the failure report

use fhir_model::rt::{Element, ResourceEnum};
use fhir_model::AnyResource;

const PATIENT: &str = r#"{"resourceType":"Patient","id":"example","meta":{"versionId":"7","lastUpdated":"2024-05-01T10:00:00.000+02:00"},"active":true}"#;
const NO_META: &str = r#"{"resourceType":"Observation","status":"final","code":{"text":"x"}}"#;

/// Written once, used with `r4::Resource`, `r4b::Resource` and `r5::Resource`.
fn describe(resource: &dyn AnyResource) -> String {
    format!(
        "{}/{}/_history/{} at {}",
        resource.type_name(),
        resource.id().as_deref().unwrap_or("-"),
        resource.version_id().as_deref().unwrap_or("-"),
        resource.last_updated().as_deref().unwrap_or("-"),
    )
}

/// Parses both documents as `R` and describes them. `R` is bounded by both
/// traits on purpose: their methods must not make calls ambiguous.
fn check<R: AnyResource + ResourceEnum + fhir_model::json::FromFhirJson>() {
    let patient: R = fhir_model::json::from_str(PATIENT).expect("Patient parses");
    assert_eq!(describe(&patient), "Patient/example/_history/7 at 2024-05-01T10:00:00.000+02:00");
    assert_eq!(patient.type_name(), patient.resource_type());
    let observation: R = fhir_model::json::from_str(NO_META).expect("Observation parses");
    assert_eq!(describe(&observation), "Observation/-/_history/- at -");
}

#[cfg(feature = "r4")]
#[test]
fn r4_resources() {
    check::<fhir_model::r4::Resource>();
}

#[cfg(feature = "r4b")]
#[test]
fn r4b_resources() {
    check::<fhir_model::r4b::Resource>();
}

#[cfg(feature = "r5")]
#[test]
fn r5_resources() {
    check::<fhir_model::r5::Resource>();
}

/// A single resource struct, through `dyn Element`.
#[cfg(feature = "r4")]
#[test]
fn a_resource_struct() {
    let patient = fhir_model::r4::Patient { id: Some("p1".into()), ..Default::default() };
    let element: &dyn Element = &patient;
    assert_eq!(element.type_name(), "Patient");
    assert_eq!(element.id().as_deref(), Some("p1"));
    assert_eq!(element.version_id(), None);
}
