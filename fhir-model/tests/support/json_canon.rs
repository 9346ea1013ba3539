//! A canonical JSON tree for comparing documents in conformance tests.
//!
//! FHIR round trips must be lossless, including the text of numbers (`1.50`
//! stays `1.50`: decimal precision is significant in FHIR). `serde_json::Value`
//! would turn numbers into f64, and its `arbitrary_precision` feature, which
//! keeps them, would be switched on for every crate of the workspace by Cargo's
//! feature unification. So this module parses JSON itself into a tree where
//!
//! - objects are `BTreeMap`s (member order is not significant),
//! - numbers are their exact source text (`1.5`, `1.50` and `15e-1` all differ),
//! - strings are unescaped (`"\u00e9"` equals `"é"`),
//! - arrays keep their order (it is significant),
//!
//! and [`diff`] reports the first difference between two trees with its path.

#![allow(clippy::indexing_slicing)]

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

/// A parsed JSON value in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Canon {
    Null,
    Bool(bool),
    /// Exactly as written in the source, validated against the JSON grammar.
    Number(String),
    String(String),
    Array(Vec<Canon>),
    Object(BTreeMap<String, Canon>),
}

impl Canon {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Canon> {
        match self {
            Canon::Object(members) => members.get(key),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Canon::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items of an array (none for anything else).
    pub fn items(&self) -> &[Canon] {
        match self {
            Canon::Array(items) => items,
            _ => &[],
        }
    }
}

/// Compact JSON text (numbers as their source text).
impl fmt::Display for Canon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Canon::Null => f.write_str("null"),
            Canon::Bool(b) => write!(f, "{b}"),
            Canon::Number(text) => f.write_str(text),
            Canon::String(s) => write_json_string(f, s),
            Canon::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_char(']')
            }
            Canon::Object(members) => {
                f.write_char('{')?;
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write_json_string(f, key)?;
                    write!(f, ":{value}")?;
                }
                f.write_char('}')
            }
        }
    }
}

fn write_json_string(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// Parses one JSON document (RFC 8259, UTF-8, no byte order mark).
///
/// Duplicate object keys are an error: FHIR forbids them, and a map would
/// silently keep only one of them.
pub fn parse(bytes: &[u8]) -> Result<Canon, String> {
    let mut parser = Parser { bytes, pos: 0 };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos != bytes.len() {
        return Err(parser.error("trailing characters after the JSON value"));
    }
    Ok(value)
}

/// Deeper nesting is refused instead of risking a stack overflow.
const MAX_DEPTH: usize = 512;

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> String {
        format!("{message} at byte {}", self.pos)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, text: &str, value: Canon) -> Result<Canon, String> {
        if self.bytes[self.pos..].starts_with(text.as_bytes()) {
            self.pos += text.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Canon, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'n') => self.literal("null", Canon::Null),
            Some(b't') => self.literal("true", Canon::Bool(true)),
            Some(b'f') => self.literal("false", Canon::Bool(false)),
            Some(b'"') => self.string().map(Canon::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Canon, String> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Canon::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Canon::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Canon, String> {
        self.pos += 1; // '{'
        let mut members = BTreeMap::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Canon::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key_pos = self.pos;
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            if members.contains_key(&key) {
                return Err(format!("duplicate key {key:?} at byte {key_pos}"));
            }
            members.insert(key, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Canon::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
    fn number(&mut self) -> Result<Canon, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number: no digit after '.'"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number: no digit in exponent"));
            }
            self.digits();
        }
        // Only ASCII bytes were consumed, so the conversion is lossless.
        Ok(Canon::Number(
            String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned(),
        ))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1; // '"'
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            let run = std::str::from_utf8(&self.bytes[run_start..self.pos]).map_err(|e| {
                format!(
                    "invalid UTF-8 in string at byte {}",
                    run_start + e.valid_up_to()
                )
            })?;
            out.push_str(run);
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated escape"))?;
                    self.pos += 1;
                    out.push(match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.error("invalid escape")),
                    });
                }
                Some(_) => return Err(self.error("unescaped control character in string")),
            }
        }
    }

    /// After `\u`: four hex digits; a UTF-16 surrogate pair becomes one character.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(self.error("lone leading surrogate"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("leading surrogate not followed by a trailing one"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone trailing surrogate")),
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid unicode escape"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("truncated unicode escape"))?;
        let mut code = 0;
        for &digit in digits {
            let value = char::from(digit)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid unicode escape"))?;
            code = code * 16 + value;
        }
        self.pos += 4;
        Ok(code)
    }
}

/// The first difference between `expected` and `actual`, as
/// `PATH: EXPECTED vs ACTUAL` (values as compact JSON, shortened; a member or
/// element present on one side only shows as `(absent)` on the other), or
/// `None` if they are equal. "First" means in key order, then array order.
pub fn diff(expected: &Canon, actual: &Canon) -> Option<String> {
    let mut path = String::from("$");
    diff_at(&mut path, Some(expected), Some(actual))
}

