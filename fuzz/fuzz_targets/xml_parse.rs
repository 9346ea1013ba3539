//! FHIR XML reading of arbitrary bytes: an error or a value, never a panic;
//! what is read writes back to XML that reads as the same value.
#![no_main]

use fhir_model::r4::Resource;
use fhir_model::xml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = xml::from_slice::<Resource>(data) {
        // Everything the reader accepts is text XML can carry.
        let text = xml::to_string(&r).unwrap_or_else(|e| panic!("write failed: {e}"));
        let back: Resource =
            xml::from_str(&text).unwrap_or_else(|e| panic!("re-read failed: {e}\n{text}"));
        assert_eq!(back, r);
    }
});
