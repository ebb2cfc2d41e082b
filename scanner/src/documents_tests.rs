//! Scans of documents, end to end through the scanner: formats detected, statuses and
//! the occurrences written for PDF pages, Word lines and e-mail attachments.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::scan::{scan_file, ScanOptions};
use crate::testing::identifier_set;

const IDENTIFIERS: &str = r#"
[[identifier]]
name = "Brazil CPF"
regex = '\b(\d{3}\.){2}\d{3}\-\d{2}\b'

[[identifier]]
name = "Prototyping Naming"
regex = '\bP\-[A-Z]{2}\d{4}\b'
"#;

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}/../tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// The result of scanning a fixture, as JSON.
fn scan(path: &str) -> Value {
    let set = identifier_set(IDENTIFIERS);
    let record = scan_file(&set, &fixture(path), &ScanOptions::default());
    serde_json::to_value(record).expect("serializes")
}

fn result(record: &Value) -> &Value {
    &record["classificationDetails"]["result"]
}

/// The occurrences of the custom identifier `name`.
fn occurrences<'r>(record: &'r Value, name: &str) -> &'r Value {
    let detections = result(record)["customDataIdentifiers"]["detections"]
        .as_array()
        .expect("detections");
    &detections
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("{name} detected: {record}"))["occurrences"]
}

fn page(number: u64, line: u64, column: u64) -> Value {
    json!({"pageNumber": number,
           "lineRange": {"start": line, "end": line, "startColumn": column},
           "offsetRange": null})
}

fn line(line: u64, column: u64) -> Value {
    json!({"start": line, "end": line, "startColumn": column})
}

#[test]
fn pdf_matches_are_located_by_page_and_line() {
    let record = scan("pdf/fonts_reportlab.pdf");
    assert_eq!(
        result(&record)["status"],
        json!({"code": "COMPLETE", "reason": null})
    );
    assert_eq!(result(&record)["mimeType"], "application/pdf");
    let cpf = occurrences(&record, "Brazil CPF");
    assert_eq!(cpf["pages"], json!([page(1, 3, 5), page(1, 4, 12)]));
    for other in ["cells", "lineRanges", "offsetRanges", "records"] {
        assert_eq!(cpf[other], json!([]), "{other}");
    }
    let names = occurrences(&record, "Prototyping Naming");
    assert_eq!(names["pages"], json!([page(1, 2, 9), page(2, 2, 11)]));
}

#[test]
fn encrypted_pdfs_open_with_an_empty_password_or_are_skipped() {
    let record = scan("pdf/aes_empty_password_fpdf2.pdf");
    assert_eq!(result(&record)["status"]["code"], "COMPLETE");
    assert_eq!(
        occurrences(&record, "Brazil CPF")["pages"],
        json!([page(1, 2, 5)])
    );
    let record = scan("pdf/password_fpdf2.pdf");
    assert_eq!(
        result(&record)["status"],
        json!({"code": "SKIPPED", "reason": "UNABLE_TO_PARSE_FILE"})
    );
    assert_eq!(result(&record)["sizeClassified"], 0);
}

#[test]
fn a_pdf_page_that_fails_makes_the_object_partial() {
    let record = scan("pdf/broken_page.pdf");
    assert_eq!(
        result(&record)["status"],
        json!({"code": "PARTIAL", "reason": "MALFORMED_FILE"})
    );
    assert_eq!(
        occurrences(&record, "Prototyping Naming")["pages"],
        json!([page(1, 1, 17)])
    );
}

