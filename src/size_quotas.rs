//! The file-size quota flags, shared by every command that reads objects.

use ferret_scanner::FileSizeQuotas;

/// Macie's file-size quotas, one flag per size class. An object larger than its
/// format's quota is SKIPPED with FILE_EXCEEDS_SIZE_LIMIT without being read.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SizeQuotaArgs {
    /// Largest PDF read; a larger object is SKIPPED FILE_EXCEEDS_SIZE_LIMIT without
    /// being read (so are objects over the quotas below) [default: 1073741824, 1 GiB].
    #[arg(long, env = "FERRET_MAX_PDF_BYTES", value_name = "BYTES")]
    pub max_pdf_bytes: Option<u64>,
    /// Largest DOC, DOCX, XLS, XLSX, XLSM, XLSB or ODS read [default: 536870912,
    /// 512 MiB].
    #[arg(long, env = "FERRET_MAX_OFFICE_BYTES", value_name = "BYTES")]
    pub max_office_bytes: Option<u64>,
    /// Largest Avro, Parquet, gzip (.tar.gz, .tgz too) or zip object read [default:
    /// 8589934592, 8 GiB].
    #[arg(long, env = "FERRET_MAX_COMPRESSED_BYTES", value_name = "BYTES")]
    pub max_compressed_bytes: Option<u64>,
    /// Largest text (plain, CSV, TSV, JSON, JSON Lines), EML or tar object read
    /// [default: 21474836480, 20 GiB].
    #[arg(long, env = "FERRET_MAX_UNCOMPRESSED_BYTES", value_name = "BYTES")]
    pub max_uncompressed_bytes: Option<u64>,
}

impl SizeQuotaArgs {
    /// Macie's quotas with the flags given applied over them.
    pub fn quotas(&self) -> FileSizeQuotas {
        let macie = FileSizeQuotas::default();
        FileSizeQuotas {
            pdf: self.max_pdf_bytes.unwrap_or(macie.pdf),
            office: self.max_office_bytes.unwrap_or(macie.office),
            compressed: self.max_compressed_bytes.unwrap_or(macie.compressed),
            uncompressed: self.max_uncompressed_bytes.unwrap_or(macie.uncompressed),
        }
    }
}
