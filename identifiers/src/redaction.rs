//! How kept matches are rewritten by de-identification: the `[redaction]` table of an
//! identifier file (docs/redaction.md).
//!
//! This module only says *what* to write in place of a match, per identifier; the
//! rewriting of objects (byte for byte outside the matches) lives in `ferret-redact`.
//! It is here because the table is part of the identifier file and is validated with
//! it, all or nothing, with the same located messages.

use std::path::PathBuf;

/// What a kept match becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `[<identifier name>]`.
    Replace,
    /// Every letter and digit turned into `*`, except the first `keep_first` and the
    /// last `keep_last` characters; other characters (separators) stay.
    Mask { keep_first: u32, keep_last: u32 },
    /// `tok_` and the first 16 hex digits of HMAC-SHA256(key, match): the same value
    /// gives the same token everywhere under one key.
    Hash,
}

impl Operator {
    /// The spelling of `with = "..."`.
    pub fn name(&self) -> &'static str {
        match self {
            Operator::Replace => "replace",
            Operator::Mask { .. } => "mask",
            Operator::Hash => "hash",
        }
    }
}

/// The most characters a `mask` may keep at either end: more would keep most
/// identifiers whole, in clear.
pub const MAX_KEPT_CHARS: u32 = 64;

/// One `[[redaction.rule]]`: an operator for the identifiers it names (custom names or
/// managed types).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactionRule {
    pub identifiers: Vec<String>,
    pub operator: Operator,
    /// 1-based line of the rule in the file, for messages.
    pub line: usize,
}

/// The `[redaction]` table, validated. Without one, every match is replaced by its
/// identifier's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    /// The operator for identifiers no rule names.
    pub default: Operator,
    pub rules: Vec<RedactionRule>,
    /// The file holding the `hash` key, resolved against the identifier file's folder.
    pub key_file: Option<PathBuf>,
}

impl Default for Redaction {
    fn default() -> Self {
        Redaction {
            default: Operator::Replace,
            rules: Vec::new(),
            key_file: None,
        }
    }
}

impl Redaction {
    /// The operator for the identifier named `name` (a custom name or a managed type).
    pub fn operator_for(&self, name: &str) -> Operator {
        self.rules
            .iter()
            .find(|rule| rule.identifiers.iter().any(|n| n == name))
            .map_or(self.default, |rule| rule.operator)
    }

    /// Whether any operator of the table hashes, so that a key is required before
    /// anything is written.
    pub fn needs_key(&self) -> bool {
        self.default == Operator::Hash || self.rules.iter().any(|r| r.operator == Operator::Hash)
    }
}
