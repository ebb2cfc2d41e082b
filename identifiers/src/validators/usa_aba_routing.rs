//! United States bank routing number (ABA routing transit number).
//!
//! Source: American Bankers Association, "ABA Routing Number Policy" and the
//! Federal Reserve's routing symbol: 9 digits whose sum weighted 3, 7, 1,
//! 3, 7, 1, 3, 7, 1 is a multiple of 10; the first two digits are a Federal
//! Reserve routing symbol, `00`-`12` (`00` for the US government), `21`-`32`
//! (thrift institutions), `61`-`72` (electronic transactions) or `80`
//! (traveller's cheques).

use super::{digits, weighted_sum};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 9] = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    let Some(d) = digits::<9>(value) else {
        return false;
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    matches!(d[0] * 10 + d[1], 0..=12 | 21..=32 | 61..=72 | 80) && sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UsaAbaRouting;

    #[test]
    fn aba_routing_number_uses_the_3_7_1_weights() {
        assert!(UsaAbaRouting.is_valid("011000015"));
        assert!(UsaAbaRouting.is_valid("111000025"));
        assert!(!UsaAbaRouting.is_valid("111000026"));
        // Correct check digit, but 13 is not a routing symbol.
        assert!(!UsaAbaRouting.is_valid("131000018"));
    }
}
