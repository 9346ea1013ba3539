//! FHIR `base64Binary`, kept as its exact source text.
//!
//! The text is stored as read (line breaks and other whitespace included) so
//! that writing it back reproduces the source exactly, and so that large
//! attachments are not decoded unless someone asks for the bytes.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use ::base64::engine::general_purpose::STANDARD;
use ::base64::Engine as _;

use super::{JsonKind, PrimitiveValue};

/// A FHIR `base64Binary`: base64 text (RFC 4648 standard alphabet, with `=`
/// padding), exactly as read.
///
/// [`PrimitiveValue::from_lexical`] checks the shape that the FHIR regex
/// `(\s*([0-9a-zA-Z\+/=]){4}\s*)+` describes, a little more precisely and a
/// little more leniently:
/// - only `A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`, `=` and whitespace may occur;
/// - whitespace may occur anywhere (the regex only allows it between groups of
///   four, but wrapped base64 is common and harmless);
/// - the number of non-whitespace characters is a non-zero multiple of 4;
/// - `=` is padding: at most two, and only at the very end.
///
/// The empty string is rejected (the regex requires at least one group).
/// Text that passes these checks decodes with [`Base64Binary::decode`], except
/// when its last group has non-zero unused bits (`QR==` instead of `QQ==`),
/// which the strict decoder reports then.
///
/// Equality (`==`, `Hash`) compares the text, whitespace included.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Base64Binary(Box<str>);

/// The characters of `\s` in the FHIR (XML Schema / Java) regex dialect.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

fn is_alphabet(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// [`is_alphabet`] without short-circuits, for the vectorized fast path.
fn is_alphabet_flat(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26) | (b.wrapping_sub(b'0') < 10) | (b == b'+') | (b == b'/')
}

fn validate(s: &str) -> Result<(), String> {
    // Fast path, taken by nearly all real values: no whitespace, at most two
    // '=' at the end, a multiple of 4 characters. One pass without branches
    // per byte (it vectorizes); anything else takes the checking loop below,
    // which accepts the same texts and explains the others.
    let b = s.as_bytes();
    let body = b
        .strip_suffix(b"==")
        .or_else(|| b.strip_suffix(b"="))
        .unwrap_or(b);
    if !b.is_empty()
        && b.len() % 4 == 0
        && body.iter().fold(true, |ok, &c| ok & is_alphabet_flat(c))
    {
        return Ok(());
    }
    let err = |reason: String| format!("invalid base64Binary: {reason}");
    let mut count = 0usize;
    let mut padding = 0usize;
    for (i, b) in s.bytes().enumerate() {
        if is_space(b) {
            continue;
        }
        if b == b'=' {
            padding += 1;
            if padding > 2 {
                return Err(err(format!(
                    "too much '=' padding at position {i} (at most two '=' may end the text)"
                )));
            }
        } else if is_alphabet(b) {
            if padding > 0 {
                return Err(err(format!(
                    "'=' padding may only appear at the end, but data follows it at position {i}"
                )));
            }
        } else {
            let c = s
                .get(i..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or('\u{FFFD}');
            return Err(err(format!(
                "unexpected character {c:?} at position {i} (expected A-Z, a-z, 0-9, '+', '/', '=' or whitespace)"
            )));
        }
        count += 1;
    }
    if count == 0 {
        return Err(err(
            "empty value (at least one group of 4 base64 characters is required)".to_owned(),
        ));
    }
    if count % 4 != 0 {
        return Err(err(format!(
            "{count} base64 characters (not counting whitespace) is not a multiple of 4"
        )));
    }
    Ok(())
}

impl Base64Binary {
    /// The exact text, as read or built.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Decodes the bytes, skipping any whitespace in the text.
    ///
    /// Uses the strict standard decoder, so it fails only on what
    /// [`PrimitiveValue::from_lexical`] lets through: non-zero unused bits in
    /// the last group.
    pub fn decode(&self) -> Result<Vec<u8>, String> {
        let text = self.0.as_bytes();
        let result = if text.iter().copied().any(is_space) {
            let compact: Vec<u8> = text.iter().copied().filter(|b| !is_space(*b)).collect();
            STANDARD.decode(compact)
        } else {
            STANDARD.decode(text)
        };
        result.map_err(|e| format!("base64Binary cannot be decoded: {e}"))
    }

    /// Encodes bytes as standard, padded base64 without line breaks.
    ///
    /// Empty input gives empty text, which has no valid FHIR form: FHIR JSON
    /// and XML do not allow an empty value, so leave such an element out (or
    /// give it only an `id` or extensions) rather than writing this value.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(STANDARD.encode(bytes).into_boxed_str())
    }
}

