//! Reading one large local CSV or TSV file on several threads, to the very result the
//! sequential scan gives.
//!
//! The header is read first: its cells are units, and its names label every cell below.
//! The data below it is cut at line starts into slices, read in parallel, each from its
//! own offset of the file into its own [`Aggregator`]; the aggregators are then
//! appended in file order, rows shifted by the records before them.
//!
//! A line start is a record boundary unless it falls inside a quoted field that spans
//! lines, which a slice cannot tell by itself. So a slice takes its first byte for a
//! record boundary, reads the records that start in its byte range (the last one whole,
//! even when it runs past the range) and reports the offset where it stopped: the first
//! record boundary at or after its range's end. The merge checks the guess: a slice
//! starts on a record boundary iff the slice before it, itself read right, stopped
//! exactly there. Otherwise it is read again, during the merge, from where the slice
//! before stopped, which is a true boundary, and its own stop is exact again, so a wrong
//! guess costs one slice. By induction from the header's end, every appended slice read the
//! records the sequential scan reads, with the same cells, column names and (shifted)
//! rows, and the filtered reader concludes the same on them whatever its block
//! boundaries are.
//!
//! Anything unusual, an I/O error or a record too long for a slice reader, sends the
//! whole file to the sequential scan, which also gives errors their usual status.

use std::fs::File;
use std::io::{self, Read};

use ferret_identifiers::IdentifierSet;
use rayon::prelude::*;

use crate::aggregate::Aggregator;
use crate::object::{detect, read_head};
use crate::per_thread::PerThread;
use crate::reader::utf16::Utf16;
use crate::reader::{SliceError, TableReader};
use crate::Format;

/// When a local CSV or TSV file is read on several threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitOptions {
    /// Smaller files are read by one thread (`u64::MAX`: all files are). Reading the
    /// header first and a probe per slice costs little, but threads only pay off on
    /// files that take a while.
    pub min_bytes: u64,
    /// The most data bytes in one slice. Files get at least [`SLICES_PER_THREAD`]
    /// slices per thread, so that a thread done early finds more work.
    pub slice_bytes: u64,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            min_bytes: 16 << 20,
            slice_bytes: 32 << 20,
        }
    }
}

/// Slices per thread read before their results are merged: more balance the threads'
/// loads better, but each finished slice waiting for the merge holds up to
/// `max_occurrences` occurrences per detector.
pub const SLICES_PER_THREAD: usize = 4;

/// Bytes read at a time while looking for a line start.
const PROBE: usize = 64 * 1024;

/// Why a file is read by one thread after all.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Sequential {
    #[error("splitting is off, the file is small, or one thread is available")]
    NotWorth,
    #[error("not a CSV or TSV file")]
    NotTable,
    /// Slices start at byte offsets of the file; UTF-16 is transcoded as a stream from
    /// its start.
    #[error("the table is UTF-16")]
    Utf16,
    #[error("the identifiers have no filter for tables")]
    NoFilter,
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Slice(#[from] SliceError),
}

/// A file read in slices.
pub(crate) struct Split<'s> {
    /// The verdicts on all of its units, as the sequential scan would hold them.
    pub aggregator: Aggregator<'s>,
    pub format: Format,
    /// A cell over the limit was skipped: the file is only partly analysed.
    pub over_limit: bool,
}

/// A table read in slices.
struct Sliced<'s> {
    aggregator: Aggregator<'s>,
    over_limit: bool,
    /// Slices read in parallel, and those read again during the merge because they
    /// started inside a record: what the tests check that seams were crossed with.
    #[cfg_attr(not(test), allow(dead_code))]
    slices: usize,
    #[cfg_attr(not(test), allow(dead_code))]
    reread: usize,
}

/// Reads the local file `file`, named `name` and `size` bytes long, in slices on the
/// current rayon pool, or says why it is better read by one thread: too small, not a
/// table, one thread only, or a slice that could not be read exactly (the sequential
/// scan then reads the whole file again).
pub(crate) fn read_split<'s>(
    set: &'s IdentifierSet,
    name: &str,
    file: &File,
    size: u64,
    options: &crate::ScanOptions,
) -> Result<Split<'s>, Sequential> {
    let threads = rayon::current_num_threads();
    if !options.prefilter || threads < 2 || size < options.split.min_bytes {
        return Err(Sequential::NotWorth);
    }
    let head = read_head(&mut ReadAt { file, offset: 0 })?;
    let (format, delimiter) = match detect(name, &head) {
        Ok(Format::Csv) => (Format::Csv, b','),
        Ok(Format::Tsv) => (Format::Tsv, b'\t'),
        _ => return Err(Sequential::NotTable),
    };
    if Utf16::sniff(&head).is_some() {
        return Err(Sequential::Utf16);
    }
    let filter = set.block_filter(delimiter).ok_or(Sequential::NoFilter)?;
    let table = TableReader::new(filter, delimiter, &options.limits);
    let plan = Plan {
        set,
        table,
        file,
        max_occurrences: options.max_occurrences,
    };
    let sliced = plan.read(size, options.split.slice_bytes, threads)?;
    Ok(Split {
        aggregator: sliced.aggregator,
        format,
        over_limit: sliced.over_limit,
    })
}

