//! FHIR JSON: serde-based reading and writing with FHIR's rules, plus entry
//! points that return a structured [`Error`] (element path, line, column).

pub mod de;
mod locate;
pub mod ser;
mod write;

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
    fn from_serde(e: &serde_json::Error, path: Option<String>) -> Self {
        // serde_json appends " at line L column C" to its message; keep it separately.
        let full = e.to_string();
        let message = match full.rfind(" at line ") {
            Some(i) if e.line() > 0 => full.get(..i).unwrap_or(&full).to_owned(),
            _ => full,
        };
        let message = syntax_message(&message).map_or(message, str::to_owned);
        // Messages raised by the reader start with the path; keep it apart.
        let path = path.filter(|p| !p.is_empty());
        let message = match &path {
            Some(p) => match message
                .strip_prefix(p.as_str())
                .and_then(|m| m.strip_prefix(": "))
            {
                Some(m) => m.to_owned(),
                None => message,
            },
            None => message,
        };
        Error {
            path,
            message,
            line: e.line(),
            column: e.column(),
        }
    }
}

/// serde_json's syntax errors, said with what was expected.
fn syntax_message(m: &str) -> Option<&'static str> {
    Some(match m {
        "EOF while parsing a value" => "unexpected end of input: expected a JSON value",
        "EOF while parsing an object" => "unexpected end of input: expected `,` and a property, or `}` closing the object",
        "EOF while parsing a list" => "unexpected end of input: expected `,` and a value, or `]` closing the array",
        "EOF while parsing a string" => "unexpected end of input inside a string: expected its closing `\"`",
        "expected ident" => "invalid literal: expected true, false or null",
        "expected value" => "expected a JSON value (object, array, string, number, true, false or null)",
        "expected `,` or `}`" => "expected `,` or `}` after a property value",
        "expected `,` or `]`" => "expected `,` or `]` after an array item",
        "key must be a string" => "expected a property name in double quotes",
        "trailing characters" => "unexpected characters after the end of the resource",
        "trailing comma" => "trailing comma: expected another property or item after `,`",
        _ => return None,
    })
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
    from_slice_with(s.as_bytes(), ReadOptions::default())
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
/// (`serde_json`'s `StrRead`): reading bytes, serde_json checks every string
/// again on its own, which cost about 9% of a typed parse of the official
/// examples. When the check fails at byte `k`, only the valid text before `k`
/// is read: that read stops at an earlier error, which is then the first
/// problem of the document, or at the end of the text, and the element it was
/// in is the path reported for the invalid bytes.
fn read_text<T: FromFhirJson>(bytes: &[u8], st: &mut de::DeState) -> Result<T, Error> {
    let (text, invalid_at) = match std::str::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
            (std::str::from_utf8(valid).unwrap_or_default(), Some(e.valid_up_to()))
        }
    };
    let mut d = serde_json::Deserializer::from_str(text);
    let r = T::read_json(&mut d, st).and_then(|v| d.end().map(|()| v));
    match (r, invalid_at) {
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(Error::from_serde(&e, st.error_path.take())),
        (Err(e), Some(_)) if !e.is_eof() => Err(Error::from_serde(&e, st.error_path.take())),
        (_, Some(at)) => {
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
    let mut out = Vec::new();
    write_to_vec(value, &mut out);
    out
}

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
