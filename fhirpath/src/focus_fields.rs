//! Which fields of the focus an expression reads, when it reads the focus
//! only through them.
//!
//! A validator evaluates each invariant at every instance of its element,
//! and most instances leave most fields out (`binding.empty() or ...` at an
//! ElementDefinition without a binding, `contained.contained.empty()` at a
//! resource without contained resources). When an expression reaches the
//! focus only by path steps from it (`a.b`, `a.where(...)`), and nothing else
//! it reads can differ between two foci of the same type (no `$this` of the
//! focus, no `%resource`, no clock), its result at a focus whose listed
//! fields are all empty is the same at every such focus of that type: the
//! caller may evaluate it once per type and reuse the verdict.
//!
//! The analysis is conservative: any construct it does not know to be safe
//! gives `None` (no list, always evaluate).

use crate::ast::{BinOp, Expr};
use crate::eval::{Context, Env};
use crate::item::Item;

/// Where a sub-expression is evaluated: on the focus itself, or on the items
/// of a collection the expression built (the criteria of `where`...).
#[derive(Clone, Copy, PartialEq)]
enum On {
    Focus,
    Items,
}

/// The names of the focus's fields `e` reads (first path steps from the
/// focus), or `None` when its result may depend on anything else about the
/// focus or on the evaluation's context.
pub(crate) fn focus_fields(e: &Expr) -> Option<Vec<String>> {
    let mut names = Vec::new();
    visit(e, On::Focus, &mut names)?;
    names.sort();
    names.dedup();
    Some(names)
}

/// Whether `e` reads its focus only through whether fields of it are empty
/// (`extension.exists() != value.exists()`, `code.empty() or
/// system.exists()`): its fields' presence tests combined by operators and
/// `not()`, with literals. Its result (or error) at a focus is then decided
/// by its type and which of [`focus_fields`] are empty there, so a caller
/// may evaluate it once per type and pattern of empty fields.
pub(crate) fn reads_only_presence(e: &Expr) -> bool {
    match e {
        Expr::Literal(_) | Expr::Empty => true,
        Expr::Call(Some(t), name, args) if args.is_empty() => match (&**t, name.as_str()) {
            (Expr::Member(None, field, _), "exists" | "empty") => {
                !field.starts_with(|c: char| c.is_ascii_uppercase())
            }
            (t, "not") => reads_only_presence(t),
            _ => false,
        },
        Expr::Binary(_, a, b) => reads_only_presence(a) && reads_only_presence(b),
        Expr::Shared(_, a) => reads_only_presence(a),
        _ => false,
    }
}

/// Whether `e` reads its focus only through the values of the fields
/// [`focus_fields`] lists (`min <= max.toInteger()`, `path.matches('...')`,
/// `(isModifier.exists() and isModifier) implies isModifierReason.exists()`):
/// each first path step from the focus is used only by functions and
/// operators that read its items' values (or whether there are any), never
/// navigated further or handed to a function that could look into the items
/// (`extension`, `children()`, a criterion's `$this`). At a focus whose
/// fields hold primitives, the result (or error) is then decided by the
/// type and those fields' values, so a caller may keep one verdict per
/// type and tuple of values.
pub(crate) fn reads_only_values(e: &Expr) -> bool {
    focus_fields(e).is_some() && values_only(e)
}

/// [`reads_only_values`] without the check that the expression reads
/// nothing else: no sub-expression hands items of a focus field to
/// anything but a value reader.
fn values_only(e: &Expr) -> bool {
    match e {
        Expr::Member(Some(t), _, _) => !holds_field_items(t) && values_only(t),
        Expr::Call(target, name, args) => {
            let target_ok = match target {
                Some(t) => (reads_values(name, args) || !holds_field_items(t)) && values_only(t),
                None => true,
            };
            target_ok && args.iter().all(|a| !holds_field_items(a) && values_only(a))
        }
        Expr::Binary(op, a, b) => {
            let operands_ok =
                !matches!(op, BinOp::Union) || (!holds_field_items(a) && !holds_field_items(b));
            operands_ok && values_only(a) && values_only(b)
        }
        Expr::Indexer(a, b) => !holds_field_items(a) && values_only(a) && values_only(b),
        Expr::Negate(a) | Expr::Shared(_, a) => values_only(a),
        Expr::Is(a, _) | Expr::As(a, _) => !holds_field_items(a) && values_only(a),
        Expr::Empty
        | Expr::Literal(_)
        | Expr::Member(None, _, _)
        | Expr::This
        | Expr::Index
        | Expr::Total
        | Expr::Var(_) => true,
    }
}

