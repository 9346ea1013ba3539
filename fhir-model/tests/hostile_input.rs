//! Limits and hostile input: deep nesting, huge input, DTDs and entities,
//! characters XML does not allow. Every case is an error with a position,
//! quickly, and nothing at the limits overflows a 2 MiB stack (the default of
//! test threads, and of threads spawned by many servers): neither reading,
//! writing nor dropping.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use fhir_model::r4::Resource;
use fhir_model::{json, xml};

/// Runs `f` on a thread with a 2 MiB stack, whatever RUST_MIN_STACK says.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn json_err(input: &str) -> json::Error {
    match json::from_str::<Resource>(input) {
        Ok(_) => panic!("accepted"),
        Err(e) => e,
    }
}

fn xml_err(input: &str) -> xml::Error {
    match xml::from_str::<Resource>(input) {
        Ok(r) => panic!("accepted: {r:?}"),
        Err(e) => e,
    }
}

fn quickly<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let v = f();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    v
}

const DEEP: usize = 200_000;

#[test]
fn deeply_nested_json_fails_fast_with_a_position() {
    on_small_stack(|| {
        // Arrays in a property.
        let input = format!(
            "{{\"resourceType\":\"Patient\",\"name\":{}",
            "[".repeat(DEEP)
        );
        let e = quickly(|| json_err(&input));
        assert!(
            e.message
                .contains("expected an object (HumanName), found an array")
                || e.message.contains("nested deeper"),
            "{e}"
        );
        // Arrays at the root, where no FHIR rule stops them first.
        let e = quickly(|| json_err(&"[".repeat(DEEP)));
        assert!(e.line >= 1 && e.column >= 1, "{e}");
        // Objects: nested extensions, valid at every level until the limit.
        let mut input = String::from("{\"resourceType\":\"Patient\"");
        for _ in 0..DEEP {
            input.push_str(",\"extension\":[{\"url\":\"u\"");
        }
        let e = quickly(|| json_err(&input));
        assert_eq!(
            e.message,
            "elements nested deeper than 60 levels (ReadOptions::max_depth)"
        );
        let path = e.path.as_deref().unwrap();
        assert!(
            path.starts_with("Patient.extension[0].extension[0]"),
            "{path}"
        );
        // At the `{` of the 60th extension, the 61st object.
        assert_eq!((e.line, e.column), (1, 25 + 24 * 59 + 15), "{e}");
        // The same through serde_json's own entry point: our limit comes
        // before serde_json's (128 objects and arrays), with its position.
        let e = serde_json::from_str::<Resource>(&input).unwrap_err();
        assert!(
            e.to_string().contains("nested deeper than 60 levels"),
            "{e}"
        );
        assert_eq!(e.line(), 1);
    });
}

#[test]
fn late_resource_types_do_not_reset_the_depth_limit() {
    // `resourceType` last: the properties before it are buffered and replayed
    // by a fresh serde_json reader, whose own recursion limit starts again at
    // 128. Our limit counts across replays.
    let late = |levels: usize| {
        let mut input = String::new();
        for _ in 0..levels {
            input.push_str("{\"contained\":[");
        }
        input.push_str("{\"resourceType\":\"Patient\"}");
        for _ in 0..levels {
            input.push_str("],\"resourceType\":\"Patient\"}");
        }
        input
    };
    on_small_stack(move || {
        let e = quickly(|| json_err(&late(1000)));
        assert!(e.message.contains("nested deeper than 60 levels"), "{e}");
        assert!(
            e.path
                .as_deref()
                .unwrap()
                .starts_with("Patient.contained[0].contained[0]"),
            "{e}"
        );
        assert!(e.line >= 1 && e.column >= 1, "{e}");
        // Deeper still, the copies made for replaying hit the size limit first.
        let e = quickly(|| json_err(&late(DEEP)));
        assert!(
            e.message.contains("before a late resourceType") || e.message.contains("nested deeper"),
            "{e}"
        );
    });
}

