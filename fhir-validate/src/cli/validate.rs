//! `fhir validate`: validate FHIR resources (JSON, XML, NDJSON) and report
//! every issue, as text or as one OperationOutcome per resource.
//!
//! Every resource is validated independently and reported in input order;
//! a resource with errors does not stop the run. For a validator, exit
//! status 1 is a verdict about the data ("some resource has an error"), so
//! an input that cannot be read at all (missing file, permissions) is not
//! counted as one: it is reported on stderr, the other inputs are still
//! validated, and the run ends with status 2, as usage and output errors do.
//! Input that can be read but is not FHIR JSON or XML (a syntax error, an
//! empty file) *is* a resource with an error.

use std::fmt;
use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{CliError, FhirVersion, Status};
use crate::format::{skip_bom, Format, ReadError};
use crate::input::{self, Input, NDJSON_EXTENSION};
use crate::validate::{Issue, IssueType, Outcome, Severity, Validator};
use crate::version::{Resource, WithResource};

/// Name of the subcommand, for usage errors.
const COMMAND: &str = "validate";

const AFTER_HELP: &str = "\
Formats:
  Each input is read as FHIR XML when its first character other than
  whitespace is '<', as FHIR JSON when it is '{'. Files named *.ndjson are
  NDJSON (FHIR bulk data): one JSON resource per line, each validated and
  reported on its own, blank lines skipped. --from forces one format for
  every input (--from ndjson for NDJSON on standard input). Folders
  contribute their *.json, *.xml and *.ndjson files. A Bundle is one
  resource: its entries are validated as part of it.

Output:
  --format text (default): per resource, a line with the input (FILE:LINE
  for an NDJSON line) and its verdict, then one indented line per issue:
      obs.json: invalid (1 error)
        error [required] Observation.status: ... (line 1, column 1)
  --format json: exactly one JSON object per line and resource,
      {\"file\":\"obs.json\",\"outcome\":{\"resourceType\":\"OperationOutcome\",...}}
  plus \"line\":N for NDJSON lines. Each issue has its FHIRPath location in
  `expression` and, where known, its line and column in the extensions
  operationoutcome-issue-line and operationoutcome-issue-col (for NDJSON,
  the line in the file). A resource without issues gets one information
  issue, \"no issues found\".
  A summary line ends stderr:
      N resources: K valid, M with errors (E errors, W warnings)
  When stderr is a terminal and stdout is not, a progress line is shown on
  stderr during runs longer than a moment.

Exit status:
  0  no resource has an error (warnings and information do not count)
  1  at least one resource has an error, including input that is not
     FHIR JSON or XML at all
  2  usage error, an input could not be read (missing file, permissions:
     reported on stderr, the other inputs are still validated), or the
     output could not be written";

/// How to read the inputs, when forced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// FHIR JSON, one resource per input.
    Json,
    /// FHIR XML, one resource per input.
    Xml,
    /// Newline-delimited FHIR JSON (bulk data): one resource per line.
    Ndjson,
}

/// How to report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A verdict line per resource, then one indented line per issue.
    #[default]
    Text,
    /// One JSON object per line and resource: {"file", "line" (NDJSON), "outcome"}.
    Json,
}

/// Arguments of `fhir validate`. The options shared with other subcommands
/// are spelled, documented and ordered as in [`super::ReadArgs`].
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ValidateArgs {
    /// FHIR version to validate the inputs against (those compiled into this build).
    #[arg(long, value_enum, value_name = "VERSION", default_value_t = FhirVersion::default(), display_order = 1)]
    pub fhir_version: FhirVersion,

    /// Input format; by default *.ndjson files are NDJSON and any other input is detected from its content ('<' starts XML, '{' JSON).
    #[arg(long, value_enum, value_name = "FORMAT", display_order = 3)]
    pub from: Option<InputFormat>,

    /// Report format.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ReportFormat::Text, display_order = 4)]
    pub format: ReportFormat,

    /// Files, folders (every *.json, *.xml and *.ndjson file inside, recursively, in sorted order), or - for standard input.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
}

/// Validates one document of a version's resource in a known format.
type ValidateFn = fn(&Validator, &[u8], Format) -> Outcome;

/// Writes an outcome as the FHIR JSON of a version's OperationOutcome.
type OutcomeJsonFn = fn(&Outcome) -> String;

/// Picks the functions of the chosen version once, so that the loop over
/// the inputs is not generic.
struct PickVersion;

impl WithResource for PickVersion {
    type Output = (ValidateFn, OutcomeJsonFn);

    fn run<R: Resource>(self) -> Self::Output {
        (validate_as::<R>, outcome_json_as::<R>)
    }
}

