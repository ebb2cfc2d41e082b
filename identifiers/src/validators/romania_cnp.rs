//! Romania's personal numeric code (CNP, cod numeric personal).
//!
//! Source: Hotărârea Guvernului 1375/2006 (Annex: the CNP's structure): 13
//! digits: sex and century (`1`/`2` 1900s, `3`/`4` 1800s, `5`/`6` 2000s,
//! `7`-`9` residents and foreigners), the date of birth `YYMMDD`, the county
//! code (`01`-`48`, `51`, `52`, `70`, `80`-`83`), a serial and a check digit:
//! the first twelve weighted by `279146358279`, modulo 11, 10 written 1.

use super::{digits, is_date, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 12] = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9];
    let Some(d) = digits::<13>(value) else {
        return false;
    };
    let century = match d[0] {
        0 => return false,
        3 | 4 => 1800,
        5 | 6 => 2000,
        _ => 1900,
    };
    let county = d[7] * 10 + d[8];
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    let check = match sum % 11 {
        10 => 1,
        digit => digit,
    };
    is_date(
        century + u32::from(d[1] * 10 + d[2]),
        d[3] * 10 + d[4],
        d[5] * 10 + d[6],
    ) && matches!(county, 1..=48 | 51 | 52 | 70 | 80..=83)
        && check == u32::from(d[12])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::RomaniaCnp;

    #[test]
    fn cnp_check_digit_and_structure() {
        assert!(RomaniaCnp.is_valid("1630615123457"));
        assert!(!RomaniaCnp.is_valid("1630615123458"));
        assert!(!RomaniaCnp.is_valid("0630615123457"));
    }
}
