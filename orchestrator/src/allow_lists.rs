//! Allow lists kept as S3 objects (`[[allow_list]] s3 = "s3://bucket/key"`), read at
//! start-up through the command's store, before anything is scanned. The identifiers
//! crate parses the reference and the words; reading the object happens here, at the
//! edge, so that the matching engine never depends on a store.

use ferret_identifiers::file::{allow_list_words, AllowListTextError, MAX_ALLOW_LIST_BYTES};
use ferret_identifiers::IdentifierFile;
use ferret_store::{Store, StoreError};

/// An S3 allow list that cannot be used; nothing is scanned.
#[derive(Debug, thiserror::Error)]
pub enum AllowListError {
    #[error("allow list {name}: {location} does not exist")]
    Missing { name: String, location: String },
    #[error("allow list {name}: {location}: {bytes} bytes; an allow list object is at most {MAX_ALLOW_LIST_BYTES} bytes (35 MB)")]
    TooLarge {
        name: String,
        location: String,
        bytes: u64,
    },
    #[error("allow list {name}: {location}: {source}")]
    Text {
        name: String,
        location: String,
        #[source]
        source: AllowListTextError,
    },
    #[error("allow list {name}: reading {location}: {source}")]
    Store {
        name: String,
        location: String,
        #[source]
        source: StoreError,
    },
}

/// Reads every S3 allow list of `file` through `store` and puts its words in place.
pub async fn resolve_allow_lists<S: Store + ?Sized>(
    store: &S,
    file: &mut IdentifierFile,
) -> Result<(), AllowListError> {
    for (name, location) in file.s3_allow_lists() {
        let shown = location.to_string();
        let store_error = |source| AllowListError::Store {
            name: name.clone(),
            location: shown.clone(),
            source,
        };
        let head = store
            .head(&location.bucket, &location.key)
            .await
            .map_err(store_error)?;
        let Some(head) = head else {
            return Err(AllowListError::Missing {
                name,
                location: shown,
            });
        };
        // Checked before reading, so that an oversized object is never loaded.
        if head.size > MAX_ALLOW_LIST_BYTES {
            return Err(AllowListError::TooLarge {
                name,
                location: shown,
                bytes: head.size,
            });
        }
        let Some(bytes) = store
            .get(&location.bucket, &location.key)
            .await
            .map_err(store_error)?
        else {
            return Err(AllowListError::Missing {
                name,
                location: shown,
            });
        };
        let words = allow_list_words(&bytes).map_err(|source| AllowListError::Text {
            name: name.clone(),
            location: shown.clone(),
            source,
        })?;
        file.resolve_allow_list(&name, words);
    }
    Ok(())
}
