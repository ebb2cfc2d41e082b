//! International Bank Account Number (IBAN).
//!
//! Source: ISO 13616-1 (structure), ISO 7064 MOD 97-10 (check digits), and
//! the SWIFT IBAN registry for each country's length.

use super::digits;
use super::to_number;

/// IBAN lengths by country code, sorted for binary search. From the SWIFT
/// IBAN registry, release 101: the length is 4 (country code and check
/// digits) plus the registered BBAN length.
const IBAN_LENGTHS: [([u8; 2], u8); 89] = [
    (*b"AD", 24),
    (*b"AE", 23),
    (*b"AL", 28),
    (*b"AT", 20),
    (*b"AZ", 28),
    (*b"BA", 20),
    (*b"BE", 16),
    (*b"BG", 22),
    (*b"BH", 22),
    (*b"BI", 27),
    (*b"BR", 29),
    (*b"BY", 28),
    (*b"CH", 21),
    (*b"CR", 22),
    (*b"CY", 28),
    (*b"CZ", 24),
    (*b"DE", 22),
    (*b"DJ", 27),
    (*b"DK", 18),
    (*b"DO", 28),
    (*b"EE", 20),
    (*b"EG", 29),
    (*b"ES", 24),
    (*b"FI", 18),
    (*b"FK", 18),
    (*b"FO", 18),
    (*b"FR", 27),
    (*b"GB", 22),
    (*b"GE", 22),
    (*b"GI", 23),
    (*b"GL", 18),
    (*b"GR", 27),
    (*b"GT", 28),
    (*b"HN", 28),
    (*b"HR", 21),
    (*b"HU", 28),
    (*b"IE", 22),
    (*b"IL", 23),
    (*b"IQ", 23),
    (*b"IS", 26),
    (*b"IT", 27),
    (*b"JO", 30),
    (*b"KW", 30),
    (*b"KZ", 20),
    (*b"LB", 28),
    (*b"LC", 32),
    (*b"LI", 21),
    (*b"LT", 20),
    (*b"LU", 20),
    (*b"LV", 21),
    (*b"LY", 25),
    (*b"MC", 27),
    (*b"MD", 24),
    (*b"ME", 22),
    (*b"MK", 19),
    (*b"MN", 20),
    (*b"MR", 27),
    (*b"MT", 31),
    (*b"MU", 30),
    (*b"NI", 28),
    (*b"NL", 18),
    (*b"NO", 15),
    (*b"OM", 23),
    (*b"PK", 24),
    (*b"PL", 28),
    (*b"PS", 29),
    (*b"PT", 25),
    (*b"QA", 29),
    (*b"RO", 24),
    (*b"RS", 22),
    (*b"RU", 33),
    (*b"SA", 24),
    (*b"SC", 31),
    (*b"SD", 18),
    (*b"SE", 24),
    (*b"SI", 19),
    (*b"SK", 24),
    (*b"SM", 27),
    (*b"SO", 23),
    (*b"ST", 25),
    (*b"SV", 28),
    (*b"TL", 23),
    (*b"TN", 24),
    (*b"TR", 26),
    (*b"UA", 29),
    (*b"VA", 22),
    (*b"VG", 24),
    (*b"XK", 20),
    (*b"YE", 30),
];

pub(super) fn is_valid(value: &[u8]) -> bool {
    if !(15..=34).contains(&value.len()) {
        return false;
    }
    let (head, bban) = value.split_at(4);
    let (country, check) = head.split_at(2);
    if !country.iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    // MOD 97-10 yields 98 - (n mod 97), i.e. 02..=98; 00, 01 and 99 only
    // pass the modulo because they are congruent to 97, 98 and 02.
    match digits::<2>(check) {
        Some(check) if (2..=98).contains(&to_number(&check)) => {}
        _ => return false,
    }
    let registered = IBAN_LENGTHS.binary_search_by(|(code, _)| code.as_slice().cmp(country));
    if let Ok(index) = registered {
        if usize::from(IBAN_LENGTHS[index].1) != value.len() {
            return false;
        }
    }
    let mut remainder = 0_u32;
    for &byte in bban.iter().chain(head) {
        remainder = match byte {
            b'0'..=b'9' => (remainder * 10 + u32::from(byte - b'0')) % 97,
            b'A'..=b'Z' => (remainder * 100 + u32::from(byte - b'A') + 10) % 97,
            _ => return false,
        };
    }
    remainder == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validators::Validator::Iban;

    #[test]
    fn iban_accepts_published_examples() {
        for iban in [
            "FR76 3000 6000 0112 3456 7890 189",
            "GB82 WEST 1234 5698 7654 32",
            "DE89 3704 0044 0532 0130 00",
            "NO93 8601 1117 947",
            "BR18 0036 0305 0000 1000 9795 493C 1",
        ] {
            assert!(Iban.is_valid(iban), "{iban}");
        }
    }

    #[test]
    fn iban_letters_are_case_insensitive() {
        assert!(Iban.is_valid("gb82 west 1234 5698 7654 32"));
        assert!(Iban.is_valid("fr7630006000011234567890189"));
    }

    #[test]
    fn iban_rejects_a_changed_digit() {
        assert!(!Iban.is_valid("DE89 3704 0044 0532 0130 01"));
        assert!(!Iban.is_valid("GB82 WEST 1234 5698 7654 33"));
        assert!(!Iban.is_valid("FR77 3000 6000 0112 3456 7890 189"));
    }

    #[test]
    fn iban_registry_table_is_sorted_for_binary_search() {
        assert!(IBAN_LENGTHS.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(IBAN_LENGTHS
            .iter()
            .all(|&(_, length)| (15..=34).contains(&length)));
    }

    #[test]
    fn iban_rejects_a_registered_country_with_the_wrong_length() {
        // Passes MOD 97-10, but German IBANs have 22 characters, not 23.
        assert!(!Iban.is_valid("DE54 3704 0044 0532 0130 001"));
    }

    #[test]
    fn iban_of_an_unregistered_country_passes_on_the_checksum_alone() {
        assert!(Iban.is_valid("ZZ33 1234 5678 9012 345"));
        assert!(!Iban.is_valid("ZZ34 1234 5678 9012 345"));
    }

    #[test]
    fn iban_rejects_check_digits_the_algorithm_never_produces() {
        assert!(Iban.is_valid("GB02 WEST 1234 5698 7600 82"));
        // 99 is congruent to 02 modulo 97, so the remainder is still 1.
        assert!(!Iban.is_valid("GB99 WEST 1234 5698 7600 82"));
    }

    #[test]
    fn iban_rejects_malformed_structure() {
        assert!(!Iban.is_valid("7630006000011234567890189FR"));
        assert!(!Iban.is_valid("F176 3000 6000 0112 3456 7890 189"));
        assert!(!Iban.is_valid("FRA6 3000 6000 0112 3456 7890 189"));
        assert!(!Iban.is_valid("NO93 8601 1117 94"));
        assert!(!Iban.is_valid(&format!("ZZ00{}", "1".repeat(31))));
    }
}
