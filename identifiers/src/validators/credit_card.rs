//! Payment card numbers (PAN).
//!
//! Source: ISO/IEC 7812-1 (issuer identification numbers and the Luhn
//! check); the card schemes' published IIN ranges and lengths, as summarised
//! in Wikipedia's "Payment card number" page.

use super::luhn::luhn;

/// One issuer identification number range of a card scheme: the card's
/// first `prefix_len` digits are within `first..=last`, and its length is one
/// of the bits set in `lengths`.
struct CardRange {
    first: u32,
    last: u32,
    prefix_len: usize,
    lengths: u32,
}

/// Bit mask of the card lengths `min..=max`.
const fn lengths(min: u32, max: u32) -> u32 {
    (1 << (max + 1)) - (1 << min)
}

const fn card(first: u32, last: u32, prefix_len: usize, lengths: u32) -> CardRange {
    CardRange {
        first,
        last,
        prefix_len,
        lengths,
    }
}

/// Issuer ranges and lengths of the major card schemes, as the schemes
/// publish them (summarised in Wikipedia's "Payment card number" IIN table).
/// Ranges may overlap: any match counts.
const CARD_RANGES: [CardRange; 17] = [
    // Visa
    card(4, 4, 1, lengths(13, 13) | lengths(16, 16) | lengths(19, 19)),
    // Mastercard
    card(51, 55, 2, lengths(16, 16)),
    card(2221, 2720, 4, lengths(16, 16)),
    // American Express
    card(34, 34, 2, lengths(15, 15)),
    card(37, 37, 2, lengths(15, 15)),
    // Discover
    card(6011, 6011, 4, lengths(16, 19)),
    card(644, 649, 3, lengths(16, 19)),
    card(65, 65, 2, lengths(16, 19)),
    card(622_126, 622_925, 6, lengths(16, 19)),
    // JCB
    card(3528, 3589, 4, lengths(16, 19)),
    // Diners Club International
    card(300, 305, 3, lengths(14, 19)),
    card(36, 36, 2, lengths(14, 19)),
    card(38, 39, 2, lengths(14, 19)),
    // UnionPay
    card(62, 62, 2, lengths(16, 19)),
    // Maestro (also issued with 12 digits, too short to tell from noise)
    card(50, 50, 2, lengths(13, 19)),
    card(56, 69, 2, lengths(13, 19)),
    // Mir
    card(2200, 2204, 4, lengths(16, 19)),
];

pub(super) fn is_valid(value: &[u8]) -> bool {
    if !(13..=19).contains(&value.len()) || !luhn(value) {
        return false;
    }
    let length_bit = 1_u32 << value.len();
    // `luhn` accepted the value, so it is all digits and at least 13 long.
    CARD_RANGES.iter().any(|range| {
        let prefix = value
            .iter()
            .take(range.prefix_len)
            .fold(0, |prefix, &byte| prefix * 10 + u32::from(byte - b'0'));
        range.lengths & length_bit != 0 && (range.first..=range.last).contains(&prefix)
    })
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::{CreditCard, Luhn};

    #[test]
    fn credit_card_accepts_published_test_cards_of_each_scheme() {
        for card in [
            "4111 1111 1111 1111", // Visa
            "4222222222222",       // Visa, 13 digits
            "5555 5555 5555 4444", // Mastercard 51-55
            "2223 0000 4841 0010", // Mastercard 2221-2720
            "3782 822463 10005",   // American Express
            "6011 1111 1111 1117", // Discover
            "3530 1113 3330 0000", // JCB
            "3056 930902 5904",    // Diners Club, 14 digits
            "6200 0000 0000 0005", // UnionPay
            "6759 6498 2643 8453", // Maestro
            "2200 0000 0000 0004", // Mir
            "2720 9999 9999 9996", // last Mastercard 2-series prefix
        ] {
            assert!(CreditCard.is_valid(card), "{card}");
            assert!(Luhn.is_valid(card), "{card}");
        }
    }

    #[test]
    fn credit_card_rejects_a_wrong_check_digit() {
        assert!(!CreditCard.is_valid("4111 1111 1111 1112"));
        assert!(!Luhn.is_valid("4111 1111 1111 1112"));
    }

    #[test]
    fn credit_card_rejects_luhn_valid_numbers_without_a_known_issuer_prefix() {
        for number in ["9111111111111110", "1234567812345670", "2721000000000004"] {
            assert!(Luhn.is_valid(number), "{number}");
            assert!(!CreditCard.is_valid(number), "{number}");
        }
    }

    #[test]
    fn credit_card_rejects_lengths_the_scheme_does_not_issue() {
        // Luhn-valid, but American Express numbers have 15 digits and Visa
        // numbers 13, 16 or 19.
        assert!(Luhn.is_valid("3782822463100003"));
        assert!(!CreditCard.is_valid("3782822463100003"));
        assert!(Luhn.is_valid("41111111111111113"));
        assert!(!CreditCard.is_valid("41111111111111113"));
        // Below 13 and above 19 digits nothing is a card.
        assert!(!CreditCard.is_valid("411111111116"));
        assert!(!CreditCard.is_valid("41111111111111111111"));
    }
}
