//! EML (RFC 5322 messages): the headers that name people and every text body, decoded,
//! as one text unit; attachments spooled, to be read as members by their own formats.
//!
//! The unit's lines are, in this order:
//! - the `From`, `To`, `Cc`, `Reply-To` and `Subject` headers, in the order the message
//!   has them, one line each (`To: Ana Lima <ana@example.fr>, bo@example.fr`);
//! - each text body, decoded: the plain text of a `multipart/alternative`, or its HTML
//!   as text when it has no plain alternative (one version of the same text is enough;
//!   reading both would count every value twice), and every inline text part.
//!
//! # Streaming
//! A message is never held whole: mailbox exports and forwarded scans run to hundreds
//! of megabytes. [`super::eml_mime`] cuts the message on its boundaries as it streams,
//! nested multiparts included, and each part's body is decoded on the fly
//! ([`super::eml_decode`]). Only header blocks are kept whole (each up to
//! [`MAX_HEADER_BYTES`]): mail-parser parses them, for what it does well and what
//! would be easy to get subtly wrong by hand: RFC 2047 encoded words, address lists,
//! folded lines, `Content-Type` parameters (RFC 2231 included), charset names.
//!
//! Text bodies go to a [`TextSpool`] (bounded memory), in slices of at most
//! [`TEXT_SLICE`] bytes cut at line ends (UTF-16 ones anywhere: see [`Utf16`]), each
//! decoded from its charset and, for HTML,
//! made text by mail-parser's decoders: a body within a slice reads exactly as
//! mail-parser reads it whole. Attachments are decoded into one temporary file, in
//! order, and read once the message's text has been handed over, so that the message's
//! own text comes first whatever order its parts are in.
//!
//! Which parts are bodies and which are attachments follows mail-parser's rules (those
//! of JMAP, RFC 8621): an HTML part of a `multipart/alternative` stands for its plain
//! alternative only when there is none, and is held (spooled) until the alternative
//! ends and says which; a text part named as an attachment, or not text/plain or
//! text/html, is an attachment; an attached message (`message/rfc822`) is an
//! attachment read as a message of its own.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::charsets::DecoderFnc;
use mail_parser::decoders::html::html_to_text;
use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders};
use tempfile::SpooledTempFile;

use super::eml_decode::TransferDecoder;
use super::eml_mime::{Ended, MimeLines, MAX_BOUNDARY};
use super::spool::TextSpool;
use super::{ReadError, Sink};
use crate::{Format, Limits};

/// The largest header block kept, in bytes; the rest of a longer one is dropped.
/// Real header blocks are a few kilobytes; a long `Received` chain, tens.
pub const MAX_HEADER_BYTES: usize = 1024 * 1024;

/// The most text of one body decoded at once, in bytes: a body is cut into slices of
/// this size at line ends (the charset decoders and the HTML-to-text conversion take
/// whole strings). A body within one slice reads exactly as if read whole.
pub const TEXT_SLICE: usize = 8 * 1024 * 1024;

/// Multiparts nested deeper than this are read as single (attachment) parts. Real
/// messages nest three or four levels.
const MAX_MULTIPART_DEPTH: usize = 32;

/// Held text (HTML alternatives, see [`Frame::held`]) kept in memory, per part and per
/// open multipart, before it moves to a temporary file.
const HELD_IN_MEMORY: usize = 256 * 1024;

/// The headers read, as they are spelled (matched case-insensitively).
const PEOPLE_HEADERS: [&str; 5] = ["From", "To", "Cc", "Reply-To", "Subject"];

