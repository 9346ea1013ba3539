//! Our own JSON tokenizer: a serde `Deserializer` over UTF-8 text, behind
//! [`crate::json::from_slice`] and friends.
//!
//! Why not serde_json's: the reading driver (`de.rs`) is the same either
//! way, but the tokenizer decides how fast FHIR's pretty-printed JSON goes
//! by: runs of indentation are skipped eight bytes at a time, strings are
//! scanned for the three bytes that end a plain stretch (`"`, `\`, control
//! characters) a word of eight bytes first (most strings end there), then
//! by blocks of 32, escaped strings are decoded by 32-byte windows cut back
//! at each escape, and the raw text of a decimal is handed over borrowed
//! instead of boxed in a `RawValue`. The serde
//! path (`serde_json::from_slice::<Resource>`) keeps serde_json's tokenizer,
//! through the same driver.
//!
//! It accepts exactly the JSON serde_json accepts (RFC 8259, one value,
//! surrounding white space) and reports errors at the positions serde_json
//! reports them (columns counted in characters, where serde_json counts
//! bytes), worded as `json::Error` worded serde_json's errors before, so
//! the two paths read alike. Nesting is limited as in serde_json (128
//! objects and arrays while reading values; content skipped unread has no
//! limit, as it is skipped without recursion).

use std::fmt::{self, Display};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::rt::scan::{first_json_special, is_json_special, json_special_bits, json_special_mask, BLOCK};

/// The newtype name with which the driver asks for a value's raw text (a
/// decimal's exact digits, a property buffered before a late
/// `resourceType`): this reader answers with `visit_borrowed_bytes`; others
/// (serde_json) call `visit_newtype_struct`, and the driver reads a
/// `RawValue` from them.
pub(crate) const RAW_TOKEN: &str = "$fhir_model::json::raw";

/// Nesting of objects and arrays read as values (serde_json's limit).
const MAX_NESTING: usize = 128;

// The messages, worded as `json::Error` words serde_json's.
const EOF_VALUE: &str = "unexpected end of input: expected a JSON value";
const EOF_OBJECT: &str = "unexpected end of input: expected `,` and a property, or `}` closing the object";
const EOF_LIST: &str = "unexpected end of input: expected `,` and a value, or `]` closing the array";
const EOF_STRING: &str = "unexpected end of input inside a string: expected its closing `\"`";
const EXPECTED_IDENT: &str = "invalid literal: expected true, false or null";
const EXPECTED_VALUE: &str = "expected a JSON value (object, array, string, number, true, false or null)";
const EXPECTED_OBJECT_COMMA: &str = "expected `,` or `}` after a property value";
const EXPECTED_LIST_COMMA: &str = "expected `,` or `]` after an array item";
const EXPECTED_COLON: &str = "expected `:`";
const KEY_MUST_BE_STRING: &str = "expected a property name in double quotes";
const TRAILING_CHARACTERS: &str = "unexpected characters after the end of the resource";
const TRAILING_COMMA: &str = "trailing comma: expected another property or item after `,`";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const NUMBER_OUT_OF_RANGE: &str = "number out of range";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";
const END_OF_HEX_ESCAPE: &str = "unexpected end of hex escape";
const RECURSION_LIMIT: &str = "recursion limit exceeded";

/// An error of this reader: a syntax error (with where it was found) or one
/// raised by the driver (placed by [`Reader::index`] when it comes out).
#[derive(Debug)]
pub(crate) struct ReadError {
    pub(crate) message: String,
    /// Where, as serde_json counts: the error is reported at the character
    /// just before this byte index (the one last read).
    pub(crate) at: Option<usize>,
    /// The input ended too early.
    pub(crate) eof: bool,
}

impl Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: Display>(msg: T) -> Self {
        ReadError { message: msg.to_string(), at: None, eof: false }
    }
}

type Result<T> = std::result::Result<T, ReadError>;

/// Reads one JSON document from text (the caller has checked it is UTF-8:
/// `&str`).
#[derive(Debug)]
pub(crate) struct Reader<'de> {
    text: &'de str,
    i: usize,
    /// Objects and arrays that may still open.
    nest_left: usize,
    /// Strings with escapes are decoded here.
    scratch: String,
}

