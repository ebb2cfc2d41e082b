//! Croatia's personal identification number (OIB, osobni identifikacijski
//! broj).
//!
//! Source: Zakon o osobnom identifikacijskom broju (NN 60/08) and the Tax
//! Administration's technical specification: 11 digits, the last an
//! ISO/IEC 7064 MOD 11,10 check digit.

use super::{digits, iso7064_mod11_10};

pub(super) fn is_valid(value: &[u8]) -> bool {
    digits::<11>(value).is_some_and(|d| iso7064_mod11_10(&d))
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::CroatiaOib;

    #[test]
    fn oib_check_digit_is_iso_7064_mod_11_10() {
        assert!(CroatiaOib.is_valid("94577403194"));
        assert!(!CroatiaOib.is_valid("94577403195"));
    }
}
