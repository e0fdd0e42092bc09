"""Payload templates: Parameters, ResultSelector, ItemSelector.

A template is any JSON value. Inside objects, a key ending in ``.$`` takes a path (``$...``
against the data, ``$$...`` against the context object) or an intrinsic function; the
output key drops the ``.$``. Everything else is copied as is, recursively.

A path that matches nothing fails with ``States.Runtime`` and AWS's cause text:
``The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '{...}'``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from .errors import RUNTIME, Diagnostic, StatesError
from .intrinsics import evaluate as evaluate_intrinsic
from .intrinsics import is_intrinsic, validate_intrinsic
from .paths import PathNotFoundError, compact_json, select, validate_path

__all__ = ["json_pointer_token", "resolve", "validate_template"]

SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"


def resolve(
    template: Any,
    data: Any,
    context: dict | None,
    rng: random.Random,
    *,
    field: str = "Parameters",
    variables: dict | None = None,
) -> Any:
    """Return the payload built from ``template`` against ``data`` and ``context``.

    Values selected by paths are shared with ``data``, not copied (state data is treated as
    immutable); every container that comes from the template itself is a fresh object.
    ``field`` names the template field (Parameters, ResultSelector, …) in error causes;
    ``variables`` are the workflow variables ``$name`` paths read.
    """
    kind = type(template)
    if kind is dict:
        return _resolve_object(template, data, context, rng, field, variables)
    if kind is list:
        return [
            resolve(item, data, context, rng, field=field, variables=variables) for item in template
        ]
    if kind in _SCALARS:
        return template
    # Read-only views of a definition (MappingProxyType, tuples) resolve like dicts and lists.
    if isinstance(template, Mapping):
        return _resolve_object(template, data, context, rng, field, variables)
    if isinstance(template, tuple | list):
        return [
            resolve(item, data, context, rng, field=field, variables=variables) for item in template
        ]
    return template


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _resolve_object(template: Mapping, data: Any, context, rng, field: str, variables) -> dict:
    out: dict[str, Any] = {}
    for key, value in template.items():
        if key.endswith(".$"):
            out[key[:-2]] = _resolve_dynamic(key, value, data, context, rng, field, variables)
        elif type(value) in _SCALARS:
            out[key] = value
        else:
            out[key] = resolve(value, data, context, rng, field=field, variables=variables)
    return out


def _resolve_dynamic(
    key: str, expr: Any, data: Any, context, rng, field: str, variables: dict | None
) -> Any:
    if type(expr) is not str:
        raise StatesError(
            RUNTIME, f"The value for the field '{key}' in {field} must be a path or intrinsic"
        )
    if expr.startswith("$"):
        try:
            return select(expr, data, context, variables)
        except PathNotFoundError:
            source = context if expr.startswith("$$") else data
            raise StatesError(
                RUNTIME,
                f"The JSONPath '{expr}' specified for the field '{key}' could not be found "
                f"in the input '{compact_json(source)}'",
            )
        except ValueError as exc:
            raise StatesError(RUNTIME, f"The value for the field '{key}' is invalid: {exc}")
    if is_intrinsic(expr):
        return evaluate_intrinsic(expr, data, context, rng, field=key, variables=variables)
    raise StatesError(
        RUNTIME,
        f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
        f"function call, got '{expr}'",
    )


# --------------------------------------------------------------------------- validation


def json_pointer_token(key: str) -> str:
    """Escape one object key for a JSON pointer (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def validate_template(template: Any, location: str) -> list[Diagnostic]:
    """Check every ``.$`` entry of ``template``; locations are JSON pointers under ``location``."""
    problems: list[Diagnostic] = []
    _validate_node(template, location, problems)
    return problems


def _validate_node(node: Any, location: str, problems: list[Diagnostic]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _validate_node(item, f"{location}/{index}", problems)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        where = f"{location}/{json_pointer_token(str(key))}"
        if isinstance(key, str) and key.endswith(".$"):
            message = _dynamic_value_error(key, value)
            if message:
                problems.append(Diagnostic(SCHEMA_VALIDATION_FAILED, message, where))
        else:
            _validate_node(value, where, problems)


def _dynamic_value_error(key: str, value: Any) -> str | None:
    if not isinstance(value, str):
        return (
            f"The value for the field '{key}' must be a STRING that contains a JSONPath "
            "or an intrinsic function"
        )
    if value.startswith("$"):
        error = validate_path(value)
        return (
            f"The value for the field '{key}' must be a valid JSONPath: {error}" if error else None
        )
    if is_intrinsic(value):
        error = validate_intrinsic(value)
        return (
            f"The value for the field '{key}' is not a valid intrinsic: {error}" if error else None
        )
    return (
        f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
        f"function call, got '{value}'"
    )
