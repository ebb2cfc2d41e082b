//! Scanning objects into result records, one at a time or many in parallel.

use std::fs::File;
use std::path::{Path, PathBuf};

use ferret_identifiers::IdentifierSet;
use rayon::prelude::*;

use crate::aggregate::Aggregator;
use crate::limits::Limits;
use crate::object::{read_object, Input, MemberError, ReadOutcome};
use crate::per_thread::PerThread;
use crate::reader::ReadError;
use crate::result::{
    ClassificationDetails, ClassificationResult, CustomDataIdentifiers, Reason, ResourcesAffected,
    ResultRecord, S3Bucket, S3Object, Status, StatusCode, SCHEMA_VERSION,
};
use crate::row_groups::read_row_groups;
use crate::split::{read_split, SplitOptions};
use crate::Format;

/// How objects are scanned.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub limits: Limits,
    /// Occurrences listed per detection (`--max-occurrences`); counts are always full.
    pub max_occurrences: usize,
    /// The batch id written as `jobId`.
    pub job_id: Option<String>,
    /// Let readers skip, with the identifier set's raw-byte prefilter, the units it
    /// proves clean. The results are the same either way; off only to compare the two
    /// paths (the differential tests do).
    pub prefilter: bool,
    /// When a large local CSV or TSV file is read on several threads of the pool it is
    /// scanned in; the results are the same either way.
    pub split: SplitOptions,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            limits: Limits::default(),
            max_occurrences: 1000,
            job_id: None,
            prefilter: true,
            split: SplitOptions::default(),
        }
    }
}

/// Identifies the object a result is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// `None` for local files.
    pub bucket: Option<String>,
    /// The S3 key, or the local path as given.
    pub key: String,
    pub size: u64,
    pub e_tag: Option<String>,
}

impl ObjectMeta {
    /// A local file, named by the path as the user gave it.
    pub fn local(path: &Path, size: u64) -> ObjectMeta {
        ObjectMeta {
            bucket: None,
            key: path.to_string_lossy().into_owned(),
            size,
            e_tag: None,
        }
    }

    /// `bucket/key` for S3 objects, the path for local files.
    pub fn path(&self) -> String {
        match &self.bucket {
            Some(bucket) => format!("{bucket}/{}", self.key),
            None => self.key.clone(),
        }
    }

    fn extension(&self) -> String {
        let name = self.key.rsplit('/').next().unwrap_or(&self.key);
        match name.rsplit_once('.') {
            Some((stem, extension)) if !stem.is_empty() => extension.to_owned(),
            _ => String::new(),
        }
    }
}

/// Scans one object and describes it, whatever happens: a failure to read becomes a
/// SKIPPED or PARTIAL status with Macie's reason, never an error of the scan.
pub fn scan_object(
    set: &IdentifierSet,
    meta: &ObjectMeta,
    input: Input<'_>,
    options: &ScanOptions,
) -> ResultRecord {
    if let Some(record) = over_size_quota(meta, options) {
        return record;
    }
    let mut aggregator = Aggregator::new(set, options.max_occurrences);
    if !options.prefilter {
        aggregator = aggregator.without_block_filters();
    }
    let outcome = read_object(&meta.key, input, &options.limits, &mut aggregator);
    describe(meta, options, aggregator, outcome)
}

/// The SKIPPED `FILE_EXCEEDS_SIZE_LIMIT` record of an object larger than its format's
/// quota ([`Limits::file_size`]), or `None` when it may be read. Callers that fetch
/// objects check it before the request, so that an object over its quota is never
/// downloaded; [`scan_object`] and [`scan_file`] check it too.
pub fn over_size_quota(meta: &ObjectMeta, options: &ScanOptions) -> Option<ResultRecord> {
    options
        .limits
        .file_size
        .exceeded_by(&meta.key, meta.size)
        .then(|| unreadable(meta, Reason::FileExceedsSizeLimit, options))
}

