//! Managed identifiers: each type finds its published examples and passes over
//! near-misses (wrong check digits, documentation keys, missing keywords).

use ferret_identifiers::managed::MANAGED_IDENTIFIERS;
use ferret_identifiers::{
    Category, DetectorKind, IdentifierFile, IdentifierSet, ManagedSelection, UnitContext,
};

fn only(type_name: &str) -> IdentifierSet {
    let selection = ManagedSelection::parse(type_name).expect("known type");
    IdentifierSet::new(&IdentifierFile::default(), &selection).expect("builds")
}

fn kept(type_name: &str, unit: &str) -> Vec<String> {
    let set = only(type_name);
    let mut out = Vec::new();
    set.scan(unit.as_bytes(), UnitContext::None, |c| {
        if c.is_kept() {
            out.push(unit[c.span.clone()].to_owned());
        }
    });
    out
}

/// The catalogue's regexes are compiled on first use, where a failure could only
/// panic: each must compile, which this proves by compiling each.
#[test]
fn every_managed_identifier_compiles() {
    let set =
        IdentifierSet::new(&IdentifierFile::default(), &ManagedSelection::All).expect("builds");
    assert_eq!(set.detectors().len(), MANAGED_IDENTIFIERS.len());
    for detector in set.detectors() {
        assert!(matches!(detector.kind(), DetectorKind::Managed { .. }));
        let regex = detector.pattern().regex();
        assert_eq!(regex.pattern_len(), 1, "{}", detector.name());
    }
}

