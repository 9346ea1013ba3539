//! Schema validation of the XML fhir-model writes, the same for every FHIR
//! version: a fixed sample of the version's official JSON examples is read,
//! written as XML and checked with xmllint (Debian package libxml2-utils)
//! against the official `fhir-single.xsd` of that version.
//!
//! The sample is every 10th resource of the examples package in file-name
//! order; `FHIR_XSD_ALL=1` checks them all (the maintainer run). Fails, never
//! skips, when xmllint, the examples or the schema package is missing (`cargo
//! xtask fetch` downloads the packages named in the `corpora` of
//! `definitions/manifest.json`).
//!
//! Examples that break the schema themselves are listed by each version's test
//! with the reason; each listed file in the sample must fail (a stale entry is
//! an error), and any other failure fails the test.
//!
//! Needs `json_canon` and `corpus` (tests/support/) mounted at the crate root.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use fhir_model::json::FromFhirJson;
use fhir_model::xml::FhirXml;

use crate::corpus;
use crate::json_canon;

/// Files per xmllint run: the schema is loaded once per run.
const BATCH: usize = 400;

/// Every `SAMPLE_STEP`th resource is checked.
const SAMPLE_STEP: usize = 10;

/// How many xmllint messages are shown per failing file.
const SHOWN_MESSAGES: usize = 5;

/// One version's schema check.
#[derive(Debug)]
pub struct XsdCheck {
    /// The fhir-model module (`r4`), which names the examples' `corpora` entry.
    pub module: &'static str,
    /// The `corpora` package whose `package/xml/` holds `fhir-single.xsd`.
    pub schema_package: &'static str,
    /// Rewrites `fhir-single.xsd` before use, for faults of the official
    /// schema; `None` uses it as it is.
    pub patch_schema: Option<fn(&str) -> String>,
    /// Why an example (by the name of the XML file written for it, `X.xml`
    /// for `X.json`) is itself invalid against the schema, if it is.
    pub known_defect: fn(&str) -> Option<&'static str>,
    /// At least this many files in the sample (it is fixed, so a change means
    /// the corpus or the way it is read changed).
    pub min_sample: usize,
}

/// Writes the sample as XML with `R` (the version's `Resource` enum),
/// validates it, prints `<module> XSD (N files): N passed, N failed` and
/// fails on any failure not explained by `known_defect`.
pub fn run<R: FromFhirJson + FhirXml>(check: &XsdCheck) {
    let module = check.module;
    let json_dir = corpus::corpus_dir(module);
    let official = corpus::package_dir(check.schema_package).join("xml");
    for dir in [&json_dir, &official] {
        assert!(
            dir.is_dir(),
            "corpus missing: run `cargo xtask fetch`\n(expected {})",
            dir.display()
        );
    }
    let version = Command::new("xmllint").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "xmllint is missing: install Debian's libxml2-utils (.ci/run does)"
    );
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let schema = match check.patch_schema {
        None => official.join("fhir-single.xsd"),
        Some(patch) => patched_schema(&official, &tmp.join(format!("{module}_xsd_schema")), patch),
    };

    let all = std::env::var_os("FHIR_XSD_ALL").is_some();
    let sample: Vec<PathBuf> = resource_files(&json_dir)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| all || i % SAMPLE_STEP == 0)
        .map(|(_, path)| path)
        .collect();
    let out_dir = tmp.join(format!("{module}_xsd"));
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir)
        .unwrap_or_else(|e| panic!("creating {}: {e}", out_dir.display()));
    let written: Vec<PathBuf> = sample
        .iter()
        .map(|path| write_xml::<R>(path, &out_dir))
        .collect();

    let results = validate(&schema, &written);
    let mut passed = 0;
    let mut known = Vec::new();
    let mut failures = Vec::new();
    let mut stale = Vec::new();
    for path in &written {
        let name = corpus::file_name(path);
        let result = results
            .get(&name)
            .unwrap_or_else(|| panic!("xmllint said nothing about {name}"));
        match (result, (check.known_defect)(&name)) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => stale.push(name),
            (Err(_), Some(why)) => known.push(format!("{name} ({why})")),
            (Err(messages), None) => {
                let shown: Vec<String> = messages
                    .iter()
                    .take(SHOWN_MESSAGES)
                    .map(|m| corpus::one_line(m))
                    .collect();
                failures.push(format!("{name}: {}", shown.join(" | ")));
            }
        }
    }

    let mut report = String::new();
    for k in &known {
        report += &format!("  known defect of the official example: {k}\n");
    }
    for f in &failures {
        report += &format!("  {f}\n");
    }
    report += &format!(
        "{module} XSD ({} files): {passed} passed, {} failed ({} of them known defects of the examples)\n",
        written.len(),
        known.len() + failures.len(),
        known.len()
    );
    // The real stdout, as in corpus.rs: worth seeing on every run.
    let _ = std::io::stdout().lock().write_all(report.as_bytes());

    assert!(
        all || written.len() >= check.min_sample,
        "{module}: the sample has {} files, expected at least {}",
        written.len(),
        check.min_sample
    );
    assert!(
        stale.is_empty(),
        "{module}: listed as defective but valid (remove them from the list): {stale:?}"
    );
    assert!(
        failures.is_empty(),
        "{module}: XML output that the official schema rejects:\n{}",
        failures.join("\n")
    );
}

