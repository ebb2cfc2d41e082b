//! `ferret scan` end to end: the real binary over fixtures of every format, asserting
//! exact Macie-format locations, statuses and exit codes.

use crate::common::*;
use serde_json::{json, Value};

const IDENTIFIERS: &str = "samples/identifiers.toml";

/// Scans `targets` with the sample identifiers and no managed identifiers.
pub(crate) fn scan_custom(targets: &[&str]) -> (Option<i32>, Vec<Value>) {
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
            "cells": [], "lineRanges": [{"start": 7, "end": 7, "startColumn": 43}],
            "offsetRanges": [], "pages": [], "records": []}})
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
    // The column's name holds a match: it is not written out.
    assert_eq!(
        occurrences["cells"],
        json!([{"row": 2, "column": 2, "columnName": null, "cellReference": null}])
    );
}

#[test]
fn header_matches_are_placed_at_the_file_s_own_lines_and_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (csv, expected) in [
        // Quoted fields: the value starts after its quote.
        (
            "\"nom\",\"P-AB1234 col\"\n\"x\",\"y\"\n",
            json!([[1, 1, 8]]),
        ),
        // A quoted field spanning lines.
        ("\"a\nb\",P-CD5678\r\nx,y\r\n", json!([[2, 2, 4]])),
        // A doubled quote is one character of the value, two of the file.
        ("id,\"x\"\"y P-EF9012\"\n1,2\n", json!([[1, 1, 10]])),
        // A byte-order mark is no column; blank lines before the header are lines.
        ("\u{feff}\n\nP-GH3456,b\n1,2\n", json!([[3, 3, 1]])),
    ] {
        let path = write(dir.path(), "h.csv", csv.as_bytes());
        let (_, records) = scan_custom(&[path_str(&path)]);
        let ranges: Vec<Value> = custom(&records[0], "Prototyping Naming").expect("found")
            ["occurrences"]["lineRanges"]
            .as_array()
            .expect("line ranges")
            .iter()
            .map(|r| json!([r["start"], r["end"], r["startColumn"]]))
            .collect();
        assert_eq!(json!(ranges), expected, "{csv:?}");
    }
}

#[test]
fn an_export_without_a_header_never_writes_its_values_as_column_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "P-AB1234,529.982.247-25,\nP-CD5678,111.444.777-35,x\n";
    let path = write(dir.path(), "no-header.csv", csv.as_bytes());
    let (_, records) = scan_custom(&[path_str(&path)]);
    let cells = |name: &str| custom(&records[0], name).expect(name)["occurrences"]["cells"].clone();
    assert_eq!(
        cells("Prototyping Naming"),
        json!([{"row": 2, "column": 1, "columnName": null, "cellReference": null}])
    );
    assert_eq!(
        cells("Brazil CPF"),
        json!([{"row": 2, "column": 2, "columnName": null, "cellReference": null}])
    );
    let out = serde_json::to_string(&records).expect("JSON");
    for value in ["P-AB1234", "529.982.247-25"] {
        assert!(!out.contains(value), "{value} leaked");
    }
}

