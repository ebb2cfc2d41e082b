//! The United Kingdom's National Insurance number (NINO).
//!
//! Source: HMRC National Insurance Manual, NIM39110 ("Validation of National
//! Insurance numbers"): two prefix letters, six digits and a suffix `A`-`D`.
//! The first letter is never `D`, `F`, `I`, `Q`, `U` or `V`, the second never
//! those or `O`; the prefixes `BG`, `GB`, `KN`, `NK`, `NT`, `TN` and `ZZ` are
//! not allocated. The number has no check digit. The suffix is often left
//! out in documents, so 8 characters are accepted too.

/// Prefixes HMRC never allocates.
const UNALLOCATED: [&[u8]; 7] = [b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"];

pub(super) fn is_valid(value: &[u8]) -> bool {
    let (prefix, rest) = match value.len() {
        8 | 9 => value.split_at(2),
        _ => return false,
    };
    let (number, suffix) = rest.split_at(6);
    let first_ok = prefix[0].is_ascii_uppercase() && !b"DFIQUV".contains(&prefix[0]);
    let second_ok = prefix[1].is_ascii_uppercase() && !b"DFIOQUV".contains(&prefix[1]);
    first_ok
        && second_ok
        && !UNALLOCATED.contains(&prefix)
        && number.iter().all(u8::is_ascii_digit)
        && matches!(suffix, [] | [b'A'..=b'D'])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UkNino;

    #[test]
    fn nino_accepts_well_formed_numbers_with_or_without_suffix() {
        for nino in ["AB123456A", "AB 12 34 56 C", "AB 12 34 56", "ce123456d"] {
            assert!(UkNino.is_valid(nino), "{nino}");
        }
    }

    #[test]
    fn nino_rejects_letters_and_prefixes_never_allocated() {
        // QQ 12 34 56 C is HMRC's specimen, never a real number.
        for nino in [
            "QQ123456C",
            "DA123456A",
            "AO123456A",
            "GB123456A",
            "ZZ123456A",
            "AB123456E",
            "A1234567A",
        ] {
            assert!(!UkNino.is_valid(nino), "{nino}");
        }
    }
}
