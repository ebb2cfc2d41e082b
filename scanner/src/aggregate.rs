//! Folding the verdicts on an object's units into its result record: counts, listed
//! occurrences, severities and the finding type.
//!
//! The [`Aggregator`] is the [`UnitSink`] of a scan: readers hand it units, its
//! [`Matcher`] judges them (and offers readers the block filter), and it keeps the
//! counts and places the occurrences. It never judges text itself.

use std::collections::{BTreeMap, HashMap};

use ferret_identifiers::managed;
use ferret_identifiers::{
    BlockFilter, Candidate, Category, DetectorKind, IdentifierSet, Matcher, Narrowing, Severity,
    UnitContext,
};

use crate::json_path::RecordPaths;
use crate::location::{column_letters, LineIndex};
use crate::reader::{TextUnit, UnitPlace, UnitSink};
use crate::result::{
    CellOccurrence, CustomDataIdentifiers, CustomDetection, LineRange, ManagedDetection,
    Occurrences, PageOccurrence, RecordOccurrence, SensitiveDataCategory, SeveritySummary,
};

/// Per detector: the full count and the first occurrences.
#[derive(Debug, Default)]
struct Tally {
    count: u64,
    occurrences: Occurrences,
}

/// What the aggregator concludes about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Findings {
    pub custom: CustomDataIdentifiers,
    pub sensitive_data: Vec<SensitiveDataCategory>,
    pub additional_occurrences: bool,
    /// Highest severity reached; `None` when the object is not sensitive.
    pub severity: Option<Severity>,
    /// `SensitiveData:S3Object/...` when sensitive.
    pub finding_type: Option<String>,
}

impl Findings {
    pub fn severity_summary(&self) -> Option<SeveritySummary> {
        self.severity.map(|s| SeveritySummary {
            score: s.score(),
            description: s.description().to_owned(),
        })
    }
}

/// Collects the kept candidates of one object's units.
pub struct Aggregator<'s> {
    set: &'s IdentifierSet,
    /// Judges every unit, column name and JSON key.
    matcher: Matcher<'s>,
    /// Whether readers get the set's block filters ([`UnitSink::block_filter`]).
    block_filters: bool,
    max_occurrences: usize,
    tallies: Vec<Tally>,
    units: u64,
    /// Writes the `jsonPath` of listed record occurrences (and has their keys judged).
    paths: RecordPaths<'s>,
}

impl<'s> Aggregator<'s> {
    /// `max_occurrences` bounds the occurrences listed per detection; counts are exact.
    pub fn new(set: &'s IdentifierSet, max_occurrences: usize) -> Self {
        Aggregator {
            set,
            matcher: Matcher::new(set),
            block_filters: true,
            max_occurrences,
            tallies: (0..set.detectors().len())
                .map(|_| Tally::default())
                .collect(),
            units: 0,
            paths: RecordPaths::new(set),
        }
    }

    /// The same aggregator, offering readers no block filter: every unit is handed
    /// over and judged (what `--no-prefilter` asks for; the results are the same).
    pub fn without_block_filters(self) -> Self {
        Aggregator {
            block_filters: false,
            ..self
        }
    }

    /// How many units (or windows) were judged so far.
    pub fn units_seen(&self) -> u64 {
        self.units
    }

    /// Judges one unit and counts what is kept.
    pub fn judge(&mut self, unit: &TextUnit<'_>) {
        self.units += 1;
        let max = self.max_occurrences;
        let tallies = &mut self.tallies;
        let paths = &mut self.paths;
        let search = unit.search.clone();
        match unit.place {
            // A cell or a JSON value is its matches' location: counts are all it takes.
            UnitPlace::Cell { .. } | UnitPlace::Record { .. } => self.matcher.count_kept(
                unit.bytes,
                search,
                unit.context,
                unit.only,
                |detector, kept| {
                    let tally = &mut tallies[detector.0];
                    tally.count += kept;
                    let room = max.saturating_sub(tally.occurrences.len()) as u64;
                    for _ in 0..kept.min(room) {
                        place_at_unit(&mut tally.occurrences, unit, paths);
                    }
                },
            ),
            UnitPlace::Text { .. } | UnitPlace::Page { .. } => {
                let mut lines: Option<LineIndex> = None;
                let tally_kept = |c: Candidate<'_, '_>| {
                    if !c.is_kept() {
                        return;
                    }
                    let tally = &mut tallies[c.detector.0];
                    tally.count += 1;
                    if tally.occurrences.len() < max {
                        place_occurrence(&mut tally.occurrences, unit, &mut lines, paths, &c);
                    }
                };
                self.matcher.kept_candidates(
                    unit.bytes,
                    search,
                    unit.context,
                    unit.only,
                    tally_kept,
                );
            }
        }
    }

