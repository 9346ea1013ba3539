//! Validation tables for fhir-validate: primitive formats, bindings and value
//! set expansions of one FHIR version, all taken from the definitions and
//! emitted as static data (`fhir-validate/src/generated/<module>.rs`).
//!
//! Expansion here is wider than for code enums: codes keep their system, the
//! `is-a` / `descendent-of` / `=concept` filters are applied on the code
//! system's concept hierarchy, and what cannot be enumerated offline (code
//! systems not in the definitions, such as SNOMED CT, LOINC, UCUM, BCP-47,
//! MIME types, or other filters) makes the expansion *incomplete*, with the
//! reason: the validator then reports such codes as not checked.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::source::{
    canonical_base, CodeSystem, Concept, ConceptSet, Definition, StructureDefinition,
};
use crate::valueset::Terminology;
use crate::{Error, GeneratedFile, InputFile};

/// An expansion: (system, code) pairs and, when incomplete, why.
#[derive(Debug, Default, Clone)]
pub struct Expansion {
    pub codes: BTreeSet<(String, String)>,
    pub incomplete: Option<String>,
    /// Code systems included whole that the definitions do not carry (BCP-47
    /// languages, MIME types, SNOMED CT...): their codes are "not checked",
    /// though the validator may still check a code's syntax.
    pub external: BTreeSet<String>,
}

impl Expansion {
    fn incomplete(&mut self, why: String) {
        if self.incomplete.is_none() {
            self.incomplete = Some(why);
        }
    }
}

/// Expands a value set for validation.
pub fn expand(term: &Terminology<'_>, url: &str) -> Option<Expansion> {
    expand_inner(term, canonical_base(url), &mut BTreeSet::new())
}

fn expand_inner(
    term: &Terminology<'_>,
    url: &str,
    visiting: &mut BTreeSet<String>,
) -> Option<Expansion> {
    if !visiting.insert(url.to_owned()) {
        return None;
    }
    let vs = term.value_sets.get(url)?;
    let mut out = Expansion::default();
    let Some(compose) = &vs.compose else {
        out.incomplete(format!(
            "value set {url} has no composition in the definitions"
        ));
        visiting.remove(url);
        return Some(out);
    };
    for inc in &compose.include {
        let part = concept_set(term, inc, visiting);
        out.codes.extend(part.codes);
        out.external.extend(part.external);
        if let Some(w) = part.incomplete {
            out.incomplete(w);
        }
    }
    for exc in &compose.exclude {
        let part = concept_set(term, exc, visiting);
        // An incomplete exclude cannot make the expansion wrong, only larger:
        // the codes we know of are removed.
        for c in part.codes {
            out.codes.remove(&c);
        }
    }
    visiting.remove(url);
    Some(out)
}

fn concept_set(
    term: &Terminology<'_>,
    set: &ConceptSet,
    visiting: &mut BTreeSet<String>,
) -> Expansion {
    let mut out = Expansion::default();
    let mut from_system: Option<BTreeSet<(String, String)>> = None;
    if let Some(system) = &set.system {
        let system = canonical_base(system);
        if !set.concept.is_empty() {
            from_system = Some(
                set.concept
                    .iter()
                    .map(|c| (system.to_owned(), c.code.clone()))
                    .collect(),
            );
        } else {
            match term.code_systems.get(system) {
                Some(cs) if cs.content.as_deref() == Some("complete") => {
                    let mut all = Vec::new();
                    if set.filter.is_empty() {
                        collect(&cs.concept, &mut all);
                    } else {
                        match apply_filters(cs, &set.filter) {
                            Ok(codes) => all = codes,
                            Err(why) => out.incomplete(why),
                        }
                    }
                    from_system = Some(all.into_iter().map(|c| (system.to_owned(), c)).collect());
                }
                Some(cs) => {
                    out.incomplete(format!(
                        "code system {system} is not complete in the definitions (content: {})",
                        cs.content.as_deref().unwrap_or("unknown")
                    ));
                    from_system = Some(BTreeSet::new());
                }
                None => {
                    out.incomplete(format!("codes from {system} cannot be checked offline"));
                    if set.filter.is_empty() {
                        out.external.insert(system.to_owned());
                    }
                    from_system = Some(BTreeSet::new());
                }
            }
        }
    }
    let mut from_vs: Option<BTreeSet<(String, String)>> = None;
    for vs in &set.value_set {
        match expand_inner(term, canonical_base(vs), visiting) {
            Some(e) => {
                if let Some(w) = e.incomplete {
                    out.incomplete(w);
                }
                if set.system.is_none() {
                    out.external.extend(e.external);
                }
                from_vs = Some(match from_vs {
                    None => e.codes,
                    Some(prev) => prev.intersection(&e.codes).cloned().collect(),
                });
            }
            None => {
                out.incomplete(format!("value set {vs} is not in the definitions"));
                from_vs = Some(BTreeSet::new());
            }
        }
    }
    out.codes = match (from_system, from_vs) {
        (Some(s), None) => s,
        (None, Some(v)) => v,
        (Some(s), Some(v)) => s.intersection(&v).cloned().collect(),
        (None, None) => BTreeSet::new(),
    };
    out
}

