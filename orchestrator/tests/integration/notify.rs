//! Review notifications delivered for real: SNS on moto server (read back through an SQS
//! queue subscribed to the topic, as an e-mail subscriber would get it) and a webhook
//! receiver on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ferret_orchestrator::notify::{
    notify, sns_client, NoticeCounts, NotifyError, NotifyTargets, ReviewNotice, WebhookFailure,
    MAX_SUBJECT_CHARS, MAX_TEXT_BYTES,
};
use ferret_testkit::{repo, Moto};
use serde_json::Value;

/// A value the scanner matches in `samples/relatorio_prototipos.txt` (a Visa test card):
/// whatever a notice says about that object, this must never be part of it.
const SECRET: &str = "4111 1111 1111 1111";
const SAMPLE: &str = "samples/relatorio_prototipos.txt";

/// The notice for a batch that held the sample above, as the pipeline would build it.
fn sample_notice(batch_id: &str) -> ReviewNotice {
    let sample = std::fs::read_to_string(repo(SAMPLE)).expect("the sample is readable");
    assert!(
        sample.contains(SECRET),
        "{SAMPLE} no longer holds {SECRET}: pick another secret"
    );
    ReviewNotice::new(
        batch_id,
        NoticeCounts {
            objects: 5,
            sensitive: 2,
            skipped: 1,
            scanned: 4,
        },
        Some("High".to_owned()),
        vec![
            "relatorio_prototipos.txt".to_owned(),
            "clients/compagnie_française.csv".to_owned(),
            "archives/too-big.zip".to_owned(),
        ],
        format!("acme-data-pipeline-scan-results/{batch_id}/results.jsonl.gz"),
        "--store s3 --prefix acme",
    )
}

// ---------------------------------------------------------------------------------------
// SNS, on moto server

/// A topic with an SQS queue subscribed to it; returns the topic ARN and the queue URL.
async fn topic_with_queue(
    sns: &aws_sdk_sns::Client,
    sqs: &aws_sdk_sqs::Client,
) -> (String, String) {
    let topic_arn = sns
        .create_topic()
        .name("ferret-review")
        .send()
        .await
        .expect("topic created")
        .topic_arn
        .expect("topic ARN");
    let queue_url = sqs
        .create_queue()
        .queue_name("ferret-review-inbox")
        .send()
        .await
        .expect("queue created")
        .queue_url
        .expect("queue URL");
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes")
        .attributes
        .and_then(|mut a| a.remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
        .expect("queue ARN");
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(queue_arn)
        .send()
        .await
        .expect("queue subscribed");
    (topic_arn, queue_url)
}

/// The first message on the queue, waiting up to 20 s for it.
async fn receive_one(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let received = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(2)
            .send()
            .await
            .expect("receive from the queue");
        let mut messages = received.messages.unwrap_or_default();
        assert!(messages.len() <= 1, "one notice, one message: {messages:?}");
        if let Some(message) = messages.pop() {
            return message.body.expect("message body");
        }
    }
    panic!("no message reached the queue within 20 s");
}

