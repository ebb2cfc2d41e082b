//! Finland's personal identity code (henkilötunnus, HETU).
//!
//! Source: Digital and Population Data Services Agency (DVV), "The personal
//! identity code" and Valtioneuvoston asetus 128/2010 (the century signs
//! added in 2023): `DDMMYY`, a century sign (`+` 1800s; `-`, `Y`, `X`, `W`,
//! `V`, `U` 1900s; `A`-`F` 2000s), an individual number `002`-`899` and a
//! control character, `0123456789ABCDEFHJKLMNPRSTUVWXY` at the 9-digit
//! number `DDMMYYNNN` modulo 31. ferret treats `-` as a separator, so a code
//! of 10 characters is read with the `-` century sign; `+` is not accepted.

use super::is_date;

const CONTROL: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

pub(super) fn is_valid(value: &[u8]) -> bool {
    let (date, century, rest) = match value.len() {
        11 => (&value[..6], value[6], &value[7..]),
        10 => (&value[..6], b'-', &value[6..]),
        _ => return false,
    };
    let century = match century {
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    let (Some(d), Some(individual)) = (super::digits::<6>(date), super::digits::<3>(&rest[..3]))
    else {
        return false;
    };
    let individual = super::to_number(&individual);
    let number = super::to_number(&d) * 1000 + individual;
    (2..=899).contains(&individual)
        && is_date(
            century + u32::from(d[4] * 10 + d[5]),
            d[2] * 10 + d[3],
            d[0] * 10 + d[1],
        )
        && CONTROL[(number % 31) as usize] == rest[3]
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::FinlandHetu;

    #[test]
    fn hetu_control_character_is_modulo_31() {
        assert!(FinlandHetu.is_valid("131052-308T"));
        assert!(FinlandHetu.is_valid("131052308T"));
        assert!(FinlandHetu.is_valid("131052A308T"));
        assert!(!FinlandHetu.is_valid("131052-308U"));
        assert!(!FinlandHetu.is_valid("131052G308T"));
    }
}
