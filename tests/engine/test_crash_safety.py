"""Kill workers at random moments: nothing is lost and nothing happens twice.

These tests run real ``docuflow worker`` processes against the test database (a file
on SQLite, the test database on PostgreSQL) and SIGKILL them mid-flight.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection

from docuflow.engine import services
from docuflow.engine.models import Execution, WorkItem

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live, pytest.mark.slow]

ECHO = "arn:aws:lambda:us-east-1:123456789012:function:docuflow-echo"
# Two handler calls and a timer per execution: every kind of work a worker holds.
DEFINITION = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Task", "Resource": ECHO, "ResultPath": "$.first", "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Second"},
        "Second": {"Type": "Task", "Resource": ECHO, "ResultPath": "$.second", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
EXPECTED_TYPES = [
    "ExecutionStarted",
    "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
    "LambdaFunctionSucceeded", "TaskStateExited",
    "WaitStateEntered", "WaitStateExited",
    "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
    "LambdaFunctionSucceeded", "TaskStateExited",
    "SucceedStateEntered", "SucceedStateExited",
    "ExecutionSucceeded",
]  # fmt: skip


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def _start_worker(tmp_path, index: int = 0) -> subprocess.Popen:
    """Start a worker and wait until it works (start-up is slow on a loaded machine)."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DOCUFLOW_DATA_DIR": str(tmp_path),
        "DOCUFLOW_WORKER_LEASE_SECONDS": "2",
        "DOCUFLOW_WORKER_POLL_SECONDS": "0.05",
        "DOCUFLOW_WORKER_THREADS": "2",
        "LOG_LEVEL": "INFO",
    }
    log = tmp_path / f"worker-{index}-{time.monotonic_ns()}.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "docuflow.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    deadline = time.monotonic() + 60
    while b" started" not in log.read_bytes():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "worker did not start"
        time.sleep(0.05)
    return process


ONE_TASK = {"StartAt": "Only", "States": {"Only": {"Type": "Task", "Resource": ECHO, "End": True}}}
ONE_TASK_TYPES = [
    "ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
    "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded",
]  # fmt: skip


def _start_executions(machine, count: int, definition: dict = DEFINITION) -> list[str]:
    sm = machine(definition, name="crash-test")
    return [services.start_execution(sm, json.dumps({"i": i}), f"run-{i}").pk for i in range(count)]


def _running() -> int:
    return Execution.objects.filter(status="RUNNING").count()


def _assert_every_history_is_whole(ids, expected_types=EXPECTED_TYPES) -> None:
    executions = Execution.objects.filter(pk__in=ids)
    assert Counter(e.status for e in executions) == {"SUCCEEDED": len(ids)}
    for execution in executions:
        events = list(execution.events.order_by("event_id").values_list("event_id", "type"))
        assert [event_id for event_id, _ in events] == list(range(1, len(events) + 1))
        assert [kind for _, kind in events] == expected_types, execution.name
        output = json.loads(execution.output)
        if expected_types is EXPECTED_TYPES:
            assert output["i"] == output["first"]["i"] == output["second"]["i"]
    assert not WorkItem.objects.exists()


def test_sigkilled_worker_loses_nothing_and_repeats_nothing(machine, tmp_path):
    ids = _start_executions(machine, 200)
    rng = random.Random(7)
    kills = 0
    deadline = time.monotonic() + 240
    while kills < 6 and _running() and time.monotonic() < deadline:
        worker = _start_worker(tmp_path)
        time.sleep(rng.uniform(0.2, 1.0))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
    # A last worker that is allowed to finish the leftovers.
    worker = _start_worker(tmp_path)
    try:
        while _running() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert kills >= 3
    _assert_every_history_is_whole(ids)


@pytest.mark.skipif(
    "not os.environ.get('DATABASE_URL', '').startswith('postgres')",
    reason="four workers racing with SKIP LOCKED is the PostgreSQL scale-out path",
)
def test_four_workers_race_over_two_thousand_executions(machine, tmp_path):
    ids = _start_executions(machine, 2000, ONE_TASK)
    workers = [_start_worker(tmp_path, index) for index in range(4)]
    try:
        deadline = time.monotonic() + 300
        while _running() and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
    _assert_every_history_is_whole(ids, ONE_TASK_TYPES)
