//! Telling reviewers that a batch waits in manual review.
//!
//! The seed application e-mailed approve/deny *links* that carried a Step Functions task
//! token: unauthenticated GETs that mail scanners could follow, with nobody recorded as the
//! decider. ferret sends the exact `ferret review` commands instead. A decision is taken
//! by someone who has the AWS credentials to act on the buckets, and `ferret review`
//! records who decided; a notice grants nothing to whoever reads it.
//!
//! A [`ReviewNotice`] carries the batch id, the counts, the highest severity, the original
//! keys now in manual review, where the results are, and the commands to list, approve or
//! deny. It has no field for matched values, so none can leak through a notification;
//! reviewers read the findings in the results location, under the access it requires.
//!
//! Two kinds of targets, both optional ([`NotifyTargets`]):
//! - **SNS**: the human-readable [`ReviewNotice::text`] as the message (what e-mail
//!   subscribers read), [`ReviewNotice::subject`] as the subject, and the message
//!   attributes `batchId` and `severity` so that subscriptions can filter on them.
//! - **Webhook**: an HTTP POST of the notice as JSON (`Content-Type: application/json`),
//!   for chat bots and ticketing systems. This is the machine-readable form: receivers
//!   get every key, unabridged, and the commands as separate fields.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::Duration;

use aws_sdk_sns::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_sns::types::MessageAttributeValue;
use bytes::Bytes;

use crate::pipeline::{BatchStatus, Summary};
use crate::settings::{Settings, StoreSpec};

/// SNS rejects subjects longer than this (in ASCII characters).
pub const MAX_SUBJECT_CHARS: usize = 100;

/// The most bytes [`ReviewNotice::text`] produces. SNS takes messages of up to 256 KiB,
/// subject and message attributes included; this leaves room for both with a wide margin.
pub const MAX_TEXT_BYTES: usize = 200 * 1024;

/// The most keys [`ReviewNotice::text`] lists. A reviewer reads a handful; for more,
/// `ferret review list` (named in the text) shows all of them.
pub const MAX_LISTED_KEYS: usize = 50;

/// A key longer than this (in characters, after escaping) is shortened in the text, so
/// that 50 maximal S3 keys still make a readable e-mail.
const MAX_KEY_CHARS: usize = 300;

/// How long one webhook request may take, connection included.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Webhook attempts in all: the first and up to two retries.
const WEBHOOK_ATTEMPTS: u32 = 3;

/// The wait before the first webhook retry; doubled before each further one.
const WEBHOOK_BACKOFF: Duration = Duration::from_millis(500);

/// What reviewers are told when a batch needs review. Never carries matched values.
///
/// This is also the JSON body a webhook receives (camelCase field names).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReviewNotice {
    pub batch_id: String,
    pub counts: NoticeCounts,
    /// The highest severity in the batch: `Low`, `Medium` or `High`; `None` when nothing
    /// was found (a batch can need review for SKIPPED or PARTIAL objects alone).
    pub severity: Option<String>,
    /// The original keys (as they were in raw) of the objects now in manual review.
    pub manual_review_keys: Vec<String>,
    /// Where the result records are, e.g.
    /// `acme-data-pipeline-scan-results/ID/results.jsonl.gz`.
    pub results_location: String,
    /// The command lines that list, approve or deny this batch.
    pub commands: ReviewCommands,
}

/// The batch's counts (`objects`, `sensitive`, `skipped`, `scanned`): the pipeline's own,
/// so that a notice says exactly what the summary of `ferret pipeline run` says.
pub use crate::pipeline::Counts as NoticeCounts;

/// Ready-to-run command lines for one batch.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReviewCommands {
    /// `ferret review list --batch-id ID ...`
    pub list: String,
    /// `ferret review approve --batch-id ID ...`: moves the batch to scanned-data.
    pub approve: String,
    /// `ferret review deny --batch-id ID ...`: deletes the batch's held objects.
    pub deny: String,
    /// `ferret review show --batch-id ID ...`: types, counts and locations per object.
    #[serde(default)]
    pub show: String,
}

