//! `ferret scan` end to end: the real binary over fixtures of every format, asserting
//! exact Macie-format locations, statuses and exit codes.

mod common;

use common::*;
use serde_json::{json, Value};

const IDENTIFIERS: &str = "samples/identifiers.toml";

/// Scans `targets` with the sample identifiers and no managed identifiers.
fn scan_custom(targets: &[&str]) -> (Option<i32>, Vec<Value>) {
    let identifiers = repo(IDENTIFIERS);
    let mut args = vec![
        "scan",
        "--managed",
        "none",
        "--identifiers",
        path_str(&identifiers),
    ];
    args.extend_from_slice(targets);
    let out = ferret(&args);
    assert!(
        out.status.code() != Some(2),
        "scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), records(&out))
}

#[test]
fn text_results_follow_the_macie_shape_exactly() {
    let sample = repo("samples/relatorio_prototipos.txt");
    let (code, records) = scan_custom(&[path_str(&sample)]);
    assert_eq!(code, Some(1), "sensitive data found");
    let record = &records[0];
    assert_eq!(record["schemaVersion"], "1.0");
    assert_eq!(record["resourcesAffected"]["s3Bucket"], Value::Null);
    let object = &record["resourcesAffected"]["s3Object"];
    assert_eq!(object["path"], path_str(&sample));
    assert_eq!(object["extension"], "txt");
    assert_eq!(
        object["size"],
        std::fs::metadata(&sample).expect("sample").len()
    );
    assert_eq!(record["type"], "SensitiveData:S3Object/CustomIdentifier");
    assert_eq!(
        record["severity"],
        json!({"score": 2, "description": "Medium"})
    );
    let result = result(record);
    assert_eq!(
        result["status"],
        json!({"code": "COMPLETE", "reason": null})
    );
    assert_eq!(result["mimeType"], "text/plain");
    assert_eq!(result["additionalOccurrences"], false);
    assert_eq!(result["customDataIdentifiers"]["totalCount"], 6);
    assert_eq!(result["sensitiveData"], json!([]));
    let siret = custom(record, "SIRET-NIC").expect("SIRET-NIC detection");
    assert_eq!(
        siret,
        &json!({"name": "SIRET-NIC", "count": 1, "severity": "MEDIUM", "occurrences": {
            "cells": [], "lineRanges": [{"start": 7, "end": 7, "startColumn": 43}], "records": []}})
    );
    let prototypes = custom(record, "Prototyping Naming").expect("prototypes");
    assert_eq!(
        prototypes["severity"], "LOW",
        "3 occurrences, LOW from 1, HIGH from 10"
    );
}

#[test]
fn csv_cells_carry_row_column_and_column_name() {
    let sample = repo("samples/empresa_brasileira.csv");
    let (_, records) = scan_custom(&[path_str(&sample)]);
    let cpf = custom(&records[0], "Brazil CPF").expect("CPF");
    assert_eq!(cpf["count"], 20);
    assert_eq!(
        cpf["occurrences"]["cells"][0],
        json!({"row": 2, "column": 4, "columnName": "cpf", "cellReference": null})
    );
    assert_eq!(result(&records[0])["mimeType"], "text/csv");
    let prototypes = custom(&records[0], "Prototyping Naming").expect("prototypes");
    assert_eq!(prototypes["count"], 15);
    assert_eq!(prototypes["severity"], "HIGH");
    assert_eq!(records[0]["severity"]["description"], "High");
}

#[test]
fn sensitive_text_in_a_csv_header_is_a_line_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "id,P-AB1234 notes\n1,\"quoted, with P-CD5678\nand a newline\"\n2,plain\n";
    let path = write(dir.path(), "h.csv", csv.as_bytes());
    let (_, records) = scan_custom(&[path_str(&path)]);
    let occurrences = &custom(&records[0], "Prototyping Naming").expect("found")["occurrences"];
    assert_eq!(
        occurrences["lineRanges"],
        json!([{"start": 1, "end": 1, "startColumn": 4}])
    );
    assert_eq!(
        occurrences["cells"],
        json!([{"row": 2, "column": 2, "columnName": "P-AB1234 notes", "cellReference": null}])
    );
}

