//! Turkey's identity number (T.C. Kimlik No.).
//!
//! Source: Nüfus ve Vatandaşlık İşleri Genel Müdürlüğü, the identity
//! number's check digits: 11 digits, the first never `0`; the 10th is 7
//! times the sum of the 1st, 3rd, 5th, 7th and 9th digits minus the sum of
//! the 2nd, 4th, 6th and 8th, modulo 10; the 11th is the sum of the first
//! ten modulo 10.

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = super::digits::<11>(value) else {
        return false;
    };
    let odd: u32 = [d[0], d[2], d[4], d[6], d[8]]
        .iter()
        .map(|&digit| u32::from(digit))
        .sum();
    let even: u32 = [d[1], d[3], d[5], d[7]]
        .iter()
        .map(|&digit| u32::from(digit))
        .sum();
    let first: u32 = d[..10].iter().map(|&digit| u32::from(digit)).sum();
    // 7 * odd - even, kept non-negative by adding a multiple of 10.
    d[0] != 0 && (7 * odd + 90 - even) % 10 == u32::from(d[9]) && first % 10 == u32::from(d[10])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::TurkeyTckn;

    #[test]
    fn tckn_has_two_check_digits() {
        assert!(TurkeyTckn.is_valid("17291716060"));
        assert!(!TurkeyTckn.is_valid("17291716050"));
        assert!(!TurkeyTckn.is_valid("07291716092"));
    }
}