/// Whether the result of `e` may hold items of the focus's fields (rather
/// than values computed from them).
fn holds_field_items(e: &Expr) -> bool {
    match e {
        Expr::Member(None, _, _) => true,
        Expr::Shared(_, a) => holds_field_items(a),
        // Every other operator computes values of its own.
        Expr::Binary(BinOp::Union, a, b) => holds_field_items(a) || holds_field_items(b),
        Expr::Binary(..) => false,
        Expr::Call(_, name, args) => !reads_values(name, args),
        Expr::Literal(_) | Expr::Empty => false,
        _ => true,
    }
}

/// Whether function `name` reads only the values of its input items (or
/// whether there are any) and returns values of its own.
fn reads_values(name: &str, args: &[Expr]) -> bool {
    match name {
        "exists" => args.is_empty(),
        "empty" | "count" | "not" | "hasValue" | "isDistinct" | "toInteger" | "toDecimal"
        | "toString" | "toBoolean" | "convertsToInteger" | "convertsToDecimal"
        | "convertsToString" | "convertsToBoolean" | "matches" | "matchesFull" | "startsWith"
        | "endsWith" | "contains" | "length" | "upper" | "lower" | "substring" | "indexOf"
        | "replace" | "replaceMatches" => true,
        _ => false,
    }
}

/// Whether `e` reads its focus only as a value: the focus (`$this`, or the
/// input of a function without target) only compared, converted, tested
/// or counted, never navigated (`extension`, `id`) or handed on, and
/// nothing else that differs between evaluations (no `%resource`, no
/// `%context`, no clock), as eld-3 at every `ElementDefinition.max`:
/// `empty() or ($this = '*') or (toInteger() >= 0)`. At a primitive focus its result
/// (or error) is then decided by the focus's type and value, so a caller
/// may keep one verdict per type and value.
pub(crate) fn reads_focus_only_as_value(e: &Expr) -> bool {
    focus_value_only(e, On::Focus)
}

/// [`reads_focus_only_as_value`] of `e` evaluated `on` the focus or on the
/// items of a collection (criteria).
fn focus_value_only(e: &Expr, on: On) -> bool {
    match e {
        Expr::Empty | Expr::Literal(_) | Expr::Index | Expr::Total | Expr::This => true,
        Expr::Member(None, _, _) => on == On::Items,
        Expr::Member(Some(t), _, _) => !holds_field_items(t) && focus_value_only(t, on),
        Expr::Var(name) => constant_variable(name),
        Expr::Call(target, name, args) => {
            if reads_context(name) || takes_type_name(name) {
                return false;
            }
            let target_ok = match target {
                None => on == On::Items || reads_values(name, args) || name == "iif",
                Some(t) => {
                    (reads_values(name, args) || !holds_field_items(t)) && focus_value_only(t, on)
                }
            };
            target_ok
                && args.iter().enumerate().all(|(i, a)| {
                    let args_on = if is_lambda(name, i) { On::Items } else { on };
                    !holds_field_items(a) && focus_value_only(a, args_on)
                })
        }
        Expr::Binary(op, a, b) => {
            let operands_ok =
                !matches!(op, BinOp::Union) || (!holds_field_items(a) && !holds_field_items(b));
            operands_ok && focus_value_only(a, on) && focus_value_only(b, on)
        }
        Expr::Indexer(a, b) => {
            !holds_field_items(a) && focus_value_only(a, on) && focus_value_only(b, on)
        }
        Expr::Negate(a) | Expr::Shared(_, a) => focus_value_only(a, on),
        Expr::Is(a, _) | Expr::As(a, _) => !holds_field_items(a) && focus_value_only(a, on),
    }
}

