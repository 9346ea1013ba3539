//! JSON -> typed -> XML -> typed -> JSON: what the JSON reader accepts must
//! come back identical through both formats.
#![no_main]

use fhir_model::r4::Resource;
use fhir_model::{json, xml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(r) = json::from_slice::<Resource>(data) else {
        return;
    };
    let j1 = json::to_string(&r);
    let x = match xml::to_string(&r) {
        Ok(x) => x,
        // Writing XML fails only for what XML cannot carry: characters a JSON
        // string may hold (U+0001, U+FFFE...), or a narrative div that is not
        // one well-formed XHTML div.
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.starts_with("Narrative.div: ")
                    || msg.contains("XML")
                    || msg.contains("character"),
                "unexpected XML write failure: {msg}\nfor {j1}"
            );
            return;
        }
    };
    let r2: Resource =
        xml::from_str(&x).unwrap_or_else(|e| panic!("XML re-read failed: {e}\n{x}\nfrom {j1}"));
    assert_eq!(r2, r, "XML round trip changed the value\n{x}");
    let j2 = json::to_string(&r2);
    assert_eq!(j2, j1);
    let r3: Resource =
        json::from_str(&j2).unwrap_or_else(|e| panic!("JSON re-read failed: {e}\n{j2}"));
    assert_eq!(r3, r);
});
