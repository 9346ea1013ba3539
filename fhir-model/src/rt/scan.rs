//! Byte scanning in fixed-size blocks, shared by the JSON and XML writers and
//! the XML character check: each asks "does any byte of these 32 need a
//! closer look?" and copies or skips the clean stretches whole.

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