/// The record of an object read into `aggregator` with `outcome`.
fn describe(
    meta: &ObjectMeta,
    options: &ScanOptions,
    aggregator: Aggregator<'_>,
    outcome: Result<ReadOutcome, ReadError>,
) -> ResultRecord {
    let scanned_any = aggregator.units_seen() > 0;
    let (status, format) = match outcome {
        Ok(outcome) if outcome.member_errors.is_empty() => (Status::complete(), outcome.format),
        Ok(outcome) => (
            Status::partial(archive_reason(&outcome.member_errors)),
            outcome.format,
        ),
        Err(error) => (
            failed(&error, scanned_any),
            Format::from_path(Path::new(&meta.key)),
        ),
    };
    let findings = aggregator.finish();
    let size_classified = if status.code == StatusCode::Skipped {
        0
    } else {
        meta.size
    };
    ResultRecord {
        finding_type: findings.finding_type.clone(),
        severity: findings.severity_summary(),
        ..record(
            meta,
            options,
            ClassificationResult {
                status,
                mime_type: format.mime_type(Path::new(&meta.key)).to_owned(),
                size_classified,
                additional_occurrences: findings.additional_occurrences,
                custom_data_identifiers: findings.custom,
                sensitive_data: findings.sensitive_data,
            },
        )
    }
}

/// The record of an object that could not be opened at all, for `reason` (such as
/// [`Reason::PermissionDenied`]).
pub fn unreadable(meta: &ObjectMeta, reason: Reason, options: &ScanOptions) -> ResultRecord {
    let format = Format::from_path(Path::new(&meta.key));
    record(
        meta,
        options,
        ClassificationResult {
            status: Status::skipped(reason),
            mime_type: format.mime_type(Path::new(&meta.key)).to_owned(),
            size_classified: 0,
            additional_occurrences: false,
            custom_data_identifiers: CustomDataIdentifiers {
                total_count: 0,
                detections: Vec::new(),
            },
            sensitive_data: Vec::new(),
        },
    )
}

/// A record about `meta` with `result`, not sensitive until the caller says otherwise.
fn record(meta: &ObjectMeta, options: &ScanOptions, result: ClassificationResult) -> ResultRecord {
    ResultRecord {
        schema_version: SCHEMA_VERSION.to_owned(),
        resources_affected: ResourcesAffected {
            s3_bucket: meta.bucket.clone().map(|name| S3Bucket { name }),
            s3_object: S3Object {
                key: meta.key.clone(),
                path: meta.path(),
                extension: meta.extension(),
                size: meta.size,
                e_tag: meta.e_tag.clone(),
            },
        },
        finding_type: None,
        severity: None,
        classification_details: ClassificationDetails {
            job_id: options.job_id.clone(),
            result,
        },
    }
}

/// An archive some members of which were not analysed: a limit that stopped a member
/// is the more useful reason, otherwise Macie's generic one.
fn archive_reason(errors: &[MemberError]) -> Reason {
    errors
        .iter()
        .map(|e| &e.error)
        .find(|e| {
            matches!(
                e,
                ReadError::NestingOverLimit { .. } | ReadError::MemberOverLimit { .. }
            )
        })
        .map_or(Reason::ArchiveContainsUnprocessedFiles, ReadError::reason)
}

/// An object whose reading failed is PARTIAL when some of it was analysed first, unless
/// the failure says it was never the format it claimed to be.
fn failed(error: &ReadError, scanned_any: bool) -> Status {
    let never_read = matches!(
        error,
        ReadError::Unsupported(_) | ReadError::Unparseable(_) | ReadError::PasswordProtected(_)
    );
    if scanned_any && !never_read {
        Status::partial(error.reason())
    } else {
        Status::skipped(error.reason())
    }
}

