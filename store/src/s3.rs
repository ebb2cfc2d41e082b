//! The S3 backend, on aws-sdk-s3: standard credential chain, optional endpoint for
//! S3-compatible servers (with path-style addressing), paginated listings, streamed
//! reads, server-side copies that keep what the pipeline must keep (content type, user
//! metadata, encryption) and set the destination's tags in the same request, and
//! multipart copies for objects too large for one.

use std::io::{self, Read};

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::head_object::HeadObjectOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, CompletedMultipartUpload,
    CompletedPart, CreateBucketConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, MetadataDirective, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tag, Tagging, TaggingDirective,
};
use aws_sdk_s3::Client;
use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use tokio::runtime::Handle;
use tokio::task::JoinSet;

mod upload;

use super::{
    check_tags, BucketSettings, Encryption, ObjectHead, ObjectInfo, ObjectWriter, Store,
    StoreError, StoreFuture, Tags,
};

/// How to reach S3.
#[derive(Debug, Clone, Default)]
pub struct S3Config {
    /// An S3-compatible endpoint (`--endpoint-url`); `AWS_ENDPOINT_URL` is honoured by
    /// the SDK when this is `None`. Either way path-style addressing is used, as
    /// loopback and most S3-compatible servers need.
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    /// The account that must own every bucket touched (`ExpectedBucketOwner`): a request
    /// against a bucket someone else owns, after a typo or a deleted-and-recreated bucket
    /// name, fails with access denied instead of reading or writing their data.
    pub expected_bucket_owner: Option<String>,
}

/// The largest object one CopyObject request may copy.
pub const MAX_SINGLE_COPY: u64 = 5 * GIB;
/// The smallest part S3 accepts (all but the last).
pub const MIN_PART_SIZE: u64 = 5 * MIB;
/// The largest part S3 accepts.
pub const MAX_PART_SIZE: u64 = 5 * GIB;
/// The most parts one multipart upload may have.
pub const MAX_PARTS: u64 = 10_000;

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// How many part copies run at once: S3 copies parts server-side, so a handful in flight
/// keeps a large copy quick without opening many connections.
const PART_COPIES_IN_FLIGHT: usize = 4;

/// The number of attempts the SDK's standard retry (exponential backoff with jitter)
/// makes for throttling and transient errors before giving up.
const MAX_ATTEMPTS: u32 = 5;

/// When and how objects are copied in parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultipartCopy {
    /// Objects larger than this are copied in parts (capped at [`MAX_SINGLE_COPY`], the
    /// most one CopyObject request may copy). Lowered by tests to reach the multipart
    /// path with small objects.
    pub threshold: u64,
    /// The requested part size; raised when the object would need more than
    /// [`MAX_PARTS`] parts and kept within S3's part size limits.
    pub part_size: u64,
}

impl Default for MultipartCopy {
    fn default() -> MultipartCopy {
        MultipartCopy {
            threshold: MAX_SINGLE_COPY,
            part_size: 512 * MIB,
        }
    }
}

/// An S3 client with the runtime it runs on.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    runtime: Handle,
    expected_bucket_owner: Option<String>,
    multipart: MultipartCopy,
}

