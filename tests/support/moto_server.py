#!/usr/bin/env python3
"""A drop-in replacement for moto 5.2.5's `moto_server` that can run ferret's state machines.

Same command line (`-H HOST -p PORT`, port 0 lets the OS pick) and the same
` * Running on http://HOST:PORT` line on stdout, which the test harness reads. In process,
before serving, it:

* turns on moto's *executing* Step Functions backend (the "parser" backend ported from
  LocalStack) from the start, so no `POST /moto-api/config` is needed (one still works);
* patches what that backend lacks (each patch below says what moto lacks and why):
  - Activities: GetActivityTask (long poll, returns as soon as a task is scheduled),
    SendTaskSuccess / SendTaskFailure (error and cause) / SendTaskHeartbeat wired to running
    executions; HeartbeatSeconds and TimeoutSeconds end in States.Timeout; a closed task's
    token answers TaskTimedOut; StopExecution leaves the execution ABORTED;
  - a Fail state may rethrow a `States.*` error through ErrorPath;
  - Distributed Map: ItemReader s3:listObjectsV2 reads every page (AWS's item shape),
    ItemBatcher (MaxItemsPerBatch, MaxInputBytesPerBatch, BatchInput), and a failed child
    fails the Map with States.ExceedToleratedFailureThreshold;
  - StartExecution without a name gets a UUID.

Run it with the virtualenv's Python (scripts/setup-test-env):
    .venv/bin/python tests/support/moto_server.py -H 127.0.0.1 -p 0

Development check of every capability: `tests/support/check_moto_sfn.py`.

Tunables (environment):
  FERRET_MOTO_ACTIVITY_POLL_SECONDS  how long GetActivityTask waits for a task before it
                                     returns no token (AWS: 60; default 60).
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import sys
import threading
import time
from typing import Any, Callable

MOTO_VERSION = "5.2.5"

try:
    import moto
except ImportError:  # pragma: no cover
    sys.exit(f"moto_server.py: moto is not installed; run scripts/setup-test-env (moto[server]=={MOTO_VERSION})")

if moto.__version__ != MOTO_VERSION:
    sys.exit(
        f"moto_server.py: moto {moto.__version__} is installed but these patches are written "
        f"against moto {MOTO_VERSION} (they replace private internals of its Step Functions "
        f"backend); install moto[server]=={MOTO_VERSION} (scripts/setup-test-env) or re-check "
        f"every patch in {__file__} against the new version"
    )

from moto.core.config import default_user_config
from moto.core.exceptions import AWSError
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.moto_api._internal import mock_random
from moto.stepfunctions import models as sfn_models
from moto.stepfunctions import responses as sfn_responses
from moto.stepfunctions.parser import models as parser_models
from moto.stepfunctions.parser.api import (
    ActivityDoesNotExist,
    ActivityScheduledEventDetails,
    ActivityStartedEventDetails,
    ActivitySucceededEventDetails,
    ExecutionFailedEventDetails,
    HistoryEventExecutionDataDetails,
    HistoryEventType,
    MapRunFailedEventDetails,
)
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
    StatesErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import (
    EvalTimeoutError,
    TimeoutSeconds,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map import (
    state_map as state_map_module,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval import (
    resource_eval_s3,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
    DistributedIterationComponent,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor.distributed_item_processor_worker import (
    DistributedItemProcessorWorker,
)
from moto.stepfunctions.parser.asl.component.state.fail import state_fail
from moto.stepfunctions.parser.asl.component.state.exec.state_task import (
    state_task_activitiy,
)
from moto.stepfunctions.parser.asl.eval.callback import callback as callback_module
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded, ProgramStopped
from moto.stepfunctions.parser.asl.parse import asl_parser
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
from moto.stepfunctions.parser.asl.utils.json_path import extract_json
from moto.stepfunctions.parser.backend import activity as parser_activity
from moto.stepfunctions.parser.backend import execution as parser_execution

ACTIVITY_POLL_SECONDS = float(os.environ.get("FERRET_MOTO_ACTIVITY_POLL_SECONDS", "60"))
# How often a waiting Activity task looks at its heartbeats and at its execution.
TICK = 0.05

Backend = parser_models.StepFunctionsParserBackend


# ---------------------------------------------------------------------------------------
# 1. Activities.
#
# moto lacks: the executing backend starts every execution with an empty activity store
# (parser/models.py, StepFunctionsParserBackend.start_execution: `activity_store={}`), so an
# Activity Task fails with "The activity activity_arn does not exist"; the HTTP layer has no
# GetActivityTask at all (responses.py); SendTaskFailure drops `cause` (responses.py); and
# SendTaskHeartbeat answers InvalidToken for a task without HeartbeatSeconds (AWS accepts it).
# ---------------------------------------------------------------------------------------


class PolledActivity(parser_activity.Activity):
    """moto's in-execution activity queue (a deque), plus a condition so that a long poll
    returns as soon as a task is scheduled instead of sleeping in 1 s steps."""

    def __init__(self, arn: str, name: str):
        super().__init__(arn=arn, name=name)
        self._cond = threading.Condition()

    def add_task(self, task: parser_activity.ActivityTask) -> None:
        with self._cond:
            super().add_task(task)
            self._cond.notify()

    def take(
        self, deadline: float, client_gone: Callable[[], bool]
    ) -> parser_activity.ActivityTask | None:
        with self._cond:
            while True:
                if client_gone():
                    # The poller hung up (a worker stopped): never hand it a task, it
                    # would be lost until its state times out.
                    return None
                if self._tasks:
                    return self._tasks.popleft()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(min(remaining, 1.0))


class ActivityStore(dict):
    """The activity store of one account and region, shared by all its executions: an entry
    exists while `CreateActivity`'s activity does (moto keeps those in
    `backend.activities`)."""

    def __init__(self, account_id: str, region_name: str):
        super().__init__()
        self._account_id = account_id
        self._region_name = region_name
        self._lock = threading.Lock()

    def get(self, arn: str, default: Any = None) -> Any:  # type: ignore[override]
        backend = parser_models.stepfunctions_parser_backends[self._account_id][self._region_name]
        described = backend.activities.get(arn)
        if described is None:
            return default
        with self._lock:
            if arn not in self:
                self[arn] = PolledActivity(arn=arn, name=described.name)
            return dict.get(self, arn)


_STORES: dict[tuple[str, str], ActivityStore] = {}
_STORES_LOCK = threading.Lock()


def activity_store(account_id: str, region_name: str) -> ActivityStore:
    with _STORES_LOCK:
        key = (account_id, region_name)
        if key not in _STORES:
            _STORES[key] = ActivityStore(account_id, region_name)
        return _STORES[key]


class Execution(parser_execution.Execution):
    """moto's executing Execution, given the region's activity store instead of `{}`."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs["activity_store"] = activity_store(kwargs["account_id"], kwargs["region_name"])
        super().__init__(*args, **kwargs)


