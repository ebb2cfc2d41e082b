//! `ferret identifiers import|export`: Macie's definitions to identifier files and back.

use std::collections::BTreeMap;

use crate::common::*;
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    repo(&format!("tests/fixtures/macie/{name}"))
        .to_string_lossy()
        .into_owned()
}

/// The fields a definition round-trips, by name.
fn by_name(definitions: &[Value]) -> BTreeMap<String, Value> {
    definitions
        .iter()
        .map(|d| {
            let field = |k: &str| d.get(k).cloned().unwrap_or(Value::Null);
            let list = |k: &str| d.get(k).cloned().unwrap_or(json!([]));
            (
                d["name"].as_str().expect("name").to_owned(),
                json!({
                    "description": field("description"),
                    "regex": field("regex"),
                    "keywords": list("keywords"),
                    "ignoreWords": list("ignoreWords"),
                    "maximumMatchDistance": field("maximumMatchDistance"),
                    "severityLevels": list("severityLevels"),
                }),
            )
        })
        .collect()
}

#[test]
fn macie_json_imports_and_exports_back_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let toml = dir.path().join("imported.toml");
    let sources = [
        "get-custom-data-identifier.json",
        "create-custom-data-identifier.json",
        "list.json",
    ];
    let mut args = vec!["identifiers".to_owned(), "import".to_owned()];
    args.extend(sources.iter().map(|s| fixture(s)));
    args.extend(["--output".to_owned(), path_str(&toml).to_owned()]);
    let out = ferret(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The identifier file works as one: it scans.
    let sample = write(dir.path(), "s.txt", b"siret 123 456 789-00012 and P-AB1234");
    let scan = ferret([
        "scan",
        "--identifiers",
        path_str(&toml),
        "--managed",
        "none",
        path_str(&sample),
    ]);
    assert_eq!(
        scan.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );

    let out = ferret([
        "identifiers",
        "export",
        "--identifiers",
        path_str(&toml),
        "--format",
        "macie-json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON list");

    let mut original = Vec::new();
    for source in sources {
        let value: Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(source)).expect("fixture"))
                .expect("JSON");
        match value {
            Value::Array(items) => original.extend(items),
            one => original.push(one),
        }
    }
    assert_eq!(by_name(&exported), by_name(&original));
    assert_eq!(exported.len(), 4);
}

#[test]
fn a_cloudformation_yaml_template_imports_its_literal_definitions_and_refuses_computed_ones() {
    let out = ferret(["identifiers", "import", &fixture("template.yaml")]);
    assert_eq!(out.status.code(), Some(2), "one definition refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ComputedName: name is computed by Fn::Sub"),
        "the reason names the function: {stderr}"
    );
    let toml = String::from_utf8_lossy(&out.stdout);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "ids.toml", toml.as_bytes());
    let exported = ferret(["identifiers", "export", "--identifiers", path_str(&path)]);
    assert!(exported.status.success());
    let definitions: Vec<Value> = serde_json::from_slice(&exported.stdout).expect("JSON");
    assert_eq!(
        by_name(&definitions)["SIRET-NIC"],
        json!({
            "description": "French business number (SIREN + NIC)",
            "regex": r"\b(\d{3}\s?){2}\d{3}\-\d{5}\b",
            "keywords": ["siret", "avril 2020"],
            "ignoreWords": ["000000000-00000"],
            "maximumMatchDistance": 20,
            "severityLevels": [],
        })
    );
    assert_eq!(definitions.len(), 1, "the SNS topic is passed over");
}

#[test]
fn an_identifier_file_exports_as_a_template_that_imports_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ferret([
        "identifiers",
        "export",
        "--identifiers",
        path_str(&repo("samples/identifiers.toml")),
        "--format",
        "cloudformation",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let template: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let resources = template["Resources"].as_object().expect("resources");
    assert_eq!(resources.len(), 3);
    assert!(resources
        .values()
        .all(|r| r["Type"] == "AWS::Macie::CustomDataIdentifier"));
    let path = write(dir.path(), "template.json", &out.stdout);
    let back = ferret(["identifiers", "import", path_str(&path)]);
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    let text = String::from_utf8_lossy(&back.stdout);
    assert!(text.contains("name = \"Prototyping Naming\""), "{text}");
}

#[test]
fn a_definition_ferret_cannot_run_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        dir.path(),
        "lookahead.json",
        br#"{"name": "Lookahead", "regex": "foo(?=bar)", "maximumMatchDistance": 50}"#,
    );
    let out = ferret(["identifiers", "import", path_str(&path)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refused: Lookahead:"), "{stderr}");
    assert!(
        stderr.contains("no definition could be imported"),
        "{stderr}"
    );
}
