//! Parses a Patient into the `Resource` of the one FHIR version enabled
//! (feature `r4`, `r4b` or `r5`) and prints it back.

#[cfg(feature = "r4")]
use fhir_model::r4::Resource;
#[cfg(all(feature = "r4b", not(feature = "r4")))]
use fhir_model::r4b::Resource;
#[cfg(all(feature = "r5", not(any(feature = "r4", feature = "r4b"))))]
use fhir_model::r5::Resource;

#[cfg(not(any(feature = "r4", feature = "r4b", feature = "r5")))]
compile_error!("enable one FHIR version: feature r4, r4b or r5");

const PATIENT: &str = r#"{
  "resourceType": "Patient",
  "id": "example",
  "active": true,
  "name": [{ "use": "official", "family": "Chalmers", "given": ["Peter", "James"] }],
  "gender": "male",
  "birthDate": "1974-12-25",
  "_birthDate": {
    "extension": [{
      "url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
      "valueDateTime": "1974-12-25T14:35:45-05:00"
    }]
  }
}"#;

fn main() -> Result<(), serde_json::Error> {
    let patient: Resource = serde_json::from_str(PATIENT)?;
    println!("{}", serde_json::to_string_pretty(&patient)?);
    Ok(())
}
