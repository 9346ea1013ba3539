//! Value types of the FHIR primitives: what sits in a primitive's `value`.
//!
//! Every value type keeps the exact lexical form it was read from, so that
//! writing it back produces the same text (`1.50` stays `1.50`, `+00:00` stays
//! `+00:00`). Lexical rules follow the FHIR specification (datatypes.html);
//! values that break them are rejected by [`PrimitiveValue::from_lexical`].

use std::borrow::Cow;

use super::primitive::JsonOut;

mod base64;
mod datetime;
mod decimal;
mod integer;

pub use self::base64::Base64Binary;
pub use self::datetime::{Date, DateTime, DateTimePrecision, Instant, Time, TzOffset};
pub use self::decimal::Decimal;
pub use self::integer::{Integer64, PositiveInt, UnsignedInt};

/// The value of the string-like primitives (`string`, `code`, `id`, `uri`,
/// `url`, `canonical`, `oid`, `uuid`, `markdown`, ...): text of up to 24
/// bytes is kept inline, longer text on the heap. It is the size of a
/// `String`, derefs to `str`, and converts from `&str` and `String`.
///
/// Most string values are short (60% of the R4 examples' are at most 24
/// bytes); kept inline they cost no allocation when read and no separate
/// cache line when written.
pub type StringValue = compact_str::CompactString;

/// How a primitive value is written in FHIR JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    /// JSON `true` / `false`.
    Bool,
    /// A JSON number written without fraction or exponent.
    Integer,
    /// A JSON number whose source text must be kept exactly.
    Decimal,
    /// A JSON string.
    String,
}

/// A scalar as read from JSON, handed to [`PrimitiveValue::from_json`].
#[derive(Clone, Copy, Debug)]
pub enum JsonScalar<'a> {
    Bool(bool),
    /// An integral JSON number.
    Int(i64),
    /// The exact source text of a JSON number (any form).
    Number(&'a str),
    Str(&'a str),
}

/// A value of a FHIR primitive type (the content of its `value`).
///
/// Implemented by the runtime value types, by `bool`, `i32`, [`StringValue`],
/// and by the generated code enums. Object-safe parts are reached through
/// [`crate::rt::PrimitiveElement`].
pub trait PrimitiveValue: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    /// How the value is written in JSON.
    const JSON_KIND: JsonKind;
    /// Parses the lexical form (the XML `value` attribute, and the JSON string form).
    fn from_lexical(s: &str) -> Result<Self, String>;
    /// The lexical form, exactly as read when the value was parsed.
    fn to_lexical(&self) -> Cow<'_, str>;
    /// Reads the value from a JSON scalar; the default accepts the JSON type named
    /// by [`Self::JSON_KIND`] and goes through [`Self::from_lexical`].
    fn from_json(v: JsonScalar<'_>) -> Result<Self, String> {
        match (Self::JSON_KIND, v) {
            (JsonKind::String, JsonScalar::Str(s)) => Self::from_lexical(s),
            (JsonKind::Decimal, JsonScalar::Number(s)) => Self::from_lexical(s),
            (JsonKind::Decimal, JsonScalar::Int(i)) => Self::from_lexical(&i.to_string()),
            (JsonKind::Integer, JsonScalar::Int(i)) => Self::from_lexical(&i.to_string()),
            (JsonKind::Integer, JsonScalar::Number(s)) => Self::from_lexical(s),
            (JsonKind::Bool, JsonScalar::Bool(b)) => Self::from_lexical(if b { "true" } else { "false" }),
            (kind, v) => Err(format!("expected {}, found {}", kind_name(kind), scalar_name(&v))),
        }
    }
    /// The value as a JSON scalar; the default derives it from the lexical form.
    fn to_json(&self) -> JsonOut<'_> {
        let lex = self.to_lexical();
        match Self::JSON_KIND {
            JsonKind::Bool => JsonOut::Bool(lex == "true"),
            JsonKind::Integer => match lex.parse::<i64>() {
                Ok(i) => JsonOut::Int(i),
                Err(_) => JsonOut::Number(lex),
            },
            JsonKind::Decimal => JsonOut::Number(lex),
            JsonKind::String => JsonOut::Str(lex),
        }
    }
}

pub(crate) fn kind_name(k: JsonKind) -> &'static str {
    match k {
        JsonKind::Bool => "a JSON boolean",
        JsonKind::Integer => "a JSON integer",
        JsonKind::Decimal => "a JSON number",
        JsonKind::String => "a JSON string",
    }
}

pub(crate) fn scalar_name(v: &JsonScalar<'_>) -> &'static str {
    match v {
        JsonScalar::Bool(_) => "a boolean",
        JsonScalar::Int(_) | JsonScalar::Number(_) => "a number",
        JsonScalar::Str(_) => "a string",
    }
}

impl PrimitiveValue for bool {
    const JSON_KIND: JsonKind = JsonKind::Bool;
    fn from_lexical(s: &str) -> Result<Self, String> {
        match s {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("invalid boolean {s:?}: expected true or false")),
        }
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
    fn to_json(&self) -> JsonOut<'_> {
        JsonOut::Bool(*self)
    }
    fn from_json(v: JsonScalar<'_>) -> Result<Self, String> {
        match v {
            JsonScalar::Bool(b) => Ok(b),
            v => Err(format!("expected a JSON boolean, found {}", scalar_name(&v))),
        }
    }
}

/// FHIR `integer`: a signed 32-bit integer.
impl PrimitiveValue for i32 {
    const JSON_KIND: JsonKind = JsonKind::Integer;
    fn from_lexical(s: &str) -> Result<Self, String> {
        integer::parse_canonical_int(s).and_then(|v| {
            i32::try_from(v).map_err(|_| format!("integer {s} is outside the 32-bit range"))
        })
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
    fn to_json(&self) -> JsonOut<'_> {
        JsonOut::Int(i64::from(*self))
    }
    fn from_json(v: JsonScalar<'_>) -> Result<Self, String> {
        match v {
            JsonScalar::Int(i) => {
                i32::try_from(i).map_err(|_| format!("integer {i} is outside the 32-bit range"))
            }
            JsonScalar::Number(s) => Self::from_lexical(s),
            v => Err(format!("expected a JSON integer, found {}", scalar_name(&v))),
        }
    }
}

/// FHIR string-like primitives (`string`, `uri`, `code`, `id`, `markdown`,
/// ...), as the generated types hold them ([`StringValue`]): any text is
/// kept; format rules are the validator's job.
impl PrimitiveValue for StringValue {
    const JSON_KIND: JsonKind = JsonKind::String;
    fn from_lexical(s: &str) -> Result<Self, String> {
        Ok(StringValue::from(s))
    }
    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_str())
    }
}
