//! Containers: gzip is decompressed, its content redacted by its own format and
//! recompressed; zip is repacked member by member, each redacted by its format (members
//! of formats ferret does not read are copied as they are, still compressed).
//!
//! Decompression counts against [`Limits::max_extracted_bytes`] and nesting against
//! [`Limits::max_nesting`], as in the scanner, so a bomb is refused, not written out.
//!
//! [`Limits::max_extracted_bytes`]: ferret_scanner::Limits
//! [`Limits::max_nesting`]: ferret_scanner::Limits

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use ferret_scanner::object::strip_gzip_suffix;
use ferret_scanner::{Format, ReadError};
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use zip::write::SimpleFileOptions;

use crate::plan::Planner;
use crate::{RedactError, Redactor};

/// Copies the gzip stream `input` with its content redacted, recompressed.
pub fn redact_gzip(
    redactor: &Redactor<'_>,
    name: &str,
    input: &mut dyn Read,
    out: &mut dyn Write,
    planner: &mut Planner<'_>,
    depth: u32,
) -> Result<(), RedactError> {
    let depth = enter(redactor, depth)?;
    let limit = redactor.limits().max_extracted_bytes;
    let mut decoder = Budgeted {
        inner: MultiGzDecoder::new(input),
        left: limit,
        exceeded: false,
    };
    let mut encoder = GzEncoder::new(out, flate2::Compression::default());
    let result = redactor.object(
        &strip_gzip_suffix(name),
        &mut decoder,
        &mut encoder,
        planner,
        depth,
    );
    if decoder.exceeded {
        return Err(ReadError::ExtractedOverLimit { limit }.into());
    }
    result?;
    encoder.finish()?;
    Ok(())
}

/// Copies the zip archive `input`, each member redacted by its format. The archive is
/// spooled to a temporary file first (its directory is at its end), and the copy is
/// built in another before it is written to `out`.
pub fn redact_zip(
    redactor: &Redactor<'_>,
    input: &mut dyn Read,
    out: &mut dyn Write,
    planner: &mut Planner<'_>,
    depth: u32,
) -> Result<(), RedactError> {
    let depth = enter(redactor, depth)?;
    let mut spooled = tempfile::tempfile()?;
    io::copy(input, &mut spooled)?;
    spooled.seek(SeekFrom::Start(0))?;
    let malformed = |e: zip::result::ZipError| {
        RedactError::Read(ReadError::Malformed {
            format: Format::Zip,
            message: e.to_string(),
        })
    };
    let mut archive = zip::ZipArchive::new(spooled).map_err(malformed)?;
    let mut writer = zip::ZipWriter::new(tempfile::tempfile()?);
    let limit = redactor.limits().max_extracted_bytes;
    let mut left = limit;
    for index in 0..archive.len() {
        let member = archive.by_index(index).map_err(malformed)?;
        let name = member.name().to_owned();
        let mut options = SimpleFileOptions::default().compression_method(member.compression());
        if let Some(time) = member.last_modified() {
            options = options.last_modified_time(time);
        }
        if let Some(mode) = member.unix_mode() {
            options = options.unix_permissions(mode);
        }
        if member.is_dir() {
            writer.add_directory(name, options).map_err(write_error)?;
            continue;
        }
        if Format::from_path(Path::new(&name)) == Format::Unsupported {
            writer.raw_copy_file(member).map_err(write_error)?;
            continue;
        }
        writer
            .start_file(name.clone(), options)
            .map_err(write_error)?;
        let mut budgeted = Budgeted {
            inner: member,
            left,
            exceeded: false,
        };
        let result = redactor.object(&name, &mut budgeted, &mut writer, planner, depth);
        if budgeted.exceeded {
            return Err(ReadError::ExtractedOverLimit { limit }.into());
        }
        left = budgeted.left;
        result?;
    }
    let mut copy = writer.finish().map_err(write_error)?;
    copy.seek(SeekFrom::Start(0))?;
    io::copy(&mut copy, out)?;
    Ok(())
}

/// A failure of the zip writer, which writes to a local temporary file: the run's.
fn write_error(error: zip::result::ZipError) -> RedactError {
    RedactError::Write(io::Error::other(error))
}

/// The depth inside one more archive, or the nesting limit's error.
fn enter(redactor: &Redactor<'_>, depth: u32) -> Result<u32, RedactError> {
    let limit = redactor.limits().max_nesting;
    if depth >= limit {
        return Err(ReadError::NestingOverLimit { limit }.into());
    }
    Ok(depth + 1)
}

/// A decoder that fails once it has produced more than `left` bytes.
struct Budgeted<R> {
    inner: R,
    left: u64,
    exceeded: bool,
}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match self.left.checked_sub(n as u64) {
            Some(left) => {
                self.left = left;
                Ok(n)
            }
            None => {
                self.exceeded = true;
                Err(io::Error::other("extracted bytes over the limit"))
            }
        }
    }
}
