//! Checksum validators for sensitive-data matches.
//!
//! A data identifier's regular expression only finds *candidates*: eleven
//! digits may be a Brazilian CPF or a phone number. Most national and
//! financial identifiers carry check digits (or a fixed structure) so that
//! typing errors are caught; a [`Validator`] recomputes them and rejects
//! candidates that cannot be real identifiers, which removes most false
//! positives at almost no cost.
//!
//! # Input normalisation
//!
//! Matches are handed over exactly as they appear in the document, so the
//! usual grouping separators are ignored: ASCII space, `.`, `-`, `/`, and the
//! no-break spaces U+00A0 and U+202F (French typography groups the digits of a
//! SIREN, NIR or IBAN with them, and office software writes them to files).
//! Every other character must be an ASCII letter or digit, and letters are
//! compared case-insensitively. Anything else, whether other punctuation,
//! tabs, or non-ASCII letters and digits such as full-width `５`, makes the
//! value invalid, as does a value with more than 64 letters and digits (the
//! longest identifier, an IBAN, has 34). The value is normalised into a fixed
//! stack buffer, so validation never allocates and no input makes it panic.
//!
//! # Layout
//!
//! This module holds the [`Validator`] enum, the names identifier files use
//! for it, the normalisation and the arithmetic several checks share. Each
//! check lives in its own submodule, whose documentation names the
//! specification it follows.

use std::fmt;

mod brazil_cnpj;
mod brazil_cpf;
mod credit_card;
mod france_nir;
mod france_siren;
mod france_siret;
mod iban;
mod luhn;
mod usa_ssn;

/// The longest value, separators excluded, any validator can accept: 64 is
/// well above the longest identifier (an IBAN, at most 34 characters by
/// ISO 13616) and keeps the normalisation buffer on the stack.
const MAX_LEN: usize = 64;

