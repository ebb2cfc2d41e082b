//! Colombia's tax identification number (NIT, Número de Identificación
//! Tributaria).
//!
//! Source: DIAN, Orden Administrativa 4 de 1989, the NIT's verification
//! digit: the digits from the right weighted by the primes 3, 7, 13, 17, 19,
//! 23, 29, 37, 41, 43, 47, 53, 59, 67, 71; a remainder `r` of the sum
//! modulo 11 gives `r` when below 2, else `11 - r`. NITs have 8 to 16 digits
//! in all, the verification digit last.

const WEIGHTS: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];

pub(super) fn is_valid(value: &[u8]) -> bool {
    let [number @ .., check] = value else {
        return false;
    };
    if !(8..=16).contains(&value.len()) || !value.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = number
        .iter()
        .rev()
        .zip(WEIGHTS)
        .map(|(&byte, weight)| u32::from(byte - b'0') * weight)
        .sum();
    let expected = match sum % 11 {
        remainder @ (0 | 1) => remainder,
        remainder => 11 - remainder,
    };
    u32::from(check - b'0') == expected
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::ColombiaNit;

    #[test]
    fn nit_verification_digit_uses_prime_weights() {
        assert!(ColombiaNit.is_valid("213.123.432-1"));
        assert!(ColombiaNit.is_valid("890.903.938-8"));
        assert!(!ColombiaNit.is_valid("890.903.938-7"));
    }
}
