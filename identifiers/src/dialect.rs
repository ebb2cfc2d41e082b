//! Macie's regex dialect: validation and translation to `regex-syntax`.
//!
//! Analysts write custom data identifiers in Amazon Macie's dialect, a subset
//! of PCRE. ferret compiles patterns with `regex-automata`, whose syntax
//! (`regex-syntax` 0.8) reads many constructs differently: `\<` is a word
//! boundary instead of a literal `<`, `[` inside a class opens a nested class,
//! `&&`, `--` and `~~` inside a class are set operations, `{,3}` is an error
//! rather than literal text, `\Q...\E` and `(?#...)` do not exist, and so on.
//! Handing an analyst's pattern to `regex-syntax` unchanged would therefore
//! either fail or, worse, silently match something else.
//!
//! [`translate`] walks the pattern once with a small hand-written tokenizer
//! that follows PCRE2's own parsing rules (escapes, character classes, groups,
//! quantifiers), refuses the constructs Macie does not support with a message
//! naming the construct and its position, and emits an equivalent pattern made
//! only of constructs whose meaning is the same in every `regex-syntax`
//! configuration we use. [`syntax_config`] gives the settings to compile it with.
//!
//! # Matching model
//!
//! The compiled regex runs over raw bytes, but the translation reproduces
//! PCRE2's UTF mode without UCP, which is how a PCRE-based service matches
//! decoded text:
//!
//! * `\d`, `\w`, `\s`, POSIX classes and `\b` are ASCII-only. A non-ASCII
//!   letter such as `é` is neither `\w` nor a word character for `\b`.
//! * `.`, `\N`, negated classes and `\D`/`\W`/`\S`/... consume one whole UTF-8
//!   encoded character, never part of one, so a match never starts, ends or
//!   counts in the middle of a multi-byte character. Like PCRE2 with
//!   `PCRE2_MATCH_INVALID_UTF`, bytes that are not valid UTF-8 are never matched
//!   by these constructs.
//! * Non-ASCII literals (`é`, `\x{e9}`) match their UTF-8 encoding: `\xhh`,
//!   `\x{...}`, `\o{...}` and octal escapes denote code points, not bytes.
//! * `\h` and `\v` have PCRE's definitions, which include a few non-ASCII
//!   spaces (no-break space, em space, line separator, ...).
//! * Under `(?i)` letters fold with Unicode simple case folding, as in PCRE2's
//!   UTF mode: `(?i)é` matches `É` and `(?i)k` matches the Kelvin sign.
//! * `^` and `\A` match at the start of the text unit; `$`, `\z` and `\Z` match
//!   only at its very end. (In PCRE `$` and `\Z` also match before a final
//!   newline; the project's contract defines them as the end of the text unit,
//!   and a zero-width "before a final newline" cannot be expressed without
//!   look-ahead.)
//!
//! # Translated, not rejected
//!
//! Capturing and named groups (named groups become plain capturing groups, so
//! group numbers are preserved), `(?i)` in every scoped form, `(?#...)`
//! comments, `\Q...\E`, every PCRE escape that denotes a character, `\R`
//! (translated without PCRE's atomicity, which only differs when the next item
//! could also match the `\n` of a `\r\n`), `[[:<:]]`/`[[:>:]]`, PCRE's literal
//! `{` rules (`x{,3}` and `x{a}` are literal text) and branch-reset groups
//! `(?|...)` (which only renumber groups, and nothing can refer to a group
//! number in this dialect).
//!
//! `x{,3}` follows PCRE2 up to 10.42 (and PCRE1), where it is literal text;
//! PCRE2 10.43 reads it as `x{0,3}`. Macie's limits on pattern length and on
//! bounded repetition sizes are not checked here.

use std::fmt;

use regex_automata::util::syntax;
use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

/// A construct of PCRE that Macie's dialect does not accept.
///
/// Macie's documentation lists backreferences, look-around, conditionals,
/// recursion, embedded code and global flags as unsupported. The remaining
/// variants are PCRE features that depend on backtracking, on match state a
/// finite automaton does not have, or on Unicode properties, none of which the
/// matcher can honour; they are refused rather than approximated so that a
/// pattern never silently matches differently from what its author tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsupported {
    /// `\1`, `\g{1}`, `\g-1`, `\k<name>`, `(?P=name)`, ...
    Backreference,
    /// `(?=`, `(?!`, `(?<=`, `(?<!`, `(*pla:`, ...
    LookAround,
    /// `(?(condition)yes|no)`.
    Conditional,
    /// `(?R)`, `(?1)`, `(?&name)`, `(?P>name)`, `\g<name>`, ...
    Recursion,
    /// `(?{code})`, `(??{code})`, callouts `(?C)`.
    EmbeddedCode,
    /// Inline flags other than `i` (`(?m)`, `(?s)`, `(?x)`, ...), start-of-pattern
    /// options such as `(*UTF)`, and delimiters with trailing flags (`/abc/i`).
    GlobalFlag,
    /// `(?>...)` and `(*atomic:...)`.
    AtomicGroup,
    /// `a++`, `a*+`, `a?+`, `a{2,}+`.
    PossessiveQuantifier,
    /// `(*SKIP)`, `(*FAIL)`, `(*COMMIT)`, `(*MARK:x)`, ...
    BacktrackingVerb,
    /// `\p{..}`, `\P{..}` and script runs: Macie's classes are ASCII.
    UnicodeProperty,
    /// `\X`, an extended grapheme cluster.
    GraphemeCluster,
    /// `\K`, which moves the reported start of the match.
    MatchStartReset,
    /// `\G`, which anchors at the end of the previous match.
    PreviousMatchAnchor,
    /// `\C`, a single code unit, which can split a UTF-8 character.
    SingleCodeUnit,
}

impl Unsupported {
    /// The construct's name as shown to analysts.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Backreference => "backreference",
            Self::LookAround => "look-around",
            Self::Conditional => "conditional",
            Self::Recursion => "recursion",
            Self::EmbeddedCode => "embedded code",
            Self::GlobalFlag => "global flag",
            Self::AtomicGroup => "atomic group",
            Self::PossessiveQuantifier => "possessive quantifier",
            Self::BacktrackingVerb => "backtracking verb",
            Self::UnicodeProperty => "Unicode property",
            Self::GraphemeCluster => "grapheme cluster escape",
            Self::MatchStartReset => "match start reset",
            Self::PreviousMatchAnchor => "previous-match anchor",
            Self::SingleCodeUnit => "single code unit escape",
        }
    }

    /// What to write instead, when there is a simple answer ("" otherwise).
    fn hint(self) -> &'static str {
        match self {
            Self::GlobalFlag => {
                "; only the `(?i)` flag is allowed, written inside the pattern \
                 (for example `(?i)abc` instead of `/abc/i`)"
            }
            Self::AtomicGroup => "; use a plain group `(?:...)` instead",
            Self::PossessiveQuantifier => "; use a plain quantifier such as `+` instead",
            Self::UnicodeProperty => "; use an ASCII class such as `[A-Za-z]` instead",
            _ => "",
        }
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a pattern was refused.
///
/// The `Display` output is a single line an analyst can act on: it names the
/// construct, quotes it and gives its 1-based character position in the
/// pattern, e.g. "backreference `\1` at character 12 is not supported by
/// Macie's regex dialect".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialectError {
    /// The pattern uses a PCRE construct that Macie does not support.
    #[error(
        "{construct} `{}` at character {position} is not supported by Macie's regex dialect{}",
        one_line(text),
        construct.hint()
    )]
    Unsupported {
        /// Which construct.
        construct: Unsupported,
        /// The construct as written in the pattern (possibly shortened).
        text: String,
        /// 1-based character (not byte) position of its first character.
        position: usize,
    },
    /// The pattern is not a valid regex at all (unbalanced parentheses, a
    /// quantifier with nothing to repeat, a bad escape, ...).
    #[error("invalid regex: {message}")]
    Syntax {
        /// A one-line description, with a position where one is known.
        message: String,
    },
}

/// Checks a Macie pattern and returns the equivalent pattern for `regex-syntax`.
///
/// The result must be compiled with [`syntax_config`]; under other settings
/// (Unicode mode, for instance) it could mean something else. A pattern that is
/// accepted here is guaranteed to parse under that configuration; compiling it
/// can still fail on the automaton size limits of the caller's builder.
///
/// # Errors
///
/// [`DialectError::Unsupported`] for a construct Macie refuses, and
/// [`DialectError::Syntax`] for a pattern PCRE itself would refuse. Either
/// reports the first problem from the left.
pub fn translate(pattern: &str) -> Result<String, DialectError> {
    let chars: Vec<char> = pattern.chars().collect();
    reject_delimiters(&chars)?;
    let translated = Translator::new(&chars).run()?;
    // The translator only emits constructs it knows regex-syntax accepts, so
    // this is a safety net (and catches limits such as nesting depth): every
    // `Ok` from this function parses under the configuration we hand out.
    syntax::parse_with(&translated, &syntax_config()).map_err(|err| DialectError::Syntax {
        message: short_syntax_message(&err),
    })?;
    Ok(translated)
}

