//! Ireland's Personal Public Service Number (PPS number).
//!
//! Source: Department of Social Protection, the PPSN's format (Social
//! Welfare Consolidation Act 2005, s. 262): 7 digits, a check letter and
//! optionally a second letter (`A`, `B`, `H`, or `W`, `T`, `X` in older
//! numbers). The check letter is the 7 digits weighted 8 down to 2, plus 9
//! times the second letter's rank (`A` = 1) when it is `A`, `B` or `H`,
//! modulo 23, written `W` for 0 and `A`-`V` for 1-22.

pub(super) fn is_valid(value: &[u8]) -> bool {
    let (number, check, second) = match value {
        [number @ .., check] if value.len() == 8 => (number, *check, None),
        [number @ .., check, second] if value.len() == 9 => (number, *check, Some(*second)),
        _ => return false,
    };
    if !number.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut sum: u32 = number
        .iter()
        .zip((2..=8).rev())
        .map(|(&byte, weight)| u32::from(byte - b'0') * weight)
        .sum();
    match second {
        None => {}
        Some(letter @ (b'A' | b'B' | b'H')) => sum += 9 * u32::from(letter - b'A' + 1),
        Some(b'W' | b'T' | b'X') => {}
        Some(_) => return false,
    }
    let expected = match sum % 23 {
        0 => b'W',
        rank => b'A' + rank as u8 - 1,
    };
    check == expected
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::IrelandPps;

    #[test]
    fn pps_check_letter_is_mod_23() {
        assert!(IrelandPps.is_valid("6433435F"));
        assert!(IrelandPps.is_valid("6433435FT"));
        assert!(IrelandPps.is_valid("6433435OA"));
        assert!(!IrelandPps.is_valid("6433435E"));
    }
}
