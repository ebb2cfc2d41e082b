//! `ferret buckets init`: the five pipeline buckets, hardened as S3's security best
//! practices advise (default encryption, public access blocked, TLS only) with the
//! seed's 10-day expiry on manual-review, so unreviewed data does not linger.

use crate::layout::Buckets;
use ferret_store::{BucketSettings, Encryption, Store, StoreError};

/// Days an object may wait in manual-review before it expires.
pub const MANUAL_REVIEW_EXPIRY_DAYS: u32 = 10;

/// Creates (or updates) every pipeline bucket; idempotent.
pub async fn init<S: Store + ?Sized>(
    store: &S,
    buckets: &Buckets,
    kms_key_id: Option<&str>,
) -> Result<(), StoreError> {
    let encryption = match kms_key_id {
        Some(key) => Encryption {
            algorithm: "aws:kms".to_owned(),
            kms_key_id: Some(key.to_owned()),
        },
        None => Encryption {
            algorithm: "AES256".to_owned(),
            kms_key_id: None,
        },
    };
    for bucket in buckets.all() {
        let settings = BucketSettings {
            encryption: encryption.clone(),
            expire_after_days: (bucket == buckets.manual_review)
                .then_some(MANUAL_REVIEW_EXPIRY_DAYS),
        };
        store.ensure_bucket(bucket, &settings).await?;
    }
    Ok(())
}
