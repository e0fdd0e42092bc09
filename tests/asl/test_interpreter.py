"""The pure interpreter: step() shape, data flow, tasks, errors, timers, history."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from docuflow.asl.definition import parse_definition
from docuflow.asl.interpreter import (
    CancelTask,
    CancelTimer,
    ExecutionFinished,
    InvokeTask,
    StartExecution,
    StartTimer,
    StopExecution,
    TaskFailed,
    TaskHeartbeat,
    TaskSubmitted,
    TaskSucceeded,
    TimerFired,
    step,
)
from docuflow.asl.simulate import simulate

T0 = datetime(2026, 1, 1, tzinfo=UTC)
EXEC_ARN = "arn:aws:states:eu-west-1:111122223333:execution:Approvals:run-1"
SM_ARN = "arn:aws:states:eu-west-1:111122223333:stateMachine:Approvals"
ROLE = "arn:aws:iam::111122223333:role/sfn"


def machine(states: dict, start: str | None = None, **top) -> object:
    return parse_definition({"StartAt": start or next(iter(states)), "States": states, **top})


def start(data, **kwargs) -> StartExecution:
    return StartExecution(data, EXEC_ARN, "run-1", SM_ARN, "Approvals", ROLE, **kwargs)


def begin(m, data, rng=None, now=T0):
    return step(m, None, start(data), now, rng or random.Random(7))


def echo(command: InvokeTask):
    return TaskSucceeded(command.task_id, command.input)


def returns(value):
    return lambda command: TaskSucceeded(command.task_id, value)


def types(events) -> list[str]:
    return [event["type"] for event in events]


def only(commands, kind):
    found = [c for c in commands if isinstance(c, kind)]
    assert len(found) == 1, commands
    return found[0]


LAMBDA = "arn:aws:lambda:eu-west-1:111122223333:function:hello"
INVOKE = "arn:aws:states:::lambda:invoke"


# --------------------------------------------------------------------------- shape


def test_pure_machine_runs_to_completion_in_one_step():
    m = machine(
        {
            "A": {"Type": "Pass", "Result": {"x": 1}, "Next": "B"},
            "B": {"Type": "Succeed"},
        }
    )
    result = begin(m, {"in": True})
    assert types(result.events) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    assert [e["id"] for e in result.events] == [1, 2, 3, 4, 5, 6]
    # The first state points at 0, like AWS; then each event at its predecessor.
    assert [e["previousEventId"] for e in result.events] == [0, 0, 2, 3, 4, 5]
    assert result.commands == [ExecutionFinished("SUCCEEDED", output={"x": 1})]
    assert result.state["status"] == "SUCCEEDED"
    assert result.state["output"] == {"x": 1}
    assert all(e["timestamp"] == T0 for e in result.events)


def test_history_details_are_aws_shaped_json_strings():
    m = machine({"A": {"Type": "Pass", "End": True}})
    events = begin(m, {"a": [1, "é"]}).events
    assert events[0]["executionStartedEventDetails"] == {
        "input": '{"a":[1,"é"]}',
        "inputDetails": {"truncated": False},
        "roleArn": ROLE,
    }
    assert events[1]["stateEnteredEventDetails"] == {
        "name": "A",
        "input": '{"a":[1,"é"]}',
        "inputDetails": {"truncated": False},
    }
    assert events[2]["stateExitedEventDetails"]["output"] == '{"a":[1,"é"]}'
    assert events[3]["executionSucceededEventDetails"] == {
        "output": '{"a":[1,"é"]}',
        "outputDetails": {"truncated": False},
    }


def test_blocked_state_is_json_round_trippable_and_resumable():
    m = machine(
        {
            "Ask": {"Type": "Task", "Resource": LAMBDA, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        }
    )
    first = begin(m, {"n": 1})
    task = only(first.commands, InvokeTask)
    stored = json.loads(json.dumps(first.state))  # as a database column would
    second = step(m, stored, TaskSucceeded(task.task_id, {"ok": True}), T0, random.Random(1))
    assert second.state["status"] == "SUCCEEDED"
    assert second.state["output"] == {"ok": True}
    assert types(second.events)[:2] == ["LambdaFunctionSucceeded", "TaskStateExited"]
    assert second.events[0]["id"] == first.events[-1]["id"] + 1


def test_step_does_not_modify_the_given_state():
    m = machine({"Ask": {"Type": "Task", "Resource": LAMBDA, "End": True}})
    first = begin(m, {})
    snapshot = json.dumps(first.state, sort_keys=True)
    task = only(first.commands, InvokeTask)
    step(m, first.state, TaskSucceeded(task.task_id, 1), T0, random.Random(1))
    assert json.dumps(first.state, sort_keys=True) == snapshot


def test_same_definition_and_input_give_the_same_history():
    m = machine(
        {
            "A": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "Next": "B"},
            "B": {"Type": "Task", "Resource": LAMBDA, "End": True},
        }
    )

    def run(seed):
        sim = simulate(m, {"k": 1}, echo, rng=random.Random(seed))
        return [{k: v for k, v in e.items() if k != "timestamp"} for e in sim.history]

    assert run(1) == run(1)
    assert types_of(run(1)) == types_of(run(2))


def types_of(events):
    return [e["type"] for e in events]


def test_events_after_the_end_and_unknown_ids_change_nothing():
    m = machine({"Ask": {"Type": "Task", "Resource": LAMBDA, "End": True}})
    first = begin(m, {})
    task = only(first.commands, InvokeTask)
    unknown = step(m, first.state, TaskSucceeded("task-999", 1), T0, random.Random(1))
    assert unknown.state is first.state and not unknown.events and not unknown.commands
    done = step(m, first.state, TaskSucceeded(task.task_id, 1), T0, random.Random(1))
    assert done.state["status"] == "SUCCEEDED"
    for late in (
        TaskSucceeded(task.task_id, 2),
        TaskFailed(task.task_id, "E"),
        TimerFired("timer-1"),
        StopExecution(),
    ):
        again = step(m, done.state, late, T0, random.Random(1))
        assert again.state is done.state and not again.events and not again.commands
    restart = step(m, done.state, start({}), T0, random.Random(1))
    assert restart.state is done.state and not restart.events


def test_duplicate_task_result_advances_the_execution_once():
    m = machine(
        {
            "One": {"Type": "Task", "Resource": LAMBDA, "Next": "Two"},
            "Two": {"Type": "Task", "Resource": LAMBDA, "End": True},
        }
    )
    first = begin(m, {})
    task = only(first.commands, InvokeTask)
    second = step(m, first.state, TaskSucceeded(task.task_id, 1), T0, random.Random(1))
    assert only(second.commands, InvokeTask).state_name == "Two"
    duplicate = step(m, second.state, TaskSucceeded(task.task_id, 1), T0, random.Random(1))
    assert duplicate.state is second.state and not duplicate.events


# --------------------------------------------------------------------------- data flow


def test_result_path_examples_from_the_aws_docs():
    data = {
        "comment": "This is a test of the input and output of a Task state.",
        "details": "Default example",
        "who": "AWS Step Functions",
    }
    hello = returns("Hello, AWS Step Functions!")

    def run(result_path):
        state = {"Type": "Task", "Resource": LAMBDA, "End": True}
        if result_path != "absent":
            state["ResultPath"] = result_path
        return simulate(machine({"T": state}), data, hello).output

    assert run("absent") == "Hello, AWS Step Functions!"
    assert run("$") == "Hello, AWS Step Functions!"
    assert run(None) == data
    assert run("$.taskresult") == {**data, "taskresult": "Hello, AWS Step Functions!"}
    assert run("$.strings.lambdaresult") == {
        **data,
        "strings": {"lambdaresult": "Hello, AWS Step Functions!"},
    }


def test_input_path_parameters_result_selector_output_path_pipeline():
    # AWS docs: "Example: manipulating state data with paths in Step Functions".
    data = {
        "comment": "Example for InputPath.",
        "dataset1": {"val1": 1, "val2": 2, "val3": 3},
        "dataset2": {"val1": "a", "val2": "b", "val3": "c"},
    }
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": INVOKE,
                "InputPath": "$.dataset2",
                "Parameters": {"FunctionName": "f", "Payload": {"first.$": "$.val1"}},
                "ResultSelector": {"picked.$": "$.Payload.value", "code.$": "$.StatusCode"},
                "ResultPath": "$.result",
                "OutputPath": "$.result",
                "End": True,
            }
        }
    )
    seen = []

    def handler(command):
        seen.append(command.input)
        return TaskSucceeded(command.task_id, {"Payload": {"value": 42}, "StatusCode": 200})

    sim = simulate(m, data, handler, region="eu-west-1")
    assert seen == [{"FunctionName": "f", "Payload": {"first": "a"}}]
    assert sim.output == {"picked": 42, "code": 200}
    scheduled = next(e for e in sim.history if e["type"] == "TaskScheduled")
    assert scheduled["taskScheduledEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke",
        "region": "eu-west-1",
        "parameters": '{"FunctionName":"f","Payload":{"first":"a"}}',
    }


def test_null_input_and_output_paths_give_empty_objects():
    m = machine({"P": {"Type": "Pass", "InputPath": None, "OutputPath": None, "End": True}})
    assert simulate(m, {"a": 1}).output == {}
    m = machine({"P": {"Type": "Pass", "InputPath": None, "End": True}})
    assert simulate(m, {"a": 1}).output == {}


def test_pass_result_and_parameters():
    m = machine(
        {
            "R": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "Next": "P"},
            "P": {
                "Type": "Pass",
                "Parameters": {"copy.$": "$.r.x", "fmt.$": "States.Format('n={}', $.r.x)"},
                "End": True,
            },
        }
    )
    assert simulate(m, {"keep": True}).output == {"copy": 1, "fmt": "n=1"}


def test_context_object_fields():
    m = machine(
        {
            "Ctx": {
                "Type": "Pass",
                "Parameters": {
                    "id.$": "$$.Execution.Id",
                    "name.$": "$$.Execution.Name",
                    "input.$": "$$.Execution.Input",
                    "role.$": "$$.Execution.RoleArn",
                    "start.$": "$$.Execution.StartTime",
                    "redrive.$": "$$.Execution.RedriveCount",
                    "state.$": "$$.State.Name",
                    "entered.$": "$$.State.EnteredTime",
                    "sm.$": "$$.StateMachine.Id",
                    "smName.$": "$$.StateMachine.Name",
                },
                "End": True,
            }
        }
    )
    out = begin(m, {"v": 1}, now=datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=UTC)).state["output"]
    assert out == {
        "id": EXEC_ARN,
        "name": "run-1",
        "input": {"v": 1},
        "role": ROLE,
        "start": "2026-03-04T05:06:07.891Z",
        "redrive": 0,
        "state": "Ctx",
        "entered": "2026-03-04T05:06:07.891Z",
        "sm": SM_ARN,
        "smName": "Approvals",
    }


def test_missing_input_path_is_an_uncatchable_runtime_error():
    m = machine(
        {
            "P": {
                "Type": "Task",
                "Resource": LAMBDA,
                "InputPath": "$.missing",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        }
    )
    sim = simulate(m, {"a": 1}, echo)
    assert sim.status == "FAILED"
    assert sim.error == "States.Runtime"
    assert "$.missing" in sim.cause
    assert types_of(sim.history) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


def test_missing_parameter_path_fails_with_runtime():
    m = machine({"P": {"Type": "Pass", "Parameters": {"x.$": "$.nope"}, "End": True}})
    sim = simulate(m, {"a": 1})
    assert (sim.status, sim.error) == ("FAILED", "States.Runtime")
    assert "$.nope" in sim.cause


def test_result_path_match_failure_is_catchable():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "ResultPath": "$.a.b",
                "Catch": [
                    {
                        "ErrorEquals": ["States.ResultPathMatchFailure"],
                        "ResultPath": "$.err",
                        "Next": "Caught",
                    }
                ],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    sim = simulate(m, {"a": "not an object"}, returns(1))
    assert sim.status == "SUCCEEDED"
    assert sim.output["err"]["Error"] == "States.ResultPathMatchFailure"


def test_output_over_256_kib_is_data_limit_exceeded():
    m = machine({"Big": {"Type": "Pass", "Parameters": {"s.$": "$.s"}, "End": True}})
    sim = simulate(m, {"s": "x" * 262_144})
    assert (sim.status, sim.error) == ("FAILED", "States.DataLimitExceeded")


def test_data_limit_not_caught_by_states_all_but_by_name():
    def build(errors):
        return machine(
            {
                "T": {
                    "Type": "Task",
                    "Resource": LAMBDA,
                    "Catch": [{"ErrorEquals": errors, "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "Result": "caught", "End": True},
            }
        )

    big = returns("y" * 300_000)
    assert simulate(build(["States.ALL"]), {}, big).error == "States.DataLimitExceeded"
    assert simulate(build(["States.DataLimitExceeded"]), {}, big).output == "caught"


# --------------------------------------------------------------------------- tasks


def test_lambda_function_arn_uses_lambda_event_types():
    m = machine({"T": {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 5, "End": True}})
    sim = simulate(m, {"a": 1}, returns({"b": 2}))
    assert sim.event_types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = sim.history[2]["lambdaFunctionScheduledEventDetails"]
    assert scheduled == {
        "resource": LAMBDA,
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 5,
    }
    assert "lambdaFunctionStartedEventDetails" not in sim.history[3]


def test_invoke_task_command_fields():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "TimeoutSeconds": 600,
                "HeartbeatSeconds": 60,
                "End": True,
            }
        }
    )
    result = begin(m, {})
    task = only(result.commands, InvokeTask)
    assert task.task_token and len(task.task_token) >= 32
    assert task.input == {"QueueUrl": "q", "MessageBody": {"token": task.task_token}}
    assert (task.state_name, task.attempt, task.resource) == (
        "T",
        1,
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    )
    assert (task.timeout_seconds, task.heartbeat_seconds) == (600, 60)
    assert task.wait_for_callback and not task.sync
    details = result.events[-2]["taskScheduledEventDetails"]
    assert details["resource"] == "sendMessage.waitForTaskToken"
    assert details["resourceType"] == "sqs"
    assert details["timeoutInSeconds"] == 600 and details["heartbeatInSeconds"] == 60
    assert task.task_token in details["parameters"]
    timers = [c for c in result.commands if isinstance(c, StartTimer)]
    assert sorted(t.fire_at - T0 for t in timers) == [timedelta(seconds=60), timedelta(minutes=10)]


def test_tokens_differ_per_task_and_come_from_the_rng():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "f", "Payload": {"t.$": "$$.Task.Token"}},
                "End": True,
            }
        }
    )
    a = only(begin(m, {}, random.Random(1)).commands, InvokeTask).task_token
    b = only(begin(m, {}, random.Random(1)).commands, InvokeTask).task_token
    c = only(begin(m, {}, random.Random(2)).commands, InvokeTask).task_token
    assert a == b != c
    assert (
        only(
            begin(machine({"X": {"Type": "Task", "Resource": LAMBDA, "End": True}}), {}).commands,
            InvokeTask,
        ).task_token
        is None
    )


def test_callback_task_submitted_then_succeeded():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "f", "Payload": {"t.$": "$$.Task.Token"}},
                "End": True,
            }
        }
    )
    first = begin(m, {})
    task = only(first.commands, InvokeTask)
    submitted = step(
        m, first.state, TaskSubmitted(task.task_id, {"StatusCode": 200}), T0, random.Random()
    )
    assert types(submitted.events) == ["TaskSubmitted"]
    assert submitted.events[0]["taskSubmittedEventDetails"]["output"] == '{"StatusCode":200}'
    done = step(
        m, submitted.state, TaskSucceeded(task.task_id, {"approved": True}), T0, random.Random()
    )
    assert types(done.events) == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert done.state["output"] == {"approved": True}


def test_task_timeout_fires_states_timeout():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "f"},
                "TimeoutSeconds": 5,
                "End": True,
            }
        }
    )
    first = begin(m, {})
    timer = only(first.commands, StartTimer)
    assert timer.fire_at == T0 + timedelta(seconds=5)
    fired = step(m, first.state, TimerFired(timer.timer_id), timer.fire_at, random.Random())
    assert types(fired.events) == ["TaskTimedOut", "ExecutionFailed"]
    assert fired.events[0]["taskTimedOutEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke",
        "error": "States.Timeout",
    }
    assert fired.events[1]["executionFailedEventDetails"] == {"error": "States.Timeout"}
    # The caller is told to drop the task; its late result is ignored.
    task = only(first.commands, InvokeTask)
    assert only(fired.commands, CancelTask).task_id == task.task_id
    late = step(m, fired.state, TaskSucceeded(task.task_id, 1), T0, random.Random())
    assert not late.events


def test_timeout_seconds_path():
    m = machine(
        {"T": {"Type": "Task", "Resource": LAMBDA, "TimeoutSecondsPath": "$.t", "End": True}}
    )
    result = begin(m, {"t": 30})
    assert only(result.commands, InvokeTask).timeout_seconds == 30
    assert only(result.commands, StartTimer).fire_at == T0 + timedelta(seconds=30)
    bad = begin(m, {"t": "soon"})
    assert bad.state["status"] == "FAILED" and bad.state["error"] == "States.Runtime"


def test_heartbeat_resets_the_heartbeat_timer_and_its_absence_times_out():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"MessageBody": {"t.$": "$$.Task.Token"}},
                "HeartbeatSeconds": 10,
                "End": True,
            }
        }
    )
    first = begin(m, {})
    task = only(first.commands, InvokeTask)
    old_timer = only(first.commands, StartTimer)
    later = T0 + timedelta(seconds=8)
    beat = step(m, first.state, TaskHeartbeat(task.task_id), later, random.Random())
    assert beat.events == []
    assert only(beat.commands, CancelTimer).timer_id == old_timer.timer_id
    new_timer = only(beat.commands, StartTimer)
    assert new_timer.fire_at == later + timedelta(seconds=10)
    stale = step(m, beat.state, TimerFired(old_timer.timer_id), later, random.Random())
    assert not stale.events  # the cancelled timer cannot time the task out
    timeout = step(
        m, beat.state, TimerFired(new_timer.timer_id), new_timer.fire_at, random.Random()
    )
    assert types(timeout.events) == ["TaskTimedOut", "ExecutionFailed"]
    assert timeout.state["error"] == "States.Timeout"


def test_heartbeat_without_heartbeat_seconds_changes_nothing():
    m = machine({"T": {"Type": "Task", "Resource": LAMBDA, "End": True}})
    first = begin(m, {})
    task = only(first.commands, InvokeTask)
    beat = step(m, first.state, TaskHeartbeat(task.task_id), T0, random.Random())
    assert beat.state is first.state and not beat.commands


def test_task_failed_event_without_error_name_is_states_task_failed():
    m = machine({"T": {"Type": "Task", "Resource": INVOKE, "Parameters": {}, "End": True}})
    sim = simulate(m, {}, lambda c: TaskFailed(c.task_id))
    assert sim.error == "States.TaskFailed"


# --------------------------------------------------------------------------- retry and catch


def failing(*errors):
    """A handler failing with each error in turn, then succeeding."""
    remaining = list(errors)

    def handler(command):
        if remaining:
            error = remaining.pop(0)
            return TaskFailed(command.task_id, error, f"cause of {error}")
        return TaskSucceeded(command.task_id, {"attempt": command.attempt})

    return handler


def test_retry_backoff_intervals_and_attempts():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [
                    {
                        "ErrorEquals": ["Flaky"],
                        "IntervalSeconds": 3,
                        "BackoffRate": 2,
                        "MaxAttempts": 3,
                    }
                ],
                "End": True,
            }
        }
    )
    sim = simulate(m, {}, failing("Flaky", "Flaky", "Flaky"))
    assert sim.status == "SUCCEEDED"
    assert sim.output == {"attempt": 4}
    assert [c.attempt for c in sim.invoked] == [1, 2, 3, 4]
    assert sim.clock - T0 == timedelta(seconds=3 + 6 + 12)
    assert sim.event_types.count("TaskStateEntered") == 1  # retries do not re-enter
    assert sim.event_types.count("LambdaFunctionScheduled") == 4


def test_retry_exhausted_then_catch_with_error_output():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["Flaky"], "ResultPath": "$.error", "Next": "Recover"}],
                "End": True,
            },
            "Recover": {"Type": "Pass", "End": True},
        }
    )
    sim = simulate(m, {"doc": 7}, failing("Flaky", "Flaky", "Flaky"))
    assert sim.status == "SUCCEEDED"
    assert sim.output == {"doc": 7, "error": {"Error": "Flaky", "Cause": "cause of Flaky"}}
    assert len(sim.invoked) == 2
    exited = [e for e in sim.history if e["type"] == "TaskStateExited"]
    assert json.loads(exited[0]["stateExitedEventDetails"]["output"]) == sim.output


def test_max_attempts_zero_never_retries():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}],
                "End": True,
            }
        }
    )
    sim = simulate(m, {}, failing("Boom"))
    assert (sim.status, sim.error, sim.cause) == ("FAILED", "Boom", "cause of Boom")
    assert len(sim.invoked) == 1


def test_first_matching_retrier_wins_even_when_exhausted():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [
                    {"ErrorEquals": ["Boom"], "MaxAttempts": 1},
                    {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5},
                ],
                "End": True,
            }
        }
    )
    sim = simulate(m, {}, failing("Boom", "Boom", "Boom"))
    assert sim.status == "FAILED" and len(sim.invoked) == 2


def test_max_delay_seconds_caps_the_backoff():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [
                    {
                        "ErrorEquals": ["E"],
                        "IntervalSeconds": 10,
                        "BackoffRate": 10,
                        "MaxAttempts": 3,
                        "MaxDelaySeconds": 50,
                    }
                ],
                "End": True,
            }
        }
    )
    sim = simulate(m, {}, failing("E", "E", "E"))
    assert sim.clock - T0 == timedelta(seconds=10 + 50 + 50)


def test_full_jitter_uses_the_injected_rng():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [
                    {
                        "ErrorEquals": ["E"],
                        "IntervalSeconds": 100,
                        "MaxAttempts": 1,
                        "JitterStrategy": "FULL",
                    }
                ],
                "End": True,
            }
        }
    )
    first = begin(m, {}, random.Random(3))
    task = only(first.commands, InvokeTask)
    delays = set()
    for seed in (1, 2, 3):
        retry = step(m, first.state, TaskFailed(task.task_id, "E"), T0, random.Random(seed))
        delay = only(retry.commands, StartTimer).fire_at - T0
        assert timedelta(0) <= delay <= timedelta(seconds=100)
        delays.add(delay)
        again = step(m, first.state, TaskFailed(task.task_id, "E"), T0, random.Random(seed))
        assert only(again.commands, StartTimer).fire_at - T0 == delay
    assert len(delays) == 3


def test_retry_count_in_context_object():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Parameters": {"n.$": "$$.State.RetryCount"},
                "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2}],
                "End": True,
            }
        }
    )
    sim = simulate(m, {}, failing("E", "E"))
    assert [c.input for c in sim.invoked] == [{"n": 0}, {"n": 1}, {"n": 2}]


@pytest.mark.parametrize(
    ("error", "matcher", "caught"),
    [
        ("Custom.Error", ["States.ALL"], True),
        ("Custom.Error", ["States.TaskFailed"], True),
        ("States.Timeout", ["States.TaskFailed"], False),
        ("States.Timeout", ["States.ALL"], True),
        ("States.Timeout", ["States.Timeout"], True),
        ("Custom.Error", ["Other", "Custom.Error"], True),
        ("Custom.Error", ["custom.error"], False),
    ],
)
def test_error_matching_rules(error, matcher, caught):
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [{"ErrorEquals": matcher, "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "Result": "caught", "End": True},
        }
    )
    sim = simulate(m, {}, lambda c: TaskFailed(c.task_id, error))
    assert (sim.output == "caught") is caught
    if not caught:
        assert sim.error == error


def test_states_runtime_is_never_caught_nor_retried():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "OutputPath": "$.nothere",
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        }
    )
    sim = simulate(m, {}, returns({"x": 1}))
    assert (sim.status, sim.error) == ("FAILED", "States.Runtime")
    assert len(sim.invoked) == 1


def test_catch_without_cause_omits_it():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "TimeoutSeconds": 1,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    sim = simulate(m, {}, lambda command: None)
    assert sim.output == {"Error": "States.Timeout"}


# --------------------------------------------------------------------------- other states


def test_fail_state_with_paths():
    m = machine(
        {
            "F": {
                "Type": "Fail",
                "ErrorPath": "$.code",
                "CausePath": "States.Format('bad {}', $.what)",
            }
        }
    )
    sim = simulate(m, {"code": "E42", "what": "thing"})
    assert (sim.status, sim.error, sim.cause) == ("FAILED", "E42", "bad thing")
    assert sim.event_types == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    assert sim.history[-1]["executionFailedEventDetails"] == {"error": "E42", "cause": "bad thing"}


def test_fail_state_without_cause():
    sim = simulate(machine({"F": {"Type": "Fail", "Error": "Nope"}}), {})
    assert sim.history[-1]["executionFailedEventDetails"] == {"error": "Nope"}


def test_wait_seconds_blocks_on_a_timer():
    m = machine(
        {
            "W": {"Type": "Wait", "Seconds": 86400, "Next": "Done"},
            "Done": {"Type": "Succeed"},
        }
    )
    first = begin(m, {"a": 1})
    assert types(first.events) == ["ExecutionStarted", "WaitStateEntered"]
    timer = only(first.commands, StartTimer)
    assert timer.fire_at == T0 + timedelta(days=1)
    early_other = step(m, first.state, TimerFired("timer-77"), T0, random.Random())
    assert not early_other.events
    done = step(m, first.state, TimerFired(timer.timer_id), timer.fire_at, random.Random())
    assert types(done.events) == [
        "WaitStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    assert done.events[0]["timestamp"] == timer.fire_at


@pytest.mark.parametrize(
    ("state", "data", "expected"),
    [
        ({"SecondsPath": "$.s"}, {"s": 90}, timedelta(seconds=90)),
        ({"Timestamp": "2026-01-02T00:00:00Z"}, {}, timedelta(days=1)),
        ({"TimestampPath": "$.t"}, {"t": "2026-01-01T01:00:00+01:00"}, None),
        (
            {"TimestampPath": "$.t"},
            {"t": "2026-01-01T00:30:00.5Z"},
            timedelta(minutes=30, milliseconds=500),
        ),
    ],
)
def test_wait_variants(state, data, expected):
    m = machine({"W": {"Type": "Wait", **state, "End": True}})
    result = begin(m, data)
    if expected is None:  # in the past: no timer, straight through
        assert result.state["status"] == "SUCCEEDED"
        assert not [c for c in result.commands if isinstance(c, StartTimer)]
    else:
        assert only(result.commands, StartTimer).fire_at - T0 == expected


def test_wait_with_invalid_seconds_path_fails():
    m = machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}})
    assert begin(m, {"s": -1}).state["error"] == "States.Runtime"
    assert begin(m, {"s": "10"}).state["error"] == "States.Runtime"


def test_choice_no_match_fails_with_no_choice_matched():
    m = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}],
            },
            "One": {"Type": "Succeed"},
        }
    )
    sim = simulate(m, {"n": 2})
    assert (sim.status, sim.error) == ("FAILED", "States.NoChoiceMatched")
    assert sim.event_types == ["ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"]


def test_choice_input_and_output_path():
    m = machine(
        {
            "C": {
                "Type": "Choice",
                "InputPath": "$.inner",
                "OutputPath": "$.v",
                "Choices": [{"Variable": "$.v", "NumericGreaterThan": 1, "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Pass", "Result": "big", "ResultPath": None, "End": True},
            "Small": {"Type": "Fail"},
        }
    )
    assert simulate(m, {"inner": {"v": 5}}).output == 5


# --------------------------------------------------------------------------- execution level


def test_execution_timeout():
    m = machine(
        {"W": {"Type": "Wait", "Seconds": 100, "End": True}},
        TimeoutSeconds=10,
    )
    sim = simulate(m, {})
    assert sim.status == "TIMED_OUT"
    assert sim.clock - T0 == timedelta(seconds=10)
    assert sim.event_types == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]


def test_execution_timeout_timer_is_cancelled_when_done():
    m = machine({"P": {"Type": "Pass", "End": True}}, TimeoutSeconds=10)
    result = begin(m, {})
    start_timer = only(result.commands, StartTimer)
    assert only(result.commands, CancelTimer).timer_id == start_timer.timer_id


def test_stop_execution_aborts_and_cancels_timers():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "TimeoutSeconds": 60,
                "End": True,
            }
        }
    )
    first = begin(m, {})
    timer = only(first.commands, StartTimer)
    stopped = step(m, first.state, StopExecution("User", "changed my mind"), T0, random.Random())
    assert types(stopped.events) == ["ExecutionAborted"]
    assert stopped.events[0]["executionAbortedEventDetails"] == {
        "error": "User",
        "cause": "changed my mind",
    }
    assert only(stopped.commands, CancelTimer).timer_id == timer.timer_id
    assert only(stopped.commands, CancelTask).task_id == only(first.commands, InvokeTask).task_id
    assert only(stopped.commands, ExecutionFinished).status == "ABORTED"
    assert stopped.state["status"] == "ABORTED"


def test_history_limit_fails_the_execution():
    m = machine(
        {
            "Loop": {
                "Type": "Pass",
                "Parameters": {"n.$": "States.MathAdd($.n, 1)"},
                "Next": "Again",
            },
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericLessThan": 100000, "Next": "Loop"}],
                "Default": "End",
            },
            "End": {"Type": "Succeed"},
        }
    )
    result = begin(m, {"n": 0})
    assert result.state["status"] == "FAILED"
    assert result.state["error"] == "States.Runtime"
    assert len(result.events) == 25_000
    assert result.events[-1]["type"] == "ExecutionFailed"


def test_execution_input_over_limit_fails():
    m = machine({"P": {"Type": "Pass", "End": True}})
    result = begin(m, {"s": "z" * 300_000})
    assert result.state["error"] == "States.DataLimitExceeded"


def test_retry_backoff_is_bounded_for_huge_attempt_counts():
    m = machine(
        {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 99999999, "BackoffRate": 10}],
                "End": True,
            }
        }
    )
    first = begin(m, {})
    state, command = first.state, only(first.commands, InvokeTask)
    for _ in range(400):
        retry = step(m, state, TaskFailed(command.task_id, "E"), T0, random.Random())
        timer = only(retry.commands, StartTimer)
        assert timer.fire_at - T0 <= timedelta(days=366)
        again = step(m, retry.state, TimerFired(timer.timer_id), timer.fire_at, random.Random())
        state, command = again.state, only(again.commands, InvokeTask)
    assert command.attempt == 401


def test_naive_now_is_rejected():
    m = machine({"P": {"Type": "Pass", "End": True}})
    with pytest.raises(ValueError, match="timezone-aware"):
        step(m, None, start({}), datetime(2026, 1, 1), random.Random())