#[test]
fn tsv_is_read_by_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "t.tsv", b"name\tsiret\nA\t732 829 320-00074\n");
    let (_, records) = scan_custom(&[path_str(&path)]);
    let siret = custom(&records[0], "SIRET-NIC").expect("kept by the column name");
    assert_eq!(
        siret["occurrences"]["cells"],
        json!([{"row": 2, "column": 2, "columnName": "siret", "cellReference": null}])
    );
    assert_eq!(result(&records[0])["mimeType"], "text/tab-separated-values");
}

#[test]
fn gzip_is_read_as_its_inner_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = std::fs::read(repo("samples/empresa_brasileira.csv")).expect("sample");
    let path = write(dir.path(), "e.csv.gz", &gzip(&csv));
    let (_, records) = scan_custom(&[path_str(&path)]);
    assert_eq!(status(&records[0]), ("COMPLETE".to_owned(), None));
    let cpf = custom(&records[0], "Brazil CPF").expect("CPF");
    assert_eq!(cpf["count"], 20);
    assert_eq!(cpf["occurrences"]["cells"][0]["columnName"], "cpf");
}

#[test]
fn zip_members_are_all_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = std::fs::read(repo("samples/empresa_brasileira.csv")).expect("sample");
    let text = std::fs::read(repo("samples/relatorio_prototipos.txt")).expect("sample");
    let inner = zip(&[("deeper/report.txt", &text)]);
    let archive = zip(&[
        ("a/e.csv", &csv),
        ("b/r.txt", &text),
        ("c/inner.zip", &inner),
    ]);
    let path = write(dir.path(), "bundle.zip", &archive);
    let (_, records) = scan_custom(&[path_str(&path)]);
    assert_eq!(status(&records[0]), ("COMPLETE".to_owned(), None));
    assert_eq!(
        custom(&records[0], "Brazil CPF").expect("cpf")["count"],
        20 + 2 + 2
    );
    assert_eq!(custom(&records[0], "SIRET-NIC").expect("siret")["count"], 2);
}

#[test]
fn an_unreadable_member_makes_the_archive_partial() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read(repo("samples/relatorio_prototipos.txt")).expect("sample");
    let archive = zip(&[("r.txt", &text), ("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0")]);
    let path = write(dir.path(), "mixed.zip", &archive);
    let (_, records) = scan_custom(&[path_str(&path)]);
    assert_eq!(
        status(&records[0]),
        (
            "PARTIAL".to_owned(),
            Some("ARCHIVE_CONTAINS_UNPROCESSED_FILES".to_owned())
        )
    );
    assert_eq!(
        custom(&records[0], "Prototyping Naming").expect("found")["count"],
        3
    );
}

#[test]
fn archives_nested_past_ten_levels_stop_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut archive = zip(&[("deepest.txt", b"P-AB1234")]);
    for level in 0..10 {
        let name = format!("level{level}.zip");
        archive = zip(&[(name.as_str(), &archive)]);
    }
    let path = write(dir.path(), "nested.zip", &archive);
    let (_, records) = scan_custom(&[path_str(&path)]);
    assert_eq!(
        status(&records[0]),
        (
            "PARTIAL".to_owned(),
            Some("ARCHIVE_NESTING_LEVEL_OVER_LIMIT".to_owned())
        )
    );
}

