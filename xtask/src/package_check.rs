//! `cargo xtask package-check`: packs fhir-model as it would be published and
//! fails if the `.crate` is over crates.io's upload limit (10 MB), or if it
//! lacks a version module of the manifest or carries what it should not
//! (tests, benches: they need the workspace and its corpora).
//!
//! `cargo package --no-verify` only collects and compresses files, so the check
//! takes seconds; `--verify` also builds the packed crate (minutes).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Context, Result};
use crate::workspace::{self, Manifest};

/// crates.io's limit on the compressed `.crate`.
pub const MAX_CRATE_BYTES: u64 = 10 * 1000 * 1000;

const PACKAGE: &str = "fhir-model";

/// What `cargo package` produced.
#[derive(Debug)]
pub struct Packed {
    pub crate_file: PathBuf,
    pub bytes: u64,
    /// The paths inside the package (`src/lib.rs`...), from `cargo package --list`.
    pub files: Vec<String>,
}

/// Packs fhir-model into `target_dir` (emptied first) and checks the result.
pub fn run(verify: bool) -> Result<()> {
    let root = workspace::root()?;
    let manifest = Manifest::load(&root)?;
    let target_dir = root.join("target").join("package-check");
    let packed = pack(&root, &target_dir, verify)?;
    let modules = manifest.modules();
    let verdict = check(&packed, &modules);
    println!(
        "{}: {} bytes ({:.2} MB, {:.1}% of crates.io's 10 MB limit), {} files",
        packed.crate_file.display(),
        packed.bytes,
        packed.bytes as f64 / 1e6,
        packed.bytes as f64 * 100.0 / MAX_CRATE_BYTES as f64,
        packed.files.len()
    );
    verdict
}

/// Runs `cargo package -p fhir-model` (and `--list`) with `target_dir` as the
/// target dir, which is emptied first so that exactly one `.crate` is found.
pub fn pack(root: &Path, target_dir: &Path, verify: bool) -> Result<Packed> {
    if target_dir.exists() {
        std::fs::remove_dir_all(target_dir)
            .context(|| format!("removing {}", target_dir.display()))?;
    }
    // The cargo that runs xtask, so toolchain overrides apply here too.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let package = |extra: &[&str]| {
        let mut command = Command::new(&cargo);
        command
            .args(["package", "-p", PACKAGE, "--allow-dirty", "--target-dir"])
            .arg(target_dir)
            .args(extra)
            .current_dir(root);
        let output = command
            .output()
            .context(|| format!("running cargo package -p {PACKAGE} {}", extra.join(" ")))?;
        if !output.status.success() {
            return Err(format!(
                "cargo package -p {PACKAGE} {} failed ({}):\n{}",
                extra.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let files: Vec<String> = package(&["--list"])?.lines().map(str::to_owned).collect();
    package(if verify { &[] } else { &["--no-verify"] })?;

    let dir = target_dir.join("package");
    let crates: Vec<PathBuf> = std::fs::read_dir(&dir)
        .context(|| format!("listing {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "crate"))
        .collect();
    let [crate_file] = crates.as_slice() else {
        return Err(format!(
            "expected one .crate in {}, found {}",
            dir.display(),
            crates.len()
        ));
    };
    let bytes = std::fs::metadata(crate_file)
        .context(|| format!("reading {}", crate_file.display()))?
        .len();
    Ok(Packed {
        crate_file: crate_file.clone(),
        bytes,
        files,
    })
}

/// The size limit, every version module present, no tests or benches.
pub fn check(packed: &Packed, modules: &[&str]) -> Result<()> {
    let mut problems = Vec::new();
    if packed.bytes > MAX_CRATE_BYTES {
        problems.push(format!(
            "the .crate is {} bytes, over crates.io's limit of {MAX_CRATE_BYTES} \
             (see \"Publishing\" in ARCHITECTURE.md)",
            packed.bytes
        ));
    }
    let has = |path: &str| packed.files.iter().any(|f| f == path);
    for required in ["Cargo.toml", "src/lib.rs", "src/versions.rs"] {
        if !has(required) {
            problems.push(format!("{required} is not in the package"));
        }
    }
    for module in modules {
        let root = format!("src/{module}/mod.rs");
        if !has(&root) {
            problems.push(format!("the generated module {root} is not in the package"));
        }
    }
    let unwanted: Vec<&String> = packed
        .files
        .iter()
        .filter(|f| f.starts_with("tests/") || f.starts_with("benches/"))
        .collect();
    if !unwanted.is_empty() {
        problems.push(format!(
            "tests and benches need the workspace and must not be packed: {unwanted:?}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(bytes: u64, files: &[&str]) -> Packed {
        Packed {
            crate_file: PathBuf::from("fhir-model-0.1.0.crate"),
            bytes,
            files: files.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    const COMPLETE: &[&str] = &[
        "Cargo.toml",
        "src/lib.rs",
        "src/versions.rs",
        "src/r4/mod.rs",
    ];

    #[test]
    fn accepts_a_complete_package_under_the_limit() {
        assert_eq!(check(&packed(MAX_CRATE_BYTES, COMPLETE), &["r4"]), Ok(()));
    }

    #[test]
    fn refuses_a_package_over_the_limit() {
        let err = check(&packed(MAX_CRATE_BYTES + 1, COMPLETE), &["r4"]).unwrap_err();
        assert!(err.contains("over crates.io's limit"), "{err}");
    }

    #[test]
    fn refuses_a_missing_module_and_packed_tests() {
        let mut files = COMPLETE.to_vec();
        files.push("tests/xsd.rs");
        let err = check(&packed(1, &files), &["r4", "r5"]).unwrap_err();
        assert!(err.contains("src/r5/mod.rs"), "{err}");
        assert!(err.contains("tests/xsd.rs"), "{err}");
    }

    /// The real package, as `cargo xtask package-check` makes it (seconds:
    /// `--no-verify` compiles nothing).
    #[test]
    fn fhir_model_packs_under_the_limit() {
        let root = workspace::root().unwrap_or_else(|e| panic!("{e}"));
        let manifest = Manifest::load(&root).unwrap_or_else(|e| panic!("{e}"));
        let target_dir =
            std::env::temp_dir().join(format!("xtask-package-check-{}", std::process::id()));
        let packed = pack(&root, &target_dir, false);
        let _ = std::fs::remove_dir_all(&target_dir);
        let packed = packed.unwrap_or_else(|e| panic!("{e}"));
        let modules = manifest.modules();
        assert_eq!(check(&packed, &modules), Ok(()));
    }
}
