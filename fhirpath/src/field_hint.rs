//! [`FieldHint`]: the field index a path step found last time.
//!
//! A path step names a field; the typed model finds it by comparing the name
//! with every field of the item's type in turn (`TypeInfo::field_index`), which
//! is most of the cost of a step on the large types (ElementDefinition has 37
//! fields). An invariant is evaluated at every instance of one type, so the
//! index found last time is almost always right: the step checks that field's
//! name first and searches only when it differs.

use std::sync::atomic::{AtomicU32, Ordering};

use fhir_model::rt::TypeInfo;

/// The field index a path step resolved to last time (a cache: it never
/// changes a result, since a hit is verified against the name).
///
/// Shared between threads evaluating the same compiled expression: a hint
/// written by one and read by another is at worst a wrong guess, which the
/// name check rejects.
#[derive(Default)]
pub(crate) struct FieldHint(AtomicU32);

impl FieldHint {
    /// The index of the field `name` of `ti`, as [`TypeInfo::field_index`].
    pub(crate) fn index(&self, ti: &TypeInfo, name: &str) -> Option<usize> {
        let guess = self.0.load(Ordering::Relaxed) as usize;
        if ti.fields.get(guess).is_some_and(|f| f.name == name) {
            return Some(guess);
        }
        let found = ti.field_index(name)?;
        if let Ok(i) = u32::try_from(found) {
            self.0.store(i, Ordering::Relaxed);
        }
        Some(found)
    }
}

/// A copy starts from the same guess.
impl Clone for FieldHint {
    fn clone(&self) -> Self {
        FieldHint(AtomicU32::new(self.0.load(Ordering::Relaxed)))
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
