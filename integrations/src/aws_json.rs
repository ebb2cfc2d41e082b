//! A small SigV4-signed JSON client for the two calls ferret makes outside the SDK:
//! EventBridge `PutEvents` (awsJson1.1) and Security Hub `BatchImportFindings`
//! (restJson1).
//!
//! Why not `aws-sdk-eventbridge` and `aws-sdk-securityhub`: the Security Hub crate models
//! the whole of ASFF (thousands of generated types) and is one of the SDK's largest to
//! compile, for one operation whose body ferret builds as JSON anyway. Both calls are one
//! signed POST of a JSON document; `aws-sigv4` (the SDK's own signer), the SDK's
//! credential chain and `reqwest` (all already in the build) do exactly that.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

/// How long one request may take, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("no AWS credentials: {0}")]
    Credentials(String),
    #[error("cannot sign the request: {0}")]
    Signing(String),
    #[error("{service}: {source}")]
    Transport {
        service: &'static str,
        #[source]
        source: reqwest::Error,
    },
    #[error("{service} answered HTTP {status}: {message}")]
    Service {
        service: &'static str,
        status: u16,
        message: String,
    },
    #[error("{service} answered with a body that is not JSON: {message}")]
    Body {
        service: &'static str,
        message: String,
    },
}

impl CallError {
    /// Worth trying again: throttling, server errors, a lost connection.
    pub fn is_transient(&self) -> bool {
        match self {
            CallError::Transport { .. } => true,
            CallError::Service { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// Where and as whom to call AWS.
#[derive(Clone)]
pub struct AwsJsonClient {
    http: reqwest::Client,
    credentials: SharedCredentialsProvider,
    region: String,
    /// One endpoint for every service (moto, LocalStack), or `None` for AWS's own.
    endpoint_url: Option<String>,
}

impl std::fmt::Debug for AwsJsonClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsJsonClient")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .finish_non_exhaustive()
    }
}

impl AwsJsonClient {
    /// A client from the SDK's configuration (credential chain, region, endpoint URL
    /// including `AWS_ENDPOINT_URL`).
    pub fn new(config: &aws_config::SdkConfig) -> Result<AwsJsonClient, CallError> {
        let credentials = config
            .credentials_provider()
            .ok_or_else(|| CallError::Credentials("no credential provider".to_owned()))?;
        let region = config
            .region()
            .map(|r| r.as_ref().to_owned())
            .unwrap_or_else(|| "us-east-1".to_owned());
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| CallError::Transport {
                service: "http client",
                source: e,
            })?;
        Ok(AwsJsonClient {
            http,
            credentials,
            region,
            endpoint_url: config.endpoint_url().map(str::to_owned),
        })
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// POSTs `body` to `path` of `service` (its signing name, e.g. `events`), with the
    /// extra `headers`, and returns the JSON answer.
    pub async fn post(
        &self,
        service: &'static str,
        path: &str,
        headers: &[(&str, &str)],
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<serde_json::Value, CallError> {
        let base = match &self.endpoint_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("https://{service}.{}.amazonaws.com", self.region),
        };
        let url = format!("{base}{path}");
        let credentials = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| CallError::Credentials(e.to_string()))?;
        let identity: Identity = credentials.into();
        let mut all_headers: Vec<(&str, &str)> = vec![("content-type", content_type)];
        all_headers.extend_from_slice(headers);
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| CallError::Signing(e.to_string()))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            &url,
            all_headers.iter().copied(),
            SignableBody::Bytes(&body),
        )
        .map_err(|e| CallError::Signing(e.to_string()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| CallError::Signing(e.to_string()))?
            .into_parts();
        let mut request = self.http.post(&url);
        for (name, value) in all_headers.iter().copied().chain(instructions.headers()) {
            request = request.header(name, value);
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|source| CallError::Transport { service, source })?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|source| CallError::Transport { service, source })?;
        if !(200..300).contains(&status) {
            return Err(CallError::Service {
                service,
                status,
                message: service_message(&text),
            });
        }
        serde_json::from_str(&text).map_err(|e| CallError::Body {
            service,
            message: e.to_string(),
        })
    }
}

/// The message of an AWS JSON error body, or the start of the body.
fn service_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let kind = field("__type").or_else(|| field("code"));
    let message = field("message").or_else(|| field("Message"));
    match (kind, message) {
        (Some(kind), Some(message)) => format!("{kind}: {message}"),
        (None, Some(message)) => message,
        (Some(kind), None) => kind,
        (None, None) => body.chars().take(200).collect(),
    }
}