/// A checksum (and structure) check applied to a match's text.
///
/// Use [`Validator::is_valid`] on the matched text; the module documentation
/// describes how separators are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validator {
    /// The Luhn "mod 10" check (ISO/IEC 7812-1, annex B) on any string of at
    /// least two digits. Generic: payment cards, SIREN/SIRET, IMEI, Canadian
    /// SIN and many other numbers use it. A single digit is rejected because
    /// only `0` would pass and that is never an identifier.
    Luhn,
    /// Brazilian individual taxpayer number (CPF, Receita Federal): 11 digits,
    /// the last two being mod-11 check digits with weights 10..=2 and 11..=2.
    /// Values made of one repeated digit (`000.000.000-00`, `111.111.111-11`,
    /// ...) all satisfy the arithmetic, but they are never issued and are the
    /// usual placeholders typed into forms, so they are rejected.
    BrazilCpf,
    /// Brazilian company number (CNPJ, Receita Federal): 14 characters, the
    /// last two being mod-11 check digits with weights 5..=2, 9..=2 and
    /// 6..=2, 9..=2 (the remainders 0 and 1 give the digit 0). Values made of
    /// one repeated character are rejected like for the CPF.
    ///
    /// Since July 2026 new CNPJs may carry upper-case letters in their first
    /// twelve characters (Instrução Normativa RFB nº 2.229/2024); each
    /// character then counts as its ASCII code minus 48 (`A` = 17), which
    /// leaves the value of digits unchanged. Both formats are accepted; the
    /// two check digits are always digits.
    BrazilCnpj,
    /// French establishment number (SIRET, INSEE): the 9-digit SIREN of the
    /// company, itself Luhn-valid, followed by a 5-digit establishment number,
    /// the whole 14 digits passing the Luhn check.
    ///
    /// One exception is documented: La Poste (SIREN `356000000`) has more
    /// establishments than the Luhn-valid establishment numbers allow, so
    /// its SIRETs are only required to have a *sum of the 14 digits* that is
    /// a multiple of 5; its head office, `356 000 000 00048`, is the one La
    /// Poste SIRET checked with Luhn.
    FranceSiret,
    /// French company number (SIREN, INSEE): 9 digits, Luhn-valid.
    FranceSiren,
    /// French social security number (NIR, "numéro de sécurité sociale",
    /// INSEE): 13 characters and a 2-digit key equal to
    /// `97 - (number mod 97)`, so 15 characters in all. The structure checks
    /// follow INSEE's published layout, leniently where INSEE allows
    /// exceptions:
    ///
    /// * position 1, sex: `1` (men) or `2` (women); `3`, `4`, `7` and `8`
    ///   occur in special and provisional registrations (such as the NIA,
    ///   "numéro identifiant d'attente", assigned while a registration is
    ///   pending), which are built like a NIR, key included;
    /// * positions 2-3, year of birth: any two digits;
    /// * positions 4-5, month of birth: `01`-`12`, or a *pseudo-month*
    ///   `20`-`42` or `50`-`99`, which INSEE assigns when the civil-status
    ///   record does not give the month; `00` and `13`-`19`, `43`-`49` are
    ///   never used;
    /// * positions 6-7, department of birth: two digits, or `2A` / `2B` for
    ///   Corsica since 1976 (any case). For the key, INSEE replaces `2A` by
    ///   `19` and `2B` by `18`;
    /// * positions 8-13, commune or country of birth and registration order,
    ///   and positions 14-15, the key: digits.
    ///
    /// Department, commune and order codes are not checked against INSEE's
    /// lists: they change over time and the key already catches typos.
    FranceNir,
    /// International Bank Account Number (ISO 13616): a two-letter country
    /// code, two check digits and a national account number (BBAN) of up to
    /// 30 letters and digits, 15 to 34 characters in all, letters in any
    /// case. It is valid when the number read with the first four characters
    /// moved to the end and letters replaced by 10..=35 leaves 1 modulo 97
    /// (ISO 7064 MOD 97-10), and its check digits are within `02`-`98` (the
    /// only ones the algorithm produces).
    ///
    /// The length is also checked for the countries of the SWIFT IBAN
    /// registry (e.g. FR 27, DE 22, GB 22, NL 18), so that a valid IBAN with
    /// a digit dropped or added is not accepted; countries outside the
    /// registry (national or newer IBANs) pass on the checksum alone.
    Iban,
    /// Payment card number (PAN, ISO/IEC 7812): 13 to 19 digits, Luhn-valid,
    /// starting with the issuer identification number of a known card scheme
    /// and having a length that scheme issues: Visa `4` (13, 16 or 19
    /// digits); Mastercard `51`-`55` and `2221`-`2720` (16); American Express
    /// `34`, `37` (15); Discover `6011`, `644`-`649`, `65`, `622126`-`622925`
    /// (16-19); JCB `3528`-`3589` (16-19); Diners Club `300`-`305`, `36`,
    /// `38`-`39` (14-19); `UnionPay` `62` (16-19); Maestro `50`, `56`-`69`
    /// (13-19); Mir `2200`-`2204` (16-19).
    ///
    /// Managed identifiers only: identifier files cannot name it.
    CreditCard,
    /// US Social Security number (SSA): 9 digits `AAA-GG-SSSS`. The Social
    /// Security Administration never issues area `000`, `666` or `900`-`999`,
    /// group `00` or serial `0000`. Also rejected are numbers that are
    /// well-known because they were printed in advertising, and so show up in
    /// documents without identifying anyone: `078-05-1120` (the Woolworth
    /// wallet insert), `219-09-9999` (an SSA advertisement) and `457-55-5462`
    /// (`LifeLock` advertisements).
    ///
    /// Managed identifiers only: identifier files cannot name it.
    UsaSsn,
}