#[test]
fn late_resource_types_cannot_multiply_the_input() {
    // Each level buffers its properties again: bounded by max_input_size.
    let mut input = String::new();
    let levels = 40;
    for _ in 0..levels {
        input.push_str("{\"contained\":[");
    }
    input.push_str(&format!(
        "{{\"resourceType\":\"Basic\",\"id\":\"{}\"}}",
        "a".repeat(10_000)
    ));
    for _ in 0..levels {
        input.push_str("],\"resourceType\":\"Basic\"}");
    }
    let opts = json::ReadOptions::default().max_input_size(input.len() * 4);
    let e = json::from_slice_with::<Resource>(input.as_bytes(), opts).unwrap_err();
    assert!(e.message.contains("before a late resourceType"), "{e}");
    // Within the default limit it reads.
    assert!(json::from_str::<Resource>(&input).is_ok());
}

/// `levels` nested extensions in JSON: 2 JSON levels each, plus the root.
fn nested_extensions_json(levels: usize) -> String {
    let mut s = String::from("{\"resourceType\":\"Patient\"");
    for _ in 0..levels {
        s.push_str(",\"extension\":[{\"url\":\"u\"");
    }
    s.push_str(",\"valueString\":\"x\"");
    for _ in 0..levels {
        s.push_str("}]");
    }
    s.push('}');
    s
}

#[test]
fn values_at_the_json_depth_limit_read_write_and_drop_on_a_small_stack() {
    on_small_stack(|| {
        // The root and 59 extensions: 60 objects, accepted.
        let input = nested_extensions_json(59);
        let r: Resource = json::from_str(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json::from_str::<Resource>(&json::to_string(&r)).unwrap(), r);
        let x = xml::to_string(&r).unwrap();
        let back: Resource = xml::from_str(&x).unwrap();
        assert_eq!(back, r);
        drop(back);
        drop(r);
        // One more level: refused.
        assert!(json_err(&nested_extensions_json(60))
            .message
            .contains("nested deeper"));
    });
}

#[test]
fn contained_resources_at_the_json_depth_limit_on_a_small_stack() {
    on_small_stack(|| {
        // Resources in resources, `resourceType` last (the replaying path).
        let levels = 59;
        let mut input = String::new();
        for _ in 0..levels {
            input.push_str("{\"contained\":[");
        }
        input.push_str("{\"resourceType\":\"Patient\",\"active\":true}");
        for _ in 0..levels {
            input.push_str("],\"resourceType\":\"Patient\"}");
        }
        let r: Resource = json::from_str(&input).unwrap_or_else(|e| panic!("{e}"));
        let x = xml::to_string(&r).unwrap();
        let back: Resource = xml::from_str(&x).unwrap();
        assert_eq!(back, r);
        let j = json::to_string(&r);
        assert_eq!(json::from_str::<Resource>(&j).unwrap(), r);
    });
}

/// `levels` nested extensions in XML.
fn nested_extensions_xml(levels: usize) -> String {
    let mut s = String::from("<Patient xmlns=\"http://hl7.org/fhir\">");
    for _ in 0..levels {
        s.push_str("<extension url=\"u\">");
    }
    s.push_str("<valueString value=\"x\"/>");
    for _ in 0..levels {
        s.push_str("</extension>");
    }
    s.push_str("</Patient>");
    s
}

