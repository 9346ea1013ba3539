//! Turning `INPUT...` arguments into the ordered list of documents to read.
//!
//! Shared by every subcommand that reads resources (`convert`, `validate`,
//! `path` later) so they agree on what an input is:
//!
//! * a file: read as is, whatever its name;
//! * a folder: every file inside with one of the subcommand's extensions
//!   ([`EXTENSIONS`]: `*.json` and `*.xml`; `validate` adds `*.ndjson`),
//!   recursively, sorted by path so the order (and therefore the output and
//!   its error messages) is the same on every machine;
//! * `-`: standard input.
//!
//! Problems with a single input (a missing file, a folder that cannot be
//! listed) are *not* errors here: they become inputs that fail when read, so
//! they are reported in order and the other inputs are still processed.

use std::fmt;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// How standard input is spelled on the command line.
pub const STDIN_ARG: &str = "-";

/// How standard input is named in messages. Not `-`, which would read as a
/// typo in `-: line 1, column 2: ...`.
pub const STDIN_DISPLAY: &str = "<stdin>";

/// The file name standard input gets when outputs are written into a folder
/// (subcommands writing another format change the extension: `stdin.xml`).
pub const STDIN_FILE_NAME: &str = "stdin.json";

/// Where an input's bytes come from.
#[derive(Debug)]
pub enum Source {
    /// Standard input (`-`).
    Stdin,
    /// A file, either named on the command line or found in a folder. It may
    /// not exist: that is reported when it is read.
    File(PathBuf),
    /// A folder (or a folder entry) that could not be listed. Kept as an input
    /// so that it is reported in order and counts as a failure instead of
    /// aborting the whole run.
    Unlisted {
        /// The folder that could not be listed.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
}

/// One document to read.
#[derive(Debug)]
pub struct Input {
    /// Where the bytes come from.
    pub source: Source,
    /// The name of this input's output inside an output folder: the file name
    /// for files named on the command line, the path relative to the folder
    /// for files found in a folder (so `a/x.json` and `b/x.json` do not
    /// overwrite each other), [`STDIN_FILE_NAME`] for standard input. Always
    /// relative, so joining it to the output folder stays inside it.
    pub relative_name: PathBuf,
}

impl Input {
    /// Reads the whole input. Inputs are read one at a time and converted
    /// whole, so memory use is bounded by the largest single document.
    pub fn read(&self) -> io::Result<Vec<u8>> {
        match &self.source {
            Source::Stdin => {
                let mut bytes = Vec::new();
                io::stdin().lock().read_to_end(&mut bytes)?;
                Ok(bytes)
            }
            Source::File(path) => fs::read(path),
            // io::Error is not Clone; rebuild an equivalent one so reading
            // can stay `&self`.
            Source::Unlisted { error, .. } => Err(io::Error::new(error.kind(), error.to_string())),
        }
    }

    /// Opens the input for reading bit by bit (line by line for NDJSON),
    /// so that memory use does not grow with its size.
    pub fn open(&self) -> io::Result<Box<dyn BufRead>> {
        match &self.source {
            Source::Stdin => Ok(Box::new(io::stdin().lock())),
            Source::File(path) => Ok(Box::new(BufReader::new(fs::File::open(path)?))),
            Source::Unlisted { error, .. } => Err(io::Error::new(error.kind(), error.to_string())),
        }
    }

    /// Whether the input is a file whose name ends in `.ndjson` (any case):
    /// newline-delimited JSON, one resource per line (FHIR bulk data).
    pub fn is_ndjson(&self) -> bool {
        match &self.source {
            Source::File(path) => has_extension(path, &[NDJSON_EXTENSION]),
            Source::Stdin | Source::Unlisted { .. } => false,
        }
    }
}

/// Shows the input the way messages name it: its path, or `<stdin>`.
impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Stdin => f.write_str(STDIN_DISPLAY),
            Source::File(path) | Source::Unlisted { path, .. } => path.display().fmt(f),
        }
    }
}

