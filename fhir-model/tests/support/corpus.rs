//! Conformance runs over an official example corpus, the same for every FHIR
//! version: list the package's JSON files, check each on two threads (a panic
//! is a failure of that file, not of the run), print `N passed, N failed`, and
//! fail when the corpus is not the expected one or fewer files pass than the
//! recorded floor.
//!
//! Which package is a version's corpus comes from the `corpora` of
//! `definitions/manifest.json`; `cargo xtask fetch` (run by `cargo xtask
//! test`) downloads it into `.cache/packages/`. Without it a run fails, never
//! skips: a silently skipped conformance test would look like a passing one.
//!
//! Needs `json_canon` (tests/support/json_canon.rs) mounted at the crate root.

#![allow(dead_code)]

use std::io::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::thread;

use crate::json_canon::{self, Canon};

/// One version's corpus and what is expected of it.
#[derive(Debug)]
pub struct Corpus {
    /// The fhir-model module (`r4`), which names the `corpora` entry.
    pub module: &'static str,
    /// Resources in the package: finding any other number means the corpus or
    /// the way it is read changed.
    pub expected_resources: usize,
    /// Resources that must pass. Raised as conformance improves, never
    /// lowered: a drop is a regression.
    pub floor: usize,
}

/// What checking one file gave.
#[derive(Debug)]
pub enum Outcome {
    /// Valid JSON without a top-level `resourceType` (package.json, .index.json).
    NotAResource,
    Passed,
    Failed(String),
}

/// A check of one file's bytes; a plain `fn` so that it can be shared by threads.
pub type Check = fn(&[u8]) -> Outcome;

/// CI machines have 2 cores.
const THREADS: usize = 2;

/// How many failures are listed; the counts cover all of them.
const SHOWN_FAILURES: usize = 40;

/// Worker threads are named with this prefix, so the panic hook can keep
/// their (caught and reported) panics from flooding the output.
const WORKER_PREFIX: &str = "corpus-worker-";

/// Runs `check` over every JSON file of the corpus of `corpus.module`, prints
/// the report and asserts the expected count and the floor. `what` names the
/// check in the report (`examples` gives `r4_examples: N passed, N failed`).
pub fn run(corpus: &Corpus, what: &str, check: Check) {
    let dir = corpus_dir(corpus.module);
    if !dir.is_dir() {
        panic!("corpus missing: run `cargo xtask fetch`\n(expected {})", dir.display());
    }
    let files = json_files(&dir);
    quiet_worker_panics();
    let outcomes = check_all(&files, check);

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

    let label = format!("{}_{what}", corpus.module);
    let mut report = format!(
        "{label} ({}): {resources} resources, {} other JSON files skipped ({})\n",
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
    report += &format!("{label}: {passed} passed, {} failed\n", failures.len());
    // Written to the real stdout rather than with print!, which the test
    // harness captures and shows only on failure: the conformance level is
    // worth seeing on every run.
    let _ = std::io::stdout().lock().write_all(report.as_bytes());

    assert_eq!(
        resources, corpus.expected_resources,
        "{label}: expected {} resources in the corpus, found {resources}",
        corpus.expected_resources
    );
    assert!(
        passed >= corpus.floor,
        "{label}: {passed} resources pass, fewer than the floor of {}: a conformance regression",
        corpus.floor
    );
}

/// The workspace root (the parent of fhir-model).
pub fn workspace_root() -> PathBuf {
    let fhir_model = Path::new(env!("CARGO_MANIFEST_DIR"));
    fhir_model.parent().unwrap_or(fhir_model).to_path_buf()
}

/// `.cache/packages/<name>-<version>/package` of the module's (first)
/// `corpora` entry in `definitions/manifest.json`: where `cargo xtask fetch`
/// puts it.
pub fn corpus_dir(module: &str) -> PathBuf {
    corpora_entry_dir("module", module)
}

/// The same for the `corpora` entry of the npm package `package`, for the
/// packages a version has besides its examples (`hl7.fhir.r4.corexml`).
pub fn package_dir(package: &str) -> PathBuf {
    corpora_entry_dir("package", package)
}

/// The folder of the first `corpora` entry whose `key` is `value`.
fn corpora_entry_dir(key: &str, value: &str) -> PathBuf {
    let root = workspace_root();
    let manifest_path = root.join("definitions/manifest.json");
    let bytes = std::fs::read(&manifest_path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", manifest_path.display()));
    let manifest = json_canon::parse(&bytes)
        .unwrap_or_else(|e| panic!("parsing {}: {e}", manifest_path.display()));
    let field = |entry: &Canon, key: &str| entry.get(key).and_then(Canon::as_str).map(str::to_owned);
    let entry = manifest
        .get("corpora")
        .map_or(&[][..], Canon::items)
        .iter()
        .find(|entry| field(entry, key).as_deref() == Some(value))
        .unwrap_or_else(|| panic!("no `corpora` entry with {key} {value} in {}", manifest_path.display()));
    let (Some(package), Some(version)) = (field(entry, "package"), field(entry, "version")) else {
        panic!("the `corpora` entry with {key} {value} lacks a package or version");
    };
    root.join(".cache/packages").join(format!("{package}-{version}")).join("package")
}

/// The `*.json` files directly in `dir`, in file-name order.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|entry| entry.unwrap_or_else(|e| panic!("listing {}: {e}", dir.display())).path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

/// Reads a file and runs `check` on it, a panic becoming a failure of that file.
fn check_file(path: &Path, check: Check) -> Outcome {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return Outcome::Failed(format!("reading the file: {e}")),
    };
    panic::catch_unwind(AssertUnwindSafe(|| check(&bytes))).unwrap_or_else(|payload| {
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
/// Installed once per test binary, however many corpora it runs.
fn quiet_worker_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let in_worker = thread::current().name().is_some_and(|name| name.starts_with(WORKER_PREFIX));
            if !in_worker {
                previous(info);
            }
        }));
    });
}

/// Checks all files over [`THREADS`] threads; outcomes in file order.
fn check_all(files: &[PathBuf], check: Check) -> Vec<Outcome> {
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
                            done.push((i, check_file(path, check)));
                        }
                    })
                    .unwrap_or_else(|e| panic!("starting a worker thread: {e}"))
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_else(|_| panic!("a worker thread panicked")))
            .collect()
    });
    outcomes.sort_by_key(|(i, _)| *i);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned())
}

/// Long serde messages and diffs are cut so one failure stays one line.
pub fn one_line(message: &str) -> String {
    const MAX: usize = 400;
    let flat = message.replace('\n', " ");
    if flat.chars().count() <= MAX {
        flat
    } else {
        flat.chars().take(MAX).collect::<String>() + "…"
    }
}
