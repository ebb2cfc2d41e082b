//! Belgium's national register number (Rijksregisternummer / numéro de
//! registre national).
//!
//! Source: Koninklijk Besluit of 3 April 1984 on the national register's
//! numbering: 11 digits, the date of birth `YYMMDD` (month `00`, or day `00`,
//! when unknown), a 3-digit serial and a 2-digit key equal to `97 - (first
//! nine digits mod 97)`, computed with a leading `2` for people born from
//! 2000 on. The century is not written, so either key is accepted.

use super::{digits, to_number};

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<11>(value) else {
        return false;
    };
    let body = to_number(&d[..9]);
    let key = to_number(&d[9..]);
    let month = d[2] * 10 + d[3];
    let day = d[4] * 10 + d[5];
    body != 0
        && month <= 12
        && day <= 31
        && (97 - body % 97 == key || 97 - (2_000_000_000 + body) % 97 == key)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::BelgiumNationalNumber;

    #[test]
    fn national_number_key_for_either_century() {
        assert!(BelgiumNationalNumber.is_valid("85.07.30-033.28"));
        assert!(BelgiumNationalNumber.is_valid("17.07.30-033.84"));
        assert!(!BelgiumNationalNumber.is_valid("85.07.30-033.29"));
    }
}
