//! South Korea's resident registration number (주민등록번호, RRN).
//!
//! Source: 주민등록법 시행규칙 (Enforcement Rules of the Resident Registration
//! Act), art. 2 and its 2020 amendment: 13 digits, the date of birth
//! `YYMMDD`, a digit for sex and century (`1`/`2` 1900s, `3`/`4` 2000s,
//! `5`-`8` foreigners of those centuries, `9`/`0` 1800s) and six more. The
//! last digit used to be a weighted mod-11 check digit; numbers issued since
//! October 2020 replace the region code and check digit with random digits,
//! so only the date and the sex digit are checked.

use super::{digits, is_date};

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<13>(value) else {
        return false;
    };
    let century = match d[6] {
        1 | 2 | 5 | 6 => 1900,
        3 | 4 | 7 | 8 => 2000,
        _ => 1800,
    };
    is_date(
        century + u32::from(d[0] * 10 + d[1]),
        d[2] * 10 + d[3],
        d[4] * 10 + d[5],
    )
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::KoreaRrn;

    #[test]
    fn rrn_holds_a_real_date_of_birth() {
        assert!(KoreaRrn.is_valid("971013-9019902"));
        assert!(KoreaRrn.is_valid("000229-3234567"));
        // 29 February 1900 did not exist.
        assert!(!KoreaRrn.is_valid("000229-1234567"));
        assert!(!KoreaRrn.is_valid("971313-1019902"));
    }
}