#[test]
fn values_at_the_xml_depth_limit_read_write_and_drop_on_a_small_stack() {
    on_small_stack(|| {
        // Counted as in JSON: the root and 59 extensions.
        let input = nested_extensions_xml(59);
        let r: Resource = xml::from_str(&input).unwrap_or_else(|e| panic!("{e}"));
        let x = xml::to_string(&r).unwrap();
        assert!(x.ends_with(&input), "{x}");
        // Written as JSON, it reads back within JSON's default limit.
        let j = json::to_string(&r);
        let back: Resource = json::from_str(&j).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, r);
        drop(back);
        drop(r);
        let e = xml_err(&nested_extensions_xml(60));
        assert!(e.message.contains("nested deeper than 60"), "{e}");
        // Deeper with a higher limit (the stack allows it).
        let opts = xml::ReadOptions::default().max_depth(200);
        let r: Resource = xml::from_str_with(&nested_extensions_xml(199), opts).unwrap();
        assert!(xml::to_string(&r)
            .unwrap()
            .ends_with(&nested_extensions_xml(199)));
        drop(r);
    });
}

#[test]
fn deeply_nested_xml_fails_fast() {
    on_small_stack(|| {
        let e = quickly(|| xml_err(&nested_extensions_xml(DEEP)));
        assert_eq!(
            e.message,
            "elements nested deeper than 60 levels (ReadOptions::max_depth)"
        );
        assert!(e.line >= 1 && e.column > 60 * 19, "{e}");
        // In skipped content (unknown elements, lenient), read without
        // recursion, up to 10,000 levels (below the 65,536 at which
        // quick-xml's namespace scopes overflow).
        let mut deep = String::from("<Patient xmlns=\"http://hl7.org/fhir\">");
        deep.push_str(&"<foo>".repeat(DEEP));
        let opts = xml::ReadOptions::default().ignore_unknown(true);
        let e = quickly(|| xml::from_str_with::<Resource>(&deep, opts).unwrap_err());
        assert_eq!(
            e.message,
            "XHTML or skipped elements nested deeper than 10000 levels"
        );
        let skipped = |n: usize| {
            format!(
                "<Patient xmlns=\"http://hl7.org/fhir\">{}{}</Patient>",
                "<foo>".repeat(n),
                "</foo>".repeat(n)
            )
        };
        quickly(|| xml::from_str_with::<Resource>(&skipped(9_999), opts).unwrap());
        // Narrative XHTML likewise.
        let div = |n: usize| {
            format!(
                "<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/><div xmlns=\"http://www.w3.org/1999/xhtml\">{}{}</div></text></Patient>",
                "<b>".repeat(n),
                "</b>".repeat(n)
            )
        };
        let e = quickly(|| xml_err(&div(DEEP)));
        assert!(e.message.contains("nested deeper than 10000"), "{e}");
        let r = quickly(|| xml::from_str::<Resource>(&div(9_000)).unwrap());
        let x = quickly(|| xml::to_string(&r).unwrap());
        assert_eq!(quickly(|| xml::from_str::<Resource>(&x).unwrap()), r);
    });
}

#[test]
fn input_size_limit() {
    let input = r#"{"resourceType":"Patient","active":true}"#;
    let opts = json::ReadOptions::default().max_input_size(20);
    let e = json::from_slice_with::<Resource>(input.as_bytes(), opts).unwrap_err();
    assert_eq!(
        e.message,
        "input of 40 bytes is larger than the limit of 20 bytes (ReadOptions::max_input_size)"
    );
    assert_eq!((e.line, e.column), (1, 21));
    let rec = json::from_slice_recovering::<Resource>(input.as_bytes(), opts);
    assert!(rec.value.is_none() && rec.issues.len() == 1);
    assert!(json::from_slice_with::<Resource>(input.as_bytes(), opts.max_input_size(40)).is_ok());

    let x = r#"<Patient xmlns="http://hl7.org/fhir"><active value="true"/></Patient>"#;
    let opts = xml::ReadOptions::default().max_input_size(20);
    let e = xml::from_str_with::<Resource>(x, opts).unwrap_err();
    assert!(
        e.message.contains("larger than the limit of 20 bytes"),
        "{e}"
    );
    assert!(xml::from_str_with::<Resource>(x, opts.max_input_size(x.len())).is_ok());
    // Defaults: 64 MiB for both.
    assert_eq!(json::ReadOptions::default().max_input_size, 64 << 20);
    assert_eq!(xml::ReadOptions::default().max_input_size, 64 << 20);
}

