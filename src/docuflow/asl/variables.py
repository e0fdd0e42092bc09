"""Workflow variables (``Assign``) and JSONata payload templates.

Variables live in the interpreter's frames: each frame (the execution, a Parallel branch,
a Map iteration) keeps the variables its own states assigned under ``"vars"``. A state
sees its frame's variables over those of the frames enclosing it, so branches and
iterations read outer variables but their assignments vanish with them, as on AWS.

All of a state's ``Assign`` expressions (and its ``Output``) are evaluated against the
values from *before* the state; the new values are committed when the state exits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import DATA_LIMIT_EXCEEDED, QUERY_EVALUATION_ERROR, StatesError
from .history import dumps
from .jsonata_query import UNDEFINED, expression_text, is_expression

__all__ = [
    "MAX_ASSIGN_BYTES",
    "MAX_VARIABLE_BYTES",
    "MAX_VARIABLE_NAME",
    "assigned_details",
    "check_assignment_sizes",
    "resolve_jsonata",
    "variable_name_problem",
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
