//! The `fhir` command line: argument definitions (clap derive), exit
//! statuses, and one module per subcommand.
//!
//! Exit statuses mean the same for every subcommand so scripts can rely on
//! them: 0 everything succeeded, 1 some input failed (the others were still
//! processed), 2 the command itself could not run as asked (usage errors,
//! output I/O errors). For `validate`, 1 is the verdict "some resource has an
//! error", so an input that cannot be read at all is a 2 there (see
//! [`Status::Incomplete`]).

pub mod convert;
pub mod path;
pub mod validate;

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::format::Format;
use crate::input::UsageError;
pub use crate::version::FhirVersion;

/// Exit status when some input failed (bad JSON or XML, not a valid resource,
/// missing file) but the others were processed.
pub const EXIT_FAILED: u8 = 1;
/// Exit status when the command could not do what was asked: usage errors
/// (the same status clap uses for its own), output I/O errors, and for
/// `validate` inputs that could not be read.
pub const EXIT_USAGE: u8 = 2;

/// Work with HL7 FHIR resources.
#[derive(Debug, Parser)]
#[command(name = "fhir", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read FHIR resources and write them out again in the requested format.
    ///
    /// Reads FHIR JSON or XML and writes either. Every input is fully read as
    /// a FHIR resource, so this also checks that it is well-formed FHIR, and it
    /// normalises the output (element order, number and date spelling as FHIR
    /// defines them).
    Convert(convert::ConvertArgs),
    /// Validate FHIR resources against the definitions of their FHIR version.
    ///
    /// Checks cardinality, primitive formats, bindings and structure, and
    /// reports every issue found with its FHIRPath location, line and
    /// column: as text, or as one FHIR OperationOutcome per resource.
    Validate(validate::ValidateArgs),
    /// Evaluate a FHIRPath expression against a resource.
    ///
    /// Prints the resulting collection as JSON, each item with its type and
    /// value.
    Path(path::PathArgs),
}

/// Arguments shared by every subcommand that reads resources, so that they
/// spell and document them the same way.
///
/// `display_order` keeps `--help` in the order of the documented synopsis
/// (`[--fhir-version] [--from] --to [--compact] [--lenient] INPUT... [-o]`):
/// odd numbers are these shared options, even ones are left to the
/// subcommands' own options.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// FHIR version to read the inputs as (those compiled into this build).
    #[arg(long, value_enum, value_name = "VERSION", default_value_t = FhirVersion::default(), display_order = 1)]
    pub fhir_version: FhirVersion,

    /// Input format; detected from each input's content when absent ('<' starts XML, '{' JSON).
    #[arg(long, value_enum, value_name = "FORMAT", display_order = 3)]
    pub from: Option<Format>,

    /// Ignore JSON properties and XML elements and attributes that FHIR does not define, instead of failing the file.
    #[arg(long, display_order = 7)]
    pub lenient: bool,

    /// Files, folders (every *.json and *.xml file inside, recursively, in sorted order), or - for standard input.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
}

/// How a subcommand ended when it could run: whether every input succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every input succeeded.
    Success,
    /// At least one input failed; each was reported on stderr (`validate`:
    /// on stdout, as its verdict).
    Failed,
    /// Some input could not be read at all (missing file, permissions), so
    /// the run's verdict is incomplete; the other inputs were processed.
    /// Used by `validate`, where [`Status::Failed`] is a verdict about the
    /// data; exit status 2.
    Incomplete,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        match status {
            Status::Success => ExitCode::SUCCESS,
            Status::Failed => ExitCode::from(EXIT_FAILED),
            Status::Incomplete => ExitCode::from(EXIT_USAGE),
        }
    }
}

/// Why a subcommand could not run as asked (exit status 2).
#[derive(Debug)]
pub enum CliError {
    /// The arguments parse but ask for something unsupported. Reported like
    /// clap's own usage errors, with the subcommand's usage line.
    Usage {
        /// Name of the subcommand, to show its usage.
        command: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Writing the output failed. Aborts the run: it is rarely specific to
    /// one input (full disk, permissions, closed pipe).
    Output {
        /// The file or folder being written; `None` for standard output.
        path: Option<PathBuf>,
        /// The underlying error.
        error: io::Error,
    },
}

impl CliError {
    /// A usage error of `command`.
    pub fn usage(command: &'static str, message: impl Into<String>) -> Self {
        CliError::Usage {
            command,
            message: message.into(),
        }
    }

    /// Adapts an input-list error to a usage error of `command`.
    pub fn from_input(command: &'static str, e: UsageError) -> Self {
        CliError::usage(command, e.0)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage { message, .. } => f.write_str(message),
            CliError::Output {
                path: Some(path),
                error,
            } => write!(f, "cannot write {}: {error}", path.display()),
            CliError::Output { path: None, error } => {
                write!(f, "cannot write to standard output: {error}")
            }
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Usage { .. } => None,
            CliError::Output { error, .. } => Some(error),
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: &Cli) -> Result<Status, CliError> {
    match &cli.command {
        Command::Convert(args) => convert::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Path(args) => path::run(args),
    }
}

/// The whole program: parses the process arguments, runs, and turns the
/// outcome into an exit status. clap exits by itself (status 2) on its own
/// usage errors and prints `--help`/`--version`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(status) => status.into(),
        Err(CliError::Usage { command, message }) => usage_error(command, &message),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Prints a usage error the way clap prints its own (with the subcommand's
/// usage line and a pointer to `--help`) and exits with status 2.
fn usage_error(command: &str, message: &str) -> ! {
    let mut root = Cli::command();
    // Building fills in the subcommands' full names (`fhir convert`) for the
    // usage line.
    root.build();
    if let Some(sub) = root.find_subcommand_mut(command) {
        sub.error(ErrorKind::InvalidValue, message).exit()
    }
    root.error(ErrorKind::InvalidValue, message).exit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
