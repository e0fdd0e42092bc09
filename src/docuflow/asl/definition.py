"""The immutable model of a state machine definition.

:func:`parse_definition` takes JSON text or an already-decoded dict, runs the validator and
builds frozen dataclasses the interpreter walks. Everything the interpreter would otherwise
recompute on every transition (resource kind, compiled Choice rules, program ids) is
computed once here.

Payload templates (Parameters, ResultSelector, ItemSelector, Result) are kept as the plain
JSON values of the definition; they are shared, never mutated. So are the JSONata fields
(Arguments, Output, Assign, Items, Condition) and the expression-valued numbers: every
state records its resolved ``language`` ("JSONPath" or "JSONata"), which decides how the
interpreter reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import Diagnostic, InvalidDefinition

__all__ = [
    "Catcher",
    "ChoiceState",
    "FailState",
    "MapState",
    "ParallelState",
    "PassState",
    "Program",
    "Resource",
    "Retrier",
    "State",
    "StateMachine",
    "SucceedState",
    "TaskState",
    "WaitState",
    "parse_definition",
    "parse_resource",
]

ABSENT: Any = object()  # marks "field not given" where null is a meaningful value


@dataclass(frozen=True, slots=True)
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_strategy: str = "NONE"


@dataclass(frozen=True, slots=True)
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    result_path: str | None = "$"
    assign: Any = ABSENT
    output: Any = ABSENT  # JSONata only; the error output when absent


@dataclass(frozen=True, slots=True)
class Resource:
    """A Task's Resource, split the way history events report it."""

    arn: str
    kind: str  # "service" (arn:aws:states:::…), "lambda" (function ARN), "activity", "other"
    resource_type: str  # e.g. "lambda", "sqs", "aws-sdk:s3"; "" for lambda/activity ARNs
    resource: str  # e.g. "invoke", "sendMessage.waitForTaskToken"; the ARN otherwise
    wait_for_callback: bool
    sync: bool


@dataclass(frozen=True, kw_only=True)
class State:
    name: str
    type: str
    comment: str | None = None
    next: str | None = None
    end: bool = False
    input_path: str | None = "$"  # None means the JSON null (an empty object as input)
    output_path: str | None = "$"
    language: str = "JSONPath"  # the state's resolved QueryLanguage
    assign: Any = ABSENT  # the Assign block (variables), either language
    output: Any = ABSENT  # JSONata Output


@dataclass(frozen=True, kw_only=True)
class PassState(State):
    result: Any = ABSENT
    parameters: Any = ABSENT
    result_path: str | None = "$"


@dataclass(frozen=True, kw_only=True)
class TaskState(State):
    resource: Resource
    parameters: Any = ABSENT
    arguments: Any = ABSENT  # JSONata
    result_selector: Any = ABSENT
    result_path: str | None = "$"
    timeout_seconds: int | str | None = None  # a str is a JSONata expression
    timeout_seconds_path: str | None = None
    heartbeat_seconds: int | str | None = None
    heartbeat_seconds_path: str | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ChoiceState(State):
    choices: tuple[Any, ...] = ()  # choice.ChoiceRule objects
    default: str | None = None


@dataclass(frozen=True, kw_only=True)
class WaitState(State):
    seconds: float | str | None = None  # a str is a JSONata expression
    timestamp: str | None = None
    seconds_path: str | None = None
    timestamp_path: str | None = None


@dataclass(frozen=True, kw_only=True)
class SucceedState(State):
    pass


@dataclass(frozen=True, kw_only=True)
class FailState(State):
    error: str | None = None
    cause: str | None = None
    error_path: str | None = None
    cause_path: str | None = None


@dataclass(frozen=True, kw_only=True)
class ParallelState(State):
    branches: tuple[Program, ...] = ()
    parameters: Any = ABSENT
    arguments: Any = ABSENT  # JSONata
    result_selector: Any = ABSENT
    result_path: str | None = "$"
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MapState(State):
    processor: Program
    items_path: str = "$"
    items: Any = ABSENT  # JSONata: an array or an expression
    item_selector: Any = ABSENT
    item_reader: Any = ABSENT
    item_batcher: Any = ABSENT
    max_concurrency: int | str = 0  # a str is a JSONata expression (so are the two below)
    max_concurrency_path: str | None = None
    tolerated_failure_percentage: float | str | None = None
    tolerated_failure_percentage_path: str | None = None
    tolerated_failure_count: int | str | None = None
    tolerated_failure_count_path: str | None = None
    result_selector: Any = ABSENT
    result_path: str | None = "$"
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, slots=True)
class Program:
    """A StartAt + States pair: the whole machine, a Parallel branch or a Map processor."""

    id: str  # "" for the top level; stable across processes (stored in execution state)
    start_at: str
    states: MappingProxyType


