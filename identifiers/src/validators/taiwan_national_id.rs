//! Taiwan's national identification number (中華民國國民身分證統一編號).
//!
//! Source: Ministry of the Interior, the ID number's check digit
//! (summarised in Wikipedia, "National identification card (Taiwan)"): a
//! letter for the place of first registration, `1` (male) or `2` (female),
//! 7 digits and a check digit. The letter counts as two digits (`A` 10, `B`
//! 11, ... with `I` 34, `O` 35, `W` 32, `X` 30, `Y` 31, `Z` 33, the others
//! following in order), weighted 1 and 9; the next eight digits 8 down to
//! 1; the check digit 1; the sum is a multiple of 10.

/// The two-digit code of each letter `A`-`Z`.
const LETTER_CODES: [u32; 26] = [
    10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30,
    31, 33,
];

pub(super) fn is_valid(value: &[u8]) -> bool {
    let [letter, number @ ..] = value else {
        return false;
    };
    let Some(d) = super::digits::<9>(number) else {
        return false;
    };
    if !letter.is_ascii_uppercase() || !matches!(d[0], 1 | 2) {
        return false;
    }
    let code = LETTER_CODES[usize::from(letter - b'A')];
    let sum = code / 10
        + code % 10 * 9
        + d[..8]
            .iter()
            .zip((1..=8).rev())
            .map(|(&digit, weight)| u32::from(digit) * weight)
            .sum::<u32>()
        + u32::from(d[8]);
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::TaiwanNationalId;

    #[test]
    fn taiwan_id_check_digit() {
        assert!(TaiwanNationalId.is_valid("A123456789"));
        assert!(!TaiwanNationalId.is_valid("A123456788"));
        assert!(!TaiwanNationalId.is_valid("A323456789"));
    }
}
