//! `ferret scan s3://...` against a real S3 API (moto server on loopback).

use std::process::Command;

use crate::common::*;
use aws_sdk_s3::primitives::ByteStream;
use ferret_testkit::Moto;
use serde_json::{json, Value};

fn put(
    runtime: &tokio::runtime::Runtime,
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
) {
    runtime
        .block_on(
            s3.put_object()
                .bucket(bucket)
                .key(key)
                .body(ByteStream::from(body))
                .send(),
        )
        .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
}

fn scan(moto: &Moto, args: &[&str]) -> std::process::Output {
    let identifiers = repo("samples/identifiers.toml");
    Command::new(env!("CARGO_BIN_EXE_ferret"))
        .arg("scan")
        .args(["--identifiers", path_str(&identifiers), "--managed", "none"])
        .args(args)
        .envs(moto.env())
        .output()
        .expect("ferret runs")
}

#[test]
fn objects_in_a_bucket_are_streamed_and_scanned() {
    let moto = Moto::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let s3 = moto.s3();
    runtime
        .block_on(s3.create_bucket().bucket("acme-data").send())
        .expect("bucket created");
    let csv = std::fs::read(repo("samples/empresa_brasileira.csv")).expect("sample");
    let text = std::fs::read(repo("samples/relatorio_prototipos.txt")).expect("sample");
    put(
        &runtime,
        &s3,
        "acme-data",
        "br/empresa brasileira.csv",
        csv.clone(),
    );
    put(&runtime, &s3, "acme-data", "br/relatório+1.txt", text);
    put(&runtime, &s3, "acme-data", "br/e.csv.gz", gzip(&csv));
    put(
        &runtime,
        &s3,
        "acme-data",
        "br/clean.txt",
        b"nothing".to_vec(),
    );
    put(
        &runtime,
        &s3,
        "acme-data",
        "other/ignored.txt",
        b"P-AB1234".to_vec(),
    );

    let out = scan(&moto, &["s3://acme-data/br/"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out);
    let keys: Vec<&str> = records
        .iter()
        .map(|r| {
            r["resourcesAffected"]["s3Object"]["key"]
                .as_str()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        keys,
        [
            "br/clean.txt",
            "br/e.csv.gz",
            "br/empresa brasileira.csv",
            "br/relatório+1.txt"
        ],
        "every object under the prefix, sorted"
    );
    let csv_record = &records[2];
    assert_eq!(
        csv_record["resourcesAffected"]["s3Bucket"],
        json!({"name": "acme-data"})
    );
    let object = &csv_record["resourcesAffected"]["s3Object"];
    assert_eq!(object["path"], "acme-data/br/empresa brasileira.csv");
    assert_eq!(object["size"], csv.len());
    assert!(object["eTag"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(custom(csv_record, "Brazil CPF").expect("cpf")["count"], 20);
    assert_eq!(
        custom(&records[1], "Brazil CPF").expect("gzip cpf")["count"],
        20
    );
    assert_eq!(custom(&records[3], "SIRET-NIC").expect("siret")["count"], 1);
    assert_eq!(records[0]["severity"], Value::Null);
}

#[test]
fn a_missing_bucket_is_an_error_not_a_clean_scan() {
    let moto = Moto::start();
    let out = scan(&moto, &["s3://no-such-bucket"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-bucket"));
}
