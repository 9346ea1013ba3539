//! FHIR `decimal`, kept as its exact source text.
//!
//! FHIR says a decimal's precision is part of its meaning (`1.50` is not the
//! same statement as `1.5`), and that decimals must not be rounded through
//! binary floating point. So the value is stored as the text it was read from
//! and written back byte for byte; numeric views ([`Decimal::to_f64`],
//! [`Decimal::value_eq`]) are computed on demand.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::{JsonKind, PrimitiveValue};

/// A FHIR `decimal`: the exact text of a number such as `1.50`, `-0`, `1E+245`.
///
/// Only text matching the FHIR grammar
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` is accepted: no leading `+`,
/// no leading zeros, digits on both sides of the point, no `NaN`/`Infinity`,
/// no whitespace.
///
/// Equality (`==`, `Hash`) compares the text, because two decimals that differ
/// in precision are different data; use [`Decimal::value_eq`] to compare the
/// numbers they denote.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal(Box<str>);

/// The pieces of a valid decimal text, as sub-slices of it.
struct Parts<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
    exp_negative: bool,
    exp: &'a str,
}

fn parse_parts(s: &str) -> Result<Parts<'_>, String> {
    let err = |reason: String| format!("invalid decimal {s:?}: {reason}");
    let b = s.as_bytes();
    let unexpected = |i: usize| -> String {
        match s.get(i..).and_then(|rest| rest.chars().next()) {
            Some(c) if c.is_whitespace() => format!("whitespace is not allowed (at position {i})"),
            Some(c) => format!("unexpected character {c:?} at position {i}"),
            None => "unexpected end of text".to_owned(),
        }
    };
    let digits_from = |start: usize| -> usize {
        let mut i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };

    if s.is_empty() {
        return Err(err("expected a number, found empty text".to_owned()));
    }
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if negative {
        i = 1;
    }
    if b.first() == Some(&b'+') {
        return Err(err("a leading '+' is not allowed".to_owned()));
    }

    let int_start = i;
    i = digits_from(i);
    let int = s.get(int_start..i).unwrap_or_default();
    if int.is_empty() {
        return Err(err(match b.get(i) {
            Some(b'.') => "expected a digit before the decimal point".to_owned(),
            None => "expected digits".to_owned(),
            Some(_) => unexpected(i),
        }));
    }
    if int.len() > 1 && int.starts_with('0') {
        return Err(err("leading zeros are not allowed".to_owned()));
    }

    let mut frac = "";
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = digits_from(start);
        frac = s.get(start..i).unwrap_or_default();
        if frac.is_empty() {
            return Err(err(
                "expected at least one digit after the decimal point".to_owned()
            ));
        }
    }

    let mut exp_negative = false;
    let mut exp = "";
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        match b.get(i) {
            Some(b'-') => {
                exp_negative = true;
                i += 1;
            }
            Some(b'+') => i += 1,
            _ => {}
        }
        let start = i;
        i = digits_from(start);
        exp = s.get(start..i).unwrap_or_default();
        if exp.is_empty() {
            return Err(err("expected digits in the exponent".to_owned()));
        }
    }

    if i != s.len() {
        return Err(err(unexpected(i)));
    }
    Ok(Parts {
        negative,
        int,
        frac,
        exp_negative,
        exp,
    })
}

/// A decimal's numeric value in a canonical form: sign, significant digits
/// (no leading or trailing zeros; empty for zero) and the power of ten that
/// the digits are multiplied by (canonical decimal text, arbitrarily long).
#[derive(PartialEq, Eq)]
struct NumericKey {
    negative: bool,
    digits: String,
    exp_negative: bool,
    exp: String,
}

impl Parts<'_> {
    fn numeric_key(&self) -> NumericKey {
        let all: String = self.int.chars().chain(self.frac.chars()).collect();
        let without_leading = all.trim_start_matches('0');
        let digits = without_leading.trim_end_matches('0');
        if digits.is_empty() {
            // Zero, whatever its sign, precision or exponent.
            return NumericKey {
                negative: false,
                digits: String::new(),
                exp_negative: false,
                exp: "0".to_owned(),
            };
        }
        let trailing = without_leading.len() - digits.len();
        // The value is digits * 10^(exp - frac.len() + trailing). Lengths of an
        // in-memory string always fit in i128.
        let delta = i128::try_from(trailing).unwrap_or(i128::MAX)
            - i128::try_from(self.frac.len()).unwrap_or(i128::MAX);
        let (exp_negative, exp) = add_to_exponent(self.exp_negative, self.exp, delta);
        NumericKey {
            negative: self.negative,
            digits: digits.to_owned(),
            exp_negative,
            exp,
        }
    }
}

/// Computes `±magnitude + delta` exactly, where `magnitude` is a string of
/// ASCII digits of any length. Returns the sign and canonical digits of the sum.
fn add_to_exponent(negative: bool, magnitude: &str, delta: i128) -> (bool, String) {
    let magnitude = magnitude.trim_start_matches('0');
    // Up to 30 digits fit easily in an i128, with room for any `delta` (which
    // is bounded by a string length).
    if magnitude.len() <= 30 {
        let m = magnitude
            .bytes()
            .fold(0i128, |acc, b| acc * 10 + i128::from(b - b'0'));
        let v = if negative { delta - m } else { m + delta };
        return (v < 0, v.unsigned_abs().to_string());
    }
    // |magnitude| >= 10^30 > |delta|: the sign cannot change, only the magnitude.
    let step = if negative { -delta } else { delta };
    let mut little_endian: Vec<u8> = magnitude.bytes().rev().map(|b| b - b'0').collect();
    let mut carry = step;
    for d in little_endian.iter_mut() {
        if carry == 0 {
            break;
        }
        let v = i128::from(*d) + carry;
        *d = u8::try_from(v.rem_euclid(10)).unwrap_or(0);
        carry = v.div_euclid(10);
    }
    while carry > 0 {
        little_endian.push(u8::try_from(carry % 10).unwrap_or(0));
        carry /= 10;
    }
    while little_endian.len() > 1 && little_endian.last() == Some(&0) {
        little_endian.pop();
    }
    let text = little_endian
        .iter()
        .rev()
        .map(|d| char::from(b'0' + d))
        .collect();
    (negative, text)
}

impl Decimal {
    /// The exact text, as read or built.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nearest `f64`, for computation and display only (it may lose
    /// digits). Values beyond the `f64` range become ±infinity, and values too
    /// small to represent become ±0.
    pub fn to_f64(&self) -> f64 {
        // Every valid decimal text is also accepted by Rust's float parser.
        self.0.parse::<f64>().unwrap_or(f64::NAN)
    }

    /// Whether both decimals denote the same number, ignoring precision and
    /// notation: `1.5`, `1.50`, `15E-1` and `0.15e1` are all equal, and so are
    /// `0` and `-0.00`.
    ///
    /// Computed exactly on the digits (never through floating point), for
    /// numbers of any size.
    pub fn value_eq(&self, other: &Decimal) -> bool {
        match (parse_parts(&self.0), parse_parts(&other.0)) {
            (Ok(a), Ok(b)) => a.numeric_key() == b.numeric_key(),
            // Cannot happen: a `Decimal` only ever holds valid text.
            _ => self.0 == other.0,
        }
    }

    /// The number of digits written after the decimal point (`1.50` → 2,
    /// `12` → 0, `1.5E3` → 1). This is the precision the source stated; an
    /// exponent does not change it.
    pub fn precision(&self) -> usize {
        parse_parts(&self.0).map_or(0, |p| p.frac.len())
    }

    /// Wraps text already known to match the grammar.
    fn from_valid(text: String) -> Self {
        Self(text.into_boxed_str())
    }
}

impl From<i32> for Decimal {
    fn from(v: i32) -> Self {
        Self::from_valid(v.to_string())
    }
}

impl From<i64> for Decimal {
    fn from(v: i64) -> Self {
        Self::from_valid(v.to_string())
    }
}

impl From<u32> for Decimal {
    fn from(v: u32) -> Self {
        Self::from_valid(v.to_string())
    }
}

/// The shortest text that reads back as the same `f64`.
///
/// Plain notation (`0.1`, `1234.5`) is used for magnitudes from 1e-7 up to
/// 1e21 (the same thresholds as JavaScript, so JSON readers see familiar
/// text); outside that range exponent notation (`1e300`, `5e-324`) keeps the
/// text short. NaN and the infinities have no FHIR form and are rejected.
impl TryFrom<f64> for Decimal {
    type Error = String;

    fn try_from(v: f64) -> Result<Self, String> {
        if !v.is_finite() {
            return Err(format!(
                "{v} cannot be a decimal: FHIR decimals must be finite"
            ));
        }
        let magnitude = v.abs();
        let text = if magnitude != 0.0 && !(1e-7..1e21).contains(&magnitude) {
            format!("{v:e}")
        } else {
            format!("{v}")
        };
        Self::from_lexical(&text)
    }
}

impl FromStr for Decimal {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::from_lexical(s)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PrimitiveValue for Decimal {
    const JSON_KIND: JsonKind = JsonKind::Decimal;

    fn from_lexical(s: &str) -> Result<Self, String> {
        parse_parts(s)?;
        Ok(Self(s.into()))
    }

    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::super::JsonScalar;
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_lexical(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn exact_round_trip() {
        for s in [
            "0",
            "-0",
            "-0.0",
            "1.50",
            "0.0001",
            "12",
            "-12.340",
            "1E+245",
            "1e-7",
            "3.0e0",
            "0.000",
            "123456789012345678901234567890.123456789012345678901234567890",
            "1E0005",
        ] {
            let d = dec(s);
            assert_eq!(d.to_lexical(), s);
            assert_eq!(d.as_str(), s);
            assert_eq!(d.to_string(), s);
            assert_eq!(s.parse::<Decimal>().as_ref(), Ok(&d));
        }
    }

    #[test]
    fn rejects_invalid() {
        for s in [
            "", "1.", ".5", "-.5", "01", "-01", "00.5", "+1", "1e", "1e+", "1.5e", "abc", "abc=",
            "NaN", "Infinity", "-", " 1", "1 ", "1,5", "1.2.3", "0x10", "1_000", "--1", "1.5f",
        ] {
            assert!(
                Decimal::from_lexical(s).is_err(),
                "{s:?} should be rejected"
            );
        }
        assert_eq!(
            Decimal::from_lexical("1."),
            Err(
                "invalid decimal \"1.\": expected at least one digit after the decimal point"
                    .to_owned()
            )
        );
        assert_eq!(
            Decimal::from_lexical(".5"),
            Err("invalid decimal \".5\": expected a digit before the decimal point".to_owned())
        );
        assert_eq!(
            Decimal::from_lexical("01"),
            Err("invalid decimal \"01\": leading zeros are not allowed".to_owned())
        );
        assert_eq!(
            Decimal::from_lexical("+1"),
            Err("invalid decimal \"+1\": a leading '+' is not allowed".to_owned())
        );
        assert_eq!(
            Decimal::from_lexical("1.5x"),
            Err("invalid decimal \"1.5x\": unexpected character 'x' at position 3".to_owned())
        );
    }

    #[test]
    fn equality_is_textual() {
        assert_ne!(dec("1.5"), dec("1.50"));
        assert_eq!(dec("1.50"), dec("1.50"));
    }

    #[test]
    fn value_eq_is_numeric_and_exact() {
        let eq = |a: &str, b: &str| dec(a).value_eq(&dec(b));
        assert!(eq("1.5", "1.50"));
        assert!(eq("1.5", "15E-1"));
        assert!(eq("0.15e1", "1.5"));
        assert!(eq("0", "-0.000"));
        assert!(eq("0", "0E+99"));
        assert!(eq("100", "1e2"));
        assert!(eq("100", "1.00E+2"));
        assert!(eq("-2.5", "-25e-1"));
        assert!(!eq("-2.5", "2.5"));
        assert!(!eq("1.5", "1.05"));
        assert!(!eq("1e2", "1e3"));
        // Beyond f64 precision: these differ in the 30th digit.
        assert!(!eq("1.00000000000000000000000000001", "1"));
        assert!(eq(
            "1.00000000000000000000000000001",
            "100000000000000000000000000001E-29"
        ));
        // Exponents far beyond any machine integer.
        let big = "1E1000000000000000000000000000000000000000";
        assert!(eq(big, "10E999999999999999999999999999999999999999"));
        assert!(eq(big, "0.01E1000000000000000000000000000000000000002"));
        assert!(!eq(big, "1E1000000000000000000000000000000000000001"));
        assert!(eq(
            "1E-1000000000000000000000000000000000000000",
            "0.1E-999999999999999999999999999999999999999"
        ));
    }

    #[test]
    fn precision_counts_written_fraction_digits() {
        assert_eq!(dec("1.50").precision(), 2);
        assert_eq!(dec("12").precision(), 0);
        assert_eq!(dec("0.0001").precision(), 4);
        assert_eq!(dec("1.5E3").precision(), 1);
    }

    #[test]
    fn to_f64() {
        assert_eq!(dec("1.50").to_f64(), 1.5);
        assert_eq!(dec("1E+245").to_f64(), 1e245);
        assert_eq!(dec("-0").to_f64(), 0.0);
        assert!(dec("-0").to_f64().is_sign_negative());
        assert_eq!(dec("1e400").to_f64(), f64::INFINITY);
    }

    #[test]
    fn from_integers() {
        assert_eq!(Decimal::from(-5i32).as_str(), "-5");
        assert_eq!(Decimal::from(i64::MIN).as_str(), "-9223372036854775808");
        assert_eq!(Decimal::from(u32::MAX).as_str(), "4294967295");
        assert_eq!(Decimal::from(0i32).as_str(), "0");
    }

    #[test]
    fn from_f64() {
        let text = |v: f64| Decimal::try_from(v).map(|d| d.as_str().to_owned());
        assert_eq!(text(1.5), Ok("1.5".to_owned()));
        assert_eq!(text(1.0), Ok("1".to_owned()));
        assert_eq!(text(0.1), Ok("0.1".to_owned()));
        assert_eq!(text(-0.0), Ok("-0".to_owned()));
        assert_eq!(text(1e300), Ok("1e300".to_owned()));
        assert_eq!(text(-1.25e-10), Ok("-1.25e-10".to_owned()));
        assert_eq!(text(5e-324), Ok("5e-324".to_owned()));
        assert_eq!(text(123456.789), Ok("123456.789".to_owned()));
        assert!(Decimal::try_from(f64::NAN).is_err());
        assert!(Decimal::try_from(f64::INFINITY).is_err());
        assert!(Decimal::try_from(f64::NEG_INFINITY).is_err());
        for v in [
            0.1,
            1.0 / 3.0,
            1e21,
            9.999e20,
            1e-7,
            9.99e-8,
            f64::MAX,
            f64::MIN_POSITIVE,
            -2.5e-300,
        ] {
            let d = Decimal::try_from(v).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(d.to_f64(), v, "{d}");
        }
    }

    #[test]
    fn json() {
        assert_eq!(Decimal::JSON_KIND, JsonKind::Decimal);
        assert_eq!(
            Decimal::from_json(JsonScalar::Number("1.50")),
            Ok(dec("1.50"))
        );
        assert_eq!(Decimal::from_json(JsonScalar::Int(7)), Ok(dec("7")));
        assert!(Decimal::from_json(JsonScalar::Str("1.5")).is_err());
    }
}
