//! Estonia's and Lithuania's personal identification code (isikukood,
//! asmens kodas).
//!
//! Source: EVS 585:2007 (Estonia) and the Lithuanian Residents' Register
//! rules, both built on the same layout: 11 digits, sex and century (`1`/`2`
//! 1800s, `3`/`4` 1900s, `5`/`6` 2000s), the date of birth `YYMMDD`, a serial
//! and a check digit: the first ten weighted 1, 2, ..., 9, 1 modulo 11, or
//! when that leaves 10, weighted 3, 4, ..., 9, 1, 2, 3, where 10 again gives 0.

use super::{digits, is_date, weighted_sum};

/// The check digit of the first ten digits.
fn check_digit(values: &[u8]) -> u32 {
    const FIRST: [u32; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1];
    const SECOND: [u32; 10] = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3];
    let weighted = |weights: [u32; 10]| -> u32 { weighted_sum(values, &weights) % 11 };
    match weighted(FIRST) {
        10 => weighted(SECOND) % 10,
        check => check,
    }
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<11>(value) else {
        return false;
    };
    let century = match d[0] {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        _ => return false,
    };
    is_date(
        century + u32::from(d[1] * 10 + d[2]),
        d[3] * 10 + d[4],
        d[5] * 10 + d[6],
    ) && check_digit(&d[..10]) == u32::from(d[10])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::EstoniaIsikukood;

    #[test]
    fn isikukood_check_digit_and_date() {
        assert!(EstoniaIsikukood.is_valid("36805280109"));
        assert!(!EstoniaIsikukood.is_valid("36805280108"));
        assert!(!EstoniaIsikukood.is_valid("96805280109"));
    }
}
