//! Hong Kong's identity card number (HKID).
//!
//! Source: Immigration Department, the HKID's check digit (Registration of
//! Persons Regulations; summarised in Wikipedia, "Hong Kong identity
//! card"): one or two letters, six digits and a check character, usually
//! written in parentheses. With one letter a space (valued 36) is read in
//! front; letters count 10-35; the eight characters are weighted 9 down to
//! 2, and the check is `11 - (sum mod 11)`, where 11 gives `0` and 10 `A`.
//! The parentheses are not separators ferret ignores: the match must hold
//! the digits without them.

pub(super) fn is_valid(value: &[u8]) -> bool {
    let (letters, rest) = match value.len() {
        8 => value.split_at(1),
        9 => value.split_at(2),
        _ => return false,
    };
    let (number, check) = rest.split_at(6);
    if !letters.iter().all(u8::is_ascii_uppercase) || !number.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let padding = (letters.len() == 1).then_some(36);
    let values = padding
        .into_iter()
        .chain(letters.iter().map(|&byte| u32::from(byte - b'A') + 10))
        .chain(number.iter().map(|&byte| u32::from(byte - b'0')));
    let sum: u32 = values
        .zip((2..=9).rev())
        .map(|(value, weight)| value * weight)
        .sum();
    let expected = match (11 - sum % 11) % 11 {
        10 => b'A',
        digit => b'0' + digit as u8,
    };
    check == [expected]
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::HongKongHkid;

    #[test]
    fn hkid_check_character() {
        // 36*9 + 10*8 + 1*7 + 2*6 + 3*5 + 4*4 + 5*3 + 6*2 = 481; 11 - 481 mod 11 = 3.
        assert!(HongKongHkid.is_valid("A123456 3"));
        assert!(HongKongHkid.is_valid("A1234563"));
        assert!(!HongKongHkid.is_valid("A1234564"));
        assert!(HongKongHkid.is_valid("AB9876543"));
    }
}
