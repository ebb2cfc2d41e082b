//! The streaming EML reader against the in-memory one it replaced: on every fixture
//! and on generated messages, the same text units and the same attachments.
//!
//! Messages are generated from a seed: trees of multiparts (mixed, alternative,
//! related) holding plain and HTML bodies in several charsets and transfer encodings,
//! named and unnamed attachments, text attachments and attached messages, with CRLF or
//! LF line breaks, read through inputs that return a few bytes a call.

use super::eml::read_eml;
use super::eml_legacy::Email;
use super::{TextUnit, UnitPlace};
use crate::reader::docx::tests::fixture_bytes;
use crate::testing::{Rng, Trickle};
use crate::Limits;

/// What a reader made of a message.
#[derive(Debug, PartialEq, Eq)]
struct Reading {
    /// Each unit's searched text, first line and column.
    units: Vec<(String, u64, u64)>,
    /// Each attachment's name and content.
    attachments: Vec<(String, Vec<u8>)>,
    /// The reason it failed, if it did.
    failed: Option<crate::result::Reason>,
}

fn unit_of(unit: &TextUnit<'_>) -> (String, u64, u64) {
    let UnitPlace::Text {
        first_line,
        first_column,
        ..
    } = unit.place
    else {
        panic!("e-mail text is text: {:?}", unit.place);
    };
    let text = String::from_utf8_lossy(&unit.bytes[unit.search.clone()]).into_owned();
    (text, first_line, first_column)
}

fn in_memory(raw: &[u8]) -> Reading {
    let mut units = Vec::new();
    let email = match Email::parse(raw) {
        Ok(email) => email,
        Err(e) => {
            return Reading {
                units,
                attachments: Vec::new(),
                failed: Some(e.reason()),
            }
        }
    };
    let failed = email
        .read_text(&mut |unit: TextUnit<'_>| units.push(unit_of(&unit)))
        .err()
        .map(|e| e.reason());
    let attachments = email
        .attachments()
        .map(|a| (a.name, a.bytes.to_vec()))
        .collect();
    Reading {
        units,
        attachments,
        failed,
    }
}

fn streaming(raw: &[u8], step: usize) -> Reading {
    let mut units = Vec::new();
    let mut input = Trickle { bytes: raw, step };
    let outcome = read_eml(&mut input, &Limits::default(), &mut |unit: TextUnit<'_>| {
        units.push(unit_of(&unit))
    });
    let mut attachments = Vec::new();
    let failed = match outcome {
        Ok(mut spooled) => spooled
            .for_each(|name, size, content| {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(content, &mut bytes)?;
                assert_eq!(bytes.len() as u64, size, "{name}");
                attachments.push((name.to_owned(), bytes));
                Ok(())
            })
            .err(),
        Err(e) => Some(e),
    };
    Reading {
        units,
        attachments,
        failed: failed.map(|e| e.reason()),
    }
}

fn assert_same(raw: &[u8], what: &str) {
    let expected = in_memory(raw);
    for step in [1, 7, 4096, usize::MAX] {
        let actual = streaming(raw, step);
        assert_eq!(
            actual,
            expected,
            "{what}, read {step} bytes a call:\n{}",
            String::from_utf8_lossy(raw)
        );
    }
}

#[test]
fn every_fixture_reads_the_same() {
    for name in ["contract.eml", "html_only.eml", "nested.eml", "digest.eml"] {
        let raw = fixture_bytes(&format!("eml/{name}"));
        assert_same(&raw, name);
        let crlf = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
        assert_same(crlf.as_bytes(), &format!("{name} with LF line breaks"));
    }
}

#[test]
fn generated_messages_read_the_same() {
    for seed in 0..300 {
        let mut rng = Rng::new(seed);
        let raw = Generator::new(&mut rng).message();
        assert_same(&raw, &format!("seed {seed}"));
    }
}

/// Writes random messages.
struct Generator<'r> {
    rng: &'r mut Rng,
    eol: &'static str,
    boundaries: usize,
}

const WORDS: [&str; 12] = [
    "Ana",
    "Lima",
    "CPF",
    "529.982.247-25",
    "olá",
    "café",
    "Straße",
    "naïve",
    "P-AB1234",
    "=",
    "--",
    "ação",
];

impl<'r> Generator<'r> {
    fn new(rng: &'r mut Rng) -> Self {
        let eol = if rng.below(2) == 0 { "\r\n" } else { "\n" };
        Generator {
            rng,
            eol,
            boundaries: 0,
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.below(items.len())]
    }

    fn message(&mut self) -> Vec<u8> {
        let mut out = String::new();
        let eol = self.eol;
        out.push_str(&format!("From: Ana Lima <ana@example.com>{eol}"));
        if self.rng.below(2) == 0 {
            out.push_str(&format!(
                "To: =?utf-8?q?Bruno_Souza?= <bruno@example.com>,{eol} carla@example.com{eol}"
            ));
        }
        out.push_str(&format!("Subject: {}{eol}", self.text_line()));
        out.push_str(&format!("MIME-Version: 1.0{eol}"));
        let depth = self.rng.below(4);
        self.entity(&mut out, depth);
        out.into_bytes()
    }

