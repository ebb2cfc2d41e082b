//! United States Medicare Beneficiary Identifier (MBI).
//!
//! Source: CMS, "Understanding the Medicare Beneficiary Identifier (MBI)
//! Format": 11 characters, by position: `1`-`9`; a letter; a letter or
//! digit; a digit; a letter; a letter or digit; a digit; two letters; two
//! digits. Letters exclude `S`, `L`, `O`, `I`, `B` and `Z`. The MBI is
//! random and has no check digit.

/// What each position holds: `C` a digit 1-9, `N` a digit, `A` a letter,
/// `X` a letter or digit.
const LAYOUT: &[u8; 11] = b"CAXNAXNAANN";

/// An MBI letter: upper case, not one of `SLOIBZ`.
fn letter(byte: u8) -> bool {
    byte.is_ascii_uppercase() && !b"SLOIBZ".contains(&byte)
}

pub(super) fn is_valid(value: &[u8]) -> bool {
    value.len() == LAYOUT.len()
        && value.iter().zip(LAYOUT).all(|(&byte, &kind)| match kind {
            b'C' => matches!(byte, b'1'..=b'9'),
            b'N' => byte.is_ascii_digit(),
            b'A' => letter(byte),
            _ => byte.is_ascii_digit() || letter(byte),
        })
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UsaMbi;

    #[test]
    fn mbi_follows_the_cms_layout() {
        // CMS's specimen.
        assert!(UsaMbi.is_valid("1EG4-TE5-MK73"));
        assert!(UsaMbi.is_valid("1eg4te5mk73"));
        assert!(!UsaMbi.is_valid("0EG4-TE5-MK73"));
        assert!(!UsaMbi.is_valid("1SG4-TE5-MK73"));
        assert!(!UsaMbi.is_valid("1EG4-TE5-M173"));
    }
}
