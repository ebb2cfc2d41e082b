//! Hungary's tax identification number of a person (adóazonosító jel).
//!
//! Source: 2003. évi XCII. törvény (Art.), 16. melléklet, and the NAV's
//! description of the tax number: 10 digits, the first `8`; the 2nd-6th are
//! the days from 1 January 1867 to the date of birth; the last is a check
//! digit equal to the first nine weighted 1 to 9, modulo 11 (a remainder of
//! 10 is never issued).

use super::{digits, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 9] = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    digits::<10>(value)
        .is_some_and(|d| d[0] == 8 && weighted_sum(&d, &WEIGHTS) % 11 == u32::from(d[9]))
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::HungaryTaxId;

    #[test]
    fn tax_id_starts_with_8_and_has_a_mod_11_check_digit() {
        // 8*1 + 1*2 + 2*3 + 3*4 + 4*5 + 5*6 + 6*7 + 7*8 + 8*9 = 248; 248 mod 11 = 6.
        assert!(HungaryTaxId.is_valid("8123456786"));
        assert!(!HungaryTaxId.is_valid("8123456787"));
        assert!(!HungaryTaxId.is_valid("7123456786"));
        // A commonly cited example: 179 mod 11 = 3.
        assert!(HungaryTaxId.is_valid("8071592153"));
    }
}
