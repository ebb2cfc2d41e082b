//! The catalogue: one row per managed identifier.
//!
//! Rows follow Macie's reference pages: credentials, financial information (the 52
//! per-country IBAN types last), health, personal information; ferret's own types come
//! at the end. Patterns are written in Macie's dialect. Keyword lists are Macie's
//! published keywords for the type, in the languages of its countries; a keyword with
//! a space also matches its `_`, `-` and joined spellings (see
//! [`KeywordRule::managed`](crate::keywords::KeywordRule::managed)).
//!
//! Severities follow Macie's scoring table for sensitive data findings, which scores each
//! type on its own: each category's constant below holds the scoring most of its types
//! share (credentials, financial and health data High from one occurrence; personal data
//! Low, Medium, High), and rows whose type Macie scores differently say so (national,
//! social security and tax numbers High; passports Medium then High; companies' tax
//! numbers and transport cards Medium up to 99; GPS coordinates and VINs lower).
//!
//! Where a check exists for a number, the row names its [`Validator`]; format-only types
//! (driver's licences, passports) require a keyword instead, which is what keeps their
//! loose formats precise.
//!
//! The bank account types of France, Germany, Italy, Spain and the UK also carry their
//! country's domestic form ([`Domestic`], the BBAN): Macie reports both under one ID.
//! Their IBANs need no keyword; their BBANs need one and the national check. Macie's
//! page gives the first keywords of every country's BBAN list (`account code`,
//! `account number`, `accountno#`, `accountnumber#`, `bban`); the national words that
//! follow are the usual ones of each country's bank statements.

use super::examples::{
    ARGENTINA_DNI_EXAMPLES, AWS_EXAMPLE_ACCESS_KEY_IDS, AWS_EXAMPLE_SECRET_KEYS,
    CHILE_RUT_EXAMPLES, MEXICO_GENERIC_RFCS, STRIPE_EXAMPLE_KEYS, TEST_CARD_NUMBERS,
};
use super::{Check, Domestic, Keywords, ManagedIdentifier, Origin, Page, Source, BASE};
use crate::severity::Scoring;
use crate::validators::Validator;
use crate::Category;

const CREDENTIALS: ManagedIdentifier = ManagedIdentifier {
    severity: Scoring::HIGH,
    category: Category::Credentials,
    page: Page::Credentials,
    ..BASE
};
const FINANCIAL: ManagedIdentifier = ManagedIdentifier {
    severity: Scoring::HIGH,
    category: Category::FinancialInformation,
    page: Page::Financial,
    ..BASE
};
const HEALTH: ManagedIdentifier = ManagedIdentifier {
    severity: Scoring::HIGH,
    category: Category::PersonalInformation,
    page: Page::Health,
    ..BASE
};
const PERSONAL: ManagedIdentifier = ManagedIdentifier {
    severity: Scoring::LOW_MEDIUM_HIGH,
    category: Category::PersonalInformation,
    page: Page::Personal,
    ..BASE
};

/// An IBAN row: Macie reports IBANs under the country's `<COUNTRY>_BANK_ACCOUNT_NUMBER`,
/// with no keyword required; the check is mod 97 with the country's length and BBAN
/// structure.
const fn iban(
    type_name: &'static str,
    countries: &'static [&'static str],
    country: &'static str,
    length: u8,
) -> ManagedIdentifier {
    ManagedIdentifier {
        type_name,
        countries,
        source: Source::Iban {
            country,
            length,
            domestic: None,
        },
        check: Some(Check::Validator(Validator::Iban)),
        ..FINANCIAL
    }
}

/// An IBAN row of a country whose domestic account numbers (BBANs) Macie also detects
/// under the same type: France, Germany, Italy, Spain and the UK. IBANs are kept as in
/// [`iban`]; a BBAN needs a keyword of `domestic` near it and its national check.
const fn iban_and_bban(
    type_name: &'static str,
    countries: &'static [&'static str],
    country: &'static str,
    length: u8,
    domestic: &'static Domestic,
) -> ManagedIdentifier {
    ManagedIdentifier {
        source: Source::Iban {
            country,
            length,
            domestic: Some(domestic),
        },
        ..iban(type_name, countries, country, length)
    }
}

/// The keywords Macie lists for the BBANs of every country, before each country's own.
macro_rules! bban_keywords {
    ($($word:literal),* $(,)?) => {
        &[
            "account code",
            "account number",
            "accountno#",
            "accountnumber#",
            "bban",
            $($word),*
        ]
    };
}

/// France's BBAN, the RIB: bank (5 digits), branch (5), account (11 letters or digits),
/// RIB key (2), checked by the key (`france_rib`).
const FRANCE_BBAN: Domestic = Domestic {
    regex: r"\b\d(?:[ -]?\d){9}(?:[ -]?[0-9A-Z]){11}(?:[ -]?\d){2}\b",
    check: Some(Validator::FranceRib),
    keywords: bban_keywords![
        "code bancaire",
        "compte bancaire",
        "numéro de compte",
        "relevé d'identité bancaire",
        "rib",
    ],
};

/// Germany's BBAN: the bank code (BLZ, 8 digits) and the account number (Kontonummer,
/// 10 digits). Its check digit follows one of some 140 methods chosen by the bank code,
/// which would take the Bundesbank's table of banks: the format and the keyword carry
/// the precision instead.
const GERMANY_BBAN: Domestic = Domestic {
    regex: r"\b\d(?:[ -]?\d){17}\b",
    check: None,
    keywords: bban_keywords![
        "bankkonto",
        "bankleitzahl",
        "blz",
        "girokonto",
        "konto-nr",
        "kontonummer",
        "kto-nr",
    ],
};

/// Italy's BBAN: the check letter CIN, the bank code ABI (5 digits), the branch code
/// CAB (5) and the account (12 letters or digits), checked by the CIN (`italy_bban`).
const ITALY_BBAN: Domestic = Domestic {
    regex: r"\b[A-Z](?:[ -]?\d){10}(?:[ -]?[0-9A-Z]){12}\b",
    check: Some(Validator::ItalyBban),
    keywords: bban_keywords![
        "codice bancario",
        "conto bancario",
        "conto corrente",
        "coordinate bancarie",
        "numero di conto",
    ],
};

/// Spain's BBAN, the CCC: bank (4 digits), branch (4), two control digits and the
/// account (10), checked by the control digits (`spain_ccc`).
const SPAIN_BBAN: Domestic = Domestic {
    regex: r"\b\d(?:[ -]?\d){19}\b",
    check: Some(Validator::SpainCcc),
    keywords: bban_keywords![
        "ccc",
        "código cuenta cliente",
        "codigo cuenta cliente",
        "cuenta bancaria",
        "cuenta corriente",
        "número de cuenta",
        "numero de cuenta",
    ],
};

/// The UK's BBAN: the bank's four letters (the first of its BIC), the sort code
/// (6 digits, also written `60-16-13`) and the account number (8). Banks check account
/// numbers with their own moduli per sort code range (Vocalink's table), so the format
/// and the keyword carry the precision.
const UK_BBAN: Domestic = Domestic {
    regex: r"\b[A-Z]{4}(?:[ -]?\d){14}\b",
    check: None,
    keywords: bban_keywords!["bank account", "bank details", "sort code"],
};

