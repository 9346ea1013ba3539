//! Validation of FHIR resources against the base definitions: cardinality,
//! primitive formats, bindings, structure, reported as issues that convert to
//! a FHIR OperationOutcome.
//!
//! A [`Validator`] is built once per FHIR version (it compiles the primitive
//! regular expressions of that version) and reused for any number of
//! resources. Everything it checks comes from the definitions: fhir-model's
//! field tables (cardinality, types) and the generated tables of
//! [`tables::Tables`] (formats, bindings, value set expansions).

mod invariants;
pub mod issue;
mod plan;
mod settled;
mod syntax;
pub mod tables;
mod walk;

use fhir_model::json::{self, FromFhirJson, ReadOptions};
use fhir_model::rt::{Element, ResourceEnum};
use regex::Regex;

pub use issue::{Issue, IssueType, Outcome, Severity};
pub use tables::Tables;

/// A validator for one FHIR version.
#[derive(Debug)]
pub struct Validator {
    tables: &'static Tables,
    /// Format checks of every primitive type of the version, with their
    /// compiled regexes.
    primitives: Vec<plan::PrimitiveCheck>,
    /// The version's invariants, compiled on first use; `None` when turned
    /// off with [`Validator::without_invariants`].
    invariants: Option<invariants::Invariants>,
    /// What to check at each field of each type, built on first use.
    plans: plan::Plans,
}

impl Validator {
    /// A validator over a version's tables (see `fhir_validate::generated`).
    pub fn new(tables: &'static Tables) -> Self {
        let invariants = invariants::Invariants::new(tables);
        let primitives = tables
            .primitives
            .iter()
            .map(|rule| {
                let pattern = rule.regex.map(repaired);
                plan::PrimitiveCheck {
                    name: rule.name,
                    rule,
                    pattern,
                    regex: pattern.and_then(|r| Regex::new(&format!("^(?:{})$", xsd_regex(r))).ok()),
                    invariants: invariants.evaluated_at(rule.name),
                }
            })
            .collect();
        Validator { tables, primitives, invariants: Some(invariants), plans: plan::Plans::default() }
    }

    /// The same validator without invariants (FHIRPath constraints): only
    /// cardinality, formats, bindings and structure.
    pub fn without_invariants(mut self) -> Self {
        self.invariants = None;
        self.plans = plan::Plans::default();
        for p in &mut self.primitives {
            p.invariants.clear();
        }
        self
    }

    /// What to check at the fields of a type.
    pub(crate) fn plan(&self, info: &'static fhir_model::rt::TypeInfo) -> std::sync::Arc<plan::TypePlan> {
        self.plans.get(info, self.tables, self.invariants.as_ref(), &self.primitives)
    }

    /// Validates a typed resource, datatype or backbone element.
    pub fn validate(&self, el: &dyn Element) -> Outcome {
        let mut w = walk::Walk::new(self, el.type_info().name);
        w.resource(el);
        Outcome { issues: w.issues }
    }

    /// Validates a resource of a version's `Resource` enum.
    pub fn validate_resource<R: ResourceEnum>(&self, r: &R) -> Outcome {
        self.validate(r.as_element())
    }

    /// Validates FHIR JSON text: structural problems (unknown properties,
    /// wrong JSON types, invalid values, empty objects...) with line and
    /// column, then everything else on what could be read.
    pub fn validate_json<R: ResourceEnum + FromFhirJson>(&self, bytes: &[u8]) -> Outcome {
        let rec = json::from_slice_recovering::<R>(bytes, ReadOptions::default());
        let read = rec.issues.iter().map(|e| (e.message.as_str(), e.path.as_deref(), e.line, e.column));
        let mut locator = json::Locator::new(bytes);
        self.validate_read(read, rec.value.as_ref(), |path| locator.locate(path))
    }

    /// Validates FHIR XML text, as [`Validator::validate_json`] does JSON:
    /// structural problems (unknown elements, wrong order, invalid values,
    /// empty elements...) with line and column, then everything else on
    /// what could be read. Only what XML itself forbids (malformed markup,
    /// DOCTYPE) ends the validation at the first problem.
    pub fn validate_xml<R: ResourceEnum + fhir_model::xml::FhirXml>(&self, bytes: &[u8]) -> Outcome {
        let rec = fhir_model::xml::from_slice_recovering::<R>(bytes, fhir_model::xml::ReadOptions::default());
        let read = rec.issues.iter().map(|e| (e.message.as_str(), e.path.as_deref(), e.line, e.column));
        self.validate_read(read, rec.value.as_ref(), |path| fhir_model::xml::locate(bytes, path))
    }