/// Reads the message `input`: its text is handed to `sink` as one text unit, and its
/// attachments are returned, spooled, for the caller to read as members within the
/// archive `limits`. What those limits would refuse is not spooled: an attachment
/// larger than `max_member_bytes` is kept up to that size only (its full size is
/// still told, so that the caller can refuse it), and attachments past
/// `max_archive_files` are not listed, but for the first, which the caller refuses.
pub fn read_eml(
    input: &mut dyn Read,
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<Attachments, ReadError> {
    let mut walk = Walk {
        lines: MimeLines::new(input),
        boundaries: Vec::new(),
        frames: vec![Frame::message()],
        text: TextSpool::new(),
        attachments: Attachments {
            max_files: limits.max_archive_files,
            ..Attachments::default()
        },
        max_member_bytes: limits.max_member_bytes,
    };
    let walked = walk.message();
    // What was read is scanned even when the input failed part-way.
    walk.text.finish(sink)?;
    walked?;
    Ok(walk.attachments)
}

/// A message's attachments, decoded, in a temporary file.
#[derive(Debug, Default)]
pub struct Attachments {
    file: Option<File>,
    /// Bytes written to the file.
    written: u64,
    list: Vec<Spooled>,
    /// Attachments listed at most, past the first one.
    max_files: u64,
    /// Whether the attachment being decoded is past them, and dropped.
    dropping: bool,
}

#[derive(Debug)]
struct Spooled {
    name: String,
    /// Where its bytes start in the file.
    offset: u64,
    /// Its decoded size.
    size: u64,
    /// The bytes of it kept in the file: fewer than `size` past the member limit.
    kept: u64,
}

impl Attachments {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Calls `read` with each attachment's name, size and content, in order, and stops
    /// at the first error.
    pub fn for_each(
        &mut self,
        mut read: impl FnMut(&str, u64, &mut dyn Read) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let Some(file) = self.file.as_mut() else {
            for attachment in &self.list {
                read(&attachment.name, attachment.size, &mut io::empty())?;
            }
            return Ok(());
        };
        for attachment in &self.list {
            file.seek(SeekFrom::Start(attachment.offset))?;
            let mut content = BufReader::new(Read::by_ref(file).take(attachment.kept));
            read(&attachment.name, attachment.size, &mut content)?;
        }
        Ok(())
    }

    /// Starts an attachment named `name`.
    fn start(&mut self, name: String) {
        self.dropping = self.list.len() as u64 > self.max_files;
        if self.dropping {
            return;
        }
        self.list.push(Spooled {
            name,
            offset: self.written,
            size: 0,
            kept: 0,
        });
    }

    /// Appends to the attachment started last, up to `max` bytes of it.
    fn write(&mut self, bytes: &[u8], max: u64) -> io::Result<()> {
        let Some(current) = self.list.last_mut().filter(|_| !self.dropping) else {
            return Ok(());
        };
        let keep = max.saturating_sub(current.size).min(bytes.len() as u64) as usize;
        current.size += bytes.len() as u64;
        if keep > 0 {
            let file = match &mut self.file {
                Some(file) => file,
                None => self.file.insert(tempfile::tempfile()?),
            };
            file.write_all(&bytes[..keep])?;
            self.written += keep as u64;
            current.kept += keep as u64;
        }
        Ok(())
    }
}

/// A part's headers as mail-parser parsed them; `None` for a part without any.
struct Headers<'x>(Option<Message<'x>>);

impl<'x> Headers<'x> {
    fn parse(block: &'x [u8]) -> Headers<'x> {
        Headers(MessageParser::default().parse_headers(block))
    }

    fn content_type(&self) -> Option<&mail_parser::ContentType<'_>> {
        self.0.as_ref()?.content_type()
    }

    fn is_attachment(&self) -> bool {
        self.0
            .as_ref()
            .and_then(|headers| headers.content_disposition())
            .is_some_and(|disposition| disposition.is_attachment())
    }

    fn transfer_encoding(&self) -> Option<&str> {
        self.0.as_ref()?.content_transfer_encoding()
    }

    fn attachment_name(&self) -> Option<&str> {
        self.0.as_ref()?.attachment_name()
    }
}

/// What a part is, by its `Content-Type`, as mail-parser classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Mixed,
    Alternative,
    Related,
    Digest,
    OtherMultipart,
    TextPlain,
    TextHtml,
    TextOther,
    /// Images, audio and video, which may be shown inline.
    Inline,
    /// An attached message.
    Message,
    Other,
}

