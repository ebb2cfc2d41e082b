//! Norway's national identity number (fødselsnummer) and D-number.
//!
//! Source: Skatteetaten, "Fødselsnummer" (the Folkeregister's numbering):
//! the date of birth `DDMMYY` (40 added to the day in a D-number, 40 to the
//! month in an H-number), a 3-digit individual number that also gives the
//! century, and two mod-11 check digits with weights 3, 7, 6, 1, 8, 9, 4, 5,
//! 2 and 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 (a remainder giving 10 is never issued).

use super::{digits, is_date, weighted_sum};

/// The mod-11 check digit of `values` under `weights`; None when it would be 10.
fn check_digit(values: &[u8], weights: &[u32]) -> Option<u8> {
    let sum: u32 = weighted_sum(values, weights);
    match (11 - sum % 11) % 11 {
        10 => None,
        digit => Some(digit as u8),
    }
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<11>(value) else {
        return false;
    };
    let day = match d[0] * 10 + d[1] {
        day @ 41..=71 => day - 40,
        day => day,
    };
    let month = match d[2] * 10 + d[3] {
        month @ 41..=52 => month - 40,
        month => month,
    };
    let year = u32::from(d[4] * 10 + d[5]);
    let individual = u32::from(d[6]) * 100 + u32::from(d[7]) * 10 + u32::from(d[8]);
    let century = match individual {
        0..=499 => 1900,
        500..=749 if year >= 54 => 1800,
        500..=999 if year < 40 => 2000,
        900..=999 => 1900,
        _ => return false,
    };
    is_date(century + year, month, day)
        && check_digit(&d[..9], &[3, 7, 6, 1, 8, 9, 4, 5, 2]) == Some(d[9])
        && check_digit(&d[..10], &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) == Some(d[10])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::NorwayFodselsnummer;

    #[test]
    fn fodselsnummer_has_two_check_digits() {
        assert!(NorwayFodselsnummer.is_valid("151086 95088"));
        assert!(!NorwayFodselsnummer.is_valid("151086 95089"));
        assert!(!NorwayFodselsnummer.is_valid("151086 95078"));
    }
}
