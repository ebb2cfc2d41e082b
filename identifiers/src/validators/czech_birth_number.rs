//! The Czech and Slovak birth number (rodné číslo).
//!
//! Source: Zákon 133/2000 Sb. o evidenci obyvatel, § 13 (and the Slovak
//! Zákon 301/1995 Z. z.): since 1954, 10 digits: the date of birth `YYMMDD`
//! (50 added to the month for women, and 20 more when a day's serials ran
//! out, from 2004), a serial and a check digit that makes the whole number
//! divisible by 11; when the first nine digits leave 10, the check digit is
//! 0 (issued so until 1985). The 9-digit numbers of people born before 1954
//! have no check digit and are not accepted.

use super::{digits, is_date, to_number};

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<10>(value) else {
        return false;
    };
    let yy = u32::from(d[0] * 10 + d[1]);
    let year = if yy < 54 { 2000 + yy } else { 1900 + yy };
    let month = (d[2] * 10 + d[3]) % 50 % 20;
    is_date(year, month, d[4] * 10 + d[5]) && to_number(&d[..9]) % 11 % 10 == u64::from(d[9])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::CzechBirthNumber;

    #[test]
    fn birth_number_is_divisible_by_11() {
        assert!(CzechBirthNumber.is_valid("710319/2745"));
        assert!(!CzechBirthNumber.is_valid("710319/2746"));
        // Women: 50 added to the month.
        assert!(CzechBirthNumber.is_valid("736028/5163"));
    }
}
