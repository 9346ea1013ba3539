//! FHIR XML rules: what the reader accepts and rejects, how it reports it,
//! hostile input, and exactness of what it writes.

use fhir_model::r4::{self, Resource};
use fhir_model::{json, xml};

fn read(s: &str) -> Result<Resource, xml::Error> {
    xml::from_str::<Resource>(s)
}

fn err(s: &str) -> xml::Error {
    match read(s) {
        Ok(r) => panic!("accepted: {r:?}"),
        Err(e) => e,
    }
}

const PATIENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<Patient xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://hl7.org/fhir patient.xsd">
  <id value="example"/>
  <text>
    <status value="generated"/>
    <div xmlns="http://www.w3.org/1999/xhtml"><p>Peter &amp; <b>James</b></p></div>
  </text>
  <active value="true"/>
  <name id="n1">
    <family value="Chalmers"/>
    <given value="Peter"/>
    <given id="g2">
      <extension url="http://example.org/x"><valueString value="initial"/></extension>
    </given>
  </name>
  <birthDate value="1974-12-25">
    <extension url="http://hl7.org/fhir/StructureDefinition/patient-birthTime">
      <valueDateTime value="1974-12-25T14:35:45-05:00"/>
    </extension>
  </birthDate>
  <?some-processing instruction?>
</Patient>"#;

