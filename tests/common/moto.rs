//! A real S3 and Step Functions API on loopback: moto server (through the launcher in
//! `tests/support/moto_server.py`, which wires activities into moto's executing Step
//! Functions backend), started per test on a port the OS picks, stopped when dropped. A
//! test that needs it fails loudly when it cannot start; it never skips.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::repo;

/// How long moto may take to import and bind.
const STARTUP: Duration = Duration::from_secs(60);

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

/// How long GetActivityTask waits for a task before answering "none" (AWS: 60 s):
/// short, so that tests see workers poll again.
const ACTIVITY_POLL_SECONDS: &str = "5";

impl Moto {
    pub fn start() -> Moto {
        let program = moto_python();
        assert!(
            program.exists(),
            "moto's Python not found at {}: run scripts/setup-test-env (or .ci/run) first",
            program.display()
        );
        let mut child = Command::new(&program)
            .arg(repo("tests/support/moto_server.py"))
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("FERRET_MOTO_ACTIVITY_POLL_SECONDS", ACTIVITY_POLL_SECONDS)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let (tx, rx) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
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
                let _ = child.kill();
                panic!("moto server did not report its address within {STARTUP:?}");
            }
        }
    }

    /// Environment for a `ferret` process talking to this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
        ]
    }

    /// An S3 client for setting up fixtures.
    pub fn s3(&self, runtime: &tokio::runtime::Runtime) -> aws_sdk_s3::Client {
        runtime.block_on(async {
            let credentials =
                aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "tests");
            let config = aws_sdk_s3::config::Builder::new()
                .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
                .region(aws_sdk_s3::config::Region::new("us-east-1"))
                .credentials_provider(credentials)
                .endpoint_url(&self.endpoint)
                .force_path_style(true)
                .build();
            aws_sdk_s3::Client::from_conf(config)
        })
    }
}

impl Moto {
    /// A Step Functions client for driving executions.
    pub fn sfn(&self, runtime: &tokio::runtime::Runtime) -> aws_sdk_sfn::Client {
        runtime.block_on(async {
            let credentials =
                aws_sdk_sfn::config::Credentials::new("testing", "testing", None, None, "tests");
            let config = aws_sdk_sfn::config::Builder::new()
                .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
                .region(aws_sdk_sfn::config::Region::new("us-east-1"))
                .credentials_provider(credentials)
                .endpoint_url(&self.endpoint)
                .build();
            aws_sdk_sfn::Client::from_conf(config)
        })
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
