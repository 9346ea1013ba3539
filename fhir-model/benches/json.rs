//! JSON (and FHIR XML) throughput of the typed R4 and R5 models against
//! `serde_json::Value`, over the official example corpora (every file with a
//! top-level `resourceType`): hl7.fhir.r4.examples 4.0.1 and
//! hl7.fhir.r5.examples 5.0.0, in the same run so that R5 and R4 MB/s compare
//! directly (issue 4).
//!
//! Run: `cargo bench -p fhir-model --bench json --features r4,r5` (see
//! BENCHMARKS.md). The bench requires both features (`required-features` in
//! Cargo.toml): without them Cargo refuses to run it rather than measuring
//! one version silently.
//!
//! The corpora are not checked in; `cargo xtask fetch` downloads them into
//! `.cache/packages/`. Without them this bench fails instead of skipping.
//!
//! Every benchmark is one pass over a whole corpus, so all benchmarks of a
//! version report the same `Throughput::Bytes`: the size of the corpus files
//! as stored (pretty-printed). The serialize benchmarks write compact JSON, so
//! their MB/s are "corpus bytes per second", comparable with each other and
//! with parsing, not output bytes per second. R4 keeps the group names
//! `parse`, `serialize`, `xml`; R5's are `r5_parse`, `r5_serialize`, `r5_xml`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use fhir_model::json::{FromFhirJson, ToFhirJson};
use fhir_model::xml::FhirXml;
use serde::{de::DeserializeOwned, Serialize};

mod corpus;

use corpus::{load_corpus, Corpus, CorpusSpec, R4, R5};

/// A loaded corpus with the pre-parsed inputs of the serialize benchmarks.
struct Prepared<R> {
    spec: &'static CorpusSpec,
    corpus: Corpus,
    typed: Vec<R>,
    values: Vec<serde_json::Value>,
    xml_docs: Vec<Vec<u8>>,
    xml_total: u64,
}

fn prepare<R>(spec: &'static CorpusSpec) -> Prepared<R>
where
    R: DeserializeOwned + Serialize + FhirXml,
{
    let corpus = load_corpus(spec);
    let files = &corpus.files;
    let typed: Vec<R> = files
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            serde_json::from_slice::<R>(bytes).unwrap_or_else(|e| {
                panic!("{} typed parse of corpus file #{i} failed: {e}", spec.label)
            })
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
    // FHIR XML of the same resources (issue 3): throughput in bytes of the
    // XML documents.
    let xml_docs: Vec<Vec<u8>> = typed
        .iter()
        .enumerate()
        .map(|(i, r)| {
            fhir_model::xml::to_vec(r).unwrap_or_else(|e| {
                panic!("{} XML write of corpus file #{i} failed: {e}", spec.label)
            })
        })
        .collect();
    let xml_total: u64 = xml_docs.iter().map(|d| d.len() as u64).sum();
    eprintln!(
        "{} corpus: {} resources, {} bytes; compact output: typed {} bytes, value {} bytes; XML {} bytes",
        spec.label,
        files.len(),
        corpus.total_bytes,
        typed_out,
        value_out,
        xml_total
    );
    Prepared {
        spec,
        corpus,
        typed,
        values,
        xml_docs,
        xml_total,
    }
}

fn bench_parse<R: DeserializeOwned + FromFhirJson>(c: &mut Criterion, p: &Prepared<R>) {
    let files = &p.corpus.files;
    let mut parse = c.benchmark_group(format!("{}parse", p.spec.prefix));
    parse.throughput(Throughput::Bytes(p.corpus.total_bytes));
    parse.sampling_mode(SamplingMode::Flat);
    // The crate's own entry point (checks UTF-8 once for the whole input).
    parse.bench_function("typed", |b| {
        b.iter(|| {
            for bytes in files {
                let r = fhir_model::json::from_slice::<R>(black_box(bytes));
                black_box(r.is_ok());
                drop(black_box(r));
            }
        })
    });
    // Through serde, as web frameworks' JSON extractors call it.
    parse.bench_function("typed_serde", |b| {
        b.iter(|| {
            for bytes in files {
                let r = serde_json::from_slice::<R>(black_box(bytes));
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
}

fn bench_serialize<R: Serialize + ToFhirJson>(c: &mut Criterion, p: &Prepared<R>) {
    let mut serialize = c.benchmark_group(format!("{}serialize", p.spec.prefix));
    serialize.throughput(Throughput::Bytes(p.corpus.total_bytes));
    serialize.sampling_mode(SamplingMode::Flat);
    // The library's writer (`fhir_model::json::to_vec`), then the same bytes
    // through serde (what web frameworks call).
    serialize.bench_function("typed", |b| {
        b.iter(|| {
            for r in &p.typed {
                black_box(fhir_model::json::to_vec(black_box(r)).len());
            }
        })
    });
    serialize.bench_function("typed_serde", |b| {
        b.iter(|| {
            for r in &p.typed {
                black_box(serde_json::to_vec(black_box(r)).map_or(0, |v| v.len()));
            }
        })
    });
    serialize.bench_function("value", |b| {
        b.iter(|| {
            for v in &p.values {
                black_box(serde_json::to_vec(black_box(v)).map_or(0, |v| v.len()));
            }
        })
    });
    serialize.finish();
}

fn bench_xml<R: FhirXml>(c: &mut Criterion, p: &Prepared<R>) {
    let mut xml = c.benchmark_group(format!("{}xml", p.spec.prefix));
    xml.throughput(Throughput::Bytes(p.xml_total));
    xml.sampling_mode(SamplingMode::Flat);
    xml.bench_function("parse", |b| {
        b.iter(|| {
            for d in &p.xml_docs {
                let r = fhir_model::xml::from_slice::<R>(black_box(d));
                black_box(r.is_ok());
                drop(black_box(r));
            }
        })
    });
    xml.bench_function("serialize", |b| {
        b.iter(|| {
            for r in &p.typed {
                black_box(fhir_model::xml::to_vec(black_box(r)).map_or(0, |v| v.len()));
            }
        })
    });
    xml.finish();
}

/// R4 and R5 alternate group by group, so that the two figures of a ratio
/// are taken minutes, not the whole run, apart.
fn json(c: &mut Criterion) {
    let r4 = prepare::<fhir_model::r4::Resource>(&R4);
    let r5 = prepare::<fhir_model::r5::Resource>(&R5);
    bench_parse(c, &r4);
    bench_parse(c, &r5);
    bench_serialize(c, &r4);
    bench_serialize(c, &r5);
    bench_xml(c, &r4);
    bench_xml(c, &r5);
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
