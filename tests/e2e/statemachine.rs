//! The state machine end to end: executions on moto server's executing Step Functions
//! backend, every task served by real `ferret worker` processes over moto's S3.
//! Empty, clean and sensitive batches; approval and denial through the task token; a
//! review that times out; a worker killed mid-task whose task another worker finishes;
//! a Distributed Map over 2,500 objects shared by two workers; SIGTERM when idle, in
//! the middle of a task, and past the grace period.

use std::collections::BTreeSet;
use std::fs::File;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::repo;
use aws_sdk_s3::primitives::ByteStream;
use ferret_orchestrator::layout::Buckets;
use ferret_testkit::Moto;
use serde_json::Value;

const CPF_CSV: &[u8] = b"nome,cpf\nAna,529.982.247-25\n";
const CLEAN_TXT: &[u8] = b"quarterly figures, nothing personal\n";

/// How long an execution may take in these tests before they give up on it.
const DEADLINE: Duration = Duration::from_secs(180);

/// How long a long execution that keeps making progress may take (see
/// [`eventually_while`]).
const LONG_DEADLINE: Duration = Duration::from_secs(1200);

/// A deployed state machine on its own moto server, its buckets, and the workers.
struct Flow {
    moto: Moto,
    runtime: tokio::runtime::Runtime,
    s3: aws_sdk_s3::Client,
    sfn: aws_sdk_sfn::Client,
    buckets: Buckets,
    prefix: String,
    state_machine_arn: String,
    activity_arn: String,
    logs: tempfile::TempDir,
    workers: Vec<Worker>,
}

/// A `ferret worker` process, killed when dropped.
struct Worker {
    child: Child,
    log: PathBuf,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Flow {
    /// Starts moto, creates plain buckets (moto enforces `buckets init`'s TLS-only
    /// policy, which loopback HTTP is not) and deploys the state machine with
    /// `ferret statemachine create` and `render_args`.
    fn deploy(render_args: &[&str]) -> Flow {
        let moto = Moto::start();
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let s3 = moto.s3();
        let sfn = moto.sfn();
        let prefix = "acme".to_owned();
        let buckets = Buckets::for_prefix(&prefix);
        for name in buckets.all() {
            runtime
                .block_on(s3.create_bucket().bucket(name).send())
                .expect("bucket");
        }
        let mut flow = Flow {
            moto,
            runtime,
            s3,
            sfn,
            buckets,
            prefix,
            state_machine_arn: String::new(),
            activity_arn: String::new(),
            logs: tempfile::tempdir().expect("tempdir"),
            workers: Vec::new(),
        };
        let mut args = vec![
            "statemachine",
            "create",
            "--name",
            "ferret-test",
            "--role-arn",
            "arn:aws:iam::123456789012:role/ferret-test",
        ];
        // Short, so that a killed worker's task is retried within the test; a test
        // that kills no worker may ask for a longer one.
        if !render_args.contains(&"--heartbeat-seconds") {
            args.extend_from_slice(&["--heartbeat-seconds", "3"]);
        }
        args.extend_from_slice(render_args);
        let out = flow.ferret(&args);
        assert_success(&out);
        let arns: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        flow.state_machine_arn = arns["stateMachineArn"].as_str().expect("ARN").to_owned();
        flow.activity_arn = arns["activityArn"].as_str().expect("ARN").to_owned();
        assert!(flow.activity_arn.ends_with(":activity:ferret-test-tasks"));
        flow
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ferret"));
        command.args(args);
        for (key, value) in self.moto.env() {
            command.env(key, value);
        }
        command
    }

    fn ferret(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("ferret runs")
    }

    /// Starts a worker named `name` with `extra_env`; its log goes to a file.
    fn start_worker(&mut self, name: &str, extra_env: &[(&str, &str)]) -> usize {
        self.start_worker_with_grace(name, extra_env, "10")
    }

    /// [`Flow::start_worker`] with `grace` seconds for running tasks after SIGTERM.
    fn start_worker_with_grace(
        &mut self,
        name: &str,
        extra_env: &[(&str, &str)],
        grace: &str,
    ) -> usize {
        let log = self.logs.path().join(format!("{name}.log"));
        let identifiers = repo("samples/identifiers.toml");
        let mut command = self.command(&[
            "worker",
            "--activity-arn",
            &self.activity_arn,
            "--worker-name",
            name,
            "--store",
            "s3",
            "--prefix",
            &self.prefix,
            "--identifiers",
            identifiers.to_str().expect("UTF-8 path"),
            "--managed",
            "all",
            "--heartbeat-interval",
            "1",
            "--shutdown-grace",
            grace,
        ]);
        command
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("log file"));
        let child = command.spawn().expect("the worker starts");
        self.workers.push(Worker { child, log });
        self.workers.len() - 1
    }

