"""The definition model, resource kinds, and Retry/Catch examples from the AWS docs."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import UTC, datetime

import pytest

from docuflow.asl.definition import TaskState, parse_definition, parse_resource
from docuflow.asl.errors import InvalidDefinition
from docuflow.asl.interpreter import (
    InvokeTask,
    StartExecution,
    TaskFailed,
    TaskStarted,
    TaskSucceeded,
    step,
)
from docuflow.asl.simulate import simulate

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_parse_from_json_text_and_dict_give_the_same_model():
    definition = {
        "Comment": "c",
        "StartAt": "A",
        "TimeoutSeconds": 30,
        "States": {"A": {"Type": "Pass", "End": True}},
    }
    from_text = parse_definition(json.dumps(definition))
    from_dict = parse_definition(definition)
    assert from_text.start_at == from_dict.start_at == "A"
    assert from_text.timeout_seconds == 30 and from_text.comment == "c"
    assert from_text.states["A"].type == "Pass"


def test_model_is_immutable_and_detached_from_the_source_dict():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    machine = parse_definition(definition)
    with pytest.raises(dataclasses.FrozenInstanceError):
        machine.states["A"].next = "B"  # type: ignore[misc]
    with pytest.raises(TypeError):
        machine.states["B"] = machine.states["A"]  # type: ignore[index]
    definition["States"]["A"]["Type"] = "Fail"
    assert machine.definition["States"]["A"]["Type"] == "Pass"


@pytest.mark.parametrize(
    "bad",
    [
        "{not json",
        '{"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": true}}}',
        '{"StartAt": "A", "States": {"A": {"Type": "Teleport", "End": true}}}',
        '{"StartAt": "A", "States": {"A": {"Type": "Pass"}}}',
    ],
)
def test_invalid_definitions_raise_with_diagnostics(bad):
    with pytest.raises(InvalidDefinition) as info:
        parse_definition(bad)
    assert info.value.diagnostics


@pytest.mark.parametrize(
    ("arn", "kind", "resource_type", "resource", "callback", "sync"),
    [
        ("arn:aws:states:::lambda:invoke", "service", "lambda", "invoke", False, False),
        (
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "service",
            "lambda",
            "invoke.waitForTaskToken",
            True,
            False,
        ),
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            "service",
            "aws-sdk:s3",
            "getObject",
            False,
            False,
        ),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            "service",
            "states",
            "startExecution.sync:2",
            False,
            True,
        ),
        ("arn:aws:states:::ecs:runTask.sync", "service", "ecs", "runTask.sync", False, True),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "lambda",
            "",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            False,
            False,
        ),
        (
            "arn:aws:states:us-east-1:123456789012:activity:review",
            "activity",
            "",
            "arn:aws:states:us-east-1:123456789012:activity:review",
            True,
            False,
        ),
    ],
)
def test_resource_kinds(arn, kind, resource_type, resource, callback, sync):
    parsed = parse_resource(arn)
    assert (parsed.kind, parsed.resource_type, parsed.resource) == (kind, resource_type, resource)
    assert (parsed.wait_for_callback, parsed.sync) == (callback, sync)


def test_sync_task_is_flagged_on_the_command():
    machine = parse_definition(
        {
            "StartAt": "Child",
            "States": {
                "Child": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": "arn:child", "Input": {"a": 1}},
                    "End": True,
                }
            },
        }
    )
    sim = simulate(machine, {}, lambda c: TaskSucceeded(c.task_id, {"Output": {"b": 2}}))
    command = sim.invoked[0]
    assert command.sync and not command.wait_for_callback and command.task_token is None
    assert sim.output == {"Output": {"b": 2}}


def test_activity_task_gets_a_token_and_activity_events():
    arn = "arn:aws:states:us-east-1:123456789012:activity:review"
    machine = parse_definition(
        {
            "StartAt": "Review",
            "States": {
                "Review": {"Type": "Task", "Resource": arn, "HeartbeatSeconds": 60, "End": True}
            },
        }
    )
    sim = simulate(
        machine,
        {"doc": 1},
        lambda c: [TaskStarted(c.task_id, "worker-7"), TaskSucceeded(c.task_id, "ok")],
    )
    assert sim.invoked[0].task_token
    assert sim.event_types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert sim.history[3]["activityStartedEventDetails"] == {"workerName": "worker-7"}
    assert sim.history[2]["activityScheduledEventDetails"] == {
        "resource": arn,
        "input": '{"doc":1}',
        "inputDetails": {"truncated": False},
        "heartbeatInSeconds": 60,
    }


def test_retry_and_catch_example_from_the_aws_docs():
    # "Handling errors in Step Functions workflows": fallback states by error type.
    machine = parse_definition(
        {
            "StartAt": "HelloWorld",
            "States": {
                "HelloWorld": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FailFunction",
                    "Retry": [
                        {
                            "ErrorEquals": ["HandledError"],
                            "IntervalSeconds": 1,
                            "MaxAttempts": 2,
                            "BackoffRate": 2.0,
                        }
                    ],
                    "Catch": [
                        {"ErrorEquals": ["CustomError"], "Next": "CustomErrorFallback"},
                        {"ErrorEquals": ["States.TaskFailed"], "Next": "ReservedTypeFallback"},
                        {"ErrorEquals": ["States.ALL"], "Next": "CatchAllFallback"},
                    ],
                    "End": True,
                },
                "CustomErrorFallback": {
                    "Type": "Pass",
                    "Result": "This is a fallback from a custom Lambda function exception",
                    "End": True,
                },
                "ReservedTypeFallback": {
                    "Type": "Pass",
                    "Result": "This is a fallback from a reserved error code",
                    "End": True,
                },
                "CatchAllFallback": {
                    "Type": "Pass",
                    "Result": "This is a fallback from any error code",
                    "End": True,
                },
            },
        }
    )

    def fails_with(error):
        return lambda command: TaskFailed(command.task_id, error, "details")

    custom = simulate(machine, {}, fails_with("CustomError"))
    assert custom.output == "This is a fallback from a custom Lambda function exception"
    reserved = simulate(machine, {}, fails_with("Lambda.Unknown"))
    assert reserved.output == "This is a fallback from a reserved error code"
    handled = simulate(machine, {}, fails_with("HandledError"))
    assert len(handled.invoked) == 3  # two retries, then the States.TaskFailed catcher
    assert handled.output == "This is a fallback from a reserved error code"
    timeout = simulate(machine, {}, fails_with("States.Timeout"))
    assert timeout.output == "This is a fallback from any error code"


def test_legacy_map_parameters_act_as_item_selector():
    machine = parse_definition(
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "Parameters": {"n.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
                    "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                    "End": True,
                }
            },
        }
    )
    assert simulate(machine, ["a", "b"]).output == [{"n": 0, "v": "a"}, {"n": 1, "v": "b"}]


def test_task_state_model_fields():
    machine = parse_definition(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "f"},
                    "TimeoutSecondsPath": "$.t",
                    "HeartbeatSeconds": 5,
                    "Retry": [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL"}],
                    "End": True,
                }
            },
        }
    )
    task = machine.states["T"]
    assert isinstance(task, TaskState)
    assert task.timeout_seconds_path == "$.t" and task.heartbeat_seconds == 5
    assert task.retry[0].jitter_strategy == "FULL" and task.retry[0].max_attempts == 3
    result = step(
        machine,
        None,
        StartExecution({"t": 9}, "arn:e", "e", "arn:aws:states:us-east-1:1:stateMachine:m", "m"),
        T0,
        random.Random(),
    )
    command = next(c for c in result.commands if isinstance(c, InvokeTask))
    assert (command.timeout_seconds, command.heartbeat_seconds) == (9, 5)


def test_activity_started_only_once_and_only_for_activities():
    activity = parse_definition(
        {
            "StartAt": "Review",
            "States": {
                "Review": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:us-east-1:123456789012:activity:review",
                    "End": True,
                }
            },
        }
    )
    start = StartExecution({}, "arn:e", "e", "arn:aws:states:us-east-1:1:stateMachine:m", "m")
    first = step(activity, None, start, T0, random.Random())
    task = next(c for c in first.commands if isinstance(c, InvokeTask))
    assert [e["type"] for e in first.events][-1] == "ActivityScheduled"
    started = step(activity, first.state, TaskStarted(task.task_id), T0, random.Random())
    assert [e["type"] for e in started.events] == ["ActivityStarted"]
    again = step(activity, started.state, TaskStarted(task.task_id), T0, random.Random())
    assert again.state is started.state and not again.events
    lambda_machine = parse_definition(
        {
            "StartAt": "L",
            "States": {
                "L": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "End": True,
                }
            },
        }
    )
    first = step(lambda_machine, None, start, T0, random.Random())
    task = next(c for c in first.commands if isinstance(c, InvokeTask))
    ignored = step(lambda_machine, first.state, TaskStarted(task.task_id), T0, random.Random())
    assert ignored.state is first.state
