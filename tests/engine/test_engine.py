"""The durable engine: transitions, tasks, callbacks, timers, stops, exactly-once."""

import json
import threading

import pytest
from django.db import connection

from docuflow.engine import errors, services, transitions
from docuflow.engine.models import Execution, HistoryEvent, TaskToken, WorkItem
from docuflow.engine.resources import TaskError, register_function
from docuflow.engine.worker import Worker
from tests.engine.conftest import ECHO, drain, event_types, reload

pytestmark = pytest.mark.django_db(transaction=True)

FIVE_STATES = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Result": {"n": 3, "who": "world"}, "Next": "Greet"},
        "Greet": {
            "Type": "Pass",
            "Parameters": {"n.$": "$.n", "msg.$": "States.Format('hello {}', $.who)"},
            "Next": "Big?",
        },
        "Big?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 2, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "Next": "Done"},
        "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}

CALLBACK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "docuflow-echo",
                "Payload": {"token.$": "$$.Task.Token"},
            },
            "ResultPath": "$.answer",
            "HeartbeatSeconds": 60,
            "TimeoutSeconds": 3600,
            "End": True,
        }
    },
}


def only_token(execution) -> TaskToken:
    return TaskToken.objects.get(execution=execution)


def test_a_pure_machine_runs_to_completion_at_start(machine):
    execution = services.start_execution(machine(FIVE_STATES), '{"x": 1}', "run-1")
    execution = reload(execution)
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {"n": 3, "msg": "hello world", "size": "big"}
    types = event_types(execution)
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert types.count("PassStateEntered") == 3 and "ChoiceStateEntered" in types
    ids = list(execution.events.order_by("event_id").values_list("event_id", flat=True))
    assert ids == list(range(1, len(ids) + 1))
    assert execution.current_state == ""
    assert not WorkItem.objects.exists()


def test_names_inputs_and_arns(machine, tenant):
    sm = machine(FIVE_STATES)
    assert sm.arn == f"arn:aws:states:us-east-1:{tenant.account_id}:stateMachine:test-machine"
    execution = services.start_execution(sm, "{}", "named")
    assert execution.arn.endswith(f":{tenant.account_id}:execution:test-machine:named")
    with pytest.raises(errors.ExecutionAlreadyExists):
        services.start_execution(sm, '{"other": 1}', "named")
    for bad in ("has space", "a" * 81, "semi;colon", ""):
        with pytest.raises(errors.InvalidName):
            services.start_execution(sm, "{}", bad)
    for bad_input in ("{not json", "x" * 300_000, 5):
        with pytest.raises(errors.InvalidExecutionInput):
            services.start_execution(sm, bad_input)
    assert Execution.objects.count() == 1


def test_invalid_definitions_list_every_problem(machine):
    bad = {"StartAt": "Nope", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}
    with pytest.raises(errors.InvalidDefinition) as caught:
        machine(bad)
    assert "/StartAt" in caught.value.message and "/States/A/Next" in caught.value.message


def test_same_machine_twice_is_idempotent_but_a_different_one_conflicts(machine):
    first = machine(FIVE_STATES)
    assert machine(FIVE_STATES).pk == first.pk
    with pytest.raises(errors.StateMachineAlreadyExists):
        machine(CALLBACK)


def test_tasks_run_in_the_worker_and_report_back(machine):
    calls = []

    def count(payload, ctx):
        calls.append(ctx.idempotency_key)
        return {"seen": payload, "attempt": ctx.attempt}

    register_function("count-calls", count)
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:count-calls",
                "End": True,
            }
        },
    }
    execution = services.start_execution(machine(definition), '{"a": 1}')
    assert reload(execution).status == "RUNNING"
    assert reload(execution).current_state == "Call"
    drain()
    execution = reload(execution)
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == {"seen": {"a": 1}, "attempt": 1}
    assert len(calls) == 1 and calls[0].endswith("#1")


def test_handler_errors_are_retried_then_caught(machine, fake_clock):
    attempts = []

    def flaky(payload, ctx):
        attempts.append(ctx.attempt)
        raise TaskError("Custom.Flaky", f"attempt {ctx.attempt}")

    register_function("flaky", flaky)
    definition = {
        "StartAt": "Try",
        "States": {
            "Try": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
                "Retry": [
                    {"ErrorEquals": ["Custom.Flaky"], "IntervalSeconds": 10, "MaxAttempts": 2}
                ],
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Recover"}
                ],
                "End": True,
            },
            "Recover": {"Type": "Pass", "End": True},
        },
    }
    execution = services.start_execution(machine(definition), "{}")
    drain()
    assert attempts == [1]
    fake_clock.advance(10)  # first back-off
    drain()
    assert attempts == [1, 2]
    fake_clock.advance(20)  # BackoffRate 2.0 by default
    drain()
    execution = reload(execution)
    assert attempts == [1, 2, 3]
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output)["err"] == {"Error": "Custom.Flaky", "Cause": "attempt 3"}


