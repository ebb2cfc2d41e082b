//! Where words start in text, 64 bytes at a time.
//!
//! A gated keyword counts in text only as a word of its own, so the gate walks its
//! automaton only from bytes with no ASCII letter or digit before them. Testing that
//! byte by byte, with a branch, cost more than everything else the pass does: a word
//! starts every five bytes or so, at random, and the processor mispredicts the branch
//! at most of them. Here each byte's kind is a bit of a mask, found without a branch,
//! and the masks of a block are combined with a few operations on `u64`s.
//!
//! On x86-64 a block's kinds are found 16 bytes at a time with SSE2, which every
//! x86-64 processor has (so no run-time check): that takes the whole pass from 0.64
//! to 0.43 ns a byte on the bench CSV. Elsewhere, and for texts shorter than a block,
//! portable code reads eight bytes at a time as the lanes of a `u64`.

/// How many bytes [`WordStarts::in_block`] reads at a time: one bit each in a `u64`.
pub(super) const BLOCK: usize = 64;

/// The kinds of bytes some spelling starts with: a word start of another kind is
/// passed over. A byte is an ASCII letter, an ASCII digit, other ASCII, a byte that
/// leads a UTF-8 sequence of several, or one that continues it (the second byte of `ã`,
/// which is no letter or digit, so the byte after it starts a word).
#[derive(Debug, Clone, Copy)]
pub(super) struct WordStarts {
    /// All ones when some spelling starts with a byte of the kind, else 0.
    letters: u64,
    digits: u64,
    other: u64,
    leading: u64,
    continuing: u64,
}

impl WordStarts {
    pub(super) fn new(first_bytes: impl IntoIterator<Item = u8>) -> WordStarts {
        let mut starts = WordStarts {
            letters: 0,
            digits: 0,
            other: 0,
            leading: 0,
            continuing: 0,
        };
        for byte in first_bytes {
            let kind = if byte.is_ascii_alphabetic() {
                &mut starts.letters
            } else if byte.is_ascii_digit() {
                &mut starts.digits
            } else if byte.is_ascii() {
                &mut starts.other
            } else if byte >= 0xc0 {
                &mut starts.leading
            } else {
                &mut starts.continuing
            };
            *kind = u64::MAX;
        }
        starts
    }

    /// The word starts in `block` that a spelling could begin at: bit `k` stands for
    /// `block[k]`. `after_word` tells whether the byte before the block is an ASCII
    /// letter or digit (false at the start of a text), and is set for the next block.
    #[inline]
    pub(super) fn in_block(&self, block: &[u8; BLOCK], after_word: &mut bool) -> u64 {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            let kinds = sse2::kinds(block);
            let before = (kinds.alphanumeric() << 1) | u64::from(*after_word);
            *after_word = kinds.alphanumeric() >> (BLOCK - 1) == 1;
            self.of_kind(&kinds) & !before
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        self.in_lanes(block, BLOCK, after_word)
    }

    /// The word starts in the last `tail` bytes of `text` (1 to 63), as
    /// [`WordStarts::in_block`] finds them in a whole block; `after_word` tells about
    /// the byte before them.
    #[inline]
    pub(super) fn in_tail(&self, text: &[u8], tail: usize, after_word: bool) -> u64 {
        // The block that ends the text, read again from before the tail: its own bytes
        // tell whether the tail's first byte starts a word.
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if let Some(block) = text.last_chunk::<BLOCK>() {
            let kinds = sse2::kinds(block);
            let starts = self.of_kind(&kinds) & !(kinds.alphanumeric() << 1);
            return starts >> (BLOCK - tail);
        }
        let mut after_word = after_word;
        self.in_lanes(text, tail, &mut after_word)
    }