/// The OperationOutcome of `outcome` as FHIR JSON on one line, through the
/// version's typed resource so that it is written in FHIR's element order
/// (`resourceType` first) and is known to be a valid OperationOutcome.
fn outcome_json_as<R: Resource>(outcome: &Outcome) -> String {
    let value = outcome.to_operation_outcome_json();
    let typed = serde_json::from_value::<R>(value.clone())
        .ok()
        .map(|r| fhir_model::json::to_string(&r))
        .filter(|text| !text.is_empty());
    // Never expected; the generic JSON carries the same content.
    typed.unwrap_or_else(|| value.to_string())
}

fn validate_as<R: Resource>(validator: &Validator, bytes: &[u8], format: Format) -> Outcome {
    match format {
        // The JSON reader refuses a byte order mark, which some Windows
        // tools write (and which editors do not count in columns).
        Format::Json => validator.validate_json::<R>(skip_bom(bytes)),
        // The XML reader skips it itself.
        Format::Xml => validator.validate_xml::<R>(bytes),
    }
}

/// A validator for one FHIR version, ready to validate documents.
#[derive(Debug)]
pub struct DocumentValidator {
    validator: Validator,
    validate: ValidateFn,
    outcome_json: OutcomeJsonFn,
}

impl DocumentValidator {
    /// Builds the validator of `version` (once per run: it compiles the
    /// version's primitive formats).
    pub fn new(version: FhirVersion) -> Self {
        let (validate, outcome_json) = version.with_resource(PickVersion);
        DocumentValidator {
            validator: Validator::new(version.tables()),
            validate,
            outcome_json,
        }
    }

    /// `outcome` as the FHIR JSON (one line) of an OperationOutcome of this
    /// validator's version.
    pub fn outcome_json(&self, outcome: &Outcome) -> String {
        (self.outcome_json)(outcome)
    }

    /// Validates one document holding one resource, read as `from` (detected
    /// from the content when `None`). A document that is plainly not in the
    /// format (or in neither) gets a single error issue saying so.
    pub fn validate(&self, bytes: &[u8], from: Option<Format>) -> Outcome {
        let format = match from {
            Some(format) => format.check(bytes).map(|()| format),
            None => Format::detect(bytes),
        };
        match format {
            Ok(format) => (self.validate)(&self.validator, bytes, format),
            Err(e) => Outcome {
                issues: vec![unreadable_issue(e)],
            },
        }
    }
}

/// The issue of a document whose format cannot be told.
fn unreadable_issue(e: ReadError) -> Issue {
    Issue {
        severity: Severity::Error,
        code: IssueType::Invalid,
        diagnostics: e.message,
        expression: e.path.unwrap_or_default(),
        line: (e.line > 0).then_some(e.line),
        column: (e.column > 0).then_some(e.column),
    }
}

/// Issue counts of one outcome or of a whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Fatal and error issues.
    pub errors: usize,
    /// Warning issues.
    pub warnings: usize,
    /// Information issues.
    pub information: usize,
}

impl Counts {
    /// The counts of one outcome.
    pub fn of(outcome: &Outcome) -> Self {
        let mut counts = Counts::default();
        for issue in &outcome.issues {
            match issue.severity {
                Severity::Fatal | Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Information => counts.information += 1,
            }
        }
        counts
    }
}

/// `invalid (2 errors, 1 warning)`, `valid (1 information)`, `valid`.
impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.errors > 0 { "invalid" } else { "valid" })?;
        let mut parts = Vec::new();
        if self.errors > 0 {
            parts.push(plural(self.errors, "error"));
        }
        if self.warnings > 0 {
            parts.push(plural(self.warnings, "warning"));
        }
        if self.information > 0 {
            parts.push(format!("{} information", self.information));
        }
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// What a run found, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Resources validated.
    pub resources: usize,
    /// Resources with at least one error.
    pub with_errors: usize,
    /// Issues of all resources.
    pub issues: Counts,
    /// Inputs that could not be read (or not to the end).
    pub unreadable: usize,
}

impl Totals {
    fn add(&mut self, counts: Counts) {
        self.resources += 1;
        if counts.errors > 0 {
            self.with_errors += 1;
        }
        self.issues.errors += counts.errors;
        self.issues.warnings += counts.warnings;
        self.issues.information += counts.information;
    }

    /// The exit status of the run: inputs that could not be read come
    /// first (the verdict is incomplete), then errors in resources.
    pub fn status(&self) -> Status {
        if self.unreadable > 0 {
            Status::Incomplete
        } else if self.with_errors > 0 {
            Status::Failed
        } else {
            Status::Success
        }
    }
}

