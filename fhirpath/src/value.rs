//! System values: what literals and computations produce, and what FHIR
//! primitives convert to when an operator needs their value.

use crate::datetime::{Temporal, TemporalKind};
use crate::decimal::Dec;
use crate::quantity::Quantity;

/// A value of one of the FHIRPath system types.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Boolean(bool),
    Integer(i64),
    Long(i64),
    Decimal(Dec),
    String(String),
    /// `Date`, `DateTime` or `Time`, by [`Temporal::kind`].
    Temporal(Box<Temporal>),
    Quantity(Box<Quantity>),
}

impl Value {
    /// A `Date`, `DateTime` or `Time`. Kept behind a box, as quantities
    /// are: they are rare in collections, and inline they made every
    /// [`crate::Item`] 112 bytes instead of 56.
    pub(crate) fn temporal(t: Temporal) -> Value {
        Value::Temporal(Box::new(t))
    }

    /// A `Quantity`, boxed like [`Value::temporal`].
    pub(crate) fn quantity(q: Quantity) -> Value {
        Value::Quantity(Box::new(q))
    }

    /// The system type name (`Integer`, `DateTime`...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Boolean(_) => "Boolean",
            Value::Integer(_) => "Integer",
            Value::Long(_) => "Long",
            Value::Decimal(_) => "Decimal",
            Value::String(_) => "String",
            Value::Temporal(t) => match t.kind {
                TemporalKind::Date => "Date",
                TemporalKind::DateTime => "DateTime",
                TemporalKind::Time => "Time",
            },
            Value::Quantity(_) => "Quantity",
        }
    }

    /// The value as FHIRPath `toString()` writes it.
    pub fn to_text(&self) -> String {
        match self {
            Value::Boolean(b) => b.to_string(),
            Value::Integer(i) | Value::Long(i) => i.to_string(),
            Value::Decimal(d) => d.to_string(),
            Value::String(s) => s.clone(),
            Value::Temporal(t) => t.to_string(),
            Value::Quantity(q) => q.to_string(),
        }
    }

    /// Reads the lexical form of a FHIR primitive of type `code`
    /// (`boolean`, `positiveInt`, `instant`...) as the system value it maps to.
    /// Whether the values of a FHIR primitive type are FHIRPath strings
    /// (the fallback of [`Value::from_fhir`]).
    pub(crate) fn is_string_type(code: &str) -> bool {
        !matches!(
            code,
            "boolean" | "integer" | "positiveInt" | "unsignedInt" | "integer64" | "decimal" | "date" | "dateTime"
                | "instant" | "time"
        )
    }

    pub fn from_fhir(code: &str, text: &str) -> Option<Value> {
        Some(match code {
            "boolean" => Value::Boolean(text == "true"),
            "integer" | "positiveInt" | "unsignedInt" => Value::Integer(text.parse().ok()?),
            "integer64" => Value::Long(text.parse().ok()?),
            "decimal" => Value::Decimal(Dec::parse(text)?),
            "date" => Value::temporal(Temporal::parse_date(text)?),
            "dateTime" | "instant" => Value::temporal(Temporal::parse_datetime(text)?),
            "time" => Value::temporal(Temporal::parse_time(text)?),
            _ => Value::String(text.to_owned()),
        })
    }
}
