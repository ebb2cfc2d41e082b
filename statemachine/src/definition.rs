//! The state machine definitions, kept as ASL JSON in `statemachine/definitions/` (so
//! CloudFormation deploys the very same files) and rendered here with the activity ARN
//! and the timeouts of one deployment.

use serde_json::Value;

/// The string every Task's `Resource` holds in the definition files; CloudFormation's
/// `DefinitionSubstitutions` and [`render`] replace it.
pub const ACTIVITY_PLACEHOLDER: &str = "${ActivityArn}";

const BATCH: &str = include_str!("../definitions/batch.asl.json");
const DISTRIBUTED: &str = include_str!("../definitions/batch-distributed.asl.json");

/// Which flow to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// One Scan task scans the whole batch: one worker per batch at a time.
    Batch,
    /// A Distributed Map shares the scan of one batch out to every worker, then a Merge
    /// task folds the shares' results together before routing.
    Distributed,
}

impl Variant {
    /// The definition file, placeholders and default timeouts included.
    pub fn template(self) -> &'static str {
        match self {
            Variant::Batch => BATCH,
            Variant::Distributed => DISTRIBUTED,
        }
    }
}

/// The settings of one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// The activity every task runs on; `None` keeps [`ACTIVITY_PLACEHOLDER`].
    pub activity_arn: Option<String>,
    /// A worker that sends no heartbeat for this long is presumed dead, and its task
    /// is retried (by another worker). Workers beat at a third of it.
    pub heartbeat_seconds: u32,
    /// The longest any one working step may take.
    pub task_timeout_seconds: u32,
    /// How long a batch waits for a person before failing as `ReviewTimedOut`.
    pub review_timeout_seconds: u32,
    /// Objects per share of a Distributed Map.
    pub max_items_per_batch: u32,
    /// Shares in flight at once in a Distributed Map.
    pub max_concurrency: u32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            activity_arn: None,
            heartbeat_seconds: 60,
            task_timeout_seconds: 86_400,
            review_timeout_seconds: 5 * 86_400,
            max_items_per_batch: 100,
            max_concurrency: 40,
        }
    }
}

/// Why a definition cannot be rendered.
#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    #[error("the definition file is not valid JSON: {0}")]
    Template(#[from] serde_json::Error),
    #[error("{0}")]
    Invalid(String),
}

/// The definition of `variant` with `options` applied.
pub fn render(variant: Variant, options: &RenderOptions) -> Result<Value, DefinitionError> {
    check(options)?;
    let mut definition: Value = serde_json::from_str(variant.template())?;
    apply(&mut definition, options);
    Ok(definition)
}

fn check(options: &RenderOptions) -> Result<(), DefinitionError> {
    let positive = [
        ("heartbeat seconds", options.heartbeat_seconds),
        ("task timeout seconds", options.task_timeout_seconds),
        ("review timeout seconds", options.review_timeout_seconds),
        ("items per batch", options.max_items_per_batch),
    ];
    if let Some((name, _)) = positive.iter().find(|(_, value)| *value == 0) {
        return Err(DefinitionError::Invalid(format!(
            "{name} must be at least 1"
        )));
    }
    // Step Functions refuses a heartbeat that is not shorter than the timeout.
    if options.heartbeat_seconds >= options.task_timeout_seconds {
        return Err(DefinitionError::Invalid(format!(
            "the heartbeat ({} s) must be shorter than the task timeout ({} s)",
            options.heartbeat_seconds, options.task_timeout_seconds
        )));
    }
    if let Some(arn) = &options.activity_arn {
        if !arn.starts_with("arn:") || arn.contains('"') {
            return Err(DefinitionError::Invalid(format!(
                "{arn:?} is not an activity ARN"
            )));
        }
    }
    Ok(())
}

