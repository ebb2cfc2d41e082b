//! Vehicle identification number (VIN).
//!
//! Source: ISO 3779 (17 characters, letters other than `I`, `O` and `Q`)
//! and 49 CFR 565.15 (the check digit in position 9: each character
//! transliterated to a number, weighted 8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7,
//! 6, 5, 4, 3, 2, the sum modulo 11, 10 written `X`). The check digit is
//! mandatory in North America and China; VINs of other regions may not carry
//! it: `vin` rejects them, `vin_structure` checks ISO 3779 alone.

const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// The number a VIN character stands for; None for `I`, `O`, `Q`.
fn transliterate(byte: u8) -> Option<u32> {
    let value = match byte {
        b'0'..=b'9' => byte - b'0',
        b'A'..=b'H' => byte - b'A' + 1,
        b'J'..=b'N' => byte - b'J' + 1,
        b'P' => 7,
        b'R' => 9,
        b'S'..=b'Z' => byte - b'S' + 2,
        _ => return None,
    };
    Some(u32::from(value))
}

/// Any VIN by ISO 3779 alone: 17 letters (not `I`, `O`, `Q`) and digits,
/// whatever position 9 holds, for VINs of regions that do not use the
/// check digit (most of Europe).
pub(super) fn is_structure_valid(value: &[u8]) -> bool {
    value.len() == 17 && value.iter().all(|&byte| transliterate(byte).is_some())
}

/// A VIN whose position 9 is the North American check digit.
pub(super) fn is_valid(value: &[u8]) -> bool {
    if value.len() != 17 {
        return false;
    }
    let mut sum = 0;
    for (&byte, weight) in value.iter().zip(WEIGHTS) {
        match transliterate(byte) {
            Some(number) => sum += number * weight,
            None => return false,
        }
    }
    let check = match sum % 11 {
        10 => b'X',
        digit => b'0' + digit as u8,
    };
    value[8] == check
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::{Vin, VinStructure};

    #[test]
    fn vin_check_digit_in_position_9() {
        // Wikipedia's worked example, check digit X.
        assert!(Vin.is_valid("1M8GDM9AXKP042788"));
        assert!(Vin.is_valid("11111111111111111"));
        assert!(!Vin.is_valid("1M8GDM9A1KP042788"));
        assert!(!Vin.is_valid("1M8GDM9AXKP042789"));
        assert!(!Vin.is_valid("1M8GDM9AXKO042788"));
    }

    #[test]
    fn vin_structure_accepts_vins_without_a_check_digit() {
        // A European VIN (position 9 is a plant letter, not a check digit).
        assert!(!Vin.is_valid("WVWZZZ1JZXW000001"));
        assert!(VinStructure.is_valid("WVWZZZ1JZXW000001"));
        assert!(VinStructure.is_valid("1M8GDM9AXKP042788"));
        assert!(!VinStructure.is_valid("WVWZZZ1JZXW00000I"));
        assert!(!VinStructure.is_valid("WVWZZZ1JZXW00001"));
    }
}
