//! [`Item`]: one member of a FHIRPath collection, either a node of the FHIR
//! model (borrowed, with its FHIR type) or a system value computed by the
//! expression.

use std::fmt;
use std::ops::ControlFlow;

use fhir_model::rt::{Element, FieldInfo, FieldKind, ItemRef, PrimitiveElement};

use crate::decimal::Dec;
use crate::field_hint::FieldHint;
use crate::quantity::Quantity;
use crate::value::Value;

/// A node of FHIR data: what a field holds.
#[derive(Clone, Copy)]
pub(crate) enum Node<'a> {
    Element(&'a dyn Element),
    Primitive(&'a dyn PrimitiveElement),
    Text(&'a str),
}

#[derive(Clone)]
pub(crate) enum Repr<'a> {
    Value(Value),
    /// A node and its FHIR type code (`HumanName`, `code`, `Patient`, or a
    /// backbone element path such as `Patient.contact`).
    Node(Node<'a>, &'static str),
    /// What `type()` returns: a namespace and a type name.
    Type {
        namespace: &'static str,
        name: String,
    },
}

/// One item of a FHIRPath collection.
///
/// Items that come from the resource borrow it (`'a`); items computed by
/// the expression own their value.
#[derive(Clone)]
pub struct Item<'a> {
    pub(crate) repr: Repr<'a>,
    /// Reached through a field typed `Resource` (`contained`,
    /// `Bundle.entry.resource`): statically only a Resource, so a path step
    /// its actual type lacks gives empty rather than a semantic error.
    pub(crate) any_resource: bool,
}

impl fmt::Debug for Item<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Value(v) => write!(f, "{v:?}"),
            Repr::Node(Node::Element(e), t) => write!(f, "{t}({e:?})"),
            Repr::Node(Node::Primitive(p), t) => write!(f, "{t}({:?})", p.lexical()),
            Repr::Node(Node::Text(s), t) => write!(f, "{t}({s:?})"),
            Repr::Type { namespace, name } => write!(f, "TypeInfo({namespace}.{name})"),
        }
    }
}

/// Whether an element is a Quantity or derives from one (Age, Duration...).
pub(crate) fn is_quantity_like(e: &dyn Element) -> bool {
    let ti = e.type_info();
    ti.name == "Quantity" || ti.bases.contains(&"Quantity")
}