    fn worker_log(&self, index: usize) -> String {
        std::fs::read_to_string(&self.workers[index].log).unwrap_or_default()
    }

    fn put(&self, bucket: &str, key: &str, body: &[u8]) {
        self.runtime
            .block_on(
                self.s3
                    .put_object()
                    .bucket(bucket)
                    .key(key)
                    .body(ByteStream::from(body.to_vec()))
                    .send(),
            )
            .expect("put");
    }

    fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let got = self
            .runtime
            .block_on(self.s3.get_object().bucket(bucket).key(key).send());
        match got {
            Ok(object) => Some(
                self.runtime
                    .block_on(object.body.collect())
                    .expect("body")
                    .to_vec(),
            ),
            Err(_) => None,
        }
    }

    fn keys(&self, bucket: &str) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .into_paginator()
            .send();
        while let Some(page) = self.runtime.block_on(pages.next()) {
            for object in page.expect("list").contents() {
                keys.insert(object.key().unwrap_or_default().to_owned());
            }
        }
        keys
    }

    fn tag(&self, bucket: &str, key: &str, name: &str) -> Option<String> {
        let tags = self
            .runtime
            .block_on(self.s3.get_object_tagging().bucket(bucket).key(key).send())
            .expect("tags");
        tags.tag_set()
            .iter()
            .find(|t| t.key() == name)
            .map(|t| t.value().to_owned())
    }

    /// Starts an execution for batch `id`.
    fn start(&self, id: &str) -> String {
        let input = serde_json::json!({ "id": id }).to_string();
        self.runtime
            .block_on(
                self.sfn
                    .start_execution()
                    .state_machine_arn(&self.state_machine_arn)
                    .input(input)
                    .send(),
            )
            .expect("StartExecution")
            .execution_arn
            .clone()
    }

    /// Waits for the execution to end; returns its description.
    fn finished(&self, execution_arn: &str) -> Execution {
        let execution = eventually("the execution to end", || {
            let described = self
                .runtime
                .block_on(
                    self.sfn
                        .describe_execution()
                        .execution_arn(execution_arn)
                        .send(),
                )
                .expect("DescribeExecution");
            (described.status().as_str() != "RUNNING").then(|| Execution {
                status: described.status().as_str().to_owned(),
                output: described
                    .output()
                    .map(|o| serde_json::from_str(o).expect("JSON output")),
                error: described.error().map(str::to_owned),
                cause: described.cause().map(str::to_owned),
            })
        });
        execution
    }

    /// Waits until the batch's task token is stored: the execution waits for review.
    fn awaiting_review(&self, batch: &str) -> Value {
        eventually("the review token to be stored", || self.review_token(batch))
    }

    /// [`Flow::awaiting_review`] for an execution whose tasks take long: waits as long
    /// as the workers keep starting and ending tasks.
    fn awaiting_review_while_working(&self, batch: &str) -> Value {
        eventually_while(
            "the review token to be stored",
            || self.work_done(),
            || self.review_token(batch),
        )
    }

    fn review_token(&self, batch: &str) -> Option<Value> {
        self.get(
            &self.buckets.scan_results,
            &format!("{batch}/review-token.json"),
        )
        .map(|bytes| serde_json::from_slice(&bytes).expect("token JSON"))
    }

    /// What the workers have done so far: the tasks their logs say they started or
    /// ended. Workers log nothing while a task runs, heartbeats included.
    fn work_done(&self) -> usize {
        (0..self.workers.len())
            .map(|worker| {
                let log = self.worker_log(worker);
                log.matches("task started").count()
                    + log.matches("task succeeded").count()
                    + log.matches("task failed").count()
            })
            .sum()
    }

    fn review(&self, decision: &str, batch: &str, extra: &[&str]) -> Value {
        let mut args = vec![
            "review",
            decision,
            "--batch-id",
            batch,
            "--store",
            "s3",
            "--prefix",
            &self.prefix,
            "--reviewer",
            "ana",
        ];
        args.extend_from_slice(extra);
        let out = self.ferret(&args);
        assert_success(&out);
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    /// The names of the states the execution entered, in order.
    fn states_entered(&self, execution_arn: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut pages = self
            .sfn
            .get_execution_history()
            .execution_arn(execution_arn)
            .into_paginator()
            .send();
        while let Some(page) = self.runtime.block_on(pages.next()) {
            for event in page.expect("history").events() {
                if let Some(entered) = event.state_entered_event_details() {
                    names.push(entered.name().to_owned());
                }
            }
        }
        names
    }

    /// Puts `count` objects in raw, every third one sensitive; returns them.
    fn put_mixed_batch(&self, count: usize) -> Vec<(String, Vec<u8>)> {
        let objects: Vec<(String, Vec<u8>)> = (0..count)
            .map(|i| {
                let body = if i % 3 == 0 { CPF_CSV } else { CLEAN_TXT };
                (format!("in/{i:02}.csv"), body.to_vec())
            })
            .collect();
        for (key, body) in &objects {
            self.put(&self.buckets.raw, key, body);
        }
        objects
    }

    /// Asserts that every object of an approved batch is in scanned-data exactly once,
    /// byte for byte, and that nothing is left in the other buckets.
    fn assert_approved_exactly_once(&self, objects: &[(String, Vec<u8>)]) {
        for bucket in [
            &self.buckets.raw,
            &self.buckets.scan_stage,
            &self.buckets.manual_review,
        ] {
            assert!(self.keys(bucket).is_empty(), "{bucket} is empty");
        }
        let expected: BTreeSet<String> = objects.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(self.keys(&self.buckets.scanned_data), expected);
        for (key, body) in objects {
            assert_eq!(
                self.get(&self.buckets.scanned_data, key).as_deref(),
                Some(body.as_slice())
            );
        }
    }
}

