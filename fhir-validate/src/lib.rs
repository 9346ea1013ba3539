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
//! * [`cli`]: argument definitions (clap derive), exit statuses, and one
//!   module per subcommand.

pub mod cli;
pub mod input;
