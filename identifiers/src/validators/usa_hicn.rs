//! United States Health Insurance Claim Number (HICN), the Medicare number
//! the MBI replaced in 2018-2019.
//!
//! Source: CMS, Medicare Claims Processing Manual (Pub. 100-04), the HICN's
//! layout: the 9-digit Social Security number of the wage earner followed by
//! a Beneficiary Identification Code, a letter and an optional letter or
//! digit (`A` wage earner, `B` wife, `C1` child, `D` widow, `T`, `W`...).
//! The SSN part follows the SSN's own rules (see the `usa_ssn` module); the
//! HICN has no check digit. Railroad Retirement Board numbers, built
//! differently, are not accepted.

pub(super) fn is_valid(value: &[u8]) -> bool {
    let (ssn, code) = match value.len() {
        10 | 11 => value.split_at(9),
        _ => return false,
    };
    super::usa_ssn::is_valid(ssn)
        && code[0].is_ascii_uppercase()
        && code.get(1).is_none_or(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UsaHicn;

    #[test]
    fn hicn_is_an_ssn_and_a_beneficiary_code() {
        assert!(UsaHicn.is_valid("123-45-6789A"));
        assert!(UsaHicn.is_valid("123456789C1"));
        assert!(!UsaHicn.is_valid("123456789"));
        assert!(!UsaHicn.is_valid("1234567891"));
        assert!(!UsaHicn.is_valid("666456789A"));
    }
}