/// A guard of an expression: a sub-expression, and the value of it that
/// makes the whole expression true whatever the rest gives.
#[derive(Clone, Debug)]
pub struct Guard {
    pub(crate) expr: Expr,
    pub(crate) decides_when: bool,
    /// The fields of the focus the guard reads.
    pub(crate) fields: Vec<String>,
    /// The fields of the focus read by the operands evaluated before the
    /// guard (`code` in eld-17's `(code = 'Reference' or code =
    /// 'canonical') or targetProfile.empty()`): those operands cannot fail
    /// ([`cannot_fail`]) at a type that has all these fields, and the guard
    /// decides only there.
    pub(crate) before: Vec<String>,
    /// Whether the guard reads the focus only through whether its fields
    /// are empty ([`reads_only_presence`]).
    pub(crate) only_presence: bool,
}

impl Guard {
    /// The fields of the focus the guard reads.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The fields of the focus that the operands evaluated before the guard
    /// read: the guard decides the expression only at a type that has them
    /// all (the operands cannot fail there).
    pub fn requires(&self) -> &[String] {
        &self.before
    }

    /// Whether the guard only tests whether its fields are empty
    /// (`code.exists()` in `code.exists() or abstract = true`): its answer is
    /// then the same at every element of a type with the same of those fields
    /// empty, not only where they all are.
    pub fn reads_only_presence(&self) -> bool {
        self.only_presence
    }

    /// Whether the guard alone makes the expression true at `focus` (of a
    /// type that has the fields of [`Guard::requires`]), so that
    /// [`crate::Expression::evaluate_boolean`] would give `Some(true)`; false
    /// when it does not decide or fails (the full evaluation then reports it).
    pub fn decides<'a>(&self, ctx: &Context<'a>, focus: &Item<'a>) -> bool {
        let input = std::slice::from_ref(focus);
        matches!(Env::new(ctx, input).eval_bool(&self.expr, input), Ok(Some(v)) if v == self.decides_when)
    }
}

/// The guards of `e` that read only fields of the focus and are proper
/// parts of `e`, the first evaluated first.
///
/// The first is the left-most deciding operand: in `binding.empty() or
/// type.code.empty() or ...` it is `binding.empty()` (true decides), in
/// `a.exists() implies b` it is `a.exists()` (false decides). It is what the
/// evaluator computes first (the logical operators evaluate their left side
/// first and stop when it decides), so no error of the rest is hidden that
/// a full evaluation would report.
///
/// The others are later operands of a top-level `or` chain whose earlier
/// operands cannot fail: `a or b` is true when `b` is, whatever `a` gave,
/// and an `or` whose left side is true does not evaluate its right side.
///
/// At an element whose guard fields are all empty a guard's value is the
/// same at every element of the type, so a caller may compute it once per
/// type and, when it decides, skip the rest.
pub(crate) fn guards(e: &Expr) -> Vec<Guard> {
    let mut out = Vec::new();
    let (first, decides_when) = leftmost_decider(e, true);
    if !std::ptr::eq(first, e) {
        out.extend(guard(first, decides_when, Vec::new()));
    }
    let operands = or_operands(e);
    let mut before = Vec::new();
    for (i, operand) in operands.iter().enumerate() {
        if i > 0 {
            let (expr, decides_when) = leftmost_decider(operand, true);
            out.extend(guard(expr, decides_when, before.clone()));
        }
        if !cannot_fail(operand) {
            break;
        }
        before.extend(focus_fields(operand).unwrap_or_default());
    }
    out
}

/// `expr` as a guard, when it reads only fields of the focus.
fn guard(expr: &Expr, decides_when: bool, mut before: Vec<String>) -> Option<Guard> {
    let fields = focus_fields(expr)?;
    before.sort();
    before.dedup();
    Some(Guard {
        expr: expr.clone(),
        decides_when,
        fields,
        before,
        only_presence: reads_only_presence(expr),
    })
}

/// The operands of `e`'s top-level chain of `or` in evaluation order
/// (`a or b or c` is `(a or b) or c`); `e` alone when it is no `or`.
fn or_operands(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Binary(BinOp::Or, a, b) => {
            let mut out = or_operands(a);
            out.push(b);
            out
        }
        e => vec![e],
    }
}

