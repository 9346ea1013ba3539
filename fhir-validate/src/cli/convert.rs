//! `fhir convert`: read FHIR resources (JSON or XML) and write them out
//! again (JSON or XML).
//!
//! Inputs are converted one at a time and independently: a failing input is
//! reported on stderr and the others still convert (exit status 1), so one
//! bad file in a folder of thousands does not hide the rest. Output I/O
//! errors abort the run (exit status 2): they are rarely specific to one
//! input.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::{self, BufWriter, StdoutLock, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use super::{CliError, FhirVersion, ReadArgs, Status};
use crate::format::{Format, ReadError, WriteError};
use crate::input::{self, Input};
use crate::version::{Resource, WithResource};

/// Name of the subcommand, for usage errors.
const COMMAND: &str = "convert";

const AFTER_HELP: &str = "\
Formats:
  Each input is read as FHIR XML when its first character other than
  whitespace is '<', as FHIR JSON when it is '{'; --from forces one format
  (an input in the other format then fails). Folders contribute their *.json
  and *.xml files. JSON is written pretty-printed unless --compact is given;
  XML is always written compact: one line starting with an XML declaration
  (--compact changes nothing for it).

Output:
  Without -o, every document goes to standard output, in input order, each
  followed by a newline.
  With -o OUT, OUT is a folder (created if needed) when it already is one, ends
  with a path separator, or there are several INPUTs or any INPUT is a folder:
  one file is written per input, keeping its file name (its path relative to
  the folder for files found in a folder; stdin for standard input) with the
  extension of the output format: Patient.xml becomes Patient.json with
  --to json. Otherwise (a single file or standard input) OUT is the output
  file, named as given.

Errors:
  An input that fails (invalid JSON or XML, not a valid FHIR resource, missing
  or unreadable file, or a resource the output format cannot carry, such as a
  JSON string with a control character XML 1.0 does not allow) is reported on
  stderr as
      PATH: line L, column C: MESSAGE
  where MESSAGE starts with the element path when known, for example
      obs.json: line 9, column 20: Observation.component[1].valueQuantity.value: ...
      obs.xml: line 7, column 12: Observation.component[1].valueQuantity: ...
  and the other inputs are still converted; nothing is written for it.
  With more than one input a summary line ends stderr:
      converted N of M files (K failed)

Exit status:
  0  every input converted
  1  at least one input failed (including missing input files)
  2  usage error, or the output could not be written";

/// Arguments of `fhir convert`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ConvertArgs {
    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT", display_order = 4)]
    pub to: Format,

    /// Write each JSON document on one line instead of pretty-printed (XML is always one line).
    #[arg(long, display_order = 6)]
    pub compact: bool,

    /// Output file or folder (see "Output" below); standard output if absent.
    #[arg(short, long, value_name = "OUT", display_order = 8)]
    pub output: Option<PathBuf>,

    /// What to read and how.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Where the converted documents go. Decided once, before converting, from
/// the command line alone, so the layout does not depend on which inputs
/// happen to fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Standard output, documents one after the other.
    Stdout,
    /// A single output file.
    File(PathBuf),
    /// A folder receiving one file per input, named by
    /// [`Input::relative_name`] with the output format's extension.
    Folder(PathBuf),
}

impl Destination {
    /// Applies the `-o` rules: a folder when `output_is_folder` (it exists as
    /// one, or is spelled with a trailing separator), when there are several
    /// `INPUT` arguments, or when any is a folder; otherwise a file.
    pub fn choose(
        output: Option<&Path>,
        arg_count: usize,
        has_folder: bool,
        output_is_folder: bool,
    ) -> Self {
        match output {
            None => Destination::Stdout,
            Some(out) if output_is_folder || arg_count > 1 || has_folder => {
                Destination::Folder(out.to_owned())
            }
            Some(out) => Destination::File(out.to_owned()),
        }
    }
}

/// Whether `-o OUT` names a folder by itself: it exists as one, or ends with
/// a path separator (`-o out/` for a folder not created yet).
fn is_folder_spelling(out: &Path) -> bool {
    if out.is_dir() {
        return true;
    }
    let s = out.as_os_str().to_string_lossy();
    s.ends_with('/') || s.ends_with(std::path::MAIN_SEPARATOR)
}

/// Why one input could not be converted.
#[derive(Debug)]
pub enum Failure {
    /// The input could not be read (missing file, permissions, ...).
    Read(io::Error),
    /// The input is not a valid FHIR resource of the requested version in
    /// its format (or its format could not be told).
    Parse(ReadError),
    /// The resource was read but cannot be written in the output format.
    Write(WriteError),
    /// Another input already wrote the same output file.
    Collision {
        /// The output file.
        output: PathBuf,
        /// The input that wrote it.
        first: String,
    },
}

