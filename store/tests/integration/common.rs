//! Helpers of the store conformance suite: one
//! fixture per store backend so that a behaviour is written once, generic over
//! [`Store`], and checked against both.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use ferret_store::{BucketSettings, DirStore, Encryption, S3Store, Store};
use tempfile::TempDir;

use ferret_testkit::Moto;

/// The account moto answers as.
pub const MOTO_ACCOUNT: &str = "123456789012";

/// An object as an outside producer writes it, with what [`Store::put`] cannot set.
pub struct Seed<'a> {
    pub body: &'a [u8],
    pub content_type: &'a str,
    pub metadata: &'a [(&'a str, &'a str)],
    /// `AES256` or `aws:kms`, with the KMS key id.
    pub encryption: Option<Encryption>,
}

/// A store to test, with what only its backend can do.
pub trait Fixture {
    type Store: Store;

    fn store(&self) -> &Self::Store;

    /// A new, empty bucket for this test.
    async fn bucket(&self) -> String;

    /// A bucket name no one has created.
    fn missing_bucket(&self) -> String {
        unique_bucket()
    }

    /// Writes `seed` at `bucket/key` as an uploader outside the pipeline would.
    async fn seed(&self, bucket: &str, key: &str, seed: &Seed<'_>);
}

/// SSE-S3 default encryption, no expiry.
pub fn default_settings() -> BucketSettings {
    BucketSettings {
        encryption: Encryption {
            algorithm: "AES256".to_owned(),
            kms_key_id: None,
        },
        expire_after_days: None,
    }
}

/// A valid bucket name no other test uses.
pub fn unique_bucket() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "ferret-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The embedded store in a temporary folder.
pub struct DirFixture {
    pub dir: TempDir,
    store: DirStore,
}

impl DirFixture {
    pub fn new() -> DirFixture {
        let dir = tempfile::tempdir().expect("temporary folder");
        let store = DirStore::new(dir.path());
        DirFixture { dir, store }
    }

    /// Where the store keeps the sidecar of `bucket/key` (its documented layout).
    pub fn sidecar(&self, bucket: &str, key: &str) -> PathBuf {
        let mut path = self.dir.path().join(".ferret").join(bucket);
        let segments: Vec<&str> = key.split('/').collect();
        let (name, folders) = segments.split_last().expect("a key has a segment");
        for folder in folders {
            path.push(format!("{folder}.d"));
        }
        path.join(format!("{name}.json"))
    }
}

impl Fixture for DirFixture {
    type Store = DirStore;

    fn store(&self) -> &DirStore {
        &self.store
    }

    async fn bucket(&self) -> String {
        let bucket = unique_bucket();
        self.store
            .ensure_bucket(&bucket, &default_settings())
            .await
            .expect("bucket created");
        bucket
    }

    /// `put`, then the sidecar's documented `metadata` and `encryption` fields edited,
    /// as another tool writing the on-disk format would.
    async fn seed(&self, bucket: &str, key: &str, seed: &Seed<'_>) {
        self.store
            .put(bucket, key, seed.body.to_vec(), seed.content_type)
            .await
            .expect("seed written");
        let path = self.sidecar(bucket, key);
        let text = std::fs::read_to_string(&path).expect("sidecar written by put");
        let mut sidecar: serde_json::Value = serde_json::from_str(&text).expect("sidecar JSON");
        sidecar["metadata"] = seed
            .metadata
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        sidecar["encryption"] = match &seed.encryption {
            Some(e) => serde_json::json!({"algorithm": e.algorithm, "kms_key_id": e.kms_key_id}),
            None => serde_json::Value::Null,
        };
        std::fs::write(&path, sidecar.to_string()).expect("sidecar edited");
    }
}

/// The S3 backend against the shared moto server, sending `ExpectedBucketOwner`.
pub struct S3Fixture {
    pub client: aws_sdk_s3::Client,
    store: S3Store,
}

impl S3Fixture {
    /// Must be called inside the test's runtime.
    pub fn new() -> S3Fixture {
        let client = Moto::shared().s3();
        let store = S3Store::from_client(client.clone()).with_expected_bucket_owner(MOTO_ACCOUNT);
        S3Fixture { client, store }
    }
}

impl Fixture for S3Fixture {
    type Store = S3Store;

    fn store(&self) -> &S3Store {
        &self.store
    }

    /// A plain CreateBucket: `ensure_bucket` would add the TLS-only policy, which moto
    /// enforces, and the tests reach moto over plain HTTP.
    async fn bucket(&self) -> String {
        let bucket = unique_bucket();
        self.client
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("bucket created");
        bucket
    }

    async fn seed(&self, bucket: &str, key: &str, seed: &Seed<'_>) {
        let metadata: HashMap<String, String> = seed
            .metadata
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let encryption = seed.encryption.as_ref();
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(seed.body.to_vec()))
            .content_type(seed.content_type)
            .set_metadata(Some(metadata))
            .set_server_side_encryption(
                encryption.map(|e| ServerSideEncryption::from(e.algorithm.as_str())),
            )
            .set_ssekms_key_id(encryption.and_then(|e| e.kms_key_id.clone()))
            .send()
            .await
            .expect("seed written");
    }
}
