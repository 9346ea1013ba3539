//! The part of UCUM (the Unified Code for Units of Measure) that quantity
//! comparison and arithmetic need: metric prefixes, base units with their
//! dimensions, common derived and customary units, and unit expressions made
//! of terms joined by `.` and `/` with integer exponents. A unit is reduced to
//! a factor of the base units; units outside this subset are not comparable
//! with others (the caller compares their text instead).

use crate::datetime::{calendar_unit, is_calendar_keyword, CalUnit};
use crate::decimal::Dec;

/// Largest unit exponent read (`m3`, `s-2`).
const MAX_EXPONENT: u32 = 12;

/// Exponents of the base dimensions: length, mass, time, amount, temperature,
/// charge, luminosity.
pub(crate) type Dims = [i32; 7];

/// A unit reduced to a factor of the base units.
#[derive(Clone, Debug)]
pub(crate) struct Canonical {
    pub factor: Dec,
    pub dims: Dims,
}

const PREFIXES: &[(&str, &str)] = &[
    ("da", "10"),
    ("Y", "1e24"),
    ("Z", "1e21"),
    ("E", "1e18"),
    ("P", "1e15"),
    ("T", "1e12"),
    ("G", "1e9"),
    ("M", "1e6"),
    ("k", "1e3"),
    ("h", "1e2"),
    ("d", "1e-1"),
    ("c", "1e-2"),
    ("m", "1e-3"),
    ("u", "1e-6"),
    ("n", "1e-9"),
    ("p", "1e-12"),
    ("f", "1e-15"),
    ("a", "1e-18"),
];

/// Base and derived UCUM atoms: code, factor to base units, dimensions,
/// whether metric prefixes apply.
const ATOMS: &[(&str, &str, Dims, bool)] = &[
    ("m", "1", [1, 0, 0, 0, 0, 0, 0], true),
    ("g", "1", [0, 1, 0, 0, 0, 0, 0], true),
    ("s", "1", [0, 0, 1, 0, 0, 0, 0], true),
    ("mol", "1", [0, 0, 0, 1, 0, 0, 0], true),
    ("K", "1", [0, 0, 0, 0, 1, 0, 0], true),
    ("C", "1", [0, 0, 0, 0, 0, 1, 0], true),
    ("cd", "1", [0, 0, 0, 0, 0, 0, 1], true),
    ("min", "60", [0, 0, 1, 0, 0, 0, 0], false),
    ("h", "3600", [0, 0, 1, 0, 0, 0, 0], false),
    ("d", "86400", [0, 0, 1, 0, 0, 0, 0], false),
    ("wk", "604800", [0, 0, 1, 0, 0, 0, 0], false),
    ("a", "31557600", [0, 0, 1, 0, 0, 0, 0], false),
    ("mo", "2629800", [0, 0, 1, 0, 0, 0, 0], false),
    ("L", "0.001", [3, 0, 0, 0, 0, 0, 0], true),
    ("l", "0.001", [3, 0, 0, 0, 0, 0, 0], true),
    ("[in_i]", "0.0254", [1, 0, 0, 0, 0, 0, 0], false),
    ("[ft_i]", "0.3048", [1, 0, 0, 0, 0, 0, 0], false),
    ("[lb_av]", "453.59237", [0, 1, 0, 0, 0, 0, 0], false),
    ("[oz_av]", "28.349523125", [0, 1, 0, 0, 0, 0, 0], false),
    ("Pa", "1000", [-1, 1, -2, 0, 0, 0, 0], true),
    ("mm[Hg]", "133322", [-1, 1, -2, 0, 0, 0, 0], false),
    ("%", "0.01", [0; 7], false),
    ("1", "1", [0; 7], false),
];

fn atom(code: &str) -> Option<Canonical> {
    for &(c, f, dims, metric) in ATOMS {
        if code == c {
            return Some(Canonical {
                factor: Dec::parse(f)?,
                dims,
            });
        }
        if metric {
            for &(p, pf) in PREFIXES {
                if code.strip_prefix(p) == Some(c) {
                    return Some(Canonical {
                        factor: Dec::parse(pf)?.mul(Dec::parse(f)?)?,
                        dims,
                    });
                }
            }
        }
    }
    None
}

