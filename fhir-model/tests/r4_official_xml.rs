//! R4 XML conformance, part 2: every XML resource of the official
//! hl7.fhir.r4.corexml 4.0.1 package is read, and the JSON written for each one
//! that has a twin (same file name, `.json`) in hl7.fhir.r4.examples 4.0.1 equals
//! that twin, apart from what differs between the two official builds:
//! corexml carries no narrative (`text`), and the root `date` and
//! `meta.lastUpdated` are build timestamps. Fails (never skips) without the corpora.

#[path = "support/json_canon.rs"]
mod json_canon;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use fhir_model::r4::Resource;
use json_canon::Canon;

/// Floors, raised as conformance improves, never lowered.
const READ_FLOOR: usize = 4581;
const TWIN_FLOOR: usize = 4578;
const EXPECTED_XML: usize = 4581;
const EXPECTED_TWINS: usize = 4578;
const XML_CORPUS: &str = ".cache/packages/hl7.fhir.r4.corexml-4.0.1/package";
const JSON_CORPUS: &str = ".cache/packages/hl7.fhir.r4.examples-4.0.1/package";

/// Removes what legitimately differs between the two official builds.
fn strip_build_differences(c: &mut Canon) {
    if let Canon::Object(m) = c {
        m.remove("text");
        m.remove("date");
        if let Some(Canon::Object(meta)) = m.get_mut("meta") {
            meta.remove("lastUpdated");
            if meta.is_empty() {
                m.remove("meta");
            }
        }
    }
    strip_text(c);
}

/// corexml has no narrative anywhere (contained resources and Bundle entries included).
fn strip_text(c: &mut Canon) {
    match c {
        Canon::Object(m) => {
            if m.contains_key("resourceType") {
                m.remove("text");
            }
            m.values_mut().for_each(strip_text);
        }
        Canon::Array(a) => a.iter_mut().for_each(strip_text),
        _ => {}
    }
}

enum Outcome {
    ReadNoTwin,
    Twin,
    Failed(String),
}

fn check(xml_path: &Path, json_dir: &Path) -> Outcome {
    let xml = match std::fs::read(xml_path) {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(format!("cannot read: {e}")),
    };
    let r: Resource = match fhir_model::xml::from_slice(&xml) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(format!("xml read: {e}")),
    };
    let twin = json_dir.join(xml_path.with_extension("json").file_name().unwrap_or_default());
    let Ok(twin) = std::fs::read(&twin) else { return Outcome::ReadNoTwin };
    let mut expected = match json_canon::parse(&twin) {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(format!("twin not JSON: {e}")),
    };
    let mut actual = match json_canon::parse(&fhir_model::json::to_vec(&r)) {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(format!("output not JSON: {e}")),
    };
    strip_build_differences(&mut expected);
    strip_build_differences(&mut actual);
    match json_canon::diff(&expected, &actual) {
        None => Outcome::Twin,
        Some(d) => Outcome::Failed(format!("differs from the JSON twin: {d}")),
    }
}

#[test]
fn r4_official_xml_reads_and_matches_json_twins() {
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let xml_dir = ws.join(XML_CORPUS);
    let json_dir = ws.join(JSON_CORPUS);
    for d in [&xml_dir, &json_dir] {
        assert!(d.is_dir(), "corpus missing: run `cargo xtask fetch` (expected {})", d.display());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&xml_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let next = AtomicUsize::new(0);
    let results: Vec<(String, Outcome)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    while let Some(p) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        out.push((p.file_name().unwrap().to_string_lossy().into_owned(), check(p, &json_dir)));
                    }
                    out
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let read = results.iter().filter(|(_, o)| !matches!(o, Outcome::Failed(m) if m.starts_with("xml read"))).count();
    let twins_ok = results.iter().filter(|(_, o)| matches!(o, Outcome::Twin)).count();
    let no_twin = results.iter().filter(|(_, o)| matches!(o, Outcome::ReadNoTwin)).count();
    let mut failed: Vec<(&String, &String)> = results
        .iter()
        .filter_map(|(n, o)| if let Outcome::Failed(m) = o { Some((n, m)) } else { None })
        .collect();
    failed.sort();
    for (n, m) in failed.iter().take(40) {
        println!("  {n}: {}", m.chars().take(400).collect::<String>());
    }
    let twin_total = results.len() - no_twin - failed.iter().filter(|(_, m)| m.starts_with("xml read")).count();
    println!("r4 official XML read: {read} passed, {} failed", results.len() - read);
    println!("r4 official XML vs JSON twins: {twins_ok} passed, {} failed", twin_total - twins_ok);
    assert_eq!(results.len(), EXPECTED_XML);
    assert_eq!(twin_total, EXPECTED_TWINS, "number of XML resources with a JSON twin changed");
    assert!(read >= READ_FLOOR && twins_ok >= TWIN_FLOOR, "below the recorded floors");
}
