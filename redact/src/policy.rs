//! What each kept match becomes: the `[redaction]` table compiled against an identifier
//! set, with the key `hash` needs.

use std::path::{Path, PathBuf};

use ferret_identifiers::{DetectorId, IdentifierSet, Operator, Redaction};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The environment variable holding the `hash` key; it outranks `key_file`.
pub const KEY_VARIABLE: &str = "FERRET_REDACTION_KEY";

/// Hex digits of the HMAC kept in a token: 64 bits, so that distinct values of a column
/// practically never share a token, while the token stays short.
const TOKEN_HEX_DIGITS: usize = 16;

/// Why a policy cannot be used. Refused before anything is written.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// `hash` without a key: an unkeyed hash of a 9-digit number is reversed by trying
    /// all of them, so it is no de-identification.
    #[error("the `hash` operator needs a key: set {KEY_VARIABLE} or `key_file` in [redaction]")]
    MissingKey,
    #[error("the redaction key {} is empty", .0.display())]
    EmptyKeyFile(PathBuf),
    #[error("{KEY_VARIABLE} is empty")]
    EmptyKeyVariable,
    #[error("cannot read the redaction key {}: {error}", path.display())]
    KeyFile {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// The secret `hash` tokenises with. Its bytes never appear in messages.
#[derive(Clone)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    /// A key of these bytes with one trailing newline (`\n` or `\r\n`) dropped, as
    /// `echo` and editors leave one; `None` when nothing is left.
    pub fn new(mut bytes: Vec<u8>) -> Option<Key> {
        if bytes.ends_with(b"\n") {
            bytes.pop();
            if bytes.ends_with(b"\r") {
                bytes.pop();
            }
        }
        (!bytes.is_empty()).then_some(Key(bytes))
    }

    /// The key of a run: `variable` (the value of [`KEY_VARIABLE`], if set), else the
    /// table's `key_file`, else none.
    pub fn find(
        variable: Option<Vec<u8>>,
        redaction: &Redaction,
    ) -> Result<Option<Key>, PolicyError> {
        if let Some(bytes) = variable {
            return Key::new(bytes)
                .map(Some)
                .ok_or(PolicyError::EmptyKeyVariable);
        }
        let Some(path) = &redaction.key_file else {
            return Ok(None);
        };
        let bytes = read_key_file(path)?;
        Key::new(bytes)
            .map(Some)
            .ok_or_else(|| PolicyError::EmptyKeyFile(path.clone()))
    }
}

fn read_key_file(path: &Path) -> Result<Vec<u8>, PolicyError> {
    std::fs::read(path).map_err(|error| PolicyError::KeyFile {
        path: path.to_owned(),
        error,
    })
}

/// The operator of every detector of one identifier set, ready to render.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Indexed by detector.
    operators: Vec<Operator>,
    /// `[<name>]` of each detector, for `replace`.
    labels: Vec<String>,
    names: Vec<String>,
    key: Option<Key>,
}

impl Policy {
    /// Compiles `redaction` for `set`. Refused when an operator hashes and `key` is
    /// `None`, whether or not a detector of the set uses it: the table is checked as
    /// written, not as this run happens to select identifiers.
    pub fn new(
        set: &IdentifierSet,
        redaction: &Redaction,
        key: Option<Key>,
    ) -> Result<Policy, PolicyError> {
        if redaction.needs_key() && key.is_none() {
            return Err(PolicyError::MissingKey);
        }
        let names: Vec<String> = set
            .detectors()
            .iter()
            .map(|d| d.name().to_owned())
            .collect();
        Ok(Policy {
            operators: names.iter().map(|n| redaction.operator_for(n)).collect(),
            labels: names.iter().map(|n| format!("[{n}]")).collect(),
            names,
            key,
        })
    }

    /// The name results give the detector (custom name or managed type).
    pub fn name(&self, detector: DetectorId) -> &str {
        &self.names[detector.0]
    }

