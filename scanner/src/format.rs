//! File formats, detected by extension and confirmed by content.

use std::path::Path;

use crate::reader::utf16::Utf16;

/// How an object's bytes are cut into text units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text: the whole object is one unit, located by line and column.
    Text,
    /// Comma-separated values: one unit per cell, row 1 is the header.
    Csv,
    /// Tab-separated values, like CSV.
    Tsv,
    Xlsx,
    Json,
    JsonLines,
    Gzip,
    Zip,
    /// A tar archive (`.tgz` and `.tar.gz` are gzip around one).
    Tar,
    /// Apache Parquet: one unit per string value, located by row and column path.
    Parquet,
    /// Apache Avro object container file: one unit per string value of a record.
    Avro,
    /// Excel 97-2003 (BIFF in an OLE2 compound file).
    Xls,
    /// Excel binary workbook (zip).
    Xlsb,
    /// OpenDocument spreadsheet (zip).
    Ods,
    /// PDF: one unit per page, located by page and line.
    Pdf,
    /// Word 2007+ (`.docx`): the document's text, one paragraph a line.
    Docx,
    /// Word 97-2003 (`.doc`), an OLE2 compound file: read like `Docx`.
    Doc,
    /// An RFC 5322 e-mail message: headers and decoded bodies as text, attachments as
    /// members.
    Eml,
    /// A format ferret does not read (images, PDFs, executables...).
    Unsupported,
}

/// Extensions read as plain text; the list follows what Macie analyses as text.
const TEXT_EXTENSIONS: &[&str] = &[
    "txt",
    "log",
    "md",
    "markdown",
    "xml",
    "html",
    "htm",
    "yaml",
    "yml",
    "ini",
    "conf",
    "cfg",
    "properties",
    "sql",
    "env",
    "text",
    "rst",
    "tex",
    "srt",
    "vtt",
];

/// Extensions that are never text, whatever their first bytes look like.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "ico", "exe", "dll", "so", "dylib",
    "bin", "class", "jar", "war", "mp3", "mp4", "mov", "avi", "wav", "flac", "ogg", "orc", "7z",
    "rar", "bz2", "xz", "zst", "ppt", "pptx", "odt", "sqlite", "db",
];

impl Format {
    /// The format an object's name announces. Unknown extensions are `Text` here and
    /// must be confirmed with [`Format::confirm`].
    pub fn from_path(path: &Path) -> Format {
        match extension(path).as_str() {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "xlsx" | "xlsm" => Format::Xlsx,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "gz" | "gzip" => Format::Gzip,
            "zip" => Format::Zip,
            "tgz" => Format::Gzip,
            "tar" => Format::Tar,
            "parquet" => Format::Parquet,
            "avro" => Format::Avro,
            "xls" => Format::Xls,
            "xlsb" => Format::Xlsb,
            "ods" => Format::Ods,
            "pdf" => Format::Pdf,
            "docx" | "docm" => Format::Docx,
            "doc" => Format::Doc,
            "eml" => Format::Eml,
            e if TEXT_EXTENSIONS.contains(&e) => Format::Text,
            e if BINARY_EXTENSIONS.contains(&e) => Format::Unsupported,
            _ => Format::Text,
        }
    }

    /// Checks the announced format against the object's first bytes: text formats must
    /// not look binary (a NUL byte in the head), containers must carry their magic.
    pub fn confirm(self, head: &[u8]) -> Result<Format, Mismatch> {
        // UTF-16 text has a NUL in every other byte of ASCII; with its byte-order
        // mark it is text, transcoded before it is read.
        let looks_binary = memchr::memchr(0, head).is_some() && Utf16::sniff(head).is_none();
        match self {
            format if format.is_text() && looks_binary => Err(Mismatch::Binary),
            Format::Gzip if !head.is_empty() && !head.starts_with(&[0x1f, 0x8b]) => {
                Err(Mismatch::BadMagic)
            }
            Format::Zip | Format::Xlsx if !head.is_empty() && !head.starts_with(b"PK") => {
                Err(Mismatch::BadMagic)
            }
            Format::Xlsb | Format::Ods if !head.starts_with(b"PK") => Err(Mismatch::BadMagic),
            Format::Xls if !head.starts_with(OLE2_MAGIC) => Err(Mismatch::BadMagic),
            Format::Parquet if !head.starts_with(b"PAR1") => Err(Mismatch::BadMagic),
            Format::Avro if !head.starts_with(b"Obj\x01") => Err(Mismatch::BadMagic),
            Format::Tar if !head.is_empty() && !is_tar_header(head) => Err(Mismatch::BadMagic),
            Format::Docx if !head.starts_with(b"PK") => Err(Mismatch::BadMagic),
            Format::Doc if !head.starts_with(OLE2_MAGIC) => Err(Mismatch::BadMagic),
            // Readers accept a PDF header after some junk, as long as it is near the start.
            Format::Pdf
                if memchr::memmem::find(&head[..head.len().min(PDF_HEADER_WITHIN)], b"%PDF-")
                    .is_none() =>
            {
                Err(Mismatch::BadMagic)
            }
            // A message is text; a NUL in its head is a binary file named `.eml`.
            Format::Eml if looks_binary => Err(Mismatch::Binary),
            other => Ok(other),
        }
    }

