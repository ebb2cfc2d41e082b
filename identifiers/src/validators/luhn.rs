//! The Luhn "mod 10" check digit.
//!
//! Source: ISO/IEC 7812-1, annex B (the algorithm H. P. Luhn patented in
//! 1960); Wikipedia, "Luhn algorithm". Payment cards, SIREN/SIRET, IMEI,
//! the Canadian SIN, the US NPI and many other numbers use it.

/// A generic Luhn-valid number: at least two digits, because a single digit
/// passes only as `0`, which is never an identifier.
pub(super) fn is_valid(value: &[u8]) -> bool {
    value.len() >= 2 && luhn(value)
}

/// The Luhn check (ISO/IEC 7812-1): doubling every second digit from the
/// right, subtracting 9 from doubles above 9, the sum is a multiple of 10.
/// False for an empty value or one with a non-digit.
pub(super) fn luhn(value: &[u8]) -> bool {
    let mut sum = 0_u32;
    for (position, &byte) in value.iter().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return false;
        }
        let digit = u32::from(byte - b'0');
        sum += if position % 2 == 0 {
            digit
        } else if digit > 4 {
            digit * 2 - 9
        } else {
            digit * 2
        };
    }
    !value.is_empty() && sum.is_multiple_of(10)
}

/// The digit that makes `number` followed by it Luhn-valid; None when
/// `number` holds a non-digit.
pub(super) fn check_digit(number: &[u8]) -> Option<u8> {
    let mut sum = 0_u32;
    // With the check digit appended, the rightmost digit of `number` is the
    // first one doubled.
    for (position, &byte) in number.iter().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return None;
        }
        let digit = u32::from(byte - b'0');
        sum += if position % 2 == 1 {
            digit
        } else if digit > 4 {
            digit * 2 - 9
        } else {
            digit * 2
        };
    }
    // `(10 - sum % 10) % 10` is below 10.
    Some(((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::Luhn;

    #[test]
    fn luhn_accepts_the_textbook_example_and_rejects_a_wrong_check_digit() {
        assert!(Luhn.is_valid("79927398713"));
        assert!(!Luhn.is_valid("79927398710"));
    }

    #[test]
    fn luhn_needs_at_least_two_digits() {
        assert!(!Luhn.is_valid("0"));
        assert!(Luhn.is_valid("00"));
        assert!(Luhn.is_valid("18"));
        assert!(!Luhn.is_valid("19"));
    }
}
