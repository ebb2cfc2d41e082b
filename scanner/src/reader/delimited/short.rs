//! The searches that place a cell the filtered reader hands over: its bounds around a
//! match end, the line break and delimiters between it and the cell before, rows
//! counted between the two. These look at a few dozen bytes each, once or twice per
//! cell, where `memchr`'s routines cost more in dispatch and setup than in searching,
//! and a loop testing one byte at a time for three values is slow too. So the first
//! [`SHORT`] bytes are compared [`LANES`] at a time, each chunk's separators found as
//! the bits of two masks, and only what lies further goes to `memchr`, whose vector
//! loops then pay for themselves. On x86-64 a chunk is one SSE2 register (16 bytes in
//! four instructions); elsewhere two `u64` words compared lane by lane (SWAR: a byte
//! equal to the one looked for sets its high bit in a mask, no other does). With the
//! whole catalogue, where the bench CSV hands over two cells a row, SSE2 took the
//! managed-all scan from 1.31 to 1.23 s.
//!
//! [`nth_delimiter`] is the exception: it walks whole records to reach one column's
//! cells, and stays on chunks throughout.

/// The bytes compared a chunk at a time before handing over to `memchr`: enough for the
/// gap between two cells of an ordinary table, or from a match's end to its cell's.
pub(super) const SHORT: usize = 64;

/// The bytes compared at once: an SSE2 register's, or two words'.
const LANES: usize = 16;

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = ONES << 7;

/// The high bit of each byte of `word` equal to `byte`, and no other bit. Exact: the
/// sum adds 0x7f to the low seven bits of each byte alone, so no carry crosses a byte.
fn equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    !(((x & LOW_SEVEN) + LOW_SEVEN) | x | LOW_SEVEN)
}

/// How many bytes a mask of [`equal`] marks. The bits it may hold are the bytes' high
/// bits alone, so shifted down they are bytes of 0 or 1, which the multiplication sums
/// into the top byte; `count_ones` would be a dozen instructions on CPUs that the
/// default target does not assume have `popcnt`.
fn marked(mask: u64) -> usize {
    ((mask >> 7).wrapping_mul(ONES) >> 56) as usize
}

/// Up to eight bytes as a little-endian word (byte `i` in bits `8 * i..`), with the
/// high bits of the bytes it holds, to clear what the zero padding of a short chunk
/// would match.
fn load(chunk: &[u8]) -> (u64, u64) {
    match <[u8; 8]>::try_from(chunk) {
        Ok(bytes) => (u64::from_le_bytes(bytes), HIGH),
        Err(_) => {
            let word = chunk
                .iter()
                .enumerate()
                .fold(0, |word, (i, &b)| word | u64::from(b) << (8 * i));
            let held = (1u64 << (8 * chunk.len())) - 1;
            (word, held & HIGH)
        }
    }
}

/// What ends a cell in a stretch of quote-free records: the delimiter, LF, and CR
/// unless the stretch is known to hold none, which spares a comparison per word in
/// tables written with LF alone.
#[derive(Debug, Clone, Copy)]
pub(super) struct Separators {
    pub(super) delimiter: u8,
    /// Whether the bytes searched may hold a CR.
    pub(super) carriage_returns: bool,
}

impl Separators {
    /// The line breaks and the delimiters of a word of which `held` are bytes.
    fn in_word(self, word: u64, held: u64) -> (u64, u64) {
        let mut breaks = equal(word, b'\n');
        if self.carriage_returns {
            breaks |= equal(word, b'\r');
        }
        (breaks & held, equal(word, self.delimiter) & held)
    }

    /// The line breaks and the delimiters of up to [`LANES`] bytes, bit `i` for
    /// `chunk[i]` (none for the bytes past a short chunk's end).
    #[inline]
    fn in_chunk(self, chunk: &[u8]) -> (u32, u32) {
        match <&[u8; LANES]>::try_from(chunk) {
            Ok(lanes) => self.in_lanes(lanes),
            Err(_) => {
                let mut lanes = [0; LANES];
                lanes[..chunk.len()].copy_from_slice(chunk);
                let held = (1 << chunk.len()) - 1;
                let (breaks, delims) = self.in_lanes(&lanes);
                (breaks & held, delims & held)
            }
        }
    }

    #[inline]
    fn in_lanes(self, lanes: &[u8; LANES]) -> (u32, u32) {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        return sse2::in_lanes(lanes, self);
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        return self.in_lanes_portable(lanes);
    }

