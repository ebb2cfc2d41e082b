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