/// What an escaped string's buffer reserves at once (at most): 16 KiB,
/// room for nearly every narrative of the official examples.
const SCRATCH_RESERVE: usize = 16 << 10;

/// Eight spaces, as one word.
const SPACES: u64 = u64::from_le_bytes([b' '; 8]);

impl<'de> Reader<'de> {
    pub(crate) fn new(text: &'de str) -> Self {
        Reader { text, i: 0, nest_left: MAX_NESTING, scratch: String::new() }
    }

    /// The byte index reached (where an error without a place of its own
    /// is reported).
    pub(crate) fn index(&self) -> usize {
        self.i
    }

    /// After the document: only white space may follow.
    pub(crate) fn end(&mut self) -> Result<()> {
        match self.skip_ws() {
            Some(_) => Err(self.peek_error(TRAILING_CHARACTERS)),
            None => Ok(()),
        }
    }

    #[inline(always)]
    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.i).copied()
    }

    /// Skips white space; the next byte, if any (not consumed).
    #[inline(always)]
    fn skip_ws(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        loop {
            let b = *bytes.get(self.i)?;
            if b > b' ' || !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.i += 1;
            // Indentation (a new line, then spaces) eight bytes at a time:
            // the first byte that is not a space ends the run.
            while let Some(w) = bytes.get(self.i..).and_then(|r| r.first_chunk::<8>()) {
                let other = u64::from_le_bytes(*w) ^ SPACES;
                if other != 0 {
                    self.i += other.trailing_zeros() as usize / 8;
                    break;
                }
                self.i += 8;
            }
        }
    }

    /// An error at the byte last read.
    #[cold]
    fn error(&self, msg: &str) -> ReadError {
        ReadError { message: msg.to_owned(), at: Some(self.i), eof: false }
    }

    /// An error at the byte about to be read.
    #[cold]
    fn peek_error(&self, msg: &str) -> ReadError {
        let eof = self.i >= self.text.len();
        ReadError { message: msg.to_owned(), at: Some((self.i + 1).min(self.text.len())), eof }
    }

    /// An error at the end of the input.
    #[cold]
    fn eof_error(&self, msg: &str) -> ReadError {
        ReadError { message: msg.to_owned(), at: Some(self.text.len()), eof: true }
    }

    /// The place of an error raised by a visitor, unless it has one.
    #[cold]
    fn fix(&self, mut e: ReadError) -> ReadError {
        if e.at.is_none() {
            e.at = Some(self.i);
        }
        e
    }

    // -----------------------------------------------------------------------
    // Strings

    /// Reads a string whose opening quote was consumed: borrowed from the
    /// input when it has no escapes, else decoded into `scratch`.
    #[inline(always)]
    fn string(&mut self) -> Result<Str<'de>> {
        let start = self.i;
        self.i = plain_end(self.bytes(), self.i);
        match self.peek() {
            Some(b'"') => {
                let s = self.text.get(start..self.i).unwrap_or_default();
                self.i += 1;
                Ok(Str::Borrowed(s))
            }
            _ => self.string_slow(start),
        }
    }

    /// The rest of a string that has escapes (or is broken), decoded into
    /// `scratch`. Narratives are most of these: long, with a quote or a
    /// new line every few dozen bytes. So the text goes by windows of 32
    /// bytes copied whole and cut back at the first byte to look at, as the
    /// writer does: copying each stretch by its length cost a `memcpy` call
    /// per escape.
    #[cold]
    fn string_slow(&mut self, start: usize) -> Result<Str<'de>> {
        let mut out = std::mem::take(&mut self.scratch).into_bytes();
        out.clear();
        // Room for most narratives at once (the decoded text is no longer
        // than the rest of the input): the buffer, new for each document,
        // otherwise doubled its way up, copying, a dozen times in some.
        out.reserve(self.text.len().saturating_sub(start).min(SCRATCH_RESERVE));
        out.extend_from_slice(self.bytes().get(start..self.i).unwrap_or_default());
        let r = self.decode(&mut out);
        // The input is text and escapes add whole characters: this holds.
        self.scratch = String::from_utf8(out).unwrap_or_default();
        r.map(|()| Str::Scratch)
    }

    /// Decodes the rest of a string into `out`, through its closing quote.
    fn decode(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let bytes = self.bytes();
        loop {
            // Whole windows while they fit in the input; the byte that cuts
            // one short (found from the window's mask) is handled at once.
            while let Some(w) = bytes.get(self.i..).and_then(|r| r.first_chunk::<BLOCK>()) {
                let at = out.len();
                out.extend_from_slice(w);
                let mask = json_special_mask(w);
                if mask == 0 {
                    self.i += BLOCK;
                    continue;
                }
                let j = mask.trailing_zeros() as usize;
                out.truncate(at + j);
                self.i += j + 1;
                match w.get(j) {
                    Some(b'"') => return Ok(()),
                    Some(b'\\') => self.escape(out)?,
                    _ => return Err(self.error(CONTROL_CHARACTER)),
                }
            }
            let plain = self.i;
            self.i = plain_end(bytes, self.i);
            out.extend_from_slice(bytes.get(plain..self.i).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.i += 1;
                    self.escape(out)?;
                }
                Some(_) => {
                    self.i += 1;
                    return Err(self.error(CONTROL_CHARACTER));
                }
                None => return Err(self.eof_error(EOF_STRING)),
            }
        }
    }

    /// Skips a string whose opening quote was consumed, checking it.
    fn skip_string(&mut self) -> Result<()> {
        loop {
            self.i = plain_end(self.bytes(), self.i);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.i += 1;
                    let mut sink = Vec::new();
                    self.escape(&mut sink)?;
                }
                Some(_) => {
                    self.i += 1;
                    return Err(self.error(CONTROL_CHARACTER));
                }
                None => return Err(self.eof_error(EOF_STRING)),
            }
        }
    }

    /// Decodes the escape after a `\` into `out`.
    #[inline]
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let Some(c) = self.peek() else {
            return Err(self.eof_error(EOF_STRING));
        };
        self.i += 1;
        let b = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode_escape(out),
            _ => return Err(self.error(INVALID_ESCAPE)),
        };
        out.push(b);
        Ok(())
    }

    /// `\uXXXX`, with surrogate pairs.
    fn unicode_escape(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let n = self.hex4()?;
        let code = match n {
            0xDC00..=0xDFFF => return Err(self.error(LONE_SURROGATE)),
            0xD800..=0xDBFF => {
                match self.peek() {
                    Some(b'\\') => self.i += 1,
                    Some(_) => {
                        self.i += 1;
                        return Err(self.error(END_OF_HEX_ESCAPE));
                    }
                    None => return Err(self.eof_error(EOF_STRING)),
                }
                match self.peek() {
                    Some(b'u') => self.i += 1,
                    Some(_) => {
                        self.i += 1;
                        return Err(self.error(END_OF_HEX_ESCAPE));
                    }
                    None => return Err(self.eof_error(EOF_STRING)),
                }
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error(LONE_SURROGATE));
                }
                0x10000 + ((u32::from(n) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
            }
            n => u32::from(n),
        };
        match char::from_u32(code) {
            Some(ch) => {
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                Ok(())
            }
            None => Err(self.error("invalid unicode code point")),
        }
    }

    /// Four hex digits (an error after all four when one is not).
    fn hex4(&mut self) -> Result<u16> {
        let Some(digits) = self.bytes().get(self.i..).and_then(|r| r.first_chunk::<4>()) else {
            self.i = self.text.len();
            return Err(self.eof_error(EOF_STRING));
        };
        self.i += 4;
        let mut n: u16 = 0;
        for &c in digits {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(self.error(INVALID_ESCAPE)),
            };
            n = (n << 4) | u16::from(d);
        }
        Ok(n)
    }

    // -----------------------------------------------------------------------
    // Literals and numbers

    /// The rest of `true`, `false` or `null` after its first letter.
    fn ident(&mut self, rest: &[u8]) -> Result<()> {
        for &expected in rest {
            let Some(c) = self.peek() else {
                return Err(self.eof_error(EOF_VALUE));
            };
            self.i += 1;
            if c != expected {
                return Err(self.error(EXPECTED_IDENT));
            }
        }
        Ok(())
    }

    /// Reads a number (the `-`, if any, not yet consumed); checked as JSON
    /// grammar has it.
    fn number(&mut self) -> Result<Number> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        // Integer part: `0` or a non-zero digit and more digits.
        let Some(first) = self.peek() else {
            return Err(self.eof_error(EOF_VALUE));
        };
        self.i += 1;
        let mut significand: u64 = u64::from(first.wrapping_sub(b'0'));
        let mut overflow = false;
        match first {
            b'0' => {
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.peek_error(INVALID_NUMBER));
                }
            }
            b'1'..=b'9' => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    self.i += 1;
                    match significand.checked_mul(10).and_then(|s| s.checked_add(u64::from(d - b'0'))) {
                        Some(s) => significand = s,
                        None => overflow = true,
                    }
                }
            }
            _ => return Err(self.error(INVALID_NUMBER)),
        }
        let mut float = overflow;
        if self.peek() == Some(b'.') {
            float = true;
            self.i += 1;
            let digits = self.i;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
            if self.i == digits {
                return Err(match self.peek() {
                    Some(_) => self.peek_error(INVALID_NUMBER),
                    None => self.eof_error(EOF_VALUE),
                });
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let digits = self.text.get(start..self.i).unwrap_or_default();
            let zero = !digits.bytes().any(|b| matches!(b, b'1'..=b'9'));
            float = true;
            self.i += 1;
            let positive = match self.peek() {
                Some(b'+') => {
                    self.i += 1;
                    true
                }
                Some(b'-') => {
                    self.i += 1;
                    false
                }
                _ => true,
            };
            let Some(c) = self.peek() else {
                return Err(self.eof_error(EOF_VALUE));
            };
            self.i += 1;
            if !c.is_ascii_digit() {
                return Err(self.error(INVALID_NUMBER));
            }
            // An exponent past `i32` is out of range where serde_json finds
            // it so, unless the number is zero or tends to it.
            let mut exp = i32::from(c - b'0');
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.i += 1;
                match exp.checked_mul(10).and_then(|e| e.checked_add(i32::from(d - b'0'))) {
                    Some(e) => exp = e,
                    None if !zero && positive => return Err(self.error(NUMBER_OUT_OF_RANGE)),
                    None => {
                        while matches!(self.peek(), Some(b'0'..=b'9')) {
                            self.i += 1;
                        }
                        return Ok(Number::F64(if negative { -0.0 } else { 0.0 }));
                    }
                }
            }
        }
        if !float {
            if !negative {
                return Ok(Number::U64(significand));
            }
            // `-0` is a float in serde_json, and so here.
            if significand != 0 && significand <= 1 << 63 {
                return Ok(Number::I64((significand as i64).wrapping_neg()));
            }
        }
        let text = self.text.get(start..self.i).unwrap_or_default();
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Number::F64(f)),
            _ => Err(self.error(NUMBER_OUT_OF_RANGE)),
        }
    }

    // -----------------------------------------------------------------------
    // Skipping

    /// Skips one value (white space before it included), checking its
    /// syntax, without recursion: nesting is tracked in a bit stack.
    fn skip_value(&mut self) -> Result<()> {
        // One entry per open container: true for an object.
        let mut open: Vec<bool> = Vec::new();
        loop {
            // A value.
            let Some(b) = self.skip_ws() else {
                return Err(self.eof_error(EOF_VALUE));
            };
            match b {
                b'{' | b'[' => {
                    self.i += 1;
                    let object = b == b'{';
                    let close = if object { b'}' } else { b']' };
                    match self.skip_ws() {
                        Some(c) if c == close => self.i += 1,
                        Some(b'"') if object => {
                            open.push(true);
                            self.i += 1;
                            self.skip_string()?;
                            self.colon()?;
                            continue;
                        }
                        Some(_) if object => return Err(self.peek_error(KEY_MUST_BE_STRING)),
                        Some(_) => {
                            open.push(false);
                            continue;
                        }
                        None => return Err(self.eof_error(if object { EOF_OBJECT } else { EOF_LIST })),
                    }
                }
                b'"' => {
                    self.i += 1;
                    self.skip_string()?;
                }
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                }
                b't' => {
                    self.i += 1;
                    self.ident(b"rue")?;
                }
                b'f' => {
                    self.i += 1;
                    self.ident(b"alse")?;
                }
                b'n' => {
                    self.i += 1;
                    self.ident(b"ull")?;
                }
                _ => return Err(self.peek_error(EXPECTED_VALUE)),
            }
            // After a value: close containers, or go on to the next value.
            loop {
                let Some(&object) = open.last() else {
                    return Ok(());
                };
                let close = if object { b'}' } else { b']' };
                match self.skip_ws() {
                    Some(b',') => {
                        self.i += 1;
                        if object {
                            match self.skip_ws() {
                                Some(b'"') => {
                                    self.i += 1;
                                    self.skip_string()?;
                                    self.colon()?;
                                }
                                Some(b'}') => return Err(self.peek_error(TRAILING_COMMA)),
                                Some(_) => return Err(self.peek_error(KEY_MUST_BE_STRING)),
                                None => return Err(self.eof_error(EOF_VALUE)),
                            }
                        } else if self.skip_ws() == Some(b']') {
                            return Err(self.peek_error(TRAILING_COMMA));
                        }
                        break;
                    }
                    Some(c) if c == close => {
                        self.i += 1;
                        open.pop();
                    }
                    Some(_) => {
                        return Err(self.peek_error(if object { EXPECTED_OBJECT_COMMA } else { EXPECTED_LIST_COMMA }))
                    }
                    None => return Err(self.eof_error(if object { EOF_OBJECT } else { EOF_LIST })),
                }
            }
        }
    }

    /// The `:` after a property name.
    #[inline(always)]
    fn colon(&mut self) -> Result<()> {
        match self.skip_ws() {
            Some(b':') => {
                self.i += 1;
                Ok(())
            }
            Some(_) => Err(self.peek_error(EXPECTED_COLON)),
            None => Err(self.eof_error(EOF_OBJECT)),
        }
    }

    /// Reads an object or an array at its bracket: refused at the 128th
    /// level, as serde_json refuses it; then its content; then its end,
    /// looked for even after an error (which it does not replace), as
    /// serde_json does, so that the error's place is the same.
    #[inline(always)]
    fn container<T>(&mut self, content: impl FnOnce(&mut Self) -> Result<T>, end: fn(&mut Self) -> Result<()>) -> Result<T> {
        self.nest_left = self.nest_left.saturating_sub(1);
        if self.nest_left == 0 {
            return Err(self.peek_error(RECURSION_LIMIT));
        }
        self.i += 1;
        let v = content(self);
        self.nest_left += 1;
        let end = end(self);
        match (v, end) {
            (Ok(v), Ok(())) => Ok(v),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }

    fn end_map(&mut self) -> Result<()> {
        match self.skip_ws() {
            Some(b'}') => {
                self.i += 1;
                Ok(())
            }
            Some(b',') => Err(self.peek_error(TRAILING_COMMA)),
            Some(_) => Err(self.peek_error(TRAILING_CHARACTERS)),
            None => Err(self.eof_error(EOF_OBJECT)),
        }
    }

    fn end_seq(&mut self) -> Result<()> {
        match self.skip_ws() {
            Some(b']') => {
                self.i += 1;
                Ok(())
            }
            Some(b',') => {
                self.i += 1;
                match self.skip_ws() {
                    Some(b']') => Err(self.peek_error(TRAILING_COMMA)),
                    _ => Err(self.peek_error(TRAILING_CHARACTERS)),
                }
            }
            Some(_) => Err(self.peek_error(TRAILING_CHARACTERS)),
            None => Err(self.eof_error(EOF_LIST)),
        }
    }
}

