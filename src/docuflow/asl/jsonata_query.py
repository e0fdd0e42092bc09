"""JSONata expressions (``"{% … %}"``) as Step Functions evaluates them.

The language itself comes from ``jsonata-python`` (a pure-Python port of the JSONata
reference implementation, 2.0.x semantics); this module adapts it to AWS's dialect:

* expressions run with no context item: the state's data is ``$states`` (``input``,
  ``result``, ``errorOutput``, ``context``) and workflow variables are ``$name``;
* ``$eval`` is unavailable (as on AWS); ``$partition``, ``$range``, ``$hash``,
  ``$random``, ``$uuid`` and ``$parse`` are added; ``$now``/``$millis`` read the
  interpreter's clock and ``$random``/``$uuid`` its rng, so evaluation stays pure;
* results are plain JSON: JSONata's null sentinel becomes ``None``, whole floats become
  ints (JavaScript prints ``2.0`` as ``2``), and any failure is a
  ``States.QueryEvaluationError`` whose cause names the expression and the field.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from jsonata import Jsonata, Utils
from jsonata.functions import Functions
from jsonata.jexception import JException

from .errors import QUERY_EVALUATION_ERROR, StatesError

__all__ = [
    "UNDEFINED",
    "JsonataSyntaxError",
    "compile_expression",
    "evaluate",
    "expression_text",
    "is_expression",
    "top_level_reference",
]

UNDEFINED: Any = object()  # an expression that returned nothing (JSONata's undefined)

_HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


class JsonataSyntaxError(ValueError):
    pass


class _AwsJsonata(Jsonata):
    """jsonata-python with IEEE division, as the JVM and JavaScript runtimes divide.

    Python raises ZeroDivisionError where Java and JavaScript give Infinity or NaN; the
    reference implementations then report an infinite result as ``D1001: Number out of
    range`` and treat NaN as no number (undefined).
    """

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        try:
            return super().evaluate_numeric_expression(lhs, rhs, op)
        except (ZeroDivisionError, ValueError):
            if op not in ("/", "%") or not _is_zero(rhs):
                raise
        if op == "%" or _is_zero(lhs) or (isinstance(lhs, float) and math.isnan(lhs)):
            return None  # NaN
        negative = (float(lhs) < 0) != (math.copysign(1.0, float(rhs)) < 0)
        raise JException("D1001", -1, "-Infinity" if negative else "Infinity")

    def evaluate_string_concat(self, lhs: Any, rhs: Any) -> str:
        # ``&`` casts with $string, so numbers print as JavaScript prints them.
        left = "" if lhs is None else _string(lhs)
        right = "" if rhs is None else _string(rhs)
        return left + right


def _is_zero(value: Any) -> bool:
    return type(value) in (int, float) and value == 0


def is_expression(value: Any) -> bool:
    """True for a string that is one whole JSONata expression: ``"{% … %}"``."""
    return type(value) is str and value.startswith("{%") and value.endswith("%}")


def expression_text(value: str) -> str:
    return value[2:-2].strip()


# --------------------------------------------------------------------------- compiling

_CACHE: dict[str, Jsonata] = {}
_CACHE_LIMIT = 4096


def compile_expression(text: str) -> Jsonata:
    """Parse ``text`` once (cached); raise JsonataSyntaxError with the parser's message."""
    compiled = _CACHE.get(text)
    if compiled is not None:
        return compiled
    if not text:
        raise JsonataSyntaxError("The JSONata expression is empty")
    try:
        compiled = _AwsJsonata(text)
    except Exception as exc:  # the parser raises JException and, rarely, plain errors
        raise JsonataSyntaxError(_message(exc)) from exc
    compiled.set_output_convert_nulls(False)  # keep null apart from undefined
    compiled.set_validate_input(False)  # no context item is ever given
    compiled.register_function("eval", None)  # AWS disables $eval (calling it fails)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[text] = compiled
    return compiled


def top_level_reference(text: str) -> str | None:
    """The first field name an expression reads from the (absent) context item, if any.

    AWS refuses ``{% phone %}`` or ``{% $states.input.a + phone %}`` at creation: there is
    no context item, data is only reachable through ``$states`` and variables. ``$$``
    (JSONata's root document) is refused the same way. Names that JSONata evaluates
    against something else stay legal: later path steps, predicates, sort and group
    terms, and lambda bodies.
    """
    return _root_name(compile_expression(text).ast)


