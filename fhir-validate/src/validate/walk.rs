//! The generic walk over a typed resource: cardinality, primitive formats,
//! empty elements (ele-1) and bindings, at any depth, driven by the field
//! tables of fhir-model and the generated validation tables.

use fhir_model::rt::{Element, FieldKind, ItemRef, PrimitiveElement, TypeKind};
use fhirpath::Item;

use std::cell::OnceCell;
use std::sync::Arc;

use fhir_model::rt::TypeInfo;

use super::invariants::{primitive_key, Finding, Scope};
use super::issue::{Issue, IssueType, Severity};
use super::plan::{self, FieldPlan, LocalPlans, PrimitiveCheck, TypePlan};
use super::tables::{Strength, Tables};
use super::Validator;

pub(crate) struct Walk<'v> {
    pub(crate) v: &'v Validator,
    pub(crate) issues: Vec<Issue>,
    /// The current location, formatted only when an issue is reported.
    pub(crate) path: Vec<Seg>,
    /// Plans of the types met so far, in front of the validator's shared ones.
    plans: LocalPlans,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Seg {
    Name(&'static str),
    Index(usize),
}

impl<'v> Walk<'v> {
    pub(crate) fn new(v: &'v Validator, root: &'static str) -> Self {
        Walk { v, issues: Vec::new(), path: vec![Seg::Name(root)], plans: LocalPlans::default() }
    }

    fn tables(&self) -> &'static Tables {
        self.v.tables
    }

    fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Name(n) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(n);
                }
                Seg::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                }
            }
        }
        s
    }

    fn push(&mut self, severity: Severity, code: IssueType, diagnostics: String) {
        let expression = self.path_string();
        self.issues.push(Issue { severity, code, diagnostics, expression, line: None, column: None });
    }

    /// Walks a resource at the root of the validation.
    pub(crate) fn resource(&mut self, el: &dyn Element) {
        let context = OnceCell::new();
        self.element(el, Scope::new(el, el, &context));
    }

    fn plan(&mut self, info: &'static TypeInfo) -> Arc<TypePlan> {
        let v = self.v;
        Arc::clone(self.plans.entry(plan::key(info)).or_insert_with(|| v.plan(info)))
    }

    /// Evaluates the invariants `list` at `focus`, reporting at the current path.
    fn invariants<'a>(&mut self, list: &[u16], focus: &Item<'a>, scope: Scope<'_, 'a>) {
        if list.is_empty() {
            return;
        }
        let Some(inv) = self.v.invariants.as_ref() else { return };
        let mut found: Vec<Finding> = Vec::new();
        inv.check(list, focus, scope, |f| found.push(f));
        self.report(found);
    }

    /// Evaluates the invariants of field `fp` at its item `el` (as `focus`),
    /// reusing verdicts between the field's items as at a type's own
    /// invariants ([`FieldPlan::at_items`]); items of another type than the
    /// first's (a choice, a resource field) are checked one by one.
    fn item_invariants<'a>(&mut self, fp: &FieldPlan, el: &'a dyn Element, focus: &Item<'a>, scope: Scope<'_, 'a>) {
        let Some(inv) = self.v.invariants.as_ref() else { return };
        let info = el.type_info();
        let (key, list) = fp.at_items.get_or_init(|| (plan::key(info), inv.at_instances_of(info, &fp.invariants)));
        let mut found: Vec<Finding> = Vec::new();
        if *key == plan::key(info) {
            inv.check_at_type(list, el, focus, scope, |f| found.push(f));
        } else {
            inv.check(&fp.invariants, focus, scope, |f| found.push(f));
        }
        self.report(found);
    }

    /// Evaluates the invariants of field `fp` at its primitive item `item`
    /// of variant `variant` (as `focus`), reusing the verdicts of the
    /// field's items with the same value where an invariant reads only the
    /// value ([`FieldPlan::by_value`]).
    fn primitive_invariants<'a>(
        &mut self,
        fp: &FieldPlan,
        variant: usize,
        item: &ItemRef<'a>,
        focus: &Item<'a>,
        scope: Scope<'_, 'a>,
    ) {
        let Some(inv) = self.v.invariants.as_ref() else { return };
        let list = fp.by_value.get_or_init(|| inv.by_focus_value(&fp.invariants));
        // No key is built where no verdict is kept (the narratives of txt-1).
        let Some(key) = list.any_cache().then(|| primitive_key(variant, item)).flatten() else {
            return self.invariants(&fp.invariants, focus, scope);
        };
        let mut found: Vec<Finding> = Vec::new();
        inv.check_by_value(list, &key, focus, scope, |f| found.push(f));
        self.report(found);
    }

    /// Reports the findings of invariants at the current path.
    fn report(&mut self, found: Vec<Finding>) {
        for (severity, code, text) in found {
            self.push(severity, code, text);
        }
    }

    /// Walks one element (resource, datatype or backbone element) at the current path.
    fn element<'a>(&mut self, el: &'a dyn Element, scope: Scope<'_, 'a>) {
        let info = el.type_info();
        let plan = self.plan(info);
        if !plan.invariants.is_empty() {
            let focus = if info.kind == TypeKind::Resource {
                Item::resource(el)
            } else {
                Item::from_ref(ItemRef::Element(el), info.name)
            };
            if let Some(inv) = self.v.invariants.as_ref() {
                let mut found: Vec<Finding> = Vec::new();
                inv.check_at_type(&plan.invariants, el, &focus, scope, |f| found.push(f));
                self.report(found);
            }
        }
        let mut any = false;
        let no_plan = FieldPlan::default();
        for (i, f) in info.fields.iter().enumerate() {
            let Some(slot) = el.field(i) else { continue };
            let fp = plan.fields.get(i).unwrap_or(&no_plan);
            let n = slot.len();
            if n == 0 && f.min == 0 {
                continue;
            }
            any |= n > 0;
            if n < f.min as usize || n > f.max as usize {
                self.path.push(Seg::Name(f.name));
                if n < f.min as usize {
                    let shown = match f.kind {
                        FieldKind::Choice => format!("{}[x]", f.name),
                        _ => f.name.to_owned(),
                    };
                    self.push(
                        Severity::Error,
                        IssueType::Required,
                        format!("minimum cardinality of {}.{shown} is {}, found {n}", info.name, f.min),
                    );
                } else {
                    self.push(
                        Severity::Error,
                        IssueType::Value,
                        format!("maximum cardinality of {}.{} is {}, found {n}", info.name, f.name, f.max),
                    );
                }
                self.path.pop();
            }
            let binding = fp.binding;
            let field_invariants = fp.invariants.as_slice();
            for j in 0..n {
                let Some((variant, item)) = slot.get(j) else { continue };
                let name = f.json_name(variant);
                self.path.push(Seg::Name(name));
                if f.is_list() {
                    self.path.push(Seg::Index(j));
                }
                let ty = f.types.get(variant).copied().unwrap_or_default();
                if let Some(b) = binding {
                    self.binding(b, ty, &item);
                }
                if !field_invariants.is_empty() {
                    let focus = match &item {
                        ItemRef::Element(child) => Item::from_ref(ItemRef::Element(*child), child.type_info().name),
                        ItemRef::Primitive(p) => Item::from_ref(ItemRef::Primitive(*p), ty),
                        ItemRef::Text(t) => Item::from_ref(ItemRef::Text(t), ty),
                    };
                    match &item {
                        ItemRef::Element(child) => self.item_invariants(fp, *child, &focus, scope),
                        primitive => self.primitive_invariants(fp, variant, primitive, &focus, scope),
                    }
                }
                match item {
                    ItemRef::Primitive(prim) => {
                        let check = fp.primitives.get(variant).copied().flatten();
                        self.primitive(prim, ty, check, scope);
                    }
                    ItemRef::Element(child) if f.kind == FieldKind::Resource => {
                        // A contained resource is `%resource` inside, its
                        // container stays `%rootResource`; a Bundle entry or
                        // a Parameters resource stands on its own.
                        let context = OnceCell::new();
                        let inner = if f.name == "contained" {
                            Scope::new(child, scope.root(), &context)
                        } else {
                            Scope::new(child, child, &context)
                        };
                        self.element(child, inner);
                    }
                    ItemRef::Element(child) => self.element(child, scope),
                    ItemRef::Text(_) => {}
                }
                if f.is_list() {
                    self.path.pop();
                }
                self.path.pop();
            }
        }
        if !any && info.kind != TypeKind::Resource {
            self.push(
                Severity::Error,
                IssueType::Structure,
                "ele-1: All FHIR elements must have a @value or children (empty element)".to_owned(),
            );
        }
    }

    fn primitive<'a>(&mut self, p: &'a dyn PrimitiveElement, ty: &'static str, check: Option<u16>, scope: Scope<'_, 'a>) {
        let v = self.v;
        let check: Option<&PrimitiveCheck> = check.and_then(|c| v.primitives.get(usize::from(c)));
        if let Some(c) = check {
            if !c.invariants.is_empty() {
                self.invariants(&c.invariants, &Item::from_ref(ItemRef::Primitive(p), ty), scope);
            }
        }
        if p.is_empty() {
            self.push(Severity::Error, IssueType::Structure, "ele-1: a primitive must have a value or extensions".to_owned());
        }
        let value = p.lexical();
        // The narrative: its type's definition has no format to check (XHTML
        // is no regular language), but the JSON reader keeps any string as a
        // div, where the XML reader and writer require a well-formed one.
        if ty == "xhtml" {
            if let Some(Err(why)) = value.as_deref().map(fhir_model::rt::xhtml::check_div) {
                self.push(Severity::Error, IssueType::Value, format!("the narrative is not well-formed XHTML: {why}"));
            }
        }
        if let (Some(c), Some(value)) = (check, value) {
            if let Some(max) = c.rule.max_length {
                if value.len() > max {
                    self.push(Severity::Error, IssueType::Value, format!("{ty} value is longer than {max} bytes"));
                }
            }
            match &c.regex {
                Some(re) if !re.is_match(&value) => {
                    let shown: String = value.chars().take(80).collect();
                    self.push(
                        Severity::Error,
                        IssueType::Value,
                        format!("the value {shown:?} is not a valid {ty} (must match {})", c.pattern.unwrap_or_default()),
                    );
                }
                _ => {}
            }
        }
        let ext = p.extensions();
        for k in 0..ext.len() {
            if let Some((_, ItemRef::Element(e))) = ext.get(k) {
                self.path.push(Seg::Name("extension"));
                self.path.push(Seg::Index(k));
                self.element(e, scope);
                self.path.pop();
                self.path.pop();
            }
        }
    }

    /// Checks a bound element (code, Coding, CodeableConcept, and the other
    /// coded types) against the value set of its binding.
    fn binding(&mut self, b: &'static super::tables::Binding, ty: &str, item: &ItemRef<'_>) {
        if matches!(b.strength, Strength::Preferred | Strength::Example) {
            return;
        }
        let codings: Vec<(Option<String>, String)> = match (ty, item) {
            (_, ItemRef::Primitive(p)) => match p.lexical() {
                Some(c) if ty == "code" => vec![(None, c.into_owned())],
                _ => return,
            },
            ("Coding", ItemRef::Element(e)) => coding(*e).into_iter().collect(),
            ("CodeableConcept", ItemRef::Element(e)) => codeable_concept(*e),
            _ => return,
        };
        let required = b.strength == Strength::Required;
        let strength = if required { "required" } else { "extensible" };
        let Some(vs) = self.tables().value_set(b.value_set) else {
            if required {
                self.push(Severity::Information, IssueType::NotSupported, format!("value set {} ({strength} binding) is not in the definitions; codes not checked", b.value_set),
                );
            }
            return;
        };
        if codings.is_empty() {
            if required && ty == "CodeableConcept" {
                self.push(Severity::Error, IssueType::CodeInvalid, format!("no code provided, but the binding to {} is required", b.value_set),
                );
            }
            return;
        }
        let found = codings.iter().any(|(s, c)| vs.contains(s.as_deref(), c));
        if found {
            return;
        }
        let shown = codings
            .iter()
            .map(|(s, c)| match s {
                Some(s) => format!("{s}#{c}"),
                None => c.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(why) = vs.incomplete {
            // Codes of a system with a grammar (MIME types, language tags)
            // that break it cannot be in the value set. A warning, not an
            // error: FHIR itself writes the shorthands `xml`, `json`, `ttl`
            // where MIME types are bound (CapabilityStatement.format allows
            // them in its definition's comment, which no table carries, and
            // the official examples use them there and in TestScript).
            let syntax: Vec<(&str, bool)> = codings
                .iter()
                .filter_map(|(s, c)| {
                    let system = match s {
                        Some(s) => vs.external_systems.iter().find(|x| **x == s.as_str())?,
                        None => match vs.external_systems {
                            [only] => only,
                            _ => return None,
                        },
                    };
                    super::syntax::check(system, c).map(|ok| (*system, ok))
                })
                .collect();
            if !syntax.is_empty() && syntax.len() == codings.len() && syntax.iter().all(|(_, ok)| !ok) {
                let what = syntax.first().map_or("code", |(s, _)| super::syntax::describe(s));
                let text = format!("{shown} is not a valid {what}, so not in the value set {} ({strength} binding)", b.value_set);
                self.push(Severity::Warning, IssueType::CodeInvalid, text);
            } else {
                let checked = if syntax.iter().any(|(_, ok)| *ok) { " (its syntax is valid)" } else { "" };
                self.push(Severity::Information, IssueType::NotSupported, format!("code {shown} not checked against {} ({strength} binding){checked}: {why}", b.value_set),
                );
            }
        } else if required {
            self.push(Severity::Error, IssueType::CodeInvalid, format!("the code {shown} is not in the value set {} (required binding)", b.value_set),
            );
        } else {
            self.push(Severity::Warning, IssueType::CodeInvalid, format!("no code from the value set {} (extensible binding): {shown}", b.value_set),
            );
        }
    }
}

/// Text of a named primitive field of an element.
fn text(el: &dyn Element, name: &str) -> Option<String> {
    let i = el.type_info().field_index(name)?;
    match el.field(i)?.get(0)? {
        (_, ItemRef::Primitive(p)) => p.lexical().map(|c| c.into_owned()),
        (_, ItemRef::Text(t)) => Some(t.to_owned()),
        _ => None,
    }
}

fn coding(el: &dyn Element) -> Option<(Option<String>, String)> {
    let code = text(el, "code")?;
    Some((text(el, "system"), code))
}

fn codeable_concept(el: &dyn Element) -> Vec<(Option<String>, String)> {
    let Some(i) = el.type_info().field_index("coding") else { return Vec::new() };
    let Some(slot) = el.field(i) else { return Vec::new() };
    (0..slot.len())
        .filter_map(|j| match slot.get(j) {
            Some((_, ItemRef::Element(c))) => coding(c),
            _ => None,
        })
        .collect()
}
