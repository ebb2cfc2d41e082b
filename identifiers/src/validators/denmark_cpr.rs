//! Denmark's personal identification number (CPR-nummer).
//!
//! Source: CPR-kontoret, "Personnummeret i CPR" (2008): 10 digits, the date
//! of birth `DDMMYY` and a 4-digit serial whose first digit, with the year,
//! gives the century (`0`-`3` the 1900s; `4` and `9` the 2000s up to 36 and
//! the 1900s from 37; `5`-`8` the 2000s up to 57 and the 1800s from 58).
//! Since 2007 numbers are issued without the former modulus 11 check, so
//! only the date is checked.

use super::{digits, is_date};

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<10>(value) else {
        return false;
    };
    let year = u32::from(d[4] * 10 + d[5]);
    let century = match (d[6], year) {
        (0..=3, _) | (4 | 9, 37..) => 1900,
        (5..=8, 58..) => 1800,
        _ => 2000,
    };
    is_date(century + year, d[2] * 10 + d[3], d[0] * 10 + d[1])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::DenmarkCpr;

    #[test]
    fn cpr_holds_a_real_date_of_birth() {
        assert!(DenmarkCpr.is_valid("211062-5629"));
        // 29 February 1900 never existed; 29 February 2000 did.
        assert!(!DenmarkCpr.is_valid("290200-1234"));
        assert!(DenmarkCpr.is_valid("290200-4234"));
        assert!(!DenmarkCpr.is_valid("321062-5629"));
    }
}
