//! Finds a workbook's parts through the package relationships, as Excel does.
//!
//! calamine looks for its parts at fixed names (`xl/workbook.xml`, its relationships,
//! `xl/sharedStrings.xml`, `xl/styles.xml`, sheets under `xl/worksheets/`), but a
//! package may keep them anywhere: `_rels/.rels` names the office document, and the
//! document's own relationships name its sheets, shared strings and styles. A package
//! laid out otherwise is copied, without inflating anything, into a temporary zip whose
//! parts carry the names calamine expects. Optional parts that are absent (shared
//! strings, styles, theme, document properties) stay absent; calamine reads them as
//! empty.

use std::fs::File;
use std::io::{Read, Seek, Write};

use quick_xml::events::Event;
use zip::write::{SimpleFileOptions, ZipWriter};
use zip::ZipArchive;

use super::{malformed, zip_error};
use crate::reader::ReadError;

/// Where calamine looks for the workbook part.
pub(super) const CONVENTIONAL_WORKBOOK: &str = "xl/workbook.xml";

/// The package relationships, which name the office document.
const PACKAGE_RELS: &str = "_rels/.rels";

/// Largest relationships part read: real ones are a few kilobytes, and this one is read
/// before the container's expansion is checked.
const MAX_RELS_BYTES: u64 = 4 << 20;

/// A relationship: its id, the last segment of its type URI, and its target part, an
/// absolute part name without the leading `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Relationship {
    id: String,
    kind: String,
    target: String,
    /// The target as the relationships part writes it.
    raw_target: String,
}

/// The workbook part the package relationships name, or the conventional one when the
/// package has no (usable) relationships part, as calamine would assume.
pub(super) fn workbook_part<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
) -> Result<String, ReadError> {
    let Some(rels) = relationships(archive, PACKAGE_RELS, "")? else {
        return Ok(CONVENTIONAL_WORKBOOK.to_owned());
    };
    Ok(rels
        .into_iter()
        .find(|rel| rel.kind == "officeDocument")
        .map_or_else(|| CONVENTIONAL_WORKBOOK.to_owned(), |rel| rel.target))
}

/// Whether calamine would miss part of the workbook at `workbook` where it lies: the
/// workbook is elsewhere than `xl/workbook.xml`, or one of its relationships names a
/// part other than the one calamine would open for it. calamine puts `xl/` before
/// every target not already under it (so `/data/s.xml` or `../data/s.xml` is lost),
/// tells a sheet's type by the folder under `xl/`, and reads shared strings and styles
/// at fixed names only (elsewhere they would be silently empty). Such a package is
/// repacked by [`relocate`].
pub(super) fn needs_relocation<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    workbook: &str,
) -> Result<bool, ReadError> {
    if !workbook.eq_ignore_ascii_case(CONVENTIONAL_WORKBOOK) {
        return Ok(true);
    }
    // Without relationships the package is calamine's to refuse, as before.
    let Some(rels) = relationships(archive, CONVENTIONAL_RELS, "xl")? else {
        return Ok(false);
    };
    Ok(rels.iter().any(|rel| {
        let expected = match rel.kind.as_str() {
            kind if MACRO_SHEETS.contains(&kind) => return true,
            "worksheet" | "chartsheet" | "dialogsheet" => format!("xl/{}s/", rel.kind),
            "sharedStrings" => "xl/sharedStrings.xml".to_owned(),
            "styles" => "xl/styles.xml".to_owned(),
            _ => return false,
        };
        let at_calamines_name = calamine_part(&rel.raw_target) == rel.target;
        let where_expected = if expected.ends_with('/') {
            rel.target.starts_with(&expected)
        } else {
            rel.target == expected
        };
        !(at_calamines_name && where_expected)
    }))
}

/// Relationship types of Excel 4.0 macro sheets (`.xlsm`). calamine refuses a workbook
/// that has one, though its cells are a grid like a worksheet's (formulas, and
/// values that may be anything a worksheet holds): repacked, they are read as
/// worksheets, and the other sheets with them.
const MACRO_SHEETS: &[&str] = &["xlMacrosheet", "xlIntlMacrosheet"];

/// The part calamine opens for a workbook relationship's target, as it writes it.
fn calamine_part(target: &str) -> String {
    if let Some(rest) = target.strip_prefix("/xl/") {
        format!("xl/{rest}")
    } else if target.starts_with("xl/") {
        target.to_owned()
    } else {
        format!("xl/{target}")
    }
}

/// The workbook's relationships part in a conventional package.
const CONVENTIONAL_RELS: &str = "xl/_rels/workbook.xml.rels";