impl S3Store {
    /// Builds a client from the standard AWS configuration chain plus `config`, with the
    /// SDK's standard retries. Must be awaited inside the tokio runtime that will drive
    /// its requests.
    pub async fn connect(config: &S3Config) -> S3Store {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).retry_config(
            aws_config::retry::RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS),
        );
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
        let store = S3Store::from_client(Client::from_conf(s3_config));
        match &config.expected_bucket_owner {
            Some(owner) => store.with_expected_bucket_owner(owner.clone()),
            None => store,
        }
    }

    /// Wraps a client configured by the caller (own credentials provider, a local test
    /// server). Must be called inside the tokio runtime that will drive its requests.
    pub fn from_client(client: Client) -> S3Store {
        S3Store {
            client,
            runtime: Handle::current(),
            expected_bucket_owner: None,
            multipart: MultipartCopy::default(),
        }
    }

    /// Sends `ExpectedBucketOwner` (the account id) on every request that accepts it.
    #[must_use]
    pub fn with_expected_bucket_owner(mut self, account_id: impl Into<String>) -> S3Store {
        self.expected_bucket_owner = Some(account_id.into());
        self
    }

    /// Changes when and how objects are copied in parts.
    #[must_use]
    pub fn with_multipart_copy(mut self, multipart: MultipartCopy) -> S3Store {
        self.multipart = multipart;
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn owner(&self) -> Option<String> {
        self.expected_bucket_owner.clone()
    }

    /// Every object under `prefix`, following continuation tokens.
    pub async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let mut objects = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_expected_bucket_owner(self.owner())
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
        Ok(self.open_with_head_blocking(bucket, key)?.1)
    }

    /// [`S3Store::open_blocking`], with the object's head as the GetObject response
    /// gives it (no HeadObject needed).
    pub fn open_with_head_blocking(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<(ObjectHead, BlockingBody), StoreError> {
        let request = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(self.owner());
        let output = self
            .runtime
            .block_on(request.send())
            .map_err(|e| service_error("GetObject", bucket, key, e))?;
        let head = ObjectHead {
            size: output
                .content_length()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            e_tag: output.e_tag().map(str::to_owned),
            content_type: output.content_type().map(str::to_owned),
            metadata: output
                .metadata()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.to_lowercase(), v.clone()))
                .collect(),
            encryption: output.server_side_encryption().map(|sse| Encryption {
                algorithm: sse.as_str().to_owned(),
                kms_key_id: output.ssekms_key_id().map(str::to_owned),
            }),
        };
        let resume = Resume {
            client: self.client.clone(),
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            owner: self.owner(),
            e_tag: head.e_tag.clone(),
            size: output.content_length().and_then(|n| u64::try_from(n).ok()),
            received: 0,
            resumes_left: MAX_RESUMES,
        };
        let body = BlockingBody {
            runtime: self.runtime.clone(),
            body: output.body,
            chunk: Bytes::new(),
            resume,
        };
        Ok((head, body))
    }

    /// HeadObject, or `None` for a 404 (HEAD responses carry no error code, so a missing
    /// bucket also reads as a missing object).
    async fn head_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<Option<HeadObjectOutput>, StoreError> {
        let result = self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await;
        match result.map_err(|e| service_error("HeadObject", bucket, key, e)) {
            Ok(output) => Ok(Some(output)),
            Err(StoreError::NoSuchObject { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// One CopyObject: metadata (content type, user metadata, Cache-Control and the like)
    /// copied, tags replaced, the source's encryption requested explicitly (a copy
    /// otherwise gets the destination bucket's default), and only from the version that
    /// was headed (`x-amz-copy-source-if-match`).
    async fn copy_whole(
        &self,
        from: (&str, &str),
        to: (&str, &str),
        source: &HeadObjectOutput,
        tags: &Tags,
    ) -> Result<(), StoreError> {
        self.client
            .copy_object()
            .copy_source(copy_source(from.0, from.1))
            .set_copy_source_if_match(source.e_tag().map(str::to_owned))
            .bucket(to.0)
            .key(to.1)
            .metadata_directive(MetadataDirective::Copy)
            .tagging_directive(TaggingDirective::Replace)
            .set_tagging(tagging_header(tags))
            .set_server_side_encryption(source.server_side_encryption().cloned())
            .set_ssekms_key_id(source.ssekms_key_id().map(str::to_owned))
            .set_bucket_key_enabled(source.bucket_key_enabled())
            .set_expected_bucket_owner(self.owner())
            .set_expected_source_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| copy_error("CopyObject", from, to, e))?;
        Ok(())
    }

    /// A multipart copy: what CopyObject's metadata COPY would keep is given to
    /// CreateMultipartUpload, parts are copied by byte range, and the upload is aborted
    /// if any step fails so no invisible parts are left to pay for.
    async fn copy_in_parts(
        &self,
        from: (&str, &str),
        to: (&str, &str),
        source: &HeadObjectOutput,
        tags: &Tags,
    ) -> Result<(), StoreError> {
        let upload_id = self.create_upload(to, source, tags).await?;
        let result = async {
            let parts = self.copy_parts(from, to, &upload_id, source).await?;
            self.complete_upload(to, &upload_id, parts).await
        }
        .await;
        if result.is_err() {
            // Best effort: the copy's own error is the one worth reporting.
            let _ = self
                .client
                .abort_multipart_upload()
                .bucket(to.0)
                .key(to.1)
                .upload_id(&upload_id)
                .set_expected_bucket_owner(self.owner())
                .send()
                .await;
        }
        result
    }

    async fn create_upload(
        &self,
        to: (&str, &str),
        source: &HeadObjectOutput,
        tags: &Tags,
    ) -> Result<String, StoreError> {
        let output = self
            .client
            .create_multipart_upload()
            .bucket(to.0)
            .key(to.1)
            .set_content_type(source.content_type().map(str::to_owned))
            .set_metadata(source.metadata().cloned())
            .set_cache_control(source.cache_control().map(str::to_owned))
            .set_content_disposition(source.content_disposition().map(str::to_owned))
            .set_content_encoding(source.content_encoding().map(str::to_owned))
            .set_content_language(source.content_language().map(str::to_owned))
            .set_server_side_encryption(source.server_side_encryption().cloned())
            .set_ssekms_key_id(source.ssekms_key_id().map(str::to_owned))
            .set_bucket_key_enabled(source.bucket_key_enabled())
            .set_tagging(tagging_header(tags))
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("CreateMultipartUpload", to.0, to.1, e))?;
        output.upload_id.ok_or_else(|| StoreError::Service {
            operation: "CreateMultipartUpload",
            bucket: to.0.to_owned(),
            key: to.1.to_owned(),
            message: "no upload id in the response".to_owned(),
        })
    }

    /// Copies every part, a few at a time, and returns them in part order.
    async fn copy_parts(
        &self,
        from: (&str, &str),
        to: (&str, &str),
        upload_id: &str,
        source: &HeadObjectOutput,
    ) -> Result<Vec<CompletedPart>, StoreError> {
        let ranges = part_ranges(content_length(source), self.multipart.part_size);
        let mut in_flight = JoinSet::new();
        let mut parts = Vec::with_capacity(ranges.len());
        for (number, range) in (1..).zip(ranges) {
            if in_flight.len() >= PART_COPIES_IN_FLIGHT {
                parts.push(joined_part(in_flight.join_next().await, to)?);
            }
            let request = self
                .client
                .upload_part_copy()
                .bucket(to.0)
                .key(to.1)
                .upload_id(upload_id)
                .part_number(number)
                .copy_source(copy_source(from.0, from.1))
                .copy_source_range(range.header())
                .set_copy_source_if_match(source.e_tag().map(str::to_owned))
                .set_expected_bucket_owner(self.owner())
                .set_expected_source_bucket_owner(self.owner());
            let (from, to) = (owned(from), owned(to));
            in_flight.spawn(async move {
                let output = request
                    .send()
                    .await
                    .map_err(|e| copy_error("UploadPartCopy", borrowed(&from), borrowed(&to), e))?;
                Ok(CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(output.copy_part_result.and_then(|r| r.e_tag))
                    .build())
            });
        }
        while let Some(joined) = in_flight.join_next().await {
            parts.push(joined_part(Some(joined), to)?);
        }
        parts.sort_by_key(CompletedPart::part_number);
        Ok(parts)
    }

    async fn complete_upload(
        &self,
        to: (&str, &str),
        upload_id: &str,
        parts: Vec<CompletedPart>,
    ) -> Result<(), StoreError> {
        self.client
            .complete_multipart_upload()
            .bucket(to.0)
            .key(to.1)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("CompleteMultipartUpload", to.0, to.1, e))?;
        Ok(())
    }

    /// DeleteObjectTagging: an empty tag set. (PutObjectTagging with no tags is valid
    /// S3, but some S3-compatible servers, moto among them, fail on it.)
    async fn clear_tags(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_object_tagging()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("DeleteObjectTagging", bucket, key, e))?;
        Ok(())
    }

    /// CreateBucket, where an existing bucket of ours is success. Outside us-east-1 the
    /// region must be named as the location constraint.
    async fn create_bucket(&self, bucket: &str) -> Result<(), StoreError> {
        let region = self.client.config().region().map(|r| r.as_ref().to_owned());
        let location = region.filter(|r| r != "us-east-1").map(|r| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(r.as_str()))
                .build()
        });
        let result = self
            .client
            .create_bucket()
            .bucket(bucket)
            .set_create_bucket_configuration(location)
            .send()
            .await;
        let Err(error) = result else { return Ok(()) };
        match error.as_service_error().and_then(|e| e.code()) {
            Some("BucketAlreadyOwnedByYou") => Ok(()),
            // Someone has the name: fine only if it is us (HeadBucket with our expected
            // owner succeeds), which some S3-compatible servers report this way.
            Some("BucketAlreadyExists") => self.head_bucket(bucket).await,
            _ => Err(service_error("CreateBucket", bucket, "", error)),
        }
    }

    async fn head_bucket(&self, bucket: &str) -> Result<(), StoreError> {
        self.client
            .head_bucket()
            .bucket(bucket)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("HeadBucket", bucket, "", e))?;
        Ok(())
    }

    async fn put_default_encryption(
        &self,
        bucket: &str,
        encryption: &Encryption,
    ) -> Result<(), StoreError> {
        let kms = encryption.algorithm.starts_with("aws:kms");
        let default = ServerSideEncryptionByDefault::builder()
            .sse_algorithm(ServerSideEncryption::from(encryption.algorithm.as_str()))
            .set_kms_master_key_id(encryption.kms_key_id.clone())
            .build()
            .map_err(|e| build_error(bucket, e))?;
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(default)
            // S3 Bucket Keys cut KMS requests (and their cost) for every object.
            .set_bucket_key_enabled(kms.then_some(true))
            .build();
        let configuration = ServerSideEncryptionConfiguration::builder()
            .rules(rule)
            .build()
            .map_err(|e| build_error(bucket, e))?;
        self.client
            .put_bucket_encryption()
            .bucket(bucket)
            .server_side_encryption_configuration(configuration)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("PutBucketEncryption", bucket, "", e))?;
        Ok(())
    }

    async fn block_public_access(&self, bucket: &str) -> Result<(), StoreError> {
        let block = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .restrict_public_buckets(true)
            .build();
        self.client
            .put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(block)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("PutPublicAccessBlock", bucket, "", e))?;
        Ok(())
    }

    async fn require_tls(&self, bucket: &str) -> Result<(), StoreError> {
        let region = self.client.config().region().map(|r| r.as_ref().to_owned());
        let policy = tls_only_policy(partition(region.as_deref()), bucket);
        self.client
            .put_bucket_policy()
            .bucket(bucket)
            .policy(policy)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("PutBucketPolicy", bucket, "", e))?;
        Ok(())
    }

    /// One lifecycle rule expiring every object `days` after creation. It replaces the
    /// bucket's lifecycle configuration: the pipeline owns its buckets.
    async fn expire_objects(&self, bucket: &str, days: u32) -> Result<(), StoreError> {
        let days = i32::try_from(days).map_err(|_| StoreError::Invalid {
            bucket: bucket.to_owned(),
            key: String::new(),
            message: format!("expiry of {days} days is too long"),
        })?;
        let rule = LifecycleRule::builder()
            .id("ferret-expire-objects")
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix("").build())
            .expiration(LifecycleExpiration::builder().days(days).build())
            .build()
            .map_err(|e| build_error(bucket, e))?;
        let configuration = BucketLifecycleConfiguration::builder()
            .rules(rule)
            .build()
            .map_err(|e| build_error(bucket, e))?;
        self.client
            .put_bucket_lifecycle_configuration()
            .bucket(bucket)
            .lifecycle_configuration(configuration)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("PutBucketLifecycleConfiguration", bucket, "", e))?;
        Ok(())
    }
}

