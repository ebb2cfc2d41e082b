//! Mexico's taxpayer registry code (RFC, Registro Federal de Contribuyentes).
//!
//! Source: SAT, "Algoritmo para generar el RFC con homoclave" (IFAI
//! 0610100135506): a person's RFC has four letters from the name, a company's
//! three; then the date of birth or incorporation `YYMMDD` and a three-character
//! "homoclave" whose last character is a check digit over the preceding ones
//! (values `0-9 A-N & O-Z`, space and `Ñ`, weighted 13 down to 2 after
//! left-padding to 12 characters with spaces; `11 - sum mod 11`, `A` for 10).
//! The homoclave's first character is `1`-`9` or `A`-`V`, its second `1`-`9`
//! or a letter. ferret reads ASCII only: RFCs holding `Ñ` or `&` (rare, and
//! not matched by the managed identifier's pattern) are not accepted.

use super::is_date;

/// The value of an RFC character in the check digit computation.
fn value_of(byte: u8) -> u32 {
    match byte {
        b'0'..=b'9' => u32::from(byte - b'0'),
        b'A'..=b'N' => u32::from(byte - b'A') + 10,
        b'O'..=b'Z' => u32::from(byte - b'O') + 25,
        // The left padding.
        _ => 37,
    }
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    let name_len = match value.len() {
        13 => 4,
        12 => 3,
        _ => return false,
    };
    let (name, rest) = value.split_at(name_len);
    let (date, homoclave) = rest.split_at(6);
    let Some(date) = super::digits::<6>(date) else {
        return false;
    };
    let shape_ok = name.iter().all(u8::is_ascii_uppercase)
        && matches!(homoclave[0], b'1'..=b'9' | b'A'..=b'V')
        && matches!(homoclave[1], b'1'..=b'9' | b'A'..=b'Z')
        && matches!(homoclave[2], b'0'..=b'9' | b'A')
        // The century is not written; read as 20YY, so that 29 February
        // is accepted in every year divisible by 4.
        && is_date(2000 + u32::from(date[0] * 10 + date[1]), date[2] * 10 + date[3], date[4] * 10 + date[5]);
    if !shape_ok {
        return false;
    }
    let padding = 13 - value.len();
    let sum: u32 = std::iter::repeat_n(b' ', padding)
        .chain(value[..value.len() - 1].iter().copied())
        .zip((2..=13).rev())
        .map(|(byte, weight)| value_of(byte) * weight)
        .sum();
    let check = match (11 - sum % 11) % 11 {
        10 => b'A',
        digit => b'0' + digit as u8,
    };
    check == value[value.len() - 1]
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::MexicoRfc;

    #[test]
    fn rfc_accepts_people_and_companies_with_correct_check_digits() {
        assert!(MexicoRfc.is_valid("GODE561231GR8"));
        assert!(MexicoRfc.is_valid("MAB9307148T4"));
        assert!(!MexicoRfc.is_valid("GODE561231GR9"));
        assert!(!MexicoRfc.is_valid("GODE561331GR8"));
    }
}
