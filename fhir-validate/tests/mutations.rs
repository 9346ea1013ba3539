//! Mutated official examples through the `fhir` binary: deterministic byte
//! and line mutations (fixed seed) of R4 examples, each fed to `fhir convert`
//! (to the other format) and `fhir validate`. Every run must exit 0 or 1 (no
//! panic, exit 101, no signal, no usage error) within a few seconds.
//!
//! 100 documents here; `cargo xtask mutate --count 1000` runs the same test
//! with `FHIR_MUTATE_COUNT` / `FHIR_MUTATE_SEED` set. Fails (never skips)
//! without the corpus (`cargo xtask fetch`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CORPORA: &[&str] = &[
    ".cache/packages/hl7.fhir.r4.examples-4.0.1/package",
    ".cache/packages/hl7.fhir.r4.corexml-4.0.1/package",
];
/// Examples larger than this are left out: small ones mutate into the same
/// problems, and keep the run short.
const MAX_BYTES: u64 = 32 * 1024;
/// "Within a few seconds": a run taking longer is a failure.
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// splitmix64: a small deterministic generator, so that a seed names a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform-enough in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Bytes and tokens that matter to JSON and XML readers.
const TOKENS: &[&[u8]] = &[
    b"null",
    b"{}",
    b"[]",
    b"\"\"",
    b"-0.0e-999",
    b"1e400",
    b"99999999999999999999999",
    b"\"\\u0000\"",
    b"\"\\ud800\"",
    b"&#0;",
    b"&#1;",
    b"&#xFFFE;",
    b"&bogus;",
    b"&amp;",
    b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
    b"<![CDATA[x]]>",
    b"<?pi x?>",
    b"<!-- c -->",
    b"\xEF\xBB\xBF",
    b"\xff",
    b"\x00",
    b"\x01",
    b"\"resourceType\":\"Patient\",",
    b"\"resourceType\":\"Nope\",",
    b"\"_value\":{\"extension\":[]},",
    b"<extension url=\"u\">",
    b"<extension url=\"u\"/>",
    b"</div>",
    b"<div xmlns=\"http://www.w3.org/1999/xhtml\">",
    b"xmlns=\"http://example.org\"",
    b"value=\"2020-02-30\"",
    b"\"2020-13-01T25:61:00Z\"",
    b"<contained><Patient xmlns=\"http://hl7.org/fhir\"><id value=\"x\"/></Patient></contained>",
    b"{\"resourceType\":\"Basic\",\"code\":{\"text\":\"x\"}}",
];

fn mutate(rng: &mut Rng, doc: &mut Vec<u8>) {
    let times = 1 + rng.below(3);
    for _ in 0..times {
        if doc.is_empty() {
            doc.extend_from_slice(TOKENS[rng.below(TOKENS.len())]);
            continue;
        }
        let len = doc.len();
        match rng.below(10) {
            // Flip a bit.
            0 => {
                let i = rng.below(len);
                doc[i] ^= 1 << rng.below(8);
            }
            // Replace a byte by one that matters.
            1 => {
                const B: &[u8] = b"\"{}[]<>&\\\x00\xff\x01-0:,/=";
                let i = rng.below(len);
                doc[i] = B[rng.below(B.len())];
            }
            // Delete a range.
            2 => {
                let i = rng.below(len);
                let n = (1 + rng.below(16)).min(len - i);
                doc.drain(i..i + n);
            }
            // Duplicate a range.
            3 => {
                let i = rng.below(len);
                let n = (1 + rng.below(64)).min(len - i);
                let part = doc[i..i + n].to_vec();
                let at = rng.below(len);
                doc.splice(at..at, part);
            }
            // Insert a token.
            4 | 5 => {
                let at = rng.below(len + 1);
                doc.splice(at..at, TOKENS[rng.below(TOKENS.len())].iter().copied());
            }
            // Truncate.
            6 => doc.truncate(rng.below(len)),
            // Line mutations: the examples have one property or element per
            // line, so these move structure (order, repetition, absence).
            _ => {
                let mut lines: Vec<Vec<u8>> =
                    doc.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let n = lines.len();
                let i = rng.below(n);
                match rng.below(3) {
                    0 => {
                        lines.remove(i);
                    }
                    1 => {
                        let l = lines[i].clone();
                        lines.insert(rng.below(n + 1), l);
                    }
                    _ => {
                        let j = rng.below(n);
                        lines.swap(i, j);
                    }
                }
                *doc = lines.join(&b'\n');
            }
        }
    }
}

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for corpus in CORPORA {
        let dir = root.join(corpus);
        assert!(
            dir.is_dir(),
            "corpus missing: run `cargo xtask fetch` ({})",
            dir.display()
        );
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let ext_ok = name.ends_with(".json") || name.ends_with(".xml");
            if ext_ok
                && !name.starts_with('.')
                && name != "package.json"
                && e.metadata().unwrap().len() <= MAX_BYTES
            {
                files.push(e.path());
            }
        }
    }
    files.sort();
    files
}

