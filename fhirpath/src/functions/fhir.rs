//! FHIR's additions to FHIRPath: `extension(url)`, `hasValue()`,
//! `getValue()`, `resolve()`, `htmlChecks()`; terminology and profile
//! functions are reported as unsupported. Also the clock functions
//! `now()`, `today()`, `timeOfDay()`.

use fhir_model::rt::Element;

use super::html::html_is_safe;
use super::{one, Call};
use crate::ast::TypeSpec;
use crate::datetime::TemporalKind;
use crate::error::Error;
use crate::eval::now;
use crate::item::{child_text, Item, Node, Repr};
use crate::items::Items;
use crate::types::is_type;
use crate::value::Value;

/// Resources reachable from `root` by `resolve()`: itself, its contained
/// resources, and the resources of Bundle entries (with their fullUrl).
fn candidates<'a>(root: &Item<'a>, out: &mut Vec<(Option<String>, Item<'a>)>) {
    out.push((None, root.clone()));
    let mut contained = Vec::new();
    let _ = root.child("contained", false, &mut contained);
    out.extend(contained.into_iter().map(|c| (None, c)));
    let mut entries = Vec::new();
    let _ = root.child("entry", false, &mut entries);
    for e in entries {
        let full = e.as_element().and_then(|e| child_text(e, "fullUrl"));
        let mut res = Vec::new();
        let _ = e.child("resource", false, &mut res);
        for r in res {
            out.push((full.clone(), r.clone()));
            let mut contained = Vec::new();
            let _ = r.child("contained", false, &mut contained);
            out.extend(contained.into_iter().map(|c| (None, c)));
        }
    }
}

fn matches_reference(reference: &str, full_url: Option<&str>, res: &dyn Element) -> bool {
    if full_url == Some(reference) {
        return true;
    }
    let Some(id) = child_text(res, "id") else {
        return false;
    };
    let ty = res.type_info().name;
    if let Some(local) = reference.strip_prefix('#') {
        return local == id;
    }
    let tail = format!("{ty}/{id}");
    reference == tail
        || reference.ends_with(&format!("/{tail}"))
        || reference.contains(&format!("{tail}/_history/"))
}

fn resolve<'a>(c: &Call<'_, '_, 'a>) -> Items<'a> {
    let mut pool = Vec::new();
    for root in [&c.env.ctx.root_resource, &c.env.ctx.resource]
        .into_iter()
        .flatten()
    {
        candidates(root, &mut pool);
    }
    let mut out = Items::new();
    for item in &c.input {
        let reference = match &item.repr {
            Repr::Node(Node::Element(e), _) => child_text(*e, "reference"),
            _ => match item.system_value() {
                Some(Value::String(s)) => Some(s),
                _ => None,
            },
        };
        let Some(reference) = reference else { continue };
        if let Some((_, found)) = pool.iter().find(|(full, r)| {
            r.as_element()
                .is_some_and(|e| matches_reference(&reference, full.as_deref(), e))
        }) {
            out.push(found.clone());
        }
    }
    out
}

pub(super) fn call<'a>(c: &mut Call<'_, '_, 'a>) -> Result<Option<Items<'a>>, Error> {
    Ok(Some(match c.name {
        "extension" => {
            let url = c.arg_string(0)?;
            let mut exts = Items::new();
            for item in &c.input {
                let _ = item.child("extension", false, &mut exts);
            }
            exts.into_iter()
                .filter(|e| {
                    e.as_element().and_then(|e| child_text(e, "url")).as_deref() == url.as_deref()
                })
                .collect()
        }
        "hasValue" => {
            let yes = matches!(c.input.as_slice(), [one] if matches!(&one.repr,
                Repr::Node(Node::Primitive(p), _) if p.has_value()));
            Items::one(Item::boolean(yes))
        }
        "getValue" => match c.input.as_slice() {
            [one] if matches!(one.repr, Repr::Node(Node::Primitive(_), _)) => {
                one.system_value().map(Item::value).into_iter().collect()
            }
            _ => Items::new(),
        },
        "resolve" => resolve(c),
        "htmlChecks" => match c.input.as_slice() {
            [one] => match one.string_text() {
                Some(s) => Items::one(Item::boolean(html_is_safe(&s))),
                None => Items::new(),
            },
            _ => Items::new(),
        },
        "memberOf" | "subsumes" | "subsumedBy" | "expand" | "lookup" | "validateVS"
        | "validateCS" | "translate" => {
            return Err(Error::unsupported(format!(
                "{}() needs a terminology service",
                c.name
            )))
        }
        "conformsTo" => {
            // Only the core definitions (one per type) are known here; a
            // profile needs a validator.
            const CORE: &str = "http://hl7.org/fhir/StructureDefinition/";
            let url = c.arg_string(0)?.unwrap_or_default();
            let Some(name) = url.strip_prefix(CORE) else {
                return Err(Error::execution(format!(
                    "conformsTo(): unknown profile {url}"
                )));
            };
            let spec = TypeSpec {
                namespace: Some("FHIR".into()),
                name: name.to_owned(),
            };
            let mut out = Items::new();
            for item in &c.input {
                out.push(Item::boolean(is_type(item, &spec)?));
            }
            out
        }
        "now" => return one(Value::temporal(now())).map(Some),
        "today" => {
            let mut t = now();
            t.kind = TemporalKind::Date;
            (t.hour, t.minute, t.second, t.fraction, t.tz) = (None, None, None, None, None);
            return one(Value::temporal(t)).map(Some);
        }
        "timeOfDay" => {
            let mut t = now();
            t.kind = TemporalKind::Time;
            (t.year, t.month, t.day, t.tz) = (None, None, None, None);
            return one(Value::temporal(t)).map(Some);
        }
        _ => return Ok(None),
    }))
}