/// The inputs of one command line, in order.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Every document to read: arguments in command-line order, each folder
    /// expanded in sorted order at its place.
    pub items: Vec<Input>,
    /// How many `INPUT` arguments there were (a folder counts once). Output
    /// layout depends on what the user typed, not on what folders contain.
    pub arg_count: usize,
    /// Whether any argument was a folder.
    pub has_folder: bool,
}

/// An `INPUT...` list that cannot be processed at all (a usage error, as
/// opposed to a problem with one input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Expands `INPUT...` arguments, taking the [`EXTENSIONS`] files of folders.
///
/// `exclude` is a folder not to descend into (the output folder, when it
/// exists inside an input folder), so that running the same command twice
/// does not pick up the first run's outputs as inputs. It is compared after
/// canonicalisation, so any spelling of the same folder matches.
pub fn collect(args: &[PathBuf], exclude: Option<&Path>) -> Result<Inputs, UsageError> {
    collect_with(args, exclude, &EXTENSIONS)
}

/// [`collect`], taking the files of folders whose extension (compared
/// case-insensitively, without the dot) is one of `extensions`.
pub fn collect_with(
    args: &[PathBuf],
    exclude: Option<&Path>,
    extensions: &[&str],
) -> Result<Inputs, UsageError> {
    let exclude = exclude.and_then(|p| fs::canonicalize(p).ok());
    let mut inputs = Inputs {
        arg_count: args.len(),
        ..Inputs::default()
    };
    let mut seen_stdin = false;
    for arg in args {
        if arg.as_os_str() == STDIN_ARG {
            // A second `-` would read an already exhausted stream and fail
            // confusingly; say so up front instead.
            if seen_stdin {
                return Err(UsageError(format!(
                    "`{STDIN_ARG}` (standard input) can be given only once"
                )));
            }
            seen_stdin = true;
            inputs.items.push(Input {
                source: Source::Stdin,
                relative_name: PathBuf::from(STDIN_FILE_NAME),
            });
        } else if arg.is_dir() {
            inputs.has_folder = true;
            let mut found = Vec::new();
            let filter = Filter {
                extensions,
                exclude: exclude.as_deref(),
            };
            walk(arg, Path::new(""), &filter, &mut found);
            found.sort_by(|a, b| a.relative_name.cmp(&b.relative_name));
            inputs.items.append(&mut found);
        } else {
            // Files, and paths that do not exist: the latter fail when read,
            // with the operating system's message.
            let relative_name = match arg.file_name() {
                Some(name) => PathBuf::from(name),
                // Only odd spellings such as `missing/..` get here, and those
                // cannot be read anyway; a fixed name keeps the output inside
                // the output folder whatever happens.
                None => PathBuf::from("input.json"),
            };
            inputs.items.push(Input {
                source: Source::File(arg.clone()),
                relative_name,
            });
        }
    }
    Ok(inputs)
}

/// The extensions of the files a folder input contributes by default.
pub const EXTENSIONS: [&str; 2] = ["json", "xml"];

/// The extension of newline-delimited JSON files (FHIR bulk data).
pub const NDJSON_EXTENSION: &str = "ndjson";

/// Whether `path` ends in one of `extensions`. Case-insensitive so that
/// `X.JSON` from case-insensitive file systems is not silently skipped.
fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Which folder entries [`walk`] takes.
struct Filter<'a> {
    /// Extensions of the files to take.
    extensions: &'a [&'a str],
    /// A folder not to descend into (canonical path).
    exclude: Option<&'a Path>,
}

