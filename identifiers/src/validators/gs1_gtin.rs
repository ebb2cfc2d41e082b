//! GS1 Global Trade Item Number (GTIN-8, -12, -13, -14: EAN and UPC codes),
//! the device identifier of a GS1 medical device UDI.
//!
//! Source: GS1 General Specifications, section 7.9 ("Check digit
//! calculation"): the digits weighted alternately 3 and 1 from the right
//! (the check digit itself weighted 1) sum to a multiple of 10.

pub(super) fn is_valid(value: &[u8]) -> bool {
    if !matches!(value.len(), 8 | 12 | 13 | 14) || !value.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = value
        .iter()
        .rev()
        .enumerate()
        .map(|(position, &byte)| u32::from(byte - b'0') * if position % 2 == 0 { 1 } else { 3 })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::Gs1Gtin;

    #[test]
    fn gtin_check_digit_of_each_length() {
        assert!(Gs1Gtin.is_valid("4006381333931"));
        assert!(Gs1Gtin.is_valid("036000291452"));
        assert!(Gs1Gtin.is_valid("73513537"));
        assert!(Gs1Gtin.is_valid("00614141999996"));
        assert!(!Gs1Gtin.is_valid("4006381333932"));
        assert!(!Gs1Gtin.is_valid("400638133393"));
    }
}
