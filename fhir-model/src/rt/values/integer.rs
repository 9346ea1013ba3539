//! Integer value types: `positiveInt`, `unsignedInt` and (R5) `integer64`.
//!
//! FHIR `integer` itself is plain `i32` (see the parent module). The types here
//! are newtypes so that their range is checked once, when the value is read or
//! built, and can be relied on afterwards.
//!
//! All of them accept only the canonical lexical form: an optional `-`, then `0`
//! or digits without leading zeros. That form is exactly what `Display` writes,
//! so storing the number (and not its text) still gives a lossless round trip.
//! The one exception is `-0`, which the `integer` grammar allows and which is
//! written back as `0`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::super::primitive::JsonOut;
use super::{scalar_name, JsonKind, JsonScalar, PrimitiveValue};

/// Parses the canonical FHIR integer form `-?([0]|([1-9][0-9]*))` into an `i64`.
///
/// Rejected on purpose: a leading `+`, leading zeros, surrounding whitespace, a
/// fraction or exponent (`1.0`, `1e3`), and anything beyond the `i64` range.
/// Rejecting these keeps the promise that the number writes back as it was read.
pub(crate) fn parse_canonical_int(s: &str) -> Result<i64, String> {
    parse_int_named(s, "integer")
}

/// [`parse_canonical_int`] with the FHIR type name used in error messages.
fn parse_int_named(s: &str, type_name: &str) -> Result<i64, String> {
    let err = |reason: &str| format!("invalid {type_name} {s:?}: {reason}");
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if s.starts_with('+') {
        return Err(err("a leading '+' is not allowed"));
    }
    if digits.is_empty() {
        return Err(err("expected digits"));
    }
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_digit()) {
        let what = if c.is_whitespace() {
            "whitespace is not allowed".to_owned()
        } else if c == '.' || c == 'e' || c == 'E' {
            "expected a whole number without fraction or exponent".to_owned()
        } else {
            format!("unexpected character {c:?}, expected digits")
        };
        return Err(err(&what));
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(err("leading zeros are not allowed"));
    }
    // Accumulate towards the sign of the result so that i64::MIN is reachable.
    let mut value: i64 = 0;
    for b in digits.bytes() {
        let d = i64::from(b - b'0');
        let next = value.checked_mul(10).and_then(|v| {
            if negative {
                v.checked_sub(d)
            } else {
                v.checked_add(d)
            }
        });
        value = match next {
            Some(v) => v,
            None => return Err(format!("{type_name} {s} is outside the 64-bit range")),
        };
    }
    Ok(value)
}

/// Largest value of FHIR `positiveInt` and `unsignedInt` (they are 32-bit signed in the spec).
const MAX_32: u32 = i32::MAX as u32;

macro_rules! bounded_u32 {
    (
        $(#[$meta:meta])*
        $name:ident, $fhir:literal, $min:literal
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl $name {
            /// Smallest allowed value.
            pub const MIN: Self = Self($min);
            /// Largest allowed value (2,147,483,647).
            pub const MAX: Self = Self(MAX_32);

            /// The value, or `None` when it is out of range.
            pub const fn new(v: u32) -> Option<Self> {
                match v {
                    $min..=MAX_32 => Some(Self(v)),
                    _ => None,
                }
            }

            /// The number.
            pub const fn get(self) -> u32 {
                self.0
            }

            fn range_error(v: impl fmt::Display) -> String {
                format!(concat!($fhir, " {} is out of range ({} to {})"), v, $min, MAX_32)
            }
        }

        impl TryFrom<u32> for $name {
            type Error = String;
            fn try_from(v: u32) -> Result<Self, String> {
                Self::new(v).ok_or_else(|| Self::range_error(v))
            }
        }

        impl TryFrom<i64> for $name {
            type Error = String;
            fn try_from(v: i64) -> Result<Self, String> {
                u32::try_from(v)
                    .ok()
                    .and_then(Self::new)
                    .ok_or_else(|| Self::range_error(v))
            }
        }

        impl TryFrom<i32> for $name {
            type Error = String;
            fn try_from(v: i32) -> Result<Self, String> {
                Self::try_from(i64::from(v))
            }
        }

        impl From<$name> for u32 {
            fn from(v: $name) -> u32 {
                v.0
            }
        }

        impl From<$name> for i64 {
            fn from(v: $name) -> i64 {
                i64::from(v.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                <Self as PrimitiveValue>::from_lexical(s)
            }
        }

        impl PrimitiveValue for $name {
            const JSON_KIND: JsonKind = JsonKind::Integer;

            fn from_lexical(s: &str) -> Result<Self, String> {
                let v = parse_int_named(s, $fhir)?;
                if v == 0 && s.starts_with('-') {
                    // Allowed by the `integer` grammar but not by this type's, and
                    // it could not be written back as read.
                    return Err(format!(concat!("invalid ", $fhir, " {:?}: a sign is not allowed"), s));
                }
                Self::try_from(v)
            }

            fn to_lexical(&self) -> Cow<'_, str> {
                Cow::Owned(self.0.to_string())
            }

            fn to_json(&self) -> JsonOut<'_> {
                JsonOut::Int(i64::from(self.0))
            }

            fn from_json(v: JsonScalar<'_>) -> Result<Self, String> {
                match v {
                    JsonScalar::Int(i) => Self::try_from(i),
                    JsonScalar::Number(s) => Self::from_lexical(s),
                    v => Err(format!("expected a JSON integer, found {}", scalar_name(&v))),
                }
            }
        }
    };
}

