//! Which characters XML 1.0 allows, checked fast over whole documents.
//!
//! Every XML document read, every narrative div written, and every value
//! decoded from character references is checked, so this runs over every
//! byte of XML input and output: a per-`char` loop made up a fifth of all
//! reading time. Valid UTF-8 cannot encode surrogates, so in a `&str` the
//! only characters XML 1.0's `Char` production excludes are the C0 controls
//! but tab, newline and carriage return, and U+FFFE and U+FFFF, whose UTF-8
//! forms are `EF BF BE` and `EF BF BF`. The scan tests 32 bytes at a time
//! for a control byte or an `EF` lead byte (a test simple enough for the
//! compiler to vectorize) and looks closer only at blocks that have one.

use crate::rt::scan::{block_any, BLOCK};

/// XML 1.0's `Char` production.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The byte offset and value of the first character of `text` that XML 1.0
/// does not allow, if any.
pub(crate) fn first_invalid(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut base = 0;
    let mut blocks = bytes.chunks_exact(BLOCK);
    for block in &mut blocks {
        if let Ok(block) = <&[u8; BLOCK]>::try_from(block) {
            if block_any(block, is_suspect) {
                if let Some(found) = check_from(text, base, base + BLOCK) {
                    return Some(found);
                }
            }
        }
        base += BLOCK;
    }
    check_from(text, base, bytes.len())
}

/// A control byte other than tab, newline, carriage return, or a `EF` lead byte.
#[inline(always)]
fn is_suspect(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0xEF)
}

/// Checks the bytes `from..to` closely; a character starting there may run
/// past `to` (its continuation bytes are read from `text`).
fn check_from(text: &str, from: usize, to: usize) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    for i in from..to.min(bytes.len()) {
        let b = bytes.get(i).copied().unwrap_or(0);
        if !is_suspect(b) {
            continue;
        }
        // A suspect byte starts a character (controls are ASCII, EF a lead
        // byte), so `i` is a char boundary.
        let c = text.get(i..).and_then(|rest| rest.chars().next())?;
        if !is_xml_char(c) {
            return Some((i, c));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(text: &str) -> Option<(usize, char)> {
        text.char_indices().find(|&(_, c)| !is_xml_char(c))
    }

    #[test]
    fn agrees_with_the_char_by_char_check() {
        let fillers = [
            "",
            "a",
            "0123456789abcdefghijklmnopqrstu",
            "é😀\u{FFFD}\u{EFFF}\u{FFEF}\t\n\r",
        ];
        let bad = [
            '\u{0}', '\u{1}', '\u{8}', '\u{B}', '\u{1F}', '\u{FFFE}', '\u{FFFF}',
        ];
        let good = [
            '\t',
            '\n',
            '\r',
            ' ',
            '\u{7F}',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{FEFF}',
            '\u{10000}',
            '\u{10FFFF}',
        ];
        for pre in fillers {
            for post in fillers {
                for n in 0..40 {
                    let pad = "x".repeat(n);
                    for c in bad.iter().chain(&good) {
                        let text = format!("{pre}{pad}{c}{post}");
                        assert_eq!(first_invalid(&text), slow(&text), "{text:?}");
                    }
                }
            }
        }
    }
}
