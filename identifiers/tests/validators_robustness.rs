//! Every validator on random input: it answers without panicking, and its
//! verdict depends only on the letters and digits (separators and case do
//! not change it). Validators run on every candidate match of a scan, so a
//! panic on odd input would abort the scan of an object.

use ferret_identifiers::Validator;

/// Characters the random values are drawn from: digits and letters (the
/// characters validators read), the separators they ignore, and characters
/// that must make a value fail (other punctuation, non-ASCII letters and
/// digits, a combining mark, a NUL).
const ALPHABET: &[char] = &[
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'K', 'X', 'Z', 'a', 'k', 'x',
    ' ', '.', '-', '/', '\u{a0}', '\u{202f}', ',', '(', ')', '&', 'Ñ', 'ß', '５', '\u{301}', '\0',
];

/// Separators and case changes that must not change any verdict.
fn reformatted(value: &str, rng: &mut fastrand::Rng) -> String {
    let mut out = String::new();
    for c in value.chars() {
        if rng.u8(..4) == 0 {
            out.push([' ', '.', '-', '/', '\u{a0}'][rng.usize(..5)]);
        }
        if rng.bool() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn validators_answer_any_input_and_ignore_separators_and_case() {
    let mut rng = fastrand::Rng::with_seed(14);
    for &(name, validator) in Validator::FILE_NAMES {
        for _ in 0..2_000 {
            let len = rng.usize(0..40);
            let value: String = (0..len)
                .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
                .collect();
            let verdict = validator.is_valid(&value);
            if value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                let other = reformatted(&value, &mut rng);
                assert_eq!(
                    validator.is_valid(&other),
                    verdict,
                    "{name}: {value:?} and {other:?}"
                );
            }
        }
    }
}

#[test]
fn valid_examples_stay_valid_however_they_are_grouped() {
    // One valid example per validator family that takes letters and digits.
    let examples = [
        (Validator::Iban, "GB82WEST12345698765432"),
        (Validator::ItalyCodiceFiscale, "RCCMNL83S18D969H"),
        (Validator::MexicoCurp, "BOXW310820HNERXN09"),
        (Validator::Vin, "1M8GDM9AXKP042788"),
        (Validator::UsaMbi, "1EG4TE5MK73"),
        (Validator::SpainNie, "X1234567L"),
    ];
    let mut rng = fastrand::Rng::with_seed(7);
    for (validator, example) in examples {
        assert!(validator.is_valid(example), "{validator} {example}");
        for _ in 0..200 {
            let other = reformatted(example, &mut rng);
            assert!(validator.is_valid(&other), "{validator} {other:?}");
        }
    }
}
