//! moto server on a port the OS picks, started through `tests/support/moto_server.py`
//! (which wires activities into moto's executing Step Functions backend). A test that
//! needs it fails loudly when it cannot start; it never skips.
//!
//! The server runs under a small shell watchdog that stops it when its standard input
//! closes, which happens when the test process exits, however it exits: a shared server
//! lives in a `static`, whose destructor never runs.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

use crate::repo;

/// How long moto may take to import and bind.
const STARTUP: Duration = Duration::from_secs(60);

/// How long GetActivityTask waits for a task before answering "none" (AWS: 60 s):
/// short, so that tests see workers poll again.
const ACTIVITY_POLL_SECONDS: &str = "5";

/// Starts the program given as `$0` with the remaining arguments, waits for standard
/// input to close, then stops it.
const WATCHDOG: &str =
    r#""$0" "$@" </dev/null & server=$!; cat >/dev/null; kill "$server"; wait "$server""#;

/// The region and credentials every client and `ferret` process uses against moto.
const REGION: &str = "us-east-1";
const KEY: &str = "testing";

/// A running moto server.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
}

/// The Python with moto: `FERRET_MOTO_PYTHON`, or the project's `.venv` that `.ci/run`
/// and `scripts/setup-test-env` create.
fn moto_python() -> PathBuf {
    if let Some(path) = std::env::var_os("FERRET_MOTO_PYTHON") {
        return PathBuf::from(path);
    }
    repo(".venv/bin/python")
}

impl Moto {
    /// The server shared by this test binary, started on first use; for tests that keep
    /// apart by their own bucket names.
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(Moto::start)
    }

    /// Starts a server of its own, stopped when dropped.
    pub fn start() -> Moto {
        let python = moto_python();
        assert!(
            python.exists(),
            "moto's Python not found at {}: run scripts/setup-test-env (or .ci/run) first",
            python.display()
        );
        let mut child = Command::new("sh")
            .args(["-c", WATCHDOG])
            .arg(&python)
            .arg(repo("tests/support/moto_server.py"))
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("FERRET_MOTO_ACTIVITY_POLL_SECONDS", ACTIVITY_POLL_SECONDS)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto with {}: {e}", python.display()));
        let (tx, rx) = mpsc::channel();
        let outputs = [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ];
        for stream in outputs.into_iter().flatten() {
            let tx = tx.clone();
            // Reads the server's output for its address, then keeps draining it so the
            // server never blocks on a full pipe.
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(at) = line.find("Running on http://") {
                        let _ = tx.send(line[at + "Running on ".len()..].trim().to_owned());
                    }
                }
            });
        }
        match rx.recv_timeout(STARTUP) {
            Ok(endpoint) => Moto { child, endpoint },
            Err(_) => {
                stop(&mut child);
                panic!("moto server did not report its address within {STARTUP:?}");
            }
        }
    }

    /// Environment for a `ferret` process talking to this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", KEY.to_owned()),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
        ]
    }

    /// An S3 client with static test credentials (no environment needed) and the same
    /// retry policy as `S3Store::connect`.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::new()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(REGION))
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                KEY, KEY, None, None, "tests",
            ))
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(5))
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// A Step Functions client, for driving executions.
    pub fn sfn(&self) -> aws_sdk_sfn::Client {
        let config = aws_sdk_sfn::config::Builder::new()
            .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
            .region(aws_sdk_sfn::config::Region::new(REGION))
            .credentials_provider(aws_sdk_sfn::config::Credentials::new(
                KEY, KEY, None, None, "tests",
            ))
            .endpoint_url(&self.endpoint)
            .build();
        aws_sdk_sfn::Client::from_conf(config)
    }

    /// An SNS client.
    pub fn sns(&self) -> aws_sdk_sns::Client {
        let config = aws_sdk_sns::config::Builder::new()
            .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
            .region(aws_sdk_sns::config::Region::new(REGION))
            .credentials_provider(aws_sdk_sns::config::Credentials::new(
                KEY, KEY, None, None, "tests",
            ))
            .endpoint_url(&self.endpoint)
            .build();
        aws_sdk_sns::Client::from_conf(config)
    }

    /// The SDK's shared configuration for this server (static test credentials), for
    /// clients built from one: SQS, and ferret's own signed JSON client.
    pub fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(REGION))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::new(KEY, KEY, None, None, "tests"),
                ),
            )
            .endpoint_url(&self.endpoint)
            .build()
    }

    /// An SQS client (an SNS subscriber tests can read).
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        let config = aws_sdk_sqs::config::Builder::new()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(aws_sdk_sqs::config::Region::new(REGION))
            .credentials_provider(aws_sdk_sqs::config::Credentials::new(
                KEY, KEY, None, None, "tests",
            ))
            .endpoint_url(&self.endpoint)
            .build();
        aws_sdk_sqs::Client::from_conf(config)
    }
}

/// Closes the watchdog's input (it then stops the server) and waits for it.
fn stop(child: &mut Child) {
    drop(child.stdin.take());
    let _ = child.wait();
}

impl Drop for Moto {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}