/// The `regex-syntax` settings under which translated patterns keep PCRE's
/// meaning.
///
/// * Unicode mode off: `\b` and case folding outside the translator's explicit
///   `(?u:...)` groups are ASCII, as in PCRE without UCP.
/// * UTF-8 mode off: the matcher runs over raw bytes and ASCII `\b` is allowed.
///   (Translated patterns still never match part of a UTF-8 character.)
/// * Case-sensitive, `^`/`$` at the ends of the text unit (not of lines), `.`
///   not matching `\n`, no whitespace-insensitive mode, no octal escapes: the
///   defaults of PCRE, spelled out so that nobody's later default change can
///   alter them.
#[must_use]
pub fn syntax_config() -> syntax::Config {
    syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(false)
        .multi_line(false)
        .dot_matches_new_line(false)
        .crlf(false)
        .line_terminator(b'\n')
        .swap_greed(false)
        .ignore_whitespace(false)
        .octal(false)
}

// ---------------------------------------------------------------------------
// Errors and small helpers
// ---------------------------------------------------------------------------

/// The longest construct quoted in a message, in characters.
const MAX_QUOTE: usize = 40;

/// Largest repetition count PCRE accepts in `{n,m}`.
const MAX_REPEAT: u32 = 65_535;

/// Letters that, after a closing `/`, make `/pattern/flags` look like a regex
/// literal from Perl, PHP or JavaScript rather than a pattern about slashes.
const DELIMITER_FLAGS: &str = "gimsxuyUnJADSX";

fn unsupported(construct: Unsupported, text: String, index: usize) -> DialectError {
    DialectError::Unsupported {
        construct,
        text,
        position: index + 1,
    }
}

fn syntax_error(message: String) -> DialectError {
    DialectError::Syntax {
        message: one_line(&message),
    }
}

/// Makes quoted pattern text safe for a one-line message: control characters
/// (newlines included) are shown as escapes.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{{{:X}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// regex-syntax's `Display` draws the pattern with carets under the error on
/// several lines, and its positions refer to the translated pattern, which the
/// analyst never sees. Keep only the description.
fn short_syntax_message(err: &regex_syntax::Error) -> String {
    let text = match err {
        regex_syntax::Error::Parse(e) => e.kind().to_string(),
        regex_syntax::Error::Translate(e) => e.kind().to_string(),
        other => other.to_string(),
    };
    one_line(text.lines().next().unwrap_or("invalid pattern"))
}

/// Rejects `/abc/i`-style patterns: a regex literal with delimiters and
/// trailing flags copied from code, where the flags would silently become
/// literal text to match.
fn reject_delimiters(chars: &[char]) -> Result<(), DialectError> {
    if chars.first() != Some(&'/') {
        return Ok(());
    }
    let Some(close) = chars.iter().rposition(|&c| c == '/') else {
        return Ok(());
    };
    if close == 0 {
        return Ok(());
    }
    let backslashes = chars[..close]
        .iter()
        .rev()
        .take_while(|&&c| c == '\\')
        .count();
    if backslashes % 2 == 1 {
        return Ok(());
    }
    let flags = &chars[close + 1..];
    let all_flags = flags.iter().all(|&c| DELIMITER_FLAGS.contains(c));
    let distinct = flags
        .iter()
        .enumerate()
        .all(|(i, c)| !flags[..i].contains(c));
    if !flags.is_empty() && all_flags && distinct {
        let text: String = chars[close..].iter().collect();
        return Err(unsupported(Unsupported::GlobalFlag, text, close));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Character sets
// ---------------------------------------------------------------------------

type Ranges = &'static [(char, char)];

const ASCII: Ranges = &[('\0', '\x7F')];
const NON_ASCII: Ranges = &[('\u{80}', char::MAX)];
const DIGIT: Ranges = &[('0', '9')];
const WORD: Ranges = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
/// PCRE2's `\s`: HT, LF, VT, FF, CR and space.
const SPACE: Ranges = &[('\t', '\r'), (' ', ' ')];
/// PCRE's `\h`, which is not limited to ASCII even without UCP.
const HSPACE: Ranges = &[
    ('\t', '\t'),
    (' ', ' '),
    ('\u{A0}', '\u{A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];
/// PCRE's `\v`: LF, VT, FF, CR, NEL, LS and PS.
const VSPACE: Ranges = &[('\n', '\r'), ('\u{85}', '\u{85}'), ('\u{2028}', '\u{2029}')];

/// POSIX classes, with their ASCII meaning (PCRE without UCP).
fn posix_class(name: &str) -> Option<Ranges> {
    Some(match name {
        "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        "alpha" => &[('A', 'Z'), ('a', 'z')],
        "ascii" => ASCII,
        "blank" => &[('\t', '\t'), (' ', ' ')],
        "cntrl" => &[('\0', '\x1F'), ('\x7F', '\x7F')],
        "digit" => DIGIT,
        "graph" => &[('!', '~')],
        "lower" => &[('a', 'z')],
        "print" => &[(' ', '~')],
        "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        "space" => SPACE,
        "upper" => &[('A', 'Z')],
        "word" => WORD,
        "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
        _ => return None,
    })
}

fn set_of(ranges: Ranges) -> ClassUnicode {
    ClassUnicode::new(ranges.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)))
}

fn single(c: char) -> ClassUnicode {
    ClassUnicode::new([ClassUnicodeRange::new(c, c)])
}

/// A Perl class escape (`\d`, `\W`, ...) as a set, or `None` for other letters.
fn perl_class(letter: char) -> Option<ClassUnicode> {
    let ranges = match letter.to_ascii_lowercase() {
        'd' => DIGIT,
        'w' => WORD,
        's' => SPACE,
        'h' => HSPACE,
        'v' => VSPACE,
        _ => return None,
    };
    let mut set = set_of(ranges);
    if letter.is_ascii_uppercase() {
        set.negate();
    }
    Some(set)
}

/// Unicode simple case folding, as PCRE2 applies it in UTF mode.
fn fold(set: &mut ClassUnicode) {
    // This fails only when regex-syntax is built without its case tables
    // (they are a default feature); the exact set is then the best we have.
    let _tables_missing = set.try_case_fold_simple();
}

/// Whether `(?i)c` needs Unicode folding to match what PCRE's UTF mode
/// matches: true for non-ASCII letters (`é`) and for the ASCII letters whose
/// fold orbit leaves ASCII (`k` and the Kelvin sign, `s` and the long s).
fn folds_beyond_ascii(c: char) -> bool {
    let mut set = single(c);
    fold(&mut set);
    set.ranges().iter().any(|r| r.end() > '\x7F') && set != single(c)
}

// ---------------------------------------------------------------------------
// Output helpers
// ---------------------------------------------------------------------------

/// Appends `c` as a literal that regex-syntax reads as exactly that character:
/// metacharacters escaped, control and space characters as hex escapes.
fn push_literal(out: &mut String, c: char) {
    if c.is_ascii() {
        if regex_syntax::is_meta_character(c) {
            out.push('\\');
            out.push(c);
        } else if c.is_ascii_graphic() || c == ' ' {
            out.push(c);
        } else {
            push_hex(out, c);
        }
    } else if c.is_control() || c.is_whitespace() {
        push_hex(out, c);
    } else {
        out.push(c);
    }
}

fn push_hex(out: &mut String, c: char) {
    out.push_str(&format!("\\x{{{:X}}}", u32::from(c)));
}

/// Appends `c` as a member of a bracketed class: printable ASCII as itself
/// (escaped if regex-syntax gives it a meaning, as with `-`, `[`, `&` or `~`),
/// anything else as a hex escape.
fn push_class_char(out: &mut String, c: char) {
    if c.is_ascii_graphic() {
        if regex_syntax::is_meta_character(c) {
            out.push('\\');
        }
        out.push(c);
    } else {
        push_hex(out, c);
    }
}

fn push_ranges(out: &mut String, set: &ClassUnicode) {
    for r in set.ranges() {
        push_class_char(out, r.start());
        if r.end() != r.start() {
            if u32::from(r.end()) > u32::from(r.start()) + 1 {
                out.push('-');
            }
            push_class_char(out, r.end());
        }
    }
}

/// Appends a single-character item matching exactly the code points of `set`.
///
/// ASCII members become a byte class. Non-ASCII members become a class in a
/// `(?u:...)` group, which matches their whole UTF-8 encodings (a byte class
/// cannot hold them, and one over bytes 0x80-0xFF would split characters).
/// Under `(?i)` the caller has already folded what PCRE folds (literal members
/// of a class, not class escapes), so the item is wrapped in `(?-i:...)` to
/// stop regex-syntax folding it again: `\W` contains the Kelvin sign, which
/// must not pull in `k`.
fn push_set(out: &mut String, set: &ClassUnicode, case_insensitive: bool) {
    let mut ascii = set.clone();
    ascii.intersect(&set_of(ASCII));
    let mut non_ascii = set.clone();
    non_ascii.intersect(&set_of(NON_ASCII));

    let mut parts: Vec<String> = Vec::with_capacity(2);
    if !ascii.ranges().is_empty() {
        let mut part = String::from("[");
        push_ranges(&mut part, &ascii);
        part.push(']');
        parts.push(part);
    }
    if !non_ascii.ranges().is_empty() {
        // Write whichever of the set and its complement is shorter.
        let mut complement = set_of(NON_ASCII);
        complement.difference(&non_ascii);
        let mut part = String::from("(?u:[");
        if complement.ranges().len() < non_ascii.ranges().len() {
            part.push_str("^\\x{0}-\\x{7F}");
            push_ranges(&mut part, &complement);
        } else {
            push_ranges(&mut part, &non_ascii);
        }
        part.push_str("])");
        parts.push(part);
    }
    let body = match parts.len() {
        // The empty set: a byte class that matches nothing.
        0 => String::from("[^\\x00-\\xFF]"),
        _ => parts.join("|"),
    };
    if case_insensitive {
        out.push_str("(?-i:");
        out.push_str(&body);
        out.push(')');
    } else if parts.len() > 1 {
        out.push_str("(?:");
        out.push_str(&body);
        out.push(')');
    } else {
        out.push_str(&body);
    }
}

// ---------------------------------------------------------------------------
// The translator
// ---------------------------------------------------------------------------

/// What the item just before the current position can take, for PCRE's rule
/// that a quantifier must follow a repeatable item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Start of pattern or group, `|`, an assertion or a flag setting.
    Nothing,
    /// A character, class or group.
    Item,
    /// An item with a quantifier already.
    Quantified,
}

/// An open group.
#[derive(Debug)]
struct Frame {
    /// Index of its `(` in the pattern.
    open: usize,
    /// The `(?i)` state to restore when it closes.
    outer_case_insensitive: bool,
    /// Whether it is a branch-reset group `(?|...)`, where duplicate names are legal.
    branch_reset: bool,
}

/// One element read inside a character class.
enum ClassAtom {
    Char(char),
    Set(ClassUnicode),
    End,
}

/// A parsed `{n}`, `{n,}` or `{n,m}`.
struct Brace {
    text: String,
    end: usize,
}

struct Translator<'p> {
    chars: &'p [char],
    pos: usize,
    out: String,
    case_insensitive: bool,
    groups: Vec<Frame>,
    captures: usize,
    names: Vec<String>,
    last: Last,
}

