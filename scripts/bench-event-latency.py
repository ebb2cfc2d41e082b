#!/usr/bin/env python3
"""Event-driven latency on moto: from PutObject into raw to the object's arrival in
scanned-data, with `ferret worker --queue-url` and no `pipeline run`.

    .venv/bin/python scripts/bench-event-latency.py FERRET [--objects 100]
        [--interval 0.1] [--batch-window 2] [--workers 1]

Starts a moto server on loopback (tests/support/moto_server.py), creates the buckets with
`ferret buckets init --notify-queue-arn` (raw's notifications to a new queue), starts one
worker (or --workers), uploads --objects clean objects one per --interval seconds, and polls scanned-data
every 20 ms for each object's arrival. Prints the median and the worst latency. Run by
`scripts/bench --only latency`; needs .venv (scripts/setup-test-env) for moto and boto3.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "lat"
BUCKETS = ["raw", "scan-stage", "manual-review", "scanned-data", "scan-results"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ferret")
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--batch-window", default="2")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=endpoint,
        FERRET_LOG="warn",
    )
    moto = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tests/support/moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = []
    try:
        kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        s3 = boto3.client("s3", **kw)
        sqs = boto3.client("sqs", **kw)
        for _ in range(300):
            try:
                s3.list_buckets()
                break
            except Exception:
                time.sleep(0.1)
        queue_url = sqs.create_queue(QueueName="arrivals")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        subprocess.run(
            [args.ferret, "buckets", "init", "--store", "s3", "--prefix", PREFIX, "--notify-queue-arn", queue_arn],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )
        # moto enforces the TLS-only policy over its plain-HTTP loopback endpoint.
        for name in BUCKETS:
            s3.delete_bucket_policy(Bucket=f"{PREFIX}-data-pipeline-{name}")
        identifiers = os.path.join(ROOT, "samples/identifiers.toml")
        workers = [
            subprocess.Popen(
                [args.ferret, "worker", "--queue-url", queue_url, "--store", "s3", "--prefix", PREFIX,
                 "--identifiers", identifiers, "--managed", "none", "--batch-window", args.batch_window],
                env=env,
            )
            for _ in range(args.workers)
        ]
        body = open(os.path.join(ROOT, "samples/inventario_publico.csv"), "rb").read()
        put_at = {}
        seen_at = {}
        raw = f"{PREFIX}-data-pipeline-raw"
        scanned = f"{PREFIX}-data-pipeline-scanned-data"
        next_put = time.monotonic()
        i = 0
        deadline = None
        while len(seen_at) < args.objects:
            now = time.monotonic()
            if i < args.objects and now >= next_put:
                key = f"in/object-{i:04}.csv"
                s3.put_object(Bucket=raw, Key=key, Body=body)
                put_at[key] = time.monotonic()
                i += 1
                next_put += args.interval
                if i == args.objects:
                    deadline = time.monotonic() + 120
                continue
            listed = s3.list_objects_v2(Bucket=scanned)
            stamp = time.monotonic()
            for item in listed.get("Contents", []):
                seen_at.setdefault(item["Key"], stamp)
            if deadline and stamp > deadline:
                print(f"timed out: {len(seen_at)} of {args.objects} arrived", file=sys.stderr)
                return 1
            time.sleep(0.02)
        latencies = sorted(seen_at[k] - put_at[k] for k in put_at)
        print(f"objects: {args.objects}, one per {args.interval * 1000:.0f} ms, --batch-window {args.batch_window}, {args.workers} worker(s)")
        print(f"latency PutObject -> scanned-data: median {statistics.median(latencies):.2f} s, worst {latencies[-1]:.2f} s")
        return 0
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
        moto.terminate()
        moto.wait()


if __name__ == "__main__":
    sys.exit(main())
