//! Argentina's tax identification number (CUIT/CUIL).
//!
//! Source: AFIP, Resolución General 10/1997 and the CUIT's published check
//! digit: 11 digits `TT-NNNNNNNN-C`; the type `TT` is `20`, `23`, `24`, `27`
//! (people), `30`, `33`, `34` (companies) or `50`, `51`, `55`; `C` is
//! `11 - (sum mod 11)` with weights 5, 4, 3, 2, 7, 6, 5, 4, 3, 2, where 11
//! gives 0 and 10 gives 9.

use super::{digits, weighted_sum};

/// The type prefixes AFIP issues.
const TYPES: [u8; 10] = [20, 23, 24, 27, 30, 33, 34, 50, 51, 55];

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let Some(d) = digits::<11>(value) else {
        return false;
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => 9,
        check => check,
    };
    TYPES.contains(&(d[0] * 10 + d[1])) && u32::from(d[10]) == check
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::ArgentinaCuit;

    #[test]
    fn cuit_check_digit_is_mod_11() {
        assert!(ArgentinaCuit.is_valid("20-26756539-3"));
        assert!(!ArgentinaCuit.is_valid("20-26756539-4"));
        // Correct check digit, but 21 is not a type AFIP issues.
        assert!(!ArgentinaCuit.is_valid("21-26756539-9"));
    }
}
