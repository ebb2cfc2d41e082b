//! `ferret statemachine create`: the activity (`NAME-tasks`) and the state machine
//! (`NAME`), created or brought up to date, so the same command deploys and upgrades.

use aws_sdk_sfn::types::StateMachineType;
use serde::Serialize;

use crate::definition::{render, DefinitionError, RenderOptions, Variant};
use crate::error::SfnError;

/// The ARNs `create` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployed {
    pub state_machine_arn: String,
    pub activity_arn: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    #[error(transparent)]
    Sfn(#[from] SfnError),
}

/// Creates or updates the activity `NAME-tasks` and the state machine `NAME` running
/// `variant` on it with `options` (whose activity ARN is ignored: the activity's own is
/// used).
pub async fn create_or_update(
    sfn: &aws_sdk_sfn::Client,
    name: &str,
    role_arn: &str,
    variant: Variant,
    options: &RenderOptions,
) -> Result<Deployed, DeployError> {
    let activity_arn = activity(sfn, &format!("{name}-tasks")).await?;
    let options = RenderOptions {
        activity_arn: Some(activity_arn.clone()),
        ..options.clone()
    };
    let definition = render(variant, &options)?.to_string();
    let state_machine_arn = match find_state_machine(sfn, name).await? {
        Some(arn) => {
            sfn.update_state_machine()
                .state_machine_arn(&arn)
                .definition(definition)
                .role_arn(role_arn)
                .send()
                .await
                .map_err(|e| SfnError::new("UpdateStateMachine", e))?;
            arn
        }
        None => sfn
            .create_state_machine()
            .name(name)
            .definition(definition)
            .role_arn(role_arn)
            .r#type(StateMachineType::Standard)
            .send()
            .await
            .map_err(|e| SfnError::new("CreateStateMachine", e))?
            .state_machine_arn
            .clone(),
    };
    Ok(Deployed {
        state_machine_arn,
        activity_arn,
    })
}

/// The ARN of the activity `name`, created when missing.
async fn activity(sfn: &aws_sdk_sfn::Client, name: &str) -> Result<String, SfnError> {
    let mut pages = sfn.list_activities().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| SfnError::new("ListActivities", e))?;
        if let Some(found) = page.activities().iter().find(|a| a.name() == name) {
            return Ok(found.activity_arn().to_owned());
        }
    }
    Ok(sfn
        .create_activity()
        .name(name)
        .send()
        .await
        .map_err(|e| SfnError::new("CreateActivity", e))?
        .activity_arn
        .clone())
}

async fn find_state_machine(
    sfn: &aws_sdk_sfn::Client,
    name: &str,
) -> Result<Option<String>, SfnError> {
    let mut pages = sfn.list_state_machines().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| SfnError::new("ListStateMachines", e))?;
        if let Some(found) = page.state_machines().iter().find(|m| m.name() == name) {
            return Ok(Some(found.state_machine_arn().to_owned()));
        }
    }
    Ok(None)
}
