//! Equality (`=`), equivalence (`~`) and ordering of single items.

use std::cmp::Ordering;

use crate::datetime::TemporalKind;
use crate::decimal::Dec;
use crate::error::Error;
use crate::item::{Item, Node, Repr};
use crate::value::Value;

/// Both numbers as decimals (an Integer compares with a Decimal).
fn as_decimals(a: &Value, b: &Value) -> Option<(Dec, Dec)> {
    let d = |v: &Value| match v {
        Value::Integer(i) | Value::Long(i) => Some(Dec::from_int(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    };
    Some((d(a)?, d(b)?))
}

/// `=` of two items: `None` when the answer is unknown (date-times of
/// different precision).
pub(crate) fn equals(a: &Item<'_>, b: &Item<'_>) -> Option<bool> {
    // Strings, the common case in invariants (`code = 'Reference'`),
    // compare in place, without converting either side to a value.
    if let (Some(x), Some(y)) = (a.string_text(), b.string_text()) {
        return Some(x == y);
    }
    if let (Repr::Node(Node::Element(x), _), Repr::Node(Node::Element(y), _)) = (&a.repr, &b.repr) {
        if a.system_value().is_none() || b.system_value().is_none() {
            return Some(elements_equal(a, b, *x, *y));
        }
    }
    if let (
        Repr::Type {
            namespace: n1,
            name: a1,
        },
        Repr::Type {
            namespace: n2,
            name: a2,
        },
    ) = (&a.repr, &b.repr)
    {
        return Some(n1 == n2 && a1 == a2);
    }
    let (Some(x), Some(y)) = (a.system_value(), b.system_value()) else {
        // Primitives without value, or elements vs values.
        return Some(false);
    };
    values_equal(&x, &y)
}

fn elements_equal(
    a: &Item<'_>,
    b: &Item<'_>,
    x: &dyn fhir_model::rt::Element,
    y: &dyn fhir_model::rt::Element,
) -> bool {
    if x.type_info().name != y.type_info().name {
        return false;
    }
    let (mut ca, mut cb) = (Vec::new(), Vec::new());
    a.all_children(&mut ca);
    b.all_children(&mut cb);
    ca.len() == cb.len() && ca.iter().zip(&cb).all(|(p, q)| equals(p, q) == Some(true))
}

pub(crate) fn values_equal(x: &Value, y: &Value) -> Option<bool> {
    match (x, y) {
        (Value::Boolean(a), Value::Boolean(b)) => Some(a == b),
        (Value::String(a), Value::String(b)) => Some(a == b),
        (Value::Temporal(a), Value::Temporal(b)) => {
            // Date vs DateTime compare as date-times.
            if a.kind == TemporalKind::Time && b.kind != TemporalKind::Time
                || b.kind == TemporalKind::Time && a.kind != TemporalKind::Time
            {
                return Some(false);
            }
            a.compare(b).map(|o| o == Ordering::Equal)
        }
        (Value::Quantity(a), Value::Quantity(b)) => a.compare(b).map(|o| o == Ordering::Equal),
        _ => match as_decimals(x, y) {
            Some((a, b)) => Some(a == b),
            None => Some(false),
        },
    }
}

/// `~` of two items.
pub(crate) fn equivalent(a: &Item<'_>, b: &Item<'_>) -> bool {
    if let (Repr::Node(Node::Element(x), _), Repr::Node(Node::Element(y), _)) = (&a.repr, &b.repr) {
        if a.system_value().is_none() || b.system_value().is_none() {
            if x.type_info().name != y.type_info().name {
                return false;
            }
            let (mut ca, mut cb) = (Vec::new(), Vec::new());
            a.all_children(&mut ca);
            b.all_children(&mut cb);
            return crate::eval::collections_equivalent(&ca, &cb);
        }
    }
    let (Some(x), Some(y)) = (a.system_value(), b.system_value()) else {
        return false;
    };
    match (&x, &y) {
        (Value::String(a), Value::String(b)) => normalize(a) == normalize(b),
        (Value::Decimal(_), _) | (_, Value::Decimal(_)) => match as_decimals(&x, &y) {
            Some((a, b)) => {
                let scale = a.scale().min(b.scale());
                a.round(scale) == b.round(scale)
            }
            None => false,
        },
        (Value::Temporal(a), Value::Temporal(b)) => a.compare(b) == Some(Ordering::Equal),
        (Value::Quantity(a), Value::Quantity(b)) => a.equivalent(b),
        _ => values_equal(&x, &y) == Some(true),
    }
}

fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Ordering for `<`, `>`, sort: `Ok(None)` when unknown (precision),
/// an error for types that cannot be ordered against each other.
pub(crate) fn order(a: &Item<'_>, b: &Item<'_>) -> Result<Option<Ordering>, Error> {
    let (Some(x), Some(y)) = (a.system_value(), b.system_value()) else {
        return Err(Error::execution("cannot compare these items"));
    };
    match (&x, &y) {
        (Value::String(p), Value::String(q)) => Ok(Some(p.cmp(q))),
        (Value::Temporal(p), Value::Temporal(q)) => {
            if (p.kind == TemporalKind::Time) != (q.kind == TemporalKind::Time) {
                return Err(Error::execution("cannot compare a time with a date"));
            }
            Ok(p.compare(q))
        }
        (Value::Quantity(p), Value::Quantity(q)) => Ok(p.compare(q)),
        (Value::Quantity(p), _) => match as_decimals(&Value::Decimal(p.value), &y) {
            Some((m, n)) if p.unit == "1" => Ok(Some(m.cmp(n))),
            _ => Err(Error::execution("cannot compare a quantity with a number")),
        },
        _ => match as_decimals(&x, &y) {
            Some((p, q)) => Ok(Some(p.cmp(q))),
            None => Err(Error::execution(format!(
                "cannot compare {} with {}",
                x.type_name(),
                y.type_name()
            ))),
        },
    }
}
