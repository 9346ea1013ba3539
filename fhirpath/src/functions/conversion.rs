//! Conversion functions: `toBoolean`, `toInteger`, `toLong`, `toDecimal`,
//! `toString`, `toDate`, `toDateTime`, `toTime`, `toQuantity` and their
//! `convertsTo*` tests.

use super::{opt, Call};
use crate::datetime::{is_calendar_keyword, Temporal, TemporalKind};
use crate::decimal::Dec;
use crate::error::Error;
use crate::items::Items;
use crate::quantity::Quantity;
use crate::value::Value;

fn is_integer_text(s: &str) -> bool {
    let d = s.strip_prefix(['+', '-']).unwrap_or(s);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn to_boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Boolean(b) => Some(*b),
        Value::Integer(1) | Value::Long(1) => Some(true),
        Value::Integer(0) | Value::Long(0) => Some(false),
        Value::Decimal(d) if *d == Dec::from_int(1) => Some(true),
        Value::Decimal(d) if d.is_zero() => Some(false),
        Value::String(s) => match s.to_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "1" | "1.0" => Some(true),
            "false" | "f" | "no" | "n" | "0" | "0.0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn to_integer(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Long(i) => i32::try_from(*i).ok().map(i64::from),
        Value::Boolean(b) => Some(i64::from(*b)),
        Value::String(s) if is_integer_text(s) => s.parse::<i32>().ok().map(i64::from),
        _ => None,
    }
}

fn to_long(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) | Value::Long(i) => Some(*i),
        Value::Boolean(b) => Some(i64::from(*b)),
        Value::String(s) if is_integer_text(s) => s.parse().ok(),
        _ => None,
    }
}

fn to_decimal(v: &Value) -> Option<Dec> {
    match v {
        Value::Integer(i) | Value::Long(i) => Some(Dec::from_int(*i)),
        Value::Decimal(d) => Some(*d),
        Value::Boolean(b) => Some(Dec::new(i128::from(*b) * 10, 1)),
        Value::String(s) if !s.contains(['e', 'E']) => Dec::parse(s),
        _ => None,
    }
}

fn to_temporal(v: &Value, kind: TemporalKind) -> Option<Temporal> {
    match (v, kind) {
        (Value::Temporal(t), TemporalKind::Date) if t.kind != TemporalKind::Time => {
            let mut d = (**t).clone();
            d.kind = TemporalKind::Date;
            d.hour = None;
            d.minute = None;
            d.second = None;
            d.fraction = None;
            d.tz = None;
            Some(d)
        }
        (Value::Temporal(t), TemporalKind::DateTime) if t.kind != TemporalKind::Time => {
            let mut d = (**t).clone();
            d.kind = TemporalKind::DateTime;
            Some(d)
        }
        (Value::Temporal(t), TemporalKind::Time) if t.kind == TemporalKind::Time => Some((**t).clone()),
        (Value::String(s), TemporalKind::Date) => Temporal::parse_date(s),
        (Value::String(s), TemporalKind::DateTime) => Temporal::parse_datetime(s),
        (Value::String(s), TemporalKind::Time) => {
            Temporal::parse_time(s.strip_prefix('T').unwrap_or(s))
        }
        _ => None,
    }
}

/// Reads `"5 'mg'"`, `"4 days"`, `"1.5"`.
fn parse_quantity(s: &str) -> Option<Quantity> {
    let s = s.trim();
    let (num, unit) = match s.find(' ') {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    };
    let value = Dec::parse(num).filter(|_| !num.contains(['e', 'E']))?;
    let unit = if unit.is_empty() {
        "1".to_owned()
    } else if let Some(u) = unit.strip_prefix('\'').and_then(|u| u.strip_suffix('\'')) {
        u.to_owned()
    } else if is_calendar_keyword(unit) {
        unit.to_owned()
    } else {
        return None;
    };
    Some(Quantity::new(value, unit))
}

fn to_quantity(v: &Value, unit: Option<&str>) -> Option<Quantity> {
    let q = match v {
        Value::Integer(i) | Value::Long(i) => Quantity::new(Dec::from_int(*i), "1"),
        Value::Decimal(d) => Quantity::new(*d, "1"),
        Value::Boolean(b) => Quantity::new(Dec::new(i128::from(*b) * 10, 1), "1"),
        Value::Quantity(q) => (**q).clone(),
        Value::String(s) => parse_quantity(s)?,
        Value::Temporal(_) => return None,
    };
    match unit {
        None => Some(q),
        Some(u) if u == q.unit => Some(q),
        Some(u) => {
            // Convert through the unit's base: 1 u = f base.
            let one = Quantity::new(Dec::from_int(1), u);
            let zero = Quantity::new(Dec::from_int(0), u);
            if !one.comparable(&q) {
                return None;
            }
            zero.add(&q, false)
        }
    }
}

pub(super) fn call<'a>(c: &mut Call<'_, '_, 'a>) -> Result<Option<Items<'a>>, Error> {
    let name = c.name;
    let (base, test) = match name.strip_prefix("convertsTo") {
        Some(rest) => (rest, true),
        None => match name.strip_prefix("to") {
            Some(rest) => (rest, false),
            None => return Ok(None),
        },
    };
    if !matches!(
        base,
        "Boolean"
            | "Integer"
            | "Long"
            | "Decimal"
            | "String"
            | "Date"
            | "DateTime"
            | "Time"
            | "Quantity"
    ) {
        return Ok(None);
    }
    let unit = if base == "Quantity" && !c.args.is_empty() {
        c.arg_string(0)?
    } else {
        None
    };
    let Some(v) = c.input_value()? else {
        return Ok(Some(Items::new()));
    };
    let out = match base {
        "Boolean" => to_boolean(&v).map(Value::Boolean),
        "Integer" => to_integer(&v).map(Value::Integer),
        "Long" => to_long(&v).map(Value::Long),
        "Decimal" => to_decimal(&v).map(Value::Decimal),
        "String" => Some(Value::String(v.to_text())),
        "Date" => to_temporal(&v, TemporalKind::Date).map(Value::temporal),
        "DateTime" => to_temporal(&v, TemporalKind::DateTime).map(Value::temporal),
        "Time" => to_temporal(&v, TemporalKind::Time).map(Value::temporal),
        "Quantity" => to_quantity(&v, unit.as_deref()).map(Value::quantity),
        _ => return Ok(None),
    };
    if test {
        opt(Some(Value::Boolean(out.is_some()))).map(Some)
    } else {
        opt(out).map(Some)
    }
}