#[derive(Debug)]
struct Execution {
    status: String,
    output: Option<Value>,
    error: Option<String>,
    cause: Option<String>,
}

/// Polls `probe` until it gives a value; fails the test after [`DEADLINE`].
fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < DEADLINE, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Polls `probe` until it gives a value, for as long as `progress` keeps changing: fails
/// the test when it has not changed for [`DEADLINE`], or after [`LONG_DEADLINE`]. For
/// long executions, whose running time follows the machine's load: a stuck execution
/// still fails within [`DEADLINE`], a slow one that advances is waited for.
fn eventually_while<T, P: PartialEq + std::fmt::Debug>(
    what: &str,
    mut progress: impl FnMut() -> P,
    mut probe: impl FnMut() -> Option<T>,
) -> T {
    let start = Instant::now();
    let mut last = progress();
    let mut since = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        let now = progress();
        if now != last {
            last = now;
            since = Instant::now();
        }
        assert!(
            since.elapsed() < DEADLINE,
            "gave up waiting for {what}: no progress since {last:?}"
        );
        assert!(
            start.elapsed() < LONG_DEADLINE,
            "gave up waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits for a child to exit; kills it and fails after [`DEADLINE`]. A thread blocks in
/// wait(2), so the exit is seen when it happens, not at the next poll.
fn exit_status(child: &mut Child) -> ExitStatus {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let _ = tx.send(child.wait().expect("wait"));
        });
        rx.recv_timeout(DEADLINE).unwrap_or_else(|_| {
            // SAFETY: kill(2) on our own child, not yet reaped (the waiting thread reaps
            // it), so that the thread returns and the test fails instead of hanging.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("gave up waiting for the worker to exit");
        })
    })
}