impl Kind {
    /// The kind of a part with `content_type`, in a multipart of kind `parent`.
    fn of(content_type: Option<&mail_parser::ContentType<'_>>, parent: Kind) -> Kind {
        let Some(content_type) = content_type else {
            // Parts of a digest are messages by default (RFC 2046).
            return if parent == Kind::Digest {
                Kind::Message
            } else {
                Kind::TextPlain
            };
        };
        let main = content_type.ctype().to_ascii_lowercase();
        let sub = content_type
            .subtype()
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match (main.as_str(), sub.as_str()) {
            ("multipart", "mixed") => Kind::Mixed,
            ("multipart", "alternative") => Kind::Alternative,
            ("multipart", "related") => Kind::Related,
            ("multipart", "digest") => Kind::Digest,
            ("multipart", _) => Kind::OtherMultipart,
            ("text", "plain") => Kind::TextPlain,
            ("text", "html") => Kind::TextHtml,
            ("text", _) => Kind::TextOther,
            ("image" | "audio" | "video", _) => Kind::Inline,
            ("message", "rfc822" | "global") => Kind::Message,
            _ => Kind::Other,
        }
    }

    fn is_multipart(self) -> bool {
        matches!(
            self,
            Kind::Mixed | Kind::Alternative | Kind::Related | Kind::Digest | Kind::OtherMultipart
        )
    }

    fn is_text(self) -> bool {
        matches!(self, Kind::TextPlain | Kind::TextHtml | Kind::TextOther)
    }
}

/// A message or multipart being read: what decides where its parts' text goes.
struct Frame {
    kind: Kind,
    in_alternative: bool,
    /// Whether a plain-text and an HTML body are still wanted here (an inline part of
    /// one kind in an alternative answers for the other).
    need_text: bool,
    need_html: bool,
    /// Parts met so far.
    parts: usize,
    /// Bodies read as text in this frame and the frames inside it.
    text_bodies: usize,
    /// The HTML bodies held here (as text, one after the other), in case the
    /// alternative that holds them has no plain text: one spool per open multipart,
    /// however many bodies.
    held: Option<SpooledTempFile>,
}

impl Frame {
    fn message() -> Frame {
        Frame {
            kind: Kind::Message,
            in_alternative: false,
            need_text: true,
            need_html: true,
            parts: 0,
            text_bodies: 0,
            held: None,
        }
    }

    /// Appends the held text `more` to this frame's.
    fn hold(&mut self, more: SpooledTempFile) -> io::Result<()> {
        let held = self
            .held
            .get_or_insert_with(|| SpooledTempFile::new(HELD_IN_MEMORY));
        append(more, held)
    }
}

/// Where a part's decoded content goes.
enum Target {
    /// The message's text (decoded from its charset, HTML as text).
    Text { html: bool },
    /// Held as text, until its alternative says whether it is needed.
    Held(SpooledTempFile),
    /// An attachment, decoded from its charset when it is text.
    Attachment { text: bool },
}

struct Walk<'r> {
    lines: MimeLines<&'r mut dyn Read>,
    /// The boundaries of the multiparts open, outermost first.
    boundaries: Vec<Vec<u8>>,
    frames: Vec<Frame>,
    text: TextSpool,
    attachments: Attachments,
    max_member_bytes: u64,
}

