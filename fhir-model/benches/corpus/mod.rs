//! The official example corpora the benchmarks read, shared by `json.rs`
//! and `versions.rs`: fetched by `cargo xtask fetch` into `.cache/packages/`,
//! loaded whole into memory. A missing corpus is a panic, never a skip.

use std::path::{Path, PathBuf};

/// One example corpus: the cache entry written by `cargo xtask fetch` (see
/// definitions/manifest.json) and its number of resources (as in
/// tests/examples_json.rs).
pub struct CorpusSpec {
    /// Prefix of the benchmark group names ("" for R4, "r5_"); only
    /// `json.rs` names groups.
    #[allow(dead_code)]
    pub prefix: &'static str,
    pub label: &'static str,
    pub dir: &'static str,
    pub expected_resources: usize,
}

pub const R4: CorpusSpec = CorpusSpec {
    prefix: "",
    label: "R4",
    dir: ".cache/packages/hl7.fhir.r4.examples-4.0.1/package",
    expected_resources: 5306,
};

pub const R5: CorpusSpec = CorpusSpec {
    prefix: "r5_",
    label: "R5",
    dir: ".cache/packages/hl7.fhir.r5.examples-5.0.0/package",
    expected_resources: 2822,
};

pub struct Corpus {
    pub files: Vec<Vec<u8>>,
    pub total_bytes: u64,
}

fn corpus_dir(spec: &CorpusSpec) -> PathBuf {
    let fhir_model = Path::new(env!("CARGO_MANIFEST_DIR"));
    fhir_model.parent().unwrap_or(fhir_model).join(spec.dir)
}

/// Reads every resource file of the corpus into memory, once.
pub fn load_corpus(spec: &CorpusSpec) -> Corpus {
    let dir = corpus_dir(spec);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "the {} example corpus is missing ({}: {e}); run `cargo xtask fetch` first",
            spec.label,
            dir.display()
        )
    });
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
                .path()
        })
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in &paths {
        let bytes =
            std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
        if value.get("resourceType").is_some() {
            files.push(bytes);
        }
    }
    assert_eq!(
        files.len(),
        spec.expected_resources,
        "unexpected number of resources in {}; run `cargo xtask fetch` to restore the corpus",
        dir.display()
    );
    let total_bytes = files.iter().map(|f| f.len() as u64).sum();
    Corpus { files, total_bytes }
}
