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

/// A guard of an expression: the sub-expression evaluated first, and the
/// value of it that makes the whole expression true whatever the rest gives.
#[derive(Clone, Debug)]
pub(crate) struct Guard {
    pub(crate) expr: Expr,
    pub(crate) decides_when: bool,
    pub(crate) fields: Vec<String>,
}

/// The guard of `e` when it reads only fields of the focus and is a proper
/// part of `e`: in `binding.empty() or type.code.empty() or ...` it is
/// `binding.empty()` (true decides), in `a.exists() implies b` it is
/// `a.exists()` (false decides). At an element whose guard fields are all
/// empty the guard's value is the same at every element of the type, so a
/// caller may compute it once per type and, when it decides, skip the rest;
/// the guard is what the evaluator computes first (the logical operators
/// evaluate their left side first and stop when it decides), so no error of
/// the rest is hidden that a full evaluation would report.
pub(crate) fn guard(e: &Expr) -> Option<Guard> {
    let (expr, decides_when) = leftmost_decider(e, true);
    if std::ptr::eq(expr, e) {
        return None;
    }
    let fields = focus_fields(expr)?;
    Some(Guard {
        expr: expr.clone(),
        decides_when,
        fields,
    })
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
    use super::{focus_fields, guard, reads_only_presence};
    use crate::parser::parse;

    /// The guard's text shape, its deciding value and its fields.
    fn guard_of(text: &str) -> Option<(bool, Vec<String>)> {
        guard(&parse(text).unwrap()).map(|g| (g.decides_when, g.fields))
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
            fields("a.aggregate($this + $total, b)"),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
    }
}
