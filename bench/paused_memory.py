"""100,000 executions paused on task tokens: memory and threads of server and worker.

A live ``docuflow serve --no-worker`` and a separate ``docuflow worker`` share one
database. N executions of a ``lambda:invoke.waitForTaskToken`` task are started through
boto3; the worker runs each one's submit call, and then every execution waits for its
callback. Resident memory and thread counts of both processes are read from /proc
before and after. A paused execution is a database row, so neither should grow with N.

    .venv/bin/python bench/paused_memory.py [--executions N] [--clients C]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from _live import DOCUFLOW, live_server, rss_kib, threads  # noqa: E402

DEFINITION = {
    "StartAt": "Wait for approval",
    "States": {
        "Wait for approval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "docuflow-echo",
                "Payload": {"token.$": "$$.Task.Token"},
            },
            "End": True,
        }
    },
}


def snapshot(label: str, pid: int) -> tuple[int, int]:
    return rss_kib(pid), threads(pid)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with live_server(worker=False) as server:
        worker = subprocess.Popen([*DOCUFLOW, "worker"], env=server.env)
        try:
            time.sleep(3)
            client = server.client()
            arn = client.create_state_machine(
                name="paused", definition=json.dumps(DEFINITION), roleArn="arn:aws:iam::1:role/b"
            )["stateMachineArn"]
            client.start_execution(stateMachineArn=arn)  # warm both processes up
            time.sleep(2)
            before = {"server": snapshot("server", server.process.pid),
                      "worker": snapshot("worker", worker.pid)}  # fmt: skip
            clients = [server.client() for _ in range(args.clients)]
            begin = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                list(pool.map(lambda i: clients[i % args.clients].start_execution(
                    stateMachineArn=arn), range(args.executions)))  # fmt: skip
            started = time.perf_counter() - begin
            # Wait until the worker has submitted every task (all are then paused).
            run = subprocess.run(
                [*DOCUFLOW, "shell", "-c",
                 "from docuflow.engine.models import WorkItem; print(WorkItem.objects.count())"],
                env=server.env, capture_output=True, text=True,
            )  # fmt: skip
            while int(run.stdout.strip().splitlines()[-1]) > 0:
                time.sleep(2)
                run = subprocess.run(run.args, env=server.env, capture_output=True, text=True)
            after = {"server": snapshot("server", server.process.pid),
                     "worker": snapshot("worker", worker.pid)}  # fmt: skip
        finally:
            worker.terminate()
            worker.wait(10)
    print(f"started {args.executions} paused executions in {started:.0f} s "
          f"({args.executions / started:.0f}/s through boto3)")  # fmt: skip
    for name in ("server", "worker"):
        (rss0, t0), (rss1, t1) = before[name], after[name]
        print(
            f"{name}: RSS {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MiB "
            f"(growth {(rss1 - rss0) / 1024:+.1f} MiB, goal <= 64), threads {t0} -> {t1}"
        )


if __name__ == "__main__":
    main()
