//! Whether a keyword spelling may begin at an offset, judged from three bytes.
//!
//! The gate walks its automaton only from word starts, and a word starts every five
//! bytes or so of ordinary text; at most of them the walk dies after a byte or two.
//! Judging the first three bytes first rules out almost all of them for the price of
//! one table look-up: the 1,250 managed spellings begin with 135 pairs of bytes,
//! which begin a third of the bench CSV's words, but with 231 triples, which begin one
//! word in fifty.

/// The first three bytes of a set of spellings, each reduced to its low five bits: a
/// set of 32,768 keys, one bit each (4 KiB, which stays in the first-level cache).
///
/// The low five bits tell the ASCII letters apart and ignore their case, as the
/// automaton does. Other bytes may share a key with a letter (`1` with `q`); that only
/// lets through a walk that finds nothing, never rules out a spelling.
#[derive(Debug, Clone)]
pub(super) struct Prefixes {
    keys: Box<[u64; KEYS / 64]>,
}

/// How many keys of three five-bit parts there are.
const KEYS: usize = 1 << 15;

impl Prefixes {
    pub(super) fn new<'s>(spellings: impl IntoIterator<Item = &'s [u8]>) -> Prefixes {
        let mut prefixes = Prefixes {
            keys: Box::new([0; KEYS / 64]),
        };
        let any = 0..=0x1f;
        for spelling in spellings {
            // A spelling shorter than three bytes may be followed by any byte, or
            // stand at the end of the text.
            let (first, second, third) = match *spelling {
                [] => continue,
                [first] => (first..=first, any.clone(), any.clone()),
                [first, second] => (first..=first, second..=second, any.clone()),
                [first, second, third, ..] => (first..=first, second..=second, third..=third),
            };
            for first in first {
                for second in second.clone() {
                    for third in third.clone() {
                        let key = key(first, second, third);
                        prefixes.keys[key / 64] |= 1 << (key % 64);
                    }
                }
            }
        }
        prefixes
    }

    /// Whether some spelling may start at `bytes[at]`: its first three bytes have the
    /// key of one. Bytes past the end count as zeros: only a spelling shorter than three
    /// bytes fits there, and its keys have every second and third part.
    #[inline]
    pub(super) fn may_begin_at(&self, bytes: &[u8], at: usize) -> bool {
        let byte = |at: usize| bytes.get(at).copied().unwrap_or(0);
        let key = key(byte(at), byte(at + 1), byte(at + 2));
        self.keys[key / 64] & (1 << (key % 64)) != 0
    }
}

/// The key of three bytes: their low five bits, side by side.
#[inline]
fn key(first: u8, second: u8, third: u8) -> usize {
    usize::from(first & 0x1f) | usize::from(second & 0x1f) << 5 | usize::from(third & 0x1f) << 10
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPELLINGS: [&str; 4] = ["passport", "dob", "MC", "numéro"];

    fn prefixes() -> Prefixes {
        Prefixes::new(SPELLINGS.iter().map(|s| s.as_bytes()))
    }

    /// A spelling may begin where it stands, in any ASCII case, followed by anything or
    /// by the end of the text.
    #[test]
    fn a_spelling_may_begin_where_it_stands_in_any_case() {
        let prefixes = prefixes();
        for text in [
            "passport", "PassPort", "DOB:", "dob", "mc", "Mc1", "numéro", "NUMÉRO",
        ] {
            assert!(prefixes.may_begin_at(text.as_bytes(), 0), "{text}");
            assert!(
                prefixes.may_begin_at(format!("x {text}").as_bytes(), 2),
                "{text}"
            );
        }
    }

    /// Words that begin no spelling are ruled out, and so are spellings of three bytes
    /// or more cut short by the end of the text.
    #[test]
    fn words_that_begin_no_spelling_are_ruled_out() {
        let prefixes = prefixes();
        for text in [
            "pat",
            "dcb",
            "Rafael",
            "example",
            "do",
            "pa",
            "n",
            "2021-04-24",
        ] {
            assert!(!prefixes.may_begin_at(text.as_bytes(), 0), "{text}");
        }
    }
}
