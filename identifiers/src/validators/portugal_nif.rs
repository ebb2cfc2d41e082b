//! Portugal's tax identification number (NIF, número de identificação
//! fiscal).
//!
//! Source: Autoridade Tributária, Decreto-Lei 14/2013 (the NIF's structure):
//! 9 digits, the first never `0`; the last is `11 - (sum mod 11)` of the
//! first eight weighted 9 down to 2, where 10 and 11 give 0.

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = super::digits::<9>(value) else {
        return false;
    };
    let sum: u32 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(&digit, weight)| u32::from(digit) * weight)
        .sum();
    d[0] != 0 && (11 - sum % 11) % 11 % 10 == u32::from(d[8])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::PortugalNif;

    #[test]
    fn nif_check_digit_is_mod_11() {
        assert!(PortugalNif.is_valid("501 964 843"));
        assert!(!PortugalNif.is_valid("501 964 844"));
    }
}