/// Where the plain stretch of a string starting at `i` ends: the first `"`,
/// `\` or control character (or the end of the input). Most strings (keys,
/// codes, ids) end within their first eight bytes, tested as one word; long
/// ones go by blocks of 32 (`scan::first_json_special`, a few SIMD compares), then words,
/// then bytes for the input's last few.
#[inline(always)]
fn plain_end(bytes: &[u8], mut i: usize) -> usize {
    if let Some(w) = bytes.get(i..).and_then(|r| r.first_chunk::<8>()) {
        let bits = json_special_bits(u64::from_le_bytes(*w));
        if bits != 0 {
            return i + bits.trailing_zeros() as usize / 8;
        }
        i += 8;
        while let Some(w) = bytes.get(i..).and_then(|r| r.first_chunk::<BLOCK>()) {
            match first_json_special(w) {
                Some(j) => return i + j,
                None => i += BLOCK,
            }
        }
        while let Some(w) = bytes.get(i..).and_then(|r| r.first_chunk::<8>()) {
            let bits = json_special_bits(u64::from_le_bytes(*w));
            if bits != 0 {
                return i + bits.trailing_zeros() as usize / 8;
            }
            i += 8;
        }
    }
    while let Some(&b) = bytes.get(i) {
        if is_json_special(b) {
            return i;
        }
        i += 1;
    }
    i
}

