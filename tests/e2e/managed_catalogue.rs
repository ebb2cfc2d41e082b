//! `ferret identifiers list` and the `--managed` selection, as an analyst uses them.

use serde_json::Value;

use crate::common::*;

fn listing() -> Vec<Value> {
    let out = ferret(["identifiers", "list", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    json["managedDataIdentifiers"]
        .as_array()
        .expect("a list")
        .clone()
}

#[test]
fn the_listing_shows_macie_s_catalogue_and_ferret_s_extras() {
    let rows = listing();
    let macie: Vec<&Value> = rows.iter().filter(|r| r["origin"] == "macie").collect();
    // Every ID of Macie's four reference pages but the machine-learned NAME and ADDRESS.
    assert!(macie.len() >= 164, "{} Macie IDs", macie.len());
    for row in &rows {
        let category = row["category"].as_str().expect("category");
        assert!(
            [
                "CREDENTIALS",
                "FINANCIAL_INFORMATION",
                "PERSONAL_INFORMATION"
            ]
            .contains(&category),
            "{row}"
        );
        assert!(
            row["keywordRule"].is_string() && row["keywords"].is_array(),
            "{row}"
        );
        assert!(row["severityScoring"]["1"].is_string(), "{row}");
    }
    let ibans = macie
        .iter()
        .filter(|r| {
            r["id"]
                .as_str()
                .is_some_and(|id| id.ends_with("_BANK_ACCOUNT_NUMBER"))
        })
        .filter(|r| r["id"] != "BANK_ACCOUNT_NUMBER")
        .count();
    assert_eq!(ibans, 52);
    let by_id = |id: &str| rows.iter().find(|r| r["id"] == id).cloned();
    assert_eq!(
        by_id("FRANCE_SIRET_NUMBER").expect("siret")["origin"],
        "ferret"
    );
    let nhs = by_id("UK_NHS_NUMBER").expect("nhs");
    assert_eq!(nhs["subcategory"], "PHI");
    assert_eq!(nhs["validator"], "uk_nhs");
    assert_eq!(nhs["keywordRule"], "required");
    assert!(by_id("IBAN").is_none() && by_id("PRIVATE_KEY").is_none());
    // France's type takes IBANs without keyword and RIBs after one of its keywords.
    let france = by_id("FRANCE_BANK_ACCOUNT_NUMBER").expect("france");
    assert_eq!(france["keywordRule"], "none");
    assert_eq!(france["validator"], "iban");
    assert_eq!(france["domestic"]["form"], "BBAN");
    assert_eq!(france["domestic"]["keywordRule"], "required");
    assert_eq!(france["domestic"]["validator"], "france_rib");
    assert!(france["domestic"]["keywords"]
        .as_array()
        .is_some_and(|words| words.iter().any(|w| w == "rib")));
    assert!(by_id("BELGIUM_BANK_ACCOUNT_NUMBER").expect("belgium")["domestic"].is_null());
    let scoring = |id: &str| by_id(id).expect(id)["severityScoring"].clone();
    assert_eq!(
        scoring("USA_PASSPORT_NUMBER"),
        serde_json::json!({"1": "MEDIUM", "2-99": "HIGH", "100+": "HIGH"})
    );
    assert_eq!(
        scoring("VEHICLE_IDENTIFICATION_NUMBER"),
        serde_json::json!({"1": "LOW", "2-99": "LOW", "100+": "MEDIUM"})
    );
}

/// Macie scores each type on its own: one passport number is Medium, one VIN Low, one
/// CPF High, one card number High; an object takes its highest type's severity.
#[test]
fn one_occurrence_is_scored_by_its_type() {
    let dir = tempfile::tempdir().expect("tempdir");
    let severity_of = |name: &str, text: &str| {
        let path = write(dir.path(), name, text.as_bytes());
        let out = ferret(["scan", "--managed", "all", path_str(&path)]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        records(&out)[0]["severity"]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        severity_of("passport.txt", "passport: C12345678\n"),
        "Medium"
    );
    assert_eq!(severity_of("vin.txt", "VIN 1M8GDM9AXKP042788\n"), "Low");
    assert_eq!(severity_of("cpf.txt", "CPF 529.982.247-25\n"), "High");
    assert_eq!(
        severity_of("card.txt", "visa 4539 1488 0343 6467\n"),
        "High"
    );
    assert_eq!(
        severity_of("both.txt", "VIN 1M8GDM9AXKP042788\npassport: C12345678\n"),
        "Medium"
    );
}

#[test]
fn scans_use_the_recommended_set_unless_told_otherwise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "passport: A12345678\nmail ana@example.com\n";
    let path = write(dir.path(), "people.txt", text.as_bytes());
    let detected = |args: &[&str]| {
        let mut all = vec!["scan"];
        all.extend_from_slice(args);
        all.push(path_str(&path));
        let out = ferret(&all);
        assert_ne!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let records = records(&out);
        let mut types: Vec<String> = result(&records[0])["sensitiveData"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["detections"].as_array().cloned().unwrap_or_default())
            .map(|d| d["type"].as_str().unwrap_or_default().to_owned())
            .collect();
        types.sort();
        types
    };
    assert_eq!(detected(&[]), ["USA_PASSPORT_NUMBER"]);
    assert_eq!(
        detected(&["--managed", "all"]),
        ["EMAIL_ADDRESS", "USA_PASSPORT_NUMBER"]
    );
    assert_eq!(
        detected(&["--managed", "all,exclude:country:US"]),
        ["EMAIL_ADDRESS"]
    );
    assert_eq!(
        detected(&["--managed", "category:CREDENTIALS,EMAIL_ADDRESS"]),
        ["EMAIL_ADDRESS"]
    );
    let out = ferret(["scan", "--managed", "country:ZZ", path_str(&path)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("country:ZZ"));
}

/// Scans `files` (name, contents) with `--managed all`: each file's record.
fn scan_all(files: &[(&str, &str)]) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    files
        .iter()
        .map(|(name, text)| {
            let path = write(dir.path(), name, text.as_bytes());
            let out = ferret(["scan", "--managed", "all", path_str(&path)]);
            assert_ne!(
                out.status.code(),
                Some(2),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            records(&out).remove(0)
        })
        .collect()
}

/// What a new user tries first, with third-party values, through the command line: the
/// issuer test card Mastercard publishes is not reported; Receita Federal's example of
/// an alphanumeric CNPJ (issued from July 2026) is; an IBAN whose mod 97 holds but
/// which has a letter where SWIFT's registry puts digits (the French bank code; check
/// digits recomputed with python-stdnum) is not.
#[test]
fn third_party_values_behave_as_macie_documents() {
    let records = scan_all(&[
        ("card.txt", "credit card 5555 5555 5555 4444\n"),
        ("cnpj.txt", "CNPJ 12.ABC.345/01DE-35\n"),
        ("iban.txt", "IBAN FR223000A600001123456789018\n"),
    ]);
    assert!(result(&records[0])["sensitiveData"]
        .as_array()
        .is_none_or(|categories| categories.is_empty()));
    assert_eq!(
        managed(&records[1], "BRAZIL_CNPJ_NUMBER").expect("cnpj")["count"],
        1
    );
    assert!(managed(&records[2], "FRANCE_BANK_ACCOUNT_NUMBER").is_none());
}

/// Domestic account numbers (BBANs) are reported under their country's bank account
/// type, in a column named by a keyword or after one in text; the same numbers under an
/// ordinary column are not. (Values from `identifiers/testdata/bban-cases.tsv`, made by
/// schwifty.)
#[test]
fn domestic_account_numbers_are_reported_under_their_country_s_type() {
    let table = "supplier,account number,reference\n\
                 Lumière SARL,69835 06939 65260338441 81,58740924577717152426977\n\
                 Stahl GmbH,47803467 6326860173,642692683824642831\n\
                 Ferro SpA,K 96318 24102 215494232699,E3606378309457661211698\n\
                 Hierro SL,8224 8639 07 4898559555,78800865610850436534\n\
                 Steel Ltd,EKYQ 035918 64267814,JJGE34896843545265\n";
    let text = "Kontonummer: 0219 0119 2482 6721 47\n\
                Bitte überweisen Sie auf DE89 3704 0044 0532 0130 00.\n\
                Sort code and account: PGLG 9653 7856 4527 57\n\
                Order 0219011924826721 47 shipped.\n";
    let records = scan_all(&[("suppliers.csv", table), ("letter.txt", text)]);
    let cells = |type_name: &str| {
        managed(&records[0], type_name).expect(type_name)["occurrences"]["cells"].clone()
    };
    for (type_name, row) in [
        ("FRANCE_BANK_ACCOUNT_NUMBER", 2),
        ("GERMANY_BANK_ACCOUNT_NUMBER", 3),
        ("ITALY_BANK_ACCOUNT_NUMBER", 4),
        ("SPAIN_BANK_ACCOUNT_NUMBER", 5),
        ("UK_BANK_ACCOUNT_NUMBER", 6),
    ] {
        assert_eq!(
            cells(type_name),
            serde_json::json!([{"row": row, "column": 2, "columnName": "account number",
                               "cellReference": null}]),
            "{type_name}"
        );
    }
    // The letter: one German BBAN after its keyword and one IBAN without any; one UK
    // BBAN after "sort code"; the order number on line 4 is no account.
    let germany = managed(&records[1], "GERMANY_BANK_ACCOUNT_NUMBER").expect("germany");
    assert_eq!(germany["count"], 2);
    let lines: Vec<u64> = germany["occurrences"]["lineRanges"]
        .as_array()
        .expect("line ranges")
        .iter()
        .map(|range| range["start"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines, [1, 2]);
    assert_eq!(
        managed(&records[1], "UK_BANK_ACCOUNT_NUMBER").expect("uk")["count"],
        1
    );
}