impl ReviewCommands {
    /// The three commands for `batch_id`, each followed by `common_args` (see
    /// [`ReviewNotice::new`]). The batch id is shell-quoted when it needs to be, so that
    /// the line can be pasted into a POSIX shell as it is.
    pub fn new(batch_id: &str, common_args: &str) -> ReviewCommands {
        let id = shell_word(batch_id);
        let args = common_args.trim();
        let line = |verb: &str| {
            if args.is_empty() {
                format!("ferret review {verb} --batch-id {id}")
            } else {
                format!("ferret review {verb} --batch-id {id} {args}")
            }
        };
        ReviewCommands {
            list: line("list"),
            approve: line("approve"),
            deny: line("deny"),
            show: line("show"),
        }
    }
}

impl ReviewNotice {
    /// A notice for `batch_id`, with its review commands built from `common_args`: the
    /// arguments every `ferret review` command needs to reach the same buckets (for
    /// example `--store s3 --prefix acme`). They are appended verbatim, so the caller
    /// quotes any value that needs it.
    pub fn new(
        batch_id: impl Into<String>,
        counts: NoticeCounts,
        severity: Option<String>,
        manual_review_keys: Vec<String>,
        results_location: impl Into<String>,
        common_args: &str,
    ) -> ReviewNotice {
        let batch_id = batch_id.into();
        let commands = ReviewCommands::new(&batch_id, common_args);
        ReviewNotice {
            batch_id,
            counts,
            severity,
            manual_review_keys,
            results_location: results_location.into(),
            commands,
        }
    }

    /// The notice for a finished batch, or `None` when the batch needs no review
    /// (status other than `ManualReviewRequired`). `common_args` as for [`ReviewNotice::new`].
    pub fn from_summary(summary: &Summary, common_args: &str) -> Option<ReviewNotice> {
        if summary.status != BatchStatus::ManualReviewRequired {
            return None;
        }
        Some(ReviewNotice::new(
            summary.batch_id.clone(),
            summary.counts,
            summary.severity.clone(),
            summary.manual_review_keys.clone(),
            summary.results_location.clone().unwrap_or_default(),
            common_args,
        ))
    }

    /// The subject line: `ferret: batch ID needs review (N objects, High)`, where N is
    /// the number of objects held for review.
    ///
    /// SNS wants at most 100 ASCII characters with no line breaks or control characters,
    /// and rejects the whole publish otherwise. So any other character becomes `?`, a
    /// long batch id is shortened with `...` (the full id is in the text and the
    /// `batchId` attribute), and the result always fits.
    pub fn subject(&self) -> String {
        const PREFIX: &str = "ferret: batch ";
        let held = self.manual_review_keys.len();
        let plural = if held == 1 { "" } else { "s" };
        let suffix = match self.severity.as_deref().filter(|s| !s.is_empty()) {
            // A severity is one short word; a long one is cut rather than let it crowd
            // out the batch id.
            Some(severity) => format!(
                " needs review ({held} object{plural}, {})",
                ellipsize(&subject_safe(severity), 12)
            ),
            None => format!(" needs review ({held} object{plural})"),
        };
        let room = MAX_SUBJECT_CHARS.saturating_sub(PREFIX.len() + suffix.len());
        let id = subject_safe(&self.batch_id);
        let id = ellipsize(&id, room);
        let mut subject = format!("{PREFIX}{id}{suffix}");
        // Cannot trigger with the bounds above; it keeps the promise if they change.
        subject.truncate(MAX_SUBJECT_CHARS);
        subject
    }

