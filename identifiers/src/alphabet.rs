//! The bytes a pattern's matches can hold, and the safe places to start and stop a
//! search for it inside a long unit.
//!
//! A detector's matches in a unit are those of one leftmost-first iteration over the
//! whole unit. To search only part of it (around the keywords in a text window) and
//! still find exactly those matches, a partial search must start where the whole
//! iteration cannot be in the middle of a match, and must not cut off a match it
//! reports. A byte that no match of the pattern can hold gives both: no match spans
//! the boundary next to it, so the whole iteration, having reached that boundary, goes
//! on from it exactly as a fresh search started there does (look-around still sees the
//! bytes outside the searched range, as regex-automata evaluates assertions against
//! the whole haystack).

use regex_automata::nfa::thompson::State;
use regex_automata::util::primitives::StateID;

/// A set of byte values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ByteSet([bool; 256]);

impl ByteSet {
    #[inline]
    pub(crate) fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte)]
    }
}

/// The bytes the matches of `translated` (a pattern in regex-syntax's dialect, as
/// [`crate::pattern::Pattern::translated`] gives it) can hold: every byte some
/// transition of its automaton reads. `None` when the pattern can match the empty
/// string (an empty match sits between any two bytes, so no boundary is safe from
/// it) or cannot be compiled here.
pub(crate) fn of_pattern(translated: &str) -> Option<ByteSet> {
    let (nfa, _) = crate::pattern::non_empty_nfa(translated)?;
    // From the anchored start only: the unanchored start adds a loop over every byte
    // that skips to where a match begins, which is not part of any match.
    let mut bytes = ByteSet([false; 256]);
    let mut seen = vec![false; nfa.states().len()];
    let mut stack = vec![nfa.start_anchored()];
    let mut visit = |id: StateID, stack: &mut Vec<StateID>| {
        if !std::mem::replace(&mut seen[id.as_usize()], true) {
            stack.push(id);
        }
    };
    while let Some(id) = stack.pop() {
        match nfa.state(id) {
            State::ByteRange { trans } => {
                bytes.0[usize::from(trans.start)..=usize::from(trans.end)].fill(true);
                visit(trans.next, &mut stack);
            }
            State::Sparse(sparse) => {
                for trans in sparse.transitions.iter() {
                    bytes.0[usize::from(trans.start)..=usize::from(trans.end)].fill(true);
                    visit(trans.next, &mut stack);
                }
            }
            State::Dense(dense) => {
                for (byte, &next) in dense.transitions.iter().enumerate() {
                    if next != StateID::ZERO {
                        bytes.0[byte] = true;
                        visit(next, &mut stack);
                    }
                }
            }
            State::Look { next, .. } | State::Capture { next, .. } => visit(*next, &mut stack),
            State::Union { alternates } => {
                for &next in alternates.iter() {
                    visit(next, &mut stack);
                }
            }
            State::BinaryUnion { alt1, alt2 } => {
                visit(*alt1, &mut stack);
                visit(*alt2, &mut stack);
            }
            State::Fail | State::Match { .. } => {}
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(set: &ByteSet) -> String {
        (0..=255u8)
            .filter(|&b| set.contains(b))
            .map(char::from)
            .collect()
    }

    #[test]
    fn a_date_pattern_holds_digits_and_its_separators_only() {
        let set = of_pattern(r"\b\d{4}[-/]\d{2}[-/]\d{2}\b").expect("non-empty pattern");
        assert_eq!(members(&set), "-/0123456789");
    }

    #[test]
    fn case_insensitive_letters_hold_both_cases() {
        let set = of_pattern(r"(?i)ab\s?\d").expect("non-empty pattern");
        assert_eq!(members(&set), "\t\n\u{b}\u{c}\r 0123456789ABab");
    }

    #[test]
    fn a_pattern_that_can_match_nothing_has_no_safe_boundary() {
        assert!(of_pattern(r"\d*").is_none());
        assert!(of_pattern(r"\b").is_none());
    }
}