parser_models.Execution = Execution

_original_start_execution = Backend.start_execution


def start_execution(self, state_machine_arn, name=None, execution_input=None, trace_header=None):
    # moto lacks: without a name the executing backend builds the ARN `...:None` (and a
    # second unnamed execution is taken for the first); AWS generates a UUID.
    return _original_start_execution(
        self, state_machine_arn, name or str(mock_random.uuid4()), execution_input, trace_header
    )


Backend.start_execution = start_execution


def add_activity_task(self, callback_id, activity_arn, activity_input):
    # moto queues the task before it registers the task token, so a fast GetActivityTask
    # could take a task whose token is not known yet: register first, then queue.
    if callback_id in self._pool:
        raise ValueError("Duplicate callback token id value.")
    activity = self._activity_store.get(activity_arn)
    if activity is None:
        raise ActivityDoesNotExist()
    endpoint = callback_module.ActivityCallbackEndpoint(
        callback_id=callback_id, activity_input=activity_input
    )
    self._pool[callback_id] = endpoint
    activity.add_task(
        parser_activity.ActivityTask(task_token=callback_id, task_input=activity_input)
    )
    return endpoint


callback_module.CallbackPoolManager.add_activity_task = add_activity_task

# moto lacks: ActivityTaskStartEndpoint never initialises `_outcome`, so waiting for a
# worker past the state's timeout raises AttributeError (States.Runtime) instead of timing out.
callback_module.ActivityTaskStartEndpoint._outcome = None


