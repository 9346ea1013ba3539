//! Invariants: the FHIRPath constraints of the base definitions, compiled on
//! first use and evaluated at every instance of the elements that list them.
//!
//! The generated tables say which invariants hold at which element path
//! (`Observation` carries dom-2..dom-6, obs-6 and obs-7; `Quantity` carries
//! qty-3); the walk calls [`Invariants::check`] with the instance as focus and
//! the resources around it as `%resource` / `%rootResource`.

use std::collections::HashMap;
use std::cell::OnceCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use fhir_model::rt::{Element, FieldKind, ItemRef, TypeInfo};
use fhirpath::{Context, ErrorKind, Expression, Item};

use super::issue::{IssueType, Severity};
use super::settled::{Settled, Step};
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
    /// Per invariant, the first invariant with the same expression (R4's
    /// txt-1 and txt-2 are both `htmlChecks()`): compiled and evaluated once.
    same_as: Vec<u16>,
}

/// An invariant as checked at the instances of one type.
///
/// Most instances leave most fields out, and many invariants only read a
/// few fields of their focus (`binding.empty() or ...`): when the expression
/// reads the focus only through its fields and reads nothing else that
/// differs between instances ([`Expression::focus_fields`]), its verdict at
/// an instance where those fields are all empty is the same at every such
/// instance of the type, so it is evaluated once and reused.
#[derive(Debug)]
pub(crate) struct AtType {
    index: u16,
    /// The type's fields the expression reads, as a mask of
    /// [`Element::present`] bits; `None` when it may read more than fields
    /// of the focus.
    fields: Option<u128>,
    /// The verdict at an instance whose `fields` are all empty.
    when_empty: OnceLock<Verdict>,
    /// The expression's guards ([`Expression::guards`]) as resolved in the
    /// type: where a guard's fields are all empty, it gives the same answer
    /// at every instance. Most instances fill some field an invariant reads
    /// but not the ones its guards read (eld-5's `contentReference.empty()
    /// or ...` at an ElementDefinition with a type; eld-17's
    /// `targetProfile.empty()` at a type without target profiles), so a
    /// guard alone passes them.
    guards: Vec<TypeGuard>,
    /// For an expression that reads only the values of single primitive
    /// fields ([`Expression::reads_only_values`]), its verdicts per tuple of
    /// those values.
    by_value: Option<ByValue>,
    /// For an expression that only tests whether fields are empty
    /// ([`Expression::reads_only_presence`]), the fields' mask and the
    /// verdict per pattern of present fields (bit `j` of the pattern for the
    /// `j`-th field of the mask): ext-1's `extension.exists() !=
    /// value.exists()` at every Extension takes one of four verdicts.
    by_presence: Option<(u128, Box<[OnceLock<Verdict>]>)>,
}

/// The invariants checked at the instances of one type ([`AtType`] each),
/// with their outcomes settled per pattern of present fields
/// ([`Settled`]).
#[derive(Debug)]
pub(crate) struct TypeInvariants {
    list: Vec<AtType>,
    settled: Settled<Verdict>,
}

impl Default for TypeInvariants {
    fn default() -> Self {
        TypeInvariants { list: Vec::new(), settled: Settled::new(0) }
    }
}

impl std::ops::Deref for TypeInvariants {
    type Target = [AtType];
    fn deref(&self) -> &[AtType] {
        &self.list
    }
}

impl TypeInvariants {
    fn new(list: Vec<AtType>) -> Self {
        // The fields whose presence decides which kept verdict or guard
        // answer applies, over all the invariants.
        let mask = list.iter().fold(0u128, |mask, at| {
            let presence = at.by_presence.as_ref().map_or(0, |(m, _)| *m);
            let guards = at.guards.iter().fold(0, |m, g| m | g.fields);
            mask | presence | at.fields.unwrap_or(0) | guards
        });
        TypeInvariants { list, settled: Settled::new(mask) }
    }
}