#[test]
fn word_documents_list_line_ranges_alike() {
    for (path, mime) in [
        (
            "docx/letter.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("doc/letter.doc", "application/msword"),
    ] {
        let record = scan(path);
        assert_eq!(result(&record)["status"]["code"], "COMPLETE", "{path}");
        assert_eq!(result(&record)["mimeType"], mime);
        assert_eq!(
            occurrences(&record, "Brazil CPF")["lineRanges"],
            json!([line(2, 29), line(8, 1)]),
            "{path}"
        );
        // Body, footnote, header, footer, comment.
        assert_eq!(
            occurrences(&record, "Prototyping Naming")["lineRanges"],
            json!([
                line(4, 9),
                line(10, 8),
                line(11, 11),
                line(12, 8),
                line(13, 9)
            ]),
            "{path}"
        );
    }
}

/// The message's own text is located by line; attachments are read by their formats,
/// each occurrence naming its attachment (and the member inside a zip).
#[test]
fn e_mail_attachments_are_read_as_members() {
    let record = scan("eml/contract.eml");
    assert_eq!(result(&record)["status"]["code"], "COMPLETE");
    assert_eq!(result(&record)["mimeType"], "message/rfc822");
    let cpf = occurrences(&record, "Brazil CPF");
    assert_eq!(cpf["lineRanges"], json!([line(7, 35)]));
    assert_eq!(
        cpf["cells"],
        json!([
            {"row": 2, "column": 2, "columnName": "cpf", "cellReference": "Equipe!B2",
             "fileMember": "planilha.xlsx"},
            {"row": 2, "column": 2, "columnName": "cpf", "cellReference": null,
             "fileMember": "arquivos.zip/dados/lista.csv"},
        ])
    );
    let names = occurrences(&record, "Prototyping Naming");
    assert_eq!(
        names["lineRanges"],
        json!([line(4, 11), line(5, 19), line(8, 9)])
    );
}

/// An attachment no reader takes (an image) leaves the message partly analysed, as an
/// archive with such a member is.
#[test]
fn an_unreadable_attachment_makes_the_message_partial() {
    let raw = b"From: rh@example.com\r\nSubject: P-AB1234\r\n\
        Content-Type: multipart/mixed; boundary=b\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nCPF 529.982.247-25\r\n\
        --b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=logo.png\r\n\
        Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n";
    let set = identifier_set(IDENTIFIERS);
    let meta = crate::scan::ObjectMeta {
        bucket: None,
        key: "inbox/m.eml".to_owned(),
        size: raw.len() as u64,
        e_tag: None,
    };
    let mut stream = &raw[..];
    let record = crate::scan::scan_object(
        &set,
        &meta,
        crate::object::Input::Stream(&mut stream),
        &ScanOptions::default(),
    );
    let record = serde_json::to_value(record).expect("serializes");
    assert_eq!(
        result(&record)["status"],
        json!({"code": "PARTIAL", "reason": "ARCHIVE_CONTAINS_UNPROCESSED_FILES"})
    );
    assert_eq!(
        occurrences(&record, "Brazil CPF")["lineRanges"],
        json!([line(3, 5)])
    );
    assert_eq!(
        occurrences(&record, "Prototyping Naming")["lineRanges"],
        json!([line(2, 10)])
    );
}

/// Files embedded in a Word document (a worksheet and a document inserted as objects)
/// are read by their own formats, each occurrence naming the embedded file.
#[test]
fn docx_embedded_objects_are_read_as_members() {
    let record = scan("docx/embedded.docx");
    assert_eq!(result(&record)["status"]["code"], "COMPLETE");
    let cpf = occurrences(&record, "Brazil CPF");
    assert_eq!(
        cpf["cells"],
        json!([
            {"row": 2, "column": 2, "columnName": "cpf", "cellReference": "Equipe!B2",
             "fileMember": "word/embeddings/Microsoft_Excel_Worksheet.xlsx"},
        ])
    );
    assert_eq!(
        cpf["lineRanges"],
        json!([{"start": 1, "end": 1, "startColumn": 30,
                "fileMember": "word/embeddings/Microsoft_Word_Document.docx"}])
    );
    assert_eq!(
        occurrences(&record, "Prototyping Naming")["lineRanges"],
        json!([line(2, 9)])
    );
}

/// A DOCX with `files` in it, in memory, as a stream: `word/document.xml` with one
/// paragraph, then each `(name, bytes)`.
fn docx_with(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", options)
        .expect("in memory");
    zip.write_all(b"<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>P-AB1234</w:t></w:r></w:p></w:body></w:document>")
        .expect("in memory");
    for (name, bytes) in files {
        zip.start_file(*name, options).expect("in memory");
        zip.write_all(bytes).expect("in memory");
    }
    zip.finish().expect("in memory").into_inner()
}

fn scan_bytes(key: &str, bytes: &[u8], options: &ScanOptions) -> Value {
    let set = identifier_set(IDENTIFIERS);
    let meta = crate::scan::ObjectMeta {
        bucket: None,
        key: key.to_owned(),
        size: bytes.len() as u64,
        e_tag: None,
    };
    let mut stream = bytes;
    let record = crate::scan::scan_object(
        &set,
        &meta,
        crate::object::Input::Stream(&mut stream),
        options,
    );
    serde_json::to_value(record).expect("serializes")
}

/// An object Word keeps in an OLE package (`oleObject1.bin`: a Visio drawing, an
/// equation) is no format ferret reads: the document is partly analysed, as an archive
/// with such a member is. The document's own text is still read.
#[test]
fn an_ole_package_embedded_in_a_docx_makes_it_partial() {
    let docx = docx_with(&[
        (
            "word/embeddings/oleObject1.bin",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        ),
        ("word/embeddings/notes.txt", b"CPF 529.982.247-25\n"),
    ]);
    let record = scan_bytes("a.docx", &docx, &ScanOptions::default());
    assert_eq!(
        result(&record)["status"],
        json!({"code": "PARTIAL", "reason": "ARCHIVE_CONTAINS_UNPROCESSED_FILES"})
    );
    assert_eq!(
        occurrences(&record, "Prototyping Naming")["lineRanges"],
        json!([line(1, 1)])
    );
    assert_eq!(
        occurrences(&record, "Brazil CPF")["lineRanges"],
        json!([{"start": 1, "end": 1, "startColumn": 5,
                "fileMember": "word/embeddings/notes.txt"}])
    );
}

/// Embedded files are members: they count one nesting level and against the archive
/// limits.
#[test]
fn docx_embedded_objects_are_under_the_archive_limits() {
    let docx = docx_with(&[("word/embeddings/notes.txt", b"CPF 529.982.247-25\n")]);
    let mut options = ScanOptions::default();
    options.limits.max_nesting = 0;
    let record = scan_bytes("a.docx", &docx, &options);
    assert_eq!(
        result(&record)["status"],
        json!({"code": "PARTIAL", "reason": "ARCHIVE_NESTING_LEVEL_OVER_LIMIT"})
    );
    let mut options = ScanOptions::default();
    options.limits.max_member_bytes = 4;
    let record = scan_bytes("a.docx", &docx, &options);
    assert_eq!(
        result(&record)["status"],
        json!({"code": "PARTIAL", "reason": "ARCHIVE_EXCEEDS_SIZE_LIMIT"})
    );
}