/// Copies the workbook at `workbook`, its sheets, shared strings and styles into a
/// temporary zip under the names calamine expects. Entries are copied raw (still
/// compressed), so the copy costs no inflating and is no larger than the original.
pub(super) fn relocate<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    workbook: &str,
) -> Result<File, ReadError> {
    let (folder, file) = workbook.rsplit_once('/').unwrap_or(("", workbook));
    let rels_part = if folder.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{folder}/_rels/{file}.rels")
    };
    let rels = relationships(archive, &rels_part, folder)?
        .ok_or_else(|| malformed(format!("no {rels_part} part")))?;

    let mut out = ZipWriter::new(tempfile::tempfile()?);
    copy_part(archive, &mut out, workbook, CONVENTIONAL_WORKBOOK)?;
    let mut kept = Vec::new();
    let mut sheets = 0usize;
    for rel in rels {
        let mut rel = rel;
        if MACRO_SHEETS.contains(&rel.kind.as_str()) {
            rel.kind = "worksheet".to_owned();
        }
        let new_target = match rel.kind.as_str() {
            "worksheet" | "chartsheet" | "dialogsheet" => {
                sheets += 1;
                format!("{}s/sheet{sheets}.xml", rel.kind)
            }
            "sharedStrings" => "sharedStrings.xml".to_owned(),
            "styles" => "styles.xml".to_owned(),
            _ => continue,
        };
        // A sheet whose part is missing stays listed: reading it then fails as it
        // would in a conventional package.
        if find_part(archive, &rel.target).is_some() {
            copy_part(archive, &mut out, &rel.target, &format!("xl/{new_target}"))?;
        }
        kept.push(Relationship {
            raw_target: new_target.clone(),
            target: new_target,
            ..rel
        });
    }
    out.start_file("xl/_rels/workbook.xml.rels", SimpleFileOptions::default())
        .map_err(zip_error)?;
    out.write_all(relationships_xml(&kept).as_bytes())?;
    let mut file = out.finish().map_err(zip_error)?;
    file.rewind()?;
    Ok(file)
}

/// Copies one part, still compressed, under a new name.
fn copy_part<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    out: &mut ZipWriter<File>,
    from: &str,
    to: &str,
) -> Result<(), ReadError> {
    let index = find_part(archive, from).ok_or_else(|| malformed(format!("no {from} part")))?;
    let entry = archive.by_index_raw(index).map_err(zip_error)?;
    out.raw_copy_file_rename(entry, to).map_err(zip_error)
}

/// The index of `part`, matched as calamine matches names (case-insensitively, `\`
/// taken for `/`).
fn find_part<R: Read + Seek>(archive: &ZipArchive<R>, part: &str) -> Option<usize> {
    (0..archive.len()).find(|&index| {
        archive
            .name_for_index(index)
            .is_some_and(|name| name.replace('\\', "/").eq_ignore_ascii_case(part))
    })
}

/// The relationships in the part `rels_part`, their targets resolved against the
/// folder of their source part (`source_folder`); `None` when the part is absent.
fn relationships<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    rels_part: &str,
    source_folder: &str,
) -> Result<Option<Vec<Relationship>>, ReadError> {
    let Some(index) = find_part(archive, rels_part) else {
        return Ok(None);
    };
    let mut xml = Vec::new();
    archive
        .by_index(index)
        .map_err(zip_error)?
        .take(MAX_RELS_BYTES)
        .read_to_end(&mut xml)
        .map_err(super::io_error)?;
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut rels = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"Relationship" => {
                let (mut id, mut kind, mut target, mut external) = (None, None, None, false);
                for attribute in e.attributes().flatten() {
                    let value = attribute
                        .decode_and_unescape_value(reader.decoder())
                        .map_err(|e| malformed(format!("{rels_part}: {e}")))?
                        .into_owned();
                    match attribute.key.local_name().as_ref() {
                        b"Id" => id = Some(value),
                        b"Type" => kind = value.rsplit('/').next().map(str::to_owned),
                        b"Target" => target = Some(value),
                        b"TargetMode" => external = value == "External",
                        _ => {}
                    }
                }
                if let (Some(id), Some(kind), Some(target), false) = (id, kind, target, external) {
                    let resolved = resolve(source_folder, &target);
                    rels.push(Relationship {
                        id,
                        kind,
                        target: resolved,
                        raw_target: target,
                    });
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(malformed(format!("{rels_part}: {e}"))),
        }
        buf.clear();
    }
    Ok(Some(rels))
}

/// The part name a relationship's target names: absolute when it starts with `/`,
/// otherwise relative to the source part's folder, with `.` and `..` segments applied.
fn resolve(source_folder: &str, target: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let (base, path) = match target.strip_prefix('/') {
        Some(absolute) => ("", absolute),
        None => (source_folder, target),
    };
    for segment in base.split('/').chain(path.split('/')) {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    segments.join("/")
}

/// A relationships part listing `rels`, their targets relative to `xl/`.
fn relationships_xml(rels: &[Relationship]) -> String {
    const PACKAGE_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const TYPE_BASE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PACKAGE_NS}">"#
    );
    for rel in rels {
        xml.push_str(&format!(
            r#"<Relationship Id="{}" Type="{TYPE_BASE}/{}" Target="{}"/>"#,
            quick_xml::escape::escape(rel.id.as_str()),
            quick_xml::escape::escape(rel.kind.as_str()),
            quick_xml::escape::escape(rel.target.as_str()),
        ));
    }
    xml.push_str("</Relationships>");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_against_the_source_folder() {
        assert_eq!(resolve("workbook", "sheets/a.xml"), "workbook/sheets/a.xml");
        assert_eq!(resolve("workbook", "/other/b.xml"), "other/b.xml");
        assert_eq!(resolve("a/b", "../c.xml"), "a/c.xml");
        assert_eq!(resolve("", "./book.xml"), "book.xml");
    }
}
