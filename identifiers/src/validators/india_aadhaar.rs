//! India's Aadhaar number.
//!
//! Source: Unique Identification Authority of India, "Aadhaar Number"
//! (UIDAI's technical documentation): 12 digits, the first never `0` or `1`,
//! the last a Verhoeff check digit (J. Verhoeff, "Error Detecting Decimal
//! Codes", 1969, the dihedral group D5); UIDAI never issues a palindrome.

/// The multiplication table of the dihedral group D5.
const MULTIPLY: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/// The permutation applied to a digit at each position, by position mod 8.
const PERMUTE: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// The Verhoeff check: digits read from the right, the product is 0.
fn verhoeff(values: &[u8]) -> bool {
    let mut check = 0;
    for (position, &digit) in values.iter().rev().enumerate() {
        let permuted = PERMUTE[position % 8][usize::from(digit)];
        check = MULTIPLY[usize::from(check)][usize::from(permuted)];
    }
    check == 0
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = super::digits::<12>(value) else {
        return false;
    };
    let palindrome = d.iter().eq(d.iter().rev());
    d[0] >= 2 && !palindrome && verhoeff(&d)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::IndiaAadhaar;

    #[test]
    fn aadhaar_check_digit_is_verhoeff() {
        assert!(IndiaAadhaar.is_valid("2341 2341 2346"));
        assert!(!IndiaAadhaar.is_valid("2341 2341 2347"));
        // Verhoeff-valid, but Aadhaar numbers never start with 0 or 1.
        assert!(!IndiaAadhaar.is_valid("1341 2341 2342"));
    }
}