/// Keywords of payment card numbers, shared by the type that requires one and the type
/// that requires none to be near.
const CARD_KEYWORDS: &[&str] = &[
    "account number",
    "american express",
    "amex",
    "bank card",
    "card",
    "card holder",
    "card num",
    "card number",
    "card type",
    "carte bancaire",
    "carte de crédit",
    "cc #",
    "cc#",
    "ccn",
    "check card",
    "credit",
    "credit card",
    "dankort",
    "debit",
    "debit card",
    "diners club",
    "discover",
    "electron",
    "japanese card bureau",
    "jcb",
    "kreditkarte",
    "maestro",
    "mastercard",
    "mc",
    "tarjeta de crédito",
    "carta di credito",
    "payment card number",
    "union pay",
    "visa",
];

/// The pattern of payment card numbers: 13 to 19 digits, whole or grouped as issuers
/// print them.
const CARD_REGEX: &str =
    r"\b(?:\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5}|\d{13,19})\b";

const PASSPORT_KEYWORDS: &[&str] = &["passport", "passport number", "passport no", "passport#"];

const PHONE_KEYWORDS: &[&str] = &["phone", "telephone", "mobile", "cell", "fax", "tel"];

/// Keywords of Argentina's CUIT and CUIL, shared by the people's and the companies' types.
const ARGENTINA_TAX_KEYWORDS: &[&str] = &[
    "argentina taxpayer id",
    "clave única de identificación tributaria",
    "cuil",
    "c.u.i.l",
    "cuit",
    "c.u.i.t",
    "número de identificación fiscal",
    "número de contribuyente",
    "unified labor identification code",
];

/// Keywords of Colombia's NIT, shared by the people's and the companies' types.
const COLOMBIA_NIT_KEYWORDS: &[&str] = &["nit", "nit.", "nit#", "n.i.t."];

/// Keywords of Mexico's RFC, shared by the people's and the companies' types.
const MEXICO_RFC_KEYWORDS: &[&str] = &[
    "código del registro federal de contribuyentes",
    "identificación de impuestos",
    "identificacion de impuestos",
    "impuesto al valor agregado",
    "iva",
    "iva#",
    "i.v.a.",
    "registro federal de contribuyentes",
    "rfc",
    "rfc#",
    "r.f.c.",
];

