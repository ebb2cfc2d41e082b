//! Every validator can be named in an identifier file (`validator = "..."`)
//! and, so named, keeps a valid number and drops its near miss in a scan.
//! The valid examples are the published ones the validators' unit tests
//! cite (or ones python-stdnum confirms); each near miss changes one place.

use std::path::Path;

use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection, UnitContext, Validator};

/// (validator name, a valid number, the same with one place changed).
const EXAMPLES: &[(&str, &str, &str)] = &[
    ("luhn", "79927398713", "79927398710"),
    ("credit_card", "4111 1111 1111 1111", "4111 1111 1111 1112"),
    (
        "iban",
        "GB82 WEST 1234 5698 7654 32",
        "GB82 WEST 1234 5698 7654 33",
    ),
    ("usa_ssn", "123-45-6789", "666-45-6789"),
    ("usa_itin", "912-70-1234", "912-89-1234"),
    ("usa_aba_routing", "011000015", "011000016"),
    ("usa_dea", "AB1234563", "AB1234564"),
    ("usa_npi", "1234567893", "1234567890"),
    ("usa_mbi", "1EG4-TE5-MK73", "1SG4-TE5-MK73"),
    ("usa_hicn", "123-45-6789A", "666-45-6789A"),
    ("vin", "1M8GDM9AXKP042788", "1M8GDM9A1KP042788"),
    ("vin_structure", "WVWZZZ1JZXW000001", "WVWZZZ1JZXW00000O"),
    ("gs1_gtin", "4006381333931", "4006381333932"),
    ("brazil_cpf", "529.982.247-25", "529.982.247-24"),
    ("brazil_cnpj", "12.ABC.345/01DE-35", "12.ABC.345/01DE-36"),
    ("france_siren", "732 829 320", "732 829 321"),
    ("france_siret", "732 829 320 00074", "732 829 320 00075"),
    (
        "france_nir",
        "1 84 12 76 451 089 46",
        "1 84 12 76 451 089 47",
    ),
    ("france_tax_id", "30 23 217 600 053", "30 23 217 600 054"),
    (
        "france_rib",
        "30006 00001 12345678901 89",
        "30006 00001 12345678901 88",
    ),
    ("spain_dni", "12345678Z", "12345678A"),
    ("spain_nie", "X1234567L", "X1234567X"),
    ("spain_nif", "A58818501", "A58818502"),
    ("spain_nuss", "28/01234567/42", "28/01234567/43"),
    (
        "spain_ccc",
        "2100 0418 45 0200051332",
        "2100 0418 46 0200051332",
    ),
    (
        "italy_codice_fiscale",
        "RCCMNL83S18D969H",
        "RCCMNL83S18D969I",
    ),
    (
        "italy_bban",
        "X 05428 11101 000000123456",
        "Y 05428 11101 000000123456",
    ),
    ("germany_steuer_id", "36 574 261 809", "36 574 261 808"),
    ("germany_id_card", "T220001293", "T220001294"),
    ("uk_nino", "AB 12 34 56 A", "QQ 12 34 56 C"),
    ("uk_nhs", "943 476 5919", "943 476 5918"),
    ("uk_utr", "1955839661", "2955839661"),
    ("canada_sin", "130 692 544", "130 692 545"),
    ("canada_bc_phn", "9698 658 215", "9698 658 216"),
    (
        "canada_ontario_health_number",
        "1234-567-897-AB",
        "1234-567-898-AB",
    ),
    ("australia_tfn", "123 456 782", "123 456 789"),
    ("australia_medicare", "2123 45670 1", "2123 45671 1"),
    ("india_aadhaar", "2341 2341 2346", "2341 2341 2347"),
    ("india_pan", "ABCPD1234E", "ABCXD1234E"),
    ("mexico_curp", "BOXW310820HNERXN09", "BOXW310820HNERXN08"),
    ("mexico_rfc", "GODE561231GR8", "GODE561231GR9"),
    ("argentina_cuit", "20-26756539-3", "20-26756539-4"),
    ("chile_rut", "76.086.428-5", "76.086.428-4"),
    ("colombia_nit", "890.903.938-8", "890.903.938-7"),
    ("netherlands_bsn", "1112.22.333", "1112.22.334"),
    ("poland_pesel", "44051401359", "44051401358"),
    ("poland_nip", "856-734-62-15", "856-734-62-16"),
    ("poland_regon", "192598184", "192598183"),
    ("portugal_nif", "501 964 843", "501 964 844"),
    ("sweden_personnummer", "880320-0016", "880320-0017"),
    ("finland_hetu", "131052-308T", "131052-308U"),
    ("norway_fodselsnummer", "151086 95088", "151086 95089"),
    ("denmark_cpr", "211062-5629", "321062-5629"),
    ("czech_birth_number", "710319/2745", "710319/2746"),
    ("hungary_taj", "123 456 788", "123 456 789"),
    ("hungary_tax_id", "8123456786", "8123456787"),
    ("croatia_oib", "94577403194", "94577403195"),
    ("romania_cnp", "1630615123457", "1630615123458"),
    ("bulgaria_egn", "7523169263", "7523169264"),
    ("switzerland_ahv", "756.9217.0769.85", "756.9217.0769.86"),
    ("austria_svnr", "1237 010180", "1238 010180"),
    ("turkey_tckn", "17291716060", "17291716050"),
    ("ireland_pps", "6433435F", "6433435E"),
    (
        "belgium_national_number",
        "85.07.30-033.28",
        "85.07.30-033.29",
    ),
    ("estonia_isikukood", "36805280109", "36805280108"),
    ("lithuania_asmens_kodas", "33309240064", "33309240065"),
    ("slovenia_emso", "0101006500006", "0101006500007"),
    ("greece_amka", "01013099997", "01013099998"),
    ("japan_my_number", "6214 9832 0257", "6214 9832 0258"),
    ("korea_rrn", "971013-9019902", "971313-9019902"),
    ("singapore_nric", "S1234567D", "S1234567E"),
    ("hong_kong_hkid", "A1234563", "A1234564"),
    ("taiwan_national_id", "A123456789", "A123456788"),
];

fn set_with(validator: &str) -> IdentifierSet {
    let toml = format!(
        "[[identifier]]\nname = \"Number\"\nregex = '^[A-Za-z0-9 ./-]+$'\nvalidator = \"{validator}\"\n"
    );
    let file = IdentifierFile::parse(Path::new("numbers.toml"), &toml)
        .unwrap_or_else(|e| panic!("validator {validator:?} must be accepted: {e}"));
    IdentifierSet::new(&file, &ManagedSelection::None).expect("set builds")
}

#[test]
fn every_validator_named_in_a_file_keeps_valid_numbers_and_drops_near_misses() {
    for &(name, valid, near_miss) in EXAMPLES {
        let set = set_with(name);
        assert!(
            set.holds_kept_match(valid.as_bytes(), UnitContext::None),
            "{name}: {valid}"
        );
        assert!(
            !set.holds_kept_match(near_miss.as_bytes(), UnitContext::None),
            "{name}: {near_miss}"
        );
    }
}

#[test]
fn every_validator_has_an_example_here() {
    for &(name, _) in Validator::FILE_NAMES {
        assert!(
            EXAMPLES.iter().any(|&(example, _, _)| example == name),
            "{name} has no example"
        );
    }
    assert_eq!(EXAMPLES.len(), Validator::FILE_NAMES.len());
}
