//! fhir-codegen: FHIR definitions in, Rust source files out.
//!
//! Pure: [`generate`] takes the bytes of the definition files and returns the
//! generated files; reading and writing files is `xtask`'s job. The steps:
//! [`source`] (serde model of the definitions) -> [`lower`] (snapshots to the
//! [`ir`]) -> [`analyze`] (names, boxing) -> [`emit`] (tokens) -> [`format`]
//! (prettyplease, preamble). Output is deterministic: no hash maps are
//! iterated, everything is sorted.

pub mod analyze;
pub mod emit;
pub mod format;
pub mod ir;
pub mod lower;
pub mod names;
pub mod source;
pub mod validation;
pub mod valueset;

use std::collections::BTreeMap;

/// A generation error, with what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// One generated file, its path relative to the version module folder
/// (`fhir-model/src/r4/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// A definition file: its name (for error messages) and its bytes.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Parses the definitions (StructureDefinitions, ValueSets, CodeSystems;
/// other resources are ignored) and lowers them into the IR.
pub fn lower_definitions(inputs: &[InputFile]) -> Result<ir::Model, Error> {
    lower_definitions_with(inputs, &[])
}

/// A correction of the official definitions, kept as data beside them
/// (`definitions/errata.json`) with the reason. Either a type (the elements
/// whose `base.path` is `base` have type `fhir_type`) or an invariant (the
/// constraint `constraint` has the FHIRPath `expression`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    pub base: Option<String>,
    #[serde(rename = "type")]
    pub fhir_type: Option<String>,
    pub constraint: Option<String>,
    pub expression: Option<String>,
    pub why: String,
}

/// [`lower_definitions`] with errata applied.
pub fn lower_definitions_with(inputs: &[InputFile], errata: &[Erratum]) -> Result<ir::Model, Error> {
    let mut defs = Vec::new();
    for f in inputs {
        let d: source::Definition =
            serde_json::from_slice(&f.bytes).map_err(|e| Error(format!("{}: {e}", f.name)))?;
        defs.push(d);
    }
    let mut sds = Vec::new();
    let mut value_sets = BTreeMap::new();
    let mut code_systems = BTreeMap::new();
    for d in &defs {
        match d {
            source::Definition::StructureDefinition(sd) => sds.push(sd),
            source::Definition::ValueSet(vs) => {
                value_sets.insert(vs.url.as_str(), vs);
            }
            source::Definition::CodeSystem(cs) => {
                code_systems.insert(cs.url.as_str(), cs);
            }
            source::Definition::Other => {}
        }
    }
    let term = valueset::Terminology { value_sets, code_systems };
    lower::lower(&sds, &term, errata)
}

pub use emit::{emit_versions, VersionModule};

/// Generates the files of one FHIR version module from its definitions.
pub fn generate(inputs: &[InputFile]) -> Result<Vec<GeneratedFile>, Error> {
    generate_with(inputs, &[])
}

/// [`generate`] with errata applied.
pub fn generate_with(inputs: &[InputFile], errata: &[Erratum]) -> Result<Vec<GeneratedFile>, Error> {
    let model = lower_definitions_with(inputs, errata)?;
    emit::emit_model(&model)
}