/// The store's requests as plain `async` methods; the [`Store`] impl boxes them.
impl S3Store {
    pub async fn head(&self, bucket: &str, key: &str) -> Result<Option<ObjectHead>, StoreError> {
        Ok(self
            .head_object(bucket, key)
            .await?
            .map(|o| object_head(&o)))
    }

    pub async fn tags(&self, bucket: &str, key: &str) -> Result<Tags, StoreError> {
        let output = self
            .client
            .get_object_tagging()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("GetObjectTagging", bucket, key, e))?;
        Ok(output
            .tag_set()
            .iter()
            .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
            .collect())
    }

    pub async fn copy(
        &self,
        from: (&str, &str),
        to: (&str, &str),
        tags: &Tags,
    ) -> Result<ObjectHead, StoreError> {
        check_tags(to.0, to.1, tags)?;
        let source = self
            .head_object(from.0, from.1)
            .await?
            .ok_or_else(|| no_such_object(from))?;
        if content_length(&source) > self.multipart.threshold.min(MAX_SINGLE_COPY) {
            self.copy_in_parts(from, to, &source, tags).await?;
        } else {
            self.copy_whole(from, to, &source, tags).await?;
        }
        self.head_copy(to).await
    }

    /// [`Store::copy_with_head`]: one CopyObject from the version `head` describes
    /// (`x-amz-copy-source-if-match`), without reading the source's head again. A head
    /// does not say all that some copies must restate (the Bucket Key setting of an
    /// SSE-KMS object, the headers a multipart copy gives CreateMultipartUpload): those
    /// copies read it, as [`Store::copy`] does.
    pub async fn copy_with_head(
        &self,
        from: (&str, &str),
        head: &ObjectHead,
        to: (&str, &str),
        tags: &Tags,
    ) -> Result<ObjectHead, StoreError> {
        let kms = head
            .encryption
            .as_ref()
            .is_some_and(|e| e.algorithm.starts_with("aws:kms"));
        if kms || head.size > self.multipart.threshold.min(MAX_SINGLE_COPY) {
            return self.copy(from, to, tags).await;
        }
        check_tags(to.0, to.1, tags)?;
        let source = HeadObjectOutput::builder()
            .set_e_tag(head.e_tag.clone())
            .set_content_length(i64::try_from(head.size).ok())
            .set_server_side_encryption(
                head.encryption
                    .as_ref()
                    .map(|e| ServerSideEncryption::from(e.algorithm.as_str())),
            )
            .build();
        self.copy_whole(from, to, &source, tags).await?;
        self.head_copy(to).await
    }

    /// The head of a copy just made, for its verification.
    async fn head_copy(&self, to: (&str, &str)) -> Result<ObjectHead, StoreError> {
        let copied = self.head_object(to.0, to.1).await?;
        copied
            .map(|o| object_head(&o))
            .ok_or_else(|| StoreError::Service {
                operation: "HeadObject",
                bucket: to.0.to_owned(),
                key: to.1.to_owned(),
                message: "the copy is not there after a successful copy".to_owned(),
            })
    }

    pub async fn set_tags(&self, bucket: &str, key: &str, tags: &Tags) -> Result<(), StoreError> {
        check_tags(bucket, key, tags)?;
        if tags.is_empty() {
            return self.clear_tags(bucket, key).await;
        }
        let tag_set = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| build_error(bucket, e))?;
        let tagging = Tagging::builder()
            .set_tag_set(Some(tag_set))
            .build()
            .map_err(|e| build_error(bucket, e))?;
        self.client
            .put_object_tagging()
            .bucket(bucket)
            .key(key)
            .tagging(tagging)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("PutObjectTagging", bucket, key, e))?;
        Ok(())
    }

    pub async fn delete(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await;
        match result.map_err(|e| service_error("DeleteObject", bucket, key, e)) {
            Ok(_) | Err(StoreError::NoSuchObject { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    pub async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(body))
            .content_type(content_type)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await
            .map_err(|e| service_error("PutObject", bucket, key, e))?;
        Ok(())
    }

    pub async fn get(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        // A body cut short is read again whole, a few times: the object is small, and
        // whichever version a later read finds is read consistently.
        let mut attempts_left = MAX_RESUMES;
        loop {
            match self.get_once(bucket, key).await {
                Err(GetFailure::Body(_)) if attempts_left > 0 => attempts_left -= 1,
                Err(GetFailure::Body(error) | GetFailure::Request(error)) => return Err(error),
                Ok(body) => return Ok(body),
            }
        }
    }

    pub async fn ensure_bucket(
        &self,
        bucket: &str,
        settings: &BucketSettings,
    ) -> Result<(), StoreError> {
        self.create_bucket(bucket).await?;
        self.put_default_encryption(bucket, &settings.encryption)
            .await?;
        self.block_public_access(bucket).await?;
        self.require_tls(bucket).await?;
        if let Some(days) = settings.expire_after_days {
            self.expire_objects(bucket, days).await?;
        }
        Ok(())
    }
}

/// Why one GetObject of a whole small object failed: the request, or its body.
enum GetFailure {
    Request(StoreError),
    Body(StoreError),
}

impl S3Store {
    /// One GetObject read whole, or `None` when the object does not exist.
    async fn get_once(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, GetFailure> {
        let result = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(self.owner())
            .send()
            .await;
        let output = match result.map_err(|e| service_error("GetObject", bucket, key, e)) {
            Ok(output) => output,
            Err(StoreError::NoSuchObject { .. }) => return Ok(None),
            Err(error) => return Err(GetFailure::Request(error)),
        };
        let body = output.body.collect().await.map_err(|e| {
            GetFailure::Body(StoreError::Service {
                operation: "GetObject",
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                message: format!("reading the body: {e}"),
            })
        })?;
        Ok(Some(body.into_bytes().to_vec()))
    }
}

impl Store for S3Store {
    fn describe(&self) -> String {
        "s3".to_owned()
    }

    fn list<'a>(&'a self, bucket: &'a str, prefix: &'a str) -> StoreFuture<'a, Vec<ObjectInfo>> {
        Box::pin(S3Store::list(self, bucket, prefix))
    }

    fn head<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, Option<ObjectHead>> {
        Box::pin(S3Store::head(self, bucket, key))
    }

    fn tags<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, Tags> {
        Box::pin(S3Store::tags(self, bucket, key))
    }

    fn copy<'a>(
        &'a self,
        from: (&'a str, &'a str),
        to: (&'a str, &'a str),
        tags: &'a Tags,
    ) -> StoreFuture<'a, ObjectHead> {
        Box::pin(S3Store::copy(self, from, to, tags))
    }

    fn set_tags<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        tags: &'a Tags,
    ) -> StoreFuture<'a, ()> {
        Box::pin(S3Store::set_tags(self, bucket, key, tags))
    }

    fn delete<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(S3Store::delete(self, bucket, key))
    }

    fn put<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        body: Vec<u8>,
        content_type: &'a str,
    ) -> StoreFuture<'a, ()> {
        Box::pin(S3Store::put(self, bucket, key, body, content_type))
    }

    fn get<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(S3Store::get(self, bucket, key))
    }

    fn ensure_bucket<'a>(
        &'a self,
        bucket: &'a str,
        settings: &'a BucketSettings,
    ) -> StoreFuture<'a, ()> {
        Box::pin(S3Store::ensure_bucket(self, bucket, settings))
    }

    fn copy_with_head<'a>(
        &'a self,
        from: (&'a str, &'a str),
        head: &'a ObjectHead,
        to: (&'a str, &'a str),
        tags: &'a Tags,
    ) -> StoreFuture<'a, ObjectHead> {
        Box::pin(S3Store::copy_with_head(self, from, head, to, tags))
    }

    fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, StoreError> {
        Ok(Box::new(self.open_blocking(bucket, key)?))
    }

    fn open_with_head(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<(ObjectHead, Box<dyn Read + Send>), StoreError> {
        let (head, body) = self.open_with_head_blocking(bucket, key)?;
        Ok((head, Box::new(body)))
    }

    fn create(
        &self,
        bucket: &str,
        key: &str,
        content_type: &str,
    ) -> Result<Box<dyn ObjectWriter>, StoreError> {
        Ok(Box::new(upload::S3Upload::new(
            self.clone(),
            bucket,
            key,
            content_type,
        )))
    }
}

