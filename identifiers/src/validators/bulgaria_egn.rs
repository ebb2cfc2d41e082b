//! Bulgaria's uniform civil number (EGN, единен граждански номер).
//!
//! Source: Наредба за функциониране на Единната система за гражданска
//! регистрация (the ESGRAON's rules for the EGN): the date of birth `YYMMDD`
//! (20 added to the month for births in the 1800s, 40 for the 2000s), a
//! serial and a check digit: the first nine weighted 2, 4, 8, 5, 10, 9, 7,
//! 3, 6, modulo 11, 10 written 0.

use super::{digits, is_date, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 9] = [2, 4, 8, 5, 10, 9, 7, 3, 6];
    let Some(d) = digits::<10>(value) else {
        return false;
    };
    let (century, month) = match d[2] * 10 + d[3] {
        month @ 41.. => (2000, month - 40),
        month @ 21.. => (1800, month - 20),
        month => (1900, month),
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    is_date(
        century + u32::from(d[0] * 10 + d[1]),
        month,
        d[4] * 10 + d[5],
    ) && sum % 11 % 10 == u32::from(d[9])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::BulgariaEgn;

    #[test]
    fn egn_check_digit_and_birth_date() {
        assert!(BulgariaEgn.is_valid("7523169263"));
        assert!(BulgariaEgn.is_valid("8032056031"));
        assert!(!BulgariaEgn.is_valid("7523169264"));
    }
}
