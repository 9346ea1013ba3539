//! Outcomes of a type's invariants settled per pattern of present fields.
//!
//! Most of a type's invariants are decided at an instance by a verdict or
//! guard answer kept for the pattern of fields the instance fills
//! ([`super::invariants::AtType`]): which cell applies, and what it holds
//! once filled, depend on nothing but that pattern. Working that out again
//! for each invariant at each instance (mask tests, packing the pattern's
//! bits, the guard list, a verdict copied out of its cell) cost about 160
//! instructions per invariant and instance over the R4 examples, more
//! than the walk spends on most elements. So the outcome is worked out
//! once per pattern, after the first instance with it has filled the
//! cells: the instances after it look up the pattern and handle only the
//! invariants that still need work there (those evaluated at every
//! instance, and those that fail or could not be checked, to report them).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, PoisonError, RwLock};

/// The most patterns kept per type: present fields come from the input, so
/// the table is bounded; a pattern past it is worked out at each instance,
/// as before.
const MAX_PATTERNS: usize = 256;

/// What one invariant needs at the instances with one pattern, in list
/// order; invariants that pass by a settled verdict are left out.
#[derive(Clone, Debug)]
pub(crate) enum Step<V> {
    /// The invariant at `entry` in the type's list has this settled
    /// verdict (a failure or "not checked", to report).
    Settled(usize, V),
    /// The invariant at `entry` is decided at each instance.
    Live(usize),
}

/// The steps per pattern of present fields (restricted to `mask`, the
/// fields any of the type's invariants decides by), built at the second
/// instance with the pattern (the first fills the cells).
#[derive(Debug)]
pub(crate) struct Settled<V> {
    /// The fields that decide which cell applies; `0` when no invariant of
    /// the type reuses anything by presence (nothing to settle).
    pub(crate) mask: u128,
    patterns: RwLock<Patterns<V>>,
}

/// The steps per pattern.
type Patterns<V> = HashMap<u128, Arc<[Step<V>]>, BuildHasherDefault<MaskHasher>>;

impl<V> Settled<V> {
    pub(crate) fn new(mask: u128) -> Self {
        Settled { mask, patterns: RwLock::new(HashMap::default()) }
    }

    /// The steps kept for `pattern` (already restricted to the mask).
    pub(crate) fn get(&self, pattern: u128) -> Option<Arc<[Step<V>]>> {
        self.patterns.read().unwrap_or_else(PoisonError::into_inner).get(&pattern).cloned()
    }

    /// Keeps the steps of `pattern`, unless the table is full.
    pub(crate) fn put(&self, pattern: u128, steps: Vec<Step<V>>) {
        let mut patterns = self.patterns.write().unwrap_or_else(PoisonError::into_inner);
        if patterns.len() < MAX_PATTERNS {
            patterns.entry(pattern).or_insert_with(|| steps.into());
        }
    }
}

/// A hasher for the patterns: one multiplication per half instead of
/// SipHash over sixteen bytes (the table is bounded, so collisions cannot
/// grow it).
#[derive(Debug, Default)]
pub(crate) struct MaskHasher(u64);

impl Hasher for MaskHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u128(&mut self, n: u128) {
        let (lo, hi) = (n as u64, (n >> 64) as u64);
        self.0 = (lo ^ hi.rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_right(29);
    }
}