/// A string read: borrowed from the input, or decoded in the scratch buffer.
enum Str<'de> {
    Borrowed(&'de str),
    Scratch,
}

enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl<'de> Deserializer<'de> for &mut Reader<'de> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let Some(b) = self.skip_ws() else {
            return Err(self.peek_error(EOF_VALUE));
        };
        let value = match b {
            b'"' => {
                self.i += 1;
                match self.string()? {
                    Str::Borrowed(s) => visitor.visit_borrowed_str(s),
                    Str::Scratch => visitor.visit_str(&self.scratch),
                }
            }
            b'{' => self.container(|r| visitor.visit_map(Map { r, first: true }), Reader::end_map),
            b'[' => self.container(|r| visitor.visit_seq(Seq { r, first: true }), Reader::end_seq),
            b'-' | b'0'..=b'9' => match self.number()? {
                Number::U64(n) => visitor.visit_u64(n),
                Number::I64(n) => visitor.visit_i64(n),
                Number::F64(n) => visitor.visit_f64(n),
            },
            b't' => {
                self.i += 1;
                self.ident(b"rue")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.i += 1;
                self.ident(b"alse")?;
                visitor.visit_bool(false)
            }
            b'n' => {
                self.i += 1;
                self.ident(b"ull")?;
                visitor.visit_unit()
            }
            _ => return Err(self.peek_error(EXPECTED_VALUE)),
        };
        value.map_err(|e| self.fix(e))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        if name == RAW_TOKEN {
            self.skip_ws();
            let start = self.i;
            self.skip_value()?;
            let raw = self.bytes().get(start..self.i).unwrap_or_default();
            return visitor.visit_borrowed_bytes(raw).map_err(|e| self.fix(e));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct seq tuple
        tuple_struct map struct enum identifier
    }
}

