import json
from datetime import UTC, datetime, timedelta

import pytest

from docuflow.engine import clock, services
from docuflow.engine.models import Execution
from docuflow.engine.worker import Worker

ECHO = "arn:aws:lambda:us-east-1:123456789012:function:docuflow-echo"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def fake_clock():
    fake = FakeClock()
    clock.set_source(fake)
    yield fake
    clock.set_source(None)


@pytest.fixture
def machine(tenant):
    """``machine(definition_dict, name=…)`` creates a state machine in ``tenant``."""

    def make(definition: dict, name: str = "test-machine", **kwargs):
        return services.create_state_machine(
            tenant, name, json.dumps(definition), "arn:aws:iam::123456789012:role/x", **kwargs
        )

    return make


def drain(worker: Worker | None = None, rounds: int = 50) -> None:
    """Run the worker until it finds nothing due."""
    worker = worker or Worker()
    for _ in range(rounds):
        if worker.run_once() == 0:
            return


def reload(execution: Execution) -> Execution:
    execution.refresh_from_db()
    return execution


def event_types(execution: Execution) -> list[str]:
    return list(execution.events.order_by("event_id").values_list("type", flat=True))
