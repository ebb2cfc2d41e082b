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

mod argentina_cuit;
mod australia_medicare;
mod australia_tfn;
mod austria_svnr;
mod belgium_national_number;
mod brazil_cnpj;
mod brazil_cpf;
mod bulgaria_egn;
mod canada_bc_phn;
mod canada_ontario_health_number;
mod canada_sin;
mod chile_rut;
mod colombia_nit;
mod credit_card;
mod croatia_oib;
mod czech_birth_number;
mod denmark_cpr;
mod estonia_isikukood;
mod finland_hetu;
mod france_nir;
mod france_rib;
mod france_siren;
mod france_siret;
mod france_tax_id;
mod germany_id_card;
mod germany_steuer_id;
mod greece_amka;
mod gs1_gtin;
mod hong_kong_hkid;
mod hungary_taj;
mod hungary_tax_id;
mod iban;
mod india_aadhaar;
mod india_pan;
mod ireland_pps;
mod italy_bban;
mod italy_codice_fiscale;
mod japan_my_number;
mod korea_rrn;
mod luhn;
mod mexico_curp;
mod mexico_rfc;
mod netherlands_bsn;
mod norway_fodselsnummer;
mod poland_nip;
mod poland_pesel;
mod poland_regon;
mod portugal_nif;
mod romania_cnp;
mod singapore_nric;
mod slovenia_emso;
mod spain_ccc;
mod spain_dni;
mod spain_nif;
mod spain_nuss;
mod sweden_personnummer;
mod switzerland_ahv;
mod taiwan_national_id;
mod turkey_tckn;
mod uk_nhs;
mod uk_nino;
mod uk_utr;
mod usa_aba_routing;
mod usa_dea;
mod usa_hicn;
mod usa_itin;
mod usa_mbi;
mod usa_npi;
mod usa_ssn;
mod vin;

/// The longest value, separators excluded, any validator can accept: 64 is
/// well above the longest identifier (an IBAN, at most 34 characters by
/// ISO 13616) and keeps the normalisation buffer on the stack.
const MAX_LEN: usize = 64;

/// Declares [`Validator`] from one table, so that a variant, its name and
/// its check cannot drift apart: each row is the variant's documentation, the
/// variant, the `snake_case` name identifier files use, and the function (in
/// its own module) that checks a compacted value.
macro_rules! validators {
    ($($(#[$doc:meta])* $variant:ident => $name:literal, $check:path;)+) => {
        /// A checksum (and structure) check applied to a match's text.
        ///
        /// Use [`Validator::is_valid`] on the matched text; the module
        /// documentation describes how separators are handled.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Validator {
            $($(#[$doc])* $variant,)+
        }

        impl Validator {
            /// Every validator with the name identifier files use for it
            /// (`validator = "..."`), in the order they are documented. Every
            /// check a managed identifier uses is here.
            pub const FILE_NAMES: &'static [(&'static str, Validator)] =
                &[$(($name, Validator::$variant),)+];

            /// The `snake_case` name identifier files use.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $(Validator::$variant => $name,)+
                }
            }

            /// Runs the check on a value already compacted by [`compact`].
            fn check(self, value: &[u8]) -> bool {
                match self {
                    $(Validator::$variant => $check(value),)+
                }
            }
        }
    };
}