/// The properties of an object.
struct Map<'a, 'de> {
    r: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> MapAccess<'de> for Map<'_, 'de> {
    type Error = ReadError;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let r = &mut *self.r;
        let peek = match r.skip_ws() {
            Some(b'}') => return Ok(None),
            Some(b',') if !self.first => {
                r.i += 1;
                r.skip_ws()
            }
            Some(b) if self.first => {
                self.first = false;
                Some(b)
            }
            Some(_) => return Err(r.peek_error(EXPECTED_OBJECT_COMMA)),
            None => return Err(r.eof_error(EOF_OBJECT)),
        };
        match peek {
            Some(b'"') => {
                r.i += 1;
                seed.deserialize(Key { r }).map(Some)
            }
            Some(b'}') => Err(r.peek_error(TRAILING_COMMA)),
            Some(_) => Err(r.peek_error(KEY_MUST_BE_STRING)),
            None => Err(r.eof_error(EOF_VALUE)),
        }
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.r.colon()?;
        seed.deserialize(&mut *self.r)
    }
}

/// The items of an array.
struct Seq<'a, 'de> {
    r: &'a mut Reader<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Seq<'_, 'de> {
    type Error = ReadError;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let r = &mut *self.r;
        let Some(peek) = r.skip_ws() else {
            return Err(r.eof_error(EOF_LIST));
        };
        if peek == b']' {
            return Ok(None);
        }
        if self.first {
            self.first = false;
        } else if peek == b',' {
            r.i += 1;
            match r.skip_ws() {
                Some(b']') => return Err(r.peek_error(TRAILING_COMMA)),
                Some(_) => {}
                None => return Err(r.eof_error(EOF_VALUE)),
            }
        } else {
            return Err(r.peek_error(EXPECTED_LIST_COMMA));
        }
        seed.deserialize(&mut *r).map(Some)
    }
}

