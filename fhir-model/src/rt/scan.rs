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

/// The bytes of `block` that [`is_json_special`], as a mask: bit `k` for
/// byte `k`. The byte mask comes from a few SIMD compares, as in
/// [`block_any`]; each of its words (bytes of 0 or 1) is packed into eight
/// bits by one multiplication, which moves byte `j`'s bit to bit `56 + j`
/// (the partial products fall on distinct bits, so nothing carries). Where
/// [`first_json_special`] tests the block, then its words one by one, this
/// is branch-free: about 45 instructions for the block, and the first
/// special byte is the mask's lowest bit.
#[inline(always)]
pub(crate) fn json_special_mask(block: &[u8; BLOCK]) -> u32 {
    let mut marks = [0u8; BLOCK];
    for (m, &b) in marks.iter_mut().zip(block) {
        *m = u8::from(is_json_special(b));
    }
    marks.chunks_exact(8).enumerate().fold(0, |mask, (k, w)| {
        let w = <[u8; 8]>::try_from(w).map_or(0, u64::from_le_bytes);
        mask | ((w.wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32) << (8 * k)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_special_mask_marks_every_special_byte() {
        for seed in 0..3000u32 {
            let mut block = [b'a'; BLOCK];
            let mut want = 0u32;
            for (k, b) in block.iter_mut().enumerate() {
                let x = seed.wrapping_mul(2_654_435_761).rotate_left(k as u32) ^ (k as u32 * 7919);
                *b = [b'"', 0x1f, b'\\', 0xe9, b'a', 0x00, b' ', 0x7f, b'#'].get((x % 9) as usize).copied().unwrap_or(b'a');
                if is_json_special(*b) {
                    want |= 1 << k;
                }
            }
            assert_eq!(json_special_mask(&block), want);
            assert_eq!(first_json_special(&block), (want != 0).then(|| want.trailing_zeros() as usize));
        }
    }
}