/// Sets the deployment's values on every state, nested Map processors included.
fn apply(definition: &mut Value, options: &RenderOptions) {
    let Some(states) = definition.get_mut("States").and_then(Value::as_object_mut) else {
        return;
    };
    for state in states.values_mut() {
        let Some(state) = state.as_object_mut() else {
            continue;
        };
        match state.get("Type").and_then(Value::as_str) {
            Some("Task") => {
                if let Some(arn) = &options.activity_arn {
                    if state.get("Resource").and_then(Value::as_str) == Some(ACTIVITY_PLACEHOLDER) {
                        state.insert("Resource".into(), Value::from(arn.as_str()));
                    }
                }
                let awaits_review = state
                    .get("Parameters")
                    .and_then(|p| p.get("task"))
                    .and_then(Value::as_str)
                    == Some("await-review");
                let timeout = if awaits_review {
                    options.review_timeout_seconds
                } else {
                    options.task_timeout_seconds
                };
                state.insert("TimeoutSeconds".into(), Value::from(timeout));
                if state.contains_key("HeartbeatSeconds") {
                    state.insert(
                        "HeartbeatSeconds".into(),
                        Value::from(options.heartbeat_seconds),
                    );
                }
            }
            Some("Map") => {
                if let Some(batcher) = state.get_mut("ItemBatcher").and_then(Value::as_object_mut) {
                    batcher.insert(
                        "MaxItemsPerBatch".into(),
                        Value::from(options.max_items_per_batch),
                    );
                }
                if state.contains_key("MaxConcurrency") {
                    state.insert(
                        "MaxConcurrency".into(),
                        Value::from(options.max_concurrency),
                    );
                }
                if let Some(processor) = state.get_mut("ItemProcessor") {
                    apply(processor, options);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks(definition: &Value) -> Vec<&serde_json::Map<String, Value>> {
        let mut found = Vec::new();
        let states = definition["States"].as_object().expect("States");
        for state in states.values() {
            let state = state.as_object().expect("state");
            match state["Type"].as_str() {
                Some("Task") => found.push(state),
                Some("Map") => found.extend(tasks(&state["ItemProcessor"])),
                _ => {}
            }
        }
        found
    }

    #[test]
    fn every_task_runs_on_the_rendered_activity() {
        for variant in [Variant::Batch, Variant::Distributed] {
            let options = RenderOptions {
                activity_arn: Some("arn:aws:states:eu-west-3:123456789012:activity:t".into()),
                ..RenderOptions::default()
            };
            let definition = render(variant, &options).expect("renders");
            let tasks = tasks(&definition);
            assert!(tasks.len() >= 4, "{variant:?}");
            for task in tasks {
                assert_eq!(
                    task["Resource"],
                    "arn:aws:states:eu-west-3:123456789012:activity:t"
                );
            }
            assert!(!definition.to_string().contains(ACTIVITY_PLACEHOLDER));
        }
    }

    #[test]
    fn timeouts_and_heartbeats_follow_the_options() {
        let options = RenderOptions {
            heartbeat_seconds: 7,
            task_timeout_seconds: 600,
            review_timeout_seconds: 30,
            max_items_per_batch: 25,
            max_concurrency: 3,
            ..RenderOptions::default()
        };
        let definition = render(Variant::Distributed, &options).expect("renders");
        let states = &definition["States"];
        assert_eq!(states["AwaitReview"]["TimeoutSeconds"], 30);
        assert!(states["AwaitReview"].get("HeartbeatSeconds").is_none());
        assert_eq!(states["Stage"]["HeartbeatSeconds"], 7);
        assert_eq!(states["Stage"]["TimeoutSeconds"], 600);
        let map = &states["Scan"];
        assert_eq!(map["ItemBatcher"]["MaxItemsPerBatch"], 25);
        assert_eq!(map["MaxConcurrency"], 3);
        assert_eq!(
            map["ItemProcessor"]["States"]["ScanItems"]["HeartbeatSeconds"],
            7
        );
    }

    #[test]
    fn the_review_timeout_fails_as_review_timed_out_and_nothing_reaches_scanned_data_on_failure() {
        for variant in [Variant::Batch, Variant::Distributed] {
            let definition = render(variant, &RenderOptions::default()).expect("renders");
            let states = &definition["States"];
            let catches = states["AwaitReview"]["Catch"].as_array().expect("Catch");
            assert_eq!(catches[0]["ErrorEquals"][0], "States.Timeout");
            assert_eq!(
                states[catches[0]["Next"].as_str().expect("Next")]["Error"],
                "ReviewTimedOut"
            );
            // Every working task catches everything into a Fail state: a failed step
            // ends the execution where the objects are, never in a routing step.
            for (name, state) in states.as_object().expect("States") {
                if matches!(state["Type"].as_str(), Some("Task" | "Map")) {
                    let last = state["Catch"]
                        .as_array()
                        .and_then(|c| c.last())
                        .unwrap_or_else(|| panic!("{name} has no Catch"));
                    assert_eq!(last["ErrorEquals"][0], "States.ALL", "{name}");
                    assert_eq!(states[last["Next"].as_str().expect("Next")]["Type"], "Fail");
                }
            }
        }
    }

    #[test]
    fn a_heartbeat_not_shorter_than_the_timeout_is_refused() {
        let options = RenderOptions {
            heartbeat_seconds: 600,
            task_timeout_seconds: 600,
            ..RenderOptions::default()
        };
        let error = render(Variant::Batch, &options).expect_err("refused");
        assert!(error.to_string().contains("shorter"), "{error}");
    }
}