#[test]
fn bad_objects_get_a_status_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut noise = Vec::with_capacity(65536);
    let mut state: u32 = 12345;
    for _ in 0..65536 {
        state = state.wrapping_mul(1103515245).wrapping_add(12345);
        noise.push((state >> 16) as u8);
    }
    write(dir.path(), "a_random.csv", &noise);
    write(dir.path(), "b_empty.txt", b"");
    write(dir.path(), "c_image.png", b"\x89PNG\r\n\x1a\n");
    write(dir.path(), "d_fake.gz", b"this is not gzip at all");
    let truncated = gzip(&std::fs::read(repo("samples/relatorio_prototipos.txt")).expect("sample"));
    write(
        dir.path(),
        "e_truncated.txt.gz",
        &truncated[..truncated.len() / 2],
    );
    write(dir.path(), "f_ok.txt", b"nothing to see");
    let (code, records) = scan_custom(&[path_str(dir.path())]);
    assert_eq!(code, Some(0), "nothing sensitive");
    let statuses: Vec<(String, Option<String>)> = records.iter().map(status).collect();
    let skipped = |reason: &str| ("SKIPPED".to_owned(), Some(reason.to_owned()));
    assert_eq!(statuses.len(), 6, "one record per object, in path order");
    assert_eq!(statuses[0], skipped("UNABLE_TO_PARSE_FILE"));
    assert_eq!(statuses[1], ("COMPLETE".to_owned(), None));
    assert_eq!(statuses[2], skipped("UNSUPPORTED_FILE_TYPE_EXCEPTION"));
    assert_eq!(statuses[3], skipped("UNABLE_TO_PARSE_FILE"));
    assert_eq!(statuses[4].1.as_deref(), Some("MALFORMED_FILE"));
    assert_eq!(statuses[5], ("COMPLETE".to_owned(), None));
    for record in &records {
        assert_eq!(record["severity"], Value::Null);
        assert_eq!(record["type"], Value::Null);
    }
}

/// One GiB of `byte`, gzip-compressed to about a megabyte.
fn gzip_bomb(byte: u8) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![byte; 1 << 20];
    for _ in 0..1024 {
        std::io::Write::write_all(&mut encoder, &block).expect("in memory");
    }
    let bomb = encoder.finish().expect("in memory");
    assert!(
        bomb.len() < 2 << 20,
        "1 GiB of one byte compresses to about 1 MiB"
    );
    bomb
}

#[test]
fn a_gzip_bomb_of_zeros_is_binary_and_skipped_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "zeros.txt.gz", &gzip_bomb(0));
    let (_, records) = scan_custom(&[path_str(&path)]);
    assert_eq!(
        status(&records[0]),
        (
            "SKIPPED".to_owned(),
            Some("UNABLE_TO_PARSE_FILE".to_owned())
        )
    );
}

#[test]
fn a_gzip_bomb_of_text_is_stopped_at_the_extraction_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "letters.txt.gz", &gzip_bomb(b'a'));
    let identifiers = repo(IDENTIFIERS);
    let out = ferret([
        "scan",
        "--identifiers",
        path_str(&identifiers),
        "--max-extracted-bytes",
        "67108864",
        path_str(&path),
    ]);
    let records = records(&out);
    let (code, reason) = status(&records[0]);
    assert!(code == "PARTIAL" || code == "SKIPPED", "{code}");
    assert_eq!(
        reason.as_deref(),
        Some("ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT")
    );
}

#[test]
fn matches_across_text_windows_are_found_once_with_their_lines() {
    // Three MiB of filler with a prototype name every ~100 KiB, including right at the
    // 1 MiB window boundaries.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    let mut expected_lines = Vec::new();
    let mut line = 1u64;
    let filler = "é".repeat(60) + "\n";
    let mut next_match = 1_048_576 - 3;
    while text.len() < 3 << 20 {
        if text.len() >= next_match {
            text.push_str("P-AB1234\n");
            expected_lines.push(line);
            next_match += 100_003;
        } else {
            text.push_str(&filler);
        }
        line += 1;
    }
    let path = write(dir.path(), "big.txt", text.as_bytes());
    let (_, records) = scan_custom(&[path_str(&path)]);
    let found = custom(&records[0], "Prototyping Naming").expect("found");
    assert_eq!(found["count"], expected_lines.len());
    let lines: Vec<u64> = found["occurrences"]["lineRanges"]
        .as_array()
        .expect("ranges")
        .iter()
        .map(|r| {
            assert_eq!(r["startColumn"], 1);
            r["start"].as_u64().unwrap_or(0)
        })
        .collect();
    assert_eq!(lines, expected_lines);
}