impl Walk<'_> {
    fn message(&mut self) -> Result<(), ReadError> {
        let block = self.lines.read_headers(&[], MAX_HEADER_BYTES)?;
        let headers = Headers::parse(&block);
        let Some(message) = &headers.0 else {
            return Err(ReadError::Malformed {
                format: Format::Eml,
                message: "no message headers".to_owned(),
            });
        };
        for header in message.headers() {
            let Some(name) = PEOPLE_HEADERS
                .iter()
                .find(|known| known.eq_ignore_ascii_case(header.name()))
            else {
                continue;
            };
            let value = header_text(header.value());
            if !value.is_empty() {
                self.text.push_str(name)?;
                self.text.push_str(": ")?;
                self.text.push_str(&one_line(&value))?;
                self.text.end_line()?;
            }
        }
        self.entity(&headers)?;
        Ok(())
    }

    /// Reads the body of the entity whose headers are `headers`, which starts here, and
    /// says how it ended.
    fn entity(&mut self, headers: &Headers<'_>) -> io::Result<Ended> {
        let frame = self.frames.last_mut().expect("the message's frame");
        frame.parts += 1;
        let content_type = headers.content_type();
        let mut kind = Kind::of(content_type, frame.kind);
        if kind.is_multipart() {
            let boundary = content_type
                .and_then(|ct| ct.attribute("boundary"))
                .filter(|b| !b.is_empty() && b.len() <= MAX_BOUNDARY);
            match boundary {
                Some(boundary) if self.boundaries.len() < MAX_MULTIPART_DEPTH => {
                    return self.multipart(kind, boundary.as_bytes().to_vec());
                }
                // A multipart that cannot be split is text of no known kind.
                _ => kind = Kind::TextOther,
            }
        }
        let target = self.target(kind, headers);
        let mut decoder = TransferDecoder::for_name(headers.transfer_encoding());
        let charset_name = content_type.and_then(|ct| ct.attribute("charset"));
        let mut part = Part {
            target,
            charset: charset_name.and_then(|name| charset_decoder(name.as_bytes())),
            utf16: charset_name.and_then(Utf16::of),
            slices: 0,
            line_open: false,
            decoded: Vec::new(),
        };
        let Walk {
            lines,
            boundaries,
            text,
            attachments,
            max_member_bytes,
            ..
        } = self;
        let mut out = Outputs {
            text,
            attachments,
            max_member_bytes: *max_member_bytes,
        };
        let ended = lines.read_body(boundaries, |piece| {
            decoder.decode(piece, &mut part.decoded);
            part.flush(&mut out, false)
        })?;
        decoder.finish(&mut part.decoded);
        part.flush(&mut out, true)?;
        if let Target::Held(held) = part.target {
            let frame = self.frames.last_mut().expect("the message's frame");
            frame.hold(held)?;
        }
        Ok(ended)
    }

    /// Decides where a single part's content goes, by mail-parser's rules.
    fn target(&mut self, kind: Kind, headers: &Headers<'_>) -> Target {
        let frame = self.frames.last_mut().expect("the message's frame");
        let inline_kind = matches!(kind, Kind::TextPlain | Kind::TextHtml | Kind::Inline);
        let named = headers
            .content_type()
            .is_some_and(|ct| ct.has_attribute("name"));
        let is_inline = inline_kind
            && !headers.is_attachment()
            && (frame.parts == 1
                || frame.kind != Kind::Related && (kind == Kind::Inline || !named));
        let (to_html, to_text) = if frame.kind == Kind::Alternative {
            (kind == Kind::TextHtml, kind == Kind::TextPlain)
        } else if is_inline {
            if frame.in_alternative && (frame.need_text || frame.need_html) {
                match kind {
                    Kind::TextHtml => frame.need_text = false,
                    Kind::TextPlain => frame.need_html = false,
                    _ => {}
                }
            }
            (frame.need_html, frame.need_text)
        } else {
            (false, false)
        };
        if to_text {
            frame.text_bodies += 1;
        }
        if kind == Kind::Message || !kind.is_text() {
            self.start_attachment(kind, headers);
            return Target::Attachment { text: false };
        }
        let html = kind == Kind::TextHtml;
        match (to_text, to_html) {
            (true, _) if html || kind == Kind::TextPlain => Target::Text { html },
            (false, true) if html => Target::Held(SpooledTempFile::new(HELD_IN_MEMORY)),
            _ => {
                self.start_attachment(kind, headers);
                Target::Attachment { text: true }
            }
        }
    }

    fn start_attachment(&mut self, kind: Kind, headers: &Headers<'_>) {
        let name = match headers.attachment_name() {
            Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
            _ => format!(
                "attachment-{}{}",
                self.attachments.list.len() + 1,
                extension_for(kind, headers)
            ),
        };
        self.attachments.start(name);
    }

    /// Reads a multipart whose delimiter is `--boundary`: its preamble, its parts and
    /// its epilogue, up to a delimiter of an outer multipart or the end.
    fn multipart(&mut self, kind: Kind, boundary: Vec<u8>) -> io::Result<Ended> {
        let parent = self.frames.last().expect("the message's frame");
        let frame = Frame {
            kind,
            in_alternative: parent.in_alternative || kind == Kind::Alternative,
            need_text: parent.need_text,
            need_html: parent.need_html,
            parts: 0,
            text_bodies: 0,
            held: None,
        };
        self.frames.push(frame);
        self.boundaries.push(boundary);
        let level = self.boundaries.len() - 1;
        let mut ended = self.lines.read_body(&self.boundaries, |_| Ok(()))?;
        let closed = loop {
            match ended {
                Ended::Delimiter { level: at, close } if at == level => {
                    if close {
                        break true;
                    }
                    let block = self
                        .lines
                        .read_headers(&self.boundaries, MAX_HEADER_BYTES)?;
                    ended = self.entity(&Headers::parse(&block))?;
                }
                // The end of the input, or an outer delimiter, ends this multipart.
                _ => break false,
            }
        };
        self.boundaries.pop();
        let mut frame = self.frames.pop().expect("pushed above");
        if closed {
            ended = self.lines.read_body(&self.boundaries, |_| Ok(()))?;
            if frame.kind == Kind::Alternative
                && frame.need_text
                && frame.need_html
                && frame.text_bodies == 0
            {
                // An alternative without plain text: its HTML stands for it.
                if let Some(held) = frame.held.take() {
                    copy_lines(held, &mut self.text)?;
                    frame.text_bodies += 1;
                }
            }
        }
        let parent = self.frames.last_mut().expect("the message's frame");
        parent.text_bodies += frame.text_bodies;
        if let Some(held) = frame.held {
            parent.hold(held)?;
        }
        Ok(ended)
    }
}

