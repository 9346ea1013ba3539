//! Lowering: StructureDefinition snapshots -> IR types.
//!
//! Everything version-specific comes from the definitions: which types are
//! primitives, datatypes and resources, the fields, their types, cardinality,
//! choices and bindings. The only built-in knowledge is which runtime value
//! type implements each primitive's lexical space (see [`value_type`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{CodeEnumDef, Field, FieldType, Kind, Model, PrimitiveDef, TypeDef, Variant};
use crate::names;
use crate::source::{canonical_base, ElementDefinition, StructureDefinition};
use crate::valueset::Terminology;
use crate::Error;

/// Runtime value types by primitive name; a primitive not listed inherits
/// the value type of its base (`positiveInt` -> `integer`), then of its
/// FHIRPath system type, then [`STRING_VALUE`].
const VALUE_TYPES: &[(&str, &str)] = &[
    ("boolean", "bool"),
    ("integer", "i32"),
    ("decimal", "crate::rt::values::Decimal"),
    ("date", "crate::rt::values::Date"),
    ("dateTime", "crate::rt::values::DateTime"),
    ("instant", "crate::rt::values::Instant"),
    ("time", "crate::rt::values::Time"),
    ("base64Binary", "crate::rt::values::Base64Binary"),
    ("positiveInt", "crate::rt::values::PositiveInt"),
    ("unsignedInt", "crate::rt::values::UnsignedInt"),
    ("integer64", "crate::rt::values::Integer64"),
    ("xhtml", "crate::rt::Xhtml"),
];

const SYSTEM_TYPES: &[(&str, &str)] = &[
    ("System.Boolean", "bool"),
    ("System.Integer", "i32"),
    ("System.Decimal", "crate::rt::values::Decimal"),
    ("System.Date", "crate::rt::values::Date"),
    ("System.DateTime", "crate::rt::values::DateTime"),
    ("System.Time", "crate::rt::values::Time"),
];

const SYSTEM_PREFIX: &str = "http://hl7.org/fhirpath/System.";

/// Lowers the structure definitions into the IR.
pub fn lower(sds: &[&StructureDefinition], term: &Terminology<'_>, errata: &[crate::Erratum]) -> Result<Model, Error> {
    let by_name: BTreeMap<&str, &StructureDefinition> = sds.iter().map(|sd| (sd.type_.as_str(), *sd)).collect();
    let is_base = |sd: &StructureDefinition| sd.derivation.as_deref() != Some("constraint");
    let primitive_names: BTreeSet<&str> = sds
        .iter()
        .filter(|sd| sd.kind == "primitive-type" && is_base(sd))
        .map(|sd| sd.type_.as_str())
        .collect();
    let complex_names: BTreeSet<&str> = sds
        .iter()
        .filter(|sd| sd.kind == "complex-type" && is_base(sd) && !sd.is_abstract)
        .map(|sd| sd.type_.as_str())
        .collect();
    let resources: Vec<String> = sds
        .iter()
        .filter(|sd| sd.kind == "resource" && is_base(sd) && !sd.is_abstract)
        .map(|sd| sd.type_.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let mut primitives = Vec::new();
    for name in &primitive_names {
        let Some(&sd) = by_name.get(*name) else {
            return Err(Error(format!("primitive type {name}: no StructureDefinition")));
        };
        primitives.push(PrimitiveDef {
            name: (*name).to_owned(),
            rust_name: names::type_name(name),
            value_type: value_type(sd, &by_name),
            doc: doc_of(sd.description.as_deref(), None),
        });
    }

    let mut cx = Lowerer { primitive_names: &primitive_names, complex_names: &complex_names, by_name: &by_name, term, types: Vec::new(), bound: BTreeMap::new(), errata };
    let mut roots: Vec<&StructureDefinition> = sds
        .iter()
        .filter(|sd| is_base(sd) && !sd.is_abstract && (sd.kind == "resource" || sd.kind == "complex-type"))
        .copied()
        .collect();
    roots.sort_by(|a, b| a.type_.cmp(&b.type_));
    for sd in roots {
        cx.lower_sd(sd)?;
    }
    let Lowerer { mut types, bound, .. } = cx;
    let code_enums = name_code_enums(&mut types, bound, term);
    crate::analyze::check_names(&types, &primitives, &code_enums)?;
    crate::analyze::decide_boxing(&mut types);
    Ok(Model { primitives, types, resources, code_enums })
}

struct Lowerer<'a> {
    primitive_names: &'a BTreeSet<&'a str>,
    complex_names: &'a BTreeSet<&'a str>,
    /// Every StructureDefinition by type name (abstract ones included), for base chains.
    by_name: &'a BTreeMap<&'a str, &'a StructureDefinition>,
    term: &'a Terminology<'a>,
    types: Vec<TypeDef>,
    /// Value sets of required code bindings that can be enumerated.
    bound: BTreeMap<String, Vec<(String, String)>>,
    errata: &'a [crate::Erratum],
}