fn diff_at(path: &mut String, expected: Option<&Canon>, actual: Option<&Canon>) -> Option<String> {
    match (expected, actual) {
        (Some(Canon::Object(e)), Some(Canon::Object(a))) => {
            let keys: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
            for key in keys {
                let len = path.len();
                push_key(path, key);
                let found = diff_at(path, e.get(key), a.get(key));
                path.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        (Some(Canon::Array(e)), Some(Canon::Array(a))) => {
            for i in 0..e.len().max(a.len()) {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                let found = diff_at(path, e.get(i), a.get(i));
                path.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        (e, a) if e == a => None,
        (e, a) => Some(format!("{path}: {} vs {}", shorten(e), shorten(a))),
    }
}

/// `.key` for identifier-like keys (all FHIR element names), `["key"]` otherwise.
fn push_key(path: &mut String, key: &str) {
    let plain = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push('[');
        let _ = write_json_string(path, key);
        path.push(']');
    }
}

/// Values in messages are cut to this many characters.
const SHOWN_CHARS: usize = 80;

fn shorten(value: Option<&Canon>) -> String {
    let Some(value) = value else {
        return "(absent)".to_string();
    };
    let text = value.to_string();
    if text.chars().count() <= SHOWN_CHARS {
        text
    } else {
        let mut cut: String = text.chars().take(SHOWN_CHARS).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> Canon {
        parse(text.as_bytes()).unwrap()
    }

    fn differ(a: &str, b: &str) -> Option<String> {
        diff(&canon(a), &canon(b))
    }

    #[test]
    fn numbers_compare_by_their_text() {
        assert_eq!(differ("1.50", "1.50"), None);
        assert_eq!(differ("[1.50]", "[1.5]"), Some("$[0]: 1.50 vs 1.5".into()));
        for (a, b) in [
            ("1", "1.0"),
            ("100", "1e2"),
            ("1e2", "1E2"),
            ("0", "-0"),
            ("1e+2", "1e2"),
        ] {
            assert!(differ(a, b).is_some(), "{a} vs {b}");
        }
        // Beyond f64 precision, still exact.
        assert_eq!(
            differ(
                "12345678901234567890.123456789",
                "12345678901234567890.123456789"
            ),
            None
        );
        assert!(differ("12345678901234567890", "12345678901234567891").is_some());
        // A number is not the string of its text.
        assert_eq!(
            differ(r#"{"v":1.5}"#, r#"{"v":"1.5"}"#),
            Some(r#"$.v: 1.5 vs "1.5""#.into())
        );
    }

    #[test]
    fn key_order_is_irrelevant() {
        assert_eq!(
            differ(
                r#"{"a":1,"b":{"c":true,"d":null}}"#,
                r#"{"b":{"d":null,"c":true},"a":1}"#
            ),
            None
        );
    }

    #[test]
    fn array_order_is_relevant() {
        assert_eq!(differ("[1,2]", "[2,1]"), Some("$[0]: 1 vs 2".into()));
        assert_eq!(differ("[1]", "[1,2]"), Some("$[1]: (absent) vs 2".into()));
    }

    #[test]
    fn escapes_are_decoded_before_comparing() {
        assert_eq!(differ(r#""\u00e9\/\"""#, "\"é/\\\"\""), None);
        assert_eq!(canon(r#""\ud83d\ude00""#), Canon::String("😀".into()));
        assert_eq!(
            canon(r#""\b\f\n\r\t\\""#),
            Canon::String("\u{8}\u{c}\n\r\t\\".into())
        );
        assert_eq!(canon(r#"{"\u0061":1}"#), canon(r#"{"a":1}"#));
        assert!(differ(r#""a\nb""#, r#""a\\nb""#).is_some());
    }

    #[test]
    fn differences_are_reported_with_their_path() {
        let expected = r#"{"entry":[{"resource":{"valueQuantity":{"value":1.50}}}]}"#;
        let actual = r#"{"entry":[{"resource":{"valueQuantity":{"value":1.5}}}]}"#;
        assert_eq!(
            differ(expected, actual),
            Some("$.entry[0].resource.valueQuantity.value: 1.50 vs 1.5".into())
        );
        assert_eq!(
            differ(r#"{"a":1}"#, r#"{}"#),
            Some("$.a: 1 vs (absent)".into())
        );
        assert_eq!(
            differ(r#"{"_x":{}}"#, r#"{"_x":{"id":"1"}}"#),
            Some(r#"$._x.id: (absent) vs "1""#.into())
        );
        assert_eq!(
            differ(r#"{"a b":1}"#, r#"{"a b":2}"#),
            Some(r#"$["a b"]: 1 vs 2"#.into())
        );
        assert_eq!(differ("[]", "{}"), Some("$: [] vs {}".into()));
        // The first difference in key order wins.
        assert_eq!(
            differ(r#"{"b":1,"a":1}"#, r#"{"b":2,"a":2}"#),
            Some("$.a: 1 vs 2".into())
        );
    }

    #[test]
    fn long_values_are_shortened() {
        let long = format!("\"{}\"", "x".repeat(200));
        let message = differ(&long, "null").unwrap();
        assert!(message.ends_with("… vs null"), "{message}");
        assert!(message.chars().count() < 100, "{message}");
    }

    #[test]
    fn whitespace_is_insignificant_outside_strings() {
        assert_eq!(
            canon(" {\n\t\"a\" : [ 1 , 2 ] }\r\n"),
            canon(r#"{"a":[1,2]}"#)
        );
    }

    #[test]
    fn invalid_json_is_rejected() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "[,1]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            "01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "1e+",
            "NaN",
            "Infinity",
            "tru",
            "nulls",
            "1 2",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"a\tb\"",
            r#"{"a":1,"a":1}"#,
            "\u{feff}{}",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse(b"\"\xff\"").is_err());
        assert!(parse(b"\"\xc3\"").is_err());
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn display_is_compact_json_that_parses_back() {
        let value = canon(r#"{"b":[1.50,"x\"\n\u0001",null,false],"a":{}}"#);
        assert_eq!(
            value.to_string(),
            r#"{"a":{},"b":[1.50,"x\"\n\u0001",null,false]}"#
        );
        assert_eq!(canon(&value.to_string()), value);
    }
}
