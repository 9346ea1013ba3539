//! `fhir path`: evaluate a FHIRPath expression against one resource and
//! print the resulting collection as JSON, one object per item with its type
//! (`FHIR.HumanName`, `System.Integer`) and value.
//!
//! A syntax error in the expression, an evaluation error, or an input that
//! is not a FHIR resource is reported on stderr with exit status 1.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use clap::Args;
use fhirpath::{Context, Expression, Item};

use super::{CliError, FhirVersion, Status};
use crate::format::Format;
use crate::version::{Resource, WithResource};

const AFTER_HELP: &str = "\
Output:
  A JSON array on standard output, one object per item of the result:
      [{\"type\": \"FHIR.string\", \"value\": \"Peter\"}, {\"type\": \"System.Integer\", \"value\": 2}]
  Complex elements are shown as objects of their fields.

Context:
  The resource is the focus, %resource and %rootResource.

Exit status:
  0  the expression was evaluated (even to an empty collection)
  1  the expression is invalid, its evaluation failed, or the input is not a FHIR resource
  2  usage error, or the output could not be written";

/// Arguments of `fhir path`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct PathArgs {
    /// FHIR version to read the input as (those compiled into this build).
    #[arg(long, value_enum, value_name = "VERSION", default_value_t = FhirVersion::default())]
    pub fhir_version: FhirVersion,

    /// Input format; detected from the content when absent ('<' starts XML, '{' JSON).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub from: Option<Format>,

    /// The FHIRPath expression.
    #[arg(value_name = "EXPRESSION")]
    pub expression: String,

    /// The resource file, or - for standard input.
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
}

/// Evaluates the expression for one version's `Resource` type; returns the
/// JSON text or the message to report.
struct Evaluate<'a> {
    bytes: &'a [u8],
    format: Format,
    expression: &'a Expression,
}

impl WithResource for Evaluate<'_> {
    type Output = Result<String, String>;

    fn run<R: Resource>(self) -> Self::Output {
        let resource: R = self
            .format
            .read(self.bytes, false)
            .map_err(|e| e.to_string())?;
        let root = Item::resource(resource.as_element());
        let ctx = Context::for_resource(root.clone());
        let result = self
            .expression
            .evaluate(&ctx, root)
            .map_err(|e| e.to_string())?;
        let items: Vec<serde_json::Value> = result.iter().map(Item::to_json).collect();
        serde_json::to_string_pretty(&items).map_err(|e| e.to_string())
    }
}

/// Runs `fhir path`.
pub fn run(args: &PathArgs) -> Result<Status, CliError> {
    let name = args.input.display().to_string();
    let fail = |message: String| {
        eprintln!("error: {message}");
        Ok(Status::Failed)
    };
    let expression = match Expression::parse(&args.expression) {
        Ok(e) => e,
        Err(e) => return fail(format!("invalid expression: {e}")),
    };
    let bytes = if name == "-" {
        let mut buf = Vec::new();
        if let Err(e) = io::stdin().read_to_end(&mut buf) {
            return fail(format!("cannot read standard input: {e}"));
        }
        buf
    } else {
        match std::fs::read(&args.input) {
            Ok(b) => b,
            Err(e) => return fail(format!("{name}: cannot read: {e}")),
        }
    };
    // A forced format is checked against the content, as `convert` does.
    let format = match args.from {
        Some(f) => f.check(&bytes).map(|()| f),
        None => Format::detect(&bytes),
    };
    let format = match format {
        Ok(f) => f,
        Err(e) => return fail(format!("{name}: {e}")),
    };
    match args.fhir_version.with_resource(Evaluate {
        bytes: &bytes,
        format,
        expression: &expression,
    }) {
        Ok(json) => {
            let mut out = io::stdout().lock();
            writeln!(out, "{json}").map_err(|error| CliError::Output { path: None, error })?;
            Ok(Status::Success)
        }
        Err(message) => fail(format!("{name}: {message}")),
    }
}