    /// The reader's problems (message, path, line, column) as issues, then
    /// the validation of what it read, located in the text by `locate`.
    fn validate_read<'r, R: ResourceEnum>(
        &self,
        read: impl Iterator<Item = (&'r str, Option<&'r str>, usize, usize)>,
        value: Option<&R>,
        mut locate: impl FnMut(&str) -> Option<(usize, usize)>,
    ) -> Outcome {
        let mut issues: Vec<Issue> = read
            .map(|(message, path, line, column)| Issue {
                severity: Severity::Error,
                code: reader_issue_type(message, path.is_some(), line),
                diagnostics: message.to_owned(),
                expression: path.unwrap_or_default().to_owned(),
                line: (line > 0).then_some(line),
                column: (column > 0).then_some(column),
            })
            .collect();
        let Some(r) = value else { return Outcome { issues } };
        // Locating scans the text from the start: do it for the first
        // thousand errors, and the first hundred warnings and informational
        // issues only, so a large Bundle full of "not checked" codes stays
        // fast, and time stays linear in the input however many issues it has.
        let mut located_info = 0usize;
        let mut located_errors = issues.len();
        for mut i in self.validate_resource(r).issues {
            // A value dropped by the reader leaves an empty element behind:
            // its structural issue already says what is wrong there.
            if i.diagnostics.starts_with("ele-1") && issues.iter().any(|s| s.expression == i.expression) {
                continue;
            }
            let locate_it = if i.severity <= Severity::Error {
                located_errors += 1;
                located_errors <= json::MAX_LOCATED
            } else {
                located_info += 1;
                located_info <= 100
            };
            if locate_it {
                if let Some((l, c)) = locate(&i.expression) {
                    i.line = Some(l);
                    i.column = Some(c);
                }
            }
            issues.push(i);
        }
        Outcome { issues }
    }

    /// Panics with every issue listed when `el` has errors: for users' tests.
    #[track_caller]
    pub fn assert_valid(&self, el: &dyn Element) {
        let o = self.validate(el);
        if o.has_errors() {
            let list: Vec<String> = o.errors().map(|i| format!("  - {i}")).collect();
            panic!("{} is not valid ({} errors):\n{}", el.type_info().name, list.len(), list.join("\n"));
        }
    }
}

/// The issue type of a problem the reader reported.
fn reader_issue_type(message: &str, has_path: bool, line: usize) -> IssueType {
    if message.contains("unknown") || message.contains("expected") || message.contains("empty")
        || message.contains("out of order") || message.contains("repeats") || message.contains("unexpected")
    {
        IssueType::Structure
    } else if line > 0 && !has_path {
        IssueType::Invalid
    } else {
        IssueType::Value
    }
}

/// Regexes of the official definitions that are wrong as published, each
/// with the repair the validator checks instead and why. Matched by their
/// whole text, so a corrected release of the definitions simply stops
/// matching (and the test `repairs_still_apply` says so).
///
/// - R5's `decimal` ends its exponent with `[0-9]{1,9}}`: the second `}` is
///   a literal, so every decimal with an exponent (`1E-17`, valid JSON and
///   valid FHIR) failed the format, three values of the R5 examples among
///   them.
pub(crate) const REGEX_REPAIRS: &[(&str, &str)] = &[(
    "-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,17})?([eE][+-]?[0-9]{1,9}})?",
    "-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,17})?([eE][+-]?[0-9]{1,9})?",
)];

/// `pattern`, or its repair when [`REGEX_REPAIRS`] lists it.
fn repaired(pattern: &'static str) -> &'static str {
    REGEX_REPAIRS.iter().find(|(broken, _)| *broken == pattern).map_or(pattern, |(_, fixed)| fixed)
}

/// FHIR's regular expressions follow XML Schema, where `\s` is only space,
/// tab, newline and carriage return (a no-break space is not whitespace
/// there, as it is in Unicode-aware Rust regexes) and `\d` is an ASCII digit
/// for FHIR's purposes. Rust's regex accepts nested classes, so the
/// replacements also work inside `[...]`.
fn xsd_regex(r: &str) -> String {
    let mut out = String::with_capacity(r.len() + 16);
    let mut chars = r.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push_str("[ \\t\\n\\r]"),
            Some('S') => out.push_str("[^ \\t\\n\\r]"),
            Some('d') => out.push_str("[0-9]"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// Each repair is still needed: some version's tables hold the broken
    /// pattern (when a release fixes it, drop the repair).
    #[test]
    #[cfg(all(feature = "r4", feature = "r4b", feature = "r5"))]
    fn repairs_still_apply() {
        let all = [&crate::generated::r4::TABLES, &crate::generated::r4b::TABLES, &crate::generated::r5::TABLES];
        for (broken, _) in super::REGEX_REPAIRS {
            assert!(
                all.iter().any(|t| t.primitives.iter().any(|p| p.regex == Some(*broken))),
                "no version's definitions hold {broken} any more: drop its repair"
            );
        }
    }

    /// R5 decimals with an exponent pass the repaired format; what the
    /// format excludes still fails.
    #[test]
    #[cfg(feature = "r5")]
    fn r5_decimal_exponents() {
        let v = super::Validator::new(&crate::generated::r5::TABLES);
        let decimal = v.primitives.iter().find(|p| p.name == "decimal").and_then(|p| p.regex.as_ref()).unwrap();
        for ok in ["1E-17", "1.00000000000000000E-24", "-1.00000000000000000E+245", "0.5", "12e3"] {
            assert!(decimal.is_match(ok), "{ok}");
        }
        for bad in ["1E-17}", "01", "1.", "1e", "1e1234567890", "1.000000000000000000"] {
            assert!(!decimal.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn xsd_whitespace_classes() {
        let re = regex::Regex::new(&format!("^(?:{})$", super::xsd_regex("[ \\r\\n\\t\\S]+"))).unwrap();
        assert!(re.is_match("a\u{a0}b"));
        let code = regex::Regex::new(&format!("^(?:{})$", super::xsd_regex("[^\\s]+(\\s[^\\s]+)*"))).unwrap();
        assert!(code.is_match("CHEST\u{a0}"));
        assert!(!code.is_match("a  b"));
        assert!(!code.is_match(" a"));
    }
}