impl Validator {
    /// The validators an identifier file may name, in the order they are documented.
    ///
    /// [`Validator::CreditCard`] and [`Validator::UsaSsn`] are missing on
    /// purpose: they are tied to the managed identifiers' own regular
    /// expressions and are not offered to custom identifiers.
    pub const FILE_NAMES: [(&'static str, Validator); 7] = [
        ("luhn", Validator::Luhn),
        ("brazil_cpf", Validator::BrazilCpf),
        ("brazil_cnpj", Validator::BrazilCnpj),
        ("france_siret", Validator::FranceSiret),
        ("france_siren", Validator::FranceSiren),
        ("france_nir", Validator::FranceNir),
        ("iban", Validator::Iban),
    ];

    /// Parses a name from an identifier file (`luhn`, `brazil_cpf`, ...);
    /// None for unknown names and for the managed-only validators.
    ///
    /// Names are matched exactly (they are lower-case `snake_case`, like every
    /// other key of an identifier file).
    #[must_use]
    pub fn from_file_name(name: &str) -> Option<Validator> {
        Self::FILE_NAMES
            .iter()
            .find(|(file_name, _)| *file_name == name)
            .map(|&(_, validator)| validator)
    }

    /// The `snake_case` name (also for `CreditCard` -> `"credit_card"`, `UsaSsn` -> `"usa_ssn"`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Validator::Luhn => "luhn",
            Validator::BrazilCpf => "brazil_cpf",
            Validator::BrazilCnpj => "brazil_cnpj",
            Validator::FranceSiret => "france_siret",
            Validator::FranceSiren => "france_siren",
            Validator::FranceNir => "france_nir",
            Validator::Iban => "iban",
            Validator::CreditCard => "credit_card",
            Validator::UsaSsn => "usa_ssn",
        }
    }

    /// True when the match's text, separators ignored, passes the check.
    ///
    /// Never panics and never allocates, whatever the input.
    #[must_use]
    pub fn is_valid(self, text: &str) -> bool {
        let mut buf = [0; MAX_LEN];
        let Some(value) = compact(text, &mut buf) else {
            return false;
        };
        match self {
            Validator::Luhn => luhn::is_valid(value),
            Validator::BrazilCpf => brazil_cpf::is_valid(value),
            Validator::BrazilCnpj => brazil_cnpj::is_valid(value),
            Validator::FranceSiret => france_siret::is_valid(value),
            Validator::FranceSiren => france_siren::is_valid(value),
            Validator::FranceNir => france_nir::is_valid(value),
            Validator::Iban => iban::is_valid(value),
            Validator::CreditCard => credit_card::is_valid(value),
            Validator::UsaSsn => usa_ssn::is_valid(value),
        }
    }
}

impl fmt::Display for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Copies the letters and digits of `text` into `buf`, upper-cased, skipping
/// separators. None when `text` holds any other character or more than
/// [`MAX_LEN`] letters and digits.
fn compact<'a>(text: &str, buf: &'a mut [u8; MAX_LEN]) -> Option<&'a [u8]> {
    let mut len = 0;
    for c in text.chars() {
        if matches!(c, ' ' | '.' | '-' | '/' | '\u{a0}' | '\u{202f}') {
            continue;
        }
        if !c.is_ascii_alphanumeric() {
            return None;
        }
        let byte = u8::try_from(c).ok()?;
        *buf.get_mut(len)? = byte.to_ascii_uppercase();
        len += 1;
    }
    buf.get(..len)
}

/// The numeric values of `value` when it is exactly `N` ASCII digits.
fn digits<const N: usize>(value: &[u8]) -> Option<[u8; N]> {
    if value.len() != N {
        return None;
    }
    let mut out = [0; N];
    for (slot, &byte) in out.iter_mut().zip(value) {
        if !byte.is_ascii_digit() {
            return None;
        }
        *slot = byte - b'0';
    }
    Some(out)
}

/// The number written by `values`, each 0..=9, most significant first.
/// Callers pass at most 13 digits, far below `u64::MAX`.
fn to_number(values: &[u8]) -> u64 {
    values
        .iter()
        .fold(0, |number, &digit| number * 10 + u64::from(digit))
}

/// True when all bytes of `value` are the same (vacuously for 0 or 1 byte).
fn all_same(value: &[u8]) -> bool {
    value.windows(2).all(|pair| pair[0] == pair[1])
}

/// The Receita Federal mod-11 check digit of `values` under `weights`: the
/// weighted sum's remainder modulo 11, with remainders 0 and 1 giving 0 and
/// any other `r` giving `11 - r`.
fn mod11_check_digit(values: &[u8], weights: &[u8]) -> u32 {
    let sum: u32 = values
        .iter()
        .zip(weights)
        .map(|(&value, &weight)| u32::from(value) * u32::from(weight))
        .sum();
    match sum % 11 {
        0 | 1 => 0,
        remainder => 11 - remainder,
    }
}

#[cfg(test)]
mod tests {
    use super::Validator::{
        BrazilCnpj, BrazilCpf, CreditCard, FranceNir, FranceSiren, FranceSiret, Iban, Luhn, UsaSsn,
    };
    use super::*;

    const ALL: [Validator; 9] = [
        Luhn,
        BrazilCpf,
        BrazilCnpj,
        FranceSiret,
        FranceSiren,
        FranceNir,
        Iban,
        CreditCard,
        UsaSsn,
    ];

    // Every "valid" example below was checked against an independent
    // implementation (python-stdnum 2.2 and hand-written Python) before
    // being written down; invalid ones differ from a valid one in one place.

    // --- names -----------------------------------------------------------