/// Runs the binary; `Err` describes a failure (exit code other than 0 or 1,
/// signal, or too slow).
fn run(args: &[&str], file: &Path) -> Result<(i32, Duration), String> {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fhir"))
        .args(args)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let took = start.elapsed();
            let stderr = {
                use std::io::Read;
                let mut s = String::new();
                child.stderr.take().unwrap().read_to_string(&mut s).unwrap();
                s
            };
            return match status.code() {
                Some(c @ (0 | 1)) if took <= TIME_LIMIT => Ok((c, took)),
                Some(c @ (0 | 1)) => Err(format!("exit {c} after {took:?}")),
                Some(c) => Err(format!(
                    "exit {c}: {}",
                    stderr.lines().take(5).collect::<Vec<_>>().join(" | ")
                )),
                None => Err(format!("killed by a signal ({status})")),
            };
        }
        if start.elapsed() > TIME_LIMIT * 3 {
            child.kill().unwrap();
            child.wait().unwrap();
            return Err(format!("still running after {:?}", start.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn mutated_examples_never_crash_the_tool() {
    let count: usize = std::env::var("FHIR_MUTATE_COUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let seed: u64 = std::env::var("FHIR_MUTATE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let files = examples();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mutations-{seed}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    let mut exits = [0usize; 2];
    let mut slowest = (Duration::ZERO, String::new());
    let mut total = Duration::ZERO;
    for n in 0..count {
        let src = &files[rng.below(files.len())];
        let mut doc = std::fs::read(src).unwrap();
        mutate(&mut rng, &mut doc);
        let is_xml = src.extension().is_some_and(|e| e == "xml");
        // The mutated document keeps its extension: detection is by content.
        let name = format!("{n:05}-{}", src.file_name().unwrap().to_string_lossy());
        let path = dir.join(&name);
        std::fs::write(&path, &doc).unwrap();
        let to = if is_xml { "json" } else { "xml" };
        let failed_before = failures.len();
        for args in [&["convert", "--to", to][..], &["validate"][..]] {
            match run(args, &path) {
                Ok((code, took)) => {
                    exits[code as usize] += 1;
                    total += took;
                    if took > slowest.0 {
                        slowest = (took, format!("{} {name}", args[0]));
                    }
                }
                Err(e) => failures.push(format!("fhir {} {}: {e}", args.join(" "), path.display())),
            }
        }
        if failures.len() == failed_before {
            // Keep only what failed.
            std::fs::remove_file(&path).unwrap();
        }
    }
    eprintln!(
        "{count} mutated documents (seed {seed}), {} runs: {} exit 0, {} exit 1, {} failures; {:?} in all, slowest {:?} ({})",
        count * 2,
        exits[0],
        exits[1],
        failures.len(),
        total,
        slowest.0,
        slowest.1
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
