//! The analyst's test bench (`ferret identify`): every candidate of every identifier in a
//! sample, kept or rejected, with the reason and the keyword that decided.
//!
//! Unlike scan results, this report shows matched text: the sample is the analyst's own,
//! and seeing what matched is the point of a test bench. Locations follow the scan's
//! rules, so that the bench shows what a scan would report: a JSON value's `jsonPath` is
//! Macie's truncated path, or null when a key on it holds sensitive data.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use ferret_identifiers::{Candidate, DetectorId, IdentifierSet, KeywordSource, Rejection, Verdict};
use serde::Serialize;

use crate::json_path::RecordPaths;
use crate::limits::Limits;
use crate::location::{column_letters, LineIndex};
use crate::object::{read_object, Input};
use crate::reader::{ReadError, TextUnit, UnitPlace};

/// The report: one entry per identifier under test, in set order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BenchReport {
    pub identifiers: Vec<IdentifierReport>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IdentifierReport {
    pub name: String,
    pub match_count: u64,
    pub matches: Vec<BenchMatch>,
    pub rejected: Vec<BenchRejection>,
}

/// A kept match.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BenchMatch {
    pub text: String,
    #[serde(flatten)]
    pub location: BenchLocation,
    /// The archive member or e-mail attachment the match is in, outer archive first,
    /// as a scan's `fileMember` names it; absent for a match in the sample itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_member: Option<String>,
    /// The keyword that satisfied the identifier, as the identifier file spells it;
    /// null when the identifier has no keywords.
    pub keyword: Option<String>,
    /// Where that keyword was: `text`, `column_name` or `json_key`.
    pub keyword_found_in: Option<&'static str>,
}

/// A candidate the rules dropped.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BenchRejection {
    pub text: String,
    #[serde(flatten)]
    pub location: BenchLocation,
    /// The member the candidate is in, as for [`BenchMatch::file_member`].
    #[serde(rename = "fileMember", skip_serializing_if = "Option::is_none")]
    pub file_member: Option<String>,
    /// `ignore_word`, `checksum`, `allow_list` or `no_keyword_in_range`.
    pub reason: &'static str,
    /// The ignore word or allow list responsible, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Where a candidate is, in the terms of its format.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(untagged, rename_all = "camelCase")]
pub enum BenchLocation {
    /// On a PDF page: the line and column within the page.
    #[serde(rename_all = "camelCase")]
    Page {
        page_number: u64,
        line: u64,
        column: u64,
    },
    Line {
        line: u64,
        column: u64,
    },
    #[serde(rename_all = "camelCase")]
    Cell {
        row: u64,
        column: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        column_name: Option<String>,
        cell_reference: String,
    },
    #[serde(rename_all = "camelCase")]
    Record {
        record_index: u64,
        /// As a scan writes it: null when a key on the path holds sensitive data.
        json_path: Option<String>,
    },
}

/// Why the bench could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{path}: {cause}")]
    Open { path: String, cause: std::io::Error },
    #[error("{path}: {cause}")]
    Read { path: String, cause: ReadError },
    #[error("{path}: {size} bytes is over its format's size quota (FILE_EXCEEDS_SIZE_LIMIT)")]
    TooLarge { path: String, size: u64 },
    #[error("no identifier named \"{0}\" in the identifier file")]
    UnknownName(String),
}

/// Runs `set` over the sample at `path` (read by its format, as a scan reads it) and reports every
/// candidate of the detectors `only` names (all when `None`).
pub fn run(
    set: &IdentifierSet,
    path: &Path,
    only: Option<&str>,
) -> Result<BenchReport, BenchError> {
    run_with_limits(set, path, only, &Limits::default())
}

/// [`run`] within `limits`: a sample over its format's size quota is refused unread,
/// as a scan would skip it.
pub fn run_with_limits(
    set: &IdentifierSet,
    path: &Path,
    only: Option<&str>,
    limits: &Limits,
) -> Result<BenchReport, BenchError> {
    let shown = path.display().to_string();
    let selected: Vec<DetectorId> = (0..set.detectors().len())
        .map(DetectorId)
        .filter(|&id| only.is_none_or(|name| set.detector(id).name() == name))
        .collect();
    if let (Some(name), true) = (only, selected.is_empty()) {
        return Err(BenchError::UnknownName(name.to_owned()));
    }
    let mut file = File::open(path).map_err(|cause| BenchError::Open {
        path: shown.clone(),
        cause,
    })?;
    let size = file
        .metadata()
        .map_err(|cause| BenchError::Open {
            path: shown.clone(),
            cause,
        })?
        .len();
    if limits.file_size.exceeded_by(&shown, size) {
        return Err(BenchError::TooLarge { path: shown, size });
    }
    let mut reports: HashMap<DetectorId, IdentifierReport> = selected
        .iter()
        .map(|&id| {
            let report = IdentifierReport {
                name: set.detector(id).name().to_owned(),
                match_count: 0,
                matches: Vec::new(),
                rejected: Vec::new(),
            };
            (id, report)
        })
        .collect();
    // Keys are judged by the whole set, as a scan with it judges them.
    let mut paths = RecordPaths::new(set);
    let mut sink = |unit: TextUnit<'_>| {
        let lines = matches!(unit.place, UnitPlace::Text { .. } | UnitPlace::Page { .. })
            .then(|| LineIndex::new(unit.bytes));
        set.scan_range(unit.bytes, unit.search.clone(), unit.context, |candidate| {
            if let Some(report) = reports.get_mut(&candidate.detector) {
                let location = locate(&unit, lines.as_ref(), &mut paths, candidate.span.start);
                record(report, &unit, location, candidate);
            }
        });
    };
    let outcome =
        read_object(&shown, Input::Seekable(&mut file), limits, &mut sink).map_err(|cause| {
            BenchError::Read {
                path: shown.clone(),
                cause,
            }
        })?;
    if let Some(first) = outcome.member_errors.into_iter().next() {
        return Err(BenchError::Read {
            path: format!("{shown} ({})", first.member),
            cause: first.error,
        });
    }
    let identifiers = selected
        .iter()
        .filter_map(|id| reports.remove(id))
        .collect();
    Ok(BenchReport { identifiers })
}

