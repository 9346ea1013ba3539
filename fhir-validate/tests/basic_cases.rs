//! The team's basic validation cases (a copy of `../shared/validation-cases/basic`
//! in `tests/cases/basic`): every case gets the verdict `expected.json` gives;
//! all 14, b13 through the invariant obs-6 (FHIRPath). A case listed in
//! `PENDING` must not be detected, so the list cannot go stale.

use std::path::Path;

use fhir_model::r4::Resource;
use fhir_validate::validate::Validator;

/// Cases whose check is not built yet, with the reason.
/// Cases not yet detected, with why (empty: all 14 get their verdict).
const PENDING: &[(&str, &str)] = &[];

#[test]
fn basic_cases_get_their_verdict() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/basic");
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let v = Validator::new(&fhir_validate::generated::r4::TABLES);
    let mut right = 0;
    let mut wrong = Vec::new();
    let mut pending = 0;
    let cases = expected.as_object().unwrap();
    for (name, exp) in cases {
        let bytes = std::fs::read(dir.join(format!("{name}.json"))).unwrap();
        let outcome = v.validate_json::<Resource>(&bytes);
        let want_valid = exp["expected"] == "valid";
        let got_valid = !outcome.has_errors();
        let summary: Vec<String> = outcome.issues.iter().map(|i| i.to_string()).collect();
        println!("{name}: expected {}, got {} {summary:?}", exp["expected"], if got_valid { "valid" } else { "error" });
        if let Some((_, why)) = PENDING.iter().find(|(n, _)| n == name) {
            assert!(got_valid, "{name} is marked pending ({why}) but is now detected: remove it from PENDING");
            pending += 1;
            continue;
        }
        if want_valid == got_valid {
            right += 1;
        } else {
            wrong.push(name.clone());
        }
    }
    println!("basic cases: {right} passed, {} failed, {pending} pending", wrong.len());
    assert!(wrong.is_empty(), "wrong verdicts: {wrong:?}");
    assert_eq!(right + pending, cases.len());
}