/// Where decoded content is written.
struct Outputs<'a> {
    text: &'a mut TextSpool,
    attachments: &'a mut Attachments,
    max_member_bytes: u64,
}

/// A single part being decoded.
struct Part {
    target: Target,
    charset: Option<DecoderFnc>,
    /// Set for text in UTF-16, whose slices are not cut at line ends.
    utf16: Option<Utf16>,
    /// Slices of text written so far.
    slices: usize,
    /// Whether the last slice written ended mid-line.
    line_open: bool,
    /// Decoded bytes not yet written.
    decoded: Vec<u8>,
}

/// A UTF-16 text body: the one charset whose slices cannot be cut at a line-feed
/// byte (it is half of a character) nor decoded each on its own (the byte-order mark
/// is at the start of the first only). The first slice is decoded as mail-parser
/// decodes a whole body; the others continue it, in the byte order it had.
struct Utf16 {
    /// The byte order the charset's name says, if it says one.
    big_endian: Option<bool>,
    /// The decoder of the slices after the first, once the first is read.
    rest: Option<encoding_rs::Decoder>,
}

impl Utf16 {
    /// Whether the charset `name` is UTF-16 (mail-parser's names for it).
    fn of(name: &str) -> Option<Utf16> {
        let name = name.to_ascii_lowercase().replace('_', "-");
        let big_endian = match name.as_str() {
            "utf-16be" | "csutf16be" | "unicodefffe" => Some(true),
            "utf-16le" | "csutf16le" => Some(false),
            "utf-16" | "csutf16" | "csunicode" | "iso-10646-ucs-2" | "ucs-2" | "unicode"
            | "unicodefeff" => None,
            _ => return None,
        };
        Some(Utf16 {
            big_endian,
            rest: None,
        })
    }

    /// Takes the byte order of the first slice: its mark's, else little-endian, as
    /// mail-parser reads a body without one.
    fn first(&mut self, slice: &[u8]) {
        let big_endian = self
            .big_endian
            .unwrap_or_else(|| slice.starts_with(b"\xFE\xFF"));
        let encoding = if big_endian {
            encoding_rs::UTF_16BE
        } else {
            encoding_rs::UTF_16LE
        };
        self.rest = Some(encoding.new_decoder_without_bom_handling());
    }

    /// Decodes a slice after the first; `None` before the first.
    fn next(&mut self, slice: &[u8]) -> Option<String> {
        let decoder = self.rest.as_mut()?;
        // Sized for the decoder's worst case, so that all of the slice is decoded.
        let worst = decoder
            .max_utf8_buffer_length(slice.len())
            .unwrap_or(slice.len().saturating_mul(3));
        let mut text = String::with_capacity(worst);
        let _ = decoder.decode_to_string(slice, &mut text, false);
        Some(text)
    }
}

