//! Sub-expressions computed once per evaluation ([`Expr::Shared`]), marked
//! after parsing.
//!
//! Two kinds give the same result every time they are evaluated within one
//! evaluation:
//!
//! - *Constant* ones read nothing of their input: paths and functions from
//!   `%resource`, `%rootResource`, `%context` or a literal. Inside a
//!   criterion they would otherwise be recomputed for every item (R4's
//!   sdf-8 reads `%resource.snapshot.element.first().path & '.'` at every
//!   element, dom-3 builds the union of four `%resource.descendants()` for
//!   every contained resource).
//! - *Repeated* ones on the focus: the same path or call written several
//!   times outside any criterion, each time on the focus (sdf-9 writes
//!   `children().element.where(path.contains('.').not())` three times).
//!
//! The marked expression evaluates to the same results and errors: a shared
//! value is computed where it is first needed (never when it is not), and an
//! error is not kept.

use crate::ast::Expr;

/// Marks the shared sub-expressions of `e`; their slots are numbered from 0.
pub(crate) fn share(e: Expr) -> Expr {
    let mut slots: Vec<Expr> = Vec::new();
    let e = mark_constants(e, &mut slots);
    if !reads_scoped_state(&e) {
        let mut seen = Vec::new();
        focus_level(&e, &mut |sub| seen.push(sub.clone()));
        let repeated: Vec<Expr> = seen
            .iter()
            .enumerate()
            .filter(|(i, sub)| seen.iter().skip(i + 1).any(|other| other == *sub))
            .map(|(_, sub)| sub.clone())
            .collect();
        if !repeated.is_empty() {
            return mark_repeated(e, &repeated, &mut slots);
        }
    }
    e
}

/// The slot of `sub` among those marked so far (structurally equal
/// sub-expressions share one), adding it if new.
fn slot(sub: &Expr, slots: &mut Vec<Expr>) -> usize {
    match slots.iter().position(|s| s == sub) {
        Some(i) => i,
        None => {
            slots.push(sub.clone());
            slots.len() - 1
        }
    }
}

/// Wraps every largest constant sub-expression that does some work (a path
/// step or a call), wherever it is.
fn mark_constants(e: Expr, slots: &mut Vec<Expr>) -> Expr {
    if is_constant(&e) && does_work(&e) {
        let s = slot(&e, slots);
        return Expr::Shared(s, Box::new(e));
    }
    map_children(e, &mut |c| mark_constants(c, slots))
}

/// Wraps the focus-level occurrences of the `repeated` sub-expressions
/// (the largest first: a repeated one is not looked into).
fn mark_repeated(e: Expr, repeated: &[Expr], slots: &mut Vec<Expr>) -> Expr {
    if repeated.contains(&e) {
        let s = slot(&e, slots);
        return Expr::Shared(s, Box::new(e));
    }
    match e {
        Expr::Call(target, name, args) if !args_on_focus(&name) => Expr::Call(
            target.map(|t| Box::new(mark_repeated(*t, repeated, slots))),
            name,
            args,
        ),
        e => map_children(e, &mut |c| mark_repeated(c, repeated, slots)),
    }
}

/// Calls `f` on every path step with a target and every call (what is worth
/// sharing) that is evaluated on the focus itself: not inside criteria or
/// projections, nor in the arguments of functions that evaluate them on
/// anything but the focus.
fn focus_level(e: &Expr, f: &mut impl FnMut(&Expr)) {
    match e {
        Expr::Member(Some(t), _, _) => {
            f(e);
            focus_level(t, f);
        }
        Expr::Call(target, name, args) => {
            f(e);
            if let Some(t) = target {
                focus_level(t, f);
            }
            if args_on_focus(name) {
                args.iter().for_each(|a| focus_level(a, f));
            }
        }
        Expr::Indexer(a, b) | Expr::Binary(_, a, b) => {
            focus_level(a, f);
            focus_level(b, f);
        }
        Expr::Negate(a) | Expr::Is(a, _) | Expr::As(a, _) | Expr::Shared(_, a) => focus_level(a, f),
        Expr::Empty
        | Expr::Literal(_)
        | Expr::Member(None, _, _)
        | Expr::This
        | Expr::Index
        | Expr::Total
        | Expr::Var(_) => {}
    }
}

/// Whether the arguments of `name` are evaluated on the focus of the call
/// (`substring(1)`, `union(x)`), not on each input item (`where`), on the
/// input (`iif`, `defineVariable`), or not at all (type names).
fn args_on_focus(name: &str) -> bool {
    !matches!(
        name,
        "where"
            | "select"
            | "all"
            | "exists"
            | "repeat"
            | "repeatAll"
            | "sort"
            | "aggregate"
            | "iif"
            | "defineVariable"
            | "ofType"
            | "is"
            | "as"
    )
}

/// Whether `e` reads nothing of its input and nothing scoped: only the
/// evaluation's fixed variables, literals, and what is computed from them.
/// Criteria of its calls may read their own items (`$this`, `$index`, bare
/// names), which come from the constant input.
fn is_constant(e: &Expr) -> bool {
    match e {
        Expr::Empty | Expr::Literal(_) => true,
        Expr::Var(name) => fixed_variable(name),
        Expr::Member(Some(t), _, _) => is_constant(t),
        Expr::Call(Some(t), name, args) => {
            is_constant(t)
                && !varies_by_call(name)
                && if args_on_focus(name) {
                    args.iter().all(is_constant)
                } else {
                    matches!(name.as_str(), "ofType" | "is" | "as")
                        || (name != "iif"
                            && name != "defineVariable"
                            && args.iter().all(|a| !reads_scoped_state(a)))
                }
        }
        Expr::Indexer(a, b) | Expr::Binary(_, a, b) => is_constant(a) && is_constant(b),
        Expr::Negate(a) | Expr::Is(a, _) | Expr::As(a, _) | Expr::Shared(_, a) => is_constant(a),
        Expr::Member(None, _, _)
        | Expr::Call(None, _, _)
        | Expr::This
        | Expr::Index
        | Expr::Total => false,
    }
}