/// The summary line: `N resources: K valid, M with errors (E errors, W
/// warnings)`, plus `; U inputs could not be read` when some could not.
impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} valid, {} with errors ({}, {})",
            plural(self.resources, "resource"),
            self.resources - self.with_errors,
            self.with_errors,
            plural(self.issues.errors, "error"),
            plural(self.issues.warnings, "warning"),
        )?;
        if self.unreadable > 0 {
            write!(
                f,
                "; {} could not be read",
                plural(self.unreadable, "input")
            )?;
        }
        Ok(())
    }
}

/// One line of `--format json`, in this order.
#[derive(Serialize)]
struct Record<'a> {
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    outcome: &'a RawValue,
}

/// One issue on one line of `--format text`:
/// `error [required] Observation.status: DIAGNOSTICS (line 1, column 1)`,
/// without `EXPRESSION: ` when the issue has no location in the resource
/// (`error [invalid] missing resourceType (line 4, column 1)`).
struct IssueLine<'a>(&'a Issue);

impl fmt::Display for IssueLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let issue = self.0;
        write!(f, "{} [{}] ", issue.severity.code(), issue.code.code())?;
        if !issue.expression.is_empty() {
            write!(f, "{}: ", issue.expression)?;
        }
        f.write_str(&issue.diagnostics)?;
        match (issue.line, issue.column) {
            (Some(line), Some(column)) => write!(f, " (line {line}, column {column})"),
            (Some(line), None) => write!(f, " (line {line})"),
            _ => Ok(()),
        }
    }
}

/// Writes the report of each resource to standard output.
struct Report<'a, W: Write> {
    out: W,
    format: ReportFormat,
    validator: &'a DocumentValidator,
}

impl<W: Write> Report<'_, W> {
    /// Reports the outcome of the resource of `file` (at `line` for NDJSON).
    fn resource(&mut self, file: &str, line: Option<usize>, outcome: &Outcome) -> io::Result<()> {
        match self.format {
            ReportFormat::Text => {
                match line {
                    Some(line) => write!(self.out, "{file}:{line}: ")?,
                    None => write!(self.out, "{file}: ")?,
                }
                writeln!(self.out, "{}", Counts::of(outcome))?;
                for issue in &outcome.issues {
                    writeln!(self.out, "  {}", IssueLine(issue))?;
                }
            }
            ReportFormat::Json => {
                let outcome = RawValue::from_string(self.validator.outcome_json(outcome))?;
                let record = Record {
                    file,
                    line,
                    outcome: &outcome,
                };
                serde_json::to_writer(&mut self.out, &record)?;
                self.out.write_all(b"\n")?;
            }
        }
        Ok(())
    }
}

/// A progress line on stderr, redrawn in place (`\r`), for long runs: it
/// appears only once the run has lasted [`Progress::DELAY`], and is redrawn
/// at most every [`Progress::INTERVAL`].
struct Progress {
    enabled: bool,
    start: Instant,
    last: Option<Instant>,
    /// Width of the line on screen, to blank it out.
    width: usize,
}

impl Progress {
    const DELAY: Duration = Duration::from_millis(500);
    const INTERVAL: Duration = Duration::from_millis(100);

    fn new(enabled: bool) -> Self {
        Progress {
            enabled,
            start: Instant::now(),
            last: None,
            width: 0,
        }
    }

    /// Redraws the line if it is time to.
    fn tick(&mut self, inputs_done: usize, inputs: usize, totals: &Totals) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let due = match self.last {
            None => now.duration_since(self.start) >= Self::DELAY,
            Some(last) => now.duration_since(last) >= Self::INTERVAL,
        };
        if !due {
            return;
        }
        self.last = Some(now);
        let line = progress_line(inputs_done, inputs, totals);
        let pad = self.width.saturating_sub(line.len());
        // Progress is best effort: a failing stderr is not worth stopping for.
        let _ = write!(io::stderr(), "\r{line}{:pad$}", "");
        self.width = line.len();
    }

    /// Blanks the line out, before anything else is written to stderr.
    fn clear(&mut self) {
        if self.width > 0 {
            let _ = write!(io::stderr(), "\r{:width$}\r", "", width = self.width);
            self.width = 0;
        }
    }
}

/// `validating: 12/340 inputs, 5678 resources, 3 with errors`.
fn progress_line(inputs_done: usize, inputs: usize, totals: &Totals) -> String {
    format!(
        "validating: {inputs_done}/{inputs} inputs, {}, {} with errors",
        plural(totals.resources, "resource"),
        totals.with_errors
    )
}

