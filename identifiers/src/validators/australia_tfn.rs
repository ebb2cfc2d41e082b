//! Australia's Tax File Number (TFN).
//!
//! Source: Australian Taxation Office, the TFN algorithm (as published in
//! the ATO's software developers' specifications): 9 digits whose sum
//! weighted by 1, 4, 3, 7, 5, 8, 6, 9, 10 is a multiple of 11. Only the
//! 9-digit numbers issued today are accepted: the older 8-digit ones have no
//! published algorithm ferret could check them by.

use super::{digits, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 9] = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    let Some(d) = digits::<9>(value) else {
        return false;
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    sum.is_multiple_of(11)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::AustraliaTfn;

    #[test]
    fn tfn_weighted_sum_is_a_multiple_of_11() {
        assert!(AustraliaTfn.is_valid("123 456 782"));
        assert!(AustraliaTfn.is_valid("876 543 210"));
        assert!(!AustraliaTfn.is_valid("123 456 789"));
        assert!(!AustraliaTfn.is_valid("12345678"));
    }
}
