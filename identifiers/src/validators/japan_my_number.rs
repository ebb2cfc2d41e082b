//! Japan's Individual Number ("My Number", 個人番号).
//!
//! Source: 行政手続における特定の個人を識別するための番号の利用等に関する
//! 法律施行令 (Cabinet Order on the My Number Act), art. 8: 12 digits, the
//! last a check digit: the first eleven weighted 6, 5, 4, 3, 2, 7, 6, 5, 4,
//! 3, 2, and `11 - (sum mod 11)`, where 10 and 11 give 0.

use super::{digits, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let Some(d) = digits::<12>(value) else {
        return false;
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    (11 - sum % 11) % 11 % 10 == u32::from(d[11])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::JapanMyNumber;

    #[test]
    fn my_number_check_digit() {
        assert!(JapanMyNumber.is_valid("6214 9832 0257"));
        assert!(!JapanMyNumber.is_valid("6214 9832 0258"));
    }
}