/// A byte range of the data: the records that start in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slice {
    start: u64,
    /// `None` for the last slice, which reads to the end of the file.
    stop: Option<u64>,
}

/// The verdicts on the records of a slice.
struct Part<'c> {
    aggregator: Aggregator<'c>,
    records: u64,
    /// Where the slice's reading stopped.
    end: u64,
    /// A cell over the limit was skipped.
    over_limit: bool,
}

/// What reading one table in slices needs.
struct Plan<'a, 's> {
    set: &'s IdentifierSet,
    table: TableReader,
    file: &'a File,
    max_occurrences: usize,
}

impl<'s> Plan<'_, 's> {
    /// Reads the header, then the data up to `size` in slices of at most
    /// `slice_bytes`, on the current pool's `threads` threads.
    fn read(&self, size: u64, slice_bytes: u64, threads: usize) -> Result<Sliced<'s>, Sequential> {
        let mut aggregator = Aggregator::new(self.set, self.max_occurrences);
        let input = ReadAt {
            file: self.file,
            offset: 0,
        };
        let head = self.table.head(input, &mut aggregator)?;
        let Some(head) = head else {
            return Ok(Sliced {
                aggregator,
                over_limit: false,
                slices: 0,
                reread: 0,
            });
        };
        let per_thread = (threads * SLICES_PER_THREAD) as u64;
        let slice = size
            .saturating_sub(head.end)
            .div_ceil(per_thread)
            .clamp(1, slice_bytes.max(1));
        let slices = self.slices(head.end, size, slice)?;
        // Made after the header's aggregator, the copies hold its whole-unit filter too.
        let sets = PerThread::new(self.set);
        let mut merge = Merge {
            aggregator,
            rows: 0,
            end: head.end,
            over_limit: head.over_limit,
            reread: 0,
        };
        for wave in slices.chunks(threads * SLICES_PER_THREAD) {
            let parts: Vec<_> = wave
                .par_iter()
                .map(|&slice| self.read_slice(sets.get(), slice, &head.columns))
                .collect();
            for (&slice, part) in wave.iter().zip(parts) {
                merge.append(slice, part, |from| {
                    self.read_slice(self.set, from, &head.columns)
                })?;
            }
        }
        Ok(Sliced {
            aggregator: merge.aggregator,
            over_limit: merge.over_limit,
            slices: slices.len(),
            reread: merge.reread,
        })
    }

    /// The slices of the data from `first` (the header's end) to `size`: cut about
    /// every `slice` bytes, each at the line start after the cut, and merged with the
    /// next when no line starts before the next cut.
    fn slices(&self, first: u64, size: u64, slice: u64) -> io::Result<Vec<Slice>> {
        let mut starts = vec![first];
        let mut cut = first.saturating_add(slice);
        while cut < size {
            let next = cut.saturating_add(slice);
            if let Some(start) = self.line_start(cut, next.min(size))? {
                starts.push(start);
            }
            cut = next;
        }
        let stops = starts.iter().skip(1).map(|&stop| Some(stop)).chain([None]);
        Ok(starts
            .iter()
            .zip(stops)
            .map(|(&start, stop)| Slice { start, stop })
            .collect())
    }

    /// The offset after the first line feed in `from..to` of the file, if any.
    fn line_start(&self, from: u64, to: u64) -> io::Result<Option<u64>> {
        let mut probe = vec![0; PROBE];
        let mut input = ReadAt {
            file: self.file,
            offset: from,
        };
        while input.offset < to {
            let at = input.offset;
            let want = usize::try_from(to - at).map_or(PROBE, |left| left.min(PROBE));
            let read = input.read(&mut probe[..want])?;
            if read == 0 {
                break;
            }
            if let Some(i) = memchr::memchr(b'\n', &probe[..read]) {
                return Ok(Some(at + i as u64 + 1));
            }
        }
        Ok(None)
    }

    /// Reads the records that start in `slice`, taking its start for a record
    /// boundary below the header that named `columns`, and judges them with `set`
    /// (this plan's or a copy).
    fn read_slice<'c>(
        &self,
        set: &'c IdentifierSet,
        slice: Slice,
        columns: &[String],
    ) -> Result<Part<'c>, SliceError> {
        let mut aggregator = Aggregator::new(set, self.max_occurrences);
        let input = ReadAt {
            file: self.file,
            offset: slice.start,
        };
        let stop = slice.stop.map(|stop| stop.saturating_sub(slice.start));
        let read = self.table.slice(input, columns, stop, &mut aggregator)?;
        Ok(Part {
            aggregator,
            records: read.records,
            end: slice.start + read.end,
            over_limit: read.over_limit,
        })
    }
}