#[test]
fn output_order_does_not_depend_on_threads() {
    let samples = repo("samples");
    let identifiers = repo(IDENTIFIERS);
    let run = |threads: &str| {
        ferret([
            "scan",
            "--threads",
            threads,
            "--identifiers",
            path_str(&identifiers),
            path_str(&samples),
        ])
        .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    let paths: Vec<String> = String::from_utf8_lossy(&one)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("json");
            v["resourcesAffected"]["s3Object"]["path"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

#[test]
fn a_large_table_read_on_two_threads_gives_the_one_thread_result() {
    // Above the size from which one file is read in slices, with quoted fields that
    // span lines, CRLF endings and blank lines for the seams to fall in.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut table = b"id,siret,cpf,notes\r\n".to_vec();
    let mut row = 0u64;
    while table.len() < 20 << 20 {
        let siret = if row.is_multiple_of(7) {
            "732 829 320-00074"
        } else {
            "-"
        };
        let notes = match row % 5 {
            0 => "\"P-AB1234\nsee 529.982.247-25,\r\n\"\"quoted\"\"\"",
            1 => "",
            _ => "plain",
        };
        let ending = if row.is_multiple_of(11) {
            "\n\n"
        } else {
            "\r\n"
        };
        table.extend_from_slice(format!("{row},{siret},529.982.247-25,{notes}{ending}").as_bytes());
        row += 1;
    }
    let path = write(dir.path(), "large.csv", &table);
    let identifiers = repo(IDENTIFIERS);
    let run = |threads: &str| {
        let out = ferret([
            "scan",
            "--threads",
            threads,
            "--identifiers",
            path_str(&identifiers),
            path_str(&path),
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let one = run("1");
    assert_eq!(one.stdout, run("2").stdout);
    let records = records(&one);
    let cpf = custom(&records[0], "Brazil CPF").expect("cpf");
    assert_eq!(cpf["count"], row + row.div_ceil(5));
}

/// `len` bytes of words ending with ` P-AB1234`-like `code`.
fn words_ending_with(len: usize, code: &str) -> String {
    let mut cell = "lorem ipsum ".repeat(len / 12 + 1);
    cell.truncate(len - code.len() - 1);
    cell.push(' ');
    cell.push_str(code);
    cell
}

#[test]
fn a_cell_over_the_limit_is_skipped_and_the_rest_of_the_table_scanned() {
    // The default cell limit is 16 MiB: a cell of exactly that is judged whole (its
    // match is its last bytes), one byte more is not; the rows around them are read
    // whether the file is read in slices (plain) or streamed (gzip), one thread or two.
    let limit = 16 << 20;
    let exact = words_ending_with(limit, "P-EF9012");
    let over = words_ending_with(limit + 1, "P-CD5678");
    let table = format!("name,code\nfirst,P-AB1234\nexact,{exact}\nover,{over}\nlast,P-GH3456\n");
    drop((exact, over));
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "cells.csv", table.as_bytes());
    write(dir.path(), "cells.csv.gz", &gzip(table.as_bytes()));
    drop(table);
    for threads in ["1", "2"] {
        let (code, records) = scan_custom(&["--threads", threads, path_str(dir.path())]);
        assert_eq!(code, Some(1), "sensitive");
        assert_eq!(records.len(), 2);
        for record in &records {
            assert_eq!(
                status(record),
                (
                    "PARTIAL".to_owned(),
                    Some("FILE_EXCEEDS_SIZE_LIMIT".to_owned())
                )
            );
            let found = custom(record, "Prototyping Naming").expect("codes");
            assert_eq!(found["count"], 3);
            let rows: Vec<&Value> = found["occurrences"]["cells"]
                .as_array()
                .expect("cells")
                .iter()
                .map(|cell| &cell["row"])
                .collect();
            assert_eq!(rows, [&json!(2), &json!(3), &json!(5)]);
        }
    }
}

#[test]
fn max_occurrences_bounds_the_list_not_the_count() {
    let sample = repo("samples/empresa_brasileira.csv");
    let identifiers = repo(IDENTIFIERS);
    let out = ferret([
        "scan",
        "--managed",
        "none",
        "--max-occurrences",
        "2",
        "--identifiers",
        path_str(&identifiers),
        path_str(&sample),
    ]);
    let records = records(&out);
    let cpf = custom(&records[0], "Brazil CPF").expect("cpf");
    assert_eq!(cpf["count"], 20);
    assert_eq!(
        cpf["occurrences"]["cells"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(result(&records[0])["additionalOccurrences"], true);
}

#[test]
fn managed_identifiers_are_grouped_by_category() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "card 4111 1111 1111 1111\nmail ana@example.com\nkey AKIA2OGYBAH6STMMNXNN\n";
    let path = write(dir.path(), "mixed.txt", text.as_bytes());
    let out = ferret(["scan", path_str(&path)]);
    assert_eq!(out.status.code(), Some(1));
    let records = records(&out);
    let record = &records[0];
    assert_eq!(record["type"], "SensitiveData:S3Object/Multiple");
    assert_eq!(record["severity"]["score"], 3, "credentials are High");
    let categories: Vec<&str> = result(record)["sensitiveData"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| c["category"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        categories,
        [
            "CREDENTIALS",
            "FINANCIAL_INFORMATION",
            "PERSONAL_INFORMATION"
        ]
    );
    let card = managed(record, "CREDIT_CARD_NUMBER").expect("card");
    assert_eq!(
        card["occurrences"]["lineRanges"],
        json!([{"start": 1, "end": 1, "startColumn": 6}])
    );
}

#[test]
fn matched_values_never_reach_the_output() {
    let sample = repo("samples/empresa_brasileira.csv");
    let identifiers = repo(IDENTIFIERS);
    for format in ["jsonl", "table"] {
        let out = ferret([
            "scan",
            "--format",
            format,
            "--identifiers",
            path_str(&identifiers),
            path_str(&sample),
        ]);
        let all = [out.stdout, out.stderr].concat();
        let text = String::from_utf8_lossy(&all);
        for secret in ["129.730.184-63", "P-BE9424", "@example"] {
            assert!(!text.contains(secret), "{format} output leaks {secret}");
        }
    }
}

#[test]
fn exit_codes_tell_clean_sensitive_and_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = write(dir.path(), "clean.txt", b"nothing here");
    assert_eq!(ferret(["scan", path_str(&clean)]).status.code(), Some(0));
    let sample = repo("samples/relatorio_prototipos.txt");
    assert_eq!(ferret(["scan", path_str(&sample)]).status.code(), Some(1));
    let bad = repo("samples/bad/lookaround.toml");
    assert_eq!(
        ferret(["scan", "--identifiers", path_str(&bad), path_str(&sample)])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(ferret(["scan", "/no/such/target"]).status.code(), Some(2));
}

#[test]
fn output_file_and_table_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("results.jsonl");
    let sample = repo("samples/relatorio_prototipos.txt");
    let out = ferret(["scan", "--output", path_str(&output), path_str(&sample)]);
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&output).expect("results written");
    assert_eq!(written.lines().count(), 1);
    let out = ferret(["scan", "--format", "table", path_str(&sample)]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("OBJECT"), "{table}");
    assert!(
        table.contains("COMPLETE") && table.contains("Medium"),
        "{table}"
    );
}

#[test]
fn xlsx_from_two_producers_gives_the_same_cells() {
    let mut detections = Vec::new();
    for producer in ["openpyxl", "xlsxwriter"] {
        let path = repo(&format!("tests/fixtures/xlsx/employees_{producer}.xlsx"));
        let (_, records) = scan_custom(&[path_str(&path)]);
        let record = &records[0];
        assert_eq!(status(record), ("COMPLETE".to_owned(), None), "{producer}");
        assert_eq!(
            result(record)["mimeType"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let cpf = custom(record, "Brazil CPF").expect("cpf");
        assert_eq!(cpf["count"], 10, "{producer}");
        assert_eq!(
            cpf["occurrences"]["cells"][0],
            json!({"row": 2, "column": 4, "columnName": "cpf", "cellReference": "Funcionarios!D2"})
        );
        let siret = custom(record, "SIRET-NIC").expect("siret, kept by its column name");
        assert_eq!(
            siret["occurrences"]["cells"][0],
            json!({"row": 2, "column": 1, "columnName": "siret_nic", "cellReference": "Empresas!A2"})
        );
        detections.push(result(record)["customDataIdentifiers"].clone());
    }
    assert_eq!(
        detections[0], detections[1],
        "producers agree cell for cell"
    );
}

#[test]
fn a_truncated_workbook_is_skipped_as_malformed() {
    let path = repo("tests/fixtures/xlsx/truncated.xlsx");
    let (code, records) = scan_custom(&[path_str(&path)]);
    assert_eq!(code, Some(0));
    assert_eq!(
        status(&records[0]),
        ("SKIPPED".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
}

#[test]
fn json_values_are_records_with_json_paths_and_keys_as_keywords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = r#"{"company": {"siret": "732 829 320-00074", "note": "732 829 320-00074"},
                  "employees": [{"cpf": "529.982.247-25"}, {"name": "x", "cpf": "111.444.777-35"}]}"#;
    let path = write(dir.path(), "doc.json", doc.as_bytes());
    let (_, records) = scan_custom(&[path_str(&path)]);
    assert_eq!(result(&records[0])["mimeType"], "application/json");
    let siret = custom(&records[0], "SIRET-NIC").expect("kept by the key `siret` only");
    assert_eq!(
        siret["occurrences"]["records"],
        json!([{"recordIndex": 0, "jsonPath": "$.company.siret"}])
    );
    let cpf = custom(&records[0], "Brazil CPF").expect("cpf");
    assert_eq!(
        cpf["occurrences"]["records"],
        json!([
            {"recordIndex": 0, "jsonPath": "$.employees[0].cpf"},
            {"recordIndex": 0, "jsonPath": "$.employees[1].cpf"}
        ])
    );
}

#[test]
fn json_lines_records_are_numbered_by_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines = "{\"p\": \"P-AB1234\"}\n\n{\"q\": [\"x\", \"P-CD5678\"]}\r\n";
    let path = write(dir.path(), "events.jsonl", lines.as_bytes());
    let (_, records) = scan_custom(&[path_str(&path)]);
    let found = custom(&records[0], "Prototyping Naming").expect("found");
    assert_eq!(
        found["occurrences"]["records"],
        json!([
            {"recordIndex": 0, "jsonPath": "$.p"},
            {"recordIndex": 2, "jsonPath": "$.q[1]"}
        ])
    );
    assert_eq!(status(&records[0]), ("COMPLETE".to_owned(), None));
}

#[test]
fn a_broken_json_line_makes_the_object_partial() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines = "{\"p\": \"P-AB1234\"}\n{broken\n{\"p\": \"P-CD5678\"}\n";
    let path = write(dir.path(), "events.ndjson", lines.as_bytes());
    let (_, records) = scan_custom(&[path_str(&path)]);
    assert_eq!(
        status(&records[0]),
        ("PARTIAL".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
    assert_eq!(
        custom(&records[0], "Prototyping Naming").expect("found")["count"],
        2
    );
}
