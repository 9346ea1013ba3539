//! The evaluator: walks the [`Expr`] tree over collections of [`Item`]s.
//!
//! Every expression maps an input collection (the focus) to an output
//! collection; an empty operand propagates as empty, and the logical
//! operators use three-valued logic (empty = unknown).

use std::cmp::Ordering;
use std::ops::ControlFlow;

use crate::ast::{BinOp, Expr};
use crate::compare::{equals, equivalent, order};
use crate::datetime::{Temporal, TemporalKind};
use crate::decimal::Dec;
use crate::error::Error;
use crate::field_hint::FieldHint;
use crate::functions;
use crate::item::{Item, Node, Repr};
use crate::items::Items;
use crate::quantity::Quantity;
use crate::types::{as_type, is_type};
use crate::value::Value;

/// What an evaluation may refer to besides its focus: `%resource`,
/// `%rootResource`, user variables, and options.
#[derive(Clone, Debug, Default)]
pub struct Context<'a> {
    pub(crate) resource: Option<Item<'a>>,
    pub(crate) root_resource: Option<Item<'a>>,
    pub(crate) variables: Vec<(String, Vec<Item<'a>>)>,
    pub(crate) lenient_choices: bool,
    pub(crate) as_filters: bool,
}

impl<'a> Context<'a> {
    /// A context without resources; `%resource` and `%rootResource` are empty.
    pub fn new() -> Context<'a> {
        Context::default()
    }

    /// A context for evaluating within `resource`: it is both `%resource` and
    /// `%rootResource` (set [`Context::with_root_resource`] for a contained
    /// resource or a Bundle entry).
    pub fn for_resource(resource: Item<'a>) -> Context<'a> {
        Context {
            root_resource: Some(resource.clone()),
            resource: Some(resource),
            ..Context::default()
        }
    }

    /// Sets `%rootResource` (the containing resource or Bundle).
    pub fn with_root_resource(mut self, root: Item<'a>) -> Context<'a> {
        self.root_resource = Some(root);
        self
    }

    /// Defines `%name`.
    pub fn with_variable(mut self, name: impl Into<String>, value: Vec<Item<'a>>) -> Context<'a> {
        self.variables.push((name.into(), value));
        self
    }

    /// Lets the `as(type)` function take a collection of several items and
    /// keep those of the type, like `ofType` (FHIRPath 2.0 makes that an
    /// error). R4's dom-3 invariant (`%resource.descendants().as(canonical)`)
    /// needs it, as did the FHIRPath engines of its time.
    pub fn as_function_filters(mut self, yes: bool) -> Context<'a> {
        self.as_filters = yes;
        self
    }

    /// Accepts `valueQuantity`-style names of choice variants (not FHIRPath,
    /// but common in hand-written expressions).
    pub fn lenient_choice_names(mut self, yes: bool) -> Context<'a> {
        self.lenient_choices = yes;
        self
    }
}

/// Evaluation state: the context plus the iteration variables.
pub(crate) struct Env<'c, 'a> {
    pub ctx: &'c Context<'a>,
    /// The original focus (`%context`).
    pub context: &'c [Item<'a>],
    pub index: Option<i64>,
    pub total: Option<Items<'a>>,
    /// Variables from `defineVariable`.
    pub defined: Vec<(String, Items<'a>)>,
    /// How many lambdas (`where`, `select`...) are being evaluated: their
    /// items may come from mixed collections (`descendants()`), so unknown
    /// names there are not errors.
    pub lambda_depth: usize,
    /// The values of the [`Expr::Shared`] sub-expressions computed so far.
    shared: Vec<Option<Items<'a>>>,
}