@dataclass(frozen=True)
class StateMachine:
    program: Program
    comment: str | None = None
    timeout_seconds: int | None = None
    version: str | None = None
    definition: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    programs: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def start_at(self) -> str:
        return self.program.start_at

    @property
    def states(self) -> MappingProxyType:
        return self.program.states


# --------------------------------------------------------------------------- parsing


def parse_definition(source: str | bytes | dict) -> StateMachine:
    """Validate ``source`` and build the model; raise InvalidDefinition listing every problem."""
    from . import validator  # the validator is written alongside; imported lazily

    if isinstance(source, str | bytes):
        text = source.decode() if isinstance(source, bytes) else source
        document, problems = validator.parse_json(text)
        if problems or document is None:
            raise InvalidDefinition(problems or [_problem("definition is not a JSON object", "")])
    else:
        document = source
    problems = validator.validate(document)
    if problems:
        raise InvalidDefinition(problems)
    try:
        return _build_machine(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # The validator should have caught this; never let a malformed definition crash later.
        raise InvalidDefinition([_problem(f"unsupported definition: {exc}", "")]) from exc


def _problem(message: str, location: str) -> Diagnostic:
    return Diagnostic("SCHEMA_VALIDATION_FAILED", message, location)


def _build_machine(document: dict) -> StateMachine:
    programs: dict[str, Program] = {}
    language = document.get("QueryLanguage", "JSONPath")
    program = _build_program("", document, programs, language)
    # Deep-copied so the caller's dict can change without touching the model.
    frozen_doc = json.loads(json.dumps(document))
    return StateMachine(
        program=program,
        comment=document.get("Comment"),
        timeout_seconds=document.get("TimeoutSeconds"),
        version=document.get("Version"),
        definition=MappingProxyType(frozen_doc),
        programs=MappingProxyType(programs),
    )


def _build_program(
    program_id: str, doc: dict, programs: dict[str, Program], language: str
) -> Program:
    # Nested states fall back to the machine's language, not the enclosing state's (AWS).
    states = {
        name: _build_state(program_id, name, body, programs, language)
        for name, body in doc["States"].items()
    }
    program = Program(program_id, doc["StartAt"], MappingProxyType(states))
    programs[program_id] = program
    return program


def _common(name: str, body: dict, machine_language: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": body["Type"],
        "comment": body.get("Comment"),
        "next": body.get("Next"),
        "end": bool(body.get("End", False)),
        "input_path": body.get("InputPath", "$"),
        "output_path": body.get("OutputPath", "$"),
        "language": body.get("QueryLanguage", machine_language),
        "assign": body.get("Assign", ABSENT),
        "output": body.get("Output", ABSENT),
    }


def _build_state(
    program_id: str, name: str, body: dict, programs: dict, machine_language: str
) -> State:
    kind = body["Type"]
    common = _common(name, body, machine_language)
    if kind == "Pass":
        return PassState(
            **common,
            result=body.get("Result", ABSENT),
            parameters=body.get("Parameters", ABSENT),
            result_path=body.get("ResultPath", "$"),
        )
    if kind == "Task":
        return TaskState(
            **common,
            resource=parse_resource(body["Resource"]),
            parameters=body.get("Parameters", ABSENT),
            arguments=body.get("Arguments", ABSENT),
            result_selector=body.get("ResultSelector", ABSENT),
            result_path=body.get("ResultPath", "$"),
            timeout_seconds=body.get("TimeoutSeconds"),
            timeout_seconds_path=body.get("TimeoutSecondsPath"),
            heartbeat_seconds=body.get("HeartbeatSeconds"),
            heartbeat_seconds_path=body.get("HeartbeatSecondsPath"),
            retry=_retriers(body),
            catch=_catchers(body),
        )
    if kind == "Choice":
        from .choice import compile_rule

        return ChoiceState(
            **common,
            choices=tuple(
                compile_rule(rule, common["language"]) for rule in body.get("Choices", ())
            ),
            default=body.get("Default"),
        )
    if kind == "Wait":
        return WaitState(
            **common,
            seconds=body.get("Seconds"),
            timestamp=body.get("Timestamp"),
            seconds_path=body.get("SecondsPath"),
            timestamp_path=body.get("TimestampPath"),
        )
    if kind == "Succeed":
        return SucceedState(**common)
    if kind == "Fail":
        return FailState(
            **common,
            error=body.get("Error"),
            cause=body.get("Cause"),
            error_path=body.get("ErrorPath"),
            cause_path=body.get("CausePath"),
        )
    if kind == "Parallel":
        prefix = f"{program_id}/{name}"
        branches = tuple(
            _build_program(f"{prefix}#{index}", branch, programs, machine_language)
            for index, branch in enumerate(body["Branches"])
        )
        return ParallelState(
            **common,
            branches=branches,
            parameters=body.get("Parameters", ABSENT),
            arguments=body.get("Arguments", ABSENT),
            result_selector=body.get("ResultSelector", ABSENT),
            result_path=body.get("ResultPath", "$"),
            retry=_retriers(body),
            catch=_catchers(body),
        )
    if kind == "Map":
        processor_doc = body.get("ItemProcessor") or body["Iterator"]
        processor = _build_program(
            f"{program_id}/{name}#items", processor_doc, programs, machine_language
        )
        return MapState(
            **common,
            processor=processor,
            items_path=body.get("ItemsPath", "$"),
            items=body.get("Items", ABSENT),
            item_selector=body.get("ItemSelector", body.get("Parameters", ABSENT)),
            item_reader=body.get("ItemReader", ABSENT),
            item_batcher=body.get("ItemBatcher", ABSENT),
            max_concurrency=body.get("MaxConcurrency", 0),
            max_concurrency_path=body.get("MaxConcurrencyPath"),
            tolerated_failure_percentage=body.get("ToleratedFailurePercentage"),
            tolerated_failure_percentage_path=body.get("ToleratedFailurePercentagePath"),
            tolerated_failure_count=body.get("ToleratedFailureCount"),
            tolerated_failure_count_path=body.get("ToleratedFailureCountPath"),
            result_selector=body.get("ResultSelector", ABSENT),
            result_path=body.get("ResultPath", "$"),
            retry=_retriers(body),
            catch=_catchers(body),
        )
    raise ValueError(f"unknown state type {kind!r}")


def _retriers(body: dict) -> tuple[Retrier, ...]:
    return tuple(
        Retrier(
            error_equals=tuple(item["ErrorEquals"]),
            interval_seconds=item.get("IntervalSeconds", 1),
            max_attempts=item.get("MaxAttempts", 3),
            backoff_rate=float(item.get("BackoffRate", 2.0)),
            max_delay_seconds=item.get("MaxDelaySeconds"),
            jitter_strategy=item.get("JitterStrategy", "NONE"),
        )
        for item in body.get("Retry", ())
    )


def _catchers(body: dict) -> tuple[Catcher, ...]:
    return tuple(
        Catcher(
            error_equals=tuple(item["ErrorEquals"]),
            next=item["Next"],
            result_path=item.get("ResultPath", "$"),
            assign=item.get("Assign", ABSENT),
            output=item.get("Output", ABSENT),
        )
        for item in body.get("Catch", ())
    )


_SERVICE_PREFIX = "arn:aws:states:::"


def parse_resource(arn: str) -> Resource:
    """Split a Task Resource into what TaskScheduled and friends report.

    ``arn:aws:states:::lambda:invoke.waitForTaskToken`` -> ("lambda", "invoke.waitForTaskToken");
    ``arn:aws:states:::aws-sdk:s3:getObject`` -> ("aws-sdk:s3", "getObject");
    a Lambda function ARN or an activity ARN keeps its ARN (they have their own event types).
    """
    parts = arn.split(":")
    if arn.startswith(_SERVICE_PREFIX) or (
        len(parts) > 5 and parts[0] == "arn" and parts[2] == "states" and parts[4] == ""
    ):
        segments = parts[5:]
        split = 2 if segments[0] == "aws-sdk" else 1
        resource_type = ":".join(segments[:split])
        resource = ":".join(segments[split:])
        wait = resource.endswith(".waitForTaskToken")
        sync = ".sync" in resource
        return Resource(arn, "service", resource_type, resource, wait, sync)
    if len(parts) >= 7 and parts[0] == "arn" and parts[2] == "lambda" and parts[5] == "function":
        return Resource(arn, "lambda", "", arn, False, False)
    if len(parts) >= 7 and parts[0] == "arn" and parts[2] == "states" and parts[5] == "activity":
        return Resource(arn, "activity", "", arn, True, False)
    return Resource(arn, "other", "", arn, False, False)
