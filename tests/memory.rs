//! Memory stays bounded whatever the input: large files and bombs are streamed, never
//! loaded. One test in its own binary, so the peak RSS of the children it waits for is
//! the peak of the scans it runs and nothing else.

mod common;

use std::io::{BufWriter, Write};
use std::path::Path;

use common::*;

/// The bound the scanner promises for any input.
const MAX_RSS_BYTES: i64 = 128 * 1024 * 1024;

/// The default cell limit (`Limits::max_unit_bytes`).
const CELL_LIMIT: usize = 16 << 20;

/// Peak resident set size of all waited-for children, in bytes.
fn children_peak_rss() -> i64 {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    usage.ru_maxrss * 1024
}

/// Writes `header` then lines until `bytes` are written; returns the number of lines.
fn write_lines(path: &Path, header: &str, bytes: usize, line: impl Fn(usize) -> String) -> usize {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("fixture"));
    out.write_all(header.as_bytes()).expect("write");
    let mut written = header.len();
    let mut n = 0;
    while written < bytes {
        let l = line(n);
        out.write_all(l.as_bytes()).expect("write");
        written += l.len();
        n += 1;
    }
    out.flush().expect("flush");
    n
}

#[test]
fn large_files_and_bombs_are_scanned_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("employees.csv");
    let rows = write_lines(&csv, "guid,name,siret_nic,cpf\n", 64 << 20, |n| {
        let siret = if n % 50 == 0 {
            "732 829 320-00074"
        } else {
            "-"
        };
        format!("{n:032x},Ana Souza,{siret},529.982.247-25\n")
    });
    // One single text line of 64 MiB: no line breaks to lean on.
    let text = dir.path().join("one-line.txt");
    let words = write_lines(&text, "", 64 << 20, |n| {
        if n % 1000 == 0 {
            format!("P-AB{:04} ", n % 10_000)
        } else {
            format!("word{n} ")
        }
    });
    let bomb = dir.path().join("letters.txt.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        BufWriter::new(std::fs::File::create(&bomb).expect("fixture")),
        flate2::Compression::fast(),
    );
    let block = vec![b'a'; 1 << 20];
    for _ in 0..512 {
        encoder.write_all(&block).expect("write");
    }
    encoder.finish().expect("finish").flush().expect("flush");

    let identifiers = repo("samples/identifiers.toml");
    let out = ferret([
        "scan",
        "--identifiers",
        path_str(&identifiers),
        "--max-extracted-bytes",
        &(128u64 << 20).to_string(),
        path_str(dir.path()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out);
    assert_eq!(records.len(), 3);
    assert_eq!(
        custom(&records[0], "SIRET-NIC").expect("csv")["count"],
        rows.div_ceil(50)
    );
    assert_eq!(
        status(&records[1]).1.as_deref(),
        Some("ARCHIVE_TOTAL_BYTES_EXTRACTED_OVER_LIMIT")
    );
    assert_eq!(
        custom(&records[2], "Prototyping Naming").expect("text")["count"],
        words.div_ceil(1000)
    );

    huge_cells_are_scanned_in_bounded_memory(dir.path());

    let peak = children_peak_rss();
    assert!(peak > 0, "the scan's peak RSS was measured");
    assert!(peak < MAX_RSS_BYTES, "peak RSS {} MiB", peak >> 20);
}

/// `len` characters of base64, from a deterministic generator: what a photo stored in
/// a cell looks like, and text in which the 40-character secret pattern of
/// `AWS_CREDENTIALS` has candidates everywhere.
fn base64_text(len: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..len).map(|_| ALPHABET[rng.usize(..64)]).collect()
}

/// A table with a cell of exactly the limit (judged whole), one of 36 MiB (skipped)
/// and an address in every data row, plain (read in slices on every thread) and
/// gzipped (streamed), with every managed identifier.
fn huge_cells_are_scanned_in_bounded_memory(dir: &Path) {
    let mut rng = fastrand::Rng::with_seed(7);
    let prefix = b"data:image/png;base64,";
    let mut table = b"id,photo,email\n1,".to_vec();
    table.extend_from_slice(prefix);
    table.extend(base64_text(CELL_LIMIT - prefix.len(), &mut rng));
    table.extend_from_slice(b",ana@example.com\n2,");
    table.extend(base64_text(36 << 20, &mut rng));
    table.extend_from_slice(b",bob@example.com\n3,,carl@example.com\n");
    let huge = dir.join("huge-cells");
    std::fs::create_dir(&huge).expect("fixture dir");
    std::fs::write(huge.join("photos.csv"), &table).expect("fixture");
    let mut encoder = flate2::write::GzEncoder::new(
        BufWriter::new(std::fs::File::create(huge.join("photos.csv.gz")).expect("fixture")),
        flate2::Compression::fast(),
    );
    encoder.write_all(&table).expect("write");
    encoder.finish().expect("finish").flush().expect("flush");
    drop(table);

    let identifiers = repo("samples/identifiers.toml");
    let out = ferret([
        "scan",
        "--managed",
        "all",
        "--identifiers",
        path_str(&identifiers),
        path_str(&huge),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out);
    assert_eq!(records.len(), 2);
    for record in &records {
        assert_eq!(
            status(record),
            (
                "PARTIAL".to_owned(),
                Some("FILE_EXCEEDS_SIZE_LIMIT".to_owned())
            )
        );
        let emails = managed(record, "EMAIL_ADDRESS").expect("addresses");
        assert_eq!(
            emails["count"], 3,
            "the rows after the skipped cell are read"
        );
    }
}
