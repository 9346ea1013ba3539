//! Byte scanning in fixed-size blocks, shared by the JSON reader and writer,
//! the XML writer and the XML character check: each asks "does any byte of
//! these 32 need a closer look?" and copies or skips the clean stretches
//! whole. The JSON tests (which bytes end a plain stretch of a string) are
//! here too, in words of eight bytes and blocks of 32.

/// Bytes tested at a time.
pub(crate) const BLOCK: usize = 32;

/// Whether any byte of `block` satisfies `flag`. Written with non-short-
/// circuit operators over a fixed-size block so that, for a `flag` made of
/// comparisons joined by `&` and `|`, it compiles to a few SIMD compares
/// (about one instruction per byte).
#[inline(always)]
pub(crate) fn block_any(block: &[u8; BLOCK], flag: impl Fn(u8) -> bool) -> bool {
    // A byte mask first, then its OR: this shape compiles to compares, ORs
    // and one `pmovmskb` (24 instructions on x86-64's SSE2 baseline). OR-ing
    // `u8::from(flag(b))` straight into one byte compiled to 36, with
    // unpacking shuffles.
    let mut marks = [0u8; BLOCK];
    for (m, &b) in marks.iter_mut().zip(block) {
        *m = if flag(b) { 0xff } else { 0 };
    }
    marks.iter().fold(0, |any, &m| any | m) != 0
}

/// [`block_any`] for the last stretch of a text, shorter than a block (and
/// for every short text: codes, ids, dates), padded with spaces, which no
/// caller's `flag` selects.
#[inline(always)]
pub(crate) fn tail_any(tail: &[u8], flag: impl Fn(u8) -> bool) -> bool {
    let mut padded = [b' '; BLOCK];
    if let Some(head) = padded.get_mut(..tail.len()) {
        head.copy_from_slice(tail);
    }
    !tail.is_empty() && block_any(&padded, flag)
}

/// The bytes of `w` (eight bytes, little-endian) that end a plain stretch of
/// a JSON string, as the high bit of each: control characters, `"` and `\`.
/// Exact for every byte: the sums below stay within each byte (at most
/// 0x7f + 0x7f), so no carry crosses into the next one, and the lowest set
/// bit is the first such byte.
#[inline(always)]
pub(crate) fn json_special_bits(w: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const fn splat(b: u8) -> u64 {
        0x0101_0101_0101_0101 * b as u64
    }
    // Below 0x20: neither the high bit nor the low seven bits + 0x60 reach 0x80.
    let control = !(((w & LOW7) + splat(0x60)) | w);
    // Zero bytes: neither the high bit nor the low seven bits + 0x7f reach 0x80.
    let zero = |x: u64| !(((x & LOW7) + LOW7) | x);
    (control | zero(w ^ splat(b'"')) | zero(w ^ splat(b'\\'))) & HIGH
}

/// Whether JSON escapes `b` in a string (and a reader must look at it):
/// a control character, `"` or `\\`.
#[inline(always)]
pub(crate) fn is_json_special(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// Where the first byte of `block` that [`is_json_special`] is, if any: the
/// marks of [`block_any`], then the first word of them that has one. Reading
/// the position from the marks costs a few instructions per word; testing
/// each word of the block again (8-byte SWAR) cost about 19, and this is
/// called once per escape in narrative text (1.81 M times over the R4
/// examples): 0.06 G fewer instructions.
#[inline(always)]
pub(crate) fn first_json_special(block: &[u8; BLOCK]) -> Option<usize> {
    let mut marks = [0u8; BLOCK];
    for (m, &b) in marks.iter_mut().zip(block) {
        *m = if is_json_special(b) { 0xff } else { 0 };
    }
    if marks.iter().fold(0, |any, &m| any | m) == 0 {
        return None;
    }
    marks.chunks_exact(8).enumerate().find_map(|(k, w)| {
        let bits = <[u8; 8]>::try_from(w).map_or(0, u64::from_le_bytes);
        (bits != 0).then(|| 8 * k + bits.trailing_zeros() as usize / 8)
    })
}
