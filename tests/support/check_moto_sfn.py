#!/usr/bin/env python3
"""Development check (not CI): proves end to end that tests/support/moto_server.py runs
ferret's state machines on moto's executing Step Functions backend.

    .venv/bin/python tests/support/check_moto_sfn.py [-v]

Starts the launcher on port 0, creates one Activity and the two state machines (the
single-worker flow and the Distributed Map variant, both shaped as ferret renders them),
runs fake workers (threads doing GetActivityTask / SendTaskSuccess / SendTaskFailure /
SendTaskHeartbeat) and one execution per scenario, then checks every result. Exits non-zero
on any failure. Takes about a minute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
VERBOSE = "-v" in sys.argv
HEARTBEAT = 2  # Stage's HeartbeatSeconds
REVIEW_TIMEOUT = 4  # AwaitReview's TimeoutSeconds (432000 in production)
POLL_SECONDS = 3  # the launcher's GetActivityTask long poll, shortened for this check
PREFIX = "check"
STAGE_BUCKET = f"{PREFIX}-data-pipeline-scan-stage"
DIST_OBJECTS = 2500

failures: list[str] = []


def log(message: str) -> None:
    if VERBOSE:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def check(condition: bool, what: str) -> None:
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)


# --- the state machines, as ferret renders them ---------------------------------------


def task(activity: str, parameters: dict, **fields) -> dict:
    return {"Type": "Task", "Resource": activity, "Parameters": parameters, **fields}


def definition(activity: str, distributed: bool) -> str:
    scan = "ScanMap" if distributed else "Scan"
    states = {
        "Stage": task(
            activity,
            {"task": "stage", "id.$": "$.id", "executionArn.$": "$$.Execution.Id"},
            HeartbeatSeconds=HEARTBEAT,
            Retry=[
                {
                    "ErrorEquals": ["States.Timeout", "ferret.StoreUnavailable"],
                    "IntervalSeconds": 1,
                    "BackoffRate": 2,
                    "MaxAttempts": 3,
                }
            ],
            Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "BatchFailed"}],
            ResultPath="$.stage",
            Next="Annotate",
        ),
        "Annotate": {
            "Type": "Pass",
            "Parameters": {"batch.$": "$.id", "execution.$": "$$.Execution.Id", "kind": "ferret"},
            "ResultPath": "$.meta",
            "Next": "AnyKeys",
        },
        "AnyKeys": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.stage.objects", "NumericEquals": 0, "Next": "NoKeysFound"}],
            "Default": scan,
        },
        "NoKeysFound": {"Type": "Succeed"},
        "Scan": task(activity, {"task": "scan", "id.$": "$.id"}, ResultPath="$.summary", Next="Sensitive"),
        "ScanMap": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": {"Bucket.$": "$.stage.bucket", "Prefix.$": "$.stage.prefix"},
            },
            "ItemBatcher": {"MaxItemsPerBatch": 100, "BatchInput": {"id.$": "$.id"}},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "ScanItems",
                "States": {
                    "ScanItems": task(
                        activity,
                        {"task": "scan-items", "id.$": "$.BatchInput.id", "items.$": "$.Items"},
                        End=True,
                    )
                },
            },
            "MaxConcurrency": 4,
            "ResultPath": None,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "BatchFailed"}],
            "Next": "Merge",
        },
        "Merge": task(activity, {"task": "merge", "id.$": "$.id"}, ResultPath="$.summary", Next="Sensitive"),
        "Sensitive": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.summary.status", "StringEquals": "ManualReviewRequired", "Next": "AwaitReview"}
            ],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
        "AwaitReview": task(
            activity,
            {"task": "await-review", "id.$": "$.id", "executionArn.$": "$$.Execution.Id"},
            TimeoutSeconds=REVIEW_TIMEOUT,
            Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "ReviewTimedOut"}],
            ResultPath="$.decision",
            Next="ApplyDecision",
        ),
        "ReviewTimedOut": {
            "Type": "Fail",
            "Error": "ReviewTimedOut",
            "Cause": "nobody decided in time; the objects stay in manual-review",
        },
        "ApplyDecision": task(
            activity,
            {"task": "apply-decision", "id.$": "$.id", "decision.$": "$.decision"},
            ResultPath="$.review",
            Next="MorePending",
        ),
        "MorePending": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.review.pending", "NumericGreaterThan": 0, "Next": "AwaitReview"}],
            "Default": "Done",
        },
        "BatchFailed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
    }
    del states["Scan" if distributed else "ScanMap"]
    if not distributed:
        del states["Merge"]
    return json.dumps({"Comment": "ferret batch", "StartAt": "Stage", "States": states})


# --- fake workers -----------------------------------------------------------------------


class Journal:
    """What the workers saw, per batch id."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: dict[str, list[tuple[float, str, dict, str]]] = {}
        self.tokens: dict[str, list[str]] = {}
        self.running = 0
        self.max_running = 0

    def record(self, input_: dict, token: str) -> int:
        with self.lock:
            calls = self.calls.setdefault(input_.get("id", "?"), [])
            calls.append((time.monotonic(), input_["task"], input_, token))
            return sum(1 for c in calls if c[1] == input_["task"])

    def of(self, batch: str, task_name: str | None = None) -> list:
        with self.lock:
            return [c for c in self.calls.get(batch, []) if task_name is None or c[1] == task_name]

    def keep_token(self, batch: str, token: str) -> None:
        with self.lock:
            self.tokens.setdefault(batch, []).append(token)

    def kept(self, batch: str) -> list[str]:
        with self.lock:
            return list(self.tokens.get(batch, []))


