//! Parses a Patient into `fhir_model::r4::Resource` and prints it back.

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
    let patient: fhir_model::r4::Resource = serde_json::from_str(PATIENT)?;
    println!("{}", serde_json::to_string_pretty(&patient)?);
    Ok(())
}
