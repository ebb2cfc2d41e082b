//! Canada's Social Insurance Number (SIN).
//!
//! Source: Employment and Social Development Canada, "Social Insurance
//! Number – Code of Practice": 9 digits, Luhn-valid; the first digit gives
//! the province of registration and is never `0` (fictitious numbers such
//! as `046 454 286` appear in the SIN's own documentation) or `8` (business
//! numbers).

use super::luhn::luhn;

pub(super) fn is_valid(value: &[u8]) -> bool {
    value.len() == 9 && !matches!(value[0], b'0' | b'8') && luhn(value)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::CanadaSin;

    #[test]
    fn sin_is_luhn_valid_and_starts_with_a_province_digit() {
        assert!(CanadaSin.is_valid("130 692 544"));
        assert!(!CanadaSin.is_valid("130 692 545"));
        // Luhn-valid, but 0 and 8 are not province digits.
        assert!(!CanadaSin.is_valid("046 454 286"));
        assert!(!CanadaSin.is_valid("800 000 006"));
    }
}