    /// Whether the format is text read by a text reader (plain, tables, JSON): what
    /// may come in UTF-16 and must not look binary.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Format::Text | Format::Csv | Format::Tsv | Format::Json | Format::JsonLines
        )
    }

    /// The MIME type reported in results for an object of this format named `path`.
    /// Text is read the same whatever its markup, but its type is the one its extension
    /// names (an analyst filters results on it).
    pub fn mime_type(self, path: &Path) -> &'static str {
        match self {
            Format::Text => match extension(path).as_str() {
                "html" | "htm" => "text/html",
                "xml" => "application/xml",
                "md" | "markdown" => "text/markdown",
                _ => "text/plain",
            },
            Format::Csv => "text/csv",
            Format::Tsv => "text/tab-separated-values",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Json => "application/json",
            Format::JsonLines => "application/x-ndjson",
            Format::Gzip => "application/gzip",
            Format::Zip => "application/zip",
            Format::Tar => "application/x-tar",
            Format::Parquet => "application/vnd.apache.parquet",
            Format::Avro => "application/avro",
            Format::Xls => "application/vnd.ms-excel",
            Format::Xlsb => "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
            Format::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Doc => "application/msword",
            Format::Eml => "message/rfc822",
            Format::Unsupported => "application/octet-stream",
        }
    }
}

/// The signature of an OLE2 compound file, which holds an XLS workbook or a DOC.
const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Whether `head` starts with a tar header: POSIX and GNU headers say `ustar` at byte
/// 257; the oldest (v7) headers say nothing, so a header whose checksum adds up counts
/// too. (An empty archive is all zeros, whose checksum field is empty.)
fn is_tar_header(head: &[u8]) -> bool {
    const BLOCK: usize = 512;
    if head.get(257..262) == Some(b"ustar") {
        return true;
    }
    let Some(header) = head.get(..BLOCK) else {
        return false;
    };
    if header.iter().all(|&b| b == 0) {
        return true;
    }
    // The checksum is the sum of the header's bytes with its own field as spaces.
    let field = &header[148..156];
    let digits: String = field
        .iter()
        .map(|&b| b as char)
        .filter(|c| c.is_digit(8))
        .collect();
    let Ok(stored) = u32::from_str_radix(&digits, 8) else {
        return false;
    };
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                u32::from(b' ')
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == stored
}

/// How far into a file its `%PDF-` header may be: PDF readers tolerate leading junk
/// (a mail header, a BOM) within the first kilobyte.
const PDF_HEADER_WITHIN: usize = 1024;

