//! France's social security number (NIR, "numéro d'inscription au
//! répertoire", the INSEE code).
//!
//! Source: INSEE, the NIR's layout and its key `97 - (number mod 97)`, with
//! Corsica's departments `2A` and `2B` counted as `19` and `18`.

use super::{digits, to_number};

pub(super) fn is_valid(value: &[u8]) -> bool {
    if value.len() != 15 || !matches!(value[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8') {
        return false;
    }
    let mut body = [0; 13];
    body.copy_from_slice(&value[..13]);
    // INSEE: Corsica's 2A and 2B count as 19 and 18 in the key computation.
    match &body[5..7] {
        b"2A" => body[5..7].copy_from_slice(b"19"),
        b"2B" => body[5..7].copy_from_slice(b"18"),
        _ => {}
    }
    let (Some(body), Some(key)) = (digits::<13>(&body), digits::<2>(&value[13..])) else {
        return false;
    };
    let month = body[3] * 10 + body[4];
    matches!(month, 1..=12 | 20..=42 | 50..=99) && to_number(&key) == 97 - to_number(&body) % 97
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::FranceNir;

    #[test]
    fn nir_accepts_correct_keys() {
        // 97 - (1841276451089 mod 97) = 46.
        assert!(FranceNir.is_valid("1 84 12 76 451 089 46"));
        // Example published with several NIR validation libraries.
        assert!(FranceNir.is_valid("2 55 08 14 168 025 38"));
        assert!(FranceNir.is_valid("184127645108946"));
    }

    #[test]
    fn nir_rejects_a_wrong_key() {
        assert!(!FranceNir.is_valid("1 84 12 76 451 089 47"));
        assert!(!FranceNir.is_valid("1 84 12 76 451 089 00"));
    }

    #[test]
    fn nir_computes_corsican_keys_with_2a_as_19_and_2b_as_18() {
        // 97 - (2530719073004 mod 97) = 43 and 97 - (2530718073004 mod 97) = 70.
        assert!(FranceNir.is_valid("2 53 07 2A 073 004 43"));
        assert!(FranceNir.is_valid("2 53 07 2B 073 004 70"));
        assert!(FranceNir.is_valid("2 53 07 2a 073 004 43"));
        assert!(!FranceNir.is_valid("2 53 07 2A 073 004 70"));
        assert!(!FranceNir.is_valid("2 53 07 2C 073 004 43"));
    }

    #[test]
    fn nir_allows_letters_only_in_the_corsican_department() {
        assert!(!FranceNir.is_valid("2 53 07 20 A73 004 43"));
        assert!(!FranceNir.is_valid("2 53 07 2A 073 004 4B"));
    }

    #[test]
    fn nir_first_digit_must_be_a_documented_sex_code() {
        // Both carry the key matching their 13 digits.
        assert!(FranceNir.is_valid("7 84 12 76 451 089 37"));
        assert!(!FranceNir.is_valid("5 84 12 76 451 089 40"));
    }

    #[test]
    fn nir_accepts_real_months_and_insee_pseudo_months_only() {
        // Keys computed for each 13-digit prefix.
        for valid in [
            "1 84 20 76 451 089 77",
            "1 84 42 76 451 089 41",
            "1 84 50 76 451 089 72",
            "1 84 99 76 451 089 80",
        ] {
            assert!(FranceNir.is_valid(valid), "{valid}");
        }
        for invalid in [
            "1 84 00 76 451 089 48",
            "1 84 13 76 451 089 62",
            "1 84 19 76 451 089 61",
            "1 84 43 76 451 089 57",
            "1 84 45 76 451 089 89",
        ] {
            assert!(!FranceNir.is_valid(invalid), "{invalid}");
        }
    }

    #[test]
    fn nir_must_have_fifteen_characters() {
        assert!(!FranceNir.is_valid("1 84 12 76 451 089 4"));
        assert!(!FranceNir.is_valid("1 84 12 76 451 089 460"));
    }
}