impl FromStr for Base64Binary {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::from_lexical(s)
    }
}

impl fmt::Display for Base64Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PrimitiveValue for Base64Binary {
    const JSON_KIND: JsonKind = JsonKind::String;

    fn from_lexical(s: &str) -> Result<Self, String> {
        validate(s)?;
        Ok(Self(s.into()))
    }

    fn to_lexical(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::super::JsonScalar;
    use super::*;

    fn b64(s: &str) -> Base64Binary {
        Base64Binary::from_lexical(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn round_trip_keeps_text() {
        for s in [
            "SGVsbG8=",
            "SGVs\nbG8h",
            "  QQ==  ",
            "QUJD\r\nREVG\r\n",
            "abc=",
            "ab==",
            "+/+/",
        ] {
            assert_eq!(b64(s).to_lexical(), s);
            assert_eq!(b64(s).to_string(), s);
        }
    }

    #[test]
    fn decode_and_encode() {
        assert_eq!(b64("SGVsbG8=").decode(), Ok(b"Hello".to_vec()));
        assert_eq!(b64("SGVs\n bG8h").decode(), Ok(b"Hello!".to_vec()));
        assert_eq!(b64("abc=").decode(), Ok(vec![0x69, 0xb7]));
        let e = Base64Binary::from_bytes(b"Hello");
        assert_eq!(e.as_str(), "SGVsbG8=");
        assert_eq!(e.decode(), Ok(b"Hello".to_vec()));
        let all: Vec<u8> = (0..=255u8).collect();
        let e = Base64Binary::from_bytes(&all);
        assert_eq!(Base64Binary::from_lexical(e.as_str()).as_ref(), Ok(&e));
        assert_eq!(e.decode(), Ok(all));
        assert_eq!(Base64Binary::from_bytes(b"").as_str(), "");
    }

    #[test]
    fn trailing_bits_reported_by_decode() {
        let v = b64("QR==");
        assert!(v.decode().is_err());
    }

    #[test]
    fn rejects_invalid() {
        for s in [
            "",
            "   ",
            "abc",
            "ab=c",
            "a===",
            "====",
            "ab==cd==",
            "SGVsbG8",
            "SGVs bG8!",
            "SGVsbG8=\u{e9}",
            "a-b_",
        ] {
            assert!(
                Base64Binary::from_lexical(s).is_err(),
                "{s:?} should be rejected"
            );
        }
        assert_eq!(
            Base64Binary::from_lexical(""),
            Err("invalid base64Binary: empty value (at least one group of 4 base64 characters is required)".to_owned())
        );
        assert_eq!(
            Base64Binary::from_lexical("ab=c"),
            Err("invalid base64Binary: '=' padding may only appear at the end, but data follows it at position 3".to_owned())
        );
        let e = Base64Binary::from_lexical("abc").expect_err("length");
        assert!(e.contains("not a multiple of 4"), "{e}");
    }

    #[test]
    fn json() {
        assert_eq!(Base64Binary::JSON_KIND, JsonKind::String);
        assert_eq!(
            Base64Binary::from_json(JsonScalar::Str("QQ==")),
            Ok(b64("QQ=="))
        );
        assert!(Base64Binary::from_json(JsonScalar::Int(1)).is_err());
    }
}
