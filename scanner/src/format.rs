//! File formats, detected by extension and confirmed by content.

use std::path::Path;

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
    "eml",
];

/// Extensions that are never text, whatever their first bytes look like.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "ico", "pdf", "exe", "dll", "so",
    "dylib", "bin", "class", "jar", "war", "mp3", "mp4", "mov", "avi", "wav", "flac", "ogg",
    "parquet", "avro", "orc", "7z", "rar", "bz2", "xz", "zst", "tar", "doc", "xls", "ppt", "docx",
    "pptx", "odt", "ods", "sqlite", "db",
];

impl Format {
    /// The format an object's name announces. Unknown extensions are `Text` here and
    /// must be confirmed with [`Format::confirm`].
    pub fn from_path(path: &Path) -> Format {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match extension.as_str() {
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "xlsx" | "xlsm" => Format::Xlsx,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            "gz" | "gzip" => Format::Gzip,
            "zip" => Format::Zip,
            e if TEXT_EXTENSIONS.contains(&e) => Format::Text,
            e if BINARY_EXTENSIONS.contains(&e) => Format::Unsupported,
            _ => Format::Text,
        }
    }

    /// Checks the announced format against the object's first bytes: text formats must
    /// not look binary (a NUL byte in the head), containers must carry their magic.
    pub fn confirm(self, head: &[u8]) -> Result<Format, Mismatch> {
        let looks_binary = memchr::memchr(0, head).is_some() && !looks_like_utf16(head);
        match self {
            Format::Text | Format::Csv | Format::Tsv | Format::Json | Format::JsonLines
                if looks_binary =>
            {
                Err(Mismatch::Binary)
            }
            Format::Gzip if !head.is_empty() && !head.starts_with(&[0x1f, 0x8b]) => {
                Err(Mismatch::BadMagic)
            }
            Format::Zip | Format::Xlsx if !head.is_empty() && !head.starts_with(b"PK") => {
                Err(Mismatch::BadMagic)
            }
            other => Ok(other),
        }
    }

    /// The MIME type reported in results.
    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain",
            Format::Csv => "text/csv",
            Format::Tsv => "text/tab-separated-values",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Json => "application/json",
            Format::JsonLines => "application/x-ndjson",
            Format::Gzip => "application/gzip",
            Format::Zip => "application/zip",
            Format::Unsupported => "application/octet-stream",
        }
    }
}

/// Why content contradicts its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// A text format whose content has NUL bytes.
    Binary,
    /// A container without its signature.
    BadMagic,
}

/// UTF-16 text has NULs in every other byte; it is rare in data lakes and decoded
/// lossily like any other text, so it should not count as binary.
fn looks_like_utf16(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF])
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
}
