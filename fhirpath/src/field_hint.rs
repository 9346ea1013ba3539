//! [`FieldHint`]: the field indices a path step found last time.
//!
//! A path step names a field; the typed model finds it by comparing the name
//! with every field of the item's type in turn (`TypeInfo::field_index`), which
//! is most of the cost of a step on the large types (ElementDefinition has 37
//! fields). An invariant is evaluated at every instance of one type, so a
//! step meets few types: it keeps the index found in each (a few slots) and
//! searches only for a type it has not kept.

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
/// of them wrote. One hint serves one step, so one name: a slot whose type
/// matches is the answer.
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
            // The index was found for this very type (the whole address
            // matched) and this very name: a hint lives in its step's
            // `Expr::Member` beside the name, and every caller passes that
            // name. So it is not compared again (1.5 M `memcmp` calls over
            // the R4 examples' invariants); debug builds check the pairing.
            let found = index as usize;
            debug_assert!(
                ti.fields.get(found).is_some_and(|f| f.name == name),
                "a FieldHint used with a name other than its step's"
            );
            return Some(found);
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

#[cfg(test)]
mod tests {
    use super::FieldHint;
    use fhir_model::r4;
    use fhir_model::rt::TypeInfo;

    /// A hint answers as `TypeInfo::field_index` for every type it meets,
    /// in any order, more types than it has slots, present names and
    /// absent ones, on first use and from its slots.
    #[test]
    fn answers_as_the_search() {
        let types: [&'static TypeInfo; 9] = [
            r4::Patient::TYPE_INFO,
            r4::HumanName::TYPE_INFO,
            r4::ElementDefinition::TYPE_INFO,
            r4::Coding::TYPE_INFO,
            r4::Identifier::TYPE_INFO,
            r4::CodeSystem::TYPE_INFO,
            r4::Extension::TYPE_INFO,
            r4::Reference::TYPE_INFO,
            r4::StructureDefinition::TYPE_INFO,
        ];
        let mut names: Vec<&str> = types
            .iter()
            .flat_map(|ti| ti.fields.iter().map(|f| f.name))
            .collect();
        names.extend(["nosuchfield", "value", "valueString"]);
        for name in names {
            let hint = FieldHint::default();
            // Forward, backward, then strided: slots are reused in
            // different orders.
            let forward = types.iter();
            let backward = types.iter().rev();
            let strided = types
                .iter()
                .step_by(4)
                .chain(types.iter().skip(1).step_by(4));
            for &ti in forward.chain(backward).chain(strided) {
                assert_eq!(
                    hint.index(ti, name),
                    ti.field_index(name),
                    "{name} in {}",
                    ti.name
                );
            }
        }
    }
}
