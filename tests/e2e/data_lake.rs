//! `ferret scan` over the data-lake formats (tar archives, Parquet, Avro, the other
//! spreadsheets), made by the tools that make them in real life
//! (`tests/fixtures/<format>/make.py`), asserting exact locations and `fileMember`.

use crate::common::*;
use serde_json::{json, Value};

/// Scans `targets` with the sample identifiers and no managed identifiers (the exit
/// status is asserted by the tests of `scan` itself).
fn scan_custom(targets: &[&str]) -> Vec<Value> {
    crate::scan::scan_custom(targets).1
}

/// The one record of scanning the fixture `path`.
fn scan_fixture(path: &str) -> Value {
    let path = repo(path);
    let mut records = scan_custom(&[path_str(&path)]);
    assert_eq!(records.len(), 1);
    records.remove(0)
}

fn occurrences<'v>(record: &'v Value, name: &str) -> &'v Value {
    &custom(record, name).unwrap_or_else(|| panic!("a {name} detection in {record}"))["occurrences"]
}

#[test]
fn a_csv_in_a_tar_in_a_zip_in_a_tar_gz_is_found_with_its_member_path() {
    let record = scan_fixture("tests/fixtures/tar/nested.tar.gz");
    assert_eq!(status(&record), ("COMPLETE".to_owned(), None));
    assert_eq!(result(&record)["mimeType"], "application/gzip");
    assert_eq!(
        occurrences(&record, "Brazil CPF")["cells"],
        json!([{"row": 2, "column": 2, "columnName": "cpf", "cellReference": null,
                "fileMember": "exports/bundle.zip/inner.tar/deep/clients.csv"}])
    );
    assert_eq!(
        occurrences(&record, "Prototyping Naming")["lineRanges"],
        json!([{"start": 1, "end": 1, "startColumn": 11, "fileMember": "readme.txt"}])
    );
}

#[test]
fn tgz_and_plain_tar_members_are_read_by_their_own_formats() {
    let record = scan_fixture("tests/fixtures/tar/records.tgz");
    assert_eq!(status(&record), ("COMPLETE".to_owned(), None));
    assert_eq!(
        occurrences(&record, "Prototyping Naming")["records"],
        json!([{"recordIndex": 0, "jsonPath": "$.items[0].code",
                "fileMember": "data/records.json"}])
    );
    let record = scan_fixture("tests/fixtures/tar/plain.tar");
    assert_eq!(status(&record), ("COMPLETE".to_owned(), None));
    assert_eq!(result(&record)["mimeType"], "application/x-tar");
    // The symbolic link to the table is no second copy of it.
    assert_eq!(
        occurrences(&record, "Prototyping Naming")["cells"],
        json!([{"row": 2, "column": 2, "columnName": "code", "cellReference": null,
                "fileMember": "table.csv"}])
    );
}

#[test]
fn a_truncated_tar_is_partial_with_what_was_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(repo("tests/fixtures/tar/plain.tar")).expect("fixture");
    // The first member whole (header and one block of data), then half a header.
    let path = write(dir.path(), "cut.tar", &bytes[..1024 + 256]);
    let mut records = scan_custom(&[path_str(&path)]);
    let record = records.remove(0);
    assert_eq!(
        status(&record),
        ("PARTIAL".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
    assert_eq!(
        custom(&record, "Prototyping Naming").expect("found")["count"],
        1
    );
}

/// `(recordIndex, jsonPath)` of each listed record occurrence of `name`.
fn record_places(record: &Value, name: &str) -> Vec<(u64, String)> {
    occurrences(record, name)["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            assert!(r.get("fileMember").is_none(), "no archive: {r}");
            (
                r["recordIndex"].as_u64().expect("index"),
                r["jsonPath"].as_str().expect("path").to_owned(),
            )
        })
        .collect()
}

fn places(expected: &[(u64, &str)]) -> Vec<(u64, String)> {
    expected
        .iter()
        .map(|(i, p)| (*i, (*p).to_owned()))
        .collect()
}

/// Every codec pyarrow writes gives the same rows and paths: nested groups, lists,
/// maps (values under their key), an unannotated binary column, several row groups,
/// dictionary and plain pages; a keyword in a column name keeps a match under it.
#[test]
fn parquet_values_are_records_at_their_row_and_column_path() {
    for codec in ["none", "snappy", "gzip", "brotli", "zstd", "lz4", "plain"] {
        let name = match codec {
            "plain" => "tests/fixtures/parquet/plain.parquet".to_owned(),
            codec => format!("tests/fixtures/parquet/customers_{codec}.parquet"),
        };
        let record = scan_fixture(&name);
        assert_eq!(status(&record), ("COMPLETE".to_owned(), None), "{codec}");
        assert_eq!(
            result(&record)["mimeType"],
            "application/vnd.apache.parquet"
        );
        assert_eq!(
            record_places(&record, "Brazil CPF"),
            places(&[(0, "$.cpf")]),
            "{codec}"
        );
        assert_eq!(
            record_places(&record, "Prototyping Naming"),
            places(&[
                (1, "$.tags[2]"),
                (2, "$.address.street"),
                (3, "$.attrs.ref"),
                (4, "$.note"),
            ]),
            "{codec}"
        );
        assert_eq!(
            record_places(&record, "SIRET-NIC"),
            places(&[(4, "$.address.siret")]),
            "{codec}: only the value under a column named siret is kept"
        );
    }
}