    /// [`in_lanes`](Self::in_lanes) without SSE2: two words' comparisons, their high
    /// bits gathered into one bit a byte. Compiled everywhere, to be tested against
    /// the SSE2 version where that one runs.
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2", not(test)),
        allow(dead_code)
    )]
    fn in_lanes_portable(self, lanes: &[u8; LANES]) -> (u32, u32) {
        let (mut breaks, mut delims) = (0, 0);
        for (half, word) in lanes.chunks_exact(8).enumerate() {
            let (word, held) = load(word);
            let (b, d) = self.in_word(word, held);
            breaks |= gather(b) << (8 * half);
            delims |= gather(d) << (8 * half);
        }
        (breaks, delims)
    }
}

/// The high bit of each byte of `mask` (a mask of [`equal`]) as bit `i` for byte `i`:
/// shifted down, each is bit `8 i`, and the multiplication moves them all to the top
/// byte, in order, without carries (each product term lands on a distinct bit).
fn gather(mask: u64) -> u32 {
    ((mask >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// How many times `needle` is in `bytes`.
pub(super) fn count(needle: u8, bytes: &[u8]) -> usize {
    if bytes.len() > SHORT {
        return memchr::memchr_iter(needle, bytes).count();
    }
    bytes
        .chunks(8)
        .map(|chunk| {
            let (word, held) = load(chunk);
            marked(equal(word, needle) & held)
        })
        .sum()
}

/// Where the last line break in `bytes` is, and how many delimiters come after it (in
/// all of `bytes` when it holds no line break).
pub(super) fn last_break(bytes: &[u8], separators: Separators) -> (Option<usize>, usize) {
    let near = bytes.len().saturating_sub(SHORT);
    let mut delimiters = 0;
    let mut end = bytes.len();
    for chunk in bytes[near..].rchunks(LANES) {
        let start = end - chunk.len();
        let (breaks, delims) = separators.in_chunk(chunk);
        if breaks != 0 {
            let bit = 31 - breaks.leading_zeros();
            // The delimiters above the last break's bit: the bytes after it.
            let after = u32::MAX.checked_shl(bit + 1).unwrap_or(0);
            delimiters += (delims & after).count_ones() as usize;
            return (Some(start + bit as usize), delimiters);
        }
        delimiters += delims.count_ones() as usize;
        end = start;
    }
    let far = &bytes[..near];
    let delimiter = separators.delimiter;
    match memchr::memrchr2(b'\n', b'\r', far) {
        Some(at) => (Some(at), delimiters + count(delimiter, &far[at + 1..])),
        None => (None, delimiters + count(delimiter, far)),
    }
}

/// The position of the last delimiter or line break in `bytes`.
pub(super) fn last_separator(bytes: &[u8], separators: Separators) -> Option<usize> {
    let near = bytes.len().saturating_sub(SHORT);
    let mut end = bytes.len();
    for chunk in bytes[near..].rchunks(LANES) {
        let start = end - chunk.len();
        let (breaks, delims) = separators.in_chunk(chunk);
        let found = breaks | delims;
        if found != 0 {
            return Some(start + (31 - found.leading_zeros()) as usize);
        }
        end = start;
    }
    memchr::memrchr3(separators.delimiter, b'\n', b'\r', &bytes[..near])
}

/// The position of the first delimiter or line break in `bytes`.
pub(super) fn first_separator(bytes: &[u8], separators: Separators) -> Option<usize> {
    let near = bytes.len().min(SHORT);
    for (index, chunk) in bytes[..near].chunks(LANES).enumerate() {
        let (breaks, delims) = separators.in_chunk(chunk);
        let found = breaks | delims;
        if found != 0 {
            return Some(LANES * index + found.trailing_zeros() as usize);
        }
    }
    memchr::memchr3(separators.delimiter, b'\n', b'\r', &bytes[near..]).map(|at| near + at)
}

/// Where the `n`-th delimiter (`n` at least 1) of `bytes` is when no line break comes
/// before it: `Ok(position)`. Otherwise `Err` with where the first line break is, if
/// any. For the cells of one column, row after row.
pub(super) fn nth_delimiter(
    bytes: &[u8],
    mut n: usize,
    separators: Separators,
) -> Result<usize, Option<usize>> {
    debug_assert!(n > 0);
    for (index, chunk) in bytes.chunks(LANES).enumerate() {
        let (breaks, mut delims) = separators.in_chunk(chunk);
        if breaks != 0 {
            // Only the delimiters of the bytes before the break (below its bit).
            delims &= (1 << breaks.trailing_zeros()) - 1;
        }
        let here = delims.count_ones() as usize;
        if here >= n {
            for _ in 1..n {
                delims &= delims - 1;
            }
            return Ok(LANES * index + delims.trailing_zeros() as usize);
        }
        if breaks != 0 {
            return Err(Some(LANES * index + breaks.trailing_zeros() as usize));
        }
        n -= here;
    }
    Err(None)
}

/// SSE2, which every x86-64 processor has (so no run-time check): a chunk's
/// separators in four comparisons and a mask.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    use super::{Separators, LANES};

    /// The line breaks and the delimiters of `chunk`, bit `i` for `chunk[i]`.
    #[inline]
    pub(super) fn in_lanes(chunk: &[u8; LANES], separators: Separators) -> (u32, u32) {
        // SAFETY: the load reads the 16 bytes `chunk` holds, with no alignment
        // required; the other intrinsics only compute on registers, and SSE2 is
        // enabled for the target (the `cfg` above).
        unsafe {
            let bytes = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let byte = |b: u8| _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b as i8));
            let mut breaks = byte(b'\n');
            if separators.carriage_returns {
                breaks = _mm_or_si128(breaks, byte(b'\r'));
            }
            let delims = byte(separators.delimiter);
            (
                _mm_movemask_epi8(breaks) as u32,
                _mm_movemask_epi8(delims) as u32,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;

    /// Bytes from an alphabet of separators, bytes around them, and the bytes the
    /// comparisons could confuse (0x00 next to padding, high bits set).
    fn bytes(rng: &mut Rng, len: usize) -> Vec<u8> {
        const ALPHABET: &[u8] = b"a,\t\n\r\x00\x80\xff\x0b\x0c\x2c\x2d\x8a\xaci";
        (0..len)
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect()
    }

    fn is_break(b: u8) -> bool {
        b == b'\n' || b == b'\r'
    }

    /// Each search gives what a byte-by-byte loop gives, at every length around the
    /// word size and past [`SHORT`], for both delimiters and a NUL one (which the
    /// padding of a short chunk holds), told whether the bytes hold a CR or not.
    #[test]
    fn word_searches_agree_with_byte_loops() {
        let mut rng = Rng::new(64);
        for case in 0..20_000 {
            let len = if case % 4 == 0 {
                rng.below(400)
            } else {
                rng.below(2 * SHORT + 9)
            };
            let mut data = bytes(&mut rng, len);
            // Sparse separators too, so that the searches reach memchr.
            if case % 3 == 0 {
                data.iter_mut()
                    .filter(|_| rng.below(16) != 0)
                    .for_each(|b| *b = b'a');
            }
            // Told there is no CR, every other case where that holds.
            let carriage_returns = data.contains(&b'\r') || case % 2 == 0;
            for delimiter in [b',', b'\t', 0] {
                let separators = Separators {
                    delimiter,
                    carriage_returns,
                };
                let is_separator = |b: u8| b == delimiter || is_break(b);
                let last = data.iter().rposition(|&b| is_break(b));
                let after = &data[last.map_or(0, |at| at + 1)..];
                let delimiters = after.iter().filter(|&&b| b == delimiter).count();
                let text = format!("{data:?}, delimiter {delimiter}");
                assert_eq!(last_break(&data, separators), (last, delimiters), "{text}");
                let expected = data.iter().rposition(|&b| is_separator(b));
                assert_eq!(last_separator(&data, separators), expected, "{text}");
                let expected = data.iter().position(|&b| is_separator(b));
                assert_eq!(first_separator(&data, separators), expected, "{text}");
                let expected = data.iter().filter(|&&b| b == delimiter).count();
                assert_eq!(count(delimiter, &data), expected, "{text}");
                let first_break = data.iter().position(|&b| is_break(b));
                let before = &data[..first_break.unwrap_or(data.len())];
                for n in 1..6 {
                    let expected = before
                        .iter()
                        .enumerate()
                        .filter(|&(_, &b)| b == delimiter)
                        .nth(n - 1)
                        .map(|(at, _)| at)
                        .ok_or(first_break);
                    let got = nth_delimiter(&data, n, separators);
                    assert_eq!(got, expected, "{text}, n {n}");
                }
                for chunk in data.chunks(LANES) {
                    let mut lanes = [0; LANES];
                    lanes[..chunk.len()].copy_from_slice(chunk);
                    let portable = separators.in_lanes_portable(&lanes);
                    assert_eq!(separators.in_lanes(&lanes), portable, "{chunk:?}");
                }
            }
        }
    }
}
