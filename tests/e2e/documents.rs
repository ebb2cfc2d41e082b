//! `ferret scan` and `ferret identify` over documents: a folder holding one PDF, DOCX,
//! DOC and e-mail, as a user would point ferret at it.

use std::path::Path;

use serde_json::{json, Value};

use crate::common::*;

const IDENTIFIERS: &str = "samples/identifiers.toml";

/// Copies the fixture `from` into `dir` as `name`.
fn copy(from: &str, dir: &Path, name: &str) {
    std::fs::copy(repo(&format!("tests/fixtures/{from}")), dir.join(name)).expect("copy fixture");
}

fn line(line: u64, column: u64) -> Value {
    json!({"start": line, "end": line, "startColumn": column})
}

#[test]
fn a_folder_of_documents_reports_pages_lines_and_attachments() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy("pdf/fonts_reportlab.pdf", dir.path(), "a_report.pdf");
    copy("docx/letter.docx", dir.path(), "b_letter.docx");
    copy("doc/letter.doc", dir.path(), "c_letter.doc");
    copy("eml/contract.eml", dir.path(), "d_contract.eml");
    copy("pdf/password_fpdf2.pdf", dir.path(), "e_locked.pdf");
    let identifiers = repo(IDENTIFIERS);
    let out = ferret([
        "scan",
        "--managed",
        "none",
        "--threads",
        "1",
        "--identifiers",
        path_str(&identifiers),
        path_str(dir.path()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "sensitive data found: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out);
    assert_eq!(records.len(), 5, "one record per object");
    let cpf = |i: usize| &custom(&records[i], "Brazil CPF").expect("CPF found")["occurrences"];

    assert_eq!(status(&records[0]), ("COMPLETE".to_owned(), None));
    assert_eq!(
        cpf(0)["pages"],
        json!([
            {"pageNumber": 1, "lineRange": line(3, 5), "offsetRange": null},
            {"pageNumber": 1, "lineRange": line(4, 12), "offsetRange": null},
        ])
    );
    for i in [1, 2] {
        assert_eq!(status(&records[i]), ("COMPLETE".to_owned(), None));
        assert_eq!(cpf(i)["lineRanges"], json!([line(2, 29), line(8, 1)]));
    }
    let email = &records[3];
    assert_eq!(status(email), ("COMPLETE".to_owned(), None));
    assert_eq!(email["type"], "SensitiveData:S3Object/CustomIdentifier");
    assert_eq!(cpf(3)["lineRanges"], json!([line(7, 35)]));
    assert_eq!(
        cpf(3)["cells"],
        json!([
            {"row": 2, "column": 2, "columnName": "cpf", "cellReference": "Equipe!B2",
             "fileMember": "planilha.xlsx"},
            {"row": 2, "column": 2, "columnName": "cpf", "cellReference": null,
             "fileMember": "arquivos.zip/dados/lista.csv"},
        ])
    );
    assert_eq!(
        status(&records[4]),
        (
            "SKIPPED".to_owned(),
            Some("UNABLE_TO_PARSE_FILE".to_owned())
        )
    );
}

/// A filled-in PDF form: what was typed into its fields is found, on the page that
/// shows each field, at the lines after the page's own text.
#[test]
fn values_typed_into_a_pdf_form_are_found_on_their_pages() {
    let identifiers = repo(IDENTIFIERS);
    let form = repo("tests/fixtures/pdf/form_reportlab_pypdf.pdf");
    let out = ferret([
        "scan",
        "--managed",
        "none",
        "--identifiers",
        path_str(&identifiers),
        path_str(&form),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out);
    assert_eq!(status(&records[0]), ("COMPLETE".to_owned(), None));
    let pages =
        |name: &str| custom(&records[0], name).expect("found")["occurrences"]["pages"].clone();
    assert_eq!(
        pages("Brazil CPF"),
        json!([{"pageNumber": 1, "lineRange": line(6, 1), "offsetRange": null}])
    );
    assert_eq!(
        pages("Prototyping Naming"),
        json!([
            {"pageNumber": 1, "lineRange": line(7, 9), "offsetRange": null},
            {"pageNumber": 2, "lineRange": line(2, 9), "offsetRange": null},
        ])
    );
}

#[test]
fn identify_shows_the_page_and_line_of_pdf_matches() {
    let identifiers = repo(IDENTIFIERS);
    let sample = repo("tests/fixtures/pdf/fonts_reportlab.pdf");
    let out = ferret([
        "identify",
        "--identifiers",
        path_str(&identifiers),
        "--sample",
        path_str(&sample),
        "--name",
        "Prototyping Naming",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("page 1, line 2, column 9") && text.contains("page 2, line 2, column 11"),
        "{text}"
    );
    let out = ferret([
        "identify",
        "--identifiers",
        path_str(&identifiers),
        "--sample",
        path_str(&repo("tests/fixtures/docx/letter.docx")),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let cpf = report["identifiers"]
        .as_array()
        .expect("identifiers")
        .iter()
        .find(|i| i["name"] == "Brazil CPF")
        .expect("CPF");
    assert_eq!(cpf["matches"][0]["line"], 2);
    assert_eq!(cpf["matches"][0]["column"], 29);
}

/// `ferret scan` of a Word file with a worksheet and a document embedded in it, and of
/// a reply whose attachments include a Latin-1 CSV and a forwarded message: every
/// value is found, located in the file that holds it.
#[test]
fn embedded_files_and_nested_attachments_are_located_by_member() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy("docx/embedded.docx", dir.path(), "a_report.docx");
    copy("eml/nested.eml", dir.path(), "b_reply.eml");
    let identifiers = repo(IDENTIFIERS);
    let out = ferret([
        "scan",
        "--managed",
        "none",
        "--threads",
        "1",
        "--identifiers",
        path_str(&identifiers),
        path_str(dir.path()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out);
    assert_eq!(records.len(), 2);
    let cpf = |i: usize| &custom(&records[i], "Brazil CPF").expect("CPF found")["occurrences"];

    assert_eq!(status(&records[0]), ("COMPLETE".to_owned(), None));
    assert_eq!(
        cpf(0)["cells"],
        json!([{"row": 2, "column": 2, "columnName": "cpf", "cellReference": "Equipe!B2",
                "fileMember": "word/embeddings/Microsoft_Excel_Worksheet.xlsx"}])
    );
    assert_eq!(
        cpf(0)["lineRanges"],
        json!([{"start": 1, "end": 1, "startColumn": 30,
                "fileMember": "word/embeddings/Microsoft_Word_Document.docx"}])
    );

    // The inline image of the HTML alternative is an attachment no reader takes.
    assert_eq!(
        status(&records[1]),
        (
            "PARTIAL".to_owned(),
            Some("ARCHIVE_CONTAINS_UNPROCESSED_FILES".to_owned())
        )
    );
    assert_eq!(
        cpf(1)["lineRanges"],
        json!([
            line(6, 23),
            {"start": 4, "end": 4, "startColumn": 10, "fileMember": "attachment-4.eml"},
        ])
    );
    // The CSV, decoded from Latin-1, is read as a CSV (its `;` is no delimiter).
    assert_eq!(
        cpf(1)["cells"],
        json!([{"row": 2, "column": 1, "columnName": "nome;cpf", "cellReference": null,
                "fileMember": "lista.csv"}])
    );
}