/// An object's body read synchronously, one network chunk at a time. A connection that
/// breaks off mid-body is picked up where it stopped (see `Resume`); a body that ends
/// short of its length is an error, never a quiet end of the object.
pub struct BlockingBody {
    runtime: Handle,
    body: ByteStream,
    chunk: Bytes,
    resume: Resume,
}

impl Read for BlockingBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.runtime.block_on(self.body.next()) {
                None => {
                    self.resume.check_complete()?;
                    return Ok(0);
                }
                Some(Ok(chunk)) => {
                    self.resume.count(chunk.len())?;
                    self.chunk = chunk;
                }
                Some(Err(error)) => self.body = self.runtime.block_on(self.resume.resume(error))?,
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// How many times one body is resumed before its read fails.
const MAX_RESUMES: u32 = 3;

/// What a streamed body needs to pick up after a broken connection: a ranged GetObject
/// from the first byte not yet received, of the very version being read (`If-Match` on
/// its ETag, and the answer's ETag and range checked), so the reader gets the object's
/// bytes once each and in order, or an error.
struct Resume {
    client: Client,
    bucket: String,
    key: String,
    owner: Option<String>,
    e_tag: Option<String>,
    /// The object's length, as the first answer gave it.
    size: Option<u64>,
    /// Bytes received so far, across every answer.
    received: u64,
    resumes_left: u32,
}

impl Resume {
    /// Counts `n` more bytes received; more than the object holds is an error.
    fn count(&mut self, n: usize) -> io::Result<()> {
        self.received = self.received.saturating_add(n as u64);
        match self.size {
            Some(size) if self.received > size => Err(self.failure(format!(
                "{} bytes received of an object of {size}",
                self.received
            ))),
            _ => Ok(()),
        }
    }

