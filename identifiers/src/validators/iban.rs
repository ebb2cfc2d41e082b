//! International Bank Account Number (IBAN).
//!
//! Source: ISO 13616-1 (structure), ISO 7064 MOD 97-10 (check digits), and
//! the SWIFT IBAN registry, release 101, for each country's BBAN structure.

use super::{digits, to_number};

/// The BBAN structure of every country in the SWIFT IBAN registry, sorted by
/// country code for binary search, in the registry's own notation without
/// the `!` (every length there is fixed): a run of `<count><class>` where
/// `n` is digits, `a` upper-case letters and `c` letters or digits. The IBAN
/// is 4 characters (country code and check digits) longer than its BBAN.
const BBAN_STRUCTURES: [([u8; 2], &str); 89] = [
    (*b"AD", "4n4n12c"),
    (*b"AE", "3n16n"),
    (*b"AL", "8n16c"),
    (*b"AT", "5n11n"),
    (*b"AZ", "4a20c"),
    (*b"BA", "3n3n8n2n"),
    (*b"BE", "3n7n2n"),
    (*b"BG", "4a4n2n8c"),
    (*b"BH", "4a14c"),
    (*b"BI", "5n5n11n2n"),
    (*b"BR", "8n5n10n1a1c"),
    (*b"BY", "4c4n16c"),
    (*b"CH", "5n12c"),
    (*b"CR", "4n14n"),
    (*b"CY", "3n5n16c"),
    (*b"CZ", "4n16n"),
    (*b"DE", "8n10n"),
    (*b"DJ", "5n5n11n2n"),
    (*b"DK", "4n9n1n"),
    (*b"DO", "4c20n"),
    (*b"EE", "2n14n"),
    (*b"EG", "4n4n17n"),
    (*b"ES", "4n4n1n1n10n"),
    (*b"FI", "3n11n"),
    (*b"FK", "2a12n"),
    (*b"FO", "4n9n1n"),
    (*b"FR", "5n5n11c2n"),
    (*b"GB", "4a6n8n"),
    (*b"GE", "2a16n"),
    (*b"GI", "4a15c"),
    (*b"GL", "4n9n1n"),
    (*b"GR", "3n4n16c"),
    (*b"GT", "4c20c"),
    (*b"HN", "4a20n"),
    (*b"HR", "7n10n"),
    (*b"HU", "3n4n1n15n1n"),
    (*b"IE", "4a6n8n"),
    (*b"IL", "3n3n13n"),
    (*b"IQ", "4a3n12n"),
    (*b"IS", "4n2n6n10n"),
    (*b"IT", "1a5n5n12c"),
    (*b"JO", "4a4n18c"),
    (*b"KW", "4a22c"),
    (*b"KZ", "3n13c"),
    (*b"LB", "4n20c"),
    (*b"LC", "4a24c"),
    (*b"LI", "5n12c"),
    (*b"LT", "5n11n"),
    (*b"LU", "3n13c"),
    (*b"LV", "4a13c"),
    (*b"LY", "3n3n15n"),
    (*b"MC", "5n5n11c2n"),
    (*b"MD", "2c18c"),
    (*b"ME", "3n13n2n"),
    (*b"MK", "3n10c2n"),
    (*b"MN", "4n12n"),
    (*b"MR", "5n5n11n2n"),
    (*b"MT", "4a5n18c"),
    (*b"MU", "4a2n2n12n3n3a"),
    (*b"NI", "4a20n"),
    (*b"NL", "4a10n"),
    (*b"NO", "4n6n1n"),
    (*b"OM", "3n16c"),
    (*b"PK", "4a16c"),
    (*b"PL", "8n16n"),
    (*b"PS", "4a21c"),
    (*b"PT", "4n4n11n2n"),
    (*b"QA", "4a21c"),
    (*b"RO", "4a16c"),
    (*b"RS", "3n13n2n"),
    (*b"RU", "9n5n15c"),
    (*b"SA", "2n18c"),
    (*b"SC", "4a2n2n16n3a"),
    (*b"SD", "2n12n"),
    (*b"SE", "3n16n1n"),
    (*b"SI", "5n8n2n"),
    (*b"SK", "4n6n10n"),
    (*b"SM", "1a5n5n12c"),
    (*b"SO", "4n3n12n"),
    (*b"ST", "4n4n11n2n"),
    (*b"SV", "4a20n"),
    (*b"TL", "3n14n2n"),
    (*b"TN", "2n3n13n2n"),
    (*b"TR", "5n1n16c"),
    (*b"UA", "6n19c"),
    (*b"VA", "3n15n"),
    (*b"VG", "4a16n"),
    (*b"XK", "4n10n2n"),
    (*b"YE", "4a4n18c"),
];

