"""Durable throughput through the Step Functions API with boto3, beside moto's engine.

The 5-state machine of the ASL benchmark (Pass → Pass with States.Format → Choice →
Pass → Succeed) is started N times through boto3 against a live ``docuflow serve``, on
SQLite and (when a server answers locally) PostgreSQL, and N times against moto's
Step Functions engine through boto3, in the same run. Every DocuFlow execution is
durable: it is committed with its history before StartExecution returns.

    .venv/bin/python bench/engine_throughput.py [--executions N] [--clients C] [--http-workers W]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from _live import live_server, postgres_url  # noqa: E402

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
            "Default": "Done",
        },
        "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
STATES_PER_EXECUTION = 5
ROLE = "arn:aws:iam::123456789012:role/bench"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of the server and its live child processes (the
    HTTP workers of ``--http-workers N``, the embedded engine worker), all threads."""
    ticks, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:  # ended meanwhile
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def run_docuflow(server, executions: int, clients: int) -> tuple[float, float, int]:
    """Executions/s, the server's CPU ms per StartExecution, and how many of 50 succeeded."""
    client_factory = server.client
    client = client_factory()
    arn = client.create_state_machine(
        name=f"five-{time.time_ns()}", definition=json.dumps(FIVE_STATES), roleArn=ROLE
    )["stateMachineArn"]
    local = [client_factory() for _ in range(clients)]

    def start(i: int) -> str:
        client = local[i % clients]
        return client.start_execution(stateMachineArn=arn, input=json.dumps({"i": i}))[
            "executionArn"
        ]

    begin, cpu = time.perf_counter(), cpu_seconds(server.process.pid)
    with ThreadPoolExecutor(clients) as pool:
        arns = list(pool.map(start, range(executions)))
    elapsed = time.perf_counter() - begin
    cpu_ms = (cpu_seconds(server.process.pid) - cpu) * 1000 / executions
    succeeded = sum(
        client.describe_execution(executionArn=a)["status"] == "SUCCEEDED" for a in arns[:50]
    )
    return executions / elapsed, cpu_ms, succeeded


def run_moto(executions: int) -> float:
    import boto3
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        arn = client.create_state_machine(
            name="five", definition=json.dumps(FIVE_STATES), roleArn=ROLE
        )["stateMachineArn"]
        begin = time.perf_counter()
        arns = [
            client.start_execution(stateMachineArn=arn, name=f"e{i}", input=json.dumps({"i": i}))[
                "executionArn"
            ]
            for i in range(executions)
        ]
        for execution_arn in arns:
            while client.describe_execution(executionArn=execution_arn)["status"] == "RUNNING":
                time.sleep(0.005)
        return executions / (time.perf_counter() - begin)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=2000)
    parser.add_argument("--moto-executions", type=int, default=200)
    # Enough calls in flight for the server's group commit to batch them (8 beat 4 and 16 here).
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--http-workers", type=int, default=1, help="docuflow serve --workers")
    args = parser.parse_args()

    moto_rate = run_moto(args.moto_executions)
    print(f"moto (boto3, in-process engine): {moto_rate:8.1f} executions/s")
    backends = [("SQLite", "")]
    pg = postgres_url("docuflow_bench")
    if pg:
        backends.append(("PostgreSQL", pg))
    for label, url in backends:
        env = {"DOCUFLOW_HTTP_WORKERS": str(args.http_workers)}
        with live_server(url, extra_env=env) as server:
            rate, cpu_ms, ok = run_docuflow(server, args.executions, args.clients)
        print(
            f"DocuFlow {label:<10} (boto3, live server, {args.http_workers} HTTP worker(s)): "
            f"{rate:8.1f} executions/s = "
            f"{rate * STATES_PER_EXECUTION:8.0f} committed state transitions/s; "
            f"{ok}/50 sampled SUCCEEDED; {rate / moto_rate:6.1f}x moto "
            f"(goals: 10x moto, 2000 transitions/s); "
            f"server CPU {cpu_ms:.2f} ms per StartExecution; "
            f"load average {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
