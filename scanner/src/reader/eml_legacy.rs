//! The in-memory EML reader that [`super::eml`] replaced, kept for tests only: the
//! streaming reader must give the same text and attachments as this one did on every
//! message, and this one is mail-parser reading the message whole.
//!
//! MIME is mail-parser's: quoted-printable and base64, RFC 2047 encoded words, charsets,
//! nested multiparts and attached messages. The unit's lines are, in this order:
//! - the `From`, `To`, `Cc`, `Reply-To` and `Subject` headers, in the order the message
//!   has them, one line each (`To: Ana Lima <ana@example.fr>, bo@example.fr`);
//! - each text body, decoded: the plain text of a `multipart/alternative`, or its HTML
//!   as text when it has no plain alternative (one version of the same text is enough;
//!   reading both would count every value twice), and every inline text part.
//!
//! A message is parsed from memory, whole; attachments are decoded slices of it.

use std::borrow::Cow;

use mail_parser::decoders::html::html_to_text;
use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use super::spool::TextSpool;
use super::{ReadError, Sink};
use crate::Format;

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
