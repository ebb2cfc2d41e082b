//! Brazil's company number (CNPJ, Cadastro Nacional da Pessoa Jurídica).
//!
//! Source: Receita Federal do Brasil, the CNPJ's two mod-11 check digits,
//! and Instrução Normativa RFB nº 2.229/2024 for the alphanumeric CNPJ
//! issued from July 2026 (each character counts as its ASCII code minus 48).

use super::{all_same, digits, mod11_check_digit};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const FIRST: [u8; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    const SECOND: [u8; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    if value.len() != 14 || all_same(value) {
        return false;
    }
    let (body, check) = value.split_at(12);
    let Some(check) = digits::<2>(check) else {
        return false;
    };
    // IN RFB 2.229/2024: each character counts as its ASCII code minus 48,
    // so '0'..='9' keep their value and 'A'..='Z' count 17..=42. The first
    // check digit takes part in the second one's sum.
    let mut values = [0; 13];
    for (slot, &byte) in values.iter_mut().zip(body) {
        if !(byte.is_ascii_digit() || byte.is_ascii_uppercase()) {
            return false;
        }
        *slot = byte - b'0';
    }
    values[12] = check[0];
    mod11_check_digit(&values[..12], &FIRST) == u32::from(check[0])
        && mod11_check_digit(&values, &SECOND) == u32::from(check[1])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::BrazilCnpj;

    #[test]
    fn cnpj_accepts_a_correct_number() {
        assert!(BrazilCnpj.is_valid("11.222.333/0001-81"));
        assert!(BrazilCnpj.is_valid("11222333000181"));
    }

    #[test]
    fn cnpj_rejects_a_wrong_check_digit() {
        assert!(!BrazilCnpj.is_valid("11.222.333/0001-80"));
        assert!(!BrazilCnpj.is_valid("11.222.333/0001-71"));
    }

    #[test]
    fn cnpj_rejects_repeated_digits() {
        assert!(!BrazilCnpj.is_valid("00.000.000/0000-00"));
        assert!(!BrazilCnpj.is_valid("11.111.111/1111-11"));
    }

    #[test]
    fn cnpj_accepts_the_alphanumeric_format_of_in_rfb_2229() {
        // Receita Federal's own example of the format introduced in July 2026.
        assert!(BrazilCnpj.is_valid("12.ABC.345/01DE-35"));
        assert!(BrazilCnpj.is_valid("12.abc.345/01de-35"));
        assert!(!BrazilCnpj.is_valid("12.ABC.345/01DE-36"));
        assert!(!BrazilCnpj.is_valid("12.ABD.345/01DE-35"));
    }

    #[test]
    fn cnpj_check_digits_must_be_digits() {
        assert!(!BrazilCnpj.is_valid("11.222.333/0001-8A"));
    }
}