/// Whether evaluating `e` as a boolean cannot fail at a focus whose type
/// has the fields it reads: presence tests of those fields, equality
/// comparisons of them and of literals, and logical operators and `not()`
/// over such tests (each gives at most one item, so the singleton rule
/// never fails). A first path step on a field the type has never fails; a
/// deeper step could meet an item whose type lacks the name.
pub(crate) fn cannot_fail(e: &Expr) -> bool {
    match e {
        Expr::Literal(_) | Expr::Empty => true,
        Expr::Shared(_, a) => cannot_fail(a),
        Expr::Call(Some(t), name, args) if args.is_empty() => match name.as_str() {
            "exists" | "empty" => collection_cannot_fail(t),
            "not" => cannot_fail(t),
            _ => false,
        },
        Expr::Binary(BinOp::Eq | BinOp::Ne | BinOp::Equiv | BinOp::NotEquiv, a, b) => {
            collection_cannot_fail(a) && collection_cannot_fail(b)
        }
        Expr::Binary(BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Implies, a, b) => {
            cannot_fail(a) && cannot_fail(b)
        }
        _ => false,
    }
}

/// Whether evaluating `e` as a collection cannot fail at a focus whose
/// type has the fields it reads ([`cannot_fail`]): one path step from the
/// focus, a literal, or a test that cannot fail.
fn collection_cannot_fail(e: &Expr) -> bool {
    match e {
        Expr::Member(None, name, _) => !name.starts_with(|c: char| c.is_ascii_uppercase()),
        Expr::Shared(_, a) => collection_cannot_fail(a),
        e => cannot_fail(e),
    }
}

/// The left-most operand of `e`'s chain of logical operators whose value
/// `w` alone gives `e` the value `v`: `x or y` is true when `x` is, `x and
/// y` false when `x` is, `x implies y` true when `x` is false.
fn leftmost_decider(e: &Expr, v: bool) -> (&Expr, bool) {
    match (e, v) {
        (Expr::Binary(BinOp::Or, x, _), true) => leftmost_decider(x, true),
        (Expr::Binary(BinOp::And, x, _), false) => leftmost_decider(x, false),
        (Expr::Binary(BinOp::Implies, x, _), true) => leftmost_decider(x, false),
        _ => (e, v),
    }
}

fn visit(e: &Expr, on: On, names: &mut Vec<String>) -> Option<()> {
    match e {
        Expr::Empty | Expr::Literal(_) | Expr::Index | Expr::Total => Some(()),
        // The focus itself, not one of its fields.
        Expr::This => (on == On::Items).then_some(()),
        Expr::Member(None, name, _) => {
            if on == On::Focus {
                // A type name as the first step selects the focus itself.
                if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                    return None;
                }
                names.push(name.clone());
            }
            Some(())
        }
        Expr::Member(Some(t), _, _) => visit(t, on, names),
        Expr::Var(name) => constant_variable(name).then_some(()),
        Expr::Indexer(a, b) | Expr::Binary(_, a, b) => {
            visit(a, on, names)?;
            visit(b, on, names)
        }
        Expr::Negate(a) | Expr::Is(a, _) | Expr::As(a, _) | Expr::Shared(_, a) => {
            visit(a, on, names)
        }
        Expr::Call(target, name, args) => {
            if reads_context(name) {
                return None;
            }
            match target {
                // `iif` on the focus evaluates its arguments on the focus,
                // as any operand (eld-2's `iif(max != '*', min <= ...)`).
                None if on == On::Focus && name == "iif" => {}
                // A function of the focus itself (`hasValue()`, `children()`).
                None if on == On::Focus => return None,
                None => {}
                Some(t) => visit(t, on, names)?,
            }
            if takes_type_name(name) {
                return Some(());
            }
            // Criteria and projections run on the items of the input, which
            // come from the fields already listed (or from literals).
            args.iter().enumerate().try_for_each(|(i, a)| {
                let args_on = if is_lambda(name, i) { On::Items } else { on };
                visit(a, args_on, names)
            })
        }
    }
}

/// Variables whose value is the same in every evaluation.
fn constant_variable(name: &str) -> bool {
    matches!(name, "ucum" | "sct" | "loinc") || name.starts_with("vs-") || name.starts_with("ext-")
}

/// Functions whose result depends on the context or the clock, or that
/// define variables.
fn reads_context(name: &str) -> bool {
    matches!(
        name,
        "resolve" | "now" | "today" | "timeOfDay" | "defineVariable" | "memberOf" | "conformsTo"
    )
}

