//! Macie's file-size quotas: the largest object of each format that is analysed.
//!
//! Macie publishes one quota per format, and they fall into four sizes. Formats that
//! expand as they are read (Avro and Parquet pages, gzip and zip streams) stop at 8 GiB;
//! formats read as they are stored (text of every kind, e-mail, tar) go to 20 GiB; the
//! office documents, which are parsed into a model before they are read, stop at
//! 512 MiB, and PDF at 1 GiB. ferret keeps Macie's grouping, one setting per size, so
//! a deployment that lowers one lowers it for every format Macie treats alike.
//!
//! The quota is checked against the size the store or the file system reports, before
//! a byte is read: an object over its quota is never downloaded. Macie writes its
//! quotas in MB and GB of 1,024; so does ferret (MiB and GiB).

use std::path::Path;

use crate::Format;

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// The four sizes of Macie's quotas, and the formats each covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SizeClass {
    /// PDF.
    Pdf,
    /// Word and Excel documents, OpenDocument spreadsheets with them: DOC, DOCX, XLS,
    /// XLSX, XLSM, XLSB, ODS.
    Office,
    /// Formats that decompress as they are read: Avro, Parquet, gzip (`.tar.gz` and
    /// `.tgz` included: they are gzip files first) and zip.
    Compressed,
    /// Formats read as stored: text (plain, CSV, TSV, JSON, JSON Lines), e-mail, tar.
    Uncompressed,
}

impl SizeClass {
    /// The class of `format`; `None` for a format that is not analysed at all.
    pub fn of(format: Format) -> Option<SizeClass> {
        match format {
            Format::Pdf => Some(SizeClass::Pdf),
            Format::Doc
            | Format::Docx
            | Format::Xls
            | Format::Xlsx
            | Format::Xlsb
            | Format::Ods => Some(SizeClass::Office),
            Format::Avro | Format::Parquet | Format::Gzip | Format::Zip => {
                Some(SizeClass::Compressed)
            }
            Format::Text
            | Format::Csv
            | Format::Tsv
            | Format::Json
            | Format::JsonLines
            | Format::Eml
            | Format::Tar => Some(SizeClass::Uncompressed),
            Format::Unsupported => None,
        }
    }
}

/// The largest object analysed, by size class; Macie's quotas by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSizeQuotas {
    /// PDF: 1,024 MiB.
    pub pdf: u64,
    /// DOC, DOCX, XLS, XLSX (and XLSM, XLSB, ODS): 512 MiB.
    pub office: u64,
    /// Avro, Parquet, gzip, zip: 8 GiB.
    pub compressed: u64,
    /// Text, CSV, TSV, JSON, JSON Lines, EML, tar: 20 GiB.
    pub uncompressed: u64,
}

impl Default for FileSizeQuotas {
    fn default() -> Self {
        FileSizeQuotas {
            pdf: 1024 * MIB,
            office: 512 * MIB,
            compressed: 8 * GIB,
            uncompressed: 20 * GIB,
        }
    }
}

impl FileSizeQuotas {
    /// The quota of one size class.
    pub fn of(&self, class: SizeClass) -> u64 {
        match class {
            SizeClass::Pdf => self.pdf,
            SizeClass::Office => self.office,
            SizeClass::Compressed => self.compressed,
            SizeClass::Uncompressed => self.uncompressed,
        }
    }

    /// Whether an object named `name` of `size` bytes is over the quota of the format
    /// its name announces. The name is all there is before reading, and Macie too
    /// sizes an object by its type: content that turns out to be another format is
    /// refused later, by the reader. A format that is not analysed has no quota (it is
    /// skipped as unsupported instead).
    pub fn exceeded_by(&self, name: &str, size: u64) -> bool {
        SizeClass::of(Format::from_path(Path::new(name))).is_some_and(|class| size > self.of(class))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_macies_quotas_in_binary_units() {
        let quotas = FileSizeQuotas::default();
        assert_eq!(quotas.pdf, 1_073_741_824);
        assert_eq!(quotas.office, 536_870_912);
        assert_eq!(quotas.compressed, 8_589_934_592);
        assert_eq!(quotas.uncompressed, 21_474_836_480);
    }

    #[test]
    fn each_format_falls_in_macies_class() {
        let class = |name: &str| SizeClass::of(Format::from_path(Path::new(name)));
        assert_eq!(class("a.pdf"), Some(SizeClass::Pdf));
        for office in [
            "a.doc", "a.docx", "a.xls", "a.xlsx", "a.xlsm", "a.xlsb", "a.ods",
        ] {
            assert_eq!(class(office), Some(SizeClass::Office), "{office}");
        }
        for compressed in ["a.avro", "a.parquet", "a.gz", "a.tar.gz", "a.tgz", "a.zip"] {
            assert_eq!(
                class(compressed),
                Some(SizeClass::Compressed),
                "{compressed}"
            );
        }
        for stored in [
            "a.txt", "a.csv", "a.tsv", "a.json", "a.jsonl", "a.log", "a.eml", "a.tar", "README",
        ] {
            assert_eq!(class(stored), Some(SizeClass::Uncompressed), "{stored}");
        }
        assert_eq!(class("a.png"), None);
    }

    #[test]
    fn an_object_is_over_its_quota_only_past_it() {
        let quotas = FileSizeQuotas {
            pdf: 10,
            office: 20,
            compressed: 30,
            uncompressed: 40,
        };
        assert!(!quotas.exceeded_by("a.pdf", 10));
        assert!(quotas.exceeded_by("a.pdf", 11));
        assert!(!quotas.exceeded_by("a.docx", 20));
        assert!(quotas.exceeded_by("a.XLSX", 21));
        assert!(!quotas.exceeded_by("a.parquet", 30));
        assert!(quotas.exceeded_by("a.tgz", 31));
        assert!(!quotas.exceeded_by("a.csv", 40));
        assert!(quotas.exceeded_by("a.tar", 41));
        assert!(!quotas.exceeded_by("a.png", u64::MAX));
    }
}