class Heartbeats:
    """Stands in for moto's HeartbeatEndpoint on every activity task: remembers the last
    heartbeat, so that SendTaskHeartbeat is accepted whether or not the state has
    HeartbeatSeconds (as on AWS)."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def notify(self) -> None:
        self.last = time.monotonic()


def activity_eval_execution(self, env) -> None:
    """StateTaskActivity._eval_execution, rewritten (moto's version: parser/asl/component/
    state/exec/state_task/state_task_activitiy.py) so that:
    * SendTaskHeartbeat works on every activity task (Heartbeats above);
    * HeartbeatSeconds counts from ActivityStarted and each heartbeat restarts it; missing
      it fails the state with States.Timeout (HeartbeatTimeoutError is a TimeoutError);
    * waits end when the state's frame stops (TimeoutSeconds expired, which the caller
      ExecutionState._evaluate_with_timeout turns into States.Timeout, or StopExecution),
      instead of holding the task open for the whole timeout again;
    * the task token is closed whatever happens: later SendTask* calls with it get
      TaskTimedOut (as on AWS) and GetActivityTask no longer hands the task out.
    TimeoutSeconds counts from ActivityScheduled (time waiting for a worker included)."""
    activity_task_input = self._eval_parameters(env=env)
    if not isinstance(activity_task_input, str):
        activity_task_input = to_json_str(activity_task_input)

    timeout_seconds = TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS
    if not self.timeout.is_default_value():
        self.timeout.eval(env=env)
        timeout_seconds = env.stack.pop()
    heartbeat_seconds = None
    if self.heartbeat:
        self.heartbeat.eval(env=env)
        heartbeat_seconds = env.stack.pop()

    task_token = env.states.context_object.update_task_token()
    try:
        callback_endpoint = env.callback_pool_manager.add_activity_task(
            callback_id=task_token,
            activity_arn=self.resource.resource_arn,
            activity_input=activity_task_input,
        )
    except ActivityDoesNotExist:
        failure_event = FailureEvent(
            env=env,
            error_name=StatesErrorName(typ=StatesErrorNameType.StatesRuntime),
            event_type=HistoryEventType.ExecutionFailed,
            event_details=EventDetails(
                executionFailedEventDetails=ExecutionFailedEventDetails(
                    error=StatesErrorNameType.StatesRuntime.to_name(),
                    cause=f"The activity {self.resource.resource_arn} does not exist.",
                )
            ),
        )
        raise FailureEventException(failure_event=failure_event)
    heartbeats = Heartbeats()
    callback_endpoint._heartbeat_endpoint = heartbeats
    callback_endpoint.ferret_env = env  # lets the API see at once that the state ended

    scheduled = ActivityScheduledEventDetails(
        resource=self.resource.resource_arn,
        input=activity_task_input,
        inputDetails=HistoryEventExecutionDataDetails(truncated=False),
    )
    if timeout_seconds != TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS:
        scheduled["timeoutInSeconds"] = timeout_seconds
    if heartbeat_seconds is not None:
        scheduled["heartbeatInSeconds"] = heartbeat_seconds
    env.event_manager.add_event(
        context=env.event_history_context,
        event_type=HistoryEventType.ActivityScheduled,
        event_details=EventDetails(activityScheduledEventDetails=scheduled),
    )

    try:
        start_endpoint = callback_endpoint.get_activity_task_start_endpoint()
        started = None
        while started is None:
            started = start_endpoint.wait(timeout_seconds=TICK)
            if started is None and not env.is_running():
                raise EvalTimeoutError()
        started_details = ActivityStartedEventDetails()
        if started.worker_name is not None:
            started_details["workerName"] = started.worker_name
        env.event_manager.add_event(
            context=env.event_history_context,
            event_type=HistoryEventType.ActivityStarted,
            event_details=EventDetails(activityStartedEventDetails=started_details),
        )
        heartbeats.notify()  # the heartbeat clock starts when a worker has the task
        outcome = None
        while outcome is None:
            outcome = callback_endpoint.wait(timeout=TICK)
            if outcome is not None:
                break
            if not env.is_running():
                raise EvalTimeoutError()
            if heartbeat_seconds is not None and time.monotonic() - heartbeats.last > heartbeat_seconds:
                raise callback_module.HeartbeatTimeoutError()
    finally:
        callback_endpoint.report(callback_module.CallbackConsumerTimeout())

    if isinstance(outcome, callback_module.CallbackOutcomeFailure):
        raise callback_module.CallbackOutcomeFailureError(callback_outcome_failure=outcome)
    if not isinstance(outcome, callback_module.CallbackOutcomeSuccess):
        raise NotImplementedError(f"Unsupported CallbackOutcome type '{type(outcome)}'.")
    env.stack.append(json.loads(outcome.output))
    env.event_manager.add_event(
        context=env.event_history_context,
        event_type=HistoryEventType.ActivitySucceeded,
        event_details=EventDetails(
            activitySucceededEventDetails=ActivitySucceededEventDetails(
                output=outcome.output,
                outputDetails=HistoryEventExecutionDataDetails(truncated=False),
            )
        ),
    )


state_task_activitiy.StateTaskActivity._eval_execution = activity_eval_execution


_original_set_error = Environment.set_error


def set_error(self, error) -> None:
    # moto lacks: StopExecution while a task waits makes the waiting state fail, and that
    # error replaces the stop, so the execution ends FAILED instead of ABORTED.
    if isinstance(self._program_state, ProgramStopped):
        return
    _original_set_error(self, error)


Environment.set_error = set_error


def _executions(backend) -> list:
    return [
        execution
        for state_machine in backend.state_machines
        for execution in state_machine.executions
        if getattr(getattr(execution, "exec_worker", None), "env", None) is not None
    ]


def _callback_endpoint(backend, task_token: str):
    for execution in _executions(backend):
        endpoint = execution.exec_worker.env.callback_pool_manager.get(task_token)
        if endpoint is not None:
            return endpoint
    return None


class InvalidToken(AWSError):
    TYPE = "InvalidToken"
    STATUS = 400


class TaskTimedOut(AWSError):
    TYPE = "TaskTimedOut"
    STATUS = 400


class InvalidOutput(AWSError):
    TYPE = "InvalidOutput"
    STATUS = 400


def _closed(endpoint) -> bool:
    env = getattr(endpoint, "ferret_env", None)
    return endpoint.consumer_error is not None or (env is not None and not env.is_running())


def _open_callback_endpoint(backend, task_token: str):
    # moto looks for the token among RUNNING executions only, so a token of a finished
    # execution gets InvalidToken; AWS answers TaskTimedOut for any closed task.
    endpoint = _callback_endpoint(backend, task_token)
    if endpoint is None:
        raise InvalidToken(f"Invalid Token: '{task_token}'")
    if _closed(endpoint):
        raise TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")
    return endpoint


def get_activity_task(self, activity_arn, worker_name=None, client_gone=lambda: False):
    """Long poll: returns an ActivityTask as soon as one is scheduled, or None after
    ACTIVITY_POLL_SECONDS (or when the caller hung up)."""
    self.describe_activity(activity_arn)  # validates the ARN; ActivityDoesNotExist
    activity = activity_store(self.account_id, self.region_name).get(activity_arn)
    deadline = time.monotonic() + ACTIVITY_POLL_SECONDS
    while True:
        task = activity.take(deadline, client_gone)
        if task is None:
            return None
        endpoint = _callback_endpoint(self, task.task_token)
        if endpoint is None or _closed(endpoint):
            continue  # its state timed out, or its execution ended, before a worker asked
        endpoint.notify_activity_task_start(worker_name=worker_name)
        return task


def send_task_success(self, task_token, outcome):
    try:
        json.loads(outcome)
    except (TypeError, ValueError):
        raise InvalidOutput("Invalid Output: the output is not valid JSON")
    _open_callback_endpoint(self, task_token).notify(
        callback_module.CallbackOutcomeSuccess(callback_id=task_token, output=outcome)
    )


def send_task_failure(self, task_token, error=None, cause=None):
    _open_callback_endpoint(self, task_token).notify(
        callback_module.CallbackOutcomeFailure(callback_id=task_token, error=error, cause=cause)
    )


def send_task_heartbeat(self, task_token):
    _open_callback_endpoint(self, task_token).notify_heartbeat()


Backend.get_activity_task = get_activity_task
Backend.send_task_success = send_task_success
Backend.send_task_failure = send_task_failure
Backend.send_task_heartbeat = send_task_heartbeat


def _non_executing_get_activity_task(self, activity_arn, worker_name=None, client_gone=None):
    # The plain (non-executing) backend never schedules tasks: validate and return none.
    self.describe_activity(activity_arn)
    return None


sfn_models.StepFunctionBackend.get_activity_task = _non_executing_get_activity_task
_original_base_send_task_failure = sfn_models.StepFunctionBackend.send_task_failure


def _base_send_task_failure(self, task_token, error=None, cause=None):
    return _original_base_send_task_failure(self, task_token, error=error)


sfn_models.StepFunctionBackend.send_task_failure = _base_send_task_failure


def _socket_gone(sock) -> bool:
    """True when the HTTP client closed its connection (e.g. a worker stopped mid-poll)."""
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def response_get_activity_task(self):
    activity_arn = self._get_param("activityArn")
    worker_name = self._get_param("workerName")
    environ = getattr(getattr(self, "normalized_request", None), "environ", None) or {}
    sock = environ.get("werkzeug.socket")
    task = self.stepfunction_backend.get_activity_task(
        activity_arn, worker_name=worker_name, client_gone=lambda: _socket_gone(sock)
    )
    if task is None:
        # As AWS: no taskToken when nothing arrived within the poll.
        return sfn_responses.ActionResult({})
    return sfn_responses.ActionResult({"taskToken": task.task_token, "input": task.task_input})


def response_send_task_failure(self):
    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"),
        error=self._get_param("error"),
        cause=self._get_param("cause"),
    )
    return sfn_responses.EmptyResult()


sfn_responses.StepFunctionResponse.get_activity_task = response_get_activity_task
sfn_responses.StepFunctionResponse.send_task_failure = response_send_task_failure


# ---------------------------------------------------------------------------------------
# Fail state.
#
# moto lacks: a Fail state whose ErrorPath yields a `States.` name (rethrowing a caught
# States.Timeout, States.ExceedToleratedFailureThreshold...) ends the execution with
# States.Runtime "Custom Error Names MUST NOT begin with the prefix 'States.'"; AWS fails
# the execution with that error. Only the Fail state's error name is made permissive.
# ---------------------------------------------------------------------------------------


class FailStateErrorName(CustomErrorName):
    def __init__(self, error_name: str | None):
        ErrorName.__init__(self, error_name=error_name)


state_fail.CustomErrorName = FailStateErrorName


# ---------------------------------------------------------------------------------------
# 2. Distributed Map: ItemReader s3:listObjectsV2, ItemBatcher, tolerated failures.
# ---------------------------------------------------------------------------------------


def handle_list_objects_v2(env, resource_runtime_part, state_credentials) -> None:
    # moto lacks: one ListObjectsV2 call (the first 1,000 keys only) and a KeyError on an
    # empty listing. AWS reads every page, and gives items as
    # {"Etag", "Key", "LastModified" (epoch seconds), "Size", "StorageClass"}.
    s3 = resource_eval_s3.ResourceEvalS3._get_s3_client(
        resource_runtime_part=resource_runtime_part, state_credentials=state_credentials
    )
    parameters = dict(env.stack.pop())
    items = []
    while True:
        page = s3.list_objects_v2(**parameters)
        for obj in page.get("Contents", []):
            items.append(
                {
                    "Etag": obj.get("ETag"),
                    "Key": obj["Key"],
                    "LastModified": int(obj["LastModified"].timestamp()),
                    "Size": obj.get("Size", 0),
                    "StorageClass": obj.get("StorageClass", "STANDARD"),
                }
            )
        if not page.get("IsTruncated"):
            break
        parameters["ContinuationToken"] = page["NextContinuationToken"]
    env.stack.append(items)


resource_eval_s3.ResourceEvalS3._handle_list_objects_v2 = staticmethod(handle_list_objects_v2)

# moto lacks ItemBatcher entirely: its ASL grammar rejects the field (InvalidDefinition at
# CreateStateMachine). The parser is given the definition without ItemBatcher, each Map
# state remembers its own (state names are unique in a whole state machine), and the
# Distributed Map groups the items read into {"BatchInput": ..., "Items": [...]} before
# running one child per batch, as AWS does.

_parsing = threading.local()
_original_parse = asl_parser.AmazonStateLanguageParser.parse


def _strip_item_batchers(states: dict, found: dict) -> None:
    for name, state in (states or {}).items():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Map" and "ItemBatcher" in state:
            found[name] = state.pop("ItemBatcher")
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                _strip_item_batchers(state[key].get("States"), found)
        for branch in state.get("Branches") or []:
            if isinstance(branch, dict):
                _strip_item_batchers(branch.get("States"), found)


def parse(definition: str):
    batchers: dict[str, dict] = {}
    try:
        document = json.loads(definition)
        if isinstance(document, dict):
            _strip_item_batchers(document.get("States"), batchers)
    except ValueError:
        pass  # the parser reports malformed definitions
    if not batchers:
        return _original_parse(definition)
    for name, batcher in batchers.items():
        unsupported = set(batcher) - {"MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"}
        if unsupported or not isinstance(batcher, dict):
            raise asl_parser.ASLParserException(
                [f"Map state '{name}': ItemBatcher fields {sorted(unsupported)} are not supported by {__file__}"]
            )
    _parsing.batchers = batchers
    try:
        return _original_parse(json.dumps(document))
    finally:
        _parsing.batchers = {}


asl_parser.AmazonStateLanguageParser.parse = staticmethod(parse)
_original_from_state_props = state_map_module.StateMap.from_state_props


def from_state_props(self, state_props) -> None:
    _original_from_state_props(self, state_props)
    batcher = getattr(_parsing, "batchers", {}).get(self.name)
    if batcher is not None and not isinstance(self.iteration_component, DistributedIterationComponent):
        raise ValueError(f"Map state '{self.name}': ItemBatcher needs a Distributed Map")
    self.iteration_component.ferret_item_batcher = batcher


state_map_module.StateMap.from_state_props = from_state_props


def _resolve_payload(template: Any, state_input: Any, context: Any) -> Any:
    """A Parameters-style payload: keys ending in `.$` take a JSONPath (`$.` on the
    state input, `$$.` on the context object); intrinsic functions are not supported."""
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$") and isinstance(value, str):
                if value.startswith("$$"):
                    out[key[:-2]] = extract_json(value[1:], context)
                elif value.startswith("$"):
                    out[key[:-2]] = extract_json(value, state_input)
                else:
                    raise ValueError(f"ItemBatcher BatchInput: unsupported expression '{value}'")
            else:
                out[key] = _resolve_payload(value, state_input, context)
        return out
    if isinstance(template, list):
        return [_resolve_payload(value, state_input, context) for value in template]
    return template


def _batches(env, batcher: dict, items: list) -> list:
    max_items = batcher.get("MaxItemsPerBatch")
    max_bytes = batcher.get("MaxInputBytesPerBatch", 256 * 1024)
    if "BatchInput" in batcher:
        batch_input = _resolve_payload(
            batcher["BatchInput"],
            env.states.get_input(),
            env.states.context_object.context_object_data,
        )
    batches: list[dict] = []
    current: list = []
    size = 0
    for item in items:
        item_size = len(to_json_str(item).encode())
        if current and (
            (max_items is not None and len(current) >= max_items) or size + item_size > max_bytes
        ):
            batches.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        batches.append(current)
    out = []
    for batch in batches:
        entry: dict = {}
        if "BatchInput" in batcher:
            entry["BatchInput"] = json.loads(json.dumps(batch_input))
        entry["Items"] = batch
        out.append(entry)
    return out


_original_map_run = DistributedIterationComponent._map_run


def map_run(self, env, eval_input) -> None:
    batcher = getattr(self, "ferret_item_batcher", None)
    items = env.stack.pop()
    jobs = _batches(env, batcher, items) if batcher is not None else items
    record = eval_input.map_run_record
    record.ferret_failed_items = 0
    record.ferret_batched = batcher is not None
    record.ferret_lock = threading.Lock()
    env.stack.append(jobs)
    _original_map_run(self, env, eval_input)
    # moto lacks: a failed child is counted and its result set to null, and the Map still
    # succeeds. AWS fails the Map run with States.ExceedToleratedFailureThreshold once the
    # failed items exceed ToleratedFailureCount/-Percentage (default 0: any failure); a failed
    # batch counts all its items. Here the check happens when every child has ended, and
    # with both thresholds set the run fails only when both are exceeded.
    failed = record.ferret_failed_items
    if failed == 0 or not env.is_running():
        return
    total = max(len(items), 1)
    if failed > eval_input.tolerated_failure_count and (
        100.0 * failed / total > eval_input.tolerated_failure_percentage
    ):
        cause = "The specified tolerated failure threshold was exceeded"
        raise FailureEventException(
            failure_event=FailureEvent(
                env=env,
                error_name=StatesErrorName(typ=StatesErrorNameType.StatesExceedToleratedFailureThreshold),
                event_type=HistoryEventType.MapRunFailed,
                event_details=EventDetails(
                    mapRunFailedEventDetails=MapRunFailedEventDetails(
                        error=StatesErrorNameType.StatesExceedToleratedFailureThreshold.to_name(),
                        cause=cause,
                    )
                ),
            )
        )


DistributedIterationComponent._map_run = map_run
_original_eval_job = DistributedItemProcessorWorker._eval_job


def eval_job(self, env, job) -> None:
    _original_eval_job(self, env, job)
    if not isinstance(env.program_state(), ProgramEnded):
        record = self._map_run_record
        value = job.job_input
        n = len(value["Items"]) if record.ferret_batched else 1
        with record.ferret_lock:
            record.ferret_failed_items += n


DistributedItemProcessorWorker._eval_job = eval_job


# ---------------------------------------------------------------------------------------
# Server.
# ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-H", "--host", default="127.0.0.1", help="Which host to bind")
    parser.add_argument(
        "-p", "--port", type=int, default=int(os.environ.get("MOTO_PORT", 5000)),
        help="Port number to use for connection (0: the OS picks)",
    )
    args = parser.parse_args(argv)

    default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True

    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # type: ignore[attr-defined]
    server = make_server(
        args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
    )
    port = server.socket.getsockname()[1]
    # The executing backend reads S3 (Distributed Map ItemReader) through this very server
    # at http://localhost:$MOTO_PORT: give it the port the OS picked, not 0.
    os.environ["MOTO_PORT"] = str(port)

    def stop(signum, frame):
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    shown = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    if ":" in shown:
        shown = f"[{shown}]"
    print(f" * Running on http://{shown}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