def _root_name(node: Any) -> str | None:
    """Depth-first: the first name (or ``$$``) read at the root context of ``node``."""
    if node is None:
        return None
    kind = node.type
    if kind == "name":
        return str(node.value)
    if kind == "variable":
        return "$$" if node.value == "$" else None
    if kind == "path":
        return _root_name(node.steps[0]) if node.steps else None
    children: list[Any]
    if kind == "binary" or kind == "apply":
        children = [node.lhs, node.rhs]
    elif kind == "unary":
        if node.value == "{":
            children = [part for pair in node.lhs_object or () for part in pair]
        elif node.value == "[":
            children = list(node.expressions or ())
        else:
            children = [node.expression]
    elif kind in ("function", "partial"):
        children = list(node.arguments or ())
    elif kind == "condition":
        children = [node.condition, node.then, node._else]
    elif kind == "block":
        children = list(node.expressions or ())
    elif kind == "bind":
        children = [node.rhs]
    else:  # literals, lambdas, regexes, transforms …
        return None
    for child in children:
        name = _root_name(child) if hasattr(child, "type") else None
        if name is not None:
            return name
    return None


# --------------------------------------------------------------------------- evaluating


def evaluate(
    text: str,
    states: dict,
    variables: dict,
    *,
    field: str,
    now: datetime,
    rng: random.Random,
) -> Any:
    """Evaluate one expression; return its JSON value or UNDEFINED.

    ``states`` is the ``$states`` object, ``variables`` the workflow variables in scope.
    Raises StatesError(States.QueryEvaluationError) when evaluation fails.
    """
    try:
        compiled = compile_expression(text)
    except JsonataSyntaxError as exc:
        raise StatesError(
            QUERY_EVALUATION_ERROR, f"{_prefix(text, field)} is invalid. {exc}", field
        )
    bindings: dict[str, Any] = {
        name: (Utils.NULL_VALUE if value is None else value) for name, value in variables.items()
    }
    bindings["states"] = states
    bindings.update(_clock_and_rng_functions(now, rng))
    try:
        result = compiled.evaluate(None, bindings)
    except Exception as exc:
        raise StatesError(
            QUERY_EVALUATION_ERROR,
            f"{_prefix(text, field)} threw an error during evaluation. {_message(exc)}",
            field,
        )
    if result is None:
        return UNDEFINED
    try:
        return _to_json(result)
    except _Unsupported:
        raise StatesError(
            QUERY_EVALUATION_ERROR,
            f"{_prefix(text, field)} returned an unsupported result type.",
            field,
        )


def _prefix(text: str, field: str) -> str:
    return f"The JSONata expression '{text}' specified for the field '{field}'"


def _message(exc: Exception) -> str:
    code = getattr(exc, "error", None)
    text = str(exc) or type(exc).__name__
    if code == "D1001":  # Python spells infinity "inf"; the reference runtimes do not
        text = text.replace(": -inf", ": -Infinity").replace(": inf", ": Infinity")
    if code and not text.startswith(str(code)):
        return f"{code}: {text}"
    return text


class _Unsupported(TypeError):
    pass


def _to_json(value: Any) -> Any:
    """A fresh JSON value: null sentinel -> None, whole floats -> int, no functions."""
    kind = type(value)
    if kind is str or kind is bool or kind is int:
        return value
    if value is None or value is Utils.NULL_VALUE:
        return None
    if kind is float:
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    # Nested None is JSON null from the data (JSONata itself never nests undefined).
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if isinstance(value, bool | int):
        return value
    raise _Unsupported(type(value).__name__)


# --------------------------------------------------------------------------- AWS functions


def _fn(implementation: Callable[..., Any]) -> Jsonata.JLambda:
    return Jsonata.JLambda(implementation)


def _integer(value: Any, name: str, position: int) -> int:
    if type(value) is bool or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"Argument {position} of function ${name} must be a number")
    return int(value)  # AWS rounds non-integers towards zero


def _partition(array: Any = None, size: Any = None) -> Any:
    if not isinstance(array, list):
        raise ValueError("Argument 1 of function $partition must be an array")
    chunk = _integer(size, "partition", 2)
    if chunk <= 0 or not array:
        return None
    return [list(array[i : i + chunk]) for i in range(0, len(array), chunk)]


def _range(start: Any = None, end: Any = None, step: Any = None) -> Any:
    first, last = _integer(start, "range", 1), _integer(end, "range", 2)
    if step is None:
        return None
    increment = _integer(step, "range", 3)
    if increment == 0 or (last - first) * increment < 0:
        return None
    stop = last + (1 if increment > 0 else -1)
    values = list(range(first, stop, increment))
    if len(values) > 1_000_000:
        raise ValueError("Expression evaluation memory limit exceeded")
    return values[0] if len(values) == 1 else values