#[test]
fn xml_dtds_and_entities_are_refused_not_expanded() {
    let cases = [
        // Billion laughs.
        r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Patient xmlns="http://hl7.org/fhir"><id value="&lol3;"/></Patient>"#,
        // External entity (XXE).
        r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Patient xmlns="http://hl7.org/fhir"><id value="&x;"/></Patient>"#,
        // External DTD, parameter entities.
        r#"<!DOCTYPE Patient SYSTEM "http://example.org/evil.dtd"><Patient xmlns="http://hl7.org/fhir"/>"#,
        r#"<!DOCTYPE p [<!ENTITY % d SYSTEM "http://example.org/x"> %d;]><Patient xmlns="http://hl7.org/fhir"/>"#,
    ];
    for input in cases {
        let e = quickly(|| xml_err(input));
        assert!(
            e.message.contains("DOCTYPE declarations are not allowed"),
            "{input}: {e}"
        );
        assert_eq!(e.line, 1, "{e}");
    }
    // An entity used without a declaration is unknown, not looked up.
    let e = xml_err(r#"<Patient xmlns="http://hl7.org/fhir"><id value="&x;"/></Patient>"#);
    assert!(e.message.contains("x"), "{e}");
    let e = xml_err(
        r#"<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">&nbsp;</div></text></Patient>"#,
    );
    assert!(e.message.contains("unknown entity &nbsp;"), "{e}");
}

#[test]
fn characters_xml_does_not_allow_are_errors() {
    let p = |inner: &str| format!("<Patient xmlns=\"http://hl7.org/fhir\">{inner}</Patient>");
    let div = |text: &str| {
        p(&format!(
            "<text><status value=\"generated\"/><div xmlns=\"http://www.w3.org/1999/xhtml\">{text}</div></text>"
        ))
    };
    let cases = [
        (
            p("<id value=\"a&#0;b\"/>"),
            "0x0 character is not permitted",
        ),
        (p("<id value=\"a&#1;b\"/>"), "U+0001"),
        (p("<id value=\"a&#x1F;b\"/>"), "U+001F"),
        (p("<id value=\"a&#xFFFE;b\"/>"), "U+FFFE"),
        (p("<id value=\"a\u{1}b\"/>"), "U+0001"),
        (p("<id value=\"a\u{0}b\"/>"), "U+0000"),
        (
            p("<name id=\"x&#8;\"><family value=\"f\"/></name>"),
            "U+0008",
        ),
        (format!("\u{7}{}", p("<id value=\"a\"/>")), "U+0007"),
        (div("a&#2;b"), "&#2;"),
        (div("a&#xD800;b"), "&#xD800;"),
        (div("a\u{1b}b"), "U+001B"),
        (div("\u{FFFF}"), "U+FFFF"),
    ];
    for (input, msg) in &cases {
        let e = xml_err(input);
        assert!(e.message.contains(msg), "{input:?}: {e}");
        assert!(e.line >= 1 && e.column >= 1, "{input:?}: {e}");
    }
    // The raw control character is located exactly.
    let e = xml_err(&p("\n  <id value=\"a\u{1}b\"/>"));
    assert_eq!((e.line, e.column), (2, 15), "{e}");
    // Allowed: tab, newline, carriage return, as references or raw.
    let r = xml::from_str::<Resource>(&p("<id value=\"a&#9;&#10;&#13;b\"/>")).unwrap();
    assert_eq!(
        json::to_string(&r),
        r#"{"resourceType":"Patient","id":"a\t\n\rb"}"#
    );
    // Invalid UTF-8, in several places.
    for bytes in [
        &b"<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"\xff\"/></Patient>"[..],
        &b"<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"\xc3\"/></Patient>"[..],
        &b"\xfe\xff<Patient xmlns=\"http://hl7.org/fhir\"/>"[..],
    ] {
        let e = xml::from_slice::<Resource>(bytes).unwrap_err();
        assert_eq!(e.message, "invalid UTF-8", "{e}");
    }
}

#[test]
fn invalid_utf8_in_json_is_an_error_at_its_element() {
    let read = |bytes: &[u8]| json::from_slice::<Resource>(bytes).unwrap_err();
    // In a string: the path of the element that holds it, and its position.
    let e = read(b"{\"resourceType\":\"Patient\",\n \"name\":[{\"given\":[\"a\",\"b\xffc\"]}]}");
    assert_eq!(e.message, "invalid UTF-8", "{e}");
    assert_eq!(e.path.as_deref(), Some("Patient.name[0].given[1]"), "{e}");
    assert_eq!((e.line, e.column), (2, 26), "{e}");
    // A truncated sequence in a property name, and bytes after the end.
    let e = read(b"{\"resourceType\":\"Patient\",\"\xc3\":1}");
    assert_eq!((e.message.as_str(), e.line, e.column), ("invalid UTF-8", 1, 28), "{e}");
    let e = read(b"{\"resourceType\":\"Patient\"}\xfe");
    assert_eq!((e.message.as_str(), e.path.as_deref()), ("invalid UTF-8", None), "{e}");
    // An earlier problem is the one reported.
    let e = read(b"{\"resourceType\":\"Patient\",\"nope\":1,\"id\":\"\xff\"}");
    assert!(e.message.contains("nope"), "{e}");
    // The recovering read reports it too, after what it found before.
    let r = json::from_slice_recovering::<Resource>(
        b"{\"resourceType\":\"Patient\",\"nope\":1,\"id\":\"\xff\"}",
        json::ReadOptions::default(),
    );
    let messages: Vec<_> = r.issues.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[1], "invalid UTF-8", "{messages:?}");
}