/// The examples package's JSON files that are resources, in file-name order.
fn resource_files(dir: &Path) -> Vec<PathBuf> {
    corpus::json_files(dir)
        .into_iter()
        .filter(|path| {
            let bytes =
                std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            json_canon::parse(&bytes).is_ok_and(|json| json.get("resourceType").is_some())
        })
        .collect()
}

/// Reads `json` as a `R` and writes it as `<out_dir>/<name>.xml`.
fn write_xml<R: FromFhirJson + FhirXml>(json: &Path, out_dir: &Path) -> PathBuf {
    let bytes = std::fs::read(json).unwrap_or_else(|e| panic!("reading {}: {e}", json.display()));
    let resource: R =
        fhir_model::json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", json.display()));
    let xml = fhir_model::xml::to_vec(&resource)
        .unwrap_or_else(|e| panic!("{}: writing XML: {e}", json.display()));
    let out = out_dir.join(format!(
        "{}.xml",
        corpus::file_name(&json.with_extension(""))
    ));
    std::fs::write(&out, xml).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
    out
}

/// Runs xmllint over `files` in batches: per file name, `Ok` or xmllint's
/// messages about it.
fn validate(schema: &Path, files: &[PathBuf]) -> BTreeMap<String, Result<(), Vec<String>>> {
    let mut results = BTreeMap::new();
    let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for chunk in files.chunks(BATCH) {
        let output = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(schema)
            .args(chunk)
            .output()
            .unwrap_or_else(|e| panic!("running xmllint: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        for line in stderr.lines() {
            if let Some(file) = line.strip_suffix(" validates") {
                results.insert(corpus::file_name(Path::new(file)), Ok(()));
            } else if let Some(file) = line.strip_suffix(" fails to validate") {
                let name = corpus::file_name(Path::new(file));
                let said = messages.remove(&name).unwrap_or_default();
                results.insert(name, Err(said));
            } else if let Some((file, _)) = line.split_once(':') {
                // `<file>:<line>: element ...: Schemas validity error : ...`
                let name = corpus::file_name(Path::new(file));
                let message = line.get(file.len() + 1..).unwrap_or_default().to_owned();
                messages.entry(name).or_default().push(message);
            } else if !line.trim().is_empty() {
                panic!("unexpected xmllint output: {line}");
            }
        }
    }
    results
}

/// A copy of the official schema folder with `patch` applied to `fhir-single.xsd`.
fn patched_schema(official_dir: &Path, out: &Path, patch: fn(&str) -> String) -> PathBuf {
    std::fs::create_dir_all(out).unwrap_or_else(|e| panic!("creating {}: {e}", out.display()));
    for file in ["xml.xsd", "fhir-xhtml.xsd"] {
        std::fs::copy(official_dir.join(file), out.join(file))
            .unwrap_or_else(|e| panic!("copying {file}: {e}"));
    }
    let path = official_dir.join("fhir-single.xsd");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let patched = out.join("fhir-single.xsd");
    std::fs::write(&patched, patch(&text))
        .unwrap_or_else(|e| panic!("writing {}: {e}", patched.display()));
    patched
}
