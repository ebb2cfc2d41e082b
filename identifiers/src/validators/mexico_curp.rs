//! Mexico's population registry code (CURP, Clave Única de Registro de
//! Población).
//!
//! Source: RENAPO, "Instructivo normativo para la asignación de la CURP":
//! 18 characters: four letters from the names, the date of birth `YYMMDD`,
//! sex (`H` or `M`), the state of birth (two letters, `NE` for abroad),
//! three consonants from the names, a character that is a digit for people
//! born before 2000 and a letter after, and a check digit: the characters'
//! values in `0-9 A-N Ñ O-Z` (0-36) weighted 18 down to 2, summed, and
//! subtracted from the next multiple of 10.

use super::is_date;

/// The state codes of the instructivo, `NE` (born abroad) included.
const STATES: [&[u8; 2]; 33] = [
    b"AS", b"BC", b"BS", b"CC", b"CH", b"CL", b"CM", b"CS", b"DF", b"DG", b"GR", b"GT", b"HG",
    b"JC", b"MC", b"MN", b"MS", b"NE", b"NL", b"NT", b"OC", b"PL", b"QR", b"QT", b"SL", b"SP",
    b"SR", b"TC", b"TL", b"TS", b"VZ", b"YN", b"ZS",
];

/// The value of a CURP character: `0`-`9` are 0-9, `A`-`N` 10-23, then
/// `Ñ` 24 (never in ferret's ASCII input) and `O`-`Z` 25-36.
fn value_of(byte: u8) -> u32 {
    match byte {
        b'0'..=b'9' => u32::from(byte - b'0'),
        b'A'..=b'N' => u32::from(byte - b'A') + 10,
        _ => u32::from(byte - b'O') + 25,
    }
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    if value.len() != 18 {
        return false;
    }
    let Some(date) = super::digits::<6>(&value[4..10]) else {
        return false;
    };
    let century = if value[16].is_ascii_digit() {
        1900
    } else {
        2000
    };
    let year = century + u32::from(date[0] * 10 + date[1]);
    let state: &[u8] = &value[11..13];
    let shape_ok = value[..4]
        .iter()
        .chain(&value[13..16])
        .all(u8::is_ascii_uppercase)
        && matches!(value[10], b'H' | b'M')
        && STATES.iter().any(|code| code.as_slice() == state)
        && value[16].is_ascii_alphanumeric()
        && value[17].is_ascii_digit()
        && is_date(year, date[2] * 10 + date[3], date[4] * 10 + date[5]);
    if !shape_ok {
        return false;
    }
    let sum: u32 = value[..17]
        .iter()
        .zip((2..=18).rev())
        .map(|(&byte, weight)| value_of(byte) * weight)
        .sum();
    (10 - sum % 10) % 10 == u32::from(value[17] - b'0')
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::MexicoCurp;

    #[test]
    fn curp_accepts_a_correct_check_digit() {
        assert!(MexicoCurp.is_valid("BOXW310820HNERXN09"));
        assert!(!MexicoCurp.is_valid("BOXW310820HNERXN08"));
    }

    #[test]
    fn curp_rejects_impossible_dates_states_and_sexes() {
        assert!(!MexicoCurp.is_valid("BOXW310230HNERXN09"));
        assert!(!MexicoCurp.is_valid("BOXW310820HXXRXN09"));
        assert!(!MexicoCurp.is_valid("BOXW310820ANERXN09"));
    }
}
