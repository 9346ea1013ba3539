//! The shape of the per-version tables the generator emits for validation
//! (`fhir-validate/src/generated/<version>.rs`): primitive formats, bindings
//! and value set expansions, all taken from the definitions.

/// Binding strength.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strength {
    Required,
    Extensible,
    Preferred,
    Example,
}

/// A binding of an element to a value set.
#[derive(Debug)]
pub struct Binding {
    /// Element path of the bound element (`Observation.status`,
    /// `Observation.component.code`, `Quantity.comparator`).
    pub path: &'static str,
    pub strength: Strength,
    /// Canonical URL of the value set, without version.
    pub value_set: &'static str,
}

/// The expansion of one value set, made at generation time.
#[derive(Debug)]
pub struct ValueSetTable {
    pub url: &'static str,
    /// `None` when the expansion is complete; otherwise why some codes could
    /// not be enumerated offline (external system, filter...), in which case
    /// codes outside `codes` are "not checked", never "valid".
    pub incomplete: Option<&'static str>,
    /// Code systems the value set includes whole but the definitions do not
    /// carry (`urn:ietf:bcp:13` MIME types, `urn:ietf:bcp:47` languages...).
    pub external_systems: &'static [&'static str],
    /// (system, code), sorted.
    pub codes: &'static [(&'static str, &'static str)],
}

/// A primitive type's format from its definition.
#[derive(Debug)]
pub struct PrimitiveRule {
    pub name: &'static str,
    /// Regular expression of the whole value (anchored by the validator).
    pub regex: Option<&'static str>,
    pub max_length: Option<usize>,
}

/// Severity of an invariant as the definitions give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvariantSeverity {
    Error,
    Warning,
}

/// An invariant (`ElementDefinition.constraint`): a FHIRPath expression that
/// must be true at every instance of the elements that list it.
#[derive(Debug)]
pub struct Invariant {
    /// `obs-6`, `dom-2`, `ele-1`...
    pub key: &'static str,
    pub severity: InvariantSeverity,
    /// Marked best practice in the definitions: reported as a warning.
    pub best_practice: bool,
    /// The rule in words, for the report.
    pub human: &'static str,
    /// FHIRPath, evaluated with the element instance as focus.
    pub expression: &'static str,
}

/// The invariants that hold at one element path (`Observation`,
/// `Observation.referenceRange`, `Quantity`), by index into
/// [`Tables::invariants`].
#[derive(Debug)]
pub struct ElementInvariants {
    pub path: &'static str,
    pub invariants: &'static [u16],
}

/// Everything the validator needs to know about one FHIR version.
#[derive(Debug)]
pub struct Tables {
    pub primitives: &'static [PrimitiveRule],
    /// Sorted by path.
    pub bindings: &'static [Binding],
    /// Sorted by URL.
    pub value_sets: &'static [ValueSetTable],
    /// Distinct invariants, sorted by key then expression.
    pub invariants: &'static [Invariant],
    /// Sorted by path.
    pub element_invariants: &'static [ElementInvariants],
}

impl Tables {
    pub fn binding(&self, path: &str) -> Option<&'static Binding> {
        let b: &'static [Binding] = self.bindings;
        b.binary_search_by(|x| x.path.cmp(path))
            .ok()
            .and_then(|i| b.get(i))
    }
    pub fn value_set(&self, url: &str) -> Option<&'static ValueSetTable> {
        let v: &'static [ValueSetTable] = self.value_sets;
        v.binary_search_by(|x| x.url.cmp(url))
            .ok()
            .and_then(|i| v.get(i))
    }
    /// Indices into [`Tables::invariants`] of the invariants listed at an
    /// element path (empty when none).
    pub fn invariant_indices_at(&self, path: &str) -> &'static [u16] {
        let e: &'static [ElementInvariants] = self.element_invariants;
        e.binary_search_by(|x| x.path.cmp(path)).ok().and_then(|i| e.get(i)).map_or(&[], |x| x.invariants)
    }
    pub fn primitive(&self, name: &str) -> Option<&'static PrimitiveRule> {
        let p: &'static [PrimitiveRule] = self.primitives;
        p.iter().find(|r| r.name == name)
    }
}

impl ValueSetTable {
    /// Whether (system, code) is in the expansion; `system` None matches any
    /// system (a bare `code` element).
    pub fn contains(&self, system: Option<&str>, code: &str) -> bool {
        match system {
            Some(s) => self.codes.binary_search(&(s, code)).is_ok(),
            // A bare `code` element: any system. Value sets bound to `code`
            // elements are small; larger ones are scanned once per code.
            None => self.codes.iter().any(|(_, c)| *c == code),
        }
    }
}
