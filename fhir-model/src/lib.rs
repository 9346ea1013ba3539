//! Strongly typed HL7 FHIR resources and datatypes, generated from the
//! official definitions, with lossless FHIR JSON.
//!
//! * [`r4`]: every resource and datatype of FHIR R4 (feature `r4`, default).
//! * [`rt`]: the hand-written runtime the generated code stands on.
//! * [`json`]: FHIR JSON entry points with structured errors.

pub mod rt;

pub use rt::json;
pub use rt::values::{
    Base64Binary, Date, DateTime, Decimal, Instant, Integer64, PositiveInt, Time, UnsignedInt,
};

#[cfg(feature = "r4")]
#[allow(clippy::all, missing_docs)]
pub mod r4;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
