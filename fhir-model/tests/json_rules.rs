//! FHIR JSON rules: what the reader accepts, what it rejects and how it says
//! so (element path, line, column), and that what it accepts is written back
//! unchanged.

#![allow(clippy::unwrap_used)]

use fhir_model::json::{self, ReadOptions};
use fhir_model::r4::{self, codes, Resource};
use fhir_model::rt::CodeEnum;

fn round_trip(input: &str) -> String {
    let r: Resource = json::from_str(input).unwrap_or_else(|e| panic!("{e}"));
    json::to_string(&r)
}

fn canon(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

fn err(input: &str) -> json::Error {
    match json::from_str::<Resource>(input) {
        Ok(r) => panic!("accepted: {r:?}"),
        Err(e) => e,
    }
}

#[test]
fn decimals_keep_their_digits() {
    let input = r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50,"unit":"mg"},"component":[{"code":{"text":"y"},"valueQuantity":{"value":1E+245}},{"code":{"text":"z"},"valueQuantity":{"value":-0.000}}]}"#;
    let out = round_trip(input);
    assert!(out.contains(r#""value":1.50"#), "{out}");
    assert!(out.contains(r#""value":1E+245"#), "{out}");
    assert!(out.contains(r#""value":-0.000"#), "{out}");
}

#[test]
fn primitive_extensions_and_null_padded_arrays_survive() {
    let input = r#"{"resourceType":"Patient","name":[{"given":["Peter",null,"James"],"_given":[null,{"id":"g2","extension":[{"url":"http://example.org/x","valueString":"initial"}]},null]}],"birthDate":"1974-12","_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1974-12-25T14:35:45-05:00"}]}}"#;
    assert_eq!(canon(&round_trip(input)), canon(input));
    // `_given` before `given` merges the same way.
    let reordered = r#"{"resourceType":"Patient","name":[{"_given":[null,{"id":"g2"}],"given":["Peter",null]}]}"#;
    assert_eq!(canon(&round_trip(reordered)), canon(reordered));
    // An extension-only primitive (no value at all).
    let ext_only = r#"{"resourceType":"Patient","_gender":{"extension":[{"url":"http://example.org/absent","valueCode":"unknown"}]}}"#;
    assert_eq!(canon(&round_trip(ext_only)), canon(ext_only));
}

#[test]
fn dates_and_times_are_written_as_read() {
    let input = r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"effectiveDateTime":"2015-02-07T13:28:17.239+02:00","issued":"2015-02-07T13:28:17Z","valueTime":"23:59:60"}"#;
    assert_eq!(canon(&round_trip(input)), canon(input));
}

#[test]
fn resource_type_need_not_come_first() {
    let input = r#"{"id":"x","name":[{"family":"Chalmers"}],"resourceType":"Patient"}"#;
    let r: Resource = json::from_str(input).unwrap();
    assert!(matches!(r, Resource::Patient(_)));
    assert_eq!(canon(&json::to_string(&r)), canon(input));
}

#[test]
fn contained_and_bundle_resources() {
    let input = r##"{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","name":"Acme"}],"managingOrganization":{"reference":"#o"}}}]}"##;
    assert_eq!(canon(&round_trip(input)), canon(input));
}

#[test]
fn unknown_codes_are_kept() {
    let input = r#"{"resourceType":"Patient","gender":"neither"}"#;
    let Resource::Patient(p) = json::from_str::<Resource>(input).unwrap() else { panic!() };
    let g = p.gender.as_ref().and_then(|g| g.value.as_ref()).unwrap();
    assert_eq!(g, &codes::AdministrativeGender::Unrecognized("neither".into()));
    assert!(!g.is_known());
    assert_eq!(canon(&json::to_string(&*p)), canon(input));
}

#[test]
fn errors_carry_path_line_and_column() {
    let input = "{\n  \"resourceType\": \"Observation\",\n  \"status\": \"final\",\n  \"code\": {\"text\": \"x\"},\n  \"component\": [\n    {\"code\": {\"text\": \"a\"}},\n    {\"code\": {\"text\": \"b\"}, \"valueQuantity\": {\"value\": \"7\"}}\n  ]\n}";
    let e = err(input);
    assert_eq!(e.path.as_deref(), Some("Observation.component[1].valueQuantity.value"), "{e}");
    assert_eq!(e.line, 7, "{e}");
    assert!(e.column > 40, "{e}");
    assert!(e.message.contains("expected a JSON number"), "{e}");
}

#[test]
fn rejections() {
    let cases: &[(&str, &str, &str)] = &[
        (r#"{"resourceType":"Patient","foo":1}"#, "Patient", "unknown property \"foo\""),
        (r#"{"resourceType":"Patient","name":[{"given":["a"],"nickname":"b"}]}"#, "Patient.name[0]", "unknown property \"nickname\""),
        (r#"{"resourceType":"Patient","active":true,"active":false}"#, "Patient.active", "duplicate property"),
        (r#"{"resourceType":"Patient","active":null}"#, "Patient.active", "null"),
        (r#"{"resourceType":"Patient","name":[]}"#, "Patient.name", "empty array"),
        (r#"{"resourceType":"Patient","name":[{}]}"#, "Patient.name[0]", "empty object"),
        (r#"{"resourceType":"Patient","active":"true"}"#, "Patient.active", "expected a JSON boolean"),
        (r#"{"resourceType":"Patient","birthDate":"1974-13-01"}"#, "Patient.birthDate", "month"),
        (r#"{"resourceType":"Patient","multipleBirthInteger":1.5}"#, "Patient.multipleBirthInteger", "expected a JSON integer"),
        (r#"{"resourceType":"Patient","deceasedBoolean":true,"deceasedDateTime":"2020"}"#, "Patient.deceasedDateTime", "more than one value for the choice deceased[x]"),
        (r#"{"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null]}]}"#, "Patient.name[0].given", "differ in length"),
        (r#"{"resourceType":"Patient","name":[{"given":["a",null]}]}"#, "Patient.name[0].given[1]", "null in both"),
        (r#"{"resourceType":"Nonsense"}"#, "", "unknown resourceType \"Nonsense\""),
        (r#"{"id":"x"}"#, "", "missing resourceType"),
        (r#"{"resourceType":"Patient","contained":[{"id":"x"}]}"#, "Patient.contained[0]", "missing resourceType"),
        (r#"{"resourceType":"Patient","_active":{"id":1}}"#, "Patient.active.id", "invalid type"),
    ];
    for (input, path, msg) in cases {
        let e = err(input);
        assert!(e.message.contains(msg), "{input}: {e}");
        if !path.is_empty() {
            assert!(e.to_string().starts_with(&format!("{path}: ")), "{input}: expected path {path}: {e}");
            assert_eq!(e.path.as_deref(), Some(*path), "{input}: {e}");
        }
        assert!(e.line >= 1 && e.column >= 1, "{input}: {e}");
    }
}

#[test]
fn lenient_reading_ignores_unknown_properties() {
    let input = br#"{"resourceType":"Patient","foo":{"bar":[1,2]},"active":true}"#;
    assert!(json::from_slice::<Resource>(input).is_err());
    let r: Resource = json::from_slice_with(input, ReadOptions::default().ignore_unknown(true)).unwrap();
    assert_eq!(json::to_string(&r), r#"{"resourceType":"Patient","active":true}"#);
}

#[test]
fn serde_entry_points_work_with_serde_json() {
    let input = r#"{"resourceType":"Patient","id":"p1","active":true}"#;
    let r: Resource = serde_json::from_str(input).unwrap();
    let p: r4::Patient = serde_json::from_str(input).unwrap();
    assert_eq!(serde_json::to_string(&r).unwrap(), input);
    assert_eq!(serde_json::to_string(&p).unwrap(), input);
    // A Patient is not an Observation.
    let e = serde_json::from_str::<r4::Observation>(input).unwrap_err().to_string();
    assert!(e.contains("resourceType is \"Patient\", expected \"Observation\""), "{e}");
    // Datatypes on their own.
    let q: r4::Quantity = serde_json::from_str(r#"{"value":2.50,"unit":"mg"}"#).unwrap();
    assert_eq!(serde_json::to_string(&q).unwrap(), r#"{"value":2.50,"unit":"mg"}"#);
}

#[test]
fn building_resources_in_code() {
    let mut obs = r4::Observation::new(
        codes::ObservationStatus::Final,
        r4::CodeableConcept { text: Some("Body weight".into()), ..Default::default() },
    );
    obs.value = Some(r4::ObservationValue::Quantity(Box::new(r4::Quantity {
        value: Some(fhir_model::Decimal::try_from(72.5).unwrap().into()),
        unit: Some("kg".into()),
        ..Default::default()
    })));
    let patient = r4::Patient {
        id: Some("example".into()),
        active: Some(true.into()),
        name: vec![r4::HumanName { family: Some("Chalmers".into()), given: vec!["Peter".into()], ..Default::default() }],
        birth_date: Some(fhir_model::Date::from_ymd(1974, 12, 25).unwrap().into()),
        ..Default::default()
    };
    assert_eq!(
        json::to_string(&Resource::from(obs)),
        r#"{"resourceType":"Observation","status":"final","code":{"text":"Body weight"},"valueQuantity":{"value":72.5,"unit":"kg"}}"#
    );
    assert_eq!(
        json::to_string(&patient),
        r#"{"resourceType":"Patient","id":"example","active":true,"name":[{"family":"Chalmers","given":["Peter"]}],"birthDate":"1974-12-25"}"#
    );
}

#[test]
fn every_resource_type_is_generated() {
    use fhir_model::rt::ResourceEnum;
    // The enum covers exactly the concrete resources the definitions declare
    // (counted here from definitions/r4 independently of the generator).
    let defs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../definitions/r4");
    let mut declared: Vec<String> = std::fs::read_dir(&defs)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name()?.to_str()?.to_owned();
            if !name.starts_with("StructureDefinition-") {
                return None;
            }
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            let concrete = v["kind"] == "resource" && v["abstract"] == false && v["derivation"] != "constraint";
            concrete.then(|| v["type"].as_str().unwrap().to_owned())
        })
        .collect();
    declared.sort();
    assert_eq!(Resource::TYPES, declared.as_slice());
    assert_eq!(declared.len(), 146);
    assert!(Resource::TYPES.contains(&"Patient") && Resource::TYPES.contains(&"Questionnaire"));
    for name in Resource::TYPES {
        let r = Resource::new_of_type(name).unwrap();
        assert_eq!(r.resource_type(), *name);
        let text = format!(r#"{{"resourceType":"{name}","id":"x"}}"#);
        let back: Resource = json::from_str(&text).unwrap();
        assert_eq!(json::to_string(&back), text);
    }
}