    /// The plain-text body for e-mail subscribers: what is held and why, the counts, the
    /// highest severity, the keys (at most [`MAX_LISTED_KEYS`], then `... and N more`),
    /// and the commands to run.
    ///
    /// Keys are shown with control and bidirectional-formatting characters escaped
    /// (`\u{a}`): an object's name is chosen by whoever wrote it to raw, and must not be
    /// able to add lines or reorder text in a message that tells reviewers what to run.
    ///
    /// Always at most [`MAX_TEXT_BYTES`] bytes, so that it fits one SNS message: keys are
    /// dropped from the list (and counted as left out) before anything else is cut.
    pub fn text(&self) -> String {
        let head = self.text_head();
        let tail = self.text_tail();
        let total = self.manual_review_keys.len();

        // The line that counts the keys left out, at its longest.
        let omitted_line = |omitted: usize| {
            format!(
                "  ... and {omitted} more: `{}` lists them all.\n",
                self.commands.list
            )
        };
        let budget =
            MAX_TEXT_BYTES.saturating_sub(head.len() + tail.len() + omitted_line(total).len());

        let mut keys = String::new();
        let mut listed = 0;
        for key in self.manual_review_keys.iter().take(MAX_LISTED_KEYS) {
            let line = format!("  - {}\n", ellipsize(&escape_key(key), MAX_KEY_CHARS));
            if keys.len() + line.len() > budget {
                break;
            }
            keys.push_str(&line);
            listed += 1;
        }
        if total == 0 {
            keys.push_str("  (none listed)\n");
        } else if listed < total {
            keys.push_str(&omitted_line(total - listed));
        }

        let mut text = head;
        text.push_str(&keys);
        text.push_str(&tail);
        // Only an absurd batch id or common_args (hundreds of KiB) get here.
        if text.len() > MAX_TEXT_BYTES {
            const CUT: &str = "\n[message truncated]\n";
            truncate_at_char_boundary(&mut text, MAX_TEXT_BYTES - CUT.len());
            text.push_str(CUT);
        }
        text
    }

    /// Everything before the key list.
    fn text_head(&self) -> String {
        let c = &self.counts;
        let held = self.manual_review_keys.len();
        let mut head = String::new();
        // `write!` to a String cannot fail.
        let _ = writeln!(
            head,
            "Batch {} needs review: {held} object{} held in manual review.",
            escape_key(&self.batch_id),
            if held == 1 { " is" } else { "s are" }
        );
        head.push('\n');
        let _ = writeln!(
            head,
            "Highest severity: {}",
            self.severity
                .as_deref()
                .unwrap_or("none (held because they could not be scanned in full)")
        );
        let _ = writeln!(
            head,
            "Objects: {} in the batch, {} scanned, {} with sensitive data, {} skipped or partly scanned",
            c.objects, c.scanned, c.sensitive, c.skipped
        );
        let _ = writeln!(head, "Results: {}", self.results_location);
        head.push('\n');
        head.push_str("Held for review (original keys):\n");
        head
    }

    /// Everything after the key list.
    fn text_tail(&self) -> String {
        let mut tail = String::from("\nTo review, run with your own AWS credentials:\n");
        let _ = writeln!(tail, "  list:    {}", self.commands.list);
        let _ = writeln!(tail, "  show:    {}", self.commands.show);
        let _ = writeln!(tail, "  approve: {}", self.commands.approve);
        let _ = writeln!(tail, "  deny:    {}", self.commands.deny);
        tail.push_str(
            "\n\
             Approve moves the objects to scanned-data; deny deletes them. Add --key KEY\n\
             (repeatable) to decide on some objects only, and --reviewer NAME to record\n\
             who decided. Show lists what each object holds; add --reveal N (1-10) to see\n\
             the first N occurrences of each type (each reveal is recorded).\n\
             \n\
             This message has no links and carries no matched values: the findings are\n\
             in the results.\n",
        );
        tail
    }
}

/// Where to send a notice. Both may be set; with neither, [`notify`] does nothing.
#[derive(Debug, Clone, Default)]
pub struct NotifyTargets {
    /// `--notify-sns-topic ARN`
    pub sns_topic_arn: Option<String>,
    /// `--notify-webhook URL` (http or https)
    pub webhook_url: Option<String>,
}

