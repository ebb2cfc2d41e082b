//! Switzerland's social security number (AHV-Nr. / numéro AVS, since 2008).
//!
//! Source: Zentrale Ausgleichsstelle (ZAS), "Die AHV-Nummer": 13 digits
//! `756.XXXX.XXXX.XC`, `756` being Switzerland's ISO 3166 code, the last an
//! EAN-13 (GS1) check digit: the others weighted alternately 1 and 3 from
//! the left, and the digit bringing the sum to a multiple of 10.

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = super::digits::<13>(value) else {
        return false;
    };
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(index, &digit)| u32::from(digit) * if index % 2 == 0 { 1 } else { 3 })
        .sum();
    d[..3] == [7, 5, 6] && sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::SwitzerlandAhv;

    #[test]
    fn ahv_number_is_an_ean_13_starting_with_756() {
        // The ZAS's specimen.
        assert!(SwitzerlandAhv.is_valid("756.9217.0769.85"));
        assert!(!SwitzerlandAhv.is_valid("756.9217.0769.86"));
        assert!(!SwitzerlandAhv.is_valid("757.9217.0769.84"));
    }
}
