//! Slovenia's unique master citizen number (EMŠO, enotna matična številka
//! občana).
//!
//! Source: Zakon o centralnem registru prebivalstva (ZCRP), and the former
//! Yugoslav JMBG it continues: 13 digits, the date of birth `DDMMYYY` (the
//! year's last three digits, 800-999 for the 1800s-1900s), a register
//! region, a serial and a check digit: the first twelve weighted 7, 6, 5, 4,
//! 3, 2, 7, 6, 5, 4, 3, 2, and `11 - (sum mod 11)`, where 10 and 11 give 0.

use super::{digits, is_date, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 12] = [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let Some(d) = digits::<13>(value) else {
        return false;
    };
    let short_year = u32::from(d[4]) * 100 + u32::from(d[5]) * 10 + u32::from(d[6]);
    let year = if short_year < 800 {
        2000 + short_year
    } else {
        1000 + short_year
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    is_date(year, d[2] * 10 + d[3], d[0] * 10 + d[1])
        && (11 - sum % 11) % 11 % 10 == u32::from(d[12])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::SloveniaEmso;

    #[test]
    fn emso_check_digit_and_date() {
        assert!(SloveniaEmso.is_valid("0101006500006"));
        assert!(!SloveniaEmso.is_valid("0101006500007"));
    }
}