impl Lowerer<'_> {
    fn lower_sd(&mut self, sd: &StructureDefinition) -> Result<(), Error> {
        let Some(snapshot) = &sd.snapshot else {
            return Err(Error(format!("{}: no snapshot", sd.url)));
        };
        let elements: Vec<&ElementDefinition> =
            snapshot.element.iter().filter(|e| e.slice_name.is_none()).collect();
        let mut children: BTreeMap<&str, Vec<&ElementDefinition>> = BTreeMap::new();
        for e in &elements {
            if let Some((parent, _)) = e.path.rsplit_once('.') {
                children.entry(parent).or_default().push(e);
            }
        }
        let root = elements.first().ok_or_else(|| Error(format!("{}: empty snapshot", sd.url)))?;
        let kind = if sd.kind == "resource" { Kind::Resource } else { Kind::Complex };
        let file = names::field_name(&sd.type_);
        self.lower_type(&root.path, kind, &file, root, &children)
    }

    /// The base types of `name`, nearest first, along baseDefinition.
    fn bases_of(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = self.by_name.get(name).copied();
        while let Some(sd) = cur {
            let Some(base) = sd.base_definition.as_deref().and_then(|b| b.rsplit('/').next()) else { break };
            // Constraints (profiles) share their base's type name: skip to the type itself.
            if base == sd.type_ || out.iter().any(|b| b == base) || out.len() > 16 {
                break;
            }
            out.push(base.to_owned());
            cur = self.by_name.get(base).copied();
        }
        out
    }

    fn lower_type(
        &mut self,
        path: &str,
        kind: Kind,
        file: &str,
        el: &ElementDefinition,
        children: &BTreeMap<&str, Vec<&ElementDefinition>>,
    ) -> Result<(), Error> {
        let mut fields = Vec::new();
        for c in children.get(path).map(Vec::as_slice).unwrap_or_default() {
            let seg = c.path.rsplit_once('.').map_or(c.path.as_str(), |(_, s)| s);
            let (name, is_choice) = match seg.strip_suffix("[x]") {
                Some(n) => (n, true),
                None => (seg, false),
            };
            let ty = if let Some(r) = &c.content_reference {
                let target = r.rsplit_once('#').map_or(r.as_str(), |(_, t)| t);
                FieldType::Backbone(target.trim_start_matches('#').to_owned())
            } else if children.contains_key(c.path.as_str()) {
                self.lower_type(&c.path, Kind::Backbone, file, c, children)?;
                FieldType::Backbone(c.path.clone())
            } else if is_choice || c.types.len() > 1 {
                let mut variants = Vec::new();
                for t in &c.types {
                    let ty = self.single_type(c, &t.code, t.fhir_type())?;
                    variants.push(Variant {
                        code: t.code.clone(),
                        key: format!("{name}{}", names::upper_first(&t.code)),
                        rust_name: names::type_name(&t.code),
                        ty,
                    });
                }
                FieldType::Choice { enum_name: format!("{}{}", names::type_name(path), names::upper_first(name)), variants }
            } else {
                let t = c.types.first().ok_or_else(|| Error(format!("{}: no type", c.path)))?;
                self.single_type(c, &t.code, t.fhir_type())?
            };
            let max = match c.max.as_deref() {
                Some("*") => u32::MAX,
                Some(m) => m.parse().map_err(|_| Error(format!("{}: bad max {m:?}", c.path)))?,
                None => 1,
            };
            fields.push(Field {
                name: name.to_owned(),
                rust_name: names::field_name(name),
                min: c.min.unwrap_or(0),
                max,
                is_summary: c.is_summary,
                is_modifier: c.is_modifier,
                doc: doc_of(c.short.as_deref(), c.definition.as_deref()),
                ty,
                boxed: false,
            });
        }
        let bases = if kind == Kind::Backbone {
            // A backbone element's type is its element's (BackboneElement or Element).
            match el.types.first() {
                Some(t) => std::iter::once(t.code.clone()).chain(self.bases_of(&t.code)).collect(),
                None => Vec::new(),
            }
        } else {
            self.bases_of(path)
        };
        self.types.push(TypeDef {
            name: path.to_owned(),
            rust_name: names::type_name(path),
            kind,
            file: file.to_owned(),
            doc: doc_of(el.short.as_deref(), el.definition.as_deref()),
            fields,
            bases,
        });
        Ok(())
    }

    fn single_type(&mut self, el: &ElementDefinition, code: &str, fhir_type: Option<&str>) -> Result<FieldType, Error> {
        if code.starts_with(SYSTEM_PREFIX) {
            // `Element.id`, `Extension.url` (XML attributes) are plain text;
            // `Resource.id` is a primitive of the type the extension names.
            if el.representation.iter().any(|r| r == "xmlAttr") {
                return Ok(FieldType::Text);
            }
            let erratum = el
                .base
                .as_ref()
                .and_then(|b| self.errata.iter().find(|e| e.base.as_deref() == Some(b.path.as_str())))
                .and_then(|e| e.fhir_type.as_deref());
            let name = erratum
                .or(fhir_type)
                .ok_or_else(|| Error(format!("{}: system type without fhir-type", el.path)))?;
            return Ok(FieldType::Primitive { fhir: name.to_owned(), code_enum: None });
        }
        if code == "Resource" {
            return Ok(FieldType::Resource);
        }
        if self.primitive_names.contains(code) {
            let mut code_enum = None;
            if let Some(b) = &el.binding {
                if b.strength == "required" && code == "code" {
                    if let Some(vs) = &b.value_set {
                        let url = canonical_base(vs).to_owned();
                        if let Some(codes) = self.term.expand(&url) {
                            if codes.len() <= 1000 {
                                self.bound.insert(url.clone(), codes);
                                code_enum = Some(url);
                            }
                        }
                    }
                }
            }
            return Ok(FieldType::Primitive { fhir: code.to_owned(), code_enum });
        }
        if self.complex_names.contains(code) {
            return Ok(FieldType::Complex(code.to_owned()));
        }
        Err(Error(format!("{}: unknown type {code:?}", el.path)))
    }
}

