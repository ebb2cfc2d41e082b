//! Austria's social insurance number (Versicherungsnummer, SV-Nummer).
//!
//! Source: Dachverband der Sozialversicherungsträger, the
//! Versicherungsnummer's structure: 10 digits, a 3-digit serial (never
//! starting with `0`), a check digit in the 4th place and the date of birth
//! `DDMMYY`; the check digit is the other nine digits weighted 3, 7, 9,
//! (check), 5, 8, 4, 2, 1, 6, modulo 11 (a remainder of 10 is never issued).

use super::weighted_sum;

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 10] = [3, 7, 9, 0, 5, 8, 4, 2, 1, 6];
    let Some(d) = super::digits::<10>(value) else {
        return false;
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    d[0] != 0 && sum % 11 == u32::from(d[3])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::AustriaSvnr;

    #[test]
    fn svnr_check_digit_is_in_the_fourth_place() {
        assert!(AustriaSvnr.is_valid("1237 010180"));
        assert!(!AustriaSvnr.is_valid("1238 010180"));
    }
}
