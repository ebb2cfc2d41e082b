//! An e-mail is read in bounded memory whatever its size: its parts are cut and decoded
//! as the message streams, and its attachments are spooled to disk, never held. One
//! test in its own binary, so the peak RSS of the children it waits for is that of the
//! scan it runs and nothing else.

mod common;

use std::io::{BufWriter, Write};

use common::*;

/// The bound the scanner promises for any input.
const MAX_RSS_BYTES: i64 = 128 * 1024 * 1024;

/// The attachment's size once base64-encoded, as it stands in the message.
const ENCODED_BYTES: usize = 300 << 20;

/// A planted value every this many lines of the attachment.
const PLANTED_EVERY: usize = 100_000;

/// Peak resident set size of all waited-for children, in bytes.
fn children_peak_rss() -> i64 {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    usage.ru_maxrss * 1024
}

/// Base64 of `bytes`, a multiple of 57 bytes long: whole lines of 76 characters.
fn base64_lines(bytes: &[u8], out: &mut impl Write) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    assert_eq!(bytes.len() % 57, 0);
    let mut line = Vec::with_capacity(78);
    for chunk in bytes.chunks(57) {
        line.clear();
        for group in chunk.chunks(3) {
            let word = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
            for shift in [18, 12, 6, 0] {
                line.push(ALPHABET[(word >> shift & 63) as usize]);
            }
        }
        line.extend_from_slice(b"\r\n");
        out.write_all(&line).expect("write");
    }
}

/// Writes a message whose attachment `log.txt` is [`ENCODED_BYTES`] of base64, made
/// and encoded a block at a time. Returns the attachment's lines and the number of
/// planted values in it.
fn write_message(path: &std::path::Path) -> (usize, usize) {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("fixture"));
    out.write_all(
        b"From: Ana Lima <ana@example.com>\r\n\
          To: rh@example.com\r\n\
          Subject: Export\r\n\
          MIME-Version: 1.0\r\n\
          Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
          --b\r\nContent-Type: text/plain\r\n\r\nO export segue anexo.\r\n\
          --b\r\nContent-Type: text/plain; name=\"log.txt\"\r\n\
          Content-Disposition: attachment; filename=\"log.txt\"\r\n\
          Content-Transfer-Encoding: base64\r\n\r\n",
    )
    .expect("write");
    // Whole lines of 76 base64 characters encode 57 bytes each.
    let raw_bytes = ENCODED_BYTES / 78 * 57;
    let mut block = Vec::with_capacity(57 * 1024 + 64);
    let (mut written, mut lines, mut planted) = (0, 0, 0);
    while written < raw_bytes {
        while block.len() < 57 * 1024 {
            if lines % PLANTED_EVERY == PLANTED_EVERY - 1 {
                block.extend_from_slice(b"Projeto P-AB1234 confidencial\n");
                planted += 1;
            } else {
                block.extend_from_slice(format!("linha {lines:09} sem dados\n").as_bytes());
            }
            lines += 1;
        }
        let whole = block.len() / 57 * 57;
        base64_lines(&block[..whole], &mut out);
        written += whole;
        block.drain(..whole);
    }
    // The last bytes: fewer than 57, so the last line is short and padded.
    out.write_all(b"\r\n--b--\r\n").expect("write");
    out.flush().expect("flush");
    assert!(block.len() < 57);
    // Lines left unwritten in `block` are not counted: the last one written may be cut.
    let unwritten = block.iter().filter(|&&b| b == b'\n').count();
    (lines - unwritten, planted)
}

#[test]
fn a_message_with_a_300_mib_attachment_is_scanned_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let message = dir.path().join("export.eml");
    let (_, planted) = write_message(&message);
    assert!(std::fs::metadata(&message).expect("written").len() >= (300 << 20) - 78);

    let identifiers = repo("samples/identifiers.toml");
    let out = ferret([
        "scan",
        "--managed",
        "none",
        "--identifiers",
        path_str(&identifiers),
        path_str(&message),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(status(&records[0]), ("COMPLETE".to_owned(), None));
    let detection = custom(&records[0], "Prototyping Naming").expect("planted values");
    assert_eq!(detection["count"], planted);
    let first = &detection["occurrences"]["lineRanges"][0];
    assert_eq!(first["fileMember"], "log.txt");
    assert_eq!(first["start"], PLANTED_EVERY);
    assert_eq!(first["startColumn"], 9);

    let peak = children_peak_rss();
    eprintln!("peak RSS of the scan: {} MiB", peak >> 20);
    assert!(peak > 0, "the scan's peak RSS was measured");
    assert!(peak < MAX_RSS_BYTES, "peak RSS {} MiB", peak >> 20);
}
