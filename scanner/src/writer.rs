//! Writing result records as JSON Lines, optionally gzipped, over any
//! [`std::io::Write`]: `ferret scan`'s output and the pipeline's
//! `results.jsonl.gz` are written by this one type, record by record, so a run of any
//! size holds no more than the records being written.

use std::io::{self, Write};

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::ResultRecord;

/// Streams records as JSON Lines (one record per line) to `W`.
pub struct ResultsWriter<W: Write> {
    out: Encoding<W>,
    records: u64,
}

enum Encoding<W: Write> {
    Plain(W),
    /// Boxed: the encoder's state is large beside a plain writer.
    Gzip(Box<GzEncoder<W>>),
}

impl<W: Write> ResultsWriter<W> {
    /// Plain JSON Lines.
    pub fn plain(out: W) -> ResultsWriter<W> {
        ResultsWriter {
            out: Encoding::Plain(out),
            records: 0,
        }
    }

    /// Gzipped JSON Lines (`.jsonl.gz`).
    pub fn gzip(out: W) -> ResultsWriter<W> {
        ResultsWriter {
            out: Encoding::Gzip(Box::new(GzEncoder::new(out, Compression::default()))),
            records: 0,
        }
    }

    /// Appends one record and its newline.
    pub fn write(&mut self, record: &ResultRecord) -> io::Result<()> {
        let out: &mut dyn Write = match &mut self.out {
            Encoding::Plain(out) => out,
            Encoding::Gzip(out) => out.as_mut(),
        };
        serde_json::to_writer(&mut *out, record)?;
        out.write_all(b"\n")?;
        self.records += 1;
        Ok(())
    }

    /// How many records were written.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Ends the stream (the gzip trailer) and flushes it; returns the writer, for the
    /// caller to commit (an object upload) or close.
    pub fn finish(self) -> io::Result<W> {
        let mut out = match self.out {
            Encoding::Plain(out) => out,
            Encoding::Gzip(out) => out.finish()?,
        };
        out.flush()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};

    use flate2::read::GzDecoder;

    use super::*;
    use crate::result::Reason;
    use crate::scan::unreadable;
    use crate::{ObjectMeta, ScanOptions};

    fn record(key: &str) -> ResultRecord {
        let meta = ObjectMeta {
            bucket: Some("b".to_owned()),
            key: key.to_owned(),
            size: 1,
            e_tag: None,
        };
        unreadable(&meta, Reason::UnableToParseFile, &ScanOptions::default())
    }

    fn keys(lines: impl BufRead) -> Vec<String> {
        lines
            .lines()
            .map(|line| {
                let record: ResultRecord =
                    serde_json::from_str(&line.expect("line")).expect("a record per line");
                record.resources_affected.s3_object.key
            })
            .collect()
    }

    #[test]
    fn plain_lines_one_record_each() {
        let mut writer = ResultsWriter::plain(Vec::new());
        writer.write(&record("a")).expect("in memory");
        writer.write(&record("b")).expect("in memory");
        assert_eq!(writer.records(), 2);
        let bytes = writer.finish().expect("in memory");
        assert!(bytes.ends_with(b"\n"));
        assert_eq!(keys(&bytes[..]), ["a", "b"]);
    }

    #[test]
    fn gzip_round_trips() {
        let mut writer = ResultsWriter::gzip(Vec::new());
        for key in ["x/1.csv", "x/2.csv", "y.json"] {
            writer.write(&record(key)).expect("in memory");
        }
        let gzipped = writer.finish().expect("in memory");
        assert_eq!(&gzipped[..2], &[0x1f, 0x8b], "gzip magic");
        let read = keys(BufReader::new(GzDecoder::new(&gzipped[..])));
        assert_eq!(read, ["x/1.csv", "x/2.csv", "y.json"]);
    }

    #[test]
    fn no_records_is_an_empty_stream() {
        let plain = ResultsWriter::plain(Vec::new())
            .finish()
            .expect("in memory");
        assert!(plain.is_empty());
        let gzipped = ResultsWriter::gzip(Vec::new()).finish().expect("in memory");
        assert!(keys(BufReader::new(GzDecoder::new(&gzipped[..]))).is_empty());
    }
}