/// The slices appended so far, in file order.
struct Merge<'s> {
    aggregator: Aggregator<'s>,
    /// Data records read so far.
    rows: u64,
    /// Where the last appended slice stopped: a record boundary.
    end: u64,
    /// A cell over the limit was skipped in the header or an appended slice.
    over_limit: bool,
    reread: usize,
}

impl<'s> Merge<'s> {
    /// Appends `slice`, read in parallel into `part`, or read again with `read` from
    /// where the previous slice stopped when it did not start there.
    fn append<'c>(
        &mut self,
        slice: Slice,
        part: Result<Part<'c>, SliceError>,
        read: impl Fn(Slice) -> Result<Part<'c>, SliceError>,
    ) -> Result<(), SliceError> {
        let part = if slice.start == self.end {
            part?
        } else if slice.stop.is_some_and(|stop| self.end >= stop) {
            // A record started before the slice and runs past it: no record starts in it.
            return Ok(());
        } else {
            // The slice started inside a record, and what it read means nothing (nor
            // does its error, if it had one).
            self.reread += 1;
            read(Slice {
                start: self.end,
                stop: slice.stop,
            })?
        };
        self.aggregator.append_rows(part.aggregator, self.rows);
        self.rows += part.records;
        self.end = part.end;
        self.over_limit |= part.over_limit;
        Ok(())
    }
}

/// A file read from an offset on with positioned reads, which move no shared cursor:
/// threads read one file at their own offsets at once, and the caller's handle stays
/// where it was for the sequential scan.
struct ReadAt<'f> {
    file: &'f File,
    offset: u64,
}

impl Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = read_at(self.file, buf, self.offset)?;
        self.offset += read as u64;
        Ok(read)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

/// Elsewhere positioned reads move the handle's cursor (Windows) or do not exist:
/// files are read by one thread.
#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<usize> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no positioned reads on this platform",
    ))
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::Path;

    use super::*;
    use crate::aggregate::Findings;
    use crate::reader::{read_delimited, TextUnit};
    use crate::result::StatusCode;
    use crate::testing::Rng;
    use crate::{scan_file, Limits, ScanOptions};

    /// Custom identifiers with keywords (in text and column names) and classes that
    /// take separators, plus every managed identifier.
    const IDENTIFIERS: &str = r#"
[[identifier]]
name = "SIRET-NIC"
regex = '\b(\d{3}\s?){2}\d{3}\-\d{5}\b'
keywords = ["siret"]
maximum_match_distance = 20

[[identifier]]
name = "Brazil CPF"
regex = '\b(\d{3}\.){2}\d{3}\-\d{2}\b'

[[identifier]]
name = "Prototyping Naming"
regex = '\bP\-[A-Z]{2}\d{4}\b'