/// Why an input's validation stopped before its end.
enum Stop {
    /// Reading the input failed: report, count, and go on with the next.
    Input(io::Error),
    /// Writing the report failed: the run ends.
    Output(io::Error),
}

/// The state of one run.
struct Run<'a, W: Write> {
    validator: &'a DocumentValidator,
    report: Report<'a, W>,
    totals: Totals,
    progress: Progress,
    /// Inputs finished, and how many there are, for the progress line.
    inputs_done: usize,
    inputs: usize,
}

impl<W: Write> Run<'_, W> {
    /// Validates one input, whole or line by line.
    fn input(&mut self, item: &Input, from: Option<InputFormat>) -> Result<(), Stop> {
        let file = item.to_string();
        let format = match from {
            Some(InputFormat::Ndjson) => return self.ndjson(item, &file),
            Some(InputFormat::Json) => Some(Format::Json),
            Some(InputFormat::Xml) => Some(Format::Xml),
            None if item.is_ndjson() => return self.ndjson(item, &file),
            None => None,
        };
        let bytes = item.read().map_err(Stop::Input)?;
        let outcome = self.validator.validate(&bytes, format);
        self.resource(&file, None, &outcome)
    }

    /// Validates an NDJSON input line by line: each line that is not blank
    /// is a resource, reported with its line number, its issues' lines
    /// being that line of the file.
    fn ndjson(&mut self, item: &Input, file: &str) -> Result<(), Stop> {
        let mut reader = item.open().map_err(Stop::Input)?;
        let mut buf = Vec::new();
        let mut number = 0usize;
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf).map_err(Stop::Input)? == 0 {
                return Ok(());
            }
            number += 1;
            let mut line = buf.as_slice();
            line = line.strip_suffix(b"\n").unwrap_or(line);
            line = line.strip_suffix(b"\r").unwrap_or(line);
            if number == 1 {
                line = skip_bom(line);
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mut outcome = self.validator.validate(line, Some(Format::Json));
            for issue in &mut outcome.issues {
                // A line holds no line break, so every located issue is on
                // line 1 of it: point at the line of the file instead.
                if issue.line.is_some() {
                    issue.line = Some(number);
                }
            }
            self.resource(file, Some(number), &outcome)?;
        }
    }

    fn resource(&mut self, file: &str, line: Option<usize>, outcome: &Outcome) -> Result<(), Stop> {
        self.totals.add(Counts::of(outcome));
        self.report
            .resource(file, line, outcome)
            .map_err(Stop::Output)?;
        self.progress
            .tick(self.inputs_done, self.inputs, &self.totals);
        Ok(())
    }
}

/// Runs `fhir validate`.
pub fn run(args: &ValidateArgs) -> Result<Status, CliError> {
    let extensions = [
        input::EXTENSIONS.as_slice(),
        std::slice::from_ref(&NDJSON_EXTENSION),
    ]
    .concat();
    let inputs = input::collect_with(&args.inputs, None, &extensions)
        .map_err(|e| CliError::from_input(COMMAND, e))?;
    let validator = DocumentValidator::new(args.fhir_version);
    let stdout = io::stdout();
    // The progress line shares the terminal badly with a report written to
    // it, which shows progress by itself anyway.
    let progress = io::stderr().is_terminal() && !stdout.is_terminal();
    let mut run = Run {
        validator: &validator,
        report: Report {
            out: BufWriter::new(stdout.lock()),
            format: args.format,
            validator: &validator,
        },
        totals: Totals::default(),
        progress: Progress::new(progress),
        inputs_done: 0,
        inputs: inputs.items.len(),
    };
    for item in &inputs.items {
        match run.input(item, args.from) {
            Ok(()) => {}
            Err(Stop::Input(error)) => {
                run.totals.unreadable += 1;
                run.progress.clear();
                // Keep stdout and stderr in order when both go to the same place.
                let _ = run.report.out.flush();
                eprintln!("{item}: cannot read: {error}");
            }
            Err(Stop::Output(error)) => return output_error(&mut run, error),
        }
        run.inputs_done += 1;
        run.progress.tick(run.inputs_done, run.inputs, &run.totals);
    }
    if let Err(error) = run.report.out.flush() {
        return output_error(&mut run, error);
    }
    run.progress.clear();
    eprintln!("{}", run.totals);
    Ok(run.totals.status())
}