/// The verdicts of an invariant that reads only the values of some single
/// primitive fields of its focus, per tuple of those values ([`value_key`]):
/// eld-2 (`min`, `max`) and eld-18 (`isModifier`, `isModifierReason`) take
/// a few tuples over tens of thousands of ElementDefinitions.
#[derive(Debug)]
struct ByValue {
    /// The fields read, by index in the type, in field order.
    fields: Vec<usize>,
    /// Keyed through a randomly seeded hash, as std's maps are (the keys
    /// are values from the input), but foldhash rather than SipHash: it
    /// hashed 132,561 keys over the R4 examples, at about 185 instructions
    /// each with SipHash.
    verdicts: Mutex<HashMap<String, Verdict, foldhash::fast::RandomState>>,
    /// Lookups and hits so far: where values rarely repeat (eld-19's
    /// `path`, unique per element in most snapshots), building and looking
    /// up keys costs more than it saves, and the cache is given up.
    lookups: AtomicU32,
    hits: AtomicU32,
}

/// How many lookups a [`ByValue`] cache gets before its hit rate is judged.
const VALUE_TRIAL: u32 = 512;

/// The most verdicts a [`ByValue`] cache keeps.
const MAX_VALUE_VERDICTS: usize = 4096;

impl ByValue {
    fn new(fields: Vec<usize>) -> Self {
        ByValue { fields, verdicts: Mutex::new(HashMap::default()), lookups: AtomicU32::new(0), hits: AtomicU32::new(0) }
    }

    /// Whether the cache is still worth consulting: after its trial, only
    /// when at least half the lookups found a verdict.
    fn worth_it(&self) -> bool {
        let lookups = self.lookups.load(Ordering::Relaxed);
        lookups < VALUE_TRIAL || self.hits.load(Ordering::Relaxed) * 2 >= lookups
    }

