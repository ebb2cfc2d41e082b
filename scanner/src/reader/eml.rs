//! EML (RFC 5322 messages): the headers that name people and every text body, decoded,
//! as one text unit; attachments as members, each read by its own format.
//!
//! MIME is mail-parser's: quoted-printable and base64, RFC 2047 encoded words, charsets,
//! nested multiparts and attached messages. The unit's lines are, in this order:
//! - the `From`, `To`, `Cc`, `Reply-To` and `Subject` headers, in the order the message
//!   has them, one line each (`To: Ana Lima <ana@example.fr>, bo@example.fr`);
//! - each text body, decoded: the plain text of a `multipart/alternative`, or its HTML
//!   as text when it has no plain alternative (one version of the same text is enough;
//!   reading both would count every value twice), and every inline text part.
//!
//! A message is parsed from memory: it is read whole (e-mail servers cap messages
//! at tens of megabytes; a larger `.eml` than [`MAX_MESSAGE_BYTES`] is refused).
//! Attachments are decoded slices of it, handed to the caller to read as archive
//! members are.

use std::borrow::Cow;
use std::io::Read;

use mail_parser::decoders::html::html_to_text;
use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use super::spool::TextSpool;
use super::{ReadError, Sink};
use crate::Format;

/// Largest message read, in bytes.
pub const MAX_MESSAGE_BYTES: u64 = 1024 * 1024 * 1024;

/// The headers read, as they are spelled (matched case-insensitively).
const PEOPLE_HEADERS: [&str; 5] = ["From", "To", "Cc", "Reply-To", "Subject"];

/// A parsed message.
pub struct Email<'x> {
    message: Message<'x>,
}

/// An attachment: its file name (made up from its type when it has none) and its
/// decoded content.
#[derive(Debug)]
pub struct Attachment<'a> {
    pub name: String,
    pub bytes: &'a [u8],
}

impl<'x> Email<'x> {
    /// Reads the raw message from `input` into `raw`, within [`MAX_MESSAGE_BYTES`].
    pub fn read_raw(input: &mut dyn Read, raw: &mut Vec<u8>) -> Result<(), ReadError> {
        input.take(MAX_MESSAGE_BYTES + 1).read_to_end(raw)?;
        if raw.len() as u64 > MAX_MESSAGE_BYTES {
            return Err(ReadError::UnitTooLarge {
                limit: MAX_MESSAGE_BYTES as usize,
            });
        }
        Ok(())
    }

