//! Chile's national role number (RUT/RUN, Rol Único Tributario/Nacional).
//!
//! Source: Servicio de Registro Civil e Identificación and SII, the RUT's
//! check digit ("dígito verificador"): the number's digits from the right
//! weighted 2, 3, 4, 5, 6, 7, 2, 3, ..., and `11 - (sum mod 11)`, where 11 is
//! written `0` and 10 `K`. The number has 7 or 8 digits.

pub(super) fn is_valid(value: &[u8]) -> bool {
    let [number @ .., check] = value else {
        return false;
    };
    if !matches!(number.len(), 7 | 8) || !number.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = number
        .iter()
        .rev()
        .zip([2, 3, 4, 5, 6, 7].into_iter().cycle())
        .map(|(&byte, weight)| u32::from(byte - b'0') * weight)
        .sum();
    let expected = match 11 - sum % 11 {
        11 => b'0',
        10 => b'K',
        digit => b'0' + digit as u8,
    };
    *check == expected
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::ChileRut;

    #[test]
    fn rut_check_digit_may_be_k() {
        assert!(ChileRut.is_valid("76.086.428-5"));
        assert!(ChileRut.is_valid("12.531.909-2"));
        assert!(ChileRut.is_valid("6.543.217-k"));
        assert!(!ChileRut.is_valid("76.086.428-K"));
        assert!(!ChileRut.is_valid("76.086.428-4"));
    }
}
