//! The Latin American and Canadian types of Macie's catalogue: where one number is
//! split between two types (a person's and a company's tax number), each value is
//! reported under exactly one of them; the values Macie documents as examples are never
//! reported; the formats Macie documents are all found.

use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection, UnitContext};

fn kept(type_name: &str, unit: &str) -> Vec<String> {
    let selection = ManagedSelection::parse(type_name).expect("known type");
    let set = IdentifierSet::new(&IdentifierFile::default(), &selection).expect("builds");
    let mut out = Vec::new();
    set.scan(unit.as_bytes(), UnitContext::None, |c| {
        if c.is_kept() {
            out.push(unit[c.span.clone()].to_owned());
        }
    });
    out
}

/// Asserts that `value`, after `keyword`, is reported by `owner` and not by `other`.
fn reported_only_by(owner: &str, other: &str, keyword: &str, value: &str) {
    let unit = format!("{keyword}: {value}");
    assert_eq!(kept(owner, &unit), [value], "{owner} on {unit:?}");
    assert!(kept(other, &unit).is_empty(), "{other} on {unit:?}");
}

#[test]
fn people_s_and_companies_tax_numbers_go_to_one_type_each() {
    let (person, company) = (
        "ARGENTINA_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER",
        "ARGENTINA_ORGANIZATION_TAX_IDENTIFICATION_NUMBER",
    );
    reported_only_by(person, company, "CUIL", "20-26756539-3");
    reported_only_by(person, company, "CUIT", "27-12345678-0");
    reported_only_by(company, person, "CUIT", "30-71234567-1");

    let (person, company) = (
        "COLOMBIA_INDIVIDUAL_NIT_NUMBER",
        "COLOMBIA_ORGANIZATION_NIT_NUMBER",
    );
    reported_only_by(person, company, "NIT", "79.123.456-0");
    reported_only_by(person, company, "NIT", "1.020.304.050-8");
    reported_only_by(company, person, "NIT", "890.903.938-8");
    reported_only_by(company, person, "NIT", "8909039388");

    let (person, company) = (
        "MEXICO_INDIVIDUAL_RFC_NUMBER",
        "MEXICO_ORGANIZATION_RFC_NUMBER",
    );
    reported_only_by(person, company, "RFC", "GODE561231GR8");
    reported_only_by(company, person, "RFC", "ABC680524P73");
}

#[test]
fn documented_example_values_are_never_reported() {
    for dni in ["99.999.999", "99999999", "00.000.000", "0.000.000"] {
        assert!(
            kept("ARGENTINA_DNI_NUMBER", &format!("DNI {dni}")).is_empty(),
            "{dni}"
        );
    }
    assert_eq!(
        kept("ARGENTINA_DNI_NUMBER", "DNI 20.123.456"),
        ["20.123.456"]
    );
    for rut in ["00.000.000-0", "000000000", "0.000.000-0"] {
        assert!(
            kept("CHILE_RUT_NUMBER", &format!("RUT {rut}")).is_empty(),
            "{rut}"
        );
    }
    for rfc in ["XAXX010101000", "XEXX010101000"] {
        assert!(kept("MEXICO_INDIVIDUAL_RFC_NUMBER", &format!("RFC {rfc}")).is_empty());
    }
}

#[test]
fn sube_cards_are_found_in_every_grouping_and_only_with_their_prefix() {
    for card in [
        "6061123456789018",
        "6061 1234 5678 9018",
        "6061-1234-5678-9018",
    ] {
        assert_eq!(
            kept("ARGENTINA_TARJETA_SUBE", &format!("tarjeta SUBE {card}")),
            [card]
        );
    }
    // Passes Luhn, but is a Visa number, not a SUBE card.
    assert!(kept("ARGENTINA_TARJETA_SUBE", "SUBE 4539148803436467").is_empty());
    // The keyword is required.
    assert!(kept("ARGENTINA_TARJETA_SUBE", "card 6061123456789018").is_empty());
}

#[test]
fn chile_rut_check_character_may_be_k_in_either_case() {
    // 6.543.217-K: the check character is K (a remainder of 10).
    assert_eq!(kept("CHILE_RUT_NUMBER", "RUN 6.543.217-K"), ["6.543.217-K"]);
    assert_eq!(kept("CHILE_RUT_NUMBER", "RUN 6.543.217-k"), ["6.543.217-k"]);
    assert!(kept("CHILE_RUT_NUMBER", "RUN 6.543.217-0").is_empty());
}

#[test]
fn brazil_cep_is_found_with_and_without_separators() {
    for cep in ["01310-100", "01.310-100", "01310100"] {
        assert_eq!(kept("BRAZIL_CEP_CODE", &format!("CEP {cep}")), [cep]);
    }
    assert!(kept("BRAZIL_CEP_CODE", "pedido 01310-100").is_empty());
}

#[test]
fn canada_permanent_resident_numbers_need_their_keyword() {
    let id = "CANADA_NATIONAL_IDENTIFICATION_NUMBER";
    assert_eq!(kept(id, "PR number: PA0123456"), ["PA0123456"]);
    assert_eq!(kept(id, "permanent resident card 1234-5678"), ["1234-5678"]);
    assert_eq!(
        kept(id, "numéro résident permanent: 12-3456-7890"),
        ["12-3456-7890"]
    );
    assert!(kept(id, "order PA0123456").is_empty());
}