bounded_u32! {
    /// FHIR `positiveInt`: a whole number from 1 to 2,147,483,647.
    ///
    /// Kept as a number; the range is checked when the value is made, so code
    /// holding a `PositiveInt` never needs to check it again.
    PositiveInt, "positiveInt", 1
}

bounded_u32! {
    /// FHIR `unsignedInt`: a whole number from 0 to 2,147,483,647.
    ///
    /// Kept as a number; the range is checked when the value is made, so code
    /// holding an `UnsignedInt` never needs to check it again.
    UnsignedInt, "unsignedInt", 0
}

/// FHIR R5 `integer64`: a signed 64-bit whole number.
///
/// FHIR JSON writes it as a JSON *string* (`"123"`) because many JSON readers
/// lose precision on numbers beyond 2^53, so [`PrimitiveValue::JSON_KIND`] is
/// `String`; reading also accepts a plain JSON number for robustness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Integer64(i64);

impl Integer64 {
    /// Wraps a number (every `i64` is a valid `integer64`).
    pub const fn new(v: i64) -> Self {
        Self(v)
    }

    /// The number.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl From<i64> for Integer64 {
    fn from(v: i64) -> Self {
        Self(v)
    }
}

impl From<i32> for Integer64 {
    fn from(v: i32) -> Self {
        Self(i64::from(v))
    }
}

impl From<u32> for Integer64 {
    fn from(v: u32) -> Self {
        Self(i64::from(v))
    }
}

impl From<Integer64> for i64 {
    fn from(v: Integer64) -> i64 {
        v.0
    }
}

impl fmt::Display for Integer64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Integer64 {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        <Self as PrimitiveValue>::from_lexical(s)
    }
}

impl PrimitiveValue for Integer64 {
    const JSON_KIND: JsonKind = JsonKind::String;