#[test]
fn narrative_divs_stand_on_their_own() {
    let doc = |div: &str| {
        format!("<Patient xmlns=\"http://hl7.org/fhir\" xmlns:h=\"http://www.w3.org/1999/xhtml\"><text><status value=\"generated\"/>{div}</text></Patient>")
    };
    // Its namespace must be declared on the div itself: it is kept as text.
    let e = xml_err(&doc("<h:div><h:p>x</h:p></h:div>"));
    assert!(e.message.contains("declaring the XHTML namespace"), "{e}");
    assert_eq!(e.path.as_deref(), Some("Patient.text.div"), "{e}");
    let ok = doc("<h:div xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:p>x</h:p></h:div>");
    let r = xml::from_str::<Resource>(&ok).unwrap();
    assert_eq!(
        xml::from_str::<Resource>(&xml::to_string(&r).unwrap()).unwrap(),
        r
    );
    // Prefixes inside must be declared inside (`xml` is always bound).
    let e = xml_err(&doc("<div xmlns=\"http://www.w3.org/1999/xhtml\"><h:p>x</h:p></div>"));
    assert!(e.message.contains("prefix h is not declared"), "{e}");
    let e = xml_err(&doc("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p h:title=\"t\">x</p></div>"));
    assert!(e.message.contains("prefix h is not declared"), "{e}");
    let e = xml_err(&doc("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p xmlns:s=\"\">x</p></div>"));
    assert!(e.message.contains("cannot be undeclared"), "{e}");
    xml::from_str::<Resource>(&doc(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\"><s:svg xmlns:s=\"http://www.w3.org/2000/svg\"><s:g s:id=\"a\"/></s:svg><p>after</p></div>",
    ))
    .unwrap();
    // A prefix declared on a sibling is out of scope.
    let e = xml_err(&doc(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><s:svg xmlns:s=\"http://www.w3.org/2000/svg\"/><s:g/></div>",
    ));
    assert!(e.message.contains("prefix s is not declared"), "{e}");
    // Bad entities and characters inside.
    assert!(xml_err(&doc(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\" title=\"&x;\">a</div>"
    ))
    .message
    .contains("x"));
    assert!(xml_err(&doc(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\" title=\"&#1;\">a</div>"
    ))
    .message
    .contains("U+0001"));

    // A div read from JSON can hold any string: writing XML checks it, so
    // that no narrative can break or inject into the document.
    let from_json = |div: &str| {
        let input = serde_json::json!({"resourceType": "Patient", "text": {"status": "generated", "div": div}}).to_string();
        json::from_str::<Resource>(&input).unwrap()
    };
    for bad in [
        "hello",
        "<div>no namespace</div>",
        "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div></text><active value=\"true\"/><text><div xmlns=\"http://www.w3.org/1999/xhtml\">y</div>",
        "<div xmlns=\"http://www.w3.org/1999/xhtml\">unclosed",
        "<div xmlns=\"http://www.w3.org/1999/xhtml\">a</div><!-- after -->",
        "<!DOCTYPE div><div xmlns=\"http://www.w3.org/1999/xhtml\">a</div>",
        "<div xmlns=\"http://www.w3.org/1999/xhtml\">&nbsp;</div>",
    ] {
        let e = xml::to_string(&from_json(bad)).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{bad}");
        assert!(e.to_string().starts_with("Narrative.div: "), "{bad}: {e}");
    }
    let good = from_json("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>a &amp; b<br/></p></div>");
    let x = xml::to_string(&good).unwrap();
    assert_eq!(xml::from_str::<Resource>(&x).unwrap(), good);
    let empty = from_json("<div xmlns=\"http://www.w3.org/1999/xhtml\"/>");
    assert_eq!(
        xml::from_str::<Resource>(&xml::to_string(&empty).unwrap()).unwrap(),
        empty
    );
}

