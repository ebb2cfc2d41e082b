//! The Step Functions definition and activity worker. Built on [`ferret_orchestrator`];
//! see issue 5.