validators! {
    /// The Luhn "mod 10" check (ISO/IEC 7812-1, annex B) on any string of at
    /// least two digits. Generic: payment cards, SIREN/SIRET, IMEI, Canadian
    /// SIN and many other numbers use it. A single digit is rejected because
    /// only `0` would pass and that is never an identifier.
    Luhn => "luhn", luhn::is_valid;
    /// Payment card number (PAN, ISO/IEC 7812): 13 to 19 digits, Luhn-valid,
    /// starting with the issuer identification number of a known card scheme
    /// and having a length that scheme issues: Visa `4` (13, 16 or 19
    /// digits); Mastercard `51`-`55` and `2221`-`2720` (16); American Express
    /// `34`, `37` (15); Discover `6011`, `644`-`649`, `65`, `622126`-`622925`
    /// (16-19); JCB `3528`-`3589` (16-19); Diners Club `300`-`305`, `36`,
    /// `38`-`39` (14-19); `UnionPay` `62` (16-19); Maestro `50`, `56`-`69`
    /// (13-19); Mir `2200`-`2204` (16-19).
    CreditCard => "credit_card", credit_card::is_valid;
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
    Iban => "iban", iban::is_valid;
    /// US Social Security number (SSA): 9 digits `AAA-GG-SSSS`. The Social
    /// Security Administration never issues area `000`, `666` or `900`-`999`,
    /// group `00` or serial `0000`. Also rejected are numbers that are
    /// well-known because they were printed in advertising, and so show up in
    /// documents without identifying anyone: `078-05-1120` (the Woolworth
    /// wallet insert), `219-09-9999` (an SSA advertisement) and `457-55-5462`
    /// (`LifeLock` advertisements).
    UsaSsn => "usa_ssn", usa_ssn::is_valid;
    /// US ITIN: 9 digits, `9` first, a group the IRS issues. No check digit.
    ///
    /// See the `usa_itin` module for the rule and its source.
    UsaItin => "usa_itin", usa_itin::is_valid;
    /// US ABA routing number: 9 digits, Federal Reserve prefix, 3-7-1
    /// weighted sum a multiple of 10.
    ///
    /// See the `usa_aba_routing` module for the rule and its source.
    UsaAbaRouting => "usa_aba_routing", usa_aba_routing::is_valid;
    /// US DEA registration number: registrant-type letter, name letter or `9`,
    /// 7 digits with DEA's check digit.
    ///
    /// See the `usa_dea` module for the rule and its source.
    UsaDea => "usa_dea", usa_dea::is_valid;
    /// US National Provider Identifier: 10 digits, first `1` or `2`, Luhn
    /// with the `80840` prefix.
    ///
    /// See the `usa_npi` module for the rule and its source.
    UsaNpi => "usa_npi", usa_npi::is_valid;
    /// US Medicare Beneficiary Identifier: CMS's 11-character layout. No
    /// check digit exists.
    ///
    /// See the `usa_mbi` module for the rule and its source.
    UsaMbi => "usa_mbi", usa_mbi::is_valid;

    /// US Health Insurance Claim Number: an SSN and a beneficiary code (no
    /// check digit exists).
    ///
    /// See the `usa_hicn` module for the rule and its source.
    UsaHicn => "usa_hicn", usa_hicn::is_valid;
    /// Vehicle identification number: 17 characters without `I`, `O`, `Q`,
    /// check digit in position 9 (North American rule).
    ///
    /// See the `vin` module for the rule and its source.
    Vin => "vin", vin::is_valid;

    /// Vehicle identification number by ISO 3779 alone: 17 characters without
    /// `I`, `O`, `Q`, for VINs without a check digit.
    ///
    /// See the `vin` module for the rule and its source.
    VinStructure => "vin_structure", vin::is_structure_valid;

    /// GS1 GTIN (EAN/UPC, the device identifier of a GS1 medical device UDI):
    /// 8, 12, 13 or 14 digits, GS1 check digit.
    ///
    /// See the `gs1_gtin` module for the rule and its source.
    Gs1Gtin => "gs1_gtin", gs1_gtin::is_valid;
    /// Brazilian individual taxpayer number (CPF, Receita Federal): 11 digits,
    /// the last two being mod-11 check digits with weights 10..=2 and 11..=2.
    /// Values made of one repeated digit (`000.000.000-00`, `111.111.111-11`,
    /// ...) all satisfy the arithmetic, but they are never issued and are the
    /// usual placeholders typed into forms, so they are rejected.
    BrazilCpf => "brazil_cpf", brazil_cpf::is_valid;
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
    BrazilCnpj => "brazil_cnpj", brazil_cnpj::is_valid;
    /// French company number (SIREN, INSEE): 9 digits, Luhn-valid.
    FranceSiren => "france_siren", france_siren::is_valid;
    /// French establishment number (SIRET, INSEE): the 9-digit SIREN of the
    /// company, itself Luhn-valid, followed by a 5-digit establishment number,
    /// the whole 14 digits passing the Luhn check.
    ///
    /// One exception is documented: La Poste (SIREN `356000000`) has more
    /// establishments than the Luhn-valid establishment numbers allow, so
    /// its SIRETs are only required to have a *sum of the 14 digits* that is
    /// a multiple of 5; its head office, `356 000 000 00048`, is the one La
    /// Poste SIRET checked with Luhn.
    FranceSiret => "france_siret", france_siret::is_valid;
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
    FranceNir => "france_nir", france_nir::is_valid;
    /// French tax number of a person (numéro fiscal): 13 digits, the first
    /// `0`-`3`, the last three the first ten modulo 511.
    ///
    /// See the `france_tax_id` module for the rule and its source.
    FranceTaxId => "france_tax_id", france_tax_id::is_valid;

    /// French bank account number (RIB, the BBAN of a French IBAN): bank,
    /// branch, account and the mod-97 RIB key.
    ///
    /// See the `france_rib` module for the rule and its source.
    FranceRib => "france_rib", france_rib::is_valid;
    /// Spanish DNI: 8 digits and the control letter of the number modulo 23.
    ///
    /// See the `spain_dni` module for the rule and its source.
    SpainDni => "spain_dni", spain_dni::dni;
    /// Spanish NIE: `X`, `Y` or `Z` (counting as 0, 1, 2), 7 digits and the
    /// DNI control letter.
    ///
    /// See the `spain_dni` module for the rule and its source.
    SpainNie => "spain_nie", spain_dni::nie;
    /// Spanish NIF: a DNI, a NIE, a `K`/`L`/`M` NIF, or a company NIF
    /// (entity letter, 7 digits, Luhn control digit or its letter).
    ///
    /// See the `spain_nif` module for the rule and its source.
    SpainNif => "spain_nif", spain_nif::is_valid;
    /// Spanish social security number (NUSS/NAF): 12 digits, province,
    /// serial and two control digits, the number modulo 97.
    ///
    /// See the `spain_nuss` module for the rule and its source.
    SpainNuss => "spain_nuss", spain_nuss::is_valid;

    /// Spanish bank account number (CCC, the BBAN of a Spanish IBAN): 20
    /// digits with two mod-11 control digits.
    ///
    /// See the `spain_ccc` module for the rule and its source.
    SpainCcc => "spain_ccc", spain_ccc::is_valid;
    /// Italian codice fiscale of a person: 16 characters, layout, month letter,
    /// day of birth (plus 40 for women), omocodia letters, check character.
    ///
    /// See the `italy_codice_fiscale` module for the rule and its source.
    ItalyCodiceFiscale => "italy_codice_fiscale", italy_codice_fiscale::is_valid;

    /// Italian bank account number (BBAN of an Italian IBAN): CIN letter,
    /// ABI, CAB, account.
    ///
    /// See the `italy_bban` module for the rule and its source.
    ItalyBban => "italy_bban", italy_bban::is_valid;
    /// German tax ID (Steuer-ID): 11 digits, one digit repeated two or three
    /// times in the first ten, ISO 7064 MOD 11,10 check digit.
    ///
    /// See the `germany_steuer_id` module for the rule and its source.
    GermanySteuerId => "germany_steuer_id", germany_steuer_id::is_valid;

    /// German identity card or passport number (since 2010): 9 characters,
    /// and an ICAO 9303 check digit when written with it.
    ///
    /// See the `germany_id_card` module for the rule and its source.
    GermanyIdCard => "germany_id_card", germany_id_card::is_valid;
    /// UK National Insurance number: HMRC's prefix letters, 6 digits, suffix
    /// `A`-`D` (or none). No check digit exists.
    ///
    /// See the `uk_nino` module for the rule and its source.
    UkNino => "uk_nino", uk_nino::is_valid;
    /// NHS number: 10 digits, modulus 11 check digit.
    ///
    /// See the `uk_nhs` module for the rule and its source.
    UkNhs => "uk_nhs", uk_nhs::is_valid;
    /// UK Unique Taxpayer Reference: 10 digits, the first a weighted mod-11
    /// check digit over the other nine.
    ///
    /// See the `uk_utr` module for the rule and its source.
    UkUtr => "uk_utr", uk_utr::is_valid;
    /// Canadian Social Insurance Number: 9 digits, Luhn, not starting with `0`
    /// or `8`.
    ///
    /// See the `canada_sin` module for the rule and its source.
    CanadaSin => "canada_sin", canada_sin::is_valid;

    /// British Columbia Personal Health Number: 10 digits, `9` first, mod-11
    /// check digit.
    ///
    /// See the `canada_bc_phn` module for the rule and its source.
    CanadaBcPhn => "canada_bc_phn", canada_bc_phn::is_valid;

    /// Ontario health card number: 10 digits, Luhn, optional 1-2 letter
    /// version code.
    ///
    /// See the `canada_ontario_health_number` module for the rule and its source.
    CanadaOntarioHealthNumber => "canada_ontario_health_number", canada_ontario_health_number::is_valid;
    /// Australian Tax File Number: 9 digits, weighted sum a multiple of 11.
    ///
    /// See the `australia_tfn` module for the rule and its source.
    AustraliaTfn => "australia_tfn", australia_tfn::is_valid;
    /// Australian Medicare card number: 10 or 11 digits, first `2`-`6`,
    /// weighted mod-10 check digit, issue number not `0`.
    ///
    /// See the `australia_medicare` module for the rule and its source.
    AustraliaMedicare => "australia_medicare", australia_medicare::is_valid;
    /// Indian Aadhaar number: 12 digits, first `2`-`9`, Verhoeff check digit,
    /// not a palindrome.
    ///
    /// See the `india_aadhaar` module for the rule and its source.
    IndiaAadhaar => "india_aadhaar", india_aadhaar::is_valid;
    /// Indian Permanent Account Number: 5 letters (the 4th a holder type),
    /// 4 digits (not `0000`), 1 letter.
    ///
    /// See the `india_pan` module for the rule and its source.
    IndiaPan => "india_pan", india_pan::is_valid;
    /// Mexican CURP: 18 characters, date of birth, sex, state, check digit.
    ///
    /// See the `mexico_curp` module for the rule and its source.
    MexicoCurp => "mexico_curp", mexico_curp::is_valid;
    /// Mexican RFC of a person (13) or company (12): letters, date,
    /// homoclave and its check digit.
    ///
    /// See the `mexico_rfc` module for the rule and its source.
    MexicoRfc => "mexico_rfc", mexico_rfc::is_valid;
    /// Argentine CUIT/CUIL: 11 digits, type prefix, mod-11 check digit.
    ///
    /// See the `argentina_cuit` module for the rule and its source.
    ArgentinaCuit => "argentina_cuit", argentina_cuit::is_valid;
    /// Chilean RUT/RUN: 7 or 8 digits and a mod-11 check digit or `K`.
    ///
    /// See the `chile_rut` module for the rule and its source.
    ChileRut => "chile_rut", chile_rut::is_valid;
    /// Colombian NIT: 8 to 16 digits, the last a prime-weighted mod-11
    /// verification digit.
    ///
    /// See the `colombia_nit` module for the rule and its source.
    ColombiaNit => "colombia_nit", colombia_nit::is_valid;
    /// Dutch BSN: 9 digits passing the eleven-test.
    ///
    /// See the `netherlands_bsn` module for the rule and its source.
    NetherlandsBsn => "netherlands_bsn", netherlands_bsn::is_valid;
    /// Polish PESEL: 11 digits, date of birth, weighted mod-10 check digit.
    ///
    /// See the `poland_pesel` module for the rule and its source.
    PolandPesel => "poland_pesel", poland_pesel::is_valid;
    /// Polish NIP: 10 digits, weighted mod-11 check digit.
    ///
    /// See the `poland_nip` module for the rule and its source.
    PolandNip => "poland_nip", poland_nip::is_valid;
    /// Polish REGON: 9 or 14 digits, weighted mod-11 check digits.
    ///
    /// See the `poland_regon` module for the rule and its source.
    PolandRegon => "poland_regon", poland_regon::is_valid;
    /// Portuguese NIF: 9 digits, weighted mod-11 check digit.
    ///
    /// See the `portugal_nif` module for the rule and its source.
    PortugalNif => "portugal_nif", portugal_nif::is_valid;
    /// Swedish personnummer or samordningsnummer: 10 or 12 digits, date of
    /// birth, Luhn.
    ///
    /// See the `sweden_personnummer` module for the rule and its source.
    SwedenPersonnummer => "sweden_personnummer", sweden_personnummer::is_valid;
    /// Finnish HETU: date of birth, century sign, individual number, mod-31
    /// control character.
    ///
    /// See the `finland_hetu` module for the rule and its source.
    FinlandHetu => "finland_hetu", finland_hetu::is_valid;
    /// Norwegian fødselsnummer or D-number: 11 digits, date of birth, two
    /// mod-11 check digits.
    ///
    /// See the `norway_fodselsnummer` module for the rule and its source.
    NorwayFodselsnummer => "norway_fodselsnummer", norway_fodselsnummer::is_valid;

    /// Danish CPR number: 10 digits holding a real date of birth (no check
    /// digit since 2007).
    ///
    /// See the `denmark_cpr` module for the rule and its source.
    DenmarkCpr => "denmark_cpr", denmark_cpr::is_valid;
    /// Czech or Slovak birth number (rodné číslo): 10 digits, date of birth,
    /// divisible by 11.
    ///
    /// See the `czech_birth_number` module for the rule and its source.
    CzechBirthNumber => "czech_birth_number", czech_birth_number::is_valid;

    /// Hungarian TAJ number: 9 digits, weighted mod-10 check digit.
    ///
    /// See the `hungary_taj` module for the rule and its source.
    HungaryTaj => "hungary_taj", hungary_taj::is_valid;

    /// Hungarian tax number of a person: 10 digits, `8` first, mod-11 check
    /// digit.
    ///
    /// See the `hungary_tax_id` module for the rule and its source.
    HungaryTaxId => "hungary_tax_id", hungary_tax_id::is_valid;
    /// Croatian OIB: 11 digits, ISO 7064 MOD 11,10.
    ///
    /// See the `croatia_oib` module for the rule and its source.
    CroatiaOib => "croatia_oib", croatia_oib::is_valid;
    /// Romanian CNP: 13 digits, sex and century, date of birth, county,
    /// weighted mod-11 check digit.
    ///
    /// See the `romania_cnp` module for the rule and its source.
    RomaniaCnp => "romania_cnp", romania_cnp::is_valid;
    /// Bulgarian EGN: 10 digits, date of birth, weighted mod-11 check digit.
    ///
    /// See the `bulgaria_egn` module for the rule and its source.
    BulgariaEgn => "bulgaria_egn", bulgaria_egn::is_valid;
    /// Swiss AHV/AVS number: 13 digits starting `756`, EAN-13 check digit.
    ///
    /// See the `switzerland_ahv` module for the rule and its source.
    SwitzerlandAhv => "switzerland_ahv", switzerland_ahv::is_valid;
    /// Austrian social insurance number: 10 digits, check digit in the 4th
    /// place.
    ///
    /// See the `austria_svnr` module for the rule and its source.
    AustriaSvnr => "austria_svnr", austria_svnr::is_valid;
    /// Turkish identity number (T.C. Kimlik No.): 11 digits, two check digits.
    ///
    /// See the `turkey_tckn` module for the rule and its source.
    TurkeyTckn => "turkey_tckn", turkey_tckn::is_valid;
    /// Irish PPS number: 7 digits, mod-23 check letter, optional second letter.
    ///
    /// See the `ireland_pps` module for the rule and its source.
    IrelandPps => "ireland_pps", ireland_pps::is_valid;

    /// Belgian national register number: 11 digits, date of birth, mod-97
    /// key for either century.
    ///
    /// See the `belgium_national_number` module for the rule and its source.
    BelgiumNationalNumber => "belgium_national_number", belgium_national_number::is_valid;

    /// Estonian personal code (isikukood): 11 digits, sex and century,
    /// date of birth, two-pass mod-11 check digit.
    ///
    /// See the `estonia_isikukood` module for the rule and its source.
    EstoniaIsikukood => "estonia_isikukood", estonia_isikukood::is_valid;

    /// Lithuanian personal code (asmens kodas): built like the Estonian
    /// isikukood.
    ///
    /// See the `estonia_isikukood` module for the rule and its source.
    LithuaniaAsmensKodas => "lithuania_asmens_kodas", estonia_isikukood::is_valid;

    /// Slovenian EMŠO: 13 digits, date of birth, mod-11 check digit.
    ///
    /// See the `slovenia_emso` module for the rule and its source.
    SloveniaEmso => "slovenia_emso", slovenia_emso::is_valid;

    /// Greek AMKA: 11 digits, date of birth, Luhn.
    ///
    /// See the `greece_amka` module for the rule and its source.
    GreeceAmka => "greece_amka", greece_amka::is_valid;

    /// Japanese Individual Number (My Number): 12 digits, mod-11 check digit.
    ///
    /// See the `japan_my_number` module for the rule and its source.
    JapanMyNumber => "japan_my_number", japan_my_number::is_valid;

    /// South Korean resident registration number: 13 digits, date of birth,
    /// sex and century digit (the check digit was dropped in 2020).
    ///
    /// See the `korea_rrn` module for the rule and its source.
    KoreaRrn => "korea_rrn", korea_rrn::is_valid;

    /// Singapore NRIC/FIN: `S`, `T`, `F` or `G`, 7 digits, check letter.
    ///
    /// See the `singapore_nric` module for the rule and its source.
    SingaporeNric => "singapore_nric", singapore_nric::is_valid;

    /// Hong Kong identity card number: 1 or 2 letters, 6 digits, mod-11 check
    /// character (written without its parentheses).
    ///
    /// See the `hong_kong_hkid` module for the rule and its source.
    HongKongHkid => "hong_kong_hkid", hong_kong_hkid::is_valid;

    /// Taiwanese national ID: letter, `1` or `2`, 8 digits, check digit.
    ///
    /// See the `taiwan_national_id` module for the rule and its source.
    TaiwanNationalId => "taiwan_national_id", taiwan_national_id::is_valid;
}

