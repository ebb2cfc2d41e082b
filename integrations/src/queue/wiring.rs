//! `ferret buckets init --notify-queue-arn ARN`: raw's `ObjectCreated` notifications sent
//! to the event-driven worker's queue.

use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationError;
use aws_sdk_s3::types::{Event, NotificationConfiguration, QueueConfiguration};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

/// The id of ferret's queue configuration on the raw bucket: replaced on each run, so
/// the wiring is idempotent; other configurations of the bucket are kept.
pub const CONFIGURATION_ID: &str = "ferret-event-driven-worker";

#[derive(Debug, thiserror::Error)]
#[error("wiring s3://{bucket}'s notifications to {queue_arn}: {message}")]
pub struct WiringError {
    bucket: String,
    queue_arn: String,
    message: String,
}

/// Sends `s3:ObjectCreated:*` of `bucket` to `queue_arn`. The queue's policy must let
/// S3 send to it (`sqs:SendMessage` for the `s3.amazonaws.com` principal, conditioned
/// on the bucket's ARN); S3 checks that when the configuration is written.
pub async fn wire_notifications(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    queue_arn: &str,
) -> Result<(), WiringError> {
    let error = |message: String| WiringError {
        bucket: bucket.to_owned(),
        queue_arn: queue_arn.to_owned(),
        message,
    };
    let current = match s3
        .get_bucket_notification_configuration()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(current) => current,
        Err(e) if answered_empty(&e) => {
            aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput::builder().build()
        }
        Err(e) => return Err(error(DisplayErrorContext(&e).to_string())),
    };
    let ours = QueueConfiguration::builder()
        .id(CONFIGURATION_ID)
        .queue_arn(queue_arn)
        .events(Event::S3ObjectCreated)
        .build()
        .map_err(|e| error(e.to_string()))?;
    let mut queues: Vec<QueueConfiguration> = current
        .queue_configurations()
        .iter()
        .filter(|q| q.id() != Some(CONFIGURATION_ID))
        .cloned()
        .collect();
    queues.push(ours);
    let configuration = NotificationConfiguration::builder()
        .set_queue_configurations(Some(queues))
        .set_topic_configurations(current.topic_configurations.clone())
        .set_lambda_function_configurations(current.lambda_function_configurations.clone())
        .set_event_bridge_configuration(current.event_bridge_configuration.clone())
        .build();
    s3.put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(configuration)
        .send()
        .await
        .map_err(|e| error(DisplayErrorContext(&e).to_string()))?;
    Ok(())
}

/// A 200 answer that the SDK could not read and that holds no configuration at all:
/// S3-compatible servers (moto among them) answer a bucket without notifications with
/// an empty document under another root element.
fn answered_empty(error: &SdkError<GetBucketNotificationConfigurationError, HttpResponse>) -> bool {
    let Some(response) = error.raw_response() else {
        return false;
    };
    let body = response.body().bytes().unwrap_or_default();
    let text = String::from_utf8_lossy(body);
    response.status().as_u16() == 200
        && ![
            "QueueConfiguration",
            "TopicConfiguration",
            "CloudFunctionConfiguration",
            "EventBridgeConfiguration",
        ]
        .iter()
        .any(|element| text.contains(element))
}
