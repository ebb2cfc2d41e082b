//! Reading one large local Parquet file on several threads, to the very result the
//! sequential scan gives.
//!
//! A Parquet file is cut by its writer into row groups, each with its own column chunks
//! at offsets the footer lists: a row group can be read without reading any other.
//! The footer is read once; the row groups are then shared among the current rayon
//! pool's threads, each thread reading whole row groups into its own [`Aggregator`],
//! numbering rows from the row group's first row in the file (the footer gives every
//! row group's row count). The aggregators are appended in file order, so counts and
//! the listed occurrences (the first `max_occurrences` in file order) are those of one
//! thread reading the file from start to end.
//!
//! A row group that cannot be read sends the whole file to the sequential scan, which
//! scans the rows before the damage and gives the error its usual status.

use std::fs::File;
use std::io;
use std::path::Path;

use ferret_identifiers::IdentifierSet;
use rayon::prelude::*;

use crate::aggregate::Aggregator;
use crate::per_thread::PerThread;
use crate::reader::parquet::ParquetFile;
use crate::reader::ReadError;
use crate::split::{Split, SLICES_PER_THREAD};
use crate::Format;

/// Why a file is read by one thread after all.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Sequential {
    #[error("the file is small, it has one row group, or one thread is available")]
    NotWorth,
    #[error("not a Parquet file")]
    NotParquet,
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The footer or a row group could not be read, or a record nests too deep.
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// Reads the local Parquet file `file`, named `name` and `size` bytes long, row groups
/// shared among the current rayon pool's threads, or says why it is better read by one
/// thread. The same options as for tables ([`crate::split::SplitOptions`]) say which
/// files are large enough.
pub(crate) fn read_row_groups<'s>(
    set: &'s IdentifierSet,
    name: &str,
    file: &File,
    size: u64,
    options: &crate::ScanOptions,
) -> Result<Split<'s>, Sequential> {
    let threads = rayon::current_num_threads();
    if threads < 2 || size < options.split.min_bytes {
        return Err(Sequential::NotWorth);
    }
    // Named Parquet; the footer confirms it (anything else is left to the sequential
    // scan's detection).
    if Format::from_path(Path::new(name)) != Format::Parquet {
        return Err(Sequential::NotParquet);
    }
    let parquet = ParquetFile::open(file)?;
    let groups = parquet.row_groups();
    if groups < 2 {
        return Err(Sequential::NotWorth);
    }
    let first_rows: Vec<u64> = (0..groups)
        .scan(0u64, |rows, group| {
            let first = *rows;
            *rows = rows.saturating_add(parquet.rows_in(group));
            Some(first)
        })
        .collect();
    let sets = PerThread::new(set);
    let mut aggregator = Aggregator::new(set, options.max_occurrences);
    let mut over_limit = false;
    let order: Vec<usize> = (0..groups).collect();
    // Waves bound the finished row groups waiting for the merge, each holding up to
    // `max_occurrences` occurrences per detector.
    for wave in order.chunks(threads * SLICES_PER_THREAD) {
        let parts: Vec<_> = wave
            .par_iter()
            .map(|&group| {
                let mut part = Aggregator::new(sets.get(), options.max_occurrences);
                let read = parquet.read_row_groups(
                    group..group + 1,
                    first_rows[group],
                    &options.limits,
                    &mut part,
                );
                (part, read)
            })
            .collect();
        for (part, read) in parts {
            match read {
                Ok(()) => {}
                Err(ReadError::UnitTooLarge { .. }) => over_limit = true,
                Err(error) => return Err(error.into()),
            }
            // Rows are numbered in the file already: nothing to shift.
            aggregator.append_rows(part, 0);
        }
    }
    Ok(Split {
        aggregator,
        format: Format::Parquet,
        over_limit,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::result::StatusCode;
    use crate::split::SplitOptions;
    use crate::{scan_file, Limits, ScanOptions};

    const IDENTIFIERS: &str = r#"
[[identifier]]
name = "SIRET-NIC"
regex = '\b(\d{3}\s?){2}\d{3}\-\d{5}\b'
keywords = ["siret"]
maximum_match_distance = 20

[[identifier]]
name = "Prototyping Naming"
regex = '\bP\-[A-Z]{2}\d{4}\b'
"#;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
    }

    fn copy(dir: &Path, name: &str) -> (PathBuf, File) {
        let path = dir.join(name);
        let fixture = format!(
            "{}/../tests/fixtures/parquet/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::copy(&fixture, &path).unwrap_or_else(|e| panic!("{fixture}: {e}"));
        let file = File::open(&path).expect("opened");
        (path, file)
    }

    /// Row groups read side by side and merged give the record one thread reading the
    /// file gives: the same counts, statuses and listed occurrences (rows numbered in
    /// the file, the first `max_occurrences` in file order), whatever the codec, the
    /// encoding or the unit limit.
    #[test]
    fn row_groups_read_on_threads_give_the_record_of_the_sequential_scan() {
        let set = crate::testing::identifier_set(IDENTIFIERS);
        let dir = tempfile::tempdir().expect("tempdir");
        let names = [
            "customers_none.parquet",
            "customers_snappy.parquet",
            "customers_zstd.parquet",
            "plain.parquet",
            "flat.parquet",
        ];
        for name in names {
            let (path, file) = copy(dir.path(), name);
            let size = file.metadata().expect("size").len();
            let limits = [
                Limits::default(),
                Limits {
                    max_unit_bytes: 10,
                    ..Limits::default()
                },
            ];
            for max_occurrences in [1, 2, 1000] {
                for limits in &limits {
                    let sequential = ScanOptions {
                        max_occurrences,
                        limits: limits.clone(),
                        split: SplitOptions {
                            min_bytes: u64::MAX,
                            ..SplitOptions::default()
                        },
                        ..ScanOptions::default()
                    };
                    let expected = pool(1).install(|| scan_file(&set, &path, &sequential));
                    let split = ScanOptions {
                        split: SplitOptions {
                            min_bytes: 0,
                            ..SplitOptions::default()
                        },
                        ..sequential.clone()
                    };
                    let (taken, got) = pool(3).install(|| {
                        let taken = read_row_groups(&set, path_str(&path), &file, size, &split);
                        (taken.map(|_| ()), scan_file(&set, &path, &split))
                    });
                    taken.unwrap_or_else(|e| panic!("{name} was not read by row groups: {e}"));
                    assert_eq!(
                        serde_json::to_value(&got).expect("json"),
                        serde_json::to_value(&expected).expect("json"),
                        "{name}, {max_occurrences} occurrences, {limits:?}"
                    );
                }
            }
        }
    }

    /// A row group that cannot be decoded sends the file to the sequential scan, which
    /// reports the rows before the damage, PARTIAL: the record of one thread.
    #[test]
    fn a_damaged_row_group_sends_the_file_to_the_sequential_scan() {
        let set = crate::testing::identifier_set(IDENTIFIERS);
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, file) = copy(dir.path(), "damaged.parquet");
        let size = file.metadata().expect("size").len();
        let split = ScanOptions {
            split: SplitOptions {
                min_bytes: 0,
                ..SplitOptions::default()
            },
            ..ScanOptions::default()
        };
        let (taken, got) = pool(2).install(|| {
            let taken = read_row_groups(&set, path_str(&path), &file, size, &split);
            (taken.map(|_| ()), scan_file(&set, &path, &split))
        });
        assert!(matches!(taken, Err(Sequential::Read(_))), "{taken:?}");
        let expected = pool(1).install(|| scan_file(&set, &path, &ScanOptions::default()));
        assert_eq!(
            serde_json::to_value(&got).expect("json"),
            serde_json::to_value(&expected).expect("json")
        );
        let status = &got.classification_details.result.status;
        assert_eq!(status.code, StatusCode::Partial);
    }

    /// Small files, one thread, other formats: not worth it, or not for this module.
    #[test]
    fn only_large_parquet_files_on_several_threads_are_split() {
        let set = crate::testing::identifier_set(IDENTIFIERS);
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, file) = copy(dir.path(), "customers_snappy.parquet");
        let size = file.metadata().expect("size").len();
        let options = ScanOptions::default();
        let name = path_str(&path);
        let small = pool(2).install(|| read_row_groups(&set, name, &file, size, &options));
        assert!(matches!(small, Err(Sequential::NotWorth)));
        let options = ScanOptions {
            split: SplitOptions {
                min_bytes: 0,
                ..SplitOptions::default()
            },
            ..ScanOptions::default()
        };
        let one = pool(1).install(|| read_row_groups(&set, name, &file, size, &options));
        assert!(matches!(one, Err(Sequential::NotWorth)));
        let renamed = name.replace(".parquet", ".csv");
        let other = pool(2).install(|| read_row_groups(&set, &renamed, &file, size, &options));
        assert!(matches!(other, Err(Sequential::NotParquet)));
    }

    fn path_str(path: &Path) -> &str {
        path.to_str().expect("a UTF-8 temporary path")
    }
}