[[identifier]]
name = "Spread"
regex = '\d{2}\s\d{2}'
"#;

    /// Cell contents: hits, keywords, and every byte that matters to records.
    const PIECES: &[&str] = &[
        "529.982.247-25",
        "732 829 320-00074",
        "P-AB1234",
        "siret",
        "ana@example.com",
        "4111 1111 1111 1111",
        "12 34",
        "hello",
        "é",
        ",",
        "\t",
        "\"",
        "\n",
        "\r\n",
        "\r",
        " ",
    ];

    fn identifier_set() -> IdentifierSet {
        crate::testing::identifier_set(IDENTIFIERS)
    }

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
    }

    /// One cell: random pieces, quoted now and then (a quoted cell may hold many line
    /// breaks, or, rarely, never close).
    fn cell(rng: &mut Rng, out: &mut Vec<u8>) {
        let quoted = rng.below(4) == 0;
        let pieces = match rng.below(20) {
            0 if quoted => 10 + rng.below(30),
            _ => rng.below(4),
        };
        if quoted {
            out.push(b'"');
        }
        for _ in 0..pieces {
            let piece = PIECES[rng.below(PIECES.len())].as_bytes();
            match piece {
                b"\"" if quoted => out.extend_from_slice(b"\"\""),
                b"\n" | b"\r\n" | b"\r" | b"," | b"\t" | b"\"" if !quoted && rng.below(2) == 0 => {}
                _ => out.extend_from_slice(piece),
            }
        }
        if quoted && rng.below(60) != 0 {
            out.push(b'"');
        }
    }

    /// A table: a header (with a hit now and then) and `rows` records of random cells,
    /// with LF, CRLF and blank-line endings.
    fn table(rng: &mut Rng, delimiter: u8, rows: usize) -> Vec<u8> {
        let mut out = Vec::new();
        if rng.below(5) == 0 {
            out.extend_from_slice(b"\n\r\n");
        }
        let names: &[&[u8]] = &[b"id", b"siret", b"cpf", b"notes", b"P-AB1234 code"];
        for column in 0..1 + rng.below(5) {
            if column > 0 {
                out.push(delimiter);
            }
            out.extend_from_slice(names[rng.below(names.len())]);
        }
        for row in 0..=rows {
            let ending: &[u8] = match rng.below(10) {
                0 => b"\r\n",
                1 => b"\n\n",
                2 => b"\r",
                _ => b"\n",
            };
            if row == rows {
                if rng.below(3) != 0 {
                    out.extend_from_slice(ending);
                }
                break;
            }
            out.extend_from_slice(ending);
            for column in 0..1 + rng.below(5) {
                if column > 0 {
                    out.push(delimiter);
                }
                cell(rng, &mut out);
            }
        }
        out
    }

    /// Tables whose seams fall everywhere: small enough to cut at every offset.
    const EDGES: &[&str] = &[
        "",
        "\n\n",
        "id,cpf",
        "id,cpf\n",
        "id,cpf\r\n\r\n",
        "siret,\"P-AB1234\nx\"\n1,529.982.247-25\n",
        "id,cpf\n1,529.982.247-25\n2,529.982.247-25\n3,529.982.247-25",
        "id,cpf\n1,\"529.982.247-25\n529.982.247-25\n\"\"\n529.982.247-25\",x\n2,529.982.247-25\n",
        "id,cpf\r\n1,\"a\r\n529.982.247-25\r\nb\"\r\n\r\n2,529.982.247-25\r\n",
        "id,cpf\n1,\"never closed\n529.982.247-25\n2,529.982.247-25\n",
        "id,cpf\n\"\n\",\"\n\"\n\n\n\"1\",529.982.247-25\n",
        "id,cpf\n1,a\"b\n529.982.247-25,\"\n\"\n",
    ];

    /// What the record-by-record reader, the reference, concludes about `data`.
    fn reference(set: &IdentifierSet, data: &[u8], delimiter: u8, max: usize) -> Findings {
        let mut aggregator = Aggregator::new(set, max);
        read_delimited(
            data,
            delimiter,
            &Limits::default(),
            &mut |unit: TextUnit<'_>| aggregator.judge(&unit),
        )
        .expect("in-memory read");
        aggregator.finish()
    }

    fn temp_table(dir: &Path, name: &str, data: &[u8]) -> (std::path::PathBuf, File) {
        let path = dir.join(name);
        std::fs::write(&path, data).expect("fixture");
        let file = File::open(&path).expect("fixture");
        (path, file)
    }

    #[test]
    fn slices_read_on_many_threads_conclude_what_the_record_reader_does() {
        let set = identifier_set();
        let dir = tempfile::tempdir().expect("tempdir");
        let pool = pool(4);
        let mut rng = Rng::new(20240229);
        let mut cases: Vec<(u8, Vec<u8>)> = EDGES
            .iter()
            .flat_map(|edge| {
                let tsv = edge.replace(',', "\t").into_bytes();
                [(b',', edge.as_bytes().to_vec()), (b'\t', tsv)]
            })
            .collect();
        for case in 0..100 {
            let delimiter = if case % 3 == 0 { b'\t' } else { b',' };
            let rows = rng.below(40);
            cases.push((delimiter, table(&mut rng, delimiter, rows)));
        }
        let (mut slices, mut reread) = (0, 0);
        for (case, (delimiter, data)) in cases.iter().enumerate() {
            let (_, file) = temp_table(dir.path(), "t", data);
            let filter = set.block_filter(*delimiter).expect("a filter");
            let table = TableReader::new(filter, *delimiter, &Limits::default());
            let len = data.len() as u64;
            // Every seam for small tables, a spread of slice sizes for the others.
            let sizes: Vec<u64> = if len <= 80 {
                (1..=len.max(1)).collect()
            } else {
                vec![2, 7, 31, len / 3, len]
            };
            for max in [2, 1000] {
                let expected = reference(&set, data, *delimiter, max);
                for &slice in &sizes {
                    // Small blocks put slice ends beyond the first buffer.
                    for block in [5, 1 << 12] {
                        let plan = Plan {
                            set: &set,
                            table: table.clone().with_block(block),
                            file: &file,
                            max_occurrences: max,
                        };
                        let sliced = pool
                            .install(|| plan.read(len, slice, 4))
                            .unwrap_or_else(|e| panic!("case {case}: {e}"));
                        slices += sliced.slices;
                        reread += sliced.reread;
                        assert_eq!(
                            sliced.aggregator.finish(),
                            expected,
                            "case {case}, slice {slice}, block {block}, max {max}: {:?}",
                            String::from_utf8_lossy(data)
                        );
                    }
                }
            }
        }
        // The tables were cut often, and often inside records.
        assert!(slices > 100 * cases.len(), "{slices} slices");
        assert!(reread > 10 * cases.len(), "{reread} slices read again");
    }

    #[test]
    fn a_split_scan_gives_the_record_of_the_sequential_scan() {
        let set = identifier_set();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut rng = Rng::new(7);
        let sequential = ScanOptions {
            split: SplitOptions {
                min_bytes: u64::MAX,
                ..SplitOptions::default()
            },
            ..ScanOptions::default()
        };
        for case in 0..60 {
            let (delimiter, name) = if case % 2 == 0 {
                (b',', "table.csv")
            } else {
                (b'\t', "table.tsv")
            };
            let data = match EDGES.get(case / 2) {
                Some(edge) => edge
                    .replace(',', if case % 2 == 0 { "," } else { "\t" })
                    .into_bytes(),
                None => table(&mut rng, delimiter, 120),
            };
            let (path, file) = temp_table(dir.path(), name, &data);
            // The default cell limit, and one that many cells exceed (the object is
            // then PARTIAL, or SKIPPED when no cell is within it, either way).
            let limits = [
                Limits::default(),
                Limits {
                    max_unit_bytes: 12,
                    ..Limits::default()
                },
            ];
            for (max_occurrences, limits) in [3, 1000].into_iter().zip(limits) {
                let expected = scan_file(
                    &set,
                    &path,
                    &ScanOptions {
                        max_occurrences,
                        limits: limits.clone(),
                        ..sequential.clone()
                    },
                );
                for slice_bytes in [7, 200] {
                    let split = ScanOptions {
                        max_occurrences,
                        limits: limits.clone(),
                        split: SplitOptions {
                            min_bytes: 0,
                            slice_bytes,
                        },
                        ..ScanOptions::default()
                    };
                    let size = data.len() as u64;
                    let (taken, got) = pool(3).install(|| {
                        let taken = read_split(&set, path_str(&path), &file, size, &split);
                        (taken.map(|_| ()), scan_file(&set, &path, &split))
                    });
                    taken.unwrap_or_else(|e| panic!("case {case} was not split: {e}"));
                    assert_eq!(
                        serde_json::to_value(&got).expect("json"),
                        serde_json::to_value(&expected).expect("json"),
                        "case {case}, slices of {slice_bytes}: {:?}",
                        String::from_utf8_lossy(&data)
                    );
                }
            }
        }
    }

    fn path_str(path: &Path) -> &str {
        path.to_str().expect("a UTF-8 temporary path")
    }

    #[test]
    fn a_slice_reads_the_records_that_start_before_its_stop_whole() {
        let set = identifier_set();
        let filter = set.block_filter(b',').expect("a filter");
        let table = TableReader::new(filter, b',', &Limits::default());
        let data = b"a,b\r\n1,\"x\ny\"\n2,z\n\n3,w\n";
        let mut sink = |_: TextUnit<'_>| {};
        let head = table.head(&data[..], &mut sink).expect("read");
        let head = head.map(|head| (head.columns, head.end));
        assert_eq!(head, Some((vec!["a".to_owned(), "b".to_owned()], 4)));
        // `stop` counted from the data's start, as `end`.
        let slice = |from: usize, stop: Option<usize>| {
            let columns = ["a".to_owned(), "b".to_owned()];
            let stop = stop.map(|stop| (stop - from) as u64);
            let read = table
                .slice(&data[from..], &columns, stop, &mut |_: TextUnit<'_>| {})
                .expect("read");
            (from as u64 + read.end, read.records)
        };
        // From the CR's line feed: a blank line, then the quoted record, read whole when
        // it starts before the stop.
        assert_eq!(slice(4, Some(5)), (5, 0));
        assert_eq!(slice(4, Some(6)), (13, 1));
        assert_eq!(slice(4, Some(13)), (13, 1));
        assert_eq!(slice(4, Some(14)), (17, 2));
        // From inside the quoted field: `y"` reads as a record of its own.
        assert_eq!(slice(10, Some(11)), (13, 1));
        // Blank lines are no records; a stop among them stays where it is.
        assert_eq!(slice(13, Some(17)), (17, 1));
        assert_eq!(slice(13, Some(18)), (18, 1));
        assert_eq!(slice(13, Some(19)), (22, 2));
        assert_eq!(slice(13, None), (22, 2));
        assert_eq!(slice(17, Some(17)), (17, 0));
    }

    #[test]
    fn a_record_too_long_for_a_slice_sends_the_file_to_the_sequential_scan() {
        let set = identifier_set();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("long.csv");
        let mut out = std::io::BufWriter::new(File::create(&path).expect("fixture"));
        out.write_all(b"id,notes,more\n1,\"").expect("write");
        // Longer than a slice reader's buffer ever grows (MAX_PENDING and a block), in
        // two cells within the cell limit.
        let line = [b'x'; 99];
        for cell in 0..2 {
            if cell > 0 {
                out.write_all(b"\",\"").expect("write");
            }
            for _ in 0..(9 << 20) / 100 {
                out.write_all(&line).expect("write");
                out.write_all(b"\n").expect("write");
            }
        }
        out.write_all(b"529.982.247-25\"\n2,529.982.247-25\n")
            .expect("write");
        out.flush().expect("flush");
        drop(out);
        let file = File::open(&path).expect("fixture");
        let size = file.metadata().expect("metadata").len();
        let split = ScanOptions {
            split: SplitOptions {
                min_bytes: 0,
                ..SplitOptions::default()
            },
            ..ScanOptions::default()
        };
        let (taken, got) = pool(2).install(|| {
            let taken = read_split(&set, path_str(&path), &file, size, &split);
            (taken.map(|_| ()), scan_file(&set, &path, &split))
        });
        assert!(
            matches!(taken, Err(Sequential::Slice(SliceError::RecordTooLong))),
            "{taken:?}"
        );
        let expected = scan_file(&set, &path, &ScanOptions::default());
        assert_eq!(got, expected);
        assert_eq!(expected.status(), StatusCode::Complete);
        let detections = &expected
            .classification_details
            .result
            .custom_data_identifiers;
        assert_eq!(detections.total_count, 2);
    }

    #[test]
    fn a_utf16_table_is_read_by_the_sequential_scan_that_decodes_it() {
        let set = identifier_set();
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "\u{FEFF}id\tcpf\r\n1\t529.982.247-25\r\n2\tP-AB1234\r\n";
        let data: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let (path, file) = temp_table(dir.path(), "unicode.tsv", &data);
        let split = ScanOptions {
            split: SplitOptions {
                min_bytes: 0,
                slice_bytes: 7,
            },
            ..ScanOptions::default()
        };
        let size = data.len() as u64;
        let (taken, got) = pool(3).install(|| {
            let taken = read_split(&set, path_str(&path), &file, size, &split);
            (taken.map(|_| ()), scan_file(&set, &path, &split))
        });
        assert!(matches!(taken, Err(Sequential::Utf16)), "{taken:?}");
        assert_eq!(got.status(), StatusCode::Complete);
        let custom = &got.classification_details.result.custom_data_identifiers;
        let cells: Vec<(&str, u64, u64)> = custom
            .detections
            .iter()
            .flat_map(|d| {
                d.occurrences
                    .cells
                    .iter()
                    .map(move |c| (d.name.as_str(), c.row, c.column))
            })
            .collect();
        assert_eq!(cells, [("Brazil CPF", 2, 2), ("Prototyping Naming", 3, 2)]);
    }
}