/// Collects the files under `dir` (whose path relative to the folder
/// argument is `relative`) that `filter` takes. Symbolic links to files are
/// followed; symbolic links to folders are not, so a link cycle cannot loop
/// forever.
fn walk(dir: &Path, relative: &Path, filter: &Filter<'_>, out: &mut Vec<Input>) {
    let unlisted = |error| Input {
        source: Source::Unlisted {
            path: dir.to_owned(),
            error,
        },
        relative_name: relative.to_owned(),
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => return out.push(unlisted(error)),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                out.push(unlisted(error));
                continue;
            }
        };
        let path = entry.path();
        let relative_name = relative.join(entry.file_name());
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(error) => {
                out.push(Input {
                    source: Source::Unlisted { path, error },
                    relative_name,
                });
                continue;
            }
        };
        if file_type.is_dir() {
            let excluded = filter
                .exclude
                .is_some_and(|ex| fs::canonicalize(&path).is_ok_and(|p| p == ex));
            if !excluded {
                walk(&path, &relative_name, filter, out);
            }
        } else if has_extension(&path, filter.extensions)
            && (file_type.is_file() || (file_type.is_symlink() && path.is_file()))
        {
            out.push(Input {
                source: Source::File(path),
                relative_name,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("fhir-validate-input-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn folder_is_recursive_sorted_and_json_or_xml_only() {
        let dir = scratch("walk");
        fs::create_dir_all(dir.join("sub")).unwrap();
        for name in ["b.json", "a.JSON", "notes.txt", "sub/c.json", "b.XML"] {
            fs::write(dir.join(name), "{}").unwrap();
        }
        let inputs = collect(std::slice::from_ref(&dir), None).unwrap();
        let names: Vec<_> = inputs
            .items
            .iter()
            .map(|i| i.relative_name.clone())
            .collect();
        assert_eq!(
            names,
            [
                PathBuf::from("a.JSON"),
                "b.XML".into(),
                "b.json".into(),
                Path::new("sub").join("c.json")
            ]
        );
        assert!(inputs.has_folder);
        assert_eq!(inputs.arg_count, 1);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn extensions_can_be_chosen() {
        let dir = scratch("extensions");
        for name in ["a.json", "b.NDJSON", "c.xml", "d.txt"] {
            fs::write(dir.join(name), "{}").unwrap();
        }
        let default = collect(std::slice::from_ref(&dir), None).unwrap();
        assert_eq!(default.items.len(), 2);
        assert!(!default.items.iter().any(Input::is_ndjson));
        let inputs = collect_with(
            std::slice::from_ref(&dir),
            None,
            &["json", NDJSON_EXTENSION],
        )
        .unwrap();
        let names: Vec<_> = inputs
            .items
            .iter()
            .map(|i| i.relative_name.clone())
            .collect();
        assert_eq!(names, [PathBuf::from("a.json"), "b.NDJSON".into()]);
        let ndjson: Vec<_> = inputs.items.iter().map(Input::is_ndjson).collect();
        assert_eq!(ndjson, [false, true]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn excluded_folder_is_skipped() {
        let dir = scratch("exclude");
        fs::create_dir_all(dir.join("out")).unwrap();
        fs::write(dir.join("a.json"), "{}").unwrap();
        fs::write(dir.join("out/a.json"), "{}").unwrap();
        let inputs = collect(std::slice::from_ref(&dir), Some(&dir.join("out"))).unwrap();
        assert_eq!(inputs.items.len(), 1);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_file_is_an_input_that_fails_when_read() {
        let inputs = collect(&[PathBuf::from("does/not/exist.json")], None).unwrap();
        assert_eq!(inputs.items.len(), 1);
        assert_eq!(inputs.items[0].relative_name, PathBuf::from("exist.json"));
        assert_eq!(
            inputs.items[0].read().unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }

    #[test]
    fn stdin_only_once() {
        let dash = PathBuf::from(STDIN_ARG);
        let inputs = collect(std::slice::from_ref(&dash), None).unwrap();
        assert_eq!(inputs.items[0].to_string(), STDIN_DISPLAY);
        assert_eq!(
            inputs.items[0].relative_name,
            PathBuf::from(STDIN_FILE_NAME)
        );
        assert!(collect(&[dash.clone(), dash], None).is_err());
    }
}