    /// At the end of the stream: every byte must have come.
    fn check_complete(&self) -> io::Result<()> {
        match self.size {
            Some(size) if self.received != size => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                self.message(format!(
                    "the body ended after {} of {size} bytes",
                    self.received
                )),
            )),
            _ => Ok(()),
        }
    }

    /// The rest of the body after `error` broke it off, or the error when it cannot be
    /// resumed: no ETag to pin the version, no length to check, resumes used up, or the
    /// ranged read failing (the object changed: 412).
    async fn resume(&mut self, error: impl std::fmt::Display) -> io::Result<ByteStream> {
        let broke = format!("the body broke off after {} bytes: {error}", self.received);
        let (Some(e_tag), Some(size)) = (self.e_tag.clone(), self.size) else {
            return Err(self.failure(broke));
        };
        if self.resumes_left == 0 || self.received >= size {
            return Err(self.failure(broke));
        }
        self.resumes_left -= 1;
        let output = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .range(format!("bytes={}-", self.received))
            .if_match(&e_tag)
            .set_expected_bucket_owner(self.owner.clone())
            .send()
            .await
            .map_err(|e| {
                self.failure(format!(
                    "{broke}; resuming failed: {}",
                    service_error("GetObject", &self.bucket, &self.key, e)
                ))
            })?;
        let expected_range = format!("bytes {}-{}/{size}", self.received, size - 1);
        if output.e_tag() != Some(e_tag.as_str())
            || output.content_range() != Some(expected_range.as_str())
        {
            return Err(self.failure(format!(
                "{broke}; the resumed read is not the rest of the same object \
                 (range {:?}, expected {expected_range:?})",
                output.content_range()
            )));
        }
        Ok(output.body)
    }

    fn message(&self, what: String) -> String {
        format!("GetObject {}/{}: {what}", self.bucket, self.key)
    }

    fn failure(&self, what: String) -> io::Error {
        io::Error::other(self.message(what))
    }
}