    /// Adds what `later` judged: the data rows of a table that come right after the
    /// units judged here, which `later` numbered as if they came right after the
    /// header. Their rows are shifted by `rows_before`, the data rows before them.
    ///
    /// Counts add up and each detector's list of occurrences is filled up to the bound
    /// in unit order, so this aggregator ends up as if it had judged those units
    /// itself. (Exact when `later` listed one kind of occurrence only, as table rows
    /// give cells: kinds are listed apart, so the order of mixed kinds is not known.)
    pub(crate) fn append_rows(&mut self, later: Aggregator<'_>, rows_before: u64) {
        self.units += later.units;
        let max = self.max_occurrences;
        for (tally, later) in self.tallies.iter_mut().zip(later.tallies) {
            tally.count += later.count;
            let room = max.saturating_sub(tally.occurrences.len());
            let cells = later.occurrences.cells.into_iter().take(room);
            tally
                .occurrences
                .cells
                .extend(cells.map(|cell| CellOccurrence {
                    row: cell.row + rows_before,
                    ..cell
                }));
            let room = max.saturating_sub(tally.occurrences.len());
            let lines = later.occurrences.line_ranges.into_iter().take(room);
            tally.occurrences.line_ranges.extend(lines);
            let room = max.saturating_sub(tally.occurrences.len());
            let records = later.occurrences.records.into_iter().take(room);
            tally.occurrences.records.extend(records);
        }
    }

    /// The object's findings.
    pub fn finish(self) -> Findings {
        let mut custom = CustomDataIdentifiers {
            total_count: 0,
            detections: Vec::new(),
        };
        let mut by_category: BTreeMap<Category, SensitiveDataCategory> = BTreeMap::new();
        let mut severity: Option<Severity> = None;
        let mut types: Vec<&'static str> = Vec::new();
        let mut additional = false;
        let mut tallies = self.tallies;
        forget_sensitive_column_names(&self.matcher, &mut tallies);
        for (detector, tally) in self.set.detectors().iter().zip(tallies) {
            if tally.count == 0 {
                continue;
            }
            additional |= tally.count > tally.occurrences.len() as u64;
            let (reached, type_suffix) = match detector.kind() {
                DetectorKind::Custom { severity_levels } => {
                    let reached = severity_levels.severity_for(tally.count);
                    custom.total_count += tally.count;
                    custom.detections.push(CustomDetection {
                        name: detector.name().to_owned(),
                        count: tally.count,
                        severity: reached.map(|s| s.as_str().to_owned()),
                        occurrences: tally.occurrences,
                    });
                    (reached, "CustomIdentifier")
                }
                DetectorKind::Managed { category } => {
                    let group =
                        by_category
                            .entry(*category)
                            .or_insert_with(|| SensitiveDataCategory {
                                category: category.as_str().to_owned(),
                                total_count: 0,
                                detections: Vec::new(),
                            });
                    group.total_count += tally.count;
                    group.detections.push(ManagedDetection {
                        detection_type: detector.name().to_owned(),
                        count: tally.count,
                        occurrences: tally.occurrences,
                    });
                    (
                        managed::severity(detector.name(), *category, tally.count),
                        category.finding_type_suffix(),
                    )
                }
            };
            if let Some(reached) = reached {
                severity = severity.max(Some(reached));
                if !types.contains(&type_suffix) {
                    types.push(type_suffix);
                }
            }
        }
        let finding_type = match types.as_slice() {
            [] => None,
            [one] => Some(format!("SensitiveData:S3Object/{one}")),
            _ => Some("SensitiveData:S3Object/Multiple".to_owned()),
        };
        Findings {
            custom,
            sensitive_data: by_category.into_values().collect(),
            additional_occurrences: additional,
            severity,
            finding_type,
        }
    }
}

