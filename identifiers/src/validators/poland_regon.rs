//! Poland's business register number (REGON).
//!
//! Source: GUS (Statistics Poland), Rozporządzenie Rady Ministrów on the
//! REGON register: 9 digits, the last the sum of the first eight weighted
//! 8, 9, 2, 3, 4, 5, 6, 7 modulo 11 (10 written 0); or 14 digits for local
//! units, a valid 9-digit REGON followed by 4 digits and a check digit with
//! weights 2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8.

/// The check digit of `body` under `weights`: the sum modulo 11, 10 as 0.
fn check_digit(body: &[u8], weights: &[u32]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(weights)
        .map(|(&byte, &weight)| u32::from(byte - b'0') * weight)
        .sum();
    b'0' + (sum % 11 % 10) as u8
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    const SHORT: [u32; 8] = [8, 9, 2, 3, 4, 5, 6, 7];
    const LONG: [u32; 13] = [2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8];
    if !value.iter().all(u8::is_ascii_digit) {
        return false;
    }
    match value.len() {
        9 => check_digit(&value[..8], &SHORT) == value[8],
        14 => {
            check_digit(&value[..8], &SHORT) == value[8]
                && check_digit(&value[..13], &LONG) == value[13]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::PolandRegon;

    #[test]
    fn regon_of_9_and_14_digits() {
        assert!(PolandRegon.is_valid("192598184"));
        assert!(PolandRegon.is_valid("12345678512347"));
        assert!(!PolandRegon.is_valid("192598183"));
        assert!(!PolandRegon.is_valid("12345678512348"));
    }
}