impl<'p> Translator<'p> {
    fn new(chars: &'p [char]) -> Self {
        Translator {
            chars,
            pos: 0,
            out: String::with_capacity(chars.len() * 2),
            case_insensitive: false,
            groups: Vec::new(),
            captures: 0,
            names: Vec::new(),
            last: Last::Nothing,
        }
    }

    fn at(&self, index: usize) -> Option<char> {
        self.chars.get(index).copied()
    }

    fn peek(&self) -> Option<char> {
        self.at(self.pos)
    }

    fn looking_at(&self, index: usize, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(offset, c)| self.at(index + offset) == Some(c))
    }

    /// The pattern text from `start` to `end` (exclusive), shortened for quoting.
    fn text(&self, start: usize, end: usize) -> String {
        let end = end.min(self.chars.len());
        let start = start.min(end);
        let slice = &self.chars[start..end];
        if slice.len() > MAX_QUOTE {
            let mut s: String = slice[..MAX_QUOTE].iter().collect();
            s.push('…');
            s
        } else {
            slice.iter().collect()
        }
    }

    /// The pattern text from `start` through the first `close` at or after
    /// `from` (or to the end of the pattern if there is none).
    fn text_through(&self, start: usize, from: usize, close: char) -> String {
        let end = self.chars[from.min(self.chars.len())..]
            .iter()
            .position(|&c| c == close)
            .map_or(self.chars.len(), |p| from + p + 1);
        self.text(start, end)
    }

    fn run(mut self) -> Result<String, DialectError> {
        while let Some(c) = self.peek() {
            match c {
                '\\' => self.escape()?,
                '[' => self.class()?,
                '(' => self.open_group()?,
                ')' => self.close_group()?,
                '|' => {
                    self.pos += 1;
                    self.out.push('|');
                    self.last = Last::Nothing;
                }
                '*' | '+' | '?' => {
                    self.pos += 1;
                    self.quantifier(self.pos - 1, c.to_string())?;
                }
                '{' => match self.brace_quantifier(self.pos)? {
                    Some(brace) => {
                        let start = self.pos;
                        self.pos = brace.end;
                        self.quantifier(start, brace.text)?;
                    }
                    None => {
                        self.pos += 1;
                        self.literal('{');
                    }
                },
                '^' => {
                    self.pos += 1;
                    self.assertion("\\A");
                }
                '$' => {
                    self.pos += 1;
                    self.assertion("\\z");
                }
                '.' => {
                    self.pos += 1;
                    self.any_but_newline();
                }
                _ => {
                    self.pos += 1;
                    self.literal(c);
                }
            }
        }
        if let Some(frame) = self.groups.last() {
            return Err(syntax_error(format!(
                "missing `)` for the group opened at character {}",
                frame.open + 1
            )));
        }
        Ok(self.out)
    }

    // -- items --------------------------------------------------------------

    fn literal(&mut self, c: char) {
        if self.case_insensitive && folds_beyond_ascii(c) {
            self.out.push_str("(?u:");
            push_literal(&mut self.out, c);
            self.out.push(')');
        } else {
            push_literal(&mut self.out, c);
        }
        self.last = Last::Item;
    }

    fn set_item(&mut self, set: &ClassUnicode) {
        push_set(&mut self.out, set, self.case_insensitive);
        self.last = Last::Item;
    }

    fn any_but_newline(&mut self) {
        // One whole UTF-8 character other than `\n` (see the module docs).
        self.out.push_str("(?u:[^\\n])");
        self.last = Last::Item;
    }

    fn assertion(&mut self, text: &str) {
        self.out.push_str(text);
        self.last = Last::Nothing;
    }

    // -- quantifiers --------------------------------------------------------

    /// Emits a quantifier that started at `start` and whose text (`*`, `{2,}`,
    /// ...) has been consumed, then its lazy or possessive suffix.
    fn quantifier(&mut self, start: usize, text: String) -> Result<(), DialectError> {
        if self.last != Last::Item {
            return Err(syntax_error(format!(
                "quantifier `{}` at character {} does not follow a repeatable item",
                one_line(&text),
                start + 1
            )));
        }
        self.out.push_str(&text);
        match self.peek() {
            Some('?') => {
                self.pos += 1;
                self.out.push('?');
            }
            Some('+') => {
                return Err(unsupported(
                    Unsupported::PossessiveQuantifier,
                    self.text(start, self.pos + 1),
                    start,
                ));
            }
            _ => {}
        }
        self.last = Last::Quantified;
        Ok(())
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at `start`. Anything else (including
    /// `{,n}`) is not a quantifier in PCRE2 10.42 but literal text: `None`.
    fn brace_quantifier(&self, start: usize) -> Result<Option<Brace>, DialectError> {
        let digits = |mut i: usize| -> (Option<u32>, usize) {
            let begin = i;
            let mut value: u32 = 0;
            while let Some(d) = self.at(i).and_then(|c| c.to_digit(10)) {
                value = value.saturating_mul(10).saturating_add(d);
                i += 1;
            }
            ((i > begin).then_some(value), i)
        };
        let (Some(min), mut i) = digits(start + 1) else {
            return Ok(None);
        };
        let max = match self.at(i) {
            Some('}') => Some(min),
            Some(',') => {
                let (max, next) = digits(i + 1);
                i = next;
                if self.at(i) != Some('}') {
                    return Ok(None);
                }
                max
            }
            _ => return Ok(None),
        };
        let end = i + 1;
        let text = self.text(start, end);
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
            return Err(syntax_error(format!(
                "number too big in quantifier `{text}` at character {} (the maximum is {MAX_REPEAT})",
                start + 1
            )));
        }
        if max.is_some_and(|m| m < min) {
            return Err(syntax_error(format!(
                "numbers out of order in quantifier `{text}` at character {}",
                start + 1
            )));
        }
        let text = match max {
            Some(m) if m == min => format!("{{{min}}}"),
            Some(m) => format!("{{{min},{m}}}"),
            None => format!("{{{min},}}"),
        };
        Ok(Some(Brace { text, end }))
    }

    // -- groups -------------------------------------------------------------

    fn push_group(&mut self, open: usize, branch_reset: bool) {
        self.groups.push(Frame {
            open,
            outer_case_insensitive: self.case_insensitive,
            branch_reset,
        });
        self.last = Last::Nothing;
    }

    fn open_group(&mut self) -> Result<(), DialectError> {
        let start = self.pos;
        match (self.at(start + 1), self.at(start + 2)) {
            (Some('?'), _) => self.special_group(start),
            (Some('*'), Some(c)) if c.is_ascii_alphabetic() || c == ':' => self.verb(start),
            _ => {
                self.pos += 1;
                self.captures += 1;
                self.out.push('(');
                self.push_group(start, false);
                Ok(())
            }
        }
    }

    fn close_group(&mut self) -> Result<(), DialectError> {
        let Some(frame) = self.groups.pop() else {
            return Err(syntax_error(format!(
                "unmatched `)` at character {}",
                self.pos + 1
            )));
        };
        self.pos += 1;
        self.case_insensitive = frame.outer_case_insensitive;
        self.out.push(')');
        self.last = Last::Item;
        Ok(())
    }

    /// Everything starting with `(?`.
    fn special_group(&mut self, start: usize) -> Result<(), DialectError> {
        let kind = self.at(start + 2);
        let reject = |t: &Self, construct, len: usize| {
            Err(unsupported(construct, t.text(start, start + len), start))
        };
        match kind {
            None => Err(syntax_error(format!(
                "unterminated `(?` at character {}",
                start + 1
            ))),
            Some(':') => {
                self.pos = start + 3;
                self.out.push_str("(?:");
                self.push_group(start, false);
                Ok(())
            }
            Some('|') => {
                self.pos = start + 3;
                self.out.push_str("(?:");
                self.push_group(start, true);
                Ok(())
            }
            Some('>') => reject(self, Unsupported::AtomicGroup, 3),
            Some('=' | '!' | '*') => reject(self, Unsupported::LookAround, 3),
            Some('<') => match self.at(start + 3) {
                Some('=' | '!' | '*') => reject(self, Unsupported::LookAround, 4),
                _ => self.named_group(start, start + 3, '>'),
            },
            Some('\'') => self.named_group(start, start + 3, '\''),
            Some('P') => match self.at(start + 3) {
                Some('<') => self.named_group(start, start + 4, '>'),
                Some('=') => Err(unsupported(
                    Unsupported::Backreference,
                    self.text_through(start, start, ')'),
                    start,
                )),
                Some('>') => Err(unsupported(
                    Unsupported::Recursion,
                    self.text_through(start, start, ')'),
                    start,
                )),
                _ => Err(syntax_error(format!(
                    "unrecognized character after `(?P` at character {}",
                    start + 1
                ))),
            },
            Some('#') => {
                // A comment runs to the first `)`; PCRE has no escapes in it.
                let close = self.chars[start..].iter().position(|&c| c == ')');
                match close {
                    Some(offset) => {
                        self.pos = start + offset + 1;
                        Ok(())
                    }
                    None => Err(syntax_error(format!(
                        "missing `)` after the comment opened at character {}",
                        start + 1
                    ))),
                }
            }
            Some('(') => reject(self, Unsupported::Conditional, 3),
            Some('R' | '&') => Err(unsupported(
                Unsupported::Recursion,
                self.text_through(start, start, ')'),
                start,
            )),
            Some(c)
                if c.is_ascii_digit()
                    || (matches!(c, '+' | '-')
                        && self.at(start + 3).is_some_and(|d| d.is_ascii_digit())) =>
            {
                Err(unsupported(
                    Unsupported::Recursion,
                    self.text_through(start, start, ')'),
                    start,
                ))
            }
            Some('C') => Err(unsupported(
                Unsupported::EmbeddedCode,
                self.text_through(start, start, ')'),
                start,
            )),
            Some('{') => reject(self, Unsupported::EmbeddedCode, 3),
            Some('?') if self.at(start + 3) == Some('{') => {
                reject(self, Unsupported::EmbeddedCode, 4)
            }
            Some(c) if c.is_ascii_alphabetic() || c == '-' || c == '^' || c == ')' => {
                self.flags(start)
            }
            Some(_) => Err(syntax_error(format!(
                "unrecognized character after `(?` at character {}",
                start + 1
            ))),
        }
    }

    /// `(?i)`, `(?-i)`, `(?^)`, `(?i:...)` and friends. Any letter other than
    /// `i` is a global flag.
    fn flags(&mut self, start: usize) -> Result<(), DialectError> {
        let body = start + 2;
        let mut end = body;
        while self
            .at(end)
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '-' || c == '^')
        {
            end += 1;
        }
        let terminator = self.at(end);
        let quoted_end = if matches!(terminator, Some(')' | ':')) {
            end + 1
        } else {
            end
        };
        if self.chars[body..end]
            .iter()
            .any(|&c| c.is_ascii_alphabetic() && c != 'i')
        {
            return Err(unsupported(
                Unsupported::GlobalFlag,
                self.text(start, quoted_end),
                start,
            ));
        }
        if !matches!(terminator, Some(')' | ':')) {
            return Err(syntax_error(format!(
                "missing `)` or `:` after the flags `{}` at character {}",
                self.text(start, end),
                start + 1
            )));
        }
        let caret = self.at(body) == Some('^');
        let mut case_insensitive = self.case_insensitive;
        let mut negate = false;
        for (offset, &c) in self.chars[body..end].iter().enumerate() {
            match c {
                '^' if offset == 0 => case_insensitive = false,
                '-' if !negate && !caret => negate = true,
                'i' => case_insensitive = !negate,
                _ => {
                    return Err(syntax_error(format!(
                        "invalid flags `{}` at character {}",
                        self.text(start, quoted_end),
                        start + 1
                    )));
                }
            }
        }
        let flag = if case_insensitive { "(?i" } else { "(?-i" };
        self.pos = end + 1;
        if terminator == Some(':') {
            self.out.push_str(flag);
            self.out.push(':');
            self.push_group(start, false);
        } else {
            self.out.push_str(flag);
            self.out.push(')');
            self.last = Last::Nothing;
        }
        self.case_insensitive = case_insensitive;
        Ok(())
    }

    /// `(?<name>`, `(?'name'` and `(?P<name>`; `name_start` is the index of
    /// the name's first character. Emitted as a plain capturing group: names
    /// have no effect on matching, and this keeps group numbers.
    fn named_group(
        &mut self,
        start: usize,
        name_start: usize,
        close: char,
    ) -> Result<(), DialectError> {
        let mut end = name_start;
        while self
            .at(end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            end += 1;
        }
        let name: String = self.chars[name_start..end].iter().collect();
        let valid = self.at(end) == Some(close)
            && !name.is_empty()
            && name.len() <= 32
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            return Err(syntax_error(format!(
                "invalid group name in `{}` at character {} (names are up to 32 letters, digits \
                 and underscores, not starting with a digit)",
                self.text_through(start, name_start, close),
                start + 1
            )));
        }
        let in_branch_reset = self.groups.iter().any(|g| g.branch_reset);
        if self.names.contains(&name) && !in_branch_reset {
            return Err(syntax_error(format!(
                "duplicate group name `{name}` at character {}",
                start + 1
            )));
        }
        self.names.push(name);
        self.pos = end + 1;
        self.captures += 1;
        self.out.push('(');
        self.push_group(start, false);
        Ok(())
    }

    /// `(*VERB)`, `(*OPTION)` and `(*alpha_assertion:`: none is supported.
    fn verb(&mut self, start: usize) -> Result<(), DialectError> {
        let mut end = start + 2;
        while self
            .at(end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            end += 1;
        }
        let name: String = self.chars[start + 2..end].iter().collect();
        let after = self.at(end);
        let construct = match name.as_str() {
            "pla"
            | "plb"
            | "nla"
            | "nlb"
            | "napla"
            | "naplb"
            | "positive_lookahead"
            | "positive_lookbehind"
            | "negative_lookahead"
            | "negative_lookbehind"
            | "non_atomic_positive_lookahead"
            | "non_atomic_positive_lookbehind"
                if after == Some(':') =>
            {
                Some(Unsupported::LookAround)
            }
            "atomic" if after == Some(':') => Some(Unsupported::AtomicGroup),
            "sr" | "asr" | "script_run" | "atomic_script_run" if after == Some(':') => {
                Some(Unsupported::UnicodeProperty)
            }
            "UTF" | "UTF8" | "UTF16" | "UTF32" | "UCP" | "NO_AUTO_POSSESS"
            | "NO_DOTSTAR_ANCHOR" | "NO_JIT" | "NO_START_OPT" | "NOTEMPTY" | "NOTEMPTY_ATSTART"
            | "CR" | "LF" | "CRLF" | "ANYCRLF" | "ANY" | "NUL" | "BSR_ANYCRLF" | "BSR_UNICODE"
            | "LIMIT_DEPTH" | "LIMIT_HEAP" | "LIMIT_MATCH" | "LIMIT_RECURSION" => {
                Some(Unsupported::GlobalFlag)
            }
            "" | "ACCEPT" | "FAIL" | "F" | "COMMIT" | "PRUNE" | "SKIP" | "THEN" | "MARK" => {
                Some(Unsupported::BacktrackingVerb)
            }
            _ => None,
        };
        let text = if after == Some(':') && name.starts_with(|c: char| c.is_ascii_lowercase()) {
            self.text(start, end + 1)
        } else {
            self.text_through(start, start, ')')
        };
        match construct {
            Some(construct) => Err(unsupported(construct, text, start)),
            None => Err(syntax_error(format!(
                "unknown verb `{}` at character {}",
                one_line(&text),
                start + 1
            ))),
        }
    }

    // -- escapes outside classes ---------------------------------------------

    fn escape(&mut self) -> Result<(), DialectError> {
        let start = self.pos;
        let Some(c) = self.at(start + 1) else {
            return Err(syntax_error(
                "the pattern ends with a lone `\\`".to_string(),
            ));
        };
        if let Some(set) = perl_class(c) {
            self.pos = start + 2;
            self.set_item(&set);
            return Ok(());
        }
        match c {
            'Q' => {
                self.pos = start + 2;
                while let Some(q) = self.peek() {
                    if q == '\\' && self.at(self.pos + 1) == Some('E') {
                        self.pos += 2;
                        break;
                    }
                    self.pos += 1;
                    self.literal(q);
                }
            }
            'E' => self.pos = start + 2,
            // `\N{U+hhhh}` is a code point and `\N{2}` is `\N` with a
            // quantifier; PCRE2 refuses other braces (`\N{name}`).
            'N' if self.looking_at(start + 2, "{U+") => {
                let ch = self.braced_code_point(start, start + 5, 16)?;
                self.literal(ch);
            }
            'N' if self.at(start + 2) == Some('{')
                && self.brace_quantifier(start + 2)?.is_none() =>
            {
                return Err(syntax_error(format!(
                    "`{}` at character {} is not supported: write a code point as `\\N{{U+hhhh}}` \
                     or `\\x{{hhhh}}`",
                    one_line(&self.text_through(start, start + 2, '}')),
                    start + 1
                )));
            }
            'N' => {
                self.pos = start + 2;
                self.any_but_newline();
            }
            'R' => {
                self.pos = start + 2;
                self.out.push_str("(?:\\x{D}\\x{A}|");
                push_set(&mut self.out, &set_of(VSPACE), self.case_insensitive);
                self.out.push(')');
                self.last = Last::Item;
            }
            'b' | 'B' | 'A' | 'z' | 'Z' => {
                self.pos = start + 2;
                self.assertion(match c {
                    'b' => "\\b",
                    'B' => "\\B",
                    'A' => "\\A",
                    // `\Z` allows a final newline in PCRE; see the module docs.
                    _ => "\\z",
                });
            }
            'G' => return Err(self.reject_escape(Unsupported::PreviousMatchAnchor)),
            'K' => return Err(self.reject_escape(Unsupported::MatchStartReset)),
            'C' => return Err(self.reject_escape(Unsupported::SingleCodeUnit)),
            'X' => return Err(self.reject_escape(Unsupported::GraphemeCluster)),
            'p' | 'P' => return Err(self.reject_property()),
            'g' => {
                let construct = match self.at(start + 2) {
                    Some('<' | '\'') => Unsupported::Recursion,
                    _ => Unsupported::Backreference,
                };
                return Err(unsupported(construct, self.reference_text(start), start));
            }
            'k' => {
                return Err(unsupported(
                    Unsupported::Backreference,
                    self.reference_text(start),
                    start,
                ))
            }
            '1'..='9' => self.digit_escape(start)?,
            _ => {
                let ch = self.char_escape(false)?;
                self.literal(ch);
            }
        }
        Ok(())
    }

    fn reject_escape(&self, construct: Unsupported) -> DialectError {
        unsupported(construct, self.text(self.pos, self.pos + 2), self.pos)
    }

    /// `\pL`, `\p{L}`, `\P{^L}`, ...
    fn reject_property(&self) -> DialectError {
        let start = self.pos;
        let text = if self.at(start + 2) == Some('{') {
            self.text_through(start, start + 2, '}')
        } else {
            self.text(start, start + 3)
        };
        unsupported(Unsupported::UnicodeProperty, text, start)
    }

    /// The text of `\g{1}`, `\g-1`, `\g<name>`, `\k'name'`, ... for quoting.
    fn reference_text(&self, start: usize) -> String {
        match self.at(start + 2) {
            Some('{') => self.text_through(start, start + 2, '}'),
            Some('<') => self.text_through(start, start + 2, '>'),
            Some('\'') => self.text_through(start, start + 3, '\''),
            _ => {
                let mut end = start + 2;
                if matches!(self.at(end), Some('+' | '-')) {
                    end += 1;
                }
                while self.at(end).is_some_and(|c| c.is_ascii_digit()) {
                    end += 1;
                }
                self.text(start, end)
            }
        }
    }

    /// `\1`..`\9` and longer numbers: PCRE2 reads a backreference when the
    /// number is below 10, starts with 8 or 9, or is at most the number of
    /// groups opened so far; otherwise up to three octal digits.
    fn digit_escape(&mut self, start: usize) -> Result<(), DialectError> {
        let mut end = start + 1;
        let mut number: u32 = 0;
        while let Some(d) = self.at(end).and_then(|c| c.to_digit(10)) {
            number = number.saturating_mul(10).saturating_add(d);
            end += 1;
        }
        let first = self.at(start + 1);
        let backreference = number < 10
            || matches!(first, Some('8' | '9'))
            || usize::try_from(number).is_ok_and(|n| n <= self.captures);
        if backreference {
            return Err(unsupported(
                Unsupported::Backreference,
                self.text(start, end),
                start,
            ));
        }
        let ch = self.octal_digits(start, start + 1, 3)?;
        self.literal(ch);
        Ok(())
    }

    // -- escapes shared by both contexts ----------------------------------------

    /// Reads an escape that denotes one character, at `self.pos` (the `\`).
    fn char_escape(&mut self, in_class: bool) -> Result<char, DialectError> {
        let start = self.pos;
        let Some(c) = self.at(start + 1) else {
            return Err(syntax_error(
                "the pattern ends with a lone `\\`".to_string(),
            ));
        };
        self.pos = start + 2;
        let ch = match c {
            'a' => '\x07',
            'e' => '\x1B',
            'f' => '\x0C',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '0' => return self.octal_digits(start, start + 1, 3),
            'o' => {
                if self.at(start + 2) != Some('{') {
                    return Err(syntax_error(format!(
                        "`\\o` at character {} must be followed by `{{`",
                        start + 1
                    )));
                }
                return self.braced_code_point(start, start + 3, 8);
            }
            'x' => {
                if self.at(start + 2) == Some('{') {
                    return self.braced_code_point(start, start + 3, 16);
                }
                let mut value = 0;
                let mut end = start + 2;
                while end < start + 4 {
                    match self.at(end).and_then(|c| c.to_digit(16)) {
                        Some(d) => value = value * 16 + d,
                        None => break,
                    }
                    end += 1;
                }
                self.pos = end;
                return self.code_point(value, start, end);
            }
            'c' => match self.at(start + 2) {
                Some(x) if x.is_ascii_graphic() || x == ' ' => {
                    self.pos = start + 3;
                    let value = u32::from(x.to_ascii_uppercase()) ^ 0x40;
                    return self.code_point(value, start, start + 3);
                }
                _ => {
                    return Err(syntax_error(format!(
                        "`\\c` at character {} must be followed by a printable ASCII character",
                        start + 1
                    )));
                }
            },
            c if c.is_ascii_alphanumeric() => {
                let context = if in_class {
                    " in a character class"
                } else {
                    ""
                };
                return Err(syntax_error(format!(
                    "unrecognized escape `\\{c}` at character {}{context}",
                    start + 1
                )));
            }
            // PCRE: a backslash before any other character makes it literal.
            other => other,
        };
        Ok(ch)
    }

    /// Up to `max` octal digits starting at `from`, for `\0`, `\12`, `[\1]`.
    fn octal_digits(
        &mut self,
        start: usize,
        from: usize,
        max: usize,
    ) -> Result<char, DialectError> {
        let mut value = 0;
        let mut end = from;
        while end < from + max {
            match self.at(end).and_then(|c| c.to_digit(8)) {
                Some(d) => value = value * 8 + d,
                None => break,
            }
            end += 1;
        }
        self.pos = end;
        self.code_point(value, start, end)
    }

    /// `\x{...}`, `\o{...}` or `\N{U+...}` starting at `start`: digits in
    /// `radix` from `digits_start` to a closing `}`.
    fn braced_code_point(
        &mut self,
        start: usize,
        digits_start: usize,
        radix: u32,
    ) -> Result<char, DialectError> {
        let quoted = || self.text_through(start, digits_start, '}');
        let mut end = digits_start;
        let mut value: u32 = 0;
        while let Some(d) = self.at(end).and_then(|c| c.to_digit(radix)) {
            value = value.saturating_mul(radix).saturating_add(d);
            end += 1;
        }
        if end == digits_start || self.at(end) != Some('}') {
            return Err(syntax_error(format!(
                "malformed escape `{}` at character {}",
                one_line(&quoted()),
                start + 1
            )));
        }
        self.pos = end + 1;
        self.code_point(value, start, end + 1)
    }

    fn code_point(&self, value: u32, start: usize, end: usize) -> Result<char, DialectError> {
        char::from_u32(value).ok_or_else(|| {
            syntax_error(format!(
                "`{}` at character {} is not a valid Unicode code point",
                one_line(&self.text(start, end)),
                start + 1
            ))
        })
    }

    // -- character classes ----------------------------------------------------

    /// PCRE2's `check_posix_syntax`: whether `[` at `index - 1` starts a POSIX
    /// construct `[:name:]` (or `[.x.]`, `[=x=]`) whose terminator `chars[index]`
    /// is closed before any `]`. Returns the index of the closing terminator.
    fn posix_end(&self, index: usize) -> Option<usize> {
        let terminator = self.at(index)?;
        if !matches!(terminator, ':' | '.' | '=') {
            return None;
        }
        let mut i = index + 1;
        while let Some(c) = self.at(i) {
            if c == '\\' && matches!(self.at(i + 1), Some(']' | '\\')) {
                i += 1;
            } else if (c == '[' && self.at(i + 1) == Some(terminator)) || c == ']' {
                return None;
            } else if c == terminator && self.at(i + 1) == Some(']') {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    fn class(&mut self) -> Result<(), DialectError> {
        let open = self.pos;
        if self.looking_at(open, "[[:<:]]") || self.looking_at(open, "[[:>:]]") {
            let start_of_word = self.at(open + 3) == Some('<');
            self.pos = open + 7;
            // PCRE expands these to `\b(?=\w)` and `\b(?<=\w)`, so a quantifier
            // would apply to the look-around half only; refuse one, like after `\b`.
            self.assertion(if start_of_word {
                "\\b{start}"
            } else {
                "\\b{end}"
            });
            return Ok(());
        }
        if let Some(end) = self.posix_end(open + 1) {
            return Err(syntax_error(format!(
                "POSIX class `{}` at character {} is only valid inside brackets, as in `[{}]`",
                one_line(&self.text(open, end + 2)),
                open + 1,
                one_line(&self.text(open, end + 2)),
            )));
        }
        self.pos = open + 1;
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        // Literal characters and ranges, which `(?i)` folds...
        let mut literals = ClassUnicode::empty();
        // ...and class escapes and POSIX classes, which it does not.
        let mut types = ClassUnicode::empty();
        let mut in_quote = false;
        let mut first = true;
        loop {
            let atom_start = self.pos;
            let atom = self.class_atom(open, &mut in_quote, first)?;
            first = false;
            let lo = match atom {
                ClassAtom::End => break,
                ClassAtom::Char(c) => Some(c),
                ClassAtom::Set(set) => {
                    types.union(&set);
                    None
                }
            };
            if in_quote || self.peek() != Some('-') {
                if let Some(c) = lo {
                    literals.union(&single(c));
                }
                continue;
            }
            // A `-` follows: a range, unless the class ends right after it.
            self.pos += 1;
            match (lo, self.class_atom(open, &mut in_quote, false)?) {
                (Some(c), ClassAtom::End) => {
                    literals.union(&single(c));
                    literals.union(&single('-'));
                    break;
                }
                (None, ClassAtom::End) => {
                    literals.union(&single('-'));
                    break;
                }
                (Some(lo), ClassAtom::Char(hi)) => {
                    if hi < lo {
                        return Err(syntax_error(format!(
                            "range out of order `{}` in the character class at character {}",
                            one_line(&self.text(atom_start, self.pos)),
                            atom_start + 1
                        )));
                    }
                    literals.union(&ClassUnicode::new([ClassUnicodeRange::new(lo, hi)]));
                }
                _ => {
                    return Err(syntax_error(format!(
                        "invalid range `{}` in the character class at character {}",
                        one_line(&self.text(atom_start, self.pos)),
                        atom_start + 1
                    )));
                }
            }
        }
        if self.case_insensitive {
            fold(&mut literals);
        }
        let mut set = literals;
        set.union(&types);
        if negated {
            set.negate();
        }
        self.set_item(&set);
        Ok(())
    }

    /// Reads one element of the class opened at `open`.
    fn class_atom(
        &mut self,
        open: usize,
        in_quote: &mut bool,
        first: bool,
    ) -> Result<ClassAtom, DialectError> {
        loop {
            let start = self.pos;
            let Some(c) = self.peek() else {
                return Err(syntax_error(format!(
                    "missing `]` for the character class opened at character {}",
                    open + 1
                )));
            };
            if *in_quote {
                if c == '\\' && self.at(start + 1) == Some('E') {
                    self.pos += 2;
                    *in_quote = false;
                    continue;
                }
                self.pos += 1;
                return Ok(ClassAtom::Char(c));
            }
            match c {
                ']' if !first => {
                    self.pos += 1;
                    return Ok(ClassAtom::End);
                }
                '[' => {
                    if let Some(end) = self.posix_end(start + 1) {
                        return self.posix_atom(start, end).map(ClassAtom::Set);
                    }
                    self.pos += 1;
                    return Ok(ClassAtom::Char('['));
                }
                '\\' => {
                    let Some(e) = self.at(start + 1) else {
                        return Err(syntax_error(format!(
                            "missing `]` for the character class opened at character {}",
                            open + 1
                        )));
                    };
                    if let Some(set) = perl_class(e) {
                        self.pos += 2;
                        return Ok(ClassAtom::Set(set));
                    }
                    match e {
                        'Q' => {
                            self.pos += 2;
                            *in_quote = true;
                        }
                        'E' => self.pos += 2,
                        'b' => {
                            self.pos += 2;
                            return Ok(ClassAtom::Char('\x08'));
                        }
                        'p' | 'P' => return Err(self.reject_property()),
                        '1'..='7' => {
                            return self.octal_digits(start, start + 1, 3).map(ClassAtom::Char)
                        }
                        '8' | '9' => {
                            self.pos += 2;
                            return Ok(ClassAtom::Char(e));
                        }
                        'N' | 'R' | 'X' | 'B' | 'A' | 'Z' | 'z' | 'G' | 'K' | 'g' | 'k' | 'C' => {
                            return Err(syntax_error(format!(
                                "escape `\\{e}` at character {} is not allowed in a character class",
                                start + 1
                            )));
                        }
                        _ => return self.char_escape(true).map(ClassAtom::Char),
                    }
                }
                _ => {
                    self.pos += 1;
                    return Ok(ClassAtom::Char(c));
                }
            }
        }
    }

    /// `[:name:]` or `[:^name:]` starting at `start`, whose closing terminator
    /// is at `end`.
    fn posix_atom(&mut self, start: usize, end: usize) -> Result<ClassUnicode, DialectError> {
        let quoted = one_line(&self.text(start, end + 2));
        if self.at(start + 1) != Some(':') {
            return Err(syntax_error(format!(
                "POSIX collating element `{quoted}` at character {} is not supported",
                start + 1
            )));
        }
        let mut name: String = self.chars[start + 2..end].iter().collect();
        let negated = name.starts_with('^');
        if negated {
            name.remove(0);
        }
        // PCRE: under (?i), [:lower:] and [:upper:] match all letters.
        if self.case_insensitive && matches!(name.as_str(), "lower" | "upper") {
            name = String::from("alpha");
        }
        let Some(ranges) = posix_class(&name) else {
            return Err(syntax_error(format!(
                "unknown POSIX class `{quoted}` at character {}",
                start + 1
            )));
        };
        self.pos = end + 2;
        let mut set = set_of(ranges);
        if negated {
            set.negate();
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::meta::Regex;

    fn compile(pattern: &str) -> Regex {
        let translated =
            translate(pattern).unwrap_or_else(|e| panic!("translate({pattern:?}) failed: {e}"));
        Regex::builder()
            .syntax(syntax_config())
            .build(&translated)
            .unwrap_or_else(|e| panic!("{pattern:?} -> {translated:?} does not compile: {e:?}"))
    }

    /// The first match of `pattern` in `haystack`, as text.
    fn find(pattern: &str, haystack: &str) -> Option<String> {
        compile(pattern)
            .find(haystack.as_bytes())
            .map(|m| haystack[m.range()].to_string())
    }

    fn matches(pattern: &str, haystack: &str) -> bool {
        find(pattern, haystack).is_some()
    }

    /// Whether `pattern` matches the whole of `haystack`.
    fn full(pattern: &str, haystack: &str) -> bool {
        matches(&format!("^(?:{pattern})$"), haystack)
    }

    fn rejected(pattern: &str) -> (Unsupported, String, usize) {
        match translate(pattern) {
            Err(DialectError::Unsupported {
                construct,
                text,
                position,
            }) => (construct, text, position),
            other => panic!("{pattern:?}: expected Unsupported, got {other:?}"),
        }
    }

    fn syntax_message(pattern: &str) -> String {
        match translate(pattern) {
            Err(DialectError::Syntax { message }) => message,
            other => panic!("{pattern:?}: expected Syntax, got {other:?}"),
        }
    }

    #[test]
    fn published_examples() {
        let p = r"\b(\d{3}\s?){2}\d{3}\-\d{5}\b";
        assert_eq!(
            find(p, "id 123 456 789-00012.").as_deref(),
            Some("123 456 789-00012")
        );
        assert!(matches(p, "123456789-00012"));
        assert!(!matches(p, "x123456789-00012"));

        let p = r"\b(\d{3}\.){2}\d{3}\-\d{2}\b";
        assert_eq!(
            find(p, "CPF: 529.982.247-25").as_deref(),
            Some("529.982.247-25")
        );

        let p = r"\bP\-[A-Z]{2}\d{4}\b";
        assert_eq!(find(p, "ref P-AB1234 ok").as_deref(), Some("P-AB1234"));
        assert!(!matches(p, "STEP-AB123456"));
        assert!(!matches(p, "P-XY123"));
        assert!(!matches(p, "p-ab1234"));
    }

    #[test]
    fn classes_are_ascii() {
        assert!(!matches(r"\d", "٣"));
        assert!(!matches(r"[\d]", "٣"));
        assert!(!matches(r"[[:digit:]]", "٣"));
        assert!(!matches(r"\w", "é"));
        assert!(!matches(r"[[:alpha:]]", "é"));
        assert!(matches(r"\w", "_"));
        assert!(!matches(r"\s", "\u{A0}"));
        assert_eq!(find(r"\bab\b", "éabé").as_deref(), Some("ab"));
        assert!(matches(r"\Bb", "éab"));
        assert!(!matches(r"\bab\b", "xabx"));
        assert_eq!(find(r"\W+", "aé€b").as_deref(), Some("é€"));
        assert_eq!(find(r"\D", "1٣").as_deref(), Some("٣"));
    }

    #[test]
    fn dot_and_negated_classes_take_whole_characters() {
        assert_eq!(find("a.c", "aéc").as_deref(), Some("aéc"));
        assert_eq!(find("a..c", "a€zc").as_deref(), Some("a€zc"));
        assert!(!matches("a..c", "aéc"));
        assert_eq!(find("[^,]+", "é€,x").as_deref(), Some("é€"));
        assert!(!matches("[^é]b", "éb"));
        assert!(!matches(".", "\n"));
        assert!(!matches(r"\N", "\n"));
        assert!(matches(r"\N", "\r"));
        // Invalid UTF-8 is never matched by `.`.
        let re = compile("a.b");
        assert!(re.find(&b"a\xFFb"[..]).is_none());
        assert!(re.find(&b"a\xC3\xA9b"[..]).is_some());
    }

    #[test]
    fn case_sensitivity() {
        assert!(!matches("abc", "ABC"));
        assert!(matches("(?i)abc", "AbC"));
        assert!(matches("(?i:ab)c", "ABc"));
        assert!(!matches("(?i:ab)c", "ABC"));
        assert!(matches("a(?i)bc", "aBC"));
        assert!(!matches("a(?i)bc", "ABC"));
        assert!(matches("(?i)ab(?-i)c", "ABc"));
        assert!(!matches("(?i)ab(?-i)c", "ABC"));
        // A flag set inside a group ends with the group...
        assert!(!matches("(a(?i)b)c", "aBC"));
        assert!(matches("(a(?i)b)c", "aBc"));
        // ...but carries into later alternatives of that group, as in PCRE.
        assert!(full("(a(?i)b|c)", "C"));
        assert!(full("(?^i)a", "A"));
        assert!(!full("(?i)(?^)a", "A"));
        assert!(!full("(?i-i)a", "A"));
        assert!(full("(?i)[a-c]+", "AbC"));
        assert!(full("(?i)[^a]", "b"));
        assert!(!full("(?i)[^a]", "A"));
        assert!(full("(?i)[[:lower:]]", "Q"));
        assert!(!full("[[:lower:]]", "Q"));
        assert!(full("(?i)é", "É"));
        assert!(full("(?i)[é]", "É"));
        assert!(!full("é", "É"));
        assert!(full("(?i)k", "\u{212A}"));
        assert!(!full("(?i)[^k]", "\u{212A}"));
        // Class escapes are not folded: \W holds the Kelvin sign but not `k`.
        assert!(!full(r"(?i)\W", "k"));
        assert!(full(r"(?i)\W", "\u{212A}"));
        assert!(full(r"(?i)\Q.a\E", ".A"));
    }

    #[test]
    fn anchors() {
        assert!(matches("^ab$", "ab"));
        assert!(!matches("^ab$", "ab\n"));
        assert!(!matches("^b", "a\nb"));
        assert!(matches(r"\Aab\z", "ab"));
        assert!(matches(r"ab\Z", "ab"));
        assert!(matches("[[:<:]]ab[[:>:]]", "x ab y"));
        assert!(!matches("[[:<:]]ab", "xab"));
    }

    #[test]
    fn rejected_constructs() {
        use Unsupported::*;
        let cases: &[(&str, Unsupported, &str, usize)] = &[
            (r"(a)\1", Backreference, r"\1", 4),
            (r"(a)(b)\2", Backreference, r"\2", 7),
            (r"\8", Backreference, r"\8", 1),
            (r"a\g{1}", Backreference, r"\g{1}", 2),
            (r"a\g1", Backreference, r"\g1", 2),
            (r"a\g-1", Backreference, r"\g-1", 2),
            (r"(?<n>a)\k<n>", Backreference, r"\k<n>", 8),
            (r"(?<n>a)\k{n}", Backreference, r"\k{n}", 8),
            (r"(?P<n>a)(?P=n)", Backreference, r"(?P=n)", 9),
            ("a(?=b)", LookAround, "(?=", 2),
            ("a(?!b)", LookAround, "(?!", 2),
            ("(?<=a)b", LookAround, "(?<=", 1),
            ("(?<!a)b", LookAround, "(?<!", 1),
            ("(*pla:a)", LookAround, "(*pla:", 1),
            (
                "(*negative_lookbehind:a)",
                LookAround,
                "(*negative_lookbehind:",
                1,
            ),
            ("(?(1)a|b)", Conditional, "(?(", 1),
            ("a(?R)", Recursion, "(?R)", 2),
            ("(a)(?1)", Recursion, "(?1)", 4),
            ("(a)(?-1)", Recursion, "(?-1)", 4),
            ("(?+1)(a)", Recursion, "(?+1)", 1),
            ("(?<n>a)(?&n)", Recursion, "(?&n)", 8),
            ("(?P<n>a)(?P>n)", Recursion, "(?P>n)", 9),
            (r"(?<n>a)\g<n>", Recursion, r"\g<n>", 8),
            ("a(?{ print })", EmbeddedCode, "(?{", 2),
            ("a(??{ 1 })", EmbeddedCode, "(??{", 2),
            ("a(?C1)b", EmbeddedCode, "(?C1)", 2),
            ("(?m)^a", GlobalFlag, "(?m)", 1),
            ("a(?s).", GlobalFlag, "(?s)", 2),
            ("(?x) a", GlobalFlag, "(?x)", 1),
            ("(?U)a+", GlobalFlag, "(?U)", 1),
            ("(?u)a", GlobalFlag, "(?u)", 1),
            ("(?J)a", GlobalFlag, "(?J)", 1),
            ("(?im)a", GlobalFlag, "(?im)", 1),
            ("(?-s:a)", GlobalFlag, "(?-s:", 1),
            ("(*UTF)a", GlobalFlag, "(*UTF)", 1),
            ("/abc/i", GlobalFlag, "/i", 5),
            ("/abc/gm", GlobalFlag, "/gm", 5),
            ("(?>a+)b", AtomicGroup, "(?>", 1),
            ("(*atomic:a)", AtomicGroup, "(*atomic:", 1),
            ("a++", PossessiveQuantifier, "++", 2),
            ("a*+", PossessiveQuantifier, "*+", 2),
            ("a?+", PossessiveQuantifier, "?+", 2),
            ("xa{2}+", PossessiveQuantifier, "{2}+", 3),
            ("a{2,}+", PossessiveQuantifier, "{2,}+", 2),
            ("a(*SKIP)(*FAIL)", BacktrackingVerb, "(*SKIP)", 2),
            ("a(*F)", BacktrackingVerb, "(*F)", 2),
            ("(*MARK:x)a", BacktrackingVerb, "(*MARK:x)", 1),
            (r"\p{L}", UnicodeProperty, r"\p{L}", 1),
            (r"a\pL", UnicodeProperty, r"\pL", 2),
            (r"[\P{Lu}]", UnicodeProperty, r"\P{Lu}", 2),
            (r"\X", GraphemeCluster, r"\X", 1),
            (r"ab\Kc", MatchStartReset, r"\K", 3),
            (r"\Ga", PreviousMatchAnchor, r"\G", 1),
            (r"a\C", SingleCodeUnit, r"\C", 2),
            // Positions count characters, not bytes.
            ("éé(?=a)", LookAround, "(?=", 3),
        ];
        for &(pattern, construct, text, position) in cases {
            assert_eq!(
                rejected(pattern),
                (construct, text.to_string(), position),
                "pattern {pattern:?}"
            );
        }
    }

    #[test]
    fn error_messages() {
        let err = translate(r"(\d{3})-\1").unwrap_err();
        assert_eq!(
            err.to_string(),
            r"backreference `\1` at character 9 is not supported by Macie's regex dialect"
        );
        let err = translate("/ssn/i").unwrap_err().to_string();
        assert!(err.contains("(?i)"), "{err}");
        assert!(err.starts_with("global flag `/i` at character 5"), "{err}");

        let cases = [
            "(ab",
            "ab)",
            "*a",
            "a**",
            "a|*b",
            "(?i)*a",
            "^*a",
            r"\b+",
            "x{2,1}",
            "x{70000}",
            "[abc",
            "[z-a]",
            r"[\d-z]",
            "[[:alfa:]]",
            "[:alpha:]",
            "[[.a.]]",
            "a\\",
            r"\y",
            r"[\R]",
            r"\x{110000}",
            r"\x{D800}",
            r"\x{zz}",
            r"\o{}",
            r"\c",
            "(?<1a>x)",
            "(?<a>x)(?<a>y)",
            "(?#unterminated",
            "(*FOO)",
            "(?%)",
            "(?",
            "(?i",
            "[\n",
            "a{2}{3}",
        ];
        for pattern in cases {
            let message = syntax_message(pattern);
            let full_message = translate(pattern).unwrap_err().to_string();
            assert!(!full_message.contains('\n'), "{pattern:?}: {full_message}");
            assert!(!message.is_empty());
        }
        assert!(syntax_message("(ab").contains("character 1"));
        assert!(syntax_message("ab)").contains("character 3"));
        assert!(syntax_message("x{2,1}").contains("out of order"));
    }

    #[test]
    fn pcre_escapes_are_accepted() {
        let punctuation = "-/_@#%!,:<>'\" ~&`=;[](){}|*+?.^$\\";
        for c in punctuation.chars() {
            let pattern = format!("\\{c}");
            assert!(full(&pattern, &c.to_string()), "{pattern:?}");
            let in_class = format!("[\\{c}]");
            assert!(full(&in_class, &c.to_string()), "{in_class:?}");
        }
        assert!(full(r"\<a\>", "<a>"));
        assert!(full(r"[\<\>]+", "<>"));
        assert!(full(r"\é", "é"));
        assert!(full(r"\Qa.b*c\E", "a.b*c"));
        assert!(!full(r"\Qa.b\E", "axb"));
        assert!(full(r"\Qab\E+", "abbb"));
        assert!(full(r"[\Qa-z\E]+", "a-z"));
        assert!(!full(r"[\Qa-z\E]", "b"));
        assert_eq!(
            find(r"\Qunterminated[", "an unterminated[").as_deref(),
            Some("unterminated[")
        );
        assert!(full(r"a\Eb", "ab"));
        assert!(full(r"\a\e\f\n\r\t", "\x07\x1B\x0C\n\r\t"));
        assert!(full(r"\x41\x{42}\x{e9}\x7", "ABé\x07"));
        assert!(full(r"\x", "\0"));
        assert!(full(r"\0\012\101\o{102}", "\0\nAB"));
        assert!(full(r"[\101-\103]+", "ABC"));
        assert!(full(r"[\8\9]+", "89"));
        assert!(full(r"\cA\c[\c?", "\x01\x1B\x7F"));
        assert!(full(r"\N{U+E9}", "é"));
        assert!(full(r"[\b]", "\x08"));
        assert!(full(r"\h+", "\t \u{A0}\u{3000}"));
        assert!(!full(r"\h", "\n"));
        assert!(full(r"\H", "x"));
        assert!(full(r"\v+", "\n\x0B\x0C\r\u{85}\u{2028}"));
        assert!(!full(r"\v", " "));
        assert!(full(r"\V", "x"));
        assert!(full(r"a\Rb", "a\r\nb"));
        assert!(full(r"a\Rb", "a\nb"));
        assert!(full(r"a\Rb", "a\u{2028}b"));
        assert!(full(r"\s+", " \t\n\x0B\x0C\r"));
    }

    #[test]
    fn literal_braces_and_classes() {
        assert!(full("x{,3}", "x{,3}"));
        assert!(full("x{a}", "x{a}"));
        assert!(full("x{2", "x{2"));
        assert!(full("{", "{"));
        assert!(full("}", "}"));
        assert!(full("]", "]"));
        assert!(full("x{2}", "xx"));
        assert!(full("x{2,}", "xxxx"));
        assert!(full("x{1,3}?", "x"));
        assert!(full("x{0}y", "y"));
        assert!(full("[]a]+", "]a"));
        assert!(full("[^]a]", "b"));
        assert!(!full("[^]a]", "]"));
        assert!(full("[a[b]+", "a[b"));
        assert!(full("[a&&b]+", "a&b"));
        assert!(full("[+--]+", "+,-"));
        assert!(full(r"[a\--b]+", "a-b"));
        assert!(full("[a~~b]+", "a~b"));
        assert!(full("[a-]+", "a-"));
        assert!(full("[-a]+", "-a"));
        assert!(full(r"[\d-]+", "1-"));
        assert!(full("[a-z-0]+", "b-0"));
        assert!(full("[[:alpha:][:digit:]]+", "a1"));
        assert!(full("[[:^alpha:]]+", "1é"));
        assert!(full("[[:punct:]]+", "!/:@[`{~"));
        assert!(!full("[[:punct:]]", "§"));
        assert!(full("[:a]+", ":a"));
        assert!(full("[é-ë]+", "éêë"));
        assert!(full("[^a-z]", "€"));
        assert!(full("# x", "# x"));
        assert!(full("a b", "a b"));
        assert!(!full("a b", "ab"));
    }

    #[test]
    fn groups() {
        assert!(full(
            "(?<year>\\d{4})-(?'m'\\d\\d)-(?P<d>\\d\\d)",
            "2024-01-31"
        ));
        assert!(full("(?:ab)+", "abab"));
        assert!(full("(?|(a)|(b))c", "bc"));
        assert!(full("(?|(?<n>a)|(?<n>b))", "b"));
        assert!(full("a(?#comment)b", "ab"));
        assert!(full("a(?#c)*", "aaa"));
        assert!(full("(?)a(?-)", "a"));
        assert!(full("(a|)+", "aa"));
        // Ten or more groups: \10 is a backreference, with fewer it is octal.
        assert!(full(r"(a)\10", "a\x08"));
        assert_eq!(
            rejected(r"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10").0,
            Unsupported::Backreference
        );
    }

    #[test]
    fn delimiters_only_with_flags() {
        assert!(full("/abc/", "/abc/"));
        assert!(full("/home/user", "/home/user"));
        assert!(full("/usr/bin", "/usr/bin"));
        assert!(full(r"/abc\/i", "/abc/i"));
        assert!(translate("/a/ii").is_ok());
    }

    #[test]
    fn translation_is_stable() {
        assert_eq!(translate("ab").as_deref(), Ok("ab"));
        assert_eq!(translate(r"\d").as_deref(), Ok("[0-9]"));
        assert_eq!(translate("^a$").as_deref(), Ok(r"\Aa\z"));
        assert_eq!(translate(r"\<").as_deref(), Ok("<"));
        assert_eq!(translate(r"a\-b").as_deref(), Ok(r"a\-b"));
    }

    /// The scanner may also build DFAs, which refuse Unicode word boundaries;
    /// translations only ever use ASCII ones.
    #[test]
    fn translations_build_as_dfas() {
        use regex_automata::dfa::{dense, Automaton};
        use regex_automata::Input;
        for pattern in [
            r"\b(\d{3}\s?){2}\d{3}\-\d{5}\b",
            r"(?i)\bP\-[^\W_]{2}.\B",
            "[[:<:]]ab[[:>:]]",
            r"\h\R\v\N[^é]",
        ] {
            let translated = translate(pattern).unwrap();
            let dfa = dense::Builder::new()
                .syntax(syntax_config())
                .build(&translated)
                .unwrap_or_else(|e| panic!("{pattern:?} -> {translated:?}: {e}"));
            let found = dfa.try_search_fwd(&Input::new("P-AB1234 ok"));
            assert!(found.is_ok(), "{pattern:?}");
        }
    }

    #[test]
    fn fuzz_never_panics() {
        const ALPHABET: &[&str] = &[
            "\\", "[", "]", "(", ")", "{", "}", "?", "*", "+", "|", "^", "$", ".", "-", ":", "<",
            ">", "=", "!", "'", "#", "&", "~", ",", "/", "a", "b", "i", "m", "P", "Q", "E", "x",
            "d", "w", "k", "g", "c", "N", "0", "1", "2", "9", " ", "\n", "é", "€", "😀",
            "\u{212A}", "[:", ":]", "(?", "(?i)", "(*", "\\x{", "\\Q", "{2,", "ß",
        ];
        let mut rng = fastrand::Rng::with_seed(0x9E37_79B9_7F4A_7C15);
        let haystacks: [&[u8]; 4] = [b"", b"aB1 x-\n{", "éÉ€k\u{212A}".as_bytes(), b"\xFF\xC3("];
        for _ in 0..20_000 {
            let len = rng.usize(..12);
            let pattern: String = (0..len)
                .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
                .collect();
            match translate(&pattern) {
                Ok(translated) => {
                    let re = Regex::builder()
                        .syntax(syntax_config())
                        .build(&translated)
                        .unwrap_or_else(|e| {
                            panic!("{pattern:?} -> {translated:?} does not compile: {e:?}")
                        });
                    for hay in haystacks {
                        let _ = re.find(hay);
                    }
                }
                Err(err) => {
                    let message = err.to_string();
                    assert!(!message.contains('\n'), "{pattern:?}: {message}");
                }
            }
        }
        for pattern in [
            "\\", "[", "(", ")", "[^", "[]", "[^]", "(?", "(*", "\\x{", "é\\",
        ] {
            assert!(translate(pattern).is_err(), "{pattern:?}");
        }
    }
}
