//! Streaming an object of any size to S3 from blocking code: bytes are gathered into a
//! part, each full part is uploaded as it fills (a multipart upload started with the
//! first), and the commit completes the upload. An object smaller than one part goes
//! in a single PutObject instead, so small results cost one request. An upload that
//! fails, or that is dropped uncommitted, is aborted so that no invisible parts are
//! left to pay for.

use std::io::{self, Write};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};

use super::{service_error, S3Store, MAX_PARTS, MAX_PART_SIZE};
use crate::{ObjectWriter, StoreError};

/// The first parts' size: above S3's 5 MiB minimum, small enough that a writer holds
/// little. It doubles every [`PARTS_PER_SIZE`] parts, so the 10,000 parts S3 allows
/// reach far beyond what results need (over 10 TiB) without large early parts.
pub(super) const FIRST_PART_SIZE: usize = 8 * 1024 * 1024;
const PARTS_PER_SIZE: usize = 1000;

/// An object being uploaded; see the module documentation.
pub(super) struct S3Upload {
    store: S3Store,
    bucket: String,
    key: String,
    content_type: String,
    /// The part being filled.
    buffer: Vec<u8>,
    /// Set once the first full part is uploaded.
    upload_id: Option<String>,
    parts: Vec<CompletedPart>,
    /// Set when committed or aborted: nothing left to clean up.
    done: bool,
}

impl S3Upload {
    pub(super) fn new(store: S3Store, bucket: &str, key: &str, content_type: &str) -> S3Upload {
        S3Upload {
            store,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            content_type: content_type.to_owned(),
            buffer: Vec::new(),
            upload_id: None,
            parts: Vec::new(),
            done: false,
        }
    }

    /// The size of the part being filled.
    fn part_size(&self) -> usize {
        let doublings = u32::try_from(self.parts.len() / PARTS_PER_SIZE).unwrap_or(u32::MAX);
        let cap = usize::try_from(MAX_PART_SIZE).unwrap_or(usize::MAX);
        FIRST_PART_SIZE
            .checked_mul(1 << doublings.min(16))
            .map_or(cap, |size| size.min(cap))
    }

    /// Uploads the buffer as the next part, starting the multipart upload if needed.
    fn upload_part(&mut self) -> Result<(), StoreError> {
        let number = self.parts.len() + 1;
        if number as u64 > MAX_PARTS {
            return Err(self.error(
                "UploadPart",
                format!("more than {MAX_PARTS} parts: the object is too large"),
            ));
        }
        let upload_id = match &self.upload_id {
            Some(id) => id.clone(),
            None => {
                let id = self.create_upload()?;
                self.upload_id = Some(id.clone());
                id
            }
        };
        let body = std::mem::take(&mut self.buffer);
        let store = &self.store;
        let request = store
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(upload_id)
            .part_number(i32::try_from(number).unwrap_or(i32::MAX))
            .body(ByteStream::from(body))
            .set_expected_bucket_owner(store.owner());
        let output = store
            .runtime
            .block_on(request.send())
            .map_err(|e| service_error("UploadPart", &self.bucket, &self.key, e))?;
        self.parts.push(
            CompletedPart::builder()
                .part_number(i32::try_from(number).unwrap_or(i32::MAX))
                .set_e_tag(output.e_tag)
                .build(),
        );
        Ok(())
    }

    fn create_upload(&self) -> Result<String, StoreError> {
        let store = &self.store;
        let request = store
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .content_type(&self.content_type)
            .set_expected_bucket_owner(store.owner());
        let output = store
            .runtime
            .block_on(request.send())
            .map_err(|e| service_error("CreateMultipartUpload", &self.bucket, &self.key, e))?;
        output
            .upload_id
            .ok_or_else(|| self.error("CreateMultipartUpload", "no upload id in the response"))
    }

    /// One PutObject with everything written: the object never filled a part.
    fn put_whole(&mut self) -> Result<(), StoreError> {
        let store = &self.store;
        let request = store
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .body(ByteStream::from(std::mem::take(&mut self.buffer)))
            .content_type(&self.content_type)
            .set_expected_bucket_owner(store.owner());
        store
            .runtime
            .block_on(request.send())
            .map_err(|e| service_error("PutObject", &self.bucket, &self.key, e))?;
        Ok(())
    }

    fn complete(&mut self, upload_id: String) -> Result<(), StoreError> {
        if !self.buffer.is_empty() {
            self.upload_part()?;
        }
        let store = &self.store;
        let request = store
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(std::mem::take(&mut self.parts)))
                    .build(),
            )
            .set_expected_bucket_owner(store.owner());
        store
            .runtime
            .block_on(request.send())
            .map_err(|e| service_error("CompleteMultipartUpload", &self.bucket, &self.key, e))?;
        Ok(())
    }

    /// Aborts the multipart upload, if one was started. Best effort: the failure that
    /// led here is the one worth reporting. From inside an async task (a writer dropped
    /// there) the abort is sent in the background, as blocking is not allowed.
    fn abort(&mut self) {
        self.done = true;
        let Some(upload_id) = self.upload_id.take() else {
            return;
        };
        let request = self
            .store
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(upload_id)
            .set_expected_bucket_owner(self.store.owner());
        if tokio::task::try_id().is_some() {
            self.store.runtime.spawn(async move {
                let _ = request.send().await;
            });
        } else {
            let _ = self.store.runtime.block_on(request.send());
        }
    }

    fn error(&self, operation: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::Service {
            operation,
            bucket: self.bucket.clone(),
            key: self.key.clone(),
            message: message.into(),
        }
    }
}

impl Write for S3Upload {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.done {
            return Err(io::Error::other("the upload was already ended"));
        }
        let room = self.part_size() - self.buffer.len();
        let n = buf.len().min(room);
        self.buffer.extend_from_slice(&buf[..n]);
        if self.buffer.len() == self.part_size() {
            if let Err(error) = self.upload_part() {
                self.abort();
                return Err(error.into());
            }
        }
        Ok(n)
    }

    /// Parts go up as they fill; a partial part waits for more bytes or the commit.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl ObjectWriter for S3Upload {
    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        if self.done {
            return Err(self.error("CompleteMultipartUpload", "the upload was already ended"));
        }
        let result = match self.upload_id.clone() {
            None => self.put_whole(),
            Some(upload_id) => self.complete(upload_id),
        };
        match result {
            Ok(()) => self.done = true,
            Err(_) => self.abort(),
        }
        result
    }
}

impl Drop for S3Upload {
    fn drop(&mut self) {
        if !self.done {
            self.abort();
        }
    }
}
