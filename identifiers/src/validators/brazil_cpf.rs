//! Brazil's individual taxpayer number (CPF, Cadastro de Pessoas Físicas).
//!
//! Source: Receita Federal do Brasil, the CPF's two mod-11 check digits
//! (weights 10..=2 and 11..=2); Wikipedia (pt), "Cadastro de Pessoas Físicas".

use super::{all_same, digits, mod11_check_digit};

pub(super) fn is_valid(value: &[u8]) -> bool {
    const FIRST: [u8; 9] = [10, 9, 8, 7, 6, 5, 4, 3, 2];
    const SECOND: [u8; 10] = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    let Some(d) = digits::<11>(value) else {
        return false;
    };
    !all_same(&d)
        && mod11_check_digit(&d[..9], &FIRST) == u32::from(d[9])
        && mod11_check_digit(&d[..10], &SECOND) == u32::from(d[10])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::BrazilCpf;

    #[test]
    fn cpf_accepts_a_correct_number_formatted_or_not() {
        assert!(BrazilCpf.is_valid("529.982.247-25"));
        assert!(BrazilCpf.is_valid("52998224725"));
    }

    #[test]
    fn cpf_rejects_a_wrong_check_digit() {
        assert!(!BrazilCpf.is_valid("529.982.247-24"));
        assert!(!BrazilCpf.is_valid("529.982.247-15"));
    }

    #[test]
    fn cpf_rejects_repeated_digits_although_their_check_digits_match() {
        for digit in '0'..='9' {
            let cpf: String = std::iter::repeat_n(digit, 11).collect();
            assert!(!BrazilCpf.is_valid(&cpf), "{cpf}");
        }
        assert!(!BrazilCpf.is_valid("111.111.111-11"));
        assert!(!BrazilCpf.is_valid("000.000.000-00"));
    }

    #[test]
    fn cpf_rejects_wrong_lengths() {
        assert!(!BrazilCpf.is_valid("529.982.247-2"));
        assert!(!BrazilCpf.is_valid("529.982.247-250"));
    }
}
