//! The Netherlands' citizen service number (BSN, burgerservicenummer).
//!
//! Source: Rijksoverheid, "Logisch ontwerp BSN" (the "elfproef"): 9 digits
//! whose sum weighted 9, 8, 7, 6, 5, 4, 3, 2, -1 is a multiple of 11; never
//! all zeros.

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = super::digits::<9>(value) else {
        return false;
    };
    let sum: u32 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(&digit, weight)| u32::from(digit) * weight)
        .sum();
    d.iter().any(|&digit| digit != 0) && (sum + 11 * 9 - u32::from(d[8])).is_multiple_of(11)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::NetherlandsBsn;

    #[test]
    fn bsn_passes_the_eleven_test() {
        assert!(NetherlandsBsn.is_valid("1112.22.333"));
        assert!(!NetherlandsBsn.is_valid("1112.22.334"));
        assert!(!NetherlandsBsn.is_valid("000000000"));
    }
}
