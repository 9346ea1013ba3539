//! `cargo xtask fuzz-corpus` and `cargo xtask fuzz <target> --seconds N`:
//! seed corpora from the official R4 examples, and one libFuzzer run of a
//! target of `fuzz/` (cargo-fuzz, nightly toolchain).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::error::{Context, Result};
use crate::workspace::{self, Manifest};

/// The targets of `fuzz/Cargo.toml`, and which example files seed each.
pub const TARGETS: &[(&str, Seeds)] = &[
    ("json_parse", Seeds::Json),
    ("xml_parse", Seeds::Xml),
    ("round_trip", Seeds::Json),
    ("validate", Seeds::Both),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeds {
    Json,
    Xml,
    Both,
}

/// Examples larger than this are left out of the seed corpora: libFuzzer
/// mutates small inputs much faster, and the small ones cover the same code.
const MAX_SEED_BYTES: u64 = 16 * 1024;

/// The official R4 example files (JSON and XML) of the corpora of module
/// `r4`, fetched if needed, sorted by name, each at most `max_bytes`.
pub fn r4_examples(max_bytes: u64) -> Result<Vec<PathBuf>> {
    let manifest = Manifest::load(&workspace::root()?)?;
    let mut files = Vec::new();
    for corpus in manifest.corpora.iter().filter(|c| c.module == "r4") {
        let dir = crate::packages::fetch(&corpus.package, &corpus.version, &corpus.integrity)?;
        let dir = dir.join("package");
        for entry in std::fs::read_dir(&dir).context(|| format!("reading {}", dir.display()))? {
            let entry = entry.context(|| format!("reading {}", dir.display()))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let ext_ok = name.ends_with(".json") || name.ends_with(".xml");
            if !ext_ok || name.starts_with('.') || name == "package.json" {
                continue;
            }
            let len = entry.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
            if len <= max_bytes {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn corpus_dir(root: &Path, target: &str) -> PathBuf {
    root.join("fuzz").join("corpus").join(target)
}

/// `cargo xtask fuzz-corpus`: fuzz/corpus/<target>/ from the official R4
/// examples of at most 16 KiB (not committed: fuzz/.gitignore).
pub fn write_corpora() -> Result<()> {
    let root = workspace::root()?;
    let examples = r4_examples(MAX_SEED_BYTES)?;
    for (target, seeds) in TARGETS {
        let dir = corpus_dir(&root, target);
        std::fs::create_dir_all(&dir).context(|| format!("creating {}", dir.display()))?;
        let mut n = 0usize;
        for path in &examples {
            let is_json = path.extension().is_some_and(|e| e == "json");
            let wanted = match seeds {
                Seeds::Json => is_json,
                Seeds::Xml => !is_json,
                Seeds::Both => true,
            };
            let Some(name) = path.file_name() else {
                continue;
            };
            if wanted {
                let to = dir.join(name);
                std::fs::copy(path, &to)
                    .context(|| format!("copying {} to {}", path.display(), to.display()))?;
                n += 1;
            }
        }
        println!("{}: {n} seeds", dir.display());
    }
    Ok(())
}

/// `cargo xtask fuzz <target> --seconds N`: runs one target for N seconds
/// on its corpus (written first if missing) plus the committed seeds of
/// fuzz/seeds/. Crashes land in fuzz/artifacts/<target>/. Needs
/// `cargo install cargo-fuzz` and a nightly toolchain.
pub fn run(target: &str, seconds: u64, jobs: u32) -> Result<ExitCode> {
    let Some((_, seeds)) = TARGETS.iter().find(|(t, _)| *t == target) else {
        let names: Vec<&str> = TARGETS.iter().map(|(t, _)| *t).collect();
        return Err(format!(
            "unknown fuzz target {target:?}; one of {}",
            names.join(", ")
        ));
    };
    let root = workspace::root()?;
    let corpus = corpus_dir(&root, target);
    let empty = std::fs::read_dir(&corpus)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if empty {
        write_corpora()?;
    }
    let seed_dirs: &[&str] = match seeds {
        Seeds::Json => &["json"],
        Seeds::Xml => &["xml"],
        Seeds::Both => &["json", "xml"],
    };
    let mut cmd = Command::new("cargo");
    // No sanitizer: the workspace forbids `unsafe`, and without ASan the
    // targets run about twice as fast; panics, aborts, stack overflows,
    // timeouts and memory blow-ups are still caught by libFuzzer.
    cmd.args(["+nightly", "fuzz", "run", "--sanitizer", "none", target])
        .arg(&corpus)
        .args(
            seed_dirs
                .iter()
                .map(|d| root.join("fuzz").join("seeds").join(d)),
        )
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        // A slow input is a finding too (quadratic behaviour).
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg("-max_len=65536")
        .arg("-print_final_stats=1");
    if jobs > 1 {
        cmd.arg(format!("-fork={jobs}"));
    }
    let status = cmd
        .current_dir(root.join("fuzz"))
        .status()
        .context(|| "running cargo +nightly fuzz run (cargo install cargo-fuzz; rustup toolchain install nightly)")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}
