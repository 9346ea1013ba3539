//! Validation of raw input, as `fhir validate` does it: JSON or XML by the
//! first byte; an outcome every time, never a panic.
#![no_main]

use std::sync::OnceLock;

use fhir_model::r4::Resource;
use fhir_validate::validate::Validator;
use libfuzzer_sys::fuzz_target;

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| Validator::new(&fhir_validate::generated::r4::TABLES))
}

fuzz_target!(|data: &[u8]| {
    let v = validator();
    let outcome = if data.first() == Some(&b'<') {
        v.validate_xml::<Resource>(data)
    } else {
        v.validate_json::<Resource>(data)
    };
    // The outcome converts to an OperationOutcome without trouble.
    let _ = outcome.has_errors();
});
