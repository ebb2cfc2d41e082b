//! The orchestrator's integration tests, as one test binary.
//!
//! The orchestrator links the AWS SDK, so every test binary of this crate does: one
//! binary links it once. A test keeps its name under its module's path
//! (`cargo test -p ferret-orchestrator --test integration notify::`). A new test file
//! joins as a module: move it here and declare it below.

mod notify;
mod parts;
