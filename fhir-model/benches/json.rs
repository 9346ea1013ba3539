//! JSON throughput of the typed R4 model against `serde_json::Value`, over the
//! official R4 example corpus (every file with a top-level `resourceType`).
//!
//! Run: `cargo bench -p fhir-model --bench json` (see BENCHMARKS.md).
//!
//! The corpus is not checked in; `cargo xtask fetch` downloads it into
//! `.cache/packages/`. Without it this bench fails instead of skipping.
//!
//! Every benchmark is one pass over the whole corpus, so all four report the
//! same `Throughput::Bytes`: the size of the corpus files as stored
//! (pretty-printed). The serialize benchmarks write compact JSON, so their
//! MB/s are "corpus bytes per second", comparable with each other and with
//! parsing, not output bytes per second.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use fhir_model::r4::Resource;

/// The cache entry written by `cargo xtask fetch` (see definitions/manifest.json).
const CORPUS: &str = ".cache/packages/hl7.fhir.r4.examples-4.0.1/package";

/// Resources in hl7.fhir.r4.examples 4.0.1 (as in tests/r4_examples.rs).
const EXPECTED_RESOURCES: usize = 5306;

struct Corpus {
    files: Vec<Vec<u8>>,
    total_bytes: u64,
}

fn corpus_dir() -> PathBuf {
    let fhir_model = Path::new(env!("CARGO_MANIFEST_DIR"));
    fhir_model.parent().unwrap_or(fhir_model).join(CORPUS)
}

/// Reads every resource file of the corpus into memory, once.
fn load_corpus() -> Corpus {
    let dir = corpus_dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "the R4 example corpus is missing ({}: {e}); run `cargo xtask fetch` first",
            dir.display()
        )
    });
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
                .path()
        })
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in &paths {
        let bytes =
            std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
        if value.get("resourceType").is_some() {
            files.push(bytes);
        }
    }
    assert_eq!(
        files.len(),
        EXPECTED_RESOURCES,
        "unexpected number of resources in {}; run `cargo xtask fetch` to restore the corpus",
        dir.display()
    );
    let total_bytes = files.iter().map(|f| f.len() as u64).sum();
    Corpus { files, total_bytes }
}

fn json(c: &mut Criterion) {
    let corpus = load_corpus();
    let files = &corpus.files;

    // Pre-parsed inputs of the serialize benchmarks.
    let typed: Vec<Resource> = files
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            serde_json::from_slice::<Resource>(bytes)
                .unwrap_or_else(|e| panic!("typed parse of corpus file #{i} failed: {e}"))
        })
        .collect();
    let values: Vec<serde_json::Value> = files
        .iter()
        .map(|bytes| serde_json::from_slice(bytes).unwrap_or(serde_json::Value::Null))
        .collect();
    let typed_out: u64 = typed
        .iter()
        .map(|r| serde_json::to_vec(r).map_or(0, |v| v.len() as u64))
        .sum();
    let value_out: u64 = values
        .iter()
        .map(|v| serde_json::to_vec(v).map_or(0, |v| v.len() as u64))
        .sum();
    eprintln!(
        "corpus: {} resources, {} bytes; compact output: typed {} bytes, value {} bytes",
        files.len(),
        corpus.total_bytes,
        typed_out,
        value_out
    );

    let mut parse = c.benchmark_group("parse");
    parse.throughput(Throughput::Bytes(corpus.total_bytes));
    parse.sampling_mode(SamplingMode::Flat);
    parse.bench_function("typed", |b| {
        b.iter(|| {
            for bytes in files {
                let r = serde_json::from_slice::<Resource>(black_box(bytes));
                black_box(r.is_ok());
                drop(black_box(r));
            }
        })
    });
    parse.bench_function("value", |b| {
        b.iter(|| {
            for bytes in files {
                let v = serde_json::from_slice::<serde_json::Value>(black_box(bytes));
                black_box(v.is_ok());
                drop(black_box(v));
            }
        })
    });
    parse.finish();

    let mut serialize = c.benchmark_group("serialize");
    serialize.throughput(Throughput::Bytes(corpus.total_bytes));
    serialize.sampling_mode(SamplingMode::Flat);
    // The library's writer (`fhir_model::json::to_vec`), then the same bytes
    // through serde (what web frameworks call).
    serialize.bench_function("typed", |b| {
        b.iter(|| {
            for r in &typed {
                black_box(fhir_model::json::to_vec(black_box(r)).len());
            }
        })
    });
    serialize.bench_function("typed_serde", |b| {
        b.iter(|| {
            for r in &typed {
                black_box(serde_json::to_vec(black_box(r)).map_or(0, |v| v.len()));
            }
        })
    });
    serialize.bench_function("value", |b| {
        b.iter(|| {
            for v in &values {
                black_box(serde_json::to_vec(black_box(v)).map_or(0, |v| v.len()));
            }
        })
    });
    serialize.finish();

    // FHIR XML of the same resources, in the same run (issue 3): throughput
    // in bytes of the XML documents.
    let xml_docs: Vec<Vec<u8>> = typed
        .iter()
        .enumerate()
        .map(|(i, r)| {
            fhir_model::xml::to_vec(r)
                .unwrap_or_else(|e| panic!("XML write of corpus file #{i} failed: {e}"))
        })
        .collect();
    let xml_total: u64 = xml_docs.iter().map(|d| d.len() as u64).sum();
    eprintln!("XML of the corpus: {xml_total} bytes");
    let mut xml = c.benchmark_group("xml");
    xml.throughput(Throughput::Bytes(xml_total));
    xml.sampling_mode(SamplingMode::Flat);
    xml.bench_function("parse", |b| {
        b.iter(|| {
            for d in &xml_docs {
                let r = fhir_model::xml::from_slice::<Resource>(black_box(d));
                black_box(r.is_ok());
                drop(black_box(r));
            }
        })
    });
    xml.bench_function("serialize", |b| {
        b.iter(|| {
            for r in &typed {
                black_box(fhir_model::xml::to_vec(black_box(r)).map_or(0, |v| v.len()));
            }
        })
    });
    xml.finish();
}

fn config() -> Criterion {
    // Each iteration is a full pass over ~190 MB: few, flat samples keep the
    // whole run to a few minutes on 2 cores.
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(3))
        .measurement_time(Duration::from_secs(20))
}

criterion_group! {
    name = benches;
    config = config();
    targets = json
}
criterion_main!(benches);
