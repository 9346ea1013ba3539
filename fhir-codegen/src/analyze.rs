//! Analysis passes over the IR: name clashes and boxing.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{CodeEnumDef, FieldType, PrimitiveDef, TypeDef};
use crate::Error;

/// Fails when two generated items of one module would get the same Rust name.
/// Code enums live in their own `codes` module and are checked among themselves.
pub fn check_names(types: &[TypeDef], prims: &[PrimitiveDef], codes: &[CodeEnumDef]) -> Result<(), Error> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut names: Vec<(String, String)> = vec![("Resource".into(), "the Resource enum".into())];
    for p in prims {
        names.push((p.rust_name.clone(), p.name.clone()));
    }
    for t in types {
        names.push((t.rust_name.clone(), t.name.clone()));
        for f in &t.fields {
            if let FieldType::Choice { enum_name, .. } = &f.ty {
                names.push((enum_name.clone(), format!("{}.{}[x]", t.name, f.name)));
            }
        }
    }
    for (rust, what) in &names {
        if let Some(prev) = seen.insert(rust.as_str(), what.as_str()) {
            return Err(Error(format!("generated name {rust} is used by both {prev} and {what}")));
        }
    }
    let mut code_names = BTreeSet::new();
    for c in codes {
        if !code_names.insert(c.rust_name.as_str()) {
            return Err(Error(format!("code enum name {} is used twice", c.rust_name)));
        }
    }
    for t in types {
        if t.fields.len() > 128 {
            return Err(Error(format!("{} has more than 128 fields; the JSON reader tracks at most 128", t.name)));
        }
    }
    Ok(())
}

/// Boxes the singular fields that would make a type contain itself
/// (`Identifier.assigner` -> `Reference.identifier` -> `Identifier`).
///
/// Lists (`Vec`) and choice enums (whose complex variants are always boxed)
/// already provide indirection; only singular complex and backbone fields
/// form edges. A field is boxed when its type can reach the owner back.
pub fn decide_boxing(types: &mut [TypeDef]) {
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in types.iter() {
        let out = edges.entry(t.name.clone()).or_default();
        for f in &t.fields {
            if f.is_list() {
                continue;
            }
            if let FieldType::Complex(n) | FieldType::Backbone(n) = &f.ty {
                out.push(n.clone());
            }
        }
    }
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some(next) = edges.get(&n) {
                stack.extend(next.iter().cloned());
            }
        }
        false
    };
    let mut decisions: Vec<(usize, usize)> = Vec::new();
    for (ti, t) in types.iter().enumerate() {
        for (fi, f) in t.fields.iter().enumerate() {
            if f.is_list() {
                continue;
            }
            if let FieldType::Complex(n) | FieldType::Backbone(n) = &f.ty {
                if reaches(n, &t.name) {
                    decisions.push((ti, fi));
                }
            }
        }
    }
    for (ti, fi) in decisions {
        if let Some(f) = types.get_mut(ti).and_then(|t| t.fields.get_mut(fi)) {
            f.boxed = true;
        }
    }
}
