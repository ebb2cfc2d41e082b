//! Germany's identity card and passport document number (Personalausweis /
//! Reisepass, since November 2010).
//!
//! Source: Bundesministerium des Innern, Personalausweisverordnung and the
//! machine-readable zone of ICAO Doc 9303 (part 3, check digits): 9
//! characters from the digits and the letters `C`, `F`-`H`, `J`-`N`, `P`,
//! `R`, `T`, `V`-`Z` (no vowels or letters confusable with digits), then a
//! check digit: the characters' values (`A` = 10 ... `Z` = 35) weighted 7,
//! 3, 1 repeating, modulo 10. The number printed on the card has no check
//! digit (it is only in the machine-readable zone), so 9 characters are
//! accepted on their alphabet alone.

/// The letters a German document number may hold.
const LETTERS: &[u8] = b"CFGHJKLMNPRTVWXYZ";

pub(super) fn is_valid(value: &[u8]) -> bool {
    let (number, check) = match value.len() {
        9 => (value, None),
        10 => (&value[..9], Some(value[9])),
        _ => return false,
    };
    let mut sum = 0_u32;
    for (&byte, weight) in number.iter().zip([7, 3, 1].into_iter().cycle()) {
        let digit = match byte {
            b'0'..=b'9' => u32::from(byte - b'0'),
            _ if LETTERS.contains(&byte) => u32::from(byte - b'A') + 10,
            _ => return false,
        };
        sum += digit * weight;
    }
    match check {
        None => true,
        Some(check) => check.is_ascii_digit() && sum % 10 == u32::from(check - b'0'),
    }
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::GermanyIdCard;

    #[test]
    fn id_card_number_has_an_icao_check_digit() {
        // The specimen card's number, T22000129, check digit 3.
        assert!(GermanyIdCard.is_valid("T220001293"));
        assert!(!GermanyIdCard.is_valid("T220001294"));
        // A vowel is never used.
        assert!(!GermanyIdCard.is_valid("A220001293"));
        // As printed on the card, without the check digit.
        assert!(GermanyIdCard.is_valid("T22000129"));
        assert!(!GermanyIdCard.is_valid("T2200012"));
        assert!(!GermanyIdCard.is_valid("E22000129"));
    }
}
