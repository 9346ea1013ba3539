//! Filtering, projection, subsetting and combining: `where`, `select`,
//! `repeat`, `ofType`, `first`..., `union`, `combine`, `iif`, `aggregate`,
//! `sort`, tree navigation, `trace`, `defineVariable`, `type`.

use std::cmp::Ordering;
use std::ops::ControlFlow;

use super::Call;
use crate::ast::Expr;
use crate::compare::{equals, order};
use crate::error::Error;
use crate::field_hint::FieldHint;
use crate::eval::{singleton, union};
use crate::item::Item;
use crate::items::Items;
use crate::types::{as_type, is_type, type_of};

/// Most items `repeat` collects before giving up (cyclic data cannot occur
/// in a tree, but a repeated computed value could grow forever).
const REPEAT_LIMIT: usize = 100_000;

/// The descendants of `input` (`descendants()`), one level of the tree at
/// a time, in the order `descendants()` lists them; an error past a million
/// items. A path step after `descendants()` takes each level's children
/// from here without collecting all descendants first
/// ([`crate::eval::Env::member`]).
pub(crate) fn descendant_levels<'a>(
    input: Items<'a>,
    level: impl FnMut(&[Item<'a>]),
) -> Result<(), Error> {
    levels(input, true, level)
}

/// [`descendant_levels`] without the leaves that can have no children of
/// their own (a primitive without id or extensions, plain text), which
/// are only counted: a path step after `descendants()` finds nothing in
/// them (csd-1's `descendants().concept` walks every CodeSystem, whose
/// descendants are mostly such primitives). The levels, the order of what
/// is kept, and the count for the error past a million are as in
/// [`descendant_levels`].
pub(crate) fn descendant_parents<'a>(
    input: Items<'a>,
    level: impl FnMut(&[Item<'a>]),
) -> Result<(), Error> {
    levels(input, false, level)
}

fn levels<'a>(
    input: Items<'a>,
    leaves: bool,
    mut level: impl FnMut(&[Item<'a>]),
) -> Result<(), Error> {
    let mut count = 0usize;
    // Two buffers, swapped and cleared level by level: a new collection per
    // level grew from nothing by doubling at every level (csd-1 walks every
    // CodeSystem's concept tree this way).
    let mut frontier = input.into_vec();
    let mut next = Vec::with_capacity(frontier.len() * 4);
    while !frontier.is_empty() {
        next.clear();
        if leaves {
            for item in &frontier {
                item.all_children(&mut next);
            }
            count += next.len();
        } else {
            for item in &frontier {
                item.for_each_parent_child(&mut count, |c| next.push(c));
            }
        }
        if count > REPEAT_LIMIT * 10 {
            return Err(Error::execution("descendants(): too many items"));
        }
        level(&next);
        std::mem::swap(&mut frontier, &mut next);
    }
    Ok(())
}

/// The field a projection takes from each item when it is one path step
/// (`select(code)` in eld-13, `select(key)` in eld-14, `select(path)` in
/// sdf-1): taken from each item directly, as the criterion would (inside
/// it a name no item has gives empty, not an error), without evaluating the
/// criterion once per item. Not a type name, which selects the item itself.
fn plain_step(e: &Expr) -> Option<(&str, &FieldHint)> {
    match e {
        Expr::Member(None, name, hint) if !name.starts_with(|c: char| c.is_ascii_uppercase()) => {
            Some((name, hint))
        }
        _ => None,
    }
}

fn type_arg(c: &Call<'_, '_, '_>) -> Result<crate::ast::TypeSpec, Error> {
    c.lambda(0)?
        .as_type_spec()
        .ok_or_else(|| Error::semantic(format!("{}() needs a type name", c.name)))
}

pub(super) fn call<'a>(c: &mut Call<'_, '_, 'a>) -> Result<Option<Items<'a>>, Error> {
    // Taken, not cloned: given back below when the function is not one of these.
    let input = std::mem::take(&mut c.input);
    Ok(Some(match c.name {
        "where" => {
            let e = c.lambda(0)?;
            let mut out = Items::new();
            for (i, item) in input.iter().enumerate() {
                if c.each_bool(e, item, i)? == Some(true) {
                    out.push(item.clone());
                }
            }
            out
        }
        "select" => {
            let e = c.lambda(0)?;
            let mut out = Items::new();
            if let Some((name, hint)) = plain_step(e) {
                let lenient = c.env.ctx.lenient_choices;
                for item in input.iter() {
                    let _ = item.each_child(name, lenient, Some(hint), |child| {
                        out.push(child);
                        ControlFlow::Continue(())
                    });
                }
                return Ok(Some(out));
            }
            for (i, item) in input.iter().enumerate() {
                out.extend(c.each(e, item, i)?);
            }
            out
        }
        "repeat" | "repeatAll" => {
            let e = c.lambda(0)?;
            let mut out: Items<'a> = Items::new();
            let mut frontier = input;
            while !frontier.is_empty() {
                let mut next = Items::new();
                for (i, item) in frontier.iter().enumerate() {
                    for r in c.each(e, item, i)? {
                        if c.name == "repeat" && out.iter().any(|o| equals(o, &r) == Some(true)) {
                            continue;
                        }
                        out.push(r.clone());
                        next.push(r);
                    }
                }
                if out.len() > REPEAT_LIMIT {
                    return Err(Error::execution("repeat() produced too many items"));
                }
                frontier = next;
            }
            out
        }
        // `as` on several items filters like `ofType` when the context asks
        // for it (R4's dom-3).
        name @ ("ofType" | "as") if name == "ofType" || (c.env.ctx.as_filters && input.len() > 1) => {
            let spec = type_arg(c)?;
            let mut out = Items::new();
            for item in input {
                if as_type(&item, &spec)? {
                    out.push(item);
                }
            }
            out
        }
        "is" | "as" => {
            let spec = type_arg(c)?;
            match singleton(&input)? {
                None => Items::new(),
                Some(item) => {
                    let yes = if c.name == "is" {
                        is_type(item, &spec)?
                    } else {
                        as_type(item, &spec)?
                    };
                    if c.name == "is" {
                        Items::one(Item::boolean(yes))
                    } else if yes {
                        Items::one(item.clone())
                    } else {
                        Items::new()
                    }
                }
            }
        }
        "single" => match input.len() {
            0 | 1 => input,
            _ => return Err(Error::execution("single(): more than one item")),
        },
        "first" => input.into_iter().take(1).collect(),
        "last" => input.last().cloned().into_iter().collect(),
        "tail" => input.into_iter().skip(1).collect(),
        "skip" | "take" => {
            let n = c.arg_integer(0)?;
            let n = usize::try_from(n.unwrap_or(0).max(0)).unwrap_or(usize::MAX);
            if c.name == "skip" {
                input.into_iter().skip(n).collect()
            } else {
                input.into_iter().take(n).collect()
            }
        }
        "intersect" => {
            let other = c.arg(0)?;
            let kept = input
                .into_iter()
                .filter(|i| other.iter().any(|o| equals(i, o) == Some(true)))
                .collect();
            union(kept, Items::new())
        }
        "exclude" => {
            let other = c.arg(0)?;
            input
                .into_iter()
                .filter(|i| !other.iter().any(|o| equals(i, o) == Some(true)))
                .collect()
        }
        "union" => {
            let other = c.arg(0)?;
            union(input, other)
        }
        "combine" => {
            let mut out = input;
            out.extend(c.arg(0)?);
            out
        }
        "iif" => {
            if input.len() > 1 {
                return Err(Error::semantic(
                    "iif() on a collection of more than one item",
                ));
            }
            let cond = c.lambda(0)?;
            let saved = c.env.index.take();
            // A comparison or logical criterion gives empty or one
            // Boolean: evaluated as a boolean, without its collection
            // (eld-2's `iif(max != '*', ...)` on every ElementDefinition).
            if gives_boolean(cond) {
                let test = c.env.scoped_bool(cond, &input);
                c.env.index = saved;
                let branch = if test?.unwrap_or(false) { 1 } else { 2 };
                return Ok(Some(match c.args.get(branch) {
                    Some(e) => c.env.scoped(e, &input)?,
                    None => Items::new(),
                }));
            }
            let test = c.env.scoped(cond, &input);
            c.env.index = saved;
            let test = test?;
            let yes = match test.as_slice() {
                [] => false,
                [one] => match one.value_text().as_deref() {
                    Some("true") if one.type_name().1.eq_ignore_ascii_case("boolean") => true,
                    Some("false") if one.type_name().1.eq_ignore_ascii_case("boolean") => false,
                    _ => return Err(Error::semantic("iif() criterion is not a boolean")),
                },
                _ => return Err(Error::semantic("iif() criterion is a collection")),
            };
            let branch = if yes { 1 } else { 2 };
            match c.args.get(branch) {
                Some(e) => c.env.scoped(e, &input)?,
                None => Items::new(),
            }
        }
        "aggregate" => {
            let e = c.lambda(0)?;
            let mut total = if c.args.len() > 1 {
                c.arg(1)?
            } else {
                Items::new()
            };
            let saved = c.env.total.take();
            for (i, item) in input.iter().enumerate() {
                c.env.total = Some(total);
                let r = c.each(e, item, i);
                total = match r {
                    Ok(t) => t,
                    Err(err) => {
                        c.env.total = saved;
                        return Err(err);
                    }
                };
            }
            c.env.total = saved;
            total
        }
        "sort" => sort(c, input)?,
        "children" => {
            let mut out = Items::new();
            for item in &input {
                item.all_children(&mut out);
            }
            out
        }
        "descendants" => {
            let mut out = Items::new();
            descendant_levels(input, |level| out.extend(level.iter().cloned()))?;
            out
        }
        "trace" => {
            // Tracing goes nowhere by default: the result is the input.
            let _ = c.arg(0)?;
            input
        }
        "defineVariable" => {
            let name = c
                .arg_string(0)?
                .ok_or_else(|| Error::semantic("defineVariable(): needs a name"))?;
            if matches!(
                name.as_str(),
                "context" | "resource" | "rootResource" | "ucum" | "sct" | "loinc"
            ) || c.env.defined.iter().any(|(n, _)| *n == name)
            {
                return Err(Error::semantic(format!(
                    "variable %{name} is already defined"
                )));
            }
            let value = match c.args.get(1) {
                Some(e) => c.env.scoped(e, &input)?,
                None => input.clone(),
            };
            c.env.defined.push((name, value));
            input
        }
        "type" => input.iter().map(type_of).collect(),
        _ => {
            c.input = input;
            return Ok(None);
        }
    }))
}

/// Whether `e` always gives empty or a single Boolean: comparisons,
/// equality, membership and the logical operators.
fn gives_boolean(e: &Expr) -> bool {
    use crate::ast::BinOp as B;
    matches!(
        e,
        Expr::Binary(
            B::Lt | B::Gt | B::Le | B::Ge | B::Eq | B::Equiv | B::Ne | B::NotEquiv
                | B::In | B::Contains | B::And | B::Or | B::Xor | B::Implies,
            _,
            _
        )
    )
}

/// `sort(keys...)`: each key expression may be wrapped in unary minus for
/// descending order; without keys the items themselves are the key.
fn sort<'a>(c: &mut Call<'_, '_, 'a>, input: Items<'a>) -> Result<Items<'a>, Error> {
    let mut keyed: Vec<(Vec<Option<Item<'a>>>, Item<'a>)> = Vec::new();
    let keys: Vec<(Expr, bool)> = c
        .args
        .iter()
        .map(|a| match a {
            Expr::Negate(inner) => ((**inner).clone(), true),
            e => (e.clone(), false),
        })
        .collect();
    for (i, item) in input.into_iter().enumerate() {
        let mut ks = Vec::new();
        if keys.is_empty() {
            ks.push(Some(item.clone()));
        }
        for (k, _) in &keys {
            let v = c.each(k, &item, i)?;
            ks.push(singleton(&v)?.cloned());
        }
        keyed.push((ks, item));
    }
    let mut err = None;
    keyed.sort_by(|(a, _), (b, _)| {
        for (idx, (x, y)) in a.iter().zip(b).enumerate() {
            let desc = keys.get(idx).is_some_and(|(_, d)| *d);
            // Items without a key come first in either direction.
            let o = match (x, y) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(x), Some(y)) => match order(x, y) {
                    Ok(o) => o.unwrap_or(Ordering::Equal),
                    Err(e) => {
                        err = Some(e);
                        Ordering::Equal
                    }
                },
            };
            let o = if desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    match err {
        Some(e) => Err(e),
        None => Ok(keyed.into_iter().map(|(_, i)| i).collect()),
    }
}