    /// The word starts in the last `tail` bytes of `text` (1 to 64), eight bytes at a
    /// time in the lanes of a `u64`, packed into bits once per eight. Units of a few
    /// bytes are read this way, one at a time, so the last bytes are read with the
    /// eight that end the text, shifted, not copied out (a call to `memcpy` costs as
    /// much as the rest).
    #[inline]
    fn in_lanes(&self, text: &[u8], tail: usize, after_word: &mut bool) -> u64 {
        let mut starts = 0;
        let mut add = |word: u64, at: usize| {
            let lanes = Kinds::of_lanes(word);
            let alphanumeric = lanes.alphanumeric();
            let before = (alphanumeric << 8) | (u64::from(*after_word) << 7);
            *after_word = alphanumeric >> 63 == 1;
            starts |= pack(self.of_kind(&lanes) & !before & HIGH) << at;
        };
        let (words, rest) = text[text.len() - tail..].as_chunks::<LANES>();
        for (index, word) in words.iter().enumerate() {
            add(u64::from_le_bytes(*word), index * LANES);
        }
        if !rest.is_empty() {
            let word = match text.last_chunk::<LANES>() {
                Some(last) => u64::from_le_bytes(*last) >> (8 * (LANES - rest.len())),
                None => rest
                    .iter()
                    .rev()
                    .fold(0, |word, &byte| word << 8 | u64::from(byte)),
            };
            // The lanes past the end hold zeros, which stand for no byte.
            add(word, words.len() * LANES);
            starts &= u64::MAX >> (BLOCK - tail);
        }
        starts
    }

    /// The bytes of the kinds some spelling starts with, as bits or as lanes.
    #[inline]
    fn of_kind(&self, kinds: &Kinds) -> u64 {
        let other = !(kinds.alphanumeric() | kinds.non_ascii);
        let continuing = kinds.non_ascii & !kinds.leading;
        (kinds.letters & self.letters)
            | (kinds.digits & self.digits)
            | (other & self.other)
            | (kinds.leading & self.leading)
            | (continuing & self.continuing)
    }
}

/// Which bytes are ASCII letters, ASCII digits, non-ASCII, and non-ASCII bytes that
/// lead a UTF-8 sequence (`0b11xx_xxxx`): of a block, bit `k` for byte `k`; of eight
/// bytes in a `u64`, the high bit of lane `k` for byte `k`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Kinds {
    letters: u64,
    digits: u64,
    non_ascii: u64,
    leading: u64,
}

impl Kinds {
    fn alphanumeric(&self) -> u64 {
        self.letters | self.digits
    }

    /// The kinds of the eight bytes of `word` (the first in its low byte), as lanes.
    #[inline]
    fn of_lanes(word: u64) -> Kinds {
        Kinds {
            letters: ascii_in(word | (ONES * 0x20), b'a', b'z', word),
            digits: ascii_in(word, b'0', b'9', word),
            non_ascii: word & HIGH,
            leading: word & (word << 1) & HIGH,
        }
    }
}

/// How many bytes fit in a `u64`, as its lanes.
const LANES: usize = 8;
/// One in every lane.
const ONES: u64 = u64::from_le_bytes([1; LANES]);
/// The high bit of every lane: the bit a lane mask sets for a lane that holds.
const HIGH: u64 = ONES * 0x80;

/// The high bit of each lane of `lanes` whose byte is in `low..=high` (`0 < low <= high
/// < 0x80`) and whose byte in `word` is ASCII. No lane carries into the next: the low
/// seven bits of a byte plus at most 0x7f stay below 0x100.
#[inline]
fn ascii_in(lanes: u64, low: u8, high: u8, word: u64) -> u64 {
    let seven = lanes & !HIGH;
    let from_low = seven + ONES * u64::from(0x80 - low);
    let past_high = seven + ONES * u64::from(0x7f - high);
    from_low & !past_high & !word & HIGH
}

/// The high bits of the lanes of `lanes` (the only bits set) as the eight low bits of
/// the result, lane `k` as bit `k`: each step folds the bits gathered at the bottom of
/// every lane onto those of the lane below, twice as many at a time. (Shifts, not the
/// usual multiplication: the compiler turns this code into vector code, where a 64-bit
/// multiplication costs three.)
#[inline]
fn pack(lanes: u64) -> u64 {
    let mut bits = lanes >> 7;
    bits |= bits >> 7;
    bits |= bits >> 14;
    bits |= bits >> 28;
    bits & 0xff
}

