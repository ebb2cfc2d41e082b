//! Identifier files: custom data identifiers and allow lists in TOML (docs/identifiers.md).
//!
//! Loading is all-or-nothing: every problem found is reported with the file, the entry's
//! name and the line, and no identifier set is built from a file that has any, so a typo
//! can never silently weaken a scan.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::pattern::{Pattern, PatternError};
use crate::redaction::{self, Operator, Redaction, RedactionRule};
use crate::severity::{Severity, SeverityLevel, SeverityLevels};
use crate::validators::Validator;

/// Macie's limits on a custom data identifier, kept in one place so messages and checks
/// agree.
pub mod limits {
    pub const NAME_CHARS: usize = 128;
    pub const DESCRIPTION_CHARS: usize = 512;
    pub const REGEX_CHARS: usize = 512;
    pub const KEYWORDS: usize = 50;
    pub const KEYWORD_CHARS: (usize, usize) = (3, 90);
    pub const IGNORE_WORDS: usize = 10;
    pub const IGNORE_WORD_CHARS: (usize, usize) = (4, 90);
    pub const MATCH_DISTANCE: (u32, u32) = (1, 300);
    pub const DEFAULT_MATCH_DISTANCE: u32 = 50;
    pub const SEVERITY_LEVELS: usize = 3;
    pub const ALLOW_WORD_CHARS: (usize, usize) = (1, 90);
}

/// A validated identifier file.
#[derive(Debug, Clone, Default)]
pub struct IdentifierFile {
    pub identifiers: Vec<CustomIdentifier>,
    pub allow_lists: Vec<AllowList>,
    /// How `ferret redact` rewrites matches (the `[redaction]` table; replace by
    /// default).
    pub redaction: Redaction,
}

/// A custom data identifier with Macie's fields plus ferret's validator.
#[derive(Debug, Clone)]
pub struct CustomIdentifier {
    pub name: String,
    pub description: Option<String>,
    pub pattern: Pattern,
    pub keywords: Vec<String>,
    pub ignore_words: Vec<String>,
    pub maximum_match_distance: u32,
    pub severity_levels: SeverityLevels,
    pub validator: Option<Validator>,
}

/// Text that is never reported, whichever identifier matched it.
#[derive(Debug, Clone)]
pub struct AllowList {
    pub name: String,
    pub entries: AllowListEntries,
}

#[derive(Debug, Clone)]
pub enum AllowListEntries {
    /// Compared case-insensitively with the whole matched text.
    Words(Vec<String>),
    /// Must match the whole matched text.
    Regex(Pattern),
    /// Words kept in an S3 object, one a line (Macie's allow lists of predefined text).
    /// This crate never reads objects: the caller reads it and replaces it with
    /// [`AllowListEntries::Words`] ([`IdentifierFile::resolve_allow_list`]) before an
    /// [`crate::IdentifierSet`] is built, which refuses unresolved lists.
    S3(S3Location),
}

/// `s3://bucket/key`: where an allow list's words are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub key: String,
}

impl S3Location {
    /// Parses `s3://bucket/key` (a bucket and a non-empty key).
    pub fn parse(text: &str) -> Option<S3Location> {
        let (bucket, key) = text.strip_prefix("s3://")?.split_once('/')?;
        (!bucket.is_empty() && !key.is_empty()).then(|| S3Location {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })
    }
}

impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// The most entries an S3 allow list may hold (Macie's limit).
pub const MAX_ALLOW_LIST_ENTRIES: usize = 100_000;

/// The largest S3 allow list object, in bytes (Macie's limit: 35 MB).
pub const MAX_ALLOW_LIST_BYTES: u64 = 35 * 1024 * 1024;