/// Functions whose argument is a type name, not an expression.
fn takes_type_name(name: &str) -> bool {
    matches!(name, "ofType" | "is" | "as")
}

/// Whether argument `i` of `name` is evaluated once per input item, with the
/// item as `$this` (`aggregate`'s initial value is evaluated on the focus).
fn is_lambda(name: &str, i: usize) -> bool {
    match name {
        "where" | "select" | "all" | "exists" | "repeat" | "repeatAll" | "sort" => true,
        "aggregate" => i == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{
        cannot_fail, focus_fields, guards, reads_focus_only_as_value, reads_only_presence,
        reads_only_values,
    };
    use crate::parser::parse;

    /// The first guard's deciding value and its fields.
    fn guard_of(text: &str) -> Option<(bool, Vec<String>)> {
        guards(&parse(text).unwrap())
            .into_iter()
            .next()
            .map(|g| (g.decides_when, g.fields))
    }

    /// Every guard's fields and the fields read before it.
    fn all_guards(text: &str) -> Vec<(Vec<String>, Vec<String>)> {
        guards(&parse(text).unwrap())
            .into_iter()
            .map(|g| (g.fields, g.before))
            .collect()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn later_or_operands_guard_after_operands_that_cannot_fail() {
        // eld-17: the left side compares a field, which cannot fail (the
        // parenthesised `or` is part of the chain).
        assert_eq!(
            all_guards("(code='Reference' or code = 'canonical') or targetProfile.empty()"),
            [
                (names(&["code"]), names(&[])),
                (names(&["code"]), names(&["code"])),
                (names(&["targetProfile"]), names(&["code"]))
            ]
        );
        assert_eq!(
            all_guards("a.exists() or b.empty().not() or c.empty() or d"),
            [
                (names(&["a"]), names(&[])),
                (names(&["b"]), names(&["a"])),
                (names(&["c"]), names(&["a", "b"])),
                (names(&["d"]), names(&["a", "b", "c"]))
            ]
        );
        // Operands that may fail stop the chain: several items for the
        // singleton rule, a deeper path step, a function.
        assert_eq!(all_guards("a or b.empty()"), [(names(&["a"]), names(&[]))]);
        assert_eq!(
            all_guards("a.b = 'x' or c.empty()"),
            [(names(&["a"]), names(&[]))]
        );
        assert_eq!(
            all_guards("a.startsWith('x') or c.empty()"),
            [(names(&["a"]), names(&[]))]
        );
        assert_eq!(
            all_guards("a.exists() and b.exists() or c.empty()").len(),
            2,
            "`and` of presence tests cannot fail"
        );
        assert!(all_guards("a.exists()").is_empty());
    }

    #[test]
    fn what_cannot_fail() {
        let safe = |text: &str| cannot_fail(&parse(text).unwrap());
        assert!(safe("code = 'Reference' or code != 'x'"));
        assert!(safe("(a.exists() and b.empty()).not() xor true"));
        assert!(safe("a ~ b"));
        assert!(!safe("a"), "several items fail the singleton rule");
        assert!(!safe("a.b.exists()"));
        assert!(!safe("Patient.exists()"));
        assert!(!safe("a < 'x'"));
        assert!(!safe("a.where(b).exists()"));
    }

    #[test]
    fn reads_of_the_focus_value_are_told_from_navigation() {
        let only = |text: &str| reads_focus_only_as_value(&parse(text).unwrap());
        assert!(only("empty() or ($this = '*') or (toInteger() >= 0)"));
        assert!(only("matches('[a-z]+') and length() < 10 and $this != 'x'"));
        assert!(only("iif(exists(), toInteger(), 0) > 1"));
        assert!(only("(1 | 2).where($this > 1).exists()"));
        assert!(!only("extension.exists()"));
        assert!(!only("$this.id.exists()"));
        assert!(!only("hasValue() and children().exists()"));
        assert!(!only("iif(true, $this).extension.exists()"));
        assert!(!only(
            "($this | 'a').count() > 1 and ($this | 'a').first().id.exists()"
        ));
        assert!(!only("$this = %context"));
        assert!(!only("$this = %resource.id"));
        assert!(!only("$this is string"));
        assert!(!only("$this < now()"));
        assert!(!only("exists($this.extension.exists())"));
    }

    #[test]
    fn reads_of_values_are_told_from_navigation() {
        let only = |text: &str| reads_only_values(&parse(text).unwrap());
        // eld-2, eld-18, eld-19.
        assert!(only(
            "min.empty() or max.empty() or (max = '*') or iif(max != '*', min <= max.toInteger())"
        ));
        assert!(only(
            "(isModifier.exists() and isModifier) implies isModifierReason.exists()"
        ));
        assert!(only("path.matches('[a-z]+') and path.length() < 64"));
        assert!(only("a + b > 2 and (a & 'x') = 'yx' and a in ('1' | '2')"));
        // The items themselves, navigated or handed on.
        assert!(!only("min.extension.exists()"));
        assert!(!only("binding.valueSet.exists()"));
        assert!(!only("type.select(code).isDistinct()"));
        assert!(!only("a.where($this = 'x').exists()"));
        assert!(!only("(a | b).extension.exists()"));
        assert!(!only("a.first().id.exists()"));
        assert!(!only("iif(a.exists(), a, b).extension.exists()"));
        assert!(!only("a[0].id.exists()"));
        assert!(!only("a.children().exists()"));
        assert!(!only("(a is string)"));
        // Anything else about the focus or the context.
        assert!(!only("hasValue()"));
        assert!(!only("a = %resource.b"));
        assert!(!only("$this.a = 'x'"));
    }

    #[test]
    fn presence_tests_are_told_from_reads_of_values() {
        let only = |text: &str| reads_only_presence(&parse(text).unwrap());
        assert!(only("extension.exists() != value.exists()"));
        assert!(only(
            "(a.exists() and b.empty().not()) implies c.exists() or true"
        ));
        assert!(!only("a.exists() or b = 'x'"));
        assert!(!only("a.b.exists()"));
        assert!(!only("a.where(b).exists()"));
        assert!(!only("exists()"));
        assert!(!only("Patient.exists()"));
        assert!(!only("$this.a.exists()"));
    }

    #[test]
    fn the_guard_is_the_leftmost_deciding_operand() {
        assert_eq!(
            guard_of("binding.empty() or type.code.empty() or type.count() > 1"),
            Some((true, vec!["binding".to_owned()]))
        );
        assert_eq!(
            guard_of("(a.exists() and b) implies c.exists()"),
            Some((false, vec!["a".to_owned()]))
        );
        assert_eq!(
            guard_of("a.empty() and b.empty()"),
            None,
            "`and` is decided by a false left side, which fails the invariant"
        );
        assert_eq!(
            guard_of("a.exists()"),
            None,
            "the whole expression is no guard"
        );
        assert_eq!(guard_of("$this.a.empty() or b"), None);
        assert_eq!(guard_of("%resource.a.empty() or b"), None);
    }

    fn fields(text: &str) -> Option<Vec<String>> {
        focus_fields(&parse(text).unwrap())
    }

    #[test]
    fn paths_from_the_focus_are_listed() {
        assert_eq!(
            fields("binding.empty() or type.code.empty() or binding.valueSet.exists()"),
            Some(vec!["binding".to_owned(), "type".to_owned()])
        );
        assert_eq!(
            fields("constraint.select(key).isDistinct()"),
            Some(vec!["constraint".to_owned()])
        );
        assert_eq!(
            fields("snapshot.element.all(base.exists() and $this.id.exists())"),
            Some(vec!["snapshot".to_owned()])
        );
    }

    #[test]
    fn anything_else_about_the_focus_gives_none() {
        assert_eq!(
            fields("hasValue() or (children().count() > id.count())"),
            None
        );
        assert_eq!(fields("$this.a.exists()"), None);
        assert_eq!(
            fields("contained.where(id in %resource.descendants().reference)"),
            None
        );
        assert_eq!(fields("Patient.name.exists()"), None);
        assert_eq!(fields("(1 | 2).where(%context.a.exists())"), None);
        assert_eq!(fields("a.where(today() > b)"), None);
        assert_eq!(
            fields("a.empty() or iif(b != '*', a <= b.toInteger())"),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(fields("iif($this.a.exists(), 1, 2)"), None);
        assert_eq!(
            fields("a.aggregate($this + $total, b)"),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
    }
}
