//! The two FHIR serialization formats, telling them apart by content, and
//! reading or writing a resource in either.
//!
//! Both formats are read into the same typed resource, so converting is
//! reading in one and writing in the other. Reading errors of both formats
//! become one [`ReadError`] (element path, message, line, column), so every
//! subcommand reports them the same way whatever the input format.

use std::fmt;

use clap::ValueEnum;
use fhir_model::{json, xml};

use crate::version::Resource;

/// A FHIR serialization format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// FHIR JSON.
    Json,
    /// FHIR XML.
    Xml,
}

impl Format {
    /// The file extension of this format, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
        }
    }

    /// The name of this format in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Xml => "XML",
        }
    }

    /// Checks that `bytes`, forced to be read in this format, do not
    /// plainly start as the other one. The readers would reject them too,
    /// but not always where the problem is (the XML reader reports a JSON
    /// document as a missing root element at its end); this says it at the
    /// first character. Content that is neither is left to the reader.
    pub fn check(self, bytes: &[u8]) -> Result<(), ReadError> {
        match Format::detect(bytes) {
            Ok(found) if found != self => {
                let (line, column) = first_char_position(bytes);
                Err(ReadError {
                    path: None,
                    message: format!(
                        "not FHIR {} (as --from {} requires): this looks like {}",
                        self.name(),
                        self.extension(),
                        found.name()
                    ),
                    line,
                    column,
                })
            }
            _ => Ok(()),
        }
    }

    /// Which format `bytes` are in, from their first character that is not
    /// whitespace (after an optional UTF-8 byte order mark): `<` is XML, `{`
    /// is JSON. Anything else is an error located at that character.
    pub fn detect(bytes: &[u8]) -> Result<Format, ReadError> {
        let rest = skip_bom(bytes);
        let Some(offset) = rest.iter().position(|b| !b.is_ascii_whitespace()) else {
            return Err(ReadError {
                path: None,
                message: "empty input: expected FHIR JSON or XML".to_owned(),
                line: 0,
                column: 0,
            });
        };
        match rest.get(offset) {
            Some(b'<') => Ok(Format::Xml),
            Some(b'{') => Ok(Format::Json),
            _ => {
                let (line, column) = first_char_position(bytes);
                let first = String::from_utf8_lossy(rest.get(offset..).unwrap_or_default())
                    .chars()
                    .next()
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                Err(ReadError {
                    path: None,
                    message: format!(
                        "neither FHIR JSON nor XML: starts with {first:?}, expected '{{' (JSON) \
                         or '<' (XML); --from forces a format"
                    ),
                    line,
                    column,
                })
            }
        }
    }

    /// Reads one resource of type `R` in this format. `lenient` ignores
    /// elements and properties FHIR does not define instead of failing. A
    /// leading UTF-8 byte order mark is allowed in both formats.
    pub fn read<R: Resource>(self, bytes: &[u8], lenient: bool) -> Result<R, ReadError> {
        match self {
            Format::Json => {
                // serde_json refuses a byte order mark, which some Windows
                // tools write; JSON readers may ignore it (RFC 8259), and
                // editors do not count it in columns either.
                let opts = json::ReadOptions::default().ignore_unknown(lenient);
                json::from_slice_with(skip_bom(bytes), opts).map_err(ReadError::from)
            }
            // The XML reader skips a byte order mark itself.
            Format::Xml => {
                let opts = xml::ReadOptions::default().ignore_unknown(lenient);
                xml::from_slice_with(bytes, opts).map_err(ReadError::from)
            }
        }
    }

    /// Writes `resource` in this format, followed by a newline so that
    /// documents written one after the other are separated. `compact`
    /// writes JSON on one line; XML is always written on one line (after its
    /// XML declaration).
    pub fn write<R: Resource>(self, resource: &R, compact: bool) -> Result<String, WriteError> {
        let mut text = match self {
            Format::Json => {
                let text = if compact {
                    json::to_string(resource)
                } else {
                    json::to_string_pretty(resource)
                };
                // fhir-model signals a serialization failure with an empty
                // string; a resource always has at least `{"resourceType":..}`.
                if text.is_empty() {
                    return Err(WriteError {
                        format: self,
                        reason: None,
                    });
                }
                text
            }
            Format::Xml => xml::to_string(resource).map_err(|e| WriteError {
                format: self,
                reason: Some(e.to_string()),
            })?,
        };
        text.push('\n');
        Ok(text)
    }
}

