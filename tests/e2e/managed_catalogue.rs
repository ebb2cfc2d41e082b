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
    assert!(macie.len() >= 150, "{} Macie IDs", macie.len());
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
