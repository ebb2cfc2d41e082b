//! Singapore's identity card and foreign identification numbers (NRIC, FIN).
//!
//! Source: Immigration & Checkpoints Authority, the NRIC/FIN check letter
//! (summarised in Wikipedia, "National Registration Identity Card"): a
//! prefix `S`/`T` (citizens and permanent residents, born before/from 2000)
//! or `F`/`G` (foreigners), 7 digits weighted 2, 7, 6, 5, 4, 3, 2 plus 4 for
//! `T` and `G`, and a check letter at the sum modulo 11 in `JZIHGFEDCBA`
//! (`S`, `T`) or `XWUTRQPNMLK` (`F`, `G`). The `M` series issued since 2022
//! uses an unpublished variant and is not accepted.

use super::weighted_sum;

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];
    let [prefix, number @ .., check] = value else {
        return false;
    };
    let Some(d) = super::digits::<7>(number) else {
        return false;
    };
    let (offset, letters) = match prefix {
        b'S' => (0, b"JZIHGFEDCBA"),
        b'T' => (4, b"JZIHGFEDCBA"),
        b'F' => (0, b"XWUTRQPNMLK"),
        b'G' => (4, b"XWUTRQPNMLK"),
        _ => return false,
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS) + offset;
    letters[(sum % 11) as usize] == *check
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::SingaporeNric;

    #[test]
    fn nric_check_letter() {
        assert!(SingaporeNric.is_valid("S1234567D"));
        assert!(SingaporeNric.is_valid("T1234567J"));
        assert!(SingaporeNric.is_valid("F1234567N"));
        assert!(!SingaporeNric.is_valid("S1234567E"));
        assert!(!SingaporeNric.is_valid("A1234567D"));
    }
}
