"""Differential tests against moto's Step Functions engine (LocalStack's interpreter).

Only definitions where moto is known to follow AWS are used: no Task states (moto would
call real Lambda), no long Waits. We compare status, output (or error) and the sequence
of history event types. Parallel branches run in threads in moto, so for them the event
types are compared as a multiset; Maps use MaxConcurrency 1 so moto's order is fixed.
Cases left out on purpose, where moto departs from AWS: a ResultPath that cannot be
applied (moto reports States.Runtime, AWS States.ResultPathMatchFailure) and a scalar
string execution output (moto returns it without JSON encoding).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter

import pytest

from docuflow.asl.definition import parse_definition
from docuflow.asl.simulate import simulate

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

pytestmark = pytest.mark.slow


def _pass(next_state=None, **extra):
    state = {"Type": "Pass", **extra}
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


CASES = {
    "pass-chain-paths": (
        {
            "StartAt": "A",
            "States": {
                "A": _pass("B", Result={"x": {"y": [1, 2, 3]}}, ResultPath="$.r"),
                "B": _pass("C", InputPath="$.r.x", Parameters={"ys.$": "$.y", "first.$": "$.y[0]"}),
                "C": _pass(None, ResultPath=None, OutputPath="$.ys"),
            },
        },
        {"keep": "me"},
    ),
    "intrinsics": (
        {
            "StartAt": "F",
            "States": {
                "F": _pass(
                    None,
                    Parameters={
                        "greeting.$": "States.Format('Hello {} of {}', $.name, $.team)",
                        "parts.$": "States.StringSplit($.csv, ',')",
                        "len.$": "States.ArrayLength($.list)",
                        "sum.$": "States.MathAdd($.n, 5)",
                        "json.$": "States.JsonToString($.obj)",
                        "merged.$": "States.JsonMerge($.obj, $.obj2, false)",
                        "b64.$": "States.Base64Encode($.name)",
                        "arr.$": "States.Array($.n, $.name)",
                        "contains.$": "States.ArrayContains($.list, 2)",
                        "unique.$": "States.ArrayUnique($.dups)",
                    },
                )
            },
        },
        {
            "name": "Ada",
            "team": "core",
            "csv": "a,b,c",
            "list": [1, 2, 3],
            "n": 37,
            "obj": {"a": 1},
            "obj2": {"b": 2},
            "dups": [1, 1, 2],
        },
    ),
    "choice-default-and-succeed": (
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "And": [
                                {"Variable": "$.n", "NumericGreaterThan": 10},
                                {"Not": {"Variable": "$.s", "StringMatches": "x*"}},
                            ],
                            "Next": "Big",
                        },
                        {
                            "Variable": "$.t",
                            "TimestampLessThan": "2020-01-01T00:00:00Z",
                            "Next": "Old",
                        },
                    ],
                    "Default": "Other",
                },
                "Big": _pass(None, Result="big"),
                "Old": _pass(None, Result="old"),
                "Other": {"Type": "Succeed", "InputPath": "$.sub"},
            },
        },
        {"n": 5, "s": "xyz", "t": "2021-05-05T00:00:00Z", "sub": {"k": [1]}},
    ),
    "fail-state": (
        {
            "StartAt": "P",
            "States": {
                "P": _pass("F"),
                "F": {"Type": "Fail", "Error": "Custom.Error", "Cause": "it broke"},
            },
        },
        {},
    ),
    "map-item-selector": (
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "MaxConcurrency": 1,
                    "ItemSelector": {
                        "v.$": "$$.Map.Item.Value",
                        "i.$": "$$.Map.Item.Index",
                        "k.$": "$.k",
                    },
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "INLINE"},
                        "StartAt": "Double",
                        "States": {
                            "Double": _pass(
                                "Done", Parameters={"d.$": "States.MathAdd($.v, $.v)", "i.$": "$.i"}
                            ),
                            "Done": {"Type": "Succeed"},
                        },
                    },
                    "ResultPath": "$.out",
                    "End": True,
                }
            },
        },
        {"items": [1, 2, 3], "k": "key"},
    ),
    "map-catch": (
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "MaxConcurrency": 1,
                    "ItemsPath": "$.items",
                    "Iterator": {
                        "StartAt": "Check",
                        "States": {
                            "Check": {
                                "Type": "Choice",
                                "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Boom"}],
                                "Default": "Ok",
                            },
                            "Ok": _pass(None),
                            "Boom": {"Type": "Fail", "Error": "Item.Bad", "Cause": "two"},
                        },
                    },
                    "Catch": [
                        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}
                    ],
                    "End": True,
                },
                "Caught": _pass(None),
            },
        },
        {"items": [1, 2, 3]},
    ),
    "parallel": (
        {
            "StartAt": "Par",
            "States": {
                "Par": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "B1", "States": {"B1": _pass(None, Result=1)}},
                        {
                            "StartAt": "B2",
                            "States": {"B2": _pass("B2b"), "B2b": _pass(None, InputPath="$.x")},
                        },
                    ],
                    "ResultSelector": {"one.$": "$[0]", "two.$": "$[1]"},
                    "ResultPath": "$.par",
                    "End": True,
                }
            },
        },
        {"x": {"y": 1}},
    ),
    "runtime-error-input-path": (
        {"StartAt": "P", "States": {"P": _pass(None, InputPath="$.missing")}},
        {"a": 1},
    ),
    "wait-zero": (
        {
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 0, "Next": "D"}, "D": {"Type": "Succeed"}},
        },
        {"w": 0},
    ),
}


@pytest.fixture(scope="module")
def sfn():
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(key, value)
    with moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield boto3.client("stepfunctions", region_name="us-east-1")


def run_moto(client, name: str, definition: dict, data) -> dict:
    arn = client.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=arn, name="diff", input=json.dumps(data))
    deadline = time.monotonic() + 20
    while True:
        described = client.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    events = client.get_execution_history(executionArn=execution["executionArn"])["events"]
    return {
        "status": described["status"],
        "output": json.loads(described["output"]) if "output" in described else None,
        "error": described.get("error"),
        "types": [event["type"] for event in events],
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_outcome_and_history_as_moto(sfn, case):
    definition, data = CASES[case]
    theirs = run_moto(sfn, case, definition, data)
    sim = simulate(parse_definition(definition), data)
    ours = {
        "status": sim.status,
        "output": sim.output if sim.status == "SUCCEEDED" else None,
        "error": sim.error,
        "types": sim.event_types,
    }
    if case == "parallel":
        assert Counter(ours.pop("types")) == Counter(theirs.pop("types"))
    assert ours == theirs