/// A property name (its opening quote consumed).
struct Key<'a, 'de> {
    r: &'a mut Reader<'de>,
}

impl<'de> Deserializer<'de> for Key<'_, 'de> {
    type Error = ReadError;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let s = self.r.string()?;
        let v = match s {
            Str::Borrowed(s) => visitor.visit_borrowed_str(s),
            Str::Scratch => visitor.visit_str(&self.r.scratch),
        };
        v.map_err(|e| self.r.fix(e))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Line and column of an error placed `at` a byte index, as serde_json
/// counts them (the character before the index), with the column in
/// characters rather than bytes.
pub(crate) fn position(text: &[u8], at: usize) -> (usize, usize) {
    let upto = text.get(..at.min(text.len())).unwrap_or_default();
    let start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + upto.iter().filter(|&&b| b == b'\n').count();
    let column = upto.get(start..).unwrap_or_default().iter().filter(|&&b| b & 0xC0 != 0x80).count();
    (line, column)
}

#[cfg(test)]
mod tests {
    //! This reader against serde_json's, value for value and error for
    //! error (message, line and column), over hand-picked documents, every
    //! truncation of some, and every one-byte change of others.

    use super::*;
    use serde::Deserialize;
    use serde_json::Value;

    type Outcome = std::result::Result<Value, (String, usize, usize)>;