fn terminate(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) with a valid pid of our own child and a standard signal.
    let sent = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(sent, 0, "SIGTERM sent");
}

#[test]
fn an_empty_batch_ends_as_no_keys_found() {
    let mut flow = Flow::deploy(&[]);
    flow.start_worker("w1", &[]);
    let execution = flow.start("empty-1");
    let done = flow.finished(&execution);
    assert_eq!(done.status, "SUCCEEDED", "{done:?}");
    let output = done.output.expect("output");
    assert_eq!(output["stage"]["objects"], 0);
    assert_eq!(
        flow.states_entered(&execution).last().map(String::as_str),
        Some("NoKeysFound")
    );
}

#[test]
fn a_clean_batch_goes_to_scanned_data_without_review() {
    let mut flow = Flow::deploy(&[]);
    flow.put(&flow.buckets.raw, "reports/q3.txt", CLEAN_TXT);
    flow.start_worker("w1", &[]);
    let execution = flow.start("clean-1");
    let done = flow.finished(&execution);
    assert_eq!(done.status, "SUCCEEDED", "{done:?}");
    let output = done.output.expect("output");
    assert_eq!(output["summary"]["status"], "NoSensitiveData");
    assert_eq!(output["summary"]["counts"]["objects"], 1);
    assert!(flow.keys(&flow.buckets.raw).is_empty());
    assert_eq!(
        flow.keys(&flow.buckets.scanned_data),
        BTreeSet::from(["reports/q3.txt".to_owned()])
    );
    assert_eq!(
        flow.get(&flow.buckets.scanned_data, "reports/q3.txt")
            .as_deref(),
        Some(CLEAN_TXT)
    );
    assert_eq!(
        flow.tag(&flow.buckets.scanned_data, "reports/q3.txt", "WorkflowId")
            .as_deref(),
        Some("clean-1")
    );
    assert!(!flow
        .states_entered(&execution)
        .contains(&"AwaitReview".to_owned()));
}

#[test]
fn a_sensitive_batch_waits_for_review_and_approval_goes_through_the_token() {
    let mut flow = Flow::deploy(&[]);
    flow.put(&flow.buckets.raw, "rh/cpf.csv", CPF_CSV);
    flow.put(&flow.buckets.raw, "rh/notes.txt", CLEAN_TXT);
    flow.start_worker("w1", &[]);
    let execution = flow.start("sens-1");
    let token = flow.awaiting_review("sens-1");
    assert_eq!(token["executionArn"], execution.as_str());
    assert_eq!(
        flow.keys(&flow.buckets.manual_review),
        BTreeSet::from(["sens-1/rh/cpf.csv".to_owned()])
    );
    assert_eq!(
        flow.keys(&flow.buckets.scanned_data),
        BTreeSet::from(["rh/notes.txt".to_owned()])
    );

    let out = flow.ferret(&[
        "review", "list", "--store", "s3", "--prefix", "acme", "--format", "json",
    ]);
    assert_success(&out);
    let listed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(listed["batches"][0]["batchId"], "sens-1");
    assert_eq!(listed["batches"][0]["waitingExecution"], execution.as_str());

    let delivery = flow.review("approve", "sens-1", &[]);
    assert_eq!(delivery["via"], "stateMachine", "{delivery}");
    assert_eq!(delivery["executionArn"], execution.as_str());

    let done = flow.finished(&execution);
    assert_eq!(done.status, "SUCCEEDED", "{done:?}");
    let output = done.output.expect("output");
    assert_eq!(output["review"]["decision"], "approved");
    assert_eq!(output["review"]["pending"], 0);
    assert!(flow.keys(&flow.buckets.manual_review).is_empty());
    assert_eq!(
        flow.get(&flow.buckets.scanned_data, "rh/cpf.csv")
            .as_deref(),
        Some(CPF_CSV)
    );
    assert_eq!(
        flow.tag(&flow.buckets.scanned_data, "rh/cpf.csv", "ReviewDecision")
            .as_deref(),
        Some("approved")
    );
    // The execution's ApplyDecision step wrote the audit record, with the reviewer
    // who sent the decision through the token; the used token is gone.
    let trail = flow
        .get(&flow.buckets.scan_results, "sens-1/review.jsonl")
        .expect("audit trail");
    let record: Value = serde_json::from_slice(trail.trim_ascii_end()).expect("one record");
    assert_eq!(record["decision"], "approved");
    assert_eq!(record["reviewer"], "ana");
    assert_eq!(record["keys"], serde_json::json!(["rh/cpf.csv"]));
    assert!(flow
        .get(&flow.buckets.scan_results, "sens-1/review-token.json")
        .is_none());
}

