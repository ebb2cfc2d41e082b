//! United States Social Security number (SSN).
//!
//! Source: Social Security Administration, "Social Security Number
//! Randomization" (areas, groups and serials never issued), and the SSA's
//! list of numbers misused after appearing in advertising.

use super::{digits, to_number};

pub(super) fn is_valid(value: &[u8]) -> bool {
    /// Numbers printed in advertising, see [`Validator::UsaSsn`].
    const ADVERTISED: [&[u8]; 3] = [b"078051120", b"219099999", b"457555462"];
    let Some(d) = digits::<9>(value) else {
        return false;
    };
    let area = to_number(&d[..3]);
    let group = to_number(&d[3..5]);
    let serial = to_number(&d[5..]);
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !ADVERTISED.contains(&value)
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::UsaSsn;

    #[test]
    fn ssn_accepts_a_well_formed_number() {
        assert!(UsaSsn.is_valid("123-45-6789"));
        assert!(UsaSsn.is_valid("899 99 9999"));
        assert!(UsaSsn.is_valid("001010001"));
    }

    #[test]
    fn ssn_rejects_areas_groups_and_serials_never_issued() {
        for ssn in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "901-12-3456",
            "999-99-9999",
            "123-00-4567",
            "123-45-0000",
        ] {
            assert!(!UsaSsn.is_valid(ssn), "{ssn}");
        }
    }

    #[test]
    fn ssn_rejects_numbers_published_in_advertising() {
        assert!(!UsaSsn.is_valid("078-05-1120"));
        assert!(!UsaSsn.is_valid("219-09-9999"));
        assert!(!UsaSsn.is_valid("457-55-5462"));
    }

    #[test]
    fn ssn_must_have_nine_digits() {
        assert!(!UsaSsn.is_valid("123-45-678"));
        assert!(!UsaSsn.is_valid("123-45-67890"));
    }
}