impl Validator {
    /// Parses a name from an identifier file (`luhn`, `brazil_cpf`, ...);
    /// None for unknown names.
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

    /// True when the match's text, separators ignored, passes the check.
    ///
    /// Never panics and never allocates, whatever the input.
    #[must_use]
    pub fn is_valid(self, text: &str) -> bool {
        let mut buf = [0; MAX_LEN];
        compact(text, &mut buf).is_some_and(|value| self.check(value))
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

/// The sum of `values[i] * weights[i]` (over the shorter of the two): the
/// first step of most check-digit algorithms.
fn weighted_sum(values: &[u8], weights: &[u32]) -> u32 {
    values
        .iter()
        .zip(weights)
        .map(|(&value, &weight)| u32::from(value) * weight)
        .sum()
}

/// True when `day` of `month` (1-12) of `year` exists in the Gregorian
/// calendar. Numbers that embed a date of birth are checked with it.
fn is_date(year: u32, month: u8, day: u8) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// The ISO/IEC 7064 MOD 11,10 check (a "hybrid system" check digit): true
/// when `values`, digits 0-9 whose last is the check digit, pass it. Used by
/// the German Steuer-ID and the Croatian OIB.
fn iso7064_mod11_10(values: &[u8]) -> bool {
    let Some((&check, body)) = values.split_last() else {
        return false;
    };
    let mut product = 10;
    for &digit in body {
        let sum = match (u32::from(digit) + product) % 10 {
            0 => 10,
            sum => sum,
        };
        product = sum * 2 % 11;
    }
    (11 - product) % 10 == u32::from(check)
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
    use super::Validator::{BrazilCpf, CreditCard, FranceSiren, FranceSiret, Luhn, UsaSsn};
    use super::*;

    /// Every validator, for the tests that must hold for all of them.
    fn all() -> impl Iterator<Item = Validator> {
        Validator::FILE_NAMES
            .iter()
            .map(|&(_, validator)| validator)
    }

    // Every "valid" example below was checked against an independent
    // implementation (python-stdnum 2.2 and hand-written Python) before
    // being written down; invalid ones differ from a valid one in one place.

    // --- names -----------------------------------------------------------

    #[test]
    fn file_names_round_trip_through_from_file_name_and_name() {
        for &(file_name, validator) in Validator::FILE_NAMES {
            assert_eq!(Validator::from_file_name(file_name), Some(validator));
            assert_eq!(validator.name(), file_name);
            assert_eq!(validator.to_string(), file_name);
        }
    }

    #[test]
    fn every_check_of_a_managed_identifier_can_come_from_files() {
        assert_eq!(Validator::from_file_name("credit_card"), Some(CreditCard));
        assert_eq!(Validator::from_file_name("usa_ssn"), Some(UsaSsn));
    }

    #[test]
    fn names_are_unique_snake_case() {
        let mut names: Vec<_> = Validator::FILE_NAMES
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert!(names.iter().all(|name| name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Validator::FILE_NAMES.len());
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
        for validator in all() {
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
        for validator in all() {
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
            for validator in all() {
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
        for validator in all() {
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
