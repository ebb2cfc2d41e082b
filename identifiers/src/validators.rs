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

use std::fmt;

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
            Validator::Luhn => value.len() >= 2 && luhn(value),
            Validator::BrazilCpf => brazil_cpf(value),
            Validator::BrazilCnpj => brazil_cnpj(value),
            Validator::FranceSiret => france_siret(value),
            Validator::FranceSiren => value.len() == 9 && luhn(value),
            Validator::FranceNir => france_nir(value),
            Validator::Iban => iban(value),
            Validator::CreditCard => credit_card(value),
            Validator::UsaSsn => usa_ssn(value),
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

/// The Luhn check (ISO/IEC 7812-1): doubling every second digit from the
/// right, subtracting 9 from doubles above 9, the sum is a multiple of 10.
/// False for an empty value or one with a non-digit.
fn luhn(value: &[u8]) -> bool {
    let mut sum = 0_u32;
    for (position, &byte) in value.iter().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return false;
        }
        let digit = u32::from(byte - b'0');
        sum += if position % 2 == 0 {
            digit
        } else if digit > 4 {
            digit * 2 - 9
        } else {
            digit * 2
        };
    }
    !value.is_empty() && sum.is_multiple_of(10)
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

fn brazil_cpf(value: &[u8]) -> bool {
    const FIRST: [u8; 9] = [10, 9, 8, 7, 6, 5, 4, 3, 2];
    const SECOND: [u8; 10] = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    let Some(d) = digits::<11>(value) else {
        return false;
    };
    !all_same(&d)
        && mod11_check_digit(&d[..9], &FIRST) == u32::from(d[9])
        && mod11_check_digit(&d[..10], &SECOND) == u32::from(d[10])
}

