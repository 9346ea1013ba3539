//! FHIR JSON reading of arbitrary bytes: strict and recovering reads must
//! return (a value or errors), never panic, and what is read must write.
#![no_main]

use fhir_model::json::{self, ReadOptions};
use fhir_model::r4::Resource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = json::from_slice::<Resource>(data) {
        // What was accepted is written and read back unchanged.
        let text = json::to_string(&r);
        assert!(!text.is_empty());
        let back: Resource =
            json::from_str(&text).unwrap_or_else(|e| panic!("re-read failed: {e}\n{text}"));
        assert_eq!(back, r);
        assert_eq!(json::to_string(&back), text);
    }
    let rec = json::from_slice_recovering::<Resource>(data, ReadOptions::default());
    if rec.value.is_none() {
        assert!(!rec.issues.is_empty(), "no value and no issue");
    }
});
