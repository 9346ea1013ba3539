//! [`FieldHint`]: the field indices a path step found last time.
//!
//! A path step names a field; the typed model finds it by comparing the name
//! with every field of the item's type in turn (`TypeInfo::field_index`), which
//! is most of the cost of a step on the large types (ElementDefinition has 37
//! fields). An invariant is evaluated at every instance of one type, so the
//! index found last time for that type is almost always right: the step
//! checks that field's name first and searches only when it differs.

use std::sync::atomic::{AtomicU64, Ordering};

use fhir_model::rt::TypeInfo;

/// How many types a step remembers: a step after `descendants()` or
/// `children()` meets items of many types in turn (csd-1's
/// `descendants().concept`, sdf-9's `children().element`).
const SLOTS: usize = 4;

/// The index stored for a name the type does not have.
const ABSENT: u64 = 0xFFFF;

/// The field indices a path step resolved to last time, per type (a cache:
/// it never changes a result).
///
/// Each slot packs a type's address (its low 48 bits, all there is of a
/// user-space address) with the index found in it, in one atomic word, so
/// threads evaluating the same compiled expression always read a pair one
/// of them wrote. A found index is still checked against the name.
#[derive(Default)]
pub(crate) struct FieldHint([AtomicU64; SLOTS]);

impl FieldHint {
    /// The index of the field `name` of `ti`, as [`TypeInfo::field_index`].
    pub(crate) fn index(&self, ti: &'static TypeInfo, name: &str) -> Option<usize> {
        let address = std::ptr::from_ref(ti) as usize as u64;
        if address >> 48 != 0 {
            return ti.field_index(name);
        }
        let slot = self.0.get((address as usize / 8) % SLOTS)?;
        let packed = slot.load(Ordering::Relaxed);
        if packed >> 16 == address {
            let index = packed & 0xFFFF;
            if index == ABSENT {
                return None;
            }
            let guess = index as usize;
            if ti.fields.get(guess).is_some_and(|f| f.name == name) {
                return Some(guess);
            }
        }
        let found = ti.field_index(name);
        let index = match found {
            Some(i) => u64::try_from(i).ok().filter(|&i| i < ABSENT),
            None => Some(ABSENT),
        };
        if let Some(index) = index {
            slot.store(address << 16 | index, Ordering::Relaxed);
        }
        found
    }
}

/// A copy starts from the same guess.
impl Clone for FieldHint {
    fn clone(&self) -> Self {
        FieldHint(std::array::from_fn(|i| {
            AtomicU64::new(self.0.get(i).map_or(0, |s| s.load(Ordering::Relaxed)))
        }))
    }
}

/// Two steps are the same whatever they guessed.
impl PartialEq for FieldHint {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for FieldHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldHint")
    }
}
