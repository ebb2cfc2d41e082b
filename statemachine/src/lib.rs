//! Step Functions for the ferret pipeline (docs/statemachine.md): the state machine
//! definitions, the activity worker that runs their tasks with the same functions as
//! `ferret pipeline run`, review decisions delivered through task tokens, and the
//! deployment of the activity and the state machine.
//!
//! Every Task state is one Activity, served by any number of `ferret worker`
//! processes; the task's input names the step (`{"task": "stage", "id": ...}`), so one
//! worker fleet runs every step of every batch.

pub mod client;
pub mod definition;
pub mod deploy;
pub mod error;
pub mod review;
pub mod steps;
pub mod task;
pub mod token;
pub mod worker;

pub use definition::{render, RenderOptions, Variant};
pub use error::{SfnError, TaskError};
pub use steps::{Answer, Steps};
pub use worker::{Worker, WorkerConfig};
