"""Workflow variables (``Assign``) and JSONata payload templates.

Variables live in the interpreter's frames: each frame (the execution, a Parallel branch,
a Map iteration) keeps the variables its own states assigned under ``"vars"``. A state
sees its frame's variables over those of the frames enclosing it, so branches and
iterations read outer variables but their assignments vanish with them, as on AWS.

All of a state's ``Assign`` expressions (and its ``Output``) are evaluated against the
values from *before* the state; the new values are committed when the state exits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import DATA_LIMIT_EXCEEDED, QUERY_EVALUATION_ERROR, StatesError
from .history import dumps
from .jsonata_query import (
    UNDEFINED,
    JsonataSyntaxError,
    compile_expression,
    expression_text,
    is_expression,
)

__all__ = [
    "MAX_ASSIGN_BYTES",
    "MAX_VARIABLE_BYTES",
    "MAX_VARIABLE_NAME",
    "assigned_details",
    "check_assignment_sizes",
    "resolve_jsonata",
    "variable_name_problem",
    "variable_references",
]

MAX_VARIABLE_NAME = 80
MAX_VARIABLE_BYTES = 262_144  # one variable's serialized value (256 KiB)
MAX_ASSIGN_BYTES = 10 * 1024 * 1024  # everything one Assign field stores (10 MiB)
RESERVED = "states"

Evaluate = Callable[[str, str], Any]  # (expression text, field) -> value or UNDEFINED


def variable_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot name a variable (a Unicode identifier, at most 80 long), or None."""
    if not isinstance(name, str) or not name:
        return "A variable name must be a non-empty string"
    if name == RESERVED:
        return "The variable name 'states' is reserved"
    if len(name) > MAX_VARIABLE_NAME:
        return f"The variable name '{name}' is longer than {MAX_VARIABLE_NAME} characters"
    if not name.isidentifier():
        return (
            f"The variable name '{name}' is invalid: it must start with a letter or '_' "
            "followed by letters, digits or '_'"
        )
    return None


def check_assignment_sizes(assigned: dict[str, Any]) -> dict[str, str]:
    """Serialize each assigned value (history shows them as JSON text); enforce AWS limits."""
    texts: dict[str, str] = {}
    total = 0
    for name, value in assigned.items():
        text = dumps(value)
        size = len(text.encode())
        if size > MAX_VARIABLE_BYTES:
            raise StatesError(
                DATA_LIMIT_EXCEEDED,
                f"The variable '{name}' exceeds the maximum variable size of "
                f"{MAX_VARIABLE_BYTES} bytes.",
            )
        total += size
        texts[name] = text
    if total > MAX_ASSIGN_BYTES:
        raise StatesError(
            DATA_LIMIT_EXCEEDED,
            f"The Assign field exceeds the maximum variable assignment size by "
            f"{total - MAX_ASSIGN_BYTES} bytes.",
        )
    return texts


def assigned_details(texts: dict[str, str]) -> dict[str, Any]:
    """The ``assignedVariables`` part of a *StateExited event (values as JSON text)."""
    return {
        "assignedVariables": dict(sorted(texts.items())),
        "assignedVariablesDetails": {"truncated": False},
    }


def resolve_jsonata(template: Any, evaluate: Evaluate, field: str) -> Any:
    """Build a value from a JSONata template (Arguments, Output, Assign, Items, …).

    Strings that are whole ``{% … %}`` expressions are evaluated, everything else is
    copied. ``field`` names the location in causes the way AWS does: ``Output/a/b[0]``.
    An expression that returns nothing fails with States.QueryEvaluationError.
    """
    if type(template) is str:
        if not is_expression(template):
            return template
        text = expression_text(template)
        value = evaluate(text, field)
        if value is UNDEFINED:
            raise StatesError(
                QUERY_EVALUATION_ERROR,
                f"The JSONata expression '{text}' specified for the field '{field}' "
                "returned nothing (undefined).",
                field,
            )
        return value
    if isinstance(template, dict):
        return {
            key: resolve_jsonata(value, evaluate, f"{field}/{key}")
            for key, value in template.items()
        }
    if isinstance(template, list | tuple):
        return [
            resolve_jsonata(value, evaluate, f"{field}[{index}]")
            for index, value in enumerate(template)
        ]
    return template


# --------------------------------------------------------------------------- references

_PATH_VARIABLE = re.compile(r"(?<![\w$])\$([^\W\d]\w*)")
_QUOTED = re.compile(r"'(?:\\.|[^'\\])*'")
_NESTED = ("ItemProcessor", "Iterator", "Branches")


def variable_references(definition: dict) -> dict[str, list[str]]:
    """``DescribeStateMachine``'s ``variableReferences``: state name -> variables it reads.

    Every state of the machine (those inside Map and Parallel too) that reads a workflow
    variable, in definition order, with its variable names sorted. JSONPath states read
    them through ``$name`` paths and intrinsic arguments, JSONata states through ``$name``
    in expressions (``$states`` and names the expression binds itself do not count).
    """
    out: dict[str, list[str]] = {}
    _collect_machine(definition, definition.get("QueryLanguage", "JSONPath"), out)
    return out


def _collect_machine(machine: Any, language: str, out: dict[str, list[str]]) -> None:
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        names: set[str] = set()
        state_language = state.get("QueryLanguage", language)
        for key, value in state.items():
            if key in _NESTED or key in ("Type", "Comment", "Next", "End", "Resource"):
                continue
            _collect_value(key, value, state_language, names)
        if names:
            out[name] = sorted(names)
        for key in ("ItemProcessor", "Iterator"):
            _collect_machine(state.get(key), language, out)
        for branch in state.get("Branches") or ():
            _collect_machine(branch, language, out)


def _collect_value(key: Any, value: Any, language: str, names: set[str]) -> None:
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            _collect_value(inner_key, inner, language, names)
    elif isinstance(value, list):
        for inner in value:
            _collect_value(key, inner, language, names)
    elif isinstance(value, str):
        if language == "JSONata":
            if is_expression(value):
                names.update(_jsonata_variables(expression_text(value)))
        elif isinstance(key, str) and (
            key.endswith(".$") or key.endswith("Path") or key == "Variable"
        ):
            names.update(_PATH_VARIABLE.findall(_QUOTED.sub("''", value)))


def _jsonata_variables(text: str) -> set[str]:
    try:
        ast = compile_expression(text).ast
    except JsonataSyntaxError:
        return set()
    found: set[str] = set()
    bound: set[str] = set()
    _walk_jsonata(ast, found, bound)
    return found - bound - {RESERVED, ""}


def _walk_jsonata(node: Any, found: set[str], bound: set[str]) -> None:
    if isinstance(node, list | tuple):
        for item in node:
            _walk_jsonata(item, found, bound)
        return
    if not hasattr(node, "type"):
        return
    if node.type == "variable" and isinstance(node.value, str) and node.value != "$":
        found.add(node.value)
    if node.type == "bind" and getattr(node.lhs, "type", None) == "variable":
        bound.add(node.lhs.value)
    if node.type == "lambda":
        for argument in node.arguments or ():
            bound.add(argument.value)
    if node.type in ("function", "partial") and getattr(node.procedure, "type", None) == "variable":
        _walk_jsonata(node.arguments, found, bound)
        return
    for attr, child in vars(node).items():
        if attr != "_outer_instance" and (hasattr(child, "type") or isinstance(child, list)):
            _walk_jsonata(child, found, bound)
