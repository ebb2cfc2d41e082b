//! India's Permanent Account Number (PAN).
//!
//! Source: Income Tax Department, "Permanent Account Number" (structure of
//! the PAN card, Notification 2003): five letters, four digits, one letter.
//! The fourth letter gives the holder's type (`P` person, `C` company, `H`
//! Hindu undivided family, `F` firm, `A` association of persons, `T` trust,
//! `B` body of individuals, `L` local authority, `J` artificial juridical
//! person, `G` government, `K` Krish); the digits are a serial from `0001`.
//! The PAN has no published check algorithm.

pub(super) fn is_valid(value: &[u8]) -> bool {
    let [a, b, c, holder, e, d1, d2, d3, d4, last] = value else {
        return false;
    };
    let serial = [*d1, *d2, *d3, *d4];
    [a, b, c, holder, e, last]
        .iter()
        .all(|byte| byte.is_ascii_uppercase())
        && b"ABCFGHJKLPT".contains(holder)
        && serial.iter().all(u8::is_ascii_digit)
        && serial != *b"0000"
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::IndiaPan;

    #[test]
    fn pan_has_a_holder_type_and_a_non_zero_serial() {
        assert!(IndiaPan.is_valid("ABCPD1234E"));
        assert!(!IndiaPan.is_valid("ABCXD1234E"));
        assert!(!IndiaPan.is_valid("ABCPD0000E"));
        assert!(!IndiaPan.is_valid("ABCPD12345"));
    }
}