#[test]
fn a_blank_header_cell_names_no_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "blank.csv", b"id,,x\n1,P-AB1234,y\n");
    let (_, records) = scan_custom(&[path_str(&path)]);
    assert_eq!(
        custom(&records[0], "Prototyping Naming").expect("found")["occurrences"]["cells"],
        json!([{"row": 2, "column": 2, "columnName": null, "cellReference": null}])
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
    let mut noise = vec![0; 65536];
    fastrand::Rng::with_seed(12345).fill(&mut noise);
    write(dir.path(), "a_random.csv", &noise);
    write(dir.path(), "b_empty.txt", b"");
    write(dir.path(), "c_image.png", b"\x89PNG\r\n\x1a\n");
    write(dir.path(), "d_fake.gz", b"this is not gzip at all");
    let clean: String = (0..2000)
        .map(|i| format!("nothing to see, line {i}\n"))
        .collect();
    let truncated = gzip(clean.as_bytes());
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
    // Its first half was read and scanned.
    assert_eq!(
        statuses[4],
        ("PARTIAL".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
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
    let text = "card 4539 1488 0343 6467\nmail ana@example.com\nkey AKIA2OGYBAH6STMMNXNN\n";
    let path = write(dir.path(), "mixed.txt", text.as_bytes());
    // The e-mail address and the access key ID are ferret's own types, outside Macie's
    // recommended set.
    let out = ferret(["scan", "--managed", "all", path_str(&path)]);
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
        // The sample's CPFs: Macie scores taxpayer numbers High.
        table.contains("COMPLETE") && table.contains("High"),
        "{table}"
    );

    // A status with a reason keeps the columns aligned: the reason comes last.
    let broken = write(dir.path(), "broken.xlsx", b"PK\x03\x04 not a workbook");
    let out = ferret([
        "scan",
        "--format",
        "table",
        path_str(&sample),
        path_str(&broken),
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    let severity_at = |line: &str| line.find(" High ").or_else(|| line.find(" - "));
    let row = |status: &str| {
        table
            .lines()
            .find(|line| line.contains(status))
            .unwrap_or_else(|| panic!("a {status} row in {table}"))
    };
    let (complete, skipped) = (row("COMPLETE"), row("SKIPPED"));
    assert_eq!(severity_at(complete), severity_at(skipped), "{table}");
    assert!(skipped.ends_with("- (MALFORMED_FILE)"), "{table}");
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

/// Other producers' layouts: parts outside `xl/` (found through the relationships) and
/// a package with only the required parts.
#[test]
fn xlsx_parts_are_found_through_the_package_relationships() {
    let cases = [
        ("relocated_parts.xlsx", "Pessoas!A2", 2, 1, json!("email")),
        ("minimal.xlsx", "Folha1!B3", 3, 2, Value::Null),
    ];
    for (name, reference, row, column, column_name) in cases {
        let path = repo(&format!("tests/fixtures/xlsx/{name}"));
        let (_, records) = scan_managed(&[path_str(&path)]);
        let record = &records[0];
        assert_eq!(status(record), ("COMPLETE".to_owned(), None), "{name}");
        let email = result(record)["sensitiveData"]
            .as_array()
            .expect("sensitive data")
            .iter()
            .flat_map(|category| category["detections"].as_array().expect("detections"))
            .find(|detection| detection["type"] == "EMAIL_ADDRESS")
            .unwrap_or_else(|| panic!("{name}: an email address"));
        assert_eq!(
            email["occurrences"]["cells"],
            json!([{"row": row, "column": column, "columnName": column_name, "cellReference": reference}]),
            "{name}"
        );
    }
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

/// An employee number identifier, for values under keys that hold other data.
const EMPLOYEE_IDS: &str = "[[identifier]]\nname = \"Employee ID\"\nregex = 'EMP-\\d{5}'\n";

/// Scans `target` with `identifiers` (TOML) and every managed identifier; returns the
/// records and all the output, stdout and stderr.
fn scan_managed_all(
    dir: &std::path::Path,
    identifiers: &str,
    target: &str,
) -> (Vec<Value>, String) {
    let identifiers = write(dir, "identifiers.toml", identifiers.as_bytes());
    let out = ferret([
        "scan",
        "--managed",
        "all",
        "--identifiers",
        path_str(&identifiers),
        target,
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (records(&out), all)
}

#[test]
fn a_json_path_through_a_sensitive_key_is_omitted_and_the_key_never_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = r#"{"4539148803436467": "EMP-13001",
                  "contact": {"jane.doe@example.com": {"x": "EMP-13002"}},
                  "staff": {"id": "EMP-13003"}}"#;
    let path = write(dir.path(), "keys.json", doc.as_bytes());
    let (records, output) = scan_managed_all(dir.path(), EMPLOYEE_IDS, path_str(&path));
    let employees = custom(&records[0], "Employee ID").expect("values are still found");
    assert_eq!(employees["count"], 3);
    assert_eq!(
        employees["occurrences"]["records"],
        json!([
            {"recordIndex": 0, "jsonPath": null},
            {"recordIndex": 0, "jsonPath": null},
            {"recordIndex": 0, "jsonPath": "$.staff.id"}
        ])
    );
    for key in ["4539148803436467", "jane.doe@example.com", "jane.doe"] {
        assert!(!output.contains(key), "{key} written: {output}");
    }
    // Keys are judged, never reported: no detection comes from them.
    assert!(managed(&records[0], "CREDIT_CARD_NUMBER").is_none());
    assert!(managed(&records[0], "EMAIL_ADDRESS").is_none());
}

#[test]
fn a_json_lines_record_under_a_sensitive_key_has_no_json_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines = concat!(
        "{\"ok\": \"EMP-13001\"}\n",
        "{\"cards\": {\"4539148803436467\": \"EMP-13002\"}}\n",
        "{\"mail\": [{\"jane.doe@example.com\": \"bob@example.org\"}]}\n",
        "{\"cards\": {\"4539148803436467\": \"EMP-13003\"}, \"ok\": \"EMP-13004\"}\n",
    );
    let path = write(dir.path(), "keys.jsonl", lines.as_bytes());
    let (records, output) = scan_managed_all(dir.path(), EMPLOYEE_IDS, path_str(&path));
    let employees = custom(&records[0], "Employee ID").expect("found");
    assert_eq!(
        employees["occurrences"]["records"],
        json!([
            {"recordIndex": 0, "jsonPath": "$.ok"},
            {"recordIndex": 1, "jsonPath": null},
            {"recordIndex": 3, "jsonPath": null},
            {"recordIndex": 3, "jsonPath": "$.ok"}
        ])
    );
    let email = managed(&records[0], "EMAIL_ADDRESS").expect("the value is found");
    assert_eq!(
        email["occurrences"]["records"],
        json!([{"recordIndex": 2, "jsonPath": null}]),
        "only the value is a detection, not the key"
    );
    for key in [
        "4539148803436467",
        "jane.doe@example.com",
        "bob@example.org",
    ] {
        assert!(!output.contains(key), "{key} written: {output}");
    }
    assert!(managed(&records[0], "CREDIT_CARD_NUMBER").is_none());
}

#[test]
fn long_json_names_and_paths_are_truncated_as_macie_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A 300-character key: its first 60 characters go.
    let long_key = format!("{}{}", "a".repeat(60), "k".repeat(240));
    // 130 levels `lNNN` (5 characters written each): 651 characters with the `$`.
    let levels: Vec<String> = (0..130).map(|i| format!("l{i:03}")).collect();
    let deep = levels
        .iter()
        .rev()
        .fold("\"EMP-13002\"".to_owned(), |inner, key| {
            format!("{{\"{key}\": {inner}}}")
        });
    let doc = format!("{{\"top\": {{\"{long_key}\": \"EMP-13001\"}}, \"deep\": {deep}}}");
    let path = write(dir.path(), "long.json", doc.as_bytes());
    let (records, output) = scan_managed_all(dir.path(), EMPLOYEE_IDS, path_str(&path));
    let occurrences = &custom(&records[0], "Employee ID").expect("found")["occurrences"];
    assert_eq!(
        occurrences["records"][0]["jsonPath"],
        format!("$.top.{}", "k".repeat(240))
    );
    // The `$` and the outermost elements go, whole, until 250 characters or fewer are
    // left: the last 50 levels.
    let expected: String = levels[80..].iter().map(|l| format!(".{l}")).collect();
    assert_eq!(occurrences["records"][1]["jsonPath"], expected);
    assert_eq!(expected.chars().count(), 250);
    assert!(!output.contains(&"a".repeat(60)));
}

/// Scans `targets` with every managed identifier (ferret's own `EMAIL_ADDRESS`
/// included) and no identifier file.
fn scan_managed(targets: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut args = vec!["scan", "--managed", "all"];
    args.extend_from_slice(targets);
    let out = ferret(&args);
    assert!(
        out.status.code() != Some(2),
        "scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), records(&out))
}

/// `text` as UTF-16 with its byte-order mark, as Excel's "Unicode Text" and PowerShell
/// 5 write it (little-endian) or big-endian.
fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    "\u{FEFF}"
        .encode_utf16()
        .chain(text.encode_utf16())
        .flat_map(|unit| {
            if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            }
        })
        .collect()
}

#[test]
fn utf16_text_and_tables_are_scanned_as_the_text_they_encode() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.txt",
        &utf16("x\r\ncard 4539148803436467\r\n", true),
    );
    write(
        dir.path(),
        "b.tsv",
        &utf16("name\temail\r\nAna\tana.lima@example.fr\r\n", true),
    );
    write(
        dir.path(),
        "c.csv",
        &utf16("id,card\r\n1,4539 1488 0343 6467\r\n", false),
    );
    write(
        dir.path(),
        "d.jsonl",
        &utf16(
            "{\"id\": 1}\r\n{\"mail\": \"ana.lima@example.fr\"}\r\n",
            true,
        ),
    );
    let (code, records) = scan_managed(&[path_str(dir.path())]);
    assert_eq!(code, Some(1), "sensitive data found");
    assert_eq!(records.len(), 4);
    for record in &records {
        assert_eq!(status(record), ("COMPLETE".to_owned(), None));
    }
    let occurrences = |record: &Value, kind: &str| {
        let detection = managed(record, kind).unwrap_or_else(|| panic!("{kind} in {record}"));
        assert_eq!(detection["count"], 1, "{kind}");
        detection["occurrences"].clone()
    };
    assert_eq!(
        occurrences(&records[0], "CREDIT_CARD_NUMBER")["lineRanges"],
        json!([{"start": 2, "end": 2, "startColumn": 6}])
    );
    assert_eq!(result(&records[0])["mimeType"], "text/plain");
    assert_eq!(
        occurrences(&records[1], "EMAIL_ADDRESS")["cells"],
        json!([{"row": 2, "column": 2, "columnName": "email", "cellReference": null}])
    );
    assert_eq!(result(&records[1])["mimeType"], "text/tab-separated-values");
    assert_eq!(
        occurrences(&records[2], "CREDIT_CARD_NUMBER")["cells"],
        json!([{"row": 2, "column": 2, "columnName": "card", "cellReference": null}])
    );
    assert_eq!(
        occurrences(&records[3], "EMAIL_ADDRESS")["records"],
        json!([{"recordIndex": 1, "jsonPath": "$.mail"}])
    );
}