/// Ends a run whose report could not be written. Standard output closed by
/// its reader (`fhir validate dir | head`) ends it quietly, like other Unix
/// tools: the reader has what it wanted.
fn output_error<W: Write>(run: &mut Run<'_, W>, error: io::Error) -> Result<Status, CliError> {
    run.progress.clear();
    if error.kind() == io::ErrorKind::BrokenPipe {
        return Ok(run.totals.status());
    }
    Err(CliError::Output { path: None, error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_verdicts() {
        let mut counts = Counts::default();
        assert_eq!(counts.to_string(), "valid");
        counts.information = 2;
        assert_eq!(counts.to_string(), "valid (2 information)");
        counts.warnings = 1;
        assert_eq!(counts.to_string(), "valid (1 warning, 2 information)");
        counts.errors = 3;
        assert_eq!(
            counts.to_string(),
            "invalid (3 errors, 1 warning, 2 information)"
        );
    }

    #[test]
    fn summary_line() {
        let mut totals = Totals::default();
        assert_eq!(
            totals.to_string(),
            "0 resources: 0 valid, 0 with errors (0 errors, 0 warnings)"
        );
        assert_eq!(totals.status(), Status::Success);
        totals.add(Counts {
            errors: 0,
            warnings: 1,
            information: 0,
        });
        assert_eq!(
            totals.to_string(),
            "1 resource: 1 valid, 0 with errors (0 errors, 1 warning)"
        );
        assert_eq!(totals.status(), Status::Success);
        totals.add(Counts {
            errors: 2,
            warnings: 1,
            information: 5,
        });
        assert_eq!(
            totals.to_string(),
            "2 resources: 1 valid, 1 with errors (2 errors, 2 warnings)"
        );
        assert_eq!(totals.status(), Status::Failed);
        totals.unreadable = 1;
        assert_eq!(
            totals.to_string(),
            "2 resources: 1 valid, 1 with errors (2 errors, 2 warnings); 1 input could not be read"
        );
        assert_eq!(totals.status(), Status::Incomplete);
    }

    #[test]
    fn progress_line_names_inputs_and_resources() {
        let totals = Totals {
            resources: 1,
            with_errors: 0,
            ..Totals::default()
        };
        assert_eq!(
            progress_line(0, 3, &totals),
            "validating: 0/3 inputs, 1 resource, 0 with errors"
        );
    }

    #[test]
    fn undetectable_input_is_one_located_error() {
        let v = DocumentValidator::new(FhirVersion::default());
        let outcome = v.validate(b"\n  [1]", None);
        assert_eq!(outcome.issues.len(), 1, "{outcome:?}");
        let issue = &outcome.issues[0];
        assert_eq!(issue.severity, Severity::Error);
        assert_eq!((issue.line, issue.column), (Some(2), Some(3)));

        let outcome = v.validate(b"", None);
        assert!(outcome.has_errors());
        assert_eq!(outcome.issues[0].line, None);

        let outcome = v.validate(br#"{"resourceType":"Patient"}"#, Some(Format::Xml));
        assert!(outcome.has_errors());
        assert!(
            outcome.issues[0].diagnostics.contains("looks like JSON"),
            "{outcome:?}"
        );
    }

    #[test]
    fn issue_line_leaves_out_what_is_unknown() {
        let mut issue = Issue {
            severity: Severity::Error,
            code: IssueType::Invalid,
            diagnostics: "missing resourceType".to_owned(),
            expression: String::new(),
            line: Some(4),
            column: Some(1),
        };
        assert_eq!(
            IssueLine(&issue).to_string(),
            "error [invalid] missing resourceType (line 4, column 1)"
        );
        issue.expression = "Patient.id".to_owned();
        issue.line = None;
        assert_eq!(
            IssueLine(&issue).to_string(),
            "error [invalid] Patient.id: missing resourceType"
        );
    }

    #[test]
    fn outcome_json_is_fhir_ordered() {
        let v = DocumentValidator::new(FhirVersion::default());
        let outcome = v.validate(br#"{"resourceType":"Observation"}"#, None);
        let text = v.outcome_json(&outcome);
        assert!(
            text.starts_with(r#"{"resourceType":"OperationOutcome","issue":[{"extension":["#),
            "{text}"
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value, outcome.to_operation_outcome_json());
    }

    #[test]
    fn byte_order_mark_is_allowed() {
        let v = DocumentValidator::new(FhirVersion::default());
        let outcome = v.validate(
            b"\xEF\xBB\xBF{\"resourceType\":\"Patient\",\"active\":true}",
            None,
        );
        assert!(!outcome.has_errors(), "{outcome:?}");
        let outcome = v.validate(
            b"\xEF\xBB\xBF<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\"/></Patient>",
            None,
        );
        assert!(!outcome.has_errors(), "{outcome:?}");
    }
}
