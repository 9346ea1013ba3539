//! R4 conformance: every resource of the official R4 examples package must
//! survive `serde_json::from_slice::<fhir_model::r4::Resource>` followed by
//! `serde_json::to_vec` unchanged, compared as JSON with numbers by their exact
//! text (see `support/json_canon.rs`).
//!
//! The corpus is not checked in; `cargo xtask fetch` (run by `cargo xtask test`)
//! downloads it into `.cache/packages/`. Without it this test fails, never skips:
//! a silently skipped conformance test would look like a passing one.

#[path = "support/json_canon.rs"]
mod json_canon;

use std::io::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Resources that must round-trip. Raised as conformance improves, never
/// lowered: a drop is a regression. The target, all 5306, is reached.
const FLOOR: usize = 5306;

/// Resources in hl7.fhir.r4.examples 4.0.1: finding any other number means
/// the corpus or the way it is read changed.
const EXPECTED_RESOURCES: usize = 5306;

/// The cache entry written by `cargo xtask fetch` (see definitions/manifest.json).
const CORPUS: &str = ".cache/packages/hl7.fhir.r4.examples-4.0.1/package";

/// CI machines have 2 cores.
const THREADS: usize = 2;

/// How many failures are listed; the counts cover all of them.
const SHOWN_FAILURES: usize = 40;

/// Worker threads are named with this prefix, so the panic hook can keep
/// their (caught and reported) panics from flooding the output.
const WORKER_PREFIX: &str = "r4-examples-";

#[derive(Debug)]
enum Outcome {
    /// Valid JSON without a top-level `resourceType` (package.json, .index.json).
    NotAResource,
    Passed,
    Failed(String),
}

fn corpus_dir() -> PathBuf {
    let fhir_model = Path::new(env!("CARGO_MANIFEST_DIR"));
    fhir_model.parent().unwrap_or(fhir_model).join(CORPUS)
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
                .path()
        })
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

fn check_file(path: &Path) -> Outcome {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return Outcome::Failed(format!("reading the file: {e}")),
    };
    let original = match json_canon::parse(&bytes) {
        Ok(original) => original,
        Err(e) => return Outcome::Failed(format!("the corpus file itself is not valid JSON: {e}")),
    };
    if original.get("resourceType").is_none() {
        return Outcome::NotAResource;
    }
    let resource = match serde_json::from_slice::<fhir_model::r4::Resource>(&bytes) {
        Ok(resource) => resource,
        Err(e) => return Outcome::Failed(format!("parse: {e}")),
    };
    let written = match serde_json::to_vec(&resource) {
        Ok(written) => written,
        Err(e) => return Outcome::Failed(format!("serialize: {e}")),
    };
    let round_tripped = match json_canon::parse(&written) {
        Ok(round_tripped) => round_tripped,
        Err(e) => return Outcome::Failed(format!("serialize wrote invalid JSON: {e}")),
    };
    match json_canon::diff(&original, &round_tripped) {
        None => Outcome::Passed,
        Some(difference) => Outcome::Failed(format!(
            "round trip differs (original vs written): {difference}"
        )),
    }
}

/// [`check_file`], with a panic in the model turned into a failure of that file.
fn check_file_catching_panics(path: &Path) -> Outcome {
    panic::catch_unwind(AssertUnwindSafe(|| check_file(path))).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(non-string panic payload)".to_string());
        Outcome::Failed(format!("panicked: {message}"))
    })
}

/// Silences the default panic message of worker threads only: their panics are
/// caught and listed as failures. Other threads (other tests) keep the hook.
fn quiet_worker_panics() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let in_worker = thread::current()
            .name()
            .is_some_and(|name| name.starts_with(WORKER_PREFIX));
        if !in_worker {
            previous(info);
        }
    }));
}

/// Checks all files over [`THREADS`] threads; outcomes in file order.
fn check_all(files: &[PathBuf]) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let mut outcomes: Vec<(usize, Outcome)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|n| {
                thread::Builder::new()
                    .name(format!("{WORKER_PREFIX}{n}"))
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(path) = files.get(i) else { break done };
                            done.push((i, check_file_catching_panics(path)));
                        }
                    })
                    .unwrap_or_else(|e| panic!("starting a worker thread: {e}"))
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| panic!("a worker thread panicked"))
            })
            .collect()
    });
    outcomes.sort_by_key(|(i, _)| *i);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Long serde messages and diffs are cut so one failure stays one line.
fn one_line(message: &str) -> String {
    const MAX: usize = 400;
    let flat = message.replace('\n', " ");
    if flat.chars().count() <= MAX {
        flat
    } else {
        flat.chars().take(MAX).collect::<String>() + "…"
    }
}

#[test]
fn r4_examples_round_trip() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        panic!(
            "corpus missing: run `cargo xtask fetch`\n(expected {})",
            dir.display()
        );
    }
    let files = json_files(&dir);
    quiet_worker_panics();
    let outcomes = check_all(&files);

    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    let mut passed = 0;
    for (path, outcome) in files.iter().zip(&outcomes) {
        match outcome {
            Outcome::NotAResource => skipped.push(file_name(path)),
            Outcome::Passed => passed += 1,
            Outcome::Failed(message) => failures.push((file_name(path), message)),
        }
    }
    let resources = passed + failures.len();

    let mut report = format!(
        "R4 examples ({}): {resources} resources, {} other JSON files skipped ({})\n",
        dir.display(),
        skipped.len(),
        skipped.join(", ")
    );
    if !failures.is_empty() {
        let shown = failures.len().min(SHOWN_FAILURES);
        report += &format!("first {shown} of {} failures:\n", failures.len());
        for (name, message) in failures.iter().take(SHOWN_FAILURES) {
            report += &format!("  {name}: {}\n", one_line(message));
        }
    }
    report += &format!("r4_examples: {passed} passed, {} failed\n", failures.len());
    // Written to the real stdout rather than with print!, which the test
    // harness captures and shows only on failure: the conformance level is
    // worth seeing on every run.
    let _ = std::io::stdout().lock().write_all(report.as_bytes());

    assert_eq!(
        resources, EXPECTED_RESOURCES,
        "expected {EXPECTED_RESOURCES} resources in the corpus, found {resources}"
    );
    assert!(
        passed >= FLOOR,
        "{passed} resources round-trip, fewer than the floor of {FLOOR}: a conformance regression"
    );
}