#[test]
fn parquet_without_rows_is_complete_and_damaged_files_say_so() {
    let record = scan_fixture("tests/fixtures/parquet/empty.parquet");
    assert_eq!(status(&record), ("COMPLETE".to_owned(), None));
    assert_eq!(result(&record)["customDataIdentifiers"]["totalCount"], 0);

    let record = scan_fixture("tests/fixtures/parquet/damaged.parquet");
    assert_eq!(
        status(&record),
        ("PARTIAL".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
    // The rows before the damaged row group were read.
    assert_eq!(
        record_places(&record, "Brazil CPF"),
        places(&[(0, "$.cpf")])
    );

    let record = scan_fixture("tests/fixtures/parquet/bad_footer.parquet");
    assert_eq!(
        status(&record),
        ("SKIPPED".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
}

/// Strings that are not UTF-8 (in a STRING column and a list of STRING) are decoded
/// lossily and scanned; the file is read whole. A flat table, read column by column,
/// places its values at their rows across row groups, nulls and skipped columns.
#[test]
fn parquet_strings_that_are_not_utf8_and_flat_tables_are_read_whole() {
    let record = scan_fixture("tests/fixtures/parquet/invalid_utf8.parquet");
    assert_eq!(status(&record), ("COMPLETE".to_owned(), None));
    assert_eq!(
        record_places(&record, "Prototyping Naming"),
        places(&[
            (0, "$.code"),
            (0, "$.tags[0]"),
            (1, "$.code"),
            (1, "$.tags[1]")
        ])
    );

    let record = scan_fixture("tests/fixtures/parquet/flat.parquet");
    assert_eq!(status(&record), ("COMPLETE".to_owned(), None));
    let prototypes = record_places(&record, "Prototyping Naming");
    // `code` holds one in two rows of three; `name` one in every fifth row, null in
    // every seventh; `note` one in every thirteenth row not a multiple of 11.
    let expected = (0..700u64).filter(|i| i % 3 != 1).count()
        + (0..700u64).filter(|i| i % 5 == 0 && i % 7 != 0).count()
        + (0..700u64).filter(|i| i % 13 == 0 && i % 11 != 0).count();
    let detection = custom(&record, "Prototyping Naming").expect("a detection");
    assert_eq!(detection["count"], expected as u64);
    assert!(prototypes.contains(&(13, "$.note".to_owned())));
    assert!(prototypes.contains(&(695, "$.name".to_owned())));
    assert!(!prototypes.contains(&(0, "$.name".to_owned())), "null");
    assert_eq!(
        record_places(&record, "SIRET-NIC"),
        (0..700u64)
            .filter(|i| i % 11 == 0)
            .map(|i| (i, "$.note".to_owned()))
            .collect::<Vec<_>>()
    );
}

/// Every codec gives the same records: nested records, unions, arrays, maps, enums,
/// fixed values that are text (and not those that are not).
#[test]
fn avro_values_are_records_at_their_index_and_field_path() {
    for codec in ["null", "deflate", "snappy", "zstandard", "bzip2", "xz"] {
        let record = scan_fixture(&format!("tests/fixtures/avro/customers_{codec}.avro"));
        assert_eq!(status(&record), ("COMPLETE".to_owned(), None), "{codec}");
        assert_eq!(result(&record)["mimeType"], "application/avro");
        assert_eq!(
            record_places(&record, "Brazil CPF"),
            places(&[(0, "$.cpf")]),
            "{codec}"
        );
        assert_eq!(
            record_places(&record, "Prototyping Naming"),
            places(&[
                (1, "$.emails[1]"),
                (2, "$.address.street"),
                (2, "$.attrs.ref"),
                (3, "$.code"),
            ]),
            "{codec}"
        );
        assert_eq!(
            record_places(&record, "SIRET-NIC"),
            places(&[(3, "$.address.siret")]),
            "{codec}"
        );
    }
}

/// Strings that are not UTF-8 are read lossily: the file is COMPLETE and the values
/// in them are found where they are.
#[test]
fn avro_strings_that_are_not_utf8_are_scanned() {
    let record = scan_fixture("tests/fixtures/avro/invalid_utf8.avro");
    assert_eq!(status(&record), ("COMPLETE".to_owned(), None));
    assert_eq!(
        record_places(&record, "Prototyping Naming"),
        places(&[
            (0, "$.code"),
            (0, "$.tags[0]"),
            (1, "$.code"),
            (1, "$.tags[1]"),
        ])
    );
    assert_eq!(
        record_places(&record, "Brazil CPF"),
        places(&[(1, "$.attrs.ref")])
    );
}

#[test]
fn a_damaged_avro_block_makes_the_file_partial_after_the_records_before_it() {
    let record = scan_fixture("tests/fixtures/avro/damaged.avro");
    assert_eq!(
        status(&record),
        ("PARTIAL".to_owned(), Some("MALFORMED_FILE".to_owned()))
    );
    assert_eq!(
        record_places(&record, "Brazil CPF"),
        places(&[(0, "$.cpf")])
    );
}

/// XLS from xlwt and from LibreOffice, and ODS from LibreOffice, give the cells XLSX
/// gives: `cellReference`, column names from row 1 as keyword context.
#[test]
fn xls_and_ods_cells_carry_their_cell_reference() {
    let fixtures = [
        ("clientes_xlwt.xls", "application/vnd.ms-excel"),
        ("clientes_libreoffice.xls", "application/vnd.ms-excel"),
        (
            "clientes_libreoffice.ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
    ];
    for (name, mime) in fixtures {
        let record = scan_fixture(&format!("tests/fixtures/sheets/{name}"));
        assert_eq!(status(&record), ("COMPLETE".to_owned(), None), "{name}");
        assert_eq!(result(&record)["mimeType"], mime, "{name}");
        assert_eq!(
            occurrences(&record, "Brazil CPF")["cells"],
            json!([{"row": 2, "column": 2, "columnName": "cpf", "cellReference": "Clientes!B2"}]),
            "{name}"
        );
        assert_eq!(
            occurrences(&record, "Prototyping Naming")["cells"],
            json!([{"row": 5, "column": 3, "columnName": "codigo", "cellReference": "Clientes!C5"}]),
            "{name}"
        );
        assert_eq!(
            occurrences(&record, "SIRET-NIC")["cells"],
            json!([{"row": 2, "column": 1, "columnName": "siret", "cellReference": "Empresas!A2"}]),
            "{name}: only the value under the siret column is kept"
        );
    }
}

#[test]
fn a_workbook_that_is_not_what_its_name_says_cannot_be_parsed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let xlsb = write(
        dir.path(),
        "protected.xlsb",
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
    );
    let xls = write(dir.path(), "renamed.xls", &zip(&[("a.txt", b"x")]));
    let records = scan_custom(&[path_str(&xlsb), path_str(&xls)]);
    for record in &records {
        assert_eq!(
            status(record),
            (
                "SKIPPED".to_owned(),
                Some("UNABLE_TO_PARSE_FILE".to_owned())
            )
        );
    }
}

/// `ferret identify --sample` reads every data-lake format as a scan does.
#[test]
fn identify_reads_every_data_lake_format() {
    let identifiers = repo("samples/identifiers.toml");
    let report = |sample: &str| -> Value {
        let sample = repo(sample);
        let out = ferret([
            "identify",
            "--identifiers",
            path_str(&identifiers),
            "--sample",
            path_str(&sample),
            "--format",
            "json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON on stdout")
    };
    let naming = |report: &Value| -> Value {
        report["identifiers"]
            .as_array()
            .expect("identifiers")
            .iter()
            .find(|i| i["name"] == "Prototyping Naming")
            .expect("Prototyping Naming")
            .clone()
    };
    for (sample, count, first) in [
        (
            "tests/fixtures/parquet/customers_zstd.parquet",
            4,
            json!({"recordIndex": 1, "jsonPath": "$.tags[2]"}),
        ),
        (
            "tests/fixtures/avro/customers_snappy.avro",
            4,
            json!({"recordIndex": 1, "jsonPath": "$.emails[1]"}),
        ),
        (
            "tests/fixtures/sheets/clientes_libreoffice.ods",
            1,
            json!({"row": 5, "cellReference": "Clientes!C5"}),
        ),
        (
            "tests/fixtures/sheets/clientes_xlwt.xls",
            1,
            json!({"row": 5, "cellReference": "Clientes!C5"}),
        ),
        (
            "tests/fixtures/tar/nested.tar.gz",
            1,
            json!({"line": 1, "column": 11}),
        ),
    ] {
        let found = naming(&report(sample));
        assert_eq!(found["matchCount"], count, "{sample}");
        for (field, value) in first.as_object().expect("fields") {
            assert_eq!(&found["matches"][0][field], value, "{sample}: {field}");
        }
    }
}
