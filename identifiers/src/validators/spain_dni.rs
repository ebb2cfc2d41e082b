//! Spain's national identity document number (DNI) and foreigner's number
//! (NIE), and the letters both end with.
//!
//! Source: Ministerio del Interior, "Cálculo del dígito de control del NIF/NIE"
//! (the number modulo 23 indexes `TRWAGMYFPDXBNJZSQVHLCKE`; a NIE's leading
//! `X`, `Y` or `Z` counts as `0`, `1` or `2`); Real Decreto 1065/2007, art. 20
//! (the `K`, `L` and `M` NIFs of people without a DNI or NIE).

/// The control letter for each remainder modulo 23.
const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// The control letter of a number written with up to 8 digits.
fn letter(number: &[u8]) -> Option<u8> {
    let mut remainder = 0_usize;
    for &byte in number {
        if !byte.is_ascii_digit() {
            return None;
        }
        remainder = (remainder * 10 + usize::from(byte - b'0')) % 23;
    }
    Some(LETTERS[remainder])
}

/// DNI: 8 digits and their control letter (`12345678Z`).
pub(super) fn dni(value: &[u8]) -> bool {
    match value {
        [number @ .., check] if number.len() == 8 => letter(number) == Some(*check),
        _ => false,
    }
}

/// NIE: `X`, `Y` or `Z`, 7 digits and a control letter computed with the
/// leading letter replaced by `0`, `1` or `2` (`X1234567L`).
pub(super) fn nie(value: &[u8]) -> bool {
    let [prefix, number @ .., check] = value else {
        return false;
    };
    let lead = match prefix {
        b'X' => b'0',
        b'Y' => b'1',
        b'Z' => b'2',
        _ => return false,
    };
    if number.len() != 7 {
        return false;
    }
    let mut digits = [lead; 8];
    digits[1..].copy_from_slice(number);
    letter(&digits) == Some(*check)
}

/// The NIF of a person without DNI or NIE: `K` (Spaniards under 14), `L`
/// (Spaniards living abroad) or `M` (foreigners without NIE), 7 digits and
/// the DNI control letter of those 7 digits.
pub(super) fn klm(value: &[u8]) -> bool {
    match value {
        [b'K' | b'L' | b'M', number @ .., check] if number.len() == 7 => {
            letter(number) == Some(*check)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::{SpainDni, SpainNie};

    #[test]
    fn dni_letter_is_the_number_modulo_23() {
        // 12345678 mod 23 = 14, the letter Z (the Ministry's own example).
        assert!(SpainDni.is_valid("12345678Z"));
        assert!(SpainDni.is_valid("12345678-z"));
        assert!(!SpainDni.is_valid("12345678A"));
        assert!(!SpainDni.is_valid("1234567Z"));
    }

    #[test]
    fn nie_counts_x_y_z_as_0_1_2() {
        assert!(SpainNie.is_valid("X1234567L"));
        assert!(SpainNie.is_valid("Y1234567X"));
        assert!(SpainNie.is_valid("Z1234567R"));
        assert!(!SpainNie.is_valid("X1234567X"));
        assert!(!SpainNie.is_valid("W1234567L"));
        assert!(!SpainNie.is_valid("12345678Z"));
    }
}
