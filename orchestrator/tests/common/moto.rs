//! A real S3 API on loopback: moto server, on a port the OS picks. One server is shared
//! by every test of a test binary (each test makes its own buckets); starting one per
//! test would cost a Python start-up each. A test that needs it fails loudly when it
//! cannot start; it never skips.
//!
//! The server runs under a small shell watchdog that stops it when its standard input
//! closes, which happens when the test process exits, however it exits: a shared server
//! lives in a `static`, whose destructor never runs.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

/// How long moto may take to import and bind.
const STARTUP: Duration = Duration::from_secs(60);

/// Starts the program given as `$0` with the remaining arguments, waits for standard
/// input to close, then stops it.
const WATCHDOG: &str =
    r#""$0" "$@" </dev/null & server=$!; cat >/dev/null; kill "$server"; wait "$server""#;

/// A running moto server.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
}

/// The moto server executable: `FERRET_MOTO_SERVER`, or the workspace's `.venv` that
/// `.ci/run` and `scripts/setup-test-env` create.
fn moto_server() -> PathBuf {
    if let Some(path) = std::env::var_os("FERRET_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server")
}

impl Moto {
    /// The server shared by this test binary, started on first use.
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(Moto::start)
    }

    /// Starts a server of its own, stopped when dropped.
    pub fn start() -> Moto {
        let program = moto_server();
        assert!(
            program.exists(),
            "moto server not found at {}: run scripts/setup-test-env (or .ci/run) first",
            program.display()
        );
        let mut child = Command::new("sh")
            .args(["-c", WATCHDOG])
            .arg(&program)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
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

    /// An S3 client for this server, with static test credentials (no environment
    /// needed) and the same retry policy as `S3Store::connect`.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let credentials =
            aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "tests");
        let config = aws_sdk_s3::config::Builder::new()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .credentials_provider(credentials)
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(5))
            .build();
        aws_sdk_s3::Client::from_conf(config)
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