    fn from_lexical(s: &str) -> Result<Self, String> {
        parse_int_named(s, "integer64").map(Self)
    }

    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Owned(self.0.to_string())
    }

    fn from_json(v: JsonScalar<'_>) -> Result<Self, String> {
        match v {
            JsonScalar::Str(s) | JsonScalar::Number(s) => Self::from_lexical(s),
            JsonScalar::Int(i) => Ok(Self(i)),
            v => Err(format!(
                "expected a JSON string holding an integer64, found {}",
                scalar_name(&v)
            )),
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ints() {
        assert_eq!(parse_canonical_int("0"), Ok(0));
        assert_eq!(parse_canonical_int("-0"), Ok(0));
        assert_eq!(parse_canonical_int("42"), Ok(42));
        assert_eq!(parse_canonical_int("-42"), Ok(-42));
        assert_eq!(parse_canonical_int("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_canonical_int("-9223372036854775808"), Ok(i64::MIN));
    }

    #[test]
    fn non_canonical_ints_rejected() {
        for bad in [
            "", "-", "+1", "01", "-01", "00", " 1", "1 ", "1.0", "1e3", "abc", "1_000", "--1", "٣",
        ] {
            let e = parse_canonical_int(bad).expect_err(bad);
            assert!(e.starts_with("invalid integer"), "{bad}: {e}");
        }
        assert_eq!(
            parse_canonical_int("01"),
            Err("invalid integer \"01\": leading zeros are not allowed".to_owned())
        );
        assert_eq!(
            parse_canonical_int("+1"),
            Err("invalid integer \"+1\": a leading '+' is not allowed".to_owned())
        );
    }

    #[test]
    fn overflow_detected() {
        let e = parse_canonical_int("9223372036854775808").expect_err("overflow");
        assert!(e.contains("outside the 64-bit range"), "{e}");
        assert!(parse_canonical_int("-9223372036854775809").is_err());
        assert!(parse_canonical_int("99999999999999999999999999").is_err());
    }

    #[test]
    fn positive_int() {
        assert_eq!(PositiveInt::from_lexical("1").map(PositiveInt::get), Ok(1));
        assert_eq!(
            PositiveInt::from_lexical("2147483647").map(u32::from),
            Ok(2_147_483_647)
        );
        assert_eq!(
            PositiveInt::from_lexical("0"),
            Err("positiveInt 0 is out of range (1 to 2147483647)".to_owned())
        );
        assert!(PositiveInt::from_lexical("2147483648").is_err());
        assert!(PositiveInt::from_lexical("-1").is_err());
        assert!(PositiveInt::from_lexical("+1").is_err());
        assert!(PositiveInt::from_lexical("01").is_err());
        assert!(PositiveInt::try_from(0u32).is_err());
        assert!(PositiveInt::try_from(2_147_483_648u32).is_err());
        assert!(PositiveInt::try_from(-5i64).is_err());
        assert!(PositiveInt::try_from(1i64 << 40).is_err());
        assert_eq!(PositiveInt::try_from(7i64).map(PositiveInt::get), Ok(7));
        assert_eq!(PositiveInt::MIN.get(), 1);
        assert_eq!(PositiveInt::MAX.get(), 2_147_483_647);
        assert_eq!(
            "12".parse::<PositiveInt>().map(|v| v.to_string()),
            Ok("12".to_owned())
        );
    }

    #[test]
    fn unsigned_int() {
        assert_eq!(UnsignedInt::from_lexical("0").map(UnsignedInt::get), Ok(0));
        assert_eq!(
            UnsignedInt::new(2_147_483_647).map(i64::from),
            Some(2_147_483_647)
        );
        assert!(UnsignedInt::new(2_147_483_648).is_none());
        assert!(UnsignedInt::from_lexical("-0").is_err());
        assert!(UnsignedInt::from_lexical("-1").is_err());
        assert!(UnsignedInt::from_lexical("4294967295").is_err());
        assert!(UnsignedInt::from_lexical("99999999999999999999").is_err());
        assert_eq!(
            UnsignedInt::from_lexical("15").map(|v| v.to_lexical().into_owned()),
            Ok("15".to_owned())
        );
    }

    #[test]
    fn bounded_from_json() {
        assert_eq!(
            PositiveInt::from_json(JsonScalar::Int(3)).map(PositiveInt::get),
            Ok(3)
        );
        assert!(PositiveInt::from_json(JsonScalar::Int(0)).is_err());
        assert!(PositiveInt::from_json(JsonScalar::Int(i64::MAX)).is_err());
        assert_eq!(
            UnsignedInt::from_json(JsonScalar::Number("5")).map(UnsignedInt::get),
            Ok(5)
        );
        assert!(UnsignedInt::from_json(JsonScalar::Number("5.0")).is_err());
        assert!(UnsignedInt::from_json(JsonScalar::Str("5")).is_err());
        assert!(UnsignedInt::from_json(JsonScalar::Bool(true)).is_err());
        assert_eq!(PositiveInt::JSON_KIND, JsonKind::Integer);
        assert_eq!(PositiveInt::MAX.to_json(), JsonOut::Int(2_147_483_647));
        assert_eq!(UnsignedInt::MIN.to_json(), JsonOut::Int(0));
    }

    #[test]
    fn integer64() {
        assert_eq!(Integer64::JSON_KIND, JsonKind::String);
        let v = Integer64::from_lexical("-9223372036854775808").expect("min");
        assert_eq!(v.get(), i64::MIN);
        assert_eq!(v.to_lexical(), "-9223372036854775808");
        assert!(Integer64::from_lexical("9223372036854775808").is_err());
        assert!(Integer64::from_lexical("+5").is_err());
        assert!(Integer64::from_lexical("007").is_err());
        assert_eq!(
            Integer64::from_json(JsonScalar::Str("123")).map(i64::from),
            Ok(123)
        );
        assert_eq!(
            Integer64::from_json(JsonScalar::Int(-4)).map(Integer64::get),
            Ok(-4)
        );
        assert!(Integer64::from_json(JsonScalar::Str("1.5")).is_err());
        assert!(Integer64::from_json(JsonScalar::Bool(false)).is_err());
        assert_eq!("77".parse::<Integer64>(), Ok(Integer64::new(77)));
        assert_eq!(Integer64::from(5i32).to_string(), "5");
        assert_eq!(
            Integer64::new(-9).to_json(),
            JsonOut::Str(Cow::Borrowed("-9"))
        );
    }
}