#[test]
fn the_spec_types_are_all_there_with_their_categories() {
    let expected = [
        ("CREDIT_CARD_NUMBER", Category::FinancialInformation),
        ("AWS_CREDENTIALS", Category::Credentials),
        ("AWS_ACCESS_KEY_ID", Category::Credentials),
        ("BRAZIL_CPF_NUMBER", Category::PersonalInformation),
        ("BRAZIL_CNPJ_NUMBER", Category::PersonalInformation),
        ("FRANCE_SIRET_NUMBER", Category::PersonalInformation),
        ("FRANCE_SIREN_NUMBER", Category::PersonalInformation),
        (
            "FRANCE_NATIONAL_IDENTIFICATION_NUMBER",
            Category::PersonalInformation,
        ),
        ("USA_SOCIAL_SECURITY_NUMBER", Category::PersonalInformation),
        ("FRANCE_BANK_ACCOUNT_NUMBER", Category::FinancialInformation),
        ("UK_BANK_ACCOUNT_NUMBER", Category::FinancialInformation),
        ("EMAIL_ADDRESS", Category::PersonalInformation),
        ("OPENSSH_PRIVATE_KEY", Category::Credentials),
        ("PGP_PRIVATE_KEY", Category::Credentials),
        ("PKCS", Category::Credentials),
        ("PUTTY_PRIVATE_KEY", Category::Credentials),
        ("UK_NHS_NUMBER", Category::PersonalInformation),
    ];
    for (name, category) in expected {
        let found = ferret_identifiers::managed::lookup(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(found.category, category, "{name}");
    }
}

#[test]
fn selection_parses_none_all_and_lists() {
    assert_eq!(
        ManagedSelection::parse("none").expect("ok"),
        ManagedSelection::None
    );
    assert_eq!(
        ManagedSelection::parse("all").expect("ok"),
        ManagedSelection::All
    );
    let list =
        ManagedSelection::parse("france_bank_account_number, credit_card_number").expect("ok");
    assert_eq!(list.identifiers().len(), 2);
    // ferret's old names are gone: Macie has no plain IBAN or PRIVATE_KEY type.
    for old in ["IBAN", "PRIVATE_KEY"] {
        let error = ManagedSelection::parse(&format!("PKCS,{old}")).expect_err("unknown");
        assert_eq!(error.name, old);
    }
}

#[test]
fn credit_cards_need_luhn_an_issuer_and_a_keyword() {
    assert_eq!(
        kept("CREDIT_CARD_NUMBER", "card number 4539 1488 0343 6467."),
        ["4539 1488 0343 6467"]
    );
    assert_eq!(
        kept("CREDIT_CARD_NUMBER", "amex 3782-822463-10013"),
        ["3782-822463-10013"]
    );
    assert!(
        kept("CREDIT_CARD_NUMBER", "ref 4539148803436467").is_empty(),
        "no keyword: CREDIT_CARD_NUMBER_(NO_KEYWORD) reports it"
    );
    assert!(
        kept("CREDIT_CARD_NUMBER", "credit card 4539 1488 0343 6468").is_empty(),
        "fails Luhn"
    );
    assert!(
        kept("CREDIT_CARD_NUMBER", "credit card 4111 1111 1111 1111").is_empty(),
        "an issuer's test number"
    );
    assert!(
        kept("CREDIT_CARD_NUMBER", "12345678901234567890123").is_empty(),
        "too long"
    );
}

#[test]
fn aws_access_key_ids_but_not_the_documentation_example() {
    assert_eq!(
        kept("AWS_ACCESS_KEY_ID", "key=AKIA2OGYBAH6STMMNXNN"),
        ["AKIA2OGYBAH6STMMNXNN"]
    );
    assert!(kept("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE").is_empty());
    assert!(kept("AWS_ACCESS_KEY_ID", "XAKIA2OGYBAH6STMMNXNN").is_empty());
}

#[test]
fn aws_secret_keys_need_a_keyword_and_are_not_the_documentation_example() {
    let secret = "Zx9vQ2mLk8RtY7uPw3NcHb5JdFg1SaEe6TiOo4Vq";
    assert_eq!(
        kept(
            "AWS_CREDENTIALS",
            &format!("aws_secret_access_key = {secret}")
        ),
        [secret]
    );
    assert!(
        kept("AWS_CREDENTIALS", &format!("some value {secret}")).is_empty(),
        "no keyword"
    );
    assert!(kept(
        "AWS_CREDENTIALS",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    )
    .is_empty());
    let hex = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
    assert!(
        kept("AWS_CREDENTIALS", &format!("secret_key: {hex}")).is_empty(),
        "a SHA-1, not a key"
    );
}

#[test]
fn brazil_cpf_needs_its_check_digits() {
    assert_eq!(
        kept("BRAZIL_CPF_NUMBER", "CPF 529.982.247-25"),
        ["529.982.247-25"]
    );
    assert_eq!(
        kept("BRAZIL_CPF_NUMBER", "cpf=52998224725"),
        ["52998224725"]
    );
    assert!(
        kept("BRAZIL_CPF_NUMBER", "pedido 52998224725").is_empty(),
        "no keyword: one order number in a hundred passes the check digits"
    );
    assert!(kept("BRAZIL_CPF_NUMBER", "529.982.247-24").is_empty());
    assert!(kept("BRAZIL_CPF_NUMBER", "111.111.111-11").is_empty());
}

#[test]
fn brazil_cnpj_needs_its_check_digits() {
    assert_eq!(
        kept("BRAZIL_CNPJ_NUMBER", "CNPJ 11.222.333/0001-81"),
        ["11.222.333/0001-81"]
    );
    assert!(kept("BRAZIL_CNPJ_NUMBER", "11.222.333/0001-80").is_empty());
}

#[test]
fn france_siret_and_siren_use_luhn() {
    assert_eq!(
        kept("FRANCE_SIRET_NUMBER", "SIRET 732 829 320 00074"),
        ["732 829 320 00074"]
    );
    assert_eq!(
        kept("FRANCE_SIRET_NUMBER", "73282932000074"),
        ["73282932000074"]
    );
    assert!(kept("FRANCE_SIRET_NUMBER", "73282932000075").is_empty());
    assert_eq!(
        kept("FRANCE_SIREN_NUMBER", "SIREN : 732 829 320"),
        ["732 829 320"]
    );
    assert!(
        kept("FRANCE_SIREN_NUMBER", "SIREN : 732 829 321").is_empty(),
        "fails Luhn"
    );
    assert!(
        kept("FRANCE_SIREN_NUMBER", "order 732829320").is_empty(),
        "no keyword"
    );
}

#[test]
fn france_nir_needs_its_key() {
    // 1 84 12 76 451 089, key 97 - (1841276451089 mod 97).
    let number: u64 = 1_841_276_451_089;
    let key = 97 - number % 97;
    let valid = format!("1 84 12 76 451 089 {key:02}");
    assert_eq!(
        kept("FRANCE_NATIONAL_IDENTIFICATION_NUMBER", &valid),
        [valid.as_str()]
    );
    let wrong = format!("1 84 12 76 451 089 {:02}", (key % 97) + 1);
    assert!(kept("FRANCE_NATIONAL_IDENTIFICATION_NUMBER", &wrong).is_empty());
}

#[test]
fn usa_ssn_needs_a_keyword_and_valid_groups() {
    assert_eq!(
        kept("USA_SOCIAL_SECURITY_NUMBER", "SSN: 123-45-6789"),
        ["123-45-6789"]
    );
    assert!(
        kept("USA_SOCIAL_SECURITY_NUMBER", "ref 123-45-6789").is_empty(),
        "no keyword"
    );
    assert!(kept("USA_SOCIAL_SECURITY_NUMBER", "SSN: 666-45-6789").is_empty());
    assert!(kept("USA_SOCIAL_SECURITY_NUMBER", "SSN: 123-00-6789").is_empty());
}

#[test]
fn ibans_use_mod_97_and_report_their_country() {
    assert_eq!(
        kept(
            "FRANCE_BANK_ACCOUNT_NUMBER",
            "IBAN FR76 3000 6000 0112 3456 7890 189 merci"
        ),
        ["FR76 3000 6000 0112 3456 7890 189"]
    );
    assert_eq!(
        kept("UK_BANK_ACCOUNT_NUMBER", "GB82WEST12345698765432"),
        ["GB82WEST12345698765432"]
    );
    assert!(kept("UK_BANK_ACCOUNT_NUMBER", "GB82WEST12345698765433").is_empty());
    assert!(
        kept("GERMANY_BANK_ACCOUNT_NUMBER", "GB82WEST12345698765432").is_empty(),
        "another country's IBAN"
    );
}

#[test]
fn email_addresses() {
    assert_eq!(
        kept("EMAIL_ADDRESS", "write to ana.souza+hr@example.com.br."),
        ["ana.souza+hr@example.com.br"]
    );
    assert!(kept("EMAIL_ADDRESS", "not an @ address").is_empty());
}

#[test]
fn private_keys_are_reported_by_kind() {
    assert_eq!(
        kept("PKCS", "-----BEGIN RSA PRIVATE KEY-----\nMIIE"),
        ["-----BEGIN RSA PRIVATE KEY-----"]
    );
    assert_eq!(
        kept("PKCS", "-----BEGIN PRIVATE KEY-----"),
        ["-----BEGIN PRIVATE KEY-----"]
    );
    assert!(kept("PKCS", "-----BEGIN OPENSSH PRIVATE KEY-----").is_empty());
    assert_eq!(
        kept("OPENSSH_PRIVATE_KEY", "-----BEGIN OPENSSH PRIVATE KEY-----"),
        ["-----BEGIN OPENSSH PRIVATE KEY-----"]
    );
    for kind in ["PKCS", "OPENSSH_PRIVATE_KEY", "PGP_PRIVATE_KEY"] {
        assert!(
            kept(kind, "-----BEGIN PUBLIC KEY-----").is_empty(),
            "{kind}"
        );
    }
}
