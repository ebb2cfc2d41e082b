//! Poland's tax identification number (NIP, numer identyfikacji podatkowej).
//!
//! Source: Rozporządzenie Ministra Finansów of 1995 on the NIP: 10 digits,
//! the last equal to the first nine weighted 6, 5, 7, 2, 3, 4, 5, 6, 7,
//! modulo 11 (a remainder of 10 is never issued).

use super::weighted_sum;

pub(super) fn is_valid(value: &[u8]) -> bool {
    const WEIGHTS: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let Some(d) = super::digits::<10>(value) else {
        return false;
    };
    let sum: u32 = weighted_sum(&d, &WEIGHTS);
    sum % 11 == u32::from(d[9])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::PolandNip;

    #[test]
    fn nip_check_digit_is_mod_11() {
        assert!(PolandNip.is_valid("856-734-62-15"));
        assert!(!PolandNip.is_valid("856-734-62-16"));
    }
}
