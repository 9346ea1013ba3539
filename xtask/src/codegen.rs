//! `cargo xtask codegen [--check]`: runs fhir-codegen over `definitions/<module>/`
//! for every version in `definitions/manifest.json` and writes the result to
//! `fhir-model/src/<module>/`, or, with `--check`, fails if it differs.
//!
//! The same [`check_module`] backs the freshness test in fhir-model, so stale
//! generated code cannot land.

use std::fs;
use std::path::{Path, PathBuf};

use fhir_codegen::{GeneratedFile, InputFile};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Version modules named in the manifest.
fn modules(root: &Path) -> Result<Vec<String>, String> {
    let p = root.join("definitions/manifest.json");
    let text = fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
    let mut out = Vec::new();
    for entry in v["versions"].as_array().into_iter().flatten() {
        if let Some(m) = entry["module"].as_str() {
            out.push(m.to_owned());
        }
    }
    Ok(out)
}

/// Reads the definition files of one module, sorted by name.
pub fn read_inputs(dir: &Path) -> Result<Vec<InputFile>, String> {
    let mut names: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            Ok(InputFile { name: p.display().to_string(), bytes })
        })
        .collect()
}

/// Generates one module in memory.
pub fn generate_module(root: &Path, module: &str) -> Result<Vec<GeneratedFile>, String> {
    let inputs = read_inputs(&root.join("definitions").join(module))?;
    fhir_codegen::generate(&inputs).map_err(|e| format!("{module}: {e}"))
}

/// Compares generated files with the folder; returns the differing paths.
pub fn diff_module(dir: &Path, files: &[GeneratedFile]) -> Vec<String> {
    let mut diffs = Vec::new();
    for f in files {
        let p = dir.join(&f.path);
        let current = fs::read_to_string(&p).unwrap_or_default().replace("\r\n", "\n");
        if current != f.contents {
            diffs.push(f.path.clone());
        }
    }
    // Stale files that the generator no longer produces.
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".rs") && !files.iter().any(|f| f.path == name) {
                diffs.push(format!("{name} (stale)"));
            }
        }
    }
    diffs.sort();
    diffs
}

pub fn run(check: bool) -> Result<(), String> {
    let root = root();
    for module in modules(&root)? {
        let files = generate_module(&root, &module)?;
        let dir = root.join("fhir-model/src").join(&module);
        let diffs = diff_module(&dir, &files);
        if check {
            if !diffs.is_empty() {
                return Err(format!(
                    "generated code of {module} is stale ({} files differ, e.g. {}): run `cargo xtask codegen` and commit the result",
                    diffs.len(),
                    diffs.first().map(String::as_str).unwrap_or_default()
                ));
            }
            println!("{module}: {} generated files are up to date", files.len());
            continue;
        }
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if let Ok(rd) = fs::read_dir(&dir) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".rs") && !files.iter().any(|f| f.path == name) {
                    fs::remove_file(e.path()).map_err(|e| e.to_string())?;
                }
            }
        }
        let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
        for f in &files {
            let p = dir.join(&f.path);
            if fs::read_to_string(&p).ok().as_deref() != Some(f.contents.as_str()) {
                fs::write(&p, &f.contents).map_err(|e| format!("{}: {e}", p.display()))?;
            }
        }
        println!("{module}: {} files, {} KiB, {} changed", files.len(), bytes / 1024, diffs.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The committed generated code is exactly what the generator produces
    /// from `definitions/`: stale or hand-edited generated files fail here.
    #[test]
    fn generated_code_is_fresh() {
        let root = super::root();
        for module in super::modules(&root).expect("manifest") {
            let files = super::generate_module(&root, &module).expect("generation");
            let diffs = super::diff_module(&root.join("fhir-model/src").join(&module), &files);
            assert!(
                diffs.is_empty(),
                "generated code of {module} differs from the definitions in {} files ({}): run `cargo xtask codegen`",
                diffs.len(),
                diffs.join(", ")
            );
        }
    }
}