    /// The verdict kept for `key`, counting the lookup.
    fn get(&self, key: &str) -> Option<Verdict> {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let found = self.verdicts.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned();
        if found.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    fn put(&self, key: String, verdict: Verdict) {
        let mut verdicts = self.verdicts.lock().unwrap_or_else(PoisonError::into_inner);
        if verdicts.len() < MAX_VALUE_VERDICTS {
            verdicts.insert(key, verdict);
        }
    }
}

/// The invariants listed at a field of primitives, each with a verdict
/// cache per value of the focus when its expression reads the focus only as
/// a value ([`Expression::reads_focus_only_as_value`]): eld-3 at every
/// `ElementDefinition.max` sees a handful of values.
#[derive(Debug)]
pub(crate) struct ValueVerdicts(Vec<(u16, Option<ByValue>)>);

impl ValueVerdicts {
    /// Whether any of the invariants keeps verdicts per value.
    pub(crate) fn any_cache(&self) -> bool {
        self.0.iter().any(|(_, cache)| cache.is_some())
    }
}

/// A primitive item of variant `variant` as the key of its verdicts: the
/// variant (its type), then `1` without a value, or `2`, the value's length
/// and its text.
pub(crate) fn primitive_key(variant: usize, item: &ItemRef<'_>) -> Option<String> {
    let mut key = String::with_capacity(KEY_ROOM);
    push_decimal(&mut key, variant);
    key.push('/');
    push_item(&mut key, item)?;
    Some(key)
}

/// Appends a primitive or text item to a key: `1` for a primitive without a
/// value (extensions only), else [`push_value`]. `None` for an element.
fn push_item(key: &mut String, item: &ItemRef<'_>) -> Option<()> {
    match item {
        ItemRef::Primitive(p) => match p.lexical() {
            None => key.push('1'),
            Some(text) => push_value(key, &text),
        },
        ItemRef::Text(text) => push_value(key, text),
        ItemRef::Element(_) => return None,
    }
    Some(())
}

/// The values of fields `fields` of `el` as one key: per field, `0` when
/// empty, `1` for a primitive without a value (extensions only), `2` and
/// the value's length and text otherwise. `None` when a field holds
/// anything else (the caller then evaluates).
fn value_key(el: &dyn Element, fields: &[usize]) -> Option<String> {
    let mut key = String::with_capacity(KEY_ROOM);
    for &i in fields {
        let Some(slot) = el.field(i) else {
            key.push('0');
            continue;
        };
        match (slot.len(), slot.get(0)) {
            (0, _) => key.push('0'),
            (1, Some((_, item))) => push_item(&mut key, &item)?,
            _ => return None,
        }
    }
    Some(key)
}

/// What a key reserves when it is begun: room for most values (codes,
/// cardinalities, element paths) and their prefixes, so that it is
/// allocated once. Grown from empty, a key of an element path was
/// reallocated three times (8, 16, 32, 64 bytes): over the R4 examples,
/// 99,576 reallocations under `push_item` and 49,015 under `push_decimal`,
/// 21.8 M instructions.
const KEY_ROOM: usize = 48;

/// Appends a value to a key: `2`, its length in bytes, `:`, its text.
fn push_value(key: &mut String, text: &str) {
    // The prefix takes at most 22 bytes (`2`, twenty digits, `:`).
    key.reserve(text.len() + 22);
    key.push('2');
    push_decimal(key, text.len());
    key.push(':');
    key.push_str(text);
}

/// Appends `n` in decimal, without the formatting machinery (`write!` cost
/// over half of the key's 1,260 instructions at eld-2).
fn push_decimal(key: &mut String, n: usize) {
    if n >= 10 {
        push_decimal(key, n / 10);
    }
    key.push(char::from(b'0' + u8::try_from(n % 10).unwrap_or(0)));
}

/// The fields `names` of `info` by index, when each the type has is a
/// single primitive (one type, at most one item); `None` otherwise. A name
/// the type lacks reads nothing, at any instance.
fn single_primitive_fields(info: &TypeInfo, names: &[String]) -> Option<Vec<usize>> {
    let mut fields: Vec<usize> = Vec::new();
    for name in names {
        let Some(i) = info.field_index(name) else { continue };
        let f = info.fields.get(i)?;
        if f.kind != FieldKind::Primitive || f.types.len() != 1 || f.max != 1 {
            return None;
        }
        fields.push(i);
    }
    fields.sort_unstable();
    Some(fields)
}

/// A guard of an invariant's expression at one type.
#[derive(Debug)]
struct TypeGuard {
    /// Its position in [`Expression::guards`].
    index: usize,
    /// The fields it reads, as a mask of [`Element::present`] bits.
    fields: u128,
    /// Whether it alone passes an instance whose `fields` are all empty;
    /// for a guard that only tests whether its fields are empty
    /// ([`fhirpath::Guard::reads_only_presence`]), one answer per pattern of
    /// present fields (bit `j` for the `j`-th field of the mask), as
    /// [`AtType::by_presence`]: vsd-9's `code.exists()` passes every
    /// ValueSet expansion entry with a code.
    answers: Box<[OnceLock<bool>]>,
}

impl TypeGuard {
    /// The cell of the guard's answer at an instance whose present fields
    /// are `present`; `None` where the answer may differ between instances.
    fn answer(&self, present: u128) -> Option<&OnceLock<bool>> {
        match &*self.answers {
            [when_empty] => (present & self.fields == 0).then_some(when_empty),
            cells => cells.get(pattern(present, self.fields)),
        }
    }
}

/// The most fields a [`AtType::by_presence`] cache covers (64 verdicts).
const MAX_PRESENCE_FIELDS: u32 = 6;

/// What an invariant's check at one instance may reuse from another
/// instance of the same type.
enum Reuse<'l> {
    Nothing,
    /// A verdict settled for the instance's pattern of present fields.
    Known(&'l Verdict),
    /// The whole verdict: the fields the expression reads are all empty.
    Verdict(&'l OnceLock<Verdict>),
    /// The verdict kept for the instance's values of the fields read.
    Value(&'l ByValue, String),
    /// A guard's answer (the guard's index in [`Expression::guards`]): the
    /// fields the guard reads are all empty.
    Guard(&'l OnceLock<bool>, usize),
}

/// The resources around an element: `%resource` (the resource the element
/// is in, a contained one included) and `%rootResource` (the resource that
/// contains it, or the same), with the evaluation context made of them.
///
/// The context is built at its first use and shared by all the elements of
/// the resource: building and dropping one per element cost more than
/// 0.1 G instructions over the R4 examples.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'s, 'a> {
    resource: &'a dyn Element,
    root: &'a dyn Element,
    context: &'s OnceCell<Context<'a>>,
}

impl<'s, 'a> Scope<'s, 'a> {
    /// The scope of `resource` within `root`, its context to be kept in
    /// `context` (an empty cell, owned by the caller for as long as the
    /// resource is walked).
    pub(crate) fn new(resource: &'a dyn Element, root: &'a dyn Element, context: &'s OnceCell<Context<'a>>) -> Self {
        Scope { resource, root, context }
    }

    /// `%rootResource`.
    pub(crate) fn root(&self) -> &'a dyn Element {
        self.root
    }

    /// The evaluation context, built at its first use.
    fn context(&self) -> &'s Context<'a> {
        self.context.get_or_init(|| {
            // Lenient `as()` on collections: R4's dom-3 relies on it.
            Context::for_resource(Item::resource(self.resource))
                .with_root_resource(Item::resource(self.root))
                .as_function_filters(true)
        })
    }
}

/// One finding: severity, type, text.
pub(crate) type Finding = (Severity, IssueType, String);

/// The outcome of one expression at one focus.
#[derive(Clone, Debug)]
enum Verdict {
    Pass,
    Fail,
    NotChecked(String),
}

impl Invariants {
    pub(crate) fn new(tables: &'static Tables) -> Self {
        let compiled = tables.invariants.iter().map(|_| OnceLock::new()).collect();
        let mut first: HashMap<&str, u16> = HashMap::new();
        let same_as = tables
            .invariants
            .iter()
            .enumerate()
            .map(|(i, inv)| *first.entry(inv.expression).or_insert(u16::try_from(i).unwrap_or(u16::MAX)))
            .collect();
        Invariants { tables, compiled, same_as }
    }

    /// The invariants listed at `path` that are evaluated with FHIRPath,
    /// those with the same expression next to each other.
    pub(crate) fn evaluated_at(&self, path: &str) -> Vec<u16> {
        let mut list: Vec<u16> = self
            .tables
            .invariant_indices_at(path)
            .iter()
            .copied()
            .filter(|&i| self.tables.invariants.get(usize::from(i)).is_some_and(|inv| !NATIVE.contains(&inv.key)))
            .collect();
        list.sort_by_key(|&i| (self.canonical(i), i));
        list
    }

    /// [`Invariants::evaluated_at`] for the instances of type `info` (at
    /// its own path), with the fields each expression reads resolved in it.
    pub(crate) fn at_type(&self, info: &TypeInfo) -> TypeInvariants {
        self.at_instances_of(info, &self.evaluated_at(info.name))
    }

    /// The invariants `list` (from [`Invariants::evaluated_at`]) as checked
    /// at instances of type `info`, with the fields each expression reads
    /// resolved in it: a type's own invariants, or those listed at a field
    /// whose items are of that type (ext-1 at every `extension` field,
    /// sdf-10 at every `StructureDefinition.snapshot.element`).
    pub(crate) fn at_instances_of(&self, info: &TypeInfo, list: &[u16]) -> TypeInvariants {
        let list = list
            .iter()
            .map(|&index| {
                let (fields, guards, presence, by_value) = match self.expression(usize::from(self.canonical(index))) {
                    // A name the type lacks reads nothing, at any instance.
                    Some(Ok(expr)) => {
                        let fields = expr.focus_fields().and_then(|names| field_mask(info, names));
                        let presence = fields.filter(|m| expr.reads_only_presence() && m.count_ones() <= MAX_PRESENCE_FIELDS);
                        let by_value = expr
                            .focus_fields()
                            .filter(|_| presence.is_none() && expr.reads_only_values())
                            .and_then(|names| single_primitive_fields(info, names))
                            .map(ByValue::new);
                        (fields, type_guards(info, expr), presence, by_value)
                    }
                    _ => (None, Vec::new(), None, None),
                };
                let by_presence =
                    presence.map(|mask| (mask, (0..1usize << mask.count_ones()).map(|_| OnceLock::new()).collect()));
                AtType { index, fields, when_empty: OnceLock::new(), guards, by_value, by_presence }
            })
            .collect();
        TypeInvariants::new(list)
    }

    /// [`Invariants::check`] of the invariants of `el`'s type ([`Invariants::at_type`])
    /// at `el` itself: those whose fields are all empty there take the
    /// verdict of the first such instance, and those whose guard fields are
    /// all empty the guard's answer at the first such instance. Once an
    /// instance has filled the cells its pattern of present fields selects,
    /// the outcome at that pattern is settled ([`Settled`]): later instances
    /// with it handle only the invariants that fail there or are decided at
    /// each instance.
    pub(crate) fn check_at_type<'a>(
        &self,
        list: &TypeInvariants,
        el: &'a dyn Element,
        focus: &Item<'a>,
        scope: Scope<'_, 'a>,
        mut report: impl FnMut(Finding),
    ) {
        if list.settled.mask == 0 {
            let mut present = None;
            let entries = list.list.iter().map(|at| (at.index, decide(at, el, &mut present)));
            return self.check_entries(entries, focus, scope, report);
        }
        let present = el.present();
        let key = present & list.settled.mask;
        if let Some(steps) = list.settled.get(key) {
            let mut known = Some(present);
            let entries = steps.iter().filter_map(|step| match step {
                Step::Settled(pos, verdict) => Some((list.list.get(*pos)?.index, Reuse::Known(verdict))),
                Step::Live(pos) => {
                    let at = list.list.get(*pos)?;
                    Some((at.index, decide(at, el, &mut known)))
                }
            });
            return self.check_entries(entries, focus, scope, report);
        }
        let mut known = Some(present);
        let entries = list.list.iter().map(|at| (at.index, decide(at, el, &mut known)));
        self.check_entries(entries, focus, scope, &mut report);
        let steps = list
            .list
            .iter()
            .enumerate()
            .filter_map(|(pos, at)| match settled_verdict(at, present) {
                Some(Verdict::Pass) => None,
                Some(verdict) => Some(Step::Settled(pos, verdict)),
                None => Some(Step::Live(pos)),
            })
            .collect();
        list.settled.put(key, steps);
    }

    /// The invariants `list` with a verdict cache for each that reads its
    /// focus only as a value.
    pub(crate) fn by_focus_value(&self, list: &[u16]) -> ValueVerdicts {
        ValueVerdicts(
            list.iter()
                .map(|&index| {
                    let cache = match self.expression(usize::from(self.canonical(index))) {
                        Some(Ok(expr)) if expr.reads_focus_only_as_value() => Some(ByValue::new(Vec::new())),
                        _ => None,
                    };
                    (index, cache)
                })
                .collect(),
        )
    }

    /// [`Invariants::check`] of the invariants of `list` at a primitive
    /// `focus` whose [`primitive_key`] is `key`, taking the verdicts kept
    /// for that key where there is a cache.
    pub(crate) fn check_by_value<'a>(
        &self,
        list: &ValueVerdicts,
        key: &str,
        focus: &Item<'a>,
        scope: Scope<'_, 'a>,
        report: impl FnMut(Finding),
    ) {
        let entries = list.0.iter().map(|(index, cache)| {
            let reuse = match cache.as_ref().filter(|c| c.worth_it()) {
                Some(c) => Reuse::Value(c, key.to_owned()),
                None => Reuse::Nothing,
            };
            (*index, reuse)
        });
        self.check_entries(entries, focus, scope, report);
    }