#[tokio::test]
async fn sns_subscribers_get_the_subject_text_and_attributes() {
    let moto = Moto::start();
    let (sns, sqs) = (moto.sns(), moto.sqs());
    let (topic_arn, queue_url) = topic_with_queue(&sns, &sqs).await;

    let notice = sample_notice("2024-05-01T06-00-00Z");
    let targets = NotifyTargets {
        sns_topic_arn: Some(topic_arn.clone()),
        webhook_url: None,
    };
    notify(&notice, &targets, Some(&sns))
        .await
        .expect("published");

    let body = receive_one(&sqs, &queue_url).await;
    assert!(!body.contains(SECRET), "a matched value leaked: {body}");
    let envelope: Value = serde_json::from_str(&body).expect("an SNS envelope");
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["TopicArn"], topic_arn.as_str());
    assert_eq!(
        envelope["Subject"],
        "ferret: batch 2024-05-01T06-00-00Z needs review (3 objects, High)"
    );
    let message = envelope["Message"].as_str().expect("a text message");
    assert_eq!(message, notice.text());
    for expected in [
        "Batch 2024-05-01T06-00-00Z needs review: 3 objects are held in manual review.",
        "Highest severity: High",
        "Objects: 5 in the batch, 4 scanned, 2 with sensitive data, 1 skipped or partly scanned",
        "Results: acme-data-pipeline-scan-results/2024-05-01T06-00-00Z/results.jsonl.gz",
        "  - relatorio_prototipos.txt\n",
        "  - clients/compagnie_française.csv\n",
        "  - archives/too-big.zip\n",
        "ferret review list --batch-id 2024-05-01T06-00-00Z --store s3 --prefix acme",
        "ferret review approve --batch-id 2024-05-01T06-00-00Z --store s3 --prefix acme",
        "ferret review deny --batch-id 2024-05-01T06-00-00Z --store s3 --prefix acme",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} missing from:\n{message}"
        );
    }
    assert!(
        !message.contains("http"),
        "the text carries no links:\n{message}"
    );
    let attributes = &envelope["MessageAttributes"];
    assert_eq!(attributes["batchId"]["Value"], "2024-05-01T06-00-00Z");
    assert_eq!(attributes["severity"]["Value"], "High");
}