/// Why the words of an S3 allow list cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowListTextError {
    #[error("{entries} entries; an allow list holds at most {MAX_ALLOW_LIST_ENTRIES}")]
    TooManyEntries { entries: usize },
    #[error("{bytes} bytes; an allow list object is at most {MAX_ALLOW_LIST_BYTES} bytes")]
    TooLarge { bytes: u64 },
    #[error("line {line}: an entry is {low}-{high} characters (found {found})")]
    EntryLength {
        line: usize,
        low: usize,
        high: usize,
        found: usize,
    },
    #[error("not UTF-8 text")]
    NotText,
}

/// The words of an S3 allow list object: one entry a line (surrounding whitespace and
/// empty lines ignored), within Macie's limits.
pub fn allow_list_words(bytes: &[u8]) -> Result<Vec<String>, AllowListTextError> {
    let size = bytes.len() as u64;
    if size > MAX_ALLOW_LIST_BYTES {
        return Err(AllowListTextError::TooLarge { bytes: size });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| AllowListTextError::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut words = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let entry = line.trim();
        if entry.is_empty() {
            continue;
        }
        let (low, high) = limits::ALLOW_WORD_CHARS;
        let found = entry.chars().count();
        if !(low..=high).contains(&found) {
            return Err(AllowListTextError::EntryLength {
                line: index + 1,
                low,
                high,
                found,
            });
        }
        words.push(entry.to_owned());
        if words.len() > MAX_ALLOW_LIST_ENTRIES {
            return Err(AllowListTextError::TooManyEntries {
                entries: text.lines().filter(|l| !l.trim().is_empty()).count(),
            });
        }
    }
    Ok(words)
}

/// Every problem found in one identifier file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{problem}", self.path.display())?;
        }
        Ok(())
    }
}

