//! Spain's social security number (NUSS, "número de la Seguridad Social",
//! also NAF, "número de afiliación").
//!
//! Source: Tesorería General de la Seguridad Social, the affiliation number's
//! layout as the RED system validates it: a 2-digit province, an 8-digit
//! serial and 2 control digits equal to the number they follow modulo 97,
//! where a serial below 10 000 000 is read without its leading zero (it was
//! issued with 7 digits).

use super::{digits, to_number};

pub(super) fn is_valid(value: &[u8]) -> bool {
    let Some(d) = digits::<12>(value) else {
        return false;
    };
    let province = to_number(&d[..2]);
    let serial = to_number(&d[2..10]);
    let number = if serial < 10_000_000 {
        province * 10_000_000 + serial
    } else {
        province * 100_000_000 + serial
    };
    number % 97 == to_number(&d[10..])
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::SpainNuss;

    #[test]
    fn nuss_control_digits_are_the_number_modulo_97() {
        // 281234567 mod 97 = 42: a serial issued with 7 digits.
        assert!(SpainNuss.is_valid("28/01234567/42"));
        assert!(!SpainNuss.is_valid("28/01234567/43"));
        // 2812345678 mod 97 = 40.
        assert!(SpainNuss.is_valid("28 12345678 40"));
        assert!(!SpainNuss.is_valid("28 12345678 04"));
        assert!(!SpainNuss.is_valid("28/1234567/42"));
    }
}
