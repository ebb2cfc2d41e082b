#!/usr/bin/env python3
"""The state machine definitions (statemachine/definitions/*.asl.json, rendered by ferret)
as deploy/template.yaml consumes them. Python 3 standard library only.

  definition.py check SRC
      SRC is valid JSON, has Task states, and every activity Task's Resource is the
      "${ActivityArn}" placeholder (the template substitutes it).
  definition.py prepare SRC DST [--heartbeat-seconds N] [--review-timeout-seconds N]
      Writes the definition deploy.sh uploads: SRC with HeartbeatSeconds of every Task that
      has one set to N, and TimeoutSeconds of the await-review Task set to N. (CloudFormation's
      DefinitionSubstitutions only substitute inside strings, so numbers are set here.)
  definition.py inline-template TEMPLATE SRC DST
      Writes TEMPLATE with SRC as the state machine's inline Definition, so that cfn-lint
      validates the definition against its ASL schema (scripts/lint-deploy).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Iterator

PLACEHOLDER = "${ActivityArn}"
S3_LOCATION = """      DefinitionS3Location:
        Bucket: !Ref DefinitionBucket
        Key: !Ref DefinitionKey
"""


def fail(message: str) -> None:
    sys.exit(f"definition.py: {message}")


def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
    except (OSError, ValueError) as error:
        fail(f"{path}: {error}")
    if not isinstance(document, dict) or not isinstance(document.get("States"), dict):
        fail(f"{path}: not a state machine definition (no States)")
    return document


def tasks(states: dict) -> Iterator[tuple[str, dict]]:
    """Every Task state, nested ones (Map, Parallel) included."""
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Task":
            yield name, state
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from tasks(state[key].get("States") or {})
        for branch in state.get("Branches") or []:
            yield from tasks(branch.get("States") or {})


def check(path: str, document: dict) -> list[tuple[str, dict]]:
    found = list(tasks(document["States"]))
    if not found:
        fail(f"{path}: no Task state")
    for name, state in found:
        resource = state.get("Resource")
        # Service integrations (arn:aws:states:::...) are fine; activities must be the placeholder.
        if resource != PLACEHOLDER and not str(resource).startswith("arn:aws:states:::"):
            fail(f"{path}: Task {name!r} has Resource {resource!r}, expected \"{PLACEHOLDER}\"")
    return found


def prepare(args: argparse.Namespace) -> None:
    document = load(args.src)
    found = check(args.src, document)
    review = [state for _, state in found if (state.get("Parameters") or {}).get("task") == "await-review"]
    if args.review_timeout_seconds is not None:
        if not review:
            fail(f"{args.src}: no Task with Parameters.task \"await-review\" to set its TimeoutSeconds on")
        for state in review:
            state["TimeoutSeconds"] = args.review_timeout_seconds
    if args.heartbeat_seconds is not None:
        for _, state in found:
            if "HeartbeatSeconds" in state:
                state["HeartbeatSeconds"] = args.heartbeat_seconds
    for name, state in found:
        heartbeat, timeout = state.get("HeartbeatSeconds"), state.get("TimeoutSeconds")
        if heartbeat is not None and timeout is not None and heartbeat >= timeout:
            fail(f"Task {name!r}: HeartbeatSeconds {heartbeat} must be less than TimeoutSeconds {timeout}")
    with open(args.dst, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2, ensure_ascii=False)
        file.write("\n")


def inline_template(args: argparse.Namespace) -> None:
    document = load(args.src)
    check(args.src, document)
    with open(args.template, encoding="utf-8") as file:
        template = file.read()
    if template.count(S3_LOCATION) != 1:
        fail(f"{args.template}: the state machine's DefinitionS3Location block is not where expected")
    inline = "      Definition: " + json.dumps(document, ensure_ascii=False) + "\n"
    with open(args.dst, "w", encoding="utf-8") as file:
        file.write(template.replace(S3_LOCATION, inline))


def positive(value: str) -> Any:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("check")
    p.add_argument("src")
    p = commands.add_parser("prepare")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--heartbeat-seconds", type=positive)
    p.add_argument("--review-timeout-seconds", type=positive)
    p = commands.add_parser("inline-template")
    p.add_argument("template")
    p.add_argument("src")
    p.add_argument("dst")
    args = parser.parse_args()
    if args.command == "check":
        check(args.src, load(args.src))
    elif args.command == "prepare":
        prepare(args)
    else:
        inline_template(args)


if __name__ == "__main__":
    main()
