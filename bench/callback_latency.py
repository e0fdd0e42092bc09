"""Callback latency: SendTaskSuccess to the next state's history event committed.

An activity task waits for its callback; a worker thread takes it with GetActivityTask
and answers with SendTaskSuccess through boto3 against a live ``docuflow serve``. The
latency is measured from the moment SendTaskSuccess is sent to the timestamp of the
next state's ``PassStateEntered`` event (same machine, same clock), and we check that
the event is already committed when SendTaskSuccess returns.

    .venv/bin/python bench/callback_latency.py [--callbacks N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _live import live_server, percentile, postgres_url  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/bench"


def measure(server, callbacks: int) -> tuple[list[float], list[float], int]:
    client = server.client()
    activity = client.create_activity(name=f"approve-{time.time_ns()}")["activityArn"]
    definition = {
        "StartAt": "Wait for approval",
        "States": {
            "Wait for approval": {"Type": "Task", "Resource": activity, "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
    }
    machine = client.create_state_machine(
        name=f"callback-{time.time_ns()}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    latencies, round_trips, committed_on_return = [], [], 0
    for i in range(callbacks):
        execution = client.start_execution(stateMachineArn=machine, input=json.dumps({"i": i}))
        task = client.get_activity_task(activityArn=activity, workerName="bench")
        sent = time.time()
        client.send_task_success(taskToken=task["taskToken"], output='{"ok": true}')
        returned = time.time()
        events = client.get_execution_history(
            executionArn=execution["executionArn"], reverseOrder=True, maxResults=10
        )["events"]
        entered = [e for e in events if e["type"] == "PassStateEntered"]
        if entered:
            committed_on_return += 1
            latencies.append((entered[0]["timestamp"].timestamp() - sent) * 1000)
        round_trips.append((returned - sent) * 1000)
    return latencies, round_trips, committed_on_return


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--callbacks", type=int, default=500)
    args = parser.parse_args()
    backends = [("SQLite", "")]
    pg = postgres_url("docuflow_bench_callback")
    if pg:
        backends.append(("PostgreSQL", pg))
    for label, url in backends:
        with live_server(url) as server:
            latencies, round_trips, committed = measure(server, args.callbacks)
        print(
            f"{label:<10} callbacks={args.callbacks}: next state committed before "
            f"SendTaskSuccess returned in {committed}/{args.callbacks}; "
            f"send->commit p50 {percentile(latencies, 50):.1f} ms, "
            f"p99 {percentile(latencies, 99):.1f} ms (goal p99 <= 50 ms); "
            f"SendTaskSuccess round trip p50 {percentile(round_trips, 50):.1f} ms, "
            f"p99 {percentile(round_trips, 99):.1f} ms"
        )


if __name__ == "__main__":
    main()