#[test]
fn a_denied_batch_is_deleted_and_a_partial_decision_waits_for_the_rest() {
    let mut flow = Flow::deploy(&[]);
    flow.put(&flow.buckets.raw, "a/cpf.csv", CPF_CSV);
    flow.put(&flow.buckets.raw, "b/cpf.csv", CPF_CSV);
    flow.start_worker("w1", &[]);
    let execution = flow.start("deny-1");
    let first = flow.awaiting_review("deny-1");

    // Deny one key: the execution applies it and waits again for the other.
    let delivery = flow.review("deny", "deny-1", &["--key", "a/cpf.csv"]);
    assert_eq!(delivery["via"], "stateMachine", "{delivery}");
    let second = eventually("a new review token", || {
        flow.get(&flow.buckets.scan_results, "deny-1/review-token.json")
            .map(|b| serde_json::from_slice::<Value>(&b).expect("JSON"))
            .filter(|t| t["taskToken"] != first["taskToken"])
    });
    assert_eq!(second["executionArn"], execution.as_str());
    assert_eq!(
        flow.keys(&flow.buckets.manual_review),
        BTreeSet::from(["deny-1/b/cpf.csv".to_owned()])
    );

    flow.review("deny", "deny-1", &[]);
    let done = flow.finished(&execution);
    assert_eq!(done.status, "SUCCEEDED", "{done:?}");
    assert_eq!(done.output.expect("output")["review"]["decision"], "denied");
    assert!(flow.keys(&flow.buckets.manual_review).is_empty());
    assert!(flow.keys(&flow.buckets.scanned_data).is_empty());
    let trail = flow
        .get(&flow.buckets.scan_results, "deny-1/review.jsonl")
        .expect("audit trail");
    assert_eq!(String::from_utf8_lossy(&trail).lines().count(), 2);
}

#[test]
fn a_review_that_times_out_fails_the_execution_and_leaves_objects_in_review() {
    let mut flow = Flow::deploy(&["--review-timeout-seconds", "4"]);
    flow.put(&flow.buckets.raw, "rh/cpf.csv", CPF_CSV);
    flow.start_worker("w1", &[]);
    let execution = flow.start("late-1");
    flow.awaiting_review("late-1");
    let done = flow.finished(&execution);
    assert_eq!(done.status, "FAILED", "{done:?}");
    assert_eq!(done.error.as_deref(), Some("ReviewTimedOut"));
    assert_eq!(
        flow.keys(&flow.buckets.manual_review),
        BTreeSet::from(["late-1/rh/cpf.csv".to_owned()])
    );
    assert!(flow.keys(&flow.buckets.scanned_data).is_empty());

    // Nobody waits on the token any more: the decision applies directly.
    let delivery = flow.review("approve", "late-1", &[]);
    assert_eq!(delivery["via"], "direct", "{delivery}");
    assert_eq!(
        flow.keys(&flow.buckets.scanned_data),
        BTreeSet::from(["rh/cpf.csv".to_owned()])
    );
}

