//! `ferret identify` run as an analyst runs it: the real binary over the shipped samples.

use serde_json::Value;

use crate::common::{ferret, repo};

fn identify_json(sample: &str) -> Value {
    let identifiers = repo("samples/identifiers.toml");
    let sample = repo(sample);
    let out = ferret([
        "identify",
        "--identifiers",
        identifiers.to_str().expect("utf-8 path"),
        "--sample",
        sample.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn identifier<'v>(report: &'v Value, name: &str) -> &'v Value {
    report["identifiers"]
        .as_array()
        .expect("identifiers array")
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("{name} in report"))
}

#[test]
fn text_sample_shows_matches_with_keywords_and_rejections_with_reasons() {
    let report = identify_json("samples/relatorio_prototipos.txt");
    let siret = identifier(&report, "SIRET-NIC");
    assert_eq!(siret["matchCount"], 1);
    let kept = &siret["matches"][0];
    assert_eq!(
        (kept["line"].as_u64(), kept["column"].as_u64()),
        (Some(7), Some(43))
    );
    assert_eq!(kept["keyword"], "avril 2020");
    assert_eq!(kept["keywordFoundIn"], "text");
    let reasons: Vec<(&str, u64)> = siret["rejected"]
        .as_array()
        .expect("rejected array")
        .iter()
        .map(|r| {
            (
                r["reason"].as_str().unwrap_or(""),
                r["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(reasons, [("ignore_word", 10), ("no_keyword_in_range", 24)]);

    let prototypes = identifier(&report, "Prototyping Naming");
    assert_eq!(prototypes["matchCount"], 3);
    let columns: Vec<u64> = prototypes["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .map(|m| m["column"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(columns, [56, 66, 77], "columns count characters, not bytes");
    // No keywords: the match says so rather than leaving the field out.
    let first = prototypes["matches"][0].as_object().expect("a match");
    assert_eq!(first.get("keyword"), Some(&serde_json::Value::Null));
    assert_eq!(first.get("keywordFoundIn"), Some(&serde_json::Value::Null));
    assert_eq!(identifier(&report, "Brazil CPF")["matchCount"], 2);
}

#[test]
fn csv_sample_uses_cells_and_column_names_as_keywords() {
    let report = identify_json("samples/compagnie_française.csv");
    let siret = identifier(&report, "SIRET-NIC");
    assert_eq!(siret["matchCount"], 19);
    let first = &siret["matches"][0];
    assert_eq!(first["row"], 2);
    assert_eq!(first["column"], 6);
    assert_eq!(first["columnName"], "siret_nic");
    assert_eq!(first["cellReference"], "F2");
    assert_eq!(first["keywordFoundIn"], "column_name");
    assert_eq!(siret["rejected"][0]["row"], 9);
    assert_eq!(siret["rejected"][0]["reason"], "ignore_word");

    let report = identify_json("samples/empresa_brasileira.csv");
    assert_eq!(identifier(&report, "Brazil CPF")["matchCount"], 20);
    assert_eq!(identifier(&report, "Prototyping Naming")["matchCount"], 15);
}

#[test]
fn text_output_is_readable_at_a_glance() {
    let identifiers = repo("samples/identifiers.toml");
    let sample = repo("samples/relatorio_prototipos.txt");
    let out = ferret([
        "identify",
        "--identifiers",
        identifiers.to_str().expect("utf-8"),
        "--sample",
        sample.to_str().expect("utf-8"),
        "--name",
        "SIRET-NIC",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.starts_with("SIRET-NIC: 1 match, 2 rejected\n"),
        "{text}"
    );
    assert!(text.contains("line 7, column 43"), "{text}");
    assert!(text.contains("keyword \"avril 2020\" in text"), "{text}");
    assert!(text.contains("no_keyword_in_range"), "{text}");
    assert!(!text.contains("Brazil CPF"), "--name shows one identifier");
}

#[test]
fn a_broken_identifier_file_names_the_line_and_exits_2() {
    let out = ferret([
        "identify",
        "--identifiers",
        repo("samples/bad/unknown_key.toml")
            .to_str()
            .expect("utf-8"),
        "--sample",
        repo("samples/relatorio_prototipos.txt")
            .to_str()
            .expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing is scanned");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown_key.toml:6:"), "{stderr}");
    assert!(stderr.contains("identifier \"Employee ID\""), "{stderr}");
}

#[test]
fn an_unknown_name_or_a_missing_sample_is_a_usage_error() {
    let identifiers = repo("samples/identifiers.toml");
    let sample = repo("samples/relatorio_prototipos.txt");
    let out = ferret([
        "identify",
        "--identifiers",
        identifiers.to_str().expect("utf-8"),
        "--sample",
        sample.to_str().expect("utf-8"),
        "--name",
        "Nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = ferret([
        "identify",
        "--identifiers",
        identifiers.to_str().expect("utf-8"),
        "--sample",
        "/nonexistent/sample.txt",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/sample.txt"));
}

#[test]
fn managed_identifiers_can_join_the_bench() {
    let identifiers = repo("samples/identifiers.toml");
    let sample = repo("samples/relatorio_prototipos.txt");
    let out = ferret([
        "identify",
        "--identifiers",
        identifiers.to_str().expect("utf-8"),
        "--sample",
        sample.to_str().expect("utf-8"),
        "--managed",
        "CREDIT_CARD_NUMBER,EMAIL_ADDRESS",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    // The sample's card is Visa's published test number: never reported, and shown as
    // rejected with the reason.
    let card = identifier(&report, "CREDIT_CARD_NUMBER");
    assert_eq!(card["matchCount"], 0);
    assert_eq!(card["rejected"][0]["reason"], "example");
    assert_eq!(identifier(&report, "EMAIL_ADDRESS")["matchCount"], 1);
}

#[test]
fn json_locations_follow_the_scan_path_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let identifiers = dir.path().join("ids.toml");
    std::fs::write(
        &identifiers,
        "[[identifier]]\nname = \"Employee ID\"\nregex = 'EMP-\\d{5}'\n",
    )
    .expect("identifiers");
    let sample = dir.path().join("sample.json");
    let long_key = "k".repeat(300);
    let doc =
        format!(r#"{{"4539148803436467": "EMP-13001", "team": {{"{long_key}": "EMP-13002"}}}}"#);
    std::fs::write(&sample, doc).expect("sample");
    let run = |format: &str| {
        let out = ferret([
            "identify",
            "--identifiers",
            identifiers.to_str().expect("utf-8"),
            "--sample",
            sample.to_str().expect("utf-8"),
            "--managed",
            "CREDIT_CARD_NUMBER,CREDIT_CARD_NUMBER_(NO_KEYWORD)",
            "--name",
            "Employee ID",
            "--format",
            format,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let report: Value = serde_json::from_str(&run("json")).expect("json");
    let matches = &identifier(&report, "Employee ID")["matches"];
    assert_eq!(matches[0]["recordIndex"], 0);
    assert_eq!(
        matches[0]["jsonPath"],
        Value::Null,
        "the key holds a card number"
    );
    assert_eq!(
        matches[1]["jsonPath"],
        format!("$.team.{}", "k".repeat(240)),
        "names are cut to 240 characters, as a scan cuts them"
    );
    let text = run("text");
    assert!(
        text.contains("record 0, path omitted (sensitive key)"),
        "{text}"
    );
    assert!(!text.contains("4539148803436467"), "{text}");
}

#[test]
fn matches_inside_archives_name_their_member_in_json_and_text() {
    let report = identify_json("tests/fixtures/tar/nested.tar.gz");
    let cpf = identifier(&report, "Brazil CPF");
    let member = "exports/bundle.zip/inner.tar/deep/clients.csv";
    assert_eq!(cpf["matches"][0]["fileMember"], member);

    let identifiers = repo("samples/identifiers.toml");
    let sample = repo("tests/fixtures/tar/nested.tar.gz");
    let out = ferret([
        "identify",
        "--identifiers",
        identifiers.to_str().expect("utf-8 path"),
        "--sample",
        sample.to_str().expect("utf-8 path"),
        "--name",
        "Brazil CPF",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|line| line
            .trim_start()
            .starts_with(&format!("match     {member}: cell "))),
        "{text}"
    );
}

#[test]
fn matches_in_the_sample_itself_carry_no_member() {
    let report = identify_json("samples/relatorio_prototipos.txt");
    let siret = identifier(&report, "SIRET-NIC");
    assert!(siret["matches"][0].get("fileMember").is_none());
    assert!(siret["rejected"][0].get("fileMember").is_none());
}

#[test]
fn a_sample_over_its_formats_size_quota_is_refused_unread() {
    let identifiers = repo("samples/identifiers.toml");
    let sample = repo("samples/relatorio_prototipos.txt");
    let size = std::fs::metadata(&sample).expect("sample").len();
    let limit = (size - 1).to_string();
    let out = ferret([
        "identify",
        "--identifiers",
        identifiers.to_str().expect("utf-8 path"),
        "--sample",
        sample.to_str().expect("utf-8 path"),
        "--max-uncompressed-bytes",
        limit.as_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FILE_EXCEEDS_SIZE_LIMIT"));
}

#[test]
fn matches_in_e_mail_attachments_name_the_attachment() {
    let report = identify_json("tests/fixtures/eml/contract.eml");
    let members: Vec<Option<&str>> = identifier(&report, "Brazil CPF")["matches"]
        .as_array()
        .expect("matches array")
        .iter()
        .map(|m| m.get("fileMember").and_then(Value::as_str))
        .collect();
    assert_eq!(
        members,
        [
            None,
            Some("planilha.xlsx"),
            Some("arquivos.zip/dados/lista.csv")
        ]
    );
}
