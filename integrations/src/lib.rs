//! Where ferret meets the rest of AWS, outside its own buckets:
//! - [`findings`]: sensitive objects' result records published to EventBridge and
//!   Security Hub (`--findings`);
//! - [`aws_json`]: the small signed JSON client those two calls use.
//!
//! Each integration reads what the pipeline already produced (result records, batch
//! summaries); none of them changes how an object is routed.

pub mod aws_json;
pub mod findings;
pub mod queue;

/// The SDK's configuration as the store's settings give it: the standard credential
/// chain, `region` (or the chain's), and `endpoint_url` for S3-compatible servers and
/// emulators (also read from `AWS_ENDPOINT_URL`).
pub async fn sdk_config(endpoint_url: Option<&str>, region: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    if let Some(endpoint) = endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// An S3 client for `config`, path-style when an endpoint is set (as the store's).
pub fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let s3 = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(config.endpoint_url().is_some())
        .build();
    aws_sdk_s3::Client::from_conf(s3)
}

/// An SQS client for `config`.
pub fn sqs_client(config: &aws_config::SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}
pub mod macie;
