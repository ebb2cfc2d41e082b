//! Helpers shared by the end-to-end tests: run the real binary, build fixtures.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs `ferret` with `args`.
pub fn ferret<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_ferret"))
        .args(args)
        .output()
        .expect("the ferret binary runs")
}

/// Parses JSON Lines output.
pub fn records(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("fixture dir");
    }
    std::fs::write(&path, bytes).expect("fixture written");
    path
}

/// Gzip-compresses `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// A zip archive of `(name, bytes)` members.
pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        writer.start_file(*name, options).expect("member");
        writer.write_all(bytes).expect("member bytes");
    }
    writer.finish().expect("archive").into_inner()
}

/// The `classificationDetails.result` of a record.
pub fn result(record: &Value) -> &Value {
    &record["classificationDetails"]["result"]
}

/// `(code, reason)` of a record's status.
pub fn status(record: &Value) -> (String, Option<String>) {
    let status = &result(record)["status"];
    (
        status["code"].as_str().unwrap_or_default().to_owned(),
        status["reason"].as_str().map(str::to_owned),
    )
}

/// The custom detection named `name`, if any.
pub fn custom<'v>(record: &'v Value, name: &str) -> Option<&'v Value> {
    result(record)["customDataIdentifiers"]["detections"]
        .as_array()?
        .iter()
        .find(|d| d["name"] == name)
}

/// The managed detection of `detection_type`, if any.
pub fn managed<'v>(record: &'v Value, detection_type: &str) -> Option<&'v Value> {
    result(record)["sensitiveData"]
        .as_array()?
        .iter()
        .flat_map(|c| c["detections"].as_array().into_iter().flatten())
        .find(|d| d["type"] == detection_type)
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}
