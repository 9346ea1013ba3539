//! `json-driver <corpus dir> <parse-typed|parse-typed-serde|parse-value|serialize-typed|serialize-value|xml-parse|xml-serialize> [r4|r5]`:
//! loads the corpus like `fhir-model/benches/json.rs`, then runs one pass of the
//! named benchmark inside `measured_*` (the function to give callgrind's
//! `--toggle-collect`). Prints the pass's wall time (meaningless under valgrind).
//! The third argument picks the FHIR version of the typed model (default r4);
//! it must match the corpus (R5: hl7.fhir.r5.examples-5.0.0).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use fhir_model::json::{FromFhirJson, ToFhirJson};
use fhir_model::xml::FhirXml;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

#[inline(never)]
fn measured_parse_typed<R: FromFhirJson>(files: &[Vec<u8>]) -> usize {
    files
        .iter()
        .map(|bytes| usize::from(black_box(fhir_model::json::from_slice::<R>(bytes)).is_ok()))
        .sum()
}

#[inline(never)]
fn measured_parse_typed_serde<R: DeserializeOwned>(files: &[Vec<u8>]) -> usize {
    files
        .iter()
        .map(|bytes| usize::from(black_box(serde_json::from_slice::<R>(bytes)).is_ok()))
        .sum()
}

#[inline(never)]
fn measured_parse_value(files: &[Vec<u8>]) -> usize {
    files
        .iter()
        .map(|bytes| usize::from(black_box(serde_json::from_slice::<Value>(bytes)).is_ok()))
        .sum()
}

#[inline(never)]
fn measured_serialize_typed<R: ToFhirJson>(resources: &[R]) -> usize {
    resources
        .iter()
        .map(|r| fhir_model::json::to_vec(black_box(r)).len())
        .sum()
}

#[inline(never)]
fn measured_serialize_typed_serde<R: Serialize>(resources: &[R]) -> usize {
    resources
        .iter()
        .map(|r| serde_json::to_vec(black_box(r)).map_or(0, |v| v.len()))
        .sum()
}

#[inline(never)]
fn measured_xml_parse<R: FhirXml>(docs: &[Vec<u8>]) -> usize {
    docs.iter()
        .map(|d| usize::from(black_box(fhir_model::xml::from_slice::<R>(d)).is_ok()))
        .sum()
}

#[inline(never)]
fn measured_xml_serialize<R: FhirXml>(resources: &[R]) -> usize {
    resources
        .iter()
        .map(|r| fhir_model::xml::to_vec(black_box(r)).map_or(0, |v| v.len()))
        .sum()
}

#[inline(never)]
fn measured_serialize_value(values: &[Value]) -> usize {
    values
        .iter()
        .map(|v| serde_json::to_vec(black_box(v)).map_or(0, |v| v.len()))
        .sum()
}

/// Runs `measure` over `inputs` prepared beforehand; returns when it started
/// and its result. Freeing the inputs is not part of the measurement.
fn timed<T>(inputs: Vec<T>, measure: impl FnOnce(&[T]) -> usize) -> (Instant, usize) {
    let start = Instant::now();
    let n = measure(&inputs);
    std::mem::forget(inputs);
    (start, n)
}

/// The corpus files with a top-level `resourceType`, sorted by name.
fn load(dir: &Path) -> Result<Vec<Vec<u8>>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "{}: {e} (run `cargo xtask fetch` in the workspace)",
            dir.display()
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value: Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        if value.get("resourceType").is_some() {
            files.push(bytes);
        }
    }
    Ok(files)
}

fn run<Resource: DeserializeOwned + Serialize + FromFhirJson + ToFhirJson + FhirXml>(
    dir: &Path,
    mode: &str,
) -> Result<(), String> {
    let files = load(dir)?;
    let parse_typed = || -> Result<Vec<Resource>, String> {
        files
            .iter()
            .map(|b| serde_json::from_slice(b).map_err(|e| e.to_string()))
            .collect()
    };
    let parse_value = || -> Vec<Value> {
        files
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect()
    };
    let (start, result) = match mode {
        "parse-typed" => (Instant::now(), measured_parse_typed::<Resource>(&files)),
        "parse-typed-serde" => (Instant::now(), measured_parse_typed_serde::<Resource>(&files)),
        "parse-value" => (Instant::now(), measured_parse_value(&files)),
        "serialize-typed" => timed(parse_typed()?, |r| measured_serialize_typed(r)),
        "serialize-typed-serde" => timed(parse_typed()?, |r| measured_serialize_typed_serde(r)),
        // The XML documents the writer makes of the corpus, as the bench's `xml` group.
        "xml-parse" => timed(
            parse_typed()?
                .iter()
                .map(|r| fhir_model::xml::to_vec(r).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()?,
            |docs| measured_xml_parse::<Resource>(docs),
        ),
        "xml-serialize" => timed(parse_typed()?, |r| measured_xml_serialize(r)),
        "serialize-value" => timed(parse_value(), |v| measured_serialize_value(v)),
        other => return Err(format!("unknown mode {other:?}")),
    };
    println!(
        "{mode}: {} files, result {result}, {:.1} ms",
        files.len(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    std::mem::forget(files);
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, mode, version) = match args.as_slice() {
        [dir, mode] => (dir, mode, "r4"),
        [dir, mode, version] => (dir, mode, version.as_str()),
        _ => {
            eprintln!("usage: json-driver <corpus dir> <parse-typed|parse-typed-serde|parse-value|serialize-typed|serialize-value|xml-parse|xml-serialize> [r4|r5]");
            return ExitCode::FAILURE;
        }
    };
    let result = match version {
        "r4" => run::<fhir_model::r4::Resource>(Path::new(dir), mode),
        #[cfg(feature = "r5")]
        "r5" => run::<fhir_model::r5::Resource>(Path::new(dir), mode),
        other => Err(format!("unknown FHIR version {other:?} (r4 or r5)")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
