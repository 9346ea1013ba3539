//! Invariants: the FHIRPath constraints of the base definitions, compiled on
//! first use and evaluated at every instance of the elements that list them.
//!
//! The generated tables say which invariants hold at which element path
//! (`Observation` carries dom-2..dom-6, obs-6 and obs-7; `Quantity` carries
//! qty-3); the walk calls [`Invariants::check`] with the instance as focus and
//! the resources around it as `%resource` / `%rootResource`.

use std::collections::HashMap;
use std::sync::OnceLock;

use fhir_model::rt::Element;
use fhirpath::{Context, ErrorKind, Expression, Item};

use super::issue::{IssueType, Severity};
use super::tables::{Invariant, InvariantSeverity, Tables};

/// Keys checked natively by the walk, with the same key in the report.
/// ele-1 ("a value or children") holds at every element; the walk already
/// checks it structurally, far cheaper than `children().count()` everywhere.
const NATIVE: &[&str] = &["ele-1"];

/// The compiled invariants of one version.
#[derive(Debug)]
pub(crate) struct Invariants {
    tables: &'static Tables,
    compiled: Vec<OnceLock<Result<Expression, String>>>,
    /// Element path to invariant indices: looked up for every element and
    /// field, so hashed rather than binary-searched over thousands of paths.
    by_path: HashMap<&'static str, &'static [u16]>,
}

/// The resources around an element: `%resource` (the resource the element
/// is in, a contained one included) and `%rootResource` (the resource that
/// contains it, or the same).
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub(crate) resource: &'a dyn Element,
    pub(crate) root: &'a dyn Element,
}

/// One finding: severity, type, text.
pub(crate) type Finding = (Severity, IssueType, String);

impl Invariants {
    pub(crate) fn new(tables: &'static Tables) -> Self {
        let compiled = tables.invariants.iter().map(|_| OnceLock::new()).collect();
        let by_path = tables.element_invariants.iter().map(|e| (e.path, e.invariants)).collect();
        Invariants { tables, compiled, by_path }
    }

    /// The invariants listed at `path` that are evaluated with FHIRPath.
    pub(crate) fn at(&self, path: &str) -> &'static [u16] {
        self.by_path.get(path).copied().unwrap_or_default()
    }

    fn expression(&self, index: usize) -> Option<&Result<Expression, String>> {
        let inv = self.tables.invariants.get(index)?;
        let cell = self.compiled.get(index)?;
        Some(cell.get_or_init(|| Expression::parse(inv.expression).map_err(|e| e.to_string())))
    }

    /// Evaluates the invariants `list` at `focus`; calls `report` for each
    /// failure, and for each invariant that could not be evaluated (as
    /// information: not checked, never silently passed).
    pub(crate) fn check<'a>(
        &self,
        list: &'static [u16],
        focus: &Item<'a>,
        scope: Scope<'a>,
        mut report: impl FnMut(Finding),
    ) {
        let mut ctx: Option<Context<'a>> = None;
        for &i in list {
            let i = usize::from(i);
            let Some(inv) = self.tables.invariants.get(i) else { continue };
            if NATIVE.contains(&inv.key) {
                continue;
            }
            let Some(expr) = self.expression(i) else { continue };
            let expr = match expr {
                Ok(expr) => expr,
                Err(e) => {
                    report(not_checked(inv, e));
                    continue;
                }
            };
            let ctx = ctx.get_or_insert_with(|| {
                // Lenient `as()` on collections: R4's dom-3 relies on it.
                Context::for_resource(Item::resource(scope.resource))
                    .with_root_resource(Item::resource(scope.root))
                    .as_function_filters(true)
            });
            match expr.evaluate_boolean(ctx, focus.clone()) {
                // An empty result is "unknown" in FHIRPath (for example ref-1
                // on a Reference that has only a display): not a failure.
                Ok(Some(true) | None) => {}
                Ok(Some(false)) => report(failed(inv)),
                Err(e) if e.kind == ErrorKind::Unsupported => report(not_checked(inv, &e.message)),
                Err(e) => report(not_checked(inv, &e.to_string())),
            }
        }
    }
}

fn failed(inv: &Invariant) -> Finding {
    let severity = match inv.severity {
        InvariantSeverity::Error if !inv.best_practice => Severity::Error,
        _ => Severity::Warning,
    };
    let kind = if inv.best_practice { " (best practice)" } else { "" };
    (severity, IssueType::Invariant, format!("{}: {}{kind} [{}]", inv.key, inv.human, inv.expression))
}

fn not_checked(inv: &Invariant, why: &str) -> Finding {
    (
        Severity::Information,
        IssueType::NotSupported,
        format!("invariant {} not checked: {why} [{}]", inv.key, inv.expression),
    )
}
