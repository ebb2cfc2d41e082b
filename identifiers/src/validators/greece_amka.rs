//! Greece's social security number (AMKA, Αριθμός Μητρώου Κοινωνικής
//! Ασφάλισης).
//!
//! Source: ΗΔΙΚΑ (IDIKA), the AMKA's structure (Νόμος 2972/2001): 11
//! digits, the date of birth `DDMMYY` and a serial, the whole Luhn-valid.

use super::luhn::luhn;
use super::{digits, is_date};

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<11>(value) else {
        return false;
    };
    // The century is not written: 2000 stands for any year divisible by 4.
    is_date(
        2000 + u32::from(d[4] * 10 + d[5]),
        d[2] * 10 + d[3],
        d[0] * 10 + d[1],
    ) && luhn(value)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::GreeceAmka;

    #[test]
    fn amka_is_a_date_and_luhn() {
        assert!(GreeceAmka.is_valid("01013099997"));
        assert!(!GreeceAmka.is_valid("01013099998"));
    }
}