    fn text_line(&mut self) -> String {
        let n = 1 + self.rng.below(8);
        (0..n)
            .map(|_| self.pick(&WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn text(&mut self) -> String {
        let lines = self.rng.below(5);
        let mut text = String::new();
        for _ in 0..lines {
            text.push_str(&self.text_line());
            text.push('\n');
        }
        if self.rng.below(3) == 0 {
            text.push_str(&self.text_line());
        }
        text
    }

    /// Headers (after those already written) and body of one entity.
    fn entity(&mut self, out: &mut String, depth: usize) {
        let eol = self.eol;
        if depth > 0 && self.rng.below(3) > 0 {
            self.boundaries += 1;
            let boundary = format!("b{}=_{}", self.boundaries, self.rng.below(1000));
            let subtype = self.pick(&["mixed", "alternative", "related"]);
            out.push_str(&format!(
                "Content-Type: multipart/{subtype};{eol} boundary=\"{boundary}\"{eol}{eol}"
            ));
            if self.rng.below(2) == 0 {
                out.push_str(&format!("This is a multi-part message.{eol}"));
            }
            for _ in 0..1 + self.rng.below(3) {
                out.push_str(&format!("--{boundary}{eol}"));
                self.entity(out, depth - 1);
                out.push_str(eol);
            }
            out.push_str(&format!("--{boundary}--{eol}"));
            if self.rng.below(2) == 0 {
                out.push_str(&format!("epilogue{eol}"));
            }
            return;
        }
        match self.rng.below(6) {
            0 | 1 => self.text_part(out, "plain"),
            2 => self.text_part(out, "html"),
            3 => {
                let name = self.pick(&["", "dados.csv", "lista.txt"]);
                let disposition = if name.is_empty() {
                    format!("Content-Disposition: attachment{eol}")
                } else {
                    format!("Content-Disposition: attachment; filename=\"{name}\"{eol}")
                };
                out.push_str(&disposition);
                self.text_part(out, "csv");
            }
            4 => {
                let bytes: Vec<u8> = (0..self.rng.below(300))
                    .map(|_| self.rng.below(256) as u8)
                    .collect();
                let name = self.pick(&["", "scan.bin", "arquivo.zip"]);
                out.push_str(&format!("Content-Type: application/octet-stream{eol}"));
                if !name.is_empty() {
                    out.push_str(&format!(
                        "Content-Disposition: attachment; filename={name}{eol}"
                    ));
                }
                out.push_str(&format!("Content-Transfer-Encoding: base64{eol}{eol}"));
                out.push_str(&base64(&bytes, eol));
            }
            _ => {
                out.push_str(&format!("Content-Type: message/rfc822{eol}{eol}"));
                out.push_str(&format!(
                    "From: c@example.com{eol}Subject: inner{eol}{eol}{}",
                    self.text().replace('\n', eol)
                ));
            }
        }
    }

    fn text_part(&mut self, out: &mut String, subtype: &str) {
        let eol = self.eol;
        let charset = self.pick(&["utf-8", "iso-8859-1", "windows-1252", ""]);
        let mut text = self.text();
        if subtype == "html" {
            text = format!(
                "<html><body><p>{}</p></body></html>",
                text.replace('\n', "</p><p>")
            );
        }
        if charset.is_empty() {
            out.push_str(&format!("Content-Type: text/{subtype}{eol}"));
        } else {
            out.push_str(&format!(
                "Content-Type: text/{subtype}; charset=\"{charset}\"{eol}"
            ));
        }
        let bytes = if charset == "utf-8" || charset.is_empty() {
            text.into_bytes()
        } else {
            // Latin-1 and Windows-1252 agree on these words' letters.
            text.chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect()
        };
        match self.rng.below(3) {
            0 => {
                out.push_str(&format!("Content-Transfer-Encoding: base64{eol}{eol}"));
                out.push_str(&base64(&bytes, eol));
            }
            1 => {
                out.push_str(&format!(
                    "Content-Transfer-Encoding: quoted-printable{eol}{eol}"
                ));
                out.push_str(&quoted_printable(&bytes, eol));
            }
            _ => {
                out.push_str(&format!("Content-Transfer-Encoding: 8bit{eol}{eol}"));
                // Bytes that are not UTF-8 are written as Latin-1 characters would
                // be read back lossily by both readers alike.
                out.push_str(&String::from_utf8_lossy(&bytes).replace('\n', eol));
            }
        }
    }
}

/// Base64 in lines of 76 characters, as mail clients write it.
pub(super) fn base64(bytes: &[u8], eol: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let word = u32::from(chunk[0]) << 16
            | u32::from(*chunk.get(1).unwrap_or(&0)) << 8
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                encoded.push(ALPHABET[(word >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    let mut out = String::new();
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).expect("ASCII"));
        out.push_str(eol);
    }
    out
}

/// Quoted-printable with soft breaks before 76 characters; line breaks kept.
fn quoted_printable(bytes: &[u8], eol: &str) -> String {
    let mut out = String::new();
    let mut column = 0;
    for &byte in bytes {
        if byte == b'\n' {
            out.push_str(eol);
            column = 0;
            continue;
        }
        let piece = if byte == b'=' || !(b' '..=b'~').contains(&byte) {
            format!("={byte:02X}")
        } else {
            (byte as char).to_string()
        };
        if column + piece.len() > 72 {
            out.push('=');
            out.push_str(eol);
            column = 0;
        }
        column += piece.len();
        out.push_str(&piece);
    }
    out.push_str(eol);
    out
}
