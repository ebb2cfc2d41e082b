//! The route copies each object from the head the scan read with it: an object changed
//! in scan-stage after it was scanned is not routed on the old result, and a rerun
//! (which routes from the written results, heads read afresh) finishes the batch.

use std::sync::Arc;

use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_orchestrator::layout::{BatchId, Buckets};
use ferret_orchestrator::pipeline::{BatchStatus, OnSensitive, Pipeline, PipelineError};
use ferret_scanner::ScanOptions;
use ferret_store::DirStore;

fn pipeline(root: &std::path::Path) -> Pipeline<DirStore> {
    let set = IdentifierSet::new(
        &IdentifierFile::default(),
        &ManagedSelection::parse("all").expect("managed"),
    )
    .expect("identifier set");
    Pipeline {
        store: Arc::new(DirStore::new(root.to_path_buf())),
        buckets: Buckets::for_prefix("acme"),
        set: Arc::new(set),
        scan_options: ScanOptions::default(),
        concurrency: 4,
        threads: 1,
        on_sensitive: OnSensitive::Review,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_object_changed_after_its_scan_is_not_routed_on_the_old_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pipeline = pipeline(dir.path());
    let buckets = pipeline.buckets.clone();
    ferret_orchestrator::buckets::init(pipeline.store.as_ref(), &buckets, None)
        .await
        .expect("buckets");
    for name in ["a.txt", "b.txt"] {
        pipeline
            .store
            .put(
                &buckets.raw,
                name,
                b"nothing personal\n".to_vec(),
                "text/plain",
            )
            .await
            .expect("put");
    }
    let batch = BatchId::parse("heads-1").expect("id");
    assert_eq!(pipeline.stage(&batch).await.expect("stage"), 2);
    let (routings, heads) = pipeline.scan(&batch).await.expect("scan");
    assert_eq!(heads.len(), 2, "the scan read a head with each object");

    // Someone rewrites a staged object between the scan and the route.
    let changed = batch.key("a.txt");
    pipeline
        .store
        .put(
            &buckets.scan_stage,
            &changed,
            b"a different, longer content\n".to_vec(),
            "text/plain",
        )
        .await
        .expect("overwrite");
    let refused = pipeline.route(&batch, &routings, &heads).await;
    assert!(
        matches!(refused, Err(PipelineError::Moves { failed: 1, .. })),
        "{refused:?}"
    );
    assert!(
        pipeline
            .store
            .head(&buckets.scan_stage, &changed)
            .await
            .expect("head")
            .is_some(),
        "the changed object stays in scan-stage"
    );

    let summary = pipeline.run(&batch).await.expect("rerun");
    assert_eq!(summary.status, BatchStatus::NoSensitiveData);
    assert_eq!(summary.counts.objects, 2);
    for name in ["a.txt", "b.txt"] {
        assert!(
            pipeline
                .store
                .head(&buckets.scanned_data, name)
                .await
                .expect("head")
                .is_some(),
            "{name} routed on the rerun"
        );
    }
}