/// Scans a local file. A large CSV or TSV file, or a large Parquet file, is read on
/// several threads of the current rayon pool when it has more than one (see
/// [`crate::split`] and `row_groups`).
pub fn scan_file(set: &IdentifierSet, path: &Path, options: &ScanOptions) -> ResultRecord {
    let opened = File::open(path).and_then(|file| {
        let size = file.metadata()?.len();
        Ok((file, size))
    });
    match opened {
        Ok((mut file, size)) => {
            let meta = ObjectMeta::local(path, size);
            if let Some(record) = over_size_quota(&meta, options) {
                return record;
            }
            // A large CSV or TSV file is read in slices, a large Parquet file by row
            // groups, each on all threads; whatever else, by one thread.
            let split = read_split(set, &meta.key, &file, size, options)
                .ok()
                .or_else(|| read_row_groups(set, &meta.key, &file, size, options).ok());
            match split {
                Some(split) => {
                    // What the sequential scan of the same file reports.
                    let outcome = if split.over_limit {
                        Err(ReadError::UnitTooLarge {
                            limit: options.limits.max_unit_bytes,
                        })
                    } else {
                        Ok(ReadOutcome {
                            format: split.format,
                            member_errors: Vec::new(),
                        })
                    };
                    describe(&meta, options, split.aggregator, outcome)
                }
                // Whatever the reason, the sequential scan reads it all (again).
                None => scan_object(set, &meta, Input::Seekable(&mut file), options),
            }
        }
        // A file that cannot be opened (no read permission) usually still has its
        // size in its directory entry: the record tells how much went unscanned.
        Err(error) => unreadable(
            &ObjectMeta::local(path, std::fs::metadata(path).map_or(0, |m| m.len())),
            ReadError::Io(error).reason(),
            options,
        ),
    }
}

/// Runs `scan_one` over `items` on `threads` threads (0: all cores) and returns the
/// records in the items' order, whatever the thread count. `scan_one` gets the copy of
/// `set` that belongs to the thread it runs on (see `PerThread`). `done` is called as
/// each object finishes (from worker threads), for progress reporting.
pub fn scan_parallel<T, F, D>(
    items: &[T],
    threads: usize,
    set: &IdentifierSet,
    scan_one: F,
    done: D,
) -> Result<Vec<ResultRecord>, rayon::ThreadPoolBuildError>
where
    T: Sync,
    F: Fn(&IdentifierSet, &T) -> ResultRecord + Sync,
    D: Fn(&ResultRecord) + Sync,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    Ok(pool.install(|| {
        let sets = PerThread::new(set);
        items
            .par_iter()
            .map(|item| {
                let record = scan_one(sets.get(), item);
                done(&record);
                record
            })
            .collect()
    }))
}