journal = Journal()


def behave(sfn, input_: dict, token: str, attempt: int):
    """The scenarios' workers: returns ("ok", output), ("fail", error, cause) or None (the
    worker keeps the token and does not answer)."""
    batch, name = input_["id"], input_["task"]
    stage_ok = {"objects": 3, "bucket": STAGE_BUCKET, "prefix": f"{batch}/"}
    if name == "stage":
        if batch == "empty" or batch.startswith("unnamed"):
            return ("ok", {"objects": 0, "bucket": STAGE_BUCKET, "prefix": f"{batch}/"})
        if batch == "fail":
            return ("fail", "ferret.BadInput", "raw bucket check-data-pipeline-raw is missing")
        if batch == "retry":
            if attempt < 3:
                return ("fail", "ferret.StoreUnavailable", f"attempt {attempt}: S3 said 503")
            return ("ok", {"objects": 0, "bucket": STAGE_BUCKET, "prefix": "retry/"})
        if batch == "hb-ok":
            for _ in range(9):  # 4.5 s of work, more than HeartbeatSeconds, heartbeating
                time.sleep(0.5)
                sfn.send_task_heartbeat(taskToken=token)
            return ("ok", {"objects": 0, "bucket": STAGE_BUCKET, "prefix": "hb-ok/"})
        if batch == "hb-timeout":
            if attempt == 1:
                journal.keep_token(batch, token)
                return None  # silent: no heartbeat, no answer
            return ("ok", {"objects": 0, "bucket": STAGE_BUCKET, "prefix": "hb-timeout/"})
        if batch == "hb-exhaust":
            return None
        if batch == "dist":
            return ("ok", {"objects": DIST_OBJECTS, "bucket": STAGE_BUCKET, "prefix": "dist/"})
        if batch == "dist-fail":
            return ("ok", {"objects": 250, "bucket": STAGE_BUCKET, "prefix": "distfail/"})
        return ("ok", stage_ok)
    if name == "scan":
        sfn.send_task_heartbeat(taskToken=token)  # no HeartbeatSeconds on Scan: accepted
        status = "ManualReviewRequired" if batch.startswith("review") else "NoSensitiveData"
        return ("ok", {"batchId": batch, "status": status, "counts": {"objects": 3}})
    if name == "scan-items":
        with journal.lock:
            journal.running += 1
            journal.max_running = max(journal.max_running, journal.running)
        try:
            time.sleep(0.2)
        finally:
            with journal.lock:
                journal.running -= 1
        if batch == "dist-fail" and any(item["Key"] == "distfail/obj-00123" for item in input_["items"]):
            return ("fail", "ferret.ScanFailed", "obj-00123 could not be read")
        return ("ok", {"scanned": len(input_["items"])})
    if name == "merge":
        return ("ok", {"batchId": batch, "status": "NoSensitiveData"})
    if name == "await-review":
        sfn.send_task_heartbeat(taskToken=token)  # no HeartbeatSeconds: accepted
        journal.keep_token(batch, token)
        return None  # a human answers later through the token
    if name == "apply-decision":
        pending = 1 if attempt == 1 else 0
        return ("ok", {"applied": input_["decision"], "pending": pending})
    return ("fail", "ferret.UnknownTask", name)


