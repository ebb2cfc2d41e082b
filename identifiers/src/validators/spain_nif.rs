//! Spain's tax identification number (NIF) of people and companies.
//!
//! Source: Real Decreto 1065/2007, arts. 18-22 (who gets which NIF), and
//! Orden EHA/451/2008 (the company NIF, formerly CIF: an entity-type letter,
//! a 2-digit province, a 5-digit serial and a control character that is the
//! Luhn check digit of those 7 digits, written as a digit or as the letter
//! `JABCDEFGHI`\[digit\]).

use super::luhn::check_digit as luhn_check_digit;
use super::spain_dni::{dni, klm, nie};

/// The entity-type letters of company NIFs (Orden EHA/451/2008).
const ENTITY_TYPES: &[u8] = b"ABCDEFGHJNPQRSUVW";

/// Company NIF (CIF): entity letter, 7 digits, control digit or letter.
fn company(value: &[u8]) -> bool {
    let [kind, number @ .., check] = value else {
        return false;
    };
    if !ENTITY_TYPES.contains(kind) || number.len() != 7 {
        return false;
    }
    let Some(digit) = luhn_check_digit(number) else {
        return false;
    };
    *check == b'0' + digit || *check == b"JABCDEFGHI"[usize::from(digit)]
}

/// Any NIF: a DNI, a NIE, a `K`/`L`/`M` NIF or a company NIF.
pub(super) fn is_valid(value: &[u8]) -> bool {
    if value.len() != 9 {
        return false;
    }
    match value[0] {
        b'0'..=b'9' => dni(value),
        b'X' | b'Y' | b'Z' => nie(value),
        b'K' | b'L' | b'M' => klm(value),
        _ => company(value),
    }
}

#[cfg(test)]
mod tests {
    use crate::validators::Validator::SpainNif;

    #[test]
    fn nif_accepts_each_kind_of_holder() {
        for nif in [
            "12345678Z",
            "X1234567L",
            "K1234567L",
            "A58818501",
            "Q2826000H",
        ] {
            assert!(SpainNif.is_valid(nif), "{nif}");
        }
    }

    #[test]
    fn company_nif_control_may_be_a_digit_or_its_letter() {
        // Luhn check digit of 5881850 is 1, written 1 or A.
        assert!(SpainNif.is_valid("A5881850A"));
        assert!(!SpainNif.is_valid("A58818502"));
        assert!(!SpainNif.is_valid("I58818501"));
    }
}
