//! Moving an object between buckets the only safe way: copy, verify, then delete.
//!
//! Each move is idempotent. If the source is gone but the destination holds the object,
//! a previous run finished the copy and the delete: nothing to do. If both exist, the
//! copy is made (again) and verified before the source is deleted, so a crash at any
//! instant leaves the object in the source, in both, or in the destination — never
//! nowhere.

use crate::crash;
use ferret_store::{ObjectHead, Store, StoreError, Tags};

/// A move that could not be completed; the source is untouched.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{bucket}/{key}: the copy does not match its source (size or ETag); the source was kept"
    )]
    Unverified { bucket: String, key: String },
    #[error("{bucket}/{key}: neither the object nor its moved copy exists")]
    Missing { bucket: String, key: String },
    #[error("{bucket}/{key}: {count} tags would exceed S3's limit of 10")]
    TooManyTags {
        bucket: String,
        key: String,
        count: usize,
    },
}

/// What a move found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    /// Copied, verified and deleted now.
    Now,
    /// Found already done by an earlier run.
    Earlier,
}

/// Moves `from` to `to`, setting the destination's tags to the source's tags with
/// `extra` added (extra wins on a clash).
pub async fn move_object<S: Store + ?Sized>(
    store: &S,
    from: (&str, &str),
    to: (&str, &str),
    extra: &Tags,
) -> Result<Moved, MoveError> {
    move_with_head(store, from, None, to, extra).await
}

/// [`move_object`] when the caller may already have the source's head (`source`, read
/// with the object earlier in the same run): the move then skips reading it again, and
/// copies only that version (see [`Store::copy_with_head`]). Requests per move: head
/// (unless given), tags, copy (with the copy's head), delete.
pub async fn move_with_head<S: Store + ?Sized>(
    store: &S,
    from: (&str, &str),
    source: Option<&ObjectHead>,
    to: (&str, &str),
    extra: &Tags,
) -> Result<Moved, MoveError> {
    let source = match source {
        Some(head) => head.clone(),
        None => match store.head(from.0, from.1).await? {
            Some(head) => head,
            None => return moved_earlier(store, from, to).await,
        },
    };
    let mut tags = match store.tags(from.0, from.1).await {
        Ok(tags) => tags,
        // Gone since it was headed: moved by a concurrent or earlier run, or lost.
        Err(StoreError::NoSuchObject { .. }) => return moved_earlier(store, from, to).await,
        Err(error) => return Err(error.into()),
    };
    tags.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    if tags.len() > ferret_store::MAX_TAGS {
        return Err(MoveError::TooManyTags {
            bucket: from.0.to_owned(),
            key: from.1.to_owned(),
            count: tags.len(),
        });
    }
    crash::step();
    let copy = store.copy_with_head(from, &source, to, &tags).await?;
    crash::step();
    if !source.same_content(&copy) {
        return Err(MoveError::Unverified {
            bucket: to.0.to_owned(),
            key: to.1.to_owned(),
        });
    }
    store.delete(from.0, from.1).await?;
    crash::step();
    Ok(Moved::Now)
}

/// The source is gone: the move was done earlier if the destination holds the object.
async fn moved_earlier<S: Store + ?Sized>(
    store: &S,
    from: (&str, &str),
    to: (&str, &str),
) -> Result<Moved, MoveError> {
    match store.head(to.0, to.1).await? {
        Some(_) => Ok(Moved::Earlier),
        None => Err(MoveError::Missing {
            bucket: from.0.to_owned(),
            key: from.1.to_owned(),
        }),
    }
}

/// Runs `futures` with at most `limit` in flight; outcomes in completion order.
///
/// It takes the futures already made, rather than a stream mapping a closure over an
/// iterator: with a closure in the stream's type, the compiler cannot prove the
/// caller's future `Send` (rust-lang/rust#102211), and the Step Functions worker runs
/// every pipeline step on spawned tasks.
pub async fn bounded<F: std::future::Future>(futures: Vec<F>, limit: usize) -> Vec<F::Output> {
    use futures_util::stream::{self, StreamExt};
    stream::iter(futures)
        .buffer_unordered(limit.max(1))
        .collect()
        .await
}