def worker(sfn, activity: str, stop: threading.Event, number: int) -> None:
    while not stop.is_set():
        try:
            response = sfn.get_activity_task(activityArn=activity, workerName=f"worker-{number}")
        except Exception as error:  # noqa: BLE001
            if not stop.is_set():
                failures.append(f"worker {number}: GetActivityTask: {error}")
                print(f"FAIL  worker {number}: GetActivityTask: {error}", flush=True)
            return
        token = response.get("taskToken")
        if not token:
            continue
        input_ = json.loads(response["input"])
        attempt = journal.record(input_, token)
        log(f"worker {number}: {input_['task']} {input_.get('id')} attempt {attempt}")
        try:
            action = behave(sfn, input_, token, attempt)
            if action is None:
                continue
            if action[0] == "ok":
                sfn.send_task_success(taskToken=token, output=json.dumps(action[1]))
            else:
                sfn.send_task_failure(taskToken=token, error=action[1], cause=action[2])
        except Exception as error:  # noqa: BLE001
            failures.append(f"worker {number}: {input_['task']} {input_.get('id')}: {error}")
            print(f"FAIL  worker {number}: {input_['task']} {input_.get('id')}: {error}", flush=True)
            traceback.print_exc()


# --- helpers --------------------------------------------------------------------------


def start_launcher() -> tuple[subprocess.Popen, str, Path]:
    env = dict(os.environ, FERRET_MOTO_ACTIVITY_POLL_SECONDS=str(POLL_SECONDS))
    log_path = Path(tempfile.mkstemp(prefix="moto-sfn-check-", suffix=".log")[1])
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            [sys.executable, str(HERE / "moto_server.py"), "-H", "127.0.0.1", "-p", "0"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        for line in log_path.read_text().splitlines():
            if "Running on http://" in line:
                return process, line[line.index("Running on ") + len("Running on ") :].strip(), log_path
        time.sleep(0.1)
    process.kill()
    sys.exit(f"the launcher did not print its address:\n{log_path.read_text()}")


def client(service: str, endpoint: str, read_timeout: int = 30):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(
            read_timeout=read_timeout,
            retries={"max_attempts": 1},
            max_pool_connections=32,
        ),
    )


def wait_done(sfn, arn: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.2)
    return sfn.describe_execution(executionArn=arn)


def wait_token(batch: str, count: int, timeout: float = 20) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tokens = journal.kept(batch)
        if len(tokens) >= count:
            return tokens
        time.sleep(0.05)
    return journal.kept(batch)


def error_code(call) -> str | None:
    try:
        call()
    except ClientError as error:
        log(f"error: {error}")
        return error.response["Error"]["Code"]
    return None


def history_types(sfn, arn: str) -> list[str]:
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [event["type"] for event in events]


# --- the scenarios --------------------------------------------------------------------