    /// Parses a raw message. mail-parser is lenient: only input with no header at all
    /// is refused.
    pub fn parse(raw: &'x [u8]) -> Result<Email<'x>, ReadError> {
        MessageParser::default()
            .parse(raw)
            .map(|message| Email { message })
            .ok_or(ReadError::Malformed {
                format: Format::Eml,
                message: "no message headers".to_owned(),
            })
    }

    /// Hands the header lines and bodies to `sink` as one text unit.
    pub fn read_text(&self, sink: &mut Sink<'_>) -> Result<(), ReadError> {
        let mut spool = TextSpool::new();
        for header in self.message.headers() {
            let Some(name) = PEOPLE_HEADERS
                .iter()
                .find(|known| known.eq_ignore_ascii_case(header.name()))
            else {
                continue;
            };
            let value = header_text(header.value());
            if !value.is_empty() {
                spool.push_str(name)?;
                spool.push_str(": ")?;
                spool.push_str(&one_line(&value))?;
                spool.end_line()?;
            }
        }
        for &part in &self.message.text_body {
            let Some(part) = self.message.parts.get(part as usize) else {
                continue;
            };
            let text = match &part.body {
                PartType::Text(text) => Cow::Borrowed(text.as_ref()),
                PartType::Html(html) => Cow::Owned(html_to_text(html)),
                _ => continue,
            };
            for line in text.lines() {
                spool.push_str(line)?;
                spool.end_line()?;
            }
        }
        spool.finish(sink)
    }

    /// The message's attachments, attached messages included, in order.
    pub fn attachments(&self) -> impl Iterator<Item = Attachment<'_>> + '_ {
        self.message
            .attachments
            .iter()
            .filter_map(|&id| self.message.parts.get(id as usize))
            .enumerate()
            .map(|(index, part)| {
                let name = match part.attachment_name() {
                    Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
                    _ => format!("attachment-{}{}", index + 1, extension_for(part)),
                };
                Attachment {
                    name,
                    bytes: part.contents(),
                }
            })
    }
}

/// The extension that makes an unnamed attachment read by its type.
fn extension_for(part: &mail_parser::MessagePart<'_>) -> &'static str {
    if matches!(part.body, PartType::Message(_)) {
        return ".eml";
    }
    let Some(content_type) = part.content_type() else {
        return "";
    };
    let subtype = content_type
        .subtype()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match (
        content_type.ctype().to_ascii_lowercase().as_str(),
        subtype.as_str(),
    ) {
        ("text", "csv") => ".csv",
        ("text", "html") => ".html",
        ("text", _) => ".txt",
        ("message", "rfc822") => ".eml",
        (_, "pdf") => ".pdf",
        (_, "zip" | "x-zip-compressed") => ".zip",
        (_, "gzip" | "x-gzip") => ".gz",
        (_, "json") => ".json",
        (_, "msword") => ".doc",
        (_, "vnd.openxmlformats-officedocument.wordprocessingml.document") => ".docx",
        (_, "vnd.openxmlformats-officedocument.spreadsheetml.sheet") => ".xlsx",
        _ => "",
    }
}

/// A header's value as a reader sees it.
fn header_text(value: &HeaderValue<'_>) -> String {
    match value {
        HeaderValue::Address(address) => addresses(address),
        HeaderValue::Text(text) => text.to_string(),
        HeaderValue::TextList(list) => list.join(", "),
        _ => String::new(),
    }
}

/// `Name <address>` for each address, comma-separated; groups flattened.
fn addresses(address: &Address<'_>) -> String {
    address
        .iter()
        .map(|addr| match (&addr.name, &addr.address) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (Some(name), None) => name.to_string(),
            (None, Some(address)) => address.to_string(),
            (None, None) => String::new(),
        })
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A header value on one line: folded or encoded line breaks become spaces.
fn one_line(value: &str) -> Cow<'_, str> {
    if value.contains(['\r', '\n']) {
        Cow::Owned(value.replace(['\r', '\n'], " "))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::docx::tests::{fixture_bytes, text_of};

    #[test]
    fn headers_and_the_plain_alternative_are_read_decoded() {
        let raw = fixture_bytes("eml/contract.eml");
        let email = Email::parse(&raw).expect("parse");
        let (text, outcome) = text_of(|sink| email.read_text(sink));
        outcome.expect("read");
        assert_eq!(
            text,
            "From: Ana Lima <ana.lima@example.com>\n\
             To: Bruno Souza <bruno@example.com>, carla@example.com\n\
             Cc: rh@example.com\n\
             Reply-To: P-RT0001 <ana@example.com>\n\
             Subject: Contrato P-EM0001 — confidencial\n\
             Olá Bruno,\n\
             Segue o contrato de Ana Lima, CPF 529.982.247-25.\n\
             Projeto P-AB1234.\n"
        );
        let attachments: Vec<(String, usize)> = email
            .attachments()
            .map(|a| (a.name, a.bytes.len()))
            .collect();
        assert_eq!(attachments.len(), 2);
        assert_eq!(attachments[0].0, "planilha.xlsx");
        assert_eq!(attachments[1].0, "arquivos.zip");
        assert!(attachments.iter().all(|(_, len)| *len > 100));
    }

    #[test]
    fn an_html_body_without_alternative_is_read_as_text() {
        let raw = fixture_bytes("eml/html_only.eml");
        let email = Email::parse(&raw).expect("parse");
        let (text, outcome) = text_of(|sink| email.read_text(sink));
        outcome.expect("read");
        assert_eq!(
            text,
            "From: rh@example.com\nTo: bruno@example.com\nSubject: Cadastro\n\
             Cadastro de Bruno Souza\nCPF 111.444.777-35\n"
        );
        assert_eq!(email.attachments().count(), 0);
    }

    #[test]
    fn unnamed_attachments_are_named_by_their_type() {
        let raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
            --b\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
            --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment\r\n\r\n%PDF-1.4\r\n\
            --b\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.com\r\n\r\ninner\r\n\
            --b--\r\n";
        let email = Email::parse(raw).expect("parse");
        let names: Vec<String> = email.attachments().map(|a| a.name).collect();
        assert_eq!(names, ["attachment-1.pdf", "attachment-2.eml"]);
    }
}
