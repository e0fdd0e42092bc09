"""Static validation of state machine definitions, shaped like AWS ValidateStateMachineDefinition.

:func:`validate` walks the whole definition once and returns every problem it finds as a
:class:`~docuflow.asl.errors.Diagnostic` (code, message, JSON-pointer location); an empty list
means the definition is valid. It never raises, whatever JSON it is given.

Codes and messages follow what AWS returns where that is known:

* ``MISSING_TRANSITION_TARGET`` — ``Missing 'Next' target: X`` (for Next, Default,
  Choices[].Next and Catch[].Next alike) and ``State "X" is not reachable.``
* ``MISSING_END_STATE`` — ``Workflow has no terminal state`` (suppresses the reachability walk,
  as AWS does).
* ``DUPLICATE_STATE_NAME`` — state names are unique in the whole machine, branches included.
* ``INVALID_STATE_NAME``, ``INVALID_RESOURCE``, ``INVALID_JSON_DESCRIPTION``,
  ``MISSING_DESCRIPTION``, and ``SCHEMA_VALIDATION_FAILED`` for everything else (e.g.
  ``Field 'Catch' is not supported`` at the state's location).

Locations are RFC 6901 JSON pointers (``/States/P/Branches/0/States/X``); AWS itself prints
array indexes as ``Branches[0]``.

Both query languages are checked. A JSONata state may not carry the JSONPath fields
(InputPath, Parameters, ResultPath …) and a JSONPath state may not carry Arguments, Output,
Items or Condition, with AWS's messages; JSONata expressions must parse
(``INVALID_JSONATA_EXPRESSION``) and may not read the absent context item
(``UNSUPPORTED_JSONATA_EXPRESSION``); Assign names must be valid variable names.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from .errors import ALL, Diagnostic
from .intrinsics import is_intrinsic, validate_intrinsic
from .jsonata_query import (
    JsonataSyntaxError,
    expression_text,
    is_expression,
    top_level_reference,
)
from .paths import validate_path
from .templates import json_pointer_token, validate_template
from .variables import variable_name_problem

__all__ = [
    "DUPLICATE_STATE_NAME",
    "INTERNAL_ERROR_MESSAGE",
    "INVALID_JSON_DESCRIPTION",
    "INVALID_RESOURCE",
    "INVALID_STATE_NAME",
    "MISSING_DESCRIPTION",
    "MISSING_END_STATE",
    "MISSING_TRANSITION_TARGET",
    "SCHEMA_VALIDATION_FAILED",
    "is_timestamp",
    "parse_json",
    "validate",
    "validate_text",
]

SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"
INVALID_JSON_DESCRIPTION = "INVALID_JSON_DESCRIPTION"
MISSING_DESCRIPTION = "MISSING_DESCRIPTION"
MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END_STATE = "MISSING_END_STATE"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
INVALID_STATE_NAME = "INVALID_STATE_NAME"
INVALID_RESOURCE = "INVALID_RESOURCE"
INVALID_JSONATA_EXPRESSION = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED_JSONATA_EXPRESSION = "UNSUPPORTED_JSONATA_EXPRESSION"

INTERNAL_ERROR_MESSAGE = "The validator could not check this definition"
MAX_STATE_NAME = 80
MAX_SECONDS = 99_999_999  # AWS's upper bound for TimeoutSeconds, Seconds, IntervalSeconds …
MAX_DELAY_SECONDS = 31_622_400  # Retrier MaxDelaySeconds upper bound (one year)
MAX_BATCH_BYTES = 262_144  # ItemBatcher MaxInputBytesPerBatch upper bound (256 KiB)

_TOP_FIELDS = {"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"}
_BRANCH_FIELDS = {"StartAt", "States", "Comment", "QueryLanguage"}
_PROCESSOR_FIELDS = {"StartAt", "States", "Comment", "ProcessorConfig"}

_COMMON = {"Type", "Comment", "QueryLanguage"}
_FLOW = {"Next", "End"}
_IO = {"InputPath", "OutputPath"}
_RESULT = {"ResultPath", "Parameters", "ResultSelector"}
_ERRORS = {"Retry", "Catch"}
_STATE_FIELDS: dict[str, set[str]] = {
    "Pass": _COMMON | _FLOW | _IO | {"ResultPath", "Parameters", "Result", "Assign"},
    "Task": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | _ERRORS
    | {
        "Resource",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
        "Assign",
    },
    "Choice": _COMMON | _IO | {"Choices", "Default", "Assign"},
    "Wait": _COMMON
    | _FLOW
    | _IO
    | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"},
    "Succeed": _COMMON | _IO,
    "Fail": _COMMON | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON | _FLOW | _IO | _RESULT | _ERRORS | {"Branches", "Assign"},
    "Map": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | _ERRORS
    | {
        "ItemsPath",
        "ItemSelector",
        "ItemProcessor",
        "Iterator",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "Label",
        "Assign",
    },
}
_JSONATA_ONLY_FIELDS = {"Arguments", "Output", "Items", "Condition"}
# What a JSONata state carries instead of the JSONPath fields, per state type.
_JSONATA_FIELDS: dict[str, set[str]] = {
    "Pass": {"Output"},
    "Task": {"Arguments", "Output"},
    "Choice": {"Output"},
    "Wait": {"Output"},
    "Succeed": {"Output"},
    "Fail": set(),
    "Parallel": {"Arguments", "Output"},
    "Map": {"Items", "Output"},
}
_JSONPATH_ONLY_FIELDS = {
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Parameters",
    "ResultSelector",
    "Result",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
    "ErrorPath",
    "CausePath",
}
_TERMINAL_TYPES = {"Succeed", "Fail"}

_RETRIER_FIELDS = {
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
}
_CATCHER_FIELDS = {"ErrorEquals", "Next", "ResultPath", "Comment", "Assign", "Output"}

# Choice comparison operators and the JSON type of their operand.
_OPERAND_TYPES = {
    "StringEquals": "string",
    "StringLessThan": "string",
    "StringGreaterThan": "string",
    "StringLessThanEquals": "string",
    "StringGreaterThanEquals": "string",
    "StringMatches": "string",
    "NumericEquals": "number",
    "NumericLessThan": "number",
    "NumericGreaterThan": "number",
    "NumericLessThanEquals": "number",
    "NumericGreaterThanEquals": "number",
    "BooleanEquals": "boolean",
    "TimestampEquals": "timestamp",
    "TimestampLessThan": "timestamp",
    "TimestampGreaterThan": "timestamp",
    "TimestampLessThanEquals": "timestamp",
    "TimestampGreaterThanEquals": "timestamp",
    "IsNull": "boolean",
    "IsPresent": "boolean",
    "IsNumeric": "boolean",
    "IsString": "boolean",
    "IsBoolean": "boolean",
    "IsTimestamp": "boolean",
}
_PATH_OPERATORS = {
    f"{name}Path"
    for name in _OPERAND_TYPES
    if name.startswith(("String", "Numeric", "Boolean", "Timestamp")) and name != "StringMatches"
}
_BOOLEAN_OPERATORS = {"And", "Or", "Not"}
_ALL_OPERATORS = set(_OPERAND_TYPES) | _PATH_OPERATORS | _BOOLEAN_OPERATORS

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
# A Resource is a URI: "arn:aws:states:::lambda:invoke", "docuflow:extract", "https://…".
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")


def is_timestamp(value: Any) -> bool:
    """True for an RFC 3339 timestamp as Step Functions accepts it (``2016-03-14T01:59:00Z``)."""
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _ptr(location: str, *tokens: str | int) -> str:
    for token in tokens:
        location = f"{location}/{json_pointer_token(str(token))}"
    return location


class _Scope:
    """One set of states that may transition to each other (machine, branch or processor)."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.states: dict[str, dict] = {}
        self.edges: dict[str, list[str]] = {}
        self.targets: list[tuple[str, str]] = []  # (target name, location of the reference)
        self.terminal: set[str] = set()