/// Why a notification was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// An SNS topic was given but no SNS client to publish with (a caller's mistake).
    #[error("SNS topic {topic_arn}: no SNS client to publish with")]
    NoSnsClient { topic_arn: String },
    /// SNS refused the message or could not be reached.
    #[error("publishing to SNS topic {topic_arn}: {detail}")]
    Sns {
        topic_arn: String,
        /// The service's error code (`NotFound`, `AuthorizationError`, ...) when SNS
        /// answered with one.
        code: Option<String>,
        /// The SDK's error with its causes.
        detail: String,
    },
    /// The webhook did not accept the notice.
    #[error("webhook {url}: {failure} ({attempts} attempt{})", if *.attempts == 1 { "" } else { "s" })]
    Webhook {
        /// The URL's origin only (`https://host:port`, then `/...` when it has a path):
        /// webhook URLs often carry their secret in the path, the query or the user
        /// info, and this error ends up in logs.
        url: String,
        /// Requests sent (0 when none could be).
        attempts: u32,
        failure: WebhookFailure,
    },
    /// More than one target failed; each is reported.
    #[error("{}", describe_several(.0))]
    Several(Vec<NotifyError>),
}

/// How a webhook delivery failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookFailure {
    /// The URL could not be parsed, or is not http(s).
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The receiver answered with a status other than 2xx. Redirects are not followed:
    /// a POST that is redirected is not delivered.
    #[error("HTTP {0}")]
    Status(u16),
    /// No answer: connection refused or reset, TLS failure, or the timeout.
    #[error("{0}")]
    Transport(String),
}

impl WebhookFailure {
    /// Worth another attempt: a server error, a transport failure, or one of the two
    /// client errors that mean "later" (408 Request Timeout, 429 Too Many Requests).
    /// Any other 4xx says the request itself is wrong, and repeating it cannot help.
    pub fn is_retryable(&self) -> bool {
        match self {
            WebhookFailure::Status(code) => *code >= 500 || *code == 408 || *code == 429,
            WebhookFailure::Transport(_) => true,
            WebhookFailure::InvalidUrl(_) => false,
        }
    }
}

/// Sends `notice` to every target in `targets`, at once, and waits for all of them. A
/// failing target does not keep the notice from the others; every failure is returned.
///
/// SNS: one Publish with [`ReviewNotice::subject`], the plain text
/// [`ReviewNotice::text`], and the message attributes `batchId` and `severity` (when
/// known). `sns` must be given when `targets.sns_topic_arn` is set.
///
/// Webhook: a POST of the notice as JSON (`Content-Type: application/json`), each
/// attempt limited to 10 s, up to 3 attempts with a backoff of 0.5 s then 1 s after a 5xx,
/// a 408 or 429, or a transport failure. Other answers are final. A receiver can thus see
/// the same notice twice (when an answer is lost); the batch id identifies it.
pub async fn notify(
    notice: &ReviewNotice,
    targets: &NotifyTargets,
    sns: Option<&aws_sdk_sns::Client>,
) -> Result<(), NotifyError> {
    let to_sns = async {
        match &targets.sns_topic_arn {
            Some(topic_arn) => publish_sns(notice, topic_arn, sns).await,
            None => Ok(()),
        }
    };
    let to_webhook = async {
        match &targets.webhook_url {
            Some(url) => post_webhook(notice, url).await,
            None => Ok(()),
        }
    };
    let (sns_result, webhook_result) = tokio::join!(to_sns, to_webhook);
    let mut errors: Vec<NotifyError> = [sns_result.err(), webhook_result.err()]
        .into_iter()
        .flatten()
        .collect();
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(NotifyError::Several(errors)),
    }
}

/// An SNS client from the standard AWS configuration chain (environment, profile, SSO,
/// container or instance role), with an optional endpoint URL for SNS-compatible servers
/// (as the S3 store takes one; `AWS_ENDPOINT_URL` is honoured when `None`) and an
/// optional region (otherwise the chain's). Must be awaited inside the tokio runtime that
/// will drive its requests.
pub async fn sns_client(endpoint_url: Option<&str>, region: Option<&str>) -> aws_sdk_sns::Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    if let Some(endpoint) = endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    aws_sdk_sns::Client::new(&loader.load().await)
}