/// Variables that keep one value for a whole evaluation.
fn fixed_variable(name: &str) -> bool {
    matches!(
        name,
        "resource" | "rootResource" | "context" | "ucum" | "sct" | "loinc"
    ) || name.starts_with("vs-")
        || name.starts_with("ext-")
}

/// Functions that may give another result at each call: the clock.
fn varies_by_call(name: &str) -> bool {
    matches!(name, "now" | "today" | "timeOfDay")
}

/// Whether `e` reads state set by an enclosing function: `$total`,
/// variables other than the fixed ones, or defines variables.
fn reads_scoped_state(e: &Expr) -> bool {
    match e {
        Expr::Total => true,
        Expr::Var(name) => !fixed_variable(name),
        Expr::Call(target, name, args) => {
            name == "defineVariable"
                || varies_by_call(name)
                || target.as_deref().is_some_and(reads_scoped_state)
                || args.iter().any(reads_scoped_state)
        }
        Expr::Member(Some(a), _, _)
        | Expr::Negate(a)
        | Expr::Is(a, _)
        | Expr::As(a, _)
        | Expr::Shared(_, a) => reads_scoped_state(a),
        Expr::Indexer(a, b) | Expr::Binary(_, a, b) => {
            reads_scoped_state(a) || reads_scoped_state(b)
        }
        Expr::Empty | Expr::Literal(_) | Expr::Member(None, _, _) | Expr::This | Expr::Index => {
            false
        }
    }
}

/// Whether evaluating `e` does more than copy a literal or a variable.
fn does_work(e: &Expr) -> bool {
    match e {
        Expr::Member(..) | Expr::Call(..) => true,
        Expr::Indexer(a, b) | Expr::Binary(_, a, b) => does_work(a) || does_work(b),
        Expr::Negate(a) | Expr::Is(a, _) | Expr::As(a, _) | Expr::Shared(_, a) => does_work(a),
        Expr::Empty | Expr::Literal(_) | Expr::This | Expr::Index | Expr::Total | Expr::Var(_) => {
            false
        }
    }
}

/// `e` with `f` applied to each direct sub-expression.
fn map_children(e: Expr, f: &mut impl FnMut(Expr) -> Expr) -> Expr {
    let mut b = |x: Box<Expr>| Box::new(f(*x));
    match e {
        Expr::Member(t, name, hint) => Expr::Member(t.map(&mut b), name, hint),
        Expr::Call(t, name, args) => {
            let t = t.map(&mut b);
            Expr::Call(t, name, args.into_iter().map(&mut *f).collect())
        }
        Expr::Indexer(x, y) => {
            let x = b(x);
            Expr::Indexer(x, b(y))
        }
        Expr::Binary(op, x, y) => {
            let x = b(x);
            Expr::Binary(op, x, b(y))
        }
        Expr::Negate(x) => Expr::Negate(b(x)),
        Expr::Is(x, t) => Expr::Is(b(x), t),
        Expr::As(x, t) => Expr::As(b(x), t),
        Expr::Shared(s, x) => Expr::Shared(s, x),
        e @ (Expr::Empty
        | Expr::Literal(_)
        | Expr::This
        | Expr::Index
        | Expr::Total
        | Expr::Var(_)) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::share;
    use crate::ast::Expr;
    use crate::parser::parse;

    /// The shared sub-expressions, by slot, as their debug text.
    fn shared(text: &str) -> Vec<usize> {
        fn walk(e: &Expr, out: &mut Vec<usize>) {
            if let Expr::Shared(s, inner) = e {
                out.push(*s);
                walk(inner, out);
                return;
            }
            match e {
                Expr::Member(Some(t), _, _) | Expr::Negate(t) | Expr::Is(t, _) | Expr::As(t, _) => {
                    walk(t, out)
                }
                Expr::Call(t, _, args) => {
                    if let Some(t) = t {
                        walk(t, out);
                    }
                    args.iter().for_each(|a| walk(a, out));
                }
                Expr::Indexer(a, b) | Expr::Binary(_, a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&share(parse(text).unwrap()), &mut out);
        out
    }

    #[test]
    fn constants_inside_criteria_are_shared() {
        assert_eq!(
            shared("element.all(path.startsWith(%resource.snapshot.element.first().path & '.'))"),
            [0]
        );
        assert_eq!(shared("a.where(b in (%resource.x | %resource.y))"), [0]);
        assert_eq!(shared("a.where(b = 'x')"), Vec::<usize>::new());
        assert_eq!(shared("a.where(b = now())"), Vec::<usize>::new());
    }

    #[test]
    fn repeated_focus_paths_are_shared() {
        assert_eq!(
            shared("a.where(b).c.empty() and a.where(b).d.empty()"),
            [0, 0]
        );
        // Inside a criterion the focus differs per item.
        assert_eq!(
            shared("x.all(a.b.exists() and a.b.c.exists())"),
            Vec::<usize>::new()
        );
        // Variables defined in the expression: nothing repeated is shared.
        assert_eq!(
            shared("defineVariable('v', a).a.b.exists() and a.b.exists()"),
            Vec::<usize>::new()
        );
    }
}
