//! United States National Provider Identifier (NPI).
//!
//! Source: CMS, "Requirements for Constructing the National Provider
//! Identifier (NPI) Check Digit": 10 digits, the first `1` or `2`, the last
//! a Luhn check digit computed with the prefix `80840` (the NPI's ISO
//! 7812 issuer identifier) in front.

use super::luhn::luhn;

pub(super) fn is_valid(value: &[u8]) -> bool {
    if value.len() != 10 || !matches!(value[0], b'1' | b'2') {
        return false;
    }
    let mut card = *b"808400000000000";
    card[5..].copy_from_slice(value);
    luhn(&card)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UsaNpi;

    #[test]
    fn npi_is_luhn_valid_behind_80840() {
        // CMS's worked example.
        assert!(UsaNpi.is_valid("1234567893"));
        assert!(!UsaNpi.is_valid("1234567890"));
        assert!(!UsaNpi.is_valid("3234567891"));
    }
}
