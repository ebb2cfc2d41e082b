//! [`DetectorMask`], the set of detectors a unit is judged with.

/// The set of detectors that may match in a unit, by index in the identifier set.
///
/// A bit set: masks are cleared, filled and walked for every cell a block walk hits,
/// and with the whole catalogue a set has some 170 detectors of which a cell names one
/// or two, so each of those operations costs a few words, not a pass over every
/// detector (`PatternSet`'s iteration and clearing, which this replaced, took a sixth
/// of a managed-all scan of a table).
///
/// The words of a set of up to [`INLINE_DETECTORS`] are held inline, and operations
/// between two such masks are written for that fixed width: a dozen of them run for
/// each cell handed over, where loops over heap slices cost more than their work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectorMask {
    words: Words,
    len: usize,
}

/// Words inline (past `len`, always zero), or on the heap for larger sets.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Words {
    Inline([u64; INLINE]),
    Heap(Vec<u64>),
}

/// How many words a mask holds inline.
const INLINE: usize = 4;

/// The most detectors a mask holds inline: the whole catalogue and some ninety custom
/// identifiers.
pub const INLINE_DETECTORS: usize = INLINE * 64;

impl Words {
    fn as_slice(&self) -> &[u64] {
        match self {
            Words::Inline(words) => words,
            Words::Heap(words) => words,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [u64] {
        match self {
            Words::Inline(words) => words,
            Words::Heap(words) => words,
        }
    }
}

impl DetectorMask {
    /// An empty mask able to hold `len` detectors.
    pub fn new(len: usize) -> DetectorMask {
        let words = if len <= INLINE_DETECTORS {
            Words::Inline([0; INLINE])
        } else {
            Words::Heap(vec![0; len.div_ceil(64)])
        };
        DetectorMask { words, len }
    }

    /// How many detectors the mask has room for.
    pub fn size(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn contains(&self, detector: usize) -> bool {
        detector < self.len && self.words.as_slice()[detector / 64] & (1 << (detector % 64)) != 0
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        match &self.words {
            Words::Inline(words) => words.iter().fold(0, |any, word| any | word) == 0,
            Words::Heap(words) => words.iter().all(|&word| word == 0),
        }
    }

    /// The detectors in the mask, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words
            .as_slice()
            .iter()
            .enumerate()
            .flat_map(|(at, &word)| {
                let mut rest = word;
                std::iter::from_fn(move || {
                    (rest != 0).then(|| {
                        let bit = rest.trailing_zeros() as usize;
                        rest &= rest - 1;
                        at * 64 + bit
                    })
                })
            })
    }

    #[inline]
    pub fn clear(&mut self) {
        match &mut self.words {
            Words::Inline(words) => *words = [0; INLINE],
            Words::Heap(words) => words.fill(0),
        }
    }

    #[inline]
    pub fn insert(&mut self, detector: usize) {
        if detector < self.len {
            self.words.as_mut_slice()[detector / 64] |= 1 << (detector % 64);
        }
    }

    #[inline]
    pub fn remove(&mut self, detector: usize) {
        if detector < self.len {
            self.words.as_mut_slice()[detector / 64] &= !(1 << (detector % 64));
        }
    }

    /// Keeps only the detectors also in `other` (of the same set, or the empty mask of
    /// [`Narrowing::nothing`](crate::matcher::Narrowing::nothing)).
    #[inline]
    pub fn intersect_with(&mut self, other: &DetectorMask) {
        if let (Words::Inline(mine), Words::Inline(theirs)) = (&mut self.words, &other.words) {
            for (word, theirs) in mine.iter_mut().zip(theirs) {
                *word &= theirs;
            }
            return;
        }
        let theirs = other.words.as_slice();
        for (at, word) in self.words.as_mut_slice().iter_mut().enumerate() {
            *word &= theirs.get(at).copied().unwrap_or(0);
        }
    }

    /// Adds the detectors of `other` (of the same set).
    #[inline]
    pub fn union_with(&mut self, other: &DetectorMask) {
        self.combine(other, |word, theirs| word | theirs);
    }

    /// Removes the detectors of `other` (of the same set).
    #[inline]
    pub fn remove_all(&mut self, other: &DetectorMask) {
        self.combine(other, |word, theirs| word & !theirs);
    }

    /// Adds the detectors that are in both `one` and `other` (masks of the same set).
    #[inline]
    pub fn union_with_both(&mut self, one: &DetectorMask, other: &DetectorMask) {
        self.combine_two(one, other, |word, one, other| word | (one & other));
    }

    /// Removes the detectors of `within` that are not in `kept` (masks of the same set).
    #[inline]
    pub fn remove_unless(&mut self, within: &DetectorMask, kept: &DetectorMask) {
        self.combine_two(within, kept, |word, within, kept| word & (!within | kept));
    }

    /// Whether every detector of `self` that is also in `within` is in `other`.
    #[inline]
    pub fn covered_within(&self, within: &DetectorMask, other: &DetectorMask) -> bool {
        let uncovered = |(mine, (within, theirs)): (&u64, (&u64, &u64))| mine & within & !theirs;
        match (&self.words, &within.words, &other.words) {
            (Words::Inline(mine), Words::Inline(within), Words::Inline(theirs)) => {
                mine.iter()
                    .zip(within.iter().zip(theirs))
                    .fold(0, |any, words| any | uncovered(words))
                    == 0
            }
            (mine, within, theirs) => mine
                .as_slice()
                .iter()
                .zip(within.as_slice().iter().zip(theirs.as_slice()))
                .all(|words| uncovered(words) == 0),
        }
    }

    /// Whether every detector of `self` is in `other` (of the same set).
    #[inline]
    pub fn is_subset_of(&self, other: &DetectorMask) -> bool {
        let outside = |(mine, theirs): (&u64, &u64)| mine & !theirs;
        match (&self.words, &other.words) {
            (Words::Inline(mine), Words::Inline(theirs)) => {
                mine.iter()
                    .zip(theirs)
                    .fold(0, |any, words| any | outside(words))
                    == 0
            }
            (mine, theirs) => mine
                .as_slice()
                .iter()
                .zip(theirs.as_slice())
                .all(|words| outside(words) == 0),
        }
    }

    /// Whether every detector of `self` is in `one`, or in both `two` and `three` (masks
    /// of the same set).
    #[inline]
    pub fn is_within_either(
        &self,
        one: &DetectorMask,
        two: &DetectorMask,
        three: &DetectorMask,
    ) -> bool {
        let outside = |mine: u64, one: u64, two: u64, three: u64| mine & !(one | (two & three));
        match (&self.words, &one.words, &two.words, &three.words) {
            (Words::Inline(mine), Words::Inline(one), Words::Inline(two), Words::Inline(three)) => {
                (0..INLINE).fold(0, |any, at| {
                    any | outside(mine[at], one[at], two[at], three[at])
                }) == 0
            }
            (mine, one, two, three) => {
                let (one, two, three) = (one.as_slice(), two.as_slice(), three.as_slice());
                mine.as_slice()
                    .iter()
                    .enumerate()
                    .all(|(at, &mine)| outside(mine, one[at], two[at], three[at]) == 0)
            }
        }
    }

    /// Adds every detector: what a caller uses when it cannot narrow a unit down.
    pub fn fill(&mut self) {
        let len = self.len;
        for (at, word) in self.words.as_mut_slice().iter_mut().enumerate() {
            let held = len.saturating_sub(at * 64).min(64);
            *word = u64::MAX.checked_shr(64 - held as u32).unwrap_or(0);
        }
    }

    /// Sets each word to `op(word, theirs)`, with the same word of `other`.
    #[inline(always)]
    fn combine(&mut self, other: &DetectorMask, op: impl Fn(u64, u64) -> u64) {
        match (&mut self.words, &other.words) {
            (Words::Inline(mine), Words::Inline(theirs)) => {
                for (word, &theirs) in mine.iter_mut().zip(theirs) {
                    *word = op(*word, theirs);
                }
            }
            (mine, theirs) => {
                for (word, &theirs) in mine.as_mut_slice().iter_mut().zip(theirs.as_slice()) {
                    *word = op(*word, theirs);
                }
            }
        }
    }

    /// Sets each word to `op(word, one's, other's)`.
    #[inline(always)]
    fn combine_two(
        &mut self,
        one: &DetectorMask,
        other: &DetectorMask,
        op: impl Fn(u64, u64, u64) -> u64,
    ) {
        match (&mut self.words, &one.words, &other.words) {
            (Words::Inline(mine), Words::Inline(one), Words::Inline(other)) => {
                for ((word, &one), &other) in mine.iter_mut().zip(one).zip(other) {
                    *word = op(*word, one, other);
                }
            }
            (mine, one, other) => {
                let pairs = one.as_slice().iter().zip(other.as_slice());
                for (word, (&one, &other)) in mine.as_mut_slice().iter_mut().zip(pairs) {
                    *word = op(*word, one, other);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Sizes on both sides of the inline limit and of word boundaries.
    const SIZES: [usize; 9] = [0, 1, 63, 64, 65, 170, 256, 257, 300];

    fn random(rng: &mut fastrand::Rng, len: usize) -> (DetectorMask, BTreeSet<usize>) {
        let mut mask = DetectorMask::new(len);
        let mut expected = BTreeSet::new();
        for _ in 0..rng.usize(0..40) {
            let detector = rng.usize(..len + 3);
            mask.insert(detector);
            if detector < len {
                expected.insert(detector);
            }
        }
        (mask, expected)
    }

    fn held(mask: &DetectorMask) -> BTreeSet<usize> {
        mask.iter().collect()
    }

    /// The bit set holds exactly what was inserted, at any size, and iterates it in
    /// order; `fill` adds every detector and no more.
    #[test]
    fn masks_hold_what_was_inserted() {
        let mut rng = fastrand::Rng::with_seed(5);
        for len in SIZES {
            let (mut mask, expected) = random(&mut rng, len);
            assert_eq!(held(&mask), expected);
            assert_eq!(mask.is_empty(), expected.is_empty());
            assert!((0..len + 3).all(|d| mask.contains(d) == expected.contains(&d)));
            if let Some(&first) = expected.first() {
                mask.remove(first);
                assert!(!mask.contains(first));
                mask.insert(first);
            }
            mask.fill();
            assert_eq!(held(&mask), (0..len).collect());
            mask.clear();
            assert!(mask.is_empty() && mask.iter().next().is_none());
        }
    }

    /// Every operation between masks does what it says of the detectors' sets, inline
    /// and on the heap alike.
    #[test]
    fn operations_between_masks_are_those_of_sets() {
        let mut rng = fastrand::Rng::with_seed(6);
        for len in SIZES {
            for _ in 0..50 {
                let (mask, mine) = random(&mut rng, len);
                let (one, first) = random(&mut rng, len);
                let (other, second) = random(&mut rng, len);
                let after = |op: &dyn Fn(&mut DetectorMask)| {
                    let mut result = mask.clone();
                    op(&mut result);
                    held(&result)
                };
                let expected: BTreeSet<usize> = mine.intersection(&first).copied().collect();
                assert_eq!(after(&|m| m.intersect_with(&one)), expected);
                let expected: BTreeSet<usize> = mine.union(&first).copied().collect();
                assert_eq!(after(&|m| m.union_with(&one)), expected);
                let expected: BTreeSet<usize> = mine.difference(&first).copied().collect();
                assert_eq!(after(&|m| m.remove_all(&one)), expected);
                let both: BTreeSet<usize> = first.intersection(&second).copied().collect();
                let expected: BTreeSet<usize> = mine.union(&both).copied().collect();
                assert_eq!(after(&|m| m.union_with_both(&one, &other)), expected);
                let expected: BTreeSet<usize> = mine
                    .iter()
                    .filter(|d| !first.contains(d) || second.contains(d))
                    .copied()
                    .collect();
                assert_eq!(after(&|m| m.remove_unless(&one, &other)), expected);
                let covered = mine
                    .iter()
                    .all(|d| !first.contains(d) || second.contains(d));
                assert_eq!(mask.covered_within(&one, &other), covered);
                assert_eq!(mask.is_subset_of(&one), mine.is_subset(&first));
                let (third, thirds) = random(&mut rng, len);
                let within = mine
                    .iter()
                    .all(|d| first.contains(d) || (second.contains(d) && thirds.contains(d)));
                assert_eq!(mask.is_within_either(&one, &other, &third), within);
                let none = DetectorMask::new(len);
                assert!(mask.is_within_either(&mask, &none, &none));
                assert!(mask.is_within_either(&none, &mask, &mask));
                assert_eq!(mask.is_within_either(&none, &mask, &none), mine.is_empty());
                assert!(mask.is_subset_of(&mask));
                // The empty mask of a unit that no detector may match.
                assert!(after(&|m| m.intersect_with(&DetectorMask::new(0))).is_empty());
            }
        }
    }
}