def test_an_unknown_resource_fails_the_task_not_the_worker(machine):
    definition = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::nosuch:thing", "End": True}},
    }
    execution = services.start_execution(machine(definition), "{}")
    drain()
    execution = reload(execution)
    assert execution.status == "FAILED"
    assert execution.error == "DocuFlow.ResourceNotFound"


def test_callback_success_resumes_and_the_token_is_single_use(machine, tenant):
    execution = services.start_execution(machine(CALLBACK), '{"q": 1}')
    drain()
    token = only_token(execution)
    assert token.status == "OPEN" and len(token.token) >= 64
    assert "TaskSubmitted" in event_types(execution)

    services.send_task_success(tenant, token.token, '{"decision": "APPROVED"}')
    execution = reload(execution)
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output)["answer"] == {"decision": "APPROVED"}
    with pytest.raises(errors.TaskTimedOut):
        services.send_task_success(tenant, token.token, "{}")
    with pytest.raises(errors.TaskTimedOut):
        services.send_task_failure(tenant, token.token, "E", "c")


def test_callback_errors_have_aws_names(machine, tenant, other_tenant):
    execution = services.start_execution(machine(CALLBACK), "{}")
    drain()
    token = only_token(execution).token
    with pytest.raises(errors.InvalidToken):
        services.send_task_success(tenant, "not a token!", "{}")
    with pytest.raises(errors.TaskDoesNotExist):
        services.send_task_success(tenant, "A" * 64, "{}")
    with pytest.raises(errors.TaskDoesNotExist):  # another tenant's token does not exist
        services.send_task_success(other_tenant, token, "{}")
    with pytest.raises(errors.InvalidOutput):
        services.send_task_success(tenant, token, "{bad json")
    assert reload(execution).status == "RUNNING"


def test_callback_failure_fails_the_execution(machine, tenant):
    execution = services.start_execution(machine(CALLBACK), "{}")
    drain()
    services.send_task_failure(tenant, only_token(execution).token, "Rejected", "no budget")
    execution = reload(execution)
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "Rejected",
        "no budget",
    )


def test_heartbeat_timeout_is_states_timeout_and_closes_the_token(machine, tenant, fake_clock):
    execution = services.start_execution(machine(CALLBACK), "{}")
    drain()
    token = only_token(execution).token
    fake_clock.advance(50)
    services.send_task_heartbeat(tenant, token)
    fake_clock.advance(50)  # 100 s after start but only 50 s after the heartbeat
    drain()
    assert reload(execution).status == "RUNNING"
    fake_clock.advance(11)
    drain()
    execution = reload(execution)
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert only_token(execution).status == "CLOSED"
    with pytest.raises(errors.TaskTimedOut):
        services.send_task_success(tenant, token, "{}")


def test_wait_state_fires_on_the_clock(machine, fake_clock):
    definition = {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": 86400, "Next": "Up"},
            "Up": {"Type": "Succeed"},
        },
    }
    execution = services.start_execution(machine(definition), "{}")
    drain()
    assert reload(execution).status == "RUNNING"
    timer = WorkItem.objects.get(execution=execution)
    assert timer.kind == "TIMER"
    fake_clock.advance(86399)
    drain()
    assert reload(execution).status == "RUNNING"
    fake_clock.advance(1)
    drain()
    assert reload(execution).status == "SUCCEEDED"


def test_stop_aborts_closes_tokens_and_drops_work(machine, tenant):
    execution = services.start_execution(machine(CALLBACK), "{}")
    drain()
    token = only_token(execution).token
    services.stop_execution(execution, "Operator", "changed my mind")
    execution = reload(execution)
    assert (execution.status, execution.error) == ("ABORTED", "Operator")
    assert event_types(execution)[-1] == "ExecutionAborted"
    assert not WorkItem.objects.filter(execution=execution).exists()
    with pytest.raises(errors.TaskTimedOut):
        services.send_task_success(tenant, token, "{}")


def test_a_work_item_is_consumed_once(machine):
    definition = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": ECHO, "End": True}},
    }
    execution = services.start_execution(machine(definition), '{"v": 1}')
    item = WorkItem.objects.get()
    from docuflow.asl.interpreter import TaskSucceeded

    assert transitions.apply(execution.pk, TaskSucceeded(item.key, {"v": 1}), consume_work=item.pk)
    # A second worker whose lease had expired delivers the same result: ignored.
    assert not transitions.apply(
        execution.pk, TaskSucceeded(item.key, {"v": 2}), consume_work=item.pk
    )
    execution = reload(execution)
    assert json.loads(execution.output) == {"v": 1}
    assert event_types(execution).count("LambdaFunctionSucceeded") == 1