/// How many characters a structure describes (the BBAN's length), or None
/// when it is not well formed. Used by the tests that guard the table.
#[cfg(test)]
fn structure_len(structure: &str) -> Option<usize> {
    let mut total = 0;
    let mut count = 0;
    for byte in structure.bytes() {
        match byte {
            b'0'..=b'9' => count = count * 10 + usize::from(byte - b'0'),
            b'n' | b'a' | b'c' if count > 0 => {
                total += count;
                count = 0;
            }
            _ => return None,
        }
    }
    (count == 0 && total > 0).then_some(total)
}

/// True when `bban` has exactly the characters `structure` prescribes.
/// `bban` is already upper-case letters and digits (see `compact`).
fn matches_structure(bban: &[u8], structure: &str) -> bool {
    let mut rest = bban;
    let mut count = 0;
    for class in structure.bytes() {
        if class.is_ascii_digit() {
            count = count * 10 + usize::from(class - b'0');
            continue;
        }
        if rest.len() < count {
            return false;
        }
        let (run, tail) = rest.split_at(count);
        let fits = match class {
            b'n' => run.iter().all(u8::is_ascii_digit),
            b'a' => run.iter().all(u8::is_ascii_uppercase),
            // `c`: any letter or digit, which `compact` already guarantees.
            _ => true,
        };
        if !fits {
            return false;
        }
        rest = tail;
        count = 0;
    }
    rest.is_empty()
}

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
    let registered = BBAN_STRUCTURES.binary_search_by(|(code, _)| code.as_slice().cmp(country));
    if let Ok(index) = registered {
        if !matches_structure(bban, BBAN_STRUCTURES[index].1) {
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
        assert!(BBAN_STRUCTURES.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn iban_registry_structures_are_well_formed_and_fit_an_iban() {
        for (country, structure) in BBAN_STRUCTURES {
            let len = structure_len(structure);
            assert!(
                len.is_some_and(|len| (11..=30).contains(&len)),
                "{country:?} {structure}"
            );
        }
        // Spot checks against the registry: FR 27, DE 22, GB 22, NO 15.
        let iban_len = |code: &[u8; 2]| {
            BBAN_STRUCTURES
                .iter()
                .find(|(country, _)| country == code)
                .and_then(|(_, structure)| structure_len(structure))
                .map(|len| len + 4)
        };
        assert_eq!(iban_len(b"FR"), Some(27));
        assert_eq!(iban_len(b"DE"), Some(22));
        assert_eq!(iban_len(b"GB"), Some(22));
        assert_eq!(iban_len(b"NO"), Some(15));
    }

    #[test]
    fn iban_rejects_letters_where_the_registry_says_digits() {
        // DE is 8!n10!n: a letter in the account number fails even when the
        // check digits are recomputed for it (MOD 97-10 alone accepts it).
        assert!(!Iban.is_valid("DE05 3704 0044 0532 0130 0A"));
        // GB is 4!a6!n8!n: the bank code must be letters.
        assert!(!Iban.is_valid("GB25 1234 1234 5698 7654 32"));
        // FR's account number is 11!c: letters are allowed there.
        assert!(Iban.is_valid("FR14 2004 1010 0505 0001 3M02 606"));
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
