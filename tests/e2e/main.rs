//! The end-to-end tests of the `ferret` binary, as one test binary.
//!
//! Each module was a test binary of its own, and the three that reach S3 or Step
//! Functions each compiled and linked their own copy of the AWS SDK's code. One binary
//! builds it once; a test keeps its name under its module's path
//! (`cargo test --test e2e pipeline::`). `tests/memory.rs` stays apart: it measures the
//! peak memory of the children its process waits for, which other tests' children in
//! the same process would inflate.
//!
//! A new end-to-end file joins as a module: move it here, declare it below, and have it
//! import the shared helpers with `use crate::common::*;` instead of `mod common;`.

#[path = "../common/mod.rs"]
mod common;

mod allow_lists;
mod data_lake;
mod documents;
mod faults;
mod findings;
mod identify;
mod macie;
mod managed_catalogue;
mod pipeline;
mod queue;
mod redact;
mod scan;
mod scan_s3;
mod size_quotas;
mod statemachine;
