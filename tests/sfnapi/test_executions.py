"""Executions, history, callbacks and activities through boto3 (in process)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from tests.sfnapi.conftest import (
    CALLBACK_MACHINE,
    PASS_MACHINE,
    ROLE,
    activity_machine,
    drain,
)

WAIT_MACHINE = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
FAIL_MACHINE = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "why"}}}


def _code(exc: pytest.ExceptionInfo) -> str:
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return exc.value.response["Error"]["Code"]


@pytest.fixture
def create(sfn):
    def make(definition: dict, name: str = "m", **kwargs) -> str:
        return sfn.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE, **kwargs
        )["stateMachineArn"]

    return make


def _token_from_history(sfn, execution_arn: str) -> str:
    for event in sfn.get_execution_history(executionArn=execution_arn)["events"]:
        if event["type"] == "TaskSubmitted":
            output = json.loads(event["taskSubmittedEventDetails"]["output"])
            return output["Payload"]["token"]
    raise AssertionError("no TaskSubmitted event")


@pytest.fixture
def waiting_callback(sfn, create):
    """An execution paused on a .waitForTaskToken task, and its token."""
    arn = create(CALLBACK_MACHINE, name="approval")
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"doc": "d-1"}))
    drain()
    token = _token_from_history(sfn, execution["executionArn"])
    return execution["executionArn"], token


# --- Executions -------------------------------------------------------------------------------


def test_start_and_describe(sfn, create, tenant):
    arn = create(PASS_MACHINE)
    started = sfn.start_execution(
        stateMachineArn=arn, name="run-1", input='{"a": 1}', traceHeader="Root=1-abc"
    )
    assert started["executionArn"] == (
        f"arn:aws:states:eu-west-3:{tenant.account_id}:execution:m:run-1"
    )
    assert isinstance(started["startDate"], datetime)
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert described["stateMachineArn"] == arn
    assert described["name"] == "run-1"
    assert described["input"] == '{"a": 1}'
    assert json.loads(described["output"]) == {"a": 1, "r": {"greeting": "hi"}}
    assert described["inputDetails"] == {"included": True}
    assert described["outputDetails"] == {"included": True}
    assert described["traceHeader"] == "Root=1-abc"
    assert described["stopDate"] >= described["startDate"]
    assert "error" not in described
    metadata = sfn.describe_execution(
        executionArn=started["executionArn"], includedData="METADATA_ONLY"
    )
    assert "input" not in metadata and "output" not in metadata
    assert metadata["inputDetails"] == {"included": False}


def test_start_without_input_or_name(sfn, create):
    started = sfn.start_execution(stateMachineArn=create(PASS_MACHINE))
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["input"] == "{}"
    assert len(described["name"]) == 36  # a UUID


def test_running_execution_has_no_stop_date(sfn, create):
    started = sfn.start_execution(stateMachineArn=create(WAIT_MACHINE))
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["status"] == "RUNNING"
    assert "stopDate" not in described and "output" not in described


def test_failed_execution_reports_error_and_cause(sfn, create):
    started = sfn.start_execution(stateMachineArn=create(FAIL_MACHINE))
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Bad",
        "why",
    )


def test_execution_names_are_unique(sfn, create):
    arn = create(WAIT_MACHINE)
    first = sfn.start_execution(stateMachineArn=arn, name="n", input="{}")
    # Same name and input while running: the same execution (idempotent, as AWS).
    again = sfn.start_execution(stateMachineArn=arn, name="n", input="{}")
    assert again["executionArn"] == first["executionArn"]
    with pytest.raises(ClientError) as exc:
        sfn.start_execution(stateMachineArn=arn, name="n", input='{"other": 1}')
    assert _code(exc) == "ExecutionAlreadyExists"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"input": "{not json"}, "InvalidExecutionInput"),
        ({"name": "bad name"}, "InvalidName"),
        ({"input": "x" * 262_145}, "ValidationException"),
    ],
)
def test_start_errors(sfn, create, kwargs, code):
    with pytest.raises(ClientError) as exc:
        sfn.start_execution(stateMachineArn=create(PASS_MACHINE), **kwargs)
    assert _code(exc) == code


def test_stop_execution(sfn, create):
    started = sfn.start_execution(stateMachineArn=create(WAIT_MACHINE))
    stopped = sfn.stop_execution(
        executionArn=started["executionArn"], error="Manual", cause="changed my mind"
    )
    assert isinstance(stopped["stopDate"], datetime)
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Manual",
        "changed my mind",
    )
    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    assert events[-1]["type"] == "ExecutionAborted"
    assert events[-1]["executionAbortedEventDetails"] == {
        "error": "Manual",
        "cause": "changed my mind",
    }
    # Stopping a finished execution changes nothing.
    sfn.stop_execution(executionArn=started["executionArn"])
    assert sfn.describe_execution(executionArn=started["executionArn"])["status"] == "ABORTED"


def test_start_sync_execution_on_express(sfn, create):
    arn = create(PASS_MACHINE, name="quick", type="EXPRESS")
    out = sfn.start_sync_execution(stateMachineArn=arn, input='{"a": 2}', name="s1")
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == {"a": 2, "r": {"greeting": "hi"}}
    assert out["input"] == '{"a": 2}'
    assert out["stateMachineArn"] == arn
    assert out["name"] == "s1"
    assert isinstance(out["stopDate"], datetime)
    failed = sfn.start_sync_execution(stateMachineArn=create(FAIL_MACHINE, "f", type="EXPRESS"))
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Bad", "why")
    assert "output" not in failed


def test_start_sync_execution_that_outlasts_the_wait_is_timed_out(sfn, create, settings):
    settings.DOCUFLOW_SFN_SYNC_TIMEOUT_SECONDS = 0.1
    out = sfn.start_sync_execution(stateMachineArn=create(WAIT_MACHINE, "slow", type="EXPRESS"))
    assert out["status"] == "TIMED_OUT"
    assert "output" not in out


def test_start_sync_execution_needs_express(sfn, create):
    with pytest.raises(ClientError) as exc:
        sfn.start_sync_execution(stateMachineArn=create(PASS_MACHINE))
    assert _code(exc) == "StateMachineTypeNotSupported"


def test_list_executions_filters_and_paginates(sfn, create):
    arn = create(WAIT_MACHINE)
    for index in range(5):
        sfn.start_execution(stateMachineArn=arn, name=f"e{index}")
    sfn.stop_execution(executionArn=arn.replace(":stateMachine:", ":execution:") + ":e2")
    everything = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert len(everything) == 5
    assert set(everything[0]) >= {"executionArn", "stateMachineArn", "name", "status", "startDate"}
    running = sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
    assert sorted(e["name"] for e in running) == ["e0", "e1", "e3", "e4"]
    aborted = sfn.list_executions(stateMachineArn=arn, statusFilter="ABORTED")["executions"]
    assert [e["name"] for e in aborted] == ["e2"]
    assert "stopDate" in aborted[0]
    names = []
    token = None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = sfn.list_executions(stateMachineArn=arn, maxResults=2, **kwargs)
        assert len(page["executions"]) <= 2
        names += [e["name"] for e in page["executions"]]
        token = page.get("nextToken")
        if not token:
            break
    assert sorted(names) == [f"e{i}" for i in range(5)]
    assert names == [e["name"] for e in everything]  # newest first, stable across pages
    first = sfn.list_executions(stateMachineArn=arn, maxResults=1)
    with pytest.raises(ClientError) as exc:  # a token is bound to its filters
        sfn.list_executions(
            stateMachineArn=arn, statusFilter="RUNNING", nextToken=first["nextToken"]
        )
    assert _code(exc) == "InvalidToken"
    pending = sfn.list_executions(stateMachineArn=arn, statusFilter="PENDING_REDRIVE")
    assert pending["executions"] == []


def test_list_executions_needs_a_machine(sfn):
    with pytest.raises(ClientError) as exc:
        sfn.list_executions()
    assert _code(exc) == "ValidationException"
    with pytest.raises(ClientError) as exc:
        sfn.list_executions(mapRunArn="arn:aws:states:eu-west-3:123456789012:mapRun:m/x:y")
    assert _code(exc) == "ResourceNotFound"


# --- History ----------------------------------------------------------------------------------


def test_history_has_aws_shape(sfn, create):
    started = sfn.start_execution(stateMachineArn=create(PASS_MACHINE), input='{"a": 1}')
    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert [e["id"] for e in events] == [1, 2, 3, 4]
    assert events[0]["previousEventId"] == 0
    assert isinstance(events[0]["timestamp"], datetime)
    started_details = events[0]["executionStartedEventDetails"]
    assert json.loads(started_details.pop("input")) == {"a": 1}
    assert started_details == {"inputDetails": {"truncated": False}, "roleArn": ROLE}
    assert events[1]["stateEnteredEventDetails"]["name"] == "Hello"
    assert json.loads(events[3]["executionSucceededEventDetails"]["output"])["r"] == {
        "greeting": "hi"
    }


def test_history_without_execution_data(sfn, create):
    started = sfn.start_execution(stateMachineArn=create(PASS_MACHINE), input='{"secret": 1}')
    events = sfn.get_execution_history(
        executionArn=started["executionArn"], includeExecutionData=False
    )["events"]
    assert events[0]["executionStartedEventDetails"] == {"roleArn": ROLE}
    assert events[1]["stateEnteredEventDetails"] == {"name": "Hello"}
    assert events[3]["executionSucceededEventDetails"] == {}
    assert "secret" not in json.dumps(events, default=str)


def test_history_pagination_and_reverse_order(sfn, create):
    started = sfn.start_execution(stateMachineArn=create(PASS_MACHINE))
    arn = started["executionArn"]
    first = sfn.get_execution_history(executionArn=arn, maxResults=3)
    assert [e["id"] for e in first["events"]] == [1, 2, 3]
    rest = sfn.get_execution_history(executionArn=arn, maxResults=3, nextToken=first["nextToken"])
    assert [e["id"] for e in rest["events"]] == [4]
    assert "nextToken" not in rest
    backwards = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=2)
    assert [e["id"] for e in backwards["events"]] == [4, 3]
    more = sfn.get_execution_history(
        executionArn=arn, reverseOrder=True, maxResults=2, nextToken=backwards["nextToken"]
    )
    assert [e["id"] for e in more["events"]] == [2, 1]
    with pytest.raises(ClientError) as exc:  # a forward token used backwards
        sfn.get_execution_history(executionArn=arn, reverseOrder=True, nextToken=first["nextToken"])
    assert _code(exc) == "InvalidToken"
    pages = sfn.get_paginator("get_execution_history").paginate(
        executionArn=arn, PaginationConfig={"PageSize": 1}
    )
    assert [e["id"] for page in pages for e in page["events"]] == [1, 2, 3, 4]


def test_other_tenants_execution_does_not_exist(sfn, sfn_for, outsider, create):
    started = sfn.start_execution(stateMachineArn=create(WAIT_MACHINE))
    theirs = sfn_for(outsider)
    arn = started["executionArn"]
    for call in (
        lambda: theirs.describe_execution(executionArn=arn),
        lambda: theirs.stop_execution(executionArn=arn),
        lambda: theirs.get_execution_history(executionArn=arn),
        lambda: theirs.describe_state_machine_for_execution(executionArn=arn),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert _code(exc) == "ExecutionDoesNotExist"
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"


def test_execution_arn_must_be_an_execution(sfn, create):
    with pytest.raises(ClientError) as exc:
        sfn.describe_execution(executionArn=create(PASS_MACHINE))
    assert _code(exc) == "InvalidArn"


# --- Callbacks --------------------------------------------------------------------------------


def test_callback_success(sfn, waiting_callback):
    execution_arn, token = waiting_callback
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    sfn.send_task_heartbeat(taskToken=token)
    sfn.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
    described = sfn.describe_execution(executionArn=execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"approved": True}
    types = [e["type"] for e in sfn.get_execution_history(executionArn=execution_arn)["events"]]
    assert types[-3:] == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    # The task is closed: a second answer (success, failure or heartbeat) is too late.
    for call in (
        lambda: sfn.send_task_success(taskToken=token, output="{}"),
        lambda: sfn.send_task_failure(taskToken=token),
        lambda: sfn.send_task_heartbeat(taskToken=token),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert _code(exc) == "TaskTimedOut"


def test_callback_failure(sfn, waiting_callback):
    execution_arn, token = waiting_callback
    sfn.send_task_failure(taskToken=token, error="Rejected", cause="not signed")
    described = sfn.describe_execution(executionArn=execution_arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Rejected",
        "not signed",
    )


def test_token_of_a_stopped_execution_is_timed_out(sfn, waiting_callback):
    execution_arn, token = waiting_callback
    sfn.stop_execution(executionArn=execution_arn)
    with pytest.raises(ClientError) as exc:
        sfn.send_task_success(taskToken=token, output="{}")
    assert _code(exc) == "TaskTimedOut"


def test_invalid_output(sfn, waiting_callback):
    _, token = waiting_callback
    with pytest.raises(ClientError) as exc:
        sfn.send_task_success(taskToken=token, output="{not json")
    assert _code(exc) == "InvalidOutput"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("short", "InvalidToken"),
        ("has spaces in it and is long enough to pass the length rule....", "InvalidToken"),
        ("A" * 64, "TaskDoesNotExist"),
    ],
)
def test_token_errors(sfn, db, token, code):
    for call in (
        lambda: sfn.send_task_success(taskToken=token, output="{}"),
        lambda: sfn.send_task_failure(taskToken=token, error="E"),
        lambda: sfn.send_task_heartbeat(taskToken=token),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert _code(exc) == code


def test_other_tenants_token_does_not_exist(sfn, sfn_for, outsider, waiting_callback):
    execution_arn, token = waiting_callback
    with pytest.raises(ClientError) as exc:
        sfn_for(outsider).send_task_success(taskToken=token, output="{}")
    assert _code(exc) == "TaskDoesNotExist"
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"


# --- Activities -------------------------------------------------------------------------------


@pytest.fixture
def short_poll(settings):
    settings.DOCUFLOW_SFN_ACTIVITY_WAIT_SECONDS = 0.2


def test_activity_lifecycle(sfn, tenant):
    created = sfn.create_activity(name="review")
    arn = created["activityArn"]
    assert arn == f"arn:aws:states:eu-west-3:{tenant.account_id}:activity:review"
    assert isinstance(created["creationDate"], datetime)
    assert sfn.create_activity(name="review")["activityArn"] == arn  # idempotent
    described = sfn.describe_activity(activityArn=arn)
    assert (described["activityArn"], described["name"]) == (arn, "review")
    for name in ("a", "b", "c"):
        sfn.create_activity(name=name)
    page = sfn.list_activities(maxResults=3)
    assert [a["name"] for a in page["activities"]] == ["a", "b", "c"]
    rest = sfn.list_activities(maxResults=3, nextToken=page["nextToken"])
    assert [a["name"] for a in rest["activities"]] == ["review"]
    assert "nextToken" not in rest
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(ClientError) as exc:
        sfn.describe_activity(activityArn=arn)
    assert _code(exc) == "ActivityDoesNotExist"
    sfn.delete_activity(activityArn=arn)  # deleting again succeeds


def test_activity_errors(sfn, sfn_for, outsider, short_poll):
    arn = sfn.create_activity(name="review")["activityArn"]
    theirs = sfn_for(outsider)
    for call in (
        lambda: theirs.describe_activity(activityArn=arn),
        lambda: theirs.get_activity_task(activityArn=arn),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert _code(exc) == "ActivityDoesNotExist"
    theirs.delete_activity(activityArn=arn)
    assert sfn.describe_activity(activityArn=arn)["name"] == "review"
    with pytest.raises(ClientError) as exc:
        sfn.create_activity(name="bad name")
    assert _code(exc) == "InvalidName"
    with pytest.raises(ClientError) as exc:
        sfn.describe_activity(activityArn="arn:aws:states:eu-west-3:1:stateMachine:x")
    assert _code(exc) == "InvalidArn"


def test_activity_task_round_trip(sfn, create, short_poll):
    activity = sfn.create_activity(name="review")["activityArn"]
    assert sfn.get_activity_task(activityArn=activity, workerName="w1").get("taskToken") is None
    arn = create(activity_machine(activity), name="with-activity")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"doc": 7}')["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="w1")
    assert json.loads(task["input"]) == {"doc": 7}
    # Handed out once: the next poll finds nothing.
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity)
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output='{"done": true}')
    described = sfn.describe_execution(executionArn=execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"done": True}