class _Validator:
    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.state_names: dict[str, str] = {}  # name -> location of its first definition
        self.language = "JSONPath"  # the machine's top-level QueryLanguage

    def error(self, message: str, location: str, code: str = SCHEMA_VALIDATION_FAILED) -> None:
        self.diagnostics.append(Diagnostic(code, message, location))

    # ----------------------------------------------------------------- machine / scopes

    def machine(
        self, node: Any, location: str, allowed: set[str], language: str, top: bool = False
    ) -> None:
        if not isinstance(node, dict):
            self.error("A state machine must be a JSON object", location or "/")
            return
        for field in node:
            if field not in allowed:
                self.error(f"Field '{field}' is not supported", location)
        if top:
            self.top_level_fields(node)
        if "QueryLanguage" in node and "QueryLanguage" in allowed and not top:
            language = self.query_language(node["QueryLanguage"], _ptr(location, "QueryLanguage"))
        scope = _Scope(location)
        states = node.get("States")
        states_location = _ptr(location, "States")
        if "States" not in node:
            self.error("Field 'States' is required", location)
        elif not isinstance(states, dict):
            self.error("Field 'States' must be an object", states_location)
        elif not states:
            self.error("Field 'States' must contain at least one state", states_location)
        else:
            for name, state in states.items():
                self.state(scope, name, state, _ptr(states_location, name), language)
        start = node.get("StartAt")
        if "StartAt" not in node:
            self.error("Field 'StartAt' is required", location)
        elif not isinstance(start, str):
            self.error("Field 'StartAt' must be a string", _ptr(location, "StartAt"))
        elif isinstance(states, dict) and start not in states:
            self.error(
                f"Missing 'StartAt' target: {start}",
                _ptr(location, "StartAt"),
                MISSING_TRANSITION_TARGET,
            )
        self.transitions(scope, start if isinstance(start, str) else None)

    def top_level_fields(self, node: dict) -> None:
        if "Comment" in node and not isinstance(node["Comment"], str):
            self.error("Field 'Comment' must be a string", "/Comment")
        if "Version" in node and node["Version"] != "1.0":
            self.error("Field 'Version' must be \"1.0\"", "/Version")
        if "TimeoutSeconds" in node:
            value = node["TimeoutSeconds"]
            if not _is_int(value) or not 0 < value <= MAX_SECONDS:
                self.error(
                    f"Field 'TimeoutSeconds' must be a positive integer up to {MAX_SECONDS}",
                    "/TimeoutSeconds",
                )

    def query_language(self, value: Any, location: str) -> str:
        if value in ("JSONPath", "JSONata"):
            return value
        if not isinstance(value, str):
            self.error("Expected value of type [STRING]", location)
        else:
            self.error("Value should be one of the following: [JSONPath, JSONata]", location)
        return "JSONPath"

    # ----------------------------------------------------------------- JSONata

    def expression(self, value: Any, location: str) -> None:
        """Check every ``{% … %}`` string inside ``value`` (any JSON) for AWS's refusals."""
        if isinstance(value, dict):
            for key, item in value.items():
                self.expression(item, _ptr(location, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.expression(item, _ptr(location, index))
        elif is_expression(value):
            text = expression_text(value)
            try:
                name = top_level_reference(text)
            except JsonataSyntaxError as exc:
                self.error(
                    f"The JSONata expression '{text}' is invalid: {exc}",
                    location,
                    INVALID_JSONATA_EXPRESSION,
                )
                return
            if name is not None:
                self.error(
                    f"Reference to '{name}' at the top level is not supported.",
                    location,
                    UNSUPPORTED_JSONATA_EXPRESSION,
                )

    def assign_block(self, block: Any, location: str, language: str) -> None:
        if not isinstance(block, dict):
            self.error("Field 'Assign' must be a JSON object", location)
            return
        for key in block:
            name = key[:-2] if language == "JSONPath" and key.endswith(".$") else key
            problem = variable_name_problem(name)
            if problem:
                self.error(problem, _ptr(location, key))
        if language == "JSONata":
            self.expression(block, location)
        else:
            self.diagnostics.extend(validate_template(block, location))

    def jsonata_state(self, state: dict, location: str, kind: str) -> None:
        """Expressions of a JSONata state: templates, and numbers given as expressions."""
        for field in ("Arguments", "Output", "Items", "ItemSelector", "Error", "Cause"):
            if field in state:
                self.expression(state[field], _ptr(location, field))
        for field in (
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "Seconds",
            "Timestamp",
            "MaxConcurrency",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
        ):
            if isinstance(state.get(field), str):
                if is_expression(state[field]):
                    self.expression(state[field], _ptr(location, field))
                elif field != "Timestamp":
                    self.error(
                        f"Field '{field}' must be a number or a JSONata expression",
                        _ptr(location, field),
                    )
        if kind == "Map" and "Items" in state:
            items = state["Items"]
            if not isinstance(items, list) and not is_expression(items):
                self.error(
                    "Field 'Items' must be an array or a JSONata expression",
                    _ptr(location, "Items"),
                )

    def transitions(self, scope: _Scope, start: str | None) -> None:
        for target, location in scope.targets:
            if target not in scope.states:
                self.error(f"Missing 'Next' target: {target}", location, MISSING_TRANSITION_TARGET)
        if not scope.states:
            return
        if not scope.terminal:
            self.error("Workflow has no terminal state", scope.location, MISSING_END_STATE)
            return  # AWS skips the reachability walk in that case
        if start is None or start not in scope.states:
            return
        reached = {start}
        pending = [start]
        while pending:
            for target in scope.edges.get(pending.pop(), ()):
                if target in scope.states and target not in reached:
                    reached.add(target)
                    pending.append(target)
        for name in scope.states:
            if name not in reached:
                self.error(
                    f'State "{name}" is not reachable.',
                    _ptr(scope.location, "States", name),
                    MISSING_TRANSITION_TARGET,
                )

    def add_target(self, scope: _Scope, source: str, target: Any, location: str) -> None:
        if not isinstance(target, str):
            self.error("A transition target must be a state name (string)", location)
            return
        scope.edges.setdefault(source, []).append(target)
        scope.targets.append((target, location))

    # ----------------------------------------------------------------- states

    def state(self, scope: _Scope, name: Any, state: Any, location: str, language: str) -> None:
        scope.states[name] = state if isinstance(state, dict) else {}
        if not isinstance(name, str):
            self.error("State names must be strings", location, INVALID_STATE_NAME)
            return
        if not name or len(name) > MAX_STATE_NAME:
            self.error(
                f"State name must be 1 to {MAX_STATE_NAME} characters long",
                location,
                INVALID_STATE_NAME,
            )
        if name in self.state_names:
            self.error(
                f"State name '{name}' is already used at {self.state_names[name]}; "
                "state names must be unique in the whole state machine",
                location,
                DUPLICATE_STATE_NAME,
            )
        else:
            self.state_names[name] = location
        if not isinstance(state, dict):
            self.error("A state must be a JSON object", location)
            return
        if "QueryLanguage" in state:
            language = self.query_language(state["QueryLanguage"], _ptr(location, "QueryLanguage"))
            if language == "JSONPath" and self.language == "JSONata":
                self.error(
                    "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole "
                    "state machine",
                    location,
                )
        kind = state.get("Type")
        allowed = _STATE_FIELDS.get(kind) if isinstance(kind, str) else None
        if allowed is not None and language == "JSONata":
            allowed = (allowed - _JSONPATH_ONLY_FIELDS) | _JSONATA_FIELDS[kind]
        if "Type" not in state:
            self.error("Field 'Type' is required", location)
        elif allowed is None:
            self.error(
                f"Unknown state type {json.dumps(kind)}; expected one of "
                + ", ".join(_STATE_FIELDS),
                _ptr(location, "Type"),
            )
        self.flow(scope, name, state, location, kind, allowed)
        if allowed is None:
            return
        for field in state:
            if field in allowed:
                continue
            if field in _JSONATA_ONLY_FIELDS and language == "JSONPath":
                self.error(
                    f"The QueryLanguage is set to 'JSONPath', but field '{field}' is only "
                    "supported for the 'JSONata' QueryLanguage",
                    location,
                )
            elif field in _JSONPATH_ONLY_FIELDS and language == "JSONata":
                self.error(
                    f"The QueryLanguage is set to 'JSONata', but field '{field}' is only "
                    "supported for the 'JSONPath' QueryLanguage",
                    location,
                )
            else:
                self.error(f"Field '{field}' is not supported", location)
        if "Comment" in state and not isinstance(state["Comment"], str):
            self.error("Field 'Comment' must be a string", _ptr(location, "Comment"))
        if "Assign" in state and "Assign" in allowed:
            self.assign_block(state["Assign"], _ptr(location, "Assign"), language)
        if language == "JSONata":
            self.jsonata_state(state, location, kind)
        self.io_fields(state, location, allowed)
        getattr(self, f"state_{kind.lower()}")(scope, name, state, location, language)
        for field in ("Retry", "Catch"):
            if field in state and field in allowed:
                self.error_handlers(
                    scope, name, state[field], _ptr(location, field), field, language
                )

    def flow(self, scope, name, state, location, kind, allowed) -> None:
        """Next/End rules, and the transitions every state type can make."""
        has_next, has_end = "Next" in state, "End" in state
        if has_next:
            self.add_target(scope, name, state["Next"], _ptr(location, "Next"))
        if has_end and not isinstance(state["End"], bool):
            self.error("Field 'End' must be a boolean", _ptr(location, "End"))
        end = state.get("End") is True
        if (isinstance(kind, str) and kind in _TERMINAL_TYPES) or end:
            scope.terminal.add(name)
        if allowed is None or "Next" not in allowed:
            return  # Choice/Succeed/Fail: Next and End are reported as unsupported fields
        if has_next and end:
            self.error("Only one of 'Next' or 'End' can be present", location)
        elif not has_next and not end:
            self.error("One of 'Next' or 'End' is required", location)

    def loose_transitions(self, scope: _Scope, name: str, state: dict, location: str) -> None:
        if "Default" in state:
            self.add_target(scope, name, state["Default"], _ptr(location, "Default"))
        for field in ("Choices", "Catch"):
            items = state.get(field)
            for index, item in enumerate(items if isinstance(items, list) else ()):
                if isinstance(item, dict) and "Next" in item:
                    self.add_target(scope, name, item["Next"], _ptr(location, field, index, "Next"))

    def nested_machines(self, state: dict, location: str) -> None:
        """Check the branches/processor of a state whose own fields are not checked (JSONata)."""
        branches = state.get("Branches")
        for index, branch in enumerate(branches if isinstance(branches, list) else ()):
            self.machine(branch, _ptr(location, "Branches", index), _BRANCH_FIELDS, self.language)
        for field in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(field), dict):
                self.item_processor(state[field], _ptr(location, field), field, self.language)

    def io_fields(self, state: dict, location: str, allowed: set[str]) -> None:
        for field in ("InputPath", "OutputPath"):
            if field in state and field in allowed and state[field] is not None:
                self.path(state[field], _ptr(location, field), field)
        if "ResultPath" in state and "ResultPath" in allowed:
            self.result_path(state["ResultPath"], _ptr(location, "ResultPath"))
        for field in ("Parameters", "ResultSelector", "ItemSelector", "Credentials"):
            if field in state and field in allowed:
                self.template(state[field], _ptr(location, field), field)

    # ----------------------------------------------------------------- field helpers

    def path(self, value: Any, location: str, field: str, *, reference: bool = False) -> bool:
        if not isinstance(value, str):
            self.error(f"Field '{field}' must be a string containing a JSONPath", location)
            return False
        problem = validate_path(value, reference=reference)
        if problem:
            self.error(f"Field '{field}' is invalid: {problem}", location)
            return False
        return True

    def result_path(self, value: Any, location: str) -> None:
        if value is None:
            return
        if isinstance(value, str) and value.startswith("$$"):
            self.error("Field 'ResultPath' cannot address the context object ($$)", location)
            return
        if not isinstance(value, str):
            self.path(value, location, "ResultPath")
            return
        problem = validate_path(value, reference=True, variables=False)
        if problem:
            self.error(f"Field 'ResultPath' is invalid: {problem}", location)

    def template(self, value: Any, location: str, field: str) -> None:
        if not isinstance(value, dict):
            self.error(f"Field '{field}' must be a JSON object", location)
            return
        self.diagnostics.extend(validate_template(value, location))

    def path_or_intrinsic(self, value: Any, location: str, field: str) -> None:
        if isinstance(value, str) and is_intrinsic(value):
            problem = validate_intrinsic(value)
            if problem:
                self.error(f"Field '{field}' is invalid: {problem}", location)
            return
        self.path(value, location, field)

    def positive_int(self, state: dict, field: str, location: str, *, zero: bool = False) -> None:
        if field not in state or is_expression(state[field]):
            return  # a JSONata expression is checked by jsonata_state() and at run time
        value = state[field]
        low = 0 if zero else 1
        if not _is_int(value) or not low <= value <= MAX_SECONDS:
            kind = "a non-negative" if zero else "a positive"
            self.error(
                f"Field '{field}' must be {kind} integer up to {MAX_SECONDS}",
                _ptr(location, field),
            )

    def exclusive(self, state: dict, location: str, *fields: str, required: bool = False) -> None:
        present = [f for f in fields if f in state]
        if len(present) > 1:
            self.error(
                "Only one of " + ", ".join(f"'{f}'" for f in fields) + " can be present", location
            )
        elif required and not present:
            self.error("One of " + ", ".join(f"'{f}'" for f in fields) + " is required", location)

    # ----------------------------------------------------------------- state types

    def state_pass(self, scope, name, state, location, language) -> None:
        pass  # Result may be any JSON value; the common fields are already checked

    def state_succeed(self, scope, name, state, location, language) -> None:
        pass

    def state_task(self, scope, name, state, location, language) -> None:
        if "Resource" not in state:
            self.error("Field 'Resource' is required", location)
        elif not isinstance(state["Resource"], str):
            self.error("Field 'Resource' must be a string", _ptr(location, "Resource"))
        elif not _URI.fullmatch(state["Resource"]):
            self.error(
                f"Field 'Resource' must be a URI such as an ARN, got '{state['Resource']}'",
                _ptr(location, "Resource"),
                INVALID_RESOURCE,
            )
        for field in ("TimeoutSeconds", "HeartbeatSeconds"):
            self.positive_int(state, field, location)
            self.exclusive(state, location, field, f"{field}Path")
            if f"{field}Path" in state:
                path_field = f"{field}Path"
                self.path(state[path_field], _ptr(location, path_field), path_field, reference=True)
        timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
        if _is_int(timeout) and _is_int(heartbeat) and heartbeat >= timeout:
            self.error(
                "Field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'",
                _ptr(location, "HeartbeatSeconds"),
            )

    def state_wait(self, scope, name, state, location, language) -> None:
        self.exclusive(
            state, location, "Seconds", "Timestamp", "SecondsPath", "TimestampPath", required=True
        )
        self.positive_int(state, "Seconds", location, zero=True)
        timestamp = state.get("Timestamp")
        if "Timestamp" in state and not is_expression(timestamp) and not is_timestamp(timestamp):
            self.error(
                "Field 'Timestamp' must be an RFC 3339 timestamp like '2016-03-14T01:59:00Z'",
                _ptr(location, "Timestamp"),
            )
        for field in ("SecondsPath", "TimestampPath"):
            if field in state:
                self.path(state[field], _ptr(location, field), field, reference=True)

    def state_fail(self, scope, name, state, location, language) -> None:
        for field in ("Error", "Cause"):
            path_field = f"{field}Path"
            self.exclusive(state, location, field, path_field)
            if field in state and not isinstance(state[field], str):
                self.error(f"Field '{field}' must be a string", _ptr(location, field))
            if path_field in state:
                self.path_or_intrinsic(state[path_field], _ptr(location, path_field), path_field)

    def state_choice(self, scope, name, state, location, language) -> None:
        choices = state.get("Choices")
        choices_location = _ptr(location, "Choices")
        if "Choices" not in state:
            self.error("Field 'Choices' is required", location)
        elif not isinstance(choices, list) or not choices:
            self.error("Field 'Choices' must be a non-empty array", choices_location)
        else:
            for index, rule in enumerate(choices):
                where = _ptr(choices_location, index)
                if language == "JSONata":
                    self.jsonata_rule(scope, name, rule, where)
                else:
                    self.choice_rule(scope, name, rule, where, top=True)
        if "Default" in state:
            self.add_target(scope, name, state["Default"], _ptr(location, "Default"))

    def state_parallel(self, scope, name, state, location, language) -> None:
        branches = state.get("Branches")
        branches_location = _ptr(location, "Branches")
        if "Branches" not in state:
            self.error("Field 'Branches' is required", location)
        elif not isinstance(branches, list) or not branches:
            self.error("Field 'Branches' must be a non-empty array", branches_location)
        else:
            for index, branch in enumerate(branches):
                # Nested states inherit the machine's language, not this state's (as AWS does).
                self.machine(branch, _ptr(branches_location, index), _BRANCH_FIELDS, self.language)

    def state_map(self, scope, name, state, location, language) -> None:
        self.exclusive(state, location, "ItemProcessor", "Iterator", required=True)
        self.exclusive(state, location, "Parameters", "ItemSelector")
        for field in ("ItemProcessor", "Iterator"):
            if field in state:
                self.item_processor(state[field], _ptr(location, field), field, self.language)
        if "ItemsPath" in state:
            self.path(state["ItemsPath"], _ptr(location, "ItemsPath"), "ItemsPath", reference=True)
        self.positive_int(state, "MaxConcurrency", location, zero=True)
        if "ToleratedFailurePercentage" in state:
            value = state["ToleratedFailurePercentage"]
            if not is_expression(value) and (not _is_number(value) or not 0 <= value <= 100):
                self.error(
                    "Field 'ToleratedFailurePercentage' must be a number from 0 to 100",
                    _ptr(location, "ToleratedFailurePercentage"),
                )
        self.positive_int(state, "ToleratedFailureCount", location, zero=True)
        for field in ("MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount"):
            path_field = f"{field}Path"
            self.exclusive(state, location, field, path_field)
            if path_field in state:
                self.path(state[path_field], _ptr(location, path_field), path_field, reference=True)
        if "ItemBatcher" in state:
            self.item_batcher(state["ItemBatcher"], _ptr(location, "ItemBatcher"))
        for field in ("ItemReader", "ResultWriter"):
            if field in state:
                self.resource_block(state[field], _ptr(location, field), field)
        if "Label" in state:
            label = state["Label"]
            if not isinstance(label, str) or len(label) > 40:
                self.error(
                    "Field 'Label' must be a string of at most 40 characters",
                    _ptr(location, "Label"),
                )

    def item_processor(self, node: Any, location: str, field: str, language: str) -> None:
        if not isinstance(node, dict):
            self.error(f"Field '{field}' must be a JSON object", location)
            return
        config = node.get("ProcessorConfig")
        if config is not None:
            self.processor_config(config, _ptr(location, "ProcessorConfig"))
        allowed = (
            _PROCESSOR_FIELDS if field == "ItemProcessor" else _BRANCH_FIELDS - {"QueryLanguage"}
        )
        self.machine(node, location, allowed, language)

    def processor_config(self, config: Any, location: str) -> None:
        if not isinstance(config, dict):
            self.error("Field 'ProcessorConfig' must be a JSON object", location)
            return
        for field in config:
            if field not in {"Mode", "ExecutionType"}:
                self.error(f"Field '{field}' is not supported", location)
        mode = config.get("Mode", "INLINE")
        if mode not in ("INLINE", "DISTRIBUTED"):
            self.error("Field 'Mode' must be 'INLINE' or 'DISTRIBUTED'", _ptr(location, "Mode"))
        if "ExecutionType" in config:
            if config["ExecutionType"] not in ("STANDARD", "EXPRESS"):
                self.error(
                    "Field 'ExecutionType' must be 'STANDARD' or 'EXPRESS'",
                    _ptr(location, "ExecutionType"),
                )
            elif mode != "DISTRIBUTED":
                self.error(
                    "Field 'ExecutionType' is only supported when Mode is 'DISTRIBUTED'",
                    _ptr(location, "ExecutionType"),
                )
        elif mode == "DISTRIBUTED":
            self.error("Field 'ExecutionType' is required when Mode is 'DISTRIBUTED'", location)

    def item_batcher(self, batcher: Any, location: str) -> None:
        if not isinstance(batcher, dict):
            self.error("Field 'ItemBatcher' must be a JSON object", location)
            return
        allowed = {
            "MaxItemsPerBatch",
            "MaxItemsPerBatchPath",
            "MaxInputBytesPerBatch",
            "MaxInputBytesPerBatchPath",
            "BatchInput",
        }
        for field in batcher:
            if field not in allowed:
                self.error(f"Field '{field}' is not supported", location)
        self.exclusive(batcher, location, "MaxItemsPerBatch", "MaxItemsPerBatchPath")
        self.exclusive(batcher, location, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")
        if not allowed - {"BatchInput"} & set(batcher):
            self.error(
                "ItemBatcher needs MaxItemsPerBatch(Path) or MaxInputBytesPerBatch(Path)", location
            )
        self.positive_int(batcher, "MaxItemsPerBatch", location)
        if "MaxInputBytesPerBatch" in batcher:
            value = batcher["MaxInputBytesPerBatch"]
            if not _is_int(value) or not 0 < value <= MAX_BATCH_BYTES:
                self.error(
                    f"Field 'MaxInputBytesPerBatch' must be a positive integer up to {MAX_BATCH_BYTES}",
                    _ptr(location, "MaxInputBytesPerBatch"),
                )
        for field in ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"):
            if field in batcher:
                self.path(batcher[field], _ptr(location, field), field, reference=True)
        if "BatchInput" in batcher:
            self.template(batcher["BatchInput"], _ptr(location, "BatchInput"), "BatchInput")

    def resource_block(self, node: Any, location: str, field: str) -> None:
        if not isinstance(node, dict):
            self.error(f"Field '{field}' must be a JSON object", location)
            return
        config_field = "ReaderConfig" if field == "ItemReader" else "WriterConfig"
        for key in node:
            if key not in {"Resource", "Parameters", config_field}:
                self.error(f"Field '{key}' is not supported", location)
        resource = node.get("Resource")
        if not isinstance(resource, str) or not _URI.fullmatch(resource):
            self.error(
                f"Field 'Resource' of {field} must be a URI string", _ptr(location, "Resource")
            )
        if "Parameters" in node:
            self.template(node["Parameters"], _ptr(location, "Parameters"), "Parameters")
        if config_field in node and not isinstance(node[config_field], dict):
            self.error(
                f"Field '{config_field}' must be a JSON object", _ptr(location, config_field)
            )

    # ----------------------------------------------------------------- Retry / Catch

    def error_handlers(
        self, scope, name, handlers: Any, location: str, field: str, language: str = "JSONPath"
    ) -> None:
        if not isinstance(handlers, list):
            self.error(f"Field '{field}' must be an array", location)
            return
        allowed = _RETRIER_FIELDS if field == "Retry" else _CATCHER_FIELDS
        last = len(handlers) - 1
        for index, handler in enumerate(handlers):
            where = _ptr(location, index)
            if not isinstance(handler, dict):
                self.error(f"Each element of '{field}' must be a JSON object", where)
                continue
            for key in handler:
                if key not in allowed:
                    self.error(f"Field '{key}' is not supported", where)
                elif field == "Catch" and key in ("ResultPath", "Output"):
                    self.language_field(key, language, where)
            self.error_equals(handler, where, is_last=index == last)
            if field == "Retry":
                self.retrier(handler, where)
            else:
                if "Next" not in handler:
                    self.error("Field 'Next' is required", where)
                else:
                    self.add_target(scope, name, handler["Next"], _ptr(where, "Next"))
                if "ResultPath" in handler and language == "JSONPath":
                    self.result_path(handler["ResultPath"], _ptr(where, "ResultPath"))
                if "Assign" in handler:
                    self.assign_block(handler["Assign"], _ptr(where, "Assign"), language)
                if "Output" in handler and language == "JSONata":
                    self.expression(handler["Output"], _ptr(where, "Output"))

    def language_field(self, key: str, language: str, location: str) -> None:
        """Report ``key`` when it belongs to the other query language than ``language``."""
        only = "JSONata" if key in _JSONATA_ONLY_FIELDS else "JSONPath"
        if only != language:
            self.error(
                f"The QueryLanguage is set to '{language}', but field '{key}' is only "
                f"supported for the '{only}' QueryLanguage",
                location,
            )

    def error_equals(self, handler: dict, location: str, *, is_last: bool) -> None:
        names = handler.get("ErrorEquals")
        where = _ptr(location, "ErrorEquals")
        if "ErrorEquals" not in handler:
            self.error("Field 'ErrorEquals' is required", location)
            return
        if not isinstance(names, list) or not names:
            self.error("Field 'ErrorEquals' must be a non-empty array of error names", where)
            return
        for index, error_name in enumerate(names):
            if not isinstance(error_name, str):
                self.error("Error names must be strings", _ptr(where, index))
            elif error_name == ALL and (len(names) > 1 or not is_last):
                self.error("States.ALL must appear alone and at end of list", _ptr(where, index))

    def retrier(self, retrier: dict, location: str) -> None:
        self.positive_int(retrier, "IntervalSeconds", location)
        self.positive_int(retrier, "MaxAttempts", location, zero=True)
        if "BackoffRate" in retrier:
            rate = retrier["BackoffRate"]
            if not _is_number(rate) or rate < 1.0:
                self.error(
                    "Field 'BackoffRate' must be a number greater than or equal to 1.0",
                    _ptr(location, "BackoffRate"),
                )
        if "MaxDelaySeconds" in retrier:
            value = retrier["MaxDelaySeconds"]
            if not _is_int(value) or not 0 < value <= MAX_DELAY_SECONDS:
                self.error(
                    f"Field 'MaxDelaySeconds' must be a positive integer up to {MAX_DELAY_SECONDS}",
                    _ptr(location, "MaxDelaySeconds"),
                )
        if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in ("FULL", "NONE"):
            self.error(
                "Field 'JitterStrategy' must be 'FULL' or 'NONE'", _ptr(location, "JitterStrategy")
            )

    # ----------------------------------------------------------------- Choice rules

    def jsonata_rule(self, scope, name, rule: Any, location: str) -> None:
        if not isinstance(rule, dict):
            self.error("A Choice Rule must be a JSON object", location)
            return
        for key in rule:
            if key in {"Condition", "Next", "Comment", "Assign", "Output"}:
                continue
            if key in _ALL_OPERATORS or key == "Variable":
                self.error(
                    f"The QueryLanguage is set to 'JSONata', but field '{key}' is only "
                    "supported for the 'JSONPath' QueryLanguage",
                    location,
                )
            else:
                self.error(f"Field '{key}' is not supported", location)
        if "Condition" not in rule:
            self.error("Field 'Condition' is required", location)
        elif not isinstance(rule["Condition"], bool) and not is_expression(rule["Condition"]):
            self.error(
                "Field 'Condition' must be a boolean or a JSONata expression",
                _ptr(location, "Condition"),
            )
        else:
            self.expression(rule["Condition"], _ptr(location, "Condition"))
        if "Next" not in rule:
            self.error("Field 'Next' is required in a top-level Choice Rule", location)
        else:
            self.add_target(scope, name, rule["Next"], _ptr(location, "Next"))
        if "Assign" in rule:
            self.assign_block(rule["Assign"], _ptr(location, "Assign"), "JSONata")
        if "Output" in rule:
            self.expression(rule["Output"], _ptr(location, "Output"))

    def choice_rule(self, scope, name, rule: Any, location: str, *, top: bool) -> None:
        if not isinstance(rule, dict):
            self.error("A Choice Rule must be a JSON object", location)
            return
        operators = [key for key in rule if key in _ALL_OPERATORS]
        for key in rule:
            if key in _ALL_OPERATORS or key in {"Variable", "Next", "Comment", "Assign"}:
                continue
            if key in _JSONATA_ONLY_FIELDS:
                self.error(
                    f"The QueryLanguage is set to 'JSONPath', but field '{key}' is only "
                    "supported for the 'JSONata' QueryLanguage",
                    location,
                )
            else:
                self.error(f"Field '{key}' is not supported", location)
        if top:
            if "Next" not in rule:
                self.error("Field 'Next' is required in a top-level Choice Rule", location)
            else:
                self.add_target(scope, name, rule["Next"], _ptr(location, "Next"))
            if "Assign" in rule:
                self.assign_block(rule["Assign"], _ptr(location, "Assign"), "JSONPath")
        else:
            if "Next" in rule:
                self.error(
                    "Field 'Next' is only allowed in a top-level Choice Rule",
                    _ptr(location, "Next"),
                )
            if "Assign" in rule:
                self.error(
                    "Field 'Assign' is only allowed in a top-level Choice Rule",
                    _ptr(location, "Assign"),
                )
        if not operators:
            self.error("A Choice Rule must contain exactly one comparison operator", location)
            return
        if len(operators) > 1:
            self.error(
                "A Choice Rule must contain exactly one comparison operator, found "
                + ", ".join(operators),
                location,
            )
        operator = operators[0]
        value = rule[operator]
        where = _ptr(location, operator)
        if operator in _BOOLEAN_OPERATORS:
            if "Variable" in rule:
                self.error(
                    f"Field 'Variable' is not allowed with '{operator}'", _ptr(location, "Variable")
                )
            if operator == "Not":
                if not isinstance(value, dict):
                    self.error("Field 'Not' must be a single Choice Rule object", where)
                else:
                    self.choice_rule(scope, name, value, where, top=False)
            elif not isinstance(value, list) or not value:
                self.error(f"Field '{operator}' must be a non-empty array of Choice Rules", where)
            else:
                for index, nested in enumerate(value):
                    self.choice_rule(scope, name, nested, _ptr(where, index), top=False)
            return
        if "Variable" not in rule:
            self.error("Field 'Variable' is required", location)
        else:
            self.path(rule["Variable"], _ptr(location, "Variable"), "Variable")
        if operator in _PATH_OPERATORS:
            self.path(value, where, operator)
            return
        expected = _OPERAND_TYPES[operator]
        if expected == "timestamp":
            if not is_timestamp(value):
                self.error(
                    f"Field '{operator}' must be an RFC 3339 timestamp like '2016-03-14T01:59:00Z'",
                    where,
                )
        elif _json_type(value) != expected:
            self.error(f"Field '{operator}' must be a {expected}, got {_json_type(value)}", where)


# --------------------------------------------------------------------------- public API


def validate(definition: Any) -> list[Diagnostic]:
    """Return every problem found in ``definition``; an empty list means it is valid."""
    validator = _Validator()
    try:
        if not isinstance(definition, dict):
            validator.error("The state machine definition must be a JSON object", "/")
            return validator.diagnostics
        language = "JSONPath"
        if "QueryLanguage" in definition:
            language = validator.query_language(definition["QueryLanguage"], "/QueryLanguage")
        validator.language = language
        validator.machine(definition, "", _TOP_FIELDS, language, top=True)
    except RecursionError:
        validator.error("The definition is nested too deeply to validate", "")
    except Exception as exc:  # never let a malformed definition crash the caller
        validator.error(f"{INTERNAL_ERROR_MESSAGE}: {type(exc).__name__}", "")
    return validator.diagnostics


def parse_json(text: str) -> tuple[dict | None, list[Diagnostic]]:
    """Parse a definition's JSON text.

    Returns ``(definition, diagnostics)``; ``definition`` is None when the text is not a JSON
    object. JSON-level problems are reported here (syntax → INVALID_JSON_DESCRIPTION, empty
    text → MISSING_DESCRIPTION, duplicate state names → DUPLICATE_STATE_NAME); call
    :func:`validate` on the result for everything else, or use :func:`validate_text`.
    """
    if not isinstance(text, str) or not text.strip():
        return None, [Diagnostic(MISSING_DESCRIPTION, "The definition is empty", "")]
    duplicates: dict[int, list[str]] = {}

    def collect_pairs(pairs: list[tuple[str, Any]]) -> dict:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            duplicates[id(obj)] = [k for k, _ in pairs if k in seen or seen.add(k)]
        return obj

    def reject_constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        value = json.loads(text, object_pairs_hook=collect_pairs, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        message = f"Invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        return None, [Diagnostic(INVALID_JSON_DESCRIPTION, message, "")]
    except (ValueError, RecursionError) as exc:
        return None, [Diagnostic(INVALID_JSON_DESCRIPTION, f"Invalid JSON: {exc}", "")]
    diagnostics = _duplicate_key_diagnostics(value, duplicates) if duplicates else []
    if not isinstance(value, dict):
        diagnostics.append(
            Diagnostic(
                SCHEMA_VALIDATION_FAILED, "The state machine definition must be a JSON object", "/"
            )
        )
        return None, diagnostics
    return value, diagnostics


def _duplicate_key_diagnostics(root: Any, duplicates: dict[int, list[str]]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    pending: list[tuple[Any, str, str | None]] = [(root, "", None)]
    while pending:
        node, location, parent_key = pending.pop()
        if isinstance(node, dict):
            for key in duplicates.get(id(node), ()):
                where = _ptr(location, key)
                if parent_key == "States":
                    found.append(
                        Diagnostic(DUPLICATE_STATE_NAME, f"Duplicate state name '{key}'", where)
                    )
                else:
                    found.append(
                        Diagnostic(SCHEMA_VALIDATION_FAILED, f"Duplicate field '{key}'", where)
                    )
            pending.extend((child, _ptr(location, key), key) for key, child in node.items())
        elif isinstance(node, list):
            pending.extend((child, _ptr(location, i), None) for i, child in enumerate(node))
    return found


def validate_text(text: str) -> list[Diagnostic]:
    """Parse and validate a definition given as JSON text; [] means valid."""
    definition, diagnostics = parse_json(text)
    if definition is not None:
        diagnostics.extend(validate(definition))
    return diagnostics