/// The store's view of a HeadObject response. S3 already lower-cases user metadata
/// keys; S3-compatible servers may not, and the contract says lower-case.
fn object_head(output: &HeadObjectOutput) -> ObjectHead {
    ObjectHead {
        size: content_length(output),
        e_tag: output.e_tag().map(str::to_owned),
        content_type: output.content_type().map(str::to_owned),
        metadata: output
            .metadata()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.to_lowercase(), v.clone()))
            .collect(),
        encryption: output.server_side_encryption().map(|sse| Encryption {
            algorithm: sse.as_str().to_owned(),
            kms_key_id: output.ssekms_key_id().map(str::to_owned),
        }),
    }
}

fn content_length(output: &HeadObjectOutput) -> u64 {
    output
        .content_length()
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0)
}

/// Characters left as they are in a URL path segment or a query value: RFC 3986's
/// unreserved set. Everything else, `+` and spaces included, is percent-encoded (S3
/// would read a literal `+` in a copy source as a space).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `x-amz-copy-source` header: `bucket/key`, each key segment percent-encoded and
/// the `/` between them kept.
fn copy_source(bucket: &str, key: &str) -> String {
    let segments: Vec<String> = key
        .split('/')
        .map(|segment| utf8_percent_encode(segment, UNRESERVED).to_string())
        .collect();
    format!("{bucket}/{}", segments.join("/"))
}