    fn canonical(&self, i: u16) -> u16 {
        self.same_as.get(usize::from(i)).copied().unwrap_or(i)
    }

    fn expression(&self, index: usize) -> Option<&Result<Expression, String>> {
        let inv = self.tables.invariants.get(index)?;
        let cell = self.compiled.get(index)?;
        Some(cell.get_or_init(|| Expression::parse(inv.expression).map_err(|e| e.to_string())))
    }

    /// Evaluates the invariants `list` (from [`Invariants::evaluated_at`])
    /// at `focus`; calls `report` for each failure, and for each invariant
    /// that could not be evaluated (as information: not checked, never
    /// silently passed).
    pub(crate) fn check<'a>(
        &self,
        list: &[u16],
        focus: &Item<'a>,
        scope: Scope<'_, 'a>,
        report: impl FnMut(Finding),
    ) {
        self.check_entries(list.iter().map(|&i| (i, Reuse::Nothing)), focus, scope, report);
    }

    /// Checks each invariant of `entries`, taking its verdict or its guard's
    /// answer from the cell given with it when there is one (filled by the
    /// first evaluation).
    fn check_entries<'a, 'l>(
        &self,
        entries: impl Iterator<Item = (u16, Reuse<'l>)>,
        focus: &Item<'a>,
        scope: Scope<'_, 'a>,
        mut report: impl FnMut(Finding),
    ) {
        let mut previous: Option<(u16, Verdict)> = None;
        for (i, reuse) in entries {
            let Some(inv) = self.tables.invariants.get(usize::from(i)) else { continue };
            let canonical = self.canonical(i);
            let verdict = match &previous {
                Some((c, v)) if *c == canonical => v.clone(),
                _ => {
                    let v = match reuse {
                        Reuse::Known(verdict) => verdict.clone(),
                        Reuse::Verdict(cell) => {
                            cell.get_or_init(|| self.evaluate(canonical, focus, scope)).clone()
                        }
                        Reuse::Guard(cell, guard)
                            if *cell.get_or_init(|| self.guard_decides(canonical, guard, focus, scope)) =>
                        {
                            Verdict::Pass
                        }
                        Reuse::Value(cache, key) => match cache.get(&key) {
                            Some(v) => v,
                            None => {
                                let v = self.evaluate(canonical, focus, scope);
                                cache.put(key, v.clone());
                                v
                            }
                        },
                        Reuse::Guard(..) | Reuse::Nothing => self.evaluate(canonical, focus, scope),
                    };
                    previous = Some((canonical, v.clone()));
                    v
                }
            };
            match verdict {
                Verdict::Pass => {}
                Verdict::Fail => report(failed(inv)),
                Verdict::NotChecked(why) => report(not_checked(inv, &why)),
            }
        }
    }

    /// Whether guard `guard` of invariant `index` alone passes `focus`
    /// ([`fhirpath::Guard::decides`]).
    fn guard_decides<'a>(
        &self,
        index: u16,
        guard: usize,
        focus: &Item<'a>,
        scope: Scope<'_, 'a>,
    ) -> bool {
        match self.expression(usize::from(index)) {
            Some(Ok(expr)) => expr.guards().get(guard).is_some_and(|g| g.decides(scope.context(), focus)),
            _ => false,
        }
    }

    fn evaluate<'a>(
        &self,
        index: u16,
        focus: &Item<'a>,
        scope: Scope<'_, 'a>,
    ) -> Verdict {
        let expr = match self.expression(usize::from(index)) {
            Some(Ok(expr)) => expr,
            Some(Err(e)) => return Verdict::NotChecked(e.clone()),
            None => return Verdict::NotChecked("no such invariant".to_owned()),
        };
        let ctx = scope.context();
        match expr.evaluate_boolean_at(ctx, focus) {
            // An empty result is "unknown" in FHIRPath (for example ref-1
            // on a Reference that has only a display): not a failure.
            Ok(Some(true) | None) => Verdict::Pass,
            Ok(Some(false)) => Verdict::Fail,
            Err(e) if e.kind == ErrorKind::Unsupported => Verdict::NotChecked(e.message),
            Err(e) => Verdict::NotChecked(e.to_string()),
        }
    }
}

