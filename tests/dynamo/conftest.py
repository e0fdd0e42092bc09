"""Helpers to run state machines that use the dynamodb:* integrations through the engine."""

from __future__ import annotations

import json

import pytest

from docuflow.engine import services as engine
from docuflow.engine.models import Execution, HistoryEvent
from docuflow.engine.worker import Worker


def run_until_idle(limit: int = 50) -> None:
    worker = Worker(name="dynamo-tests")
    for _ in range(limit):
        if worker.run_once() == 0:
            return
    raise AssertionError("the worker still had work after many rounds")


def task_machine(tenant, action: str, parameters: dict, name: str = "task") -> object:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": f"arn:aws:states:::dynamodb:{action}",
                "Parameters": parameters,
                "End": True,
            }
        },
    }
    return engine.create_state_machine(tenant, name, json.dumps(definition))


def failure(execution: Execution) -> tuple[str, str]:
    execution.refresh_from_db()
    assert execution.status == Execution.Status.FAILED, execution.output
    return execution.error, execution.cause


def output(execution: Execution):
    execution.refresh_from_db()
    assert execution.status == Execution.Status.SUCCEEDED, (execution.error, execution.cause)
    return json.loads(execution.output)


def history_types(execution: Execution) -> list[str]:
    return list(
        HistoryEvent.objects.filter(execution=execution)
        .order_by("event_id")
        .values_list("type", flat=True)
    )


@pytest.fixture
def call(tenant):
    """``call(action, params)`` runs one dynamodb:<action> Task through the engine."""
    counter = iter(range(10_000))

    def run(action: str, parameters: dict, *, expect_failure: bool = False):
        machine = task_machine(tenant, action, parameters, name=f"call-{next(counter)}")
        execution = engine.start_execution(machine, "{}")
        run_until_idle()
        return failure(execution) if expect_failure else output(execution)

    return run
