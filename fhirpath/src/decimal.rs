//! `System.Decimal`: an exact scaled integer (mantissa / 10^scale).
//!
//! FHIRPath decimals keep their precision (`1.50` has scale 2, which matters
//! for `~`, `precision()` and the boundary functions), and the suite compares
//! results of arithmetic exactly, so binary floating point is not enough.
//! Division and the transcendental functions round to [`DIV_SCALE`] digits.

use std::cmp::Ordering;
use std::fmt;

/// Fraction digits kept by division.
const DIV_SCALE: u32 = 8;
/// Largest scale kept; beyond it results are rounded.
const MAX_SCALE: u32 = 28;

/// Packed to 8-byte alignment: an `i128` would align every
/// [`crate::value::Value`], and so every collection item, to 16 bytes (an
/// item grew from 56 to 64). Fields are only ever read by value.
#[derive(Clone, Copy, Debug)]
#[repr(C, packed(8))]
pub struct Dec {
    mantissa: i128,
    scale: u32,
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

impl Dec {
    pub fn new(mantissa: i128, scale: u32) -> Dec {
        Dec { mantissa, scale }
    }
    pub fn from_int(i: i64) -> Dec {
        Dec {
            mantissa: i128::from(i),
            scale: 0,
        }
    }
    pub fn scale(&self) -> u32 {
        self.scale
    }
    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    /// Parses `[-+]digits[.digits][e[-+]digits]`.
    pub fn parse(s: &str) -> Option<Dec> {
        let (s, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
            None => (s, 0),
        };
        let (neg, body) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if body.contains('.') && frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits = format!("{int}{frac}");
        let mut m: i128 = digits.parse().ok()?;
        if neg {
            m = -m;
        }
        let mut scale = i64::try_from(frac.len()).ok()? - i64::from(exp);
        if m == 0 {
            scale = scale.clamp(0, i64::from(MAX_SCALE));
        }
        while scale < 0 && m != 0 {
            m = m.checked_mul(10)?;
            scale += 1;
        }
        let d = Dec {
            mantissa: m,
            scale: u32::try_from(scale).ok()?,
        };
        Some(d.limit())
    }

    /// Rounds away digits beyond [`MAX_SCALE`].
    fn limit(self) -> Dec {
        if self.scale > MAX_SCALE {
            self.round(MAX_SCALE)
        } else {
            self
        }
    }

    /// The value with `scale` digits (adding zeros or rounding half away from zero).
    pub fn round(self, scale: u32) -> Dec {
        match scale.cmp(&self.scale) {
            Ordering::Equal => self,
            Ordering::Greater => {
                match pow10(scale - self.scale).and_then(|p| self.mantissa.checked_mul(p)) {
                    Some(m) => Dec { mantissa: m, scale },
                    None => self,
                }
            }
            Ordering::Less => {
                let Some(p) = pow10(self.scale - scale) else {
                    return Dec { mantissa: 0, scale };
                };
                let q = self.mantissa / p;
                let r = self.mantissa % p;
                let adj = if r.unsigned_abs() >= p.unsigned_abs() - r.unsigned_abs() {
                    self.mantissa.signum()
                } else {
                    0
                };
                Dec {
                    mantissa: q + adj,
                    scale,
                }
            }
        }
    }

    /// The value cut to `scale` digits, towards zero.
    pub fn truncate(self, scale: u32) -> Dec {
        if scale >= self.scale {
            return self;
        }
        match pow10(self.scale - scale) {
            Some(p) => Dec {
                mantissa: self.mantissa / p,
                scale,
            },
            None => Dec { mantissa: 0, scale },
        }
    }

    /// Largest integer not above the value.
    pub fn floor(self) -> Option<i128> {
        let p = pow10(self.scale)?;
        Some(self.mantissa.div_euclid(p))
    }

    pub fn ceiling(self) -> Option<i128> {
        let p = pow10(self.scale)?;
        let f = self.mantissa.div_euclid(p);
        Some(if self.mantissa.rem_euclid(p) == 0 {
            f
        } else {
            f + 1
        })
    }

    /// The integer value when there is no fractional part.
    pub fn to_integer(self) -> Option<i128> {
        let p = pow10(self.scale)?;
        (self.mantissa % p == 0).then_some(self.mantissa / p)
    }

    fn align(a: Dec, b: Dec) -> Option<(i128, i128, u32)> {
        let s = a.scale.max(b.scale);
        let am = a.mantissa.checked_mul(pow10(s - a.scale)?)?;
        let bm = b.mantissa.checked_mul(pow10(s - b.scale)?)?;
        Some((am, bm, s))
    }

