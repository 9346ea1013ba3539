//! R4 XML conformance, part 1: every JSON resource of hl7.fhir.r4.examples
//! 4.0.1 goes JSON -> typed -> XML -> typed -> JSON and must equal the input
//! as JSON (numbers by exact text). Fails (never skips) without the corpus.

#[path = "support/json_canon.rs"]
mod json_canon;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use fhir_model::r4::Resource;

/// Resources that must round-trip; raised as conformance improves, never lowered.
const FLOOR: usize = 5306;
const EXPECTED_RESOURCES: usize = 5306;
const CORPUS: &str = ".cache/packages/hl7.fhir.r4.examples-4.0.1/package";

fn check(bytes: &[u8]) -> Result<bool, String> {
    let input = match json_canon::parse(bytes) {
        Ok(c) => c,
        Err(e) => return Err(format!("not JSON: {e}")),
    };
    if !bytes.windows(14).any(|w| w == b"\"resourceType\"") {
        return Ok(false);
    }
    let r: Resource = fhir_model::json::from_slice(bytes).map_err(|e| format!("json parse: {e}"))?;
    let xml = fhir_model::xml::to_string(&r).map_err(|e| format!("xml write: {e}"))?;
    let back: Resource = fhir_model::xml::from_str(&xml).map_err(|e| format!("xml read: {e}"))?;
    let out = fhir_model::json::to_vec(&back);
    let out = json_canon::parse(&out).map_err(|e| format!("output not JSON: {e}"))?;
    match json_canon::diff(&input, &out) {
        None => Ok(true),
        Some(d) => Err(format!("differs: {d}")),
    }
}

#[test]
fn r4_examples_json_xml_json() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join(CORPUS);
    assert!(root.is_dir(), "corpus missing: run `cargo xtask fetch` (expected {})", root.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.file_name().is_some_and(|n| n != "package.json"))
        .collect();
    files.sort();
    let next = AtomicUsize::new(0);
    let results: Vec<(String, Result<bool, String>)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    while let Some(p) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let bytes = std::fs::read(p).unwrap();
                        let name = p.file_name().unwrap().to_string_lossy().into_owned();
                        out.push((name, check(&bytes)));
                    }
                    out
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let passed = results.iter().filter(|(_, r)| matches!(r, Ok(true))).count();
    let mut failed: Vec<(&String, &String)> =
        results.iter().filter_map(|(n, r)| r.as_ref().err().map(|e| (n, e))).collect();
    failed.sort();
    for (n, e) in failed.iter().take(40) {
        let e: String = e.chars().take(400).collect();
        println!("  {n}: {e}");
    }
    println!("r4 JSON->XML->JSON: {passed} passed, {} failed", failed.len());
    assert_eq!(passed + failed.len(), EXPECTED_RESOURCES);
    assert!(passed >= FLOOR, "{passed} round-trip, below the floor {FLOOR}");
}
