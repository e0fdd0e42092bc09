"""Executions per second of a 5-state JSONata machine beside the same machine in JSONPath.

    .venv/bin/python bench/asl_jsonata.py [--quick]

Both machines do the same work: Pass (build the data) -> Pass (format a message) ->
Choice -> Pass (add a field) -> Succeed, and end with the same output, which is checked
before timing. Each execution is one ``step(machine, None, StartExecution(...))`` call
with its full history, in-process. Prints both rates and JSONata's cost as a ratio.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from docuflow.asl.definition import parse_definition  # noqa: E402
from docuflow.asl.interpreter import StartExecution, step  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from asl_throughput import FIVE_STATES as JSONPATH  # noqa: E402  (the same 5-state machine)

JSONATA = {
    "QueryLanguage": "JSONata",
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Output": {"customer": "ada", "amount": 42}, "Next": "Format"},
        "Format": {
            "Type": "Pass",
            "Output": {
                "customer": "{% $states.input.customer %}",
                "amount": "{% $states.input.amount %}",
                "message": "{% 'Hello ' & $states.input.customer & ', you owe ' "
                "& $states.input.amount %}",
            },
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.amount > 10 %}", "Next": "Big"}],
            "Default": "Big",
        },
        "Big": {
            "Type": "Pass",
            "Output": "{% $merge([$states.input, {'size': 'big'}]) %}",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}


def run(definition: dict, count: int) -> tuple[float, object]:
    machine = parse_definition(definition)
    rng = random.Random(0)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    output = None
    began = time.perf_counter()
    for index in range(count):
        start = StartExecution({}, f"arn:exec:{index}", f"e{index}", "arn:sm", "sm")
        result = step(machine, None, start, now, rng)
        output = result.state["output"]
    return count / (time.perf_counter() - began), output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer executions")
    args = parser.parse_args(argv)
    count = 300 if args.quick else 3000
    _, expected = run(JSONPATH, 1)
    _, got = run(JSONATA, 1)
    if got != expected:
        print(f"outputs differ: JSONPath {expected!r} vs JSONata {got!r}", file=sys.stderr)
        return 1
    jsonpath_rate, _ = run(JSONPATH, count)
    jsonata_rate, _ = run(JSONATA, count)
    print(f"{'machine (5 states)':22} {'exec/s':>10}")
    print(f"{'JSONPath':22} {jsonpath_rate:10.0f}")
    print(f"{'JSONata':22} {jsonata_rate:10.0f}")
    print(f"JSONata / JSONPath: {jsonata_rate / jsonpath_rate:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