/// The files a target names: the file itself, or every file below a directory
/// (recursively, symbolic links not followed), sorted by path.
pub fn local_files(target: &Path) -> std::io::Result<Vec<(PathBuf, u64)>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(target).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::from)?;
        if entry.file_type().is_file() {
            let size = entry.metadata().map_err(std::io::Error::from)?.len();
            files.push((entry.into_path(), size));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::result::Occurrences;
    use crate::testing::identifier_set;

    const IDENTIFIERS: &str = r#"
[[identifier]]
name = "Prototyping Naming"
regex = '\bP\-[A-Z]{2}\d{4}\b'
"#;

    /// The cell limit of these tests.
    const LIMIT: usize = 32;

    fn options(prefilter: bool) -> ScanOptions {
        ScanOptions {
            limits: Limits {
                max_unit_bytes: LIMIT,
                ..Limits::default()
            },
            prefilter,
            ..ScanOptions::default()
        }
    }

    fn scan_bytes(name: &str, bytes: &[u8], options: &ScanOptions) -> ResultRecord {
        let set = identifier_set(IDENTIFIERS);
        let meta = ObjectMeta {
            bucket: None,
            key: name.to_owned(),
            size: bytes.len() as u64,
            e_tag: None,
        };
        let mut stream = bytes;
        scan_object(&set, &meta, Input::Stream(&mut stream), options)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).expect("in memory");
        encoder.finish().expect("in memory")
    }

    /// The status, and the count and occurrences of the one custom detection.
    fn found(record: &ResultRecord) -> (Status, u64, Occurrences) {
        let result = &record.classification_details.result;
        let detection = result
            .custom_data_identifiers
            .detections
            .first()
            .expect("a detection");
        (
            result.status.clone(),
            detection.count,
            detection.occurrences.clone(),
        )
    }

    fn partial() -> Status {
        Status::partial(Reason::FileExceedsSizeLimit)
    }

    /// A value one byte over the limit with a match in it, one of exactly the limit with
    /// a match at its very end, a quoted one over the limit across lines, and matches
    /// before and after them.
    fn values() -> [String; 5] {
        [
            "P-AB1234".to_owned(),
            format!("{} P-CD5678", "x".repeat(LIMIT - 8)),
            format!("{} P-EF9012", "y".repeat(LIMIT - 9)),
            format!("a\n{}\nP-IJ7890", "z".repeat(LIMIT)),
            "P-GH3456".to_owned(),
        ]
    }

    #[test]
    fn a_cell_over_the_limit_is_skipped_and_the_rest_of_the_table_scanned() {
        let [first, over, exact, quoted, last] = values();
        assert_eq!((over.len(), exact.len()), (LIMIT + 1, LIMIT));
        let csv = format!("name,code\nfirst,{first}\nover,{over}\nexact,{exact}\nquoted,\"{quoted}\"\nlast,{last}\n");
        let tsv = csv.replace(',', "\t");
        let tables = [
            ("t.csv", csv.clone().into_bytes()),
            ("t.tsv", tsv.into_bytes()),
            ("t.csv.gz", gzip(csv.as_bytes())),
        ];
        for (name, bytes) in tables {
            for prefilter in [true, false] {
                let record = scan_bytes(name, &bytes, &options(prefilter));
                let (status, count, occurrences) = found(&record);
                let rows: Vec<u64> = occurrences.cells.iter().map(|c| c.row).collect();
                assert_eq!(status, partial(), "{name}, prefilter {prefilter}");
                assert_eq!(count, 3, "{name}, prefilter {prefilter}");
                assert_eq!(rows, [2, 4, 6], "{name}, prefilter {prefilter}");
                assert!(record.is_sensitive());
            }
        }
    }

    #[test]
    fn a_table_whose_only_cell_is_over_the_limit_is_skipped() {
        let cell = format!("{} P-CD5678\n", "x".repeat(LIMIT));
        let record = scan_bytes("one.csv", cell.as_bytes(), &options(true));
        let result = &record.classification_details.result;
        assert_eq!(result.status, Status::skipped(Reason::FileExceedsSizeLimit));
        assert_eq!(result.custom_data_identifiers.total_count, 0);
    }

    #[test]
    fn a_json_string_over_the_limit_is_skipped_and_the_rest_of_the_document_scanned() {
        let [first, over, exact, _, last] = values();
        let document = format!(
            r#"{{"first": "{first}", "over": "{over}", "exact": ["{exact}"], "last": {{"v": "{last}"}}}}"#
        );
        for prefilter in [true, false] {
            let record = scan_bytes("d.json", document.as_bytes(), &options(prefilter));
            let (status, count, occurrences) = found(&record);
            let paths: Vec<&str> = occurrences
                .records
                .iter()
                .filter_map(|r| r.json_path.as_deref())
                .collect();
            assert_eq!(status, partial());
            assert_eq!(count, 3);
            assert_eq!(paths, ["$.first", "$.exact[0]", "$.last.v"]);
        }
    }

    fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in members {
            let options = zip::write::SimpleFileOptions::default();
            writer.start_file(*name, options).expect("in memory");
            writer.write_all(bytes).expect("in memory");
        }
        writer.finish().expect("in memory").into_inner()
    }

    /// Occurrences in archive members carry the member's path, outer archive first,
    /// whatever kind they are and whether or not the table was prefiltered; those of
    /// an object that is no archive carry none, and the field is then not written.
    #[test]
    fn occurrences_in_members_name_the_member_by_its_whole_path() {
        let inner = zip(&[
            ("deep/b.txt", b"nothing here\nsee P-CD5678\n"),
            ("c.json", br#"{"k": ["x", "P-EF9012"]}"#),
        ]);
        let outer = zip(&[
            ("dir/a.csv", b"name,code\nana,P-AB1234\n"),
            ("inner.zip", &inner),
            ("d.csv.gz", &gzip(b"code\nP-GH3456\n")),
        ]);
        for prefilter in [true, false] {
            let record = scan_bytes("o.zip", &outer, &options(prefilter));
            let (status, count, occurrences) = found(&record);
            assert_eq!(status, Status::complete());
            assert_eq!(count, 4);
            let cells: Vec<(u64, u64, Option<&str>)> = occurrences
                .cells
                .iter()
                .map(|c| (c.row, c.column, c.file_member.as_deref()))
                .collect();
            assert_eq!(
                cells,
                [(2, 2, Some("dir/a.csv")), (2, 1, Some("d.csv.gz"))],
                "prefilter {prefilter}"
            );
            let lines: Vec<(u64, u64, Option<&str>)> = occurrences
                .line_ranges
                .iter()
                .map(|l| (l.start, l.start_column, l.file_member.as_deref()))
                .collect();
            assert_eq!(lines, [(2, 5, Some("inner.zip/deep/b.txt"))]);
            let records: Vec<(u64, Option<&str>, Option<&str>)> = occurrences
                .records
                .iter()
                .map(|r| {
                    (
                        r.record_index,
                        r.json_path.as_deref(),
                        r.file_member.as_deref(),
                    )
                })
                .collect();
            assert_eq!(records, [(0, Some("$.k[1]"), Some("inner.zip/c.json"))]);
            let written = serde_json::to_string(&record).expect("serializes");
            assert!(
                written.contains(r#""fileMember":"inner.zip/c.json""#),
                "{written}"
            );
        }
        let plain = scan_bytes("a.csv", b"name,code\nana,P-AB1234\n", &options(true));
        let (_, _, occurrences) = found(&plain);
        assert_eq!(occurrences.cells[0].file_member, None);
        let written = serde_json::to_string(&plain).expect("serializes");
        assert!(!written.contains("fileMember"), "{written}");
    }

    /// A stream that fails if it is read at all: what an object over its quota is.
    struct Untouchable;

    impl std::io::Read for Untouchable {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            panic!("an object over its size quota was read")
        }
    }

    #[test]
    fn an_object_over_its_formats_quota_is_skipped_without_being_read() {
        let set = identifier_set(IDENTIFIERS);
        let mut options = ScanOptions::default();
        options.limits.file_size.pdf = 100;
        let meta = |key: &str, size: u64| ObjectMeta {
            bucket: Some("b".to_owned()),
            key: key.to_owned(),
            size,
            e_tag: None,
        };
        let record = scan_object(
            &set,
            &meta("a.pdf", 101),
            Input::Stream(&mut Untouchable),
            &options,
        );
        let result = &record.classification_details.result;
        assert_eq!(result.status, Status::skipped(Reason::FileExceedsSizeLimit));
        assert_eq!(result.size_classified, 0);
        assert_eq!(result.mime_type, "application/pdf");
        assert_eq!(record.resources_affected.s3_object.size, 101);
        // The same size in another class is read.
        let csv = b"id\nP-AB1234\n";
        let mut stream = &csv[..];
        let record = scan_object(
            &set,
            &meta("a.csv", 101),
            Input::Stream(&mut stream),
            &options,
        );
        assert_eq!(found(&record).0, Status::complete());
    }

    #[test]
    fn a_local_file_over_its_quota_is_skipped_and_one_at_it_is_scanned() {
        let set = identifier_set(IDENTIFIERS);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "code P-AB1234\n").expect("write");
        let size = std::fs::metadata(&path).expect("metadata").len();
        let mut options = ScanOptions::default();
        options.limits.file_size.uncompressed = size;
        assert_eq!(
            found(&scan_file(&set, &path, &options)).0,
            Status::complete()
        );
        options.limits.file_size.uncompressed = size - 1;
        let record = scan_file(&set, &path, &options);
        assert_eq!(
            record.classification_details.result.status,
            Status::skipped(Reason::FileExceedsSizeLimit)
        );
        assert!(record
            .classification_details
            .result
            .custom_data_identifiers
            .detections
            .is_empty());
    }
}