async fn publish_sns(
    notice: &ReviewNotice,
    topic_arn: &str,
    client: Option<&aws_sdk_sns::Client>,
) -> Result<(), NotifyError> {
    let Some(client) = client else {
        return Err(NotifyError::NoSnsClient {
            topic_arn: topic_arn.to_owned(),
        });
    };
    let mut request = client
        .publish()
        .topic_arn(topic_arn)
        .subject(notice.subject())
        .message(notice.text());
    // SNS rejects empty attribute values, so absent or empty ones are left out.
    let attributes = [
        ("batchId", Some(notice.batch_id.as_str())),
        ("severity", notice.severity.as_deref()),
    ];
    for (name, value) in attributes {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        let attribute = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
            .map_err(|e| NotifyError::Sns {
                topic_arn: topic_arn.to_owned(),
                code: None,
                detail: DisplayErrorContext(&e).to_string(),
            })?;
        request = request.message_attributes(name, attribute);
    }
    request.send().await.map_err(|e| NotifyError::Sns {
        topic_arn: topic_arn.to_owned(),
        code: e.code().map(str::to_owned),
        detail: DisplayErrorContext(&e).to_string(),
    })?;
    Ok(())
}

async fn post_webhook(notice: &ReviewNotice, url: &str) -> Result<(), NotifyError> {
    let shown = redact_url(url);
    let failed = |attempts: u32, failure: WebhookFailure| NotifyError::Webhook {
        url: shown.clone(),
        attempts,
        failure,
    };

    let parsed = reqwest::Url::parse(url)
        .map_err(|e| failed(0, WebhookFailure::InvalidUrl(e.to_string())))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(failed(
            0,
            WebhookFailure::InvalidUrl(format!("scheme {} is not http or https", parsed.scheme())),
        ));
    }
    let client = reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .user_agent(concat!("ferret/", env!("CARGO_PKG_VERSION")))
        // A redirected POST turns into a GET on 301-303, and could carry the notice to a
        // host nobody configured: a redirect is reported instead.
        .redirect(reqwest::redirect::Policy::none())
        // One client per notice: a pooled connection the receiver has since closed would
        // only cost an attempt.
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| failed(0, WebhookFailure::Transport(describe_reqwest(e))))?;
    // Only strings, integers, lists and options: serialising cannot fail.
    let body = Bytes::from(serde_json::to_vec(notice).expect("a ReviewNotice serialises"));

    let mut backoff = WEBHOOK_BACKOFF;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let sent = client
            .post(parsed.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone())
            .send()
            .await;
        let failure = match sent {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => WebhookFailure::Status(response.status().as_u16()),
            Err(e) => WebhookFailure::Transport(describe_reqwest(e)),
        };
        if attempts >= WEBHOOK_ATTEMPTS || !failure.is_retryable() {
            return Err(failed(attempts, failure));
        }
        tokio::time::sleep(backoff).await;
        backoff *= 2;
    }
}

/// A reqwest error with its causes ("error sending request" alone says nothing), without
/// the URL reqwest would add (it may hold a secret).
fn describe_reqwest(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}

/// `url` reduced to what identifies the target without revealing a secret: scheme, host
/// and port, then `/...` when there was more.
fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) if parsed.has_host() => {
            let origin = parsed.origin().ascii_serialization();
            let more =
                parsed.path() != "/" || parsed.query().is_some() || parsed.fragment().is_some();
            if more {
                format!("{origin}/...")
            } else {
                origin
            }
        }
        _ => "(unparseable URL)".to_owned(),
    }
}

fn describe_several(errors: &[NotifyError]) -> String {
    let mut text = format!("{} notification targets failed", errors.len());
    for error in errors {
        let _ = write!(text, "; {error}");
    }
    text
}