    fn ours(text: &str) -> Outcome {
        let mut r = Reader::new(text);
        let v = Value::deserialize(&mut r).and_then(|v| r.end().map(|()| v));
        v.map_err(|e| {
            let (line, column) = position(text.as_bytes(), e.at.unwrap_or(r.index()));
            (e.message, line, column)
        })
    }

    /// serde_json's messages, worded as this reader words them, and its
    /// columns (in bytes) counted in characters, as this reader counts them.
    fn theirs(text: &str) -> Outcome {
        serde_json::from_str::<Value>(text).map_err(|e| {
            let full = e.to_string();
            let m = full.get(..full.rfind(" at line ").unwrap_or(full.len())).unwrap_or_default();
            let m = match m {
                "EOF while parsing a value" => EOF_VALUE,
                "EOF while parsing an object" => EOF_OBJECT,
                "EOF while parsing a list" => EOF_LIST,
                "EOF while parsing a string" => EOF_STRING,
                "expected ident" => EXPECTED_IDENT,
                "expected value" => EXPECTED_VALUE,
                "expected `,` or `}`" => EXPECTED_OBJECT_COMMA,
                "expected `,` or `]`" => EXPECTED_LIST_COMMA,
                "key must be a string" => KEY_MUST_BE_STRING,
                "trailing characters" => TRAILING_CHARACTERS,
                "trailing comma" => TRAILING_COMMA,
                other => other,
            };
            let start: usize = text.split_inclusive('\n').take(e.line().saturating_sub(1)).map(str::len).sum();
            let line = text.as_bytes().get(start..).unwrap_or_default();
            let column = line.iter().take(e.column()).filter(|&&b| b & 0xC0 != 0x80).count();
            (m.to_owned(), e.line(), column)
        })
    }

    fn same(text: &str) {
        let (a, b) = (ours(text), theirs(text));
        let alike = match (&a, &b) {
            (Ok(a), Ok(b)) => close(a, b),
            _ => a == b,
        };
        assert!(alike, "{text:?}:\n ours {a:?}\n serde_json {b:?}");
    }