/// The extension of `path`, lower-cased; empty when it has none.
fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// Why content contradicts its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// A text format whose content has NUL bytes.
    Binary,
    /// A container without its signature.
    BadMagic,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_to_formats() {
        assert_eq!(Format::from_path(Path::new("a/b.CSV")), Format::Csv);
        assert_eq!(Format::from_path(Path::new("x.tsv")), Format::Tsv);
        assert_eq!(Format::from_path(Path::new("x.ndjson")), Format::JsonLines);
        assert_eq!(Format::from_path(Path::new("x.log")), Format::Text);
        assert_eq!(Format::from_path(Path::new("x.png")), Format::Unsupported);
        assert_eq!(Format::from_path(Path::new("README")), Format::Text);
    }

    #[test]
    fn content_confirms_or_contradicts_the_extension() {
        assert_eq!(Format::Csv.confirm(b"a,b\n1,2\n"), Ok(Format::Csv));
        assert_eq!(Format::Csv.confirm(b"a,\0b"), Err(Mismatch::Binary));
        assert_eq!(Format::Gzip.confirm(b"plain"), Err(Mismatch::BadMagic));
        assert_eq!(Format::Zip.confirm(b"PK\x03\x04"), Ok(Format::Zip));
        assert_eq!(Format::Text.confirm(b""), Ok(Format::Text));
    }

    #[test]
    fn data_lake_formats_are_named_by_extension_and_confirmed_by_magic() {
        let format = |name: &str| Format::from_path(Path::new(name));
        assert_eq!(format("a/b.parquet"), Format::Parquet);
        assert_eq!(format("b.AVRO"), Format::Avro);
        assert_eq!(format("b.tar"), Format::Tar);
        assert_eq!(format("b.tgz"), Format::Gzip);
        assert_eq!(format("b.tar.gz"), Format::Gzip);
        assert_eq!(format("b.xls"), Format::Xls);
        assert_eq!(format("b.xlsb"), Format::Xlsb);
        assert_eq!(format("b.ods"), Format::Ods);
        assert_eq!(
            Format::Parquet.confirm(b"PAR1\x15\x04"),
            Ok(Format::Parquet)
        );
        assert_eq!(
            Format::Parquet.confirm(b"PK\x03\x04"),
            Err(Mismatch::BadMagic)
        );
        assert_eq!(Format::Avro.confirm(b"Obj\x01\x04"), Ok(Format::Avro));
        assert_eq!(Format::Avro.confirm(b"Obj\x02"), Err(Mismatch::BadMagic));
        assert_eq!(Format::Xls.confirm(OLE2_MAGIC), Ok(Format::Xls));
        assert_eq!(Format::Xls.confirm(b"PK\x03\x04"), Err(Mismatch::BadMagic));
        assert_eq!(Format::Ods.confirm(b"PK\x03\x04"), Ok(Format::Ods));
        assert_eq!(Format::Xlsb.confirm(b"\xD0\xCF"), Err(Mismatch::BadMagic));
        let mut ustar = vec![0u8; 1024];
        ustar[..5].copy_from_slice(b"a.txt");
        ustar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(Format::Tar.confirm(&ustar), Ok(Format::Tar));
        assert_eq!(Format::Tar.confirm(&[0; 1024]), Ok(Format::Tar));
        assert_eq!(Format::Tar.confirm(&[b'x'; 1024]), Err(Mismatch::BadMagic));
        // A v7 header: no magic, a checksum that adds up.
        let mut v7 = vec![0u8; 512];
        v7[..5].copy_from_slice(b"a.txt");
        v7[148..156].copy_from_slice(b"        ");
        let sum: u32 = v7.iter().map(|&b| u32::from(b)).sum();
        v7[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        assert_eq!(Format::Tar.confirm(&v7), Ok(Format::Tar));
        assert_eq!(
            Format::from_path(Path::new("x.parquet")).mime_type(Path::new("x.parquet")),
            "application/vnd.apache.parquet"
        );
    }

    #[test]
    fn documents_are_known_by_extension_and_confirmed_by_magic() {
        let format = |name: &str| Format::from_path(Path::new(name));
        assert_eq!(format("a.PDF"), Format::Pdf);
        assert_eq!(format("a.docx"), Format::Docx);
        assert_eq!(format("a.doc"), Format::Doc);
        assert_eq!(format("m.eml"), Format::Eml);
        assert_eq!(Format::Pdf.confirm(b"%PDF-1.7\n"), Ok(Format::Pdf));
        // Junk before the header, as readers tolerate it, but not past the first KiB.
        let mut late = vec![b' '; 1000];
        late.extend_from_slice(b"%PDF-1.4");
        assert_eq!(Format::Pdf.confirm(&late), Ok(Format::Pdf));
        let mut too_late = vec![b' '; 1024];
        too_late.extend_from_slice(b"%PDF-1.4");
        assert_eq!(Format::Pdf.confirm(&too_late), Err(Mismatch::BadMagic));
        assert_eq!(Format::Docx.confirm(b"PK\x03\x04"), Ok(Format::Docx));
        // An encrypted DOCX is an OLE2 file: not a zip.
        assert_eq!(Format::Docx.confirm(OLE2_MAGIC), Err(Mismatch::BadMagic));
        assert_eq!(Format::Doc.confirm(OLE2_MAGIC), Ok(Format::Doc));
        assert_eq!(Format::Doc.confirm(b"{\\rtf1"), Err(Mismatch::BadMagic));
        assert_eq!(Format::Eml.confirm(b"From: a@b\r\n"), Ok(Format::Eml));
        assert_eq!(Format::Eml.confirm(b"\0\x01"), Err(Mismatch::Binary));
    }

    #[test]
    fn utf16_text_with_its_mark_is_not_binary() {
        let le: Vec<u8> = "\u{FEFF}a\tb\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "\u{FEFF}{}"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(Format::Tsv.confirm(&le), Ok(Format::Tsv));
        assert_eq!(Format::Json.confirm(&be), Ok(Format::Json));
        // Without a mark, NULs still mean binary.
        assert_eq!(Format::Text.confirm(&le[2..]), Err(Mismatch::Binary));
    }

    #[test]
    fn text_types_follow_the_extension() {
        let mime = |name: &str| Format::from_path(Path::new(name)).mime_type(Path::new(name));
        assert_eq!(mime("a/page.HTML"), "text/html");
        assert_eq!(mime("page.htm"), "text/html");
        assert_eq!(mime("feed.xml"), "application/xml");
        assert_eq!(mime("README.md"), "text/markdown");
        assert_eq!(mime("notes.txt"), "text/plain");
        assert_eq!(mime("app.log"), "text/plain");
        assert_eq!(mime("README"), "text/plain");
        assert_eq!(mime("a.csv"), "text/csv");
        assert_eq!(mime("x.png"), "application/octet-stream");
    }
}
