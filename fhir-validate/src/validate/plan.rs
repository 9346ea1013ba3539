//! Per-type validation plans: for each field of a type, its binding, the
//! invariants listed at its element path and the format checks of its
//! primitive types, looked up once per type and version instead of by
//! element-path strings at every instance the walk visits.
//!
//! Types are keyed by the address of their `&'static TypeInfo`, which is
//! unique and stable for the life of the program. Plans are built on first
//! use and shared by every validation of a [`Validator`](super::Validator);
//! each walk keeps its own lock-free front cache.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use fhir_model::rt::{FieldKind, TypeInfo};

use super::invariants::{Invariants, TypeInvariants, ValueVerdicts};
use super::tables::{Binding, Tables};

/// What the walk checks at the fields of one type.
#[derive(Debug)]
pub(crate) struct TypePlan {
    /// The invariants of the type itself (a resource's, a datatype's, or a
    /// backbone element's, whose type name is its element path).
    pub(crate) invariants: TypeInvariants,
    /// One per field of the type, in field order.
    pub(crate) fields: Vec<FieldPlan>,
}

/// What the walk checks at one field.
#[derive(Debug, Default)]
pub(crate) struct FieldPlan {
    pub(crate) binding: Option<&'static Binding>,
    /// Invariants listed at the field's element path, less those its
    /// complex type lists itself ([`not_checked_by_types`]). Empty for a
    /// backbone element: its invariants are its type's, checked when
    /// walking into it.
    pub(crate) invariants: Vec<u16>,
    /// For a field of elements, `invariants` as checked at instances of
    /// their type ([`Invariants::at_instances_of`]), with the key of that
    /// type: built at the field's first item, so that the verdicts and
    /// guard answers one instance gives are reused at the others, as for a
    /// type's own invariants.
    pub(crate) at_items: OnceLock<(usize, TypeInvariants)>,
    /// For a field of primitives, `invariants` with their verdicts per
    /// value ([`Invariants::by_focus_value`]), built at the first item.
    pub(crate) by_value: OnceLock<ValueVerdicts>,
    /// Per variant of the field (one for a plain field): index into the
    /// validator's primitive checks when the variant is a primitive type.
    pub(crate) primitives: Vec<Option<u16>>,
}

/// The format checks and invariants of one primitive type.
#[derive(Debug)]
pub(crate) struct PrimitiveCheck {
    pub(crate) name: &'static str,
    pub(crate) rule: &'static super::tables::PrimitiveRule,
    /// The format as checked: the definition's regex, or its repair
    /// ([`super::REGEX_REPAIRS`]); quoted in the report.
    pub(crate) pattern: Option<&'static str>,
    /// The compiled format (`None`: no regex in the definitions, or one the
    /// regex engine cannot compile).
    pub(crate) regex: Option<regex::Regex>,
    /// The invariants listed at the primitive type (apart from native ones).
    pub(crate) invariants: Vec<u16>,
}

/// Shared, lazily filled plans of one validator.
#[derive(Debug, Default)]
pub(crate) struct Plans {
    by_type: RwLock<HashMap<usize, Arc<TypePlan>, AddressHash>>,
}

/// The key of a type: the address of its static `TypeInfo`.
pub(crate) fn key(info: &'static TypeInfo) -> usize {
    std::ptr::from_ref(info) as usize
}

impl Plans {
    /// The plan of `info`, built on first use.
    pub(crate) fn get(
        &self,
        info: &'static TypeInfo,
        tables: &'static Tables,
        invariants: Option<&Invariants>,
        primitives: &[PrimitiveCheck],
    ) -> Arc<TypePlan> {
        let k = key(info);
        if let Some(p) = self.by_type.read().unwrap_or_else(PoisonError::into_inner).get(&k) {
            return Arc::clone(p);
        }
        let plan = Arc::new(build(info, tables, invariants, primitives));
        let mut map = self.by_type.write().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(map.entry(k).or_insert(plan))
    }
}

fn build(
    info: &'static TypeInfo,
    tables: &'static Tables,
    invariants: Option<&Invariants>,
    primitives: &[PrimitiveCheck],
) -> TypePlan {
    let listed = |path: &str| invariants.map(|inv| inv.evaluated_at(path)).unwrap_or_default();
    let mut path = String::new();
    let fields = info
        .fields
        .iter()
        .map(|f| {
            path.clear();
            path.push_str(info.name);
            path.push('.');
            path.push_str(f.name);
            let invariants = match f.kind {
                // A backbone element's type is named by its path: its
                // invariants are checked as the type's.
                FieldKind::Element | FieldKind::Choice | FieldKind::Primitive
                    if f.types.first().is_none_or(|t| *t != path) =>
                {
                    // Items of a complex type are walked into, where that
                    // type's own invariants are checked (`TypePlan::invariants`).
                    let type_lists: Vec<Vec<u16>> = match f.kind {
                        FieldKind::Element => f.types.iter().map(|t| listed(t)).collect(),
                        _ => Vec::new(),
                    };
                    not_checked_by_types(tables, listed(&path), &type_lists)
                }
                _ => Vec::new(),
            };
            let primitives = f
                .types
                .iter()
                .map(|t| primitives.iter().position(|p| p.name == *t).and_then(|i| u16::try_from(i).ok()))
                .collect();
            FieldPlan { binding: tables.binding(&path), invariants, at_items: OnceLock::new(), by_value: OnceLock::new(), primitives }
        })
        .collect();
    TypePlan { invariants: invariants.map(|inv| inv.at_type(info)).unwrap_or_default(), fields }
}

/// The invariants `at_field` (listed at a field's element path) less those
/// that each of the field's types (`type_lists`, the invariants listed at
/// each type) also lists with the same key and expression. The walk checks
/// a type's own invariants at every item of that type, so these would be
/// evaluated and reported twice at the same item: snapshots copy a type's
/// constraints into the elements of that type (ext-1 is listed both at
/// `Patient.extension` and at `Extension`).
fn not_checked_by_types(tables: &Tables, at_field: Vec<u16>, type_lists: &[Vec<u16>]) -> Vec<u16> {
    let same = |a: u16, b: u16| {
        let inv = |i: u16| tables.invariants.get(usize::from(i));
        matches!((inv(a), inv(b)), (Some(x), Some(y)) if x.key == y.key && x.expression == y.expression)
    };
    if type_lists.is_empty() {
        return at_field;
    }
    at_field
        .into_iter()
        .filter(|&i| !type_lists.iter().all(|list| list.iter().any(|&j| same(i, j))))
        .collect()
}

/// A walk's own cache in front of [`Plans`]: no lock, a trivial hash.
pub(crate) type LocalPlans = HashMap<usize, Arc<TypePlan>, AddressHash>;

/// Hashes type addresses: they are distinct and aligned, so multiplying by
/// an odd constant spreads them well enough for a small table.
#[derive(Default, Clone, Copy, Debug)]
pub(crate) struct AddressHasher(u64);

pub(crate) type AddressHash = BuildHasherDefault<AddressHasher>;

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_right(29);
    }
}
