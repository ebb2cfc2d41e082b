//! Ontario's health card number (OHIP), one of the Canadian provincial
//! health numbers.
//!
//! Source: Ontario Ministry of Health, "Health Card Validation" reference
//! manual: 10 digits, the last a Luhn (mod 10) check digit over the first
//! nine, optionally followed by the card's version code of one or two
//! letters (`1234-567-897-AB`).

use super::luhn::luhn;

pub(super) fn is_valid(value: &[u8]) -> bool {
    let (number, version) = value.split_at(value.len().min(10));
    number.len() == 10
        && version.len() <= 2
        && version.iter().all(u8::is_ascii_uppercase)
        && luhn(number)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::CanadaOntarioHealthNumber;

    #[test]
    fn ontario_health_number_is_luhn_with_an_optional_version_code() {
        assert!(CanadaOntarioHealthNumber.is_valid("1234-567-897"));
        assert!(CanadaOntarioHealthNumber.is_valid("1234-567-897-AB"));
        assert!(!CanadaOntarioHealthNumber.is_valid("1234-567-898"));
        assert!(!CanadaOntarioHealthNumber.is_valid("1234-567-897-ABC"));
        assert!(!CanadaOntarioHealthNumber.is_valid("1234-567-897-1"));
    }
}