#[test]
fn a_failing_step_fails_the_execution_with_its_named_error_and_moves_nothing() {
    let mut flow = Flow::deploy(&[]);
    flow.put(&flow.buckets.raw, "rh/cpf.csv", CPF_CSV);
    flow.start_worker("w1", &[]);
    // A batch id the pipeline refuses (it would not be a safe key prefix).
    let execution = flow.start("bad id/..");
    let done = flow.finished(&execution);
    assert_eq!(done.status, "FAILED", "{done:?}");
    assert_eq!(done.error.as_deref(), Some("ferret.BadInput"), "{done:?}");
    assert!(done.cause.unwrap_or_default().contains("bad id/.."));
    assert_eq!(
        flow.keys(&flow.buckets.raw),
        BTreeSet::from(["rh/cpf.csv".to_owned()])
    );
}

#[test]
fn a_worker_killed_mid_task_is_replaced_and_the_batch_finishes_exactly_once() {
    let mut flow = Flow::deploy(&[]);
    let objects = flow.put_mixed_batch(30);
    // The first worker is SIGKILLed by the pipeline's crash hook after 10 state changes
    // of its first task (Stage, part way through the moves).
    let doomed = flow.start_worker("doomed", &[("FERRET_CRASH_AFTER", "10")]);
    let execution = flow.start("kill-1");
    let status = exit_status(&mut flow.workers[doomed].child);
    assert_eq!(
        status.signal(),
        Some(libc::SIGKILL),
        "the doomed worker was killed by its crash point: {status:?}"
    );
    assert!(
        !flow.keys(&flow.buckets.raw).is_empty(),
        "killed before staging finished"
    );

    let rescuer = flow.start_worker("rescuer", &[]);
    let token = flow.awaiting_review("kill-1");
    assert_eq!(token["executionArn"], execution.as_str());
    flow.review("approve", "kill-1", &[]);
    let done = flow.finished(&execution);
    assert_eq!(done.status, "SUCCEEDED", "{done:?}");
    // The doomed worker's Stage task timed out on its heartbeat and was retried by
    // the rescuer.
    for worker in [doomed, rescuer] {
        assert!(
            flow.worker_log(worker)
                .contains("task started step=\"stage\""),
            "{}",
            flow.worker_log(worker)
        );
    }

    flow.assert_approved_exactly_once(&objects);
}

#[test]
fn sigterm_mid_task_lets_the_running_task_finish_then_stops_the_worker() {
    let mut flow = Flow::deploy(&[]);
    let objects = flow.put_mixed_batch(30);
    // The worker is sent SIGTERM by the pipeline's crash hook after 10 state changes
    // of its first task (Stage, part way through the moves); the task has 10 s to end.
    let stopping = flow.start_worker(
        "stopping",
        &[
            ("FERRET_CRASH_AFTER", "10"),
            ("FERRET_CRASH_SIGNAL", "TERM"),
        ],
    );
    let execution = flow.start("term-1");
    let status = exit_status(&mut flow.workers[stopping].child);
    let log = flow.worker_log(stopping);
    assert!(status.success(), "{status:?}\n{log}");
    let asked = log.find("stop asked").expect("the stop was logged");
    let answered = log
        .find("task succeeded step=\"stage\"")
        .expect("the stage was answered");
    assert!(asked < answered, "the stop came mid-task\n{log}");
    assert!(log.contains("worker stopped"), "{log}");
    // The stage ended before the worker did: everything left raw.
    assert!(flow.keys(&flow.buckets.raw).is_empty());
    assert_eq!(flow.keys(&flow.buckets.scan_stage).len(), objects.len());

    // The execution goes on with the next worker, which never stages again.
    let next = flow.start_worker("next", &[]);
    flow.awaiting_review("term-1");
    flow.review("approve", "term-1", &[]);
    assert_eq!(flow.finished(&execution).status, "SUCCEEDED");
    assert!(!flow
        .worker_log(next)
        .contains("task started step=\"stage\""));
    flow.assert_approved_exactly_once(&objects);
}