/// A block's kinds with SSE2, 16 bytes at a time.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_set_epi64x,
    };

    use super::{Kinds, BLOCK, LANES};

    #[inline]
    pub(super) fn kinds(block: &[u8; BLOCK]) -> Kinds {
        // SAFETY: `kinds_sse2` needs nothing but SSE2, which the target enables (this
        // module is compiled only under `target_feature = "sse2"`, which every x86-64
        // target has), and it reads the block through a safe reference only.
        unsafe { kinds_sse2(block) }
    }

    #[target_feature(enable = "sse2")]
    fn kinds_sse2(block: &[u8; BLOCK]) -> Kinds {
        let mut kinds = Kinds::default();
        let (pairs, _) = block.as_chunks::<LANES>().0.as_chunks::<2>();
        for (index, [low, high]) in pairs.iter().enumerate() {
            let bytes = _mm_set_epi64x(i64::from_le_bytes(*high), i64::from_le_bytes(*low));
            let lower = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
            let at = 16 * index;
            kinds.letters |= mask(in_range(lower, b'a', b'z')) << at;
            kinds.digits |= mask(in_range(bytes, b'0', b'9')) << at;
            kinds.non_ascii |= mask(bytes) << at;
            // The high bit of each byte and of each byte doubled: `0b11xx_xxxx`.
            kinds.leading |= mask(_mm_and_si128(bytes, _mm_add_epi8(bytes, bytes))) << at;
        }
        kinds
    }

    /// The bytes in `low..=high`, as all ones. SSE2 compares signed bytes only:
    /// shifting both sides by `0x80 - low` maps the range to the lowest signed values.
    #[target_feature(enable = "sse2")]
    fn in_range(bytes: __m128i, low: u8, high: u8) -> __m128i {
        let shifted = _mm_add_epi8(bytes, _mm_set1_epi8(0x80u8.wrapping_sub(low).cast_signed()));
        let bound = (high - low + 1) ^ 0x80;
        _mm_cmplt_epi8(shifted, _mm_set1_epi8(bound.cast_signed()))
    }

    /// The high bit of each of the 16 bytes.
    #[target_feature(enable = "sse2")]
    fn mask(bytes: __m128i) -> u64 {
        u64::from(_mm_movemask_epi8(bytes).cast_unsigned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`WordStarts`] finds, byte by byte: the kind of each byte (letter, digit,
    /// other ASCII, leading, continuing).
    fn kind(byte: u8) -> usize {
        if byte.is_ascii_alphabetic() {
            0
        } else if byte.is_ascii_digit() {
            1
        } else if byte.is_ascii() {
            2
        } else if byte >= 0xc0 {
            3
        } else {
            4
        }
    }

    /// The word starts found in a block or a tail are the bytes of a kind some
    /// spelling starts with and with no ASCII letter or digit before them: every byte
    /// value, at places in every 16 and 8 bytes of a block, in texts and tails of many
    /// lengths, whatever byte comes before.
    #[test]
    fn word_starts_are_the_bytes_after_no_letter_or_digit() {
        let firsts: [&[u8]; 7] = [b"a", b"0", b"#", b"\xc3", b"\xa9", b"a\xc3", b"a0#\xa9"];
        let places = [
            (64, 0),
            (64, 1),
            (64, 20),
            (64, 37),
            (64, 63),
            (1, 0),
            (3, 2),
            (7, 0),
            (8, 7),
            (9, 8),
            (40, 20),
            (63, 62),
        ];
        for first in firsts {
            let starts = WordStarts::new(first.iter().copied());
            let starts_some = |byte: u8| first.iter().any(|&f| kind(f) == kind(byte));
            for byte in 0..=u8::MAX {
                for (len, at) in places {
                    for before in [b'x', b' ', b'5', 0xc3, 0xa3, b'Q'] {
                        let mut bytes = vec![before; len];
                        bytes[at] = byte;
                        let expected = (0..len)
                            .filter(|&k| {
                                let prior = if k == 0 { before } else { bytes[k - 1] };
                                starts_some(bytes[k]) && !prior.is_ascii_alphanumeric()
                            })
                            .fold(0, |mask, k| mask | 1 << k);
                        let after_word = before.is_ascii_alphanumeric();
                        let context = format!("{byte:#x} at {at} of {len} after {before:#x}");
                        match <&[u8; BLOCK]>::try_from(bytes.as_slice()) {
                            Ok(block) => {
                                let mut after = after_word;
                                assert_eq!(
                                    starts.in_block(block, &mut after),
                                    expected,
                                    "{context}"
                                );
                                assert_eq!(after, block[BLOCK - 1].is_ascii_alphanumeric());
                                // The portable way, which x86-64 uses for short texts
                                // only, gives the same.
                                let mut after = after_word;
                                let found = starts.in_lanes(block, BLOCK, &mut after);
                                assert_eq!(found, expected, "{context}, in lanes");
                                assert_eq!(after, block[BLOCK - 1].is_ascii_alphanumeric());
                            }
                            Err(_) => {
                                // The tail of a short text, and of a long one whose
                                // byte before the tail is `before`.
                                let found = starts.in_tail(&bytes, len, after_word);
                                assert_eq!(found, expected, "{context}");
                                let long = [vec![b'z'; BLOCK], vec![before], bytes].concat();
                                let found = starts.in_tail(&long, len, after_word);
                                assert_eq!(found, expected, "{context} in a long text");
                            }
                        }
                    }
                }
            }
        }
    }

    /// Every set of lanes packs to the bits of the same lanes.
    #[test]
    fn pack_gathers_the_high_bit_of_each_lane_in_order() {
        for bits in 0..=u8::MAX {
            let lanes = (0..LANES)
                .filter(|k| bits >> k & 1 == 1)
                .fold(0, |lanes, k| lanes | 0x80 << (8 * k));
            assert_eq!(pack(lanes), u64::from(bits));
        }
    }

    /// The kinds of bytes found eight (or, with SSE2, 16) at a time are those of the
    /// bytes one by one, for every byte value at every place.
    #[test]
    fn kinds_are_those_of_each_byte() {
        let mut rng = fastrand::Rng::with_seed(64);
        let mut blocks: Vec<[u8; BLOCK]> = (0..=u8::MAX)
            .map(|byte| std::array::from_fn(|k| byte.wrapping_add(k as u8)))
            .collect();
        blocks.extend((0..1000).map(|_| std::array::from_fn(|_| rng.u8(..))));
        for block in blocks {
            let bit = |test: fn(u8) -> bool| {
                (0..BLOCK)
                    .filter(|&k| test(block[k]))
                    .fold(0, |mask, k| mask | 1 << k)
            };
            let expected = Kinds {
                letters: bit(|b| b.is_ascii_alphabetic()),
                digits: bit(|b| b.is_ascii_digit()),
                non_ascii: bit(|b| !b.is_ascii()),
                leading: bit(|b| b >= 0xc0),
            };
            let mut in_lanes = Kinds::default();
            for (index, word) in block.as_chunks::<LANES>().0.iter().enumerate() {
                let lanes = Kinds::of_lanes(u64::from_le_bytes(*word));
                in_lanes.letters |= pack(lanes.letters) << (index * LANES);
                in_lanes.digits |= pack(lanes.digits) << (index * LANES);
                in_lanes.non_ascii |= pack(lanes.non_ascii) << (index * LANES);
                in_lanes.leading |= pack(lanes.leading) << (index * LANES);
            }
            assert_eq!(in_lanes, expected, "{block:?}");
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            assert_eq!(sse2::kinds(&block), expected, "{block:?}");
        }
    }
}