fn collect(concepts: &[Concept], out: &mut Vec<String>) {
    for c in concepts {
        out.push(c.code.clone());
        collect(&c.concept, out);
    }
}

/// Applies `is-a`, `descendent-of` and `=` on `concept` filters over the
/// concept hierarchy; other filters make the expansion incomplete.
fn apply_filters(cs: &CodeSystem, filters: &[serde_json::Value]) -> Result<Vec<String>, String> {
    let mut current: Option<BTreeSet<String>> = None;
    for f in filters {
        let prop = f
            .get("property")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let op = f.get("op").and_then(|v| v.as_str()).unwrap_or_default();
        let value = f.get("value").and_then(|v| v.as_str()).unwrap_or_default();
        let codes: BTreeSet<String> = match (prop, op) {
            ("concept", "is-a") | ("concept", "descendent-of") => {
                let Some(root) = find(&cs.concept, value) else {
                    return Err(format!(
                        "filter {prop} {op} {value}: code not found in {}",
                        cs.url
                    ));
                };
                let mut v = Vec::new();
                if op == "is-a" {
                    v.push(root.code.clone());
                }
                collect(&root.concept, &mut v);
                v.into_iter().collect()
            }
            ("concept", "=") => [value.to_owned()].into_iter().collect(),
            _ => {
                return Err(format!(
                    "filter {prop} {op} {value} on {} is not supported offline",
                    cs.url
                ))
            }
        };
        current = Some(match current {
            None => codes,
            Some(prev) => prev.intersection(&codes).cloned().collect(),
        });
    }
    Ok(current.unwrap_or_default().into_iter().collect())
}

fn find<'a>(concepts: &'a [Concept], code: &str) -> Option<&'a Concept> {
    concepts.iter().find_map(|c| {
        if c.code == code {
            Some(c)
        } else {
            find(&c.concept, code)
        }
    })
}