/// One problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file; 0 when the file could not be read at all.
    pub line: usize,
    pub entry: Option<Entry>,
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}: ", self.line)?;
        } else {
            f.write_str(" ")?;
        }
        if let Some(entry) = &self.entry {
            write!(f, "{entry}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

/// The entry a problem belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Identifier(String),
    AllowList(String),
    /// The `[redaction]` table.
    Redaction,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Identifier(name) => write!(f, "identifier \"{name}\""),
            Entry::AllowList(name) => write!(f, "allow list \"{name}\""),
            Entry::Redaction => f.write_str("redaction"),
        }
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    #[error("cannot read the file: {0}")]
    Read(String),
    /// TOML syntax, an unknown key, a missing key or a value of the wrong type.
    #[error("{0}")]
    Toml(String),
    #[error("`{field}` {pattern_error}")]
    Pattern {
        field: &'static str,
        pattern_error: PatternError,
    },
    #[error("`{field}` must be {rule} (found {found})")]
    Limit {
        field: &'static str,
        rule: String,
        found: String,
    },
    #[error("duplicate name; first defined on line {first_line}")]
    DuplicateName { first_line: usize },
    #[error("`severity_levels` {0}")]
    SeverityLevels(String),
    #[error("unknown validator `{found}` (expected one of: {expected})")]
    UnknownValidator { found: String, expected: String },
    #[error("needs exactly one of `words`, `regex` or `s3`")]
    AllowListShape,
    #[error("unknown operator `{0}` (expected one of: replace, mask, hash)")]
    UnknownOperator(String),
    #[error("`{0}` applies to `with = \"mask\"` only")]
    MaskOnly(&'static str),
    #[error("identifier \"{name}\" already has a rule on line {first_line}")]
    DuplicateRule { name: String, first_line: usize },
}

impl From<PatternError> for ProblemKind {
    fn from(pattern_error: PatternError) -> Self {
        ProblemKind::Pattern {
            field: "regex",
            pattern_error,
        }
    }
}

impl IdentifierFile {
    /// The allow lists whose words are in S3 and not read yet: `(name, location)`.
    pub fn s3_allow_lists(&self) -> Vec<(String, S3Location)> {
        self.allow_lists
            .iter()
            .filter_map(|list| match &list.entries {
                AllowListEntries::S3(location) => Some((list.name.clone(), location.clone())),
                _ => None,
            })
            .collect()
    }

    /// Gives the allow list `name` the words read from its S3 object.
    pub fn resolve_allow_list(&mut self, name: &str, words: Vec<String>) {
        if let Some(list) = self.allow_lists.iter_mut().find(|l| l.name == name) {
            list.entries = AllowListEntries::Words(words);
        }
    }

    /// Reads and validates the identifier file at `path`.
    pub fn load(path: &Path) -> Result<IdentifierFile, FileError> {
        let text = std::fs::read_to_string(path).map_err(|e| FileError {
            path: path.to_owned(),
            problems: vec![Problem {
                line: 0,
                entry: None,
                kind: ProblemKind::Read(e.to_string()),
            }],
        })?;
        IdentifierFile::parse(path, &text)
    }

    /// The folder relative paths in the file (`key_file`) are read from.
    fn folder(path: &Path) -> PathBuf {
        path.parent().map(Path::to_owned).unwrap_or_default()
    }

    /// Validates `text`; `path` names the file in messages.
    pub fn parse(path: &Path, text: &str) -> Result<IdentifierFile, FileError> {
        let fail = |problems| FileError {
            path: path.to_owned(),
            problems,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| fail(vec![toml_problem(text, &e)]))?;
        let mut checker = Checker {
            text,
            folder: IdentifierFile::folder(path),
            problems: Vec::new(),
        };
        let file = checker.check(raw);
        if checker.problems.is_empty() {
            Ok(file)
        } else {
            checker.problems.sort_by_key(|p| p.line);
            Err(fail(checker.problems))
        }
    }
}

// ---- raw shape, as serde sees it ------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    identifier: Vec<Spanned<RawIdentifier>>,
    #[serde(default)]
    allow_list: Vec<Spanned<RawAllowList>>,
    redaction: Option<RawRedaction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedaction {
    default: Option<Spanned<RawOperator>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    key_file: Option<Spanned<String>>,
}

/// `{ with = "...", keep_first = N, keep_last = N }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperator {
    with: Spanned<String>,
    keep_first: Option<Spanned<i64>>,
    keep_last: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    identifiers: Vec<Spanned<String>>,
    with: Spanned<String>,
    keep_first: Option<Spanned<i64>>,
    keep_last: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentifier {
    name: Spanned<String>,
    description: Option<Spanned<String>>,
    regex: Spanned<String>,
    #[serde(default)]
    keywords: Vec<Spanned<String>>,
    #[serde(default)]
    ignore_words: Vec<Spanned<String>>,
    maximum_match_distance: Option<Spanned<i64>>,
    severity_levels: Option<Spanned<Vec<Spanned<RawSeverityLevel>>>>,
    validator: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeverityLevel {
    occurrences_threshold: i64,
    severity: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllowList {
    name: Spanned<String>,
    words: Option<Spanned<Vec<Spanned<String>>>>,
    regex: Option<Spanned<String>>,
    s3: Option<Spanned<String>>,
}

/// The same file read loosely, only to name the entry a serde error falls in.
#[derive(Deserialize)]
struct LooseFile {
    #[serde(default)]
    identifier: Vec<Spanned<toml::Table>>,
    #[serde(default)]
    allow_list: Vec<Spanned<toml::Table>>,
}

fn toml_problem(text: &str, error: &toml::de::Error) -> Problem {
    let offset = error.span().map_or(0, |s| s.start);
    Problem {
        line: line_of(text, offset),
        entry: entry_at(text, offset),
        kind: ProblemKind::Toml(error.message().trim().to_owned()),
    }
}

/// Names the `[[identifier]]` or `[[allow_list]]` table that contains `offset`, when the
/// file is at least valid TOML.
fn entry_at(text: &str, offset: usize) -> Option<Entry> {
    let loose: LooseFile = toml::from_str(text).ok()?;
    let name_of = |table: &toml::Table| {
        table
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or("<unnamed>")
            .to_owned()
    };
    let identifiers = loose
        .identifier
        .iter()
        .map(|t| (t.span().start, Entry::Identifier(name_of(t.get_ref()))));
    let allow_lists = loose
        .allow_list
        .iter()
        .map(|t| (t.span().start, Entry::AllowList(name_of(t.get_ref()))));
    identifiers
        .chain(allow_lists)
        .filter(|(start, _)| *start <= offset)
        .max_by_key(|(start, _)| *start)
        .map(|(_, entry)| entry)
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

// ---- semantic checks -------------------------------------------------------------------

struct Checker<'t> {
    text: &'t str,
    /// Where relative paths in the file are resolved.
    folder: PathBuf,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn check(&mut self, raw: RawFile) -> IdentifierFile {
        let mut file = IdentifierFile::default();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for spanned in raw.identifier {
            let raw = spanned.into_inner();
            let entry = Entry::Identifier(raw.name.get_ref().clone());
            self.unique(&mut first_seen, &raw.name, entry.clone());
            if let Some(identifier) = self.identifier(raw, entry) {
                file.identifiers.push(identifier);
            }
        }
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for spanned in raw.allow_list {
            let raw = spanned.into_inner();
            let entry = Entry::AllowList(raw.name.get_ref().clone());
            self.unique(&mut first_seen, &raw.name, entry.clone());
            if let Some(list) = self.allow_list(raw, entry) {
                file.allow_lists.push(list);
            }
        }
        if let Some(raw) = raw.redaction {
            file.redaction = self.redaction(raw);
        }
        file
    }

    fn redaction(&mut self, raw: RawRedaction) -> Redaction {
        let entry = Entry::Redaction;
        let mut redaction = Redaction::default();
        if let Some(default) = raw.default {
            let span = default.span();
            let op = default.into_inner();
            if let Some(operator) = self.operator(&span, op.with, op.keep_first, op.keep_last) {
                redaction.default = operator;
            }
        }
        let mut first_rule: HashMap<String, usize> = HashMap::new();
        for rule in raw.rule {
            let line = self.line(&rule.span());
            let span = rule.span();
            let rule = rule.into_inner();
            for name in &rule.identifiers {
                if let Some(&first_line) = first_rule.get(name.get_ref()) {
                    self.report(
                        &name.span(),
                        &entry,
                        ProblemKind::DuplicateRule {
                            name: name.get_ref().clone(),
                            first_line,
                        },
                    );
                } else {
                    first_rule.insert(name.get_ref().clone(), line);
                }
            }
            if let Some(operator) = self.operator(&span, rule.with, rule.keep_first, rule.keep_last)
            {
                redaction.rules.push(RedactionRule {
                    identifiers: rule
                        .identifiers
                        .into_iter()
                        .map(Spanned::into_inner)
                        .collect(),
                    operator,
                    line,
                });
            }
        }
        redaction.key_file = raw.key_file.map(|path| self.folder.join(path.get_ref()));
        redaction
    }

    /// Checks one operator: its name, and `keep_first`/`keep_last` only with `mask`.
    fn operator(
        &mut self,
        span: &Range<usize>,
        with: Spanned<String>,
        keep_first: Option<Spanned<i64>>,
        keep_last: Option<Spanned<i64>>,
    ) -> Option<Operator> {
        let entry = Entry::Redaction;
        let kept = |this: &mut Self, field: &'static str, value: Option<Spanned<i64>>| {
            let value = value?;
            match u32::try_from(*value.get_ref()) {
                Ok(n) if n <= redaction::MAX_KEPT_CHARS => Some(n),
                _ => {
                    this.report(
                        &value.span(),
                        &entry,
                        ProblemKind::Limit {
                            field,
                            rule: format!("between 0 and {}", redaction::MAX_KEPT_CHARS),
                            found: value.get_ref().to_string(),
                        },
                    );
                    None
                }
            }
        };
        let first = keep_first.as_ref().map(|v| v.span());
        let last = keep_last.as_ref().map(|v| v.span());
        let keep_first_value = kept(self, "keep_first", keep_first);
        let keep_last_value = kept(self, "keep_last", keep_last);
        match with.get_ref().as_str() {
            "mask" => Some(Operator::Mask {
                keep_first: keep_first_value.unwrap_or(0),
                keep_last: keep_last_value.unwrap_or(0),
            }),
            other @ ("replace" | "hash") => {
                for (field, at) in [("keep_first", first), ("keep_last", last)] {
                    if let Some(at) = at {
                        self.report(&at, &entry, ProblemKind::MaskOnly(field));
                    }
                }
                Some(if other == "hash" {
                    Operator::Hash
                } else {
                    Operator::Replace
                })
            }
            other => {
                let at = if with.span().is_empty() {
                    span.clone()
                } else {
                    with.span()
                };
                self.report(&at, &entry, ProblemKind::UnknownOperator(other.to_owned()));
                None
            }
        }
    }

    fn line(&self, span: &Range<usize>) -> usize {
        line_of(self.text, span.start)
    }

    fn report(&mut self, span: &Range<usize>, entry: &Entry, kind: ProblemKind) {
        self.problems.push(Problem {
            line: self.line(span),
            entry: Some(entry.clone()),
            kind,
        });
    }

    fn unique(&mut self, seen: &mut HashMap<String, usize>, name: &Spanned<String>, entry: Entry) {
        let line = self.line(&name.span());
        match seen.get(name.get_ref()) {
            Some(&first_line) => self.report(
                &name.span(),
                &entry,
                ProblemKind::DuplicateName { first_line },
            ),
            None => {
                seen.insert(name.get_ref().clone(), line);
            }
        }
    }

    /// Checks a string's length in characters against `(min, max)`.
    fn length(
        &mut self,
        value: &Spanned<String>,
        entry: &Entry,
        field: &'static str,
        (min, max): (usize, usize),
    ) -> bool {
        let chars = value.get_ref().chars().count();
        if (min..=max).contains(&chars) {
            return true;
        }
        self.report(
            &value.span(),
            entry,
            ProblemKind::Limit {
                field,
                rule: format!("{min} to {max} characters long"),
                found: format!("{chars}"),
            },
        );
        false
    }

    fn count<T>(&mut self, items: &[Spanned<T>], entry: &Entry, field: &'static str, max: usize) {
        if items.len() > max {
            let span = items[max].span();
            self.report(
                &span,
                entry,
                ProblemKind::Limit {
                    field,
                    rule: format!("at most {max} entries"),
                    found: format!("{}", items.len()),
                },
            );
        }
    }

    fn words(
        &mut self,
        words: Vec<Spanned<String>>,
        entry: &Entry,
        field: &'static str,
        max: usize,
        chars: (usize, usize),
    ) -> Vec<String> {
        self.count(&words, entry, field, max);
        words
            .into_iter()
            .filter(|w| self.length(w, entry, field, chars))
            .map(Spanned::into_inner)
            .collect()
    }

    fn pattern(&mut self, source: &Spanned<String>, entry: &Entry) -> Option<Pattern> {
        if !self.length(source, entry, "regex", (1, limits::REGEX_CHARS)) {
            return None;
        }
        match Pattern::new(source.get_ref()) {
            Ok(pattern) => Some(pattern),
            Err(e) => {
                self.report(&source.span(), entry, e.into());
                None
            }
        }
    }

    fn identifier(&mut self, raw: RawIdentifier, entry: Entry) -> Option<CustomIdentifier> {
        let problems_before = self.problems.len();
        self.length(&raw.name, &entry, "name", (1, limits::NAME_CHARS));
        if let Some(description) = &raw.description {
            self.length(
                description,
                &entry,
                "description",
                (0, limits::DESCRIPTION_CHARS),
            );
        }
        let pattern = self.pattern(&raw.regex, &entry);
        let keywords = self.words(
            raw.keywords,
            &entry,
            "keywords",
            limits::KEYWORDS,
            limits::KEYWORD_CHARS,
        );
        let ignore_words = self.words(
            raw.ignore_words,
            &entry,
            "ignore_words",
            limits::IGNORE_WORDS,
            limits::IGNORE_WORD_CHARS,
        );
        let maximum_match_distance = match raw.maximum_match_distance {
            None => limits::DEFAULT_MATCH_DISTANCE,
            Some(distance) => {
                let (min, max) = limits::MATCH_DISTANCE;
                let value = *distance.get_ref();
                match u32::try_from(value) {
                    Ok(v) if (min..=max).contains(&v) => v,
                    _ => {
                        self.report(
                            &distance.span(),
                            &entry,
                            ProblemKind::Limit {
                                field: "maximum_match_distance",
                                rule: format!("between {min} and {max}"),
                                found: value.to_string(),
                            },
                        );
                        limits::DEFAULT_MATCH_DISTANCE
                    }
                }
            }
        };
        let severity_levels = match raw.severity_levels {
            None => SeverityLevels::default(),
            Some(levels) => self.severity_levels(levels, &entry),
        };
        let validator = raw.validator.and_then(|name| {
            let found = Validator::from_file_name(name.get_ref());
            if found.is_none() {
                let expected = Validator::FILE_NAMES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ");
                self.report(
                    &name.span(),
                    &entry,
                    ProblemKind::UnknownValidator {
                        found: name.get_ref().clone(),
                        expected,
                    },
                );
            }
            found
        });
        if self.problems.len() > problems_before {
            return None;
        }
        Some(CustomIdentifier {
            name: raw.name.into_inner(),
            description: raw.description.map(Spanned::into_inner),
            pattern: pattern?,
            keywords,
            ignore_words,
            maximum_match_distance,
            severity_levels,
            validator,
        })
    }

    fn severity_levels(
        &mut self,
        levels: Spanned<Vec<Spanned<RawSeverityLevel>>>,
        entry: &Entry,
    ) -> SeverityLevels {
        let span = levels.span();
        let levels = levels.into_inner();
        if levels.len() > limits::SEVERITY_LEVELS {
            self.report(
                &span,
                entry,
                ProblemKind::SeverityLevels(format!(
                    "may hold at most {} levels (found {})",
                    limits::SEVERITY_LEVELS,
                    levels.len()
                )),
            );
            return SeverityLevels::default();
        }
        let mut parsed: Vec<SeverityLevel> = Vec::with_capacity(levels.len());
        for level in &levels {
            let raw = level.get_ref();
            let Some(severity) = Severity::parse(&raw.severity) else {
                self.report(
                    &level.span(),
                    entry,
                    ProblemKind::SeverityLevels(format!(
                        "severity `{}` is not one of LOW, MEDIUM, HIGH",
                        raw.severity
                    )),
                );
                continue;
            };
            let Ok(occurrences_threshold) = u64::try_from(raw.occurrences_threshold) else {
                self.report(
                    &level.span(),
                    entry,
                    ProblemKind::SeverityLevels(format!(
                        "occurrences_threshold must be at least 1 (found {})",
                        raw.occurrences_threshold
                    )),
                );
                continue;
            };
            if occurrences_threshold == 0 {
                self.report(
                    &level.span(),
                    entry,
                    ProblemKind::SeverityLevels(
                        "occurrences_threshold must be at least 1 (found 0)".to_owned(),
                    ),
                );
                continue;
            }
            if let Some(previous) = parsed.last() {
                if severity <= previous.severity
                    || occurrences_threshold <= previous.occurrences_threshold
                {
                    self.report(
                        &level.span(),
                        entry,
                        ProblemKind::SeverityLevels(format!(
                            "must ascend from LOW to HIGH with strictly ascending thresholds \
                             ({} at {} follows {} at {})",
                            severity,
                            occurrences_threshold,
                            previous.severity,
                            previous.occurrences_threshold
                        )),
                    );
                    continue;
                }
            }
            parsed.push(SeverityLevel {
                occurrences_threshold,
                severity,
            });
        }
        SeverityLevels::new(parsed)
    }

    fn allow_list(&mut self, raw: RawAllowList, entry: Entry) -> Option<AllowList> {
        let problems_before = self.problems.len();
        self.length(&raw.name, &entry, "name", (1, limits::NAME_CHARS));
        let entries = match (raw.words, raw.regex, raw.s3) {
            (Some(words), None, None) => {
                let words = words.into_inner();
                let words = words
                    .into_iter()
                    .filter(|w| self.length(w, &entry, "words", limits::ALLOW_WORD_CHARS))
                    .map(Spanned::into_inner)
                    .collect();
                Some(AllowListEntries::Words(words))
            }
            (None, Some(regex), None) => self.pattern(&regex, &entry).map(AllowListEntries::Regex),
            (None, None, Some(s3)) => match S3Location::parse(s3.get_ref()) {
                Some(location) => Some(AllowListEntries::S3(location)),
                None => {
                    self.report(
                        &s3.span(),
                        &entry,
                        ProblemKind::Limit {
                            field: "s3",
                            rule: "s3://bucket/key".to_owned(),
                            found: format!("{:?}", s3.get_ref()),
                        },
                    );
                    None
                }
            },
            _ => {
                self.report(&raw.name.span(), &entry, ProblemKind::AllowListShape);
                None
            }
        };
        if self.problems.len() > problems_before {
            return None;
        }
        Some(AllowList {
            name: raw.name.into_inner(),
            entries: entries?,
        })
    }
}

#[cfg(test)]
mod s3_allow_list_tests {
    use super::*;

    #[test]
    fn an_s3_allow_list_is_a_reference_until_resolved() {
        let text = "[[allow_list]]\nname = \"numbers\"\ns3 = \"s3://lists/a/b.txt\"\n";
        let mut file = IdentifierFile::parse(Path::new("ids.toml"), text).expect("valid");
        let location = S3Location {
            bucket: "lists".to_owned(),
            key: "a/b.txt".to_owned(),
        };
        assert_eq!(
            file.s3_allow_lists(),
            vec![("numbers".to_owned(), location)]
        );
        file.resolve_allow_list("numbers", vec!["x".to_owned()]);
        assert!(file.s3_allow_lists().is_empty());
    }

    #[test]
    fn a_bad_s3_reference_or_two_sources_are_refused() {
        for (text, expected) in [
            (
                "[[allow_list]]\nname = \"n\"\ns3 = \"s3://bucket-only\"\n",
                "s3://bucket/key",
            ),
            (
                "[[allow_list]]\nname = \"n\"\nwords = [\"a\"]\ns3 = \"s3://b/k\"\n",
                "exactly one of",
            ),
        ] {
            let error = IdentifierFile::parse(Path::new("ids.toml"), text).expect_err(text);
            assert!(error.to_string().contains(expected), "{error}");
        }
    }

    #[test]
    fn allow_list_objects_are_one_entry_a_line_within_macies_limits() {
        let words = allow_list_words(b"\xef\xbb\xbfone\r\n\n  two words  \nthree").expect("valid");
        assert_eq!(words, ["one", "two words", "three"]);
        let long = format!("ok\n{}\n", "x".repeat(91));
        assert_eq!(
            allow_list_words(long.as_bytes()),
            Err(AllowListTextError::EntryLength {
                line: 2,
                low: 1,
                high: 90,
                found: 91
            })
        );
        assert_eq!(allow_list_words(b"\xff"), Err(AllowListTextError::NotText));
    }
}