    pub fn add(self, o: Dec) -> Option<Dec> {
        let (a, b, s) = Dec::align(self, o)?;
        Some(Dec {
            mantissa: a.checked_add(b)?,
            scale: s,
        })
    }
    pub fn sub(self, o: Dec) -> Option<Dec> {
        self.add(o.neg())
    }
    pub fn neg(self) -> Dec {
        Dec {
            mantissa: self.mantissa.saturating_neg(),
            scale: self.scale,
        }
    }
    pub fn abs(self) -> Dec {
        Dec {
            mantissa: self.mantissa.saturating_abs(),
            scale: self.scale,
        }
    }
    pub fn mul(self, o: Dec) -> Option<Dec> {
        let m = self.mantissa.checked_mul(o.mantissa)?;
        Some(
            Dec {
                mantissa: m,
                scale: self.scale + o.scale,
            }
            .limit(),
        )
    }
    /// Division rounded to at least [`DIV_SCALE`] digits; `None` for zero.
    pub fn div(self, o: Dec) -> Option<Dec> {
        if o.mantissa == 0 {
            return None;
        }
        let target = DIV_SCALE.max(self.scale).max(o.scale);
        // result = (a / 10^sa) / (b / 10^sb) = a * 10^(target + 1 + sb - sa) / b / 10^(target+1)
        let shift = i64::from(target) + 1 + i64::from(o.scale) - i64::from(self.scale);
        let (num, den) = if shift >= 0 {
            (
                self.mantissa
                    .checked_mul(pow10(u32::try_from(shift).ok()?)?)?,
                o.mantissa,
            )
        } else {
            (
                self.mantissa,
                o.mantissa
                    .checked_mul(pow10(u32::try_from(-shift).ok()?)?)?,
            )
        };
        let q = Dec {
            mantissa: num.checked_div(den)?,
            scale: target + 1,
        };
        Some(q.round(target))
    }
    /// Integer division (truncated) and modulo, per FHIRPath `div`/`mod`.
    pub fn div_trunc(self, o: Dec) -> Option<i128> {
        let (a, b, _) = Dec::align(self, o)?;
        a.checked_div(b)
    }
    pub fn rem(self, o: Dec) -> Option<Dec> {
        let (a, b, s) = Dec::align(self, o)?;
        Some(Dec {
            mantissa: a.checked_rem(b)?,
            scale: s,
        })
    }

    pub fn cmp(self, o: Dec) -> Ordering {
        match Dec::align(self, o) {
            Some((a, b, _)) => a.cmp(&b),
            None => self
                .to_f64()
                .partial_cmp(&o.to_f64())
                .unwrap_or(Ordering::Equal),
        }
    }
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }
    pub fn to_f64(self) -> f64 {
        // Via text: exact for every value that has a nearest f64.
        self.to_string().parse().unwrap_or(f64::NAN)
    }
    /// From a float result (`sqrt`, `ln`...), rounded to [`DIV_SCALE`] digits.
    pub fn from_f64(f: f64) -> Option<Dec> {
        if !f.is_finite() {
            return None;
        }
        Dec::parse(&format!("{f}")).map(|d| {
            if d.scale > DIV_SCALE {
                d.round(DIV_SCALE)
            } else {
                d
            }
        })
    }
}

impl PartialEq for Dec {
    fn eq(&self, o: &Dec) -> bool {
        self.cmp(*o) == Ordering::Equal
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
        } else {
            digits
        };
        let (i, fr) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{i}.{fr}")
    }
}

#[cfg(test)]
mod tests {
    use super::Dec;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn keeps_the_written_scale() {
        assert_eq!(d("1.50").to_string(), "1.50");
        assert_eq!(d("-0.001").to_string(), "-0.001");
        assert_eq!(d("1e3").to_string(), "1000");
        assert_eq!(d("1.5e-2").to_string(), "0.015");
        assert!(
            Dec::parse("1.").is_none() && Dec::parse(".5").is_none() && Dec::parse("").is_none()
        );
    }

    #[test]
    fn arithmetic_is_exact_and_division_rounds() {
        assert_eq!(
            d("0.1").add(d("0.2")).map(|x| x.to_string()),
            Some("0.3".into())
        );
        assert_eq!(
            d("1").div(d("3")).map(|x| x.to_string()),
            Some("0.33333333".into())
        );
        assert_eq!(
            d("2").div(d("3")).map(|x| x.to_string()),
            Some("0.66666667".into())
        );
        assert!(d("1").div(d("0")).is_none());
        assert_eq!(d("2.5").round(0).to_string(), "3");
        assert_eq!(d("-2.5").round(0).to_string(), "-3");
        assert_eq!(d("-2.5").floor(), Some(-3));
        assert_eq!(d("-2.5").ceiling(), Some(-2));
        assert_eq!(d("1.0"), d("1"));
    }
}