    /// Equal, floating-point numbers within rounding: serde_json (without
    /// its `float_roundtrip` feature) may be one bit off the exact value.
    fn close(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(1.0));
                x == y || (x - y).abs() <= 1e-15 * x.abs().max(y.abs())
            }
            (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close(x, y)),
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|((k, x), (l, y))| k == l && close(x, y))
            }
            _ => a == b,
        }
    }

    const DOCS: &[&str] = &[
        r#"{"resourceType": "Patient", "id": "x", "active": true, "name": [{"given": ["A", "B"]}]}"#,
        "{\n  \"a\": [1, -2, 3.50, -0, 0.0, 1e5, 1E-2, 12345678901234567890, -9223372036854775808],\n  \"b\": null\n}",
        r#"{"s": "tab\t nl\n quote\" back\\ slash\/ \u00e9 \ud83d\ude00 \b\f\r end"}"#,
        r#"[[], {}, [[{"x": [false]}]], "", "a long plain string of more than thirty-two bytes, twice over: more than thirty-two bytes"]"#,
        "{\"div\": \"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">\\n  <p>\u{e9}t\u{e9} \\\"quoted\\\" text of some length</p>\\n</div>\"}",
    ];

    #[test]
    fn documents_read_as_serde_json_reads_them() {
        for doc in DOCS {
            same(doc);
        }
        for bad in [
            "", " ", "{", "[", "{\"a\"", "{\"a\":", "{\"a\":1,", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}",
            "{1:2}", "{,}", "[,1]", "tru", "nul", "falsy", "01", "-", "-x", "1.", "1.e3", "1e", "1e+", "1ex",
            "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\ud800\"", "\"\\ud800x\"", "\"\\ud800\\n\"", "\"\\ud800\\u0041\"",
            "\"\\udc00\"", "\"a\u{1}b\"", "\"abc", "{} x", "[] ,", "1e400", "-1e400", "{\"a\":1}}", "[1]]",
            "\u{feff}{}", "{\"a\":1 \"b\":2}", "[\"a\",\n  \"b\"\n  \"c\"]",
        ] {
            same(bad);
        }
    }

    #[test]
    fn every_truncation_fails_as_in_serde_json() {
        for doc in DOCS {
            for (end, _) in doc.char_indices() {
                same(doc.get(..end).unwrap_or_default());
            }
        }
    }

    #[test]
    fn every_one_byte_change_reads_as_in_serde_json() {
        for doc in DOCS.iter().take(4) {
            for (at, _) in doc.char_indices() {
                for c in ['"', '\\', ',', ':', '}', ']', '{', '[', ' ', 'x', '0', '-', '.', 'e', '\n', '\u{1}'] {
                    let mut changed = doc.get(..at).unwrap_or_default().to_owned();
                    changed.push(c);
                    let next = doc.get(at..).and_then(|r| r.chars().next()).map_or(0, char::len_utf8);
                    changed.push_str(doc.get(at + next..).unwrap_or_default());
                    same(&changed);
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused_where_serde_json_refuses_it() {
        for depth in [126, 127, 128, 129, 200] {
            same(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
            same(&format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)));
        }
    }

    #[test]
    fn strings_with_escapes_at_every_position() {
        for len in 0..80 {
            for at in 0..=len {
                let mut s: String = "a".repeat(len);
                s.insert_str(at, "\\n");
                let doc = format!("[\"{s}\", \"{}\"]", "\u{e9}".repeat(len % 7));
                same(&doc);
            }
        }
    }

    #[test]
    fn skipped_values_are_checked_and_unbounded_in_depth() {
        #[derive(Debug)]
        struct Skip;
        impl<'de> Deserialize<'de> for Skip {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                de::IgnoredAny::deserialize(d).map(|_| Skip)
            }
        }
        let skip = |t: &str| {
            let mut r = Reader::new(t);
            Skip::deserialize(&mut r).and_then(|_| r.end()).map_err(|e| e.message)
        };
        let deep = format!("{}1{}", "[{\"a\":".repeat(5000), "}]".repeat(5000));
        assert_eq!(skip(&deep), Ok(()));
        for doc in DOCS {
            assert_eq!(skip(doc), Ok(()), "{doc}");
        }
        assert_eq!(skip("[1,]"), Err(TRAILING_COMMA.to_owned()));
        assert_eq!(skip("{\"a\" 1}"), Err(EXPECTED_COLON.to_owned()));
        assert_eq!(skip("[\"\\q\"]"), Err(INVALID_ESCAPE.to_owned()));
        assert_eq!(skip("[1 2]"), Err(EXPECTED_LIST_COMMA.to_owned()));
    }
}
