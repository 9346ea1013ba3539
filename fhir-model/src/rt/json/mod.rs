//! FHIR JSON: serde-based reading and writing with FHIR's rules, plus entry
//! points that return a structured [`Error`] (element path, line, column).

pub mod de;
mod locate;
mod reader;
pub mod ser;
pub(crate) mod write;

pub use locate::{locate, Locator};

pub use de::ReadOptions;

/// A FHIR JSON reading error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Element path where it happened (`Observation.component[1].valueQuantity.value`),
    /// when known.
    pub path: Option<String>,
    /// What went wrong (without the path).
    pub message: String,
    /// 1-based line of the input (0 when unknown).
    pub line: usize,
    /// 1-based column of the input (0 when unknown).
    pub column: usize,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(p) = &self.path {
            write!(f, "{p}: ")?;
        }
        f.write_str(&self.message)?;
        if self.line > 0 {
            write!(f, " at line {} column {}", self.line, self.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl Error {
    /// An error of our reader, `reached` the byte index it stopped at.
    fn from_read(e: reader::ReadError, path: Option<String>, text: &[u8], reached: usize) -> Self {
        let (line, column) = reader::position(text, e.at.unwrap_or(reached));
        // Messages raised by the reading driver start with the path; keep it apart.
        let path = path.filter(|p| !p.is_empty());
        let message = match &path {
            Some(p) => match e
                .message
                .strip_prefix(p.as_str())
                .and_then(|m| m.strip_prefix(": "))
            {
                Some(m) => m.to_owned(),
                None => e.message,
            },
            None => e.message,
        };
        Error {
            path,
            message,
            line,
            column,
        }
    }
}

/// A type that can be read from FHIR JSON on its own: every generated struct
/// and each version's `Resource` enum.
pub trait FromFhirJson: Sized {
    #[doc(hidden)]
    fn read_json<'de, D: serde::Deserializer<'de>>(
        d: D,
        st: &mut de::DeState,
    ) -> Result<Self, D::Error>;
}

/// Reads FHIR JSON from bytes with default options (unknown properties are errors).
pub fn from_slice<T: FromFhirJson>(bytes: &[u8]) -> Result<T, Error> {
    from_slice_with(bytes, ReadOptions::default())
}

/// Reads FHIR JSON from a string.
pub fn from_str<T: FromFhirJson>(s: &str) -> Result<T, Error> {
    let opts = ReadOptions::default();
    check_size(s.as_bytes(), &opts)?;
    read_str(s, &mut de::DeState::new(opts))
}

/// Reads FHIR JSON from bytes with the given options.
pub fn from_slice_with<T: FromFhirJson>(bytes: &[u8], opts: ReadOptions) -> Result<T, Error> {
    check_size(bytes, &opts)?;
    let mut st = de::DeState::new(opts);
    read_text(bytes, &mut st)
}

/// Reads `bytes` as one JSON document.
///
/// The input is checked to be UTF-8 once, as a whole, and then read as text
/// by our own tokenizer ([`reader`]), which needs no check per string. When
/// the check fails at byte `k`, only the valid text before `k` is read: that
/// read stops at an earlier error, which is then the first problem of the
/// document, or at the end of the text, and the element it was in is the
/// path reported for the invalid bytes.
fn read_text<T: FromFhirJson>(bytes: &[u8], st: &mut de::DeState) -> Result<T, Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => read_str(text, st),
        Err(e) => {
            let at = e.valid_up_to();
            let valid = bytes.get(..at).unwrap_or_default();
            let text = std::str::from_utf8(valid).unwrap_or_default();
            let mut r = reader::Reader::new(text);
            match T::read_json(&mut r, st) {
                Err(e) if !e.eof => Err(Error::from_read(e, st.error_path.take(), bytes, r.index())),
                _ => {
                    let (line, column) = locate::line_col(bytes, at);
                    Err(Error {
                        path: st.error_path.take().filter(|p| !p.is_empty()),
                        message: "invalid UTF-8".to_owned(),
                        line,
                        column,
                    })
                }
            }
        }
    }
}

/// Reads `text` as one JSON document.
fn read_str<T: FromFhirJson>(text: &str, st: &mut de::DeState) -> Result<T, Error> {
    let mut r = reader::Reader::new(text);
    let v = T::read_json(&mut r, st).and_then(|v| r.end().map(|()| v));
    v.map_err(|e| Error::from_read(e, st.error_path.take(), text.as_bytes(), r.index()))
}