impl Part {
    /// Writes what is decoded: everything at the `end`, else whole slices of text (a
    /// binary attachment's bytes at once).
    fn flush(&mut self, out: &mut Outputs<'_>, end: bool) -> io::Result<()> {
        if let Target::Attachment { text: false } = self.target {
            out.attachments.write(&self.decoded, out.max_member_bytes)?;
            self.decoded.clear();
            return Ok(());
        }
        while self.decoded.len() >= TEXT_SLICE || end && !self.decoded.is_empty() {
            let cut = if self.decoded.len() < TEXT_SLICE || self.utf16.is_some() {
                self.decoded.len().min(TEXT_SLICE)
            } else {
                match memchr::memrchr(b'\n', &self.decoded[..TEXT_SLICE]) {
                    Some(at) => at + 1,
                    None => TEXT_SLICE,
                }
            };
            let slice = &self.decoded[..cut];
            let continued = self.utf16.as_mut().and_then(|utf16| utf16.next(slice));
            let text = match (continued, self.charset) {
                (Some(text), _) => Cow::Owned(text),
                (None, Some(decode)) => Cow::Owned(decode(slice)),
                (None, None) => String::from_utf8_lossy(slice),
            };
            if self.slices == 0 {
                if let Some(utf16) = &mut self.utf16 {
                    utf16.first(slice);
                }
            }
            self.slices += 1;
            let text = match self.target {
                Target::Text { html: true } | Target::Held(_) => Cow::Owned(html_to_text(&text)),
                _ => text,
            };
            match &mut self.target {
                Target::Text { .. } => {
                    write_text(&text, &mut LineOut::Spool(out.text), &mut self.line_open)?
                }
                Target::Held(held) => {
                    write_text(&text, &mut LineOut::Held(held), &mut self.line_open)?
                }
                Target::Attachment { .. } => out
                    .attachments
                    .write(text.as_bytes(), out.max_member_bytes)?,
            }
            self.decoded.drain(..cut);
        }
        if end && std::mem::take(&mut self.line_open) {
            match &mut self.target {
                Target::Text { .. } => LineOut::Spool(out.text).end_line()?,
                Target::Held(held) => LineOut::Held(held).end_line()?,
                Target::Attachment { .. } => {}
            }
        }
        Ok(())
    }
}

/// Where a body's lines go.
enum LineOut<'a> {
    Spool(&'a mut TextSpool),
    /// One line a `\n`, for [`copy_lines`].
    Held(&'a mut SpooledTempFile),
}

impl LineOut<'_> {
    fn push_str(&mut self, text: &str) -> io::Result<()> {
        match self {
            LineOut::Spool(spool) => spool.push_str(text),
            LineOut::Held(held) => held.write_all(text.as_bytes()),
        }
    }

    fn end_line(&mut self) -> io::Result<()> {
        match self {
            LineOut::Spool(spool) => spool.end_line(),
            LineOut::Held(held) => held.write_all(b"\n"),
        }
    }
}

/// Writes one slice of a body's text as lines, as `str::lines` cuts a whole text.
/// A slice may end mid-line (UTF-16 slices, lines longer than a slice): the line is
/// then left open (`line_open`) for the next slice to go on with, and ended after the
/// last.
fn write_text(text: &str, out: &mut LineOut<'_>, line_open: &mut bool) -> io::Result<()> {
    let mut rest = text;
    while let Some(at) = rest.find('\n') {
        let line = &rest[..at];
        out.push_str(line.strip_suffix('\r').unwrap_or(line))?;
        out.end_line()?;
        rest = &rest[at + 1..];
    }
    out.push_str(rest)?;
    *line_open = *line_open && text.find('\n').is_none() || !rest.is_empty();
    Ok(())
}

/// Appends the held text `from` to `to`.
fn append(mut from: SpooledTempFile, to: &mut SpooledTempFile) -> io::Result<()> {
    from.seek(SeekFrom::Start(0))?;
    io::copy(&mut from, to)?;
    Ok(())
}

