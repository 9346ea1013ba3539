//! Validation issues, version-neutral, and their FHIR OperationOutcome form.

use serde_json::{json, Map, Value};

/// Issue severity (OperationOutcome.issue.severity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Fatal,
    Error,
    Warning,
    Information,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        }
    }
}

/// Issue type (OperationOutcome.issue.code, value set issue-type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssueType {
    /// Structural problem: unknown element, wrong JSON type, empty element...
    Structure,
    /// A required element is missing (minimum cardinality).
    Required,
    /// Too many repetitions, or an invalid value.
    Value,
    /// A code outside a required value set.
    CodeInvalid,
    /// An invariant failed.
    Invariant,
    /// Not checked (external terminology).
    NotSupported,
    /// Anything else informative.
    Informational,
    /// The document could not be read at all.
    Invalid,
}

impl IssueType {
    pub fn code(self) -> &'static str {
        match self {
            IssueType::Structure => "structure",
            IssueType::Required => "required",
            IssueType::Value => "value",
            IssueType::CodeInvalid => "code-invalid",
            IssueType::Invariant => "invariant",
            IssueType::NotSupported => "not-supported",
            IssueType::Informational => "informational",
            IssueType::Invalid => "invalid",
        }
    }
}

/// One problem found in a resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub severity: Severity,
    pub code: IssueType,
    /// Human text naming the rule (for bindings: strength and value set URL).
    pub diagnostics: String,
    /// FHIRPath location with indices (`Patient.name[0].given[1]`).
    pub expression: String,
    /// 1-based line and column in the input text, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}] ", self.severity.code(), self.code.code())?;
        if !self.expression.is_empty() {
            write!(f, "{}: ", self.expression)?;
        }
        f.write_str(&self.diagnostics)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, " (line {l}, column {c})")?;
        }
        Ok(())
    }
}

/// The issues of one resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub issues: Vec<Issue>,
}

impl Outcome {
    /// Whether any issue is an error (or fatal).
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity <= Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity <= Severity::Error)
    }

    /// The outcome as FHIR JSON of an OperationOutcome (identical in R4, R4B
    /// and R5 for what is used here). Line and column use the standard
    /// extensions `operationoutcome-issue-line` / `-col`.
    pub fn to_operation_outcome_json(&self) -> Value {
        let mut issues: Vec<Value> = self.issues.iter().map(issue_json).collect();
        if issues.is_empty() {
            issues.push(json!({
                "severity": "information",
                "code": "informational",
                "diagnostics": "no issues found"
            }));
        }
        json!({ "resourceType": "OperationOutcome", "issue": issues })
    }

    /// The outcome as a typed OperationOutcome of a FHIR version (any type
    /// that reads FHIR JSON, e.g. `fhir_model::r4::Resource`).
    pub fn to_operation_outcome<R: serde::de::DeserializeOwned>(&self) -> Result<R, serde_json::Error> {
        serde_json::from_value(self.to_operation_outcome_json())
    }
}

fn issue_json(i: &Issue) -> Value {
    let mut m = Map::new();
    let mut ext = Vec::new();
    if let Some(l) = i.line {
        ext.push(json!({"url": "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line", "valueInteger": l}));
    }
    if let Some(c) = i.column {
        ext.push(json!({"url": "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col", "valueInteger": c}));
    }
    if !ext.is_empty() {
        m.insert("extension".into(), Value::Array(ext));
    }
    m.insert("severity".into(), i.severity.code().into());
    m.insert("code".into(), i.code.code().into());
    m.insert("diagnostics".into(), i.diagnostics.clone().into());
    if !i.expression.is_empty() {
        m.insert("expression".into(), json!([i.expression]));
    }
    Value::Object(m)
}
