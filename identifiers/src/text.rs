//! Character arithmetic over UTF-8 bytes.
//!
//! Macie counts distances and columns in characters. Units are scanned as bytes, so a
//! character is counted at each byte that does not continue a multi-byte sequence; for
//! invalid UTF-8 this counts each stray byte once, as a lossy decode would.

/// True for the bytes that start a character.
#[inline]
fn starts_char(byte: u8) -> bool {
    (byte & 0xC0) != 0x80
}

/// The number of characters in `bytes`.
#[inline]
pub fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| starts_char(b)).count()
}

/// The byte offset `chars` characters before `from` (or 0).
pub fn step_back_chars(bytes: &[u8], from: usize, chars: usize) -> usize {
    let mut position = from.min(bytes.len());
    let mut remaining = chars;
    while position > 0 && remaining > 0 {
        position -= 1;
        if starts_char(bytes[position]) {
            remaining -= 1;
        }
    }
    position
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(char_count("abc".as_bytes()), 3);
        assert_eq!(char_count("éé".as_bytes()), 2);
        assert_eq!(char_count("日本".as_bytes()), 2);
        assert_eq!(char_count("🦀x".as_bytes()), 2);
    }

    #[test]
    fn steps_back_over_whole_characters() {
        let text = "aé日🦀b".as_bytes();
        let end = text.len();
        assert_eq!(step_back_chars(text, end, 1), end - 1);
        assert_eq!(step_back_chars(text, end, 2), end - 1 - 4);
        assert_eq!(step_back_chars(text, end, 3), end - 1 - 4 - 3);
        assert_eq!(step_back_chars(text, end, 4), 1);
        assert_eq!(step_back_chars(text, end, 5), 0);
        assert_eq!(step_back_chars(text, end, 50), 0);
    }
}
