//! Which batch stages an object, when several batches were told of it.
//!
//! Claiming each SQS message in the [`ledger`](super::ledger) makes a message count once,
//! but one upload can reach the queue as several messages: S3's own notification and
//! EventBridge's `Object Created` event when both are wired, a notification delivered
//! again after its twin was claimed, or two uploads of one key close together. Two
//! workers holding two such messages at the same moment would otherwise both stage the
//! object and both route it. So before a batch stages a raw object it claims the
//! object's *version* (key, ETag, Last-Modified and version id, as `HeadObject` gives
//! them) with a conditional write: one batch wins and stages it, the others leave it
//! alone. A later upload of the same key is a new version with its own claim.
//!
//! A batch releases its object claims once it has routed, so that the claims do not
//! outlive the objects. A batch killed before that leaves them; a leftover claim only
//! matters to an upload identical in key, content and Last-Modified second, which is the
//! same object for every purpose.

use aws_sdk_s3::error::DisplayErrorContext;
use md5::{Digest, Md5};

use super::ledger::LedgerError;

/// One version of an object in raw, as far as a claim needs to tell versions apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectVersion {
    pub key: String,
    pub e_tag: String,
    /// Seconds since the epoch (S3 keeps Last-Modified to the second).
    pub last_modified: i64,
    /// Set only in buckets with versioning enabled.
    pub version_id: Option<String>,
}

impl ObjectVersion {
    /// The name of the version's claim: a digest, since keys may be as long as S3
    /// allows and a claim's own key must fit under the ledger's prefix. MD5 names it
    /// (nothing depends on it resisting a forger: only ferret writes the ledger).
    pub fn claim_name(&self) -> String {
        let mut hasher = Md5::new();
        for part in [
            self.key.as_str(),
            self.e_tag.as_str(),
            &self.last_modified.to_string(),
            self.version_id.as_deref().unwrap_or(""),
        ] {
            hasher.update(part.len().to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The version of `bucket/key` there now, or `None` when there is no such object (it
/// was moved by a batch already, or deleted).
pub async fn current_version(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<Option<ObjectVersion>, LedgerError> {
    match s3.head_object().bucket(bucket).key(key).send().await {
        Ok(head) => Ok(Some(ObjectVersion {
            key: key.to_owned(),
            e_tag: head.e_tag().unwrap_or_default().to_owned(),
            last_modified: head.last_modified().map_or(0, |t| t.secs()),
            version_id: head.version_id().map(str::to_owned),
        })),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
        Err(error) => Err(LedgerError::new(
            "HeadObject",
            bucket,
            key,
            DisplayErrorContext(&error).to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(key: &str, e_tag: &str, last_modified: i64) -> ObjectVersion {
        ObjectVersion {
            key: key.to_owned(),
            e_tag: e_tag.to_owned(),
            last_modified,
            version_id: None,
        }
    }

    #[test]
    fn each_version_has_its_own_claim_name() {
        let first = version("in/a.csv", "\"e1\"", 100);
        assert_eq!(first.claim_name(), first.clone().claim_name());
        assert_eq!(first.claim_name().len(), 32);
        assert_ne!(
            first.claim_name(),
            version("in/a.csv", "\"e1\"", 101).claim_name()
        );
        assert_ne!(
            first.claim_name(),
            version("in/a.csv", "\"e2\"", 100).claim_name()
        );
        assert_ne!(
            first.claim_name(),
            version("in/b.csv", "\"e1\"", 100).claim_name()
        );
        let versioned = ObjectVersion {
            version_id: Some("v2".to_owned()),
            ..first.clone()
        };
        assert_ne!(first.claim_name(), versioned.claim_name());
    }

    #[test]
    fn parts_cannot_run_into_each_other() {
        // Without the lengths, key "ab" + ETag "c" would read as key "a" + ETag "bc".
        assert_ne!(
            version("ab", "c", 1).claim_name(),
            version("a", "bc", 1).claim_name()
        );
    }
}