#[test]
fn recovering_reads_stay_bounded() {
    // 50,000 unknown properties in one resource: 10,000 problems collected,
    // then reading stops; the first 1,000 are located. Quickly.
    let mut input = String::from("{\"resourceType\":\"Basic\",\"code\":{\"text\":\"x\"}");
    for i in 0..50_000 {
        input.push_str(&format!(",\"u{i}\":1"));
    }
    input.push('}');
    let rec = quickly(|| {
        json::from_slice_recovering::<Resource>(input.as_bytes(), json::ReadOptions::default())
    });
    assert!(rec.value.is_none());
    assert_eq!(rec.issues.len(), 10_001);
    assert!(rec.issues[999].line > 0 && rec.issues[1000].line == 0);
    let last = rec.issues.last().unwrap();
    assert_eq!(
        last.message,
        "more than 10000 problems: reading stopped here"
    );
    assert!(last.line > 0, "{last}");
}

#[test]
fn messages_quote_long_values_shortened() {
    let big = "9".repeat(1_000_000);
    let e = json_err(&format!(
        "{{\"resourceType\":\"Patient\",\"birthDate\":\"{big}\"}}"
    ));
    assert!(e.message.len() < 300, "{}", e.message.len());
    assert!(e.message.ends_with("more characters)"), "{}", e.message);
    let rec = json::from_slice_recovering::<Resource>(
        format!("{{\"resourceType\":\"Observation\",\"valueQuantity\":{{\"value\":{{\"a\":\"{big}\"}}}}}}").as_bytes(),
        json::ReadOptions::default(),
    );
    assert!(
        rec.issues.iter().all(|i| i.message.len() < 300),
        "{:?}",
        rec.issues
    );
    let e = xml_err(&format!(
        "<Patient xmlns=\"http://hl7.org/fhir\"><birthDate value=\"{big}\"/></Patient>"
    ));
    assert!(
        e.message.len() < 300 && e.message.starts_with("invalid date \"9999"),
        "{}",
        e.message
    );
}