    /// The number of detectors.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Appends to `out` what the match `text` of `detector` becomes. `text` is the
    /// match as the unit holds it (decoded from quotes and escapes); the caller encodes
    /// the result for where it goes.
    pub fn render(&self, detector: DetectorId, text: &[u8], out: &mut Vec<u8>) {
        match self.operators[detector.0] {
            Operator::Replace => out.extend_from_slice(self.labels[detector.0].as_bytes()),
            Operator::Mask {
                keep_first,
                keep_last,
            } => mask(text, keep_first as usize, keep_last as usize, out),
            Operator::Hash => match &self.key {
                Some(key) => token(key, text, out),
                // `Policy::new` refuses a hash without a key; keep the invariant visible
                // without a panic path: nothing of the match is written.
                None => out.extend_from_slice(self.labels[detector.0].as_bytes()),
            },
        }
    }
}

/// Masks `text`: every letter or digit but the first `keep_first` and last `keep_last`
/// characters becomes `*`; other characters stay. Bytes that are not UTF-8 are
/// characters of their own and masked (they are no separators anyone reads).
fn mask(text: &[u8], keep_first: usize, keep_last: usize, out: &mut Vec<u8>) {
    let total = text
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + c.invalid().len())
        .sum::<usize>();
    let mut index = 0;
    let kept = |index: usize| index < keep_first || index + keep_last >= total;
    for chunk in text.utf8_chunks() {
        for c in chunk.valid().chars() {
            if kept(index) || !c.is_alphanumeric() {
                let mut buffer = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            } else {
                out.push(b'*');
            }
            index += 1;
        }
        for &byte in chunk.invalid() {
            out.push(if kept(index) { byte } else { b'*' });
            index += 1;
        }
    }
}

/// `tok_` and the first [`TOKEN_HEX_DIGITS`] hex digits of HMAC-SHA256(key, text).
fn token(key: &Key, text: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // HMAC takes keys of any length; the error type exists for fixed-key MACs.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&key.0) else {
        return;
    };
    mac.update(text);
    let digest = mac.finalize().into_bytes();
    out.extend_from_slice(b"tok_");
    for byte in digest.iter().take(TOKEN_HEX_DIGITS / 2) {
        out.push(HEX[usize::from(byte >> 4)]);
        out.push(HEX[usize::from(byte & 0x0f)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str, first: usize, last: usize) -> String {
        let mut out = Vec::new();
        mask(text.as_bytes(), first, last, &mut out);
        String::from_utf8(out).expect("utf-8")
    }

    fn tok(key: &str, text: &str) -> String {
        let mut out = Vec::new();
        token(
            &Key::new(key.as_bytes().to_vec()).expect("key"),
            text.as_bytes(),
            &mut out,
        );
        String::from_utf8(out).expect("ascii")
    }

    #[test]
    fn mask_keeps_separators_and_the_ends_asked_for() {
        assert_eq!(masked("123.456.789-09", 0, 0), "***.***.***-**");
        assert_eq!(masked("123.456.789-09", 0, 2), "***.***.***-09");
        assert_eq!(masked("123.456.789-09", 3, 2), "123.***.***-09");
        assert_eq!(masked("ab", 5, 5), "ab");
        assert_eq!(masked("José@x.fr", 0, 0), "****@*.**");
    }

    #[test]
    fn a_token_is_the_keyed_hmac_sha256_prefix() {
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
        assert_eq!(
            tok("Jefe", "what do ya want for nothing?"),
            "tok_5bdcc146bf60754e"
        );
        assert_eq!(
            tok("Jefe\n", "what do ya want for nothing?"),
            "tok_5bdcc146bf60754e"
        );
        assert_ne!(
            tok("Jefe2", "what do ya want for nothing?"),
            "tok_5bdcc146bf60754e"
        );
    }

    #[test]
    fn one_trailing_newline_is_dropped_from_a_key() {
        assert_eq!(Key::new(b"k\n".to_vec()).map(|k| k.0), Some(b"k".to_vec()));
        assert_eq!(
            Key::new(b"k\r\n".to_vec()).map(|k| k.0),
            Some(b"k".to_vec())
        );
        assert_eq!(
            Key::new(b"k\n\n".to_vec()).map(|k| k.0),
            Some(b"k\n".to_vec())
        );
        assert!(Key::new(b"\n".to_vec()).is_none());
    }
}
