//! Australia's Medicare card number.
//!
//! Source: Services Australia, the Medicare card number's layout (published
//! in its Health Professional Online Services and PBS specifications): 10
//! digits: 8 identifying digits, the first `2`-`6`; a check digit, the sum of
//! the 8 weighted by 1, 3, 7, 9, 1, 3, 7, 9 modulo 10; and the card's issue
//! number, never `0`. The Individual Reference Number (`1`-`9`) that follows
//! for each person on the card may be written too (11 digits).

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 8] = [1, 3, 7, 9, 1, 3, 7, 9];
    if !matches!(value.len(), 10 | 11) || !value.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let digit = |index: usize| u32::from(value[index] - b'0');
    let sum: u32 = (0..8).map(|index| digit(index) * WEIGHTS[index]).sum();
    matches!(value[0], b'2'..=b'6')
        && sum % 10 == digit(8)
        && value[9] != b'0'
        && value.get(10).is_none_or(|&irn| irn != b'0')
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::AustraliaMedicare;

    #[test]
    fn medicare_check_digit_is_the_weighted_sum_modulo_10() {
        // 2*1 + 1*3 + 2*7 + 3*9 + 4*1 + 5*3 + 6*7 + 7*9 = 170, check 0.
        assert!(AustraliaMedicare.is_valid("2123 45670 1"));
        assert!(AustraliaMedicare.is_valid("2123 45670 1 2"));
        assert!(!AustraliaMedicare.is_valid("2123 45671 1"));
        assert!(!AustraliaMedicare.is_valid("2123 45670 0"));
        assert!(!AustraliaMedicare.is_valid("7123 45670 1"));
    }
}
