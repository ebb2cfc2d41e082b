//! Allow lists kept as S3 objects (`[[allow_list]] s3 = "s3://bucket/key"`), read at
//! start-up from a real S3 API (moto server on loopback).

use std::process::{Command, Output};

use crate::common::*;
use aws_sdk_s3::primitives::ByteStream;
use ferret_testkit::Moto;

const IDENTIFIERS: &str = r#"
[[identifier]]
name = "Brazil CPF"
regex = '\b(\d{3}\.){2}\d{3}\-\d{2}\b'

[[allow_list]]
name = "test-numbers"
s3 = "s3://acme-lists/allow/cpf.txt"
"#;

struct Fixture {
    moto: Moto,
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let moto = Moto::start();
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime
            .block_on(moto.s3().create_bucket().bucket("acme-lists").send())
            .expect("bucket");
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "ids.toml", IDENTIFIERS.as_bytes());
        write(
            dir.path(),
            "clientes.txt",
            b"CPF 123.456.789-09 (teste) e 987.654.321-00 (real)\n",
        );
        Fixture { moto, runtime, dir }
    }

    fn put_list(&self, body: Vec<u8>) {
        self.runtime
            .block_on(
                self.moto
                    .s3()
                    .put_object()
                    .bucket("acme-lists")
                    .key("allow/cpf.txt")
                    .body(ByteStream::from(body))
                    .send(),
            )
            .expect("list put");
    }

    fn scan(&self) -> Output {
        Command::new(env!("CARGO_BIN_EXE_ferret"))
            .args(["scan", "--managed", "none", "--identifiers"])
            .arg(self.dir.path().join("ids.toml"))
            .arg(self.dir.path().join("clientes.txt"))
            .envs(self.moto.env())
            .output()
            .expect("ferret runs")
    }
}

#[test]
fn an_s3_allow_list_suppresses_its_entries() {
    let fixture = Fixture::new();
    fixture.put_list(b"nao-e-um-cpf\r\n\r\n  123.456.789-09  \r\n111.111.111-11\r\n".to_vec());
    let out = fixture.scan();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = records(&out);
    let cpf = custom(&records[0], "Brazil CPF").expect("the detection");
    assert_eq!(
        cpf["count"], 1,
        "the listed number is allowed, the other kept"
    );
}

#[test]
fn a_missing_s3_allow_list_is_an_error_before_anything_is_scanned() {
    let fixture = Fixture::new();
    let out = fixture.scan();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing scanned");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("allow list test-numbers: s3://acme-lists/allow/cpf.txt does not exist"),
        "{stderr}"
    );
}

#[test]
fn an_oversized_s3_allow_list_is_an_error_before_anything_is_scanned() {
    let fixture = Fixture::new();
    // One byte over 35 MB.
    fixture.put_list(vec![b'a'; 35 * 1024 * 1024 + 1]);
    let out = fixture.scan();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing scanned");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("36700161 bytes"), "{stderr}");

    // 100,001 entries, well under 35 MB.
    let lines: String = (0..100_001).map(|i| format!("{i:09}\n")).collect();
    fixture.put_list(lines.into_bytes());
    let out = fixture.scan();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing scanned");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("100001 entries"), "{stderr}");
}
