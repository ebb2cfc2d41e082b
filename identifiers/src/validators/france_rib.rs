//! France's bank account number (RIB, relevé d'identité bancaire), the BBAN
//! of a French or Monegasque IBAN.
//!
//! Source: Comité français d'organisation et de normalisation bancaires
//! (CFONB), the RIB key: 23 characters, bank code (5 digits), branch code
//! (5 digits), account number (11 letters or digits) and a 2-digit key equal
//! to `97 - ((89 * bank + 15 * branch + 3 * account) mod 97)`, the
//! account's letters counting as digits (`A`/`J` 1, `B`/`K`/`S` 2, ... `I`/`R`/`Z` 9).

/// The digit a letter of the account number counts as.
fn letter_value(byte: u8) -> u64 {
    let value = match byte {
        b'A'..=b'I' => byte - b'A' + 1,
        b'J'..=b'R' => byte - b'J' + 1,
        _ => byte - b'S' + 2,
    };
    u64::from(value)
}

/// The number written by `bytes`, digits and (for the account) letters.
fn number(bytes: &[u8]) -> Option<u64> {
    bytes.iter().try_fold(0_u64, |number, &byte| {
        let digit = match byte {
            b'0'..=b'9' => u64::from(byte - b'0'),
            b'A'..=b'Z' => letter_value(byte),
            _ => return None,
        };
        Some(number * 10 + digit)
    })
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    if value.len() != 23 {
        return false;
    }
    let (bank, rest) = value.split_at(5);
    let (branch, rest) = rest.split_at(5);
    let (account, key) = rest.split_at(11);
    let digits_only = |part: &[u8]| part.iter().all(u8::is_ascii_digit);
    if !digits_only(bank) || !digits_only(branch) || !digits_only(key) {
        return false;
    }
    let (Some(bank), Some(branch), Some(account), Some(key)) =
        (number(bank), number(branch), number(account), number(key))
    else {
        return false;
    };
    97 - (89 * bank + 15 * branch + 3 * account) % 97 == key
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::FranceRib;

    #[test]
    fn rib_key_is_mod_97() {
        // The BBAN of FR76 3000 6000 0112 3456 7890 189.
        assert!(FranceRib.is_valid("30006 00001 12345678901 89"));
        assert!(!FranceRib.is_valid("30006 00001 12345678901 88"));
        // Letters in the account count as digits: the BBAN of
        // FR14 2004 1010 0505 0001 3M02 606.
        assert!(FranceRib.is_valid("20041 01005 0500013M026 06"));
    }
}
