//! Profiling driver for issue 7: loads the R4 examples like
//! `benches/validate.rs`, then runs one pass of typed validation (parse
//! excluded), with or without invariants, inside `measured_validate`, the
//! function to give callgrind's `--toggle-collect`, so loading and parsing
//! are not counted:
//!
//! `valgrind --tool=callgrind --toggle-collect='*measured_validate*' target/release/examples/validate_driver with|without`
//!
//! Prints the resource and issue counts and the wall time of the pass
//! (meaningless under valgrind).

#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use fhir_model::r4::Resource;
use fhir_validate::validate::Validator;

#[inline(never)]
fn measured_validate(v: &Validator, typed: &[Resource]) -> usize {
    typed
        .iter()
        .map(|r| v.validate_resource(black_box(r)).issues.len())
        .sum()
}

fn main() {
    let with = match std::env::args().nth(1).as_deref() {
        Some("with") => true,
        Some("without") => false,
        _ => {
            eprintln!("usage: validate_driver with|without");
            std::process::exit(2);
        }
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.cache/packages/hl7.fhir.r4.examples-4.0.1/package");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus missing: run `cargo xtask fetch`")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name().is_some_and(|n| n != "package.json")
        })
        .collect();
    paths.sort();
    let typed: Vec<Resource> = paths
        .iter()
        .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("parse"))
        .collect();
    let v = Validator::new(&fhir_validate::generated::r4::TABLES);
    let v = if with { v } else { v.without_invariants() };
    let start = Instant::now();
    let issues = measured_validate(&v, &typed);
    eprintln!(
        "{} resources, {issues} issues, {:?}",
        typed.len(),
        start.elapsed()
    );
}
