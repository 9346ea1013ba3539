//! Where things are in the workspace, and the package manifest
//! (`definitions/manifest.json`) that says which official packages are used.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Context, Result};

/// The workspace root: the parent of xtask's own crate directory.
///
/// `cargo run` sets `CARGO_MANIFEST_DIR` for the process it starts, which stays
/// right even if the checkout was moved after xtask was built; the value baked
/// in at compile time is the fallback for running the binary directly. Unlike
/// the current directory, neither depends on where the command was typed.
pub fn root() -> Result<PathBuf> {
    let xtask_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let root = xtask_dir
        .parent()
        .ok_or_else(|| format!("xtask directory {} has no parent", xtask_dir.display()))?
        .to_path_buf();
    if !root.join("Cargo.toml").is_file() || !root.join("definitions").is_dir() {
        return Err(format!(
            "{} does not look like the workspace root (no Cargo.toml or definitions/)",
            root.display()
        ));
    }
    Ok(root)
}

/// `<root>/definitions`: the manifest and the extracted definitions, one folder per module.
pub fn definitions_dir(root: &Path) -> PathBuf {
    root.join("definitions")
}

/// `<root>/.cache/packages`: the shared, git-ignored cache of downloaded packages.
pub fn package_cache_dir(root: &Path) -> PathBuf {
    root.join(".cache").join("packages")
}

/// `definitions/manifest.json`: the single source of truth of which packages are used.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The definitions the generator reads: one module of fhir-model each.
    pub versions: Vec<PackageRef>,
    /// The example packages the conformance tests run over.
    pub corpora: Vec<PackageRef>,
    /// The modules fhir-model compiles by default (its `default` feature).
    pub default_modules: Vec<String>,
}

/// One pinned package: which fhir-model module it belongs to, and the exact
/// tarball (by its npm integrity string) that was reviewed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageRef {
    pub module: String,
    pub package: String,
    pub version: String,
    pub integrity: String,
}

impl Manifest {
    /// The module names of the `versions`, in manifest order (`r4`, `r4b`, `r5`).
    pub fn modules(&self) -> Vec<&str> {
        self.versions
            .iter()
            .map(|entry| entry.module.as_str())
            .collect()
    }

    /// Reads and checks `definitions/manifest.json`.
    pub fn load(root: &Path) -> Result<Manifest> {
        let path = definitions_dir(root).join("manifest.json");
        let bytes = std::fs::read(&path).context(|| format!("reading {}", path.display()))?;
        let manifest: Manifest =
            serde_json::from_slice(&bytes).context(|| format!("parsing {}", path.display()))?;
        manifest
            .check()
            .context(|| format!("checking {}", path.display()))?;
        Ok(manifest)
    }

    /// Rejects manifests that would make the tools ambiguous or unsafe.
    fn check(&self) -> Result<()> {
        let mut modules = BTreeSet::new();
        for entry in &self.versions {
            if !modules.insert(entry.module.as_str()) {
                return Err(format!(
                    "module {:?} appears twice in `versions`",
                    entry.module
                ));
            }
        }
        for module in &self.default_modules {
            if !modules.contains(module.as_str()) {
                return Err(format!(
                    "default module {module:?} is not one of the `versions`"
                ));
            }
        }
        for entry in self.versions.iter().chain(&self.corpora) {
            // The module name becomes a directory under definitions/ and a Rust module name.
            let valid_module = !entry.module.is_empty()
                && entry.module.starts_with(|c: char| c.is_ascii_lowercase())
                && entry
                    .module
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid_module {
                return Err(format!(
                    "module {:?} is not a lowercase identifier",
                    entry.module
                ));
            }
            if !entry.integrity.starts_with("sha512-") {
                return Err(format!(
                    "{}@{}: integrity must be an npm `sha512-...` string, got {:?}",
                    entry.package, entry.version, entry.integrity
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(module: &str) -> PackageRef {
        PackageRef {
            module: module.into(),
            package: "p".into(),
            version: "1".into(),
            integrity: "sha512-x".into(),
        }
    }

    #[test]
    fn the_checked_in_manifest_is_valid() {
        let root = root().unwrap();
        let manifest = Manifest::load(&root).unwrap();
        assert!(!manifest.versions.is_empty());
        assert!(!manifest.corpora.is_empty());
    }

    #[test]
    fn duplicate_modules_and_bad_names_are_rejected() {
        let dup = Manifest {
            versions: vec![entry("r4"), entry("r4")],
            corpora: vec![],
            default_modules: vec![],
        };
        assert!(dup.check().is_err());
        let bad = Manifest {
            versions: vec![entry("../r4")],
            corpora: vec![],
            default_modules: vec![],
        };
        assert!(bad.check().is_err());
        let sha1 = Manifest {
            versions: vec![PackageRef {
                integrity: "sha1-x".into(),
                ..entry("r4")
            }],
            corpora: vec![],
            default_modules: vec![],
        };
        assert!(sha1.check().is_err());
        let unknown_default = Manifest {
            versions: vec![entry("r4")],
            corpora: vec![],
            default_modules: vec!["r5".into()],
        };
        assert!(unknown_default.check().is_err());
        let ok = Manifest {
            versions: vec![entry("r4"), entry("r5")],
            corpora: vec![entry("r4")],
            default_modules: vec!["r4".into()],
        };
        assert!(ok.check().is_ok());
    }
}