/// One term of a unit: an atom with an optional integer exponent (`m2`,
/// `s-1`), annotations `{...}` count as 1.
fn term(t: &str) -> Option<Canonical> {
    let t = match t.find('{') {
        Some(i) if t.ends_with('}') => &t[..i],
        _ => t,
    };
    if t.is_empty() {
        return Some(Canonical {
            factor: Dec::from_int(1),
            dims: [0; 7],
        });
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Canonical {
            factor: Dec::parse(t)?,
            dims: [0; 7],
        });
    }
    let split = t
        .rfind(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+'))
        .map_or(0, |i| i + 1);
    let (code, exp) = t.split_at(split);
    let exp: i32 = if exp.is_empty() { 1 } else { exp.parse().ok()? };
    // Real units have small exponents; larger ones only cost time.
    if exp.unsigned_abs() > MAX_EXPONENT {
        return None;
    }
    let base = atom(code)?;
    let mut factor = Dec::from_int(1);
    for _ in 0..exp.unsigned_abs() {
        factor = factor.mul(base.factor)?;
    }
    if exp < 0 {
        factor = Dec::from_int(1).div(factor)?;
    }
    Some(Canonical {
        factor,
        dims: base.dims.map(|d| d * exp),
    })
}

/// Reads a unit expression made of terms joined by `.` and `/`.
pub(crate) fn canonical(unit: &str) -> Option<Canonical> {
    let unit = calendar_ucum(unit).unwrap_or(unit);
    let mut out = Canonical {
        factor: Dec::from_int(1),
        dims: [0; 7],
    };
    let mut divide = false;
    let mut rest = unit;
    loop {
        let end = rest.find(['.', '/']).unwrap_or(rest.len());
        let t = term(&rest[..end])?;
        if divide {
            out.factor = out.factor.div(t.factor)?;
            for (o, d) in out.dims.iter_mut().zip(t.dims) {
                *o -= d;
            }
        } else {
            out.factor = out.factor.mul(t.factor)?;
            for (o, d) in out.dims.iter_mut().zip(t.dims) {
                *o += d;
            }
        }
        match rest.as_bytes().get(end) {
            None => break,
            Some(b'/') => divide = true,
            Some(_) => divide = false,
        }
        rest = &rest[end + 1..];
    }
    Some(out)
}

/// The UCUM code a calendar keyword stands for in comparisons. Years and
/// months have no fixed length, so they compare only with themselves.
fn calendar_ucum(unit: &str) -> Option<&'static str> {
    if !is_calendar_keyword(unit) {
        return None;
    }
    Some(match calendar_unit(unit)? {
        CalUnit::Year | CalUnit::Month => return None,
        CalUnit::Week => "wk",
        CalUnit::Day => "d",
        CalUnit::Hour => "h",
        CalUnit::Minute => "min",
        CalUnit::Second => "s",
        CalUnit::Millisecond => "ms",
    })
}

#[cfg(test)]
mod tests {
    use super::canonical;
    use crate::decimal::Dec;

    #[test]
    fn reduces_units_to_base_factors() {
        let mg = canonical("mg").map(|c| (c.factor.to_string(), c.dims));
        assert_eq!(mg, Some(("0.001".into(), [0, 1, 0, 0, 0, 0, 0])));
        let inch = canonical("[in_i]").map(|c| c.factor);
        assert_eq!(inch, Some(Dec::parse("0.0254").unwrap_or(Dec::from_int(0))));
        assert_eq!(
            canonical("g/m").map(|c| c.dims),
            Some([-1, 1, 0, 0, 0, 0, 0])
        );
        assert_eq!(canonical("m2").map(|c| c.dims), Some([2, 0, 0, 0, 0, 0, 0]));
        assert_eq!(
            canonical("days").map(|c| c.factor),
            Some(Dec::from_int(86_400))
        );
        assert!(
            canonical("year").is_none(),
            "calendar years have no fixed length"
        );
        assert!(canonical("[s]").is_none());
    }
}
