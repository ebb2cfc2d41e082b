//! A batch scanned in shares (as a Step Functions Distributed Map does it) ends exactly
//! as a batch scanned in one go: the merge folds the parts together and scans itself
//! whatever no part covers, so a lost share never lets an object through unscanned.

use std::sync::Arc;

use ferret_identifiers::{IdentifierFile, IdentifierSet, ManagedSelection};
use ferret_orchestrator::layout::{BatchId, Buckets};
use ferret_orchestrator::pipeline::{BatchStatus, OnSensitive, Pipeline};
use ferret_scanner::ScanOptions;
use ferret_store::DirStore;

const CPF_CSV: &[u8] = b"nome,cpf\nAna,529.982.247-25\n";
const CLEAN_TXT: &[u8] = b"quarterly figures, nothing personal\n";

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

async fn load_raw(pipeline: &Pipeline<DirStore>, objects: usize) {
    ferret_orchestrator::buckets::init(pipeline.store.as_ref(), &pipeline.buckets, None)
        .await
        .expect("buckets");
    for i in 0..objects {
        let body = if i % 4 == 0 { CPF_CSV } else { CLEAN_TXT };
        pipeline
            .store
            .put(
                &pipeline.buckets.raw,
                &format!("in/{i:02}.csv"),
                body.to_vec(),
                "text/csv",
            )
            .await
            .expect("put");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_merged_from_parts_with_a_share_lost_routes_every_object_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pipeline = pipeline(dir.path());
    load_raw(&pipeline, 12).await;
    let batch = BatchId::parse("shares-1").expect("id");
    assert_eq!(pipeline.stage_step(&batch).await.expect("stage"), 12);

    let staged: Vec<String> = pipeline
        .store
        .list(&pipeline.buckets.scan_stage, &batch.prefix())
        .await
        .expect("list")
        .into_iter()
        .map(|o| o.key)
        .collect();
    // Two shares of four are scanned (one twice, as a retried task would); the third
    // share is lost.
    for share in [&staged[0..4], &staged[4..8], &staged[0..4]] {
        assert_eq!(pipeline.scan_part(&batch, share).await.expect("part"), 4);
    }
    let parts = pipeline
        .store
        .list(&pipeline.buckets.scan_results, &batch.parts_prefix())
        .await
        .expect("parts");
    assert_eq!(parts.len(), 2, "a retried share rewrites its own part");

    let summary = pipeline.merge(&batch).await.expect("merge");
    assert_eq!(summary.status, BatchStatus::ManualReviewRequired);
    assert_eq!(summary.counts.objects, 12);
    assert_eq!(summary.counts.sensitive, 3);
    let review: Vec<String> = pipeline
        .store
        .list(&pipeline.buckets.manual_review, "")
        .await
        .expect("list")
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(
        review,
        [
            "shares-1/in/00.csv",
            "shares-1/in/04.csv",
            "shares-1/in/08.csv"
        ]
    );
    let clean = pipeline
        .store
        .list(&pipeline.buckets.scanned_data, "")
        .await
        .expect("list");
    assert_eq!(clean.len(), 9);
    assert!(pipeline
        .store
        .list(&pipeline.buckets.scan_stage, "")
        .await
        .expect("list")
        .is_empty());

    // One record per object, in key order, whichever way it was scanned.
    let routings = pipeline
        .load_results(&batch)
        .await
        .expect("results")
        .expect("written");
    let keys: Vec<&str> = routings.iter().map(|r| r.original_key.as_str()).collect();
    let expected: Vec<String> = (0..12).map(|i| format!("in/{i:02}.csv")).collect();
    assert_eq!(keys, expected);

    // Merging again reports the finished batch.
    assert_eq!(pipeline.merge(&batch).await.expect("again"), summary);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_share_naming_another_batch_s_object_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pipeline = pipeline(dir.path());
    load_raw(&pipeline, 1).await;
    let batch = BatchId::parse("b1").expect("id");
    let error = pipeline
        .scan_part(&batch, &["b10/in/00.csv".to_owned()])
        .await
        .expect_err("refused");
    assert!(
        error.to_string().contains("not an object of batch b1"),
        "{error}"
    );
}
