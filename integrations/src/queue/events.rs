//! What an SQS message says arrived: S3's own event notifications (`Records`, keys
//! URL-encoded, possibly wrapped in an SNS envelope) and EventBridge's `Object Created`
//! events (`detail`, keys as they are). Anything else is named and passed over.

use serde_json::Value;

/// An object that arrived in a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub bucket: String,
    pub key: String,
}

/// What one message holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Objects created (an S3 notification may carry several records).
    Created(Vec<Arrival>),
    /// Nothing to do, and why: S3's test event, another kind of event, unreadable JSON.
    Ignored(String),
}

/// Reads a message body.
pub fn parse(body: &str) -> Message {
    let value: Value = match serde_json::from_str(body) {
        Ok(value) => value,
        Err(e) => return Message::Ignored(format!("not JSON: {e}")),
    };
    // S3 -> SNS -> SQS: the S3 event is the notification's `Message`.
    if value.get("Type").and_then(Value::as_str) == Some("Notification") {
        if let Some(inner) = value.get("Message").and_then(Value::as_str) {
            return parse(inner);
        }
    }
    if value.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return Message::Ignored("s3:TestEvent".to_owned());
    }
    if let Some(records) = value.get("Records").and_then(Value::as_array) {
        return s3_records(records);
    }
    if value.get("source").and_then(Value::as_str) == Some("aws.s3") {
        return eventbridge(&value);
    }
    Message::Ignored("neither an S3 event notification nor an EventBridge S3 event".to_owned())
}

fn s3_records(records: &[Value]) -> Message {
    let mut arrivals = Vec::new();
    let mut others = Vec::new();
    for record in records {
        let event = record
            .get("eventName")
            .and_then(Value::as_str)
            .unwrap_or("");
        let bucket = record.pointer("/s3/bucket/name").and_then(Value::as_str);
        let key = record.pointer("/s3/object/key").and_then(Value::as_str);
        match (event.starts_with("ObjectCreated:"), bucket, key) {
            (true, Some(bucket), Some(key)) => arrivals.push(Arrival {
                bucket: bucket.to_owned(),
                key: decode_key(key),
            }),
            _ => others.push(event.to_owned()),
        }
    }
    if arrivals.is_empty() {
        Message::Ignored(format!("no ObjectCreated record (events: {others:?})"))
    } else {
        Message::Created(arrivals)
    }
}

fn eventbridge(value: &Value) -> Message {
    let detail_type = value
        .get("detail-type")
        .and_then(Value::as_str)
        .unwrap_or("");
    if detail_type != "Object Created" {
        return Message::Ignored(format!("EventBridge {detail_type:?} event"));
    }
    let bucket = value.pointer("/detail/bucket/name").and_then(Value::as_str);
    let key = value.pointer("/detail/object/key").and_then(Value::as_str);
    match (bucket, key) {
        (Some(bucket), Some(key)) => Message::Created(vec![Arrival {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        }]),
        _ => Message::Ignored("Object Created event without bucket or key".to_owned()),
    }
}

/// S3 notifications write keys form-encoded: `+` for a space, `%XX` for other bytes.
fn decode_key(key: &str) -> String {
    let spaced = key.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival(bucket: &str, key: &str) -> Arrival {
        Arrival {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        }
    }

    #[test]
    fn s3_notifications_give_decoded_keys() {
        let body = r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3",
            "eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"acme-raw"},
            "object":{"key":"fr/compte+rendu%C3%A9+%2B1.csv","size":12,"eTag":"x"}}}]}"#;
        assert_eq!(
            parse(body),
            Message::Created(vec![arrival("acme-raw", "fr/compte rendué +1.csv")])
        );
    }

    #[test]
    fn eventbridge_object_created_events_give_keys_as_they_are() {
        let body = r#"{"version":"0","detail-type":"Object Created","source":"aws.s3",
            "detail":{"bucket":{"name":"acme-raw"},"object":{"key":"a b+c.csv","size":3}}}"#;
        assert_eq!(
            parse(body),
            Message::Created(vec![arrival("acme-raw", "a b+c.csv")])
        );
    }

    #[test]
    fn sns_envelopes_are_opened() {
        let inner = r#"{"Records":[{"eventName":"ObjectCreated:Copy","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}"#;
        let body = serde_json::json!({"Type":"Notification","Message":inner}).to_string();
        assert_eq!(parse(&body), Message::Created(vec![arrival("b", "k")]));
    }

    #[test]
    fn test_events_and_other_events_are_ignored() {
        let test = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}"#;
        assert_eq!(parse(test), Message::Ignored("s3:TestEvent".to_owned()));
        let removed = r#"{"Records":[{"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}"#;
        assert!(matches!(parse(removed), Message::Ignored(_)));
        let deleted = r#"{"detail-type":"Object Deleted","source":"aws.s3","detail":{}}"#;
        assert!(matches!(parse(deleted), Message::Ignored(_)));
        assert!(matches!(parse("not json"), Message::Ignored(_)));
    }
}