/// The part after `PATH: ` of an error line.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Read(e) => write!(f, "cannot read: {e}"),
            Failure::Parse(e) => e.fmt(f),
            Failure::Write(e) => e.fmt(f),
            Failure::Collision { output, first } => {
                write!(
                    f,
                    "not written: {} was already written from {first}",
                    output.display()
                )
            }
        }
    }
}

/// One document, converted: read as `from` (detected from the content
/// when `None`) and written as `to`, as a FHIR resource of `version`.
pub fn convert_document(
    version: FhirVersion,
    bytes: &[u8],
    from: Option<Format>,
    to: Format,
    lenient: bool,
    compact: bool,
) -> Result<String, Failure> {
    let from = match from {
        Some(format) => {
            format.check(bytes).map_err(Failure::Parse)?;
            format
        }
        None => Format::detect(bytes).map_err(Failure::Parse)?,
    };
    version.with_resource(Convert {
        bytes,
        from,
        to,
        lenient,
        compact,
    })
}

/// [`convert_document`] for one FHIR version's `Resource` type.
struct Convert<'a> {
    bytes: &'a [u8],
    from: Format,
    to: Format,
    lenient: bool,
    compact: bool,
}

impl WithResource for Convert<'_> {
    type Output = Result<String, Failure>;

    fn run<R: Resource>(self) -> Self::Output {
        let resource: R = self
            .from
            .read(self.bytes, self.lenient)
            .map_err(Failure::Parse)?;
        self.to
            .write(&resource, self.compact)
            .map_err(Failure::Write)
    }
}

/// An open destination.
enum Sink<'a> {
    Stdout(BufWriter<StdoutLock<'a>>),
    File(PathBuf),
    Folder {
        dir: PathBuf,
        /// Extension of the files written (the output format's).
        extension: &'static str,
        written: HashMap<PathBuf, String>,
    },
}

/// What writing one document led to.
enum Written {
    Done,
    /// Not written because of the input (name collision): report and go on.
    Failed(Failure),
}

impl Sink<'_> {
    /// Opens `destination`; creates the output folder up front, so that an
    /// impossible `-o` fails before any work is done.
    fn open(destination: &Destination, to: Format) -> Result<Self, CliError> {
        Ok(match destination {
            Destination::Stdout => Sink::Stdout(BufWriter::new(io::stdout().lock())),
            Destination::File(path) => Sink::File(path.clone()),
            Destination::Folder(dir) => {
                fs::create_dir_all(dir).map_err(|error| CliError::Output {
                    path: Some(dir.clone()),
                    error,
                })?;
                Sink::Folder {
                    dir: dir.clone(),
                    extension: to.extension(),
                    written: HashMap::new(),
                }
            }
        })
    }

    fn write(&mut self, input: &Input, text: &str) -> Result<Written, CliError> {
        match self {
            Sink::Stdout(out) => {
                out.write_all(text.as_bytes())
                    .map_err(|error| CliError::Output { path: None, error })?;
            }
            Sink::File(path) => {
                fs::write(&*path, text).map_err(|error| CliError::Output {
                    path: Some(path.clone()),
                    error,
                })?;
            }
            Sink::Folder {
                dir,
                extension,
                written,
            } => {
                let path = dir.join(input.relative_name.with_extension(*extension));
                if let Some(first) = written.get(&path) {
                    let failure = Failure::Collision {
                        output: path,
                        first: first.clone(),
                    };
                    return Ok(Written::Failed(failure));
                }
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|error| CliError::Output {
                        path: Some(parent.to_owned()),
                        error,
                    })?;
                }
                fs::write(&path, text).map_err(|error| CliError::Output {
                    path: Some(path.clone()),
                    error,
                })?;
                written.insert(path, input.to_string());
            }
        }
        Ok(Written::Done)
    }

    fn finish(self) -> Result<(), CliError> {
        match self {
            Sink::Stdout(mut out) => out
                .flush()
                .map_err(|error| CliError::Output { path: None, error }),
            Sink::File(_) | Sink::Folder { .. } => Ok(()),
        }
    }
}

/// Whether an output error is standard output being closed by its reader
/// (`fhir convert dir | head`): the reader has what it wanted, so stop
/// quietly like other Unix tools instead of reporting an error.
fn is_closed_stdout(e: &CliError) -> bool {
    matches!(e, CliError::Output { path: None, error } if error.kind() == io::ErrorKind::BrokenPipe)
}

