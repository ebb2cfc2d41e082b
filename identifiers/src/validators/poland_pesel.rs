//! Poland's national identification number (PESEL).
//!
//! Source: Ustawa o ewidencji ludności (2010), art. 15, and the Ministry of
//! Digital Affairs' description of the PESEL: 11 digits: the date of birth
//! `YYMMDD`, with 20, 40, 60 or 80 added to the month for births in
//! 2000-2099, 2100-2199, 2200-2299 or 1800-1899; a serial; and a check
//! digit making the sum weighted 1, 3, 7, 9, 1, 3, 7, 9, 1, 3, 1 a multiple
//! of 10.

use super::{digits, is_date, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 11] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3, 1];
    let Some(d) = digits::<11>(value) else {
        return false;
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    let coded_month = d[2] * 10 + d[3];
    let century = match coded_month / 20 {
        0 => 1900,
        1 => 2000,
        2 => 2100,
        3 => 2200,
        _ => 1800,
    };
    let year = century + u32::from(d[0] * 10 + d[1]);
    sum.is_multiple_of(10) && is_date(year, coded_month % 20, d[4] * 10 + d[5])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::PolandPesel;

    #[test]
    fn pesel_check_digit_and_birth_date() {
        assert!(PolandPesel.is_valid("44051401359"));
        assert!(PolandPesel.is_valid("02070803628"));
        assert!(!PolandPesel.is_valid("44051401358"));
        // Correct check digit, but 31 April.
        assert!(!PolandPesel.is_valid("44043101355"));
    }
}
