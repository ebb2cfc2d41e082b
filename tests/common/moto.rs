//! A real S3 (and, later, Step Functions) API on loopback: moto server, started per test
//! on a port the OS picks, stopped when dropped. A test that needs it fails loudly when
//! it cannot start; it never skips.

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

/// The moto server executable: `FERRET_MOTO_SERVER`, or the project's `.venv` that
/// `.ci/run` and `scripts/setup-test-env` create.
fn moto_server() -> PathBuf {
    if let Some(path) = std::env::var_os("FERRET_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    repo(".venv/bin/moto_server")
}

impl Moto {
    pub fn start() -> Moto {
        let program = moto_server();
        assert!(
            program.exists(),
            "moto server not found at {}: run scripts/setup-test-env (or .ci/run) first",
            program.display()
        );
        let mut child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", "0"])
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

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
