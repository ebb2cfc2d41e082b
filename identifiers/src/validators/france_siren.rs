//! France's company number (SIREN).
//!
//! Source: INSEE, the SIRENE register's numbering: 9 digits, the last one a
//! Luhn check digit.

use super::luhn::luhn;

pub(super) fn is_valid(value: &[u8]) -> bool {
    value.len() == 9 && luhn(value)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::FranceSiren;

    #[test]
    fn siren_accepts_a_luhn_valid_number_and_rejects_a_wrong_check_digit() {
        assert!(FranceSiren.is_valid("732 829 320"));
        assert!(!FranceSiren.is_valid("732 829 321"));
    }

    #[test]
    fn siren_must_have_nine_digits() {
        assert!(!FranceSiren.is_valid("73282932000074"));
        assert!(!FranceSiren.is_valid("00"));
    }
}
