//! The orchestrator's integration tests, as one test binary.
//!
//! One binary per file linked the crate and its dependencies (the AWS SDK among them,
//! which the notification tests use) once per file; one binary links them once. A test
//! keeps its name under its module's path
//! (`cargo test -p ferret-orchestrator --test integration notify::`). A new test file
//! joins as a module: move it here and declare it below.

mod notify;
mod parts;
mod route_heads;
