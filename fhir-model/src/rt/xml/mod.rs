//! FHIR XML: reading and writing every generated type, from the same field
//! tables as JSON (no per-type XML code).

mod attrs;
mod chars;
mod de;
mod locate;
mod names;
mod ser;
mod tokens;

pub use locate::locate;

use crate::rt::element::{Element, ResourceEnum};
pub(crate) use chars::{first_invalid, is_xml_char};
pub(crate) use de::{check_reference, MAX_SKIPPED_DEPTH};
pub(crate) use attrs::Attr;
pub(crate) use names::Scopes;
pub(crate) use tokens::Tokens;

pub(crate) const FHIR_NS: &[u8] = b"http://hl7.org/fhir";
pub(crate) const XHTML_NS: &[u8] = b"http://www.w3.org/1999/xhtml";
pub(crate) const XSI_NS: &[u8] = b"http://www.w3.org/2001/XMLSchema-instance";

/// Default of [`ReadOptions::max_depth`].
pub const DEFAULT_MAX_DEPTH: usize = crate::rt::json::de::DEFAULT_MAX_DEPTH;

/// Options of the XML reader.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Skip elements and attributes the definitions do not know instead of failing.
    pub ignore_unknown: bool,
    /// Maximum element nesting depth, counted as in JSON (the root is level
    /// 1; a resource wrapper such as `<contained>` and a primitive without
    /// id or extensions are no level of their own, as they are no JSON
    /// object). The default, 60, is JSON's: what one format reads, the
    /// other reads too. It is far above real resources (the official
    /// examples nest 13 elements at most) and far from exhausting a 2 MiB
    /// thread stack, reading, writing or dropping. Skipped content (unknown
    /// elements when lenient, narrative XHTML) is read without recursion and
    /// not limited.
    pub max_depth: usize,
    /// Accept child elements out of definition order (FHIR XML requires the
    /// order; some published examples, such as the FHIRPath test inputs, break it).
    pub any_order: bool,
    /// Maximum input size in bytes (default 64 MiB, as for JSON).
    pub max_input_size: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            ignore_unknown: false,
            max_depth: DEFAULT_MAX_DEPTH,
            any_order: false,
            max_input_size: crate::rt::json::de::DEFAULT_MAX_INPUT_SIZE,
        }
    }
}

impl ReadOptions {
    /// Ignore unknown elements and attributes.
    pub fn ignore_unknown(mut self, yes: bool) -> Self {
        self.ignore_unknown = yes;
        self
    }
    /// Accept child elements in any order.
    pub fn any_order(mut self, yes: bool) -> Self {
        self.any_order = yes;
        self
    }
    /// Sets the maximum nesting depth.
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }
    /// Sets the maximum input size in bytes.
    pub fn max_input_size(mut self, bytes: usize) -> Self {
        self.max_input_size = bytes;
        self
    }
}

/// A FHIR XML reading error: what, where in the resource, where in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Element path (`Patient.name[0].given[1]`), when known.
    pub path: Option<String>,
    /// What went wrong.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(p) = &self.path {
            write!(f, "{p}: ")?;
        }
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

impl std::error::Error for Error {}

/// A type that can be read from and written to FHIR XML on its own: every
/// generated struct and each version's `Resource` enum.
pub trait FhirXml: Sized {
    #[doc(hidden)]
    fn read_xml(input: &str, opts: ReadOptions) -> Result<Self, Error>;
    #[doc(hidden)]
    fn read_xml_recovering(input: &str, opts: ReadOptions) -> Recovered<Self>;
    #[doc(hidden)]
    fn xml_root(&self) -> (&dyn Element, &'static str);
}

/// What a recovering read found: the value, if the document could be read
/// at all, and every problem met on the way, each with path, line and column.
#[derive(Debug)]
pub struct Recovered<T> {
    /// `None` when the input is not well-formed XML, or not FHIR at all.
    pub value: Option<T>,
    /// Problems, in document order; when `value` is `None`, the last one is
    /// what ended the read.
    pub issues: Vec<Error>,
}

/// Reads FHIR XML, recording every problem that leaves the rest readable
/// (unknown elements and attributes, elements out of order or repeated,
/// invalid values, empty elements, stray text) instead of stopping at the
/// first; the offending parts are left out. What XML itself forbids
/// (malformed markup, DOCTYPE, characters XML does not allow) and the limits
/// still end the read. For validators: they report all problems of a
/// document at once. Bounded whatever the input: after
/// [`json::de::MAX_ISSUES`](crate::rt::json::de::MAX_ISSUES) problems
/// reading stops.
pub fn from_slice_recovering<T: FhirXml>(input: &[u8], opts: ReadOptions) -> Recovered<T> {
    if let Err(e) = de::check_size(input, &opts) {
        return Recovered { value: None, issues: vec![e] };
    }
    match std::str::from_utf8(input) {
        Ok(s) => T::read_xml_recovering(s, opts),
        Err(e) => {
            let (line, column) = de::line_col(input, e.valid_up_to());
            Recovered { value: None, issues: vec![Error { path: None, message: "invalid UTF-8".into(), line, column }] }
        }
    }
}

fn recovered<T>(mut reader: de::XmlReader<'_>, read: impl FnOnce(&mut de::XmlReader<'_>) -> Result<T, Error>) -> Recovered<T> {
    let result = read(&mut reader);
    let mut issues = reader.take_issues();
    match result {
        Ok(v) => Recovered { value: Some(v), issues },
        Err(e) => {
            issues.push(e);
            Recovered { value: None, issues }
        }
    }
}

