//! Hungary's social security number (TAJ szám, társadalombiztosítási
//! azonosító jel).
//!
//! Source: 1996. évi XX. törvény (the identification numbers act) and the
//! NEAK's description of the TAJ: 9 digits, the last a check digit: the
//! first eight weighted alternately 3 and 7, summed, modulo 10.

use super::{digits, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 8] = [3, 7, 3, 7, 3, 7, 3, 7];
    digits::<9>(value).is_some_and(|d| weighted_sum(&d, &WEIGHTS) % 10 == u32::from(d[8]))
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::HungaryTaj;

    #[test]
    fn taj_check_digit_uses_weights_3_and_7() {
        // 4 * (3 + 7) = 40: check digit 0.
        assert!(HungaryTaj.is_valid("111 111 110"));
        // 3*1 + 7*2 + 3*3 + 7*4 + 3*5 + 7*6 + 3*7 + 7*8 = 188: check digit 8.
        assert!(HungaryTaj.is_valid("123 456 788"));
        assert!(!HungaryTaj.is_valid("123 456 789"));
        // 3*0 + 7*3 + 3*7 + 7*6 + 3*8 + 7*7 + 3*2 + 7*1 = 170: check digit 0.
        assert!(HungaryTaj.is_valid("037 687 210"));
    }
}
