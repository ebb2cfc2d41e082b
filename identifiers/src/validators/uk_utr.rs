//! The United Kingdom's Unique Taxpayer Reference (UTR).
//!
//! Source: HMRC's UTR validation (as used by the Self Assessment and
//! Corporation Tax online services): 10 digits, the *first* being a check
//! digit over the other nine with weights 6, 7, 8, 9, 10, 5, 4, 3, 2, taken
//! from `21987654321` at the weighted sum modulo 11.

use super::{digits, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 9] = [6, 7, 8, 9, 10, 5, 4, 3, 2];
    let Some(d) = digits::<10>(value) else {
        return false;
    };
    let sum: u32 = weighted_sum(&d[1..], &WEIGHTS);
    b"21987654321"[(sum % 11) as usize] == b'0' + d[0]
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UkUtr;

    #[test]
    fn utr_first_digit_checks_the_other_nine() {
        assert!(UkUtr.is_valid("1955839661"));
        assert!(!UkUtr.is_valid("2955839661"));
    }
}