    #[test]
    fn file_names_round_trip_through_from_file_name_and_name() {
        for (file_name, validator) in Validator::FILE_NAMES {
            assert_eq!(Validator::from_file_name(file_name), Some(validator));
            assert_eq!(validator.name(), file_name);
            assert_eq!(validator.to_string(), file_name);
        }
    }

    #[test]
    fn managed_only_validators_have_names_but_cannot_come_from_files() {
        assert_eq!(CreditCard.name(), "credit_card");
        assert_eq!(UsaSsn.name(), "usa_ssn");
        assert_eq!(Validator::from_file_name("credit_card"), None);
        assert_eq!(Validator::from_file_name("usa_ssn"), None);
    }

    #[test]
    fn unknown_or_differently_spelled_file_names_are_rejected() {
        for name in ["", "LUHN", "Luhn", " luhn", "brazil-cpf", "mod97", "iban "] {
            assert_eq!(Validator::from_file_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn spaces_dots_dashes_and_slashes_are_ignored() {
        assert!(Luhn.is_valid("7992-7398/713"));
        assert!(Luhn.is_valid(" 7.9.9.2.7.3.9.8.7.1.3 "));
        assert!(CreditCard.is_valid("4111-1111/1111.1111"));
        assert!(BrazilCpf.is_valid("529 982 247 25"));
        assert!(FranceSiret.is_valid("732-829-320-00074"));
    }

    #[test]
    fn no_break_spaces_used_in_french_typography_are_ignored() {
        assert!(FranceSiren.is_valid("732\u{a0}829\u{a0}320"));
        assert!(FranceSiren.is_valid("732\u{202f}829\u{202f}320"));
    }

    #[test]
    fn letters_in_a_digit_only_value_make_it_invalid() {
        assert!(!BrazilCpf.is_valid("529.982.247-2X"));
        assert!(!FranceSiren.is_valid("7328293A0"));
        assert!(!Luhn.is_valid("7992739871O"));
        assert!(!UsaSsn.is_valid("123-4S-6789"));
        assert!(!CreditCard.is_valid("4111 1111 1111 111l"));
    }

    #[test]
    fn other_punctuation_and_whitespace_make_the_value_invalid() {
        for text in [
            "529,982,247-25",
            "529_982_247_25",
            "529.982.247:25",
            "(529)98224725",
            "529\t982\t247\t25",
            "529\n982.247-25",
        ] {
            assert!(!BrazilCpf.is_valid(text), "{text:?}");
        }
    }

    #[test]
    fn empty_or_separator_only_input_is_invalid() {
        for validator in ALL {
            assert!(!validator.is_valid(""), "{validator}");
            assert!(!validator.is_valid(" - . / "), "{validator}");
        }
    }

    #[test]
    fn input_longer_than_the_buffer_is_invalid() {
        // 64 digits still fit; 65 do not, whatever the checksum says.
        let fits = format!("{}3", "9".repeat(63));
        let too_long = format!("{}4", "9".repeat(64));
        assert!(Luhn.is_valid(&fits));
        assert!(!Luhn.is_valid(&too_long));
        let huge = "1".repeat(1_000_000);
        for validator in ALL {
            assert!(!validator.is_valid(&huge), "{validator}");
        }
    }

    #[test]
    fn non_ascii_input_is_invalid_and_does_not_panic() {
        for text in [
            "５２９.９８２.２４７-２５", // full-width digits
            "٥٢٩٩٨٢٢٤٧٢٥",               // Arabic-Indic digits
            "529.982.247-2é",
            "5\u{301}29.982.247-25", // combining acute accent
            "4111 1111 1111 1111 \u{1f4b3}",
            "\u{feff}79927398713", // byte-order mark
            "FR76 3000 6000 0112 3456 7890 18ß",
            "2 53 07 2Ä 073 004 43",
        ] {
            for validator in ALL {
                assert!(!validator.is_valid(text), "{validator} {text:?}");
            }
        }
    }

    #[test]
    fn no_validator_panics_on_odd_lengths_and_characters() {
        let samples = [
            "0",
            "00",
            "2A",
            "2A2B",
            "FR",
            "FR76",
            "FR7",
            "ZZ99",
            "3560000000",
            "356000000",
            "\u{0}",
            "\u{10ffff}",
        ];
        for validator in ALL {
            for sample in samples {
                let _ = validator.is_valid(sample);
            }
            for length in 0..=70 {
                let _ = validator.is_valid(&"7".repeat(length));
                let _ = validator.is_valid(&"Z".repeat(length));
                let _ = validator.is_valid(&"2A".repeat(length));
            }
        }
    }
}
