//! The store's integration tests, as one test binary (each test binary links the AWS
//! SDK's code once): the conformance suite that both backends pass, and the S3
//! backend's operations through a fault-injecting proxy. A test keeps its name under
//! its module's path (`cargo test -p ferret-store --test integration faults::`).

mod common;
mod conformance;
mod faults;
