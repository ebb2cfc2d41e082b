//! France's establishment number (SIRET).
//!
//! Source: INSEE, the SIRENE register's numbering (Luhn on the 9-digit SIREN
//! and on the 14-digit SIRET), and INSEE's documented exception for La
//! Poste's establishments (digit sum a multiple of 5).

use super::luhn::luhn;

pub(super) fn is_valid(value: &[u8]) -> bool {
    /// La Poste's SIREN, whose establishments use the digit-sum rule.
    const LA_POSTE: &[u8] = b"356000000";
    /// La Poste's head office, the one La Poste SIRET that is Luhn-valid.
    const LA_POSTE_HEAD_OFFICE: &[u8] = b"35600000000048";
    if value.len() != 14 || !value.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (siren, _) = value.split_at(9);
    if !luhn(siren) {
        return false;
    }
    if siren == LA_POSTE && value != LA_POSTE_HEAD_OFFICE {
        let sum: u32 = value.iter().map(|&byte| u32::from(byte - b'0')).sum();
        sum.is_multiple_of(5)
    } else {
        luhn(value)
    }
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::{FranceSiret, Luhn};

    #[test]
    fn siret_accepts_a_luhn_valid_number_and_rejects_a_wrong_check_digit() {
        assert!(FranceSiret.is_valid("732 829 320 00074"));
        assert!(!FranceSiret.is_valid("73282932000075"));
    }

    #[test]
    fn siret_requires_its_siren_part_to_be_valid() {
        // Luhn-valid as 14 digits, but 732 829 321 is not a valid SIREN.
        assert!(Luhn.is_valid("73282932100007"));
        assert!(!FranceSiret.is_valid("73282932100007"));
    }

    #[test]
    fn siret_accepts_the_la_poste_head_office_through_luhn() {
        // Digit sum 26: only the Luhn check accepts it.
        assert!(FranceSiret.is_valid("356 000 000 00048"));
    }

    #[test]
    fn siret_accepts_la_poste_establishments_whose_digit_sum_is_a_multiple_of_5() {
        // Digit sum 35, and not Luhn-valid.
        assert!(!Luhn.is_valid("35600000049314"));
        assert!(FranceSiret.is_valid("356 000 000 49314"));
    }

    #[test]
    fn siret_rejects_la_poste_establishments_whose_digit_sum_is_not_a_multiple_of_5() {
        // Digit sum 37, not Luhn-valid either.
        assert!(!FranceSiret.is_valid("35600000049316"));
        // Digit sum 23: Luhn-valid, but only the head office uses Luhn.
        assert!(Luhn.is_valid("35600000000014"));
        assert!(!FranceSiret.is_valid("35600000000014"));
    }
}
