//! The Step Functions client, configured like the store's: the standard credential
//! chain, with an endpoint (moto, LocalStack) and region when given.

/// A client for `endpoint_url` (or AWS) in `region` (or the chain's).
pub async fn client(endpoint_url: Option<&str>, region: Option<&str>) -> aws_sdk_sfn::Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    if let Some(endpoint) = endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    aws_sdk_sfn::Client::new(&loader.load().await)
}