/// The `x-amz-tagging` header, URL-encoded like a query string (`k=v&k2=v2`); `None`
/// for no tags, which with the REPLACE directive leaves the copy untagged.
fn tagging_header(tags: &Tags) -> Option<String> {
    if tags.is_empty() {
        return None;
    }
    let pairs: Vec<String> = tags
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, UNRESERVED),
                utf8_percent_encode(v, UNRESERVED)
            )
        })
        .collect();
    Some(pairs.join("&"))
}

/// The AWS partition of a region, for ARNs.
fn partition(region: Option<&str>) -> &'static str {
    match region {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    }
}

/// A bucket policy denying every request not made over TLS.
fn tls_only_policy(partition: &str, bucket: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [
                format!("arn:{partition}:s3:::{bucket}"),
                format!("arn:{partition}:s3:::{bucket}/*"),
            ],
            "Condition": { "Bool": { "aws:SecureTransport": "false" } },
        }],
    })
    .to_string()
}

/// An inclusive byte range of a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PartRange {
    first: u64,
    last: u64,
}

impl PartRange {
    /// The `x-amz-copy-source-range` header.
    fn header(self) -> String {
        format!("bytes={}-{}", self.first, self.last)
    }
}

/// The part size used for an object of `size` bytes: the requested size, raised so
/// that no more than [`MAX_PARTS`] parts are needed, within S3's part size limits.
fn part_size(size: u64, requested: u64) -> u64 {
    requested
        .max(size.div_ceil(MAX_PARTS))
        .clamp(MIN_PART_SIZE, MAX_PART_SIZE)
}

/// The byte ranges covering `size` bytes in parts of [`part_size`].
fn part_ranges(size: u64, requested: u64) -> Vec<PartRange> {
    let part = part_size(size, requested);
    let mut ranges = Vec::with_capacity(usize::try_from(size.div_ceil(part)).unwrap_or(0));
    let mut first = 0;
    while first < size {
        let last = first.saturating_add(part).min(size) - 1;
        ranges.push(PartRange { first, last });
        first = last + 1;
    }
    ranges
}

fn owned((bucket, key): (&str, &str)) -> (String, String) {
    (bucket.to_owned(), key.to_owned())
}

fn borrowed((bucket, key): &(String, String)) -> (&str, &str) {
    (bucket, key)
}

/// A finished part copy task's result.
fn joined_part(
    joined: Option<Result<Result<CompletedPart, StoreError>, tokio::task::JoinError>>,
    to: (&str, &str),
) -> Result<CompletedPart, StoreError> {
    match joined {
        Some(Ok(part)) => part,
        Some(Err(error)) => Err(StoreError::Service {
            operation: "UploadPartCopy",
            bucket: to.0.to_owned(),
            key: to.1.to_owned(),
            message: format!("part copy task failed: {error}"),
        }),
        None => Err(StoreError::Service {
            operation: "UploadPartCopy",
            bucket: to.0.to_owned(),
            key: to.1.to_owned(),
            message: "no part copy in flight".to_owned(),
        }),
    }
}

fn no_such_object((bucket, key): (&str, &str)) -> StoreError {
    StoreError::NoSuchObject {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
    }
}

/// A request that could not be built (a required field missing): the input was wrong.
fn build_error(bucket: &str, error: BuildError) -> StoreError {
    StoreError::Invalid {
        bucket: bucket.to_owned(),
        key: String::new(),
        message: error.to_string(),
    }
}

/// Maps a copy's error: a missing key is the source's, anything else is reported
/// against the destination.
fn copy_error<E>(
    operation: &'static str,
    from: (&str, &str),
    to: (&str, &str),
    error: SdkError<E, HttpResponse>,
) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match service_error(operation, to.0, to.1, error) {
        StoreError::NoSuchObject { .. } => no_such_object(from),
        other => other,
    }
}

