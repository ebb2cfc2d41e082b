//! United States Individual Taxpayer Identification Number (ITIN).
//!
//! Source: IRS, "Individual Taxpayer Identification Number" (Publication
//! 1915 and the IRS's ITIN range expansions of 2011): 9 digits `9XX-YY-ZZZZ`
//! with the group `YY` within 50-65, 70-88, 90-92 or 94-99. There is no
//! check digit.

use super::digits;

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<9>(value) else {
        return false;
    };
    d[0] == 9 && matches!(d[3] * 10 + d[4], 50..=65 | 70..=88 | 90..=92 | 94..=99)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UsaItin;

    #[test]
    fn itin_starts_with_9_and_has_an_issued_group() {
        assert!(UsaItin.is_valid("912-70-1234"));
        assert!(UsaItin.is_valid("900-50-0000"));
        assert!(!UsaItin.is_valid("912-89-1234"));
        assert!(!UsaItin.is_valid("912-66-1234"));
        assert!(!UsaItin.is_valid("812-70-1234"));
    }
}
