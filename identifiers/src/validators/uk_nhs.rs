//! The NHS number of England, Wales and the Isle of Man.
//!
//! Source: NHS Data Dictionary, "NHS Number": 10 digits, the last a modulus
//! 11 check digit over the first nine with weights 10 down to 2; a check
//! value of 10 means the number is never issued.

use super::digits;

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<10>(value) else {
        return false;
    };
    let sum: u32 = d[..9]
        .iter()
        .zip((2..=10).rev())
        .map(|(&digit, weight)| u32::from(digit) * weight)
        .sum();
    match 11 - sum % 11 {
        11 => d[9] == 0,
        10 => false,
        check => u32::from(d[9]) == check,
    }
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UkNhs;

    #[test]
    fn nhs_number_check_digit_is_modulus_11() {
        // The NHS Data Dictionary's worked example.
        assert!(UkNhs.is_valid("943 476 5919"));
        assert!(!UkNhs.is_valid("943 476 5918"));
        assert!(!UkNhs.is_valid("943 476 591"));
    }
}