/// Runs `fhir convert`.
pub fn run(args: &ConvertArgs) -> Result<Status, CliError> {
    let inputs = input::collect(&args.read.inputs, args.output.as_deref())
        .map_err(|e| CliError::from_input(COMMAND, e))?;
    let output_is_folder = args.output.as_deref().is_some_and(is_folder_spelling);
    let destination = Destination::choose(
        args.output.as_deref(),
        inputs.arg_count,
        inputs.has_folder,
        output_is_folder,
    );
    let mut sink = Sink::open(&destination, args.to)?;
    let total = inputs.items.len();
    let mut failed = 0usize;
    for item in &inputs.items {
        let converted = item.read().map_err(Failure::Read).and_then(|bytes| {
            convert_document(
                args.read.fhir_version,
                &bytes,
                args.read.from,
                args.to,
                args.read.lenient,
                args.compact,
            )
        });
        let outcome = match converted {
            Ok(text) => match sink.write(item, &text) {
                Ok(written) => written,
                Err(e) if is_closed_stdout(&e) => return Ok(status(failed)),
                Err(e) => return Err(e),
            },
            Err(failure) => Written::Failed(failure),
        };
        if let Written::Failed(failure) = outcome {
            failed += 1;
            eprintln!("{item}: {failure}");
        }
    }
    match sink.finish() {
        Err(e) if is_closed_stdout(&e) => return Ok(status(failed)),
        other => other?,
    }
    if total > 1 {
        eprintln!(
            "converted {} of {total} files ({failed} failed)",
            total - failed
        );
    }
    Ok(status(failed))
}

fn status(failed: usize) -> Status {
    if failed == 0 {
        Status::Success
    } else {
        Status::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_rules() {
        let out = Some(Path::new("out"));
        let folder = Destination::Folder(PathBuf::from("out"));
        assert_eq!(
            Destination::choose(None, 3, true, false),
            Destination::Stdout
        );
        assert_eq!(
            Destination::choose(out, 1, false, false),
            Destination::File(PathBuf::from("out"))
        );
        assert_eq!(Destination::choose(out, 1, false, true), folder);
        assert_eq!(Destination::choose(out, 2, false, false), folder);
        assert_eq!(Destination::choose(out, 1, true, false), folder);
    }

    #[test]
    fn trailing_separator_means_folder() {
        assert!(is_folder_spelling(Path::new("surely-not-existing-yet/")));
        assert!(!is_folder_spelling(Path::new(
            "surely-not-existing-yet.json"
        )));
    }

    fn convert(bytes: &[u8], from: Option<Format>, to: Format) -> Result<String, Failure> {
        convert_document(FhirVersion::default(), bytes, from, to, false, true)
    }

    #[test]
    fn parse_failure_names_line_column_and_element() {
        let bytes = br#"{"resourceType": "Patient", "bogus": 1}"#;
        let text = convert(bytes, None, Format::Json).unwrap_err().to_string();
        assert!(text.starts_with("line 1, column "), "{text}");
        assert!(text.contains("bogus"), "{text}");

        let bytes = b"<Patient xmlns=\"http://hl7.org/fhir\">\n  <bogus value=\"1\"/>\n</Patient>";
        let text = convert(bytes, None, Format::Json).unwrap_err().to_string();
        assert!(text.starts_with("line 2, column "), "{text}");
        assert!(text.contains("bogus"), "{text}");
    }

    #[test]
    fn compact_is_one_line() {
        let bytes = br#"{"resourceType": "Patient", "active": true}"#;
        let text = convert(bytes, None, Format::Json).unwrap();
        assert_eq!(text, "{\"resourceType\":\"Patient\",\"active\":true}\n");
    }

    #[test]
    fn json_to_xml_and_back() {
        let bytes = br#"{"resourceType": "Patient", "active": true}"#;
        let xml = convert(bytes, None, Format::Xml).unwrap();
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert!(xml.ends_with("</Patient>\n"), "{xml}");
        assert_eq!(xml.lines().count(), 1, "{xml}");
        let json = convert(xml.as_bytes(), None, Format::Json).unwrap();
        assert_eq!(json, "{\"resourceType\":\"Patient\",\"active\":true}\n");
    }

    #[test]
    fn forced_format_is_not_detected() {
        let bytes = br#"{"resourceType": "Patient"}"#;
        assert!(matches!(
            convert(bytes, Some(Format::Xml), Format::Json),
            Err(Failure::Parse(_))
        ));
    }
}
