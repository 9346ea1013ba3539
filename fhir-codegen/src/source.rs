//! A minimal serde model of the definitions the generator reads:
//! StructureDefinition (with its snapshot ElementDefinitions), ValueSet and
//! CodeSystem. Only the properties used are modelled; others are ignored.

use serde::Deserialize;

/// Any resource of the definitions folder, by `resourceType`.
#[derive(Debug, Deserialize)]
#[serde(tag = "resourceType")]
pub enum Definition {
    StructureDefinition(StructureDefinition),
    ValueSet(ValueSet),
    CodeSystem(CodeSystem),
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StructureDefinition {
    pub url: String,
    pub name: String,
    pub kind: String,
    #[serde(rename = "abstract")]
    pub is_abstract: bool,
    #[serde(rename = "type")]
    pub type_: String,
    pub base_definition: Option<String>,
    pub derivation: Option<String>,
    pub description: Option<String>,
    pub snapshot: Option<Snapshot>,
}

#[derive(Debug, Deserialize)]
pub struct Snapshot {
    pub element: Vec<ElementDefinition>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElementDefinition {
    pub path: String,
    pub slice_name: Option<String>,
    #[serde(default)]
    pub representation: Vec<String>,
    pub short: Option<String>,
    pub definition: Option<String>,
    pub min: Option<u32>,
    pub max: Option<String>,
    #[serde(default, rename = "type")]
    pub types: Vec<TypeRef>,
    pub content_reference: Option<String>,
    pub base: Option<BaseRef>,
    pub binding: Option<Binding>,
    pub max_length: Option<u64>,
    #[serde(default)]
    pub is_modifier: bool,
    #[serde(default)]
    pub is_summary: bool,
    /// Invariants (FHIRPath) that hold at every instance of this element.
    #[serde(default)]
    pub constraint: Vec<Constraint>,
}

/// An invariant of an element (`ElementDefinition.constraint`).
#[derive(Debug, Deserialize)]
pub struct Constraint {
    pub key: String,
    /// `error` or `warning`.
    pub severity: String,
    pub human: String,
    /// FHIRPath; absent only in old definitions that carried XPath alone.
    pub expression: Option<String>,
    #[serde(default)]
    pub extension: Vec<Extension>,
}

impl Constraint {
    /// Whether the `elementdefinition-bestpractice` extension marks it as a
    /// best-practice rule (reported as a warning whatever its severity).
    pub fn best_practice(&self) -> bool {
        self.extension.iter().any(|e| {
            e.url.ends_with("/elementdefinition-bestpractice") && e.value_boolean == Some(true)
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct BaseRef {
    pub path: String,
}

#[derive(Debug, Deserialize)]
pub struct TypeRef {
    pub code: String,
    #[serde(default)]
    pub extension: Vec<Extension>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    pub url: String,
    pub value_url: Option<String>,
    pub value_uri: Option<String>,
    pub value_string: Option<String>,
    pub value_boolean: Option<bool>,
}

impl TypeRef {
    /// The FHIR type named by the `structuredefinition-fhir-type` extension
    /// (used on `System.*` types such as `Resource.id`).
    pub fn fhir_type(&self) -> Option<&str> {
        self.extension
            .iter()
            .find(|e| e.url.ends_with("/structuredefinition-fhir-type"))
            .and_then(|e| {
                e.value_url
                    .as_deref()
                    .or(e.value_uri.as_deref())
                    .or(e.value_string.as_deref())
            })
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    pub strength: String,
    /// R4 and later: a canonical (`url|version`).
    pub value_set: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueSet {
    pub url: String,
    pub name: Option<String>,
    pub compose: Option<Compose>,
}

#[derive(Debug, Deserialize)]
pub struct Compose {
    #[serde(default)]
    pub include: Vec<ConceptSet>,
    #[serde(default)]
    pub exclude: Vec<ConceptSet>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConceptSet {
    pub system: Option<String>,
    #[serde(default)]
    pub concept: Vec<ConceptRef>,
    #[serde(default)]
    pub filter: Vec<serde_json::Value>,
    #[serde(default)]
    pub value_set: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct ConceptRef {
    pub code: String,
    pub display: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeSystem {
    pub url: String,
    pub content: Option<String>,
    #[serde(default)]
    pub concept: Vec<Concept>,
}

#[derive(Debug, Deserialize)]
pub struct Concept {
    pub code: String,
    pub display: Option<String>,
    #[serde(default)]
    pub concept: Vec<Concept>,
}

/// Strips a `|version` suffix from a canonical URL.
pub fn canonical_base(url: &str) -> &str {
    url.split('|').next().unwrap_or(url)
}