/// A type that can be written as FHIR JSON on its own: every generated
/// struct and each version's `Resource` enum.
pub trait ToFhirJson {
    /// The value as a generic element, and its resource type when it is a
    /// resource (written as `resourceType`).
    #[doc(hidden)]
    fn json_root(&self) -> (&dyn crate::rt::Element, Option<&'static str>);
}

impl<T: ToFhirJson + ?Sized> ToFhirJson for &T {
    fn json_root(&self) -> (&dyn crate::rt::Element, Option<&'static str>) {
        (**self).json_root()
    }
}

impl<T: ToFhirJson + ?Sized> ToFhirJson for Box<T> {
    fn json_root(&self) -> (&dyn crate::rt::Element, Option<&'static str>) {
        (**self).json_root()
    }
}

/// Writes FHIR JSON (compact), appending to `out`.
///
/// This is the fast path: a direct writer over the field tables, faster than
/// going through serde (`serde_json::to_vec(&resource)`, which writes the
/// same bytes and stays available for frameworks); see BENCHMARKS.md.
pub fn write_to_vec<T: ToFhirJson + ?Sized>(value: &T, out: &mut Vec<u8>) {
    let (el, resource_type) = value.json_root();
    write::write_element(out, el, resource_type);
}

/// The input size limit, reported at the position where it is crossed.
fn check_size(bytes: &[u8], opts: &ReadOptions) -> Result<(), Error> {
    if bytes.len() <= opts.max_input_size {
        return Ok(());
    }
    let (line, column) = locate::line_col(bytes, opts.max_input_size);
    Err(Error {
        path: None,
        message: format!(
            "input of {} bytes is larger than the limit of {} bytes (ReadOptions::max_input_size)",
            bytes.len(),
            opts.max_input_size
        ),
        line,
        column,
    })
}

/// Writes FHIR JSON (compact).
pub fn to_vec<T: ToFhirJson + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(FIRST_CAPACITY);
    write_to_vec(value, &mut out);
    // The writer grows its output fourfold (fewer copies of a large
    // resource); the excess is given back in place, without a copy.
    out.shrink_to_fit();
    out
}

/// The first capacity of [`to_vec`]'s output: room for 5,050 of the 5,306 R4
/// examples (64 KiB or less as compact JSON), which then never reallocate.
/// Started empty, the output grew 1.5 KiB, 6 KiB, 24 KiB... with a copy at
/// each step (most of a small resource's bytes copied once or twice). The
/// unused rest is given back by `shrink_to_fit` without a copy (glibc
/// splits the block in place). It stays below glibc's initial mmap
/// threshold (128 KiB), above which each output would be a fresh mapping,
/// paid for in page faults. R4 `to_vec` against `Value` rose in each of five
/// alternating A/B pairs (BENCHMARKS.md, session 13; quiet: 2.383 and 2.474
/// before, 2.573 and 2.622 with it); a thread-kept buffer copied out was
/// slower.
const FIRST_CAPACITY: usize = 64 << 10;

/// Writes FHIR JSON (compact) as a string.
pub fn to_string<T: ToFhirJson + ?Sized>(value: &T) -> String {
    // The writer only copies valid UTF-8 (texts, static names, ASCII escapes
    // and numbers), so this conversion does not fail; an empty string would
    // only hide a bug, which the round-trip tests would catch.
    String::from_utf8(to_vec(value)).unwrap_or_default()
}

/// Writes FHIR JSON (compact) into an `io::Write`.
pub fn to_writer<W: std::io::Write, T: ToFhirJson + ?Sized>(
    mut w: W,
    value: &T,
) -> std::io::Result<()> {
    w.write_all(&to_vec(value))
}

/// Writes FHIR JSON, pretty-printed.
pub fn to_string_pretty<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// How many problems of a recovering read get a line and column (each is
/// found by scanning the text; the rest keep their path only).
pub const MAX_LOCATED: usize = 1_000;

/// What a recovering read found: the value, if the input could be read as a
/// resource at all, and every problem met on the way.
#[derive(Debug)]
pub struct Recovered<T> {
    /// `None` when the input is not JSON or not a resource at all.
    pub value: Option<T>,
    /// Problems, in input order, each with path, line and column.
    pub issues: Vec<Error>,
}

/// Reads FHIR JSON, recording every problem that leaves the rest readable
/// (unknown properties, wrong JSON types, invalid values, nulls, empty
/// objects and arrays, duplicates) instead of stopping at the first; the
/// offending values are left out. Syntax errors still end the read.
/// For validators: they report all problems of a document at once. Bounded
/// whatever the input: after [`de::MAX_ISSUES`] problems reading stops (with
/// an error saying so), and the first [`MAX_LOCATED`] get a line and column.
pub fn from_slice_recovering<T: FromFhirJson>(bytes: &[u8], opts: ReadOptions) -> Recovered<T> {
    if let Err(e) = check_size(bytes, &opts) {
        return Recovered {
            value: None,
            issues: vec![e],
        };
    }
    let mut st = de::DeState::new(opts);
    st.issues = Some(Vec::new());
    let r = read_text(bytes, &mut st);
    let mut locator = Locator::new(bytes);
    let mut issues: Vec<Error> = st
        .issues
        .take()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, (path, message))| {
            // Locating scans the text from the start: the first problems
            // only, so that time stays linear in the input.
            let (line, column) = if i < MAX_LOCATED { locator.locate(&path).unwrap_or((0, 0)) } else { (0, 0) };
            let path = (!path.is_empty()).then_some(path);
            Error {
                path,
                message,
                line,
                column,
            }
        })
        .collect();
    match r {
        Ok(v) => Recovered {
            value: Some(v),
            issues,
        },
        Err(e) => {
            issues.push(e);
            Recovered {
                value: None,
                issues,
            }
        }
    }
}
