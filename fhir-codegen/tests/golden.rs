//! Golden tests: the generator's output for a tiny, hand-written set of
//! definitions (`tests/fixtures/mini`) must equal the committed files in
//! `tests/golden/mini`. The fixtures exercise primitives, a complex type,
//! a resource with a backbone element, a choice, a `contentReference`, a
//! recursive field, a required binding (with a nested concept, an exclude and a
//! code without letters) and doc text that must not become a doctest.
//!
//! After an intended change, regenerate the expected files with
//! `UPDATE_GOLDEN=1 cargo test -p fhir-codegen --test golden` and review the diff.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use fhir_codegen::{generate, InputFile};

fn inputs(dir: &Path) -> Vec<InputFile> {
    let mut paths: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| InputFile { name: p.display().to_string(), bytes: fs::read(&p).unwrap() })
        .collect()
}

#[test]
fn mini_fixture_matches_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let files = generate(&inputs(&root.join("fixtures/mini"))).unwrap();
    let golden = root.join("golden/mini");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = fs::remove_dir_all(&golden);
        fs::create_dir_all(&golden).unwrap();
        for f in &files {
            fs::write(golden.join(&f.path), &f.contents).unwrap();
        }
    }
    let mut expected: Vec<String> = fs::read_dir(&golden)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    expected.sort();
    let produced: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(produced, expected, "file list differs");
    for f in &files {
        let want = fs::read_to_string(golden.join(&f.path)).unwrap();
        assert!(want == f.contents, "{} differs from the golden file; rerun with UPDATE_GOLDEN=1 and review", f.path);
    }
}

#[test]
fn output_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let mut ins = inputs(&root);
    let a = generate(&ins).unwrap();
    ins.reverse();
    let b = generate(&ins).unwrap();
    assert_eq!(a, b, "input order must not change the output");
}

#[test]
fn decisions_on_the_fixture() {
    use fhir_codegen::ir::FieldType;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let model = fhir_codegen::lower_definitions(&inputs(&root)).unwrap();
    assert_eq!(model.resources, vec!["Thing".to_owned()]);
    let thing = model.types.iter().find(|t| t.name == "Thing").unwrap();
    let field = |n: &str| thing.fields.iter().find(|f| f.name == n).unwrap();
    // Keyword-safe names.
    assert_eq!(field("type").rust_name, "type_");
    assert_eq!(field("self").rust_name, "self_");
    // Required binding -> code enum; extensible -> plain code.
    assert!(matches!(&field("status").ty, FieldType::Primitive { code_enum: Some(e), .. } if e == "ThingStatus"));
    assert!(matches!(&field("type").ty, FieldType::Primitive { code_enum: None, .. }));
    // Choice keys follow the FHIR rule (first letter uppercased).
    let FieldType::Choice { variants, enum_name } = &field("value").ty else { panic!() };
    assert_eq!(enum_name, "ThingValue");
    let keys: Vec<&str> = variants.iter().map(|v| v.key.as_str()).collect();
    assert_eq!(keys, ["valueString", "valueDateTime", "valueExtension"]);
    // contentReference -> the referenced backbone type, a list.
    let part = model.types.iter().find(|t| t.name == "Thing.part").unwrap();
    let sub = part.fields.iter().find(|f| f.name == "part").unwrap();
    assert_eq!(sub.ty, FieldType::Backbone("Thing.part".into()));
    // Boxing: a singular Extension inside Thing is fine, Extension in Extension is a list.
    assert!(!field("self").boxed);
    // Value set expansion: nested concepts included, excluded codes dropped, names made safe.
    let codes = &model.code_enums[0].codes;
    let names: Vec<(&str, &str)> = codes.iter().map(|(c, v, _)| (c.as_str(), v.as_str())).collect();
    assert_eq!(names, [("active", "Active"), ("in-progress", "InProgress"), ("unknown", "Unknown"), ("<", "LessThan"), ("1st", "V1st")]);
}