#[test]
fn utf16_text_inside_gzip_and_zip_is_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = utf16("card 4539148803436467\r\n", true);
    write(dir.path(), "a.txt.gz", &gzip(&text));
    write(dir.path(), "b.zip", &zip(&[("export.txt", &text)]));
    let (_, records) = scan_managed(&[path_str(dir.path())]);
    // The zip's occurrence also names its member; the gzip is no archive.
    let expected = [
        json!([{"start": 1, "end": 1, "startColumn": 6}]),
        json!([{"start": 1, "end": 1, "startColumn": 6, "fileMember": "export.txt"}]),
    ];
    assert_eq!(records.len(), expected.len());
    for (record, expected) in records.iter().zip(expected) {
        assert_eq!(status(record), ("COMPLETE".to_owned(), None));
        let card = managed(record, "CREDIT_CARD_NUMBER").expect("card");
        assert_eq!(card["occurrences"]["lineRanges"], expected);
    }
}

#[test]
fn a_utf8_byte_order_mark_is_not_a_character() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.txt", "\u{FEFF}P-AB1234 x\n".as_bytes());
    write(dir.path(), "b.csv", "\u{FEFF}P-AB1234,x\n1,2\n".as_bytes());
    let (_, records) = scan_custom(&[path_str(dir.path())]);
    for record in &records {
        let found = custom(record, "Prototyping Naming").expect("found");
        assert_eq!(
            found["occurrences"]["lineRanges"],
            json!([{"start": 1, "end": 1, "startColumn": 1}]),
            "{}",
            record["resourcesAffected"]["s3Object"]["key"]
        );
    }
}