#[test]
fn sigterm_past_the_grace_fails_the_task_as_worker_stopping_and_another_worker_redoes_it() {
    let mut flow = Flow::deploy(&[]);
    let objects = flow.put_mixed_batch(30);
    // No grace: the stop aborts the stage part way through its moves.
    let stopping = flow.start_worker_with_grace(
        "stopping",
        &[
            ("FERRET_CRASH_AFTER", "10"),
            ("FERRET_CRASH_SIGNAL", "TERM"),
        ],
        "0",
    );
    let execution = flow.start("term-2");
    let status = exit_status(&mut flow.workers[stopping].child);
    let log = flow.worker_log(stopping);
    assert!(status.success(), "{status:?}\n{log}");
    assert!(
        log.contains("task failed step=\"stage\" error=\"ferret.WorkerStopping\""),
        "{log}"
    );
    assert!(!log.contains("task succeeded"), "{log}");

    // The definition retries ferret.WorkerStopping; the next worker redoes the stage.
    let next = flow.start_worker("next", &[]);
    flow.awaiting_review("term-2");
    flow.review("approve", "term-2", &[]);
    assert_eq!(flow.finished(&execution).status, "SUCCEEDED");
    assert!(flow
        .worker_log(next)
        .contains("task started step=\"stage\""));
    flow.assert_approved_exactly_once(&objects);
}

#[test]
fn a_distributed_map_shares_2500_objects_between_two_workers() {
    const OBJECTS: usize = 2_500;
    // No worker is killed here: a heartbeat timeout long enough that a worker slowed by
    // a loaded machine is not taken for dead (which would have its share redone).
    let mut flow = Flow::deploy(&[
        "--distributed",
        "--max-items-per-batch",
        "100",
        "--heartbeat-seconds",
        "60",
    ]);
    let bodies: Vec<(String, &[u8])> = (0..OBJECTS)
        .map(|i| {
            let body = if i % 250 == 7 { CPF_CSV } else { CLEAN_TXT };
            (format!("drop/{i:04}.csv"), body)
        })
        .collect();
    flow.runtime.block_on(async {
        use futures_util::stream::{self, StreamExt};
        let puts = bodies.iter().map(|(key, body)| {
            flow.s3
                .put_object()
                .bucket(&flow.buckets.raw)
                .key(key)
                .body(ByteStream::from(body.to_vec()))
                .send()
        });
        let results: Vec<_> = stream::iter(puts).buffer_unordered(16).collect().await;
        assert!(results.iter().all(Result::is_ok), "every object uploaded");
    });
    let first = flow.start_worker("first", &[]);
    let second = flow.start_worker("second", &[]);
    let execution = flow.start("dmap-1");
    // 25 shares and the stage, merge and review tasks around them: how long they take
    // follows the machine's load, so the wait lasts while they advance.
    flow.awaiting_review_while_working("dmap-1");

    let sensitive: BTreeSet<String> = bodies
        .iter()
        .filter(|(_, body)| *body == CPF_CSV)
        .map(|(key, _)| format!("dmap-1/{key}"))
        .collect();
    assert_eq!(sensitive.len(), 10);
    assert_eq!(flow.keys(&flow.buckets.manual_review), sensitive);
    assert_eq!(flow.keys(&flow.buckets.scanned_data).len(), OBJECTS - 10);

    // The map wrote one part per share of 100, and the merge found every object in
    // them: one record per object.
    let parts: Vec<String> = flow
        .keys(&flow.buckets.scan_results)
        .into_iter()
        .filter(|k| k.starts_with("dmap-1/parts/"))
        .collect();
    assert_eq!(parts.len(), OBJECTS / 100);
    let results = flow
        .get(&flow.buckets.scan_results, "dmap-1/results.jsonl.gz")
        .expect("results");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&results[..]), &mut text)
        .expect("gzip");
    assert_eq!(text.lines().count(), OBJECTS);

    // Both workers scanned shares.
    for worker in [first, second] {
        let shares = flow
            .worker_log(worker)
            .matches("task started step=\"scan-items\"")
            .count();
        assert!(shares > 0, "worker {worker} scanned no share");
    }

    flow.review("deny", "dmap-1", &[]);
    let done = flow.finished(&execution);
    assert_eq!(done.status, "SUCCEEDED", "{done:?}");
    assert_eq!(
        done.output.expect("output")["summary"]["counts"]["objects"],
        OBJECTS
    );
}

