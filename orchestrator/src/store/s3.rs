//! The S3 backend, on aws-sdk-s3: standard credential chain, optional endpoint for
//! S3-compatible servers (with path-style addressing), paginated listings and streamed
//! reads.

use std::io::{self, Read};

use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use bytes::Bytes;
use tokio::runtime::Handle;

use super::{ObjectInfo, StoreError};

/// How to reach S3.
#[derive(Debug, Clone, Default)]
pub struct S3Config {
    /// An S3-compatible endpoint (`--endpoint-url`); `AWS_ENDPOINT_URL` is honoured by
    /// the SDK when this is `None`. Either way path-style addressing is used, as
    /// loopback and most S3-compatible servers need.
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
}

/// An S3 client with the runtime it runs on.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    runtime: Handle,
}

impl S3Store {
    /// Builds a client from the standard AWS configuration chain plus `config`. Must be
    /// awaited inside the tokio runtime that will drive its requests.
    pub async fn connect(config: &S3Config) -> S3Store {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(region) = &config.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(endpoint) = &config.endpoint_url {
            loader = loader.endpoint_url(endpoint.clone());
        }
        let shared = loader.load().await;
        let custom_endpoint = config.endpoint_url.is_some()
            || std::env::var_os("AWS_ENDPOINT_URL").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let s3_config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(custom_endpoint)
            .build();
        S3Store {
            client: Client::from_conf(s3_config),
            runtime: Handle::current(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Every object under `prefix`, following continuation tokens.
    pub async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let mut objects = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| service_error("ListObjectsV2", bucket, prefix, e))?;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                objects.push(ObjectInfo {
                    key: key.to_owned(),
                    size: object
                        .size()
                        .and_then(|s| u64::try_from(s).ok())
                        .unwrap_or(0),
                    e_tag: object.e_tag().map(str::to_owned),
                });
            }
        }
        Ok(objects)
    }

    /// Opens an object as a blocking reader that streams its body. For use from threads
    /// outside the runtime (the scanner's pool); memory holds one network chunk.
    pub fn open_blocking(&self, bucket: &str, key: &str) -> Result<BlockingBody, StoreError> {
        let output = self
            .runtime
            .block_on(self.client.get_object().bucket(bucket).key(key).send())
            .map_err(|e| service_error("GetObject", bucket, key, e))?;
        Ok(BlockingBody {
            runtime: self.runtime.clone(),
            body: output.body,
            chunk: Bytes::new(),
        })
    }
}

/// An object's body read synchronously, one network chunk at a time.
pub struct BlockingBody {
    runtime: Handle,
    body: ByteStream,
    chunk: Bytes,
}

impl Read for BlockingBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.runtime.block_on(self.body.next()) {
                None => return Ok(0),
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(e)) => return Err(io::Error::other(e)),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// Maps an SDK error to a store error, keeping the service's code and message.
fn service_error<E, R>(
    operation: &'static str,
    bucket: &str,
    key: &str,
    error: SdkError<E, R>,
) -> StoreError
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = error
        .as_service_error()
        .and_then(|e| e.code())
        .map(str::to_owned);
    match code.as_deref() {
        Some("NoSuchBucket") => StoreError::NoSuchBucket {
            bucket: bucket.to_owned(),
        },
        Some("NoSuchKey") | Some("NotFound") => StoreError::NoSuchObject {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        },
        Some("AccessDenied") => StoreError::AccessDenied {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        },
        _ => StoreError::Service {
            operation,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            message: DisplayErrorContext(&error).to_string(),
        },
    }
}
