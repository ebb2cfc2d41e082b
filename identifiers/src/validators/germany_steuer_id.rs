//! Germany's tax identification number (Steuerliche Identifikationsnummer,
//! "Steuer-ID").
//!
//! Source: Bundeszentralamt für Steuern, the IdNr's structure (§ 139b AO):
//! 11 digits, the first not `0`; among the first ten, exactly one digit
//! occurs two or three times and every other at most once (since 2016 a
//! digit occurring three times may not fill three adjacent positions); the
//! 11th digit is an ISO/IEC 7064 MOD 11,10 check digit.

use super::{digits, iso7064_mod11_10};

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<11>(value) else {
        return false;
    };
    if d[0] == 0 {
        return false;
    }
    let mut counts = [0_u8; 10];
    for &digit in &d[..10] {
        counts[usize::from(digit)] += 1;
    }
    let mut repeated_digit = None;
    for (digit, &count) in counts.iter().enumerate() {
        match count {
            0 | 1 => {}
            2 | 3 if repeated_digit.is_none() => repeated_digit = Some((digit, count)),
            _ => return false,
        }
    }
    let Some((digit, count)) = repeated_digit else {
        return false;
    };
    if count == 3 {
        let three_in_a_row = d[..10]
            .windows(3)
            .any(|run| run.iter().all(|&other| usize::from(other) == digit));
        if three_in_a_row {
            return false;
        }
    }
    iso7064_mod11_10(&d)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::GermanySteuerId;

    #[test]
    fn steuer_id_accepts_the_published_examples() {
        // Examples of the BZSt's test numbers, checked with python-stdnum.
        for id in ["36 574 261 809", "12345678995"] {
            assert!(GermanySteuerId.is_valid(id), "{id}");
        }
        assert!(!GermanySteuerId.is_valid("36 574 261 808"));
    }

    #[test]
    fn steuer_id_needs_exactly_one_repeated_digit() {
        // All ten digits distinct, with the correct check digit: never issued.
        assert!(!GermanySteuerId.is_valid("1023456789 8"));
    }

    #[test]
    fn steuer_id_digit_occurring_three_times_may_not_fill_three_adjacent_places() {
        // Both carry their correct check digit.
        assert!(GermanySteuerId.is_valid("12114567890"));
        assert!(!GermanySteuerId.is_valid("11145678908"));
    }
}
