//! Italy's bank account number (BBAN), the national part of an Italian or
//! San Marino IBAN.
//!
//! Source: Associazione Bancaria Italiana, the "coordinate bancarie" (BBAN)
//! with their check letter CIN: a letter, then the bank code ABI (5 digits),
//! the branch code CAB (5 digits) and the account (12 letters or digits);
//! the CIN is computed over the 22 characters after it like the codice
//! fiscale's check character (odd and even positions valued differently,
//! the sum modulo 26 as a letter).

use super::italy_codice_fiscale::check_character;

pub(super) fn is_valid(value: &[u8]) -> bool {
    let [cin, rest @ ..] = value else {
        return false;
    };
    rest.len() == 22 && rest[..10].iter().all(u8::is_ascii_digit) && check_character(rest) == *cin
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::ItalyBban;

    #[test]
    fn bban_cin_letter() {
        // The BBAN of IT60 X054 2811 1010 0000 0123 456.
        assert!(ItalyBban.is_valid("X 05428 11101 000000123456"));
        assert!(!ItalyBban.is_valid("Y 05428 11101 000000123456"));
        assert!(!ItalyBban.is_valid("X 05428 11101 000000123457"));
    }
}
