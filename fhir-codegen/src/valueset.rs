//! Expansion of value sets from the ValueSets and CodeSystems in the
//! definitions, for the code enums of required bindings.
//!
//! Only what can be enumerated offline and exactly is expanded: enumerated
//! concepts, whole code systems whose content is complete, nested value sets,
//! and excludes of enumerated concepts. Anything else (filters, external
//! systems) yields `None`, and the element stays a plain code string.

use std::collections::{BTreeMap, BTreeSet};

use crate::source::{canonical_base, CodeSystem, Concept, ConceptSet, ValueSet};

/// The definitions' value sets and code systems by URL.
#[derive(Debug)]
pub struct Terminology<'a> {
    pub value_sets: BTreeMap<&'a str, &'a ValueSet>,
    pub code_systems: BTreeMap<&'a str, &'a CodeSystem>,
}

/// A code and its display text.
pub type Coded = (String, String);

impl Terminology<'_> {
    /// The codes of a value set, in definition order, or `None` when it
    /// cannot be enumerated from the definitions.
    pub fn expand(&self, url: &str) -> Option<Vec<Coded>> {
        self.expand_inner(canonical_base(url), &mut BTreeSet::new())
    }

    fn expand_inner(&self, url: &str, visiting: &mut BTreeSet<String>) -> Option<Vec<Coded>> {
        if !visiting.insert(url.to_owned()) {
            return None; // a cycle
        }
        let vs = self.value_sets.get(url)?;
        let compose = vs.compose.as_ref()?;
        let mut out: Vec<Coded> = Vec::new();
        for inc in &compose.include {
            for c in self.concept_set(inc, visiting)? {
                if !out.iter().any(|(code, _)| *code == c.0) {
                    out.push(c);
                }
            }
        }
        for exc in &compose.exclude {
            let drop = self.concept_set(exc, visiting)?;
            out.retain(|(code, _)| !drop.iter().any(|(d, _)| d == code));
        }
        visiting.remove(url);
        if out.is_empty() {
            None
        } else {
            Some(out)
        }
    }

    fn concept_set(&self, set: &ConceptSet, visiting: &mut BTreeSet<String>) -> Option<Vec<Coded>> {
        if !set.filter.is_empty() {
            return None;
        }
        let from_system = match &set.system {
            Some(system) if !set.concept.is_empty() => Some(
                set.concept
                    .iter()
                    .map(|c| {
                        let display = c
                            .display
                            .clone()
                            .or_else(|| self.display_of(system, &c.code))
                            .unwrap_or_default();
                        (c.code.clone(), display)
                    })
                    .collect::<Vec<_>>(),
            ),
            Some(system) => {
                let cs = self.code_systems.get(canonical_base(system))?;
                if cs.content.as_deref() != Some("complete") {
                    return None;
                }
                let mut all = Vec::new();
                flatten(&cs.concept, &mut all);
                Some(all)
            }
            None => None,
        };
        let mut from_value_sets: Option<Vec<Coded>> = None;
        for vs in &set.value_set {
            let codes = self.expand_inner(canonical_base(vs), visiting)?;
            from_value_sets = Some(match from_value_sets {
                None => codes,
                // Several value sets in one include: their intersection.
                Some(prev) => prev.into_iter().filter(|(c, _)| codes.iter().any(|(d, _)| d == c)).collect(),
            });
        }
        match (from_system, from_value_sets) {
            (Some(s), None) => Some(s),
            (None, Some(v)) => Some(v),
            (Some(s), Some(v)) => Some(s.into_iter().filter(|(c, _)| v.iter().any(|(d, _)| d == c)).collect()),
            (None, None) => None,
        }
    }

    fn display_of(&self, system: &str, code: &str) -> Option<String> {
        fn find(cs: &[Concept], code: &str) -> Option<String> {
            cs.iter().find_map(|c| {
                if c.code == code {
                    c.display.clone()
                } else {
                    find(&c.concept, code)
                }
            })
        }
        find(&self.code_systems.get(canonical_base(system))?.concept, code)
    }
}

fn flatten(concepts: &[Concept], out: &mut Vec<Coded>) {
    for c in concepts {
        out.push((c.code.clone(), c.display.clone().unwrap_or_default()));
        flatten(&c.concept, out);
    }
}
