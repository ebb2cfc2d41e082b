//! Content-Transfer-Encodings decoded as a part streams: base64 and quoted-printable.
//!
//! A MIME part arrives in pieces of lines, cut wherever the input's buffer ends, so a
//! base64 quantum or a `=XY` escape may be split between two pieces. Each decoder keeps
//! the few bytes of such a split and nothing else, so a part of any size is decoded in
//! constant memory. Both are lenient, as mail readers are: base64 skips what is not in
//! its alphabet (line breaks, stray spaces) and quoted-printable keeps an `=` that
//! starts no escape. mail-parser decodes whole slices only, and the general-purpose
//! crates (`base64`, `quoted_printable`) neither skip line breaks on the fly nor take
//! input in arbitrary pieces, hence these two small state machines.

/// How a part's body is encoded, from its `Content-Transfer-Encoding`.
#[derive(Debug)]
pub(crate) enum TransferDecoder {
    /// `7bit`, `8bit`, `binary` or none: the bytes are the content.
    Identity,
    Base64(Base64),
    QuotedPrintable(QuotedPrintable),
}

impl TransferDecoder {
    /// The decoder for an encoding named `name` (case-insensitive); unknown encodings
    /// are read as they are, as mail-parser does.
    pub(crate) fn for_name(name: Option<&str>) -> TransferDecoder {
        match name.map(str::trim) {
            Some(name) if name.eq_ignore_ascii_case("base64") => {
                TransferDecoder::Base64(Base64::default())
            }
            Some(name) if name.eq_ignore_ascii_case("quoted-printable") => {
                TransferDecoder::QuotedPrintable(QuotedPrintable::default())
            }
            _ => TransferDecoder::Identity,
        }
    }

    /// Decodes the next piece of the body, appending to `out`.
    pub(crate) fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        match self {
            TransferDecoder::Identity => out.extend_from_slice(input),
            TransferDecoder::Base64(decoder) => decoder.decode(input, out),
            TransferDecoder::QuotedPrintable(decoder) => decoder.decode(input, out),
        }
    }

    /// Ends the body: whatever a split left pending is decoded as well as it can be.
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) {
        match self {
            TransferDecoder::Identity => {}
            TransferDecoder::Base64(decoder) => decoder.finish(out),
            TransferDecoder::QuotedPrintable(decoder) => decoder.finish(out),
        }
    }
}

/// Base64 over pieces: sextets gathered four at a time.
#[derive(Debug, Default)]
pub(crate) struct Base64 {
    /// The sextets of the quantum being read, high first.
    bits: u32,
    sextets: u8,
}

impl Base64 {
    fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len() / 4 * 3 + 3);
        for &byte in input {
            let value = match byte {
                b'A'..=b'Z' => byte - b'A',
                b'a'..=b'z' => byte - b'a' + 26,
                b'0'..=b'9' => byte - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                // Padding ends a quantum early; what follows (a concatenated stream)
                // starts a new one.
                b'=' => {
                    self.finish(out);
                    continue;
                }
                _ => continue,
            };
            self.bits = (self.bits << 6) | u32::from(value);
            self.sextets += 1;
            if self.sextets == 4 {
                let [_, a, b, c] = self.bits.to_be_bytes();
                out.extend_from_slice(&[a, b, c]);
                self.bits = 0;
                self.sextets = 0;
            }
        }
    }

    /// A partial quantum of two or three sextets holds one or two whole bytes; a lone
    /// sextet holds none.
    fn finish(&mut self, out: &mut Vec<u8>) {
        match self.sextets {
            2 => out.push((self.bits >> 4) as u8),
            3 => {
                let bits = self.bits >> 2;
                out.extend_from_slice(&[(bits >> 8) as u8, bits as u8]);
            }
            _ => {}
        }
        self.bits = 0;
        self.sextets = 0;
    }
}

/// Quoted-printable over pieces.
#[derive(Debug, Default)]
pub(crate) struct QuotedPrintable {
    state: QpState,
}

