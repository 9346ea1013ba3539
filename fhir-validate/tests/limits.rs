//! Validation at the reader's depth limit, and beyond it, on a 2 MiB thread
//! stack: the validator walks elements recursively, so it must stay within
//! what the readers let through.

#![allow(clippy::unwrap_used)]

use fhir_model::r4::Resource;
use fhir_validate::validate::Validator;

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn nested_json(levels: usize) -> String {
    let mut s = String::from("{\"resourceType\":\"Patient\"");
    for _ in 0..levels {
        s.push_str(",\"extension\":[{\"url\":\"http://example.org/x\"");
    }
    s.push_str(",\"valueString\":\"x\"");
    for _ in 0..levels {
        s.push_str("}]");
    }
    s.push('}');
    s
}

fn nested_xml(levels: usize) -> String {
    let mut s = String::from("<Patient xmlns=\"http://hl7.org/fhir\">");
    for _ in 0..levels {
        s.push_str("<extension url=\"http://example.org/x\">");
    }
    s.push_str("<valueString value=\"x\"/>");
    for _ in 0..levels {
        s.push_str("</extension>");
    }
    s.push_str("</Patient>");
    s
}

#[test]
fn validation_at_and_past_the_depth_limit() {
    on_small_stack(|| {
        let v = Validator::new(&fhir_validate::generated::r4::TABLES);
        // At the limit: read and validated (no errors: extensions are open).
        let o = v.validate_json::<Resource>(nested_json(59).as_bytes());
        assert!(!o.has_errors(), "{:?}", o.issues);
        let o = v.validate_xml::<Resource>(nested_xml(59).as_bytes());
        assert!(!o.has_errors(), "{:?}", o.issues);
        // Far past it: one error naming the limit, with a position.
        for o in [
            v.validate_json::<Resource>(nested_json(200_000).as_bytes()),
            v.validate_xml::<Resource>(nested_xml(200_000).as_bytes()),
        ] {
            let errors: Vec<_> = o.errors().collect();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(
                errors[0]
                    .diagnostics
                    .contains("nested deeper than 60 levels"),
                "{errors:?}"
            );
            assert!(
                errors[0].line.is_some() && errors[0].column.is_some(),
                "{errors:?}"
            );
        }
    });
}