#[test]
fn sigterm_stops_an_idle_worker_cleanly() {
    let mut flow = Flow::deploy(&[]);
    let worker = flow.start_worker("w1", &[]);
    eventually("the worker to poll", || {
        flow.worker_log(worker)
            .contains("worker started")
            .then_some(())
    });
    terminate(&flow.workers[worker].child);
    let status = exit_status(&mut flow.workers[worker].child);
    assert!(status.success(), "{status:?}");
    assert!(flow.worker_log(worker).contains("worker stopped"));
}

#[test]
fn create_is_idempotent_and_render_names_the_activity() {
    let flow = Flow::deploy(&[]);
    let out = flow.ferret(&[
        "statemachine",
        "create",
        "--name",
        "ferret-test",
        "--role-arn",
        "arn:aws:iam::123456789012:role/ferret-test",
        "--distributed",
    ]);
    assert_success(&out);
    let again: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(again["stateMachineArn"], flow.state_machine_arn.as_str());
    assert_eq!(again["activityArn"], flow.activity_arn.as_str());
    let described = flow
        .runtime
        .block_on(
            flow.sfn
                .describe_state_machine()
                .state_machine_arn(&flow.state_machine_arn)
                .send(),
        )
        .expect("DescribeStateMachine");
    let definition: Value = serde_json::from_str(described.definition()).expect("ASL");
    assert_eq!(definition["States"]["Scan"]["Type"], "Map");

    let out = flow.ferret(&[
        "statemachine",
        "render",
        "--activity-arn",
        &flow.activity_arn,
    ]);
    assert_success(&out);
    let rendered: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        rendered["States"]["Stage"]["Resource"],
        flow.activity_arn.as_str()
    );
}

#[test]
fn the_activity_worker_publishes_a_scanned_batchs_findings_to_security_hub() {
    let mut flow = Flow::deploy(&[]);
    flow.put(&flow.buckets.raw, "rh/cpf.csv", CPF_CSV);
    flow.put(&flow.buckets.raw, "rh/notes.txt", CLEAN_TXT);
    flow.start_worker("w1", &[("FERRET_FINDINGS", "securityhub")]);
    flow.start("find-1");
    // The scan step publishes before it answers, so the batch waiting for review has
    // its findings in Security Hub.
    flow.awaiting_review("find-1");
    let client =
        ferret_integrations::aws_json::AwsJsonClient::new(&flow.moto.sdk_config()).expect("client");
    let answer = flow
        .runtime
        .block_on(client.post(
            "securityhub",
            "/findings",
            &[],
            "application/json",
            b"{}".to_vec(),
        ))
        .expect("GetFindings");
    let findings = answer["Findings"].as_array().expect("findings");
    assert_eq!(
        findings.len(),
        1,
        "the sensitive object only: {findings:#?}"
    );
    let resource = &findings[0]["Resources"][0];
    assert_eq!(resource["Type"], "AwsS3Object");
    assert!(
        resource["Id"]
            .as_str()
            .expect("id")
            .ends_with("/rh/cpf.csv"),
        "{resource}"
    );
    assert_eq!(findings[0]["ProductFields"]["ferret/jobId"], "find-1");
}