def test_expired_lease_is_taken_over(machine, fake_clock):
    definition = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": ECHO, "End": True}},
    }
    execution = services.start_execution(machine(definition), "{}")
    dead = Worker(name="dead-worker")
    assert len(dead.claim()) == 1  # claims, then "dies" without processing
    assert Worker(name="other").run_once() == 0  # leased: nobody else takes it
    fake_clock.advance(21)
    assert Worker(name="other").run_once() == 1
    assert reload(execution).status == "SUCCEEDED"


def test_updating_a_machine_keeps_running_executions_on_their_revision(machine):
    sm = machine(CALLBACK)
    execution = services.start_execution(sm, "{}")
    services.update_state_machine(sm, definition=json.dumps(FIVE_STATES))
    assert reload(execution).revision_id != sm.revision_id
    assert services.start_execution(sm, "{}").status == "SUCCEEDED"


def test_concurrent_callbacks_with_one_token_have_one_winner(machine, tenant):
    execution = services.start_execution(machine(CALLBACK), "{}")
    drain()
    token = only_token(execution).token
    outcomes = []
    barrier = threading.Barrier(20)

    def answer(i):
        barrier.wait()
        try:
            services.send_task_success(tenant, token, json.dumps({"winner": i}))
            outcomes.append("won")
        except errors.TaskTimedOut:
            outcomes.append("late")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1 and outcomes.count("late") == 19
    execution = reload(execution)
    assert execution.status == "SUCCEEDED"
    assert HistoryEvent.objects.filter(execution=execution, type="TaskSucceeded").count() == 1


def test_hot_path_inserts_adapt_values_as_the_orm_does(machine):
    """``transitions._prepared`` takes shortcuts; what reaches the driver must not change."""

    def plain(values):  # psycopg's Jsonb wrapper compares by identity: compare its value
        return [getattr(v, "obj", v) for v in values]

    from datetime import UTC, datetime

    execution = services.start_execution(
        machine({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    )
    moment = datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=UTC)
    rows = [
        [execution.pk, 1, 0, "ExecutionStarted", moment, {"input": "{}", "n": [1, 2.5, None]}],
        [execution.pk, 2, 1, Execution.Status.RUNNING, moment, None],
        [execution.pk, True, 2, "PassStateEntered", datetime(2026, 3, 4, tzinfo=UTC), {}],
    ]
    fields = transitions._HISTORY_FIELDS
    expected = [
        f.get_db_prep_save(v, connection) for row in rows for f, v in zip(fields, row, strict=True)
    ]
    kinds = [transitions._value_kind(f) for f in fields]
    assert plain(transitions._prepared(fields, kinds, rows, connection)) == plain(expected)
    execution_row = [[getattr(execution, f.attname) for f in transitions._EXECUTION_FIELDS]]
    fields = transitions._EXECUTION_FIELDS
    kinds = [transitions._value_kind(f) for f in fields]
    assert plain(transitions._prepared(fields, kinds, execution_row, connection)) == plain(
        [f.get_db_prep_save(getattr(execution, f.attname), connection) for f in fields]
    )


def test_long_histories_are_written_in_few_statements(machine):
    """At most 50 parameters a statement on PostgreSQL (psycopg caches only those), up to
    SQLite's 999 on SQLite."""
    from django.test.utils import CaptureQueriesContext

    passes = {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(30)}
    passes["P30"] = {"Type": "Succeed"}
    definition = machine({"StartAt": "P0", "States": passes})
    with CaptureQueriesContext(connection) as queries:
        execution = services.start_execution(definition)
    events = HistoryEvent.objects.filter(execution=execution).order_by("event_id")
    assert [e.event_id for e in events] == list(range(1, 65))
    assert events.last().type == "ExecutionSucceeded"
    table = HistoryEvent._meta.db_table
    inserts = [q for q in queries.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')]
    if connection.vendor == "postgresql":
        assert len(inserts) == 8  # 64 events of 6 columns: 8 rows (48 parameters) a statement
    else:
        assert len(inserts) == 1  # 384 parameters


def test_a_worker_loop_keeps_its_database_connection():
    """Requests reconnect (CONN_MAX_AGE 0); a worker's pass does not, until its age is up."""
    from docuflow.engine import worker

    def run():
        worker._refresh_connections()
        connection.ensure_connection()
        first = connection.connection
        worker._refresh_connections()
        connection.ensure_connection()
        kept = connection.connection is first
        connection.close_at -= worker.CONNECTION_SECONDS + 1  # as if a minute had passed
        worker._refresh_connections()
        closed = connection.connection is None
        connection.close()
        return kept, closed

    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(run()))
    thread.start()
    thread.join(10)
    assert outcome == [(True, True)]
