//! `cargo xtask buildtime`: how long a downstream crate takes to build with
//! fhir-model, and how big the generated code and the result are.
//!
//! The probe is `bench/build-probe/`, a standalone crate (not a workspace
//! member) that parses and prints one Patient with one FHIR version of
//! fhir-model (`--feature r4`, the default, `r4b` or `r5`: the probe's feature
//! of the same name enables only that version). Each of `cargo check`,
//! `cargo build` and `cargo build --release` runs from an empty target dir
//! under `target/buildtime/<feature>-<step>/`, so every figure includes
//! compiling (and, on a machine that never fetched them, downloading) serde
//! and serde_json.
//! Wall-clock times depend on the machine and on whatever else runs on it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::{Context, Result};
use crate::workspace::{self, Manifest};

/// One timed cargo invocation.
struct Step {
    /// Label in the table.
    label: &'static str,
    /// Sub-folder of `target/buildtime/` used as the target dir, after the feature.
    dir: &'static str,
    args: &'static [&'static str],
    /// Cargo's profile folder inside the target dir.
    profile_dir: &'static str,
}

const STEPS: &[Step] = &[
    Step {
        label: "cargo check",
        dir: "check",
        args: &["check"],
        profile_dir: "debug",
    },
    Step {
        label: "cargo build",
        dir: "debug",
        args: &["build"],
        profile_dir: "debug",
    },
    Step {
        label: "cargo build --release",
        dir: "release",
        args: &["build", "--release"],
        profile_dir: "release",
    },
];

const PROBE_BIN: &str = "build-probe";

struct Timing {
    label: &'static str,
    wall: Duration,
    /// fhir-model's own unit in Cargo's `--timings` report, when found.
    fhir_model: Option<f64>,
    binary_size: Option<u64>,
}

/// Step names for `--step`: the target dir names of [`STEPS`].
pub const STEP_NAMES: &[&str] = &["check", "debug", "release"];

/// Times the probe's builds with only fhir-model's `feature` (a version
/// module of the manifest); `only` names the steps to run (`check`, `debug`,
/// `release`), all when empty.
pub fn run(feature: &str, only: &[String]) -> Result<()> {
    if let Some(unknown) = only.iter().find(|s| !STEP_NAMES.contains(&s.as_str())) {
        return Err(format!(
            "unknown step {unknown:?}: expected one of {STEP_NAMES:?}"
        ));
    }
    let root = workspace::root()?;
    let manifest = Manifest::load(&root)?;
    let modules = manifest.modules();
    if !modules.contains(&feature) {
        return Err(format!(
            "unknown feature {feature:?}: expected one of the version modules {modules:?}"
        ));
    }
    let probe = root.join("bench").join("build-probe");
    let manifest = probe.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(format!(
            "the build probe is missing: {}",
            manifest.display()
        ));
    }
    // Under the workspace's target/, not .cache/: build output, not downloads
    // (and .cache/ may be shared between checkouts).
    let out = root.join("target").join("buildtime");
    // The cargo that runs xtask, so toolchain overrides apply to the probe too.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());

    let mut timings = Vec::new();
    for step in STEPS {
        if !only.is_empty() && !only.iter().any(|s| s == step.dir) {
            continue;
        }
        let target_dir = out.join(format!("{feature}-{}", step.dir));
        clean(&target_dir)?;
        eprintln!("== {} (target dir {})", step.label, target_dir.display());
        let start = Instant::now();
        let status = Command::new(&cargo)
            .args(step.args)
            .arg("--locked")
            .arg("--timings")
            .args(["--no-default-features", "--features", feature])
            .arg("--manifest-path")
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target_dir)
            .current_dir(&probe)
            .status()
            .context(|| {
                format!(
                    "running {} {}",
                    cargo.to_string_lossy(),
                    step.args.join(" ")
                )
            })?;
        let wall = start.elapsed();
        if !status.success() {
            return Err(format!("`{}` of the probe failed ({status})", step.label));
        }
        let binary = target_dir
            .join(step.profile_dir)
            .join(format!("{PROBE_BIN}{}", std::env::consts::EXE_SUFFIX));
        let binary_size = if step.args.contains(&"build") {
            Some(file_size(&binary)?)
        } else {
            None
        };
        if step.args.contains(&"--release") {
            smoke_test(&binary)?;
        }
        timings.push(Timing {
            label: step.label,
            wall,
            fhir_model: fhir_model_unit_time(&target_dir),
            binary_size,
        });
    }

    let generated = generated_source(&root.join("fhir-model").join("src").join(feature))?;

    println!();
    println!(
        "Build of bench/build-probe with fhir-model's feature {feature} only, \
         from a clean target dir (dependencies included):"
    );
    println!();
    println!("| command               | wall time | fhir-model unit | binary     |");
    println!("|-----------------------|-----------|-----------------|------------|");
    for t in &timings {
        let unit = t
            .fhir_model
            .map_or_else(|| "n/a".to_owned(), |s| format!("{s:.1} s"));
        let size = t.binary_size.map_or_else(|| "-".to_owned(), mib);
        println!(
            "| {:<21} | {:>7.1} s | {:>15} | {:>10} |",
            t.label,
            t.wall.as_secs_f64(),
            unit,
            size
        );
    }
    println!();
    println!("fhir-model unit: that crate's own compile time from Cargo's --timings report.");
    println!("Binaries are not stripped; the debug one carries debuginfo.");
    println!(
        "Generated source fhir-model/src/{feature}/*.rs: {} files, {} bytes ({}), {} lines",
        generated.files,
        generated.bytes,
        mib(generated.bytes),
        generated.lines
    );
    let release = timings.iter().filter(|t| t.label.contains("--release"));
    if let Some(size) = release.filter_map(|t| t.binary_size).next() {
        println!("Release binary: {size} bytes ({})", mib(size));
    }
    println!(
        "Machine: {} logical CPUs available, load average {}",
        available_cpus(),
        load_average()
    );
    Ok(())
}

