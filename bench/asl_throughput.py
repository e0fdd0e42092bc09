"""Executions per second of the pure ASL interpreter, side by side with moto's engine.

    .venv/bin/python bench/asl_throughput.py [--quick]

Two machines, each run to completion with its full history:

(a) Pass -> Pass (States.Format) -> Choice -> Pass -> Succeed
(b) Pass -> Choice -> Map over 100 items (Pass inside) -> Succeed

Ours: ``step(machine, None, StartExecution(...))`` in-process; a pure machine ends in that
one call. Moto: boto3 ``start_execution`` under ``mock_aws`` with
``execute_state_machine`` on; moto runs each execution in a thread, so we poll
``describe_execution`` until it leaves RUNNING. Both are checked to produce the same
output before timing. Prints both rates and the ratio (goal for (a): >= 20x).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from docuflow.asl.definition import parse_definition  # noqa: E402
from docuflow.asl.interpreter import StartExecution, step  # noqa: E402

FIVE_STATES = {
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Result": {"customer": "ada", "amount": 42}, "Next": "Format"},
        "Format": {
            "Type": "Pass",
            "Parameters": {
                "customer.$": "$.customer",
                "amount.$": "$.amount",
                "message.$": "States.Format('Hello {}, you owe {}', $.customer, $.amount)",
            },
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.amount", "NumericGreaterThan": 10, "Next": "Big"}],
            "Default": "Big",
        },
        "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}

MAP_100 = {
    "StartAt": "Load",
    "States": {
        "Load": {"Type": "Pass", "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.items", "IsPresent": True, "Next": "Each"}],
            "Default": "Done",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Item",
                "States": {"Item": {"Type": "Pass", "Parameters": {"n.$": "$"}, "End": True}},
            },
            "ResultPath": "$.results",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}

CASES = [
    ("(a) 5-state machine", FIVE_STATES, {}),
    ("(b) Map over 100 items", MAP_100, {"items": list(range(100))}),
]


def ours(definition: dict, execution_input, count: int) -> tuple[float, object]:
    machine = parse_definition(definition)
    rng = random.Random(0)
    now = datetime.now(UTC)
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:bench"
    output = None
    began = time.perf_counter()
    for index in range(count):
        name = f"run-{index}"
        event = StartExecution(
            execution_input,
            f"arn:aws:states:us-east-1:123456789012:execution:bench:{name}",
            name,
            arn,
            "bench",
        )
        result = step(machine, None, event, now, rng)
        assert result.state["status"] == "SUCCEEDED", result.state
        output = result.state["output"]
    return count / (time.perf_counter() - began), output


def moto(definition: dict, execution_input, count: int) -> tuple[float, object]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(key, value)
    import boto3
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        arn = client.create_state_machine(
            name="bench",
            definition=json.dumps(definition),
            roleArn="arn:aws:iam::123456789012:role/bench",
        )["stateMachineArn"]
        payload = json.dumps(execution_input)
        output = None
        began = time.perf_counter()
        for index in range(count):
            execution = client.start_execution(
                stateMachineArn=arn, name=f"run-{index}", input=payload
            )["executionArn"]
            while True:
                described = client.describe_execution(executionArn=execution)
                if described["status"] != "RUNNING":
                    break
                time.sleep(0.0005)
            assert described["status"] == "SUCCEEDED", described
            client.get_execution_history(executionArn=execution, maxResults=1000)
            output = json.loads(described["output"])
        return count / (time.perf_counter() - began), output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer executions (smoke run)")
    args = parser.parse_args(argv)
    ours_runs = {True: (300, 30), False: (5000, 300)}[args.quick]
    moto_runs = {True: (15, 5), False: (100, 20)}[args.quick]
    print(f"{'machine':26} {'docuflow exec/s':>16} {'moto exec/s':>12} {'ratio':>8}")
    for (label, definition, data), n_ours, n_moto in zip(CASES, ours_runs, moto_runs, strict=True):
        ours(definition, data, max(1, n_ours // 10))  # warm-up
        ours_rate, ours_output = ours(definition, data, n_ours)
        moto_rate, moto_output = moto(definition, data, n_moto)
        same = "" if ours_output == moto_output else "  (outputs differ!)"
        print(
            f"{label:26} {ours_rate:16,.0f} {moto_rate:12,.1f} {ours_rate / moto_rate:7,.0f}x{same}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