#[derive(Debug, Default, Clone, Copy)]
enum QpState {
    #[default]
    Text,
    /// After `=`.
    Equals,
    /// After `=` and a carriage return: a soft line break, if a line feed follows.
    EqualsCr,
    /// After `=` and one hex digit (its value and the digit as written).
    EqualsHex(u8, u8),
}

impl QuotedPrintable {
    fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.reserve(input.len());
        for &byte in input {
            self.byte(byte, out);
        }
    }

    fn byte(&mut self, byte: u8, out: &mut Vec<u8>) {
        self.state = match (self.state, byte) {
            (QpState::Text, b'=') => QpState::Equals,
            (QpState::Text, _) => {
                out.push(byte);
                QpState::Text
            }
            // `=` at the end of a line joins it to the next.
            (QpState::Equals, b'\n') => QpState::Text,
            (QpState::Equals, b'\r') => QpState::EqualsCr,
            (QpState::Equals, _) => match hex(byte) {
                Some(high) => QpState::EqualsHex(high, byte),
                None => {
                    out.push(b'=');
                    self.state = QpState::Text;
                    return self.byte(byte, out);
                }
            },
            (QpState::EqualsCr, b'\n') => QpState::Text,
            // A bare carriage return after `=`: a soft break all the same.
            (QpState::EqualsCr, _) => {
                self.state = QpState::Text;
                return self.byte(byte, out);
            }
            (QpState::EqualsHex(high, written), _) => match hex(byte) {
                Some(low) => {
                    out.push(high << 4 | low);
                    QpState::Text
                }
                None => {
                    out.extend_from_slice(&[b'=', written]);
                    self.state = QpState::Text;
                    return self.byte(byte, out);
                }
            },
        };
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        match std::mem::take(&mut self.state) {
            QpState::Equals => out.push(b'='),
            QpState::EqualsHex(_, written) => out.extend_from_slice(&[b'=', written]),
            QpState::Text | QpState::EqualsCr => {}
        }
    }
}

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` cut into pieces of `piece` bytes.
    fn decode_in_pieces(encoding: &str, input: &[u8], piece: usize) -> Vec<u8> {
        let mut decoder = TransferDecoder::for_name(Some(encoding));
        let mut out = Vec::new();
        for chunk in input.chunks(piece) {
            decoder.decode(chunk, &mut out);
        }
        decoder.finish(&mut out);
        out
    }

    #[test]
    fn base64_is_the_same_whatever_the_cuts() {
        let encoded = b"QW5hIExpbWEsIENQRiA1MjkuOTgy\r\nLjI0Ny0yNQ==\r\n";
        for piece in 1..encoded.len() {
            assert_eq!(
                decode_in_pieces("BASE64", encoded, piece),
                b"Ana Lima, CPF 529.982.247-25",
                "pieces of {piece}"
            );
        }
    }

    #[test]
    fn base64_without_padding_keeps_its_whole_bytes() {
        assert_eq!(decode_in_pieces("base64", b"YWI", 2), b"ab");
        assert_eq!(decode_in_pieces("base64", b"YQ", 1), b"a");
        assert_eq!(decode_in_pieces("base64", b"YQ==YWI=", 3), b"aab");
    }

    #[test]
    fn quoted_printable_is_the_same_whatever_the_cuts() {
        let encoded = b"Ol=C3=A1 Bruno, CPF 529.982.=\r\n247-25 =3D fim\r\nsoft=\nend =ZZ x=4";
        for piece in 1..encoded.len() {
            assert_eq!(
                decode_in_pieces("quoted-printable", encoded, piece),
                "Olá Bruno, CPF 529.982.247-25 = fim\r\nsoftend =ZZ x=4".as_bytes(),
                "pieces of {piece}"
            );
        }
    }

    #[test]
    fn other_encodings_are_read_as_they_are() {
        assert_eq!(decode_in_pieces("8bit", b"a=41\r\n", 2), b"a=41\r\n");
    }
}