#[doc(hidden)]
pub fn read_resource_recovering<R: ResourceEnum>(input: &str, opts: ReadOptions) -> Recovered<R> {
    recovered(de::XmlReader::recovering(input, opts), |r| r.read_resource_root())
}

#[doc(hidden)]
pub fn read_element_recovering<T: Element + Default>(input: &str, opts: ReadOptions) -> Recovered<T> {
    recovered(de::XmlReader::recovering(input, opts), |r| {
        let mut v = T::default();
        r.read_element_root(&mut v)?;
        Ok(v)
    })
}

#[doc(hidden)]
pub fn read_resource<R: ResourceEnum>(input: &str, opts: ReadOptions) -> Result<R, Error> {
    de::XmlReader::new(input, opts).read_resource_root()
}

#[doc(hidden)]
pub fn read_element<T: Element + Default>(input: &str, opts: ReadOptions) -> Result<T, Error> {
    let mut v = T::default();
    de::XmlReader::new(input, opts).read_element_root(&mut v)?;
    Ok(v)
}

/// Reads FHIR XML from a string.
pub fn from_str<T: FhirXml>(input: &str) -> Result<T, Error> {
    T::read_xml(input, ReadOptions::default())
}

/// Reads FHIR XML from a string with options.
pub fn from_str_with<T: FhirXml>(input: &str, opts: ReadOptions) -> Result<T, Error> {
    T::read_xml(input, opts)
}

/// Reads FHIR XML from bytes (UTF-8).
pub fn from_slice<T: FhirXml>(input: &[u8]) -> Result<T, Error> {
    from_slice_with(input, ReadOptions::default())
}

/// Reads FHIR XML from bytes (UTF-8) with options.
pub fn from_slice_with<T: FhirXml>(input: &[u8], opts: ReadOptions) -> Result<T, Error> {
    de::check_size(input, &opts)?;
    match std::str::from_utf8(input) {
        Ok(s) => T::read_xml(s, opts),
        Err(e) => {
            let (line, column) = de::line_col(input, e.valid_up_to());
            Err(Error { path: None, message: "invalid UTF-8".into(), line, column })
        }
    }
}

/// Reads FHIR XML from a reader (the whole input is read first, up to the
/// size limit).
pub fn from_reader<T: FhirXml, R: std::io::Read>(r: R) -> Result<T, Error> {
    use std::io::Read as _;
    let opts = ReadOptions::default();
    let mut buf = Vec::new();
    let limit = u64::try_from(opts.max_input_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    r.take(limit).read_to_end(&mut buf).map_err(|e| Error {
        path: None,
        message: format!("cannot read input: {e}"),
        line: 0,
        column: 0,
    })?;
    from_slice_with(&buf, opts)
}

/// Writes FHIR XML to a writer.
pub fn to_writer<T: FhirXml, W: std::io::Write>(value: &T, w: W) -> std::io::Result<()> {
    let (el, name) = value.xml_root();
    let mut x = ser::XmlWriter::new(w);
    x.write_document(el, name)?;
    x.into_inner().flush()
}

/// Writes FHIR XML into a byte vector.
pub fn to_vec<T: FhirXml>(value: &T) -> std::io::Result<Vec<u8>> {
    let (el, name) = value.xml_root();
    let mut x = ser::XmlWriter::new(Vec::with_capacity(4096));
    x.write_document(el, name)?;
    Ok(x.into_inner())
}

/// Writes FHIR XML into a string. Fails only for text XML 1.0 cannot carry
/// (control characters such as U+0001, which JSON strings may hold).
pub fn to_string<T: FhirXml>(value: &T) -> std::io::Result<String> {
    let v = to_vec(value)?;
    String::from_utf8(v).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