/// Generates `<module>.rs` of fhir-validate's generated tables.
/// Invariant errata (`constraint` + `expression`) replace the expression of
/// that constraint key wherever it is listed.
pub fn generate_validation_tables(
    inputs: &[InputFile],
    module: &str,
    errata: &[crate::Erratum],
) -> Result<GeneratedFile, Error> {
    let mut defs = Vec::new();
    for f in inputs {
        let d: Definition =
            serde_json::from_slice(&f.bytes).map_err(|e| Error(format!("{}: {e}", f.name)))?;
        defs.push(d);
    }
    let mut sds: Vec<&StructureDefinition> = Vec::new();
    let mut value_sets = BTreeMap::new();
    let mut code_systems = BTreeMap::new();
    for d in &defs {
        match d {
            Definition::StructureDefinition(sd) => sds.push(sd),
            Definition::ValueSet(vs) => {
                value_sets.insert(vs.url.as_str(), vs);
            }
            Definition::CodeSystem(cs) => {
                code_systems.insert(cs.url.as_str(), cs);
            }
            Definition::Other => {}
        }
    }
    sds.sort_by(|a, b| a.type_.cmp(&b.type_));
    let term = Terminology {
        value_sets,
        code_systems,
    };
    let is_base = |sd: &StructureDefinition| sd.derivation.as_deref() != Some("constraint");

    // Primitive formats.
    let mut prims = Vec::new();
    for sd in sds
        .iter()
        .filter(|sd| sd.kind == "primitive-type" && is_base(sd))
    {
        let value = sd.snapshot.as_ref().and_then(|s| {
            s.element
                .iter()
                .find(|e| e.path == format!("{}.value", sd.type_))
        });
        let regex = value
            .and_then(|e| e.types.first())
            .and_then(|t| t.extension.iter().find(|x| x.url.ends_with("/regex")))
            .and_then(|x| x.value_string.clone());
        let max_length = value.and_then(|e| e.max_length);
        prims.push((sd.type_.clone(), regex, max_length));
    }

    // Bindings (required and extensible) of every element of every type.
    let mut bindings: BTreeMap<String, (String, String)> = BTreeMap::new();
    for sd in sds.iter().filter(|sd| {
        (sd.kind == "resource" || sd.kind == "complex-type") && is_base(sd) && !sd.is_abstract
    }) {
        for e in sd.snapshot.iter().flat_map(|s| &s.element) {
            if e.slice_name.is_some() {
                continue;
            }
            let Some(b) = &e.binding else { continue };
            if b.strength != "required" && b.strength != "extensible" {
                continue;
            }
            let Some(vs) = &b.value_set else { continue };
            let path = e.path.trim_end_matches("[x]").to_owned();
            bindings.insert(path, (b.strength.clone(), canonical_base(vs).to_owned()));
        }
    }
    // Invariants: each distinct (key, expression) once, and per element path
    // the invariants that hold there, as the snapshots list them (inherited
    // ones such as dom-* and ele-1 included).
    let mut invariants: BTreeMap<(String, String), (String, String, bool)> = BTreeMap::new();
    let mut element_invariants: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for sd in sds.iter().filter(|sd| {
        matches!(
            sd.kind.as_str(),
            "resource" | "complex-type" | "primitive-type"
        ) && is_base(sd)
            && !sd.is_abstract
    }) {
        for e in sd.snapshot.iter().flat_map(|s| &s.element) {
            if e.slice_name.is_some() {
                continue;
            }
            for c in &e.constraint {
                let fixed = errata.iter().find(|e| e.constraint.as_deref() == Some(c.key.as_str()));
                let Some(expr) = fixed.and_then(|e| e.expression.as_ref()).or(c.expression.as_ref()) else { continue };
                let id = (c.key.clone(), expr.clone());
                invariants
                    .entry(id.clone())
                    .or_insert_with(|| (c.severity.clone(), c.human.clone(), c.best_practice()));
                element_invariants
                    .entry(e.path.trim_end_matches("[x]").to_owned())
                    .or_default()
                    .insert(id);
            }
        }
    }
    let invariant_index: BTreeMap<&(String, String), usize> =
        invariants.keys().enumerate().map(|(i, k)| (k, i)).collect();

    let used: BTreeSet<&str> = bindings.values().map(|(_, v)| v.as_str()).collect();
    let mut tables = Vec::new();
    for url in used {
        if let Some(e) = expand(&term, url) {
            tables.push((url.to_owned(), e));
        }
    }

    let prim_items = prims.iter().map(|(n, r, m)| {
        let r = match r {
            Some(r) => quote!(::core::option::Option::Some(#r)),
            None => quote!(::core::option::Option::None),
        };
        let m = match m {
            Some(m) => {
                let m = proc_macro2::Literal::usize_unsuffixed(*m as usize);
                quote!(::core::option::Option::Some(#m))
            }
            None => quote!(::core::option::Option::None),
        };
        quote!(PrimitiveRule { name: #n, regex: #r, max_length: #m },)
    });
    let binding_items = bindings.iter().map(|(p, (s, v))| {
        let s = match s.as_str() {
            "required" => quote!(Strength::Required),
            _ => quote!(Strength::Extensible),
        };
        quote!(Binding { path: #p, strength: #s, value_set: #v },)
    });
    let vs_items = tables.iter().map(|(url, e)| {
        let inc = match &e.incomplete {
            Some(w) => quote!(::core::option::Option::Some(#w)),
            None => quote!(::core::option::Option::None),
        };
        let codes = e.codes.iter().map(|(s, c)| quote!((#s, #c)));
        let external = &e.external;
        quote!(ValueSetTable { url: #url, incomplete: #inc, external_systems: &[#(#external),*], codes: &[#(#codes),*] },)
    });
    let invariant_items = invariants.iter().map(|((key, expr), (severity, human, best_practice))| {
        let severity = match severity.as_str() {
            "error" => quote!(InvariantSeverity::Error),
            _ => quote!(InvariantSeverity::Warning),
        };
        quote!(Invariant { key: #key, severity: #severity, best_practice: #best_practice, human: #human, expression: #expr },)
    });
    let element_invariant_items = element_invariants.iter().map(|(path, ids)| {
        // Indices are u16 in the table: more than 65,535 invariants would
        // fail to compile loudly, not wrap.
        let idx = ids
            .iter()
            .filter_map(|id| invariant_index.get(id))
            .map(|&i| proc_macro2::Literal::usize_unsuffixed(i));
        quote!(ElementInvariants { path: #path, invariants: &[#(#idx),*] },)
    });
    let doc = format!(" Validation tables of FHIR {module}, from `definitions/{module}/`.");
    let tokens: TokenStream = quote! {
        #![doc = #doc]
        use crate::validate::tables::{
            Binding, ElementInvariants, Invariant, InvariantSeverity, PrimitiveRule, Strength, Tables, ValueSetTable,
        };
        /// Primitive formats, bindings, value set expansions and invariants.
        pub static TABLES: Tables = Tables {
            primitives: &[#(#prim_items)*],
            bindings: &[#(#binding_items)*],
            value_sets: &[#(#vs_items)*],
            invariants: &[#(#invariant_items)*],
            element_invariants: &[#(#element_invariant_items)*],
        };
    };
    let contents = crate::format::format_file(module, tokens)?;
    Ok(GeneratedFile {
        path: format!("{module}.rs"),
        contents,
    })
}