fn brazil_cnpj(value: &[u8]) -> bool {
    const FIRST: [u8; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    const SECOND: [u8; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    if value.len() != 14 || all_same(value) {
        return false;
    }
    let (body, check) = value.split_at(12);
    let Some(check) = digits::<2>(check) else {
        return false;
    };
    // IN RFB 2.229/2024: each character counts as its ASCII code minus 48,
    // so '0'..='9' keep their value and 'A'..='Z' count 17..=42. The first
    // check digit takes part in the second one's sum.
    let mut values = [0; 13];
    for (slot, &byte) in values.iter_mut().zip(body) {
        if !(byte.is_ascii_digit() || byte.is_ascii_uppercase()) {
            return false;
        }
        *slot = byte - b'0';
    }
    values[12] = check[0];
    mod11_check_digit(&values[..12], &FIRST) == u32::from(check[0])
        && mod11_check_digit(&values, &SECOND) == u32::from(check[1])
}

fn france_siret(value: &[u8]) -> bool {
    /// La Poste's SIREN, whose establishments use the digit-sum rule.
    const LA_POSTE: &[u8] = b"356000000";
    /// La Poste's head office, the one La Poste SIRET that is Luhn-valid.
    const LA_POSTE_HEAD_OFFICE: &[u8] = b"35600000000048";
    if value.len() != 14 || !value.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (siren, _) = value.split_at(9);
    if !luhn(siren) {
        return false;
    }
    if siren == LA_POSTE && value != LA_POSTE_HEAD_OFFICE {
        let sum: u32 = value.iter().map(|&byte| u32::from(byte - b'0')).sum();
        sum.is_multiple_of(5)
    } else {
        luhn(value)
    }
}

fn france_nir(value: &[u8]) -> bool {
    if value.len() != 15 || !matches!(value[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8') {
        return false;
    }
    let mut body = [0; 13];
    body.copy_from_slice(&value[..13]);
    // INSEE: Corsica's 2A and 2B count as 19 and 18 in the key computation.
    match &body[5..7] {
        b"2A" => body[5..7].copy_from_slice(b"19"),
        b"2B" => body[5..7].copy_from_slice(b"18"),
        _ => {}
    }
    let (Some(body), Some(key)) = (digits::<13>(&body), digits::<2>(&value[13..])) else {
        return false;
    };
    let month = body[3] * 10 + body[4];
    matches!(month, 1..=12 | 20..=42 | 50..=99) && to_number(&key) == 97 - to_number(&body) % 97
}

/// IBAN lengths by country code, sorted for binary search. From the SWIFT
/// IBAN registry, release 101: the length is 4 (country code and check
/// digits) plus the registered BBAN length.
const IBAN_LENGTHS: [([u8; 2], u8); 89] = [
    (*b"AD", 24),
    (*b"AE", 23),
    (*b"AL", 28),
    (*b"AT", 20),
    (*b"AZ", 28),
    (*b"BA", 20),
    (*b"BE", 16),
    (*b"BG", 22),
    (*b"BH", 22),
    (*b"BI", 27),
    (*b"BR", 29),
    (*b"BY", 28),
    (*b"CH", 21),
    (*b"CR", 22),
    (*b"CY", 28),
    (*b"CZ", 24),
    (*b"DE", 22),
    (*b"DJ", 27),
    (*b"DK", 18),
    (*b"DO", 28),
    (*b"EE", 20),
    (*b"EG", 29),
    (*b"ES", 24),
    (*b"FI", 18),
    (*b"FK", 18),
    (*b"FO", 18),
    (*b"FR", 27),
    (*b"GB", 22),
    (*b"GE", 22),
    (*b"GI", 23),
    (*b"GL", 18),
    (*b"GR", 27),
    (*b"GT", 28),
    (*b"HN", 28),
    (*b"HR", 21),
    (*b"HU", 28),
    (*b"IE", 22),
    (*b"IL", 23),
    (*b"IQ", 23),
    (*b"IS", 26),
    (*b"IT", 27),
    (*b"JO", 30),
    (*b"KW", 30),
    (*b"KZ", 20),
    (*b"LB", 28),
    (*b"LC", 32),
    (*b"LI", 21),
    (*b"LT", 20),
    (*b"LU", 20),
    (*b"LV", 21),
    (*b"LY", 25),
    (*b"MC", 27),
    (*b"MD", 24),
    (*b"ME", 22),
    (*b"MK", 19),
    (*b"MN", 20),
    (*b"MR", 27),
    (*b"MT", 31),
    (*b"MU", 30),
    (*b"NI", 28),
    (*b"NL", 18),
    (*b"NO", 15),
    (*b"OM", 23),
    (*b"PK", 24),
    (*b"PL", 28),
    (*b"PS", 29),
    (*b"PT", 25),
    (*b"QA", 29),
    (*b"RO", 24),
    (*b"RS", 22),
    (*b"RU", 33),
    (*b"SA", 24),
    (*b"SC", 31),
    (*b"SD", 18),
    (*b"SE", 24),
    (*b"SI", 19),
    (*b"SK", 24),
    (*b"SM", 27),
    (*b"SO", 23),
    (*b"ST", 25),
    (*b"SV", 28),
    (*b"TL", 23),
    (*b"TN", 24),
    (*b"TR", 26),
    (*b"UA", 29),
    (*b"VA", 22),
    (*b"VG", 24),
    (*b"XK", 20),
    (*b"YE", 30),
];

fn iban(value: &[u8]) -> bool {
    if !(15..=34).contains(&value.len()) {
        return false;
    }
    let (head, bban) = value.split_at(4);
    let (country, check) = head.split_at(2);
    if !country.iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    // MOD 97-10 yields 98 - (n mod 97), i.e. 02..=98; 00, 01 and 99 only
    // pass the modulo because they are congruent to 97, 98 and 02.
    match digits::<2>(check) {
        Some(check) if (2..=98).contains(&to_number(&check)) => {}
        _ => return false,
    }
    let registered = IBAN_LENGTHS.binary_search_by(|(code, _)| code.as_slice().cmp(country));
    if let Ok(index) = registered {
        if usize::from(IBAN_LENGTHS[index].1) != value.len() {
            return false;
        }
    }
    let mut remainder = 0_u32;
    for &byte in bban.iter().chain(head) {
        remainder = match byte {
            b'0'..=b'9' => (remainder * 10 + u32::from(byte - b'0')) % 97,
            b'A'..=b'Z' => (remainder * 100 + u32::from(byte - b'A') + 10) % 97,
            _ => return false,
        };
    }
    remainder == 1
}

/// One issuer identification number range of a card scheme: the card's
/// first `prefix_len` digits are within `first..=last`, and its length is one
/// of the bits set in `lengths`.
struct CardRange {
    first: u32,
    last: u32,
    prefix_len: usize,
    lengths: u32,
}

/// Bit mask of the card lengths `min..=max`.
const fn lengths(min: u32, max: u32) -> u32 {
    (1 << (max + 1)) - (1 << min)
}

const fn card(first: u32, last: u32, prefix_len: usize, lengths: u32) -> CardRange {
    CardRange {
        first,
        last,
        prefix_len,
        lengths,
    }
}

/// Issuer ranges and lengths of the major card schemes, as the schemes
/// publish them (summarised in Wikipedia's "Payment card number" IIN table).
/// Ranges may overlap: any match counts.
const CARD_RANGES: [CardRange; 17] = [
    // Visa
    card(4, 4, 1, lengths(13, 13) | lengths(16, 16) | lengths(19, 19)),
    // Mastercard
    card(51, 55, 2, lengths(16, 16)),
    card(2221, 2720, 4, lengths(16, 16)),
    // American Express
    card(34, 34, 2, lengths(15, 15)),
    card(37, 37, 2, lengths(15, 15)),
    // Discover
    card(6011, 6011, 4, lengths(16, 19)),
    card(644, 649, 3, lengths(16, 19)),
    card(65, 65, 2, lengths(16, 19)),
    card(622_126, 622_925, 6, lengths(16, 19)),
    // JCB
    card(3528, 3589, 4, lengths(16, 19)),
    // Diners Club International
    card(300, 305, 3, lengths(14, 19)),
    card(36, 36, 2, lengths(14, 19)),
    card(38, 39, 2, lengths(14, 19)),
    // UnionPay
    card(62, 62, 2, lengths(16, 19)),
    // Maestro (also issued with 12 digits, too short to tell from noise)
    card(50, 50, 2, lengths(13, 19)),
    card(56, 69, 2, lengths(13, 19)),
    // Mir
    card(2200, 2204, 4, lengths(16, 19)),
];

fn credit_card(value: &[u8]) -> bool {
    if !(13..=19).contains(&value.len()) || !luhn(value) {
        return false;
    }
    let length_bit = 1_u32 << value.len();
    // `luhn` accepted the value, so it is all digits and at least 13 long.
    CARD_RANGES.iter().any(|range| {
        let prefix = value
            .iter()
            .take(range.prefix_len)
            .fold(0, |prefix, &byte| prefix * 10 + u32::from(byte - b'0'));
        range.lengths & length_bit != 0 && (range.first..=range.last).contains(&prefix)
    })
}

fn usa_ssn(value: &[u8]) -> bool {
    /// Numbers printed in advertising, see [`Validator::UsaSsn`].
    const ADVERTISED: [&[u8]; 3] = [b"078051120", b"219099999", b"457555462"];
    let Some(d) = digits::<9>(value) else {
        return false;
    };
    let area = to_number(&d[..3]);
    let group = to_number(&d[3..5]);
    let serial = to_number(&d[5..]);
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !ADVERTISED.contains(&value)
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

    // --- Luhn and payment cards ---------------------------------------------

    #[test]
    fn luhn_accepts_the_textbook_example_and_rejects_a_wrong_check_digit() {
        assert!(Luhn.is_valid("79927398713"));
        assert!(!Luhn.is_valid("79927398710"));
    }

    #[test]
    fn luhn_needs_at_least_two_digits() {
        assert!(!Luhn.is_valid("0"));
        assert!(Luhn.is_valid("00"));
        assert!(Luhn.is_valid("18"));
        assert!(!Luhn.is_valid("19"));
    }

    #[test]
    fn credit_card_accepts_published_test_cards_of_each_scheme() {
        for card in [
            "4111 1111 1111 1111", // Visa
            "4222222222222",       // Visa, 13 digits
            "5555 5555 5555 4444", // Mastercard 51-55
            "2223 0000 4841 0010", // Mastercard 2221-2720
            "3782 822463 10005",   // American Express
            "6011 1111 1111 1117", // Discover
            "3530 1113 3330 0000", // JCB
            "3056 930902 5904",    // Diners Club, 14 digits
            "6200 0000 0000 0005", // UnionPay
            "6759 6498 2643 8453", // Maestro
            "2200 0000 0000 0004", // Mir
            "2720 9999 9999 9996", // last Mastercard 2-series prefix
        ] {
            assert!(CreditCard.is_valid(card), "{card}");
            assert!(Luhn.is_valid(card), "{card}");
        }
    }

    #[test]
    fn credit_card_rejects_a_wrong_check_digit() {
        assert!(!CreditCard.is_valid("4111 1111 1111 1112"));
        assert!(!Luhn.is_valid("4111 1111 1111 1112"));
    }

    #[test]
    fn credit_card_rejects_luhn_valid_numbers_without_a_known_issuer_prefix() {
        for number in ["9111111111111110", "1234567812345670", "2721000000000004"] {
            assert!(Luhn.is_valid(number), "{number}");
            assert!(!CreditCard.is_valid(number), "{number}");
        }
    }

    #[test]
    fn credit_card_rejects_lengths_the_scheme_does_not_issue() {
        // Luhn-valid, but American Express numbers have 15 digits and Visa
        // numbers 13, 16 or 19.
        assert!(Luhn.is_valid("3782822463100003"));
        assert!(!CreditCard.is_valid("3782822463100003"));
        assert!(Luhn.is_valid("41111111111111113"));
        assert!(!CreditCard.is_valid("41111111111111113"));
        // Below 13 and above 19 digits nothing is a card.
        assert!(!CreditCard.is_valid("411111111116"));
        assert!(!CreditCard.is_valid("41111111111111111111"));
    }

    // --- Brazil ------------------------------------------------------------

    #[test]
    fn cpf_accepts_a_correct_number_formatted_or_not() {
        assert!(BrazilCpf.is_valid("529.982.247-25"));
        assert!(BrazilCpf.is_valid("52998224725"));
    }

    #[test]
    fn cpf_rejects_a_wrong_check_digit() {
        assert!(!BrazilCpf.is_valid("529.982.247-24"));
        assert!(!BrazilCpf.is_valid("529.982.247-15"));
    }

    #[test]
    fn cpf_rejects_repeated_digits_although_their_check_digits_match() {
        for digit in '0'..='9' {
            let cpf: String = std::iter::repeat_n(digit, 11).collect();
            assert!(!BrazilCpf.is_valid(&cpf), "{cpf}");
        }
        assert!(!BrazilCpf.is_valid("111.111.111-11"));
        assert!(!BrazilCpf.is_valid("000.000.000-00"));
    }

    #[test]
    fn cpf_rejects_wrong_lengths() {
        assert!(!BrazilCpf.is_valid("529.982.247-2"));
        assert!(!BrazilCpf.is_valid("529.982.247-250"));
    }

    #[test]
    fn cnpj_accepts_a_correct_number() {
        assert!(BrazilCnpj.is_valid("11.222.333/0001-81"));
        assert!(BrazilCnpj.is_valid("11222333000181"));
    }

    #[test]
    fn cnpj_rejects_a_wrong_check_digit() {
        assert!(!BrazilCnpj.is_valid("11.222.333/0001-80"));
        assert!(!BrazilCnpj.is_valid("11.222.333/0001-71"));
    }

    #[test]
    fn cnpj_rejects_repeated_digits() {
        assert!(!BrazilCnpj.is_valid("00.000.000/0000-00"));
        assert!(!BrazilCnpj.is_valid("11.111.111/1111-11"));
    }

    #[test]
    fn cnpj_accepts_the_alphanumeric_format_of_in_rfb_2229() {
        // Receita Federal's own example of the format introduced in July 2026.
        assert!(BrazilCnpj.is_valid("12.ABC.345/01DE-35"));
        assert!(BrazilCnpj.is_valid("12.abc.345/01de-35"));
        assert!(!BrazilCnpj.is_valid("12.ABC.345/01DE-36"));
        assert!(!BrazilCnpj.is_valid("12.ABD.345/01DE-35"));
    }

    #[test]
    fn cnpj_check_digits_must_be_digits() {
        assert!(!BrazilCnpj.is_valid("11.222.333/0001-8A"));
    }

    // --- France: SIREN and SIRET ----------------------------------------------

    #[test]
    fn siren_accepts_a_luhn_valid_number_and_rejects_a_wrong_check_digit() {
        assert!(FranceSiren.is_valid("732 829 320"));
        assert!(!FranceSiren.is_valid("732 829 321"));
    }

    #[test]
    fn siren_must_have_nine_digits() {
        assert!(!FranceSiren.is_valid("73282932000074"));
        assert!(!FranceSiren.is_valid("00"));
    }

    #[test]
    fn siret_accepts_a_luhn_valid_number_and_rejects_a_wrong_check_digit() {
        assert!(FranceSiret.is_valid("732 829 320 00074"));
        assert!(!FranceSiret.is_valid("73282932000075"));
    }

    #[test]
    fn siret_requires_its_siren_part_to_be_valid() {
        // Luhn-valid as 14 digits, but 732 829 321 is not a valid SIREN.
        assert!(Luhn.is_valid("73282932100007"));
        assert!(!FranceSiret.is_valid("73282932100007"));
    }

    #[test]
    fn siret_accepts_the_la_poste_head_office_through_luhn() {
        // Digit sum 26: only the Luhn check accepts it.
        assert!(FranceSiret.is_valid("356 000 000 00048"));
    }

    #[test]
    fn siret_accepts_la_poste_establishments_whose_digit_sum_is_a_multiple_of_5() {
        // Digit sum 35, and not Luhn-valid.
        assert!(!Luhn.is_valid("35600000049314"));
        assert!(FranceSiret.is_valid("356 000 000 49314"));
    }

    #[test]
    fn siret_rejects_la_poste_establishments_whose_digit_sum_is_not_a_multiple_of_5() {
        // Digit sum 37, not Luhn-valid either.
        assert!(!FranceSiret.is_valid("35600000049316"));
        // Digit sum 23: Luhn-valid, but only the head office uses Luhn.
        assert!(Luhn.is_valid("35600000000014"));
        assert!(!FranceSiret.is_valid("35600000000014"));
    }

    // --- France: NIR ----------------------------------------------------------

    #[test]
    fn nir_accepts_correct_keys() {
        // 97 - (1841276451089 mod 97) = 46.
        assert!(FranceNir.is_valid("1 84 12 76 451 089 46"));
        // Example published with several NIR validation libraries.
        assert!(FranceNir.is_valid("2 55 08 14 168 025 38"));
        assert!(FranceNir.is_valid("184127645108946"));
    }

    #[test]
    fn nir_rejects_a_wrong_key() {
        assert!(!FranceNir.is_valid("1 84 12 76 451 089 47"));
        assert!(!FranceNir.is_valid("1 84 12 76 451 089 00"));
    }

    #[test]
    fn nir_computes_corsican_keys_with_2a_as_19_and_2b_as_18() {
        // 97 - (2530719073004 mod 97) = 43 and 97 - (2530718073004 mod 97) = 70.
        assert!(FranceNir.is_valid("2 53 07 2A 073 004 43"));
        assert!(FranceNir.is_valid("2 53 07 2B 073 004 70"));
        assert!(FranceNir.is_valid("2 53 07 2a 073 004 43"));
        assert!(!FranceNir.is_valid("2 53 07 2A 073 004 70"));
        assert!(!FranceNir.is_valid("2 53 07 2C 073 004 43"));
    }

    #[test]
    fn nir_allows_letters_only_in_the_corsican_department() {
        assert!(!FranceNir.is_valid("2 53 07 20 A73 004 43"));
        assert!(!FranceNir.is_valid("2 53 07 2A 073 004 4B"));
    }

    #[test]
    fn nir_first_digit_must_be_a_documented_sex_code() {
        // Both carry the key matching their 13 digits.
        assert!(FranceNir.is_valid("7 84 12 76 451 089 37"));
        assert!(!FranceNir.is_valid("5 84 12 76 451 089 40"));
    }

    #[test]
    fn nir_accepts_real_months_and_insee_pseudo_months_only() {
        // Keys computed for each 13-digit prefix.
        for valid in [
            "1 84 20 76 451 089 77",
            "1 84 42 76 451 089 41",
            "1 84 50 76 451 089 72",
            "1 84 99 76 451 089 80",
        ] {
            assert!(FranceNir.is_valid(valid), "{valid}");
        }
        for invalid in [
            "1 84 00 76 451 089 48",
            "1 84 13 76 451 089 62",
            "1 84 19 76 451 089 61",
            "1 84 43 76 451 089 57",
            "1 84 45 76 451 089 89",
        ] {
            assert!(!FranceNir.is_valid(invalid), "{invalid}");
        }
    }

    #[test]
    fn nir_must_have_fifteen_characters() {
        assert!(!FranceNir.is_valid("1 84 12 76 451 089 4"));
        assert!(!FranceNir.is_valid("1 84 12 76 451 089 460"));
    }

    // --- IBAN -----------------------------------------------------------------

    #[test]
    fn iban_accepts_published_examples() {
        for iban in [
            "FR76 3000 6000 0112 3456 7890 189",
            "GB82 WEST 1234 5698 7654 32",
            "DE89 3704 0044 0532 0130 00",
            "NO93 8601 1117 947",
            "BR18 0036 0305 0000 1000 9795 493C 1",
        ] {
            assert!(Iban.is_valid(iban), "{iban}");
        }
    }

    #[test]
    fn iban_letters_are_case_insensitive() {
        assert!(Iban.is_valid("gb82 west 1234 5698 7654 32"));
        assert!(Iban.is_valid("fr7630006000011234567890189"));
    }

    #[test]
    fn iban_rejects_a_changed_digit() {
        assert!(!Iban.is_valid("DE89 3704 0044 0532 0130 01"));
        assert!(!Iban.is_valid("GB82 WEST 1234 5698 7654 33"));
        assert!(!Iban.is_valid("FR77 3000 6000 0112 3456 7890 189"));
    }

    #[test]
    fn iban_registry_table_is_sorted_for_binary_search() {
        assert!(IBAN_LENGTHS.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(IBAN_LENGTHS
            .iter()
            .all(|&(_, length)| (15..=34).contains(&length)));
    }

    #[test]
    fn iban_rejects_a_registered_country_with_the_wrong_length() {
        // Passes MOD 97-10, but German IBANs have 22 characters, not 23.
        assert!(!Iban.is_valid("DE54 3704 0044 0532 0130 001"));
    }

    #[test]
    fn iban_of_an_unregistered_country_passes_on_the_checksum_alone() {
        assert!(Iban.is_valid("ZZ33 1234 5678 9012 345"));
        assert!(!Iban.is_valid("ZZ34 1234 5678 9012 345"));
    }

    #[test]
    fn iban_rejects_check_digits_the_algorithm_never_produces() {
        assert!(Iban.is_valid("GB02 WEST 1234 5698 7600 82"));
        // 99 is congruent to 02 modulo 97, so the remainder is still 1.
        assert!(!Iban.is_valid("GB99 WEST 1234 5698 7600 82"));
    }

    #[test]
    fn iban_rejects_malformed_structure() {
        assert!(!Iban.is_valid("7630006000011234567890189FR"));
        assert!(!Iban.is_valid("F176 3000 6000 0112 3456 7890 189"));
        assert!(!Iban.is_valid("FRA6 3000 6000 0112 3456 7890 189"));
        assert!(!Iban.is_valid("NO93 8601 1117 94"));
        assert!(!Iban.is_valid(&format!("ZZ00{}", "1".repeat(31))));
    }

    // --- US SSN -----------------------------------------------------------------

    #[test]
    fn ssn_accepts_a_well_formed_number() {
        assert!(UsaSsn.is_valid("123-45-6789"));
        assert!(UsaSsn.is_valid("899 99 9999"));
        assert!(UsaSsn.is_valid("001010001"));
    }

    #[test]
    fn ssn_rejects_areas_groups_and_serials_never_issued() {
        for ssn in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "901-12-3456",
            "999-99-9999",
            "123-00-4567",
            "123-45-0000",
        ] {
            assert!(!UsaSsn.is_valid(ssn), "{ssn}");
        }
    }

    #[test]
    fn ssn_rejects_numbers_published_in_advertising() {
        assert!(!UsaSsn.is_valid("078-05-1120"));
        assert!(!UsaSsn.is_valid("219-09-9999"));
        assert!(!UsaSsn.is_valid("457-55-5462"));
    }

    #[test]
    fn ssn_must_have_nine_digits() {
        assert!(!UsaSsn.is_valid("123-45-678"));
        assert!(!UsaSsn.is_valid("123-45-67890"));
    }

    // --- separators and hostile input -------------------------------------------

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
