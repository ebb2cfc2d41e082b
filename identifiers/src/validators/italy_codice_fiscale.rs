//! Italy's tax code of a person (codice fiscale).
//!
//! Source: Decreto ministeriale 23 dicembre 1976 (structure and check
//! character) and Decreto 12 marzo 1974 for "omocodia": when two people
//! would share a code, digits are replaced from the right by the letters
//! `LMNPQRSTUV` (0-9), so every digit position also accepts those letters.

/// The letters that stand for the digits 0-9 in an omocodia code.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
/// The month letters, January to December.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// The values of `0`-`9` and `A`-`Z` in odd positions (1st, 3rd, ...).
const ODD_VALUES: [u8; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// The value 0-9 of a digit position, written as a digit or omocodia letter.
fn digit(byte: u8) -> Option<u8> {
    if byte.is_ascii_digit() {
        return Some(byte - b'0');
    }
    let index = OMOCODIA.iter().position(|&letter| letter == byte)?;
    u8::try_from(index).ok()
}

/// The check character of the first 15 characters.
pub(super) fn check_character(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(index, &byte)| {
            // Digits count like the letter at the same index (0 like A).
            let rank = if byte.is_ascii_digit() {
                byte - b'0'
            } else {
                byte - b'A'
            };
            if index % 2 == 0 {
                u32::from(ODD_VALUES[usize::from(rank)])
            } else {
                u32::from(rank)
            }
        })
        .sum();
    // `sum % 26` is below 26, so the cast cannot truncate.
    b'A' + (sum % 26) as u8
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    if value.len() != 16 {
        return false;
    }
    let letters = [0, 1, 2, 3, 4, 5, 8, 11, 15];
    if !letters
        .iter()
        .all(|&index| value[index].is_ascii_uppercase())
    {
        return false;
    }
    let mut numbers = [0; 7];
    for (slot, index) in numbers.iter_mut().zip([6, 7, 9, 10, 12, 13, 14]) {
        match digit(value[index]) {
            Some(number) => *slot = number,
            None => return false,
        }
    }
    let Some(month) = MONTHS.iter().position(|&letter| letter == value[8]) else {
        return false;
    };
    let year = numbers[0] * 10 + numbers[1];
    // Women's day of birth is increased by 40.
    let day = match numbers[2] * 10 + numbers[3] {
        day @ 1..=31 => day,
        day @ 41..=71 => day - 40,
        _ => return false,
    };
    let days_in_month = match month {
        // The century is not written: a year divisible by 4 may be a leap
        // year (00 included, as 2000).
        1 if year % 4 == 0 => 29,
        1 => 28,
        3 | 5 | 8 | 10 => 30,
        _ => 31,
    };
    day <= days_in_month && check_character(&value[..15]) == value[15]
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::ItalyCodiceFiscale;

    #[test]
    fn codice_fiscale_accepts_correct_check_characters() {
        for code in ["RCCMNL83S18D969H", "CNTCHR83T41D969D", "MRTMTT25D09F205Z"] {
            assert!(ItalyCodiceFiscale.is_valid(code), "{code}");
        }
        assert!(!ItalyCodiceFiscale.is_valid("RCCMNL83S18D969I"));
    }

    #[test]
    fn codice_fiscale_accepts_omocodia_letters_in_digit_positions() {
        // RCCMNL83S18D969H with its last digit 9 replaced by V: new check.
        assert!(ItalyCodiceFiscale.is_valid("RCCMNL83S18D96VW"));
        assert!(!ItalyCodiceFiscale.is_valid("RCCMNL83S18D96AH"));
    }

    #[test]
    fn codice_fiscale_rejects_impossible_birth_dates() {
        // 30 February, with a correct check character.
        assert!(!ItalyCodiceFiscale.is_valid("RCCMNL83B30D969F"));
    }
}