#[test]
fn reads_primitives_extensions_ids_and_narrative() {
    let r = read(PATIENT).unwrap();
    let Resource::Patient(p) = &r else { panic!() };
    assert_eq!(p.name[0].id.as_deref(), Some("n1"));
    assert_eq!(p.name[0].given[1].id(), Some("g2"));
    assert!(p.name[0].given[1].value.is_none());
    let div = p.text.as_ref().unwrap().div.as_ref().unwrap().value.as_ref().unwrap();
    assert_eq!(div.as_str(), r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>Peter &amp; <b>James</b></p></div>"#);
    // Same data as the JSON form.
    let j = json::to_string(&r);
    assert!(j.contains(r#""given":["Peter",null],"_given":[null,{"id":"g2","extension":[{"url":"http://example.org/x","valueString":"initial"}]}]"#), "{j}");
    // Written back and read again: identical.
    let x = xml::to_string(&r).unwrap();
    assert_eq!(read(&x).unwrap(), r);
}

#[test]
fn attribute_values_survive_exactly() {
    let input = r#"{"resourceType":"Observation","status":"final","code":{"text":"a \"quoted\" <tag> & tab\there\nnew line\r\nCRLF  two spaces"},"valueQuantity":{"value":1.50}}"#;
    let r: Resource = json::from_str(input).unwrap();
    let x = xml::to_string(&r).unwrap();
    assert!(x.contains("&#9;") && x.contains("&#10;") && x.contains("&#13;"), "{x}");
    let back = read(&x).unwrap();
    assert_eq!(json::to_string(&back), input);
}

#[test]
fn resources_inside_wrappers() {
    let input = r##"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o"}],"managingOrganization":{"reference":"#o"}}}]}"##;
    let r: Resource = json::from_str(input).unwrap();
    let x = xml::to_string(&r).unwrap();
    assert!(x.contains("<resource><Patient><contained><Organization><id value=\"o\"/></Organization></contained>"), "{x}");
    assert_eq!(json::to_string(&read(&x).unwrap()), input);
}

#[test]
fn choice_elements_by_typed_name() {
    let x = r#"<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="x"/></code><valueQuantity><value value="1.50"/></valueQuantity></Observation>"#;
    let r = read(x).unwrap();
    assert_eq!(json::to_string(&r), r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50}}"#);
    assert_eq!(xml::to_string(&r).unwrap(), format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{x}"));
}

#[test]
fn typed_roots() {
    let p: r4::Patient = xml::from_str(r#"<Patient xmlns="http://hl7.org/fhir"><active value="true"/></Patient>"#).unwrap();
    assert_eq!(p.active.as_ref().and_then(|a| a.value), Some(true));
    let e = xml::from_str::<r4::Observation>(r#"<Patient xmlns="http://hl7.org/fhir"><active value="true"/></Patient>"#).unwrap_err();
    assert!(e.message.contains("expected <Observation>"), "{e}");
}

#[test]
fn rejections_with_path_line_and_column() {
    let cases: &[(&str, &str, &str)] = &[
        // order is part of the format
        ("<Patient xmlns=\"http://hl7.org/fhir\">\n<active value=\"true\"/>\n<id value=\"x\"/></Patient>", "Patient", "out of order"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\"/><active value=\"false\"/></Patient>", "Patient", "at most once"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><foo value=\"1\"/></Patient>", "Patient", "unknown element <foo>"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"yes\"/></Patient>", "Patient.active", "invalid boolean"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><active valu=\"true\"/></Patient>", "Patient.active", "unknown attribute"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><active/></Patient>", "Patient.active", "empty element"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><name><given value=\"a\">text</given></name></Patient>", "Patient.name[0].given[0]", "unexpected text"),
        ("<Patient xmlns=\"http://example.org\"><active value=\"true\"/></Patient>", "", "not in the FHIR namespace"),
        ("<Nonsense xmlns=\"http://hl7.org/fhir\"/>", "", "unknown resource type"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/><div><p>x</p></div></text></Patient>", "Patient.text", "div"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><contained/></Patient>", "Patient.contained[0]", "must contain one resource"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\"></Patient>", "", "malformed XML"),
        ("<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"&bogus;\"/></Patient>", "Patient.active", "bogus"),
    ];
    for (input, path, msg) in cases {
        let e = err(input);
        assert!(e.message.contains(msg), "{input}: {e}");
        if !path.is_empty() {
            assert_eq!(e.path.as_deref(), Some(*path), "{input}: {e}");
        }
        assert!(e.line >= 1 && e.column >= 1, "{input}: {e}");
    }
    let e = err("<Patient xmlns=\"http://hl7.org/fhir\">\n  <active value=\"true\"/>\n  <id value=\"x\"/></Patient>");
    assert_eq!((e.line, e.column), (3, 3), "{e}");
}

#[test]
fn hostile_input_is_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Patient xmlns="http://hl7.org/fhir"><id value="&lol2;"/></Patient>"#;
    assert!(err(laughs).message.contains("DOCTYPE"));
    let external = r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Patient xmlns="http://hl7.org/fhir"><id value="&x;"/></Patient>"#;
    assert!(err(external).message.contains("DOCTYPE"));
    // Deep nesting: an error, quickly, no stack overflow.
    let depth = 200_000;
    let mut deep = String::from("<Patient xmlns=\"http://hl7.org/fhir\">");
    for _ in 0..depth {
        deep.push_str("<extension url=\"u\">");
    }
    let start = std::time::Instant::now();
    let e = err(&deep);
    assert!(e.message.contains("nested deeper"), "{e}");
    assert!(start.elapsed().as_secs() < 5);
    // Invalid UTF-8.
    let e = xml::from_slice::<Resource>(b"<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"\xff\"/></Patient>").unwrap_err();
    assert!(e.message.contains("UTF-8"), "{e}");
}

#[test]
fn lenient_reading_skips_unknown_elements() {
    let x = r#"<Patient xmlns="http://hl7.org/fhir"><foo><bar value="1"/></foo><active value="true"/></Patient>"#;
    assert!(read(x).is_err());
    let r: Resource = xml::from_str_with(x, xml::ReadOptions::default().ignore_unknown(true)).unwrap();
    assert_eq!(json::to_string(&r), r#"{"resourceType":"Patient","active":true}"#);
}

#[test]
fn text_that_xml_cannot_carry_is_an_error_on_write() {
    let r: Resource = json::from_str(r#"{"resourceType":"Patient","id":"a\u0001b"}"#).unwrap();
    assert!(xml::to_string(&r).is_err());
}

fn recover(s: &str) -> xml::Recovered<Resource> {
    xml::from_slice_recovering::<Resource>(s.as_bytes(), xml::ReadOptions::default())
}

#[test]
fn recovering_read_reports_every_problem_and_keeps_the_rest() {
    let doc = r#"<Patient xmlns="http://hl7.org/fhir">
  <id value="p1"/>
  <active value="true" colour="red"/>
  <gender value="male"/>
  <name><family value="Chalmers"/></name>
  <unknown/>
  <birthDate value="1974-12-99"/>
  <gender value="female"/>
  <photo/>
  <contained><Nonsense/></contained>
</Patient>"#;
    let rec = recover(doc);
    let issues: Vec<(String, usize, usize)> = rec
        .issues
        .iter()
        .map(|e| (e.message.clone(), e.line, e.column))
        .collect();
    let r = rec.value.expect("read despite the problems");
    let Resource::Patient(p) = r else { panic!("not a Patient") };
    // What was valid survives; what was not is left out.
    assert_eq!(p.id.as_ref().and_then(|i| i.as_str()), Some("p1"));
    assert_eq!(p.name[0].family.as_ref().and_then(|f| f.as_str()), Some("Chalmers"));
    assert_eq!(p.active.as_ref().and_then(|a| a.value), Some(true));
    assert!(p.birth_date.as_ref().is_some_and(|d| d.value.is_none()));
    assert_eq!(p.gender.as_ref().and_then(|g| g.value.clone()), Some(r4::codes::AdministrativeGender::Male));
    let expect = [
        ("unknown attribute \"colour\"", 3, 3),
        ("element <name> is out of order: it must come before <gender>", 5, 3),
        ("unknown element <unknown>", 6, 3),
        ("invalid date \"1974-12-99\"", 7, 3),
        ("element <gender> repeats", 8, 3),
        ("empty element", 9, 3),
        ("element <contained> is out of order: it must come before <photo>", 10, 3),
        ("unknown resource type <Nonsense>", 10, 14),
    ];
    assert_eq!(issues.len(), expect.len(), "{issues:#?}");
    for ((msg, line, col), (want, wl, wc)) in issues.iter().zip(expect) {
        assert!(msg.contains(want), "{msg:?} should say {want:?}");
        assert_eq!((*line, *col), (wl, wc), "{msg}");
    }
    // The strict reader stops at the first of them.
    assert!(err(doc).message.contains("unknown attribute \"colour\""));
}

#[test]
fn recovering_read_ends_at_what_xml_forbids() {
    let rec = recover("<Patient xmlns=\"http://hl7.org/fhir\"><foo/><name></Patient>");
    assert!(rec.value.is_none());
    assert_eq!(rec.issues.len(), 2, "{:#?}", rec.issues);
    assert!(rec.issues[1].message.contains("malformed XML"));
    let rec = recover("<!DOCTYPE x><Patient xmlns=\"http://hl7.org/fhir\"/>");
    assert!(rec.value.is_none() && rec.issues[0].message.contains("DOCTYPE"));
}

#[test]
fn recovering_read_is_bounded() {
    let mut doc = String::from("<Patient xmlns=\"http://hl7.org/fhir\">");
    for _ in 0..20_000 {
        doc.push_str("<x/>");
    }
    doc.push_str("</Patient>");
    let rec = recover(&doc);
    assert!(rec.value.is_none());
    assert_eq!(rec.issues.len(), fhir_model::rt::json::de::MAX_ISSUES + 1);
    assert!(rec.issues.last().unwrap().message.contains("reading stopped"));
}

#[test]
fn namespaces_are_resolved_as_declared() {
    // The FHIR namespace under a prefix is the same document.
    let prefixed = r#"<f:Patient xmlns:f="http://hl7.org/fhir"><f:id value="p"/><f:active value="true"/></f:Patient>"#;
    let plain = r#"<Patient xmlns="http://hl7.org/fhir"><id value="p"/><active value="true"/></Patient>"#;
    assert_eq!(read(prefixed).unwrap(), read(plain).unwrap());
    // A declaration on an empty element is gone after it.
    let e = err(r#"<Patient xmlns="http://hl7.org/fhir"><id xmlns:f="http://hl7.org/fhir" value="p"/><f:active value="true"/></Patient>"#);
    assert!(e.message.contains("not in the FHIR namespace"), "{e}");
    // Undeclared prefixes, and the default namespace undeclared, are not FHIR.
    let e = err(r#"<Patient xmlns="http://hl7.org/fhir"><g:active value="true"/></Patient>"#);
    assert!(e.message.contains("not in the FHIR namespace"), "{e}");
    let e = err(r#"<Patient xmlns="http://hl7.org/fhir"><active xmlns="" value="true"/></Patient>"#);
    assert!(e.message.contains("not in the FHIR namespace"), "{e}");
    // xsi attributes are skipped under any prefix; other prefixed attributes are unknown.
    read(r#"<Patient xmlns="http://hl7.org/fhir" xmlns:s="http://www.w3.org/2001/XMLSchema-instance" s:schemaLocation="x"/>"#).unwrap();
    let e = err(r#"<Patient xmlns="http://hl7.org/fhir" xmlns:s="urn:other" s:schemaLocation="x"/>"#);
    assert!(e.message.contains("unknown attribute"), "{e}");
}

#[test]
fn repeated_attributes_are_errors() {
    let e = err(r#"<Patient xmlns="http://hl7.org/fhir"><active value="true" value="false"/></Patient>"#);
    assert!(e.message.contains("attribute value repeats"), "{e}");
    let e = err(r#"<Patient xmlns="http://hl7.org/fhir"><name id="a" id="b"><family value="x"/></name></Patient>"#);
    assert!(e.message.contains("attribute id repeats"), "{e}");
    let e = err(r#"<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p class="a" class="b">x</p></div></text></Patient>"#);
    assert!(e.message.contains("attribute class repeats"), "{e}");
}