/// Maps an SDK error to a store error, keeping the service's code and message. HEAD
/// responses have no body, so their 404 and 403 come without a code: the status says
/// it (a 404 names the object, or the bucket for bucket-level calls with no key).
fn service_error<E>(
    operation: &'static str,
    bucket: &str,
    key: &str,
    error: SdkError<E, HttpResponse>,
) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = error
        .as_service_error()
        .and_then(|e| e.code())
        .map(str::to_owned);
    let status = error.raw_response().map(|r| r.status().as_u16());
    let (bucket, key) = (bucket.to_owned(), key.to_owned());
    match (code.as_deref(), status) {
        (Some("NoSuchBucket"), _) => StoreError::NoSuchBucket { bucket },
        (None, Some(404)) if key.is_empty() => StoreError::NoSuchBucket { bucket },
        (Some("NoSuchKey" | "NotFound"), _) | (None, Some(404)) => {
            StoreError::NoSuchObject { bucket, key }
        }
        (Some("AccessDenied" | "AllAccessDisabled"), _) | (None, Some(403)) => {
            StoreError::AccessDenied { bucket, key }
        }
        (
            Some(
                "InvalidTag" | "InvalidArgument" | "InvalidBucketName" | "KeyTooLongError"
                | "MetadataTooLarge",
            ),
            _,
        ) => StoreError::Invalid {
            bucket,
            key,
            message: DisplayErrorContext(&error).to_string(),
        },
        _ => StoreError::Service {
            operation,
            bucket,
            key,
            message: DisplayErrorContext(&error).to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covers(ranges: &[PartRange], size: u64) -> bool {
        let contiguous = ranges.windows(2).all(|w| w[1].first == w[0].last + 1);
        contiguous
            && ranges.first().map(|r| r.first) == Some(0)
            && ranges.last().map(|r| r.last) == Some(size - 1)
    }

    #[test]
    fn parts_of_an_object_just_over_five_gib() {
        let size = 5 * GIB + 1;
        let ranges = part_ranges(size, 512 * MIB);
        assert_eq!(ranges.len(), 11);
        assert!(covers(&ranges, size));
        assert_eq!(
            ranges[0],
            PartRange {
                first: 0,
                last: 512 * MIB - 1
            }
        );
        assert_eq!(
            ranges[10],
            PartRange {
                first: 5 * GIB,
                last: 5 * GIB
            }
        );
        assert_eq!(
            ranges[1].header(),
            format!("bytes={}-{}", 512 * MIB, 1024 * MIB - 1)
        );
    }

    #[test]
    fn an_exact_multiple_has_no_empty_last_part() {
        let size = 6 * GIB;
        let ranges = part_ranges(size, 512 * MIB);
        assert_eq!(ranges.len(), 12);
        assert!(covers(&ranges, size));
        assert!(ranges.iter().all(|r| r.last - r.first + 1 == 512 * MIB));
    }

    #[test]
    fn the_largest_object_fits_in_ten_thousand_parts() {
        let size = 5 * 1024 * GIB;
        let ranges = part_ranges(size, 512 * MIB);
        assert!(ranges.len() as u64 <= MAX_PARTS, "{} parts", ranges.len());
        assert!(covers(&ranges, size));
        assert!(part_size(size, 512 * MIB) > 512 * MIB);
    }

    #[test]
    fn part_sizes_stay_within_s3_limits() {
        assert_eq!(part_size(12 * MIB, 1), MIN_PART_SIZE);
        assert_eq!(part_size(12 * MIB, 100 * GIB), MAX_PART_SIZE);
        let ranges = part_ranges(12 * MIB, 5 * MIB);
        let sizes: Vec<u64> = ranges.iter().map(|r| r.last - r.first + 1).collect();
        assert_eq!(sizes, [5 * MIB, 5 * MIB, 2 * MIB]);
    }

    #[test]
    fn copy_source_encodes_each_segment() {
        assert_eq!(
            copy_source("raw", "données/é+1 (copy).csv"),
            "raw/donn%C3%A9es/%C3%A9%2B1%20%28copy%29.csv"
        );
        assert_eq!(copy_source("raw", "a/b/c.txt"), "raw/a/b/c.txt");
        assert_eq!(copy_source("raw", "a?b#c&d=e"), "raw/a%3Fb%23c%26d%3De");
    }

    #[test]
    fn tagging_is_url_encoded() {
        let tags: Tags = [
            ("FindingTypes", "CREDIT_CARD SSN"),
            ("WorkflowId", "batch 1+2/é"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(
            tagging_header(&tags).as_deref(),
            Some("FindingTypes=CREDIT_CARD%20SSN&WorkflowId=batch%201%2B2%2F%C3%A9")
        );
        assert_eq!(tagging_header(&Tags::new()), None);
    }

    #[test]
    fn policy_denies_insecure_transport_in_the_right_partition() {
        let policy: serde_json::Value =
            serde_json::from_str(&tls_only_policy(partition(Some("cn-north-1")), "b"))
                .expect("valid JSON");
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Effect"], "Deny");
        assert_eq!(statement["Action"], "s3:*");
        assert_eq!(statement["Resource"][1], "arn:aws-cn:s3:::b/*");
        assert_eq!(
            statement["Condition"]["Bool"]["aws:SecureTransport"],
            "false"
        );
        assert_eq!(partition(Some("eu-west-1")), "aws");
        assert_eq!(partition(Some("us-gov-west-1")), "aws-us-gov");
    }
}