/// Drops the column names that hold a kept match of `set`. A table exported without a
/// header has data in row 1, and its values would otherwise be written out as the name
/// of every listed cell below them (matched text never reaches a result).
fn forget_sensitive_column_names(matcher: &Matcher<'_>, tallies: &mut [Tally]) {
    let mut verdicts: HashMap<String, bool> = HashMap::new();
    let cells = tallies
        .iter_mut()
        .flat_map(|t| t.occurrences.cells.iter_mut());
    for cell in cells {
        let Some(name) = &cell.column_name else {
            continue;
        };
        let sensitive = match verdicts.get(name) {
            Some(&verdict) => verdict,
            None => {
                let found = matcher.holds_kept_match(name.as_bytes(), UnitContext::None);
                verdicts.insert(name.clone(), found);
                found
            }
        };
        if sensitive {
            cell.column_name = None;
        }
    }
}

impl UnitSink for Aggregator<'_> {
    fn unit(&mut self, unit: TextUnit<'_>) {
        self.judge(&unit);
    }

    fn block_filter(&self, delimiter: u8) -> Option<BlockFilter> {
        self.block_filters
            .then(|| self.matcher.block_filter(delimiter))
            .flatten()
    }

    /// Counts the cell when judging it would only count its matches (see
    /// [`Matcher::count_every_match`]) and every one of its detectors already lists as
    /// many occurrences as it may: the cell's place would not be written anywhere.
    fn count_unplaced(&mut self, only: &Narrowing, cell: Option<&[u8]>) -> bool {
        let max = self.max_occurrences;
        let tallies = &mut self.tallies;
        if !only
            .detectors()
            .all(|id| tallies[id.0].occurrences.len() >= max)
        {
            return false;
        }
        let counted = self.matcher.count_every_match(only, cell, |id, matches| {
            tallies[id.0].count += matches;
        });
        self.units += u64::from(counted);
        counted
    }
}

fn place_occurrence(
    occurrences: &mut Occurrences,
    unit: &TextUnit<'_>,
    lines: &mut Option<LineIndex>,
    paths: &mut RecordPaths<'_>,
    candidate: &Candidate<'_, '_>,
) {
    match unit.place {
        UnitPlace::Text {
            first_line,
            first_column,
            dropped,
        } => {
            let index = lines.get_or_insert_with(|| LineIndex::new(unit.bytes));
            let first = (first_line, first_column);
            let start = index.locate_text(unit.bytes, candidate.span.start, first, dropped);
            let end = index.locate(unit.bytes, candidate.span.end, first_line);
            occurrences.line_ranges.push(LineRange {
                start: start.line,
                end: end.line,
                start_column: start.column,
                file_member: unit.member.map(str::to_owned),
            });
        }
        UnitPlace::Page { page } => {
            let index = lines.get_or_insert_with(|| LineIndex::new(unit.bytes));
            let start = index.locate(unit.bytes, candidate.span.start, 1);
            let end = index.locate(unit.bytes, candidate.span.end, 1);
            // The line range's own `fileMember` stays empty: the page's says it.
            occurrences.pages.push(PageOccurrence {
                page_number: page,
                line_range: Some(LineRange {
                    start: start.line,
                    end: end.line,
                    start_column: start.column,
                    file_member: None,
                }),
                offset_range: None,
                file_member: unit.member.map(str::to_owned),
            });
        }
        UnitPlace::Cell { .. } | UnitPlace::Record { .. } => {
            place_at_unit(occurrences, unit, paths)
        }
    }
}

