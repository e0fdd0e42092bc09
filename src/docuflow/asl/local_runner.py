"""``docuflow sfn execute``: run a state machine in-process on a simulated clock.

::

    docuflow sfn execute DEFINITION.json [--input JSON|@file] [--mock FILE --test-case NAME]
                         [--history] [--sub NAME=VALUE ...]

The imperative shell around :func:`docuflow.asl.interpreter.step`: it answers InvokeTask
commands from the mock file (Step Functions Local's format) or the built-in resources,
and fires timers by jumping the simulated clock, so a one-day Wait returns at once.

Prints ``{"status", "output" | "error"/"cause", "history"?}``: ``status`` as
DescribeExecution reports it, ``output`` as a JSON value, ``history`` as
GetExecutionHistory's events (ISO 8601 timestamps). Exit status 0 whenever the execution
ran, whatever its outcome; 2 for an unusable definition, input or mock file.

Built-in resources (used for states the test case does not mock): the Lambda function
``docuflow-echo`` returns its payload — through ``arn:aws:states:::lambda:invoke`` in the
shape Lambda's Invoke integration returns, or directly as a function ARN. Any other
resource fails its task with an error naming the state to mock.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .definition import parse_definition
from .errors import InvalidDefinition
from .history import to_api
from .interpreter import InvokeTask, TaskFailed, TaskSubmitted, TaskSucceeded
from .mock_config import MockConfigError, TestCase, load_test_case
from .simulate import simulate

__all__ = ["ECHO_FUNCTION", "main", "run_execution"]

ECHO_FUNCTION = "docuflow-echo"
ACCOUNT = "123456789012"
REGION = "us-east-1"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")


class UsageError(Exception):
    pass


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="docuflow sfn", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    execute = commands.add_parser("execute", help="run a definition locally")
    execute.add_argument("definition", help="path of the ASL definition (JSON)")
    execute.add_argument("--input", default="{}", help="execution input: JSON text or @file")
    execute.add_argument("--mock", help="Step Functions Local mock configuration file")
    execute.add_argument("--test-case", help="test case of the mock file to use")
    execute.add_argument("--history", action="store_true", help="include the event history")
    execute.add_argument(
        "--sub",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="replace ${NAME} in the definition (like DefinitionSubstitutions)",
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the reason
        return int(exc.code or 0) if exc.code in (0, None) else 2
    try:
        definition_text = _read(args.definition, "definition")
        definition_text = _substitute(definition_text, args.sub)
        machine = parse_definition(definition_text)
        execution_input = _parse_input(args.input)
        test_case = None
        if args.mock:
            config = _load_json(_read(args.mock, "mock file"), "mock file")
            test_case = load_test_case(config, args.test_case, Path(args.definition).stem)
    except InvalidDefinition as exc:
        print(f"error: invalid definition {args.definition}:", file=sys.stderr)
        for problem in exc.diagnostics:
            print(f"  {problem.location or '/'}: {problem.message}", file=sys.stderr)
        return 2
    except (UsageError, MockConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = run_execution(
        machine,
        execution_input,
        name=_machine_name(Path(args.definition).stem),
        test_case=test_case,
        with_history=args.history,
    )
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}")


def _load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{what} is not valid JSON: {exc}")


def _parse_input(raw: str) -> Any:
    if raw.startswith("@"):
        return _load_json(_read(raw[1:], "input file"), "input")
    return _load_json(raw, "--input")


def _substitute(text: str, pairs: list[str]) -> str:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--sub expects NAME=VALUE, got {pair!r}")
        values[name] = value
    if not values:
        return text
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _machine_name(stem: str) -> str:
    name = stem.removesuffix(".asl")
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)[:80] or "StateMachine"


# --------------------------------------------------------------------------- running


def run_execution(
    machine,
    execution_input: Any,
    *,
    name: str = "StateMachine",
    test_case: TestCase | None = None,
    with_history: bool = False,
    start: datetime | None = None,
    rng: random.Random | None = None,
) -> dict:
    """Run one execution to its end (or until nothing can happen) and report it."""
    rng = rng or random.Random()
    sim = simulate(
        machine,
        execution_input,
        lambda command: _answer(command, test_case),
        name=name,
        execution_name=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        start=start or datetime.now(UTC),
        rng=rng,
        region=REGION,
        account=ACCOUNT,
    )
    report: dict[str, Any]
    if sim.status == "RUNNING":
        report = {"status": "RUNNING", "waitingFor": sorted(sim.state.get("tasks", {}))}
    elif sim.status == "SUCCEEDED":
        report = {"status": "SUCCEEDED", "output": sim.output}
    else:
        report = {"status": sim.status}
        if sim.error is not None:
            report["error"] = sim.error
        if sim.cause is not None:
            report["cause"] = sim.cause
    if with_history:
        report["history"] = [to_api(event) for event in sim.history]
    return report


def _answer(command: InvokeTask, test_case: TestCase | None) -> list:
    """The events that answer one InvokeTask: from the mock, else a built-in resource."""
    task_id = command.task_id
    if test_case is not None:
        try:
            mocked = test_case.response(command.state_name, command.attempt - 1)
        except MockConfigError as exc:
            return [TaskFailed(task_id, "States.Runtime", str(exc))]
        if mocked is not None:
            if mocked.is_throw:
                return [TaskFailed(task_id, mocked.error, mocked.cause)]
            return [TaskSucceeded(task_id, mocked.returns)]
    outcome = _builtin(command)
    if command.wait_for_callback:
        # The submit call ran; the callback never comes unless a mock provides it.
        if isinstance(outcome, TaskSucceeded):
            return [TaskSubmitted(task_id, outcome.output)]
        return [outcome]
    return [outcome]


def _builtin(command: InvokeTask):
    resource = command.resource
    payload = command.input
    if resource.startswith("arn:aws:lambda:") and _function_name(resource) == ECHO_FUNCTION:
        return TaskSucceeded(command.task_id, payload)
    if resource.startswith("arn:aws:states:::lambda:invoke"):
        function = payload.get("FunctionName") if isinstance(payload, dict) else None
        if isinstance(function, str) and _function_name(function) == ECHO_FUNCTION:
            return TaskSucceeded(command.task_id, _invoke_output(payload.get("Payload", {})))
        return TaskFailed(
            command.task_id,
            "Lambda.ResourceNotFoundException",
            f"Function not found: {function} (the local runner only provides "
            f"'{ECHO_FUNCTION}'; mock state '{command.state_name}' with --mock)",
        )
    return TaskFailed(
        command.task_id,
        "States.TaskFailed",
        f"The local runner has no handler for resource '{resource}'; mock state "
        f"'{command.state_name}' with --mock/--test-case",
    )


def _function_name(value: str) -> str:
    # "name", "name:alias", "arn:aws:lambda:region:acct:function:name[:qualifier]"
    if value.startswith("arn:"):
        parts = value.split(":")
        return parts[6] if len(parts) > 6 else ""
    return value.split(":")[0]


def _invoke_output(payload: Any) -> dict:
    """What ``arn:aws:states:::lambda:invoke`` returns (recorded AWS shape)."""
    body = json.dumps(payload, separators=(",", ":"))
    request_id = str(uuid.uuid4())
    date = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [str(len(body.encode()))],
                "Date": [date],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": str(len(body.encode())),
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }
