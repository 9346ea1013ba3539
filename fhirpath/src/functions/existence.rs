//! Existence functions: `empty`, `exists`, `all`, `allTrue`..., `subsetOf`,
//! `count`, `distinct`, `isDistinct`, and `not`.

use super::{one, Call};
use crate::compare::equals;
use crate::error::Error;
use crate::eval::{is_distinct, to_bool, union};
use crate::item::Item;
use crate::items::Items;
use crate::value::Value;

fn bools(c: &Call<'_, '_, '_>) -> Result<Vec<bool>, Error> {
    c.input
        .iter()
        .map(|i| match i.system_value() {
            Some(Value::Boolean(b)) => Ok(b),
            _ => Err(Error::execution(format!("{}: expects booleans", c.name))),
        })
        .collect()
}

fn contains_all(hay: &[Item<'_>], needles: &[Item<'_>]) -> bool {
    needles
        .iter()
        .all(|n| hay.iter().any(|h| equals(h, n) == Some(true)))
}

pub(super) fn call<'a>(c: &mut Call<'_, '_, 'a>) -> Result<Option<Items<'a>>, Error> {
    let b = |v: bool| one(Value::Boolean(v)).map(Some);
    match c.name {
        "empty" => b(c.input.is_empty()),
        "exists" => {
            if c.args.is_empty() {
                return b(!c.input.is_empty());
            }
            let e = c.lambda(0)?;
            for (i, item) in std::mem::take(&mut c.input).iter().enumerate() {
                if c.each_bool(e, item, i)? == Some(true) {
                    return b(true);
                }
            }
            b(false)
        }
        "all" => {
            let e = c.lambda(0)?;
            for (i, item) in std::mem::take(&mut c.input).iter().enumerate() {
                if c.each_bool(e, item, i)? != Some(true) {
                    return b(false);
                }
            }
            b(true)
        }
        "allTrue" => b(bools(c)?.iter().all(|x| *x)),
        "anyTrue" => b(bools(c)?.iter().any(|x| *x)),
        "allFalse" => b(bools(c)?.iter().all(|x| !*x)),
        "anyFalse" => b(bools(c)?.iter().any(|x| !*x)),
        "subsetOf" => {
            let other = c.arg(0)?;
            b(contains_all(&other, &c.input))
        }
        "supersetOf" => {
            let other = c.arg(0)?;
            b(contains_all(&c.input, &other))
        }
        "count" => one(Value::Integer(
            i64::try_from(c.input.len()).unwrap_or(i64::MAX),
        ))
        .map(Some),
        "distinct" => Ok(Some(union(std::mem::take(&mut c.input), Items::new()))),
        "isDistinct" => b(is_distinct(&c.input)),
        "not" => match to_bool(&c.input)? {
            None => Ok(Some(Items::new())),
            Some(v) => b(!v),
        },
        _ => Ok(None),
    }
}