/// What invariant `at` may reuse at `el`, whose present fields are
/// computed into `present` at the first invariant that needs them (one
/// [`Element::present`] call for all, not one per field and invariant).
fn decide<'l>(at: &'l AtType, el: &dyn Element, present: &mut Option<u128>) -> Reuse<'l> {
    let mut present = || *present.get_or_insert_with(|| el.present());
    let by_presence = at.by_presence.as_ref().and_then(|(mask, cells)| cells.get(pattern(present(), *mask)));
    let all_empty = |present: u128, mask: Option<u128>| mask.is_some_and(|mask| present & mask == 0);
    if let Some(cell) = by_presence {
        Reuse::Verdict(cell)
    } else if all_empty(present(), at.fields) {
        Reuse::Verdict(&at.when_empty)
    } else if let Some((cell, g)) = open_guard(&at.guards, present()) {
        Reuse::Guard(cell, g)
    } else if let Some((cache, key)) = at
        .by_value
        .as_ref()
        .filter(|cache| cache.worth_it())
        .and_then(|cache| Some((cache, value_key(el, &cache.fields)?)))
    {
        Reuse::Value(cache, key)
    } else {
        Reuse::Nothing
    }
}

/// The verdict of invariant `at` at every instance whose present fields
/// are `present`, where [`decide`] picks a cell by presence alone and that
/// cell is filled (a guard's answer only when it passes); `None` where it
/// is decided at each instance.
fn settled_verdict(at: &AtType, present: u128) -> Option<Verdict> {
    if let Some((mask, cells)) = &at.by_presence {
        return cells.get(pattern(present, *mask))?.get().cloned();
    }
    if at.fields.is_some_and(|mask| present & mask == 0) {
        return at.when_empty.get().cloned();
    }
    match open_guard(&at.guards, present) {
        Some((cell, _)) if cell.get() == Some(&true) => Some(Verdict::Pass),
        _ => None,
    }
}