/// `word` as one POSIX shell word: as it is when it holds only characters no shell treats
/// specially; in single quotes otherwise; and as `$'...'` with `\xHH` escapes when it holds
/// characters that would break the line or hide what it says (see [`needs_escape`]), so
/// that a command is always one visible line.
fn shell_word(word: &str) -> Cow<'_, str> {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:/=+@%".contains(c));
    if plain {
        return Cow::Borrowed(word);
    }
    if !word.chars().any(needs_escape) {
        return Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")));
    }
    let mut quoted = String::from("$'");
    for c in word.chars() {
        match c {
            '\'' => quoted.push_str(r"\'"),
            '\\' => quoted.push_str(r"\\"),
            c if needs_escape(c) => {
                let mut utf8 = [0; 4];
                for byte in c.encode_utf8(&mut utf8).bytes() {
                    let _ = write!(quoted, "\\x{byte:02x}");
                }
            }
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    Cow::Owned(quoted)
}

/// Printable ASCII only, as SNS subjects must be: anything else becomes `?`.
fn subject_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// `text` shortened to at most `max` characters, ending in `...` when shortened.
fn ellipsize(text: &str, max: usize) -> Cow<'_, str> {
    if text.chars().count() <= max {
        return Cow::Borrowed(text);
    }
    let kept: String = text.chars().take(max.saturating_sub(3)).collect();
    Cow::Owned(format!("{kept}{}", &"..."[..max.min(3)]))
}

/// A key as it can be shown safely: control characters and the invisible characters that
/// reorder or hide text (bidirectional controls, zero-width marks) as `\u{..}` escapes.
fn escape_key(key: &str) -> Cow<'_, str> {
    if !key.chars().any(needs_escape) {
        return Cow::Borrowed(key);
    }
    let mut shown = String::with_capacity(key.len() + 8);
    for c in key.chars() {
        if needs_escape(c) {
            let _ = write!(shown, "{}", c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}'..='\u{202E}' // line/paragraph separators, bidi embeddings/overrides
            | '\u{2060}'..='\u{2069}' // word joiner, invisible operators, bidi isolates
            | '\u{FEFF}' // zero-width no-break space
        )
}

/// Cuts `text` to at most `max` bytes without splitting a character.
fn truncate_at_char_boundary(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
}