/// Lists an occurrence located by its unit: the cell, or the JSON value. Text units
/// need the match's offsets ([`place_occurrence`]) and are not listed here.
///
/// A JSON value's path is written here, for listed occurrences only, by Macie's rules
/// ([`RecordPaths`]): truncated, and omitted when a key on it holds sensitive data.
fn place_at_unit(occurrences: &mut Occurrences, unit: &TextUnit<'_>, paths: &mut RecordPaths<'_>) {
    match unit.place {
        UnitPlace::Cell {
            row,
            column,
            column_name,
            sheet,
        } => occurrences.cells.push(CellOccurrence {
            row,
            column,
            column_name: column_name.map(str::to_owned),
            cell_reference: sheet.map(|sheet| format!("{sheet}!{}{row}", column_letters(column))),
            file_member: unit.member.map(str::to_owned),
        }),
        UnitPlace::Record { index, path } => occurrences.records.push(RecordOccurrence {
            record_index: index,
            json_path: paths.json_path(&path),
            file_member: unit.member.map(str::to_owned),
        }),
        UnitPlace::Text { .. } | UnitPlace::Page { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::read_text;
    use crate::testing::{identifier_set, Rng};

    /// Text windows narrowed by the whole-unit filter conclude what running every
    /// detector over them does, matches across window seams and keywords before them
    /// included.
    #[test]
    fn filtered_windows_conclude_what_unfiltered_windows_do() {
        let toml = r#"
[[identifier]]
name = "SIRET-NIC"
regex = '\b(\d{3}\s?){2}\d{3}\-\d{5}\b'
keywords = ["siret"]
maximum_match_distance = 30

[[identifier]]
name = "Prototyping Naming"
regex = '\bP\-[A-Z]{2}\d{4}\b'
"#;
        let set = identifier_set(toml);
        let conclude = |text: &[u8], filter_windows: bool| {
            let mut aggregator = Aggregator::new(&set, 50);
            aggregator.matcher.set_window_narrowing(filter_windows);
            read_text(text, &mut aggregator).expect("read");
            aggregator.finish()
        };
        let window = crate::reader::text::WINDOW;
        // One value in words, placed across the first window's end: the window whose
        // search range it starts in sees it only past that range.
        for value in ["siret 732 829 320-00074", "P-AB1234", "ana.lima@example.fr"] {
            for shift in [-24, -12, -8, -5, -3, -2, -1, 0, 1, 2, 6] {
                let at = (window as i64 + shift - value.len() as i64 / 2) as usize;
                let mut text = b"lorem ipsum ".repeat(at / 12 + 1);
                text.resize(at, b' ');
                text[at - 1] = b' ';
                text.extend_from_slice(value.as_bytes());
                // Past the guard after the window, so that a second window comes.
                text.extend_from_slice(&b" dolor".repeat(crate::reader::text::GUARD / 5));
                let found = conclude(&text, true);
                assert_eq!(found, conclude(&text, false), "{value} at {at}");
                let count = found.custom.total_count
                    + found
                        .sensitive_data
                        .iter()
                        .map(|c| c.total_count)
                        .sum::<u64>();
                assert!(count > 0, "{value} at {at} is found");
            }
        }
        // Many values over two windows, and words only (windows skipped whole).
        let pieces: &[&str] = &[
            "732 829 320-00074",
            "siret ",
            "P-AB1234",
            "ana.lima@example.fr",
            "529.982.247-25",
            "4111 1111 1111 1111",
            "AKIAIOSFODNN7EXAMPLE",
            " ",
            "\n",
            "lorem ipsum dolor ",
        ];
        let mut rng = Rng::new(41);
        for case in 0..2 {
            let mut text = Vec::new();
            while text.len() < 2 * window + 5000 {
                let piece = match case {
                    0 => pieces[rng.below(pieces.len())],
                    _ => " lorem",
                };
                text.extend_from_slice(piece.as_bytes());
            }
            assert_eq!(conclude(&text, true), conclude(&text, false), "case {case}");
        }
    }
}