/// The bits of `present` selected by `mask`, packed from bit 0 in the
/// order of the mask's bits.
fn pattern(present: u128, mask: u128) -> usize {
    let mut rest = mask;
    let mut out = 0usize;
    let mut j = 0;
    while rest != 0 {
        let bit = rest & rest.wrapping_neg();
        if present & bit != 0 {
            out |= 1 << j;
        }
        rest &= rest - 1;
        j += 1;
    }
    out
}

/// The guards of `expr` that can decide at instances of `info`: those
/// whose earlier operands read only fields the type has (they cannot fail
/// there), with their fields' masks.
fn type_guards(info: &TypeInfo, expr: &Expression) -> Vec<TypeGuard> {
    expr.guards()
        .iter()
        .enumerate()
        .filter(|(_, g)| g.requires().iter().all(|n| info.field_index(n).is_some()))
        .filter_map(|(index, g)| {
            let fields = field_mask(info, g.fields())?;
            let cells = if g.reads_only_presence() && fields.count_ones() <= MAX_PRESENCE_FIELDS {
                1usize << fields.count_ones()
            } else {
                1
            };
            Some(TypeGuard { index, fields, answers: (0..cells).map(|_| OnceLock::new()).collect() })
        })
        .collect()
}

/// The cell of the first guard whose answer at an instance with the
/// present fields `present` is the same at every such instance and not
/// known to leave the expression undecided, with the guard's index.
fn open_guard(guards: &[TypeGuard], present: u128) -> Option<(&OnceLock<bool>, usize)> {
    guards.iter().find_map(|g| g.answer(present).filter(|cell| cell.get() != Some(&false)).map(|cell| (cell, g.index)))
}

