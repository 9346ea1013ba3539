//! Math functions (`abs`, `ceiling`, `exp`, `floor`, `ln`, `log`, `power`,
//! `round`, `sqrt`, `truncate`) and the precision functions
//! (`lowBoundary`, `highBoundary`, `precision`, `comparable`).

use super::{one, opt, Call};
use crate::decimal::Dec;
use crate::error::Error;
use crate::items::Items;
use crate::quantity::Quantity;
use crate::value::Value;

/// Most digits the boundary functions produce.
const MAX_BOUNDARY_DIGITS: i64 = 28;

fn number(v: &Value) -> Option<Dec> {
    match v {
        Value::Integer(i) | Value::Long(i) => Some(Dec::from_int(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

fn int_value(i: i128) -> Option<Value> {
    i64::try_from(i).ok().map(Value::Integer)
}

/// Boundary of a decimal with `scale` significant fraction digits.
fn dec_boundary(d: Dec, high: bool, digits: i64) -> Option<Dec> {
    if !(0..=MAX_BOUNDARY_DIGITS).contains(&digits) {
        return None;
    }
    let digits = u32::try_from(digits).ok()?;
    let half = Dec::new(5, d.scale() + 1);
    let edge = if high { d.add(half)? } else { d.sub(half)? };
    if digits >= edge.scale() {
        return Some(edge.round(digits));
    }
    // Round towards the outside of the interval.
    let t = edge.truncate(digits);
    if t.is_zero() {
        return Some(t);
    }
    let unit = Dec::new(1, digits);
    Some(if high && edge.cmp(t).is_gt() {
        t.add(unit)?
    } else if !high && edge.cmp(t).is_lt() {
        t.sub(unit)?
    } else {
        t
    })
}

pub(super) fn call<'a>(c: &mut Call<'_, '_, 'a>) -> Result<Option<Items<'a>>, Error> {
    let name = c.name;
    if !matches!(
        name,
        "abs"
            | "ceiling"
            | "exp"
            | "floor"
            | "ln"
            | "log"
            | "power"
            | "round"
            | "sqrt"
            | "truncate"
            | "lowBoundary"
            | "highBoundary"
            | "precision"
            | "comparable"
    ) {
        return Ok(None);
    }
    let Some(v) = c.input_value()? else {
        return Ok(Some(Items::new()));
    };
    let wrong = || {
        Err(Error::execution(format!(
            "{name}(): not defined for {}",
            v.type_name()
        )))
    };
    let float = |f: f64| opt(Dec::from_f64(f).map(Value::Decimal)).map(Some);
    match (name, &v) {
        ("abs", Value::Integer(i)) => one(Value::Integer(i.saturating_abs())).map(Some),
        ("abs", Value::Long(i)) => one(Value::Long(i.saturating_abs())).map(Some),
        ("abs", Value::Decimal(d)) => one(Value::Decimal(d.abs())).map(Some),
        ("abs", Value::Quantity(q)) => one(Value::quantity(Quantity::new(
            q.value.abs(),
            q.unit.clone(),
        )))
        .map(Some),
        ("ceiling" | "floor" | "truncate", _) => {
            let Some(d) = number(&v) else { return wrong() };
            let r = match name {
                "ceiling" => d.ceiling(),
                "floor" => d.floor(),
                _ => d.truncate(0).to_integer(),
            };
            opt(r.and_then(int_value)).map(Some)
        }
        ("round", _) => {
            let Some(d) = number(&v) else { return wrong() };
            let digits = if c.args.is_empty() {
                Some(0)
            } else {
                c.arg_integer(0)?
            };
            let Some(digits) = digits else {
                return Ok(Some(Items::new()));
            };
            let digits = u32::try_from(digits)
                .map_err(|_| Error::execution("round(): negative precision"))?;
            one(Value::Decimal(d.round(digits))).map(Some)
        }
        ("exp" | "ln" | "sqrt", _) => {
            let Some(d) = number(&v) else { return wrong() };
            let f = d.to_f64();
            let r = match name {
                "exp" => f.exp(),
                "ln" => f.ln(),
                _ => f.sqrt(),
            };
            float(r)
        }
        ("log", _) => {
            let Some(d) = number(&v) else { return wrong() };
            let Some(base) = c.arg_value(0)?.as_ref().and_then(number) else {
                return Ok(Some(Items::new()));
            };
            float(d.to_f64().ln() / base.to_f64().ln())
        }
        ("power", _) => {
            let Some(exp) = c.arg_value(0)? else {
                return Ok(Some(Items::new()));
            };
            match (&v, &exp) {
                (Value::Integer(b), Value::Integer(e)) if *e >= 0 => {
                    let r = u32::try_from(*e)
                        .ok()
                        .and_then(|e| b.checked_pow(e))
                        .filter(|r| i32::try_from(*r).is_ok());
                    opt(r.map(Value::Integer)).map(Some)
                }
                _ => {
                    let (Some(b), Some(e)) = (number(&v), number(&exp)) else {
                        return wrong();
                    };
                    float(b.to_f64().powf(e.to_f64()))
                }
            }
        }
        ("lowBoundary" | "highBoundary", _) => {
            let high = name == "highBoundary";
            let digits = if c.args.is_empty() {
                None
            } else {
                c.arg_integer(0)?
            };
            let r = match &v {
                Value::Integer(_) | Value::Long(_) | Value::Decimal(_) => {
                    let d = number(&v).unwrap_or(Dec::from_int(0));
                    dec_boundary(d, high, digits.unwrap_or(8)).map(Value::Decimal)
                }
                Value::Quantity(q) => dec_boundary(q.value, high, digits.unwrap_or(8))
                    .map(|d| Value::quantity(Quantity::new(d, q.unit.clone()))),
                Value::Temporal(t) => t.boundary(high, digits).map(Value::temporal),
                _ => return wrong(),
            };
            opt(r).map(Some)
        }
        ("precision", _) => {
            let p = match &v {
                Value::Decimal(d) => i64::from(d.scale()),
                Value::Integer(_) | Value::Long(_) => 0,
                Value::Temporal(t) => t.precision_digits(),
                _ => return wrong(),
            };
            one(Value::Integer(p)).map(Some)
        }
        ("comparable", Value::Quantity(q)) => match c.arg_value(0)? {
            Some(Value::Quantity(o)) => one(Value::Boolean(q.comparable(&o))).map(Some),
            Some(_) => one(Value::Boolean(false)).map(Some),
            None => Ok(Some(Items::new())),
        },
        _ => wrong(),
    }
}