#[tokio::test]
async fn sns_failures_name_the_topic_and_the_error_code() {
    let moto = Moto::start();
    let sns = moto.sns();
    let missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
    let targets = NotifyTargets {
        sns_topic_arn: Some(missing.to_owned()),
        webhook_url: None,
    };
    let error = notify(&sample_notice("b1"), &targets, Some(&sns))
        .await
        .expect_err("no such topic");
    match &error {
        NotifyError::Sns {
            topic_arn, code, ..
        } => {
            assert_eq!(topic_arn, missing);
            assert_eq!(code.as_deref(), Some("NotFound"), "{error}");
        }
        other => panic!("expected an SNS error, got {other:?}"),
    }

    let error = notify(&sample_notice("b1"), &targets, None)
        .await
        .expect_err("no client");
    assert!(
        matches!(error, NotifyError::NoSnsClient { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn sns_client_takes_the_region_given() {
    let client = sns_client(Some("http://127.0.0.1:9"), Some("eu-west-3")).await;
    assert_eq!(
        client.config().region().map(|r| r.as_ref()),
        Some("eu-west-3")
    );
}

// ---------------------------------------------------------------------------------------
// Webhook, on a loopback receiver

/// One request as the receiver saw it.
#[derive(Debug)]
struct Received {
    request_line: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A receiver that answers one request with each status in turn, then stops; its URL
/// (with a secret in the path and the query, as real webhook URLs often have) and what
/// it received.
fn receiver(statuses: &[u16]) -> (String, JoinHandle<Vec<Received>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local address").port();
    let statuses = statuses.to_vec();
    let handle = std::thread::spawn(move || {
        let mut received = Vec::new();
        for status in statuses {
            received.push(answer(accept(&listener), status));
        }
        received
    });
    (
        format!("http://127.0.0.1:{port}/hooks/T0SECRET?token=SECRET"),
        handle,
    )
}

/// The next connection, waiting at most 30 s: a client that never comes fails the test
/// (through the receiver thread's panic) instead of hanging it. poll(2) wakes up when
/// the connection arrives, not on a timer.
fn accept(listener: &TcpListener) -> TcpStream {
    use std::os::fd::AsRawFd;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut ready = libc::pollfd {
            fd: listener.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let timeout_ms = libc::c_int::try_from(left.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: poll(2) on one pollfd that lives across the call, for a descriptor the
        // listener keeps open.
        match unsafe { libc::poll(&mut ready, 1, timeout_ms) } {
            1 => return listener.accept().expect("accept").0,
            0 => panic!("no request within 30 s"),
            _ => {
                let error = std::io::Error::last_os_error();
                assert_eq!(
                    error.kind(),
                    std::io::ErrorKind::Interrupted,
                    "poll: {error}"
                );
            }
        }
    }
}

/// Reads one HTTP/1.1 request (headers, then a Content-Length body) and answers `status`.
fn answer(stream: TcpStream, status: u16) -> Received {
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("read timeout");
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).expect("request line");
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("a header");
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().expect("a length"))
        .expect("the body has a Content-Length");
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("body");
    let mut stream = reader.into_inner();
    write!(
        stream,
        "HTTP/1.1 {status} Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("answer");
    Received {
        request_line: request_line.trim_end().to_owned(),
        headers,
        body,
    }
}

fn webhook(url: &str) -> NotifyTargets {
    NotifyTargets {
        sns_topic_arn: None,
        webhook_url: Some(url.to_owned()),
    }
}

#[tokio::test]
async fn webhook_receives_the_notice_as_json() {
    let (url, server) = receiver(&[200]);
    let notice = sample_notice("b-42");
    notify(&notice, &webhook(&url), None)
        .await
        .expect("delivered");

    let received = server.join().expect("receiver thread");
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(
        request.request_line,
        "POST /hooks/T0SECRET?token=SECRET HTTP/1.1"
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body = String::from_utf8(request.body.clone()).expect("UTF-8 JSON");
    assert!(!body.contains(SECRET), "a matched value leaked: {body}");
    let delivered: ReviewNotice = serde_json::from_str(&body).expect("a ReviewNotice");
    assert_eq!(delivered, notice);
    let json: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(json["batchId"], "b-42");
    assert_eq!(json["counts"]["sensitive"], 2);
    assert_eq!(
        json["commands"]["approve"],
        "ferret review approve --batch-id b-42 --store s3 --prefix acme"
    );
}

#[tokio::test]
async fn webhook_is_retried_after_a_server_error() {
    let (url, server) = receiver(&[500, 200]);
    let notice = sample_notice("b-43");
    notify(&notice, &webhook(&url), None)
        .await
        .expect("delivered on the second attempt");
    let received = server.join().expect("receiver thread");
    assert_eq!(received.len(), 2);
    for request in &received {
        let delivered: ReviewNotice =
            serde_json::from_slice(&request.body).expect("a ReviewNotice");
        assert_eq!(delivered, notice);
    }
}

#[tokio::test]
async fn webhook_gives_up_after_three_server_errors() {
    let (url, server) = receiver(&[503, 502, 500]);
    let error = notify(&sample_notice("b-44"), &webhook(&url), None)
        .await
        .expect_err("never accepted");
    assert_eq!(server.join().expect("receiver thread").len(), 3);
    match error {
        NotifyError::Webhook {
            attempts, failure, ..
        } => {
            assert_eq!(attempts, 3);
            assert_eq!(failure, WebhookFailure::Status(500));
        }
        other => panic!("expected a webhook error, got {other:?}"),
    }
}

#[tokio::test]
async fn webhook_client_error_is_final_and_hides_the_url_secrets() {
    // The receiver answers one request only: a second attempt would hang until the
    // client's timeout and then fail as a transport error, not as a 404.
    let (url, server) = receiver(&[404]);
    let error = notify(&sample_notice("b-45"), &webhook(&url), None)
        .await
        .expect_err("not found");
    assert_eq!(server.join().expect("receiver thread").len(), 1);
    let shown = error.to_string();
    match &error {
        NotifyError::Webhook {
            url: shown_url,
            attempts,
            failure,
        } => {
            assert_eq!(*attempts, 1);
            assert_eq!(*failure, WebhookFailure::Status(404));
            assert!(shown_url.starts_with("http://127.0.0.1:"), "{shown_url}");
        }
        other => panic!("expected a webhook error, got {other:?}"),
    }
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(!shown.contains("token"), "{shown}");
}

#[tokio::test]
async fn unreachable_webhook_is_a_transport_error_after_three_attempts() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let error = notify(&sample_notice("b-46"), &webhook(&url), None)
        .await
        .expect_err("nobody listens");
    match error {
        NotifyError::Webhook {
            attempts,
            failure: WebhookFailure::Transport(_),
            ..
        } => assert_eq!(attempts, 3),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn every_target_is_tried_and_every_failure_reported() {
    let (url, server) = receiver(&[404]);
    let targets = NotifyTargets {
        sns_topic_arn: Some("arn:aws:sns:us-east-1:123456789012:t".to_owned()),
        webhook_url: Some(url),
    };
    let error = notify(&sample_notice("b-47"), &targets, None)
        .await
        .expect_err("both fail");
    // The webhook was still called although SNS could not be.
    assert_eq!(server.join().expect("receiver thread").len(), 1);
    match error {
        NotifyError::Several(errors) => {
            assert!(matches!(errors[0], NotifyError::NoSnsClient { .. }));
            assert!(matches!(errors[1], NotifyError::Webhook { .. }));
        }
        other => panic!("expected both failures, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_webhook_urls_are_refused_before_sending() {
    for url in ["not a url", "file:///etc/passwd"] {
        let error = notify(&sample_notice("b-48"), &webhook(url), None)
            .await
            .expect_err("refused");
        assert!(
            matches!(
                error,
                NotifyError::Webhook {
                    attempts: 0,
                    failure: WebhookFailure::InvalidUrl(_),
                    ..
                }
            ),
            "{url}: {error:?}"
        );
    }
}

#[tokio::test]
async fn no_targets_is_nothing_to_do() {
    notify(&sample_notice("b-49"), &NotifyTargets::default(), None)
        .await
        .expect("nothing sent, nothing failed");
}

// ---------------------------------------------------------------------------------------
// Sizes

#[test]
fn subject_fits_sns_even_with_a_100_character_batch_id() {
    let batch_id = "b".repeat(100);
    let subject = sample_notice(&batch_id).subject();
    assert!(
        subject.len() <= MAX_SUBJECT_CHARS,
        "{} chars",
        subject.len()
    );
    assert!(subject.starts_with("ferret: batch bbb"), "{subject}");
    assert!(
        subject.ends_with("... needs review (3 objects, High)"),
        "{subject}"
    );
    assert!(subject.is_ascii());

    let short = ReviewNotice::new(
        "b1",
        NoticeCounts::default(),
        None,
        vec!["k".to_owned()],
        "r",
        "",
    );
    assert_eq!(short.subject(), "ferret: batch b1 needs review (1 object)");
}

#[test]
fn text_with_ten_thousand_keys_fits_sns_and_counts_what_it_leaves_out() {
    let keys: Vec<String> = (0..10_000)
        .map(|i| format!("exports/2024/05/customers-{i:05}-{}.csv", "x".repeat(200)))
        .collect();
    let notice = ReviewNotice::new(
        "b-big",
        NoticeCounts {
            objects: 10_000,
            sensitive: 10_000,
            skipped: 0,
            scanned: 10_000,
        },
        Some("Medium".to_owned()),
        keys,
        "acme-data-pipeline-scan-results/b-big/results.jsonl.gz",
        "--prefix acme",
    );
    let text = notice.text();
    assert!(text.len() <= MAX_TEXT_BYTES);
    assert!(text.len() < 256 * 1024);
    assert!(text.contains("customers-00049-"), "the first 50 are listed");
    assert!(
        !text.contains("customers-00050-"),
        "no more than 50 are listed"
    );
    assert!(
        text.contains("  ... and 9950 more: `ferret review list --batch-id b-big --prefix acme` lists them all."),
        "{text}"
    );
    assert!(text.contains("ferret review approve --batch-id b-big --prefix acme"));
}
