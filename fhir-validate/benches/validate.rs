//! Validation throughput over the official R4 examples (issue 5): typed
//! validation of pre-parsed resources (parse excluded), validation of the raw
//! JSON (parse included), and the typed parse alone for comparison, in one run.
//! `cargo bench -p fhir-validate --bench validate` (after `cargo xtask fetch`).

#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use fhir_model::r4::Resource;
use fhir_validate::validate::Validator;

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cache/packages/hl7.fhir.r4.examples-4.0.1/package");
    assert!(dir.is_dir(), "corpus missing: run `cargo xtask fetch`");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.file_name().is_some_and(|n| n != "package.json"))
        .collect();
    paths.sort();
    let files: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).expect("read")).collect();
    let total: u64 = files.iter().map(|f| f.len() as u64).sum();
    let typed: Vec<Resource> = files.iter().map(|f| serde_json::from_slice(f).expect("parse")).collect();
    let v = Validator::new(&fhir_validate::generated::r4::TABLES);
    let without = Validator::new(&fhir_validate::generated::r4::TABLES).without_invariants();
    eprintln!("{} resources, {total} bytes", files.len());

    let mut g = c.benchmark_group("validate");
    g.throughput(Throughput::Bytes(total));
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("typed (parse excluded)", |b| {
        b.iter(|| {
            for r in &typed {
                black_box(v.validate_resource(black_box(r)).issues.len());
            }
        })
    });
    g.bench_function("typed without invariants (parse excluded)", |b| {
        b.iter(|| {
            for r in &typed {
                black_box(without.validate_resource(black_box(r)).issues.len());
            }
        })
    });
    g.bench_function("json (parse included)", |b| {
        b.iter(|| {
            for f in &files {
                black_box(v.validate_json::<Resource>(black_box(f)).issues.len());
            }
        })
    });
    g.bench_function("json without invariants (parse included)", |b| {
        b.iter(|| {
            for f in &files {
                black_box(without.validate_json::<Resource>(black_box(f)).issues.len());
            }
        })
    });
    g.bench_function("parse only", |b| {
        b.iter(|| {
            for f in &files {
                black_box(serde_json::from_slice::<Resource>(black_box(f)).is_ok());
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(10));
    targets = bench
}
criterion_main!(benches);