/// Tells reviewers (SNS and/or webhook, as `settings` configure) that a batch waits for
/// them; does nothing when neither is configured or the batch needs no review. The
/// notice's review commands name the store and prefix of `settings`.
pub async fn notify_reviewers(settings: &Settings, summary: &Summary) -> Result<(), NotifyError> {
    let targets = NotifyTargets {
        sns_topic_arn: settings.notify_sns_topic.clone(),
        webhook_url: settings.notify_webhook.clone(),
    };
    if targets.sns_topic_arn.is_none() && targets.webhook_url.is_none() {
        return Ok(());
    }
    let store = match &settings.store {
        StoreSpec::S3 => "s3".to_owned(),
        StoreSpec::Dir(root) => format!("dir:{}", root.display()),
    };
    let common_args = format!("--store {store} --prefix {}", settings.prefix);
    let Some(notice) = ReviewNotice::from_summary(summary, &common_args) else {
        return Ok(());
    };
    let sns = match &targets.sns_topic_arn {
        Some(_) => {
            Some(sns_client(settings.endpoint_url.as_deref(), settings.region.as_deref()).await)
        }
        None => None,
    };
    notify(&notice, &targets, sns.as_ref()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(batch_id: &str, keys: Vec<String>) -> ReviewNotice {
        ReviewNotice::new(
            batch_id,
            NoticeCounts {
                objects: 4,
                sensitive: 1,
                skipped: 1,
                scanned: 3,
            },
            Some("High".to_owned()),
            keys,
            format!("acme-data-pipeline-scan-results/{batch_id}/results.jsonl.gz"),
            "--prefix acme",
        )
    }

    #[test]
    fn only_batches_waiting_for_review_make_a_notice() {
        let mut summary = Summary {
            batch_id: "b1".to_owned(),
            status: BatchStatus::ManualReviewRequired,
            counts: NoticeCounts {
                objects: 2,
                sensitive: 1,
                skipped: 0,
                scanned: 2,
            },
            severity: Some("Low".to_owned()),
            manual_review_keys: vec!["a.csv".to_owned()],
            results_location: Some("p-data-pipeline-scan-results/b1/results.jsonl.gz".to_owned()),
        };
        let notice = ReviewNotice::from_summary(&summary, "--prefix p").expect("a notice");
        assert_eq!(notice.counts, summary.counts);
        assert_eq!(notice.manual_review_keys, ["a.csv"]);
        assert_eq!(
            notice.commands.deny,
            "ferret review deny --batch-id b1 --prefix p"
        );
        summary.status = BatchStatus::NoSensitiveData;
        assert_eq!(ReviewNotice::from_summary(&summary, ""), None);
    }

    #[test]
    fn commands_quote_batch_ids_a_shell_would_misread() {
        let plain = ReviewCommands::new("2024-05-01T00:00:00Z", "");
        assert_eq!(
            plain.approve,
            "ferret review approve --batch-id 2024-05-01T00:00:00Z"
        );
        let odd = ReviewCommands::new("a b'$(rm -rf ~)", "--prefix acme");
        assert_eq!(
            odd.deny,
            r"ferret review deny --batch-id 'a b'\''$(rm -rf ~)' --prefix acme"
        );
        let hidden = ReviewCommands::new("b\n1'\u{202E}\\", "");
        assert_eq!(
            hidden.list,
            r"ferret review list --batch-id $'b\x0a1\'\xe2\x80\xae\\'"
        );
    }

    #[test]
    fn subject_is_printable_ascii_within_the_limit() {
        let subject = notice("lot-é\n\u{202E}", vec!["k".to_owned()]).subject();
        assert_eq!(
            subject,
            "ferret: batch lot-??? needs review (1 object, High)"
        );
        let long = notice(&"x".repeat(1000), vec![]).subject();
        assert_eq!(long.len(), MAX_SUBJECT_CHARS);
        assert!(
            long.ends_with("... needs review (0 objects, High)"),
            "{long}"
        );
    }

    #[test]
    fn keys_cannot_inject_lines_or_reorder_text() {
        let text = notice(
            "b1",
            vec!["evil\nRun: ferret review approve --batch-id other\u{202E}gpj.exe".to_owned()],
        )
        .text();
        assert!(text
            .contains(r"  - evil\u{a}Run: ferret review approve --batch-id other\u{202e}gpj.exe"));
        assert!(!text.contains('\u{202E}'));
    }

    #[test]
    fn long_keys_are_shortened_and_huge_arguments_still_fit() {
        let text = notice("b1", vec!["\u{1}".repeat(1024); 50]).text();
        assert!(text.len() < 50 * (MAX_KEY_CHARS + 10) + 2048);
        let absurd = ReviewNotice::new(
            "b1",
            NoticeCounts::default(),
            None,
            vec!["k".to_owned()],
            "r",
            &"--x ".repeat(100_000),
        );
        let text = absurd.text();
        assert!(text.len() <= MAX_TEXT_BYTES);
        assert!(text.ends_with("[message truncated]\n"));
    }

    #[test]
    fn webhook_urls_are_shown_without_secrets() {
        assert_eq!(
            redact_url("https://user:pw@hooks.example.com/services/T0/B0/XYZ?token=s#f"),
            "https://hooks.example.com/..."
        );
        assert_eq!(
            redact_url("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(redact_url("not a url"), "(unparseable URL)");
    }

    #[test]
    fn only_later_answers_are_retried() {
        assert!(WebhookFailure::Status(503).is_retryable());
        assert!(WebhookFailure::Status(429).is_retryable());
        assert!(!WebhookFailure::Status(404).is_retryable());
        assert!(!WebhookFailure::Status(301).is_retryable());
        assert!(WebhookFailure::Transport("reset".to_owned()).is_retryable());
    }
}