impl<'a> Item<'a> {
    /// A value found in the FHIR data, with the FHIR type code of the field
    /// it came from (for a choice field, the code of the chosen variant).
    pub fn from_ref(item: ItemRef<'a>, fhir_type: &'static str) -> Item<'a> {
        let node = match item {
            ItemRef::Element(e) => Node::Element(e),
            ItemRef::Primitive(p) => Node::Primitive(p),
            ItemRef::Text(t) => Node::Text(t),
        };
        Item {
            repr: Repr::Node(node, fhir_type),
            any_resource: false,
        }
    }

    /// A resource (or any element) as the root of an evaluation; its type is
    /// its own type name.
    pub fn resource(element: &'a dyn Element) -> Item<'a> {
        Item {
            repr: Repr::Node(Node::Element(element), element.type_info().name),
            any_resource: false,
        }
    }

    pub(crate) fn value(v: Value) -> Item<'a> {
        Item {
            repr: Repr::Value(v),
            any_resource: false,
        }
    }
    pub(crate) fn boolean(b: bool) -> Item<'a> {
        Item::value(Value::Boolean(b))
    }
    pub(crate) fn string(s: impl Into<String>) -> Item<'a> {
        Item::value(Value::String(s.into()))
    }

    /// The type as `(namespace, name)`: `("System", "Integer")`,
    /// `("FHIR", "HumanName")`.
    pub fn type_name(&self) -> (&'static str, &str) {
        match &self.repr {
            Repr::Value(v) => ("System", v.type_name()),
            Repr::Node(_, t) => ("FHIR", t),
            Repr::Type { .. } => ("System", "TypeInfo"),
        }
    }

    /// The FHIR element, when this item is a complex element or resource.
    pub fn as_element(&self) -> Option<&'a dyn Element> {
        match self.repr {
            Repr::Node(Node::Element(e), _) => Some(e),
            _ => None,
        }
    }

    /// The value as text, as `toString()` writes it (dates without `@`,
    /// quantities as `5 'mg'`); `None` for complex elements and primitives
    /// without a value.
    pub fn value_text(&self) -> Option<String> {
        self.system_value().map(|v| v.to_text())
    }

    /// The value of a string item without copying it from the resource: a
    /// string primitive's lexical form, a text node, or a computed string.
    pub(crate) fn string_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match &self.repr {
            Repr::Value(Value::String(s)) => Some(std::borrow::Cow::Borrowed(s)),
            Repr::Node(Node::Primitive(p), t) if Value::is_string_type(t) => p.lexical(),
            Repr::Node(Node::Text(s), _) => Some(std::borrow::Cow::Borrowed(s)),
            _ => None,
        }
    }

    /// The system value this item stands for in operators: a system value
    /// itself, a FHIR primitive's value, a Quantity element as a quantity.
    pub(crate) fn system_value(&self) -> Option<Value> {
        match &self.repr {
            Repr::Value(v) => Some(v.clone()),
            Repr::Node(Node::Primitive(p), t) => Value::from_fhir(t, &p.lexical()?),
            Repr::Node(Node::Text(s), _) => Some(Value::String((*s).to_owned())),
            Repr::Node(Node::Element(e), _) if is_quantity_like(*e) => {
                let value = child_text(*e, "value").and_then(|v| Dec::parse(&v))?;
                let code = child_text(*e, "code");
                let unit = child_text(*e, "unit");
                let system = child_text(*e, "system");
                let unit = match (code, system.as_deref()) {
                    (Some(c), Some("http://unitsofmeasure.org") | None) => c,
                    _ => unit.unwrap_or_else(|| "1".into()),
                };
                Some(Value::quantity(Quantity::new(value, unit)))
            }
            _ => None,
        }
    }

    /// The children of this item named `name`; `None` when this is an
    /// element whose type has no such field (a semantic error in strict mode).
    pub(crate) fn child(
        &self,
        name: &str,
        lenient: bool,
        out: &mut impl Extend<Item<'a>>,
    ) -> Option<()> {
        self.each_child(name, lenient, None, |c| {
            out.extend(Some(c));
            ControlFlow::Continue(())
        })
        .map(|_| ())
    }

    /// [`Item::child`], handing each child to `sink` (so a caller that only
    /// looks for one builds no collection), the field found through `hint`.
    /// `Some(Break)` when `sink` asked to stop.
    pub(crate) fn each_child(
        &self,
        name: &str,
        lenient: bool,
        hint: Option<&FieldHint>,
        mut sink: impl FnMut(Item<'a>) -> ControlFlow<()>,
    ) -> Option<ControlFlow<()>> {
        match &self.repr {
            Repr::Node(Node::Element(e), _) => {
                let e: &'a dyn Element = *e;
                let ti = e.type_info();
                let index = match hint {
                    Some(h) => h.index(ti, name),
                    None => ti.field_index(name),
                };
                match index {
                    Some(i) => field_children(e, i, None, &mut sink),
                    None if lenient => {
                        let (f, v) = ti.lookup_json(name)?;
                        field_children(e, f, Some(v), &mut sink)
                    }
                    None => None,
                }
            }
            Repr::Node(Node::Primitive(p), _) => {
                let p: &'a dyn PrimitiveElement = *p;
                Some(match name {
                    "extension" => {
                        let slot = p.extensions();
                        (0..slot.len())
                            .filter_map(|i| slot.get(i))
                            .try_for_each(|(_, item)| sink(Item::from_ref(item, "Extension")))
                    }
                    "id" => match p.id() {
                        Some(id) => sink(Item::from_ref(ItemRef::Text(id), "string")),
                        None => ControlFlow::Continue(()),
                    },
                    _ => ControlFlow::Continue(()),
                })
            }
            Repr::Type { namespace, name: n } => Some(match name {
                "namespace" => sink(Item::string(*namespace)),
                "name" => sink(Item::string(n.clone())),
                _ => ControlFlow::Continue(()),
            }),
            _ => Some(ControlFlow::Continue(())),
        }
    }

    /// Whether this item can have children: false for a primitive
    /// without id or extensions, plain text and system values, where
    /// [`Item::for_each_child`] finds nothing and [`Item::each_child`]
    /// finds nothing under any name.
    pub(crate) fn may_have_children(&self) -> bool {
        match &self.repr {
            Repr::Node(Node::Element(_), _) => true,
            Repr::Node(Node::Primitive(p), _) => p.has_id_or_extension(),
            // `type()`'s namespace and name.
            Repr::Type { .. } => true,
            Repr::Node(Node::Text(_), _) | Repr::Value(_) => false,
        }
    }

    /// The children that can have children themselves
    /// ([`Item::may_have_children`]), in the order of
    /// [`Item::for_each_child`], each handed to `f`; the others are only
    /// counted (all children are added to `count`), never made into items.
    pub(crate) fn for_each_parent_child(&self, count: &mut usize, mut f: impl FnMut(Item<'a>)) {
        let Repr::Node(Node::Element(e), _) = &self.repr else {
            self.for_each_child(|c| {
                *count += 1;
                if c.may_have_children() {
                    f(c);
                }
            });
            return;
        };
        let e: &'a dyn Element = *e;
        let fields = e.type_info().fields;
        let mut present = e.present();
        while present != 0 {
            let index = present.trailing_zeros() as usize;
            present &= present - 1;
            let (Some(info), Some(slot)) = (fields.get(index), e.field(index)) else {
                continue;
            };
            for i in 0..slot.len() {
                let Some((variant, item)) = slot.get(i) else {
                    continue;
                };
                *count += 1;
                let leaf = match item {
                    ItemRef::Primitive(p) => !p.has_id_or_extension(),
                    ItemRef::Text(_) => true,
                    ItemRef::Element(_) => false,
                };
                if !leaf {
                    f(field_item(info, variant, item));
                }
            }
        }
    }

    /// Every child item, in field order (`children()`).
    pub(crate) fn all_children(&self, out: &mut impl Extend<Item<'a>>) {
        self.for_each_child(|c| out.extend(Some(c)));
    }

    /// [`Item::all_children`], each handed to `f` as it is found (a path
    /// step after `children()` looks into each without collecting them).
    pub(crate) fn for_each_child(&self, mut f: impl FnMut(Item<'a>)) {
        match &self.repr {
            Repr::Node(Node::Element(e), _) => {
                // Only the fields that hold something: one call for all of
                // them, where most are empty (`children()`, `descendants()`).
                let mut present = e.present();
                while present != 0 {
                    let index = present.trailing_zeros() as usize;
                    present &= present - 1;
                    let _ = field_children(*e, index, None, &mut |c| {
                        f(c);
                        ControlFlow::Continue(())
                    });
                }
            }
            Repr::Node(Node::Primitive(_), _) => {
                for name in ["id", "extension"] {
                    let _ = self.each_child(name, false, None, |c| {
                        f(c);
                        ControlFlow::Continue(())
                    });
                }
            }
            _ => {}
        }
    }

    /// The item as JSON for display: `{"type": "FHIR.HumanName", "value": ...}`.
    pub fn to_json(&self) -> serde_json::Value {
        let (ns, name) = self.type_name();
        let value = match &self.repr {
            Repr::Value(Value::Boolean(b)) => serde_json::Value::Bool(*b),
            Repr::Value(Value::Integer(i) | Value::Long(i)) => serde_json::Value::from(*i),
            Repr::Value(v) => serde_json::Value::String(v.to_text()),
            Repr::Node(Node::Primitive(p), _) => match p.json_value() {
                Some(fhir_model::rt::JsonOut::Bool(b)) => serde_json::Value::Bool(b),
                Some(fhir_model::rt::JsonOut::Int(i)) => serde_json::Value::from(i),
                Some(fhir_model::rt::JsonOut::Number(n)) => {
                    serde_json::from_str(&n).unwrap_or(serde_json::Value::Null)
                }
                Some(fhir_model::rt::JsonOut::Str(s)) => serde_json::Value::String(s.into_owned()),
                None => serde_json::Value::Null,
            },
            Repr::Node(Node::Text(s), _) => serde_json::Value::String((*s).to_owned()),
            Repr::Node(Node::Element(e), _) => element_json(*e, 0),
            Repr::Type { namespace, name } => {
                serde_json::json!({"namespace": namespace, "name": name})
            }
        };
        serde_json::json!({ "type": format!("{ns}.{name}"), "value": value })
    }
}

/// Element content as JSON, by field name (a compact form for display, not
/// FHIR JSON); depth-limited.
fn element_json(e: &dyn Element, depth: usize) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    if depth > 32 {
        return serde_json::Value::Object(map);
    }
    let item = Item::resource(e);
    for f in e.type_info().fields {
        let mut kids = Vec::new();
        let _ = item.child(f.name, false, &mut kids);
        let values: Vec<serde_json::Value> = kids
            .iter()
            .map(|k| match &k.repr {
                Repr::Node(Node::Element(c), _) => element_json(*c, depth + 1),
                _ => k
                    .to_json()
                    .get("value")
                    .cloned()
                    .unwrap_or(serde_json::Value::Null),
            })
            .collect();
        match values.len() {
            0 => {}
            1 if !f.is_list() => {
                if let Some(v) = values.into_iter().next() {
                    map.insert(f.name.to_owned(), v);
                }
            }
            _ => {
                map.insert(f.name.to_owned(), serde_json::Value::Array(values));
            }
        }
    }
    serde_json::Value::Object(map)
}

/// The items of field `index` of `e` (only those of choice variant
/// `only_variant` when given), each with its FHIR type; `None` when `e`'s
/// type has no such field, `Some(Break)` when `sink` asked to stop.
fn field_children<'a>(
    e: &'a dyn Element,
    index: usize,
    only_variant: Option<usize>,
    sink: &mut impl FnMut(Item<'a>) -> ControlFlow<()>,
) -> Option<ControlFlow<()>> {
    let info = e.type_info().fields.get(index)?;
    let Some(slot) = e.field(index) else {
        return Some(ControlFlow::Continue(()));
    };
    for i in 0..slot.len() {
        let Some((variant, item)) = slot.get(i) else {
            continue;
        };
        if only_variant.is_some_and(|v| v != variant) {
            continue;
        }
        if sink(field_item(info, variant, item)).is_break() {
            return Some(ControlFlow::Break(()));
        }
    }
    Some(ControlFlow::Continue(()))
}

/// The item for a value of a field described by `info`, with its FHIR type.
#[inline]
fn field_item<'a>(info: &FieldInfo, variant: usize, item: ItemRef<'a>) -> Item<'a> {
    let ty = match (&item, info.kind) {
        (ItemRef::Element(c), FieldKind::Resource | FieldKind::Element | FieldKind::Choice) => {
            c.type_info().name
        }
        _ => info.types.get(variant).copied().unwrap_or("string"),
    };
    let mut child = Item::from_ref(item, ty);
    child.any_resource = info.kind == FieldKind::Resource;
    child
}

/// The text of a primitive or text child (`Quantity.value`, `Reference.reference`).
pub(crate) fn child_text(e: &dyn Element, name: &str) -> Option<String> {
    let index = e.type_info().field_index(name)?;
    match e.field(index)?.get(0)?.1 {
        ItemRef::Primitive(p) => p.lexical().map(|c| c.into_owned()),
        ItemRef::Text(t) => Some(t.to_owned()),
        ItemRef::Element(_) => None,
    }
}
