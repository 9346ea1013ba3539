//! Validation of FHIR resources, and the library behind the `fhir`
//! command-line tool.
//!
//! The binary (`src/bin/fhir.rs`) only calls [`cli::main`]; everything else
//! lives here so that it can be unit-tested and so that subcommands share
//! their building blocks:
//!
//! * [`input`]: turning `INPUT...` arguments (files, folders, `-`) into an
//!   ordered list of documents to read. Shared by every subcommand that reads
//!   resources.
//! * [`format`]: FHIR JSON and XML: detecting which one a document is,
//!   reading and writing a resource in either, one error type for both.
//! * [`version`]: the FHIR versions compiled in (Cargo features `r4`, default,
//!   `r4b`, `r5`) and the one dispatch from a version to its `Resource` type.
//! * [`cli`]: argument definitions (clap derive), exit statuses, and one
//!   module per subcommand.

pub mod cli;
pub mod format;
pub mod input;
pub mod validate;
pub mod version;
/// Generated validation tables (do not edit; `cargo xtask codegen`).
#[allow(clippy::all, missing_docs)]
// Generated code is formatted by the generator (prettyplease); rustfmt must
// not touch it, or the freshness check fails.
#[rustfmt::skip]
pub mod generated;
