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
//!
//! `validate_driver paired [ROUNDS]` measures the same ratio by wall clock
//! instead: each round times one pass with invariants and one without, back
//! to back (alternating which goes first), and the figure is the median of
//! the per-round ratios, so that the machine's drift (10 to 30% over
//! minutes on a shared 2-core machine) cancels out, as in fhir-model's
//! `versions` bench.

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

/// What to run: one pass with or without invariants, or paired rounds.
enum Mode {
    Once { with: bool },
    Paired { rounds: usize },
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = match args.next().as_deref() {
        Some("with") => Mode::Once { with: true },
        Some("without") => Mode::Once { with: false },
        Some("paired") => Mode::Paired {
            rounds: args
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(11)
                .max(1),
        },
        _ => {
            eprintln!("usage: validate_driver with|without|paired [ROUNDS]");
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
    let with = Validator::new(&fhir_validate::generated::r4::TABLES);
    let without = Validator::new(&fhir_validate::generated::r4::TABLES).without_invariants();
    match mode {
        Mode::Once { with: true } => once(&with, &typed),
        Mode::Once { with: false } => once(&without, &typed),
        Mode::Paired { rounds } => paired(&with, &without, &typed, rounds),
    }
}

fn once(v: &Validator, typed: &[Resource]) {
    let start = Instant::now();
    let issues = measured_validate(v, typed);
    eprintln!(
        "{} resources, {issues} issues, {:?}",
        typed.len(),
        start.elapsed()
    );
}

/// Prints the median pass times and the median (lowest, highest) of the
/// per-round ratios with / without.
fn paired(with: &Validator, without: &Validator, typed: &[Resource], rounds: usize) {
    let pass = |v: &Validator| {
        let start = Instant::now();
        black_box(measured_validate(v, typed));
        start.elapsed().as_secs_f64()
    };
    // One untimed pass each: warm the caches the validators fill on first use.
    pass(with);
    pass(without);
    let (mut a, mut b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (w, o) = if round % 2 == 0 {
            let w = pass(with);
            (w, pass(without))
        } else {
            let o = pass(without);
            (pass(with), o)
        };
        a.push(w);
        b.push(o);
        ratios.push(w / o);
    }
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(0.0, f64::max);
    println!(
        "{rounds} paired rounds over {} resources: with invariants {:.3} s, without {:.3} s (medians); with/without {:.3} [{low:.3}, {high:.3}]",
        typed.len(),
        median(a),
        median(b),
        median(ratios),
    );
}

/// The middle value (the upper one of the two middles for an even count).
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}
