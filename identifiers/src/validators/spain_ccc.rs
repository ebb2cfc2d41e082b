//! Spain's bank account number (CCC, Código Cuenta Cliente), the BBAN of a
//! Spanish IBAN.
//!
//! Source: Consejo Superior Bancario / Asociación Española de Banca,
//! "Código Cuenta Cliente" (norma 34): 20 digits, bank (4), branch (4), two
//! control digits, account (10). The first control digit covers bank and
//! branch, the second the account, each the digits weighted by powers of 2
//! modulo 11 (1, 2, 4, 8, 5, 10, 9, 7, 3, 6 from the left, the bank and
//! branch read with two leading zeros), a remainder `r` giving `r` below 2
//! and `11 - r` otherwise.

use super::weighted_sum;

/// The control digit of ten digits.
fn control(values: &[u8]) -> u8 {
    const WEIGHTS: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let sum: u32 = weighted_sum(values, &WEIGHTS);
    match sum % 11 {
        remainder @ (0 | 1) => remainder as u8,
        remainder => (11 - remainder) as u8,
    }
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = super::digits::<20>(value) else {
        return false;
    };
    let mut office = [0; 10];
    office[2..].copy_from_slice(&d[..8]);
    control(&office) == d[8] && control(&d[10..]) == d[9]
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::SpainCcc;

    #[test]
    fn ccc_has_two_control_digits() {
        assert!(SpainCcc.is_valid("2100 0418 45 0200051332"));
        assert!(!SpainCcc.is_valid("2100 0418 46 0200051332"));
        assert!(!SpainCcc.is_valid("2100 0418 45 0200051333"));
    }
}
