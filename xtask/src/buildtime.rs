//! `cargo xtask buildtime`: how long a downstream crate takes to build with
//! fhir-model, and how big the generated code and the result are.
//!
//! The probe is `bench/build-probe/`, a standalone crate (not a workspace
//! member) that parses and prints one Patient. Each of `cargo check`,
//! `cargo build` and `cargo build --release` runs from an empty target dir
//! under `.cache/buildtime/`, so every figure includes compiling (and, on a
//! machine that never fetched them, downloading) serde and serde_json.
//! Wall-clock times depend on the machine and on whatever else runs on it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::{Context, Result};
use crate::workspace;

/// One timed cargo invocation.
struct Step {
    /// Label in the table.
    label: &'static str,
    /// Sub-folder of `.cache/buildtime/` used as the target dir.
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

pub fn run() -> Result<()> {
    let root = workspace::root()?;
    let probe = root.join("bench").join("build-probe");
    let manifest = probe.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(format!(
            "the build probe is missing: {}",
            manifest.display()
        ));
    }
    let out = root.join(".cache").join("buildtime");
    // The cargo that runs xtask, so toolchain overrides apply to the probe too.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());

    let mut timings = Vec::new();
    for step in STEPS {
        let target_dir = out.join(step.dir);
        clean(&target_dir)?;
        eprintln!("== {} (target dir {})", step.label, target_dir.display());
        let start = Instant::now();
        let status = Command::new(&cargo)
            .args(step.args)
            .arg("--locked")
            .arg("--timings")
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

    let generated = generated_source(&root.join("fhir-model").join("src").join("r4"))?;

    println!();
    println!("Build of bench/build-probe from a clean target dir (dependencies included):");
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
        "Generated source fhir-model/src/r4/*.rs: {} files, {} bytes ({}), {} lines",
        generated.files,
        generated.bytes,
        mib(generated.bytes),
        generated.lines
    );
    if let Some(size) = timings.iter().rev().find_map(|t| t.binary_size) {
        println!("Release binary: {size} bytes ({})", mib(size));
    }
    println!("Machine: {} logical CPUs available", available_cpus());
    Ok(())
}

/// Removes and recreates a target dir, refusing anything outside `.cache/buildtime/`.
fn clean(dir: &Path) -> Result<()> {
    if !dir
        .parent()
        .is_some_and(|p| p.ends_with(Path::new(".cache").join("buildtime")))
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