/// Text with a card number on line 2 and enough varied lines after it that half of its
/// gzip stream holds the card number.
fn text_with_a_card() -> String {
    let mut text = "first line\nthe card 4539 1488 0343 6467 is here\n".to_owned();
    for i in 0..2000u32 {
        text.push_str(&format!("line {i} {}\n", i.wrapping_mul(2_654_435_761)));
    }
    text
}

#[test]
fn a_truncated_gzip_reports_what_was_read_as_partial() {
    let dir = tempfile::tempdir().expect("tempdir");
    let compressed = gzip(text_with_a_card().as_bytes());
    let cut = &compressed[..compressed.len() / 2];
    let path = write(dir.path(), "t.txt.gz", cut);
    let (code, records) = scan_managed(&[path_str(&path)]);
    assert_eq!(code, Some(1), "a card number was read");
    let record = &records[0];
    assert_eq!(
        status(record),
        ("PARTIAL".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
    assert_eq!(result(record)["sizeClassified"], cut.len());
    assert_eq!(result(record)["mimeType"], "application/gzip");
    let card = managed(record, "CREDIT_CARD_NUMBER").expect("card");
    assert_eq!(card["count"], 1);
    assert_eq!(
        card["occurrences"]["lineRanges"],
        json!([{"start": 2, "end": 2, "startColumn": 10}])
    );
}

#[test]
fn a_gzip_with_a_bad_checksum_is_malformed_and_its_content_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut compressed = gzip(text_with_a_card().as_bytes());
    // The trailer is the CRC-32 of the content, then its size.
    let crc = compressed.len() - 8;
    compressed[crc] ^= 0xFF;
    let path = write(dir.path(), "c.txt.gz", &compressed);
    let (code, records) = scan_managed(&[path_str(&path)]);
    assert_eq!(code, Some(1));
    assert_eq!(
        status(&records[0]),
        ("PARTIAL".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
    let card = managed(&records[0], "CREDIT_CARD_NUMBER").expect("card");
    assert_eq!(card["count"], 1);
}

#[test]
fn a_gzip_that_yields_nothing_is_skipped_as_malformed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let compressed = gzip(text_with_a_card().as_bytes());
    // The gzip header alone, cut inside: no content comes out.
    let path = write(dir.path(), "h.txt.gz", &compressed[..6]);
    let (code, records) = scan_managed(&[path_str(&path)]);
    assert_eq!(code, Some(0));
    assert_eq!(
        status(&records[0]),
        ("SKIPPED".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
    assert_eq!(result(&records[0])["sizeClassified"], 0);
}

#[test]
fn truncated_csv_and_json_lines_in_gzip_are_partial_with_what_was_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut csv = "id,card\n1,4539 1488 0343 6467\n".to_owned();
    let mut lines = "{\"card\": \"4539 1488 0343 6467\"}\n".to_owned();
    for i in 0..2000u32 {
        let n = i.wrapping_mul(2_654_435_761);
        csv.push_str(&format!("{i},{n}\n"));
        lines.push_str(&format!("{{\"n\": \"{n}\"}}\n"));
    }
    for (name, content) in [("t.csv.gz", csv), ("t.jsonl.gz", lines)] {
        let compressed = gzip(content.as_bytes());
        write(dir.path(), name, &compressed[..compressed.len() / 2]);
    }
    let (_, records) = scan_managed(&[path_str(dir.path())]);
    for record in &records {
        assert_eq!(
            status(record),
            ("PARTIAL".to_owned(), Some("MALFORMED_FILE".to_owned()))
        );
        let card = managed(record, "CREDIT_CARD_NUMBER").expect("card");
        assert_eq!(card["count"], 1);
    }
    let cells = &managed(&records[0], "CREDIT_CARD_NUMBER").expect("card")["occurrences"];
    assert_eq!(
        cells["cells"],
        json!([{"row": 2, "column": 2, "columnName": "card", "cellReference": null}])
    );
}

#[test]
fn text_mime_types_follow_the_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names = [
        ("a.html", "text/html"),
        ("b.htm", "text/html"),
        ("c.log", "text/plain"),
        ("d.md", "text/markdown"),
        ("e.txt", "text/plain"),
        ("f.xml", "application/xml"),
    ];
    for (name, _) in names {
        write(dir.path(), name, b"<p>nothing</p>\n");
    }
    let (_, records) = scan_managed(&[path_str(dir.path())]);
    let types: Vec<&str> = records
        .iter()
        .map(|r| result(r)["mimeType"].as_str().expect("mime type"))
        .collect();
    let expected: Vec<&str> = names.iter().map(|(_, mime)| *mime).collect();
    assert_eq!(types, expected);
}

#[test]
fn an_unreadable_file_is_skipped_with_its_size() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;

    let dir = tempfile::tempdir().expect("tempdir");
    // Traversable by the unprivileged user the scan may run as.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod dir");
    let path = write(dir.path(), "secret.txt", b"0123456789");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // A copy of the binary beside the file, so that the unprivileged user needs to
    // reach only this folder, wherever the build lives.
    let binary = dir.path().join("ferret");
    std::fs::copy(env!("CARGO_BIN_EXE_ferret"), &binary).expect("copy the binary");
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755))
        .expect("chmod binary");
    let mut command = std::process::Command::new(&binary);
    command
        .args(["scan", path_str(&path)])
        .current_dir(dir.path());
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        // Root reads anything: scan as nobody.
        command.uid(65534).gid(65534);
    }
    let out = command.output().expect("the ferret binary runs");
    let records = records(&out);
    assert_eq!(records.len(), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        status(&records[0]),
        ("SKIPPED".to_owned(), Some("PERMISSION_DENIED".to_owned()))
    );
    assert_eq!(records[0]["resourcesAffected"]["s3Object"]["size"], 10);
    assert_eq!(result(&records[0])["sizeClassified"], 0);
}