fn record(
    report: &mut IdentifierReport,
    unit: &TextUnit<'_>,
    location: BenchLocation,
    candidate: Candidate<'_, '_>,
) {
    let text = String::from_utf8_lossy(&unit.bytes[candidate.span.clone()]).into_owned();
    let file_member = unit.member.map(str::to_owned);
    match candidate.verdict {
        Verdict::Kept(hit) => {
            report.match_count += 1;
            report.matches.push(BenchMatch {
                text,
                location,
                file_member,
                keyword: hit.as_ref().map(|hit| hit.keyword.to_owned()),
                keyword_found_in: hit.map(|hit| match hit.source {
                    KeywordSource::Text(_) => "text",
                    KeywordSource::ColumnName(_) => "column_name",
                    KeywordSource::JsonKey(_) => "json_key",
                }),
            });
        }
        Verdict::Rejected(rejection) => {
            let detail = match rejection {
                Rejection::IgnoreWord(word) => Some(word.to_owned()),
                Rejection::AllowList(list) => Some(list.to_owned()),
                Rejection::Checksum
                | Rejection::NoKeywordInRange
                | Rejection::Example
                | Rejection::KeywordInRange => None,
            };
            report.rejected.push(BenchRejection {
                text,
                location,
                file_member,
                reason: rejection.code(),
                detail,
            });
        }
    }
}

fn locate(
    unit: &TextUnit<'_>,
    lines: Option<&LineIndex>,
    paths: &mut RecordPaths<'_>,
    offset: usize,
) -> BenchLocation {
    match unit.place {
        UnitPlace::Text {
            first_line,
            first_column,
            dropped,
        } => {
            let index;
            let lines = match lines {
                Some(lines) => lines,
                None => {
                    index = LineIndex::new(unit.bytes);
                    &index
                }
            };
            let at = lines.locate_text(unit.bytes, offset, (first_line, first_column), dropped);
            BenchLocation::Line {
                line: at.line,
                column: at.column,
            }
        }
        UnitPlace::Page { page } => {
            let at = match lines {
                Some(lines) => lines.locate(unit.bytes, offset, 1),
                None => LineIndex::new(unit.bytes).locate(unit.bytes, offset, 1),
            };
            BenchLocation::Page {
                page_number: page,
                line: at.line,
                column: at.column,
            }
        }
        UnitPlace::Cell {
            row,
            column,
            column_name,
            sheet,
        } => {
            let reference = format!("{}{row}", column_letters(column));
            BenchLocation::Cell {
                row,
                column,
                column_name: column_name.map(str::to_owned),
                cell_reference: match sheet {
                    Some(sheet) => format!("{sheet}!{reference}"),
                    None => reference,
                },
            }
        }
        UnitPlace::Record { index, path } => BenchLocation::Record {
            record_index: index,
            json_path: paths.json_path(&path),
        },
    }
}

impl BenchReport {
    /// The report as an analyst reads it in a terminal: one block per identifier, each
    /// candidate on a line with its place, text and the reason it was kept or dropped.
    pub fn render_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for (i, identifier) in self.identifiers.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "{}: {} {}, {} rejected",
                identifier.name,
                identifier.match_count,
                if identifier.match_count == 1 {
                    "match"
                } else {
                    "matches"
                },
                identifier.rejected.len()
            );
            for m in &identifier.matches {
                let why = match (&m.keyword, m.keyword_found_in) {
                    (Some(keyword), Some(found_in)) => {
                        format!("  keyword \"{keyword}\" in {}", found_in.replace('_', " "))
                    }
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "  match     {:<28} {}{why}",
                    place(&m.location, m.file_member.as_deref()),
                    m.text
                );
            }
            for r in &identifier.rejected {
                let detail = r
                    .detail
                    .as_ref()
                    .map(|d| format!(" \"{d}\""))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  rejected  {:<28} {}  {}{detail}",
                    place(&r.location, r.file_member.as_deref()),
                    r.text,
                    r.reason
                );
            }
        }
        out
    }
}

/// A candidate's place for a human: the member first, when it is in one, because the
/// location means nothing without it.
fn place(location: &BenchLocation, member: Option<&str>) -> String {
    match member {
        Some(member) => format!("{member}: {location}"),
        None => location.to_string(),
    }
}

impl std::fmt::Display for BenchLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BenchLocation::Page {
                page_number,
                line,
                column,
            } => write!(f, "page {page_number}, line {line}, column {column}"),
            BenchLocation::Line { line, column } => write!(f, "line {line}, column {column}"),
            BenchLocation::Cell {
                row,
                column_name,
                cell_reference,
                ..
            } => match column_name {
                Some(name) => write!(f, "cell {cell_reference} ({name}), row {row}"),
                None => write!(f, "cell {cell_reference}, row {row}"),
            },
            BenchLocation::Record {
                record_index,
                json_path: Some(json_path),
            } => write!(f, "record {record_index}, {json_path}"),
            BenchLocation::Record {
                record_index,
                json_path: None,
            } => write!(f, "record {record_index}, path omitted (sensitive key)"),
        }
    }
}