def _hash(data: Any = None, algorithm: Any = None) -> Any:
    if not isinstance(data, str):
        raise ValueError("Argument 1 of function $hash must be a string")
    if algorithm is None:
        return None
    name = _HASH_ALGORITHMS.get(algorithm)
    if name is None:
        raise ValueError(
            f"Argument 2 of function $hash must be one of {', '.join(_HASH_ALGORITHMS)}"
        )
    return hashlib.new(name, data.encode()).hexdigest()


def _parse(text: Any = None) -> Any:
    if not isinstance(text, str):
        raise ValueError("Argument 1 of function $parse must be a string")
    value = json.loads(text)
    return Utils.NULL_VALUE if value is None else value


def _js_number(value: Any) -> str:
    """A number as JSONata's ``$string`` prints it: 15 significant digits, JS notation."""
    if type(value) is int and abs(value) < 10**15:
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        raise JException("D1001", -1, _js_float(number))
    return _js_float(float(f"{number:.15g}"))


def _js_float(number: float) -> str:
    """JavaScript's Number#toString for a finite double (shortest round-trip digits)."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)  # shortest digits that round-trip, like JavaScript
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    mantissa, _, exponent = text.partition("e")
    digits = mantissa.replace(".", "")
    point = mantissa.index(".") if "." in mantissa else len(mantissa)
    point += int(exponent or 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    if -6 < point <= 21:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return sign + digits + "0" * (point - len(digits))
        return f"{sign}{digits[:point]}.{digits[point:]}"
    exp = point - 1
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{body}e{'+' if exp > 0 else '-'}{abs(exp)}"


def _js_json(value: Any, indent: str | None, depth: int = 0) -> str:
    """JSON text as JSONata's ``$string`` writes it (JavaScript's number notation)."""
    if value is None or value is Utils.NULL_VALUE:
        return "null"
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is str:
        return json.dumps(value, ensure_ascii=False)
    if kind is int or kind is float:
        return _js_number(value)
    if isinstance(value, dict):
        items = [(key, item) for key, item in value.items() if not _is_function(item)]
        if not items:
            return "{}"
        parts = [
            json.dumps(str(key), ensure_ascii=False)
            + (": " if indent else ":")
            + _js_json(item, indent, depth + 1)
            for key, item in items
        ]
        return _wrap("{", "}", parts, indent, depth)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        parts = [
            '""' if _is_function(item) else _js_json(item, indent, depth + 1) for item in value
        ]
        return _wrap("[", "]", parts, indent, depth)
    if _is_function(value):
        return '""'
    return json.dumps(value, ensure_ascii=False)


def _wrap(open_: str, close: str, parts: list[str], indent: str | None, depth: int) -> str:
    if not indent:
        return open_ + ",".join(parts) + close
    inner = "\n" + indent * (depth + 1)
    return open_ + inner + ("," + inner).join(parts) + "\n" + indent * depth + close


def _is_function(value: Any) -> bool:
    return isinstance(value, Jsonata.JFunction | Jsonata.JLambda) or callable(value)


def _string(arg: Any = None, prettify: Any = None) -> Any:
    if isinstance(arg, Utils.JList) and getattr(arg, "outer_wrapper", False):
        arg = arg[0]
    if arg is None:
        return None
    if type(arg) is str:
        return arg
    if _is_function(arg):
        return ""
    pretty = bool(prettify) and prettify is not Utils.NULL_VALUE
    return _js_json(arg, "  " if pretty else None)


_PURE_FUNCTIONS = {
    "string": _fn(_string),
    "partition": _fn(_partition),
    "range": _fn(_range),
    "hash": _fn(_hash),
    "parse": _fn(_parse),
}


def _clock_and_rng_functions(now: datetime, rng: random.Random) -> dict[str, Any]:
    millis = int(now.timestamp() * 1000)

    def now_fn(picture: Any = None, timezone: Any = None) -> str:
        return Functions.datetime_from_millis(millis, picture, timezone)

    def random_fn(seed: Any = None) -> float:
        if seed is None:
            return rng.random()
        return random.Random(_integer(seed, "random", 1)).random()  # noqa: S311

    def uuid_fn() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    return {
        **_PURE_FUNCTIONS,
        "now": _fn(now_fn),
        "millis": _fn(lambda: millis),
        "random": _fn(random_fn),
        "uuid": _fn(uuid_fn),
    }