def main() -> int:
    process, endpoint, log_path = start_launcher()
    print(f"launcher at {endpoint}, its log in {log_path}", flush=True)
    stop = threading.Event()
    try:
        # A config POST still works (and changes nothing: the executing backend is on).
        request = urllib.request.Request(
            f"{endpoint}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            check(response.status == 201, "POST /moto-api/config is accepted")

        sfn = client("stepfunctions", endpoint)
        poller = client("stepfunctions", endpoint, read_timeout=POLL_SECONDS + 30)
        s3 = client("s3", endpoint)
        role = "arn:aws:iam::123456789012:role/check"

        s3.create_bucket(Bucket=STAGE_BUCKET)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: s3.put_object(Bucket=STAGE_BUCKET, Key=f"dist/obj-{i:05d}", Body=b"x"), range(DIST_OBJECTS)))
            list(pool.map(lambda i: s3.put_object(Bucket=STAGE_BUCKET, Key=f"distfail/obj-{i:05d}", Body=b"x"), range(250)))
        s3.put_object(Bucket=STAGE_BUCKET, Key="dist-other/not-this-one", Body=b"x")

        activity = sfn.create_activity(name=f"{PREFIX}-tasks")["activityArn"]
        lonely = sfn.create_activity(name=f"{PREFIX}-lonely")["activityArn"]
        single = sfn.create_state_machine(
            name=f"{PREFIX}-batch", definition=definition(activity, False), roleArn=role
        )["stateMachineArn"]
        distributed = sfn.create_state_machine(
            name=f"{PREFIX}-batch-distributed", definition=definition(activity, True), roleArn=role
        )["stateMachineArn"]
        lonely_machine = sfn.create_state_machine(
            name=f"{PREFIX}-lonely",
            definition=json.dumps(
                {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": lonely, "End": True}}}
            ),
            roleArn=role,
        )["stateMachineArn"]
        check(True, "CreateStateMachine accepts ItemBatcher, ItemReader listObjectsV2, ErrorPath/CausePath")

        # --- GetActivityTask on its own (no worker threads on `lonely`) -------------------
        started = time.monotonic()
        empty = poller.get_activity_task(activityArn=lonely)
        waited = time.monotonic() - started
        check(
            not empty.get("taskToken") and POLL_SECONDS - 0.5 <= waited <= POLL_SECONDS + 2,
            f"GetActivityTask with nothing to do returns no taskToken after the poll ({waited:.1f} s)",
        )

        results: dict = {}

        def poll_lonely():
            t0 = time.monotonic()
            results["early"] = poller.get_activity_task(activityArn=lonely, workerName="early")
            results["early_at"] = time.monotonic() - t0

        thread = threading.Thread(target=poll_lonely)
        thread.start()
        time.sleep(1)
        lonely_run = sfn.start_execution(stateMachineArn=lonely_machine, input='{"n": 1}')["executionArn"]
        thread.join()
        early = results["early"]
        check(
            bool(early.get("taskToken")) and results["early_at"] < 2.0 and json.loads(early["input"]) == {"n": 1},
            f"GetActivityTask returns as soon as a task is scheduled ({results['early_at']:.2f} s into the poll)",
        )
        sfn.send_task_success(taskToken=early["taskToken"], output='{"done": true}')
        described = wait_done(sfn, lonely_run)
        check(
            described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"done": True},
            "SendTaskSuccess output becomes the Task's result",
        )
        check(
            error_code(lambda: sfn.send_task_success(taskToken=early["taskToken"], output="{}")) == "TaskTimedOut",
            "SendTaskSuccess on a closed task token: TaskTimedOut (as AWS)",
        )
        check(
            error_code(lambda: sfn.send_task_success(taskToken="no-such-token", output="{}")) == "InvalidToken",
            "SendTaskSuccess on an unknown token: InvalidToken",
        )

        # A poller that hangs up (a worker killed mid-poll) must not swallow the next task.
        code = (
            "import boto3,sys\n"
            "from botocore.config import Config\n"
            f"c=boto3.client('stepfunctions',endpoint_url='{endpoint}',region_name='us-east-1',"
            "aws_access_key_id='t',aws_secret_access_key='t',config=Config(read_timeout=120,retries={'max_attempts':1}))\n"
            f"print('polling',flush=True); c.get_activity_task(activityArn='{lonely}')\n"
        )
        doomed = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        doomed.stdout.readline()  # type: ignore[union-attr]
        time.sleep(1.0)
        doomed.kill()
        doomed.wait()
        time.sleep(0.3)
        lonely_run = sfn.start_execution(stateMachineArn=lonely_machine, input='{"n": 2}')["executionArn"]
        got = poller.get_activity_task(activityArn=lonely)
        check(
            bool(got.get("taskToken")) and json.loads(got["input"]) == {"n": 2},
            "a task is not handed to a poller that hung up",
        )
        if got.get("taskToken"):
            sfn.send_task_success(taskToken=got["taskToken"], output="{}")
        wait_done(sfn, lonely_run)

        # StopExecution while the task waits for a worker: nobody gets it afterwards.
        lonely_run = sfn.start_execution(stateMachineArn=lonely_machine, input='{"n": 3}')["executionArn"]
        time.sleep(0.3)
        sfn.stop_execution(executionArn=lonely_run)
        got = poller.get_activity_task(activityArn=lonely)
        check(
            not got.get("taskToken") and wait_done(sfn, lonely_run)["status"] == "ABORTED",
            "StopExecution: the execution is ABORTED and its queued task is no longer handed out",
        )

        # --- the ferret flow, with worker threads ---------------------------------------
        threads = [
            threading.Thread(target=worker, args=(client("stepfunctions", endpoint, POLL_SECONDS + 30), activity, stop, n), daemon=True)
            for n in range(8)
        ]
        for thread in threads:
            thread.start()

        def start(machine: str, batch: str, name: str | None = None) -> str:
            kwargs = {"stateMachineArn": machine, "input": json.dumps({"id": batch})}
            if name is not None:
                kwargs["name"] = name
            return sfn.start_execution(**kwargs)["executionArn"]

        runs = {
            batch: start(distributed if batch.startswith("dist") else single, batch, name=f"run-{batch}")
            for batch in [
                "empty", "clean", "review", "review-timeout", "fail", "retry",
                "hb-ok", "hb-timeout", "hb-exhaust", "dist", "dist-fail",
            ]
        }
        unnamed = [start(single, "unnamed-1"), start(single, "unnamed-2")]

        # A human approves "review" twice (ApplyDecision says 1 pending the first time).
        tokens = wait_token("review", 1)
        if tokens:
            sfn.send_task_success(taskToken=tokens[0], output=json.dumps({"decision": "approved", "keys": ["a.csv"]}))
        tokens = wait_token("review", 2)
        if len(tokens) > 1:
            sfn.send_task_success(taskToken=tokens[1], output=json.dumps({"decision": "denied"}))

        done = {batch: wait_done(sfn, arn, timeout=90) for batch, arn in runs.items()}

        # empty: Choice on a number, Succeed
        d = done["empty"]
        check(
            d["status"] == "SUCCEEDED" and json.loads(d["output"])["stage"]["objects"] == 0
            and not journal.of("empty", "scan"),
            "Choice NumericEquals 0 -> Succeed (NoKeysFound), ResultPath $.stage",
        )
        stage_input = journal.of("clean", "stage")[0][2] if journal.of("clean", "stage") else {}
        check(
            stage_input == {"task": "stage", "id": "clean", "executionArn": runs["clean"]},
            "Parameters with .$ paths and $$.Execution.Id reach the worker",
        )
        d = done["clean"]
        out = json.loads(d.get("output", "{}"))
        check(
            d["status"] == "SUCCEEDED" and out.get("summary", {}).get("status") == "NoSensitiveData"
            and out.get("id") == "clean" and out.get("stage", {}).get("objects") == 3,
            "Scan -> Choice StringEquals default branch -> Succeed; results kept at their ResultPath",
        )
        check(
            out.get("meta") == {"batch": "clean", "execution": runs["clean"], "kind": "ferret"},
            "Pass state with Parameters (.$ paths, $$.Execution.Id) and ResultPath",
        )
        d = done["review"]
        out = json.loads(d.get("output", "{}"))
        applies = journal.of("review", "apply-decision")
        check(
            d["status"] == "SUCCEEDED" and len(journal.of("review", "await-review")) == 2
            and [a[2]["decision"] for a in applies] == [{"decision": "approved", "keys": ["a.csv"]}, {"decision": "denied"}]
            and out.get("review", {}).get("pending") == 0,
            "AwaitReview task token answered later by another client; ApplyDecision loop via Choice NumericGreaterThan",
        )
        check(True, "SendTaskHeartbeat accepted on tasks without HeartbeatSeconds (Scan, AwaitReview)")
        d = done["review-timeout"]
        check(
            d["status"] == "FAILED" and d.get("error") == "ReviewTimedOut",
            f"AwaitReview TimeoutSeconds -> Catch States.Timeout -> Fail ReviewTimedOut ({d['status']} {d.get('error')})",
        )
        late = journal.kept("review-timeout")
        check(
            bool(late) and error_code(lambda: sfn.send_task_success(taskToken=late[0], output="{}")) == "TaskTimedOut",
            "approving after the review timed out: TaskTimedOut",
        )
        d = done["fail"]
        check(
            d["status"] == "FAILED" and d.get("error") == "ferret.BadInput"
            and d.get("cause") == "raw bucket check-data-pipeline-raw is missing",
            f"SendTaskFailure error and cause -> Catch ResultPath $.error -> Fail ErrorPath/CausePath ({d.get('error')!r}, {d.get('cause')!r})",
        )
        d = done["retry"]
        calls = journal.of("retry", "stage")
        gaps = [round(b[0] - a[0], 1) for a, b in zip(calls, calls[1:])]
        check(
            d["status"] == "SUCCEEDED" and len(calls) == 3 and 0.8 <= gaps[0] <= 1.8 and 1.8 <= gaps[1] <= 2.9,
            f"Retry on a custom error: IntervalSeconds 1, BackoffRate 2, MaxAttempts 3 (gaps {gaps} s)",
        )
        d = done["hb-ok"]
        check(
            d["status"] == "SUCCEEDED" and len(journal.of("hb-ok", "stage")) == 1,
            f"heartbeats keep a task alive past HeartbeatSeconds ({HEARTBEAT} s)",
        )
        d = done["hb-timeout"]
        calls = journal.of("hb-timeout", "stage")
        gap = calls[1][0] - calls[0][0] if len(calls) > 1 else 0
        types = history_types(sfn, runs["hb-timeout"])
        check(
            d["status"] == "SUCCEEDED" and len(calls) == 2 and HEARTBEAT + 0.8 <= gap <= HEARTBEAT + 2.5
            and "ActivityTimedOut" in types,
            f"a missed heartbeat is States.Timeout, retried ({gap:.1f} s between attempts; ActivityTimedOut in history)",
        )
        stale = journal.kept("hb-timeout")
        check(
            bool(stale) and error_code(lambda: sfn.send_task_heartbeat(taskToken=stale[0])) == "TaskTimedOut",
            "SendTaskHeartbeat on a timed-out task: TaskTimedOut",
        )
        d = done["hb-exhaust"]
        check(
            d["status"] == "FAILED" and d.get("error") == "States.Timeout" and len(journal.of("hb-exhaust", "stage")) == 4,
            f"3 retries (4 attempts) exhausted on States.Timeout -> Catch States.ALL -> BatchFailed ({d.get('error')})",
        )

        d = done["dist"]
        batches = journal.of("dist", "scan-items")
        keys = [item["Key"] for call in batches for item in call[2]["items"]]
        sizes = sorted({len(call[2]["items"]) for call in batches})
        first_item = batches[0][2]["items"][0] if batches else {}
        check(
            d["status"] == "SUCCEEDED" and json.loads(d["output"]).get("summary", {}).get("status") == "NoSensitiveData",
            f"Distributed Map -> Merge -> Succeed ({d['status']})",
        )
        check(
            len(batches) == DIST_OBJECTS // 100 and sizes == [100]
            and sorted(keys) == [f"dist/obj-{i:05d}" for i in range(DIST_OBJECTS)],
            f"ItemReader listObjectsV2 reads all {DIST_OBJECTS} keys under the Prefix, once each, in batches of 100 ({len(batches)} batches, {len(keys)} keys)",
        )
        check(
            all(call[2]["id"] == "dist" for call in batches)
            and set(first_item) == {"Etag", "Key", "LastModified", "Size", "StorageClass"},
            f"BatchInput reaches each batch; items shaped as on AWS ({sorted(first_item)})",
        )
        check(
            1 < journal.max_running <= 4,
            f"MaxConcurrency 4 bounds the batches in flight (saw {journal.max_running})",
        )
        check(
            "output" in d and "ScanMap" not in json.loads(d["output"]) and "scanned" not in d["output"],
            "Map ResultPath null keeps the state input",
        )
        d = done["dist-fail"]
        check(
            d["status"] == "FAILED" and d.get("error") == "States.ExceedToleratedFailureThreshold",
            f"a failed batch fails the Map (States.ExceedToleratedFailureThreshold) -> Catch -> BatchFailed ({d.get('error')})",
        )
        arns = set(unnamed)
        statuses = [wait_done(sfn, arn)["status"] for arn in unnamed]
        check(
            len(arns) == 2 and not any(arn.endswith(":None") for arn in arns) and statuses == ["SUCCEEDED"] * 2,
            "StartExecution without a name gets a generated one",
        )
    finally:
        stop.set()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    errors = [line for line in log_path.read_text().splitlines() if "Traceback" in line or "Error on request" in line]
    if errors:
        print(f"\nthe launcher logged errors (see {log_path}):", *errors[:20], sep="\n  ")
    if failures:
        print(f"\n{len(failures)} check(s) failed:", *failures, sep="\n  ")
        return 1
    print("\nall checks passed")
    if not errors:
        log_path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
