"""Choice rules, compiled once into predicates.

Each rule of a Choice state becomes a :class:`ChoiceRule` whose
``matches(data, context, variables)``
is a closure built at definition time, so evaluating a Choice is a few Python calls.

AWS semantics kept here:

* a comparison whose operands have the wrong type is simply false (``StringEquals`` on a
  number does not match);
* a ``Variable`` (or ``…Path`` operand) that names nothing fails the execution with
  ``States.Runtime`` — except under ``IsPresent``, which exists to test exactly that;
* timestamps are RFC 3339 with an uppercase ``T`` and ``Z`` (or a numeric offset);
* ``StringMatches`` knows only ``*``; ``\\*`` is a literal star and ``\\\\`` a backslash.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import RUNTIME, StatesError
from .paths import PathNotFoundError, select

__all__ = ["ChoiceRule", "compile_rule", "is_timestamp", "parse_timestamp"]

Predicate = Callable[..., bool]  # (data, context, variables=None) -> bool

_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_timestamp(value: Any) -> datetime | None:
    """Return the aware datetime for an ASL timestamp string, or None if it is not one."""
    if type(value) is not str:
        return None
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    base, fraction, zone = match.groups()
    fraction = (fraction or "")[:7]  # datetime keeps microseconds: "." + 6 digits
    zone = "+00:00" if zone == "Z" else zone
    try:
        return datetime.fromisoformat(base + fraction + zone)
    except ValueError:
        return None


def is_timestamp(value: Any) -> bool:
    return parse_timestamp(value) is not None


@dataclass(frozen=True, slots=True)
class ChoiceRule:
    next: str
    matches: Predicate | None  # JSONPath rules; None for a JSONata rule
    condition: Any = None  # JSONata rules: the Condition (an expression or a literal)
    assign: Any = None  # the rule's own Assign block, when it has one
    output: Any = None  # JSONata: the rule's own Output, when it has one


def compile_rule(rule: dict, language: str = "JSONPath") -> ChoiceRule:
    """Compile one top-level rule (it carries ``Next``)."""
    if language == "JSONata":
        return ChoiceRule(
            rule["Next"], None, rule.get("Condition"), rule.get("Assign"), rule.get("Output")
        )
    return ChoiceRule(rule["Next"], _compile(rule), assign=rule.get("Assign"))


def _compile(rule: dict) -> Predicate:
    if "And" in rule:
        parts = tuple(_compile(item) for item in rule["And"])
        return lambda data, ctx, vars=None: all(part(data, ctx, vars) for part in parts)
    if "Or" in rule:
        parts = tuple(_compile(item) for item in rule["Or"])
        return lambda data, ctx, vars=None: any(part(data, ctx, vars) for part in parts)
    if "Not" in rule:
        inner = _compile(rule["Not"])
        return lambda data, ctx, vars=None: not inner(data, ctx, vars)
    variable = rule["Variable"]
    for key, operand in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign"):
            continue
        if key == "IsPresent":
            return _is_present(variable, bool(operand))
        if key.endswith("Path") and key[:-4] in _COMPARISONS:
            return _compare_path(variable, _COMPARISONS[key[:-4]], operand)
        if key in _COMPARISONS:
            return _compare_value(variable, _COMPARISONS[key], _prepare(key, operand))
        if key in _TYPE_TESTS:
            return _type_test(variable, _TYPE_TESTS[key], bool(operand))
        raise ValueError(f"unknown Choice operator {key!r}")
    raise ValueError("Choice rule has no comparison operator")


def _lookup(path: str, data: Any, ctx: dict, variables: dict | None) -> Any:
    try:
        return select(path, data, ctx, variables)
    except PathNotFoundError:
        raise StatesError(
            RUNTIME,
            f"Invalid path '{path}': The choice state's condition path references an invalid "
            "value.",
        )


def _is_present(variable: str, expected: bool) -> Predicate:
    def test(data, ctx, vars=None):
        try:
            select(variable, data, ctx, vars)
        except PathNotFoundError:
            return not expected
        return expected

    return test


def _type_test(variable: str, check: Callable[[Any], bool], expected: bool) -> Predicate:
    return lambda data, ctx, vars=None: check(_lookup(variable, data, ctx, vars)) is expected


def _compare_value(variable: str, compare: Callable[[Any, Any], bool], operand: Any):
    return lambda data, ctx, vars=None: compare(_lookup(variable, data, ctx, vars), operand)


def _compare_path(variable: str, compare: Callable[[Any, Any], bool], operand_path: str):
    return lambda data, ctx, vars=None: compare(
        _lookup(variable, data, ctx, vars), _lookup(operand_path, data, ctx, vars)
    )


def _prepare(key: str, operand: Any) -> Any:
    # Literal operands are converted once: patterns compiled, timestamps parsed.
    if key == "StringMatches":
        return _wildcard_regex(operand)
    if key.startswith("Timestamp"):
        parsed = parse_timestamp(operand)
        if parsed is None:
            raise ValueError(f"{key} operand {operand!r} is not a valid timestamp")
        return parsed
    return operand


def _wildcard_regex(pattern: str) -> re.Pattern:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        out.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.compile("".join(out), re.DOTALL)


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float  # bool is not int by type()


def _numbers(a: Any, b: Any) -> bool:
    kind_a, kind_b = type(a), type(b)
    return (kind_a is int or kind_a is float) and (kind_b is int or kind_b is float)


def _strings(a: Any, b: Any) -> bool:
    return type(a) is str and type(b) is str


def _as_time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else parse_timestamp(value)


def _time_op(op: Callable[[datetime, datetime], bool]) -> Callable[[Any, Any], bool]:
    def compare(value, operand):
        left, right = _as_time(value), _as_time(operand)
        return left is not None and right is not None and op(left, right)

    return compare


def _string_matches(value: Any, operand: Any) -> bool:
    if type(value) is not str:
        return False
    regex = operand if isinstance(operand, re.Pattern) else _wildcard_regex(str(operand))
    return regex.fullmatch(value) is not None


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "StringEquals": lambda a, b: _strings(a, b) and a == b,
    "StringLessThan": lambda a, b: _strings(a, b) and a < b,
    "StringGreaterThan": lambda a, b: _strings(a, b) and a > b,
    "StringLessThanEquals": lambda a, b: _strings(a, b) and a <= b,
    "StringGreaterThanEquals": lambda a, b: _strings(a, b) and a >= b,
    "StringMatches": _string_matches,
    "NumericEquals": lambda a, b: _numbers(a, b) and a == b,
    "NumericLessThan": lambda a, b: _numbers(a, b) and a < b,
    "NumericGreaterThan": lambda a, b: _numbers(a, b) and a > b,
    "NumericLessThanEquals": lambda a, b: _numbers(a, b) and a <= b,
    "NumericGreaterThanEquals": lambda a, b: _numbers(a, b) and a >= b,
    "BooleanEquals": lambda a, b: type(a) is bool and type(b) is bool and a == b,
    "TimestampEquals": _time_op(lambda a, b: a == b),
    "TimestampLessThan": _time_op(lambda a, b: a < b),
    "TimestampGreaterThan": _time_op(lambda a, b: a > b),
    "TimestampLessThanEquals": _time_op(lambda a, b: a <= b),
    "TimestampGreaterThanEquals": _time_op(lambda a, b: a >= b),
}

_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": _is_number,
    "IsString": lambda value: type(value) is str,
    "IsBoolean": lambda value: type(value) is bool,
    "IsTimestamp": is_timestamp,
}