/// Names the code enums (by value set name, made unique against type names)
/// and replaces value-set URLs in fields by those names.
fn name_code_enums(
    types: &mut [TypeDef],
    bound: BTreeMap<String, Vec<(String, String)>>,
    term: &Terminology<'_>,
) -> Vec<CodeEnumDef> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut by_url: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (url, codes) in bound {
        let vs = term.value_sets.get(url.as_str());
        let base = vs
            .and_then(|v| v.name.as_deref())
            .map(|n| names::variant_name(n).unwrap_or_else(|| "Codes".into()))
            .unwrap_or_else(|| names::type_name(url.rsplit('/').next().unwrap_or("Codes")));
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.insert(name.clone());
        let mut variants: Vec<(String, String, String)> = Vec::new();
        for (code, display) in codes {
            let vbase = names::variant_name(&code)
                .or_else(|| names::variant_name(&display))
                .unwrap_or_else(|| "Code".to_owned());
            let mut v = vbase.clone();
            let mut k = 2;
            while v == "Unrecognized" || variants.iter().any(|(_, x, _)| *x == v) {
                v = format!("{vbase}{k}");
                k += 1;
            }
            variants.push((code, v, display));
        }
        let doc = format!("Codes of the value set `{url}`.");
        by_url.insert(url.clone(), name.clone());
        out.push(CodeEnumDef { rust_name: name, value_set: url, doc, codes: variants });
    }
    for t in types.iter_mut() {
        for f in &mut t.fields {
            if let FieldType::Primitive { code_enum: Some(url), .. } = &mut f.ty {
                if let Some(n) = by_url.get(url.as_str()) {
                    *url = n.clone();
                }
            }
        }
    }
    out.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));
    out
}

/// The runtime value type of a primitive (see [`VALUE_TYPES`]).
fn value_type(sd: &StructureDefinition, by_name: &BTreeMap<&str, &StructureDefinition>) -> String {
    let mut cur = Some(sd);
    let mut guard = 0;
    while let Some(s) = cur {
        if let Some((_, t)) = VALUE_TYPES.iter().find(|(n, _)| *n == s.type_) {
            return (*t).to_owned();
        }
        guard += 1;
        if guard > 16 {
            break;
        }
        cur = s
            .base_definition
            .as_deref()
            .and_then(|b| b.rsplit('/').next())
            .and_then(|n| by_name.get(n).copied());
    }
    // Fall back to the FHIRPath system type of the `value` element.
    let system = sd.snapshot.as_ref().and_then(|s| {
        s.element
            .iter()
            .find(|e| e.path.ends_with(".value"))
            .and_then(|e| e.types.first())
            .map(|t| t.code.trim_start_matches("http://hl7.org/fhirpath/").to_owned())
    });
    if let Some(sys) = system {
        if let Some((_, t)) = SYSTEM_TYPES.iter().find(|(n, _)| *n == sys) {
            return (*t).to_owned();
        }
    }
    STRING_VALUE.to_owned()
}

/// The value type of the string-like primitives (`string`, `code`, `uri`...):
/// a small string, inline up to 24 bytes.
const STRING_VALUE: &str = "crate::rt::values::StringValue";

/// Doc text from the short description and the definition.
fn doc_of(short: Option<&str>, definition: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(t) = short {
        s.push_str(t.trim());
    }
    if let Some(d) = definition {
        let d = d.trim();
        if !d.is_empty() && Some(d) != short.map(str::trim) {
            if !s.is_empty() {
                s.push_str("\n\n");
            }
            s.push_str(d);
        }
    }
    s
}
