//! Validation of raw FHIR XML: every structural problem is an issue with its
//! path, line and column, and validation goes on to report the others
//! (cardinality, bindings, formats, invariants) instead of stopping at the
//! first, as for JSON.

#![allow(clippy::unwrap_used)]

use fhir_model::r4::Resource;
use fhir_validate::validate::{Issue, IssueType, Outcome, Severity, Validator};

fn validate(xml: &str) -> Outcome {
    Validator::new(&fhir_validate::generated::r4::TABLES).validate_xml::<Resource>(xml.as_bytes())
}

fn find<'o>(o: &'o Outcome, expression: &str, words: &str) -> &'o Issue {
    o.issues
        .iter()
        .find(|i| i.expression == expression && i.diagnostics.contains(words))
        .unwrap_or_else(|| panic!("no issue at {expression} saying {words:?}; issues:\n{o:#?}"))
}

const OBSERVATION: &str = r#"<Observation xmlns="http://hl7.org/fhir">
  <status value="final"/>
  <foo value="1"/>
  <effectiveDateTime value="2020-13-45"/>
  <category>
    <text value="vital signs"/>
  </category>
  <valueQuantity>
    <value value="72.5"/>
    <unit value="kg"/>
  </valueQuantity>
</Observation>
"#;

#[test]
fn structural_problems_and_the_rest_in_one_report() {
    let o = validate(OBSERVATION);
    // The reader's problems, each with a line and column.
    let unknown = find(&o, "Observation", "unknown element <foo>");
    assert_eq!((unknown.code, unknown.line, unknown.column), (IssueType::Structure, Some(3), Some(3)));
    let order = find(&o, "Observation", "<category> is out of order");
    assert_eq!((order.code, order.line, order.column), (IssueType::Structure, Some(5), Some(3)));
    let date = find(&o, "Observation.effectiveDateTime", "month 13 is out of range");
    assert_eq!((date.code, date.line), (IssueType::Value, Some(4)));
    // Then validation of what was read: the missing code, located at the
    // root element.
    let code = find(&o, "Observation.code", "minimum cardinality");
    assert_eq!((code.code, code.line, code.column), (IssueType::Required, Some(1), Some(1)));
    assert_eq!(o.errors().count(), 4, "{o:#?}");
}

#[test]
fn binding_and_empty_elements_located_in_the_text() {
    let xml = r#"<Patient xmlns="http://hl7.org/fhir">
  <name>
    <given value="A"/>
    <given/>
  </name>
  <gender value="woman"/>
</Patient>"#;
    let o = validate(xml);
    let empty = find(&o, "Patient.name[0].given[1]", "empty element");
    assert_eq!((empty.code, empty.line, empty.column), (IssueType::Structure, Some(4), Some(5)));
    let gender = find(&o, "Patient.gender", "required binding");
    assert_eq!((gender.code, gender.line, gender.column), (IssueType::CodeInvalid, Some(6), Some(3)));
    assert_eq!(o.errors().count(), 2, "{o:#?}");
}

#[test]
fn problems_inside_contained_resources_and_bundle_entries() {
    let xml = r#"<Bundle xmlns="http://hl7.org/fhir">
  <type value="collection"/>
  <entry>
    <resource>
      <Patient>
        <birthDate value="1974-02-30x"/>
        <bogus/>
      </Patient>
    </resource>
  </entry>
</Bundle>"#;
    let o = validate(xml);
    let birth = find(&o, "Bundle.entry[0].resource.birthDate", "");
    assert_eq!(birth.line, Some(6));
    let bogus = find(&o, "Bundle.entry[0].resource", "unknown element <bogus>");
    assert_eq!((bogus.line, bogus.column), (Some(7), Some(9)));
}

#[test]
fn malformed_xml_is_one_issue_with_its_position() {
    let o = validate("<Patient xmlns=\"http://hl7.org/fhir\">\n  <name>\n</Patient>");
    assert_eq!(o.issues.len(), 1, "{o:#?}");
    let i = &o.issues[0];
    assert_eq!((i.severity, i.line), (Severity::Error, Some(3)));
    assert!(i.diagnostics.contains("malformed XML"), "{i}");
}

#[test]
fn strict_reading_still_stops_at_the_first_problem() {
    let e = fhir_model::xml::from_str::<Resource>(OBSERVATION).unwrap_err();
    assert!(e.message.contains("unknown element <foo>"), "{e}");
    assert_eq!((e.line, e.column), (3, 3));
}

#[test]
fn valid_xml_has_no_issues_and_agrees_with_json() {
    let json = r#"{"resourceType":"Patient","id":"p","name":[{"family":"Chalmers","given":["Peter"]}],"gender":"male"}"#;
    let r: Resource = fhir_model::json::from_str(json).unwrap();
    let xml = fhir_model::xml::to_string(&r).unwrap();
    let v = Validator::new(&fhir_validate::generated::r4::TABLES);
    let from_xml = v.validate_xml::<Resource>(xml.as_bytes());
    let from_json = v.validate_json::<Resource>(json.as_bytes());
    assert!(!from_xml.has_errors(), "{from_xml:#?}");
    let texts = |o: &Outcome| o.issues.iter().map(|i| (i.expression.clone(), i.diagnostics.clone())).collect::<Vec<_>>();
    assert_eq!(texts(&from_xml), texts(&from_json));
}
