//! France's tax number of a person (numéro fiscal, SPI, "numéro
//! d'identification fiscale").
//!
//! Source: DGFiP, the tax number's structure as given in the OECD's TIN
//! sheet for France: 13 digits, the first `0`-`3`, the last three equal to
//! the first ten modulo 511.

use super::{digits, to_number};

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<13>(value) else {
        return false;
    };
    d[0] <= 3 && to_number(&d[..10]) % 511 == to_number(&d[10..])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::FranceTaxId;

    #[test]
    fn tax_number_key_is_the_first_ten_digits_modulo_511() {
        // The OECD's example.
        assert!(FranceTaxId.is_valid("30 23 217 600 053"));
        assert!(!FranceTaxId.is_valid("30 23 217 600 054"));
        assert!(!FranceTaxId.is_valid("40 23 217 600 053"));
    }
}
