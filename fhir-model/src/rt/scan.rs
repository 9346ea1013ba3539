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
    let mut any = 0u8;
    for &b in block {
        any |= u8::from(flag(b));
    }
    any != 0
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