/// Appends held lines (see [`Target::Held`]) to the message's text.
fn copy_lines(mut held: SpooledTempFile, spool: &mut TextSpool) -> io::Result<()> {
    held.seek(SeekFrom::Start(0))?;
    let mut held = BufReader::new(held);
    let mut line = Vec::new();
    while held.read_until(b'\n', &mut line)? > 0 {
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        spool.push_str(&String::from_utf8_lossy(text))?;
        spool.end_line()?;
        line.clear();
    }
    Ok(())
}

/// The extension that makes an unnamed attachment read by its type.
fn extension_for(kind: Kind, headers: &Headers<'_>) -> &'static str {
    if kind == Kind::Message {
        return ".eml";
    }
    let Some(content_type) = headers.content_type() else {
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
    use crate::reader::TextUnit;

    /// The text of the message `raw` and its attachments' names and sizes.
    fn read(raw: &[u8], max_member_bytes: u64) -> (String, Vec<(String, u64, Vec<u8>)>) {
        read_within(
            raw,
            &Limits {
                max_member_bytes,
                ..Limits::default()
            },
        )
    }

    fn read_within(raw: &[u8], limits: &Limits) -> (String, Vec<(String, u64, Vec<u8>)>) {
        let mut attachments = None;
        let (text, outcome) = text_of(|sink| {
            attachments = Some(read_eml(&mut &raw[..], limits, sink)?);
            Ok(())
        });
        outcome.expect("read");
        let mut listed = Vec::new();
        attachments
            .expect("read")
            .for_each(|name, size, content| {
                let mut bytes = Vec::new();
                content.read_to_end(&mut bytes)?;
                listed.push((name.to_owned(), size, bytes));
                Ok(())
            })
            .expect("spooled");
        (text, listed)
    }

    fn names(attachments: &[(String, u64, Vec<u8>)]) -> Vec<&str> {
        attachments.iter().map(|(name, ..)| name.as_str()).collect()
    }

    #[test]
    fn headers_and_the_plain_alternative_are_read_decoded() {
        let (text, attachments) = read(&fixture_bytes("eml/contract.eml"), u64::MAX);
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
        assert_eq!(names(&attachments), ["planilha.xlsx", "arquivos.zip"]);
        for (name, size, bytes) in &attachments {
            assert_eq!(*size, bytes.len() as u64, "{name}");
            assert!(bytes.starts_with(b"PK\x03\x04"), "{name} decoded");
        }
    }

    #[test]
    fn an_html_body_without_alternative_is_read_as_text() {
        let (text, attachments) = read(&fixture_bytes("eml/html_only.eml"), u64::MAX);
        assert_eq!(
            text,
            "From: rh@example.com\nTo: bruno@example.com\nSubject: Cadastro\n\
             Cadastro de Bruno Souza\nCPF 111.444.777-35\n"
        );
        assert!(attachments.is_empty());
    }

    /// The plain alternative is read, not the HTML one (a multipart/related inside the
    /// alternative, whose inline image is an attachment, as for mail-parser); the
    /// Latin-1 CSV is an attachment decoded to UTF-8; the unnamed PDF and the forwarded
    /// message are named by their types.
    #[test]
    fn nested_multiparts_are_walked_as_they_stream() {
        let (text, attachments) = read(&fixture_bytes("eml/nested.eml"), u64::MAX);
        assert_eq!(
            text,
            "From: Bruno Souza <bruno@example.com>\n\
             To: Ana Lima <ana.lima@example.com>\n\
             Cc: José Alves <jose@example.com>\n\
             Subject: Re: Contrato P-EM0001\n\
             Olá Ana,\n\
             Projeto P-AB1234, CPF 529.982.247-25.\n"
        );
        assert_eq!(
            names(&attachments),
            [
                "attachment-1",
                "lista.csv",
                "attachment-3.pdf",
                "attachment-4.eml"
            ]
        );
        assert!(attachments[0].2.starts_with(b"\x89PNG"));
        assert_eq!(
            attachments[1].2,
            "nome;cpf\nJoão Araújo;111.444.777-35\n".as_bytes()
        );
        assert_eq!(attachments[2].2, b"%PDF-1.4\n%%EOF\n");
        assert!(attachments[3].2.starts_with(b"From: Diego Costa"));
    }

    #[test]
    fn digest_parts_are_attached_messages() {
        let (text, attachments) = read(&fixture_bytes("eml/digest.eml"), u64::MAX);
        assert_eq!(
            text,
            "From: lista@example.com\nTo: ana@example.com\nSubject: Resumo\n"
        );
        assert_eq!(
            names(&attachments),
            ["attachment-1.eml", "attachment-2.eml"]
        );
    }

    #[test]
    fn unnamed_attachments_are_named_by_their_type() {
        let raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
            --b\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
            --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment\r\n\r\n%PDF-1.4\r\n\
            --b\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.com\r\n\r\ninner\r\n\
            --b--\r\n";
        let (text, attachments) = read(raw, u64::MAX);
        assert_eq!(text, "From: a@example.com\nhi\n");
        assert_eq!(
            names(&attachments),
            ["attachment-1.pdf", "attachment-2.eml"]
        );
    }

    #[test]
    fn attachments_past_the_member_limit_keep_their_size_not_their_bytes() {
        let raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
            --b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nMDEyMzQ1Njc4OQ==\r\n\
            --b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=small.txt\r\n\r\nok\r\n\
            --b--\r\n";
        let (_, attachments) = read(raw, 4);
        assert_eq!(
            attachments,
            [
                ("big.bin".to_owned(), 10, b"0123".to_vec()),
                ("small.txt".to_owned(), 2, b"ok".to_vec()),
            ]
        );
    }

    /// Bodies of more than one slice: UTF-8 cut at line ends, UTF-16 (with its mark,
    /// little-endian) cut anywhere, read as the same lines as a whole body.
    #[test]
    fn bodies_larger_than_a_slice_read_as_whole_ones() {
        let line = "Ana Lima, CPF 529.982.247-25, café, 😀\n";
        let body = line.repeat(TEXT_SLICE * 2 / line.len() + 3) + "fim";
        let utf16: Vec<u8> = "\u{FEFF}"
            .encode_utf16()
            .chain(body.encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect();
        for (charset, bytes) in [("utf-8", body.as_bytes()), ("utf-16", &utf16[..])] {
            let mut raw = format!(
                "From: a@example.com\r\nContent-Type: text/plain; charset={charset}\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n"
            );
            raw.push_str(&crate::reader::eml_differential::base64(bytes, "\r\n"));
            // Windows of the text are joined as bytes: one may end mid-character.
            let mut text = Vec::new();
            read_eml(
                &mut raw.as_bytes(),
                &Limits::default(),
                &mut |unit: TextUnit<'_>| text.extend_from_slice(&unit.bytes[unit.search.clone()]),
            )
            .expect("read");
            let expected = format!("From: a@example.com\n{body}\n");
            assert!(
                text == expected.as_bytes(),
                "{charset}: {} lines, {} expected",
                text.split(|&b| b == b'\n').count(),
                expected.lines().count()
            );
        }
    }

    /// Attachments past the archive file limit are not spooled, but for the first,
    /// which the reader of the members refuses.
    #[test]
    fn attachments_past_the_file_limit_are_not_spooled() {
        let part = |name: &str| {
            format!(
                "--b\r\nContent-Type: text/plain\r\n\
                 Content-Disposition: attachment; filename={name}\r\n\r\n{name}\r\n"
            )
        };
        let raw = format!(
            "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n{}{}{}{}--b--\r\n",
            part("a.txt"),
            part("b.txt"),
            part("c.txt"),
            part("d.txt")
        );
        let limits = Limits {
            max_archive_files: 2,
            ..Limits::default()
        };
        let (_, attachments) = read_within(raw.as_bytes(), &limits);
        assert_eq!(names(&attachments), ["a.txt", "b.txt", "c.txt"]);
        assert_eq!(attachments[2].2, b"c.txt");
    }

    #[test]
    fn input_without_headers_is_malformed() {
        let (_, outcome) =
            text_of(|sink| read_eml(&mut &b"\r\n\r\nbody"[..], &Limits::default(), sink).map(drop));
        assert_eq!(
            outcome.expect_err("no headers").reason(),
            crate::result::Reason::MalformedFile
        );
    }
}