impl<'c, 'a> Env<'c, 'a> {
    pub fn new(ctx: &'c Context<'a>, context: &'c [Item<'a>]) -> Self {
        Env {
            ctx,
            context,
            index: None,
            total: None,
            defined: Vec::new(),
            lambda_depth: 0,
            shared: Vec::new(),
        }
    }

    pub fn eval(&mut self, e: &Expr, input: &[Item<'a>]) -> Result<Items<'a>, Error> {
        match e {
            Expr::Empty => Ok(Items::new()),
            Expr::Literal(v) => Ok(Items::one(Item::value(v.clone()))),
            Expr::This => Ok(Items::from(input)),
            Expr::Index => Ok(self
                .index
                .map(|i| Item::value(Value::Integer(i)))
                .into_iter()
                .collect()),
            Expr::Total => Ok(self.total.clone().unwrap_or_default()),
            Expr::Var(name) => self.variable(name),
            Expr::Member(target, name, hint) => {
                let mut out = Items::new();
                self.member(target.as_deref(), name, hint, input, |i| {
                    out.push(i);
                    ControlFlow::Continue(())
                })?;
                Ok(out)
            }
            // `path.first()` stops at the first item (R4's sdf-8 takes the
            // first of all the snapshot's elements, once per element).
            Expr::Call(Some(target), name, args) if name == "first" && args.is_empty() => {
                match &**target {
                    Expr::Member(t, step, hint) => {
                        let mut first = None;
                        self.member(t.as_deref(), step, hint, input, |i| {
                            first = Some(i);
                            ControlFlow::Break(())
                        })?;
                        Ok(first.into_iter().collect())
                    }
                    t => Ok(self.eval(t, input)?.into_iter().take(1).collect()),
                }
            }
            // Always one Boolean: the input is only looked into, not
            // collected (`extension.exists() != value.exists()`, ext-1).
            Expr::Call(target, name, args)
                if args.is_empty() && matches!(name.as_str(), "exists" | "empty") =>
            {
                let any = self.any(target.as_deref(), input)?;
                Ok(Items::one(Item::boolean(if name == "exists" {
                    any
                } else {
                    !any
                })))
            }
            Expr::Call(target, name, args) => {
                let base = match target {
                    Some(t) => self.eval(t, input)?,
                    None => Items::from(input),
                };
                functions::call(self, name, base, args, input)
            }
            Expr::Indexer(target, index) => {
                let base = self.eval(target, input)?;
                let idx = self.eval(index, input)?;
                let Some(i) = singleton_integer(&idx)? else {
                    return Ok(Items::new());
                };
                Ok(usize::try_from(i)
                    .ok()
                    .and_then(|i| base.get(i).cloned())
                    .into_iter()
                    .collect())
            }
            Expr::Negate(inner) => {
                let v = self.eval(inner, input)?;
                let Some(item) = singleton(&v)? else {
                    return Ok(Items::new());
                };
                let neg = match item.system_value() {
                    Some(Value::Integer(i)) => Value::Integer(i.checked_neg().unwrap_or(i64::MAX)),
                    Some(Value::Long(i)) => Value::Long(i.checked_neg().unwrap_or(i64::MAX)),
                    Some(Value::Decimal(d)) => Value::Decimal(d.neg()),
                    Some(Value::Quantity(q)) => {
                        Value::quantity(Quantity::new(q.value.neg(), q.unit))
                    }
                    _ => return Err(Error::execution("unary minus needs a number or quantity")),
                };
                Ok(Items::one(Item::value(neg)))
            }
            Expr::Is(inner, spec) => {
                let v = self.eval(inner, input)?;
                match singleton(&v)? {
                    None => Ok(Items::new()),
                    Some(item) => Ok(Items::one(Item::boolean(is_type(item, spec)?))),
                }
            }
            Expr::As(inner, spec) => {
                let v = self.eval(inner, input)?;
                match singleton(&v)? {
                    None => Ok(Items::new()),
                    Some(item) => Ok(if as_type(item, spec)? {
                        Items::one(item.clone())
                    } else {
                        Items::new()
                    }),
                }
            }
            Expr::Binary(op, l, r) => self.binary(*op, l, r, input),
            Expr::Shared(slot, inner) => self.shared(*slot, inner, input),
        }
    }

    /// The value of a shared sub-expression: computed at its first use, then
    /// copied. An error is returned, not kept.
    fn shared(&mut self, slot: usize, e: &Expr, input: &[Item<'a>]) -> Result<Items<'a>, Error> {
        if let Some(Some(v)) = self.shared.get(slot) {
            return Ok(v.clone());
        }
        let v = self.eval(e, input)?;
        if self.shared.len() <= slot {
            self.shared.resize(slot + 1, None);
        }
        if let Some(cell) = self.shared.get_mut(slot) {
            *cell = Some(v.clone());
        }
        Ok(v)
    }

    /// Evaluates `e` so that variables it defines (`defineVariable`) do not
    /// outlive it: each operand and argument is its own scope.
    pub fn scoped(&mut self, e: &Expr, input: &[Item<'a>]) -> Result<Items<'a>, Error> {
        let mark = self.defined.len();
        let r = self.eval(e, input);
        self.defined.truncate(mark);
        r
    }

    fn variable(&self, name: &str) -> Result<Items<'a>, Error> {
        if let Some((_, v)) = self.defined.iter().rev().find(|(n, _)| n == name) {
            return Ok(v.clone());
        }
        if let Some((_, v)) = self.ctx.variables.iter().rev().find(|(n, _)| n == name) {
            return Ok(Items::from(v.as_slice()));
        }
        let s = |s: &str| Ok(Items::one(Item::string(s)));
        match name {
            "resource" => Ok(self.ctx.resource.clone().into_iter().collect()),
            "rootResource" => Ok(self.ctx.root_resource.clone().into_iter().collect()),
            "context" => Ok(Items::from(self.context)),
            "ucum" => s("http://unitsofmeasure.org"),
            "sct" => s("http://snomed.info/sct"),
            "loinc" => s("http://loinc.org"),
            "terminologies" => Err(Error::unsupported(
                "%terminologies needs a terminology service",
            )),
            _ => {
                if let Some(rest) = name.strip_prefix("vs-") {
                    return s(&format!("http://hl7.org/fhir/ValueSet/{rest}"));
                }
                if let Some(rest) = name.strip_prefix("ext-") {
                    return s(&format!("http://hl7.org/fhir/StructureDefinition/{rest}"));
                }
                Err(Error::semantic(format!("unknown variable %{name}")))
            }
        }
    }

    /// A path step `target.name` (`name` on `input` without a target),
    /// each resulting item handed to `sink`, until it asks to stop.
    pub(crate) fn member(
        &mut self,
        target: Option<&Expr>,
        name: &str,
        hint: &FieldHint,
        input: &[Item<'a>],
        mut sink: impl FnMut(Item<'a>) -> ControlFlow<()>,
    ) -> Result<(), Error> {
        // `x.descendants().name` (csd-1's `descendants().concept`, dom-3's
        // `descendants().reference`): each level's items are looked into as
        // they are found, not first all copied into one collection. Never
        // a typed step, as after any function.
        // `x.children().name` (sdf-9's `children().element`, three times
        // per StructureDefinition) likewise looks into each child as it is
        // found instead of first copying every child of `x`.
        if let Some(Expr::Call(inner, f, args)) = target {
            if args.is_empty() && (f == "descendants" || f == "children") {
                let from = match inner {
                    Some(t) => self.eval(t, input)?,
                    None => Items::from(input),
                };
                if f == "children" {
                    self.children_member(&from, name, hint, sink);
                    return Ok(());
                }
                return self.descendants_member(from, name, hint, sink);
            }
        }
        let owned;
        let base: &[Item<'a>] = match target {
            Some(t) => {
                owned = self.eval(t, input)?;
                &owned
            }
            None => {
                // A type name as the first step selects the focus.
                if !input.is_empty()
                    && name.starts_with(|c: char| c.is_ascii_uppercase())
                    && input.iter().all(|i| {
                        matches!(&i.repr, Repr::Node(Node::Element(e), t)
                            if *t == name || e.type_info().name == name
                                || e.type_info().bases.contains(&name))
                    })
                {
                    let _ = input.iter().cloned().try_for_each(&mut sink);
                    return Ok(());
                }
                input
            }
        };
        let typed = self.lambda_depth == 0 && target.is_none_or(is_static_path);
        self.navigate(base, name, hint, typed, sink)
    }

    /// `from.descendants().name`, each child handed to `sink` until it
    /// asks to stop (the descendants are still all counted, for the same
    /// error past too many as `descendants()` gives).
    fn descendants_member(
        &self,
        from: Items<'a>,
        name: &str,
        hint: &FieldHint,
        mut sink: impl FnMut(Item<'a>) -> ControlFlow<()>,
    ) -> Result<(), Error> {
        let mut stopped = false;
        // Leaves without children have no child `name` either.
        functions::descendant_parents(from, |level| {
            for item in level {
                if stopped {
                    return;
                }
                let found = item.each_child(name, self.ctx.lenient_choices, Some(hint), &mut sink);
                stopped = matches!(found, Some(ControlFlow::Break(())));
            }
        })
    }

    /// `from.children().name`, each child of each item of `from` looked
    /// into as it is found, until `sink` asks to stop. As after any
    /// function, a name no child has is not an error.
    fn children_member(
        &self,
        from: &[Item<'a>],
        name: &str,
        hint: &FieldHint,
        mut sink: impl FnMut(Item<'a>) -> ControlFlow<()>,
    ) {
        let mut stopped = false;
        for item in from {
            item.for_each_child(|child| {
                if !stopped {
                    let found = child.each_child(name, self.ctx.lenient_choices, Some(hint), &mut sink);
                    stopped = matches!(found, Some(ControlFlow::Break(())));
                }
            });
            if stopped {
                return;
            }
        }
    }

    /// The children named `name` of every item. When the items' types are
    /// known statically (`typed`: a plain path from the focus), a name that
    /// none of them has is a semantic error, as in `name.given1`.
    fn navigate(
        &self,
        base: &[Item<'a>],
        name: &str,
        hint: &FieldHint,
        typed: bool,
        mut sink: impl FnMut(Item<'a>) -> ControlFlow<()>,
    ) -> Result<(), Error> {
        let mut any_known = base.is_empty();
        let mut any_element = false;
        for item in base {
            let is_element = matches!(item.repr, Repr::Node(Node::Element(_), _));
            any_element |= is_element;
            let found = match item.each_child(name, self.ctx.lenient_choices, Some(hint), &mut sink)
            {
                // The item has the field, so no error is due.
                Some(ControlFlow::Break(())) => return Ok(()),
                Some(ControlFlow::Continue(())) => true,
                None => false,
            };
            any_known |= found || !is_element || item.any_resource;
        }
        if typed && !any_known && any_element {
            let ty = base.first().map_or("", |i| i.type_name().1);
            return Err(Error::semantic(format!("{ty} has no element '{name}'")));
        }
        Ok(())
    }

    fn binary(
        &mut self,
        op: BinOp,
        l: &Expr,
        r: &Expr,
        input: &[Item<'a>],
    ) -> Result<Items<'a>, Error> {
        if let Some(logical) = self.logical(op, l, r, input)? {
            return Ok(logical.map(Item::boolean).into_iter().collect());
        }
        let a = self.scoped(l, input)?;
        let b = self.scoped(r, input)?;
        binary_values(op, a, b)
    }
}

fn binary_values<'a>(op: BinOp, a: Items<'a>, b: Items<'a>) -> Result<Items<'a>, Error> {
    let bool_out = |v: Option<bool>| Ok(v.map(Item::boolean).into_iter().collect());
    match op {
        BinOp::Union => Ok(union(a, b)),
        BinOp::Eq | BinOp::Ne => {
            if a.is_empty() || b.is_empty() {
                return Ok(Items::new());
            }
            let eq = collections_equal(&a, &b);
            bool_out(if op == BinOp::Eq { eq } else { eq.map(|e| !e) })
        }
        BinOp::Equiv => bool_out(Some(collections_equivalent(&a, &b))),
        BinOp::NotEquiv => bool_out(Some(!collections_equivalent(&a, &b))),
        BinOp::In | BinOp::Contains => {
            let (needle, hay) = if op == BinOp::In { (a, b) } else { (b, a) };
            match singleton(&needle)? {
                None => Ok(Items::new()),
                Some(n) => bool_out(Some(hay.iter().any(|h| equals(n, h) == Some(true)))),
            }
        }
        BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
            let (Some(x), Some(y)) = (singleton(&a)?, singleton(&b)?) else {
                return Ok(Items::new());
            };
            let Some(o) = order(x, y)? else {
                return Ok(Items::new());
            };
            bool_out(Some(match op {
                BinOp::Lt => o == Ordering::Less,
                BinOp::Gt => o == Ordering::Greater,
                BinOp::Le => o != Ordering::Greater,
                _ => o != Ordering::Less,
            }))
        }
        BinOp::Concat => {
            let text = |v: &[Item<'_>]| -> Result<String, Error> {
                Ok(singleton(v)?
                    .and_then(Item::system_value)
                    .map(|v| v.to_text())
                    .unwrap_or_default())
            };
            Ok(Items::one(Item::string(text(&a)? + &text(&b)?)))
        }
        _ => {
            let (Some(x), Some(y)) = (singleton(&a)?, singleton(&b)?) else {
                return Ok(Items::new());
            };
            let (Some(x), Some(y)) = (x.system_value(), y.system_value()) else {
                return Ok(Items::new());
            };
            Ok(arithmetic(op, &x, &y)?
                .map(Item::value)
                .into_iter()
                .collect())
        }
    }
}

/// Whether `e` is a plain path (`a.b[0].c`) from the focus, whose result
/// has a static type.
fn is_static_path(e: &Expr) -> bool {
    match e {
        Expr::Member(None, _, _) => true,
        Expr::Member(Some(t), _, _) | Expr::Indexer(t, _) | Expr::Shared(_, t) => is_static_path(t),
        _ => false,
    }
}

/// `+ - * / div mod` on two system values; `Ok(None)` for an empty result
/// (division by zero, overflow).
pub(crate) fn arithmetic(op: BinOp, x: &Value, y: &Value) -> Result<Option<Value>, Error> {
    use Value as V;
    let mismatch = || {
        Err(Error::semantic(format!(
            "cannot apply {op:?} to {} and {}",
            x.type_name(),
            y.type_name()
        )))
    };
    Ok(match (x, y) {
        (V::Integer(a), V::Integer(b))
        | (V::Long(a), V::Long(b))
        | (V::Integer(a), V::Long(b))
        | (V::Long(a), V::Integer(b)) => {
            let long = matches!(x, V::Long(_)) || matches!(y, V::Long(_));
            let wrap = |r: Option<i64>| {
                r.filter(|r| long || i32::try_from(*r).is_ok()).map(|r| {
                    if long {
                        V::Long(r)
                    } else {
                        V::Integer(r)
                    }
                })
            };
            match op {
                BinOp::Add => wrap(a.checked_add(*b)),
                BinOp::Sub => wrap(a.checked_sub(*b)),
                BinOp::Mul => wrap(a.checked_mul(*b)),
                BinOp::Div => Dec::from_int(*a).div(Dec::from_int(*b)).map(V::Decimal),
                BinOp::IntDiv => wrap(if *b == 0 { None } else { a.checked_div(*b) }),
                BinOp::Mod => wrap(if *b == 0 { None } else { a.checked_rem(*b) }),
                _ => return mismatch(),
            }
        }
        (
            V::Integer(_) | V::Long(_) | V::Decimal(_),
            V::Integer(_) | V::Long(_) | V::Decimal(_),
        ) => {
            let d = |v: &Value| match v {
                V::Integer(i) | V::Long(i) => Dec::from_int(*i),
                V::Decimal(d) => *d,
                _ => Dec::from_int(0),
            };
            let (a, b) = (d(x), d(y));
            match op {
                BinOp::Add => a.add(b).map(V::Decimal),
                BinOp::Sub => a.sub(b).map(V::Decimal),
                BinOp::Mul => a.mul(b).map(V::Decimal),
                BinOp::Div => a.div(b).map(V::Decimal),
                BinOp::IntDiv => a
                    .div_trunc(b)
                    .and_then(|i| i64::try_from(i).ok())
                    .map(V::Integer),
                BinOp::Mod => a.rem(b).map(V::Decimal),
                _ => return mismatch(),
            }
        }
        (V::String(a), V::String(b)) if op == BinOp::Add => Some(V::String(format!("{a}{b}"))),
        (V::Temporal(t), V::Quantity(q)) if matches!(op, BinOp::Add | BinOp::Sub) => {
            let amount = if op == BinOp::Sub {
                q.value.neg()
            } else {
                q.value
            };
            if !crate::datetime::is_date_arithmetic_unit(&q.unit) {
                return Err(Error::execution(format!("'{}' is not a time unit", q.unit)));
            }
            t.add(amount, &q.unit).map(V::temporal)
        }
        (V::Quantity(a), V::Quantity(b)) => match op {
            BinOp::Add => a.add(b, false).map(V::quantity),
            BinOp::Sub => a.add(b, true).map(V::quantity),
            BinOp::Mul => a.mul(b).map(V::quantity),
            BinOp::Div => a.div(b).map(V::quantity),
            _ => return mismatch(),
        },
        (V::Quantity(a), V::Integer(_) | V::Decimal(_))
        | (V::Integer(_) | V::Decimal(_), V::Quantity(a))
            if matches!(op, BinOp::Mul | BinOp::Div) =>
        {
            let n = match (x, y) {
                (V::Integer(i), _) | (_, V::Integer(i)) => Dec::from_int(*i),
                (V::Decimal(d), _) | (_, V::Decimal(d)) => *d,
                _ => Dec::from_int(1),
            };
            let q1 = Quantity::new(n, "1");
            let r = if matches!(x, V::Quantity(_)) {
                if op == BinOp::Mul {
                    a.mul(&q1)
                } else {
                    a.div(&q1)
                }
            } else if op == BinOp::Mul {
                q1.mul(a)
            } else {
                q1.div(a)
            };
            r.map(V::quantity)
        }
        _ => return mismatch(),
    })
}

/// `=` on collections: same length and pairwise equal, in order.
pub(crate) fn collections_equal(a: &[Item<'_>], b: &[Item<'_>]) -> Option<bool> {
    if a.len() != b.len() {
        return Some(false);
    }
    let mut unknown = false;
    for (x, y) in a.iter().zip(b) {
        match equals(x, y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown {
        None
    } else {
        Some(true)
    }
}

/// `~` on collections: same length and each item has an equivalent, in any order.
pub(crate) fn collections_equivalent(a: &[Item<'_>], b: &[Item<'_>]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    'outer: for x in a {
        for (j, y) in b.iter().enumerate() {
            if !used.get(j).copied().unwrap_or(true) && equivalent(x, y) {
                if let Some(u) = used.get_mut(j) {
                    *u = true;
                }
                continue 'outer;
            }
        }
        return false;
    }
    true
}

/// Items of both collections without duplicates (`|`, `union`).
pub(crate) fn union<'a>(a: Items<'a>, b: Items<'a>) -> Items<'a> {
    distinct(a.iter().chain(&b)).into_iter().cloned().collect()
}

/// The first of each group of equal items, in order (`union`, `distinct`,
/// `isDistinct`).
///
/// Strings (most of what invariants such as dom-3 collect from a whole
/// resource: references, URIs) are deduplicated through a hash set of their
/// text, borrowed from the items, since string equality is exact; other
/// items by pairwise `=`, among themselves only (a string never equals an
/// element or another kind of value).
///
/// The first few strings are kept in a list and compared in turn: most
/// collections an invariant deduplicates are small (eld-13's type codes,
/// eld-14's constraint keys), where that is cheaper than hashing each.
pub(crate) fn distinct<'b, 'a: 'b>(items: impl Iterator<Item = &'b Item<'a>>) -> Vec<&'b Item<'a>> {
    const LISTED: usize = 16;
    // Sized for the whole input up front: growing the set rehashed every
    // string already in it at each doubling (sdf-1's paths, sdf-16's ids).
    let expected = items.size_hint().0;
    let mut out = Vec::with_capacity(expected);
    let mut listed: Vec<std::borrow::Cow<'b, str>> = Vec::new();
    // Seeded per process like std's SipHash (the strings come from the
    // input), at a fraction of its cost per string.
    let mut strings: std::collections::HashSet<std::borrow::Cow<'b, str>, foldhash::fast::RandomState> =
        std::collections::HashSet::with_capacity_and_hasher(
            if expected > LISTED { expected } else { 0 },
            foldhash::fast::RandomState::default(),
        );
    let mut others: Vec<&'b Item<'a>> = Vec::new();
    for item in items {
        let first = match item.string_text() {
            Some(s) if listed.len() < LISTED => {
                let new = !listed.contains(&s);
                if new {
                    listed.push(s);
                    if listed.len() == LISTED {
                        strings.extend(listed.iter().cloned());
                    }
                }
                new
            }
            Some(s) => strings.insert(s),
            None if others.iter().any(|o| equals(o, item) == Some(true)) => false,
            None => {
                others.push(item);
                true
            }
        };
        if first {
            out.push(item);
        }
    }
    out
}

/// Whether no two items are equal (`isDistinct()`), as [`distinct`] tells
/// them apart: strings by their text, other items by `=`, a string never
/// equal to another kind of item.
///
/// Most collections it sees are small (eld-13's type codes and eld-14's
/// constraint keys at every ElementDefinition, one to three items): those
/// are compared pairwise, without the lists and the set [`distinct`] builds.
pub(crate) fn is_distinct(items: &[Item<'_>]) -> bool {
    const PAIRWISE: usize = 8;
    if items.len() > PAIRWISE {
        return distinct(items.iter()).len() == items.len();
    }
    items.iter().enumerate().all(|(i, item)| {
        let text = item.string_text();
        items
            .iter()
            .take(i)
            .all(|earlier| match (&text, earlier.string_text()) {
                (Some(a), Some(b)) => *a != b,
                (None, None) => equals(earlier, item) != Some(true),
                _ => true,
            })
    })
}

/// The single item of a collection; an error for more than one.
pub(crate) fn singleton<'b, 'a>(v: &'b [Item<'a>]) -> Result<Option<&'b Item<'a>>, Error> {
    match v {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(Error::execution(format!(
            "expected a single item, found {}",
            v.len()
        ))),
    }
}

/// A collection as a boolean, per the singleton evaluation rules: empty is
/// unknown, a single Boolean is itself, any other single item is true.
pub(crate) fn to_bool(v: &[Item<'_>]) -> Result<Option<bool>, Error> {
    // Read in place: every invariant ends here, so no value is built.
    Ok(singleton(v)?.map(|item| match &item.repr {
        Repr::Value(Value::Boolean(b)) => *b,
        Repr::Node(Node::Primitive(p), "boolean") => p.lexical().is_none_or(|t| t == "true"),
        _ => true,
    }))
}

pub(crate) fn singleton_integer(v: &[Item<'_>]) -> Result<Option<i64>, Error> {
    match singleton(v)? {
        None => Ok(None),
        Some(item) => match item.system_value() {
            Some(Value::Integer(i) | Value::Long(i)) => Ok(Some(i)),
            _ => Err(Error::execution("expected an integer")),
        },
    }
}

/// The current date-time (UTC, millisecond precision) for `now()`.
pub(crate) fn now() -> Temporal {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
    let epoch = Temporal {
        kind: TemporalKind::DateTime,
        year: Some(1970),
        month: Some(1),
        day: Some(1),
        hour: Some(0),
        minute: Some(0),
        second: Some(0),
        fraction: Some("000".to_owned()),
        tz: Some(0),
    };
    epoch.add(Dec::new(i128::from(ms), 3), "s").unwrap_or(epoch)
}

#[cfg(test)]
mod tests {
    use super::{distinct, is_distinct};
    use crate::decimal::Dec;
    use crate::item::Item;
    use crate::value::Value;

    /// Item `k` of a small alphabet with equal pairs across kinds: strings,
    /// integers, and decimals equal to some of the integers (`1 = 1.0`).
    fn item(k: u64) -> Item<'static> {
        match k % 7 {
            0 | 1 => Item::string(["a", "b", "1"][(k / 7 % 3) as usize]),
            2 | 3 => Item::value(Value::Integer((k / 7 % 3) as i64)),
            4 => Item::value(Value::Decimal(Dec::from_int((k / 7 % 2) as i64))),
            5 => Item::boolean(k / 7 % 2 == 0),
            _ => Item::string("a"),
        }
    }

    #[test]
    fn is_distinct_agrees_with_distinct() {
        // A fixed pseudo-random sequence of collections of 0 to 12 items,
        // both sides of the pairwise limit.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut yes, mut no) = (0, 0);
        for _ in 0..5_000 {
            let n = (next() % 13) as usize;
            let items: Vec<Item<'static>> = (0..n).map(|_| item(next() % 42)).collect();
            let expected = distinct(items.iter()).len() == items.len();
            assert_eq!(is_distinct(&items), expected, "{items:?}");
            if expected {
                yes += 1;
            } else {
                no += 1;
            }
        }
        assert!(
            yes > 500 && no > 500,
            "both answers exercised: {yes} / {no}"
        );
    }
}