/// Every managed identifier ferret knows, in the order they are documented.
pub const MANAGED_IDENTIFIERS: &[ManagedIdentifier] = &[
    // ----- Credentials -----
    ManagedIdentifier {
        type_name: "AWS_CREDENTIALS",
        source: Source::Regex(r"[A-Za-z0-9/+]{40,}"),
        check: Some(Check::AwsSecretKey),
        keywords: Keywords::Required(&[
            "aws_secret_access_key",
            "credentials",
            "secret access key",
            "secret key",
            "set-awscredential",
        ]),
        excluded: AWS_EXAMPLE_SECRET_KEYS,
        recommended: true,
        ..CREDENTIALS
    },
    ManagedIdentifier {
        type_name: "GCP_API_KEY",
        source: Source::Regex(r"\bAIza[0-9A-Za-z_-]{35}"),
        keywords: Keywords::Required(&[
            "G_PLACES_KEY",
            "GCP api key",
            "GCP key",
            "google cloud key",
            "google-api-key",
            "google-cloud-apikeys",
            "GOOGLEKEY",
            "X-goog-api-key",
        ]),
        ..CREDENTIALS
    },
    ManagedIdentifier {
        type_name: "HTTP_BASIC_AUTH_HEADER",
        source: Source::Regex(r"(?i:authorization): *(?i:basic) [A-Za-z0-9+/]{8,}={0,2}"),
        recommended: true,
        ..CREDENTIALS
    },
    ManagedIdentifier {
        type_name: "JSON_WEB_TOKEN",
        source: Source::Regex(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        ..CREDENTIALS
    },
    ManagedIdentifier {
        type_name: "OPENSSH_PRIVATE_KEY",
        source: Source::Regex(r"-----BEGIN OPENSSH PRIVATE KEY-----"),
        recommended: true,
        ..CREDENTIALS
    },
    ManagedIdentifier {
        type_name: "PGP_PRIVATE_KEY",
        source: Source::Regex(r"-----BEGIN PGP PRIVATE KEY BLOCK-----"),
        recommended: true,
        ..CREDENTIALS
    },
    ManagedIdentifier {
        type_name: "PKCS",
        source: Source::Regex(r"-----BEGIN (?:RSA |DSA |EC |ENCRYPTED )?PRIVATE KEY-----"),
        recommended: true,
        ..CREDENTIALS
    },
    ManagedIdentifier {
        type_name: "PUTTY_PRIVATE_KEY",
        source: Source::Regex(r"PuTTY-User-Key-File-[1-3]: *[a-z0-9-]+"),
        recommended: true,
        ..CREDENTIALS
    },
    ManagedIdentifier {
        type_name: "STRIPE_CREDENTIALS",
        source: Source::Regex(r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,99}\b"),
        excluded: STRIPE_EXAMPLE_KEYS,
        ..CREDENTIALS
    },
    // ----- Financial information -----
    ManagedIdentifier {
        type_name: "BANK_ACCOUNT_NUMBER",
        countries: &["CA", "US"],
        // Macie: 9 to 17 digits without spaces, after one of these keywords.
        source: Source::Regex(r"\b\d{9,17}\b"),
        keywords: Keywords::Required(&[
            "bank account",
            "bank acct",
            "checking account",
            "checking acct",
            "chequing account",
            "chequing acct",
            "deposit account",
            "deposit acct",
            "savings account",
            "savings acct",
        ]),
        ..FINANCIAL
    },
    ManagedIdentifier {
        type_name: "CREDIT_CARD_EXPIRATION",
        source: Source::Regex(r"\b(?:0[1-9]|1[0-2]) ?[/-] ?(?:20)?\d{2}\b"),
        keywords: Keywords::Required(&[
            "exp date",
            "expiration date",
            "expiration",
            "expiry",
            "expires",
            "exp",
            "valid thru",
            "valid through",
            "good thru",
            "card exp",
        ]),
        severity: Scoring::LOW_MEDIUM_HIGH,
        ..FINANCIAL
    },
    ManagedIdentifier {
        type_name: "CREDIT_CARD_MAGNETIC_STRIPE",
        source: Source::Regex(
            r"%B\d{13,19}\^[A-Za-z /.]{2,26}\^\d{7,}[^?\r\n]*\?|;\d{13,19}=\d{7,}\?",
        ),
        recommended: true,
        ..FINANCIAL
    },
    ManagedIdentifier {
        type_name: "CREDIT_CARD_NUMBER",
        source: Source::Regex(CARD_REGEX),
        check: Some(Check::Validator(Validator::CreditCard)),
        keywords: Keywords::Required(CARD_KEYWORDS),
        excluded: TEST_CARD_NUMBERS,
        recommended: true,
        ..FINANCIAL
    },
    ManagedIdentifier {
        type_name: "CREDIT_CARD_NUMBER_(NO_KEYWORD)",
        source: Source::Regex(CARD_REGEX),
        check: Some(Check::Validator(Validator::CreditCard)),
        keywords: Keywords::Absent(CARD_KEYWORDS),
        excluded: TEST_CARD_NUMBERS,
        ..FINANCIAL
    },
    ManagedIdentifier {
        type_name: "CREDIT_CARD_SECURITY_CODE",
        source: Source::Regex(r"\b\d{3,4}\b"),
        keywords: Keywords::Required(&[
            "card verification",
            "card security code",
            "cid",
            "csc",
            "cvc",
            "cvc2",
            "cvn",
            "cvv",
            "cvv2",
            "security code",
            "cryptogramme",
        ]),
        severity: Scoring::MEDIUM_HIGH_HIGH,
        ..FINANCIAL
    },
    iban("ALBANIA_BANK_ACCOUNT_NUMBER", &["AL"], "AL", 28),
    iban("ANDORRA_BANK_ACCOUNT_NUMBER", &["AD"], "AD", 24),
    iban("AUSTRIA_BANK_ACCOUNT_NUMBER", &["AT"], "AT", 20),
    iban("BELGIUM_BANK_ACCOUNT_NUMBER", &["BE"], "BE", 16),
    iban(
        "BOSNIA_AND_HERZEGOVINA_BANK_ACCOUNT_NUMBER",
        &["BA"],
        "BA",
        20,
    ),
    iban("BRAZIL_BANK_ACCOUNT_NUMBER", &["BR"], "BR", 29),
    iban("BULGARIA_BANK_ACCOUNT_NUMBER", &["BG"], "BG", 22),
    iban("COSTA_RICA_BANK_ACCOUNT_NUMBER", &["CR"], "CR", 22),
    iban("CROATIA_BANK_ACCOUNT_NUMBER", &["HR"], "HR", 21),
    iban("CYPRUS_BANK_ACCOUNT_NUMBER", &["CY"], "CY", 28),
    iban("CZECHIA_BANK_ACCOUNT_NUMBER", &["CZ"], "CZ", 24),
    iban("DENMARK_BANK_ACCOUNT_NUMBER", &["DK"], "DK", 18),
    iban("ESTONIA_BANK_ACCOUNT_NUMBER", &["EE"], "EE", 20),
    iban("FAROE_ISLANDS_BANK_ACCOUNT_NUMBER", &["FO"], "FO", 18),
    iban("FINLAND_BANK_ACCOUNT_NUMBER", &["FI"], "FI", 18),
    iban_and_bban(
        "FRANCE_BANK_ACCOUNT_NUMBER",
        &["FR"],
        "FR",
        27,
        &FRANCE_BBAN,
    ),
    iban("GEORGIA_BANK_ACCOUNT_NUMBER", &["GE"], "GE", 22),
    iban_and_bban(
        "GERMANY_BANK_ACCOUNT_NUMBER",
        &["DE"],
        "DE",
        22,
        &GERMANY_BBAN,
    ),
    iban("GREECE_BANK_ACCOUNT_NUMBER", &["GR"], "GR", 27),
    iban("GREENLAND_BANK_ACCOUNT_NUMBER", &["GL"], "GL", 18),
    iban("HUNGARY_BANK_ACCOUNT_NUMBER", &["HU"], "HU", 28),
    iban("ICELAND_BANK_ACCOUNT_NUMBER", &["IS"], "IS", 26),
    iban("IRELAND_BANK_ACCOUNT_NUMBER", &["IE"], "IE", 22),
    iban_and_bban("ITALY_BANK_ACCOUNT_NUMBER", &["IT"], "IT", 27, &ITALY_BBAN),
    iban("KOSOVO_BANK_ACCOUNT_NUMBER", &["XK"], "XK", 20),
    iban("LATVIA_BANK_ACCOUNT_NUMBER", &["LV"], "LV", 21),
    iban("LIECHTENSTEIN_BANK_ACCOUNT_NUMBER", &["LI"], "LI", 21),
    iban("LITHUANIA_BANK_ACCOUNT_NUMBER", &["LT"], "LT", 20),
    iban("LUXEMBOURG_BANK_ACCOUNT_NUMBER", &["LU"], "LU", 20),
    iban("MALTA_BANK_ACCOUNT_NUMBER", &["MT"], "MT", 31),
    iban("MAURITIUS_BANK_ACCOUNT_NUMBER", &["MU"], "MU", 30),
    iban("MONACO_BANK_ACCOUNT_NUMBER", &["MC"], "MC", 27),
    iban("MONTENEGRO_BANK_ACCOUNT_NUMBER", &["ME"], "ME", 22),
    iban("NETHERLANDS_BANK_ACCOUNT_NUMBER", &["NL"], "NL", 18),
    iban("NORTH_MACEDONIA_BANK_ACCOUNT_NUMBER", &["MK"], "MK", 19),
    iban("NORWAY_BANK_ACCOUNT_NUMBER", &["NO"], "NO", 15),
    iban("POLAND_BANK_ACCOUNT_NUMBER", &["PL"], "PL", 28),
    iban("PORTUGAL_BANK_ACCOUNT_NUMBER", &["PT"], "PT", 25),
    iban("ROMANIA_BANK_ACCOUNT_NUMBER", &["RO"], "RO", 24),
    iban("SAN_MARINO_BANK_ACCOUNT_NUMBER", &["SM"], "SM", 27),
    iban("SERBIA_BANK_ACCOUNT_NUMBER", &["RS"], "RS", 22),
    iban("SLOVAKIA_BANK_ACCOUNT_NUMBER", &["SK"], "SK", 24),
    iban("SLOVENIA_BANK_ACCOUNT_NUMBER", &["SI"], "SI", 19),
    iban_and_bban("SPAIN_BANK_ACCOUNT_NUMBER", &["ES"], "ES", 24, &SPAIN_BBAN),
    iban("SWEDEN_BANK_ACCOUNT_NUMBER", &["SE"], "SE", 24),
    iban("SWITZERLAND_BANK_ACCOUNT_NUMBER", &["CH"], "CH", 21),
    iban("TUNISIA_BANK_ACCOUNT_NUMBER", &["TN"], "TN", 24),
    iban("TURKEY_BANK_ACCOUNT_NUMBER", &["TR"], "TR", 26),
    iban("UKRAINE_BANK_ACCOUNT_NUMBER", &["UA"], "UA", 29),
    iban(
        "UNITED_ARAB_EMIRATES_BANK_ACCOUNT_NUMBER",
        &["AE"],
        "AE",
        23,
    ),
    iban_and_bban("UK_BANK_ACCOUNT_NUMBER", &["GB"], "GB", 22, &UK_BBAN),
    iban("VIRGIN_ISLANDS_BANK_ACCOUNT_NUMBER", &["VG"], "VG", 24),
    // ----- Health (personal information: PHI) -----
    ManagedIdentifier {
        type_name: "CANADA_HEALTH_NUMBER",
        countries: &["CA"],
        source: Source::Regex(r"\b\d{4}[ -]?\d{3}[ -]?\d{3}(?:[ -]?[A-Z]{2})?\b"),
        keywords: Keywords::Required(&[
            "canada healthcare number",
            "health card",
            "health number",
            "health insurance number",
            "msp number",
            "ohip",
            "care card",
            "carte santé",
            "numéro d'assurance maladie",
        ]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "EUROPEAN_HEALTH_INSURANCE_CARD_NUMBER",
        countries: &["EU"],
        source: Source::Regex(r"\b80\d{2} ?\d{4} ?\d{4} ?\d{4} ?\d{4}\b"),
        keywords: Keywords::Required(&[
            "ehic",
            "european health insurance card",
            "health insurance card",
            "carte européenne d'assurance maladie",
            "europäische krankenversicherungskarte",
            "tarjeta sanitaria europea",
            "tessera sanitaria europea",
        ]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "FINLAND_EUROPEAN_HEALTH_INSURANCE_NUMBER",
        countries: &["FI"],
        source: Source::Regex(r"\b80246 ?\d{5} ?\d{5} ?\d{5}\b"),
        keywords: Keywords::Required(&[
            "ehic",
            "european health insurance card",
            "eurooppalainen sairaanhoitokortti",
            "sairaanhoitokortti",
            "sjukvårdskort",
        ]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "FRANCE_HEALTH_INSURANCE_NUMBER",
        countries: &["FR"],
        source: Source::Regex(r"\b[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b"),
        check: Some(Check::Validator(Validator::FranceNir)),
        keywords: Keywords::Required(&[
            "carte vitale",
            "assurance maladie",
            "numéro d'assuré",
            "numéro de sécurité sociale",
            "sécurité sociale",
            "insurance card",
        ]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "MEDICAL_DEVICE_UDI",
        source: Source::Regex(r"\(01\)\d{14}(?:\(\d{2}\)[0-9A-Za-z]{1,20}){0,4}"),
        keywords: Keywords::Required(&[
            "udi",
            "unique device identifier",
            "device identifier",
            "medical device",
            "gudid",
        ]),
        severity: Scoring::LOW_MEDIUM_HIGH,
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "UK_NHS_NUMBER",
        countries: &["GB"],
        source: Source::Regex(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"),
        check: Some(Check::Validator(Validator::UkNhs)),
        keywords: Keywords::Required(&[
            "nhs",
            "nhs number",
            "national health service",
            "health service number",
            "patient number",
        ]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "US_DRUG_ENFORCEMENT_AGENCY_NUMBER",
        countries: &["US"],
        source: Source::Regex(r"\b[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}\b"),
        check: Some(Check::Validator(Validator::UsaDea)),
        keywords: Keywords::Required(&["dea number", "dea registration"]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "USA_HEALTH_INSURANCE_CLAIM_NUMBER",
        countries: &["US"],
        source: Source::Regex(r"\b\d{3}-?\d{2}-?\d{4}[A-Z][0-9A-Z]?\b"),
        check: Some(Check::Validator(Validator::UsaHicn)),
        keywords: Keywords::Required(&[
            "health insurance claim number",
            "hic no",
            "hic no.",
            "hic number",
            "hic#",
            "hicn",
            "hicn#.",
            "hicno#",
        ]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "USA_HEALTHCARE_PROCEDURE_CODE",
        countries: &["US"],
        source: Source::Regex(r"\b[A-V]\d{4}\b"),
        keywords: Keywords::Required(&[
            "hcpcs",
            "procedure code",
            "healthcare procedure",
            "cpt",
            "billing code",
        ]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "USA_MEDICARE_BENEFICIARY_IDENTIFIER",
        countries: &["US"],
        source: Source::Regex(
            r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}\b",
        ),
        check: Some(Check::Validator(Validator::UsaMbi)),
        keywords: Keywords::Required(&[
            "mbi",
            "medicare beneficiary",
            "medicare number",
            "medicare id",
        ]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "USA_NATIONAL_DRUG_CODE",
        countries: &["US"],
        source: Source::Regex(r"\b\d{4,5}-\d{3,4}-\d{1,2}\b"),
        keywords: Keywords::Required(&["ndc", "national drug code", "drug code"]),
        ..HEALTH
    },
    ManagedIdentifier {
        type_name: "USA_NATIONAL_PROVIDER_IDENTIFIER",
        countries: &["US"],
        source: Source::Regex(r"\b[12]\d{9}\b"),
        check: Some(Check::Validator(Validator::UsaNpi)),
        keywords: Keywords::Required(&[
            "npi",
            "national provider",
            "provider id",
            "provider number",
        ]),
        ..HEALTH
    },
    // ----- Personal information (PII) -----
    ManagedIdentifier {
        type_name: "ARGENTINA_DNI_NUMBER",
        countries: &["AR"],
        // Seven or eight digits, often grouped by dots: no check digit, so only the
        // keyword makes it precise.
        source: Source::Regex(r"\b\d{1,2}\.?\d{3}\.?\d{3}\b"),
        keywords: Keywords::Required(&["dni", "dni#", "d.n.i.", "documento nacional de identidad"]),
        excluded: ARGENTINA_DNI_EXAMPLES,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "ARGENTINA_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER",
        countries: &["AR"],
        // A CUIT/CUIL whose type prefix is one AFIP gives people (20, 23, 24, 27).
        source: Source::Regex(r"\b2[0347]-?\d{8}-?\d\b"),
        check: Some(Check::Validator(Validator::ArgentinaCuit)),
        keywords: Keywords::Required(ARGENTINA_TAX_KEYWORDS),
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "ARGENTINA_ORGANIZATION_TAX_IDENTIFICATION_NUMBER",
        countries: &["AR"],
        // A CUIT whose type prefix is one AFIP gives companies (30, 33, 34).
        source: Source::Regex(r"\b3[034]-?\d{8}-?\d\b"),
        check: Some(Check::Validator(Validator::ArgentinaCuit)),
        keywords: Keywords::Required(ARGENTINA_TAX_KEYWORDS),
        severity: Scoring::MEDIUM_MEDIUM_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "ARGENTINA_TARJETA_SUBE",
        countries: &["AR"],
        // Sixteen digits starting 6061, whole or in groups of four, with a Luhn check
        // digit.
        source: Source::Regex(r"\b6061[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b"),
        check: Some(Check::Validator(Validator::Luhn)),
        keywords: Keywords::Required(&["sube", "sistema único de boleto electrónico"]),
        severity: Scoring::MEDIUM_MEDIUM_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "AUSTRALIA_TAX_FILE_NUMBER",
        countries: &["AU"],
        source: Source::Regex(r"\b\d{3} ?\d{3} ?\d{2,3}\b"),
        check: Some(Check::Validator(Validator::AustraliaTfn)),
        keywords: Keywords::Required(&["tax file number", "tfn", "tax file no", "tax file #"]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "BRAZIL_CEP_CODE",
        countries: &["BR"],
        // The postal code's eight digits, `01310-100` or `01.310-100`: any eight digits
        // look like one, so the keyword is what makes it a CEP.
        source: Source::Regex(r"\b\d{2}\.?\d{3}-?\d{3}\b"),
        keywords: Keywords::Required(&[
            "cep",
            "código de endereçamento postal",
            "codigo de endereçamento postal",
            "código postal",
            "codigo postal",
        ]),
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "BRAZIL_CNPJ_NUMBER",
        countries: &["BR"],
        // Digits, or since July 2026 upper-case letters in the first twelve places.
        source: Source::Regex(r"\b[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?\d{2}\b"),
        check: Some(Check::Validator(Validator::BrazilCnpj)),
        keywords: Keywords::Required(&[
            "cnpj",
            "cadastro nacional da pessoa jurídica",
            "cadastro nacional da pessoa juridica",
            "número do cnpj",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "BRAZIL_CPF_NUMBER",
        countries: &["BR"],
        source: Source::Regex(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"),
        check: Some(Check::Validator(Validator::BrazilCpf)),
        // Eleven digits pass the two check digits one time in a hundred: order numbers
        // would be reported without a keyword.
        keywords: Keywords::Required(&[
            "cpf",
            "cadastro de pessoas físicas",
            "cadastro de pessoas fisicas",
            "número do cpf",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "BRAZIL_PHONE_NUMBER",
        countries: &["BR"],
        source: Source::Regex(r"(?:\+55 ?)?\(?\b\d{2}\)? ?9?\d{4}-?\d{4}\b"),
        keywords: Keywords::Required(&["telefone", "celular", "fone", "contato", "phone"]),
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "BRAZIL_RG_NUMBER",
        countries: &["BR"],
        source: Source::Regex(r"\b\d{1,2}\.?\d{3}\.?\d{3}-?[0-9X]\b"),
        keywords: Keywords::Required(&[
            "rg",
            "registro geral",
            "carteira de identidade",
            "cédula de identidade",
            "identidade",
        ]),
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "CANADA_NATIONAL_IDENTIFICATION_NUMBER",
        countries: &["CA"],
        // The permanent resident card: its document number (two letters, seven digits)
        // or the holder's client ID (UCI, eight or ten digits, grouped by dashes).
        source: Source::Regex(r"\b(?:[A-Z]{2}\d{7}|\d{2}-?\d{4}-?\d{4}|\d{4}-?\d{4})\b"),
        keywords: Keywords::Required(&[
            "carte résident permanent",
            "numéro carte résident permanent",
            "numéro résident permanent",
            "permanent resident card",
            "permanent resident card number",
            "permanent resident no",
            "permanent resident no.",
            "permanent resident number",
            "pr no",
            "pr no.",
            "pr non",
            "pr number",
            "résident permanent no.",
            "résident permanent non",
        ]),
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "CANADA_PASSPORT_NUMBER",
        countries: &["CA"],
        source: Source::Regex(r"\b[A-Z]{2}\d{6}\b"),
        keywords: Keywords::Required(&[
            "passport",
            "passport number",
            "passport no",
            "passeport",
            "numéro de passeport",
        ]),
        recommended: true,
        severity: Scoring::MEDIUM_HIGH_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "CANADA_SOCIAL_INSURANCE_NUMBER",
        countries: &["CA"],
        source: Source::Regex(r"\b\d{3}[ -]?\d{3}[ -]?\d{3}\b"),
        check: Some(Check::Validator(Validator::CanadaSin)),
        keywords: Keywords::Required(&[
            "sin",
            "social insurance number",
            "social insurance",
            "numéro d'assurance sociale",
            "nas",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "CHILE_RUT_NUMBER",
        countries: &["CL"],
        // RUN (people) and RUT (taxpayers) share one numbering: seven or eight digits
        // and a check character, `12.345.678-5`.
        source: Source::Regex(r"\b\d{1,2}\.?\d{3}\.?\d{3}-?[0-9Kk]\b"),
        check: Some(Check::Validator(Validator::ChileRut)),
        keywords: Keywords::Required(&[
            "identidad número",
            "nacional identidad",
            "national unique role",
            "nationaluniqueroleid#",
            "número identificación",
            "rol único nacional",
            "rol único tributario",
            "run",
            "run#",
            "r.u.n.",
            "rut",
            "rut#",
            "r.u.t.",
            "unique national number",
            "unique national role",
            "unique tax registry",
            "unique tax role",
            "unique tributary number",
            "unique tributary role",
        ]),
        excluded: CHILE_RUT_EXAMPLES,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "COLOMBIA_CITIZENSHIP_CARD_NUMBER",
        countries: &["CO"],
        // The cédula de ciudadanía: six to ten digits, often grouped by dots, with no
        // check digit.
        source: Source::Regex(r"\b(?:\d{1,3}(?:\.\d{3}){1,3}|\d{6,10})\b"),
        keywords: Keywords::Required(&[
            "cédula de ciudadanía",
            "cedula de ciudadania",
            "documento de identificación",
            "documento de identificacion",
        ]),
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "COLOMBIA_INDIVIDUAL_NIT_NUMBER",
        countries: &["CO"],
        // A person's NIT is the cédula's number and a verification digit: seven to ten
        // digits, of which nine-digit numbers starting 8 or 9 are left to companies.
        source: Source::Regex(
            r"\b(?:\d{1,2}\.?\d{3}\.?\d{3}|[1-7]\d{2}\.?\d{3}\.?\d{3}|\d\.?\d{3}\.?\d{3}\.?\d{3})-?\d\b",
        ),
        check: Some(Check::Validator(Validator::ColombiaNit)),
        keywords: Keywords::Required(COLOMBIA_NIT_KEYWORDS),
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "COLOMBIA_ORGANIZATION_NIT_NUMBER",
        countries: &["CO"],
        // Companies' NITs: nine digits starting 8 or 9, then the verification digit,
        // `890.903.938-8`.
        source: Source::Regex(r"\b[89]\d{2}\.?\d{3}\.?\d{3}-?\d\b"),
        check: Some(Check::Validator(Validator::ColombiaNit)),
        keywords: Keywords::Required(COLOMBIA_NIT_KEYWORDS),
        severity: Scoring::MEDIUM_MEDIUM_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "DATE_OF_BIRTH",
        source: Source::Regex(
            r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2} (?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? (?:19|20)\d{2}|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? (?:19|20)\d{2})\b",
        ),
        keywords: Keywords::Required(&[
            "bday",
            "b-day",
            "birth date",
            "birthday",
            "date of birth",
            "dob",
        ]),
        ..PERSONAL
    },
    // Driver's licences, by country.
    licence(
        "AUSTRALIA_DRIVERS_LICENSE",
        &["AU"],
        r"\b(?:[A-Z]{1,2}\d{5,8}|\d{6,10})\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "licence no",
            "licence number",
            "permis de conduire",
        ],
        false,
    ),
    licence(
        "AUSTRIA_DRIVERS_LICENSE",
        &["AT"],
        r"\b\d{8}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "führerschein",
            "fuhrerschein",
            "führerscheinnummer",
            "lenkerberechtigung",
        ],
        false,
    ),
    licence(
        "BELGIUM_DRIVERS_LICENSE",
        &["BE"],
        r"\b\d{10}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "rijbewijs",
            "permis de conduire",
            "führerschein",
            "rijbewijsnummer",
        ],
        false,
    ),
    licence(
        "BULGARIA_DRIVERS_LICENSE",
        &["BG"],
        r"\b\d{9}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "шофьорска книжка",
            "свидетелство за управление",
            "sofyorska knizhka",
        ],
        false,
    ),
    licence(
        "CANADA_DRIVERS_LICENSE",
        &["CA"],
        r"\b(?:[A-Z]\d{4}-?\d{5}-?\d{5}|[A-Z]\d{6,12}|\d{7,9})\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "permis de conduire",
            "numéro de permis",
            "dlic",
        ],
        true,
    ),
    licence(
        "CROATIA_DRIVERS_LICENSE",
        &["HR"],
        r"\b\d{8}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "vozačka dozvola",
            "vozacka dozvola",
        ],
        false,
    ),
    licence(
        "CYPRUS_DRIVERS_LICENSE",
        &["CY"],
        r"\b\d{12}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "άδεια οδήγησης",
            "adeia odigisis",
        ],
        false,
    ),
    licence(
        "CZECHIA_DRIVERS_LICENSE",
        &["CZ"],
        r"\b[A-Z]{2} ?\d{6}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "řidičský průkaz",
            "ridicsky prukaz",
            "řidičák",
        ],
        false,
    ),
    licence(
        "DENMARK_DRIVERS_LICENSE",
        &["DK"],
        r"\b\d{8}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "kørekort",
            "korekort",
            "kørekortnummer",
        ],
        false,
    ),
    licence(
        "DRIVERS_LICENSE",
        &["US"],
        r"\b(?:[A-Z]\d{3,14}|[A-Z]{2}\d{5,7}|\d{7,12})\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "dl number",
            "state id",
        ],
        true,
    ),
    licence(
        "ESTONIA_DRIVERS_LICENSE",
        &["EE"],
        r"\b[A-Z]{2}\d{6}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "juhiluba",
            "juhiloa number",
        ],
        false,
    ),
    licence(
        "FINLAND_DRIVERS_LICENSE",
        &["FI"],
        r"\b\d{6}[-+A]\d{3}[0-9A-Y]\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "ajokortti",
            "körkort",
            "ajokortin numero",
        ],
        false,
    ),
    licence(
        "FRANCE_DRIVERS_LICENSE",
        &["FR"],
        r"\b(?:\d{12}|\d{2}[A-Z]{2}\d{5})\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "permis de conduire",
            "numéro de permis",
            "permis de conduite",
        ],
        false,
    ),
    licence(
        "GERMANY_DRIVERS_LICENSE",
        &["DE"],
        r"\b[A-Z0-9]\d{2}[A-Z0-9]{6}\d[A-Z0-9]\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "führerschein",
            "fuhrerschein",
            "führerscheinnummer",
            "fahrerlaubnis",
        ],
        false,
    ),
    licence(
        "GREECE_DRIVERS_LICENSE",
        &["GR"],
        r"\b\d{9}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "άδεια οδήγησης",
            "adeia odigisis",
        ],
        false,
    ),
    licence(
        "HUNGARY_DRIVERS_LICENSE",
        &["HU"],
        r"\b[A-Z]{2}\d{6}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "vezetői engedély",
            "vezetoi engedely",
            "jogosítvány",
        ],
        false,
    ),
    licence(
        "INDIA_DRIVERS_LICENSE",
        &["IN"],
        r"\b[A-Z]{2}\d{2}[ -]?(?:19|20)\d{2}\d{7}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "dl no",
            "driving licence no",
            "ड्राइविंग लाइसेंस",
        ],
        false,
    ),
    licence(
        "IRELAND_DRIVERS_LICENSE",
        &["IE"],
        r"\b\d{3} ?\d{3} ?\d{3}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "ceadúnas tiomána",
            "ceadunas tiomana",
        ],
        false,
    ),
    licence(
        "ITALY_DRIVERS_LICENSE",
        &["IT"],
        r"\b[A-Z][A-Z0-9]\d{7}[A-Z]\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "patente di guida",
            "patente",
            "numero patente",
        ],
        false,
    ),
    licence(
        "LATVIA_DRIVERS_LICENSE",
        &["LV"],
        r"\b[A-Z]{2}\d{6}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "vadītāja apliecība",
            "vaditaja aplieciba",
            "autovadītāja apliecība",
        ],
        false,
    ),
    licence(
        "LITHUANIA_DRIVERS_LICENSE",
        &["LT"],
        r"\b\d{8}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "vairuotojo pažymėjimas",
            "vairuotojo pazymejimas",
        ],
        false,
    ),
    licence(
        "LUXEMBOURG_DRIVERS_LICENSE",
        &["LU"],
        r"\b\d{6}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "permis de conduire",
            "führerschein",
            "fahrerlaubnis",
        ],
        false,
    ),
    licence(
        "MALTA_DRIVERS_LICENSE",
        &["MT"],
        r"\b\d{7}[A-Z]?\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "liċenzja tas-sewqan",
            "licenzja tas-sewqan",
        ],
        false,
    ),
    licence(
        "NETHERLANDS_DRIVERS_LICENSE",
        &["NL"],
        r"\b\d{10}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "rijbewijs",
            "rijbewijsnummer",
        ],
        false,
    ),
    licence(
        "POLAND_DRIVERS_LICENSE",
        &["PL"],
        r"\b(?:\d{5}/\d{2}/\d{4}|[A-Z]{3}\d{6})\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "prawo jazdy",
            "prawa jazdy",
        ],
        false,
    ),
    licence(
        "PORTUGAL_DRIVERS_LICENSE",
        &["PT"],
        r"\b[A-Z]{1,2}-?\d{5,6} ?\d\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "carta de condução",
            "carta de conducao",
            "licença de condução",
        ],
        false,
    ),
    licence(
        "ROMANIA_DRIVERS_LICENSE",
        &["RO"],
        r"\b[A-Z]\d{8}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "permis de conducere",
            "permisul de conducere",
        ],
        false,
    ),
    licence(
        "SLOVAKIA_DRIVERS_LICENSE",
        &["SK"],
        r"\b[A-Z]{2}\d{6}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "vodičský preukaz",
            "vodicsky preukaz",
        ],
        false,
    ),
    licence(
        "SLOVENIA_DRIVERS_LICENSE",
        &["SI"],
        r"\b\d{8}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "vozniško dovoljenje",
            "vozniska dovoljenje",
        ],
        false,
    ),
    licence(
        "SPAIN_DRIVERS_LICENSE",
        &["ES"],
        r"\b\d{8}-?[A-Z]\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "permiso de conducción",
            "permiso de conducir",
            "carnet de conducir",
            "licencia de conducir",
        ],
        false,
    ),
    licence(
        "SWEDEN_DRIVERS_LICENSE",
        &["SE"],
        r"\b\d{6}[-+]?\d{4}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "körkort",
            "korkort",
            "körkortsnummer",
        ],
        false,
    ),
    licence(
        "UK_DRIVERS_LICENSE",
        &["GB"],
        r"\b[A-Z9]{5}\d{6}[A-Z9]{2}\d[A-Z]{2}\b",
        &[
            "driver's license",
            "driver license",
            "drivers license",
            "driver's licence",
            "driving licence",
            "driving license",
            "dl#",
            "license number",
            "licence number",
            "dvla",
            "driving licence number",
        ],
        true,
    ),
    ManagedIdentifier {
        type_name: "FRANCE_NATIONAL_IDENTIFICATION_NUMBER",
        countries: &["FR"],
        // The NIR (INSEE number), whose key makes it precise without a keyword.
        source: Source::Regex(r"\b[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b"),
        check: Some(Check::Validator(Validator::FranceNir)),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "FRANCE_PASSPORT_NUMBER",
        countries: &["FR"],
        source: Source::Regex(r"\b\d{2}[A-Z]{2}\d{5}\b"),
        keywords: Keywords::Required(&[
            "passport",
            "passport number",
            "passeport",
            "numéro de passeport",
            "n° passeport",
        ]),
        recommended: true,
        severity: Scoring::MEDIUM_HIGH_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "FRANCE_PHONE_NUMBER",
        countries: &["FR"],
        source: Source::Regex(r"(?:\+33 ?|\b0)[1-9](?:[ .-]?\d{2}){4}\b"),
        keywords: Keywords::Required(&[
            "téléphone",
            "telephone",
            "tél",
            "portable",
            "mobile",
            "fixe",
            "phone",
        ]),
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "FRANCE_TAX_IDENTIFICATION_NUMBER",
        countries: &["FR"],
        source: Source::Regex(r"\b[0-3]\d ?\d{2} ?\d{3} ?\d{3} ?\d{3}\b"),
        check: Some(Check::Validator(Validator::FranceTaxId)),
        keywords: Keywords::Required(&[
            "numéro fiscal",
            "numéro d'identification fiscale",
            "numéro fiscal de référence",
            "spi",
            "tax identification number",
            "tin",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "GERMANY_NATIONAL_IDENTIFICATION_NUMBER",
        countries: &["DE"],
        source: Source::Regex(r"\b[CFGHJKLMNPRTVWXYZ][CFGHJKLMNPRTVWXYZ0-9]{8}\d\b"),
        check: Some(Check::Validator(Validator::GermanyIdCard)),
        keywords: Keywords::Required(&[
            "ausweis",
            "personalausweis",
            "ausweisnummer",
            "identity card",
            "id card",
            "identifikationsnummer",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "GERMANY_PASSPORT_NUMBER",
        countries: &["DE"],
        source: Source::Regex(r"\b[CFGHJK][CFGHJKLMNPRTVWXYZ0-9]{8}\b"),
        keywords: Keywords::Required(&[
            "passport",
            "passport number",
            "reisepass",
            "reisepassnummer",
            "passnummer",
        ]),
        recommended: true,
        severity: Scoring::MEDIUM_HIGH_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "GERMANY_PHONE_NUMBER",
        countries: &["DE"],
        source: Source::Regex(r"(?:\+49 ?|\b0)[1-9]\d{1,4}[ /-]?\d{3,8}\b"),
        keywords: Keywords::Required(&[
            "telefon",
            "telefonnummer",
            "handy",
            "mobil",
            "rufnummer",
            "phone",
        ]),
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "GERMANY_TAX_IDENTIFICATION_NUMBER",
        countries: &["DE"],
        source: Source::Regex(r"\b[1-9]\d ?\d{3} ?\d{3} ?\d{3}\b"),
        check: Some(Check::Validator(Validator::GermanySteuerId)),
        keywords: Keywords::Required(&[
            "steuer-id",
            "steueridentifikationsnummer",
            "steuerliche identifikationsnummer",
            "identifikationsnummer",
            "steuernummer",
            "tin",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "HTTP_COOKIE",
        source: Source::Regex(r"(?i:(?:set-)?cookie): *[A-Za-z0-9_.-]+=[^;\s]{4,}"),
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "INDIA_AADHAAR_NUMBER",
        countries: &["IN"],
        source: Source::Regex(r"\b[2-9]\d{3} ?\d{4} ?\d{4}\b"),
        check: Some(Check::Validator(Validator::IndiaAadhaar)),
        keywords: Keywords::Required(&["aadhaar", "aadhar", "uidai", "आधार"]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "INDIA_PERMANENT_ACCOUNT_NUMBER",
        countries: &["IN"],
        source: Source::Regex(r"\b[A-Z]{3}[ABCFGHLJPT][A-Z]\d{4}[A-Z]\b"),
        check: Some(Check::Validator(Validator::IndiaPan)),
        keywords: Keywords::Required(&["pan", "permanent account number", "pan card"]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "ITALY_NATIONAL_IDENTIFICATION_NUMBER",
        countries: &["IT"],
        // The codice fiscale.
        source: Source::Regex(r"\b[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z]\b"),
        check: Some(Check::Validator(Validator::ItalyCodiceFiscale)),
        keywords: Keywords::Required(&[
            "codice fiscale",
            "cod. fisc.",
            "cod fisc",
            "carta d'identità",
            "tax code",
            "personal code",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "ITALY_PASSPORT_NUMBER",
        countries: &["IT"],
        source: Source::Regex(r"\b[A-Z]{2}\d{7}\b"),
        keywords: Keywords::Required(&[
            "passport",
            "passport number",
            "passaporto",
            "numero passaporto",
        ]),
        recommended: true,
        severity: Scoring::MEDIUM_HIGH_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "ITALY_PHONE_NUMBER",
        countries: &["IT"],
        source: Source::Regex(r"(?:\+39 ?)?\b(?:0\d{1,3}|3\d{2})[ .-]?\d{6,8}\b"),
        keywords: Keywords::Required(&["telefono", "cellulare", "numero di telefono", "phone"]),
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "LATITUDE_LONGITUDE",
        source: Source::Regex(r"-?\b\d{1,2}\.\d{4,}, ?-?\d{1,3}\.\d{4,}\b"),
        keywords: Keywords::Required(&[
            "coordinates",
            "gps",
            "lat",
            "latitude",
            "location",
            "long",
            "longitude",
            "position",
        ]),
        severity: Scoring::LOW_MEDIUM_MEDIUM,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "MEXICO_CURP_NUMBER",
        countries: &["MX"],
        // Eighteen characters: four letters, the date of birth, sex, state, three
        // consonants, a homonym character and a check digit.
        source: Source::Regex(r"\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d\b"),
        check: Some(Check::Validator(Validator::MexicoCurp)),
        keywords: Keywords::Required(&[
            "clave personal identidad",
            "clave única",
            "clave única de registro de población",
            "clavepersonalidentidad",
            "curp",
            "registration code",
            "registry code",
            "personal identidad clave",
            "population code",
        ]),
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "MEXICO_INDIVIDUAL_RFC_NUMBER",
        countries: &["MX"],
        // A person's RFC: four letters from the name, the date of birth, a three-character
        // homoclave ending in a check digit.
        source: Source::Regex(r"\b[A-Z]{4}\d{6}[A-Z0-9]{3}\b"),
        check: Some(Check::Validator(Validator::MexicoRfc)),
        keywords: Keywords::Required(MEXICO_RFC_KEYWORDS),
        excluded: MEXICO_GENERIC_RFCS,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "MEXICO_ORGANIZATION_RFC_NUMBER",
        countries: &["MX"],
        // A company's RFC: three letters from the name, then as a person's.
        source: Source::Regex(r"\b[A-Z]{3}\d{6}[A-Z0-9]{3}\b"),
        check: Some(Check::Validator(Validator::MexicoRfc)),
        keywords: Keywords::Required(MEXICO_RFC_KEYWORDS),
        severity: Scoring::MEDIUM_MEDIUM_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "PHONE_NUMBER",
        countries: &["US"],
        source: Source::Regex(
            r"(?:\+?\b1[ .-]?)?(?:\([2-9]\d{2}\)|\b[2-9]\d{2})[ .-]?[2-9]\d{2}[ .-]?\d{4}\b",
        ),
        keywords: Keywords::Required(PHONE_KEYWORDS),
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "SPAIN_DNI_NUMBER",
        countries: &["ES"],
        source: Source::Regex(r"\b\d{8}-?[A-Z]\b"),
        check: Some(Check::Validator(Validator::SpainDni)),
        keywords: Keywords::Required(&[
            "dni",
            "documento nacional de identidad",
            "número de identidad",
            "nif",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "SPAIN_NIE_NUMBER",
        countries: &["ES"],
        source: Source::Regex(r"\b[XYZ]-?\d{7}-?[A-Z]\b"),
        check: Some(Check::Validator(Validator::SpainNie)),
        keywords: Keywords::Required(&[
            "nie",
            "número de identidad de extranjero",
            "número de identificación de extranjero",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "SPAIN_NIF_NUMBER",
        countries: &["ES"],
        source: Source::Regex(r"\b(?:\d{8}|[KLM]\d{7})-?[A-Z]\b"),
        check: Some(Check::Validator(Validator::SpainNif)),
        keywords: Keywords::Required(&[
            "nif",
            "número de identificación fiscal",
            "identificación fiscal",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "SPAIN_PASSPORT_NUMBER",
        countries: &["ES"],
        source: Source::Regex(r"\b[A-Z]{2,3}\d{6}\b"),
        keywords: Keywords::Required(&[
            "passport",
            "passport number",
            "pasaporte",
            "número de pasaporte",
        ]),
        recommended: true,
        severity: Scoring::MEDIUM_HIGH_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "SPAIN_PHONE_NUMBER",
        countries: &["ES"],
        source: Source::Regex(r"(?:\+34 ?)?\b[6789]\d{2}[ .-]?\d{3}[ .-]?\d{3}\b"),
        keywords: Keywords::Required(&["teléfono", "telefono", "móvil", "movil", "phone"]),
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "SPAIN_SOCIAL_SECURITY_NUMBER",
        countries: &["ES"],
        source: Source::Regex(r"\b\d{2}[ /-]?\d{8}[ /-]?\d{2}\b"),
        check: Some(Check::Validator(Validator::SpainNuss)),
        keywords: Keywords::Required(&[
            "seguridad social",
            "número de la seguridad social",
            "nuss",
            "naf",
            "social security",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "SPAIN_TAX_IDENTIFICATION_NUMBER",
        countries: &["ES"],
        source: Source::Regex(r"\b[ABCDEFGHJNPQRSUVW]-?\d{7}-?[0-9A-J]\b"),
        check: Some(Check::Validator(Validator::SpainNif)),
        keywords: Keywords::Required(&[
            "cif",
            "nif",
            "código de identificación fiscal",
            "número de identificación fiscal",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "UK_ELECTORAL_ROLL_NUMBER",
        countries: &["GB"],
        source: Source::Regex(r"\b[A-Z]{2,3}\d{1,4}\b"),
        keywords: Keywords::Required(&[
            "electoral roll",
            "electoral number",
            "electoral register",
            "electoral roll number",
            "poll number",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "UK_NATIONAL_INSURANCE_NUMBER",
        countries: &["GB"],
        source: Source::Regex(
            r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
        ),
        check: Some(Check::Validator(Validator::UkNino)),
        keywords: Keywords::Required(&[
            "national insurance",
            "national insurance number",
            "nino",
            "ni number",
            "insurance number",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "UK_PASSPORT_NUMBER",
        countries: &["GB"],
        source: Source::Regex(r"\b\d{9}\b"),
        keywords: Keywords::Required(PASSPORT_KEYWORDS),
        recommended: true,
        severity: Scoring::MEDIUM_HIGH_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "UK_PHONE_NUMBER",
        countries: &["GB"],
        source: Source::Regex(r"(?:\+44 ?|\b0)(?:\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4})\b"),
        keywords: Keywords::Required(PHONE_KEYWORDS),
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "UK_TAX_IDENTIFICATION_NUMBER",
        countries: &["GB"],
        source: Source::Regex(r"\b\d{5} ?\d{5}\b"),
        check: Some(Check::Validator(Validator::UkUtr)),
        keywords: Keywords::Required(&[
            "utr",
            "unique taxpayer reference",
            "tax reference",
            "taxpayer reference",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "USA_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER",
        countries: &["US"],
        source: Source::Regex(r"\b9\d{2}[ -]?(?:5\d|6[0-5]|7\d|8[0-8]|9[0-24-9])[ -]?\d{4}\b"),
        check: Some(Check::Validator(Validator::UsaItin)),
        keywords: Keywords::Required(&[
            "itin",
            "individual taxpayer identification",
            "taxpayer identification number",
            "tax id",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "USA_PASSPORT_NUMBER",
        countries: &["US"],
        source: Source::Regex(r"\b[A-Z]?\d{8,9}\b"),
        keywords: Keywords::Required(PASSPORT_KEYWORDS),
        recommended: true,
        severity: Scoring::MEDIUM_HIGH_HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "USA_SOCIAL_SECURITY_NUMBER",
        countries: &["US"],
        source: Source::Regex(r"\b\d{3}[ -]?\d{2}[ -]?\d{4}\b"),
        check: Some(Check::Validator(Validator::UsaSsn)),
        keywords: Keywords::Required(&[
            "ssn",
            "ss#",
            "social security",
            "social security number",
            "soc sec",
        ]),
        recommended: true,
        severity: Scoring::HIGH,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "VEHICLE_IDENTIFICATION_NUMBER",
        source: Source::Regex(r"\b[A-HJ-NPR-Z0-9]{17}\b"),
        check: Some(Check::Validator(Validator::Vin)),
        keywords: Keywords::Required(&[
            "vin",
            "vehicle identification",
            "vehicle identification number",
            "chassis number",
            "fahrgestellnummer",
            "numéro de série",
            "número de bastidor",
        ]),
        severity: Scoring::LOW_LOW_MEDIUM,
        ..PERSONAL
    },
    // ----- ferret's own types, beyond Macie's catalogue -----
    ManagedIdentifier {
        type_name: "AWS_ACCESS_KEY_ID",
        source: Source::Regex(
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b",
        ),
        excluded: AWS_EXAMPLE_ACCESS_KEY_IDS,
        origin: Origin::Ferret,
        ..CREDENTIALS
    },
    ManagedIdentifier {
        type_name: "EMAIL_ADDRESS",
        source: Source::Regex(
            r"\b[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b",
        ),
        origin: Origin::Ferret,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "FRANCE_SIREN_NUMBER",
        countries: &["FR"],
        source: Source::Regex(r"\b\d{3}[ .]?\d{3}[ .]?\d{3}\b"),
        check: Some(Check::Validator(Validator::FranceSiren)),
        // Nine digits pass Luhn one time in ten, so phone numbers and row ids would
        // drown real findings without a keyword.
        keywords: Keywords::Required(&["siren", "sirene", "numéro siren", "n° siren"]),
        origin: Origin::Ferret,
        ..PERSONAL
    },
    ManagedIdentifier {
        type_name: "FRANCE_SIRET_NUMBER",
        countries: &["FR"],
        source: Source::Regex(r"\b\d{3}[ .]?\d{3}[ .]?\d{3}[ .-]?\d{5}\b"),
        check: Some(Check::Validator(Validator::FranceSiret)),
        origin: Origin::Ferret,
        ..PERSONAL
    },
];

/// A driver's licence row: a format that only a keyword makes precise.
const fn licence(
    type_name: &'static str,
    countries: &'static [&'static str],
    regex: &'static str,
    keywords: &'static [&'static str],
    recommended: bool,
) -> ManagedIdentifier {
    ManagedIdentifier {
        type_name,
        countries,
        source: Source::Regex(regex),
        keywords: Keywords::Required(keywords),
        recommended,
        ..PERSONAL
    }
}
