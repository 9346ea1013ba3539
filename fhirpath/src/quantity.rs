//! `System.Quantity`: comparison, equivalence and arithmetic, converting
//! units through [`crate::ucum`]. Units it cannot read only compare with the
//! very same unit text; calendar keywords (`days`) stand for their UCUM units,
//! except years and months, whose length varies.

use std::cmp::Ordering;
use std::fmt;

use crate::datetime::is_calendar_keyword;
use crate::decimal::Dec;
use crate::ucum::canonical;

/// A value with a unit: a UCUM code or a FHIRPath calendar keyword (`days`).
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    pub value: Dec,
    pub unit: String,
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_calendar_keyword(&self.unit) {
            write!(f, "{} {}", self.value, self.unit)
        } else {
            write!(f, "{} '{}'", self.value, self.unit)
        }
    }
}

impl Quantity {
    pub fn new(value: Dec, unit: impl Into<String>) -> Quantity {
        Quantity {
            value,
            unit: unit.into(),
        }
    }

    /// Both values in the same unit, or `None` when the units are not
    /// comparable.
    fn aligned(&self, other: &Quantity) -> Option<(Dec, Dec)> {
        let singular = |u: &str| {
            u.strip_suffix('s')
                .filter(|s| is_calendar_keyword(s))
                .unwrap_or(u)
                .to_owned()
        };
        if singular(&self.unit) == singular(&other.unit) {
            return Some((self.value, other.value));
        }
        let (a, b) = (canonical(&self.unit)?, canonical(&other.unit)?);
        if a.dims != b.dims {
            return None;
        }
        Some((self.value.mul(a.factor)?, other.value.mul(b.factor)?))
    }

    /// Whether the two units measure the same dimension.
    pub fn comparable(&self, other: &Quantity) -> bool {
        self.aligned(other).is_some()
    }

    pub fn compare(&self, other: &Quantity) -> Option<Ordering> {
        let (a, b) = self.aligned(other)?;
        Some(a.cmp(b))
    }

    /// Equivalence: equal after rounding to the less precise value's scale.
    pub fn equivalent(&self, other: &Quantity) -> bool {
        let Some((a, b)) = self.aligned(other) else {
            return false;
        };
        let scale = self.value.scale().min(other.value.scale());
        a.round(scale) == b.round(scale)
    }

    pub fn add(&self, other: &Quantity, negate: bool) -> Option<Quantity> {
        let other_value = if negate {
            other.value.neg()
        } else {
            other.value
        };
        if self.unit == other.unit {
            return Some(Quantity::new(
                self.value.add(other_value)?,
                self.unit.clone(),
            ));
        }
        let (a, b) = (canonical(&self.unit)?, canonical(&other.unit)?);
        if a.dims != b.dims {
            return None;
        }
        let converted = other_value.mul(b.factor)?.div(a.factor)?;
        Some(Quantity::new(self.value.add(converted)?, self.unit.clone()))
    }

    pub fn mul(&self, other: &Quantity) -> Option<Quantity> {
        let unit = match (self.unit.as_str(), other.unit.as_str()) {
            ("1", u) | (u, "1") => u.to_owned(),
            (a, b) => format!("{a}.{b}"),
        };
        Some(Quantity::new(self.value.mul(other.value)?, unit))
    }

    pub fn div(&self, other: &Quantity) -> Option<Quantity> {
        let unit = match (self.unit.as_str(), other.unit.as_str()) {
            (a, b) if a == b => "1".to_owned(),
            (u, "1") => u.to_owned(),
            (a, b) => format!("{a}/{b}"),
        };
        Some(Quantity::new(self.value.div(other.value)?, unit))
    }
}