/// Removes and recreates a target dir, refusing anything outside `target/buildtime/`.
fn clean(dir: &Path) -> Result<()> {
    if !dir
        .parent()
        .is_some_and(|p| p.ends_with(Path::new("target").join("buildtime")))
    {
        return Err(format!("refusing to clean {}", dir.display()));
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))
}

fn file_size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .context(|| format!("reading {}", path.display()))?
        .len())
}

/// Runs the release probe once: it must print the Patient back.
fn smoke_test(binary: &Path) -> Result<()> {
    let output = Command::new(binary)
        .output()
        .context(|| format!("running {}", binary.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || !stdout.contains("\"resourceType\": \"Patient\"") {
        return Err(format!(
            "the probe did not print the Patient back ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

/// Seconds Cargo's `--timings` report gives fhir-model's library unit.
///
/// Best effort: the report is HTML meant for people, with the per-unit data
/// in a `const UNIT_DATA = [...];` script block whose format Cargo does not
/// promise to keep. Anything unexpected yields `None` ("n/a" in the table).
fn fhir_model_unit_time(target_dir: &Path) -> Option<f64> {
    let html =
        std::fs::read_to_string(target_dir.join("cargo-timings").join("cargo-timing.html")).ok()?;
    let start = html.find("const UNIT_DATA = ")? + "const UNIT_DATA = ".len();
    let rest = html.get(start..)?;
    let end = rest.find("\n];")? + 2;
    let units: Vec<serde_json::Value> = serde_json::from_str(rest.get(..end)?).ok()?;
    units
        .iter()
        .filter(|u| u.get("name").and_then(|n| n.as_str()) == Some("fhir-model"))
        .filter_map(|u| u.get("duration").and_then(serde_json::Value::as_f64))
        .reduce(f64::max)
}

#[derive(Debug, Default)]
struct SourceSize {
    files: usize,
    bytes: u64,
    lines: usize,
}

/// File count, bytes and lines of the `*.rs` files directly in `dir`.
fn generated_source(dir: &Path) -> Result<SourceSize> {
    let mut size = SourceSize::default();
    let entries = std::fs::read_dir(dir).context(|| format!("listing {}", dir.display()))?;
    for entry in entries {
        let path: PathBuf = entry
            .context(|| format!("listing {}", dir.display()))?
            .path();
        if !path.is_file() || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let bytes = std::fs::read(&path).context(|| format!("reading {}", path.display()))?;
        size.files += 1;
        size.bytes += bytes.len() as u64;
        size.lines += bytes.iter().filter(|&&b| b == b'\n').count();
    }
    Ok(size)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The 1, 5 and 15 minute load averages (Linux), to tell figures taken under load.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "n/a".to_owned(),
        |text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        },
    )
}

fn available_cpus() -> String {
    std::thread::available_parallelism().map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fhir_model_time_from_a_timings_report() {
        let dir = std::env::temp_dir().join(format!("xtask-buildtime-{}", std::process::id()));
        let reports = dir.join("cargo-timings");
        std::fs::create_dir_all(&reports).unwrap_or_else(|e| panic!("{e}"));
        let html = "<script>\nconst UNIT_DATA = [\n  {\"name\": \"serde\", \"duration\": 3.5},\n  \
                    {\"name\": \"fhir-model\", \"duration\": 42.25}\n];\nconst CONCURRENCY_DATA = [];\n</script>";
        std::fs::write(reports.join("cargo-timing.html"), html).unwrap_or_else(|e| panic!("{e}"));
        let found = fhir_model_unit_time(&dir);
        let missing = fhir_model_unit_time(&dir.join("nowhere"));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(found, Some(42.25));
        assert_eq!(missing, None);
    }
}
