//! Sweden's personal identity number (personnummer) and coordination number
//! (samordningsnummer).
//!
//! Source: Skatteverket, SKV 704 ("Personnummer") and SKV 707
//! ("Samordningsnummer"): the date of birth `(YY)YYMMDD` (60 added to the day
//! in a coordination number), a 3-digit serial and a Luhn check digit over
//! the last 10 digits. Written with 10 or 12 digits; with 12, the century
//! must be 18, 19 or 20.

use super::is_date;
use super::luhn::luhn;

pub(super) fn is_valid(value: &[u8]) -> bool {
    let (year, rest) = match value.len() {
        12 => value.split_at(4),
        10 => value.split_at(2),
        _ => return false,
    };
    if !value.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Two ASCII digits as a number.
    let pair = |bytes: &[u8]| (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
    // With 10 digits the century is not written; 2000 stands for any year
    // divisible by 4 so that 29 February is accepted.
    let year = match year {
        // Written with the century: only 18, 19 and 20 are real.
        [century @ .., _, _] if century.len() == 2 => match pair(century) {
            century @ 18..=20 => u32::from(century) * 100 + u32::from(pair(&year[2..])),
            _ => return false,
        },
        _ => 2000 + u32::from(pair(year)),
    };
    let month = pair(&rest[..2]);
    let day = match pair(&rest[2..4]) {
        day @ 61..=91 => day - 60,
        day => day,
    };
    is_date(year, month, day) && luhn(&value[value.len() - 10..])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::SwedenPersonnummer;

    #[test]
    fn personnummer_is_a_date_and_luhn() {
        assert!(SwedenPersonnummer.is_valid("880320-0016"));
        assert!(SwedenPersonnummer.is_valid("19880320-0016"));
        assert!(!SwedenPersonnummer.is_valid("880320-0017"));
        // Coordination number: day 20 + 60.
        assert!(SwedenPersonnummer.is_valid("880380-0013"));
        // A century no one alive was born in.
        assert!(!SwedenPersonnummer.is_valid("29880320-0016"));
    }
}