/// The [`Element::present`] bits of the fields `names` of `info` (a name the
/// type lacks reads nothing, at any instance); `None` for a field past the
/// 128 bits, which the generator never emits.
fn field_mask(info: &TypeInfo, names: &[String]) -> Option<u128> {
    names
        .iter()
        .filter_map(|n| info.field_index(n))
        .try_fold(0u128, |mask, i| Some(mask | 1u128.checked_shl(u32::try_from(i).ok()?)?))
}

fn failed(inv: &Invariant) -> Finding {
    let severity = match inv.severity {
        InvariantSeverity::Error if !inv.best_practice => Severity::Error,
        _ => Severity::Warning,
    };
    let kind = if inv.best_practice { " (best practice)" } else { "" };
    // `concat` sizes the string once: through `format!` each of the 18,000
    // messages over the R4 examples took about 1,800 instructions.
    (severity, IssueType::Invariant, [inv.key, ": ", inv.human, kind, " [", inv.expression, "]"].concat())
}

fn not_checked(inv: &Invariant, why: &str) -> Finding {
    (
        Severity::Information,
        IssueType::NotSupported,
        ["invariant ", inv.key, " not checked: ", why, " [", inv.expression, "]"].concat(),
    )
}



#[cfg(test)]
mod tests {
    use super::{pattern, push_decimal, push_value};

    #[test]
    fn value_keys_are_unambiguous() {
        let key = |parts: &[&str]| {
            let mut k = String::new();
            parts.iter().for_each(|p| push_value(&mut k, p));
            k
        };
        assert_eq!(key(&["", "ab"]), "20:22:ab");
        assert_eq!(key(&["0123456789"]), "210:0123456789");
        assert_ne!(key(&["20:2"]), key(&["", "2"]));
        assert_ne!(key(&["a", "b"]), key(&["a2", ""]));
        let mut n = String::new();
        push_decimal(&mut n, 0);
        push_decimal(&mut n, 9_876_543_210);
        assert_eq!(n, "09876543210");
    }

    #[test]
    fn patterns_pack_the_masked_bits_in_order() {
        let mask = 1u128 << 3 | 1 << 70 | 1 << 127;
        assert_eq!(pattern(0, mask), 0);
        assert_eq!(pattern(u128::MAX, mask), 0b111);
        assert_eq!(pattern(1 << 70 | 1 << 5, mask), 0b010);
        assert_eq!(pattern(1 << 127 | 1 << 3, mask), 0b101);
        assert_eq!(pattern(u128::MAX, 0), 0);
    }
}