/// The UTF-8 byte order mark some editors put at the start of files.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading UTF-8 byte order mark.
pub fn skip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// The 1-based line and column (counted in bytes, all whitespace being
/// ASCII) of the first character that is not whitespace, after a byte order
/// mark; just after the end if there is none.
fn first_char_position(bytes: &[u8]) -> (usize, usize) {
    let rest = skip_bom(bytes);
    let offset = rest
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    let prefix = rest.get(..offset).unwrap_or_default();
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

/// A document that is not a valid FHIR resource, in either format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// Element path (`Observation.component[1].valueQuantity.value`), when known.
    pub path: Option<String>,
    /// What is wrong, without the path.
    pub message: String,
    /// 1-based line of the input; 0 when unknown.
    pub line: usize,
    /// 1-based column of the input; 0 when unknown.
    pub column: usize,
}

impl From<json::Error> for ReadError {
    fn from(e: json::Error) -> Self {
        ReadError {
            path: e.path,
            message: e.message,
            line: e.line,
            column: e.column,
        }
    }
}

impl From<xml::Error> for ReadError {
    fn from(e: xml::Error) -> Self {
        ReadError {
            path: e.path,
            message: e.message,
            line: e.line,
            column: e.column,
        }
    }
}

/// `line L, column C: PATH: MESSAGE`, leaving out what is unknown.
impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}: ", self.line, self.column)?;
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

/// A resource that was read but cannot be written in the output format (a
/// JSON string holding a control character that XML 1.0 cannot carry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteError {
    /// The output format.
    pub format: Format,
    /// Why, when the writer says.
    pub reason: Option<String>,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot be written as {}", self.format.name())?;
        if let Some(reason) = &self.reason {
            write!(f, ": {reason}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WriteError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "r4")]
    #[test]
    fn byte_order_mark_is_allowed_in_both_formats() {
        use fhir_model::r4::Resource;
        let json = b"\xEF\xBB\xBF{\"resourceType\":\"Patient\",\"active\":true}";
        let xml = b"\xEF\xBB\xBF<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\"/></Patient>";
        let a: Resource = Format::Json.read(json, false).unwrap();
        let b: Resource = Format::Xml.read(xml, false).unwrap();
        assert_eq!(
            Format::Json.write(&a, true).unwrap(),
            Format::Json.write(&b, true).unwrap()
        );
    }

    #[test]
    fn detects_by_first_non_whitespace_byte() {
        assert_eq!(Format::detect(b"  \n<Patient/>").unwrap(), Format::Xml);
        assert_eq!(Format::detect(b"\xEF\xBB\xBF<?xml?>").unwrap(), Format::Xml);
        assert_eq!(Format::detect(b"\xEF\xBB\xBF {}").unwrap(), Format::Json);
        assert_eq!(Format::detect(b"\t{}").unwrap(), Format::Json);
        let e = Format::detect(b"\n  [1]").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("'['"), "{}", e.message);
        let e = Format::Xml.check(b" {}").unwrap_err();
        assert_eq!((e.line, e.column), (1, 2));
        assert!(Format::Json.check(b"{}").is_ok());
        assert!(Format::Json.check(b"[]").is_ok(), "left to the reader");
        let e = Format::detect(b" \n ").unwrap_err();
        assert_eq!(e.to_string(), "empty input: expected FHIR JSON or XML");
    }
}
